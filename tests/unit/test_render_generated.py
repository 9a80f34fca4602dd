"""Rendering what only generated answers have: drafts, notes, quotes of reworded sentences."""

from __future__ import annotations

from bot.render import CONTENT_LIMIT, WRITING, render_answer, render_draft
from index.models import Answer, Citation

PASSAGE = (
    "Blinken praised both countries. The two countries' leaders met late last month in "
    "Sochi and agreed not to use force. The two sides earlier agreed to an EU mission."
)


def citation() -> Citation:
    return Citation(1, "a", "Talks in Washington", "Example", None, "", PASSAGE, 0.8)


def test_a_draft_shows_the_checked_text_and_says_it_is_being_written() -> None:
    page = render_draft("They agreed not to use *force*. [1]")
    assert page.content == f"They agreed not to use \\*force\\*. [1]\n-# {WRITING}"
    assert not page.embeds


def test_a_long_draft_fits_one_message() -> None:
    page = render_draft("A checked sentence about the talks. [1] " * 100)
    assert page.content is not None and len(page.content) <= CONTENT_LIMIT
    assert page.content.endswith(WRITING)


def test_the_note_is_shown_under_the_answer() -> None:
    answer = Answer("q", "They agreed. [1]", True, (citation(),), note="The model timed out, so …")
    (page,) = render_answer(answer)
    assert page.content == "They agreed. [1]\n-# The model timed out, so …"


def test_the_quote_starts_at_the_passage_sentence_a_reworded_answer_cites() -> None:
    answer = Answer("q", "At Sochi, the leaders agreed not to use force. [1]", True, (citation(),))
    (page,) = render_answer(answer)
    (field,) = page.embeds[0].fields
    assert field.value is not None
    assert field.value.startswith("“…The two countries' leaders met late last month")
