"""Plain typed data passed between the core and its faces (CLI, Discord)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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
    # Every passage retrieved, best first (for evaluation; not part of the JSON answer).
    retrieved: tuple[Passage, ...] = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "found": self.found,
            "short_answer": self.short_answer,
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


@dataclass(frozen=True, slots=True)
class IndexSummary:
    """What a re-index did."""

    added: int
    updated: int
    unchanged: int
    removed: int
    failed: tuple[LoadFailure, ...]
    chunks_embedded: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "failed": [{"path": f.path, "line": f.line, "reason": f.reason} for f in self.failed],
            "chunks_embedded": self.chunks_embedded,
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


def day_number(iso_date: str) -> int:
    """YYYY-MM-DD as the number YYYYMMDD: how dates are stored in Chroma to be compared."""
    return int(iso_date.replace("-", "")[:8])
