"""Writing chunks: llama-index's Chroma store writing newsbot's compact records of one
generation, and copying stored chunks into a new collection without embedding them again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from index.storage.generations import Visibility
from index.storage.records import (
    GEN_ADDED,
    GEN_REMOVED,
    chroma_record,
    documents_of,
    iter_pages,
    node_id_of,
    record_id,
)

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from llama_index.core.schema import BaseNode
    from llama_index.core.vector_stores.types import BasePydanticVectorStore

_COPY_PAGE = 1000


def vector_store(collection: Collection, generation: int) -> BasePydanticVectorStore:
    """llama-index's Chroma vector store over ``collection``, adding compact records of
    ``generation`` (ids made unique per generation, see :func:`records.record_id`)."""
    from llama_index.vector_stores.chroma import ChromaVectorStore

    class CompactChromaVectorStore(ChromaVectorStore):
        # Writes go in batches the client accepts (ChromaVectorStore splits at a fixed
        # 41,665 nodes; an embedded Chroma 1.5 refuses more than 5,461) and as the
        # records of `chroma_record`. Reads are the library's own.
        def add(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[str]:
            ids: list[str] = []
            for start in range(0, len(nodes), max_batch):
                batch = nodes[start : start + max_batch]
                chroma_ids = [record_id(n.node_id, generation) for n in batch]
                collection.add(
                    ids=chroma_ids,
                    embeddings=np.asarray([n.get_embedding() for n in batch], dtype=np.float32),
                    metadatas=[chroma_record(n, generation) for n in batch],
                )
                ids += chroma_ids
            return ids

    max_batch = _max_batch(collection)
    # ChromaVectorStore's own __init__ gives every other field a default.
    return CompactChromaVectorStore(chroma_collection=collection)  # type: ignore[call-arg]


def copy_visible(
    source: Collection,
    target: Collection,
    visibility: Visibility,
    generation: int,
    skip_articles: set[str],
) -> dict[str, list[str]]:
    """Copy the chunks a reader of ``source`` sees (vectors, text, metadata) as records of
    ``generation``, except those of ``skip_articles``; no re-embedding.

    Returns:
        The Chroma ids of the chunks copied, by article id.
    """
    copied: dict[str, list[str]] = {}
    for page in iter_pages(source, ["embeddings", "documents", "metadatas"], _COPY_PAGE):
        metadatas = page["metadatas"] or []
        keep = [
            i
            for i, m in enumerate(metadatas)
            if visibility.sees(m) and m.get("document_id") not in skip_articles
        ]
        if not keep:
            continue
        embeddings = page["embeddings"]
        stored = documents_of(page)
        documents = [stored[i] for i in keep]
        records: list[Any] = []
        ids = []
        for i in keep:
            record = dict(metadatas[i])
            record[GEN_ADDED], record[GEN_REMOVED] = generation, 0
            records.append(record)
            ids.append(record_id(node_id_of(page["ids"][i]), generation))
            copied.setdefault(str(record.get("document_id") or ""), []).append(ids[-1])
        target.add(
            ids=ids,
            embeddings=[embeddings[i] for i in keep],  # type: ignore[index,arg-type]
            # Records of chroma_record have no document; older ones may.
            documents=documents if any(d is not None for d in documents) else None,  # type: ignore[arg-type]
            metadatas=records,
        )
    return copied


def _max_batch(collection: Collection) -> int:
    try:
        return int(collection._client.get_max_batch_size())
    except Exception:
        return 5000
