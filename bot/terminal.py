"""Plain-text rendering of answers, summaries and stats for the terminal (pure functions)."""

from __future__ import annotations

import textwrap
from typing import Any

from index.models import Answer, Citation, IndexStats, IndexSummary
from index.text.events import display_date

_WIDTH = 88


def render_answer(answer: Answer) -> str:
    lines = [
        wrapped
        for line in answer.answer.splitlines()
        for wrapped in textwrap.wrap(
            line, _WIDTH, subsequent_indent="  " if line[:2] == "- " else ""
        )
    ] or [""]
    if answer.short_answer:  # taken from the sentence cited [1]
        lines = [*textwrap.wrap(f"In short: {answer.short_answer} [1]", _WIDTH), "", *lines]
    if answer.citations:
        lines += ["", "Sources" if answer.found else "Nearest articles"]
        for citation in answer.citations:
            lines += render_citation(citation)
    return "\n".join(lines)


def render_citation(citation: Citation) -> list[str]:
    lines = [f"[{citation.n}] {citation.title}"]
    byline = " · ".join(part for part in (citation.source, citation.published_at) if part)
    if citation.event_date and citation.event_date != citation.published_at:
        byline += f" · event {display_date(citation.event_date)}"
    if byline:
        lines.append(f"    {byline}")
    if citation.url:
        lines.append(f"    {citation.url}")
    quoted = textwrap.wrap(
        f"“{citation.passage}”", _WIDTH, initial_indent="    ", subsequent_indent="     "
    )
    return lines + quoted


def _kept(summary: IndexSummary) -> str:
    return f", {summary.chunks_reused} unchanged kept" if summary.chunks_reused else ""


def render_summary(summary: IndexSummary) -> str:
    lines = [
        f"Indexed in {summary.seconds:.1f} s: {summary.added} added, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.removed} removed, {len(summary.failed)} failed; "
        f"{summary.chunks_embedded} chunks embedded{_kept(summary)}."
    ]
    if summary.failed:
        lines.append("Skipped (fix them and index again):")
        lines += [f"  {failure}" for failure in summary.failed]
    return "\n".join(lines)


def render_stats(stats: IndexStats) -> str:
    if not stats.indexed_at:
        return f"Nothing indexed yet in the {stats.store}. Run `newsbot index`."
    return "\n".join(
        [
            f"Articles:        {stats.articles}",
            f"Chunks:          {stats.chunks}",
            f"Embedding model: {stats.embedding_model}",
            f"Store:           {stats.store}",
            f"Last indexed:    {stats.indexed_at}",
        ]
    )


def render_eval(report: dict[str, Any]) -> str:
    sample = report.get("sample", {})
    seed = f", seed {sample['seed']}" if sample.get("seed") is not None else ""
    lines = [
        f"{report['dataset']}: {report['questions']} questions{seed} "
        "(the tuning split is left out)",
        "",
        f"{'mode':<9}{'hit@1':>7}{'hit@5':>7}{'hit@10':>8}{'MRR@10':>8}{'ans@3':>7}"
        f"{'found':>7}{'EM':>7}{'F1':>7}{'short':>7}{'right':>7}{'q/s':>7}",
    ]
    for mode, f in report["modes"].items():
        lines.append(
            f"{mode:<9}{f['hit@1']:>7.3f}{f['hit@5']:>7.3f}{f['hit@10']:>8.3f}{f['mrr@10']:>8.3f}"
            f"{f['answer_in_citations@3']:>7.3f}{f['answered']:>7.3f}{f['em']:>7.3f}"
            f"{f['f1']:>7.3f}{f['short_shown']:>7.3f}{f['short_precision']:>7.3f}{f['qps']:>7.1f}"
        )
    if "abstention" in report:
        a = report["abstention"]
        lines += [
            "",
            f"Declining unanswerable questions (threshold {a['threshold']}): precision "
            f"{a['precision']:.3f}, recall {a['recall']:.3f}; "
            f"{int(a['wrongly_declined'])} answerable questions declined.",
        ]
    return "\n".join(lines)


def _percentages(ratios: list[float]) -> str:
    return " / ".join(f"{ratio:.0%}" for ratio in ratios)


def render_bench(report: dict[str, Any]) -> str:
    """The `newsbot bench` figures as a table, each beside its target."""
    d = report.get("details", {})
    latency = report["latency_ms"]
    rows = [
        (
            "raw model (sentence-transformers encode)",
            f"{report['raw_chunks_per_s']:.1f} chunks/s",
            "",
        ),
        ("newsbot index", f"{report['ingest_chunks_per_s']:.1f} chunks/s", ""),
        ("  ratio to raw model", f"{report['ingest_ratio_vs_raw']:.1%}", "≥ 90 %"),
    ]
    if "ingest_ratio_by_round" in d:
        rows.append(("  each round (median above)", _percentages(d["ingest_ratio_by_round"]), ""))
    rows += [
        ("  speed vs naive llama-index", f"{report['ingest_ratio_vs_naive']:.2f}×", ""),
    ]
    if "raw_token_batches_chunks_per_s" in d:
        rows += [
            (
                "raw model fed newsbot's token-length batches",
                f"{d['raw_token_batches_chunks_per_s']:.1f} chunks/s",
                "",
            ),
            ("  newsbot index's ratio to it", f"{d['ingest_ratio_vs_raw_token_batches']:.1%}", ""),
        ]
    for precision, figures in d.get("indexing_by_precision", {}).items():
        rows += [
            (
                f"{precision}: raw model / newsbot index",
                f"{figures['raw_chunks_per_s']:.1f} / {figures['ingest_chunks_per_s']:.1f} "
                "chunks/s",
                "",
            ),
            (
                f"  {precision} ratio to raw model",
                f"{figures['ingest_ratio_vs_raw']:.1%}",
                "≥ 90 %",
            ),
        ]
        if "ingest_ratio_by_round" in figures:
            rows.append(("  each round", _percentages(figures["ingest_ratio_by_round"]), ""))
    rows += [
        ("unchanged re-index / full index", f"{report['unchanged_reindex_fraction']:.2%}", "< 2 %"),
    ]
    if "full_index_s" in d:
        rows.append(("full index of the articles", f"{d['full_index_s']:.2f} s", ""))
    for size, edit in report.get("one_article_edit", {}).items():
        rows.append(
            (
                f"one-article edit at {int(size):,} chunks ({edit['chunks_embedded']} embedded, "
                f"{edit.get('chunks_reused', 0)} kept)",
                f"{edit['seconds']:.2f} s",
                "≤ 2 s" if int(size) >= 100_000 else "",
            )
        )
    churn = report.get("disk_after_edits") or {}
    if churn:
        rows.append(
            (
                f"disk after {churn['edits']} edits / clean ({churn['chunks']:,} chunks)",
                f"{churn['ratio']:.1%}",
                "≤ 105 %",
            )
        )
    scales = d.get("scales", {})
    for size, figures in latency.items():
        rows.append(
            (
                f"question p50 / p95 at {int(size):,} chunks",
                f"{figures['p50']:.0f} / {figures['p95']:.0f} ms",
                _LATENCY_TARGETS.get(size, ""),
            )
        )
        rows += _scale_rows(size, scales.get(size) or {})
    rows += [
        ("serving process peak RSS", f"{report['serve_rss_mib']:.0f} MiB", "≤ 1536 MiB"),
        ("cold `newsbot ask`", f"{report['cold_ask_s']:.2f} s", "≤ 6 s"),
        ("embedding precision", report["precision"], ""),
    ]
    width = max(len(r[0]) for r in rows) + 2
    lines = [
        f"{d.get('articles', '?')} articles, {d.get('chunks', '?')} chunks of "
        f"{d.get('dataset', '?')}; {d.get('cores', '?')} cores, {d.get('cpu', '?')}",
        "",
        f"{'measure':<{width}}{'result':>16}  target",
    ]
    lines += [f"{name:<{width}}{value:>16}  {target}".rstrip() for name, value, target in rows]
    return "\n".join(lines)


_LATENCY_TARGETS = {"100000": "≤ 50 / 150 ms", "1000000": "≤ 60 / 150 ms"}
_RSS_TARGETS = {"100000": "≤ 1024 MiB", "1000000": "≤ 2048 MiB"}


def _scale_rows(size: str, figures: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The bench's other figures at one store size: its build, the first question, the
    serving process, disk and HNSW recall."""
    rows = []
    if "build_s" in figures:
        built = "cached" if figures.get("cached") else f"built in {figures['build_s']:.0f} s"
        rows.append(("  store", built, ""))
    if "first_question_s" in figures:
        rows.append(
            ("  first question (index opened)", f"{figures['first_question_s']:.2f} s", "≤ 3 s")
        )
    if "serve_rss_mib" in figures:
        rows.append(
            (
                "  serving process peak RSS",
                f"{figures['serve_rss_mib']:.0f} MiB",
                _RSS_TARGETS.get(size, ""),
            )
        )
    if "serve_first_answer_s" in figures:
        rows.append(
            (
                "  serving process start to first answer",
                f"{figures['serve_first_answer_s']:.2f} s",
                "",
            )
        )
    if "chroma_mb" in figures:
        rows.append(
            (
                "  disk: Chroma / BM25",
                f"{figures['chroma_mb']:,.0f} / {figures['bm25_mb']:,.0f} MB",
                "",
            )
        )
    for name, value in (figures.get("hnsw") or {}).items():
        if name.startswith("recall@"):
            rows.append((f"  HNSW {name} of the exact top (real questions)", f"{value:.3f}", ""))
    return rows


def render_tuning(report: dict[str, Any]) -> str:
    """What `newsbot eval --tune` found: each improvement, then the best weights."""
    lines = [f"{report['questions']} tuning questions."]
    lines += [f"  {line}" for line in report["log"]]
    weights = ", ".join(f"{name}={value}" for name, value in report["weights"].items())
    lines.append(f"Best: {weights}")
    return "\n".join(lines)


def render_calibration(report: dict[str, Any]) -> str:
    """What `newsbot eval --calibrate` found: the best thresholds by each criterion."""
    lines = [
        f"{report['questions']} tuning questions, {report['answerable']} about indexed articles "
        "(the rest are off-topic)."
    ]
    for name, rows in report["criteria"].items():
        lines.append(f"Best by {name}:")
        for row in rows:
            lines.append(
                f"  overlap {row['weights']['overlap']:.1f} "
                f"window {row['weights']['window_overlap']:.1f}: threshold {row['threshold']:.3f} "
                f"keeps {row['kept']:.3f} of answerable, "
                f"declines {row['declined']:.3f} of off-topic"
            )
    for name, row in report.get("with_coverage", {}).items():
        lines.append(
            f"With what the articles do not say declined first, best by {name}: threshold "
            f"{row['threshold']:.3f} keeps {row['kept']:.3f} of answerable, declines "
            f"{row['declined']:.3f} of off-topic"
        )
    configured = report["configured"]
    lines.append(
        f"Configured ({configured['weights']}, threshold {configured['threshold']}): "
        f"keeps {configured['kept']:.3f}, declines {configured['declined']:.3f}."
    )
    return "\n".join(lines)


def render_news_eval(report: dict[str, Any]) -> str:
    """The figures of `newsbot eval` on a news dataset, then any failures (--details)."""
    plain, timed, unanswerable = report["plain"], report["time"], report["unanswerable"]
    decline, follow, short = report["decline"], report["follow_ups"], report["short_answers"]
    lines = [
        f"{report['dataset']}: {report['questions']} questions asked on {report['today']}",
        "",
        f"plain questions ({plain['n']}): answer in the answer text {plain['answer_in_text']:.0%}",
        f"time questions ({timed['n']}): answer in text {timed['answer_in_text']:.0%}, first "
        f"citation of the right date {timed['right_date']:.0%}, both {timed['both']:.0%}",
        f"unanswerable ({unanswerable['n']}): declined {unanswerable['declined']:.0%}, with a "
        f"reason {unanswerable['declined_with_reason']:.0%}",
        f"declining: precision {decline['precision']:.0%}, recall {decline['recall']:.0%}; "
        f"answerable questions declined {decline['answerable_declined']:.0%}",
        f"follow-ups: {follow['right']} of {follow['conversations']} conversations right "
        f"({follow['turns_right']} of {follow['turns']} turns)",
        f"short answers: shown for {short['shown_share']:.0%} of answered questions "
        f"({short['shown']} of {short['answered']}), right (F1 ≥ 0.5) {short['precision']:.0%}",
    ]
    for failure in report.get("failures", []):
        lines += [
            "",
            f"✗ {failure['id']}: {failure['question']}",
            f"  expected {failure['expected']} (event {failure['event_date']}); "
            f"cited event {failure['cited_event']}",
            *(f"  {line}" for line in failure["answer"].splitlines()),
        ]
    return "\n".join(lines)
