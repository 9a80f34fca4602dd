"""Dense search among exactly the records a filter selects (a period, a source, dates), scored
from the vectors saved beside BM25 rather than by Chroma's ``where``, whose cost grows with
what it matches (seconds at a million chunks: docs/decisions.md, issue 15). A selection too
broad to score (a whole source) is searched in Chroma's graph unfiltered, then kept to it.

BM25's filter fields pick the records (``filters.selected``), the main index's vector file
gives their vectors, and the delta's few records are read from Chroma by id; so
the search covers what the live generation sees and nothing it hides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from index.storage.lexical import LexicalIndex
    from index.storage.vectors import VectorFile

# Most selected records scored here; a broader filter (a whole source) is left to Chroma,
# where it matches a large share and costs less than reading that many vectors.
EXACT_LIMIT = 100_000
# Rows gathered from the vector file at a time, so a broad selection is never copied whole.
_BLOCK = 16_384
# Most neighbours a broad selection asks Chroma's graph for, unfiltered (broad_search).
MAX_BROAD = 1000


@dataclass(frozen=True, slots=True)
class DenseHit:
    chroma_id: str
    cosine: float


def exact_search(
    index: LexicalIndex,
    collection: Any,
    main: np.ndarray,
    delta: np.ndarray,
    vector: np.ndarray,
    top_k: int,
) -> list[DenseHit] | None:
    """The ``top_k`` records among those ``main`` and ``delta`` select (boolean arrays over the
    main index and the delta) nearest ``vector`` by cosine, best first; None when the main
    index has no saved vectors or the selection passes :data:`EXACT_LIMIT`.

    Args:
        index: The live generation's BM25 view (its main index's vectors and delta).
        collection: The Chroma collection, read by id for the delta's vectors.
        main: Which main-index records are selected (hidden ones already left out).
        delta: Which delta records are selected.
        vector: The question's unit vector.
        top_k: How many hits to return.
    """
    vectors = index.main.vectors
    rows = np.flatnonzero(main)
    if vectors is None or len(rows) > EXACT_LIMIT:
        return None
    query = np.asarray(vector, dtype=np.float32)
    scores = _cosines(vectors, rows, query)
    best = _top(scores, top_k)
    ids = index.main.ids.at(rows[best])
    found = list(zip(ids, scores[best].tolist(), strict=True))
    wanted = [index.delta.records[i].chroma_id for i in np.flatnonzero(delta)]
    if wanted:
        got = collection.get(ids=wanted, include=["embeddings"])
        if len(got["ids"]):
            stored = np.asarray(got["embeddings"], dtype=np.float32)
            found += zip(got["ids"], _normalised(stored, query).tolist(), strict=True)
    found.sort(key=lambda hit: -hit[1])  # stable: main-index order breaks ties
    return [DenseHit(chroma_id=i, cosine=float(c)) for i, c in found[:top_k]]


def broad_search(
    index: LexicalIndex,
    collection: Any,
    main: np.ndarray,
    delta: np.ndarray,
    vector: np.ndarray,
    top_k: int,
) -> list[DenseHit] | None:
    """The ``top_k`` nearest of a broad selection (a share of the generation large enough
    that twice ``top_k`` over that share is at most :data:`MAX_BROAD`): Chroma's graph is
    asked for that many neighbours without a filter and they are kept to the selection. As
    approximate as a filtered HNSW search, without the filter's cost, which grows with
    what it matches. None when the selection is too narrow or too few neighbours fall in it.

    Args:
        collection: The collection as the live generation sees it (``VisibleCollection``).
    """
    chosen = int(np.count_nonzero(main)) + int(np.count_nonzero(delta))
    share = chosen / max(index.records, 1)
    if not chosen or share * MAX_BROAD < 2 * top_k:
        return None
    asked = min(MAX_BROAD, math.ceil(2 * top_k / share))
    got = collection.query(query_embeddings=[vector], n_results=asked, include=["distances"])
    ids, distances = got["ids"][0], got["distances"][0]
    positions = index.main.ids.positions_of(ids)
    in_delta = {index.delta.records[i].chroma_id for i in np.flatnonzero(delta)}
    kept = [
        DenseHit(chroma_id=i, cosine=1.0 - float(d))
        for i, d in zip(ids, distances, strict=True)
        if (i in positions and main[positions[i]]) or i in in_delta
    ]
    if len(kept) < top_k and len(ids) >= asked:
        return None  # the selection's nearest lie further out: let Chroma filter
    return kept[:top_k]


def _cosines(vectors: VectorFile, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    scores = np.empty(len(rows), dtype=np.float32)
    for start in range(0, len(rows), _BLOCK):
        block = vectors.read(rows[start : start + _BLOCK])
        scores[start : start + len(block)] = _normalised(block, query)
    return scores


def _normalised(stored: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosine of each stored row with the unit ``query`` (as the candidates' cosines are
    computed from stored vectors: ``candidates._cosine``)."""
    norms = np.linalg.norm(stored, axis=1)
    return np.asarray(stored @ query / np.where(norms == 0, 1.0, norms), dtype=np.float32)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest scores, best first (ties in position order)."""
    if len(scores) > k:
        kept = np.sort(np.argpartition(-scores, k - 1)[:k])
    else:
        kept = np.arange(len(scores))
    return kept[np.argsort(-scores[kept], kind="stable")]
