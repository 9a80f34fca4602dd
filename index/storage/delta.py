"""BM25 over the chunks added since the main BM25 index was built, scored like the main one.

bm25s cannot add documents to an index, and rebuilding it costs the whole corpus (about
0.2 ms a chunk: 20 s at 100k chunks) where an edit changes a few dozen. So a re-index adds
its chunks here, and the main index is rebuilt only when this part has grown (see
``lexical.py``). A score here is the main index's own formula (bm25s "lucene": IDF times
tf / (tf + k1 (1 - b + b |d| / avgdl))) with the main index's IDF, k1, b and mean length,
so that hits of both compare; terms the main index lacks get the IDF they would have there.
bm25s's scoring is a precomputed sparse matrix, which a few hundred chunks do not need: a
dictionary of postings scores them in well under a millisecond (own code, measured in
tests/unit/test_lexical_delta.py against bm25s on the same corpus: the same scores).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class DeltaRecord:
    """One chunk in the delta: what BM25 returns for it, and its terms."""

    node_id: str
    chroma_id: str
    article_id: str
    text: str  # the window, as BM25 searches it (see lexical.bm25_node)
    metadata: Mapping[str, Any]
    terms: tuple[str, ...]  # BM25's terms of the searched text, in order

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.node_id,
            "chroma_id": self.chroma_id,
            "article": self.article_id,
            "text": self.text,
            "metadata": dict(self.metadata),
            "terms": " ".join(self.terms),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeltaRecord:
        return cls(
            node_id=str(data["id"]),
            chroma_id=str(data["chroma_id"]),
            article_id=str(data["article"]),
            text=str(data["text"]),
            metadata=dict(data["metadata"]),
            terms=tuple(str(data["terms"]).split()),
        )


@dataclass(frozen=True)
class Scoring:
    """The main index's scoring constants."""

    k1: float
    b: float
    avgdl: float
    documents: int
    idf: Mapping[str, float]  # of the main index's terms


@dataclass
class Delta:
    """The delta's records, with postings to score them."""

    records: list[DeltaRecord] = field(default_factory=list)
    _postings: dict[str, list[tuple[int, int]]] = field(default_factory=dict, repr=False)
    _lengths: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    def __post_init__(self) -> None:
        postings: dict[str, list[tuple[int, int]]] = {}
        for i, record in enumerate(self.records):
            for term, count in Counter(record.terms).items():
                postings.setdefault(term, []).append((i, count))
        self._postings = postings
        self._lengths = np.array([len(r.terms) for r in self.records], dtype=np.float64)

    def __len__(self) -> int:
        return len(self.records)

    def document_frequencies(self) -> dict[str, int]:
        return {term: len(found) for term, found in self._postings.items()}

    def scores(self, query_terms: Sequence[str], scoring: Scoring) -> np.ndarray:
        """BM25 score of every record for ``query_terms`` (repeated terms count again, as in
        bm25s)."""
        scores = np.zeros(len(self.records), dtype=np.float64)
        if not self.records:
            return scores
        norm = scoring.k1 * (1 - scoring.b + scoring.b * self._lengths / (scoring.avgdl or 1.0))
        for term in query_terms:
            found = self._postings.get(term)
            if not found:
                continue
            idf = scoring.idf.get(term)
            if idf is None:
                idf = lucene_idf(len(found), scoring.documents + len(self.records))
            rows = np.fromiter((i for i, _ in found), dtype=np.int64, count=len(found))
            tf = np.fromiter((c for _, c in found), dtype=np.float64, count=len(found))
            scores[rows] += idf * tf / (tf + norm[rows])
        return scores


def lucene_idf(frequency: int, documents: int) -> float:
    """bm25s's "lucene" IDF of a term found in ``frequency`` of ``documents`` documents."""
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
