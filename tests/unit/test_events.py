"""When a sentence's event happened (index/text/events.py)."""

from __future__ import annotations

import datetime as dt

from index.text.events import display_date, event_from_label, sentence_events, stored_event
from index.text.sentences import sentence_spans

TUESDAY = dt.date(2023, 3, 14)
WEDNESDAY = dt.date(2023, 3, 15)


def events_of(text: str, published: dt.date | None) -> list[str | None]:
    return [e.label if e else None for e in sentence_events(text, sentence_spans(text), published)]


def test_a_relative_date_is_resolved_against_the_publication_day() -> None:
    assert events_of("The ministers met on Tuesday.", WEDNESDAY) == ["2023-03-14"]


def test_a_sentence_without_a_date_takes_the_date_of_the_one_before_it_in_its_paragraph() -> None:
    text = "In 2019 the talks collapsed. The delegations left without a deal."
    assert events_of(text, WEDNESDAY) == ["2019", "2019"]


def test_a_new_paragraph_without_a_date_is_about_the_articles_news() -> None:
    # Published the morning after: the opening's "on Tuesday" is the news, not Wednesday.
    text = "The ministers agreed on Tuesday to share data.\nIn 2019 talks failed.\nIt is a start."
    assert events_of(text, WEDNESDAY) == ["2023-03-14", "2019", "2023-03-14"]


def test_a_date_the_event_is_measured_from_does_not_date_it() -> None:
    text = "They agreed on Tuesday, the first deal between them since talks collapsed in 2021."
    assert events_of(text, WEDNESDAY) == ["2023-03-14"]


def test_a_thing_named_by_its_date_does_not_date_the_sentence() -> None:
    text = "The treaty keeps the minimum flow and the drought rules agreed in Castelvar in 2023."
    assert events_of(text, dt.date(2025, 5, 28)) == ["2025-05-28"]


def test_a_year_in_the_subject_dates_the_sentence() -> None:
    assert events_of("The 2019 talks ended without a deal.", WEDNESDAY) == ["2019"]


def test_an_undated_article_dates_only_what_its_sentences_state() -> None:
    assert events_of("The fighting ended in 2020. Both sides claimed victory.", None) == [
        "2020",
        "2020",
    ]
    assert events_of("Both sides claimed victory.", None) == [None]


def test_a_sentence_naming_two_periods_overlaps_both() -> None:
    (event,) = sentence_events(
        "They fought in the autumn of 2020 and in the 1990s.", [(0, 50)], WEDNESDAY
    )
    assert event is not None
    assert event.overlaps(dt.date(1990, 1, 1), dt.date(1999, 12, 31))
    assert event.overlaps(dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert not event.overlaps(dt.date(2005, 1, 1), dt.date(2005, 12, 31))


def test_stored_events_come_back_with_their_periods() -> None:
    (event,) = sentence_events("They fought in 2020 and in the 1990s.", [(0, 37)], WEDNESDAY)
    assert event is not None
    again = stored_event(event.label, event.ranges_text)
    assert again is not None
    assert (again.first, again.last, again.ranges) == (event.first, event.last, event.ranges)
    assert stored_event("") is None


def test_labels_are_shown_as_people_read_dates() -> None:
    assert display_date("2023-03-14") == "14 March 2023"
    assert display_date("2023-03") == "March 2023"
    assert display_date("2023") == "2023"
    assert display_date("1990s") == "1990s"


def test_a_label_names_its_whole_period() -> None:
    month = event_from_label("2024-02")
    assert month is not None and (month.first, month.last) == (
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 29),
    )
    decade = event_from_label("1990s")
    assert decade is not None and decade.last == dt.date(1999, 12, 31)
    assert event_from_label("not a date") is None


def test_a_figure_forecast_in_a_year_does_not_date_the_sentence() -> None:
    text = (
        "Berth 9 opened yesterday. The terminal cost 172 million crowns, against the 140 "
        "million forecast in 2018, and can handle 600,000 containers a year."
    )
    events = sentence_events(text, sentence_spans(text), dt.date(2024, 6, 4))
    assert [e.label if e else None for e in events] == ["2024-06-03", "2024-06-03"]


def test_the_date_of_a_figure_compared_with_does_not_date_the_sentence() -> None:
    text = (
        "The ferry was late on 61 percent of crossings this spring, down from 70 percent at "
        "the previous count in 2021."
    )
    assert events_of(text, WEDNESDAY) == ["2023-03-15"]


def test_a_sum_announced_in_a_year_does_not_date_the_sentence() -> None:
    text = "The bill has grown to €48 million from the €30 million announced in 2020."
    assert events_of(text, WEDNESDAY) == ["2023-03-15"]


def test_the_date_of_the_earlier_sum_a_new_one_replaces_does_not_date_the_sentence() -> None:
    text = (
        "The council approved the budget on Tuesday. It has risen to £9 million from the "
        "£7 million set in 2019, because steel prices have climbed sharply since then."
    )
    assert events_of(text, WEDNESDAY) == ["2023-03-14", "2023-03-14"]


def test_a_range_of_years_still_dates_the_sentence() -> None:
    assert events_of("Prices rose from 2019 to 2021, the board said.", WEDNESDAY) == ["2019–2021"]


def test_a_datelines_day_is_when_the_story_was_filed_not_when_its_event_happened() -> None:
    text = "PELHAM, March 15 (MPA) — The court on Tuesday dismissed the challenge."
    assert events_of(text, WEDNESDAY) == ["2023-03-14"]


def test_a_dateline_alone_dates_the_news() -> None:
    text = "PELHAM, March 14 (MPA) — The court dismissed the challenge."
    assert events_of(text, WEDNESDAY) == ["2023-03-14"]


def test_a_year_naming_a_thing_after_the_verb_does_not_date_the_sentence() -> None:
    text = "The ruling, written by Justice Ana Roe, upheld a 2020 appeal decision in full."
    assert events_of(text, WEDNESDAY) == ["2023-03-15"]


def test_a_time_naming_a_thing_by_a_possessive_does_not_date_the_sentence() -> None:
    text = (
        "The company now puts the cost at £1.6 billion, which it blames on a delay caused by "
        "last year's court case."
    )
    assert events_of(text, dt.date(2020, 8, 21)) == ["2020-08-21"]
    assert events_of("Last year's strike cost the port £3 million.", WEDNESDAY) == ["2022"]


def test_the_end_of_a_period_a_figure_is_measured_over_does_not_date_the_sentence() -> None:
    text = "Lobster landings rose by 18 per cent in the year to March, the institute found."
    assert events_of(text, dt.date(2023, 7, 14)) == ["2023-07-14"]
    text = "Sales fell 3 per cent in the six months ending in June."
    assert events_of(text, dt.date(2023, 7, 14)) == ["2023-07-14"]


def test_a_window_ending_on_the_publication_day_does_not_date_the_sentence() -> None:
    text = (
        "The council voted on Monday.\nThe church, moved stone by stone over the past year, "
        "is shut."
    )
    assert events_of(text, WEDNESDAY) == ["2023-03-13", "2023-03-13"]


def test_a_date_in_a_relative_clause_after_the_main_clause_is_someone_elses_past() -> None:
    text = (
        "Jo Penn has been elected chair of the association, succeeding Ana Roe, who stepped "
        "down after being chosen as council leader last month."
    )
    assert events_of(text, WEDNESDAY) == ["2023-03-15"]


def test_a_date_in_a_relative_clause_about_the_subject_still_dates_the_sentence() -> None:
    text = "The treaty, which was signed on Tuesday, will run for 30 years."
    assert events_of(text, WEDNESDAY) == ["2023-03-14"]


def test_the_date_of_an_estimate_a_figure_is_compared_with_does_not_date_the_sentence() -> None:
    text = (
        "The final bill came in at £472 million, slightly above the £465 million estimate "
        "given last year."
    )
    assert events_of(text, WEDNESDAY) == ["2023-03-15"]


def test_a_measured_figure_still_overlaps_the_period_it_was_measured_over() -> None:
    text = "The club lost £5.7 million in the year to June 2018."
    (event,) = sentence_events(text, sentence_spans(text), dt.date(2019, 2, 22))
    assert event is not None
    assert event.label == "2019-02-22"
    assert event.overlaps(dt.date(2018, 6, 1), dt.date(2018, 6, 30))


def test_a_sentence_still_overlaps_the_period_of_its_trailing_relative_clause() -> None:
    text = "“A proud day,” said Anders Lund, the project director, who took over in 2020."
    (event,) = sentence_events(text, sentence_spans(text), dt.date(2022, 2, 4))
    assert event is not None
    assert event.label == "2022-02-04"
    assert event.overlaps(dt.date(2020, 1, 1), dt.date(2020, 1, 31))
