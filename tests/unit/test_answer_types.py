"""The people a sentence names (index/text/answer_types.py)."""

from __future__ import annotations

import pytest

from index.text.answer_types import AnswerType, expected_type, person_names


@pytest.mark.parametrize(
    ("sentence", "people"),
    [
        (
            "The plan was drawn up by the transport councillor, Lucien Pellerin.",
            ["Lucien Pellerin"],
        ),
        ("Mayor Odile Ferrant's party holds 34 seats.", ["Odile Ferrant"]),
        ("Secretary of State Antony Blinken hosted the talks.", ["Antony Blinken"]),
        ("The council voted in the Salt Hall.", []),
        ("Tessaly Infrastructure went into administration.", []),
        ("She was chief executive of Ravensgate General Hospital.", []),
        ("Last Thursday a digger broke the ground.", []),
        ("In Felling the mood was bitter.", []),
        ("The minister flew to New Zealand.", []),
        ("The depot will be built at Orton Meadows, officials said.", []),
        ("At Orton Meadows the diggers arrived first.", []),
        ("The move to Orton Meadows took a day.", []),
        ("The ward of the Crane Infirmary was shut.", []),
        ("The talks in Geneva were led by Mara Ostlund.", ["Mara Ostlund"]),
        # A capitalised run is read whole: a court's or a trust's name is no one's.
        ("The Orvane Administrative Court on Tuesday dismissed it.", []),
        ("She ran the Lenholm Valley Health Trust.", []),
        ("Members backed Agriculture Minister Tobias Renwick's fund.", ["Tobias Renwick"]),
        ("Judge Ilse Brannock ruled that the study was sound.", ["Ilse Brannock"]),
    ],
)
def test_the_people_a_sentence_names(sentence: str, people: list[str]) -> None:
    assert person_names(sentence) == people


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Which police officer led the hunt?", AnswerType.PERSON),
        ("What foreign minister signed it?", AnswerType.PERSON),
        ("Who signed it?", AnswerType.PERSON),
        ("Which company built the line?", AnswerType.NAME),
        ("What did the minister say?", AnswerType.OTHER),
    ],
)
def test_which_with_a_noun_for_people_asks_for_a_person(question: str, kind: AnswerType) -> None:
    assert expected_type(question) is kind


def test_the_score_of_a_match_is_asked_for_in_figures() -> None:
    assert expected_type("What was the final score?") is AnswerType.NUMBER


def test_what_did_it_cost_asks_for_a_figure() -> None:
    assert expected_type("What did it cost in the end?") is AnswerType.NUMBER
    assert expected_type("What did it replace?") is AnswerType.OTHER


@pytest.mark.parametrize(
    "sentence",
    [
        "The Orvane Administrative Court on Tuesday dismissed the challenge.",
        "The Skelmarch Hill Farmers' Association had argued otherwise.",
        "It was chaired by the head of Skelmarch Hill Farmers' Association.",
    ],
)
def test_a_longer_name_of_a_court_or_a_group_names_no_person(sentence: str) -> None:
    assert person_names(sentence) == []


def test_a_person_is_named_before_a_group_name_that_follows() -> None:
    sentence = "Tobias Renwick, chairman of the Skelmarch Hill Farmers' Association, said so."
    assert person_names(sentence) == ["Tobias Renwick"]


def test_how_big_asks_for_a_figure() -> None:
    # A size is told by a figure: "1.2 million tonnes".
    assert expected_type("How big did the company first say the deposit was?") is AnswerType.NUMBER
    assert expected_type("How long is the new tunnel?") is AnswerType.NUMBER


def test_in_which_month_asks_for_a_time() -> None:
    # A preposition before the question word does not change what is asked.
    assert expected_type("In which month did the company lodge its appeal?") is AnswerType.TIME


@pytest.mark.parametrize(
    "question",
    [
        "What happened to brown crab landings near the turbines?",
        "What caused the crane collapse at Berth 4?",
        "What prompted the council to change its mind?",
    ],
)
def test_what_with_a_past_verb_asks_for_an_event_not_a_name(question: str) -> None:
    assert expected_type(question) is AnswerType.OTHER


@pytest.mark.parametrize(
    "question",
    [
        "What was the name of the storm that left a cable exposed?",
        "What is the campaign group against the mine called?",
        "What speed did the train reach?",  # a noun in "-eed", not a verb
    ],
)
def test_what_was_the_name_of_or_what_is_it_called_asks_for_a_name(question: str) -> None:
    assert expected_type(question) is AnswerType.NAME
