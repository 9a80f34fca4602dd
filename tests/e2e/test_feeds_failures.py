"""What goes wrong on the web, end to end: each failure is reported by name, within its
time limit, and the other articles still arrive; nothing already in the corpus is lost.

One `newsbot fetch` follows a feed that is not a feed, a feed with broken XML that can
still be read, a feed on a server that never answers, and a feed whose items link a 404,
a 5 MB page, a PDF, a redirect loop, a page robots.txt forbids and a page on the silent
server, beside one good article (``news_site.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEED_ARTICLE
from tests.e2e.feeds_cli import by_feed, newsbot
from tests.e2e.news_site import NewsSite, SiteArticle

pytestmark = pytest.mark.e2e

TIMEOUT = 2.0  # NEWSBOT_FETCH_TIMEOUT for this module
MESSY = SiteArticle(
    "harbour-quay",
    "Harbour & quay works begin",
    dt.date(2026, 11, 5),
    ["Work on the harbour wall & the old quay began on Wednesday, the contractor Brinewell said."],
    feed="messy",
)


@pytest.fixture(scope="module")
def fetched(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[NewsSite, dict[str, Any], dict[str, str], float]]:
    """The site, the report of one fetch of every troublesome feed, the env, its seconds."""
    root = tmp_path_factory.mktemp("feeds-failures")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / SEED_ARTICLE.name).write_bytes(SEED_ARTICLE.read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env.update(
        NEWSBOT_DATA_DIR=str(root / "data"),
        NEWSBOT_CORPUS_DIR=str(corpus),
        NEWSBOT_FETCH_ALLOW_PRIVATE="true",
        NEWSBOT_FETCH_TIMEOUT=str(TIMEOUT),
    )
    with NewsSite() as site:
        site.publish(MESSY)
        newsbot(env, "index")
        silent = f"http://127.0.0.1:{site.silent_port}/feed.xml"
        for path in ("/troubles.xml", "/broken.xml", "/messy.xml"):
            newsbot(env, "feeds", "add", site.url(path))
        newsbot(env, "feeds", "add", silent, "--source", "Silent Times")
        started = time.monotonic()
        result = newsbot(env, "fetch", "--json", check=False)
        seconds = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        yield site, json.loads(result.stdout), env, seconds


def test_each_bad_item_is_reported_by_url_with_its_reason(fetched: Any) -> None:
    site, report, _, _ = fetched
    troubles = by_feed(report, site.url("/troubles.xml"))
    reasons = {f["url"]: f["reason"] for f in troubles["failed"]}
    assert reasons == {
        site.url("/missing.html"): "HTTP 404 Not Found",
        site.url("/huge.html"): "it is over the 4 MiB limit (NEWSBOT_FETCH_MAX_MIB)",
        site.url("/report.pdf"): "not an HTML page (application/pdf)",
        site.url("/loop/a"): (
            f"redirect loop ({site.url('/loop/a')} → {site.url('/loop/b')} → {site.url('/loop/a')})"
        ),
        site.url("/private/secret.html"): "robots.txt does not allow newsbot to fetch it",
        f"http://127.0.0.1:{site.silent_port}/story.html": (
            f"its site's robots.txt could not be read (no answer within {TIMEOUT:g} s)"
        ),
    }


def test_the_good_items_arrive_beside_the_bad_ones(fetched: Any) -> None:
    site, report, env, _ = fetched
    troubles = by_feed(report, site.url("/troubles.xml"))
    assert [a["url"] for a in troubles["articles"]] == [site.page_url("market-tram-depot")]
    messy = by_feed(report, site.url("/messy.xml"))
    assert messy["status"] == "read" and messy["problem"]  # broken XML, read all the same
    assert [a["title"] for a in messy["articles"]] == ["Harbour & quay works begin"]
    assert report["index"]["added"] == 2 and report["index"]["unchanged"] == 1
    answer = json.loads(newsbot(env, "ask", "--json", "Where does the farmers market move?").stdout)
    assert "old tram depot" in answer["answer"]


def test_a_feed_that_is_not_a_feed_and_a_server_that_never_answers_are_named(
    fetched: Any,
) -> None:
    site, report, _, _ = fetched
    broken = by_feed(report, site.url("/broken.xml"))
    assert broken["status"] == "failed"
    assert broken["error"].startswith("not a readable RSS or Atom feed (")
    silent = by_feed(report, f"http://127.0.0.1:{site.silent_port}/feed.xml")
    assert (silent["name"], silent["status"]) == ("Silent Times", "failed")
    assert silent["error"] == f"no answer within {TIMEOUT:g} s"


def test_failures_cost_their_time_limits_not_more(fetched: Any) -> None:
    _, report, _, seconds = fetched
    # The silent server holds a feed and a robots.txt at once: one time limit, plus the
    # reading and extracting of the pages that did arrive.
    assert report["seconds"]["fetch"] < 2 * TIMEOUT + 3, report["seconds"]
    assert seconds < 120  # the whole command: the fetch, loading the model, indexing


def test_the_human_report_names_every_failure(fetched: Any) -> None:
    site, _, env, _ = fetched
    out = newsbot(env, "fetch").stdout
    assert f"{site.url('/broken.xml')} ({site.url('/broken.xml')}): failed: not a readable" in out
    assert f"Silent Times (http://127.0.0.1:{site.silent_port}/feed.xml): failed: no answer" in out
    assert f"  {site.url('/missing.html')}: HTTP 404 Not Found" not in out  # known for good now


def test_nothing_already_in_the_corpus_is_lost(fetched: Any) -> None:
    _, _, env, _ = fetched
    corpus = Path(env["NEWSBOT_CORPUS_DIR"])
    assert (corpus / SEED_ARTICLE.name).read_bytes() == SEED_ARTICLE.read_bytes()
    answer = json.loads(newsbot(env, "ask", "--json", "What was agreed at Sochi?").stdout)
    assert answer["found"] and "not to use force" in answer["answer"]


def test_a_503_is_retried_after_its_retry_after(fetched: Any) -> None:
    site, _, env, _ = fetched
    result = json.loads(newsbot(env, "add", site.url("/flaky.html"), "--json").stdout)
    assert result["refused"] == [] and len(result["added"]) == 1
    tries = [r for r in site.requests() if r.path == "/flaky.html"]
    assert [r.status for r in tries] == [503, 200]
    assert tries[1].at - tries[0].at >= 1.0  # Retry-After: 1
