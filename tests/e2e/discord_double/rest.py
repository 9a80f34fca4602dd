"""REST plumbing: route matching, bodies (JSON or multipart), auth, and the call log.

Every response has ``Content-Type: application/json`` exactly, because discord.py parses
JSON only then; handler failures answer 400, never 5xx, which discord.py would retry.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from .errors import DiscordAPIError
from .protocol import API_PREFIX, Json
from .records import RestCall, UploadedFile
from .state import _State


@dataclass
class RestRequest:
    """What a REST handler sees: path parameters, query, body, files, arrival time."""

    params: dict[str, str]
    query: Mapping[str, str]
    body: Any
    files: list[UploadedFile]
    at: float

    def id(self, name: str) -> int:
        """A snowflake path parameter; non-numeric values are unknown resources."""
        try:
            return int(self.params[name])
        except ValueError:
            raise DiscordAPIError(404, 0, "404: Not Found") from None

    def json(self) -> Json:
        """The body as a JSON object (400/50109 otherwise)."""
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise DiscordAPIError(400, 50109, "The request body contains invalid JSON.")
        return self.body


Handler = Callable[[RestRequest], tuple[int, Any]]


@dataclass(frozen=True)
class Route:
    """One REST route: method, template below /api/v10, handler, whether bot auth is needed."""

    method: str
    template: str
    handler: Handler
    auth: bool = True

    @property
    def pattern(self) -> re.Pattern[str]:
        """The template as a regex with one named group per ``{parameter}``."""
        parts = re.split(r"(\{\w+\})", self.template)
        regex = "".join(
            f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts
        )
        return re.compile(f"^{regex}$")


def _dump(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"))


class _RestServer(_State):
    """The aiohttp handlers for ``/api/v10/*`` and the attachment CDN."""

    routes: list[Route]
    _compiled: list[tuple[Route, re.Pattern[str]]]

    def _compile_routes(self, routes: list[Route]) -> None:
        self.routes = routes
        self._compiled = [(route, route.pattern) for route in routes]

    async def _api(self, request: web.Request) -> web.StreamResponse:
        at = time.monotonic()
        with self._lock:
            self._in_flight += 1
        try:
            call, response = await self._handle_api(request, at)
            with self._lock:
                self._calls.append(call)  # logged before the client can see the answer
            await response.prepare(request)
            await response.write_eof()
            return response
        finally:
            # wait_until() only returns while nothing is in flight: a waiter never sees a
            # state change whose HTTP answer has not been written to the client yet.
            with self._lock:
                self._in_flight -= 1
                self._changed.notify_all()

    async def _handle_api(self, request: web.Request, at: float) -> tuple[RestCall, web.Response]:
        raw_path = request.rel_url.raw_path[len(API_PREFIX) :] or "/"
        route, params = self._match(request.method, raw_path)
        body: Any = None
        files: list[UploadedFile] = []
        text: str | None
        try:
            try:
                body, files = await self._read_body(request)
            except ValueError:
                raise DiscordAPIError(
                    400, 50109, "The request body contains invalid JSON."
                ) from None
            r = RestRequest(params or {}, request.query, body, files, at)
            status, text = self._answer(request, route, params, r)
        except DiscordAPIError as error:
            status, text = error.status, _dump(error.body())
        except Exception as error:
            # Not a 5xx: discord.py retries those for ~25 s. Recorded in internal_errors.
            message = f"discord double could not handle this: {error!r}"
            status, text = 400, _dump({"message": message, "code": 0})
            with self._lock:
                self.internal_errors.append(f"{request.method} {raw_path}: {error!r}")
        call = RestCall(
            at=at,
            method=request.method,
            path=unquote(raw_path),
            route=None if route is None else f"{route.method} {route.template}",
            query=dict(request.query),
            body=body,
            files=tuple(files),
            status=status,
            response=None if text is None else json.loads(text),
        )
        if text is None:
            return call, web.Response(status=status)
        # Exactly "application/json": discord.py does not parse "application/json; charset=…".
        return call, web.Response(
            status=status, body=text.encode(), headers={"Content-Type": "application/json"}
        )

    def _answer(
        self,
        request: web.Request,
        route: Route | None,
        params: dict[str, str] | None,
        r: RestRequest,
    ) -> tuple[int, str | None]:
        """Run the route's handler under the state lock; returns status and JSON text."""
        if route is None:
            raise DiscordAPIError(
                404 if params is None else 405,
                0,
                "404: Not Found" if params is None else "405: Method Not Allowed",
            )
        if route.auth and request.headers.get("Authorization") != f"Bot {self.token}":
            raise DiscordAPIError(401, 0, "401: Unauthorized")
        with self._lock:
            status, payload = route.handler(r)
            return status, None if payload is None else _dump(payload)

    def _match(self, method: str, raw_path: str) -> tuple[Route | None, dict[str, str] | None]:
        """Find the route; ``(None, {})`` means the path exists with another method."""
        path_matched = False
        for route, pattern in self._compiled:
            found = pattern.match(raw_path)
            if found is None:
                continue
            if route.method == method:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
            path_matched = True
        return None, ({} if path_matched else None)

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
        if not request.can_read_body:
            return None, []
        if request.content_type.startswith("multipart/"):
            body: Any = None
            files: list[UploadedFile] = []
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue  # nested multipart: Discord does not use it
                data = await part.read()
                name = part.name or ""
                if name == "payload_json":
                    body = json.loads(data)
                else:
                    content_type = part.headers.get("Content-Type", "application/octet-stream")
                    files.append(
                        UploadedFile(name, part.filename or name, content_type, bytes(data))
                    )
            return body, files
        raw = await request.read()
        if not raw:
            return None, []
        return json.loads(raw), []

    async def _cdn(self, request: web.Request) -> web.Response:
        with self._lock:
            data = self._attachments.get(int(request.match_info["attachment_id"]))
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")
