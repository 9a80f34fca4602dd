"""What `newsbot ask` prints for a person at a terminal."""

from __future__ import annotations

from bot.terminal import render_answer
from index.models import Answer, Citation

SENTENCE = "The leaders agreed not to use force and to stick to earlier agreements."


def sochi(short_answer: str | None) -> Answer:
    citation = Citation(
        n=1,
        article_id="seed",
        title="Armenia and Azerbaijan hold peace talks",
        source="",
        published_at="",
        url="",
        passage=f"They met in Sochi. {SENTENCE}",
        score=0.8,
    )
    return Answer(
        question="What was agreed at Sochi?",
        answer=f"{SENTENCE} [1]",
        found=True,
        citations=(citation,),
        short_answer=short_answer,
    )


def test_the_short_answer_comes_first_with_the_citation_it_came_from() -> None:
    lines = render_answer(sochi("not to use force")).splitlines()
    assert lines[:3] == ["In short: not to use force [1]", "", SENTENCE + " [1]"]


def test_without_a_short_answer_the_answer_comes_first_then_its_sources() -> None:
    lines = render_answer(sochi(None)).splitlines()
    assert lines[0] == SENTENCE + " [1]"
    assert lines[2:4] == ["Sources", "[1] Armenia and Azerbaijan hold peace talks"]
    quote = " ".join(line.strip() for line in lines[4:])
    assert quote == f"“They met in Sochi. {SENTENCE}”"
    assert all(len(line) <= 88 for line in lines)
