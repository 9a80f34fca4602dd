"""Retrieval and answer metrics, as defined in ../shared/eval/README.md (pure functions).

- A retrieved passage is a *hit* when it contains one of the question's gold answers and
  overlaps the gold paragraph (character spans in the same article).
- hit@k: a hit among the first k passages; MRR@10: mean of 1/rank of the first hit.
- Exact match and token F1 follow the official SQuAD evaluation script's normalisation.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# A short answer counts as right at this token F1 against a gold answer.
SHORT_ANSWER_F1 = 0.5

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


@dataclass(frozen=True, slots=True)
class Gold:
    """Where a question's answer is: an article, a character span in it, the answer texts."""

    article_id: str
    start: int
    end: int
    answers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Retrieved:
    """A ranked passage as the metrics see it."""

    article_id: str
    start: int
    end: int
    text: str


def is_hit(passage: Retrieved, gold: Gold) -> bool:
    return (
        passage.article_id == gold.article_id
        and passage.start < gold.end
        and passage.end > gold.start
        and any(answer in passage.text for answer in gold.answers)
    )


def first_hit_rank(passages: Sequence[Retrieved], gold: Gold, k: int = 10) -> int | None:
    """1-based rank of the first hit among the first ``k`` passages, or None."""
    for rank, passage in enumerate(passages[:k], start=1):
        if is_hit(passage, gold):
            return rank
    return None


def retrieval_summary(ranks: Sequence[int | None]) -> dict[str, float]:
    """hit@1, hit@5, hit@10 and MRR@10 over questions, given each first-hit rank."""
    n = len(ranks) or 1
    return {
        "hit@1": sum(1 for r in ranks if r is not None and r <= 1) / n,
        "hit@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "hit@10": sum(1 for r in ranks if r is not None and r <= 10) / n,
        "mrr@10": sum(1 / r for r in ranks if r is not None and r <= 10) / n,
    }


def normalize_answer(text: str) -> str:
    """Lower case, no punctuation, no articles, single spaces (official SQuAD normalisation)."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction: str, answers: Sequence[str]) -> float:
    return max(
        (float(normalize_answer(prediction) == normalize_answer(a)) for a in answers), default=0.0
    )


def token_f1(prediction: str, answers: Sequence[str]) -> float:
    return max((_f1(prediction, answer) for answer in answers), default=0.0)


def _f1(prediction: str, answer: str) -> float:
    predicted = normalize_answer(prediction).split()
    expected = normalize_answer(answer).split()
    common = Counter(predicted) & Counter(expected)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = same / len(predicted)
    recall = same / len(expected)
    return 2 * precision * recall / (precision + recall)


def abstention(declined: Sequence[bool], impossible: Sequence[bool]) -> dict[str, float]:
    """Precision and recall of declining ("not in the corpus") on unanswerable questions."""
    pairs = list(zip(declined, impossible, strict=True))
    true_declines = sum(1 for d, i in pairs if d and i)
    declines = sum(1 for d, _ in pairs if d)
    unanswerable = sum(1 for _, i in pairs if i)
    return {
        "precision": true_declines / declines if declines else 0.0,
        "recall": true_declines / unanswerable if unanswerable else 0.0,
        "wrongly_declined": float(sum(1 for d, i in pairs if d and not i)),
    }
