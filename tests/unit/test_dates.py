"""Date expressions in news sentences and in users' questions (index/text/dates.py)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from index.errors import QuestionError
from index.text.dates import (
    DateMention,
    QuestionTime,
    day_number,
    find_dates,
    from_day_number,
    parse_question_time,
)

MONDAY = date(2022, 11, 7)  # the publication day of most article examples
TODAY = date(2025, 6, 18)  # a Wednesday: the day the example questions are asked
HELD_OUT_TODAY = date(2026, 4, 15)  # also a Wednesday, for the questions written after the code
SENTENCES = Path(__file__).parent.parent / "data" / "dates" / "sentences.jsonl"


def d(text: str) -> date:
    return date.fromisoformat(text)


def only(text: str, published: date | None = MONDAY) -> DateMention:
    mentions = find_dates(text, published)
    assert len(mentions) == 1, mentions
    return mentions[0]


def days(text: str, published: date | None = MONDAY) -> tuple[date, date]:
    mention = only(text, published)
    return mention.first, mention.last


# --- absolute dates in articles ----------------------------------------------------------


def test_a_full_date_is_that_one_day() -> None:
    text = "The central bank raised rates on 14 March 2023."
    mention = only(text)
    assert (mention.first, mention.last, mention.granularity) == (
        d("2023-03-14"),
        d("2023-03-14"),
        "day",
    )
    assert text[mention.start : mention.end] == "14 March 2023"
    assert not mention.relative


@pytest.mark.parametrize(
    "text",
    [
        "The truce was signed on March 14, 2023.",
        "The filing, dated 14 Mar 2023, was released.",
        "He spoke on the 14th of March 2023.",
        "The law took effect on 2023-03-14.",
    ],
)
def test_usual_ways_of_writing_a_day_give_the_same_day(text: str) -> None:
    assert days(text) == (d("2023-03-14"), d("2023-03-14"))


def test_a_month_and_year_is_the_whole_month() -> None:
    mention = only("Inflation peaked in October 2022.")
    assert (mention.first, mention.last, mention.granularity) == (
        d("2022-10-01"),
        d("2022-10-31"),
        "month",
    )


def test_a_year_after_a_preposition_is_the_whole_year() -> None:
    mention = only("The company went public in 2021.")
    assert (mention.first, mention.last, mention.granularity) == (
        d("2021-01-01"),
        d("2021-12-31"),
        "year",
    )


@pytest.mark.parametrize(
    "text",
    [
        "The 2019 summit produced few commitments.",
        "2019's talks ended without agreement.",
        "Aliyev's 2019 speech was widely quoted.",
        "Police said 2019 was the deadliest year.",
    ],
)
def test_a_year_describing_a_noun_or_as_a_subject_is_a_year(text: str) -> None:
    assert days(text) == (d("2019-01-01"), d("2019-12-31"))


def test_a_decade_covers_its_ten_years() -> None:
    mention = only("The two countries fought a war in the 1990s.")
    assert (mention.first, mention.last, mention.granularity) == (
        d("1990-01-01"),
        d("1999-12-31"),
        "decade",
    )


@pytest.mark.parametrize(
    "text", ["It began in early 2020.", "It ended in late 2020.", "It flared in mid-2020."]
)
def test_early_mid_and_late_keep_the_whole_year(text: str) -> None:
    assert days(text) == (d("2020-01-01"), d("2020-12-31"))


@pytest.mark.parametrize(
    "text",
    [
        "The border was redrawn between 2016 and 2019.",
        "He served as mayor from 2016 to 2019.",
        "Output in 2016–19 averaged 2 million barrels a day.",
        "The group's 2016-2019 strategy failed.",
    ],
)
def test_a_range_of_years_is_one_mention_over_all_of_them(text: str) -> None:
    assert days(text) == (d("2016-01-01"), d("2019-12-31"))


def test_a_range_of_months_takes_the_year_written_after_it() -> None:
    assert days("Between March and May 2019, Europe had two heatwaves.") == (
        d("2019-03-01"),
        d("2019-05-31"),
    )


def test_a_quarter_is_its_three_months() -> None:
    assert days("Approvals in Q3 2022 were the lowest on record.") == (
        d("2022-07-01"),
        d("2022-09-30"),
    )


def test_a_month_with_its_year_keeps_that_year_after_the_end_of() -> None:
    assert days("The service closed at the end of October 2006.") == (
        d("2006-10-01"),
        d("2006-10-31"),
    )


@pytest.mark.parametrize(
    "text",
    [
        "In the year 2011 two reports were published.",
        "Exports rose sharply in summer 2011.",
        "Later came the film Payroll (2011).",
    ],
)
def test_a_year_after_the_year_a_season_or_alone_in_brackets_is_a_year(text: str) -> None:
    assert days(text) == (d("2011-01-01"), d("2011-12-31"))


def test_two_years_joined_by_and_are_two_mentions() -> None:
    mentions = find_dates("Wildfires burned in 2017 and 2018.", MONDAY)
    assert [m.first.year for m in mentions] == [2017, 2018]


# --- dates without a year, and relative dates --------------------------------------------


def test_a_day_without_a_year_is_the_latest_on_or_before_publication() -> None:
    assert days("Voting ended on 31 October.") == (d("2022-10-31"), d("2022-10-31"))
    assert days("Voting ends on 14 November.") == (d("2021-11-14"), d("2021-11-14"))


def test_a_month_without_a_year_is_the_latest_one_begun_by_publication() -> None:
    assert days("The talks began in November.") == (d("2022-11-01"), d("2022-11-30"))
    assert days("The talks began in December.") == (d("2021-12-01"), d("2021-12-31"))


def test_a_weekday_in_an_article_of_that_weekday_is_the_publication_day() -> None:
    assert days("Armenia and Azerbaijan held talks on Monday.") == (MONDAY, MONDAY)


def test_a_weekday_is_the_latest_such_day_before_publication() -> None:
    mention = only("The second round opened in Geneva on Thursday.")
    assert (mention.first, mention.relative) == (d("2022-11-03"), True)


@pytest.mark.parametrize(
    ("phrase", "first", "last"),
    [
        ("yesterday", "2022-11-06", "2022-11-06"),
        ("today", "2022-11-07", "2022-11-07"),
        ("tomorrow", "2022-11-08", "2022-11-08"),
        ("last week", "2022-10-31", "2022-11-06"),
        ("this week", "2022-11-07", "2022-11-13"),
        ("last month", "2022-10-01", "2022-10-31"),
        ("late last month", "2022-10-01", "2022-10-31"),
        ("earlier this month", "2022-11-01", "2022-11-07"),
        ("this year", "2022-01-01", "2022-12-31"),
        ("earlier this year", "2022-01-01", "2022-11-07"),
        ("last year", "2021-01-01", "2021-12-31"),
        ("a year ago", "2021-01-01", "2021-12-31"),
        ("two years ago", "2020-01-01", "2020-12-31"),
        ("three weeks ago", "2022-10-17", "2022-10-23"),
        ("last March", "2022-03-01", "2022-03-31"),
        ("next month", "2022-12-01", "2022-12-31"),
        ("next year", "2023-01-01", "2023-12-31"),
        ("last Monday", "2022-10-31", "2022-10-31"),
        ("over the weekend", "2022-11-05", "2022-11-06"),
        ("in the past two weeks", "2022-10-24", "2022-11-07"),
    ],
)
def test_relative_phrases_count_from_the_publication_day(
    phrase: str, first: str, last: str
) -> None:
    text = f"The ministry said it acted {phrase}, officials added."
    mention = only(text)
    assert (mention.first, mention.last, mention.relative) == (d(first), d(last), True)
    assert phrase.endswith(text[mention.start : mention.end])


def test_a_month_followed_by_last_year_is_that_month_of_last_year() -> None:
    mention = only("The project was announced in March last year.")
    assert (mention.first, mention.last, mention.granularity) == (
        d("2021-03-01"),
        d("2021-03-31"),
        "month",
    )


def test_a_weekday_followed_by_last_week_is_that_day_of_last_week() -> None:
    assert days("The envoy arrived on Tuesday last week.") == (d("2022-11-01"), d("2022-11-01"))


def test_earlier_without_a_date_before_it_counts_from_publication() -> None:
    assert days("Two years earlier, the bank had cut rates.") == (
        d("2020-01-01"),
        d("2020-12-31"),
    )


def test_days_earlier_with_no_other_date_word_is_still_found() -> None:
    assert days("Three days earlier, the bank had cut rates.") == (d("2022-11-04"), d("2022-11-04"))


def test_later_counts_from_the_date_before_it_in_the_sentence() -> None:
    mentions = find_dates("The firm was listed in 2015 and delisted two years later.", MONDAY)
    assert [(m.first.year, m.relative) for m in mentions] == [(2015, False), (2017, True)]


def test_later_with_no_date_before_it_is_dropped() -> None:
    assert find_dates("A year later, the dam burst.", MONDAY) == []


@pytest.mark.parametrize(
    "text",
    [
        "Shares rose on Monday.",
        "The museum reopened in March.",
        "Production fell 5% last year.",
        "Voting ended on 31 October.",
    ],
)
def test_relative_dates_are_skipped_without_a_publication_day(text: str) -> None:
    assert find_dates(text, None) == []


def test_absolute_dates_need_no_publication_day() -> None:
    assert days("The treaty was signed in 1998.", None) == (d("1998-01-01"), d("1998-12-31"))


# --- what is not a date ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Officials may meet again soon.",
        "Thousands of protesters march through Yerevan.",
        "The March for Our Lives rally drew thousands.",
        "Crews sat idle as roads melted.",
        "Qarabag won 6-2 on aggregate.",
        "The first explosion was heard at 19:31.",
        "More than 2000 people attended the funeral.",
        "Around 1,500 troops remain deployed.",
        "A 2,000-page report was delivered.",
        "The summit drew 1914 delegates from 60 nations.",
        "The rocket reached orbit in the second stage.",
        "The Sunday Times reported that the envoy had resigned.",
        "Black Friday sales were weaker than expected.",
        "Call the embassy hotline on 020 7946 2019.",
        "The team won its 2000th league match.",
        "Lines are open from 9am to 5pm, Monday to Friday.",
        "Protesters gather outside parliament every Saturday night.",
        "Theresa May resigned as prime minister.",
        "He spent twenty years in prison.",
    ],
)
def test_words_and_numbers_that_only_look_like_dates_are_not_dates(text: str) -> None:
    assert find_dates(text, MONDAY) == []


def test_a_date_beyond_the_calendar_is_dropped_not_raised() -> None:
    assert find_dates("The site was first settled 300 decades ago.", MONDAY) == []


@pytest.mark.parametrize(
    ("labelled_set", "precision", "recall"), [("development", 0.98, 0.98), ("held-out", 0.98, 0.95)]
)
def test_labelled_news_sentences_keep_their_measured_precision_and_recall(
    labelled_set: str, precision: float, recall: float
) -> None:
    true_positives = predicted = expected = 0
    for line in SENTENCES.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["set"] != labelled_set:
            continue
        published = d(row["published"]) if row["published"] else None
        found = {(m.first, m.last) for m in find_dates(row["text"], published)}
        wanted = {(d(x["first"]), d(x["last"])) for x in row["dates"]}
        true_positives += len(found & wanted)
        predicted += len(found)
        expected += len(wanted)
    # Measured 1.00 / 0.995 (development) and 1.00 / 0.957 (held-out, written after the code);
    # see docs/decisions-dates.md. A drop below these floors is a regression.
    assert true_positives / predicted >= precision
    assert true_positives / expected >= recall


# --- questions ---------------------------------------------------------------------------

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


# --- day numbers -------------------------------------------------------------------------


def test_day_number_is_the_date_written_yyyymmdd() -> None:
    assert day_number(d("2022-10-31")) == 20221031


def test_from_day_number_inverts_day_number() -> None:
    assert from_day_number(day_number(d("2024-02-29"))) == d("2024-02-29")


def test_day_numbers_order_like_their_dates() -> None:
    assert day_number(d("2022-12-31")) < day_number(d("2023-01-01"))


def test_a_day_number_that_is_no_day_is_rejected() -> None:
    with pytest.raises(ValueError):
        from_day_number(20230231)
