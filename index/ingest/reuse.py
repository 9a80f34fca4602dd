"""An edited article's unchanged sentences keep their stored vectors instead of being embedded
again: an edit costs the model only the sentences it changed.

llama-index's ingestion cache does not do this: it keys a whole batch of nodes, so one changed
sentence misses the cache for the article. Measured in ``docs/decisions.md`` ("Storage:
incremental generations", the edit).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.schema import MetadataMode, TransformComponent
from pydantic import PrivateAttr

from index.storage.records import node_from_record

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from llama_index.core.schema import BaseNode

log = logging.getLogger(__name__)

# Records read per call (an embedded Chroma refuses more than a few thousand at once).
_READ_PAGE = 2000


def stored_vectors(collection: Collection, chroma_ids: Sequence[str]) -> dict[str, list[float]]:
    """The vectors of the given records, by the exact text the model embedded for them."""
    known: dict[str, list[float]] = {}
    for start in range(0, len(chroma_ids), _READ_PAGE):
        page = collection.get(
            ids=list(chroma_ids[start : start + _READ_PAGE]), include=["embeddings", "metadatas"]
        )
        vectors = page["embeddings"]
        if vectors is None:
            continue
        for metadata, vector in zip(page["metadatas"] or [], vectors, strict=True):
            try:
                text = node_from_record(metadata, None).get_content(
                    metadata_mode=MetadataMode.EMBED
                )
            except (KeyError, ValueError, TypeError):  # a record not of our making: embed anew
                continue
            known[text] = [float(x) for x in vector]
    return known


class ReusingEmbedder(TransformComponent):
    """Gives each node the stored vector of its exact embedding text when there is one, and
    hands the rest to the model (loaded only if some node needs it)."""

    _known: dict[str, list[float]] = PrivateAttr()
    _load: Callable[[], TransformComponent] = PrivateAttr()
    _reused: int = PrivateAttr(default=0)

    def __init__(
        self, known: dict[str, list[float]], load: Callable[[], TransformComponent]
    ) -> None:
        super().__init__()
        self._known = known
        self._load = load

    def remember(self, known: dict[str, list[float]]) -> None:
        """From now on, reuse the vectors of ``known`` (by embedding text) instead."""
        self._known = known

    @property
    def reused(self) -> int:
        """How many nodes got a stored vector so far."""
        return self._reused

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        todo = []
        for node in nodes:
            vector = self._known.get(node.get_content(metadata_mode=MetadataMode.EMBED))
            if vector is None:
                todo.append(node)
            else:
                node.embedding = vector
                self._reused += 1
        if todo:
            self._load()(todo, **kwargs)
        return nodes
