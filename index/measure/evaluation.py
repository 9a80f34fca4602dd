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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.errors import ConfigurationError, CorpusError
from index.measure.metrics import (
    SHORT_ANSWER_F1,
    Gold,
    Retrieved,
    abstention,
    exact_match,
    first_hit_rank,
    retrieval_summary,
    token_f1,
)
from index.models import Answer

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
        first_hit_rank([retrieved_for_metrics(p) for p in a.retrieved], q.gold)
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
    answered = [a for _, a in answerable if a.found]
    figures = retrieval_summary(ranks)
    figures["answer_in_citations@3"] = in_citations / n
    figures["answered"] = sum(1 for _, a in answerable if a.found) / n
    figures["em"] = sum(exact_match(s, q.answers) for q, s in short) / n
    figures["f1"] = sum(token_f1(s, q.answers) for q, s in short) / n
    # The short answer is the first thing a reader sees: how often it is shown (of the
    # answered questions) and, when shown, how often it is right (token F1 >= 0.5).
    figures["short_shown"] = len(short) / (len(answered) or 1)
    figures["short_precision"] = sum(
        token_f1(s, q.answers) >= SHORT_ANSWER_F1 for q, s in short
    ) / (len(short) or 1)
    figures["qps"] = len(answers) / seconds if seconds else 0.0
    return {k: round(v, 4) for k, v in figures.items()}


def retrieved_for_metrics(passage: Any) -> Retrieved:
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


def tuning_questions(dataset: Dataset, sample: int | None, seed: int) -> list[EvalQuestion]:
    """Questions of the tuning split (optionally a seeded sample of them)."""
    tuning = [q for q in dataset.questions if in_tuning_split(q.id)]
    if sample is not None and sample < len(tuning):
        return random.Random(seed).sample(tuning, sample)
    return tuning
