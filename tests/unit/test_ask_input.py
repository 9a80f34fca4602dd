"""What the bot takes from a message or an /ask option."""

from __future__ import annotations

import pytest

from bot.cogs.ask import clean_question, parse_date


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("<@123456789012345678> What was agreed at Sochi?", "What was agreed at Sochi?"),
        ("<@!123456789012345678>   What   happened?", "What happened?"),
        ("@everyone what did <@&42> say in <#99>?", "what did say in ?"),
        ("@here", ""),
        ("Is everyone safe?", "Is everyone safe?"),
    ],
)
def test_mentions_are_not_part_of_the_question(text: str, question: str) -> None:
    assert clean_question(text) == question


def test_dates_are_iso_dates() -> None:
    assert parse_date(" 2024-03-01 ", "since") == "2024-03-01"
    assert parse_date(None, "since") is None and parse_date("", "until") is None
    with pytest.raises(ValueError, match="`until` must be a date like 2024-03-01"):
        parse_date("March 1st", "until")
