"""The time a user's question asks about: ranges, open bounds, recency and explained errors."""

from __future__ import annotations

import re
from datetime import date

import pytest

from index.errors import QuestionError
from index.text.dates import QuestionTime, parse_question_time

TODAY = date(2025, 6, 18)  # a Wednesday: the day the example questions are asked
HELD_OUT_TODAY = date(2026, 4, 15)  # also a Wednesday, for the questions written after the code


def d(text: str) -> date:
    return date.fromisoformat(text)


LABELLED_QUESTIONS = [
    # question, from, to, recency; asked on TODAY (Wednesday 18 June 2025)
    ("What happened in 2021 between Armenia and Azerbaijan?", "2021-01-01", "2021-12-31", False),
    ("What did Blinken say in October 2022?", "2022-10-01", "2022-10-31", False),
    ("Who won the election on 31 October?", "2024-10-31", "2024-10-31", False),
    ("What happened on 31 October 2022?", "2022-10-31", "2022-10-31", False),
    ("How did prices change between 2019 and 2021?", "2019-01-01", "2021-12-31", False),
    ("How did prices change from 2019 to 2021?", "2019-01-01", "2021-12-31", False),
    ("What has the bank done since 2020?", "2020-01-01", None, False),
    ("Which treaties were signed after 2018?", "2019-01-01", None, False),
    ("What did the UN say before 2018?", None, "2017-12-31", False),
    ("Who led the party until 2019?", None, "2019-12-31", False),
    ("What happened in the 1990s in Karabakh?", "1990-01-01", "1999-12-31", False),
    ("What did the government announce in early 2020?", "2020-01-01", "2020-12-31", False),
    ("What happened yesterday?", "2025-06-17", "2025-06-17", False),
    ("What is in the news today?", "2025-06-18", "2025-06-18", False),
    # In the present tense, "today" asks who holds something now, as "now" does.
    ("Who chairs the supporters' trust today?", None, None, True),
    ("How many spectators does the stadium hold today?", None, None, True),
    ("Who resigned today?", "2025-06-18", "2025-06-18", False),
    ("Who was named today?", "2025-06-18", "2025-06-18", False),
    ("What did the minister do today?", "2025-06-18", "2025-06-18", False),
    ("What did the minister say last week?", "2025-06-09", "2025-06-15", False),
    ("What happened this week in Gaza?", "2025-06-16", "2025-06-18", False),
    ("What did the central bank decide last month?", "2025-05-01", "2025-05-31", False),
    ("Any news about the strike this month?", "2025-06-01", "2025-06-18", False),
    ("How many ships were attacked this year?", "2025-01-01", "2025-06-18", False),
    ("What were the biggest stories last year?", "2024-01-01", "2024-12-31", False),
    ("What happened in the past month?", "2025-05-18", "2025-06-18", False),
    ("Which countries held elections in the past two weeks?", "2025-06-04", "2025-06-18", False),
    ("How has inflation changed in the last 3 years?", "2022-06-18", "2025-06-18", False),
    ("What did Aliyev say over the past year?", "2024-06-18", "2025-06-18", False),
    ("What has Pashinian said recently?", None, None, True),
    ("What happened two years ago in Sochi?", "2023-01-01", "2023-12-31", False),
    ("What did the court decide a month ago?", "2025-05-01", "2025-05-31", False),
    ("What is the latest on the ceasefire?", None, None, True),
    ("What was agreed at the last summit?", None, None, True),
    ("Who is the current prime minister of Armenia?", None, None, True),
    ("Is the border still closed?", None, None, True),
    ("What is happening in Gaza now?", None, None, True),
    ("Who currently chairs the talks?", None, None, True),
    ("How many hostages have been released so far?", None, None, True),
    ("What are the most recent figures on inflation?", None, None, True),
    ("Which is the newest climate pledge?", None, None, True),
    ("What are relations like these days?", None, None, True),
    ("Who runs the ministry nowadays?", None, None, True),
    ("What were the recent clashes about?", None, None, True),
    ("When did they last meet?", None, None, True),
    ("How many of the 2000 delegates voted for the motion?", None, None, False),
    ("Did officials say they may meet again?", None, None, False),
    ("Why did protesters march on parliament?", None, None, False),
    ("What did the Sunday Times report about the envoy?", None, None, False),
    ("Who won the match 6-2?", None, None, False),
    ("What happened at 19:31 in Lytton?", None, None, False),
    ("Where did 1,500 troops deploy?", None, None, False),
    ("What did the 2,000-page report conclude?", None, None, False),
    ("Who attended the peace talks?", None, None, False),
    ("What did Theresa May say about Brexit?", None, None, False),
    ("Which 1,000 people were evacuated?", None, None, False),
    ("What are the 2050 targets?", None, None, False),
    ("What did Blinken say about the 2020 war?", "2020-01-01", "2020-12-31", False),
    ("What happened since the 2020 war?", "2020-01-01", None, False),
    ("What happened before the 2018 election?", None, "2018-12-31", False),
    ("What happened in March?", "2025-03-01", "2025-03-31", False),
    ("What happened in June?", "2025-06-01", "2025-06-18", False),
    ("What was said at 2019's talks?", "2019-01-01", "2019-12-31", False),
    ("What happened in Armenia on Monday?", "2025-06-16", "2025-06-16", False),
    ("What has happened since last year?", "2024-01-01", None, False),
    ("What happened between March and May 2024?", "2024-03-01", "2024-05-31", False),
    (
        "What happened over the past two weeks and what is the latest?",
        "2025-06-04",
        "2025-06-18",
        True,
    ),
    ("What happened in the last three years in Yerevan?", "2022-06-18", "2025-06-18", False),
    ("What happened in 2025?", "2025-01-01", "2025-06-18", False),
    ("What happened in the summer of 1999?", "1999-01-01", "1999-12-31", False),
    ("What did Reuters report on 14 March 2023?", "2023-03-14", "2023-03-14", False),
    ("What happened on March 14, 2023?", "2023-03-14", "2023-03-14", False),
    ("What has changed since March?", "2025-03-01", None, False),
    ("How many people died in 2020 and 2021?", "2020-01-01", "2021-12-31", False),
    ("What happened in Sochi a year ago?", "2024-01-01", "2024-12-31", False),
    ("What did the minister say on the 3rd of June 2024?", "2024-06-03", "2024-06-03", False),
    ("What happened on 29 February?", "2024-02-29", "2024-02-29", False),
    ("What happened in 2021, according to the latest report?", "2021-01-01", "2021-12-31", True),
    ("What did the bank say in Q3 2022?", "2022-07-01", "2022-09-30", False),
    ("Who was president during the 1980s?", "1980-01-01", "1989-12-31", False),
    ("Any developments in the last week?", "2025-06-11", "2025-06-18", False),
    ("What happened on Christmas Day?", "2024-12-25", "2024-12-25", False),
    ("what happened in march 2022?", "2022-03-01", "2022-03-31", False),
    ("what did they say on monday?", "2025-06-16", "2025-06-16", False),
    ("What happened in May 2024 in Tbilisi?", "2024-05-01", "2024-05-31", False),
    ("What happened from March 2019 to June 2020?", "2019-03-01", "2020-06-30", False),
    ("What did the court rule between 2 and 9 May 2024?", "2024-05-02", "2024-05-09", False),
    ("Were there protests in the first half of 2023?", "2023-01-01", "2023-06-30", False),
    ("What did the envoy say three weeks ago?", "2025-05-26", "2025-06-01", False),
    ("What has been said since 2019 until 2021?", "2019-01-01", "2021-12-31", False),
    ("Who is still in prison since the 2008 crisis?", "2008-01-01", None, True),
]


# Written after the code, and asked on HELD_OUT_TODAY (Wednesday 15 April 2026).
HELD_OUT_QUESTIONS = [
    (
        "What did the chipmaker report in the first quarter of 2026?",
        "2026-01-01",
        "2026-03-31",
        False,
    ),
    ("Who has led the company since 2019?", "2019-01-01", None, False),
    ("What happened to the stock last Tuesday?", "2026-04-14", "2026-04-14", False),
    ("What did the regulator say about the merger in April?", "2026-04-01", "2026-04-15", False),
    ("Which factories opened between 2020 and 2024?", "2020-01-01", "2024-12-31", False),
    ("What are the newest chip export rules?", None, None, True),
    ("How did shares move over the last six months?", "2025-10-15", "2026-04-15", False),
    ("What did the CEO say on 2 April?", "2026-04-02", "2026-04-02", False),
    ("What was announced yesterday?", "2026-04-14", "2026-04-14", False),
    ("Who bought the startup in March 2021?", "2021-03-01", "2021-03-31", False),
    ("What happened during the 2008 financial crisis?", "2008-01-01", "2008-12-31", False),
    ("What did analysts expect before the 2024 election?", None, "2024-12-31", False),
    ("How many engineers does the firm employ now?", None, None, True),
    ("Is the Dresden plant still on schedule?", None, None, True),
    ("What happened in the 2010s to smartphone sales?", "2010-01-01", "2019-12-31", False),
    ("What did the board decide three days ago?", "2026-04-12", "2026-04-12", False),
    ("What did Li Wei say in late 2019?", "2019-01-01", "2019-12-31", False),
    ("How many people attended the 1,500-seat hall?", None, None, False),
    ("Will the firm march into new markets?", None, None, False),
    ("What did the company say it may do about tariffs?", None, None, False),
    ("What did the firm report this week?", "2026-04-13", "2026-04-15", False),
    ("What happened in the past 10 days?", "2026-04-05", "2026-04-15", False),
    ("What were the results for 2025?", "2025-01-01", "2025-12-31", False),
    ("What did regulators say last year about the deal?", "2025-01-01", "2025-12-31", False),
    ("Who ran the company until March 2020?", None, "2020-03-31", False),
    ("What changed after October 2025?", "2025-11-01", None, False),
    ("What has happened since Monday?", "2026-04-13", None, False),
    ("What is the current share price?", None, None, True),
    ("What did the 2023 annual report say?", "2023-01-01", "2023-12-31", False),
    ("What did the firm say on Sunday?", "2026-04-12", "2026-04-12", False),
    ("Which orders were booked in Q4 2025?", "2025-10-01", "2025-12-31", False),
    ("what happened in may 2025?", "2025-05-01", "2025-05-31", False),
]


@pytest.mark.parametrize(
    ("today", "question", "first", "last", "recency"),
    [(TODAY, *row) for row in LABELLED_QUESTIONS]
    + [(HELD_OUT_TODAY, *row) for row in HELD_OUT_QUESTIONS],
)
def test_labelled_questions_resolve_to_their_range(
    today: date, question: str, first: str | None, last: str | None, recency: bool
) -> None:
    asked = parse_question_time(question, today)
    assert asked.to_dict() == {"from": first, "to": last, "recency": recency}


def test_a_question_without_time_is_empty() -> None:
    asked = parse_question_time("Who attended the peace talks?", TODAY)
    assert asked == QuestionTime()
    assert asked.is_empty


def test_time_phrases_are_located_with_their_preposition() -> None:
    question = "What happened in October 2022 in Armenia?"
    spans = parse_question_time(question, TODAY).spans
    assert [question[a:b] for a, b in spans] == ["in October 2022"]


def test_recency_words_are_located_too() -> None:
    question = "What is the latest on the ceasefire since 2020?"
    spans = parse_question_time(question, TODAY).spans
    assert [question[a:b] for a, b in spans] == ["latest", "since 2020"]


def test_last_in_at_last_is_not_recency() -> None:
    assert parse_question_time("Did the talks at last succeed?", TODAY).is_empty


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("What happened on the 45th of May?", "the 45th of May"),
        ("What happened on 31 February 2021?", "31 February 2021"),
        ("What happened on 31 April?", "31 April"),
        ("What happened in month 13?", "month 13"),
        ("What happened on 2021-13-01?", "2021-13-01"),
        ("What happened on 30 February 2024?", "30 February 2024"),
        ("What happened in month 0?", "month 0"),
    ],
)
def test_an_impossible_date_is_an_error_naming_it(question: str, phrase: str) -> None:
    with pytest.raises(QuestionError, match=f"“{re.escape(phrase)}” is not a date"):
        parse_question_time(question, TODAY)


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("What will happen in 2031?", "in 2031"),
        ("What is planned for next year?", "for next year"),
        ("What happens tomorrow?", "tomorrow"),
        ("What happened in February 2029?", "in February 2029"),
        ("What has happened since 2030?", "since 2030"),
        ("What were sales like in 2032?", "in 2032"),
    ],
)
def test_a_time_wholly_in_the_future_is_an_error(question: str, phrase: str) -> None:
    with pytest.raises(QuestionError, match=f"“{re.escape(phrase)}” is in the future") as error:
        parse_question_time(question, TODAY)
    assert "today is 18 June 2025" in str(error.value)


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("What happened after this year's election?", date(2025, 1, 1)),
        ("Who resigned after this month's vote?", date(2025, 6, 1)),
        ("What changed after last year's verdict?", date(2024, 1, 1)),
    ],
)
def test_after_a_period_s_event_starts_within_that_period(question: str, first: date) -> None:
    # "this year's election" names an event of this year, as "2019's talks" does of 2019:
    # what came after it starts within the year, not after the year (which is the future).
    time = parse_question_time(question, TODAY)
    assert (time.first, time.last) == (first, None)


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("What happened between 2023 and 2019?", "between 2023 and 2019"),
        ("How did prices move from 2024 to 2021?", "from 2024 to 2021"),
        ("What happened from June 2024 to March 2023?", "from June 2024 to March 2023"),
        ("What happened between 2025 and 2020?", "between 2025 and 2020"),
    ],
)
def test_a_range_written_backwards_is_an_error(question: str, phrase: str) -> None:
    with pytest.raises(QuestionError, match=f"“{re.escape(phrase)}” runs backwards"):
        parse_question_time(question, TODAY)


def test_bounds_that_leave_no_time_are_an_error() -> None:
    with pytest.raises(QuestionError, match="leaves no time"):
        parse_question_time("What was said since 2022 until 2019?", TODAY)


def test_a_range_reaching_past_today_ends_today() -> None:
    asked = parse_question_time("What happened between 2024 and 2030?", TODAY)
    assert (asked.first, asked.last) == (d("2024-01-01"), TODAY)


@pytest.mark.parametrize(
    ("asked", "text"),
    [
        (QuestionTime(d("2021-01-01"), d("2021-12-31")), "2021"),
        (QuestionTime(d("2019-01-01"), d("2021-12-31")), "2019–2021"),
        (QuestionTime(d("1990-01-01"), d("1999-12-31")), "the 1990s"),
        (QuestionTime(d("2022-10-01"), d("2022-10-31")), "October 2022"),
        (QuestionTime(d("2024-03-01"), d("2024-05-31")), "March–May 2024"),
        (QuestionTime(d("2022-10-01"), d("2022-10-14")), "1–14 Oct 2022"),
        (QuestionTime(d("2022-10-31"), d("2022-10-31")), "31 Oct 2022"),
        (QuestionTime(d("2023-12-27"), d("2024-01-10")), "27 Dec 2023 – 10 Jan 2024"),
        (QuestionTime(d("2020-01-01"), None), "since 2020"),
        (QuestionTime(None, d("2019-12-31")), "until 2019"),
        (QuestionTime(recency=True), "the latest"),
        (QuestionTime(d("2021-01-01"), d("2021-12-31"), recency=True), "2021, the latest"),
        (QuestionTime(), "any time"),
    ],
)
def test_describe_says_what_was_understood(asked: QuestionTime, text: str) -> None:
    assert asked.describe() == text
