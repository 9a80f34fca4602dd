"""Feeds in Discord's words and limits (bot/render_feeds.py)."""

from __future__ import annotations

from bot.render import CONTENT_LIMIT
from bot.render_feeds import (
    render_feed_added,
    render_feed_list,
    render_feed_removed,
    render_news_note,
    render_round,
)
from index.ingest.feeds import Feed
from index.ingest.follow import FeedReport, FollowReport, ItemFailure
from index.ingest.pages import TakenArticle

FEED = Feed(3, "https://news.example/rss.xml", "The *Courier*", 1800)


def article(n: int, outcome: str = "new", title: str = "") -> TakenArticle:
    url = f"https://news.example/story-{n}"
    return TakenArticle(url, title or f"Story {n}", f"web/news.example/story-{n}.md", outcome)  # type: ignore[arg-type]


def test_the_note_counts_new_and_updated_articles_and_links_them_without_previews() -> None:
    note = render_news_note([article(1), article(2, "updated"), article(3)])
    assert note == (
        "2 new articles and 1 updated indexed.\n"
        "• Story 1 <https://news.example/story-1>\n"
        "• Story 3 <https://news.example/story-3>\n"
        "• Story 2 <https://news.example/story-2>"
    )
    assert render_news_note([article(1)]).startswith("1 new article indexed.\n")


def test_the_note_stays_within_one_message_and_says_how_many_it_left_out() -> None:
    note = render_news_note([article(n, title="word " * 40) for n in range(200)])
    assert len(note) <= CONTENT_LIMIT
    assert note.startswith("200 new articles indexed.") and note.endswith(" more.")


def test_titles_cannot_format_or_ping() -> None:
    note = render_news_note([article(1, title="**Big** news for @everyone")])
    assert "\\*\\*Big\\*\\*" in note


def test_a_feed_added_and_removed_are_confirmed_with_its_number() -> None:
    assert render_feed_added(FEED) == (
        "Following feed 3 as **The \\*Courier\\***: <https://news.example/rss.xml>, checked "
        "every 30 min. Its articles are being fetched now; they are indexed as they arrive."
    )
    assert render_feed_removed(FEED).startswith(
        "No longer following feed 3 (<https://news.example/rss.xml>)."
    )


def test_the_list_shows_each_feed_and_its_last_check_within_the_limit() -> None:
    checked = Feed(
        4,
        "https://b.example/atom",
        None,
        60,
        title="B news",
        checked_at=1.0e9,
        status="2 new, 0 updated, 0 unchanged, 0 failed",
    )
    failed = Feed(
        5,
        "https://c.example/rss",
        None,
        60,
        checked_at=1.0e9,
        status="failed",
        error="HTTP 404 Not Found",
    )
    (page,) = render_feed_list([FEED, checked, failed])
    assert (
        "**3.** The \\*Courier\\* — <https://news.example/rss.xml>\nevery 30 min; not checked yet"
        in page
    )
    assert (
        "**4.** B news — <https://b.example/atom>\nevery 1 min; checked <t:1000000000:R>: 2 new"
        in page
    )
    assert "checked <t:1000000000:R>: failed: HTTP 404 Not Found" in page
    many = render_feed_list([FEED] * 80)
    assert len(many) > 1 and all(len(p) <= CONTENT_LIMIT for p in many)
    assert render_feed_list([]) == ["No feeds are followed yet. Add one with `/feed add`."]


def test_a_round_of_the_poller_says_when_how_many_feeds_what_came_and_what_failed() -> None:
    courier = FeedReport(
        "https://news.example/rss.xml",
        "Courier",
        articles=[article(1), article(2, "updated"), article(3, "unchanged")],
        failures=[ItemFailure("https://news.example/story-9", "HTTP 404")],
    )
    gazette = FeedReport("https://gazette.example/atom.xml", "Gazette", status="not modified")
    at = 1_764_592_200.0  # 1 Dec 2025, 12:30 UTC
    line = render_round(FollowReport(feeds=[courier, gazette]), at)
    assert line == "01 Dec 12:30 UTC: 2 feeds checked, 2 new or updated articles, 1 failed"
    quiet = render_round(FollowReport(feeds=[gazette]), at)
    assert quiet == "01 Dec 12:30 UTC: 1 feed checked, 0 new or updated articles"
