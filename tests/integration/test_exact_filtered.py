"""Filtered dense searches over a real store give the exact answer: the nearest records among
those the live generation sees and the filter keeps, as a brute force over every Chroma
record finds them, before and after an edit (hidden records, a delta)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.models import SearchFilters
from index.search.candidates import CANDIDATES
from index.search.exact import exact_search
from index.search.filters import EventRange, selected

pytestmark = pytest.mark.integration

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "news-dev" / "articles"
QUESTION = "How much water does the river provide to the farms downstream?"


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory, document_embedder: Any) -> Any:
    from index.ingest.pipeline import Indexer
    from index.settings import Settings
    from index.storage.store import Store

    root = tmp_path_factory.mktemp("news")
    corpus = root / "corpus"
    shutil.copytree(ARTICLES, corpus)
    settings = Settings(data_dir=root / "data")
    indexer = Indexer(settings, Store(settings), lambda: document_embedder)
    indexer.run([corpus])
    return settings, indexer, corpus


def _retriever(settings: Any, query_embedder: Any) -> Any:
    from index.search.retriever import Retriever
    from index.storage.store import Store

    return Retriever(Store(settings), query_embedder)


def _brute_force(
    retriever: Any, vector: np.ndarray, keep: Any, k: int = CANDIDATES
) -> list[tuple[str, float]]:
    """Every record of the collection the live generation sees and ``keep`` accepts, scored."""
    view = retriever._current()
    got = view.collection.raw.get(include=["embeddings", "metadatas"])
    scored = []
    for chroma_id, stored, metadata in zip(
        got["ids"], got["embeddings"], got["metadatas"], strict=True
    ):
        if view.collection.visibility.sees(metadata) and keep(metadata):
            stored = np.asarray(stored, dtype=np.float32)
            scored.append((chroma_id, float(stored @ vector / np.linalg.norm(stored))))
    scored.sort(key=lambda hit: -hit[1])
    return scored[:k]


def _exact(retriever: Any, vector: np.ndarray, filters: Any, events: Any) -> list[Any]:
    view = retriever._current()
    main, delta = selected(view.lexical, filters, events)
    hits = exact_search(view.lexical, view.collection.raw, main, delta, vector, CANDIDATES)
    assert hits is not None, "the main index was saved without its vectors"
    return hits


def _in(first: int, last: int) -> Any:
    def keep(metadata: dict[str, Any]) -> bool:
        end = int(metadata.get("event_end") or 0)
        return end > 0 and end >= first and int(metadata.get("event_start") or 0) <= last

    return keep


def _assert_same(hits: list[Any], expected: list[tuple[str, float]]) -> None:
    assert hits, "nothing found"
    assert [h.chroma_id for h in hits] == [i for i, _ in expected]
    assert np.allclose([h.cosine for h in hits], [c for _, c in expected], atol=1e-5)


def test_a_period_s_nearest_records_are_the_exact_ones(news: Any, query_embedder: Any) -> None:
    settings, _, _ = news
    retriever = _retriever(settings, query_embedder)
    vector = np.asarray(query_embedder.get_query_embedding(QUESTION), dtype=np.float32)
    for first, last in [(20140101, 20141231), (20160101, 20181231), (20200101, 20251231)]:
        hits = _exact(retriever, vector, None, EventRange(first, last))
        _assert_same(hits, _brute_force(retriever, vector, _in(first, last)))


def test_a_source_filter_in_dense_mode_returns_the_exact_nearest(
    news: Any, query_embedder: Any
) -> None:
    settings, _, _ = news
    retriever = _retriever(settings, query_embedder)
    vector = np.asarray(query_embedder.get_query_embedding(QUESTION), dtype=np.float32)
    filters = SearchFilters(source="Meridian Wire", since="2016-01-01")
    pool = retriever.candidates(QUESTION, filters=filters, mode="dense")

    def keep(metadata: dict[str, Any]) -> bool:
        return metadata.get("source") == "Meridian Wire" and metadata["published_day"] >= 20160101

    expected = _brute_force(retriever, vector, keep)
    assert expected
    from index.storage.records import node_id_of

    found = sorted((c.node_id, round(c.cosine, 4)) for c in pool)
    assert found == sorted((node_id_of(i), round(c, 4)) for i, c in expected)


def test_after_an_edit_replaced_records_stay_hidden_and_new_ones_are_found(
    news: Any, query_embedder: Any
) -> None:
    settings, indexer, corpus = news
    article = corpus / "01-calvera-unveils-drelo-dam.md"
    article.write_text(
        article.read_text().replace("85 percent", "nine tenths")
        + "In 2014 the Karnet's farms downstream drew all their water from the river.\n"
    )
    indexer.run([corpus])
    retriever = _retriever(settings, query_embedder)
    view = retriever._current()
    assert view.lexical.hidden and len(view.lexical.delta), "the edit did not make a delta"
    vector = np.asarray(query_embedder.get_query_embedding(QUESTION), dtype=np.float32)
    hits = _exact(retriever, vector, None, EventRange(20140101, 20141231))
    _assert_same(hits, _brute_force(retriever, vector, _in(20140101, 20141231)))
    found = {h.chroma_id for h in hits}
    assert not found & view.lexical.hidden
    assert found & {r.chroma_id for r in view.lexical.delta.records}


def test_bm25_hits_read_from_the_vector_file_score_as_their_chroma_vectors(
    news: Any, query_embedder: Any
) -> None:
    from index.search.candidates import add_bm25_hits, bm25_hits

    settings, _, _ = news
    retriever = _retriever(settings, query_embedder)
    view = retriever._current()
    assert view.lexical.main.vectors is not None, "the main index was saved without its vectors"
    vector = np.asarray(query_embedder.get_query_embedding(QUESTION), dtype=np.float32)
    hits = bm25_hits(view.lexical, _Bundle(QUESTION), None)
    pool: dict[str, Any] = {}
    add_bm25_hits(view.lexical, view.collection, hits, vector, pool)

    expected = dict(_brute_force(retriever, vector, lambda _: True, k=10_000))
    from_main = [hit for hit in hits if hit.position is not None]  # not the edit's delta
    assert len(from_main) > 10
    for hit in from_main:
        assert pool[hit.node_id].cosine == pytest.approx(expected[hit.chroma_id], abs=1e-6)


class _Bundle:
    def __init__(self, query: str) -> None:
        self.query_str = query
