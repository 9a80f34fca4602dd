"""Date expressions in news sentences: what is found and the range it resolves to."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from index.text.dates import DateMention, day_number, find_dates, from_day_number

MONDAY = date(2022, 11, 7)  # the publication day of most article examples
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
    assert days("Voting was held on 14 November.") == (d("2021-11-14"), d("2021-11-14"))


def test_a_month_without_a_year_is_the_latest_one_begun_by_publication() -> None:
    assert days("The talks began in November.") == (d("2022-11-01"), d("2022-11-30"))
    assert days("The talks began in December.") == (d("2021-12-01"), d("2021-12-31"))


def test_a_later_month_something_starts_or_ends_in_is_still_to_come() -> None:
    assert days("The new fares apply from December.") == (d("2022-12-01"), d("2022-12-31"))
    assert days("The bridge stays closed until December.") == (d("2022-12-01"), d("2022-12-31"))
    assert days("The fares have applied from March.") == (d("2022-03-01"), d("2022-03-31"))


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
    ("labelled_set", "precision", "recall"),
    [
        ("development", 0.98, 0.98),
        ("held-out", 0.98, 0.95),
        ("tense-development", 0.97, 0.97),
        ("tense-held-out", 0.95, 0.95),
    ],
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
    # Measured 1.00 / 0.995 (development), 1.00 / 0.957 (held-out, written after the code),
    # 1.00 / 1.00 (tense-development) and 0.98 / 1.00 (tense-held-out; 0.86 / 0.88 when first
    # scored); see docs/decisions.md. A drop below these floors is a regression.
    assert true_positives / predicted >= precision
    assert true_positives / expected >= recall


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
