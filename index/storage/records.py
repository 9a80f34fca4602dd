"""A chunk as a Chroma record, and reading a collection back page by page.

The record layout is newsbot's (see :func:`chroma_record`); reading it back is
llama-index's own (:func:`node_from_record`), so its retrievers see the same nodes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import GetResult
    from llama_index.core.schema import BaseNode

# Records read per call when a whole collection is read: bounds memory, and an embedded
# Chroma refuses more than a few thousand at once.
PAGE_SIZE = 5000


# What a chunk's Chroma record keeps outside llama-index's serialized node: the keys that
# searches filter on (and `document_id`, by which llama-index deletes an article's chunks).
FILTERED_KEYS = ("source", "published_day", "event_start", "event_end")
# The generation that added a record and the one that removed it (0: not removed); a reader
# at generation G sees the records with GEN_ADDED <= G and not 0 < GEN_REMOVED <= G
# (index/storage/generations.py).
GEN_ADDED = "gen_added"
GEN_REMOVED = "gen_removed"
_GENERATION_MARK = "@g"


def record_id(node_id: str, generation: int) -> str:
    """The Chroma id of a chunk added by ``generation``: an edited article's new chunks
    share their node ids with the old ones, which stay until no reader can see them."""
    return f"{node_id}{_GENERATION_MARK}{generation}"


def node_id_of(chroma_id: str) -> str:
    """The node id inside a Chroma id (records written before generations carry it bare)."""
    head, mark, tail = chroma_id.rpartition(_GENERATION_MARK)
    return head if mark and tail.isdigit() else chroma_id


def chroma_record(node: BaseNode, generation: int) -> dict[str, Any]:
    """The Chroma metadata stored for a chunk: llama-index's serialized node, text included,
    the keys searches filter on, and the generation that adds it.

    llama-index's own ``ChromaVectorStore.add`` also copies every metadata field beside the
    node (the nine-sentence window twice) and the text to Chroma's document column, which
    Chroma indexes for full-text search newsbot never uses (BM25 has its own index). On the
    1,502 chunks of `newsbot bench`, building and adding the library's records took
    0.74-0.90 s, these 0.41-0.53 s (four runs each, side by side).
    Read back, both give the same node: llama-index rebuilds nodes from the serialized one
    (see :func:`node_from_record`).
    """
    from llama_index.core.vector_stores.utils import node_to_metadata_dict

    full = node_to_metadata_dict(node, remove_text=False, flat_metadata=True)
    record = {k: full[k] for k in ("_node_content", "_node_type")}
    record["document_id"] = node.ref_doc_id or ""
    record.update({k: node.metadata[k] for k in FILTERED_KEYS if k in node.metadata})
    record[GEN_ADDED] = generation
    record[GEN_REMOVED] = 0
    return record


def node_from_record(metadata: Mapping[str, Any], document: str | None) -> BaseNode:
    """The chunk a Chroma record holds, as llama-index's own reads rebuild it."""
    from llama_index.core.vector_stores.utils import metadata_dict_to_node

    return metadata_dict_to_node(dict(metadata), text=document)


def documents_of(page: Mapping[str, Any]) -> list[str | None]:
    """The document column of a Chroma ``get`` page, None for records without one."""
    found: list[str | None] = [None] * len(page["ids"])
    for i, document in enumerate(page.get("documents") or []):
        found[i] = document
    return found


def iter_pages(
    collection: Collection,
    include: Sequence[str],
    page_size: int = PAGE_SIZE,
    where: Mapping[str, Any] | None = None,
) -> Iterator[GetResult]:
    """Every record of ``collection`` (or those ``where`` selects), ``page_size`` at a time,
    with the fields in ``include``."""
    offset = 0
    while True:
        page = collection.get(
            include=list(include),  # type: ignore[arg-type]
            limit=page_size,
            offset=offset,
            where=dict(where) if where else None,
        )
        if not page["ids"]:
            return
        offset += len(page["ids"])
        yield page
