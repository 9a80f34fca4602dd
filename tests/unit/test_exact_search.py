"""Filtered searches without Chroma's ``where``: dense search scores exactly the records BM25's
filter fields select, from the vectors saved beside the main index, and BM25 picks its best
among a small selection alone; both give what a brute force over the same records gives."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from llama_index.core.schema import TextNode

from index.models import SearchFilters
from index.search import exact
from index.search.exact import broad_search, exact_search
from index.search.filters import EventRange, bm25_masks, selected
from index.storage import lexical
from index.storage.lexical import LexicalIndex, view
from index.storage.main_index import (
    bm25_node,
    build_main,
    delta_record,
    ensure_vectors,
    load_main,
)
from index.storage.vectors import derive_vectors, load_vectors

DIM = 16
RECORDS = 60
WORDS = "harbour bridge council tram ferry storm apple harvest bees election vote budget".split()


def _vector(i: int) -> np.ndarray:
    return np.random.default_rng(i).normal(size=DIM).astype(np.float32)


def _chunk(i: int) -> TextNode:
    rng = np.random.default_rng(1000 + i)
    window = " ".join(rng.choice(WORDS, size=int(rng.integers(3, 9)))) + f" item{i}"
    year = 2000 + i % 6
    return TextNode(
        id_=f"a{i}#s0",
        text=window,
        metadata={
            "title": f"Report {i}",
            "source": "Wire" if i % 3 else "Post",
            "window": window,
            "published_day": year * 10000 + 101,
            "event_start": year * 10000 + 101 if i % 5 else 0,
            "event_end": year * 10000 + 1231 if i % 5 else 0,
        },
    )


def _node(i: int, generation: int = 1, *, with_vector: bool = True) -> TextNode:
    node = bm25_node(_chunk(i), f"a{i}#s0@g{generation}")
    if with_vector:
        object.__setattr__(node, "embedding", _vector(i + 100 * generation))
    return node


class FakeCollection:
    """What the search reads of a Chroma collection: stored vectors by id, and the nearest
    visible records of a query (an exact graph, as the live generation sees it)."""

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors
        self.asked: list[list[str]] = []
        self.hidden: set[str] = set()

    def query(
        self, *, query_embeddings: list[np.ndarray], n_results: int, include: list[str]
    ) -> dict[str, Any]:
        query = query_embeddings[0]
        scored = sorted(
            (1.0 - float(v @ query / np.linalg.norm(v)), i)
            for i, v in self.vectors.items()
            if i not in self.hidden
        )[:n_results]
        return {"ids": [[i for _, i in scored]], "distances": [[d for d, _ in scored]]}

    def get(self, *, ids: Sequence[str], include: Sequence[str]) -> dict[str, Any]:
        assert list(include) == ["embeddings"]
        self.asked.append(list(ids))
        found = [i for i in ids if i in self.vectors]
        return {"ids": found, "embeddings": np.array([self.vectors[i] for i in found])}


@pytest.fixture
def store(tmp_path: Path) -> tuple[LexicalIndex, FakeCollection]:
    """A generation that hides two main records and adds three in its delta (one of them
    replacing a hidden record), with every stored vector in the fake collection."""
    main = build_main([_node(i) for i in range(RECORDS)], tmp_path / "bm25-g000001", 1)
    assert main is not None and main.vectors is not None
    added = [_node(7, 2), _node(RECORDS, 2), _node(RECORDS + 1, 2)]
    index = view(2, main, ["a7#s0@g1", "a12#s0@g1"], [delta_record(n) for n in added])
    vectors = {str(n.metadata["chroma_id"]): _vector(i + 100) for i, n in enumerate(_nodes())}
    vectors |= {str(n.metadata["chroma_id"]): np.asarray(n.embedding) for n in added}
    collection = FakeCollection(vectors)
    collection.hidden = {"a7#s0@g1", "a12#s0@g1"}
    return index, collection


def _nodes() -> list[TextNode]:
    return [_node(i, with_vector=False) for i in range(RECORDS)]


def _brute_force(
    index: LexicalIndex,
    collection: FakeCollection,
    keep: Any,
    query: np.ndarray,
    k: int,
) -> list[tuple[str, float]]:
    """Every record the generation sees that ``keep(metadata)`` accepts, scored one by one."""
    visible = [
        (str(n.metadata["chroma_id"]), n.metadata)
        for n in _nodes()
        if n.metadata["chroma_id"] not in {"a7#s0@g1", "a12#s0@g1"}
    ] + [(r.chroma_id, r.metadata) for r in index.delta.records]
    scored = []
    for chroma_id, metadata in visible:
        if keep(metadata):
            stored = collection.vectors[chroma_id]
            scored.append((chroma_id, float(stored @ query / np.linalg.norm(stored))))
    scored.sort(key=lambda hit: -hit[1])
    return scored[:k]


def _in_years(first: int, last: int) -> Any:
    def keep(metadata: dict[str, Any]) -> bool:
        end = int(metadata.get("event_end") or 0)
        return end > 0 and end >= first and int(metadata.get("event_start") or 0) <= last

    return keep


@pytest.mark.parametrize("seed", range(5))
def test_a_period_search_finds_what_a_brute_force_finds(
    store: tuple[LexicalIndex, FakeCollection], seed: int
) -> None:
    index, collection = store
    query = _vector(10_000 + seed)
    query /= np.linalg.norm(query)
    events = EventRange(20010101, 20021231)
    main, delta = selected(index, None, events)
    hits = exact_search(index, collection, main, delta, query, 8)
    expected = _brute_force(index, collection, _in_years(20010101, 20021231), query, 8)
    assert hits is not None
    assert [h.chroma_id for h in hits] == [i for i, _ in expected]
    assert np.allclose([h.cosine for h in hits], [c for _, c in expected], atol=1e-6)


def test_hidden_records_are_never_found_and_the_delta_s_are(
    store: tuple[LexicalIndex, FakeCollection],
) -> None:
    index, collection = store
    main, delta = selected(index, None, EventRange(None, None))
    hits = exact_search(index, collection, main, delta, _vector(7 + 200), RECORDS * 2)
    found = {h.chroma_id for h in hits or []}
    assert "a7#s0@g1" not in found and "a12#s0@g1" not in found
    assert {"a7#s0@g2", f"a{RECORDS + 1}#s0@g2"} <= found
    assert hits is not None and hits[0].chroma_id == "a7#s0@g2"  # its own vector


def test_a_source_and_dates_select_as_bm25_s_mask_does(
    store: tuple[LexicalIndex, FakeCollection],
) -> None:
    index, collection = store
    filters = SearchFilters(source="Post", since="2003-01-01")
    main, delta = selected(index, filters)
    mask, delta_mask = bm25_masks(index, filters)
    assert mask is not None and delta_mask is not None
    assert main.tolist() == (mask > 0).tolist() and delta.tolist() == (delta_mask > 0).tolist()
    query = _vector(3)

    def keep(metadata: dict[str, Any]) -> bool:
        return metadata["source"] == "Post" and int(metadata["published_day"]) >= 20030101

    hits = exact_search(index, collection, main, delta, query, 5)
    assert [h.chroma_id for h in hits or []] == [
        i for i, _ in _brute_force(index, collection, keep, query, 5)
    ]


def test_without_saved_vectors_or_past_the_limit_chroma_is_left_to_filter(
    store: tuple[LexicalIndex, FakeCollection], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index, collection = store
    main, delta = selected(index, None, EventRange(20010101, 20011231))
    no_vectors = build_main(
        [_node(i, with_vector=False) for i in range(RECORDS)], tmp_path / "plain", 1
    )
    assert no_vectors is not None and no_vectors.vectors is None
    plain = view(2, no_vectors, (), ())
    assert exact_search(plain, collection, main, np.zeros(0, bool), _vector(1), 5) is None
    monkeypatch.setattr(exact, "EXACT_LIMIT", int(main.sum()) - 1)
    assert exact_search(index, collection, main, delta, _vector(1), 5) is None


def test_the_vectors_are_read_by_row_and_derived_alike_from_chroma(
    store: tuple[LexicalIndex, FakeCollection], tmp_path: Path
) -> None:
    index, collection = store
    directory = tmp_path / "bm25-g000001"
    built = (directory / "vectors.f32").read_bytes()
    assert index.main.vectors is not None
    every = np.arange(RECORDS)
    assert np.array_equal(index.main.vectors.read(every[3:9]), index.main.vectors.read(every)[3:9])
    picked = np.array([0, 1, 2, 5, 9, 10, RECORDS - 1])  # runs and single rows
    assert np.array_equal(index.main.vectors.read(picked)[4], _vector(9 + 100))
    del collection.vectors["a12#s0@g1"]  # purged since: a zero row
    assert derive_vectors(collection, directory, index.main.ids) == RECORDS
    derived = load_vectors(directory, RECORDS)
    assert derived is not None
    rows = derived.read(np.arange(RECORDS))
    assert not rows[12].any()
    kept = [i for i in range(RECORDS) if i != 12]
    assert np.array_equal(rows[kept], np.frombuffer(built, np.float32).reshape(-1, DIM)[kept])
    assert load_vectors(directory, RECORDS + 1) is None  # another index's rows


@pytest.mark.parametrize("query", ["harbour bridge council", "apple harvest item3", "vote tram"])
def test_a_small_selection_gets_bm25s_s_own_hits_and_scores(
    store: tuple[LexicalIndex, FakeCollection], query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    index, _ = store
    mask, _ = bm25_masks(index, None, EventRange(20030101, 20031231))
    assert mask is not None and 0 < mask.sum() * lexical._FEW_RECORDS <= len(mask)
    few = [(h.chroma_id, h.score) for h in index.search(query, RECORDS, mask, None) if h.score]
    monkeypatch.setattr(lexical, "_FEW_RECORDS", 0)  # bm25s over every record, masked
    every = [(h.chroma_id, h.score) for h in index.search(query, RECORDS, mask, None) if h.score]
    # The same hits and scores; records of equal score may come in another order.
    assert sorted(few, key=lambda h: (-h[1], h[0])) == sorted(every, key=lambda h: (-h[1], h[0]))
    assert few and [s for _, s in few] == sorted((s for _, s in few), reverse=True)


def test_an_index_saved_without_vectors_gets_them_once(
    store: tuple[LexicalIndex, FakeCollection], tmp_path: Path
) -> None:
    _, collection = store
    directory = tmp_path / "older"
    build_main([_node(i, with_vector=False) for i in range(RECORDS)], directory, 1)
    assert load_main(directory).vectors is None
    assert ensure_vectors(collection, directory) == RECORDS  # type: ignore[arg-type]
    vectors = load_main(directory).vectors
    assert vectors is not None and np.allclose(vectors.read(np.array([3]))[0], _vector(103))
    assert ensure_vectors(collection, directory) == 0  # type: ignore[arg-type]


def test_a_broad_selection_keeps_the_graph_s_nearest_to_it(
    store: tuple[LexicalIndex, FakeCollection],
) -> None:
    index, collection = store
    main, delta = selected(index, SearchFilters(source="Wire"))  # two records in three
    query = _vector(5)
    hits = broad_search(index, collection, main, delta, query, 6)

    def keep(metadata: dict[str, Any]) -> bool:
        return metadata["source"] == "Wire"

    expected = _brute_force(index, collection, keep, query, 6)
    assert hits is not None
    assert [h.chroma_id for h in hits] == [i for i, _ in expected]
    assert np.allclose([h.cosine for h in hits], [c for _, c in expected], atol=1e-6)


def test_a_selection_too_narrow_for_the_graph_s_neighbours_is_left_to_chroma(
    store: tuple[LexicalIndex, FakeCollection], monkeypatch: pytest.MonkeyPatch
) -> None:
    index, collection = store
    main, delta = selected(index, None, EventRange(20010101, 20011231))  # 10 records of 61
    monkeypatch.setattr(exact, "MAX_BROAD", 50)  # 6 hits need 2 x 6 x 6.1 = 74 neighbours
    assert broad_search(index, collection, main, delta, _vector(5), 6) is None
    monkeypatch.setattr(exact, "MAX_BROAD", 100)
    hits = broad_search(index, collection, main, delta, _vector(5), 6)
    assert hits is not None and len(hits) == 6
    assert broad_search(index, collection, main, delta, _vector(5), 10) is None  # 122 > 100
