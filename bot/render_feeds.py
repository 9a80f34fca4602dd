"""Feeds in Discord's words and limits: /feed replies and the "new articles" note (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.render import CONTENT_LIMIT, escape, safe_url, shorten, split_text

if TYPE_CHECKING:
    from index.ingest.feeds import Feed
    from index.ingest.follow import FollowReport, TakenArticle

_TITLE_CHARS = 150


def _link(url: str) -> str:
    """A URL Discord shows as a link without a preview card (``<url>``)."""
    safe = safe_url(url)
    return f"<{safe}>" if safe else escape(url)


def render_feed_added(feed: Feed) -> str:
    from index.ingest.feeds import describe_every

    named = f" as **{escape(shorten(feed.source, 100))}**" if feed.source else ""
    return (
        f"Following feed {feed.id}{named}: {_link(feed.url)}, checked every "
        f"{describe_every(feed.every)}. Its articles are being fetched now; they are indexed "
        "as they arrive."
    )


def render_feed_removed(feed: Feed) -> str:
    return (
        f"No longer following feed {feed.id} ({_link(feed.url)}). The articles it brought "
        "stay in the corpus."
    )


def render_feed_list(feeds: Sequence[Feed]) -> list[str]:
    """One line block per feed, split into messages within Discord's limit."""
    from index.ingest.feeds import describe_every

    if not feeds:
        return ["No feeds are followed yet. Add one with `/feed add`."]
    blocks = []
    for feed in feeds:
        if feed.checked_at is None:
            last = "not checked yet"
        else:
            when = discord.utils.format_dt(dt.datetime.fromtimestamp(feed.checked_at, dt.UTC), "R")
            outcome = f"failed: {feed.error}" if feed.error else (feed.status or "checked")
            last = f"checked {when}: {escape(shorten(outcome, 300))}"
        blocks.append(
            f"**{feed.id}.** {escape(shorten(feed.name, 100))} — {_link(feed.url)}\n"
            f"every {describe_every(feed.every)}; {last}"
        )
    return split_text("\n\n".join(blocks), CONTENT_LIMIT)


def render_news_note(articles: Sequence[TakenArticle]) -> str:
    """``3 new articles indexed`` (and updated ones), with as many titles as fit."""
    new = [a for a in articles if a.outcome == "new"]
    updated = [a for a in articles if a.outcome == "updated"]
    counts = []
    if new:
        counts.append(f"{len(new)} new article{'s' if len(new) != 1 else ''}")
    if updated:
        counts.append(f"{len(updated)} updated")
    text = f"{' and '.join(counts) or 'No new articles'} indexed."
    for shown, article in enumerate([*new, *updated]):
        title = escape(shorten(article.title or article.url, _TITLE_CHARS))
        line = f"\n• {title} {_link(article.url)}"
        more = f"\n… and {len(new) + len(updated) - shown} more."
        if len(text) + len(line) + len(more) > CONTENT_LIMIT:
            return text + more
        text += line
    return text


def render_round(report: FollowReport, at: float) -> str:
    """One round of the poller, for /status:
    ``01 Dec 12:30 UTC: 2 feeds checked, 3 new or updated articles, 1 failed``."""
    when = dt.datetime.fromtimestamp(at, dt.UTC).strftime("%d %b %H:%M UTC")
    new = len(report.written)
    text = f"{when}: {len(report.feeds)} feed{'s' if len(report.feeds) != 1 else ''} checked, "
    text += f"{new} new or updated article{'s' if new != 1 else ''}"
    return text + (f", {report.failed} failed" if report.failed else "")
