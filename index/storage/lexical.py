"""BM25 over the sentence windows of one index generation (llama-index's BM25 retriever).

Built by the indexer right after a generation's vectors are written, saved next to it,
and loaded by readers; a reader that finds no saved copy (a bot on another machine than
the indexer, with a Chroma server) builds it from the generation's own Chroma records.
"""

from __future__ import annotations

import logging
import math
import re
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from llama_index.core.schema import BaseNode
    from llama_index.retrievers.bm25 import BM25Retriever

log = logging.getLogger(__name__)

# bm25s's own tokenisation (its default pattern and English stop words), to score sentences
# with the same terms the index holds.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
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


@dataclass(frozen=True)
class LexicalIndex:
    """A loaded BM25 index plus per-record arrays for fast filtering."""

    retriever: BM25Retriever
    sources: np.ndarray  # source of each record, in BM25 corpus order
    days: np.ndarray  # YYYYMMDD of each record, 0 when undated
    event_starts: np.ndarray  # YYYYMMDD range of each record's event, 0 when not known
    event_ends: np.ndarray
    idf: dict[str, float]  # inverse document frequency of each indexed term

    def terms(self, text: str) -> list[str]:
        """The terms BM25 sees in ``text``: lower case, stop words out, Snowball stems."""
        stop_words = _stop_words()
        words = [w for w in _TOKEN.findall(text.lower()) if w not in stop_words]
        return list(self.retriever.stemmer.stemWords(words))

    def positioned_terms(self, text: str) -> tuple[list[int], list[int], list[str]] | None:
        """:meth:`terms` of ``text`` with each term's start and end offset in ``text``.

        None when lower-casing changes the text's length (a few non-Latin letters), which
        would shift the offsets; callers then use :meth:`terms` on each piece.
        """
        lowered = text.lower()
        if len(lowered) != len(text):
            return None
        stop_words = _stop_words()
        found = [m.span() for m in _TOKEN.finditer(lowered)]
        found = [(a, b) for a, b in found if lowered[a:b] not in stop_words]
        stems = list(self.retriever.stemmer.stemWords([lowered[a:b] for a, b in found]))
        return [a for a, _ in found], [b for _, b in found], stems


@cache
def _stop_words() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def _bm25_retriever_class() -> type[BM25Retriever]:
    from llama_index.retrievers.bm25 import BM25Retriever

    # bm25s sets its own logger to DEBUG when imported; its notes are not for our users.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return BM25Retriever


def build(collection: Collection, directory: Path) -> bool:
    """Index every record of ``collection`` (its window text) and save it in ``directory``.

    Returns:
        False when the collection is empty and there is nothing to save.
    """
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    from index.storage.records import documents_of, iter_pages, node_from_record

    BM25Retriever = _bm25_retriever_class()  # noqa: N806 - a class

    nodes: list[BaseNode] = []
    for page in iter_pages(collection, ["documents", "metadatas"]):
        for text, record in zip(documents_of(page), page["metadatas"] or [], strict=True):
            chunk = node_from_record(record, text)
            meta = chunk.metadata
            sentence = chunk.get_content()
            kept = {k: meta[k] for k in _KEPT if k in meta}
            start = getattr(chunk, "start_char_idx", None)
            kept["sentence_start"] = (
                start if start is not None else int(meta.get("window_start", 0))
            )
            nodes.append(
                TextNode(
                    id_=chunk.node_id,
                    text=str(meta.get("window") or sentence),
                    metadata={**kept, "sentence": sentence},
                    excluded_embed_metadata_keys=[k for k in kept if k != "title"] + ["sentence"],
                    relationships={
                        NodeRelationship.SOURCE: RelatedNodeInfo(
                            node_id=chunk.ref_doc_id or chunk.node_id
                        )
                    },
                )
            )
    if not nodes:
        return False
    retriever = BM25Retriever(nodes=nodes, similarity_top_k=min(10, len(nodes)))
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    retriever.persist(str(tmp), show_progress=False)
    shutil.rmtree(directory, ignore_errors=True)
    tmp.rename(directory)
    return True


def load_or_build(collection: Collection, directory: Path) -> LexicalIndex | None:
    """The BM25 index saved in ``directory``, built from ``collection`` first if missing.

    A freshly built retriever keeps its corpus outside the bm25s object, where the
    per-question retrievers (built from that object) cannot see it: readers always use the
    saved copy.
    """
    return load(directory) or (load(directory) if build(collection, directory) else None)


def load(directory: Path) -> LexicalIndex | None:
    """The BM25 index saved in ``directory``, or None when there is none."""
    if not (directory / "retriever.json").exists():
        return None
    retriever = _bm25_retriever_class().from_persist_dir(str(directory), show_progress=False)
    return _wrap(retriever)


def _wrap(retriever: BM25Retriever) -> LexicalIndex:
    corpus: list[dict[str, Any]] = retriever.corpus or []
    bm25 = retriever.bm25
    # Document frequency of a term = entries in its column of bm25s's sparse score matrix.
    frequencies = np.diff(np.asarray(bm25.scores["indptr"]))
    n = float(bm25.scores["num_docs"])
    idf = {
        term: math.log(1 + (n - frequencies[i] + 0.5) / (frequencies[i] + 0.5))
        for term, i in bm25.vocab_dict.items()
        if i < len(frequencies) and term
    }
    return LexicalIndex(
        retriever=retriever,
        sources=np.array([str(r.get("source", "")) for r in corpus], dtype=object),
        days=_numbers(corpus, "published_day"),
        event_starts=_numbers(corpus, "event_start"),
        event_ends=_numbers(corpus, "event_end"),
        idf=idf,
    )


def _numbers(corpus: list[dict[str, Any]], key: str) -> np.ndarray:
    return np.array([int(r.get(key) or 0) for r in corpus], dtype=np.int64)
