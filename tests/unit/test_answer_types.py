"""The people a sentence names (index/text/answer_types.py)."""

from __future__ import annotations

import pytest

from index.text.answer_types import person_names


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
    ],
)
def test_the_people_a_sentence_names(sentence: str, people: list[str]) -> None:
    assert person_names(sentence) == people
