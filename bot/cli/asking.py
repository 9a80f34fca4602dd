"""`newsbot ask` and `newsbot chat`: questions from the terminal or a pipe, answers printed
for people or as JSON lines."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

import click

from index.errors import NewsbotError, QuestionError
from index.models import SearchFilters

log = logging.getLogger(__name__)

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
    standard input and write one JSON object per line (the model is loaded once); a line
    that cannot be answered (not UTF-8, too long, the store failing) gives an object with
    "error" and "error_kind" instead, and the stream goes on.
    """
    app.ask_on(today.date() if today else None)
    filters = _filters(source, since, until)
    if question == "-":
        if not as_json:
            raise click.UsageError('reading questions from standard input ("-") needs --json')
        _answer_lines(app, _stdin_lines(), filters, conversation=None)
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
        lines: Iterable[Line] = _prompted_lines()
    else:
        lines = _stdin_lines()
    if as_json:
        _answer_lines(app, lines, filters, conversation)
    else:
        _print_answers(app, lines, filters, conversation)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of input: its number, and its text or why it cannot be read."""

    number: int
    text: str
    problem: str | None = None


def _stdin_lines(stream: BinaryIO | None = None) -> Iterator[Line]:
    """The non-empty lines of standard input, read as bytes so that a line that is not
    UTF-8 is reported on its own instead of ending the stream."""
    source = stream or getattr(sys.stdin, "buffer", None)
    if source is None:  # a text stream without bytes underneath (tests)
        for number, text in enumerate(sys.stdin, start=1):
            if text.strip():
                yield Line(number, text.strip())
        return
    for number, raw in enumerate(source, start=1):
        try:
            text = raw.decode("utf-8").strip()
        except UnicodeDecodeError as e:
            yield Line(
                number,
                raw.decode("utf-8", errors="replace").strip(),
                f"Line {number} is not UTF-8 text (byte 0x{raw[e.start]:02x} at column "
                f"{e.start + 1}); save the questions as UTF-8.",
            )
            continue
        if text:
            yield Line(number, text)


def _prompted_lines() -> Iterator[Line]:
    number = 0
    while True:
        number += 1
        try:
            text = input("\n> ")
        except EOFError:
            return
        except UnicodeDecodeError:
            click.echo("That line is not UTF-8 text; please type it again.")
            continue
        if not text.strip() or text.strip().lower() in {"exit", "quit"}:
            return
        yield Line(number, text)


def _human(answer: Answer) -> str:
    from bot.terminal import render_answer

    text = render_answer(answer)
    return f"{text}\n\n({answer.note})" if answer.note else text


def _answer_lines(
    app: App, lines: Iterable[Line], filters: SearchFilters, conversation: Any
) -> None:
    for line in lines:
        result = _respond(app, line, filters, conversation)
        record = result if isinstance(result, dict) else result.to_dict()
        click.echo(json.dumps(record, ensure_ascii=False))


def _print_answers(
    app: App, lines: Iterable[Line], filters: SearchFilters, conversation: Any
) -> None:
    for line in lines:
        result = _respond(app, line, filters, conversation)
        click.echo(str(result["error"]) if isinstance(result, dict) else _human(result))
        click.echo()


def _respond(
    app: App, line: Line, filters: SearchFilters, conversation: Any
) -> Answer | dict[str, Any]:
    """The answer to one line, or the error object that takes its place."""
    if line.problem is not None:
        return _error(line, line.problem, "input")
    try:
        return app.answerer().respond(line.text, conversation=conversation, filters=filters)
    except NewsbotError as e:
        return _error(line, str(e), e.kind)
    except Exception as e:
        log.error("answering line %d failed", line.number, exc_info=True)
        message = f"An unexpected error ({type(e).__name__}); run with --verbose for the details."
        return _error(line, message, "unexpected")


def _error(line: Line, message: str, kind: str) -> dict[str, Any]:
    return {"question": line.text[:200], "line": line.number, "error": message, "error_kind": kind}
