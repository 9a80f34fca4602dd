"""Plain-text rendering of answers, summaries and stats for the terminal (pure functions)."""

from __future__ import annotations

import textwrap
from typing import Any

from index.models import Answer, Citation, IndexStats, IndexSummary

_WIDTH = 88


def render_answer(answer: Answer) -> str:
    lines = textwrap.wrap(answer.answer, _WIDTH) or [""]
    if answer.citations:
        lines += ["", "Sources" if answer.found else "Nearest articles"]
        for citation in answer.citations:
            lines += render_citation(citation)
    return "\n".join(lines)


def render_citation(citation: Citation) -> list[str]:
    lines = [f"[{citation.n}] {citation.title}"]
    byline = " · ".join(part for part in (citation.source, citation.published_at) if part)
    if byline:
        lines.append(f"    {byline}")
    if citation.url:
        lines.append(f"    {citation.url}")
    quoted = textwrap.wrap(
        f"“{citation.passage}”", _WIDTH, initial_indent="    ", subsequent_indent="     "
    )
    return lines + quoted


def render_summary(summary: IndexSummary) -> str:
    lines = [
        f"Indexed in {summary.seconds:.1f} s: {summary.added} added, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.removed} removed, {len(summary.failed)} failed; "
        f"{summary.chunks_embedded} chunks embedded."
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
        f"{'found':>7}{'EM':>7}{'F1':>7}{'q/s':>7}",
    ]
    for mode, f in report["modes"].items():
        lines.append(
            f"{mode:<9}{f['hit@1']:>7.3f}{f['hit@5']:>7.3f}{f['hit@10']:>8.3f}{f['mrr@10']:>8.3f}"
            f"{f['answer_in_citations@3']:>7.3f}{f['answered']:>7.3f}{f['em']:>7.3f}"
            f"{f['f1']:>7.3f}{f['qps']:>7.1f}"
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
