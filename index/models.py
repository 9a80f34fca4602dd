"""Plain typed data passed between the core and its faces (CLI, Discord)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from index.text.dates import QuestionTime


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as read from the corpus."""

    id: str
    title: str
    body: str
    source: str = ""
    published_at: str | None = None  # ISO date, YYYY-MM-DD
    url: str = ""
    path: str = ""  # where it was read from, relative to the corpus folder's parent

    @property
    def published_day(self) -> int:
        """The publication date as the number YYYYMMDD (0 when undated), for range filters."""
        return day_number(self.published_at) if self.published_at else 0


@dataclass(frozen=True, slots=True)
class LoadFailure:
    """A file (or one line of a .jsonl file) that could not be read as an article."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved sentence of an article, with the window of text it is cited with."""

    chunk_id: str  # id of the matched sentence's node
    article_id: str
    title: str
    source: str
    published_at: str | None
    url: str
    text: str  # the cited passage: the sentence and its neighbours, verbatim
    sentence: str  # the sentence that matched the question, part of ``text``
    start: int  # offset of ``text`` in the article body
    end: int
    sentence_start: int  # offset of ``sentence`` in the article body
    score: float  # ranking score, higher is better (comparable within one question only)
    similarity: float  # cosine similarity of the question and the sentence, in [-1, 1]
    overlap: float = 0.0  # IDF-weighted share of the question's terms in the sentence
    window_overlap: float = 0.0  # the same share in the whole passage
    # Cosine similarity of the question and those sentences of ``text`` the search scored,
    # as (offset in the article body, cosine) pairs.
    sentence_similarities: tuple[tuple[int, float], ...] = ()
    # When the matched sentence's event happened, as YYYYMMDD numbers (0: not known), and
    # the date as it is shown: "2023-03-14", "2023-03" or "2023" (index/text/events.py).
    event_start: int = 0
    event_end: int = 0
    event_date: str | None = None
    event_ranges: str = ""  # every period the sentence names, when several
    news_date: str | None = None  # the date of the article's news (its opening's event)


@dataclass(frozen=True, slots=True)
class Citation:
    """A passage an answer relied on, numbered as it is cited in the answer text."""

    n: int
    article_id: str
    title: str
    source: str
    published_at: str | None
    url: str
    passage: str
    score: float
    event_date: str | None = None  # when the cited sentence's event happened (see Passage)


@dataclass(frozen=True, slots=True)
class AnswerLine:
    """One fact of an answer: a sentence, when its event happened, and every report of it."""

    text: str  # the sentence as the articles say it (no date prefix, no markers)
    citations: tuple[int, ...]  # the numbers of the citations that report it
    event_date: str | None = None
    earlier: bool = False  # an earlier event than the one the answer leads with

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer whose sentences carry ``[n]`` markers that refer to ``citations``.

    When ``found`` is false the corpus does not cover the question; ``citations`` then
    lists the nearest articles instead of evidence.
    """

    question: str
    answer: str
    found: bool
    citations: tuple[Citation, ...] = ()
    short_answer: str | None = None  # the phrase that answers, when one can be singled out
    # With a language model configured (NEWSBOT_LLM): whether it wrote this answer, the
    # standalone question it answered (a follow-up, condensed) and, when the extractive
    # answer stands in for it, why. None otherwise, and then left out of the JSON.
    generated: bool | None = None
    standalone_question: str | None = None
    note: str | None = None
    # What the question was understood to ask about in time (dates, "the latest").
    time: QuestionTime = field(default_factory=QuestionTime)
    # When ``found`` is false: why, specifically (what the articles do not say).
    reason: str | None = None
    # The facts of the answer, as shown in ``answer``, each with its date and citations.
    lines: tuple[AnswerLine, ...] = ()
    # Every passage retrieved, best first (for evaluation; not part of the JSON answer).
    retrieved: tuple[Passage, ...] = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "found": self.found,
            "reason": self.reason,
            "short_answer": self.short_answer,
            "time": self.time.to_dict(),
            "lines": [line.to_dict() for line in self.lines],
            "citations": [asdict(c) for c in self.citations],
            **(
                {}
                if self.generated is None
                else {
                    "generated": self.generated,
                    "standalone_question": self.standalone_question,
                    "note": self.note,
                }
            ),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """The answer :meth:`to_dict` gave; fields it lacks (written by an older version)
        keep their defaults, fields it does not know are dropped."""
        citation_fields = set(Citation.__dataclass_fields__)
        time = data.get("time") or {}
        return cls(
            question=str(data.get("question", "")),
            answer=str(data.get("answer", "")),
            found=bool(data.get("found")),
            citations=tuple(
                Citation(**{k: v for k, v in c.items() if k in citation_fields})
                for c in data.get("citations") or ()
            ),
            short_answer=data.get("short_answer"),
            generated=data.get("generated"),
            standalone_question=data.get("standalone_question"),
            note=data.get("note"),
            time=QuestionTime(
                first=_iso_day(time.get("from")),
                last=_iso_day(time.get("to")),
                recency=bool(time.get("recency")),
            ),
            reason=data.get("reason"),
            lines=tuple(
                AnswerLine(
                    text=str(line.get("text", "")),
                    citations=tuple(line.get("citations") or ()),
                    event_date=line.get("event_date"),
                    earlier=bool(line.get("earlier")),
                )
                for line in data.get("lines") or ()
            ),
        )


@dataclass(frozen=True, slots=True)
class IndexSummary:
    """What a re-index did."""

    added: int
    updated: int
    unchanged: int
    removed: int
    failed: tuple[LoadFailure, ...]
    chunks_embedded: int  # by the model
    seconds: float
    chunks_reused: int = 0  # unchanged sentences of edited articles: their stored vectors

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "failed": [{"path": f.path, "line": f.line, "reason": f.reason} for f in self.failed],
            "chunks_embedded": self.chunks_embedded,
            "chunks_reused": self.chunks_reused,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True, slots=True)
class IndexProgress:
    """A progress report during a re-index: ``done`` of ``total`` articles to embed."""

    done: int
    total: int
    added: int = 0
    updated: int = 0
    removed: int = 0
    failed: int = 0


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What is indexed right now."""

    articles: int
    chunks: int
    embedding_model: str
    store: str
    indexed_at: str | None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Restrict a question to some articles: one source, a range of publication dates."""

    source: str | None = None
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive

    def __bool__(self) -> bool:
        return bool(self.source or self.since or self.until)

    @property
    def since_day(self) -> int | None:
        return day_number(self.since) if self.since else None

    @property
    def until_day(self) -> int | None:
        return day_number(self.until) if self.until else None


def _iso_day(value: object) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def day_number(iso_date: str) -> int:
    """YYYY-MM-DD as the number YYYYMMDD: how dates are stored in Chroma to be compared."""
    return int(iso_date.replace("-", "")[:8])
