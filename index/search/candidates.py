"""The candidates of one question: what each search proposes, with the evidence it carries.

Dense search in Chroma scores each *sentence* by cosine similarity; BM25 scores each
sentence's *window*. A candidate found by one search only gets the other's evidence here
(hits found by BM25 alone get their cosine from their stored vectors), so that ranking and
the "not in the corpus" decision can rely on every candidate's cosine.

BM25's main index holds no texts (``index/storage/main_index.py``): the hits dense search
did not find too are read from Chroma, text and vector in one read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from index.models import SearchFilters
from index.search.filters import EventRange, bm25_masks

if TYPE_CHECKING:
    from llama_index.core.schema import BaseNode

    from index.storage.lexical import LexicalHit, LexicalIndex

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25")

# How many candidates each search contributes before ranking.
CANDIDATES = 40


@dataclass
class Candidate:
    """A sentence found by either search, with the evidence it is ranked on."""

    node_id: str
    article_id: str
    meta: dict[str, Any]
    sentence: str
    sentence_start: int
    window: str
    cosine: float | None = None
    bm25: float = 0.0
    overlap: float = 0.0
    window_overlap: float = 0.0
    bigrams: float = 0.0
    answer_type: float = 0.0
    time_match: float = 0.0  # 1: its event is in the question's period, -1: dated outside it
    score: float = 0.0


def cosine_from_chroma(score: float) -> float:
    """llama-index reports Chroma hits as exp(-distance); cosine distance is 1 - cosine."""
    return 1.0 + math.log(score) if score > 0 else -1.0


def bm25_hits(
    index: LexicalIndex,
    bundle: Any,
    filters: SearchFilters | None,
    events: EventRange | None = None,
) -> list[LexicalHit]:
    """BM25's best windows for the question among the records the live generation sees
    (bm25s over the main index, plus the delta: ``lexical.py``)."""
    main, delta = bm25_masks(index, filters, events)
    if main is not None and delta is not None and not main.any() and not delta.any():
        return []
    hits = index.search(bundle.query_str, CANDIDATES, main, delta)
    return [hit for hit in hits if hit.score > 0]


def add_bm25_hits(
    index: LexicalIndex,
    collection: Any,
    hits: list[LexicalHit],
    vector: np.ndarray,
    pool: dict[str, Candidate],
) -> None:
    """Add BM25's hits to the pool with their scores. Those not in it yet become candidates:
    a delta hit from its node, a main-index hit from its Chroma record, read with its stored
    vector (one read for all of them; a record purged meanwhile is left out, as it would be
    for want of a vector)."""
    from index.storage.main_index import read_nodes

    # Main-index hits (no node at hand, their row in the main index instead) not yet found.
    rows = {
        h.chroma_id: h.position for h in hits if h.position is not None and h.node_id not in pool
    }
    # The main index's ids are the live generation's: no visibility to check.
    read = read_nodes(getattr(collection, "raw", collection), rows, index.main) if rows else {}
    for hit in hits:
        candidate = pool.get(hit.node_id)
        if candidate is None:
            if hit.node is not None:
                candidate = from_bm25(hit.node)
            elif hit.chroma_id in read:
                node, stored = read[hit.chroma_id]
                candidate = from_bm25(node)
                candidate.cosine = _cosine(stored, vector)
            else:
                continue
        candidate.bm25 = hit.score
        pool[candidate.node_id] = candidate


def from_chroma(node: BaseNode) -> Candidate:
    meta = dict(node.metadata)
    text = node.get_content()
    return Candidate(
        node_id=node.node_id,
        article_id=node.ref_doc_id or node.node_id,
        meta=meta,
        sentence=text,
        sentence_start=int(getattr(node, "start_char_idx", None) or meta.get("window_start", 0)),
        window=str(meta.get("window") or text),
    )


def from_bm25(node: BaseNode) -> Candidate:
    meta = dict(node.metadata)
    return Candidate(
        node_id=node.node_id,
        article_id=node.ref_doc_id or node.node_id,
        meta=meta,
        sentence=str(meta.get("sentence", "")),
        sentence_start=int(meta.get("sentence_start", meta.get("window_start", 0))),
        window=node.get_content(),
    )


def fill_cosines(collection: Any, vector: np.ndarray, pool: dict[str, Candidate]) -> None:
    """Give the candidates BM25 alone found their cosine, from their stored vectors.

    A candidate whose vector is gone (its chunk was purged while this question ran on an
    older generation) leaves the pool rather than be ranked without one.
    """
    missing = {_chroma_id(c): c.node_id for c in pool.values() if c.cosine is None}
    if not missing:
        return
    # BM25 found them among the live generation's records: no visibility to check, so the
    # collection itself is asked, for vectors only (its records' metadata cost 3 ms more).
    raw = getattr(collection, "raw", collection)
    got = raw.get(ids=list(missing), include=["embeddings"])
    for chroma_id, embedding in zip(got["ids"], got["embeddings"], strict=True):
        pool[missing[chroma_id]].cosine = _cosine(embedding, vector)
    for node_id in missing.values():
        if pool[node_id].cosine is None:
            del pool[node_id]


def _cosine(embedding: Any, vector: np.ndarray) -> float:
    stored = np.asarray(embedding, dtype=np.float32)
    return float(stored @ vector / (np.linalg.norm(stored) or 1.0))


def _chroma_id(candidate: Candidate) -> str:
    """The Chroma id of a candidate BM25 found (its node id in stores without generations)."""
    return str(candidate.meta.get("chroma_id") or candidate.node_id)


def by_article(candidates: list[Candidate]) -> dict[str, list[Candidate]]:
    grouped: dict[str, list[Candidate]] = {}
    for c in candidates:
        grouped.setdefault(c.article_id, []).append(c)
    return grouped
