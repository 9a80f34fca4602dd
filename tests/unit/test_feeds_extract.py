"""From fetched bytes to articles (index/ingest/extract.py): feeds, pages, article files."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import FetchError
from index.ingest.corpus import load_corpus
from index.ingest.extract import article_markdown, extract_page, is_html, parse_feed

FEED_URL = "https://news.example/feed.xml"
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Courier</title>
<item><title>Storm hits the coast</title><link>https://news.example/storm?utm_source=rss</link>
<guid isPermaLink="false">storm-1</guid><pubDate>Tue, 03 Nov 2026 23:30:00 -0200</pubDate></item>
<item><title>No guid here</title><link>https://news.example/quiet</link></item>
<item><title>Nothing to identify</title></item>
</channel></rss>"""
ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title>
<id>urn:x</id><updated>2026-11-05T12:00:00Z</updated>
<entry><title>Ferry returns</title><link rel="alternate" href="/ferry"/><id>urn:ferry</id>
<updated>2026-11-04T08:00:00Z</updated></entry></feed>"""
RDF = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>RDF news</title></channel>
<item rdf:about="https://news.example/rdf-1"><title>Old format</title>
<link>https://news.example/rdf-1</link></item></rdf:RDF>"""
PAGE = """<!DOCTYPE html><html><head><title>Storm hits the coast | Courier</title>
<link rel="canonical" href="{canonical}">
<meta property="og:site_name" content="The Courier">
<meta property="article:published_time" content="2026-11-03T10:00:00Z"></head>
<body><nav>Home Sport Weather</nav><article><h1>Storm hits the coast</h1>
<p>A storm hit the coast of Elmstead on Tuesday and cut power to four thousand homes.</p>
<p>Crews worked through the night to restore the lines, the utility said.</p>
</article><footer>All rights reserved.</footer></body></html>"""


def test_rss_items_are_read_with_guid_link_title_and_day() -> None:
    feed = parse_feed(RSS, FEED_URL, "application/rss+xml")
    assert (feed.title, feed.kind, feed.problem) == ("Courier", "rss20", None)
    first, second = feed.entries  # the item with neither guid nor link is left out
    assert (first.key, first.link, first.title) == (
        "storm-1",
        "https://news.example/storm?utm_source=rss",
        "Storm hits the coast",
    )
    assert first.published_at == "2026-11-04"  # 23:30 at -02:00 is the 4th in UTC
    assert (second.key, second.published_at) == ("https://news.example/quiet", None)


def test_atom_and_rdf_feeds_are_read_and_relative_links_resolved() -> None:
    (entry,) = parse_feed(ATOM, FEED_URL).entries
    assert (entry.key, entry.link, entry.published_at) == (
        "urn:ferry",
        "https://news.example/ferry",
        "2026-11-04",
    )
    rdf = parse_feed(RDF, FEED_URL)
    assert rdf.kind == "rss10" and [e.link for e in rdf.entries] == ["https://news.example/rdf-1"]


def test_a_feed_with_broken_xml_is_still_read_and_the_problem_kept() -> None:
    broken = RSS.replace(b"Storm hits the coast", b"Storm & flood hit the coast")
    feed = parse_feed(broken, FEED_URL)
    assert feed.problem and "not well-formed" in feed.problem
    assert feed.entries[0].title == "Storm & flood hit the coast"


def test_an_edited_item_gets_a_new_fingerprint() -> None:
    before = parse_feed(RSS, FEED_URL).entries[0]
    after = parse_feed(RSS.replace(b"hits the coast", b"batters the coast"), FEED_URL).entries[0]
    assert before.key == after.key and before.fingerprint != after.fingerprint


@pytest.mark.parametrize(
    ("data", "content_type", "why"),
    [
        (b"<<<not a feed>>> {", "application/xml", "not a readable RSS or Atom feed ("),
        (b"<html><body><p>Hi</p></body></html>", "text/html", "it looks like a web page"),
        (b"", "", "not a readable RSS or Atom feed ("),
    ],
)
def test_what_is_not_a_feed_is_refused_for_good(data: bytes, content_type: str, why: str) -> None:
    with pytest.raises(FetchError) as refused:
        parse_feed(data, FEED_URL, content_type)
    assert why in refused.value.reason and refused.value.permanent


def test_a_page_gives_its_text_title_site_date_and_canonical_url() -> None:
    html = PAGE.format(canonical="https://news.example/storm").encode()
    page = extract_page(html, "https://news.example/storm?utm_source=rss&id=2", "utf-8")
    assert page.url == "https://news.example/storm"
    assert (page.title, page.site_name, page.published_at) == (
        "Storm hits the coast",
        "The Courier",
        "2026-11-03",
    )
    assert page.body.startswith("A storm hit the coast of Elmstead")  # headline not repeated
    assert "Crews worked through the night" in page.body and "rights" not in page.body


def test_a_canonical_link_to_another_site_is_not_followed() -> None:
    html = PAGE.format(canonical="https://elsewhere.example/their-story").encode()
    page = extract_page(html, "https://news.example/storm?utm_campaign=x")
    assert page.url == "https://news.example/storm"


def test_a_page_without_article_text_is_refused_for_good() -> None:
    with pytest.raises(FetchError) as refused:
        extract_page(
            b"<html><head><title>App</title></head><body><div id=app></div></body></html>",
            "https://news.example/",
        )
    assert refused.value.reason == "no article text found in the page" and refused.value.permanent


@pytest.mark.parametrize(
    ("content_type", "data", "expected"),
    [
        ("text/html", b"", True),
        ("application/xhtml+xml", b"", True),
        ("application/pdf", b"<html>", False),
        ("", b"  <!DOCTYPE html><html>", True),
        ("", b"%PDF-1.7", False),
    ],
)
def test_html_is_told_by_its_type_or_else_its_first_bytes(
    content_type: str, data: bytes, expected: bool
) -> None:
    assert is_html(content_type, data) is expected


def test_an_article_file_is_read_back_by_the_corpus_reader(tmp_path: Path) -> None:
    title = 'Storm: "the worst" — in 40 years #1'
    data = article_markdown(
        title=title,
        source="The Courier",
        published_at="2026-11-03",
        url="https://news.example/storm",
        body="A storm hit the coast.\n\nCrews worked through the night.",
    )
    (tmp_path / "storm.md").write_bytes(data)
    (article,) = load_corpus([tmp_path], max_file_bytes=2**20).articles
    assert (article.title, article.source, article.published_at) == (
        title,
        "The Courier",
        "2026-11-03",
    )
    assert (article.id, article.url) == ("https://news.example/storm", "https://news.example/storm")
    assert article.body == "A storm hit the coast.\n\nCrews worked through the night."
    assert data == article_markdown(
        title=title,
        source="The Courier",
        published_at="2026-11-03",
        url="https://news.example/storm",
        body="A storm hit the coast.\n\nCrews worked through the night.\n",
    )
