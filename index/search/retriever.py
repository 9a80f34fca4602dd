"""Finding the passages that may answer a question, in the index generation that is live now.

Two searches run on every question, both through llama-index retrievers: dense in Chroma
(the question against each sentence) and BM25 over each sentence's window. Their
candidates are pooled (``candidates.py``), given word-level evidence (``features.py``) and
ranked (``ranking.py``). llama-index's ``QueryFusionRetriever`` would fuse the two lists as
well, but it replaces each hit's scores with the fused one, and the "not in the corpus"
decision needs each candidate's cosine itself.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from index.errors import NewsbotError, NotIndexedError, StoreError, StoreUnreachableError
from index.models import Passage, SearchFilters
from index.search.candidates import (
    CANDIDATES,
    Candidate,
    Mode,
    add_bm25_hits,
    bm25_hits,
    cosine_from_chroma,
    fill_cosines,
    from_chroma,
)
from index.search.exact import DenseHit, broad_search, exact_search
from index.search.features import add_word_features
from index.search.filters import EventRange, chroma_filters, selected
from index.search.ranking import RankingWeights, rank
from index.search.time import add_time_feature, event_range
from index.storage import manifest
from index.storage.generations import VisibleCollection
from index.storage.lexical import LexicalIndex
from index.storage.systems import is_stale_error

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.vector_stores.types import MetadataFilters

    from index.storage.store import Generation, Store
    from index.text.dates import QuestionTime

log = logging.getLogger(__name__)

# How often a long-running process looks for a newer generation (a re-index by another
# process): one Chroma metadata read per interval at most.
_POINTER_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class _View:
    generation: Generation
    collection: Any  # chromadb Collection
    index: Any  # llama-index VectorStoreIndex over the collection
    lexical: LexicalIndex | None


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

    def knows(self, term: str) -> bool:
        """Whether ``term`` (a stemmed word) occurs anywhere in the live index."""
        view = self._current()
        return view.lexical is not None and term in view.lexical.idf

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
        time: QuestionTime | None = None,
    ) -> list[Passage]:
        """The ``top_k`` best passages for ``query``, best first, one per stretch of text.

        Args:
            query: What to search for.
            top_k: How many passages to return.
            filters: Restrict the search to a source or a range of dates.
            mode: "hybrid" (the default), or one search alone (for evaluation).
            emphasis: Part of ``query`` whose terms count double when sentences are matched
                word for word (a follow-up question searched together with its topic).
            time: The period the question asks about: sentences whose event lies in it are
                searched for too, and rank higher.

        Raises:
            NotIndexedError: Nothing is indexed yet.
            StoreError: The vector store cannot be read.
        """
        pool = self.candidates(query, filters=filters, mode=mode, emphasis=emphasis, time=time)
        return rank(pool, mode, RankingWeights())[:top_k]

    def candidates(
        self,
        query: str,
        *,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
        emphasis: str = "",
        time: QuestionTime | None = None,
    ) -> list[Candidate]:
        """Every candidate of both searches with its evidence, unranked (see :func:`rank`)."""
        for attempt in range(2):
            try:
                view = self._current()
                return self._search(view, query, filters, mode, emphasis, event_range(time))
            except (NotIndexedError, StoreUnreachableError):
                raise
            except Exception as e:
                # The collection may have been replaced and dropped between the pointer
                # check and the query: look again once before giving up.
                if attempt == 0:
                    if is_stale_error(e):
                        # Another process added records since the pointer was read: a
                        # re-index is writing (its queries are then guarded), or it has
                        # published (the new generation is then read anew).
                        log.info("records were added by another process; reading the pointer")
                    self.refresh()
                    continue
                if isinstance(e, NewsbotError):
                    raise  # it already says what happened (damaged, permission...)
                known = self._store.known_fault(e)
                if known is not None:
                    raise known from e
                raise StoreError(f"The index could not be searched: {e}") from e
        raise AssertionError("unreachable")

    # -- the live generation --------------------------------------------------------------

    def _current(self) -> _View:
        with self._lock:
            now = time.monotonic()
            if self._view is None or now - self._checked_at >= _POINTER_CHECK_SECONDS:
                self._checked_at = now
                active = self._store.active()
                if active is None or not active.chunks:
                    self._view = None
                    raise NotIndexedError()
                if self._view is None or self._view.generation.name != active.name:
                    if self._view is not None and not self._store.wrote(active):
                        log.info("%s was written by another process; reading it anew", active.name)
                        self._store.reopen()  # (systems.py)
                    self._view = self._open(active, self._view)
                self._view.collection.guard_writes = active.writing is not None
                self._view.collection.slack = active.hidden
            return self._view

    def _open(self, generation: Generation, previous: _View | None) -> _View:
        """The view of ``generation``; a re-index adds a few chunks, so the main BM25 index
        of ``previous`` is reused when the new generation still builds on it."""
        from llama_index.core import VectorStoreIndex
        from llama_index.vector_stores.chroma import ChromaVectorStore

        raw = self._store.collection(generation)
        same = previous is not None and previous.generation.collection == generation.collection
        files = self._store.files(generation.collection)
        reuse = previous.lexical if same and previous is not None else None
        bm25 = manifest.saved_view(files, generation.number, reuse)
        if bm25 is None:
            newer = self._store.active()
            if newer is not None and newer.name != generation.name:
                # Published meanwhile: the indexer keeps only the newest generation's files.
                return self._open(newer, previous)
            bm25 = manifest.rebuild_view(raw, files, generation.number, generation.visibility)
        collection = VisibleCollection(raw, generation.visibility)
        index = VectorStoreIndex.from_vector_store(
            ChromaVectorStore(chroma_collection=collection), embed_model=self._embedder
        )
        return _View(generation=generation, collection=collection, index=index, lexical=bm25)

    # -- one search -------------------------------------------------------------------------

    def _search(
        self,
        view: _View,
        query: str,
        filters: SearchFilters | None,
        mode: Mode,
        emphasis: str,
        events: EventRange | None,
    ) -> list[Candidate]:
        from llama_index.core.schema import QueryBundle

        vector = self._embedder.get_query_embedding(query)
        bundle = QueryBundle(query_str=query, embedding=vector)
        unit = np.asarray(vector, dtype=np.float32)
        pool: dict[str, Candidate] = {}
        # A question about a period also searches that period alone: in a long archive its
        # sentences may all rank below the top candidates of other years.
        periods = [None] if events is None else [None, events]
        for period in periods:
            if mode != "bm25":
                self._add_dense(view, bundle, unit, filters, period, pool)
            if mode != "dense" and view.lexical is not None:
                hits = bm25_hits(view.lexical, bundle, filters, period)
                add_bm25_hits(view.lexical, view.collection, hits, unit, pool)
        fill_cosines(view.collection, unit, pool)
        if view.lexical is not None:
            add_word_features(view.lexical, query, emphasis, pool)
        add_time_feature(pool.values(), events)
        return list(pool.values())

    @staticmethod
    def _add_dense(
        view: _View,
        bundle: Any,
        unit: np.ndarray,
        filters: SearchFilters | None,
        events: EventRange | None,
        pool: dict[str, Candidate],
    ) -> None:
        """Dense search's candidates: Chroma's HNSW graph for the whole generation; for a
        filtered search, an exact search among the records the filter selects, or for a
        broad filter the graph's nearest kept to it (``exact.py``); Chroma's ``where`` when
        neither can answer (no vectors saved with the main index, a narrow selection whose
        nearest lie far out)."""
        where = chroma_filters(filters, events)
        if where is not None and view.lexical is not None:
            main, delta = selected(view.lexical, filters, events)
            raw = view.collection.raw
            hits = exact_search(view.lexical, raw, main, delta, unit, CANDIDATES)
            if hits is None:
                hits = broad_search(view.lexical, view.collection, main, delta, unit, CANDIDATES)
            if hits is not None:
                _add_exact(raw, hits, pool)
                return
        Retriever._add_chroma(view, bundle, where, pool)

    @staticmethod
    def _add_chroma(
        view: _View, bundle: Any, where: MetadataFilters | None, pool: dict[str, Candidate]
    ) -> None:
        retriever = view.index.as_retriever(similarity_top_k=CANDIDATES, filters=where)
        for hit in retriever.retrieve(bundle):
            if hit.node.node_id in pool:
                continue
            candidate = from_chroma(hit.node)
            candidate.cosine = cosine_from_chroma(hit.score or 0.0)
            pool[candidate.node_id] = candidate


def _add_exact(collection: Any, hits: list[DenseHit], pool: dict[str, Candidate]) -> None:
    """Add the exact search's hits the pool lacks, read from Chroma (text and metadata) and
    made candidates as llama-index makes Chroma's query results (a record purged
    meanwhile is left out)."""
    from index.storage.records import documents_of, node_from_record, node_id_of

    wanted = [hit.chroma_id for hit in hits if node_id_of(hit.chroma_id) not in pool]
    if not wanted:
        return
    got = collection.get(ids=wanted, include=["documents", "metadatas"])
    records = {
        chroma_id: (record, text)
        for chroma_id, text, record in zip(
            got["ids"], documents_of(got), got["metadatas"] or [], strict=True
        )
        if record is not None
    }
    for hit in hits:
        found = records.get(hit.chroma_id)
        if found is None:
            continue
        candidate = from_chroma(node_from_record(*found))
        if candidate.node_id in pool:
            continue
        candidate.cosine = hit.cosine
        pool[candidate.node_id] = candidate
