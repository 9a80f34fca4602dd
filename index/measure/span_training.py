"""Training the short-answer span ranker (``index/answer/span_model.py``) on SQuAD's tuning
split, and measuring it the way ``newsbot eval`` measures short answers.

Every tuning question (one in five by id hash; never a held-out or news question) is asked
through the bot's own :meth:`Answerer.ask`. For each answered one, every candidate phrase
of the lead sentence is labelled right when its token F1 against a gold answer is at least
0.5, and a logistic regression (L2, Newton's method, numpy) learns to score them. The
threshold is chosen on five-fold cross-validated scores of the tuning split: the lowest
confidence at which the short answers shown are right at least 85 % of the time. The
weights and the threshold are written to ``index/answer/span_weights.json``.

Re-run after a change to the candidates, the features, or what the answerer leads with
(``compose.py``, ``answer_types.py``): from the repository root, with
``OPENBLAS_NUM_THREADS=1 .venv/bin/python`` (SQuAD is indexed into the data directory's
``eval/`` folder first, 1-4 minutes; about 2 minutes more to ask and train)::

    from pathlib import Path
    from index.settings import Settings
    from index.measure import span_training as spans

    settings = Settings(data_dir=Path("/tmp/spans-data"))
    squad = Path("../shared/eval/squad-v1.1-dev")
    print(spans.train_span_model(settings, squad))  # writes span_weights.json
    print(spans.measure_span_model(settings, squad))  # held-out 2,000, seed 0
    print(spans.measure_news_span_model(settings, Path("tests/data/news-dev")))

The test ``test_the_stored_weights_match_the_features_the_code_computes`` fails until the
weights are retrained after a change of features.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.answer import compose
from index.answer.short_answer import anchor_positions, candidate_spans, lead_evidence
from index.answer.span_model import FEATURES, Evidence, load_span_model, span_features
from index.measure.evaluation import choose_questions, load_dataset, tuning_questions
from index.measure.metrics import token_f1
from index.measure.news import SHORT_ANSWER_F1
from index.text.answer_types import expected_type

if TYPE_CHECKING:
    from index.answer.timeline import Fact
    from index.models import Answer
    from index.settings import Settings

WEIGHTS = Path(__file__).resolve().parents[1] / "answer" / "span_weights.json"
TARGET_PRECISION = 0.85
_FOLDS = 5
_L2 = 1.0


@dataclass(frozen=True, slots=True)
class Example:
    """An answered question as the span ranker sees it, with its gold answers."""

    question: str
    answers: tuple[str, ...]
    sentence: str
    evidence: Evidence
    context: str = ""


@dataclass(frozen=True, slots=True)
class _Rows:
    features: np.ndarray  # one row per candidate
    labels: np.ndarray  # 1.0 when the candidate is right
    question: np.ndarray  # index of the example each row belongs to


def collect_examples(
    ask: Callable[[str], Answer], questions: Sequence[tuple[str, Sequence[str]]]
) -> tuple[list[Example], int]:
    """Ask each (question, gold answers) through ``ask`` (an answerer's ``ask``) and keep the
    answered ones; also how many were asked.

    ``compose_answer`` does not hand out its facts, so they are read as it arranges them.
    """
    examples = []
    with _recorded_facts() as facts:
        for question, answers in questions:
            facts.clear()
            answer = ask(question)
            if answer.found and not facts:
                raise RuntimeError("compose_answer no longer arranges facts with compose.arrange")
            if answer.found and answer.lines:
                examples.append(
                    Example(question, tuple(answers), answer.lines[0].text, lead_evidence(facts))
                )
    return examples, len(questions)


@contextmanager
def _recorded_facts() -> Iterator[list[Fact]]:
    recorded: list[Fact] = []
    arrange = compose.arrange

    def recording(*args: Any, **kwargs: Any) -> list[Fact]:
        facts = arrange(*args, **kwargs)
        recorded[:] = facts
        return facts

    compose.arrange = recording
    try:
        yield recorded
    finally:
        compose.arrange = arrange


def _rows(examples: Sequence[Example]) -> _Rows:
    features, labels, owners = [], [], []
    for i, ex in enumerate(examples):
        known = f"{ex.question} {ex.context}"
        if not anchor_positions(known, ex.sentence):
            continue
        spans = candidate_spans(ex.question, ex.sentence, known)
        if not spans:
            continue
        features.append(span_features(ex.question, ex.sentence, spans, known, ex.evidence))
        labels += [token_f1(s.text(ex.sentence), ex.answers) >= SHORT_ANSWER_F1 for s in spans]
        owners += [i] * len(spans)
    width = len(FEATURES)
    return _Rows(
        np.vstack(features) if features else np.zeros((0, width)),
        np.array(labels, dtype=float),
        np.array(owners, dtype=int),
    )


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = _L2) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-regularised logistic regression (Newton's method)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(design @ w)))
        gradient = design.T @ (p - y) + penalty * w
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-6:
            break
    return w[:-1], float(w[-1])


def _best_per_question(
    rows: _Rows, scores: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each example's best candidate's probability (0 without one) and whether it is right."""
    best = np.zeros(count)
    right = np.zeros(count, dtype=bool)
    chosen = np.full(count, -1.0)
    for row, (owner, score) in enumerate(zip(rows.question, scores, strict=True)):
        if score > chosen[owner]:
            chosen[owner] = score
            best[owner] = score
            right[owner] = rows.labels[row] > 0
    return best, right


def cross_validated(
    examples: Sequence[Example], folds: int = _FOLDS, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold best-candidate probability and rightness of each example."""
    rows = _rows(examples)
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    fold_of = np.empty(len(examples), dtype=int)
    fold_of[order] = np.arange(len(examples)) % folds
    scores = np.zeros(len(rows.labels))
    for fold in range(folds):
        test = fold_of[rows.question] == fold
        w, b = fit_logistic(rows.features[~test], rows.labels[~test])
        scores[test] = 1.0 / (1.0 + np.exp(-(rows.features[test] @ w + b)))
    return _best_per_question(rows, scores, len(examples))


def choose_threshold(
    confidence: np.ndarray, right: np.ndarray, target: float = TARGET_PRECISION
) -> float:
    """The lowest confidence at which the answers shown (confidence >= it) are right at
    least ``target`` of the time; the highest confidence seen when none reaches it."""
    order = np.argsort(-confidence, kind="stable")
    hits = np.cumsum(right[order])
    shown = np.arange(1, len(order) + 1)
    precise = np.nonzero(hits / shown >= target)[0]
    if not len(precise):
        return float(confidence.max(initial=1.0))
    # Only where the next answer's confidence differs: ties are shown together.
    for i in precise[::-1]:
        if i + 1 == len(order) or confidence[order[i + 1]] < confidence[order[i]]:
            return float(confidence[order[i]])
    return float(confidence[order[precise[0]]])


def short_answer_figures(
    examples: Sequence[Example],
    confidence: np.ndarray,
    right: np.ndarray,
    threshold: float,
    asked: int,
) -> dict[str, Any]:
    """Shown share (of answered questions) and precision, overall and by question kind."""
    kinds = [expected_type(ex.question).value for ex in examples]
    figures: dict[str, Any] = {"asked": asked}
    for kind in ["all", *sorted(set(kinds))]:
        mask = np.array([kind in ("all", k) for k in kinds], dtype=bool)
        shown = mask & (confidence >= threshold)
        figures[kind] = {
            "answered": int(mask.sum()),
            "shown": int(shown.sum()),
            "shown_share": round(float(shown.sum() / max(1, mask.sum())), 4),
            "precision": round(float(right[shown].mean()) if shown.any() else 0.0, 4),
        }
    return figures


def threshold_curve(
    confidence: np.ndarray,
    right: np.ndarray,
    thresholds: Sequence[float] = (0.3, 0.4, 0.5, 0.6, 0.7),
) -> dict[str, dict[str, float]]:
    """Shown share and precision at other thresholds: what a looser target would give."""
    curve = {}
    for threshold in thresholds:
        shown = confidence >= threshold
        curve[f"{threshold:.2f}"] = {
            "shown_share": round(float(shown.mean()) if len(shown) else 0.0, 4),
            "precision": round(float(right[shown].mean()) if shown.any() else 0.0, 4),
        }
    return curve


def scored_with_model(examples: Sequence[Example]) -> tuple[np.ndarray, np.ndarray]:
    """Best-candidate probability and rightness of each example under the stored weights."""
    model = load_span_model()
    rows = _rows(examples)
    return _best_per_question(rows, model.probabilities(rows.features), len(examples))


def train_span_model(settings: Settings, dataset_dir: Path, out: Path = WEIGHTS) -> dict[str, Any]:
    """Train on the tuning split of the SQuAD-style dataset in ``dataset_dir``, choose the
    threshold by cross-validation, write the weights to ``out``; the tuning figures."""
    from index.measure.workspace import eval_settings, prepared_answerer

    dataset = load_dataset(dataset_dir)
    _, answerer = prepared_answerer(eval_settings(settings, dataset.name), dataset.corpus)
    tuning = [(q.question, q.answers) for q in tuning_questions(dataset, None, 0) if q.gold]
    examples, asked = collect_examples(answerer.ask, tuning)
    return fit_and_write(examples, asked, out)


def fit_and_write(examples: Sequence[Example], asked: int, out: Path = WEIGHTS) -> dict[str, Any]:
    """Cross-validate, fit on all ``examples``, write weights and threshold to ``out``."""
    confidence, right = cross_validated(examples)
    threshold = choose_threshold(confidence, right)
    rows = _rows(examples)
    weights, bias = fit_logistic(rows.features, rows.labels)
    report = {
        "trained_on": "SQuAD v1.1 dev, tuning split (in_tuning_split), answered questions",
        "candidates": len(rows.labels),
        "right_candidates": int(rows.labels.sum()),
        "cross_validated": short_answer_figures(examples, confidence, right, threshold, asked),
        "cross_validated_curve": threshold_curve(confidence, right),
        "best_candidate_right": round(float(right.mean()), 4),
    }
    stored = {
        "features": list(FEATURES),
        "weights": [round(float(w), 6) for w in weights],
        "bias": round(bias, 6),
        "threshold": round(threshold, 6),
        "target_precision": TARGET_PRECISION,
        "l2": _L2,
        "report": report,
    }
    out.write_text(json.dumps(stored, indent=1) + "\n", encoding="utf-8")
    load_span_model.cache_clear()
    return report


def measure_span_model(settings: Settings, dataset_dir: Path, sample: int = 2000) -> dict[str, Any]:
    """The stored model's figures on the held-out sample (as ``newsbot eval --sample 2000``)."""
    from index.measure.workspace import eval_settings, prepared_answerer

    dataset = load_dataset(dataset_dir)
    _, answerer = prepared_answerer(eval_settings(settings, dataset.name), dataset.corpus)
    held_out = [(q.question, q.answers) for q in choose_questions(dataset, sample, 0) if q.gold]
    examples, asked = collect_examples(answerer.ask, held_out)
    confidence, right = scored_with_model(examples)
    figures = short_answer_figures(examples, confidence, right, load_span_model().threshold, asked)
    return {**figures, "curve": threshold_curve(confidence, right)}


def measure_news_span_model(settings: Settings, dataset_dir: Path) -> dict[str, Any]:
    """The stored model's figures on a news set's answerable questions (as ``newsbot eval``)."""
    from index.measure.news import load_news_dataset
    from index.measure.workspace import eval_settings, prepared_answerer

    dataset = load_news_dataset(dataset_dir)
    news_settings = eval_settings(settings, dataset.name).model_copy(
        update={"today": dataset.today}
    )
    _, answerer = prepared_answerer(news_settings, dataset.articles)
    asked = [(q.question, q.answers) for q in dataset.questions if q.kind != "unanswerable"]
    examples, count = collect_examples(answerer.ask, asked)
    confidence, right = scored_with_model(examples)
    return short_answer_figures(examples, confidence, right, load_span_model().threshold, count)
