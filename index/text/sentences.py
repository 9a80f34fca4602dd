"""Sentence boundaries, from the trained English Punkt model that llama-index ships.

llama-index's own splitter falls back to an *untrained* Punkt tokenizer, which breaks
"U.S. Secretary of State ..." after "U.S."; the trained model bundled in
``llama_index/core/_static/nltk_cache`` knows such abbreviations. Used both to cut chunks
and to pick the sentences of an answer, so both agree on what a sentence is.
"""

from __future__ import annotations

import os
from functools import cache, lru_cache
from typing import Any


@cache
def _punkt() -> Any:
    import llama_index.core

    from index.text.nltk_import import import_nltk

    nltk = import_nltk()
    from nltk.tokenize.punkt import PunktTokenizer

    bundled = os.path.join(os.path.dirname(llama_index.core.__file__), "_static", "nltk_cache")
    if bundled not in nltk.data.path:
        nltk.data.path.insert(0, bundled)
    return PunktTokenizer("english")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text`` (a passage), as
    :func:`article_sentence_spans` finds them, remembered for the texts seen last."""
    return list(_remembered_spans(text))


def article_sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``, without surrounding whitespace.

    Lines are treated as hard boundaries too: news bodies often put one paragraph, a
    heading or a caption per line without a final full stop.
    """
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            spans.extend((offset + s, offset + e) for s, e in _punkt().span_tokenize(line))
        offset += len(line) + 1
    return spans


# Composing one answer splits the same few passages again and again: 795 splits of 102
# texts for the bench's 100 questions at 100k chunks, 6.2 ms a question. (Article bodies,
# split once when indexed, are not kept.)
@lru_cache(maxsize=2048)
def _remembered_spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(article_sentence_spans(text))
