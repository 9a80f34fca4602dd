"""The period a "when" clause places a question in (when_clause.py)."""

from __future__ import annotations

import datetime as dt

from index.answer.conversation import ResolvedQuestion, standalone
from index.answer.when_clause import dated_by_clause, when_clause
from index.models import Passage
from index.text.dates import QuestionTime


def report(text: str, published: str) -> Passage:
    """An article's passage ``text``, published on ``published``; its first sentence matched."""
    first = text.split(". ")[0] + "."
    return Passage(
        chunk_id=f"{published}#s0",
        article_id=published,
        title=f"Report of {published}",
        source="Example News",
        published_at=published,
        url=f"https://example.com/{published}",
        text=text,
        sentence=first,
        start=0,
        end=len(text),
        sentence_start=0,
        score=0.5,
        similarity=0.5,
    )


def period(resolved: ResolvedQuestion) -> tuple[dt.date | None, dt.date | None]:
    return resolved.time.first, resolved.time.last


QUESTION = "What did the mayor say when the new library opened?"
OPENED = report("The new library on Quay Street opened on Saturday. Crowds queued.", "2019-05-12")
LOOKED_BACK = report(
    "Visits have doubled since the new library opened. The mayor is pleased.", "2022-03-01"
)
ANNOUNCED = report("The new library is due to open next spring. Work goes on.", "2018-06-01")
SCATTERED = report(
    "Builders at the new library site found a well, which will push the opening back a year.",
    "2017-09-09",
)


def test_a_when_clause_asks_about_the_year_the_articles_tell_its_event() -> None:
    resolved = dated_by_clause(standalone(QUESTION), [LOOKED_BACK, OPENED])
    assert period(resolved) == (dt.date(2019, 1, 1), dt.date(2019, 12, 31))


def test_the_clause_says_when_so_what_is_asked_is_the_rest() -> None:
    resolved = dated_by_clause(standalone(QUESTION), [OPENED])
    assert resolved.own_words == "What did the mayor say?"


def test_an_event_announced_or_its_words_scattered_does_not_date_the_clause() -> None:
    resolved = dated_by_clause(standalone(QUESTION), [ANNOUNCED, SCATTERED, OPENED])
    assert period(resolved) == (dt.date(2019, 1, 1), dt.date(2019, 12, 31))


def test_an_event_only_looked_back_on_leaves_the_question_undated() -> None:
    resolved = dated_by_clause(standalone(QUESTION), [LOOKED_BACK])
    assert resolved.time.is_empty


def test_a_question_naming_its_period_keeps_it() -> None:
    question = "What did the mayor say in 2021 when the new library opened?"
    asked = standalone(
        question, QuestionTime(first=dt.date(2021, 1, 1), last=dt.date(2021, 12, 31))
    )
    assert dated_by_clause(asked, [OPENED]) is asked


def test_when_at_the_start_asks_when_and_dates_nothing() -> None:
    question = "When did the new library open?"
    assert dated_by_clause(standalone(question), [OPENED]).time.is_empty


def test_the_when_clause_is_the_one_past_the_questions_opening() -> None:
    assert (
        when_clause("What did he say when the board chose the site?") == "the board chose the site"
    )
    assert when_clause("When did the board choose the site?") == ""


def test_the_day_a_thing_happened_says_when_as_a_when_clause_does() -> None:
    asked = standalone("What did the mayor say the day the new library opened?")
    # A day is asked about: the week from it, when what was said that day is reported.
    assert period(dated_by_clause(asked, [OPENED])) == (dt.date(2019, 5, 11), dt.date(2019, 5, 18))
    assert when_clause("What did he say on the night the old pier burned?") == "the old pier burned"


def test_the_day_of_or_after_something_is_no_clause() -> None:
    assert when_clause("What did he say on the day of the vote?") == ""
    assert when_clause("What did she do the week after the sale?") == ""


def test_a_clause_whose_subject_is_it_is_dated_only_by_reports_naming_what_it_stands_for() -> None:
    question = "Who presided over the appeal court when it ruled on the wolves?"
    supreme = report("The Supreme Court ruled on Tuesday that wolves may be shot.", "2022-03-15")
    appeal = report("The appeal court ruled on Monday that wolves may be shot.", "2020-06-29")
    assert dated_by_clause(standalone(question), [supreme]).time.is_empty
    resolved = dated_by_clause(standalone(question), [supreme, appeal])
    assert period(resolved) == (dt.date(2020, 1, 1), dt.date(2020, 12, 31))


def test_a_pronoun_standing_for_the_questions_subject_asks_nothing_more_of_the_reports() -> None:
    question = "What did the council promise when it opened the new library?"
    resolved = dated_by_clause(standalone(question), [OPENED])
    assert period(resolved) == (dt.date(2019, 1, 1), dt.date(2019, 12, 31))


def test_once_opening_a_clause_says_when_as_when_does() -> None:
    question = "How many people worked there once all the turbines were running?"
    assert when_clause(question) == "all the turbines were running"


def test_once_after_was_is_no_clause() -> None:
    assert when_clause("What was once the town's biggest employer?") == ""
