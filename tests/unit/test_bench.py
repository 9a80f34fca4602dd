"""The bench's pure helpers: percentiles, perturbed vectors, recall, copied articles and
their vectors, the rendered table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from llama_index.core.schema import TextNode

from bot.terminal import render_bench
from index.measure.bench import IndexRounds, percentile, perturbed_copy, recall_at
from index.measure.scale import CopiedVectors, copy_article, scaled_corpus, source_of


def test_percentile_interpolates_between_ranks() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert percentile(values, 0) == 10.0
    assert percentile(values, 50) == 25.0
    assert percentile(values, 100) == 40.0
    assert percentile([7.0], 95) == 7.0


@dataclass(frozen=True)
class _Run:
    chunks_embedded: int
    seconds: float


def test_each_index_round_is_measured_against_the_bare_model_either_side_of_it() -> None:
    # raw 100, index, raw 80, index, raw 120, index, raw 100 (chunks/s)
    rounds = IndexRounds(
        raws=[(100.0, 0.0), (80.0, 0.0), (120.0, 0.0), (100.0, 0.0)],
        runs=[_Run(900, 10.0), _Run(800, 10.0), _Run(990, 10.0)],
        agains=["first", "second", "third"],
    )
    assert [round(rounds.ratio(k), 3) for k in range(3)] == [1.0, 0.8, 0.9]
    assert rounds.median == 2  # the round of ratio 0.9
    assert rounds.raw(2) == 110.0
    assert rounds.again == "third"


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)


def test_perturbed_copies_are_unit_vectors_near_their_source() -> None:
    rng = np.random.default_rng(0)
    source = rng.normal(size=(50, 384)).astype(np.float32)
    source /= np.linalg.norm(source, axis=1, keepdims=True)
    moved = perturbed_copy(source, rng, 0.025)
    assert moved.shape == source.shape and moved.dtype == np.float32
    assert np.allclose(np.linalg.norm(moved, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(moved * source, axis=1)
    assert cosines.min() > 0.8 and cosines.max() < 0.99


def test_recall_counts_the_share_of_exact_neighbours_found() -> None:
    assert recall_at([["a", "b"], ["c", "x"]], [["a", "b"], ["c", "d"]]) == 0.75


def test_a_copied_article_is_an_article_of_its_own() -> None:
    article = {"title": "T", "url": "https://example.com/a", "body": "One. Two."}
    assert copy_article(article, 0) == article
    copy = copy_article(article, 3)
    assert copy == {"title": "T (3)", "url": "https://example.com/a~3", "body": "One. Two."}
    assert article["url"] == "https://example.com/a"  # the source is left as it was


def test_a_scaled_corpus_copies_articles_until_it_holds_enough_chunks() -> None:
    articles = [{"url": "a"}, {"url": "b"}]
    corpus = scaled_corpus(articles, [3, 2], 9)
    assert [a["url"] for a in corpus] == ["a", "b", "a~1", "b~1"]  # 3 + 2 + 3 + 2 >= 9


def test_copied_chunks_get_their_source_vector_perturbed_and_always_the_same() -> None:
    assert source_of("https://example.com/a~3#s7") == ("https://example.com/a#s7", 3)
    assert source_of("https://example.com/a#s7") == ("https://example.com/a#s7", 0)
    source = np.zeros(384, dtype=np.float32)
    source[0] = 1.0
    vectors = CopiedVectors(vectors={"a#s0": source})
    original, copy, again = (TextNode(id_=i, text="x") for i in ("a#s0", "a~2#s0", "a~2#s0"))
    vectors([original, copy])
    vectors([again])
    assert original.embedding == source.tolist()
    assert copy.embedding == again.embedding
    assert 0.8 < float(np.dot(copy.embedding, source)) < 0.99


def test_the_bench_table_shows_edits_and_disk_beside_their_targets() -> None:
    report = {
        "raw_chunks_per_s": 200.0,
        "ingest_chunks_per_s": 220.0,
        "ingest_ratio_vs_raw": 1.1,
        "ingest_ratio_vs_naive": 0.3,
        "unchanged_reindex_fraction": 0.0004,
        "latency_ms": {"100000": {"p50": 25.0, "p95": 28.0}},
        "serve_rss_mib": 1100.0,
        "cold_ask_s": 3.0,
        "precision": "fp32",
        "one_article_edit": {
            "100000": {"seconds": 1.7, "chunks_embedded": 1, "chunks_reused": 221}
        },
        "disk_after_edits": {"edits": 50, "chunks": 10554, "ratio": 1.036},
        "details": {
            "full_index_s": 6.9,
            "ingest_ratio_by_round": [1.05, 1.1, 1.2],
            "indexing_by_precision": {
                "bf16": {
                    "raw_chunks_per_s": 40.0,
                    "ingest_chunks_per_s": 38.0,
                    "ingest_ratio_vs_raw": 0.95,
                    "ingest_ratio_by_round": [0.95, 0.9, 0.97],
                }
            },
        },
    }
    table = render_bench(report)
    assert "each round (median above)" in table and "105% / 110% / 120%" in table
    assert "95% / 90% / 97%" in table
    assert "one-article edit at 100,000 chunks (1 embedded, 221 kept)" in table
    assert "1.70 s  ≤ 2 s" in table
    assert "disk after 50 edits / clean (10,554 chunks)" in table and "103.6%  ≤ 105 %" in table
    assert "full index of the articles" in table and "6.90 s" in table
    assert "bf16: raw model / newsbot index" in table and "40.0 / 38.0 chunks/s" in table
    assert "bf16 ratio to raw model" in table and "95.0%" in table


def test_the_bench_table_shows_each_scale_s_build_memory_disk_and_recall() -> None:
    report = {
        "raw_chunks_per_s": 200.0,
        "ingest_chunks_per_s": 220.0,
        "ingest_ratio_vs_raw": 1.1,
        "ingest_ratio_vs_naive": 0.3,
        "unchanged_reindex_fraction": 0.0004,
        "latency_ms": {"1000000": {"p50": 41.0, "p95": 90.0}},
        "serve_rss_mib": 1900.0,
        "cold_ask_s": 3.0,
        "precision": "fp32",
        "details": {
            "scales": {
                "1000000": {
                    "build_s": 0.0,
                    "cached": True,
                    "first_question_s": 1.25,
                    "serve_rss_mib": 1900.4,
                    "serve_first_answer_s": 4.5,
                    "chroma_mb": 15234.0,
                    "bm25_mb": 1210.0,
                    "hnsw": {"recall@40": 0.8125, "query_ms_p50": 3.1},
                }
            }
        },
    }
    table = render_bench(report)
    assert (
        "question p50 / p95 at 1,000,000 chunks" in table and "41 / 90 ms  ≤ 60 / 150 ms" in table
    )
    assert "cached" in table and "1.25 s  ≤ 3 s" in table
    assert "1900 MiB  ≤ 2048 MiB" in table
    assert "15,234 / 1,210 MB" in table
    assert "HNSW recall@40 of the exact top (real questions)" in table and "0.812" in table


def test_exact_top_keeps_the_nearest_across_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    from index.measure import scale

    rng = np.random.default_rng(1)
    stored = rng.normal(size=(23, 8)).astype(np.float32)
    ids = [f"c{i}" for i in range(23)]
    pages = [{"ids": ids[i : i + 5], "embeddings": stored[i : i + 5]} for i in range(0, 23, 5)]
    monkeypatch.setattr("index.storage.records.iter_pages", lambda *_a, **_k: iter(pages))
    queries = rng.normal(size=(3, 8)).astype(np.float32)
    unit = stored / np.linalg.norm(stored, axis=1, keepdims=True)
    expected = [[ids[j] for j in np.argsort(-(unit @ q), kind="stable")[:4]] for q in queries]
    assert scale.exact_top(object(), queries, 4) == expected  # type: ignore[arg-type]
