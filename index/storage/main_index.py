"""The main BM25 index: the BM25 node of each chunk, built over the chunks a generation sees,
saved as bm25s's files plus newsbot's (the records' Chroma ids and filter fields, and a
sidecar with the generation and the mean length the delta scores with), and loaded back
memory-mapped (``lexical.py`` searches it).

```
bm25-g000003/
  data.csc.index.npy, indices.csc.index.npy, indptr.csc.index.npy   bm25s's score matrix
  vocab.index.json, params.index.json                                bm25s's terms, constants
  ids.npy, ids-sorted.npy, ids-order.npy     Chroma id of each record; sorted, for look-ups
  days.npy, event-starts.npy, event-ends.npy, source-codes.npy, sources.json   for filters
  newsbot.json                               format, generation, mean length, documents
  vectors.f32, vectors.json                  each record's stored vector (``vectors.py``)
```

The chunk texts are not saved here: Chroma holds them, and a question reads the few it
ranks (at a million chunks the saved corpus alone would be gigabytes, held by every bot).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import secrets
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.storage.delta import DeltaRecord, Scoring, lucene_idf
from index.storage.lexical import (
    ChromaIds,
    MainIndex,
    RecordFields,
    bm25s_module,
    terms,
    tokenize_documents,
)
from index.storage.vectors import VectorWriter, derive_vectors, load_vectors

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from llama_index.core.schema import BaseNode, TextNode

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
# 2: no corpus, ids and fields in arrays (issue 15). A main index of another format is
# rebuilt from Chroma like a damaged one.
_FORMAT = 2
_ARRAYS = {
    "ids": "ids.npy",
    "ordered": "ids-sorted.npy",
    "order": "ids-order.npy",
    "days": "days.npy",
    "event_starts": "event-starts.npy",
    "event_ends": "event-ends.npy",
    "source_codes": "source-codes.npy",
}
_SOURCES = "sources.json"
# What filters read of each record (RecordFields).
_FILTERED = ("source", "published_day", "event_start", "event_end")
# Chunks tokenised at a time while a main index is built.
_BATCH = 5000


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


def read_nodes(
    collection: Any, rows: Mapping[str, int], main: MainIndex
) -> dict[str, tuple[TextNode, Any]]:
    """The BM25 node and stored vector of each record of ``rows`` (Chroma id -> its row in
    ``main``) still in ``collection``, by Chroma id: what a question needs of the main
    index's hits. One Chroma read; the vectors come from the main index's vector file when
    it has one (Chroma's took 4.4 ms more for 40 records at 100k chunks: docs/decisions.md)."""
    from index.storage.records import documents_of, node_from_record

    if not rows:
        return {}
    saved = main.vectors
    include = ["documents", "metadatas"] + ([] if saved is not None else ["embeddings"])
    got = collection.get(ids=list(rows), include=include)
    if saved is not None:
        ascending = sorted(rows, key=rows.__getitem__)  # the file is read in row order
        stored = saved.read(np.array([rows[i] for i in ascending]))
        by_id = dict(zip(ascending, stored, strict=True))
        vectors = [by_id[chroma_id] for chroma_id in got["ids"]]
    else:
        vectors = list(got["embeddings"])
    found: dict[str, tuple[TextNode, Any]] = {}
    for chroma_id, text, record, vector in zip(
        got["ids"], documents_of(got), got["metadatas"] or [], vectors, strict=True
    ):
        if record is not None:  # deleted by another process meanwhile
            found[chroma_id] = (bm25_node(node_from_record(record, text), chroma_id), vector)
    return found


def visible_nodes(collection: Collection, visibility: Visibility) -> Iterator[TextNode]:
    """The BM25 node of every chunk of ``collection`` a reader with ``visibility`` sees, read
    a page at a time, its stored vector as the node's ``embedding`` (a numpy row, which
    :func:`build_main` saves beside the index)."""
    from index.storage.records import documents_of, iter_pages, node_from_record

    for page in iter_pages(collection, ["documents", "metadatas", "embeddings"]):
        vectors = page.get("embeddings")
        for i, (chroma_id, text, record) in enumerate(
            zip(page["ids"], documents_of(page), page["metadatas"] or [], strict=True)
        ):
            if visibility.sees(record):
                node = bm25_node(node_from_record(record, text), chroma_id)
                if vectors is not None:
                    # Past pydantic's validation, which would make a list of 384 floats of
                    # it (0.2 ms a node: minutes at a million).
                    object.__setattr__(node, "embedding", vectors[i])
                yield node


def build_main(nodes: Iterable[TextNode], directory: Path, generation: int) -> MainIndex | None:
    """A main index of ``nodes``, saved in ``directory`` (when it can be); None when empty.

    The nodes are read a batch at a time and only their terms, ids and filter fields are
    kept, so a million chunks are indexed without a million nodes in memory. The scores are
    bm25s's, tokenised as llama-index's BM25 retriever does (tests/unit/test_lexical_main.py
    compares the two). When every node carries its embedding, the vectors are written to a
    file as they come and saved beside the index (``vectors.py``).
    """
    from llama_index.core.schema import MetadataMode

    bm25s = bm25s_module()
    directory.parent.mkdir(parents=True, exist_ok=True)
    writer: VectorWriter | None = VectorWriter(
        directory.with_name(f".{directory.name}-vectors-{secrets.token_hex(4)}")
    )
    vocabulary: dict[str, int] = {}
    pieces: list[np.ndarray] = []
    lengths: list[int] = []
    ids: list[str] = []
    metadatas: list[dict[str, Any]] = []
    batch: list[TextNode] = []

    def add(batch: list[TextNode]) -> None:
        nonlocal writer
        texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in batch]
        tokenized = tokenize_documents(texts)
        # The batch's own term ids, mapped to the whole index's at once.
        to_index = np.empty(len(tokenized.vocab), dtype=np.int32)
        for term, i in tokenized.vocab.items():
            to_index[i] = vocabulary.setdefault(term, len(vocabulary))
        found = np.fromiter(itertools.chain.from_iterable(tokenized.ids), dtype=np.int32)
        pieces.append(to_index[found])
        lengths.extend(len(words) for words in tokenized.ids)
        for n in batch:
            ids.append(str(n.metadata.get("chroma_id") or n.node_id))
            metadatas.append({k: n.metadata[k] for k in _FILTERED if k in n.metadata})
        if writer is not None and all(n.embedding is not None for n in batch):
            writer.add([n.embedding for n in batch])
        elif writer is not None:
            writer.discard()
            writer = None

    try:
        for node in nodes:
            batch.append(node)
            if len(batch) == _BATCH:
                add(batch)
                batch = []
        if batch:
            add(batch)
    except BaseException:
        if writer is not None:
            writer.discard()
        raise
    if not ids:
        if writer is not None:
            writer.discard()
        return None
    flat = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
    pieces.clear()
    bm25 = bm25s.BM25()
    scores = bm25.build_index_from_ids(
        unique_token_ids=list(range(len(vocabulary))),
        corpus_token_ids=_TokenLists(flat, np.cumsum([0, *lengths])),
        show_progress=False,
    )
    # As bm25s's own ``index`` leaves it: an empty term past the matrix, for empty questions.
    vocabulary.setdefault("", len(vocabulary))
    bm25.scores = scores
    bm25.vocab_dict = vocabulary
    bm25.unique_token_ids_set = set(vocabulary.values())
    sidecar = {
        "format": _FORMAT,
        "generation": generation,
        "avgdl": float(np.mean(lengths)),
        "documents": len(ids),
    }
    fields = RecordFields.of(metadatas)
    chroma_ids = ChromaIds.of(ids)
    try:
        _save(bm25, chroma_ids, fields, sidecar, directory, writer)
    except OSError as e:
        log.warning("could not save the BM25 index in %s (%s); it is kept in memory", directory, e)
        return _main(directory.name, bm25, chroma_ids, fields, sidecar)
    finally:
        if writer is not None:
            writer.discard()  # moved into the index unless saving failed
    return load_main(directory)


class _TokenLists(Sequence[list[int]]):
    """Each document's term ids, out of one flat array, as the lists bm25s's index builder
    reads (a list of lists of Python ints for a million chunks takes twice the memory)."""

    def __init__(self, flat: np.ndarray, bounds: np.ndarray) -> None:
        self._flat = flat
        self._bounds = bounds

    def __len__(self) -> int:
        return len(self._bounds) - 1

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self._flat[self._bounds[i] : self._bounds[i + 1]].tolist()

    def __iter__(self) -> Iterator[list[int]]:
        for i in range(len(self)):
            yield self[i]


def _save(
    bm25: Any,
    ids: ChromaIds,
    fields: RecordFields,
    sidecar: Mapping[str, Any],
    directory: Path,
    vectors: VectorWriter | None = None,
) -> None:
    """Save a main index in ``directory``, replacing what is there (a damaged copy, or one
    another process built meanwhile from the same records), with the vectors ``vectors``
    wrote."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.with_name(f".{directory.name}-{secrets.token_hex(4)}")
    tmp.mkdir()
    aside = directory.with_name(f".{directory.name}-old-{secrets.token_hex(4)}")
    try:
        bm25.save(str(tmp), show_progress=False)
        arrays = {
            "ids": ids.by_position,
            "ordered": ids.ordered,
            "order": ids.order,
            "days": fields.days,
            "event_starts": fields.event_starts,
            "event_ends": fields.event_ends,
            "source_codes": fields.source_codes,
        }
        for key, name in _ARRAYS.items():
            np.save(tmp / name, arrays[key], allow_pickle=False)
        (tmp / _SOURCES).write_text(json.dumps(list(fields.source_names)), encoding="utf-8")
        (tmp / _SIDECAR).write_text(json.dumps(dict(sidecar)), encoding="utf-8")
        if vectors is not None:
            vectors.finish(tmp)
        if directory.exists():
            directory.rename(aside)
        tmp.rename(directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(aside, ignore_errors=True)


def load_main(directory: Path) -> MainIndex:
    """The main index saved in ``directory``, its matrices and arrays memory-mapped.

    Raises:
        OSError, ValueError, KeyError: It is missing, damaged or of an older format
            (callers rebuild it).
    """
    sidecar = _sidecar(directory)
    bm25 = bm25s_module().BM25.load(
        str(directory), mmap=True, load_corpus=False, show_progress=False
    )
    arrays = {
        key: np.load(directory / name, mmap_mode="r", allow_pickle=False)
        for key, name in _ARRAYS.items()
    }
    sources = json.loads((directory / _SOURCES).read_text(encoding="utf-8"))
    fields = RecordFields(
        source_codes=arrays["source_codes"],
        source_names=tuple(str(s) for s in sources),
        days=arrays["days"],
        event_starts=arrays["event_starts"],
        event_ends=arrays["event_ends"],
    )
    ids = ChromaIds(arrays["ids"], arrays["ordered"], arrays["order"])
    main = _main(directory.name, bm25, ids, fields, sidecar)
    vectors = load_vectors(directory, len(ids))
    return main if vectors is None else dataclasses.replace(main, vectors=vectors)


def ensure_vectors(collection: Collection, directory: Path) -> int:
    """Save, from ``collection``, the vectors of the main index in ``directory`` if it was
    saved without them (before they were kept): the rows written, 0 when they were there.
    A million chunks take about 80 s; until then filtered searches ask Chroma to filter.
    """
    main = load_main(directory)
    if main.vectors is not None:
        return 0
    return derive_vectors(collection, directory, main.ids)


def _sidecar(directory: Path) -> dict[str, Any]:
    sidecar: dict[str, Any] = json.loads((directory / _SIDECAR).read_text(encoding="utf-8"))
    if sidecar.get("format") != _FORMAT:
        raise ValueError(f"a BM25 index of an older format ({sidecar.get('format', 1)})")
    return sidecar


def _main(
    name: str, bm25: Any, ids: ChromaIds, fields: RecordFields, sidecar: Mapping[str, Any]
) -> MainIndex:
    documents = int(bm25.scores["num_docs"])
    if not len(ids) == len(fields) == documents:
        raise ValueError(f"BM25 index has {len(ids)} ids and {len(fields)} records for {documents}")
    scoring = Scoring(
        k1=float(bm25.k1),
        b=float(bm25.b),
        avgdl=float(sidecar["avgdl"]),
        documents=documents,
        idf=TermIdf(bm25.vocab_dict, bm25.scores["indptr"], documents),
    )
    return MainIndex(
        name=name,
        generation=int(sidecar.get("generation") or 0),
        bm25=bm25,
        fields=fields,
        ids=ids,
        scoring=scoring,
    )


class TermIdf(Mapping[str, float]):
    """The IDF of each term of a main index, from its score matrix when asked: a term's
    document frequency is the length of its column (bm25s's CSC pointers). A dict of every
    term's IDF would hold the vocabulary a second time in each process."""

    def __init__(self, vocabulary: Mapping[str, int], indptr: np.ndarray, documents: int) -> None:
        self._vocabulary = vocabulary
        self._indptr = indptr
        self._documents = documents

    def _column(self, term: object) -> int | None:
        i = self._vocabulary.get(term) if isinstance(term, str) and term else None
        # bm25s adds an empty term past the matrix
        return i if i is not None and i < len(self._indptr) - 1 else None

    def __getitem__(self, term: str) -> float:
        i = self._column(term)
        if i is None:
            raise KeyError(term)
        return lucene_idf(int(self._indptr[i + 1] - self._indptr[i]), self._documents)

    def __contains__(self, term: object) -> bool:
        return self._column(term) is not None

    def __iter__(self) -> Iterator[str]:
        return (t for t in self._vocabulary if self._column(t) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def merge_threshold(documents: int) -> float:
    """How many delta and hidden chunks a main index of ``documents`` tolerates before it is
    rebuilt."""
    return max(MERGE_MIN, MERGE_SHARE * documents)


def main_documents(directory: Path) -> int:
    """How many chunks the main index in ``directory`` holds (from its sidecar, unread).

    Raises:
        OSError, ValueError, KeyError: The sidecar is missing, damaged or of an older format.
    """
    return int(_sidecar(directory)["documents"])


def looks_saved(directory: Path) -> bool:
    """Whether ``directory`` holds a main index of this format with all its files (a cheap
    check: the files themselves are read by the first question)."""
    try:
        _sidecar(directory)
    except (OSError, ValueError, KeyError, TypeError):
        return False
    names = ("params.index.json", "vocab.index.json", _SOURCES, *_ARRAYS.values())
    return all((directory / name).is_file() for name in names)
