"""`ask --json -` and `chat --json` streams: each line gets its answer or its own error object,
and the stream goes on (bot/cli/asking.py)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from bot.cli.asking import Line, _answer_lines, _stdin_lines
from index.errors import NewsbotError, QuestionError, StoreUnreachableError
from index.models import Answer, SearchFilters


class FakeAnswerer:
    """Answers like the real one: an Answer, or the error the real one would raise."""

    def __init__(self, failures: dict[str, Exception]) -> None:
        self.failures = failures
        self.asked: list[str] = []

    def respond(self, question: str, **kwargs: Any) -> Answer:
        self.asked.append(question)
        if question in self.failures:
            raise self.failures[question]
        return Answer(question=question, answer=f"About {question}.", found=True)


class FakeApp:
    def __init__(self, answerer: FakeAnswerer) -> None:
        self._answerer = answerer

    def answerer(self) -> FakeAnswerer:
        return self._answerer


def test_a_line_that_is_not_utf8_is_reported_and_the_next_lines_are_read() -> None:
    stream = io.BytesIO(b"First question?\n\nCaf\xe9 question?\n  Third?  \n")
    lines = list(_stdin_lines(stream))
    assert [(line.number, line.text, line.problem) for line in lines] == [
        (1, "First question?", None),
        (3, "Caf\ufffd question?", lines[1].problem),
        (4, "Third?", None),
    ]
    assert lines[1].problem == (
        "Line 3 is not UTF-8 text (byte 0xe9 at column 4); save the questions as UTF-8."
    )


def test_every_line_gets_an_answer_or_an_error_object_and_the_stream_goes_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    answerer = FakeAnswerer(
        {
            "too long?": QuestionError("Your question is 2,500 characters long."),
            "server?": StoreUnreachableError("127.0.0.1", 8000, "connection refused"),
            "bug?": RuntimeError("surprise"),
        }
    )
    lines = [
        Line(1, "first?"),
        Line(2, "Caf\ufffd?", "Line 2 is not UTF-8 text"),
        Line(3, "too long?"),
        Line(4, "server?"),
        Line(5, "bug?"),
        Line(6, "last?"),
    ]
    _answer_lines(FakeApp(answerer), lines, SearchFilters(), None)  # type: ignore[arg-type]

    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r.get("found") for r in records] == [True, None, None, None, None, True]
    assert [r.get("error_kind") for r in records] == [
        None,
        "input",
        "question",
        "store_unreachable",
        "unexpected",
        None,
    ]
    assert records[3]["error"].startswith("Cannot reach the Chroma server at 127.0.0.1:8000")
    assert records[4]["line"] == 5 and "RuntimeError" in records[4]["error"]
    assert "Traceback" not in json.dumps(records)
    assert answerer.asked == ["first?", "too long?", "server?", "bug?", "last?"]  # not line 2


def test_every_newsbot_error_has_a_kind_and_an_exit_status_of_its_own() -> None:
    kinds: dict[str, int] = {}
    for error_class in _all_subclasses(NewsbotError):
        if error_class.kind in kinds:
            assert kinds[error_class.kind] == error_class.exit_code, error_class
        kinds[error_class.kind] = error_class.exit_code
    specific = [code for kind, code in kinds.items() if code not in (1, 2)]
    assert len(specific) == len(set(specific)), kinds  # one status per kind of failure


def _all_subclasses(cls: type) -> list[type[NewsbotError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found
