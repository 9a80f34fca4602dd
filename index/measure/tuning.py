"""Choosing the ranking weights on the tuning split (`newsbot eval --tune`).

Each tuning question is searched once; its candidates are re-ranked under every weighting
tried, so a search of dozens of weightings costs one search per question.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from index.measure.evaluation import EvalQuestion, retrieved_for_metrics
from index.measure.metrics import first_hit_rank, retrieval_summary

if TYPE_CHECKING:
    from index.answer.extractive import Answerer


def tune(answerer: Answerer, questions: Sequence[EvalQuestion]) -> dict[str, Any]:
    """The best hybrid ranking weights on ``questions``, their figures and the search's log."""
    from index.search.ranking import RankingWeights, rank

    retriever = answerer.retriever
    best, figures, log = tune_ranking(
        questions,
        lambda q: retriever.candidates(q),
        lambda pool, weights: rank(pool, "hybrid", weights),
        RankingWeights(),
    )
    return {"questions": len(questions), "weights": asdict(best), **figures, "log": log}


def tune_ranking(
    questions: Sequence[EvalQuestion],
    candidates: Callable[[str], list[Any]],
    rank: Callable[[list[Any], Any], list[Any]],
    start: Any,
    values: Sequence[float] = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2),
    passes: int = 2,
) -> tuple[Any, dict[str, float], list[str]]:
    """Coordinate ascent on the ranking weights, by MRR@10 on ``questions``.

    Each question is searched once; its candidates are re-ranked under every weighting tried.
    The cosine weight stays 1 (it sets the scale); every other weight is tried at each of
    ``values`` in turn, keeping the best, for ``passes`` rounds.

    Returns:
        The best weights, their figures, and a log line per improvement.
    """
    pools = [(q.gold, candidates(q.question)) for q in questions if q.gold is not None]

    def figures(weights: Any) -> dict[str, float]:
        ranks = [
            first_hit_rank([retrieved_for_metrics(p) for p in rank(pool, weights)], gold)
            for gold, pool in pools
        ]
        return retrieval_summary(ranks)

    best, best_figures = start, figures(start)
    log = [f"start {best}: {best_figures}"]
    for _ in range(passes):
        for name in type(start).FEATURES:
            if name == "cosine":
                continue
            for value in values:
                trial = replace(best, **{name: value})
                trial_figures = figures(trial)
                key = (trial_figures["mrr@10"], trial_figures["hit@1"])
                if key > (best_figures["mrr@10"], best_figures["hit@1"]):
                    best, best_figures = trial, trial_figures
                    log.append(f"{name}={value}: {best_figures}")
    return best, best_figures, log
