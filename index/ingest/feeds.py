"""The feeds newsbot follows, in a small SQLite file in the data directory.

Per feed: its URL, the source name its articles get, how often it is checked, the
validators of its last answer (ETag, Last-Modified) for conditional requests, and how the
last check went. Per item: the fingerprint it had when taken in, so an item is fetched
again only when it is new or edited. The articles themselves live in the corpus folder,
never here: losing this file costs one full fetch, not an article.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from index.errors import FeedError

FEEDS_FILE = "feeds.sqlite3"
MIN_EVERY = 5  # seconds; polite feeds are checked every few minutes, tests every few seconds
MAX_EVERY = 7 * 86400

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    source TEXT,
    every INTEGER NOT NULL,
    title TEXT,
    etag TEXT,
    last_modified TEXT,
    added_at REAL NOT NULL,
    checked_at REAL,
    status TEXT,
    error TEXT
);
CREATE TABLE IF NOT EXISTS items (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    url TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    outcome TEXT NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (feed_id, key)
);
"""


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed followed."""

    id: int
    url: str
    source: str | None  # the source name its articles get; None: the site's own name
    every: int  # seconds between checks
    title: str | None = None  # the feed's own title, once read
    etag: str | None = None
    last_modified: str | None = None
    checked_at: float | None = None  # epoch seconds of the last check
    status: str | None = None  # how the last check went, e.g. "3 new" or "not modified"
    error: str | None = None  # why the last check failed

    @property
    def name(self) -> str:
        """What people call it: the source given, else the feed's title, else its URL."""
        return self.source or self.title or self.url

    def due_in(self, now: float) -> float:
        """Seconds until the feed should be checked again (0 or less: now)."""
        return 0.0 if self.checked_at is None else self.checked_at + self.every - now


@dataclass(frozen=True, slots=True)
class SeenItem:
    """An item as it was when it was last taken in (or failed for good)."""

    key: str
    url: str
    fingerprint: str
    outcome: str  # "taken" or the reason it failed for good


class FeedRegistry:
    """The feeds table and the items seen; each call opens its own connection, so a
    registry can be used from any thread."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> FeedRegistry:
        return cls(data_dir / FEEDS_FILE)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30)
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            connection.executescript(_SCHEMA)
            with connection:
                yield connection
        finally:
            connection.close()

    def add(self, url: str, *, source: str | None, every: int) -> Feed:
        """Follow ``url`` (already checked and made canonical by the caller).

        Raises:
            FeedError: It is followed already.
        """
        with self._db() as db:
            try:
                cursor = db.execute(
                    "INSERT INTO feeds (url, source, every, added_at) VALUES (?, ?, ?, ?)",
                    (url, source or None, every, time.time()),
                )
            except sqlite3.IntegrityError:
                existing = self._find(db, url)
                raise FeedError(f"{url} is followed already (feed {existing.id}).") from None
            feed_id = int(cursor.lastrowid or 0)
        return self.get(str(feed_id))

    def feeds(self) -> list[Feed]:
        with self._db() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM feeds ORDER BY id").fetchall()
        return [Feed(*row) for row in rows]

    def get(self, url_or_id: str) -> Feed:
        """The feed with this id (as shown by ``feeds list``) or URL.

        Raises:
            FeedError: No such feed is followed.
        """
        with self._db() as db:
            return self._find(db, url_or_id)

    def remove(self, url_or_id: str) -> Feed:
        """Stop following a feed; its articles stay in the corpus.

        Raises:
            FeedError: No such feed is followed.
        """
        with self._db() as db:
            feed = self._find(db, url_or_id)
            db.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))
        return feed

    def _find(self, db: sqlite3.Connection, url_or_id: str) -> Feed:
        wanted = url_or_id.strip()
        if wanted.isdigit():
            row = db.execute(f"SELECT {_COLUMNS} FROM feeds WHERE id = ?", (int(wanted),))
        else:
            row = db.execute(f"SELECT {_COLUMNS} FROM feeds WHERE url = ?", (wanted,))
        found = row.fetchone()
        if found is None:
            raise FeedError(
                f"No feed {wanted!r} is followed; `newsbot feeds list` (or /feed list) "
                "shows the feeds and their numbers."
            )
        return Feed(*found)

    def due(self, now: float) -> list[Feed]:
        return [feed for feed in self.feeds() if feed.due_in(now) <= 0]

    def record_check(
        self,
        feed: Feed,
        *,
        status: str,
        error: str | None = None,
        title: str | None = None,
        validators: tuple[str | None, str | None] | None = None,
    ) -> None:
        """How a check went; ``validators`` (ETag, Last-Modified) replace the stored ones
        when given (None keeps them)."""
        etag, last_modified = validators if validators is not None else (None, None)
        with self._db() as db:
            db.execute(
                "UPDATE feeds SET checked_at = ?, status = ?, error = ?, "
                "title = COALESCE(?, title), "
                "etag = CASE WHEN ? THEN ? ELSE etag END, "
                "last_modified = CASE WHEN ? THEN ? ELSE last_modified END WHERE id = ?",
                (
                    time.time(),
                    status,
                    error,
                    title or None,
                    validators is not None,
                    etag,
                    validators is not None,
                    last_modified,
                    feed.id,
                ),
            )

    def seen(self, feed: Feed) -> dict[str, SeenItem]:
        """The items of ``feed`` taken in (or failed for good), by key."""
        with self._db() as db:
            rows = db.execute(
                "SELECT key, url, fingerprint, outcome FROM items WHERE feed_id = ?", (feed.id,)
            ).fetchall()
        return {row[0]: SeenItem(*row) for row in rows}

    def record_items(self, feed: Feed, items: Iterable[SeenItem]) -> None:
        with self._db() as db:
            db.executemany(
                "INSERT OR REPLACE INTO items (feed_id, key, url, fingerprint, outcome, seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(feed.id, i.key, i.url, i.fingerprint, i.outcome, time.time()) for i in items],
            )


_COLUMNS = "id, url, source, every, title, etag, last_modified, checked_at, status, error"


def parse_every(text: str) -> int:
    """Seconds in an interval such as ``30m``, ``2h``, ``1h30m``, ``1d`` or ``90s``.

    Raises:
        FeedError: Not an interval, or outside 5 seconds .. 7 days.
    """
    compact = text.strip().lower().replace(" ", "")
    parts = _INTERVAL.findall(compact)
    if not parts or "".join(f"{n}{u}" for n, u in parts) != compact:
        raise FeedError(f"{text!r} is not an interval; write it like 30m, 2h, 1h30m, 1d or 90s.")
    seconds = round(sum(float(n) * _UNITS[u] for n, u in parts))
    if not MIN_EVERY <= seconds <= MAX_EVERY:
        raise FeedError(f"{text!r}: a feed is checked at most every 5 s and at least once a week.")
    return seconds


def describe_every(seconds: int) -> str:
    """``1800`` → ``30 min``; ``5400`` → ``1 h 30 min``."""
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        if seconds >= size:
            count, seconds = divmod(seconds, size)
            parts.append(f"{count} {unit}")
    return " ".join(parts) or "0 s"


def add_feed(
    registry: FeedRegistry, url: str, *, source: str | None, every: str, allow_private: bool
) -> Feed:
    """Follow the feed at ``url``: checked as a fetch would check it, stored canonical.

    Raises:
        URLRefusedError: The URL may not be fetched (scheme, host, private address).
        FeedError: A bad interval, or the feed is followed already.
    """
    from index.ingest.urls import canonical_url, check_host

    seconds = parse_every(every)
    check_host(url, allow_private=allow_private)
    return registry.add(canonical_url(url), source=(source or "").strip() or None, every=seconds)
