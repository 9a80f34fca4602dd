"""`newsbot eval` on a news question set: answers in the answer text, dated right, declines
with a reason, follow-ups, and how often a short answer is shown and right.

A news dataset is a folder with ``dataset.json`` (``name``, ``today``: the date its
questions are asked on), ``articles/`` (the corpus, any format newsbot reads),
``questions.jsonl`` (``id``, ``kind``: plain | time | unanswerable, ``question``,
``answers``, ``event_date``: YYYY, YYYY-MM or YYYY-MM-DD) and ``conversations.jsonl``
(``id``, ``turns``: [{``question``, ``answers``, ``event_date``}]). Scoring:

- *answer in text*: a gold answer occurs in the answer's own text (case and spacing
  ignored), not only in a cited passage;
- *right date*: the first citation of the answer's first line reports an event whose
  date overlaps the question's ``event_date``;
- *declined with a reason*: not found, and the answer says why (``Answer.reason``);
- a follow-up turn is right when its answer holds a gold answer (and the right date, when
  the turn has one); a conversation is right when all its follow-ups are.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.errors import CorpusError
from index.measure.metrics import SHORT_ANSWER_F1, token_f1
from index.models import Answer

KINDS = ("plain", "time", "unanswerable")


@dataclass(frozen=True, slots=True)
class NewsQuestion:
    id: str
    kind: str
    question: str
    answers: tuple[str, ...]
    event_date: str | None = None


@dataclass(frozen=True, slots=True)
class NewsConversation:
    id: str
    turns: tuple[NewsQuestion, ...]


@dataclass(frozen=True, slots=True)
class NewsDataset:
    name: str
    today: dt.date
    articles: Path
    questions: tuple[NewsQuestion, ...]
    conversations: tuple[NewsConversation, ...]


def is_news_dataset(folder: Path) -> bool:
    return (folder / "dataset.json").is_file()


def load_news_dataset(folder: Path) -> NewsDataset:
    """Read a news dataset (format in the module docstring).

    Raises:
        CorpusError: A file is missing or does not follow the format; the message says which.
    """
    try:
        meta = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
        questions = tuple(_question(r) for r in _jsonl(folder / "questions.jsonl"))
        conversations = tuple(
            NewsConversation(
                str(r["id"]),
                tuple(
                    _question({"id": f"{r['id']}.{i}", "kind": "follow-up", **turn})
                    for i, turn in enumerate(r["turns"], start=1)
                ),
            )
            for r in _jsonl(folder / "conversations.jsonl", required=False)
        )
        return NewsDataset(
            name=str(meta.get("name") or folder.name),
            today=dt.date.fromisoformat(meta["today"]),
            # "articles" may point elsewhere (relative to the folder), e.g. the bundled corpus.
            articles=(folder / str(meta.get("articles") or "articles")).resolve(),
            questions=questions,
            conversations=conversations,
        )
    except (OSError, KeyError, TypeError, ValueError) as e:
        raise CorpusError(f"{folder} is not a news dataset newsbot can read: {e!r}") from e


def _jsonl(path: Path, required: bool = True) -> list[dict[str, Any]]:
    if not path.exists() and not required:
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _question(record: dict[str, Any]) -> NewsQuestion:
    kind = str(record["kind"])
    if kind not in (*KINDS, "follow-up"):
        raise ValueError(f"question {record['id']}: kind {kind!r} is not one of {KINDS}")
    return NewsQuestion(
        id=str(record["id"]),
        kind=kind,
        question=str(record["question"]),
        answers=tuple(str(a) for a in record.get("answers") or ()),
        event_date=record.get("event_date") or None,
    )


Ask = Callable[[NewsQuestion], Answer]
StartConversation = Callable[[], Ask]


def evaluate_news(
    dataset: NewsDataset, ask: Ask, start_conversation: StartConversation
) -> dict[str, Any]:
    """Ask every question (each on its own) and every conversation; the report.

    Args:
        dataset: The questions.
        ask: Answers one question on its own.
        start_conversation: Starts a conversation and returns how to ask its turns.
    """
    started = time.perf_counter()
    rows = [(q, ask(q)) for q in dataset.questions]
    turns: list[tuple[NewsConversation, list[tuple[NewsQuestion, Answer]]]] = []
    for conversation in dataset.conversations:
        asked = start_conversation()
        turns.append((conversation, [(t, asked(t)) for t in conversation.turns]))
    report: dict[str, Any] = {
        "dataset": dataset.name,
        "today": dataset.today.isoformat(),
        "questions": len(rows),
        **_by_kind(rows),
        "decline": _declines(rows),
        "follow_ups": _follow_ups(turns),
        "short_answers": short_answer_figures(
            [(q.answers, a) for q, a in rows if q.kind != "unanswerable"]
        ),
        "failures": _failures(rows, turns),
        "seconds": round(time.perf_counter() - started, 1),
    }
    return report


def answer_in_text(answer: Answer, golds: Sequence[str]) -> bool:
    text = _normal(answer.answer)
    return answer.found and any(_normal(g) in text for g in golds)


def right_date(answer: Answer, gold: str | None) -> bool:
    """Whether the first citation of the answer's first line reports an event on ``gold``."""
    if gold is None:
        return True
    if not answer.found or not answer.lines or not answer.lines[0].citations:
        return False
    first = answer.lines[0].citations[0]
    cited = next((c for c in answer.citations if c.n == first), None)
    if cited is None or not cited.event_date:
        return False
    lo, hi = _label_range(cited.event_date)
    gold_lo, gold_hi = _label_range(gold)
    return lo <= gold_hi and gold_lo <= hi


def declined_with_reason(answer: Answer) -> bool:
    return not answer.found and bool(answer.reason)


def short_answer_figures(rows: Sequence[tuple[Sequence[str], Answer]]) -> dict[str, float]:
    """How often a short answer is shown for answered questions, and how often it is right."""
    answered = [(golds, a) for golds, a in rows if a.found]
    shown = [(golds, a.short_answer) for golds, a in answered if a.short_answer]
    right = [s for golds, s in shown if token_f1(s, list(golds)) >= SHORT_ANSWER_F1]
    return {
        "answered": len(answered),
        "shown": len(shown),
        "shown_share": round(len(shown) / len(answered), 4) if answered else 0.0,
        "precision": round(len(right) / len(shown), 4) if shown else 0.0,
    }


def _by_kind(rows: Sequence[tuple[NewsQuestion, Answer]]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for kind in KINDS:
        of_kind = [(q, a) for q, a in rows if q.kind == kind]
        n = len(of_kind) or 1
        if kind == "unanswerable":
            figures[kind] = {
                "n": len(of_kind),
                "declined": round(sum(not a.found for _, a in of_kind) / n, 4),
                "declined_with_reason": round(
                    sum(declined_with_reason(a) for _, a in of_kind) / n, 4
                ),
            }
            continue
        in_text = [answer_in_text(a, q.answers) for q, a in of_kind]
        dated = [right_date(a, q.event_date) for q, a in of_kind]
        figures[kind] = {
            "n": len(of_kind),
            "answer_in_text": round(sum(in_text) / n, 4),
            "right_date": round(sum(dated) / n, 4),
            "both": round(sum(t and d for t, d in zip(in_text, dated, strict=True)) / n, 4),
        }
    return figures


def _declines(rows: Sequence[tuple[NewsQuestion, Answer]]) -> dict[str, float]:
    declined = [(q, a) for q, a in rows if not a.found]
    unanswerable = [q for q, _ in rows if q.kind == "unanswerable"]
    answerable = [q for q, _ in rows if q.kind != "unanswerable"]
    right = sum(1 for q, _ in declined if q.kind == "unanswerable")
    return {
        "precision": round(right / len(declined), 4) if declined else 0.0,
        "recall": round(right / len(unanswerable), 4) if unanswerable else 0.0,
        "answerable_declined": round(
            sum(1 for q, _ in declined if q.kind != "unanswerable") / (len(answerable) or 1), 4
        ),
    }


def _turn_right(question: NewsQuestion, answer: Answer) -> bool:
    return answer_in_text(answer, question.answers) and right_date(answer, question.event_date)


def _follow_ups(
    turns: Sequence[tuple[NewsConversation, list[tuple[NewsQuestion, Answer]]]],
) -> dict[str, int]:
    follow_ups = [(q, a) for _, asked in turns for q, a in asked[1:]]
    return {
        "conversations": len(turns),
        "right": sum(all(_turn_right(q, a) for q, a in asked[1:]) for _, asked in turns),
        "turns": len(follow_ups),
        "turns_right": sum(_turn_right(q, a) for q, a in follow_ups),
    }


def _failures(
    rows: Sequence[tuple[NewsQuestion, Answer]],
    turns: Sequence[tuple[NewsConversation, list[tuple[NewsQuestion, Answer]]]],
) -> list[dict[str, Any]]:
    """Each question answered wrongly, with what was answered (for `--details`)."""
    failed = []
    asked = [*rows, *((q, a) for _, pairs in turns for q, a in pairs[1:])]
    for q, a in asked:
        ok = declined_with_reason(a) if q.kind == "unanswerable" else _turn_right(q, a)
        if not ok:
            first = a.lines[0].citations[0] if a.lines and a.lines[0].citations else None
            cited = next((c for c in a.citations if c.n == first), None)
            failed.append(
                {
                    "id": q.id,
                    "question": q.question,
                    "expected": list(q.answers),
                    "event_date": q.event_date,
                    "found": a.found,
                    "answer": a.answer,
                    "cited_event": cited.event_date if cited else None,
                }
            )
    return failed


def _normal(text: str) -> str:
    text = text.lower().replace("’", "'").replace("–", "-")
    return " ".join(re.sub(r"[^\w'%$.,-]+", " ", text).split())


def _label_range(label: str) -> tuple[str, str]:
    """The first and last day of a date label ("2019", "2019-11", "2019-11-18", "1990s")
    as comparable YYYY-MM-DD strings."""
    if label.endswith("s") and label[:-1].isdigit():
        return f"{label[:-1]}-01-01", f"{int(label[:-1]) + 9}-12-31"
    if "–" in label:
        first, last = label.split("–", 1)
        return _label_range(first)[0], _label_range(last)[1]
    parts = label.split("-")
    if len(parts) == 1:
        return f"{label}-01-01", f"{label}-12-31"
    if len(parts) == 2:
        return f"{label}-01", f"{label}-31"
    return label, label
