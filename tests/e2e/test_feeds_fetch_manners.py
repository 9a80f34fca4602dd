"""The fetcher's manners (index/ingest/fetch.py), in process against loopback servers.

Each test serves exactly the misbehaviour it needs from a throwaway aiohttp app on
127.0.0.1 and fetches from it with the real :class:`Fetcher`; the article round as a whole
(per-host limits over a feed) runs against the news site. Seconds in all.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from index.errors import FetchError, URLRefusedError
from index.ingest.feeds import FeedRegistry, add_feed
from index.ingest.fetch import HTML_ACCEPT, Fetcher, FetchPolicy
from index.ingest.follow import Follower
from tests.e2e.news_site import NewsSite, SiteArticle

pytestmark = pytest.mark.e2e

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
POLICY = FetchPolicy(timeout=2.0, allow_private=True, backoff=0.05, max_bytes=2**20)


class Server:
    """One handler on a free loopback port, counting the requests it was sent."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[web.Request] = []
        self.times: list[float] = []
        self.url = ""

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request)
        self.times.append(time.monotonic())
        return await self.handler(request)


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[Server]]]:
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> Server:
        server = Server(handler)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", server._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        server.url = f"http://127.0.0.1:{port}"
        return server

    yield start
    for runner in runners:
        await runner.cleanup()


async def get(url: str, policy: FetchPolicy = POLICY, **kwargs: str) -> Any:
    async with Fetcher(policy) as fetcher:
        return await fetcher.get(url, accept=HTML_ACCEPT, **kwargs)


async def test_429_and_5xx_are_retried_with_backoff_until_they_succeed(serve: Any) -> None:
    statuses = iter([503, 500, 200])

    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=next(statuses), text="<html><p>ok</p></html>")

    server = await serve(handler)
    response = await get(server.url + "/page")
    assert response.status == 200 and len(server.requests) == 3
    gaps = [b - a for a, b in itertools.pairwise(server.times)]
    assert gaps[1] >= gaps[0] >= 0.05  # 0.05 s, then 0.1 s


async def test_retries_give_up_with_the_last_status(serve: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=502)

    server = await serve(handler)
    with pytest.raises(FetchError) as raised:
        await get(server.url + "/page")
    assert raised.value.reason == "HTTP 502 Bad Gateway" and not raised.value.permanent
    assert len(server.requests) == 1 + POLICY.retries


async def test_a_retry_after_longer_than_a_minute_is_not_waited_for(serve: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=429, headers={"Retry-After": "3600"})

    server = await serve(handler)
    started = time.monotonic()
    with pytest.raises(FetchError) as raised:
        await get(server.url + "/page")
    assert raised.value.reason == "HTTP 429 Too Many Requests; the server asks to wait 3600 s"
    assert len(server.requests) == 1 and time.monotonic() - started < 1


async def test_a_server_that_never_answers_costs_the_timeout(serve: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.Response()

    server = await serve(handler)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"no answer within 0\.5 s"):
        await get(server.url + "/slow", FetchPolicy(timeout=0.5, allow_private=True))
    assert time.monotonic() - started < 1.5


async def test_the_size_limit_holds_announced_or_not_and_after_decompression(
    serve: Any,
) -> None:
    bomb = gzip.compress(b"0" * 3 * 2**20)  # 3 MiB of zeros in a few kB

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/announced":
            return web.Response(body=b"x" * (5 * 2**20), content_type="text/html")
        return web.Response(body=bomb, headers={"Content-Encoding": "gzip"})

    server = await serve(handler)
    with pytest.raises(FetchError) as announced:
        await get(server.url + "/announced")
    assert announced.value.reason == "it is 5.0 MiB, over the 1 MiB limit (NEWSBOT_FETCH_MAX_MIB)"
    with pytest.raises(FetchError) as unpacked:
        await get(server.url + "/bomb")
    assert unpacked.value.reason == "it is over the 1 MiB limit (NEWSBOT_FETCH_MAX_MIB)"


async def test_redirects_are_limited_and_each_hop_is_checked(serve: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.path == "/to-file":
            raise web.HTTPFound("file:///etc/passwd")
        hop = int(request.path.rsplit("/", 1)[1])
        raise web.HTTPMovedPermanently(f"/r/{hop + 1}")

    server = await serve(handler)
    with pytest.raises(FetchError) as chain:
        await get(server.url + "/r/0")
    assert chain.value.reason == "more than 5 redirects" and len(server.requests) == 6
    with pytest.raises(URLRefusedError) as refused:
        await get(server.url + "/to-file")
    assert "newsbot fetches only http and https URLs, not file:" in str(refused.value)


async def test_a_host_resolving_to_loopback_is_refused_before_any_request(serve: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="<html>secret</html>", content_type="text/html")

    server = await serve(handler)
    strict = FetchPolicy(timeout=2.0)
    with pytest.raises(URLRefusedError) as refused:
        await get(server.url.replace("127.0.0.1", "localhost") + "/admin", strict)
    assert "localhost resolves to " in refused.value.reason
    assert "which is a loopback address" in refused.value.reason
    assert server.requests == []


async def test_conditional_requests_carry_the_validators_and_a_304_has_no_body(
    serve: Any,
) -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304)
        return web.Response(text="<rss/>", headers={"ETag": '"v1"', "Last-Modified": "x"})

    server = await serve(handler)
    first = await get(server.url + "/feed")
    again = await get(server.url + "/feed", etag=first.etag, last_modified=first.last_modified)
    assert (first.status, first.etag) == (200, '"v1"')
    assert again.not_modified and again.body == b""
    assert server.requests[1].headers["If-Modified-Since"] == "x"
    assert server.requests[0].headers["User-Agent"].startswith("newsbot")


async def test_robots_txt_crawl_delay_spaces_the_pages_of_a_site(serve: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.path == "/robots.txt":
            return web.Response(text="User-agent: newsbot\nCrawl-delay: 0.4\n")
        return web.Response(text="<html><p>page</p></html>", content_type="text/html")

    server = await serve(handler)
    async with Fetcher(POLICY) as fetcher:
        for n in range(3):
            await fetcher.check_robots(f"{server.url}/p{n}")
        await asyncio.gather(
            *(fetcher.get(f"{server.url}/p{n}", accept=HTML_ACCEPT) for n in range(3))
        )
    pages = [
        t for r, t in zip(server.requests, server.times, strict=True) if r.path != "/robots.txt"
    ]
    assert [r.path for r in server.requests].count("/robots.txt") == 1
    assert all(b - a >= 0.39 for a, b in itertools.pairwise(pages)), pages


def test_a_feed_round_keeps_to_the_per_host_limit(tmp_path: Path) -> None:
    articles = [
        SiteArticle(f"note-{n}", f"Council note {n}", dt_day(n), [f"Note {n} of the council."])
        for n in range(12)
    ]
    with NewsSite(articles) as site:
        site.page_delay = 0.3
        registry = FeedRegistry.in_data_dir(tmp_path / "data")
        add_feed(registry, site.url("/rss.xml"), source=None, every="1h", allow_private=True)
        policy = FetchPolicy(timeout=5.0, allow_private=True, per_host=2)
        report = Follower(registry, policy, tmp_path / "corpus", max_file_bytes=2**20).follow()
    assert report.feeds[0].count("new") == 12
    assert site.most_in_flight == 2  # two at a time: never more, and not one by one


def dt_day(n: int) -> Any:
    import datetime as dt

    return dt.date(2026, 10, 1) + dt.timedelta(days=n)
