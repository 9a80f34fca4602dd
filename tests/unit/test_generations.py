"""Who sees which record, and when replaced records may go (index/storage/generations.py)."""

from __future__ import annotations

from typing import Any

from index.storage.generations import (
    Visibility,
    VisibleCollection,
    flips_of,
    purge_horizon,
    removals_of,
    with_flip,
)
from index.storage.records import node_id_of, record_id


def test_a_reader_sees_what_its_generation_added_and_has_not_removed() -> None:
    at_3 = Visibility(3)
    assert at_3.sees({"gen_added": 3, "gen_removed": 0})
    assert at_3.sees({"gen_added": 1, "gen_removed": 4})  # replaced later: still seen at 3
    assert not at_3.sees({"gen_added": 4, "gen_removed": 0})  # being written
    assert not at_3.sees({"gen_added": 1, "gen_removed": 3})  # replaced by 3
    assert Visibility(None).sees({"gen_added": 9, "gen_removed": 1})  # a store without them
    assert at_3.sees({})  # a record written before generations


def test_chroma_ids_carry_the_generation_after_the_node_id() -> None:
    assert record_id("a.md#s3", 7) == "a.md#s3@g7"
    assert node_id_of("a.md#s3@g7") == "a.md#s3"
    assert node_id_of("https://x.example/@gold#s1") == "https://x.example/@gold#s1"


def test_replaced_records_wait_for_the_grace_after_their_flip() -> None:
    flips = [(4, 100.0), (5, 108.0), (6, 109.0)]
    assert purge_horizon(flips, live=6, now=110.0, grace=5.0) == 4  # 5 and 6 flipped < 5 s ago
    assert purge_horizon(flips, live=6, now=200.0, grace=5.0) == 6
    assert purge_horizon([(6, 109.0)], live=6, now=110.0, grace=5.0) == 5  # older: long gone
    assert purge_horizon([], live=6, now=110.0, grace=5.0) == 6


def test_the_pointer_records_flips_and_pending_removals_as_text() -> None:
    info = {"flips": with_flip({}, 2, at=10.0)}
    info["flips"] = with_flip(info, 3, at=11.0)
    assert flips_of(info) == [(2, 10.0), (3, 11.0)]
    assert flips_of({"flips": "garbled"}) == []
    assert removals_of({"removals": "[3, 4]"}) == [3, 4]
    assert removals_of({}) is None  # not recorded: purge to be sure


class FakeCollection:
    """A Chroma collection of records at given distances from every query."""

    def __init__(self, records: list[tuple[str, float, dict[str, Any]]]) -> None:
        self.records = sorted(records, key=lambda r: r[1])
        self.asked: list[int] = []

    def query(self, *, n_results: int, include: list[str], **kw: Any) -> dict[str, Any]:
        self.asked.append(n_results)
        top = self.records[:n_results]
        return {
            "ids": [[r[0] for r in top]],
            "distances": [[r[1] for r in top]],
            "metadatas": [[r[2] for r in top]],
            "documents": [[None for _ in top]],
            "embeddings": None,
            "included": include,
        }

    def get(self, *, ids: list[str], include: list[str], **kw: Any) -> dict[str, Any]:
        found = [r for r in self.records if r[0] in ids]
        return {
            "ids": [r[0] for r in found],
            "metadatas": [r[2] for r in found],
            "embeddings": [[1.0] for _ in found],
        }

    def count(self) -> int:
        return len(self.records)


def test_queries_skip_invisible_records_and_ask_again_for_enough() -> None:
    new, old, other = {"gen_added": 3, "gen_removed": 0}, {"gen_added": 1, "gen_removed": 0}, {}
    records = [(f"new{i}", i / 100, new) for i in range(5)]
    records += [(f"old{i}", 0.5 + i / 100, old) for i in range(5)] + [("x", 0.9, other)]
    collection = FakeCollection(records)
    seen = VisibleCollection(collection, Visibility(2))  # type: ignore[arg-type]

    result = seen.query(query_embeddings=[[0.0]], n_results=4)

    assert result["ids"] == [["old0", "old1", "old2", "old3"]]
    assert result["distances"] == [[0.5, 0.51, 0.52, 0.53]]
    assert collection.asked == [4, 12]  # none visible in the first 4: asked again, for more
    assert seen.count() == 11  # everything else is the collection's own


def test_replaced_records_awaiting_their_purge_are_asked_for_beyond_the_top() -> None:
    old = {"gen_added": 1, "gen_removed": 0}
    replaced = {"gen_added": 1, "gen_removed": 2}
    records = [(f"r{i}", i / 100, replaced if i in (1, 4) else old) for i in range(30)]
    collection = FakeCollection(records)
    seen = VisibleCollection(collection, Visibility(2))  # type: ignore[arg-type]
    seen.slack = 2  # the pointer counts two replaced records not purged yet

    result = seen.query(query_embeddings=[[0.0]], n_results=8)

    assert result["ids"] == [["r0", "r2", "r3", "r5", "r6", "r7", "r8", "r9"]]
    assert collection.asked == [10]  # a quarter more at once: no second query


def test_a_second_unfiltered_query_asks_for_twice_what_was_dropped() -> None:
    old = {"gen_added": 1, "gen_removed": 0}
    replaced = {"gen_added": 1, "gen_removed": 2}
    records = [(f"r{i}", i / 100, replaced if i < 3 else old) for i in range(30)]
    collection = FakeCollection(records)
    seen = VisibleCollection(collection, Visibility(2))  # type: ignore[arg-type]

    result = seen.query(query_embeddings=[[0.0]], n_results=8)

    assert result["ids"] == [[f"r{i}" for i in range(3, 11)]]
    assert collection.asked == [8, 14]


def test_without_invisible_records_one_query_is_enough() -> None:
    collection = FakeCollection([(f"r{i}", i / 10, {"gen_added": 1}) for i in range(6)])
    result = VisibleCollection(collection, Visibility(1)).query(  # type: ignore[arg-type]
        query_embeddings=[[0.0]], n_results=3, include=["distances"]
    )
    assert result["ids"] == [["r0", "r1", "r2"]] and collection.asked == [3]
    assert result["metadatas"] is None  # not asked for, so not returned


def test_gets_return_only_visible_records() -> None:
    collection = FakeCollection(
        [("a", 0.1, {"gen_added": 1, "gen_removed": 2}), ("b", 0.2, {"gen_added": 2})]
    )
    result = VisibleCollection(collection, Visibility(2)).get(  # type: ignore[arg-type]
        ids=["a", "b"], include=["embeddings"]
    )
    assert result["ids"] == ["b"] and result["embeddings"] == [[1.0]]
