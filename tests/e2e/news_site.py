"""A loopback news site for the feed tests: an aiohttp server on 127.0.0.1 in a thread.

It serves what a small newsroom does: an RSS 2.0 feed (``/rss.xml``), an Atom feed
(``/atom.xml``), article pages (``/articles/<slug>.html``, with ``<link rel=canonical>``, a
site name and a date in their metadata) and ``/robots.txt`` (``/private/`` is off
limits). Feeds carry ETag and Last-Modified and answer a matching conditional request
with 304; their links carry ``utm_*`` tracking parameters, as real feeds' do.

And what goes wrong on the web: ``/troubles.xml`` links a page that is missing (404), one
of 5 MB (sent without a length), a PDF, a redirect loop, a page robots.txt forbids and a
page on a *silent* server (it accepts connections and never answers), beside one good
article; ``/broken.xml`` is not a feed at all; ``/messy.xml`` is an RSS feed with an
unescaped ``&`` that feedparser still reads; ``/flaky.html`` answers 503 with
``Retry-After: 1`` once, then the article.

Every request is recorded (method, path, headers, status) for the tests to read.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import html
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Self

from aiohttp import web

SITE_NAME = "Elmstead Courier"
TRACKING = "?utm_source=rss&utm_medium=feed&utm_campaign=daily"
HUGE_BYTES = 5 * 1000 * 1000


@dataclass
class SiteArticle:
    slug: str
    title: str
    published: dt.date
    paragraphs: list[str]
    feed: str = "rss"  # which feed lists it: rss, atom or troubles


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the query string
    headers: dict[str, str]
    status: int
    at: float  # time.monotonic() when it arrived


STARTING_ARTICLES = [
    SiteArticle(
        "ferry-winter-crossings",
        "Elmstead ferry to resume winter crossings",
        dt.date(2026, 11, 2),
        [
            "The ferry between Elmstead and Gull Island will resume winter crossings on 12 "
            "January, the operator Tidewater Lines said on Monday.",
            "The crossings were stopped last winter after storms damaged the landing stage on "
            "Gull Island. A new landing stage built by Harrow Marine opened in October.",
            "Tickets will cost four euros for adults and two euros for children.",
        ],
    ),
    SiteArticle(
        "library-evening-hours",
        "Elmstead library extends its evening hours",
        dt.date(2026, 11, 3),
        [
            "The Elmstead public library will stay open until nine o'clock on Thursday "
            "evenings from December, the head librarian Mira Okafor said.",
            "The longer hours are paid for by a grant from the regional arts council.",
        ],
        feed="atom",
    ),
    SiteArticle(
        "market-tram-depot",
        "Farmers market moves to the old tram depot",
        dt.date(2026, 11, 4),
        [
            "The Saturday farmers market of Elmstead moves to the old tram depot on Quay "
            "Street, whose roof was repaired this summer.",
            "Forty stalls will fit under the depot roof, twelve more than on the square.",
        ],
        feed="troubles",
    ),
]


class NewsSite:
    """``with NewsSite() as site:`` — the site, its silent neighbour, and what they were asked."""

    def __init__(self, articles: list[SiteArticle] | None = None) -> None:
        self.articles: dict[str, SiteArticle] = {
            a.slug: a for a in (articles if articles is not None else STARTING_ARTICLES)
        }
        self.log: list[Request] = []
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests the site was answering at once
        self.port = 0
        self.silent_port = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._silent: asyncio.Server | None = None
        self._hanging: list[asyncio.StreamWriter] = []
        self._flaky_calls = 0
        self.page_delay = 0.0  # seconds each article page takes to answer

    # -- what tests use -------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def page_url(self, slug: str) -> str:
        """An article's canonical URL (the feeds link it with tracking parameters)."""
        return self.url(f"/articles/{slug}.html")

    def publish(self, article: SiteArticle) -> str:
        with self._lock:
            self.articles[article.slug] = article
        return self.page_url(article.slug)

    def requests(self, since: int = 0) -> list[Request]:
        with self._lock:
            return list(self.log[since:])

    def wait_for(self, predicate: Callable[[list[Request]], bool], timeout: float) -> None:
        """Until ``predicate(requests so far)`` holds (polled)."""
        deadline = time.monotonic() + timeout
        while not predicate(self.requests()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the site was not asked as expected: {self.requests()}")
            time.sleep(0.1)

    # -- feeds ----------------------------------------------------------------------------------

    def _items(self, feed: str) -> list[SiteArticle]:
        with self._lock:
            chosen = [a for a in self.articles.values() if a.feed == feed]
        return sorted(chosen, key=lambda a: (a.published, a.slug), reverse=True)

    def rss(self, feed: str = "rss", extra_links: tuple[str, ...] = ()) -> str:
        items = [
            f"<item><title>{html.escape(a.title)}</title>"
            f"<link>{html.escape(self.page_url(a.slug) + TRACKING)}</link>"
            f"<guid isPermaLink='false'>elmstead-{a.slug}</guid>"
            f"<pubDate>{format_datetime(_midday(a.published))}</pubDate>"
            f"<description>{html.escape(a.paragraphs[0])}</description></item>"
            for a in self._items(feed)
        ]
        items += [
            f"<item><title>Trouble {n}</title><link>{html.escape(link)}</link></item>"
            for n, link in enumerate(extra_links)
        ]
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{SITE_NAME}</title><link>{self.url('/')}</link>"
            f"<description>News from Elmstead</description>{''.join(items)}</channel></rss>"
        )

    def atom(self) -> str:
        entries = [
            f"<entry><title>{html.escape(a.title)}</title>"
            f'<link rel="alternate" href="{html.escape(self.page_url(a.slug) + TRACKING)}"/>'
            f"<id>urn:elmstead:{a.slug}</id>"
            f"<updated>{_midday(a.published).isoformat()}</updated>"
            f"<summary>{html.escape(a.paragraphs[0])}</summary></entry>"
            for a in self._items("atom")
        ]
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{SITE_NAME} (Atom)</title><id>urn:elmstead:atom</id>"
            f"<updated>2026-11-05T12:00:00Z</updated>{''.join(entries)}</feed>"
        )

    def troubles(self) -> str:
        links = (
            self.url("/missing.html"),
            self.url("/huge.html"),
            self.url("/report.pdf"),
            self.url("/loop/a"),
            self.url("/private/secret.html"),
            f"http://127.0.0.1:{self.silent_port}/story.html",
        )
        return self.rss("troubles", links)

    def article_html(self, article: SiteArticle) -> str:
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in article.paragraphs)
        return (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(article.title)} | {SITE_NAME}</title>"
            f"<link rel='canonical' href='{self.page_url(article.slug)}'>"
            f"<meta property='og:site_name' content='{SITE_NAME}'>"
            f"<meta property='og:title' content='{html.escape(article.title)}'>"
            f"<meta property='article:published_time' content='{article.published}T12:00:00Z'>"
            "</head><body><nav><a href='/'>Home</a> <a href='/sport'>Sport</a></nav>"
            f"<article><h1>{html.escape(article.title)}</h1>{paragraphs}</article>"
            "<footer>© Elmstead Courier. All rights reserved.</footer></body></html>"
        )

    # -- the server -----------------------------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application(middlewares=[self._record])
        feeds = {
            "/rss.xml": lambda: self.rss(),
            "/atom.xml": self.atom,
            "/troubles.xml": self.troubles,
            "/messy.xml": lambda: self.rss("messy").replace("&amp;", "&"),
        }
        for path, render in feeds.items():
            app.router.add_get(path, self._feed_handler(render))
        app.router.add_get("/broken.xml", self._broken)
        app.router.add_get("/robots.txt", self._robots)
        app.router.add_get("/articles/{slug}.html", self._article)
        app.router.add_get("/huge.html", self._huge)
        app.router.add_get("/report.pdf", self._pdf)
        app.router.add_get("/loop/a", self._redirect("/loop/b"))
        app.router.add_get("/loop/b", self._redirect("/loop/a"))
        app.router.add_get("/flaky.html", self._flaky)
        return app

    @web.middleware
    async def _record(self, request: web.Request, handler: Callable) -> web.StreamResponse:  # type: ignore[type-arg]
        arrived = time.monotonic()
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            response: web.StreamResponse = await handler(request)
        except web.HTTPException as e:
            response = e
        finally:
            self.in_flight -= 1
        with self._lock:
            self.log.append(
                Request(
                    request.method, request.path_qs, dict(request.headers), response.status, arrived
                )
            )
        return response

    def _feed_handler(self, render: Callable[[], str]) -> Callable:  # type: ignore[type-arg]
        async def handler(request: web.Request) -> web.Response:
            body = render().encode()
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            modified = format_datetime(dt.datetime(2026, 11, 5, 12, tzinfo=dt.UTC), usegmt=True)
            headers = {"ETag": etag, "Last-Modified": modified}
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers=headers)
            return web.Response(body=body, content_type="application/rss+xml", headers=headers)

        return handler

    async def _broken(self, request: web.Request) -> web.Response:
        return web.Response(text="<<<this is not a feed>>> {oops", content_type="application/xml")

    async def _robots(self, request: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nDisallow: /private/\n")

    async def _pdf(self, request: web.Request) -> web.Response:
        return web.Response(body=b"%PDF-1.7\n%\xe2\xe3\n", content_type="application/pdf")

    async def _article(self, request: web.Request) -> web.Response:
        with self._lock:
            article = self.articles.get(request.match_info["slug"])
        if article is None:
            raise web.HTTPNotFound()
        await asyncio.sleep(self.page_delay)
        return web.Response(text=self.article_html(article), content_type="text/html")

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b"<p>" + b"word " * 20_000 + b"</p>"
        try:
            for _ in range(HUGE_BYTES // len(chunk) + 1):
                await response.write(chunk)
        except (ConnectionResetError, ConnectionError):
            pass  # the client stopped reading at its limit, as it should
        return response

    def _redirect(self, target: str) -> Callable:  # type: ignore[type-arg]
        async def handler(request: web.Request) -> web.Response:
            raise web.HTTPFound(target)

        return handler

    async def _flaky(self, request: web.Request) -> web.Response:
        self._flaky_calls += 1
        if self._flaky_calls == 1:
            return web.Response(status=503, headers={"Retry-After": "1"})
        article = SiteArticle("flaky", "Flaky page", dt.date(2026, 11, 1), ["It works now."])
        return web.Response(text=self.article_html(article), content_type="text/html")

    async def _hang(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._hanging.append(writer)  # read nothing, answer nothing, until the site stops

    def start(self) -> Self:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        self.port = sock.getsockname()[1]
        started = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(sock, started), name="news-site", daemon=True
        )
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the news site did not start")
        return self

    def _serve(self, sock: socket.socket, started: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._runner = web.AppRunner(self._app(), access_log=None)
        loop.run_until_complete(self._runner.setup())
        loop.run_until_complete(web.SockSite(self._runner, sock).start())
        self._silent = loop.run_until_complete(asyncio.start_server(self._hang, "127.0.0.1", 0))
        self.silent_port = self._silent.sockets[0].getsockname()[1]
        started.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _shutdown(self) -> None:
        for writer in self._hanging:
            writer.close()
        if self._silent is not None:
            self._silent.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _midday(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


# Articles the tests publish while newsbot follows the site, and questions only they answer.
LIGHTHOUSE = SiteArticle(
    "lighthouse-repainted",
    "Elmstead lighthouse to be repainted",
    dt.date(2026, 11, 5),
    [
        "The Elmstead lighthouse will be repainted in red and white stripes by a crew from "
        "Harlow Marine in the spring, the harbour master said.",
        "The lighthouse was last painted in 1998 and its paint is peeling badly.",
    ],
)
LIGHTHOUSE_QUESTION = "Who will repaint the Elmstead lighthouse?"
LIGHTHOUSE_FACT = "Harlow Marine"
FERRY_QUESTION = "When will the ferry to Gull Island resume winter crossings?"
FERRY_FACT = "12 January"
