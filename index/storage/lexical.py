"""BM25 over the sentence windows of the live generation (bm25s).

What a reader searches at generation G is a *main* index (bm25s, built over the chunks
visible at some generation M <= G; ``main_index.py``) minus the chunks of it that G no
longer sees, plus a small *delta* of the chunks added after M (``delta.py``). The indexer
writes, per generation, a manifest naming the main index, the hidden chunks and the delta
(``manifest.py``), and rebuilds the main index from Chroma when the delta and the hidden
chunks together pass a share of it. A reader that finds no usable manifest (a bot on
another machine than the indexer, or a damaged file) builds a main index from the
generation's own Chroma records and carries on.

A serving process keeps none of it per chunk in its own memory: the main index's score
matrices, record ids and filter fields are memory-mapped files (shared through the page
cache by every process of the machine), and a hit's text is read from Chroma only for the
hits a question ranks (``index/search/candidates.py``).
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from index.storage.delta import Delta, DeltaRecord, Scoring, lucene_idf

if TYPE_CHECKING:
    from llama_index.core.schema import TextNode

    from index.storage.vectors import VectorFile


log = logging.getLogger(__name__)

# bm25s's own tokenisation (its default pattern and English stop words), to score sentences
# with the same terms the index holds. Its pattern, r"(?u)\b\w\w+\b", finds the same maximal
# runs of word characters as this one, which skips the boundary checks: 30 % faster over the
# 1.8 M words of 100 questions' candidate windows (tests/unit/test_lexical_terms.py).
_TOKEN = re.compile(r"\w\w+")
_WORD_PAIR = re.compile(r"\w\w")  # a cut between these would split a word
# Stems of the words seen so far ("" for a stop word): PyStemmer's own cache costs 3.5 ms per
# 9,000 words, a dict 0.9 ms. Replaced, not cleared, when full, so a thread reading it still
# finds what it added.
_STEMS_KEPT = 200_000
_stems: dict[str, str] = {}
# A filter keeping at most 1/_FEW_RECORDS of the main index's records is searched among
# those records alone (LexicalIndex._search_main).
_FEW_RECORDS = 4


@dataclass(frozen=True)
class RecordFields:
    """Per-record arrays for filtering, in index order (memory-mapped for a saved main index)."""

    source_codes: np.ndarray  # position in ``source_names`` of each record's source
    source_names: tuple[str, ...]
    days: np.ndarray  # YYYYMMDD of each record, 0 when undated
    event_starts: np.ndarray  # YYYYMMDD range of each record's event, 0 when not known
    event_ends: np.ndarray

    @classmethod
    def of(cls, metadatas: Sequence[Mapping[str, Any]]) -> RecordFields:
        names: dict[str, int] = {}
        codes = [names.setdefault(str(m.get("source", "")), len(names)) for m in metadatas]
        return cls(
            source_codes=np.array(codes, dtype=np.int32),
            source_names=tuple(names),
            days=_numbers(metadatas, "published_day"),
            event_starts=_numbers(metadatas, "event_start"),
            event_ends=_numbers(metadatas, "event_end"),
        )

    def __len__(self) -> int:
        return len(self.days)

    def from_source(self, source: str) -> np.ndarray:
        """Which records come from ``source``."""
        if source not in self.source_names:
            return np.zeros(len(self), dtype=bool)
        return np.asarray(self.source_codes) == self.source_names.index(source)


class ChromaIds:
    """The Chroma id of each main-index record, by position, and the positions of given ids.

    Kept as fixed-width byte arrays (memory-mapped when saved) rather than a dict of a
    million strings: a question reads the 40 ids of its hits, a new generation looks up its
    hidden ones by binary search.
    """

    def __init__(self, by_position: np.ndarray, ordered: np.ndarray, order: np.ndarray) -> None:
        self.by_position = by_position  # id of record i (UTF-8 bytes)
        self.ordered = ordered  # the same ids, sorted
        self.order = order  # record position of each sorted id

    @classmethod
    def of(cls, ids: Sequence[str]) -> ChromaIds:
        by_position = np.array([i.encode("utf-8") for i in ids], dtype=bytes)
        order = np.argsort(by_position, kind="stable").astype(np.int32)
        return cls(by_position, by_position[order], order)

    def __len__(self) -> int:
        return len(self.by_position)

    def at(self, positions: Sequence[int] | np.ndarray) -> list[str]:
        """The ids of the records at ``positions``."""
        return [bytes(b).decode("utf-8") for b in self.by_position[np.asarray(positions, int)]]

    def positions_of(self, ids: Iterable[str]) -> dict[str, int]:
        """The position of each of ``ids`` the index holds (the others are left out)."""
        wanted = list(ids)
        if not wanted or not len(self):
            return {}
        keys = np.array([i.encode("utf-8") for i in wanted], dtype=bytes)
        at = np.minimum(np.searchsorted(self.ordered, keys), len(self) - 1)
        found = self.ordered[at] == keys
        return {i: int(self.order[a]) for i, a, f in zip(wanted, at, found, strict=True) if f}


@dataclass(frozen=True)
class MainIndex:
    """A bm25s index with its records' Chroma ids and filter fields, as loaded: the score
    matrices and the arrays memory-mapped, the chunk texts left in Chroma."""

    name: str  # its folder's name
    generation: int  # the generation whose visible chunks it holds
    bm25: Any  # bm25s.BM25 without a corpus
    fields: RecordFields
    ids: ChromaIds
    scoring: Scoring
    # Each record's stored vector (``vectors.py``); None for an index saved without them,
    # whose filtered dense searches then ask Chroma to filter.
    vectors: VectorFile | None = None


@dataclass(frozen=True, slots=True)
class LexicalHit:
    """A record BM25 found: the node itself when at hand (delta records), else only its ids
    (main-index records, whose text is read from Chroma if the question needs it)."""

    chroma_id: str
    node_id: str
    score: float
    node: TextNode | None = None
    position: int | None = None  # its row in the main index (main-index records)


@dataclass(frozen=True)
class LexicalIndex:
    """What BM25 searches at one generation: the main index minus ``hidden``, plus a delta."""

    generation: int
    main: MainIndex
    hidden: frozenset[str]  # Chroma ids of main records this generation does not see
    hidden_mask: np.ndarray | None  # 1.0 where the main record is visible; None: all are
    delta: Delta
    delta_fields: RecordFields
    idf: Mapping[str, float]  # inverse document frequency of each indexed term

    @property
    def records(self) -> int:
        return len(self.main.fields) - len(self.hidden) + len(self.delta)

    def terms(self, text: str) -> list[str]:
        """The terms BM25 sees in ``text``: lower case, stop words out, Snowball stems."""
        return terms(text)

    def piece_terms(self, text: str, cuts: list[int]) -> list[list[str]] | None:
        """:meth:`terms` of each piece of ``text`` between consecutive ``cuts`` (sorted
        offsets, 0 and ``len(text)`` among them): tokenised piece by piece, they add up to the
        terms of any run of pieces.

        None when a cut falls inside a word, or lower-casing changes the text's length (a
        few non-Latin letters) and so would shift the offsets; callers then use :meth:`terms`.
        """
        lowered = text.lower()
        if len(lowered) != len(text):
            return None
        if any(_WORD_PAIR.fullmatch(lowered, cut - 1, cut + 1) for cut in cuts[1:-1]):
            return None
        return [stemmed(_TOKEN.findall(lowered, a, b)) for a, b in itertools.pairwise(cuts)]

    def search(
        self,
        query: str,
        top_k: int,
        main_mask: np.ndarray | None,
        delta_mask: np.ndarray | None,
    ) -> list[LexicalHit]:
        """The ``top_k`` best windows for ``query`` among the records the masks let through
        (None: every visible record), best first."""
        from index.storage.records import node_id_of

        hits: list[LexicalHit] = []
        if main_mask is None or main_mask.any():
            positions, scores = self._search_main(query, top_k, main_mask)
            ids = self.main.ids.at(positions)
            hits += [
                LexicalHit(
                    chroma_id=i, node_id=node_id_of(i), score=float(score), position=int(row)
                )
                for i, row, score in zip(ids, positions, scores, strict=True)
            ]
        if self.delta.records:
            scores = self.delta.scores(self.terms(query), self.main.scoring)
            if delta_mask is not None:
                scores *= delta_mask
            for i in np.argsort(-scores, kind="stable")[:top_k]:
                if scores[i] > 0:
                    record = self.delta.records[i]
                    hits.append(
                        LexicalHit(
                            chroma_id=record.chroma_id,
                            node_id=record.node_id,
                            score=float(scores[i]),
                            node=_delta_node(record),
                        )
                    )
        hits.sort(key=lambda h: -h.score)
        return hits[:top_k]

    def _search_main(
        self, query: str, top_k: int, mask: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The main index's best positions for ``query`` and their scores, best first.

        A filter that keeps few records (a year of a long archive) picks its best among those
        alone: bm25s would pick the top of every record's masked score, which at a million
        chunks costs some 25 ms of ``argpartition`` over zeros. The scores are the same;
        only records of equal score may come in another order (here by position).
        """
        bm25s = bm25s_module()
        # Tokenised and searched as llama-index's BM25 retriever does (its pattern, its
        # stemmer, no stop list for the question); only its reading of nodes is left out.
        tokens = bm25s.tokenize(
            query, stemmer=_stemmer(), token_pattern=_TOKEN.pattern, show_progress=False
        )
        documents = len(self.main.fields)
        rows = None if mask is None else np.flatnonzero(mask)
        if rows is None or len(rows) * _FEW_RECORDS > documents:
            positions, scores = self.main.bm25.retrieve(
                tokens, k=min(top_k, documents), show_progress=False, weight_mask=mask
            )
            return positions[0], scores[0]
        bm25 = self.main.bm25
        words = bm25s.tokenization.convert_tokenized_to_string_list(tokens)[0]
        every = bm25.get_scores_from_ids(bm25.get_tokens_ids(words))
        kept = np.asarray(every[rows])
        if len(kept) > top_k:
            best = np.sort(np.argpartition(-kept, top_k - 1)[:top_k])
        else:
            best = np.arange(len(kept))
        best = best[np.argsort(-kept[best], kind="stable")]
        return rows[best], kept[best]


def terms(text: str) -> list[str]:
    """BM25's terms of ``text`` (bm25s's tokenisation with English stop words and stems)."""
    return stemmed(_TOKEN.findall(text.lower()))


def stemmed(words: list[str]) -> list[str]:
    """The stems of ``words`` (lower case) in order, stop words left out."""
    global _stems
    known = _stems
    new = set(words).difference(known)
    if new:
        if len(known) + len(new) > _STEMS_KEPT:
            known = _stems = {}
            new = set(words)
        stop_words = _stop_words()
        unknown = list(new)
        stems = _stemmer().stemWords(unknown)
        known.update(
            (w, "" if w in stop_words else stem) for w, stem in zip(unknown, stems, strict=True)
        )
    return list(filter(None, map(known.__getitem__, words)))


@cache
def _stop_words() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


@cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")  # what llama-index's BM25 retriever uses


def tokenize_documents(texts: list[str]) -> Any:
    """bm25s's tokens of ``texts`` (term ids and their vocabulary), as llama-index's BM25
    retriever tokenises the documents it indexes."""
    return bm25s_module().tokenize(
        texts, stopwords="en", stemmer=_stemmer(), token_pattern=_TOKEN.pattern, show_progress=False
    )


def bm25s_module() -> Any:
    """bm25s, imported when first needed."""
    import bm25s

    # bm25s sets its own logger to DEBUG when imported; its notes are not for our users.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def view(
    generation: int,
    main: MainIndex,
    hidden: Iterable[str],
    delta: Sequence[DeltaRecord],
) -> LexicalIndex:
    """The index a reader at ``generation`` searches."""
    positions = main.ids.positions_of(hidden)
    mask = None
    if positions:
        mask = np.ones(len(main.fields), dtype=np.float32)
        mask[list(positions.values())] = 0.0
    delta_index = Delta(list(delta))
    documents = main.scoring.documents + len(delta_index)
    extra = {
        term: lucene_idf(found, documents)
        for term, found in delta_index.document_frequencies().items()
        if term not in main.scoring.idf
    }
    return LexicalIndex(
        generation=generation,
        main=main,
        hidden=frozenset(positions),
        hidden_mask=mask,
        delta=delta_index,
        delta_fields=RecordFields.of([r.metadata for r in delta]),
        # The main index's IDF is read from its matrix when asked (main_index.TermIdf);
        # terms only the delta holds get the IDF they would have.
        idf=_DeltaIdf(extra, main.scoring.idf) if extra else main.scoring.idf,
    )


class _DeltaIdf(Mapping[str, float]):
    """The main index's IDF, and that of the terms only the delta holds."""

    def __init__(self, extra: dict[str, float], main: Mapping[str, float]) -> None:
        self._extra = extra
        self._main = main

    def __getitem__(self, term: str) -> float:
        found = self._extra.get(term)
        return self._main[term] if found is None else found

    def __contains__(self, term: object) -> bool:
        return term in self._extra or term in self._main

    def __iter__(self) -> Iterator[str]:
        yield from self._extra
        yield from self._main

    def __len__(self) -> int:
        return len(self._extra) + len(self._main)


def _delta_node(record: DeltaRecord) -> TextNode:
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    return TextNode(
        id_=record.node_id,
        text=record.text,
        metadata=dict(record.metadata),
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=record.article_id)},
    )


def _numbers(metadatas: Sequence[Mapping[str, Any]], key: str) -> np.ndarray:
    # YYYYMMDD fits in 32 bits: half the memory of int64, the same comparisons.
    return np.array([int(m.get(key) or 0) for m in metadatas], dtype=np.int32)
