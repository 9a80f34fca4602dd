"""The feeds followed (index/ingest/feeds.py): the SQLite registry and feed intervals."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import FeedError, URLRefusedError
from index.ingest.feeds import (
    FeedRegistry,
    SeenItem,
    add_feed,
    describe_every,
    parse_every,
)

RSS = "https://news.example/rss.xml"


@pytest.fixture
def registry(tmp_path: Path) -> FeedRegistry:
    return FeedRegistry.in_data_dir(tmp_path / "data")


def test_a_feed_is_added_listed_found_and_removed(registry: FeedRegistry) -> None:
    feed = registry.add(RSS, source="Courier", every=1800)

    assert (feed.id, feed.url, feed.source, feed.every, feed.checked_at) == (
        1,
        RSS,
        "Courier",
        1800,
        None,
    )
    assert registry.feeds() == [feed]
    assert registry.get("1") == registry.get(RSS) == feed
    assert registry.remove(RSS) == feed
    assert registry.feeds() == []
    assert (registry.path.name, registry.path.parent.name) == ("feeds.sqlite3", "data")


def test_a_feed_followed_already_or_unknown_is_explained(registry: FeedRegistry) -> None:
    registry.add(RSS, source=None, every=60)
    with pytest.raises(
        FeedError, match=r"https://news.example/rss.xml is followed already \(feed 1\)"
    ):
        registry.add(RSS, source="Other", every=60)
    with pytest.raises(FeedError, match=r"No feed '7' is followed; `newsbot feeds list`"):
        registry.remove("7")


def test_a_feed_is_due_when_never_checked_or_its_interval_has_passed(
    registry: FeedRegistry,
) -> None:
    feed = registry.add(RSS, source=None, every=60)
    assert feed.due_in(now=1000.0) == 0.0
    registry.record_check(feed, status="1 new")
    checked = registry.get("1")
    assert checked.checked_at is not None and checked.status == "1 new"
    assert 59 < checked.due_in(checked.checked_at + 0.5) <= 60
    assert registry.due(checked.checked_at + 1) == []
    assert registry.due(checked.checked_at + 61) == [checked]


def test_validators_are_replaced_only_when_given(registry: FeedRegistry) -> None:
    feed = registry.add(RSS, source=None, every=60)
    registry.record_check(feed, status="read", title="Courier", validators=('"v1"', "Mon"))
    registry.record_check(feed, status="1 failed", validators=None)
    kept = registry.get("1")
    assert (kept.etag, kept.last_modified, kept.title) == ('"v1"', "Mon", "Courier")
    registry.record_check(feed, status="failed", error="HTTP 500", validators=(None, None))
    cleared = registry.get("1")
    assert (cleared.etag, cleared.error, cleared.name) == (None, "HTTP 500", "Courier")


def test_items_seen_are_remembered_per_feed_and_go_with_it(registry: FeedRegistry) -> None:
    feed = registry.add(RSS, source=None, every=60)
    other = registry.add("https://news.example/atom.xml", source=None, every=60)
    item = SeenItem("guid-1", "https://news.example/a", "f1", "taken")
    registry.record_items(feed, [item])
    registry.record_items(feed, [SeenItem("guid-1", "https://news.example/a", "f2", "taken")])
    assert registry.seen(feed) == {"guid-1": SeenItem("guid-1", item.url, "f2", "taken")}
    assert registry.seen(other) == {}
    registry.remove("1")
    registry.add(RSS, source=None, every=60)
    assert registry.seen(registry.get(RSS)) == {}


def test_add_feed_checks_the_url_and_stores_it_canonical(registry: FeedRegistry) -> None:
    feed = add_feed(
        registry,
        "http://127.0.0.1:8080/rss.xml?utm_source=x",
        source="  ",
        every="2h",
        allow_private=True,
    )
    assert (feed.url, feed.source, feed.every) == ("http://127.0.0.1:8080/rss.xml", None, 7200)
    with pytest.raises(URLRefusedError, match=r"127\.0\.0\.2 is a loopback address"):
        add_feed(registry, "http://127.0.0.2/rss", source=None, every="1h", allow_private=False)
    with pytest.raises(FeedError, match="not an interval"):
        add_feed(registry, RSS, source=None, every="often", allow_private=False)
    assert len(registry.feeds()) == 1


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800), ("2h", 7200), ("1h30m", 5400), ("1d", 86400), ("90s", 90), ("1.5h", 5400)],
)
def test_intervals_are_read_with_their_units(text: str, seconds: int) -> None:
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["30", "soon", "5 minutes", "m30", "-5m", ""])
def test_intervals_without_units_are_refused(text: str) -> None:
    with pytest.raises(FeedError, match="write it like 30m, 2h, 1h30m, 1d or 90s"):
        parse_every(text)


@pytest.mark.parametrize("text", ["2s", "8d"])
def test_intervals_outside_5_seconds_to_a_week_are_refused(text: str) -> None:
    with pytest.raises(FeedError, match="at most every 5 s and at least once a week"):
        parse_every(text)


def test_intervals_are_described_for_people() -> None:
    assert [describe_every(s) for s in (5, 1800, 5400, 90061)] == [
        "5 s",
        "30 min",
        "1 h 30 min",
        "1 d 1 h 1 min 1 s",
    ]
