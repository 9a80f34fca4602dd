"""The language model behind generative answers: llama-index's Ollama or OpenAI-compatible client.

Both integrations are optional extras, imported only when ``NEWSBOT_LLM`` asks for one.
Whatever goes wrong on the way to the model (a timeout, a refused connection, HTTP 429 or
500, a reply that cannot be parsed) comes out as :class:`~index.errors.LLMUnavailableError`
with a short reason, and a reply never takes longer than its deadline: the client runs in
a worker thread and is abandoned (it stops at its own HTTP timeout) when time is up.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from index.errors import ConfigurationError, LLMUnavailableError

if TYPE_CHECKING:
    from index.settings import Settings

log = logging.getLogger(__name__)

Role = Literal["system", "user", "assistant"]
Message = tuple[Role, str]

# Ollama otherwise asks the server for the model's context length (/api/show) before every
# request; prompts here are a question and a few passages, well within this.
_CONTEXT_WINDOW = 8192
_TEMPERATURE = 0.1
_DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434"
_EXTRAS = {"ollama": "llm-ollama", "openai": "llm-openai"}
# How often the consumer looks at the stop flag while waiting for the next chunk.
_POLL_SECONDS = 0.1


class ChatModel(Protocol):
    """What newsbot uses of a llama-index LLM."""

    def stream_chat(self, messages: Sequence[Any], **kwargs: Any) -> Iterator[Any]: ...


@dataclass(frozen=True, slots=True)
class Deadline:
    """A point in time (``time.monotonic()``) that the model's replies must not pass."""

    at: float
    seconds: float  # the budget it was set from, for messages

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds, seconds)

    def remaining(self) -> float:
        return self.at - time.monotonic()


def load_chat_model(settings: Settings) -> ChatModel:
    """The client for ``settings.llm`` (ollama or openai).

    Raises:
        ConfigurationError: A required setting is missing, or the integration's extra is
            not installed.
    """
    kind = settings.llm
    if kind == "none":
        raise ConfigurationError("NEWSBOT_LLM is not set; no language model is configured.")
    if not settings.llm_model:
        raise ConfigurationError(
            f"NEWSBOT_LLM={kind} needs NEWSBOT_LLM_MODEL, the name of the model to ask "
            "(e.g. llama3.2)."
        )
    try:
        if kind == "ollama":
            from llama_index.llms.ollama import Ollama

            return Ollama(
                model=settings.llm_model,
                base_url=(settings.llm_url or _DEFAULT_OLLAMA_URL).rstrip("/"),
                request_timeout=settings.llm_timeout,
                context_window=_CONTEXT_WINDOW,
                temperature=_TEMPERATURE,
                additional_kwargs={"num_predict": settings.llm_max_tokens},
            )
        if not settings.llm_url:
            raise ConfigurationError(
                "NEWSBOT_LLM=openai needs NEWSBOT_LLM_URL, the base URL of the "
                "OpenAI-compatible API (e.g. http://host:8000/v1)."
            )
        from llama_index.llms.openai_like import OpenAILike

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
        return OpenAILike(
            model=settings.llm_model,
            api_base=settings.llm_url.rstrip("/"),
            # Local OpenAI-compatible servers accept any key; the client insists on one.
            api_key=key or "unused",
            is_chat_model=True,
            context_window=_CONTEXT_WINDOW,
            max_tokens=settings.llm_max_tokens,
            temperature=_TEMPERATURE,
            timeout=settings.llm_timeout,
            max_retries=0,  # a retry would outlive the deadline; the fallback is the answer
        )
    except ImportError as e:
        extra = _EXTRAS[kind]
        raise ConfigurationError(
            f"NEWSBOT_LLM={kind} needs the {extra} extra: pip install 'newsbot[{extra}]' "
            f"(missing: {e.name})."
        ) from e


def stream_reply(
    model: ChatModel,
    messages: Sequence[Message],
    *,
    deadline: Deadline,
    stop: threading.Event | None = None,
) -> Iterator[str]:
    """The pieces of the model's reply as they arrive; stops early when ``stop`` is set.

    Raises:
        LLMUnavailableError: The reply did not finish before ``deadline``, or the model
            could not be reached, refused, or sent something unreadable.
    """
    chunks: queue.Queue[tuple[str, Any]] = queue.Queue()
    abandoned = threading.Event()
    worker = threading.Thread(
        target=_produce, args=(model, messages, chunks, abandoned), daemon=True, name="newsbot-llm"
    )
    worker.start()
    received = False
    try:
        while True:
            if stop is not None and stop.is_set():
                return
            remaining = deadline.remaining()
            if remaining <= 0:
                raise LLMUnavailableError(
                    f"The language model did not answer within {deadline.seconds:g} s"
                )
            try:
                kind, value = chunks.get(timeout=min(remaining, _POLL_SECONDS))
            except queue.Empty:
                continue
            if kind == "delta":
                received = received or bool(value.strip())
                yield value
            elif kind == "end":
                if not received:  # e.g. a proxy's HTML page, parsed as an empty event stream
                    raise LLMUnavailableError("The language model's reply was empty")
                return
            else:
                raise LLMUnavailableError(describe_failure(value, deadline.seconds)) from value
    finally:
        abandoned.set()


def _produce(
    model: ChatModel,
    messages: Sequence[Message],
    chunks: queue.Queue[tuple[str, Any]],
    abandoned: threading.Event,
) -> None:
    """Runs the client (blocking I/O) in its own thread, handing each piece over."""
    from llama_index.core.llms import ChatMessage

    stream: Any = None
    try:
        stream = model.stream_chat([ChatMessage(role=r, content=c) for r, c in messages])
        for chunk in stream:
            if abandoned.is_set():
                break
            delta = getattr(chunk, "delta", None)
            if delta is None:
                continue
            if not isinstance(delta, str):
                raise TypeError(f"a reply chunk's text is {type(delta).__name__}, not str")
            chunks.put(("delta", delta))
        chunks.put(("end", None))
    except Exception as e:
        chunks.put(("error", e))
    finally:
        close = getattr(stream, "close", None)
        if callable(close):
            try:
                close()  # releases the HTTP response when the reply was abandoned
            except Exception:
                log.debug("closing the model's stream failed", exc_info=True)


def describe_failure(error: BaseException, seconds: float) -> str:
    """A short reason, fit to show a user, for an exception raised by an LLM client."""
    status = getattr(error, "status_code", None)
    if status == 429:
        return "The language model is rate-limited right now (HTTP 429)"
    if isinstance(status, int) and status >= 400:
        return f"The language model answered with an error (HTTP {status})"
    names = {cls.__name__ for cls in type(error).__mro__}
    if names & {"TimeoutException", "APITimeoutError", "TimeoutError", "ReadTimeout"}:
        return f"The language model did not answer within {seconds:g} s"
    if names & {"ConnectError", "APIConnectionError", "ConnectionError", "NetworkError"}:
        return "The language model could not be reached"
    return "The language model's reply could not be read"
