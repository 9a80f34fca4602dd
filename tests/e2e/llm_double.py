"""A loopback double of two LLM APIs, answering from a script: for the real llama-index clients.

It serves, on ``127.0.0.1`` from a thread (``http.server``, HTTP/1.1):

* the OpenAI-compatible ``POST /v1/chat/completions``: a ``chat.completion`` object, or with
  ``"stream": true`` server-sent events (``data: {chat.completion.chunk}`` ... ``data: [DONE]``);
* Ollama's ``POST /api/chat``: one JSON object, or with ``"stream": true`` (Ollama's
  default) newline-delimited JSON chunks ending with ``"done": true``.

Each request takes the next entry of the script (:meth:`LLMDouble.script`): a :class:`Reply`
(its text may be computed from the request, as a model reads its prompt), a
:class:`Failure` (an HTTP error status), :class:`Garbage` (a 200 whose body is not the
protocol) or a :class:`Reply` with delays (slow). Every request is recorded. An exhausted
script answers 500 and is recorded in :attr:`LLMDouble.unexpected`.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Json = dict[str, Any]


@dataclass(frozen=True)
class LLMRequest:
    """One request as the double received it."""

    at: float  # time.monotonic() on arrival
    path: str
    headers: dict[str, str]
    body: Json

    @property
    def messages(self) -> list[Json]:
        return list(self.body.get("messages") or [])

    @property
    def prompt(self) -> str:
        """Everything the client sent as messages, one after the other."""
        return "\n\n".join(str(m.get("content", "")) for m in self.messages)

    @property
    def streamed(self) -> bool:
        # Ollama streams unless told not to; OpenAI only when asked.
        default = self.path == "/api/chat"
        return bool(self.body.get("stream", default))

    def passage_number(self, containing: str) -> int:
        """The number ``[n]`` under which the prompt lists a passage containing ``containing``."""
        prompt = self.prompt
        headings = list(re.finditer(r"^\[(\d+)\] ", prompt, re.M))
        for heading, following in zip(headings, [*headings[1:], None], strict=True):
            end = following.start() if following else prompt.find("\n\nQuestion:", heading.end())
            if containing in prompt[heading.end() : end if end >= 0 else None]:
                return int(heading.group(1))
        raise LookupError(f"no passage in the prompt contains {containing!r}")


Text = str | Callable[[LLMRequest], str]


@dataclass(frozen=True)
class Reply:
    """A reply written as ``text`` (or computed from the request), sent in ``pieces``.

    ``wait`` seconds pass before the response starts, ``pause`` seconds between pieces.
    """

    text: Text
    pieces: int = 6
    wait: float = 0.0
    pause: float = 0.0


@dataclass(frozen=True)
class Failure:
    """An HTTP error, with the body each API sends with it."""

    status: int
    message: str = "the server is overloaded"
    retry_after: int | None = None


@dataclass(frozen=True)
class Garbage:
    """A 200 whose body is not what the protocol says (a proxy's HTML page, broken JSON)."""

    body: bytes = b"<html><body>502 Bad Gateway</body></html>"
    content_type: str = "text/html"


Entry = Reply | Failure | Garbage


@dataclass
class LLMDouble:
    """The double; use as a context manager. ``openai_url`` / ``ollama_url`` are the base URLs."""

    model: str = "scripted-model"
    requests: list[LLMRequest] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._script: deque[Entry] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- life cycle

    def __enter__(self) -> LLMDouble:
        double = self

        class Handler(_Handler):
            owner = double

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def openai_url(self) -> str:
        return f"{self.base_url}/v1"

    @property
    def ollama_url(self) -> str:
        return self.base_url

    # -- scripting and inspection

    def script(self, *entries: Entry) -> None:
        """Replace what the next requests are answered with, in order."""
        with self._lock:
            self._script.clear()
            self._script.extend(entries)
            self.requests.clear()
            self.unexpected.clear()

    def remaining(self) -> int:
        with self._lock:
            return len(self._script)

    def _next(self, request: LLMRequest) -> Entry | None:
        with self._lock:
            self.requests.append(request)
            if self._script:
                return self._script.popleft()
            self.unexpected.append(f"{request.path}: the script is exhausted")
            return None


class _Handler(BaseHTTPRequestHandler):
    owner: LLMDouble
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._json(400, {"error": "invalid JSON"})
            return
        if self.path not in ("/v1/chat/completions", "/api/chat"):
            self.owner.unexpected.append(f"unknown route {self.path}")
            self._json(404, {"error": f"404 page not found: {self.path}"})
            return
        request = LLMRequest(time.monotonic(), self.path, dict(self.headers.items()), body)
        entry = self.owner._next(request)
        openai = self.path.startswith("/v1/")
        if entry is None:
            self._error(openai, 500, "the test script is exhausted")
        elif isinstance(entry, Failure):
            self._error(openai, entry.status, entry.message, entry.retry_after)
        elif isinstance(entry, Garbage):
            self._send(200, entry.content_type, entry.body)
        else:
            self._reply(openai, request, entry)

    def _reply(self, openai: bool, request: LLMRequest, reply: Reply) -> None:
        time.sleep(reply.wait)
        text = reply.text(request) if callable(reply.text) else reply.text
        model = str(request.body.get("model") or self.owner.model)
        if not request.streamed:
            body = _openai_completion(model, text) if openai else _ollama_chunk(model, text, True)
            self._json(200, body)
            return
        lines = (
            _openai_stream(model, text, reply.pieces)
            if openai
            else _ollama_stream(model, text, reply.pieces)
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream" if openai else "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for i, line in enumerate(lines):
                if i and reply.pause:
                    time.sleep(reply.pause)
                data = line.encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its deadline, or Stop)

    def _error(
        self, openai: bool, status: int, message: str, retry_after: int | None = None
    ) -> None:
        if openai:
            kind = "rate_limit_exceeded" if status == 429 else "server_error"
            body: Json = {"error": {"message": message, "type": kind, "param": None, "code": None}}
        else:
            body = {"error": message}
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self._json(status, body, headers)

    def _json(self, status: int, body: Json, headers: dict[str, str] | None = None) -> None:
        self._send(status, "application/json", json.dumps(body).encode(), headers)

    def _send(
        self, status: int, content_type: str, data: bytes, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)


def split_pieces(text: str, pieces: int) -> list[str]:
    """``text`` cut into about ``pieces`` parts at spaces (a model streams tokens)."""
    words = re.findall(r"\S+\s*", text)
    size = max(1, -(-len(words) // max(1, pieces)))
    return ["".join(words[i : i + size]) for i in range(0, len(words), size)] or [""]


def _openai_completion(model: str, text: str) -> Json:
    return {
        "id": "chatcmpl-double",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


def _openai_stream(model: str, text: str, pieces: int) -> Iterator[str]:
    def chunk(delta: Json, finish: str | None) -> str:
        body = {
            "id": "chatcmpl-double",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }
        return f"data: {json.dumps(body)}\n\n"

    yield chunk({"role": "assistant", "content": ""}, None)
    for piece in split_pieces(text, pieces):
        yield chunk({"content": piece}, None)
    yield chunk({}, "stop")
    yield "data: [DONE]\n\n"


def _ollama_chunk(model: str, text: str, done: bool) -> Json:
    body: Json = {
        "model": model,
        "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "message": {"role": "assistant", "content": text},
        "done": done,
    }
    if done:
        body.update(
            done_reason="stop",
            total_duration=1_000_000,
            load_duration=1000,
            prompt_eval_count=100,
            prompt_eval_duration=1000,
            eval_count=20,
            eval_duration=1000,
        )
    return body


def _ollama_stream(model: str, text: str, pieces: int) -> Iterator[str]:
    for piece in split_pieces(text, pieces):
        yield json.dumps(_ollama_chunk(model, piece, False)) + "\n"
    yield json.dumps(_ollama_chunk(model, "", True)) + "\n"
