"""Following feeds and links: one round of checks, each new or edited item fetched,
extracted and written into the corpus folder as a file.

The corpus folder stays the one source of truth: an article fetched is a ``.md`` file under
``web/<site>/`` (named from its canonical URL, so an edited article replaces its own file),
which ``newsbot index`` reads like any other. Indexing is the caller's next step. A feed
or page that fails is reported with the reason and the rest go on; nothing is deleted.

A feed's validators (ETag, Last-Modified) are kept only when every item of it was taken
in or failed for good (a 404, not HTML): after a timeout or a 503 the next check reads the
feed again, so the item is tried again, while an unchanged feed costs one 304.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import threading
import time
from collections.abc import Coroutine, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from index.errors import FetchError, FetchInProgressError, NewsbotError
from index.ingest.extract import FeedEntry, parse_feed
from index.ingest.feeds import Feed, FeedRegistry, SeenItem
from index.ingest.fetch import FEED_ACCEPT, Fetcher, FetchPolicy
from index.ingest.pages import Outcome, PageTaker, TakenArticle

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_ITEMS_PER_FEED = 200  # items looked at per check, first in the feed first


@dataclass(frozen=True, slots=True)
class ItemFailure:
    url: str
    reason: str


@dataclass
class FeedReport:
    """How one feed's check went."""

    url: str
    name: str
    status: Literal["read", "not modified", "failed"] = "read"
    articles: list[TakenArticle] = field(default_factory=list)
    failures: list[ItemFailure] = field(default_factory=list)
    error: str | None = None  # why the feed itself failed
    problem: str | None = None  # broken XML it could still be read through

    def count(self, outcome: Outcome) -> int:
        return sum(1 for a in self.articles if a.outcome == outcome)

    def describe(self) -> str:
        """``3 new, 0 updated, 1 unchanged, 2 failed`` or ``not modified`` or the error."""
        if self.status == "failed":
            return f"failed: {self.error}"
        if self.status == "not modified":
            return "not modified"
        return (
            f"{self.count('new')} new, {self.count('updated')} updated, "
            f"{self.count('unchanged')} unchanged, {len(self.failures)} failed"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "feed": self.url,
            "name": self.name,
            "status": self.status,
            "new": self.count("new"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "failed": [asdict(f) for f in self.failures],
            "error": self.error,
            "problem": self.problem,
            "articles": [asdict(a) for a in self.articles],
        }


@dataclass
class FollowReport:
    """A round over the feeds: each feed's report, and where the time went."""

    feeds: list[FeedReport] = field(default_factory=list)
    seconds: float = 0.0  # the whole round, wall clock
    extract_seconds: float = 0.0  # of which reading feeds and extracting pages (one thread)
    requests: int = 0  # HTTP requests sent

    @property
    def written(self) -> list[TakenArticle]:
        """Articles new or changed in the corpus folder: what the index has to take in."""
        return [a for f in self.feeds for a in f.articles if a.outcome != "unchanged"]

    @property
    def failed(self) -> int:
        return sum(len(f.failures) + (f.status == "failed") for f in self.feeds)

    def to_dict(self) -> dict[str, Any]:
        return {
            "feeds": [f.to_dict() for f in self.feeds],
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "extract_seconds": round(self.extract_seconds, 3),
        }


class Follower:
    """Checks feeds and takes in links, writing what it fetches into the corpus folder."""

    def __init__(
        self, registry: FeedRegistry, policy: FetchPolicy, corpus_dir: Path, *, max_file_bytes: int
    ) -> None:
        """
        Args:
            registry: The feeds followed and the items seen.
            policy: How to fetch (timeouts, limits, private addresses).
            corpus_dir: Where articles are written, under ``web/``.
            max_file_bytes: The corpus's file size limit (an article file is checked
                against it as any file added is).
        """
        self.registry = registry
        self.policy = policy
        self.corpus_dir = corpus_dir
        self.max_file_bytes = max_file_bytes

    def follow(
        self, feeds: Sequence[Feed] | None = None, *, stop: threading.Event | None = None
    ) -> FollowReport:
        """Check ``feeds`` (default: all of them) once, taking in their new and edited items.

        ``stop``, set from another thread, ends the round early (the bot is shutting
        down): what was written stays, and the items not recorded are looked at next time.

        Raises:
            FetchInProgressError: Another fetch is running on this data directory.
            FetchStopped: ``stop`` was set.
        """
        with self._fetch_lock():
            chosen = list(feeds) if feeds is not None else self.registry.feeds()
            return asyncio.run(_until_stopped(self._follow(chosen), stop))

    def add_links(self, urls: Sequence[str]) -> list[TakenArticle | FetchError]:
        """Fetch each page in ``urls`` into the corpus folder: its article, or why not.

        Raises:
            FetchInProgressError: Another fetch is running on this data directory.
        """
        with self._fetch_lock():
            return asyncio.run(self._links(urls))

    def add_link(self, url: str) -> TakenArticle:
        """:meth:`add_links` for one URL.

        Raises:
            FetchError: The page could not be fetched or holds no article; the message says why.
            FetchInProgressError: Another fetch is running on this data directory.
        """
        (result,) = self.add_links([url])
        if isinstance(result, FetchError):
            raise result
        return result

    @contextmanager
    def _fetch_lock(self) -> Iterator[None]:
        path = self.registry.path.with_name("fetch.lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as e:
                raise FetchInProgressError() from e
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    async def _follow(self, feeds: list[Feed]) -> FollowReport:
        started = time.perf_counter()
        async with Fetcher(self.policy) as fetcher:
            run = PageTaker(fetcher, self.corpus_dir, self.max_file_bytes)
            try:
                reports = await asyncio.gather(*(self._check_safely(run, f) for f in feeds))
            finally:
                run.close()
        return FollowReport(
            feeds=list(reports),
            seconds=time.perf_counter() - started,
            extract_seconds=run.extract_seconds,
            requests=fetcher.requests,
        )

    async def _links(self, urls: Sequence[str]) -> list[TakenArticle | FetchError]:
        async with Fetcher(self.policy) as fetcher:
            run = PageTaker(fetcher, self.corpus_dir, self.max_file_bytes)
            try:
                return list(await asyncio.gather(*(run.take_link(url) for url in urls)))
            finally:
                run.close()

    async def _check_safely(self, run: PageTaker, feed: Feed) -> FeedReport:
        """:meth:`_check`, a bug in it reported as that feed's failure, not the round's."""
        try:
            return await self._check(run, feed)
        except Exception as e:
            log.exception("checking feed %s failed", feed.url)
            reason = f"unexpected error ({type(e).__name__}: {e})"
            return FeedReport(feed.url, feed.name, status="failed", error=reason)

    async def _check(self, run: PageTaker, feed: Feed) -> FeedReport:
        """One feed: read it (conditionally), then take in its new and edited items."""
        report = FeedReport(feed.url, feed.name)
        try:
            response = await run.fetcher.get(
                feed.url, accept=FEED_ACCEPT, etag=feed.etag, last_modified=feed.last_modified
            )
            if response.not_modified:
                report.status = "not modified"
                self.registry.record_check(feed, status=report.describe())
                return report
            parsed = await run.cpu(parse_feed, response.body, response.url, response.content_type)
        except NewsbotError as e:
            report.status, report.error = "failed", getattr(e, "reason", str(e))
            log.info("feed %s: %s", feed.url, report.error)  # in the report; not a fault here
            self.registry.record_check(feed, status="failed", error=report.error)
            return report
        report.problem = parsed.problem
        if feed.title is None and not feed.source and parsed.title:
            report.name = parsed.title
        seen = self.registry.seen(feed)
        todo = [
            entry
            for entry in parsed.entries[:MAX_ITEMS_PER_FEED]
            if entry.key not in seen or seen[entry.key].fingerprint != entry.fingerprint
        ]
        results = await asyncio.gather(*(run.take_entry(feed, parsed, e) for e in todo))
        kept, retry_later = self._record(report, todo, results)
        self.registry.record_items(feed, kept)
        self.registry.record_check(
            feed,
            status=report.describe(),
            title=parsed.title,
            validators=None if retry_later else (response.etag, response.last_modified),
        )
        return report

    def _record(
        self,
        report: FeedReport,
        entries: list[FeedEntry],
        results: list[TakenArticle | FetchError],
    ) -> tuple[list[SeenItem], bool]:
        """Sort the items' results into the report; (items to remember, any to retry)."""
        kept: list[SeenItem] = []
        retry_later = False
        for entry, result in zip(entries, results, strict=True):
            if isinstance(result, TakenArticle):
                report.articles.append(result)
                kept.append(SeenItem(entry.key, result.url, entry.fingerprint, "taken"))
                continue
            report.failures.append(ItemFailure(entry.link or entry.key, result.reason))
            log.info("feed %s: %s: %s", report.url, entry.link or entry.key, result.reason)
            if result.permanent:
                kept.append(SeenItem(entry.key, entry.link, entry.fingerprint, result.reason))
            else:
                retry_later = True
        return kept, retry_later


class FetchStopped(Exception):
    """A round was ended early by its ``stop`` event."""


async def _until_stopped(work: Coroutine[Any, Any, T], stop: threading.Event | None) -> T:
    """``await work``, cancelled if ``stop`` is set meanwhile."""
    task = asyncio.ensure_future(work)
    if stop is None:
        return await task
    while not task.done():
        await asyncio.wait({task}, timeout=0.2)
        if stop.is_set() and not task.done():
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            raise FetchStopped()
    return task.result()
