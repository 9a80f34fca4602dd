"""`newsbot feeds add|list|remove`, `newsbot fetch`, and the links of `newsbot add URL…`."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.settings import BotSettings
from index.errors import CorpusError, FetchError, FetchInProgressError, NewsbotError

if TYPE_CHECKING:
    from bot.cli.app import App
    from index.ingest.feeds import Feed
    from index.ingest.follow import FollowReport
    from index.ingest.intake import Intake
    from index.models import IndexSummary

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _settings(app: App) -> BotSettings:
    settings = app.settings
    assert isinstance(settings, BotSettings)
    return settings


@click.group("feeds")
def feeds_group() -> None:
    """The news feeds (RSS, Atom) newsbot follows.

    `newsbot fetch` checks them all once; `newsbot serve` checks each on its schedule.
    """


@feeds_group.command("add")
@click.argument("url")
@click.option("--source", help="Source name for its articles (default: the site's own name).")
@click.option(
    "--every",
    help="How often `newsbot serve` checks it: 15m, 2h, 1d… (default NEWSBOT_FEEDS_EVERY).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the feed as one JSON object.")
@click.pass_obj
def feeds_add_command(
    app: App, url: str, source: str | None, every: str | None, as_json: bool
) -> None:
    """Follow the feed at URL (http or https)."""
    from index.ingest.feeds import add_feed, describe_every

    settings = _settings(app)
    feed = add_feed(
        settings.feed_registry(),
        url,
        source=source,
        every=every or settings.feeds_every,
        allow_private=settings.fetch_allow_private,
    )
    if as_json:
        click.echo(json.dumps(_feed_dict(feed)))
        return
    named = f" as {feed.source}" if feed.source else ""
    click.echo(
        f"Following feed {feed.id}{named}: {feed.url}, checked every {describe_every(feed.every)} "
        "by `newsbot serve`. `newsbot fetch` checks it now."
    )


@feeds_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the feeds as a JSON list.")
@click.pass_obj
def feeds_list_command(app: App, as_json: bool) -> None:
    """The feeds followed: number, name, URL, schedule and how the last check went."""
    from index.ingest.feeds import describe_every

    feeds = _settings(app).feed_registry().feeds()
    if as_json:
        click.echo(json.dumps([_feed_dict(feed) for feed in feeds]))
        return
    if not feeds:
        click.echo("No feeds are followed. Add one with `newsbot feeds add URL`.")
    for feed in feeds:
        click.echo(f"{feed.id:>3}  {feed.name}\n     {feed.url}")
        click.echo(f"     every {describe_every(feed.every)}; {_last_check(feed)}")


@feeds_group.command("remove")
@click.argument("feed")
@click.pass_obj
def feeds_remove_command(app: App, feed: str) -> None:
    """Stop following FEED (its number in `newsbot feeds list`, or its URL).

    The articles it brought stay in the corpus.
    """
    removed = _settings(app).feed_registry().remove(feed)
    click.echo(f"No longer following feed {removed.id} ({removed.url}); its articles stay.")


def _feed_dict(feed: Feed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "url": feed.url,
        "name": feed.name,
        "source": feed.source,
        "every_seconds": feed.every,
        "checked_at": _when(feed.checked_at),
        "status": feed.status,
        "error": feed.error,
    }


def _when(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(epoch, dt.UTC).replace(microsecond=0).isoformat()


def _last_check(feed: Feed) -> str:
    if feed.checked_at is None:
        return "not checked yet"
    outcome = f"failed: {feed.error}" if feed.error else feed.status
    return f"last checked {_when(feed.checked_at)}: {outcome}"


@click.command("fetch")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if a feed or an item failed.")
@click.pass_obj
def fetch_command(app: App, as_json: bool, strict: bool) -> None:
    """Check every feed once, fetch its new and edited articles into the corpus folder,
    and index them.

    Prints, per feed, the articles new, updated and unchanged and those that failed, with
    the reason. A feed that has not changed costs one conditional request.
    """
    report = _settings(app).follower().follow()
    summary, index_error = _index(app, report, show_progress=not as_json)
    if as_json:
        click.echo(json.dumps(_report_dict(report, summary, index_error)))
    else:
        click.echo(_render_report(report, summary))
        if index_error:
            click.echo(f"newsbot: {index_error}", err=True)
    if index_error or (strict and report.failed):
        sys.exit(1)


def _index(
    app: App, report: FollowReport, *, show_progress: bool
) -> tuple[IndexSummary | None, str | None]:
    """Index the corpus folder after a fetch (an unchanged corpus costs milliseconds)."""
    from bot.cli.corpus import progress_bar

    if not report.written and not app.settings.corpus_dir.exists():
        return None, None
    try:
        with progress_bar(enabled=show_progress and sys.stderr.isatty()) as on_progress:
            return app.indexer().run(None, progress=on_progress), None
    except CorpusError:
        if not report.written:
            return None, None  # nothing fetched and nothing in the corpus yet
        raise
    except NewsbotError as e:
        return (
            None,
            f"{e} The articles fetched are in the corpus folder; the next index takes them in.",
        )


def _report_dict(
    report: FollowReport, summary: IndexSummary | None, index_error: str | None
) -> dict[str, Any]:
    return {
        "feeds": [feed.to_dict() for feed in report.feeds],
        "requests": report.requests,
        "seconds": {
            "fetch": round(report.seconds, 3),
            "extract": round(report.extract_seconds, 3),
            "index": round(summary.seconds, 3) if summary else 0.0,
        },
        "index": summary.to_dict() if summary else None,
        "index_error": index_error,
    }


def _render_report(report: FollowReport, summary: IndexSummary | None) -> str:
    from bot.terminal import render_summary

    lines = []
    for feed in report.feeds:
        lines.append(f"{feed.name} ({feed.url}): {feed.describe()}")
        if feed.problem:
            lines.append(f"  read despite broken XML: {feed.problem}")
        lines += [f"  {failure.url}: {failure.reason}" for failure in feed.failures]
    if not report.feeds:
        lines.append("No feeds are followed. Add one with `newsbot feeds add URL`.")
    else:
        lines.append(
            f"Checked {len(report.feeds)} feed{'s' if len(report.feeds) != 1 else ''} in "
            f"{report.seconds:.1f} s ({report.requests} requests; reading and extracting "
            f"{report.extract_seconds:.1f} s of it)."
        )
    if summary is not None:
        lines.append(render_summary(summary))
    return "\n".join(lines)


# -- `newsbot add URL…` ------------------------------------------------------------------------


def is_link(argument: str) -> bool:
    """Whether an argument of `newsbot add` is a URL (``scheme:``…) rather than a file."""
    return bool(_SCHEME.match(argument)) and not Path(argument).exists()


def add_links(app: App, urls: Sequence[str]) -> tuple[list[Intake], list[str]]:
    """Fetch the article at each URL into the corpus folder, as `newsbot add` puts files.

    Returns:
        What was put in the corpus folder (one article each, named for its canonical URL;
        ``replaced`` when that article was there already), and why each other URL was not
        (``"URL was not added: reason."``).
    """
    from index.ingest.intake import Intake

    try:
        results = _settings(app).follower().add_links(urls)
    except FetchInProgressError as e:
        return [], [f"{url} was not added: {e}" for url in urls]
    added: list[Intake] = []
    refused: list[str] = []
    for url, result in zip(urls, results, strict=True):
        if isinstance(result, FetchError):
            refused.append(f"{url} was not added: {result.reason}.")
        else:
            added.append(Intake(result.file, 1, replaced=result.outcome != "new"))
    return added, refused
