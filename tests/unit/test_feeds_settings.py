"""Feed settings, errors and small rules: BotSettings' fetch fields, FetchError, Retry-After,
what `newsbot add` takes for a link."""

from __future__ import annotations

import email.utils
import pickle
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.cli.feeds import is_link
from bot.settings import BotSettings
from index.errors import FetchError, URLRefusedError
from index.ingest.fetch import retry_after


def test_fetch_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_FETCH_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("NEWSBOT_FETCH_TIMEOUT", "3.5")
    monkeypatch.setenv("NEWSBOT_FETCH_MAX_MIB", "2")
    monkeypatch.setenv("NEWSBOT_FETCH_PER_HOST", "1")
    monkeypatch.setenv("NEWSBOT_DISCORD_NEWS_CHANNEL", "1234")
    monkeypatch.setenv("NEWSBOT_DATA_DIR", "/tmp/somewhere")
    settings = BotSettings()
    policy = settings.fetch_policy()
    assert (policy.allow_private, policy.timeout, policy.max_bytes, policy.per_host) == (
        True,
        3.5,
        2 * 2**20,
        1,
    )
    assert policy.user_agent.startswith("newsbot/") and "robots.txt" in policy.user_agent
    assert settings.discord_news_channel == 1234
    assert settings.feed_registry().path == Path("/tmp/somewhere/feeds.sqlite3")


def test_private_addresses_are_refused_by_default() -> None:
    settings = BotSettings()
    assert not settings.fetch_allow_private and not settings.fetch_policy().allow_private
    assert settings.feeds_every == "30m"


def test_a_bad_default_interval_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_FEEDS_EVERY", "often")
    with pytest.raises(ValidationError, match="feeds_every"):
        BotSettings()


def test_fetch_errors_say_what_and_why_and_survive_a_process_boundary() -> None:
    error = FetchError("https://x.example/a", "HTTP 404 Not Found", permanent=True)
    assert str(error) == "Could not fetch https://x.example/a: HTTP 404 Not Found."
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), copy.reason, copy.permanent) == (
        FetchError,
        str(error),
        error.reason,
        True,
    )
    refused = pickle.loads(pickle.dumps(URLRefusedError("file:///x", "not http")))
    assert (
        isinstance(refused, URLRefusedError) and str(refused) == "file:///x was refused: not http."
    )


def test_retry_after_is_read_as_seconds_or_a_date() -> None:
    assert retry_after("120") == 120.0
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= (retry_after(soon) or 0) <= 30
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: now
    assert retry_after(None) is None and retry_after("soon") is None


@pytest.mark.parametrize(
    ("argument", "link"),
    [
        ("https://news.example/a", True),
        ("http://news.example/a", True),
        ("file:///etc/passwd", True),
        ("story.md", False),
        ("corpus/story.json", False),
    ],
)
def test_newsbot_add_tells_links_from_files(argument: str, link: bool) -> None:
    assert is_link(argument) is link
