"""BM25 over the sentence windows of the live generation (llama-index's BM25 retriever).

What a reader searches at generation G is a *main* index (bm25s, built over the chunks
visible at some generation M <= G; ``main_index.py``) minus the chunks of it that G no
longer sees, plus a small *delta* of the chunks added after M (``delta.py``). The indexer
writes, per generation, a manifest naming the main index, the hidden chunks and the delta
(``manifest.py``), and rebuilds the main index from Chroma when the delta and the hidden
chunks together pass a share of it. A reader that finds no usable manifest (a bot on
another machine than the indexer, or a damaged file) builds a main index from the
generation's own Chroma records and carries on.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from index.storage.delta import Delta, DeltaRecord, Scoring, lucene_idf

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore, TextNode
    from llama_index.retrievers.bm25 import BM25Retriever


log = logging.getLogger(__name__)

# bm25s's own tokenisation (its default pattern and English stop words), to score sentences
# with the same terms the index holds.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class RecordFields:
    """Per-record arrays for filtering, in index order."""

    sources: np.ndarray  # source of each record
    days: np.ndarray  # YYYYMMDD of each record, 0 when undated
    event_starts: np.ndarray  # YYYYMMDD range of each record's event, 0 when not known
    event_ends: np.ndarray

    @classmethod
    def of(cls, metadatas: Sequence[Mapping[str, Any]]) -> RecordFields:
        return cls(
            sources=np.array([str(m.get("source", "")) for m in metadatas], dtype=object),
            days=_numbers(metadatas, "published_day"),
            event_starts=_numbers(metadatas, "event_start"),
            event_ends=_numbers(metadatas, "event_end"),
        )

    def __len__(self) -> int:
        return len(self.days)


@dataclass(frozen=True)
class MainIndex:
    """A bm25s index saved by llama-index's retriever, as loaded."""

    name: str  # its folder's name
    generation: int  # the generation whose visible chunks it holds
    retriever: BM25Retriever
    fields: RecordFields
    positions: Mapping[str, int]  # Chroma id -> position in the index
    scoring: Scoring


@dataclass(frozen=True)
class LexicalIndex:
    """What BM25 searches at one generation: the main index minus ``hidden``, plus a delta."""

    generation: int
    main: MainIndex
    hidden: frozenset[str]  # Chroma ids of main records this generation does not see
    hidden_mask: np.ndarray | None  # 1.0 where the main record is visible; None: all are
    delta: Delta
    delta_fields: RecordFields
    idf: dict[str, float]  # inverse document frequency of each indexed term

    @property
    def records(self) -> int:
        return len(self.main.fields) - len(self.hidden) + len(self.delta)

    def terms(self, text: str) -> list[str]:
        """The terms BM25 sees in ``text``: lower case, stop words out, Snowball stems."""
        return terms(text)

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
        stems = list(_stemmer().stemWords([lowered[a:b] for a, b in found]))
        return [a for a, _ in found], [b for _, b in found], stems

    def search(
        self,
        query: str,
        top_k: int,
        main_mask: np.ndarray | None,
        delta_mask: np.ndarray | None,
    ) -> list[NodeWithScore]:
        """The ``top_k`` best windows for ``query`` among the records the masks let through
        (None: every visible record), best first."""
        from llama_index.core.schema import NodeWithScore, QueryBundle

        hits: list[NodeWithScore] = []
        documents = len(self.main.fields)
        if main_mask is None or main_mask.any():
            retriever = _masked_retriever_class()(
                self.main.retriever.bm25, min(top_k, documents), main_mask
            )
            hits += retriever.retrieve(QueryBundle(query_str=query))
        if self.delta.records:
            scores = self.delta.scores(self.terms(query), self.main.scoring)
            if delta_mask is not None:
                scores *= delta_mask
            for i in np.argsort(-scores, kind="stable")[:top_k]:
                if scores[i] > 0:
                    hits.append(
                        NodeWithScore(
                            node=_delta_node(self.delta.records[i]), score=float(scores[i])
                        )
                    )
        hits.sort(key=lambda h: -(h.score or 0.0))
        return hits[:top_k]


def terms(text: str) -> list[str]:
    """BM25's terms of ``text`` (bm25s's tokenisation with English stop words and stems)."""
    stop_words = _stop_words()
    words = [w for w in _TOKEN.findall(text.lower()) if w not in stop_words]
    return list(_stemmer().stemWords(words))


@cache
def _stop_words() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


@cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")  # what llama-index's BM25 retriever uses


def bm25_retriever_class() -> type[BM25Retriever]:
    from llama_index.retrievers.bm25 import BM25Retriever

    # bm25s sets its own logger to DEBUG when imported; its notes are not for our users.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return BM25Retriever


@cache
def _masked_retriever_class() -> Any:
    """llama-index's BM25 retriever over a loaded index, with the record mask as an array.

    The library's retriever takes the mask as a Python list and converts it to an array on
    every question (at 100k records, 3-4 ms to make the list and as much to convert it);
    here the array is made once per generation (own code, measured). Query tokenising and
    node reading are the library's own.
    """

    class MaskedBM25Retriever(bm25_retriever_class()):  # type: ignore[misc]
        def __init__(self, bm25: Any, top_k: int, mask: np.ndarray | None) -> None:
            super().__init__(existing_bm25=bm25, similarity_top_k=top_k)
            self._mask = mask

        def _retrieve(self, query_bundle: Any) -> list[NodeWithScore]:
            import bm25s
            from llama_index.core.schema import NodeWithScore
            from llama_index.core.vector_stores.utils import metadata_dict_to_node

            tokens = bm25s.tokenize(
                query_bundle.query_str,
                stemmer=self.stemmer,
                token_pattern=self.token_pattern,
                show_progress=False,
            )
            indexes, scores = self.bm25.retrieve(
                tokens, k=self.similarity_top_k, show_progress=False, weight_mask=self._mask
            )
            # bm25s returns the corpus records themselves when it holds them, else positions.
            return [
                NodeWithScore(
                    node=metadata_dict_to_node(i if isinstance(i, dict) else self.corpus[int(i)]),
                    score=float(score),
                )
                for i, score in zip(indexes[0], scores[0], strict=True)
            ]

    return MaskedBM25Retriever


def view(
    generation: int,
    main: MainIndex,
    hidden: Iterable[str],
    delta: Sequence[DeltaRecord],
) -> LexicalIndex:
    """The index a reader at ``generation`` searches."""
    hidden_ids = frozenset(h for h in hidden if h in main.positions)
    mask = None
    if hidden_ids:
        mask = np.ones(len(main.fields), dtype=np.float32)
        mask[[main.positions[h] for h in hidden_ids]] = 0.0
    delta_index = Delta(list(delta))
    idf = dict(main.scoring.idf)
    documents = main.scoring.documents + len(delta_index)
    frequencies = delta_index.document_frequencies()
    for term, found in frequencies.items():
        if term not in idf:
            idf[term] = lucene_idf(found, documents)
    return LexicalIndex(
        generation=generation,
        main=main,
        hidden=hidden_ids,
        hidden_mask=mask,
        delta=delta_index,
        delta_fields=RecordFields.of([r.metadata for r in delta]),
        idf=idf,
    )


def _delta_node(record: DeltaRecord) -> TextNode:
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    return TextNode(
        id_=record.node_id,
        text=record.text,
        metadata=dict(record.metadata),
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=record.article_id)},
    )


def _numbers(metadatas: Sequence[Mapping[str, Any]], key: str) -> np.ndarray:
    return np.array([int(m.get(key) or 0) for m in metadatas], dtype=np.int64)
