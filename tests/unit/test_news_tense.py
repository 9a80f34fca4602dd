"""News tense: a date without a year that future wording governs is the coming one."""

from __future__ import annotations

from datetime import date

import pytest

from index.text.dates import find_dates, parse_question_time

MONDAY = date(2022, 11, 7)
WEDNESDAY = date(2023, 8, 16)


def d(text: str) -> date:
    return date.fromisoformat(text)


def days(text: str, published: date) -> list[tuple[str, date, date]]:
    return [(text[m.start : m.end], m.first, m.last) for m in find_dates(text, published)]


@pytest.mark.parametrize(
    ("text", "phrase", "first", "last"),
    [
        (
            "The two sides are due to resume talks in October.",
            "October",
            "2023-10-01",
            "2023-10-31",
        ),
        ("Parliament will not sit until September.", "September", "2023-09-01", "2023-09-30"),
        ("Ministers are to meet in Brussels on Thursday.", "Thursday", "2023-08-17", "2023-08-17"),
        ("The vote is scheduled for 12 September.", "12 September", "2023-09-12", "2023-09-12"),
        ("A ruling is expected in January.", "January", "2024-01-01", "2024-01-31"),
        ("The airline plans to restart flights in March.", "March", "2024-03-01", "2024-03-31"),
        ("A vote is likely in September.", "September", "2023-09-01", "2023-09-30"),
        ("The next round is on 2 August.", "2 August", "2024-08-02", "2024-08-02"),
        ("Roads will stay closed until the weekend.", "the weekend", "2023-08-19", "2023-08-20"),
        (
            "The plant will close between 10 and 20 July.",
            "between 10 and 20 July",
            "2024-07-10",
            "2024-07-20",
        ),
    ],
)
def test_future_wording_before_a_date_makes_it_the_coming_one(
    text: str, phrase: str, first: str, last: str
) -> None:
    assert days(text, WEDNESDAY) == [(phrase, d(first), d(last))]


def test_the_weekday_of_publication_with_future_wording_is_that_day() -> None:
    assert days("Rail workers will walk out on Monday.", MONDAY) == [("Monday", MONDAY, MONDAY)]


def test_this_month_is_already_the_coming_month() -> None:
    assert days("Talks will resume in August.", WEDNESDAY)[0][1] == d("2023-08-01")


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("The ministers said in March that they would meet again.", "2023-03-01"),
        ("The two sides had agreed in October to meet every month.", "2022-10-01"),
        ("The president announced on Tuesday that he will resign.", "2023-08-15"),
        ("The minister, who took office in June, will travel to Beijing.", "2023-06-01"),
        ("Talks that began in July will continue in the autumn.", "2023-07-01"),
        ("The bank will publish the minutes of its meeting held on 30 July.", "2023-07-30"),
        ("The deal would have taken effect in January.", "2023-01-01"),
    ],
)
def test_a_date_that_future_wording_does_not_govern_stays_in_the_past(
    text: str, first: str
) -> None:
    assert days(text, WEDNESDAY)[0][1] == d(first)


def test_would_counts_from_the_time_the_plan_was_told() -> None:
    text = "The firm said in March that it would close the plant in May."
    published = date(2023, 6, 20)
    assert [first for _, first, _ in days(text, published)] == [d("2023-03-01"), d("2023-05-01")]


def test_would_with_no_earlier_date_counts_from_publication() -> None:
    assert days("Officials said the bridge would reopen in September.", WEDNESDAY)[0][1] == d(
        "2023-09-01"
    )


@pytest.mark.parametrize(
    ("text", "published", "first"),
    [
        ("The talks were due to resume in November.", date(2022, 12, 12), "2022-11-01"),
        ("The talks were due to resume in November.", date(2022, 9, 5), "2022-11-01"),
        ("The hearing had been scheduled for 20 August.", date(2020, 9, 9), "2020-08-20"),
        ("The court adjourned the trial until 3 February.", date(2025, 1, 14), "2025-02-03"),
        ("The new bridge could open in August.", date(2024, 6, 21), "2024-08-01"),
    ],
)
def test_wording_that_leaves_open_whether_it_happened_takes_the_nearest_occurrence(
    text: str, published: date, first: str
) -> None:
    assert days(text, published)[0][1] == d(first)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("The new stadium opens on 21 August with a match against Porto.", "2023-08-21"),
        ("Rovers open their league campaign on 26 August.", "2023-08-26"),
        ("Voting ended on 14 August.", "2023-08-14"),
        ("Voting ends on 14 November.", "2023-11-14"),
        ("The ferry resumes on Monday.", "2023-08-21"),
        ("The vote on 14 November was annulled.", "2022-11-14"),
    ],
)
def test_a_present_tense_timetable_is_the_nearest_occurrence_or_the_coming_weekday(
    text: str, first: str
) -> None:
    assert days(text, WEDNESDAY)[0][1] == d(first)


def test_the_end_of_a_range_follows_its_start() -> None:
    text = "The driest months are from November through April."
    assert days(text, WEDNESDAY) == [
        ("from November through April", d("2023-11-01"), d("2024-04-30"))
    ]


def test_questions_keep_reading_dates_without_a_year_as_past() -> None:
    asked = parse_question_time("What is due to happen in October?", date(2025, 6, 18))
    assert (asked.first, asked.last) == (d("2024-10-01"), d("2024-10-31"))


def test_a_possessive_before_a_plan_word_is_no_plan() -> None:
    # Wednesday 16 August 2023: "the board's planning committee on Tuesday" met the day before.
    text = "The county board's planning committee on Tuesday rejected the quarry."
    assert days(text, WEDNESDAY) == [("Tuesday", d("2023-08-15"), d("2023-08-15"))]


def test_a_contracted_is_before_a_plan_still_announces_it() -> None:
    text = "The ferry's due to sail again on Tuesday."
    assert days(text, WEDNESDAY) == [("Tuesday", d("2023-08-22"), d("2023-08-22"))]
