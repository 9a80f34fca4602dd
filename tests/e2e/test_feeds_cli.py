"""`newsbot feeds`, `newsbot fetch` and `newsbot add URL` end to end: real processes against
the loopback news site (``news_site.py``), a real index, real answers.

The module shares one site and one data directory; each test starts from whatever the
others left (it fetches first, or reads counts from the report), so any test passes alone
or in any order.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.feeds_cli import ask, by_feed, fetch, newsbot
from tests.e2e.news_site import (
    FERRY_FACT,
    FERRY_QUESTION,
    LIGHTHOUSE,
    LIGHTHOUSE_FACT,
    LIGHTHOUSE_QUESTION,
    TRACKING,
    NewsSite,
    SiteArticle,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


@pytest.fixture(scope="module")
def env(site: NewsSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A data directory following the site's RSS and Atom feeds, fetched once."""
    root = tmp_path_factory.mktemp("feeds-cli")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    environment.update(
        NEWSBOT_DATA_DIR=str(root / "data"),
        NEWSBOT_CORPUS_DIR=str(root / "corpus"),
        NEWSBOT_FETCH_ALLOW_PRIVATE="true",
        NEWSBOT_FETCH_TIMEOUT="3",
        NEWSBOT_TODAY="2026-11-06",
    )
    newsbot(environment, "feeds", "add", site.url("/rss.xml"), "--source", "Elmstead Courier")
    newsbot(environment, "feeds", "add", site.url("/atom.xml"), "--every", "2h")
    first = fetch(environment)
    assert [f["status"] for f in first["feeds"]] == ["read", "read"], first
    return environment


def test_fetched_articles_are_answered_with_their_canonical_url(
    site: NewsSite, env: dict[str, str]
) -> None:
    answer = ask(env, FERRY_QUESTION)
    assert answer["found"] and FERRY_FACT in answer["answer"]
    cited = answer["citations"][0]
    assert cited["url"] == site.page_url("ferry-winter-crossings")  # utm_* stripped
    assert (cited["title"], cited["source"]) == (
        "Elmstead ferry to resume winter crossings",
        "Elmstead Courier",
    )
    assert cited["published_at"] == "2026-11-02"
    files = sorted(Path(env["NEWSBOT_CORPUS_DIR"]).rglob("*.md"))
    text = next(p for p in files if "ferry" in p.name).read_text()
    assert text.startswith("---\ntitle: Elmstead ferry to resume winter crossings\n")
    assert f"url: {site.page_url('ferry-winter-crossings')}\n" in text


def test_a_new_item_is_answerable_after_one_fetch(site: NewsSite, env: dict[str, str]) -> None:
    before = ask(env, LIGHTHOUSE_QUESTION)
    assert LIGHTHOUSE_FACT not in before["answer"]
    url = site.publish(LIGHTHOUSE)

    report = fetch(env)

    rss = by_feed(report, site.url("/rss.xml"))
    assert (rss["new"], rss["failed"]) == (1, [])
    assert [a["url"] for a in rss["articles"]] == [url]
    assert by_feed(report, site.url("/atom.xml"))["status"] == "not modified"
    assert report["index"]["added"] == 1 and report["index"]["chunks_embedded"] > 0
    answer = ask(env, LIGHTHOUSE_QUESTION)
    assert answer["found"] and LIGHTHOUSE_FACT in answer["answer"]
    assert answer["citations"][0]["url"] == url


def test_a_second_fetch_with_nothing_new_sends_conditional_requests_only_and_embeds_nothing(
    site: NewsSite, env: dict[str, str]
) -> None:
    fetch(env)  # whatever other tests published is taken in first
    since = len(site.requests())

    report = fetch(env)

    asked = site.requests(since)
    assert sorted(r.path for r in asked) == ["/atom.xml", "/rss.xml"]
    assert all(r.status == 304 and r.headers.get("If-None-Match") for r in asked)
    assert all(r.headers.get("If-Modified-Since") for r in asked)
    assert {f["status"] for f in report["feeds"]} == {"not modified"}
    assert report["index"]["chunks_embedded"] == 0 and report["index"]["added"] == 0
    assert report["requests"] == 2


def test_every_request_names_newsbot_and_pages_are_asked_after_robots_txt(
    site: NewsSite, env: dict[str, str]
) -> None:
    agents = {r.headers.get("User-Agent", "") for r in site.requests()}
    assert agents and all(a.startswith("newsbot/") and "robots.txt" in a for a in agents)
    paths = [r.path for r in site.requests()]
    first_page = next(i for i, p in enumerate(paths) if p.startswith("/articles/"))
    assert "/robots.txt" in paths[:first_page]


def test_an_edited_article_is_updated_in_place(site: NewsSite, env: dict[str, str]) -> None:
    fetch(env)
    corpus = Path(env["NEWSBOT_CORPUS_DIR"])
    files_before = sorted(p.relative_to(corpus) for p in corpus.rglob("*.md"))
    edited = SiteArticle(
        "ferry-winter-crossings",
        "Elmstead ferry to resume winter crossings",
        dt.date(2026, 11, 2),
        [
            "The ferry between Elmstead and Gull Island will resume winter crossings on 19 "
            "January, a week later than planned, the operator Tidewater Lines said.",
            "Tickets will cost four euros for adults and two euros for children.",
        ],
    )
    site.publish(edited)

    report = fetch(env)

    assert by_feed(report, site.url("/rss.xml"))["updated"] == 1
    assert report["index"]["updated"] == 1 and report["index"]["added"] == 0
    assert sorted(p.relative_to(corpus) for p in corpus.rglob("*.md")) == files_before
    answer = ask(env, FERRY_QUESTION)
    assert "19 January" in answer["answer"]


def test_newsbot_add_url_takes_in_one_article_stored_once_however_it_is_linked(
    site: NewsSite, env: dict[str, str]
) -> None:
    article = SiteArticle(
        "pool-reopens",
        "Elmstead swimming pool reopens after repairs",
        dt.date(2026, 11, 5),
        ["The Elmstead swimming pool reopened on Thursday with a new roof of pale green glass."],
        feed="none",
    )
    url = site.publish(article)

    first = newsbot(env, "add", url + TRACKING, "--json")
    again = newsbot(env, "add", url + "?utm_source=newsletter", "--json")

    added = json.loads(first.stdout)["added"]
    assert len(added) == 1 and added[0]["file"].startswith("web/127.0.0.1-")
    assert not added[0]["replaced"] and json.loads(first.stdout)["index"]["added"] == 1
    assert json.loads(again.stdout)["added"][0]["file"] == added[0]["file"]
    answer = ask(env, "What is the new roof of the Elmstead swimming pool made of?")
    assert "pale green glass" in answer["answer"] and answer["citations"][0]["url"] == url


def test_feeds_are_listed_and_removed_and_their_articles_stay(
    site: NewsSite, env: dict[str, str]
) -> None:
    extra = site.url("/messy.xml")
    added = json.loads(newsbot(env, "feeds", "add", extra, "--json").stdout)
    listed = json.loads(newsbot(env, "feeds", "list", "--json").stdout)
    assert {"url": extra, "every_seconds": 1800, "checked_at": None}.items() <= next(
        f for f in listed if f["id"] == added["id"]
    ).items()
    rss = next(f for f in listed if f["url"] == site.url("/rss.xml"))
    assert rss["name"] == "Elmstead Courier" and rss["checked_at"]

    removed = newsbot(env, "feeds", "remove", str(added["id"]))

    assert removed.stdout.startswith(f"No longer following feed {added['id']} ({extra})")
    urls = [f["url"] for f in json.loads(newsbot(env, "feeds", "list", "--json").stdout)]
    assert extra not in urls
    again = newsbot(env, "feeds", "remove", extra, check=False)
    assert again.returncode == 1 and again.stderr.startswith(f"newsbot: No feed '{extra}'")


def test_a_file_url_and_a_loopback_url_without_the_setting_are_refused(
    site: NewsSite, env: dict[str, str]
) -> None:
    strict = {k: v for k, v in env.items() if k != "NEWSBOT_FETCH_ALLOW_PRIVATE"}
    since = len(site.requests())

    secret = newsbot(strict, "feeds", "add", "file:///etc/passwd", check=False)
    loopback = newsbot(strict, "feeds", "add", site.url("/rss.xml?x=1"), check=False)
    named = site.url("/articles/x.html").replace("127.0.0.1", "localhost")
    link = newsbot(strict, "add", named, check=False)

    assert secret.returncode == 1 and secret.stderr == (
        "newsbot: file:///etc/passwd was refused: newsbot fetches only http and https URLs, "
        "not file:.\n"
    )
    assert loopback.returncode == 1 and loopback.stderr == (
        f"newsbot: {site.url('/rss.xml?x=1')} was refused: 127.0.0.1 is a loopback address; "
        "an admin can allow such addresses with NEWSBOT_FETCH_ALLOW_PRIVATE=true.\n"
    )
    assert link.returncode == 1
    assert f"{named} was not added: localhost resolves to " in link.stderr
    assert "which is a loopback address" in link.stderr and "Traceback" not in link.stderr
    assert site.requests(since) == []  # nothing was sent
    urls = [f["url"] for f in json.loads(newsbot(env, "feeds", "list", "--json").stdout)]
    assert "file:///etc/passwd" not in urls and site.url("/rss.xml?x=1") not in urls
