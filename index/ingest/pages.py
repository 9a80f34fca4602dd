"""Taking article pages into the corpus folder, for one round of fetching.

A page is taken once per round whoever links to it (the key is its canonical URL, tracking
parameters removed): robots.txt is asked first, then the page is fetched, checked to be
HTML, its article extracted (in one thread beside the event loop: requests go on while a
page is read), and written as ``web/<site>/<slug>-<hash>.md`` — unless the same bytes are
there already. Every failure comes back as a :class:`~index.errors.FetchError` value with
its reason, so one bad page never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from index.errors import FetchError, NewsbotError
from index.ingest.extract import (
    FeedEntry,
    ParsedFeed,
    article_markdown,
    extract_page,
    is_html,
)
from index.ingest.feeds import Feed
from index.ingest.fetch import HTML_ACCEPT, Fetcher
from index.ingest.intake import add_file
from index.ingest.urls import article_path, canonical_url, check_url

log = logging.getLogger(__name__)

T = TypeVar("T")
Outcome = Literal["new", "updated", "unchanged"]


@dataclass(frozen=True, slots=True)
class TakenArticle:
    """An article fetched and written into the corpus folder (or found unchanged there)."""

    url: str  # canonical
    title: str
    file: str  # relative to the corpus folder
    outcome: Outcome


class PageTaker:
    """What one round shares: the fetcher, one extraction thread, the pages taken."""

    def __init__(self, fetcher: Fetcher, corpus_dir: Path, max_file_bytes: int) -> None:
        self.fetcher = fetcher
        self.corpus_dir = corpus_dir
        self.max_file_bytes = max_file_bytes
        self.extract_seconds = 0.0
        # Feeds and pages are parsed in one thread beside the event loop: requests keep
        # going while a page is read, and two CPU-bound extractions would only share a core.
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="newsbot-extract")
        self._taking: dict[str, asyncio.Task[TakenArticle]] = {}

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    async def cpu(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in the extraction thread, its time counted."""

        def timed() -> T:
            started = time.perf_counter()
            try:
                return function(*args)
            finally:
                self.extract_seconds += time.perf_counter() - started

        return await asyncio.get_running_loop().run_in_executor(self._executor, timed)

    async def take_entry(
        self, feed: Feed, parsed: ParsedFeed, entry: FeedEntry
    ) -> TakenArticle | FetchError:
        if not entry.link:
            return FetchError(entry.key, "the item has no link to an article", permanent=True)
        return await self._guarded(
            entry.link,
            lambda url: self._take(
                url,
                title=entry.title,
                source=feed.source,
                fallback_source=parsed.title,
                published_at=entry.published_at,
            ),
        )

    async def take_link(self, link: str) -> TakenArticle | FetchError:
        return await self._guarded(link, lambda url: self._take(url))

    async def _guarded(
        self, link: str, take: Callable[[str], Coroutine[Any, Any, TakenArticle]]
    ) -> TakenArticle | FetchError:
        """Take the page at ``link`` once per round, whoever links to it; errors returned."""
        try:
            check_url(link, allow_private=self.fetcher.policy.allow_private)
            url = canonical_url(link)
            if url not in self._taking:
                self._taking[url] = asyncio.create_task(take(url))
            return await asyncio.shield(self._taking[url])
        except FetchError as e:
            return e
        except NewsbotError as e:
            return FetchError(link, str(e).rstrip("."), permanent=True)
        except Exception as e:
            log.exception("taking in %s failed", link)
            return FetchError(link, f"unexpected error ({type(e).__name__}: {e})")

    async def _take(
        self,
        url: str,
        *,
        title: str = "",
        source: str | None = None,
        fallback_source: str = "",
        published_at: str | None = None,
    ) -> TakenArticle:
        await self.fetcher.check_robots(url)
        response = await self.fetcher.get(url, accept=HTML_ACCEPT)
        if not is_html(response.content_type, response.body):
            shown = response.content_type or "no content type"
            raise FetchError(url, f"not an HTML page ({shown})", permanent=True)
        page = await self.cpu(extract_page, response.body, response.url, response.charset)
        data = article_markdown(
            title=page.title or title or page.url,
            source=source or page.site_name or fallback_source or (urlsplit(url).hostname or ""),
            published_at=published_at or page.published_at,
            url=page.url,
            body=page.body,
        )
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, self._write, page.url, page.title or title, data
        )

    def _write(self, url: str, title: str, data: bytes) -> TakenArticle:
        """Put the article file in the corpus folder, unless it is there unchanged."""
        relative = article_path(url)
        target = self.corpus_dir / relative
        if target.exists() and target.read_bytes() == data:
            return TakenArticle(url, title, relative.as_posix(), "unchanged")
        intake = add_file(target.parent, target.name, data, max_file_bytes=self.max_file_bytes)
        outcome: Outcome = "updated" if intake.replaced else "new"
        return TakenArticle(url, title, relative.as_posix(), outcome)
