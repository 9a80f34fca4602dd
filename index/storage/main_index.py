"""The main BM25 index: the BM25 node of each chunk, built over the chunks a generation sees,
saved by llama-index's retriever (plus newsbot's sidecar: the generation and the mean
length the delta scores with) and loaded back (``lexical.py`` searches it)."""

from __future__ import annotations

import json
import logging
import secrets
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.storage.delta import DeltaRecord, Scoring, lucene_idf
from index.storage.lexical import MainIndex, RecordFields, bm25_retriever_class, terms

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from llama_index.core.schema import BaseNode, TextNode
    from llama_index.retrievers.bm25 import BM25Retriever

    from index.storage.generations import Visibility

log = logging.getLogger(__name__)

# Fields kept with each BM25 record, beside the searched text, for filters and citations.
_KEPT = (
    "title",
    "source",
    "published_at",
    "published_day",
    "url",
    "window_start",
    "window_end",
    "event_start",
    "event_end",
    "event_date",
    "event_ranges",
    "news_date",
)
# The main index is rebuilt when the delta plus the hidden chunks pass this share of it (and
# MERGE_MIN records): docs/decisions.md, "Storage: incremental generations".
MERGE_SHARE = 0.05
MERGE_MIN = 50
_SIDECAR = "newsbot.json"


def bm25_node(chunk: BaseNode, chroma_id: str) -> TextNode:
    """The node BM25 indexes for a chunk: its window (searched, with the title), the fields
    filters and citations need, the sentence itself and the chunk's Chroma id."""
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    meta = chunk.metadata
    sentence = chunk.get_content()
    kept: dict[str, Any] = {k: meta[k] for k in _KEPT if k in meta}
    start = getattr(chunk, "start_char_idx", None)
    kept["sentence_start"] = start if start is not None else int(meta.get("window_start", 0))
    return TextNode(
        id_=chunk.node_id,
        text=str(meta.get("window") or sentence),
        metadata={**kept, "sentence": sentence, "chroma_id": chroma_id},
        excluded_embed_metadata_keys=[k for k in kept if k != "title"] + ["sentence", "chroma_id"],
        relationships={
            NodeRelationship.SOURCE: RelatedNodeInfo(node_id=chunk.ref_doc_id or chunk.node_id)
        },
    )


def delta_record(node: TextNode) -> DeltaRecord:
    """A chunk's BM25 node (:func:`bm25_node`) as a delta record."""
    from llama_index.core.schema import MetadataMode

    return DeltaRecord(
        node_id=node.node_id,
        chroma_id=str(node.metadata["chroma_id"]),
        article_id=node.ref_doc_id or node.node_id,
        text=node.get_content(),
        metadata=dict(node.metadata),
        terms=tuple(terms(node.get_content(metadata_mode=MetadataMode.EMBED))),
    )


def visible_nodes(collection: Collection, visibility: Visibility) -> list[TextNode]:
    """The BM25 node of every chunk of ``collection`` a reader with ``visibility`` sees."""
    from index.storage.records import documents_of, iter_pages, node_from_record

    nodes = []
    for page in iter_pages(collection, ["documents", "metadatas"]):
        for chroma_id, text, record in zip(
            page["ids"], documents_of(page), page["metadatas"] or [], strict=True
        ):
            if visibility.sees(record):
                nodes.append(bm25_node(node_from_record(record, text), chroma_id))
    return nodes


def build_main(nodes: Sequence[TextNode], directory: Path, generation: int) -> MainIndex | None:
    """A main index of ``nodes``, saved in ``directory`` (when it can be); None when empty."""
    from llama_index.core.schema import MetadataMode

    if not nodes:
        return None
    retriever_class = bm25_retriever_class()
    retriever = retriever_class(nodes=list(nodes), similarity_top_k=min(10, len(nodes)))
    lengths = [len(terms(n.get_content(metadata_mode=MetadataMode.EMBED))) for n in nodes]
    sidecar = {"generation": generation, "avgdl": float(np.mean(lengths)), "documents": len(nodes)}
    try:
        _save(retriever, sidecar, directory)
    except OSError as e:
        log.warning("could not save the BM25 index in %s (%s); it is kept in memory", directory, e)
        return _wrap(directory.name, retriever, sidecar)
    return load_main(directory)


def _save(retriever: BM25Retriever, sidecar: Mapping[str, Any], directory: Path) -> None:
    """Save a main index in ``directory``, replacing what is there (a damaged copy, or one
    another process built meanwhile from the same records)."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.with_name(f".{directory.name}-{secrets.token_hex(4)}")
    tmp.mkdir()
    aside = directory.with_name(f".{directory.name}-old-{secrets.token_hex(4)}")
    try:
        retriever.persist(str(tmp), show_progress=False)
        (tmp / _SIDECAR).write_text(json.dumps(dict(sidecar)), encoding="utf-8")
        if directory.exists():
            directory.rename(aside)
        tmp.rename(directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(aside, ignore_errors=True)


def load_main(directory: Path) -> MainIndex:
    """The main index saved in ``directory``.

    Raises:
        OSError, ValueError, KeyError: It is missing or damaged (callers rebuild it).
    """
    sidecar = json.loads((directory / _SIDECAR).read_text(encoding="utf-8"))
    retriever = bm25_retriever_class().from_persist_dir(str(directory), show_progress=False)
    return _wrap(directory.name, retriever, sidecar)


def _wrap(name: str, retriever: BM25Retriever, sidecar: Mapping[str, Any]) -> MainIndex:
    corpus: list[dict[str, Any]] = list(retriever.corpus or [])
    bm25 = retriever.bm25
    if bm25.corpus is None:
        # Built here and not saved: the per-question retrievers read the corpus from bm25s.
        bm25.corpus = corpus
    documents = int(bm25.scores["num_docs"])
    if len(corpus) != documents:
        raise ValueError(f"BM25 corpus has {len(corpus)} records for {documents} documents")
    # Document frequency of a term = entries in its column of bm25s's sparse score matrix.
    frequencies = np.diff(np.asarray(bm25.scores["indptr"]))
    idf = {
        term: lucene_idf(int(frequencies[i]), documents)
        for term, i in bm25.vocab_dict.items()
        if i < len(frequencies) and term
    }
    # llama-index keeps each node's metadata flat in the record, beside the serialized node.
    positions = {str(r.get("chroma_id") or r.get("node_id")): i for i, r in enumerate(corpus)}
    scoring = Scoring(
        k1=float(bm25.k1),
        b=float(bm25.b),
        avgdl=float(sidecar["avgdl"]),
        documents=documents,
        idf=idf,
    )
    return MainIndex(
        name=name,
        generation=int(sidecar.get("generation") or 0),
        retriever=retriever,
        fields=RecordFields.of(corpus),
        positions=positions,
        scoring=scoring,
    )


def merge_threshold(documents: int) -> float:
    """How many delta and hidden chunks a main index of ``documents`` tolerates before it is
    rebuilt."""
    return max(MERGE_MIN, MERGE_SHARE * documents)


def main_documents(directory: Path) -> int:
    """How many chunks the main index in ``directory`` holds (from its sidecar, unread).

    Raises:
        OSError, ValueError, KeyError: The sidecar is missing or damaged.
    """
    return int(json.loads((directory / _SIDECAR).read_text(encoding="utf-8"))["documents"])
