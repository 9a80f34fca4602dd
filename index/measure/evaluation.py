"""`newsbot eval`: answer a question set through the bot's own code path and score it.

The dataset's articles are indexed into a data directory of their own (reused between runs:
an unchanged corpus costs nothing), then every question is asked through
:meth:`Answerer.ask` in each retrieval mode. One question in five (those whose id hashes
to 0 mod 5) is the *tuning split*: fusion weights and thresholds were chosen on it, so it is
left out of every reported figure.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from index.answer.extractive import EvidenceWeights, evidence_score
from index.errors import ConfigurationError, CorpusError
from index.measure.metrics import (
    Gold,
    Retrieved,
    abstention,
    exact_match,
    first_hit_rank,
    retrieval_summary,
    token_f1,
)
from index.models import Answer, Passage

# Reported name -> retrieval mode of index/search/retriever.py.
REPORTED_MODES = {"default": "hybrid", "dense": "dense", "bm25": "bm25"}


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    id: str
    question: str
    answers: tuple[str, ...]
    impossible: bool
    gold: Gold | None


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    corpus: Path
    questions: list[EvalQuestion]

    @property
    def has_unanswerable(self) -> bool:
        return any(q.impossible for q in self.questions)


def in_tuning_split(question_id: str) -> bool:
    return int(hashlib.sha1(question_id.encode()).hexdigest(), 16) % 5 == 0


def load_dataset(folder: Path) -> Dataset:
    """Read ``corpus.json`` and ``queries.json`` (schema in ../shared/eval/README.md).

    Raises:
        CorpusError: The folder does not hold a dataset in that schema.
    """
    corpus_path, queries_path = folder / "corpus.json", folder / "queries.json"
    if not corpus_path.exists() or not queries_path.exists():
        raise CorpusError(f"{folder} should hold corpus.json and queries.json.")
    try:
        articles = json.loads(corpus_path.read_text(encoding="utf-8"))
        queries = json.loads(queries_path.read_text(encoding="utf-8"))
        spans = {a["title"]: (a.get("url") or "", _paragraph_spans(a)) for a in articles}
        questions = []
        for q in queries:
            gold = None
            if not q["is_impossible"]:
                article_id, paragraphs = spans[q["gold_title"]]
                start, end = paragraphs[q["gold_paragraph_index"]]
                gold = Gold(article_id, start, end, tuple(q["answers"]))
            questions.append(
                EvalQuestion(
                    q["id"], q["question"], tuple(q["answers"]), bool(q["is_impossible"]), gold
                )
            )
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise CorpusError(f"{folder} is not a dataset newsbot can read: {e!r}") from e
    return Dataset(name=folder.name, corpus=corpus_path, questions=questions)


def _paragraph_spans(article: dict[str, Any]) -> list[tuple[int, int]]:
    """Character spans of the paragraphs in the article body as newsbot stores it (stripped)."""
    body = article["body"].strip()
    spans, offset = [], 0
    for paragraph in article["paragraphs"]:
        start = body.index(paragraph.strip(), offset)
        spans.append((start, start + len(paragraph.strip())))
        offset = start + 1
    return spans


def choose_questions(dataset: Dataset, sample: int | None, seed: int) -> list[EvalQuestion]:
    """The evaluation questions: the tuning split left out, then a seeded sample if asked."""
    held_out = [q for q in dataset.questions if not in_tuning_split(q.id)]
    if sample is not None and sample < len(held_out):
        return random.Random(seed).sample(held_out, sample)
    return held_out


AskFn = Callable[[str, str], Answer]  # (question, retrieval mode) -> Answer


def evaluate(
    dataset: Dataset,
    questions: Sequence[EvalQuestion],
    ask: AskFn,
    modes: Sequence[str] = tuple(REPORTED_MODES),
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Ask every question in every mode and return the report (see ``newsbot eval --help``)."""
    report: dict[str, Any] = {"dataset": dataset.name, "questions": len(questions), "modes": {}}
    for name in modes:
        mode = REPORTED_MODES[name]
        answers: list[Answer] = []
        started = time.perf_counter()
        for done, question in enumerate(questions, start=1):
            answers.append(ask(question.question, mode))
            if progress is not None and (done % 50 == 0 or done == len(questions)):
                progress(name, done, len(questions))
        seconds = time.perf_counter() - started
        report["modes"][name] = _mode_figures(questions, answers, seconds)
        if name == "default" and dataset.has_unanswerable:
            report["abstention"] = abstention(
                [not a.found for a in answers], [q.impossible for q in questions]
            )
    return report


def _mode_figures(
    questions: Sequence[EvalQuestion], answers: Sequence[Answer], seconds: float
) -> dict[str, float]:
    answerable = [(q, a) for q, a in zip(questions, answers, strict=True) if q.gold is not None]
    ranks = [
        first_hit_rank([_retrieved(p) for p in a.retrieved], q.gold)
        for q, a in answerable
        if q.gold
    ]
    n = len(answerable) or 1
    # The passages shown with the answer, found or not: a "not in the corpus" answer shows
    # the nearest passages, which count when they hold the answer. "answered" says how many
    # answers were not declined.
    in_citations = sum(
        1
        for q, a in answerable
        if any(ans in c.passage for c in a.citations[:3] for ans in q.answers)
    )
    short = [(q, a.short_answer) for q, a in answerable if a.short_answer]
    figures = retrieval_summary(ranks)
    figures["answer_in_citations@3"] = in_citations / n
    figures["answered"] = sum(1 for _, a in answerable if a.found) / n
    figures["em"] = sum(exact_match(s, q.answers) for q, s in short) / n
    figures["f1"] = sum(token_f1(s, q.answers) for q, s in short) / n
    figures["qps"] = len(answers) / seconds if seconds else 0.0
    return {k: round(v, 4) for k, v in figures.items()}


def _retrieved(passage: Any) -> Retrieved:
    return Retrieved(passage.article_id, passage.start, passage.end, passage.text)


def check_report_dependencies() -> None:
    """Fail before a long evaluation, not after it, when the chart cannot be drawn.

    Raises:
        ConfigurationError: matplotlib is not installed.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as e:
        raise ConfigurationError(
            "The report's chart needs matplotlib: pip install 'newsbot[eval]'."
        ) from e


def write_report(report: dict[str, Any], path: Path) -> list[Path]:
    """Save the report as JSON and a hit@k chart (PNG) beside it; returns the files written."""
    check_report_dependencies()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    json_path = path.with_suffix(".json")
    json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    figure, axes = plt.subplots(figsize=(6, 4))
    ks = [1, 5, 10]
    for name, figures in report["modes"].items():
        axes.plot(ks, [figures[f"hit@{k}"] for k in ks], marker="o", label=name)
    axes.set_xlabel("k (passages)")
    axes.set_ylabel("gold paragraph hit@k")
    axes.set_xticks(ks)
    axes.set_ylim(0, 1)
    axes.grid(alpha=0.3)
    axes.legend()
    axes.set_title(f"{report['dataset']}: {report['questions']} questions")
    png_path = path.with_suffix(".png")
    figure.tight_layout()
    figure.savefig(png_path, dpi=120)
    plt.close(figure)
    return [json_path, png_path]


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
            first_hit_rank([_retrieved(p) for p in rank(pool, weights)], gold)
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


def tuning_questions(dataset: Dataset, sample: int | None, seed: int) -> list[EvalQuestion]:
    """Questions of the tuning split (optionally a seeded sample of them)."""
    tuning = [q for q in dataset.questions if in_tuning_split(q.id)]
    if sample is not None and sample < len(tuning):
        return random.Random(seed).sample(tuning, sample)
    return tuning


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
