"""Calibrating the "not in the corpus" threshold (`newsbot eval --calibrate`).

Half of a dataset's articles are indexed and the tuning split is asked: questions about
the other half are off-topic. Every evidence weighting and threshold is tried; two optima
are reported, the one that best separates the two kinds and the strictest that still
answers :data:`KEEP` of the answerable questions.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.answer.compose import EVIDENCE, EvidenceWeights, compose_answer, evidence_score
from index.answer.conversation import question_time, standalone
from index.measure.evaluation import Dataset, EvalQuestion
from index.measure.workspace import eval_settings, prepared_answerer
from index.models import IndexProgress, Passage

if TYPE_CHECKING:
    from index.settings import Settings

# The strictest threshold that still keeps this share of answerable questions is reported
# beside the balanced one newsbot uses (docs/decisions.md says why the balanced one).
KEEP = 0.97
_GRID = [EvidenceWeights(a / 10, b / 10) for a in range(11) for b in range(7)]


def calibrate(
    settings: Settings,
    dataset: Dataset,
    questions: Sequence[EvalQuestion],
    progress: Callable[[IndexProgress], None] | None = None,
) -> dict[str, Any]:
    """Index half of ``dataset``'s articles, ask ``questions``, and report the best thresholds.

    Returns:
        ``questions``, ``answerable``, ``criteria`` (name -> the three best weightings with
        their threshold and rates) and ``configured`` (the rates of the current settings).
    """
    half, half_ids = half_of_articles(dataset.corpus)
    half_settings = eval_settings(settings, f"{dataset.name}-half")
    corpus = half_settings.data_dir / "corpus.json"
    text = json.dumps(half)
    if not corpus.exists() or corpus.read_text(encoding="utf-8") != text:
        corpus.parent.mkdir(parents=True, exist_ok=True)
        corpus.write_text(text, encoding="utf-8")
    _, answerer = prepared_answerer(half_settings, corpus, progress)
    asked = [(q, answerer.ask(q.question).retrieved) for q in questions if q.gold is not None]
    rows = [(passages, q.gold.article_id in half_ids) for q, passages in asked if q.gold]
    criteria = {
        "balanced": calibrate_evidence(rows, _GRID)[:3],
        f"keep {KEEP:.0%}": calibrate_evidence(rows, _GRID, keep=KEEP)[:3],
    }
    scores = [evidence_score(r) for r, _ in rows]
    # What the articles do not say (names, numbers, periods) declines questions whatever
    # the threshold: the threshold is chosen with those declines already made.
    covered = [
        compose_answer(
            standalone(q.question, question_time(q.question, settings.asked_on())),
            passages,
            min_relevance=-math.inf,
            max_lines=settings.max_citations,
            vocabulary=answerer.retriever.knows,
        ).found
        for q, passages in asked
    ]
    with_coverage = {
        name: best_threshold(
            [s if c else -math.inf for s, c in zip(scores, covered, strict=True)],
            [a for _, a in rows],
            keep,
        )
        for name, keep in (("balanced", None), (f"keep {KEEP:.0%}", KEEP))
    }
    return {
        "questions": len(rows),
        "answerable": sum(1 for _, a in rows if a),
        "criteria": {
            name: [{"weights": asdict(w), **f} for w, f in best] for name, best in criteria.items()
        },
        "with_coverage": with_coverage,
        "configured": {
            "weights": asdict(EVIDENCE),
            "threshold": settings.min_relevance,
            **rates(
                [s if c else -math.inf for s, c in zip(scores, covered, strict=True)],
                [a for _, a in rows],
                settings.min_relevance,
            ),
        },
    }


def rates(scores: list[float], answerable: list[bool], threshold: float) -> dict[str, float]:
    """Share of answerable questions kept and of off-topic ones declined at ``threshold``."""
    kept = [s >= threshold for s, a in zip(scores, answerable, strict=True) if a]
    declined = [s < threshold for s, a in zip(scores, answerable, strict=True) if not a]
    return {
        "kept": sum(kept) / len(kept) if kept else 0.0,
        "declined": sum(declined) / len(declined) if declined else 0.0,
    }


def half_of_articles(corpus_path: Path) -> tuple[list[dict[str, Any]], set[str]]:
    """A fixed half of a dataset's articles (by title hash) and the ids they get when indexed."""
    articles = json.loads(corpus_path.read_text(encoding="utf-8"))
    half = [a for a in articles if int(hashlib.sha1(a["title"].encode()).hexdigest(), 16) % 2 == 0]
    return half, {a.get("url") or "" for a in half}


def best_threshold(
    scores: Sequence[float], answerable: Sequence[bool], keep: float | None = None
) -> dict[str, float]:
    """The threshold that best separates answerable from off-topic questions.

    Without ``keep``, "best" maximises balanced accuracy: the mean of the share of
    answerable questions kept and the share of off-topic questions declined. With ``keep``,
    it declines as many off-topic questions as it can while still answering at least that
    share of the answerable ones.
    """
    pairs = sorted(zip(scores, answerable, strict=True))
    positives = sum(1 for _, a in pairs if a)
    negatives = len(pairs) - positives
    best = {
        "threshold": pairs[0][0] if pairs else 0.0,
        "kept": 1.0,
        "declined": 0.0,
        "balanced": 0.5,
    }
    declined_neg = declined_pos = 0
    for i, (score, is_answerable) in enumerate(pairs):
        # Threshold just above this score: everything up to i is declined.
        if is_answerable:
            declined_pos += 1
        else:
            declined_neg += 1
        if i + 1 < len(pairs) and pairs[i + 1][0] == score:
            continue
        kept = 1 - declined_pos / positives if positives else 0.0
        declined = declined_neg / negatives if negatives else 0.0
        balanced = (kept + declined) / 2
        if keep is not None:
            if kept < keep:
                break
            better = declined > best["declined"]
        else:
            better = balanced > best["balanced"]
        if better:
            next_score = pairs[i + 1][0] if i + 1 < len(pairs) else score + 0.01
            best = {
                "threshold": round((score + next_score) / 2, 3),
                "kept": kept,
                "declined": declined,
                "balanced": balanced,
            }
    return best


def calibrate_evidence(
    rows: Sequence[tuple[Sequence[Passage], bool]],
    grid: Sequence[EvidenceWeights],
    keep: float | None = None,
) -> list[tuple[EvidenceWeights, dict[str, float]]]:
    """For each evidence weighting, the best threshold on ``rows`` (retrieved passages of a
    question, and whether its article is indexed); best first (see :func:`best_threshold`)."""
    results = []
    for weights in grid:
        scores = [evidence_score(passages, weights) for passages, _ in rows]
        answerable = [a for _, a in rows]
        results.append((weights, best_threshold(scores, answerable, keep)))
    key = "declined" if keep is not None else "balanced"
    return sorted(results, key=lambda r: r[1][key], reverse=True)
