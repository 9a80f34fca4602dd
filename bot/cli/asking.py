"""`newsbot ask` and `newsbot chat`: questions from the terminal or a pipe, answers printed
for people or as JSON lines."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

import click

from index.errors import QuestionError
from index.models import SearchFilters

if TYPE_CHECKING:
    from bot.cli.app import App
    from index.models import Answer


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
    click.option(
        "--today",
        type=click.DateTime(["%Y-%m-%d"]),
        help='Ask as on this date ("last week", "now", "the latest" count from it).',
    ),
]


def _with_filters(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_filter_options):
        command = option(command)
    return command


@click.command("ask")
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
    today: dt.datetime | None,
) -> None:
    """Answer QUESTION with cited passages.

    Dates in the question ("in 2021", "last week", "the latest") are understood; --json
    shows how, as "time". With --json and QUESTION "-", read one question per line from
    standard input and write one JSON object per line (the model is loaded once).
    """
    app.ask_on(today.date() if today else None)
    filters = _filters(source, since, until)
    if question == "-":
        if not as_json:
            raise click.UsageError('reading questions from standard input ("-") needs --json')
        _answer_lines(app, _stdin_lines(sys.stdin), filters, conversation=None)
        return
    try:
        answer = app.answerer().respond(question, filters=filters)
    except QuestionError as e:
        raise click.UsageError(str(e)) from e
    click.echo(json.dumps(answer.to_dict(), ensure_ascii=False) if as_json else _human(answer))


@click.command("chat")
@click.option("--json", "as_json", is_flag=True, help="Write one JSON object per turn.")
@_with_filters
@click.pass_obj
def chat_command(
    app: App,
    as_json: bool,
    source: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    today: dt.datetime | None,
) -> None:
    """A conversation in the terminal: follow-up questions build on earlier turns.

    From a pipe, each line is the next turn of one conversation.
    """
    app.ask_on(today.date() if today else None)
    from index.answer.conversation import Conversation

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


def _human(answer: Answer) -> str:
    from bot.terminal import render_answer

    text = render_answer(answer)
    return f"{text}\n\n({answer.note})" if answer.note else text


def _answer_lines(
    app: App, lines: Iterable[str], filters: SearchFilters, conversation: Any
) -> None:
    for line in lines:
        try:
            record = (
                app.answerer().respond(line, conversation=conversation, filters=filters).to_dict()
            )
        except QuestionError as e:
            record = {"question": line[:200], "error": str(e)}
        click.echo(json.dumps(record, ensure_ascii=False))


def _print_answers(
    app: App, lines: Iterable[str], filters: SearchFilters, conversation: Any
) -> None:
    for line in lines:
        try:
            click.echo(
                _human(app.answerer().respond(line, conversation=conversation, filters=filters))
            )
        except QuestionError as e:
            click.echo(str(e))
        click.echo()
