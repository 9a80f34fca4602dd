"""The `newsbot` command line, and the one place where the application is put together.

Settings are read from the environment once, here; every other object receives what it
needs through its constructor.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from index.errors import NewsbotError, QuestionError
from index.models import IndexProgress, SearchFilters
from index.settings import Settings

if TYPE_CHECKING:
    from index.answer import Answerer
    from index.ingest import Indexer
    from index.store import Store

log = logging.getLogger("newsbot")


class App:
    """The composition root: builds the core's objects from settings, each on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: Store | None = None
        self._answerer: Answerer | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            from index.store import Store

            self._store = Store(self.settings)
        return self._store

    def indexer(self) -> Indexer:
        from index.embedding import load_document_embedder
        from index.ingest import Indexer

        return Indexer(self.settings, self.store, lambda: load_document_embedder(self.settings))

    def answerer(self) -> Answerer:
        if self._answerer is None:
            from index.answer import Answerer
            from index.embedding import load_query_embedder
            from index.retrieve import Retriever

            self._answerer = Answerer(self.settings, Retriever(self.store, load_query_embedder()))
        return self._answerer


def _prepare_environment() -> None:
    # numpy's OpenBLAS threads spin-wait on each other: with another process busy on one of
    # the two cores, a 9 ms question embedding took 0.7 s. One thread costs 1-2 ms when idle.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # Model loading prints progress bars and advice meant for library developers.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


class _NewsbotGroup(click.Group):
    """Turns newsbot's own errors into a one-line message and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsbotError as e:
            click.echo(f"newsbot: {e}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("newsbot: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_NewsbotGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what happens, for troubleshooting.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Ask questions about a corpus of news articles and get answers with cited sources.

    Configuration comes from NEWSBOT_* environment variables (see the README).
    """
    _prepare_environment()
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings()
    except Exception as e:  # pydantic's ValidationError names the variable and the problem
        raise click.UsageError(f"invalid configuration: {e}") from e
    ctx.obj = App(settings)


# -- index -----------------------------------------------------------------------------------


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any file could not be read.")
@click.pass_obj
def index_command(app: App, paths: tuple[Path, ...], as_json: bool, strict: bool) -> None:
    """Index the articles under PATHS (default: the corpus folder).

    The index mirrors PATHS: new and edited articles are embedded, articles that are gone
    are removed, unchanged ones cost nothing. Unreadable files are reported and skipped.
    """
    from bot.terminal import render_summary

    with _progress_bar(enabled=not as_json and sys.stderr.isatty()) as on_progress:
        summary = app.indexer().run(list(paths) or None, progress=on_progress)
    if as_json:
        click.echo(json.dumps(summary.to_dict()))
    else:
        click.echo(render_summary(summary))
    if strict and summary.failed:
        sys.exit(1)


class _progress_bar:  # noqa: N801 - used like a function in a with statement
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


# -- ask and chat --------------------------------------------------------------------------


def _filters(
    source: str | None, since: dt.datetime | None, until: dt.datetime | None
) -> SearchFilters:
    return SearchFilters(
        source=source,
        since=since.date().isoformat() if since else None,
        until=until.date().isoformat() if until else None,
    )


_filter_options = [
    click.option("--source", help="Only articles from this source."),
    click.option(
        "--since",
        type=click.DateTime(["%Y-%m-%d"]),
        help="Only articles published on or after this date.",
    ),
    click.option(
        "--until",
        type=click.DateTime(["%Y-%m-%d"]),
        help="Only articles published on or before this date.",
    ),
]


def _with_filters(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_filter_options):
        command = option(command)
    return command


@main.command("ask")
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@_with_filters
@click.pass_obj
def ask_command(
    app: App,
    question: str,
    as_json: bool,
    source: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> None:
    """Answer QUESTION with cited passages.

    With --json and QUESTION "-", read one question per line from standard input and
    write one JSON object per line (the model is loaded once).
    """
    from bot.terminal import render_answer

    filters = _filters(source, since, until)
    if question == "-":
        if not as_json:
            raise click.UsageError('reading questions from standard input ("-") needs --json')
        _answer_lines(app, _stdin_lines(sys.stdin), filters, conversation=None)
        return
    try:
        answer = app.answerer().ask(question, filters=filters)
    except QuestionError as e:
        raise click.UsageError(str(e)) from e
    click.echo(
        json.dumps(answer.to_dict(), ensure_ascii=False) if as_json else render_answer(answer)
    )


@main.command("chat")
@click.option("--json", "as_json", is_flag=True, help="Write one JSON object per turn.")
@_with_filters
@click.pass_obj
def chat_command(
    app: App,
    as_json: bool,
    source: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> None:
    """A conversation in the terminal: follow-up questions build on earlier turns.

    From a pipe, each line is the next turn of one conversation.
    """
    from index.conversation import Conversation

    conversation = Conversation(max_turns=app.settings.conversation_turns)
    filters = _filters(source, since, until)
    interactive = sys.stdin.isatty() and not as_json
    if interactive:
        click.echo("Ask about the news in the corpus. An empty line or Ctrl-D ends the chat.")
        lines: Iterable[str] = _prompted_lines()
    else:
        lines = _stdin_lines(sys.stdin)
    if as_json:
        _answer_lines(app, lines, filters, conversation)
    else:
        _print_answers(app, lines, filters, conversation)


def _stdin_lines(stream: TextIO) -> Iterator[str]:
    for line in stream:
        if line.strip():
            yield line.strip()


def _prompted_lines() -> Iterator[str]:
    while True:
        try:
            line = input("\n> ")
        except EOFError:
            return
        if not line.strip() or line.strip().lower() in {"exit", "quit"}:
            return
        yield line


def _answer_lines(
    app: App, lines: Iterable[str], filters: SearchFilters, conversation: Any
) -> None:
    answerer = app.answerer()
    for line in lines:
        try:
            record = answerer.ask(line, conversation=conversation, filters=filters).to_dict()
        except QuestionError as e:
            record = {"question": line[:200], "error": str(e)}
        click.echo(json.dumps(record, ensure_ascii=False))


def _print_answers(
    app: App, lines: Iterable[str], filters: SearchFilters, conversation: Any
) -> None:
    from bot.terminal import render_answer

    answerer = app.answerer()
    for line in lines:
        try:
            click.echo(
                render_answer(answerer.ask(line, conversation=conversation, filters=filters))
            )
        except QuestionError as e:
            click.echo(str(e))
        click.echo()


# -- stats -----------------------------------------------------------------------------------


@main.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def stats_command(app: App, as_json: bool) -> None:
    """What is indexed: articles, chunks, embedding model, where, and since when."""
    from bot.terminal import render_stats

    stats = app.store.stats()
    click.echo(json.dumps(stats.to_dict()) if as_json else render_stats(stats))
