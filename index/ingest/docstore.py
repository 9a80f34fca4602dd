"""The docstore of a generation, rebuilt from its Chroma records when its file is missing.

Another machine may have indexed the live generation into a shared Chroma server, or the
data directory may have been lost: the records themselves know every article's id, hash
and text, so the next re-index still embeds only what changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llama_index.core.schema import Document

from index.ingest.chunking import NOT_EMBEDDED

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from llama_index.core.storage.docstore import SimpleDocumentStore


def docstore_from_collection(collection: Collection) -> SimpleDocumentStore:
    """The docstore of a generation, rebuilt from its Chroma records.

    Every stored chunk carries llama-index's link to its article (id, hash and metadata of
    the article as it was indexed) and its window, cut verbatim from the article: so the
    hashes that decide what to re-embed are exact, and an article's text is its windows
    joined (only the text before the first and after the last sentence is lost).
    """
    from llama_index.core.storage.docstore import SimpleDocumentStore

    from index.storage.records import iter_pages, node_from_record

    found: dict[str, tuple[str, dict[str, Any], list[tuple[int, int, str]]]] = {}
    for page in iter_pages(collection, ["metadatas"]):
        for record in page["metadatas"] or []:
            chunk = node_from_record(record, None)
            source = chunk.source_node
            if source is None:
                continue
            entry = found.setdefault(
                source.node_id, (source.hash or "", dict(source.metadata or {}), [])
            )
            window = str(chunk.metadata.get("window") or "")
            start = int(chunk.metadata.get("window_start") or 0)
            end = int(chunk.metadata.get("window_end") or start + len(window))
            entry[2].append((start, end, window))
    docstore = SimpleDocumentStore()
    for article_id, (doc_hash, metadata, windows) in found.items():
        document = Document(
            id_=article_id,
            text=_stitch(windows),
            metadata=metadata,
            excluded_embed_metadata_keys=list(NOT_EMBEDDED),
            excluded_llm_metadata_keys=list(NOT_EMBEDDED),
        )
        docstore.add_documents([document])
        docstore.set_document_hash(article_id, doc_hash)
    return docstore


def _stitch(windows: list[tuple[int, int, str]]) -> str:
    """The article text covered by overlapping windows (start, end, text) of it."""
    parts: list[str] = []
    end: int | None = None
    for start, stop, text in sorted(windows):
        if end is None or start >= end:
            if end is not None and start > end:
                parts.append(" ")  # a gap between windows: only whitespace is lost there
            parts.append(text)
            end = stop
        elif stop > end:
            parts.append(text[end - start :])
            end = stop
    return "".join(parts)
