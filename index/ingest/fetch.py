"""Polite HTTP for feeds and article pages, over aiohttp.

What every request does: a User-Agent naming newsbot; a time limit for the whole request
(connecting, waiting, reading); a size limit on what is read (announced or not, after
decompression); at most ``per_host`` requests to one host at a time, spaced by the site's
robots.txt ``Crawl-delay`` once it is known; redirects followed one hop at a time, each hop
checked like the first URL, up to ``max_redirects`` and never in a circle; 429 and 5xx
answers retried with exponential backoff, waiting as ``Retry-After`` asks; conditional GET
(``If-None-Match`` / ``If-Modified-Since``) when the caller has validators. Host names are
resolved by :class:`_GuardedResolver`, which refuses private addresses *and* is what the
connection uses, so a name cannot resolve to a public address when checked and a private
one when connected. Cookies are never kept.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from index.errors import FetchError, URLRefusedError
from index.ingest.urls import check_addresses, check_url

if TYPE_CHECKING:
    import socket

    from protego import Protego

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
ROBOTS_AGENT = "newsbot"  # the name robots.txt rules address newsbot by

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRIED = frozenset({429, 500, 502, 503, 504})
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How politely (and how far) newsbot fetches; built from the settings by the caller."""

    user_agent: str = f"{ROBOTS_AGENT} (news feed reader; honours robots.txt)"
    timeout: float = 20.0  # seconds for one request, connecting and reading included
    max_bytes: int = 4 * 2**20  # largest response read
    per_host: int = 2  # requests to one host at the same time
    retries: int = 2  # more tries of a request answered 429 or 5xx
    max_redirects: int = 5
    allow_private: bool = False  # loopback, link-local and private addresses
    backoff: float = 1.0  # seconds before the first retry; doubled for each next one
    max_wait: float = 60.0  # a Retry-After longer than this gives up for this round
    max_crawl_delay: float = 10.0  # a longer robots.txt Crawl-delay is cut to this


@dataclass(frozen=True, slots=True)
class Response:
    """What a GET brought back (``body`` is empty for a 304)."""

    url: str  # after redirects
    status: int
    body: bytes = b""
    content_type: str = ""  # the media type alone, lower-case
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Host:
    """One host's share of the fetcher: its concurrent slots and its crawl delay."""

    slots: asyncio.Semaphore
    delay: float = 0.0
    next_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def wait_turn(self) -> None:
        if not self.delay:
            return
        async with self.lock:
            wait = self.next_at - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self.next_at = time.monotonic() + self.delay


@dataclass(frozen=True, slots=True)
class _Retry:
    """A 429 or 5xx answer: why, and how long the server asked to wait (None: backoff)."""

    reason: str
    wait: float | None


class _Refused(Exception):
    """A host resolved to an address that may not be fetched (not an OSError: aiohttp
    would report that as a DNS failure)."""

    def __init__(self, error: URLRefusedError) -> None:
        super().__init__(str(error))
        self.error = error


class _GuardedResolver(AbstractResolver):
    """aiohttp's resolver, refusing a host if any of its addresses is not public."""

    def __init__(self) -> None:
        self._inner = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily | int = 0
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)  # type: ignore[arg-type]
        try:
            check_addresses(f"http://{host}/", host, [r["host"] for r in results])
        except URLRefusedError as e:
            raise _Refused(e) from e
        return results

    async def close(self) -> None:
        await self._inner.close()


class Fetcher:
    """An HTTP client for one fetch run: ``async with Fetcher(policy) as fetcher: ...``."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy
        self.requests = 0  # HTTP requests sent, retries and redirect hops included
        self._session: aiohttp.ClientSession | None = None
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, asyncio.Task[Protego | None]] = {}

    async def __aenter__(self) -> Fetcher:
        connector = aiohttp.TCPConnector(
            limit=16,
            resolver=None if self.policy.allow_private else _GuardedResolver(),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.policy.user_agent},
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=self.policy.timeout),
            trust_env=False,  # a proxy from the environment would bypass the address checks
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._robots.values():
            task.cancel()
        if self._session is not None:
            await self._session.close()

    async def get(
        self,
        url: str,
        *,
        accept: str,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Response:
        """GET ``url``, following redirects; a 304 comes back as a :class:`Response` too.

        Raises:
            URLRefusedError: ``url`` or a redirect target may not be fetched.
            FetchError: No usable answer: an HTTP error, too large, too many redirects or a
                loop, no answer in time, no connection. The reason says which.
        """
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        visited = [url]
        while True:
            response, location = await self._get_once(visited[-1], headers)
            if location is None:
                return response
            target = urljoin(visited[-1], location)
            if target in visited:
                loop = " → ".join([*visited[visited.index(target) :], target])
                raise FetchError(url, f"redirect loop ({loop})", permanent=True)
            if len(visited) > self.policy.max_redirects:
                raise FetchError(
                    url, f"more than {self.policy.max_redirects} redirects", permanent=True
                )
            visited.append(target)

    async def _get_once(self, url: str, headers: dict[str, str]) -> tuple[Response, str | None]:
        """One URL, retried on 429/5xx; (response, redirect target or None)."""
        host = self._host(url)
        for attempt in range(self.policy.retries + 1):
            async with host.slots:
                await host.wait_turn()
                self.requests += 1
                result = await self._request(url, headers)
            if not isinstance(result, _Retry):
                return result
            if attempt == self.policy.retries:
                raise FetchError(url, result.reason)
            await asyncio.sleep(
                result.wait if result.wait is not None else self.policy.backoff * 2**attempt
            )
        raise AssertionError("unreachable")

    async def _request(
        self, url: str, headers: dict[str, str]
    ) -> tuple[Response, str | None] | _Retry:
        """One request: the response (and a redirect's target), or a 429/5xx to retry.

        Raises:
            FetchError: As :meth:`get`, for what a retry would not mend.
        """
        assert self._session is not None, "use Fetcher in an async with block"
        try:
            async with self._session.get(url, headers=headers, allow_redirects=False) as r:
                if r.status in _REDIRECTS:
                    location = r.headers.get("Location")
                    if not location:
                        raise FetchError(url, f"HTTP {r.status} without a Location", permanent=True)
                    return Response(url, r.status), location
                if r.status in _RETRIED:
                    return self._retry(url, r)
                if r.status >= 400:
                    permanent = r.status != 408
                    raise FetchError(url, _status_reason(r), permanent=permanent)
                body = b"" if r.status == 304 else await self._read(url, r)
                return _response(url, r, body), None
        except _Refused as e:
            raise e.error from None
        except TimeoutError as e:
            raise FetchError(url, f"no answer within {self.policy.timeout:g} s") from e
        except aiohttp.TooManyRedirects as e:  # pragma: no cover - redirects are ours
            raise FetchError(url, "too many redirects", permanent=True) from e
        except aiohttp.ClientResponseError as e:
            raise FetchError(url, f"bad HTTP answer ({e.message})") from e
        except aiohttp.ClientError as e:
            raise FetchError(url, f"cannot connect ({_connection_reason(e)})") from e

    def _retry(self, url: str, r: aiohttp.ClientResponse) -> _Retry:
        wait = retry_after(r.headers.get("Retry-After"))
        if wait is not None and wait > self.policy.max_wait:
            raise FetchError(url, f"{_status_reason(r)}; the server asks to wait {wait:.0f} s")
        return _Retry(_status_reason(r), wait)

    async def _read(self, url: str, r: aiohttp.ClientResponse) -> bytes:
        limit = self.policy.max_bytes
        if r.content_length is not None and r.content_length > limit:
            raise FetchError(url, _too_large(r.content_length, limit), permanent=True)
        chunks: list[bytes] = []
        size = 0
        async for chunk in r.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise FetchError(url, _too_large(None, limit), permanent=True)
            chunks.append(chunk)
        return b"".join(chunks)

    def _host(self, url: str) -> _Host:
        """The host of ``url`` (checked: it may be fetched), with its slots and delay."""
        parts = check_url(url, allow_private=self.policy.allow_private)
        key = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
        if key not in self._hosts:
            self._hosts[key] = _Host(asyncio.Semaphore(self.policy.per_host))
        return self._hosts[key]

    # -- robots.txt ---------------------------------------------------------------------------

    async def check_robots(self, url: str) -> None:
        """Refuse ``url`` if its site's robots.txt disallows it for newsbot.

        Raises:
            FetchError: Disallowed (permanent), or robots.txt could not be read: a site
                whose robots.txt does not answer is not crawled (RFC 9309, 2.3.1.4).
        """
        parts = check_url(url, allow_private=self.policy.allow_private)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = asyncio.create_task(self._load_robots(origin))
        try:
            rules = await asyncio.shield(self._robots[origin])
        except URLRefusedError as e:
            raise URLRefusedError(url, e.reason) from e
        except FetchError as e:
            raise FetchError(url, f"its site's robots.txt could not be read ({e.reason})") from e
        if rules is not None and not rules.can_fetch(url, ROBOTS_AGENT):
            raise FetchError(url, "robots.txt does not allow newsbot to fetch it", permanent=True)

    async def _load_robots(self, origin: str) -> Protego | None:
        """The site's rules, or None (no robots.txt: everything is allowed)."""
        from protego import Protego

        try:
            response = await self.get(f"{origin}/robots.txt", accept="text/plain")
        except URLRefusedError:
            raise  # the page is refused for the same reason
        except FetchError as e:
            if e.permanent:  # 4xx: "unavailable", so no restrictions (RFC 9309, 2.3.1.3)
                return None
            raise
        try:
            text = response.body.decode(response.charset or "utf-8", "replace")
        except LookupError:  # a charset Python does not know
            text = response.body.decode("utf-8", "replace")
        rules = Protego.parse(text)
        delay = rules.crawl_delay(ROBOTS_AGENT)
        if delay:
            self._host(origin).delay = min(float(delay), self.policy.max_crawl_delay)
        return rules


def retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (a number or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _response(url: str, r: aiohttp.ClientResponse, body: bytes) -> Response:
    return Response(
        url=url,
        status=r.status,
        body=body,
        content_type=(r.content_type or "").lower(),
        charset=r.charset,
        etag=r.headers.get("ETag"),
        last_modified=r.headers.get("Last-Modified"),
    )


def _status_reason(r: aiohttp.ClientResponse) -> str:
    return f"HTTP {r.status}" + (f" {r.reason}" if r.reason else "")


def _too_large(size: int | None, limit: int) -> str:
    said = f"it is {size / 2**20:.1f} MiB, " if size is not None else "it is "
    return f"{said}over the {limit / 2**20:g} MiB limit (NEWSBOT_FETCH_MAX_MIB)"


def _connection_reason(error: Any) -> str:
    os_error = getattr(error, "os_error", None)
    if os_error is not None:
        return getattr(os_error, "strerror", None) or str(os_error)
    return str(error) or type(error).__name__
