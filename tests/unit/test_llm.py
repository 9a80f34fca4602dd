"""The language model client's configuration, deadline and failure reasons, without a server."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator, Sequence
from types import SimpleNamespace
from typing import Any

import pytest

from index.errors import ConfigurationError, LLMUnavailableError
from index.generation.llm import Deadline, describe_failure, load_chat_model, stream_reply
from index.settings import Settings


class ScriptedModel:
    """A chat model that replies with ``pieces``, waiting ``pause`` seconds before each."""

    def __init__(self, pieces: Sequence[str], pause: float = 0.0, error: Exception | None = None):
        self.pieces = pieces
        self.pause = pause
        self.error = error
        self.closed = threading.Event()

    def stream_chat(self, messages: Sequence[Any], **kwargs: Any) -> Iterator[Any]:
        def gen() -> Iterator[Any]:
            try:
                for piece in self.pieces:
                    time.sleep(self.pause)
                    yield SimpleNamespace(delta=piece)
                if self.error is not None:
                    raise self.error
            finally:
                self.closed.set()

        return gen()


def test_the_reply_arrives_piece_by_piece() -> None:
    model = ScriptedModel(["Sochi ", "[1]."])
    pieces = stream_reply(model, [("user", "q")], deadline=Deadline.after(5))
    assert list(pieces) == ["Sochi ", "[1]."]


def test_a_reply_slower_than_the_deadline_fails_at_the_deadline() -> None:
    model = ScriptedModel(["a"] * 100, pause=0.2)
    started = time.monotonic()
    with pytest.raises(LLMUnavailableError, match=r"did not answer within 0\.5 s"):
        list(stream_reply(model, [("user", "q")], deadline=Deadline.after(0.5)))
    assert time.monotonic() - started < 0.8
    assert model.closed.wait(1.0)  # the abandoned client is closed, not left reading


def test_setting_stop_ends_the_reply_early() -> None:
    model = ScriptedModel(["a"] * 50, pause=0.05)
    stop = threading.Event()
    received = []
    for piece in stream_reply(model, [("user", "q")], deadline=Deadline.after(10), stop=stop):
        received.append(piece)
        if len(received) == 3:
            stop.set()
    assert len(received) == 3


def test_a_client_error_becomes_a_short_reason() -> None:
    error = type("RateLimitError", (Exception,), {"status_code": 429})("slow down")
    model = ScriptedModel(["partial"], error=error)
    with pytest.raises(LLMUnavailableError, match=r"rate-limited right now \(HTTP 429\)"):
        list(stream_reply(model, [("user", "q")], deadline=Deadline.after(5)))


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (type("APIStatusError", (Exception,), {"status_code": 500})(), "error (HTTP 500)"),
        (type("ReadTimeout", (Exception,), {})(), "did not answer within 3 s"),
        (ConnectionRefusedError(), "could not be reached"),
        (ValueError("Expecting value: line 1 column 1"), "reply could not be read"),
    ],
)
def test_failures_are_described_by_kind(error: Exception, reason: str) -> None:
    assert reason in describe_failure(error, 3)


def test_a_model_name_is_required() -> None:
    with pytest.raises(ConfigurationError, match="needs NEWSBOT_LLM_MODEL"):
        load_chat_model(Settings(llm="ollama"))


def test_openai_needs_a_url() -> None:
    with pytest.raises(ConfigurationError, match="needs NEWSBOT_LLM_URL"):
        load_chat_model(Settings(llm="openai", llm_model="m"))


@pytest.mark.parametrize(
    ("kind", "module", "extra"),
    [
        ("ollama", "llama_index.llms.ollama", "llm-ollama"),
        ("openai", "llama_index.llms.openai_like", "llm-openai"),
    ],
)
def test_without_the_extra_the_error_names_it(
    monkeypatch: pytest.MonkeyPatch, kind: str, module: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # what an uninstalled package looks like
    with pytest.raises(ConfigurationError, match=rf"pip install 'newsbot\[{extra}\]'"):
        load_chat_model(Settings(llm=kind, llm_model="m", llm_url="http://127.0.0.1:9/v1"))


def test_the_clients_are_llama_index_integrations_given_the_settings() -> None:
    ollama = load_chat_model(Settings(llm="ollama", llm_model="llama3.2", llm_timeout=7))
    assert type(ollama).__name__ == "Ollama"
    assert ollama.base_url == "http://127.0.0.1:11434" and ollama.request_timeout == 7
    openai = load_chat_model(
        Settings(llm="openai", llm_model="m", llm_url="http://h:8000/v1/", llm_api_key="k")
    )
    assert type(openai).__name__ == "OpenAILike"
    assert (openai.api_base, openai.api_key, openai.max_retries) == ("http://h:8000/v1", "k", 0)
