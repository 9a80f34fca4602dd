from __future__ import annotations

import datetime as dt

import pytest

from index.answer.short_answer import dated_short_answer, lead_evidence, short_answer
from index.answer.timeline import Fact, Report
from index.models import Passage
from index.text.events import Event, sentence_events
from index.text.sentences import sentence_spans

SOCHI = (
    "The two countries' leaders met late last month in the Russian Black Sea port of Sochi, "
    "along with Russian President Vladimir Putin, and agreed not to use force and to stick to "
    "earlier agreements that sought to end the fighting."
)
TRUCE = (
    "Six weeks of fighting in 2020 claimed more than 6,500 lives before a Russian-brokered "
    "truce ended the hostilities."
)
BRONCOS = (
    "The American Football Conference (AFC) champion Denver Broncos defeated the National "
    "Football Conference (NFC) champion Carolina Panthers 24–10 to earn their third Super Bowl "
    "title."
)


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("What was agreed at Sochi?", SOCHI, "not to use force and to stick to earlier agreements"),
        ("How many lives did the 2020 fighting claim?", TRUCE, "more than 6,500"),
        (
            "When did the Soviet Union collapse?",
            "When the Soviet Union collapsed in 1991, forces broke away.",
            "1991",
        ),
        ("Which NFL team represented the AFC at Super Bowl 50?", BRONCOS, "Denver Broncos"),
        ("Who joined the leaders in Sochi?", SOCHI, "Russian President Vladimir Putin"),
    ],
)
def test_the_phrase_that_answers_is_singled_out(
    question: str, sentence: str, expected: str
) -> None:
    assert short_answer(question, sentence) == expected


def test_a_sentence_sharing_no_word_with_the_question_gives_no_short_answer() -> None:
    assert short_answer("Who won the football World Cup?", TRUCE) is None


def test_a_phrase_the_question_already_names_is_not_an_answer() -> None:
    # The only name in the sentence is the one the question asks about.
    assert short_answer("Who is Vladimir Putin?", "Vladimir Putin spoke on Monday.") is None


def test_a_follow_up_finds_its_answer_through_the_words_of_its_topic() -> None:
    sentence = (
        "Blinken met with Armenian Foreign Minister Ararat Mirzoyan and Azerbaijani Foreign "
        "Minister Jeyhun Bayramov at Blair House, a state guest house in Washington."
    )
    context = (
        "Who hosted the foreign ministers? U.S. Secretary of State Antony Blinken hosted them."
    )
    assert short_answer("where did he host them?", sentence) is None
    assert short_answer("where did he host them?", sentence, context=context) == "Blair House"


def _report(text: str, score: float, article: str) -> Report:
    passage = Passage(
        chunk_id=f"{article}#s0",
        article_id=article,
        title="",
        source="",
        published_at=None,
        url="",
        text=text,
        sentence=text,
        start=0,
        end=len(text),
        sentence_start=0,
        score=score,
        similarity=score,
    )
    return Report(text, passage, overlap=0.5, score=score)


def test_the_lead_sentence_is_supported_by_every_other_report_and_leads_by_its_margin() -> None:
    facts = [
        Fact([_report("Lead.", 0.9, "a"), _report("Same fact, other outlet.", 0.7, "b")]),
        Fact([_report("Next fact.", 0.6, "c")]),
    ]
    evidence = lead_evidence(facts)
    assert evidence.supporting == ("Same fact, other outlet.", "Next fact.")
    assert evidence.margin == pytest.approx(0.3)


def test_a_lone_fact_has_no_support_and_no_margin() -> None:
    evidence = lead_evidence([Fact([_report("Lead.", 0.9, "a")])])
    assert (evidence.supporting, evidence.margin) == ((), 0.0)


def _day(text: str, published: str) -> Event | None:
    return sentence_events(text, sentence_spans(text), dt.date.fromisoformat(published))[0]


def test_a_weekday_short_answer_becomes_the_date_of_its_report() -> None:
    text = "Calvera began filling the reservoir on Saturday, the ministry said."
    assert dated_short_answer("Saturday", _day(text, "2020-07-20")) == "18 July 2020"


def test_a_short_answer_that_is_no_relative_day_is_kept() -> None:
    text = "The dam opened in March 2022 after six years of work."
    assert dated_short_answer("March 2022", _day(text, "2022-03-05")) == "March 2022"


def test_a_weekday_short_answer_without_a_dated_event_is_kept() -> None:
    assert dated_short_answer("Saturday", None) == "Saturday"
