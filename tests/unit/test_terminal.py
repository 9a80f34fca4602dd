"""What `newsbot ask` prints for a person at a terminal."""

from __future__ import annotations

from bot.terminal import render_answer, render_bench
from index.models import Answer, Citation

SENTENCE = "The leaders agreed not to use force and to stick to earlier agreements."


def sochi(short_answer: str | None) -> Answer:
    citation = Citation(
        n=1,
        article_id="seed",
        title="Armenia and Azerbaijan hold peace talks",
        source="",
        published_at="",
        url="",
        passage=f"They met in Sochi. {SENTENCE}",
        score=0.8,
    )
    return Answer(
        question="What was agreed at Sochi?",
        answer=f"{SENTENCE} [1]",
        found=True,
        citations=(citation,),
        short_answer=short_answer,
    )


def test_the_short_answer_comes_first_with_the_citation_it_came_from() -> None:
    lines = render_answer(sochi("not to use force")).splitlines()
    assert lines[:3] == ["In short: not to use force [1]", "", SENTENCE + " [1]"]


def test_without_a_short_answer_the_answer_comes_first_then_its_sources() -> None:
    lines = render_answer(sochi(None)).splitlines()
    assert lines[0] == SENTENCE + " [1]"
    assert lines[2:4] == ["Sources", "[1] Armenia and Azerbaijan hold peace talks"]
    quote = " ".join(line.strip() for line in lines[4:])
    assert quote == f"“They met in Sochi. {SENTENCE}”"
    assert all(len(line) <= 88 for line in lines)


def bench_report(**details: object) -> dict[str, object]:
    return {
        "raw_chunks_per_s": 205.3,
        "ingest_chunks_per_s": 220.4,
        "ingest_ratio_vs_raw": 1.073,
        "ingest_ratio_vs_naive": 0.31,
        "unchanged_reindex_fraction": 0.0005,
        "latency_ms": {
            "1000": {"p50": 20.1, "p95": 23.0},
            "100000": {"p50": 26.2, "p95": 30.4},
        },
        "serve_rss_mib": 1183.0,
        "cold_ask_s": 2.66,
        "precision": "fp32",
        "details": {"articles": 6, "chunks": 1502, "cores": 2, "cpu": "AMD EPYC", **details},
    }


def row(text: str, label: str) -> str:
    """What the bench table says on the row ``label``: result and target, spaces collapsed."""
    for line in text.splitlines():
        if line.strip().startswith(label):
            return " ".join(line.strip()[len(label) :].split())
    raise AssertionError(f"no row {label!r} in\n{text}")


def test_the_bench_table_sets_each_figure_beside_its_target() -> None:
    text = render_bench(bench_report())

    assert text.splitlines()[0] == "6 articles, 1502 chunks of ?; 2 cores, AMD EPYC"
    assert row(text, "newsbot index") == "220.4 chunks/s"
    assert row(text, "ratio to raw model") == "107.3% ≥ 90 %"
    assert row(text, "unchanged re-index / full index") == "0.05% < 2 %"
    assert row(text, "question p50 / p95 at 1,000 chunks") == "20 / 23 ms"
    assert row(text, "question p50 / p95 at 100,000 chunks") == "26 / 30 ms ≤ 50 / 150 ms"
    assert row(text, "serving process peak RSS") == "1183 MiB ≤ 1536 MiB"
    assert row(text, "cold `newsbot ask`") == "2.66 s ≤ 6 s"
    assert "token-length" not in text  # not measured in this report


def test_the_bench_table_shows_the_model_fed_newsbots_batches_when_measured() -> None:
    text = render_bench(
        bench_report(raw_token_batches_chunks_per_s=259.9, ingest_ratio_vs_raw_token_batches=0.848)
    )

    assert row(text, "raw model fed newsbot's token-length batches") == "259.9 chunks/s"
    assert row(text, "newsbot index's ratio to it") == "84.8%"


def test_each_answer_line_stays_a_line_and_earlier_events_are_indented_under_their_bullet() -> None:
    long = "The ministers agreed to share the water of the river in dry years, " * 2
    dated = Answer(
        question="What was agreed?",
        answer=f"14 Mar 2023 — {long}[1]\nEarlier:\n- 3 Jun 2019 — {long}[2]",
        found=True,
    )
    lines = render_answer(dated).splitlines()
    assert lines[0].startswith("14 Mar 2023 — The ministers")
    earlier = lines.index("Earlier:")
    assert lines[earlier + 1].startswith("- 3 Jun 2019 — ")
    assert lines[earlier + 2].startswith("  ")  # the wrapped rest of that bullet
    assert all(len(line) <= 88 for line in lines)
