"""Finding the passages that may answer a question, in the index generation that is live now.

Two searches run on every question, both through llama-index retrievers: a dense one in
Chroma (cosine similarity of the question and each *sentence*) and BM25 over each
sentence's *window* (its neighbours give the words a question shares with the context).
Their candidates are pooled and ranked by a weighted sum of their evidence (see
:class:`RankingWeights`): the cosine, the BM25 score relative to the question's best, and
the IDF-weighted share of the question's terms found in the sentence.

llama-index's ``QueryFusionRetriever`` would fuse the two lists as well, but it replaces
each hit's scores with the fused one, and the "not in the corpus" decision needs the
cosine itself; so the pooling is done here, with every candidate's cosine known (hits
found by BM25 alone get theirs from their stored vectors). The fusion and its weight were
chosen on SQuAD questions held apart from the evaluation (README, "Answer quality").
"""

from __future__ import annotations

import bisect
import itertools
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from index.errors import NotIndexedError, StoreError
from index.models import Passage, SearchFilters
from index.storage import lexical
from index.text.answer_types import expected_type, offers
from index.text.terms import STOP_WORDS, words

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.schema import BaseNode, NodeWithScore
    from llama_index.core.vector_stores.types import MetadataFilters

    from index.storage.store import Generation, Store

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25")

# How many candidates each search contributes before ranking.
CANDIDATES = 40


@dataclass(frozen=True)
class RankingWeights:
    """How much each piece of evidence counts in a candidate's score (all in [0, 1] but cosine)."""

    cosine: float = 1.0  # question vs the sentence (dense)
    bm25: float = 0.3  # BM25 of the sentence's window, divided by the question's best
    overlap: float = 0.0  # IDF-weighted share of the question's terms in the sentence
    window_overlap: float = 0.0  # the same share in the whole window
    bigrams: float = 0.0  # share of the question's word pairs found in the window
    article: float = 0.0  # best cosine + bm25 of any candidate from the same article
    answer_type: float = 0.0  # 1 when the sentence holds the kind of answer asked for
    window_cosine: float = 0.0  # best cosine of any candidate sentence inside the window

    FEATURES: ClassVar[tuple[str, ...]] = (
        "cosine",
        "bm25",
        "overlap",
        "window_overlap",
        "bigrams",
        "article",
        "answer_type",
        "window_cosine",
    )


DEFAULT_WEIGHTS = RankingWeights(
    cosine=1.0,
    bm25=0.0,
    overlap=0.5,
    window_overlap=0.5,
    bigrams=0.5,
    article=0.05,
    answer_type=0.1,
    window_cosine=0.2,
)
# How often a long-running process looks for a newer generation (a re-index by another
# process): one Chroma metadata read per interval at most.
_POINTER_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class _View:
    generation: Generation
    collection: Any  # chromadb Collection
    index: Any  # llama-index VectorStoreIndex over the collection
    lexical: lexical.LexicalIndex | None


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
    score: float = 0.0


class Retriever:
    """Hybrid retrieval over the live generation, following re-indexes as they publish."""

    def __init__(self, store: Store, embedder: BaseEmbedding) -> None:
        self._store = store
        self._embedder = embedder
        self._lock = threading.Lock()
        self._view: _View | None = None
        self._checked_at = -math.inf

    def generation(self) -> Generation:
        """The generation questions are answered from now.

        Raises:
            NotIndexedError: Nothing is indexed yet.
        """
        return self._current().generation

    def refresh(self) -> None:
        """Look for a new generation on the next question (after a re-index in this process)."""
        with self._lock:
            self._checked_at = -math.inf

    def retrieve(
        self,
        query: str,
        *,
        top_k: int,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
        emphasis: str = "",
    ) -> list[Passage]:
        """The ``top_k`` best passages for ``query``, best first, one per stretch of text.

        Args:
            query: What to search for.
            top_k: How many passages to return.
            filters: Restrict the search to a source or a range of dates.
            mode: "hybrid" (the default), or one search alone (for evaluation).
            emphasis: Part of ``query`` whose terms count double when sentences are matched
                word for word (a follow-up question searched together with its topic).

        Raises:
            NotIndexedError: Nothing is indexed yet.
            StoreError: The vector store cannot be read.
        """
        pool = self.candidates(query, filters=filters, mode=mode, emphasis=emphasis)
        return rank(pool, mode, DEFAULT_WEIGHTS)[:top_k]

    def candidates(
        self,
        query: str,
        *,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
        emphasis: str = "",
    ) -> list[Candidate]:
        """Every candidate of both searches with its evidence, unranked (see :func:`rank`)."""
        for attempt in range(2):
            view = self._current()
            try:
                return self._search(view, query, filters, mode, emphasis)
            except NotIndexedError:
                raise
            except Exception as e:
                # The generation may have been replaced and dropped between the pointer check
                # and the query: look again once before giving up.
                if attempt == 0:
                    self.refresh()
                    continue
                raise StoreError(f"The index could not be searched: {e}") from e
        raise AssertionError("unreachable")

    # -- the live generation --------------------------------------------------------------

    def _current(self) -> _View:
        with self._lock:
            now = time.monotonic()
            if self._view is None or now - self._checked_at >= _POINTER_CHECK_SECONDS:
                self._checked_at = now
                active = self._store.active()
                if active is None or not active.info.get("chunks"):
                    self._view = None
                    raise NotIndexedError()
                if self._view is None or self._view.generation.name != active.name:
                    self._view = self._open(active)
            return self._view

    def _open(self, generation: Generation) -> _View:
        from llama_index.core import VectorStoreIndex
        from llama_index.vector_stores.chroma import ChromaVectorStore

        collection = self._store.collection(generation)
        index = VectorStoreIndex.from_vector_store(
            ChromaVectorStore(chroma_collection=collection), embed_model=self._embedder
        )
        directory = self._store.lexical_dir(generation)
        bm25 = lexical.load_or_build(collection, directory)
        return _View(generation=generation, collection=collection, index=index, lexical=bm25)

    # -- one search -------------------------------------------------------------------------

    def _search(
        self, view: _View, query: str, filters: SearchFilters | None, mode: Mode, emphasis: str
    ) -> list[Candidate]:
        from llama_index.core.schema import QueryBundle

        vector = self._embedder.get_query_embedding(query)
        bundle = QueryBundle(query_str=query, embedding=vector)
        pool: dict[str, Candidate] = {}
        if mode != "bm25":
            retriever = view.index.as_retriever(
                similarity_top_k=CANDIDATES, filters=_metadata_filters(filters)
            )
            for hit in retriever.retrieve(bundle):
                candidate = _from_chroma(hit.node)
                candidate.cosine = cosine_from_chroma(hit.score or 0.0)
                pool[candidate.node_id] = candidate
        if mode != "dense" and view.lexical is not None:
            for hit in _bm25_hits(view.lexical, bundle, filters):
                candidate = pool.get(hit.node.node_id) or _from_bm25(hit.node)
                candidate.bm25 = float(hit.score or 0.0)
                pool[candidate.node_id] = candidate
        _fill_cosines(view.collection, np.asarray(vector, dtype=np.float32), pool)
        if view.lexical is not None:
            _fill_overlaps(view.lexical, query, emphasis, pool)
        return list(pool.values())


def cosine_from_chroma(score: float) -> float:
    """llama-index reports Chroma hits as exp(-distance); cosine distance is 1 - cosine."""
    return 1.0 + math.log(score) if score > 0 else -1.0


def _bm25_hits(
    index: lexical.LexicalIndex, bundle: Any, filters: SearchFilters | None
) -> list[NodeWithScore]:
    from llama_index.retrievers.bm25 import BM25Retriever

    mask = index.mask(filters)
    if mask is not None and not any(mask):
        return []
    records = len(index.days)
    retriever = BM25Retriever(
        existing_bm25=index.retriever.bm25,
        similarity_top_k=min(CANDIDATES, records),
        corpus_weight_mask=mask,
    )
    return [hit for hit in retriever.retrieve(bundle) if (hit.score or 0.0) > 0]


def _from_chroma(node: BaseNode) -> Candidate:
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


def _from_bm25(node: BaseNode) -> Candidate:
    meta = dict(node.metadata)
    return Candidate(
        node_id=node.node_id,
        article_id=node.ref_doc_id or node.node_id,
        meta=meta,
        sentence=str(meta.get("sentence", "")),
        sentence_start=int(meta.get("sentence_start", meta.get("window_start", 0))),
        window=node.get_content(),
    )


def _fill_cosines(collection: Any, vector: np.ndarray, pool: dict[str, Candidate]) -> None:
    missing = [c.node_id for c in pool.values() if c.cosine is None]
    if not missing:
        return
    got = collection.get(ids=missing, include=["embeddings"])
    for node_id, embedding in zip(got["ids"], got["embeddings"], strict=True):
        stored = np.asarray(embedding, dtype=np.float32)
        pool[node_id].cosine = float(stored @ vector / (np.linalg.norm(stored) or 1.0))


def _fill_overlaps(
    index: lexical.LexicalIndex, query: str, emphasis: str, pool: dict[str, Candidate]
) -> None:
    query_terms = index.terms(query)
    # Overlap counts the words that say what is asked about. BM25's short stop list keeps
    # "where", "did", "he"...; rare in articles, they carry a high IDF, so "where did he host
    # them?" found a harbour article's "where it had been" about as good as the answer, and
    # the more articles, the less a follow-up's evidence counted. Without them, on SQuAD:
    # retrieval within noise (hit@1 0.865 vs 0.863), and the threshold recalibrated.
    wanted = {t: index.idf.get(t, 0.0) for t in index.terms(_meaningful(query))}
    for t in index.terms(_meaningful(emphasis)):
        wanted[t] = 2 * index.idf.get(t, 0.0)
    total = sum(wanted.values())
    pairs = set(itertools.pairwise(query_terms))
    kind = expected_type(emphasis or query)
    texts = _candidate_terms(index, list(pool.values())) if total else {}
    for c in pool.values():
        if total:
            sentence_terms, window_terms = texts[c.node_id]
            in_sentence = set(sentence_terms)
            in_window = set(window_terms)
            c.overlap = sum(w for t, w in wanted.items() if t in in_sentence) / total
            c.window_overlap = sum(w for t, w in wanted.items() if t in in_window) / total
            if pairs:
                window_pairs = set(itertools.pairwise(window_terms))
                c.bigrams = len(pairs & window_pairs) / len(pairs)
        c.answer_type = float(offers(c.sentence, kind))


def _candidate_terms(
    index: lexical.LexicalIndex, candidates: list[Candidate]
) -> dict[str, tuple[list[str], list[str]]]:
    """Each candidate's sentence terms and window terms, as :meth:`LexicalIndex.terms` gives.

    Candidates cluster: the 80 windows of a question overlap on about half their text. Each
    stretch of overlapping windows of one article is tokenised and stemmed once and every
    window takes its terms by offset: on 300 SQuAD questions, the same terms for all 19,496
    candidates in 6.3 ms a question instead of 12.9.
    """
    found: dict[str, tuple[list[str], list[str]]] = {}
    for group in _by_article(candidates).values():
        for start, text, members in _stretches(group):
            # A window alone gains nothing from offsets, and plain tokenising is faster.
            positioned = index.positioned_terms(text) if len(members) > 1 else None
            if positioned is None:
                for c in members:
                    found[c.node_id] = (index.terms(c.sentence), index.terms(c.window))
                continue
            starts, ends, stems = positioned
            for c in members:
                found[c.node_id] = (
                    _terms_within(starts, ends, stems, c.sentence_start - start, c.sentence),
                    _terms_within(starts, ends, stems, _window_start(c) - start, c.window),
                )
    return found


def _by_article(candidates: list[Candidate]) -> dict[str, list[Candidate]]:
    grouped: dict[str, list[Candidate]] = {}
    for c in candidates:
        grouped.setdefault(c.article_id, []).append(c)
    return grouped


def _window_start(c: Candidate) -> int:
    return int(c.meta.get("window_start", c.sentence_start))


def _stretches(group: list[Candidate]) -> Iterator[tuple[int, str, list[Candidate]]]:
    """Runs of overlapping windows of one article: (offset, text, their candidates).

    A window whose text disagrees with the run where they overlap (or whose sentence is not
    inside it) stands alone, so a stretch's text is always each member's own text.
    """
    run_start, run_text = 0, ""
    members: list[Candidate] = []
    for c in sorted(group, key=_window_start):
        lo = _window_start(c)
        sentence_at = c.sentence_start - lo
        if c.window[sentence_at : sentence_at + len(c.sentence)] != c.sentence:
            yield lo, c.window, [c]
            continue
        shared = min(run_start + len(run_text) - lo, len(c.window))
        at = lo - run_start
        if members and shared >= 0 and run_text[at : at + shared] == c.window[:shared]:
            run_text += c.window[shared:]
            members.append(c)
            continue
        if members:
            yield run_start, run_text, members
        run_start, run_text, members = lo, c.window, [c]
    if members:
        yield run_start, run_text, members


def _terms_within(
    starts: list[int], ends: list[int], stems: list[str], offset: int, text: str
) -> list[str]:
    first = bisect.bisect_left(starts, offset)
    last = bisect.bisect_right(ends, offset + len(text))
    return stems[first:last]


def _meaningful(text: str) -> str:
    return " ".join(w for w in words(text) if w not in STOP_WORDS)


def rank(candidates: list[Candidate], mode: Mode, weights: RankingWeights) -> list[Passage]:
    """Score, sort and de-duplicate candidates into passages, best first."""
    best_bm25 = max((c.bm25 for c in candidates), default=0.0) or 1.0
    article_best: dict[str, float] = {}
    for c in candidates:
        base = (c.cosine if c.cosine is not None else -1.0) + c.bm25 / best_bm25
        article_best[c.article_id] = max(base, article_best.get(c.article_id, -math.inf))
    in_windows = _cosines_in_windows(candidates)
    for c in candidates:
        cosine = c.cosine if c.cosine is not None else -1.0
        window_best = max(in_windows[c.node_id].values(), default=cosine)
        if mode == "dense":
            c.score = cosine
        elif mode == "bm25":
            c.score = c.bm25
        else:
            c.score = (
                weights.cosine * cosine
                + weights.bm25 * c.bm25 / best_bm25
                + weights.overlap * c.overlap
                + weights.window_overlap * c.window_overlap
                + weights.bigrams * c.bigrams
                + weights.article * article_best[c.article_id]
                + weights.answer_type * c.answer_type
                + weights.window_cosine * window_best
            )
    ranked = sorted(candidates, key=lambda c: c.score, reverse=True)
    return [_to_passage(c, in_windows[c.node_id]) for c in _one_per_stretch(ranked)]


def _cosines_in_windows(candidates: list[Candidate]) -> dict[str, dict[int, float]]:
    """For each candidate, the cosines known of the sentences in its window, by offset.

    Every candidate is one sentence, so the pool knows the question's similarity to some of
    the sentences around each hit; the answer uses them to pick the sentence to quote.
    """
    by_article = _by_article(candidates)
    known = {}
    for c in candidates:
        lo, hi = int(c.meta.get("window_start", 0)), int(c.meta.get("window_end", 0))
        known[c.node_id] = {
            d.sentence_start: d.cosine
            for d in by_article[c.article_id]
            if d.cosine is not None and lo <= d.sentence_start < hi
        }
    return known


def _one_per_stretch(ranked: list[Candidate]) -> list[Candidate]:
    """Drop a hit whose sentence lies inside the window of a better hit: same passage."""
    kept: list[Candidate] = []
    for c in ranked:
        inside = any(
            k.article_id == c.article_id
            and int(k.meta.get("window_start", 0))
            <= c.sentence_start
            < int(k.meta.get("window_end", 0))
            for k in kept
        )
        if not inside:
            kept.append(c)
    return kept


def _to_passage(c: Candidate, known_cosines: dict[int, float]) -> Passage:
    meta = c.meta
    start = int(meta.get("window_start", c.sentence_start))
    return Passage(
        chunk_id=c.node_id,
        article_id=c.article_id,
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        published_at=str(meta.get("published_at") or "") or None,
        url=str(meta.get("url", "")),
        text=c.window,
        sentence=c.sentence,
        start=start,
        end=int(meta.get("window_end", start + len(c.window))),
        sentence_start=c.sentence_start,
        score=c.score,
        similarity=c.cosine if c.cosine is not None else -1.0,
        overlap=c.overlap,
        window_overlap=c.window_overlap,
        sentence_similarities=tuple(sorted(known_cosines.items())),
    )


def _metadata_filters(filters: SearchFilters | None) -> MetadataFilters | None:
    if not filters:
        return None
    from llama_index.core.vector_stores.types import (
        FilterOperator,
        MetadataFilter,
        MetadataFilters,
    )

    assert filters is not None
    conditions: list[MetadataFilter | MetadataFilters] = []
    if filters.source:
        conditions.append(MetadataFilter(key="source", value=filters.source))
    if filters.since:
        conditions.append(
            MetadataFilter(
                key="published_day", value=_day(filters.since), operator=FilterOperator.GTE
            )
        )
    if filters.until:
        conditions.append(
            MetadataFilter(
                key="published_day", value=_day(filters.until), operator=FilterOperator.LTE
            )
        )
        # Undated articles carry day 0: "until" means "known to be published by then".
        conditions.append(MetadataFilter(key="published_day", value=0, operator=FilterOperator.GT))
    return MetadataFilters(filters=conditions)


def _day(iso_date: str) -> int:
    return int(iso_date.replace("-", "")[:8])
