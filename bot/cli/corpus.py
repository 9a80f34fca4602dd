"""`newsbot index`, `add` and `stats`: putting articles in the index and saying what is there."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from index.errors import CorpusError, NewsbotError
from index.models import IndexProgress

if TYPE_CHECKING:
    from bot.cli.app import App


@click.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any file could not be read.")
@click.option(
    "--rebuild",
    is_flag=True,
    help=(
        "Build a fresh store from the articles, embedding every one, and replace the current "
        "store (even a damaged one) once it is complete."
    ),
)
@click.pass_obj
def index_command(
    app: App, paths: tuple[Path, ...], as_json: bool, strict: bool, rebuild: bool
) -> None:
    """Index the articles under PATHS (default: the corpus folder).

    The index mirrors PATHS: new and edited articles are embedded, articles that are gone
    are removed, unchanged ones cost nothing. Unreadable files are reported and skipped.
    With --rebuild, everything is embedded again into a new store, which replaces the old
    one only when it is complete: the repair for a damaged store.
    """
    from bot.terminal import render_summary

    with progress_bar(enabled=not as_json and sys.stderr.isatty()) as on_progress:
        summary = app.indexer().run(list(paths) or None, progress=on_progress, rebuild=rebuild)
    if as_json:
        click.echo(json.dumps(summary.to_dict()))
    else:
        click.echo(render_summary(summary))
    if strict and summary.failed:
        sys.exit(1)


@click.command("add")
@click.argument("files", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.pass_obj
def add_command(app: App, files: tuple[str, ...], as_json: bool) -> None:
    """Add article FILES (or article URLs) to the corpus folder and index them.

    A file goes in only if it holds at least one readable article; one that does not is
    reported and left out (exit status 1). A file named like one already in the corpus
    replaces it: that is how an article is corrected. The rest of the corpus is kept.
    A URL (http or https) is fetched and its article extracted into the corpus folder,
    named for its canonical URL (README, "Feeds and links").
    """
    from bot.cli.feeds import add_links, is_link
    from bot.terminal import render_summary
    from index.ingest.intake import Intake, add_file

    max_bytes = int(app.settings.max_file_mib * 2**20)
    added: list[Intake] = []
    refused: list[str] = []
    links = [f for f in files if is_link(f)]
    if links:
        added, refused = add_links(app, links)
    for path in (Path(f) for f in files if not is_link(f)):
        try:
            added.append(
                add_file(
                    app.settings.corpus_dir, path.name, path.read_bytes(), max_file_bytes=max_bytes
                )
            )
        except CorpusError as e:
            refused.append(str(e))
        except OSError as e:
            refused.append(f"{path} was not added: it cannot be read ({e.strerror or e}).")
    if not as_json:
        for intake in added:
            click.echo(f"Added {intake.describe()}.")
        for reason in refused:
            click.echo(reason, err=True)
    summary = None
    index_error = None
    if added:
        try:
            with progress_bar(enabled=not as_json and sys.stderr.isatty()) as on_progress:
                summary = app.indexer().run(None, progress=on_progress)
        except NewsbotError as e:
            # The files are in the corpus folder: the next re-index takes them in.
            index_error = f"{e} The files added will be indexed by the next re-index."
    if as_json:
        report = {
            "added": [
                {"file": i.name, "articles": i.articles, "replaced": i.replaced} for i in added
            ],
            "refused": refused,
            "index": summary.to_dict() if summary else None,
            "index_error": index_error,
        }
        click.echo(json.dumps(report))
    elif summary:
        click.echo(render_summary(summary))
    elif index_error:
        click.echo(f"newsbot: {index_error}", err=True)
    if refused or index_error:
        sys.exit(1)


class progress_bar:  # noqa: N801 - used like a function in a with statement
    """A terminal progress bar fed by the indexer's progress reports."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._bar: Any = None
        self._shown = 0

    def __enter__(self) -> Callable[[IndexProgress], None] | None:
        return self._update if self._enabled else None

    def _update(self, progress: IndexProgress) -> None:
        if progress.total == 0:
            return
        if self._bar is None:
            self._bar = click.progressbar(
                length=progress.total, label="Embedding articles", file=sys.stderr
            )
            self._bar.__enter__()
        self._bar.update(progress.done - self._shown)
        self._shown = progress.done

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def stats_command(app: App, as_json: bool) -> None:
    """What is indexed: articles, chunks, embedding model, where, and since when.

    Fails (with the reason and its own exit status) when the store cannot be read.
    """
    from bot.terminal import render_stats

    stats = app.store.stats()
    click.echo(json.dumps(stats.to_dict()) if as_json else render_stats(stats))
