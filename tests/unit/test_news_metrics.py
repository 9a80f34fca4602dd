"""How `newsbot eval` scores a news question set (index/measure/news.py)."""

from __future__ import annotations

from index.measure.news import (
    answer_in_text,
    declined_with_reason,
    right_date,
    short_answer_figures,
)
from index.models import Answer, AnswerLine, Citation


def cited(event_date: str | None, text: str = "The treaty will run for 30 years. [1]") -> Answer:
    citation = Citation(1, "a", "T", "S", "2025-05-28", "", "passage", 0.5, event_date)
    line = AnswerLine("The treaty will run for 30 years.", (1,), event_date)
    return Answer("q", text, True, (citation,), lines=(line,))


def test_the_answer_must_be_in_the_answer_text_itself() -> None:
    assert answer_in_text(cited("2025-05-27"), ["30 years"])
    assert answer_in_text(cited("2025-05-27"), ["30  YEARS"])  # case and spacing ignored
    assert not answer_in_text(cited("2025-05-27"), ["five-member panel"])
    declined = Answer("q", "The treaty will run for 30 years.", found=False)
    assert not answer_in_text(declined, ["30 years"])


def test_the_first_citation_must_report_an_event_of_the_date_asked() -> None:
    assert right_date(cited("2025-05-27"), "2025")
    assert right_date(cited("2025-05"), "2025-05-27")  # a month holding the day
    assert not right_date(cited("2025-06-12"), "2025-05-27")
    assert not right_date(cited(None), "2025")
    assert right_date(cited(None), None)  # no date asked: nothing to check


def test_a_decline_counts_only_with_a_reason() -> None:
    assert declined_with_reason(Answer("q", "…", found=False, reason="No article mentions X."))
    assert not declined_with_reason(Answer("q", "…", found=False))


def test_short_answers_are_counted_when_shown_and_right_at_f1_one_half() -> None:
    right = Answer("q", "…", True, short_answer="30 years")
    wrong = Answer("q", "…", True, short_answer="Castelvar")
    none = Answer("q", "…", True)
    figures = short_answer_figures([(["30 years"], right), (["30 years"], wrong), (["x"], none)])
    assert figures == {"answered": 3, "shown": 2, "shown_share": 0.6667, "precision": 0.5}
