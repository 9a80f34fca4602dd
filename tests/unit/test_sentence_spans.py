"""A passage split again gives the same sentences, and a caller's list is its own."""

from __future__ import annotations

from index.text.sentences import article_sentence_spans, sentence_spans

PASSAGE = (
    "The U.S. Secretary of State hosted the ministers. They met at Blair House.\n"
    "Talks resume in May"
)


def test_passages_split_as_articles_are() -> None:
    spans = article_sentence_spans(PASSAGE)
    assert [PASSAGE[a:b] for a, b in spans] == [
        "The U.S. Secretary of State hosted the ministers.",
        "They met at Blair House.",
        "Talks resume in May",
    ]
    assert sentence_spans(PASSAGE) == spans


def test_a_remembered_split_is_not_changed_by_its_callers() -> None:
    first = sentence_spans(PASSAGE)
    first.clear()
    assert sentence_spans(PASSAGE) == article_sentence_spans(PASSAGE)
