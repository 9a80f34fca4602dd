"""Finding the passages that may answer a question, in the generation that is live now."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from index.errors import NotIndexedError, StoreError
from index.models import Passage, SearchFilters

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.core.schema import NodeWithScore
    from llama_index.core.vector_stores.types import MetadataFilters

    from index.store import Generation, Store

# How often a long-running process looks for a newer generation (a re-index by another
# process): one Chroma metadata read per interval at most.
_POINTER_CHECK_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class _View:
    generation: Generation
    index: Any  # llama-index VectorStoreIndex over the generation's collection


class Retriever:
    """Dense retrieval over the live generation through llama-index's vector retriever."""

    def __init__(self, store: Store, embedder: BaseEmbedding) -> None:
        self._store = store
        self._embedder = embedder
        self._lock = threading.Lock()
        self._view: _View | None = None
        self._checked_at = -math.inf

    def generation(self) -> Generation:
        """The generation questions are answered from, following re-indexes as they publish."""
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
            return self._view.generation

    def refresh(self) -> None:
        """Look for a new generation on the next question (after a re-index in this process)."""
        with self._lock:
            self._checked_at = -math.inf

    def retrieve(
        self, query: str, *, top_k: int, filters: SearchFilters | None = None
    ) -> list[Passage]:
        """The ``top_k`` passages most similar to ``query``, best first.

        Raises:
            NotIndexedError: Nothing is indexed yet.
            StoreError: The vector store cannot be read.
        """
        for attempt in range(2):
            self.generation()
            view = self._view
            assert view is not None
            try:
                retriever: BaseRetriever = view.index.as_retriever(
                    similarity_top_k=top_k, filters=_metadata_filters(filters)
                )
                return [_to_passage(hit) for hit in retriever.retrieve(query)]
            except Exception as e:
                # The generation may have been replaced and dropped between the pointer check
                # and the query: look again once before giving up.
                if attempt == 0:
                    self.refresh()
                    continue
                raise StoreError(f"The index could not be searched: {e}") from e
        raise AssertionError("unreachable")

    def _open(self, generation: Generation) -> _View:
        from llama_index.core import VectorStoreIndex
        from llama_index.vector_stores.chroma import ChromaVectorStore

        collection = self._store.collection(generation)
        index = VectorStoreIndex.from_vector_store(
            ChromaVectorStore(chroma_collection=collection), embed_model=self._embedder
        )
        return _View(generation=generation, index=index)


def cosine_from_chroma(score: float) -> float:
    """llama-index reports Chroma hits as exp(-distance); cosine distance is 1 - cosine."""
    return 1.0 + math.log(score) if score > 0 else -1.0


def _to_passage(hit: NodeWithScore) -> Passage:
    node = hit.node
    meta = node.metadata
    return Passage(
        chunk_id=node.node_id,
        article_id=node.ref_doc_id or node.node_id,
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        published_at=str(meta.get("published_at") or "") or None,
        url=str(meta.get("url", "")),
        text=node.get_content(),
        score=cosine_from_chroma(hit.score or 0.0),
    )


def _metadata_filters(filters: SearchFilters | None) -> MetadataFilters | None:
    if not filters:
        return None
    from llama_index.core.vector_stores.types import (
        FilterOperator,
        MetadataFilter,
        MetadataFilters,
    )

    conditions: list[MetadataFilter | MetadataFilters] = []
    assert filters is not None
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
