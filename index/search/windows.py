"""The question's cosine with every sentence of the passages an answer chooses from.

Search scores the sentences it found; the answer chooses among all the sentences of each
passage's window, and a neighbour the search did not find had only the matched sentence's
cosine, discounted, to go on. Every sentence is stored with its vector (one node per
sentence: ``index/ingest/chunking.py``), so the window's others are read from Chroma by id,
all of a question's passages in one ``get``: the ids come from the live generation's
docstore (``<article>#s<position>`` and the generation that added the article's chunks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from index.ingest.docstore import IndexedArticle
from index.models import Passage
from index.search.candidates import stored_cosine
from index.storage.records import node_id_of
from index.text.sentences import sentence_spans

# The Chroma id of an article's sentence at a position, when the live generation has it.
ChunkIds = Callable[[str, int], str | None]


def docstore_ids(docstore: Mapping[str, IndexedArticle]) -> ChunkIds:
    """Chroma ids as the live generation's docstore records them."""

    def chroma_id(article_id: str, position: int) -> str | None:
        article = docstore.get(article_id)
        if article is None or not 0 <= position < article.chunk_count:
            return None
        ids = article.chroma_ids(article_id)
        found = ids[position]
        # Listed ids are in position order, but an article may lack a position.
        return found if node_id_of(found) == f"{article_id}#s{position}" else None

    return chroma_id


def with_window_cosines(
    collection: Any, vector: np.ndarray, passages: Sequence[Passage], ids: ChunkIds
) -> list[Passage]:
    """``passages`` with the cosine of every sentence of their windows, read from the
    sentences' stored vectors (one read); a passage whose sentences cannot be placed keeps
    what the search knew."""
    wanted: dict[str, tuple[int, int]] = {}  # Chroma id -> (passage, offset in the article)
    for n, passage in enumerate(passages):
        for offset, position in _window_positions(passage).items():
            chroma_id = ids(passage.article_id, position)
            if chroma_id is not None:
                wanted[chroma_id] = (n, offset)
    if not wanted:
        return list(passages)
    got = collection.get(ids=list(wanted), include=["embeddings"])
    found: dict[int, dict[int, float]] = {}
    for chroma_id, embedding in zip(got["ids"], got["embeddings"], strict=True):
        n, offset = wanted[chroma_id]
        found.setdefault(n, {})[offset] = stored_cosine(embedding, vector)
    return [
        _with_cosines(passage, found[n]) if n in found else passage
        for n, passage in enumerate(passages)
    ]


def _window_positions(passage: Passage) -> dict[int, int]:
    """The sentence positions (``#s<n>``) of the window's sentences the search did not
    score, by their offset in the article: the window is cut at sentence bounds around the
    matched sentence, whose position its node id gives. Empty when the window's sentences
    do not line up with the ones the search knows (a sentence cut for length)."""
    _, mark, number = passage.chunk_id.rpartition("#s")
    if not mark or not number.isdigit():
        return {}
    starts = [passage.start + start for start, _ in sentence_spans(passage.text)]
    known = {offset for offset, _ in passage.sentence_similarities} | {passage.sentence_start}
    if not known <= set(starts):
        return {}
    matched = starts.index(passage.sentence_start)
    return {
        offset: int(number) - matched + i
        for i, offset in enumerate(starts)
        if offset not in known and int(number) - matched + i >= 0
    }


def _with_cosines(passage: Passage, cosines: dict[int, float]) -> Passage:
    merged = dict(passage.sentence_similarities) | cosines
    return replace(passage, sentence_similarities=tuple(sorted(merged.items())))
