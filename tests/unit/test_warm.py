"""Loading the HNSW graph ahead of the first question: one query for one stored vector's
neighbour, nothing when nothing is indexed, and a failure left for the first question."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pytest

from index.storage.warm import load_graph, start_loading_graph


@dataclass
class FakeGeneration:
    chunks: int


class FakeCollection:
    def __init__(self, vectors: list[list[float]]) -> None:
        self.vectors = vectors
        self.queries: list[dict[str, Any]] = []

    def get(self, *, limit: int, include: list[str]) -> dict[str, Any]:
        return {
            "ids": [str(i) for i in range(len(self.vectors))][:limit],
            "embeddings": self.vectors[:limit],
        }

    def query(self, **kw: Any) -> dict[str, Any]:
        self.queries.append(kw)
        return {"ids": [["0"]]}


class FakeStore:
    def __init__(self, generation: FakeGeneration | None, collection: Any) -> None:
        self.generation = generation
        self._collection = collection

    def active(self) -> FakeGeneration | None:
        return self.generation

    def collection(self, generation: FakeGeneration) -> Any:
        if isinstance(self._collection, Exception):
            raise self._collection
        return self._collection


def test_the_graph_is_loaded_by_one_query_for_one_neighbour() -> None:
    collection = FakeCollection([[0.1, 0.2], [0.3, 0.4]])
    start_loading_graph(FakeStore(FakeGeneration(chunks=2), collection)).join()  # type: ignore[arg-type]
    assert collection.queries == [{"query_embeddings": [[0.1, 0.2]], "n_results": 1, "include": []}]


def test_nothing_indexed_asks_nothing() -> None:
    collection = FakeCollection([])
    load_graph(FakeStore(None, collection))  # type: ignore[arg-type]
    load_graph(FakeStore(FakeGeneration(chunks=0), collection))  # type: ignore[arg-type]
    assert collection.queries == []


def test_a_failure_is_logged_for_the_first_question_to_report(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = FakeStore(FakeGeneration(chunks=3), RuntimeError("disk gone"))
    with caplog.at_level(logging.INFO, logger="index.storage.warm"):
        load_graph(broken)  # type: ignore[arg-type]
    assert "disk gone" in caplog.text
