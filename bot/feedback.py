"""The answers the bot showed (so their buttons keep working) and people's 👍/👎 votes on them.

One SQLite file under the data directory. A vote row is self-contained for later
evaluation: the question, the answer text, the ids of the cited articles, the vote, when,
and a keyed hash of the voter's Discord id — enough to count one vote per person per
answer, not enough to tell who voted (the key never leaves this file).

Blocking I/O: call it from a worker thread (``asyncio.to_thread``), never on the event loop.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from urllib.parse import quote

from index.models import Answer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    shown_at TEXT NOT NULL,
    answer TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT NOT NULL,
    user_hash TEXT NOT NULL,
    vote TEXT NOT NULL,
    voted_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citation_ids TEXT NOT NULL,
    PRIMARY KEY (answer_id, user_hash)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Answers are kept for their buttons only; votes copy what they need. Older answers go.
DEFAULT_KEEP_ANSWERS = 20_000


class Vote(Enum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class VoteRecord:
    """One person's vote on one answer, as stored."""

    answer_id: str
    user_hash: str
    vote: Vote
    voted_at: str
    question: str
    answer: str
    citation_ids: tuple[str, ...]


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class FeedbackStore:
    """Answers shown and votes, in one SQLite file (thread-safe)."""

    def __init__(
        self,
        path: Path,
        *,
        keep_answers: int = DEFAULT_KEEP_ANSWERS,
        clock: Callable[[], str] = _now,
    ) -> None:
        self.path = path
        self._keep = keep_answers
        self._clock = clock
        self._lock = threading.Lock()
        self._key: bytes | None = None

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        # closing() closes the file; the connection's own context is one transaction.
        with self._lock, closing(sqlite3.connect(self.path, timeout=10)) as db, db:
            yield db

    def open(self) -> None:
        """Create the file and its tables if needed, and load the hashing key."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key = 'user_hash_key'").fetchone()
            if row is None:
                row = (secrets.token_hex(32),)
                db.execute("INSERT INTO meta VALUES ('user_hash_key', ?)", row)
        self._key = bytes.fromhex(row[0])

    def user_hash(self, user_id: int) -> str:
        """A keyed hash of a Discord user id: stable per person, not reversible without the key."""
        if self._key is None:
            self.open()
        assert self._key is not None
        return hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()

    def remember(self, answer: Answer) -> str:
        """Store an answer about to be shown; returns the id its buttons carry."""
        if self._key is None:
            self.open()
        answer_id = uuid.uuid4().hex
        with self._db() as db:
            db.execute(
                "INSERT INTO answers VALUES (?, ?, ?)",
                (answer_id, self._clock(), json.dumps(answer.to_dict(), ensure_ascii=False)),
            )
            db.execute(
                "DELETE FROM answers WHERE rowid <= (SELECT MAX(rowid) FROM answers) - ?",
                (self._keep,),
            )
        return answer_id

    def recall(self, answer_id: str) -> Answer | None:
        """The answer shown under ``answer_id``, or None if it is unknown or was pruned."""
        if self._key is None:
            self.open()
        with self._db() as db:
            row = db.execute("SELECT answer FROM answers WHERE id = ?", (answer_id,)).fetchone()
        return None if row is None else _answer_from_json(row[0])

    def record_vote(self, answer_id: str, user_id: int, vote: Vote) -> Answer | None:
        """Store (or change) a person's vote on an answer; None if the answer is unknown."""
        answer = self.recall(answer_id)
        if answer is None:
            return None
        citation_ids = json.dumps([c.article_id for c in answer.citations], ensure_ascii=False)
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO votes VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    answer_id,
                    self.user_hash(user_id),
                    vote.value,
                    self._clock(),
                    answer.question,
                    answer.answer,
                    citation_ids,
                ),
            )
        return answer

    def votes(self) -> list[VoteRecord]:
        """Every vote, oldest first."""
        if self._key is None:
            self.open()
        with self._db() as db:
            rows = db.execute(
                "SELECT answer_id, user_hash, vote, voted_at, question, answer, citation_ids "
                "FROM votes ORDER BY voted_at, rowid"
            ).fetchall()
        return [
            VoteRecord(
                answer_id=r[0],
                user_hash=r[1],
                vote=Vote(r[2]),
                voted_at=r[3],
                question=r[4],
                answer=r[5],
                citation_ids=tuple(json.loads(r[6])),
            )
            for r in rows
        ]


def _answer_from_json(text: str) -> Answer:
    return Answer.from_dict(json.loads(text))


def export_votes(paths: Sequence[Path]) -> list[dict[str, object]]:
    """Every vote of the feedback files given (one per bot process), oldest first, each with
    the file it came from.

    Each file hashes voters with a key of its own, so one person's votes in two processes
    do not show as the same person; an answer's votes are all in the process that showed it.

    Raises:
        FileNotFoundError: A file does not exist.
    """
    merged: list[dict[str, object]] = []
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(path)
        # Read-only: exporting never creates tables or keys in a file.
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=10)) as db:
            rows = db.execute(
                "SELECT answer_id, user_hash, vote, voted_at, question, answer, citation_ids "
                "FROM votes ORDER BY voted_at, rowid"
            ).fetchall()
        merged += [
            {
                "file": str(path),
                "answer_id": r[0],
                "user_hash": r[1],
                "vote": r[2],
                "voted_at": r[3],
                "question": r[4],
                "answer": r[5],
                "citation_ids": json.loads(r[6]),
            }
            for r in rows
        ]
    return sorted(merged, key=lambda v: str(v["voted_at"]))
