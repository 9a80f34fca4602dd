"""From fetched bytes to articles: feeds read by feedparser, pages by trafilatura.

feedparser reads RSS 0.9x/1.0 (RDF)/2.0 and Atom, and keeps going through broken XML
(an unescaped ``&``, a bad entity) where it can: such a feed is read, not refused. An item
is known by its guid (Atom id), else its link. trafilatura finds a page's main text and
its metadata: title, site name, date, and the ``<link rel=canonical>`` URL, which is used
when it points into the same site (a page cannot claim another site's article).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import time
from dataclasses import dataclass
from typing import Any

import yaml

from index.errors import FetchError
from index.ingest.urls import canonical_url, same_site

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_SNIFF = 1024


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed."""

    key: str  # guid / Atom id, else the link
    link: str  # "" when the item has none
    title: str
    published_at: str | None  # YYYY-MM-DD
    fingerprint: str  # changes when the item is edited (link, title, dates, summary)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    kind: str  # feedparser's name of the format, e.g. "rss20", "atom10"
    entries: tuple[FeedEntry, ...]
    problem: str | None = None  # broken XML that could still be read


@dataclass(frozen=True, slots=True)
class Page:
    """An article page's main text and metadata."""

    url: str  # canonical: the page's rel=canonical (same site) or the URL fetched
    title: str
    body: str
    site_name: str
    published_at: str | None


def parse_feed(data: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """The entries of the feed document ``data`` fetched from ``url``.

    Raises:
        FetchError: ``data`` is not a feed feedparser can read (permanent).
    """
    import feedparser  # imported here: only fetching pays for it

    # Bytes, never a str: feedparser would take a str for a URL or a file name to open.
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(bytes(data), response_headers=headers)
    problem = _bozo(parsed) if parsed.get("bozo") else None
    if not parsed.get("version") and not parsed.entries:
        looks_html = content_type in HTML_TYPES or b"<html" in data[:_SNIFF].lower()
        why = "it looks like a web page, not a feed" if looks_html else (problem or "empty")
        raise FetchError(url, f"not a readable RSS or Atom feed ({why})", permanent=True)
    feed: Any = parsed.feed
    entries = tuple(e for e in (_entry(item) for item in parsed.entries) if e is not None)
    return ParsedFeed(
        title=str(feed.get("title") or "").strip(),
        kind=str(parsed.get("version") or "unknown"),
        entries=entries,
        problem=problem,
    )


def _entry(item: Any) -> FeedEntry | None:
    link = str(item.get("link") or "").strip()
    key = str(item.get("id") or link).strip()
    if not key:
        return None
    title = " ".join(str(item.get("title") or "").split())
    stamp = item.get("published_parsed") or item.get("updated_parsed")
    published = _iso_day(stamp)
    edited = "|".join(
        str(item.get(name) or "") for name in ("link", "title", "updated", "published", "summary")
    )
    return FeedEntry(
        key=key,
        link=link,
        title=title,
        published_at=published,
        fingerprint=hashlib.sha256(edited.encode()).hexdigest()[:16],
    )


def _iso_day(stamp: time.struct_time | None) -> str | None:
    if not stamp:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(stamp), dt.UTC).date().isoformat()
    except (OverflowError, ValueError):
        return None


def _bozo(parsed: Any) -> str:
    error = parsed.get("bozo_exception")
    text = str(error).strip() if error is not None else ""
    return text.removeprefix("<unknown>:") or type(error).__name__


def is_html(content_type: str, data: bytes) -> bool:
    """Whether a response is an HTML page (by its type; without one, by its first bytes)."""
    if content_type:
        return content_type in HTML_TYPES
    head = data[:_SNIFF].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def extract_page(data: bytes, url: str, charset: str | None = None) -> Page:
    """The article in the HTML page ``data`` fetched from ``url``.

    Raises:
        FetchError: No article text could be found in it (permanent).
    """
    import trafilatura

    html: str | bytes = data.decode(charset, "replace") if charset and _known(charset) else data
    document: Any = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    found: dict[str, Any] = document.as_dict() if document is not None else {}
    body = str(found.get("text") or "").strip()
    if not body:
        raise FetchError(url, "no article text found in the page", permanent=True)
    title = " ".join(str(found.get("title") or "").split())
    lines = body.split("\n")
    if title and lines[0].strip() == title and len(lines) > 1:
        body = "\n".join(lines[1:]).strip()  # the headline, repeated as the text's first line
    declared = str(found.get("url") or "")
    canonical = canonical_url(declared if declared and same_site(declared, url) else url)
    if not canonical.startswith(("http://", "https://")):
        canonical = canonical_url(url)
    return Page(
        url=canonical,
        title=title,
        body=body,
        site_name=str(found.get("sitename") or "").strip(),
        published_at=_date(found.get("date")),
    )


def _known(charset: str | None) -> bool:
    if not charset:
        return False
    import codecs

    try:
        codecs.lookup(charset)
    except LookupError:
        return False
    return True


def _date(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def article_markdown(
    *, title: str, source: str, published_at: str | None, url: str, body: str
) -> bytes:
    """The corpus file of a fetched article: YAML front matter (as ``corpus.py`` reads it)
    and the text. The same article always gives the same bytes, so an unchanged one is
    recognised and left alone."""
    fields: dict[str, str] = {"title": title, "source": source}
    if published_at:
        fields["published_at"] = published_at
    fields["url"] = url
    front = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=10_000)
    return f"---\n{front}---\n\n{body.strip()}\n".encode()
