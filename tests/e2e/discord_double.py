"""A loopback test double of the Discord API: REST v10 plus the gateway WebSocket.

The double is a small, faithful Discord for one bot application. It runs an aiohttp
server on ``127.0.0.1`` in a background thread with its own event loop, so a test can
drive it synchronously while the bot under test runs in the test's event loop or in
another process. An unmodified discord.py client is pointed at it with::

    discord.http.Route.BASE = double.api_base                 # http://127.0.0.1:PORT/api/v10
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(double.gateway_url)

(:meth:`DiscordDouble.point_discord_py` does both and returns an undo function.)

What it models
--------------
* **Gateway** (``/gateway``; READY's ``resume_gateway_url`` points at ``/resume-gateway``):
  HELLO, HEARTBEAT/HEARTBEAT_ACK, IDENTIFY → READY + one GUILD_CREATE per guild, RESUME →
  replay of missed dispatches + RESUMED, REQUEST_GUILD_MEMBERS → GUILD_MEMBERS_CHUNK,
  PRESENCE_UPDATE (recorded), RECONNECT and INVALID_SESSION on request. Transport
  compression is whatever the client asks for in the query string: ``zlib-stream`` (what
  discord.py 2.7.1 asks for unless ``zstandard``/``compression.zstd`` is importable),
  ``zstd-stream`` (if a zstd module is importable here) or none. Intents are honoured:
  events are only sent for requested intents, privileged intents not enabled "in the
  portal" close the socket with 4014, and without MESSAGE_CONTENT the content of other
  users' messages is blanked unless they mention the bot or are DMs, as Discord does.
* **REST** (``/api/v10``): the routes listed in :attr:`DiscordDouble.routes`. Bodies may be
  JSON or multipart/form-data with ``payload_json`` and ``files[n]``. Every response has
  ``Content-Type: application/json`` exactly (discord.py only parses JSON then). Unknown
  routes answer ``404 {"message": "404: Not Found", "code": 0}`` and are recorded.
* **Limits**, answered as Discord does (400, code 50035 ``Invalid Form Body`` with an
  ``errors`` tree naming the field): content > 2000, > 10 embeds, embed title > 256,
  description > 4096, > 25 fields, field name > 256 / value > 1024, footer > 2048,
  author name > 256, total embed text > 6000, > 5 action rows, > 5 components per row,
  button label > 80, custom_id > 100, thread name outside 1..100, command name/description
  rules. Empty messages get 50006. An interaction callback later than
  ``interaction_deadline`` seconds (default 3) after dispatch gets 404 10062 ``Unknown
  interaction``; a second callback gets 400 40060.
* **State**: users, guilds (roles, members), channels, threads, DM channels, messages per
  channel (edits and deletions applied), reactions, application commands, interactions
  (callback type and delay) and a log of every REST call.

Not modelled: permissions (the bot may do anything), rate limits, voice, sharding with
more than one shard, archived threads. Files attached to slash commands are given as
``(file name, bytes)`` option values and served from the double's CDN route.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import re
import secrets
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import unquote

from aiohttp import BodyPartReader, WSMsgType, web

__all__ = [
    "DiscordAPIError",
    "DiscordDouble",
    "GatewayConnection",
    "Intents",
    "InteractionRecord",
    "Op",
    "RestCall",
    "UploadedFile",
]

Json = dict[str, Any]
T = TypeVar("T")

API_PREFIX = "/api/v10"
API_VERSION = 10
DISCORD_EPOCH_MS = 1_420_070_400_000
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


class Intents:
    """Gateway intent bits (https://discord.com/developers/docs/events/gateway#gateway-intents)."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    GUILD_MESSAGE_TYPING = 1 << 11
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    DIRECT_MESSAGE_TYPING = 1 << 14
    MESSAGE_CONTENT = 1 << 15
    PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT
    ALL = (1 << 26) - 1  # every bit currently defined (0..25), used to reject unknown bits


class Op:
    """Gateway opcodes."""

    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE_UPDATE = 3
    VOICE_STATE_UPDATE = 4
    RESUME = 6
    RECONNECT = 7
    REQUEST_GUILD_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


class ChannelType:
    """Channel type numbers."""

    GUILD_TEXT = 0
    DM = 1
    GUILD_VOICE = 2
    GUILD_CATEGORY = 4
    GUILD_ANNOUNCEMENT = 5
    ANNOUNCEMENT_THREAD = 10
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    THREADS = (ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD)
    TEXT_CAPABLE = (GUILD_TEXT, DM, GUILD_VOICE, GUILD_ANNOUNCEMENT, *THREADS)


class InteractionType:
    """Interaction type numbers."""

    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class CallbackType:
    """Interaction callback (response) type numbers."""

    PONG = 1
    CHANNEL_MESSAGE_WITH_SOURCE = 4
    DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE_RESULT = 8
    MODAL = 9


class MessageFlag:
    """Message flag bits."""

    SUPPRESS_EMBEDS = 1 << 2
    EPHEMERAL = 1 << 6
    LOADING = 1 << 7
    SUPPRESS_NOTIFICATIONS = 1 << 12
    IS_COMPONENTS_V2 = 1 << 15


class Permission:
    """A few permission bits, enough to give members and the bot plausible permissions."""

    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    USE_APPLICATION_COMMANDS = 1 << 31
    CREATE_PUBLIC_THREADS = 1 << 35
    SEND_MESSAGES_IN_THREADS = 1 << 38
    EVERYONE = (
        ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS
        | SEND_MESSAGES_IN_THREADS
    )
    ADMINISTRATOR = 1 << 3


# Option types of application commands.
_OPT_SUB_COMMAND, _OPT_SUB_COMMAND_GROUP = 1, 2
_OPT_STRING, _OPT_INTEGER, _OPT_BOOLEAN, _OPT_USER = 3, 4, 5, 6
_OPT_CHANNEL, _OPT_ROLE, _OPT_MENTIONABLE, _OPT_NUMBER, _OPT_ATTACHMENT = 7, 8, 9, 10, 11

_USER_MENTION = re.compile(r"<@!?(\d{15,25})>")
_ROLE_MENTION = re.compile(r"<@&(\d{15,25})>")
_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


# --------------------------------------------------------------------------- helpers


def _now_iso() -> str:
    """Return the current UTC time in Discord's ISO-8601 format."""
    return datetime.now(UTC).isoformat()


def _sf(value: Any) -> int | None:
    """Parse an optional snowflake given as str or int."""
    if value is None or value == "":
        return None
    return int(value)


def _truthy(value: str | None) -> bool:
    """Interpret a boolean query-string value the way Discord does."""
    return value is not None and value.lower() in ("1", "true")


class _Snowflakes:
    """Generates increasing snowflakes with Discord's layout (ms since 2015 << 22 | counter)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def next(self) -> int:
        """Return a fresh snowflake, strictly greater than the previous one."""
        with self._lock:
            candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
            self._last = max(candidate, self._last + 1)
            return self._last


class DiscordAPIError(Exception):
    """An error the double answers with, shaped like Discord's JSON error body."""

    def __init__(self, status: int, code: int, message: str, errors: Json | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> Json:
        """The JSON body Discord would send."""
        body: Json = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body

    @classmethod
    def invalid_form(cls, field: str, code: str, message: str) -> DiscordAPIError:
        """400/50035 ``Invalid Form Body`` with one error on ``field``."""
        return cls(
            400,
            50035,
            "Invalid Form Body",
            {field: {"_errors": [{"code": code, "message": message}]}},
        )

    @classmethod
    def unknown(cls, what: str) -> DiscordAPIError:
        """404 for an unknown resource (``Unknown Channel`` …)."""
        codes = {
            "Application": 10002,
            "Channel": 10003,
            "Guild": 10004,
            "Member": 10007,
            "Message": 10008,
            "Emoji": 10014,
            "User": 10013,
            "Webhook": 10015,
            "interaction": 10062,
            "application command": 10063,
        }
        return cls(404, codes[what], f"Unknown {what}")


class _FormErrors:
    """Collects ``Invalid Form Body`` errors into Discord's nested ``_errors`` tree."""

    def __init__(self) -> None:
        self.tree: Json = {}

    def add(self, path: Sequence[str | int], code: str, message: str) -> None:
        """Record an error at ``path`` (e.g. ``("embeds", 0, "title")``)."""
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_length(self, path: Sequence[str | int], value: Any, limit: int) -> None:
        """Check a string or list against Discord's ``BASE_TYPE_MAX_LENGTH`` rule."""
        if value is not None and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def length_between(self, path: Sequence[str | int], value: Any, low: int, high: int) -> None:
        """Check a string or list against Discord's ``BASE_TYPE_BAD_LENGTH`` rule."""
        if value is None or not low <= len(value) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def raise_if_any(self) -> None:
        """Raise 400/50035 if any error was collected."""
        if self.tree:
            raise DiscordAPIError(400, 50035, "Invalid Form Body", self.tree)


# --------------------------------------------------------------------------- validation


def _embed_text_length(embed: Json) -> int:
    """Characters that count towards the 6000-character limit of a message's embeds."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for item in embed.get("fields") or []:
        total += len(item.get("name") or "") + len(item.get("value") or "")
    return total


def _validate_embeds(embeds: Any, errors: _FormErrors) -> None:
    """Apply Discord's embed limits."""
    if not isinstance(embeds, list):
        errors.add(("embeds",), "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType.")
        return
    errors.max_length(("embeds",), embeds, 10)
    for i, embed in enumerate(embeds):
        errors.max_length(("embeds", i, "title"), embed.get("title"), 256)
        errors.max_length(("embeds", i, "description"), embed.get("description"), 4096)
        errors.max_length(
            ("embeds", i, "footer", "text"), (embed.get("footer") or {}).get("text"), 2048
        )
        errors.max_length(
            ("embeds", i, "author", "name"), (embed.get("author") or {}).get("name"), 256
        )
        fields = embed.get("fields") or []
        errors.max_length(("embeds", i, "fields"), fields, 25)
        for j, item in enumerate(fields):
            errors.length_between(("embeds", i, "fields", j, "name"), item.get("name"), 1, 256)
            errors.length_between(("embeds", i, "fields", j, "value"), item.get("value"), 1, 1024)
    if sum(_embed_text_length(e) for e in embeds) > 6000:
        errors.add(
            ("embeds",), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )


def _validate_component(component: Json, path: tuple[str | int, ...], errors: _FormErrors) -> None:
    """Apply the limits of one interactive component (button, select, text input)."""
    kind = component.get("type")
    if "custom_id" in component:
        errors.length_between((*path, "custom_id"), component.get("custom_id"), 1, 100)
    if kind == 2:  # button
        errors.max_length((*path, "label"), component.get("label"), 80)
        if component.get("style") == 5:
            if not component.get("url"):
                errors.add((*path, "url"), "BASE_TYPE_REQUIRED", "This field is required")
        elif component.get("style") != 6 and "custom_id" not in component:
            errors.add((*path, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
    elif kind in (3, 5, 6, 7, 8):  # select menus
        errors.max_length((*path, "placeholder"), component.get("placeholder"), 150)
        errors.max_length((*path, "options"), component.get("options"), 25)
    elif kind == 4:  # text input (modals)
        errors.length_between((*path, "label"), component.get("label"), 1, 45)


def _validate_components(components: Any, flags: int, errors: _FormErrors) -> None:
    """Apply Discord's component limits (action rows for classic messages)."""
    if isinstance(components, list):
        _check_unique_custom_ids(components, errors)
    if not isinstance(components, list):
        errors.add(
            ("components",), "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType."
        )
        return
    if flags & MessageFlag.IS_COMPONENTS_V2:
        # Components V2: up to 40 components in total; only identifier limits are checked.
        def walk(
            items: list[Json], path: tuple[str | int, ...]
        ) -> Iterator[tuple[Json, tuple[str | int, ...]]]:
            for i, item in enumerate(items):
                yield item, (*path, i)
                yield from walk(item.get("components") or [], (*path, i, "components"))

        found = list(walk(components, ("components",)))
        if len(found) > 40:
            errors.add(("components",), "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.")
        for item, path in found:
            if item.get("type") != 1:
                _validate_component(item, path, errors)
        return
    errors.max_length(("components",), components, 5)
    for i, row in enumerate(components):
        if row.get("type") != 1:
            errors.add(
                ("components", i, "type"),
                "UNION_TYPE_CHOICES",
                'Value of field "type" must be one of (1,).',
            )
            continue
        children = row.get("components") or []
        errors.length_between(("components", i, "components"), children, 1, 5)
        for j, child in enumerate(children):
            _validate_component(child, ("components", i, "components", j), errors)
            if child.get("type") in (3, 5, 6, 7, 8) and len(children) > 1:
                errors.add(
                    ("components", i, "components"),
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "The specified component exceeds the maximum width",
                )


def _check_unique_custom_ids(components: list[Json], errors: _FormErrors) -> None:
    """custom_id must be unique among a message's components."""
    seen: set[str] = set()

    def walk(items: list[Json], path: tuple[str | int, ...]) -> None:
        for i, item in enumerate(items):
            custom_id = item.get("custom_id")
            if custom_id is not None:
                if custom_id in seen:
                    errors.add(
                        (*path, i, "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                seen.add(custom_id)
            walk(item.get("components") or [], (*path, i, "components"))

    walk(components, ("components",))


def _validate_message_body(body: Json, *, n_files: int, require_something: bool) -> None:
    """Validate a message create/edit body like Discord: form errors, then emptiness."""
    errors = _FormErrors()
    content = body.get("content")
    if content is not None:
        errors.max_length(("content",), str(content), 2000)
    if body.get("embeds") is not None:
        _validate_embeds(body["embeds"], errors)
    if body.get("components") is not None:
        _validate_components(body["components"], int(body.get("flags") or 0), errors)
    errors.max_length(("sticker_ids",), body.get("sticker_ids"), 3)
    errors.raise_if_any()
    if require_something and not (
        (content is not None and str(content).strip())
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or n_files
    ):
        raise DiscordAPIError(400, 50006, "Cannot send an empty message")


def _validate_command(command: Json, path: tuple[str | int, ...], errors: _FormErrors) -> None:
    """Validate one application command definition (names, descriptions, options)."""
    kind = int(command.get("type") or 1)
    name = command.get("name") or ""
    if kind == 1:
        if not _COMMAND_NAME.match(name) or name != name.lower():
            errors.add(
                (*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
            )
        errors.length_between((*path, "description"), command.get("description") or "", 1, 100)
    else:
        errors.length_between((*path, "name"), name, 1, 32)
    options = command.get("options") or []
    errors.max_length((*path, "options"), options, 25)
    seen_optional = False
    for i, option in enumerate(options):
        option_path = (*path, "options", i)
        option_name = option.get("name") or ""
        if not _COMMAND_NAME.match(option_name) or option_name != option_name.lower():
            errors.add(
                (*option_path, "name"),
                "APPLICATION_COMMAND_INVALID_NAME",
                "Command name is invalid",
            )
        errors.length_between(
            (*option_path, "description"), option.get("description") or "", 1, 100
        )
        errors.max_length((*option_path, "choices"), option.get("choices"), 25)
        if option.get("type") in (_OPT_SUB_COMMAND, _OPT_SUB_COMMAND_GROUP):
            _validate_command({**option, "type": 1}, option_path, errors)
        elif option.get("required"):
            if seen_optional:
                errors.add(
                    (*option_path, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request (``files[n]``)."""

    name: str
    """Form field name, e.g. ``files[0]``."""
    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class RestCall:
    """One REST request as the double received and answered it."""

    at: float
    """``time.monotonic()`` when the request arrived."""
    method: str
    path: str
    """Path below ``/api/v10``, e.g. ``/channels/123/messages``."""
    route: str | None
    """Route template, e.g. ``POST /channels/{channel_id}/messages``; None if unknown."""
    query: Mapping[str, str]
    body: Any
    """Parsed JSON body (``payload_json`` for multipart bodies), None without a body."""
    files: tuple[UploadedFile, ...]
    status: int
    response: Any
    """Parsed JSON response body, None for 204."""

    @property
    def error_code(self) -> int | None:
        """Discord error code of an error response, else None."""
        if self.status >= 400 and isinstance(self.response, dict):
            return self.response.get("code")
        return None

    @property
    def allowed_mentions(self) -> Json | None:
        """The request's ``allowed_mentions`` (interaction callbacks nest it in ``data``)."""
        if not isinstance(self.body, dict):
            return None
        if "allowed_mentions" in self.body:
            return self.body["allowed_mentions"]
        data = self.body.get("data")
        return data.get("allowed_mentions") if isinstance(data, dict) else None


@dataclass
class InteractionRecord:
    """An interaction the double dispatched and what the bot did with it."""

    id: int
    token: str
    type: int
    name: str
    """Command name (application commands, autocomplete) or custom_id (components, modals)."""
    guild_id: int | None
    channel_id: int
    user_id: int
    dispatched_at: float
    """``time.monotonic()`` when INTERACTION_CREATE was queued for the client."""
    deadline: float
    message_id: int | None = None
    """The message carrying the component, for component interactions."""
    callback_type: int | None = None
    acknowledged_at: float | None = None
    original_message_id: int | None = None
    followup_message_ids: list[int] = field(default_factory=list)
    rejected_callbacks: list[tuple[float, int]] = field(default_factory=list)
    """(seconds after dispatch, Discord error code) of callbacks the double refused."""
    callback_data: Json | None = None

    @property
    def ack_delay(self) -> float | None:
        """Seconds between dispatch and the accepted callback, None if not acknowledged."""
        return None if self.acknowledged_at is None else self.acknowledged_at - self.dispatched_at

    @property
    def acknowledged(self) -> bool:
        """Whether a callback was accepted."""
        return self.callback_type is not None

    @property
    def deferred(self) -> bool:
        """Whether the accepted callback was a deferral (type 5 or 6)."""
        return self.callback_type in (
            CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
            CallbackType.DEFERRED_UPDATE_MESSAGE,
        )


@dataclass
class GatewayConnection:
    """One gateway WebSocket connection as the double saw it."""

    id: int
    path: str
    query: Mapping[str, str]
    compress: str | None
    opened_at: float
    closed_at: float | None = None
    close_code: int | None = None
    """Close code of the WebSocket as the server saw it (1006: no close frame)."""
    session_id: str | None = None
    kind: str | None = None
    """'identify' or 'resume' once the client authenticated on this connection."""
    received_ops: list[int] = field(default_factory=list)
    heartbeats: int = 0
    identify: Json | None = None
    """The IDENTIFY payload (without the token)."""
    dropped: bool = False
    """Whether the double ended this connection (drop_connection)."""
    resume_seq: int | None = None
    """The sequence number the client sent in RESUME."""
    replayed: int = 0
    """Dispatches the client had missed and this connection replayed before RESUMED."""


@dataclass
class _Session:
    """A gateway session: its dispatch backlog survives reconnects so RESUME can replay it."""

    session_id: str
    intents: int
    frames: list[Json] = field(default_factory=list)
    """Dispatch frames in sequence order; frame with seq ``n`` is ``frames[n - 1]``."""
    cursor: int = 0
    """Sequence number of the last frame written to the current connection."""
    conn: _Conn | None = None
    ended: bool = False
    resumes: int = 0
    ready: bool = False
    ready_seq: int = 0
    """Sequence of the last initial frame (READY + GUILD_CREATEs)."""
    resumed_seq: int = 0
    """Sequence of the latest RESUMED frame."""


class _Compressor:
    """Transport compression for one connection (a shared stream per connection)."""

    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        self._zlib = zlib.compressobj() if kind == "zlib-stream" else None
        self._zstd: Any = None
        if kind == "zstd-stream":
            self._zstd = _make_zstd_stream()

    def encode(self, text: str) -> str | bytes:
        """Encode one gateway payload as the client expects it."""
        raw = text.encode()
        if self._zlib is not None:
            return self._zlib.compress(raw) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        if self._zstd is not None:
            return bytes(self._zstd(raw))
        return text


def _make_zstd_stream() -> Callable[[bytes], bytes] | None:
    """A zstd stream compressor flushing one block per message, or None if unavailable."""
    try:
        from compression import zstd  # Python >= 3.14

        compressor = zstd.ZstdCompressor()
        return lambda data: compressor.compress(data, mode=zstd.ZstdCompressor.FLUSH_BLOCK)
    except ImportError:
        pass
    try:
        import zstandard  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    stream = zstandard.ZstdCompressor().compressobj()
    return lambda data: stream.compress(data) + stream.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)


class _Conn:
    """Server side of one gateway connection."""

    def __init__(
        self, info: GatewayConnection, ws: web.WebSocketResponse, request: web.Request
    ) -> None:
        self.info = info
        self.ws = ws
        self.request = request
        self.compressor = _Compressor(info.compress)
        self.session: _Session | None = None
        self.wakeup = asyncio.Event()
        self.send_lock = asyncio.Lock()
        self.dropped = False

    async def send(self, frame: Json) -> None:
        """Send one frame, compressing it in stream order."""
        async with self.send_lock:
            if self.ws.closed:
                return
            data = self.compressor.encode(json.dumps(frame, separators=(",", ":")))
            try:
                if isinstance(data, bytes):
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(data)
            except (ConnectionError, RuntimeError):
                pass


@dataclass(frozen=True)
class _Route:
    """One REST route: method, template below /api/v10, handler, whether bot auth is needed."""

    method: str
    template: str
    handler: Callable[[_Request], tuple[int, Any]]
    auth: bool = True

    @property
    def pattern(self) -> re.Pattern[str]:
        """The template as a regex with one named group per ``{parameter}``."""
        parts = re.split(r"(\{\w+\})", self.template)
        regex = "".join(
            f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts
        )
        return re.compile(f"^{regex}$")


@dataclass
class _Request:
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


# --------------------------------------------------------------------------- the double


class DiscordDouble:
    """A loopback Discord (REST + gateway) for one bot application.

    Typical use from a synchronous test::

        with DiscordDouble(heartbeat_interval=0.5) as discord_api:
            ...start the bot with Route.BASE = discord_api.api_base and
               DEFAULT_GATEWAY = discord_api.gateway_url...
            discord_api.wait_until_identified(timeout=10)
            interaction = discord_api.dispatch_command("ask", {"question": "Why?"})
            record = discord_api.wait_for_interaction_response(interaction.id)
            assert record.ack_delay < 3

    Every ``wait_*`` method has an ``*_async`` twin for tests running in an event loop
    (the bot's loop must keep running while the test waits). ``dispatch_*`` methods never
    block and are safe from any thread.
    """

    def __init__(
        self,
        *,
        token: str = "test-token",
        heartbeat_interval: float = 41.25,
        interaction_deadline: float = 3.0,
        interaction_token_ttl: float = 15 * 60.0,
        privileged_intents: int = Intents.PRIVILEGED,
        bot_name: str = "NewsBot",
        default_world: bool = True,
    ) -> None:
        """Configure the double; nothing listens until :meth:`start`.

        Args:
            token: The bot token the client must present (REST ``Bot …`` header, IDENTIFY).
            heartbeat_interval: Seconds announced in HELLO.
            interaction_deadline: Seconds within which an interaction must be acknowledged.
            interaction_token_ttl: Seconds an interaction token stays valid for follow-ups.
            privileged_intents: Privileged intents "enabled in the developer portal";
                IDENTIFY asking for others is closed with 4014, and REST message reads
                blank content without MESSAGE_CONTENT here.
            bot_name: Username of the bot user.
            default_world: Create one guild with a ``#general`` channel and a member
                ``alice`` (see :attr:`guild_id`, :attr:`channel_id`, :attr:`user_id`).
        """
        self.token = token
        self.heartbeat_interval = heartbeat_interval
        self.interaction_deadline = interaction_deadline
        self.interaction_token_ttl = interaction_token_ttl
        self.privileged_intents = privileged_intents

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._ids = _Snowflakes()

        self._users: dict[int, Json] = {}
        self._guilds: dict[int, Json] = {}
        self._members: dict[int, dict[int, Json]] = {}
        self._channels: dict[int, Json] = {}
        self._messages: dict[int, dict[int, Json]] = {}
        self._message_channel: dict[int, int] = {}
        self._reactions: dict[int, dict[str, list[int]]] = {}
        self._attachments: dict[int, bytes] = {}
        self._thread_members: dict[int, dict[int, str]] = {}
        self._dm_channels: dict[int, int] = {}
        self._commands: dict[int | None, list[Json]] = {}
        self._interactions: dict[int, InteractionRecord] = {}
        self._interaction_tokens: dict[str, int] = {}
        self._sessions: dict[str, _Session] = {}
        self._connections: list[_Conn] = []
        self._calls: list[RestCall] = []
        self._presence_updates: list[Json] = []
        self.internal_errors: list[str] = []
        """Requests the double failed to handle (a bug here or a malformed request)."""
        self._in_flight = 0  # REST requests whose response is not yet written

        self._loop: asyncio.AbstractEventLoop | None = None
        self._hello_hold_until = 0.0
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

        self.bot_user_id = self._ids.next()
        self.application_id = self.bot_user_id  # modern applications share the bot user's id
        self._users[self.bot_user_id] = self._user_payload(self.bot_user_id, bot_name, bot=True)
        self.owner_id = self.add_user("owner")
        self.guild_id = 0
        self.channel_id = 0
        self.user_id = 0
        if default_world:
            self.guild_id = self.add_guild("Newsroom", owner_id=self.owner_id)
            self.channel_id = self.add_channel(self.guild_id, "general")
            self.user_id = self.add_user("alice")
            self.add_member(self.guild_id, self.user_id)

        self.routes: list[_Route] = self._route_table()
        self._compiled = [(route, route.pattern) for route in self.routes]

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> DiscordDouble:
        """Bind 127.0.0.1 on a free port and serve from a background thread."""
        if self._thread is not None:
            raise RuntimeError("the double is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        self.port = sock.getsockname()[1]
        started = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._serve, args=(sock, started, failure), name="discord-double", daemon=True
        )
        self._thread.start()
        started.wait(10)
        if failure:
            raise RuntimeError("the Discord double failed to start") from failure[0]
        return self

    def stop(self) -> None:
        """Close every gateway connection and stop the server thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            self._thread = None
            self._loop = None

    def __enter__(self) -> DiscordDouble:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(
        self, sock: socket.socket, started: threading.Event, failure: list[BaseException]
    ) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            app = web.Application(client_max_size=64 * 1024 * 1024)
            app.router.add_get("/gateway", self._gateway)
            app.router.add_get("/resume-gateway", self._gateway)
            app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._cdn)
            app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._api)
            self._runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(self._runner.setup())
            loop.run_until_complete(web.SockSite(self._runner, sock).start())
        except BaseException as exc:
            failure.append(exc)
            started.set()
            loop.close()
            return
        started.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _shutdown(self) -> None:
        for conn in list(self._connections):
            if not conn.ws.closed:
                await conn.ws.close(code=1001, message=b"double stopping")
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ addresses

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """Value (as ``yarl.URL``) for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """The ``resume_gateway_url`` sent in READY."""
        return f"ws://127.0.0.1:{self.port}/resume-gateway"

    def point_discord_py(self) -> Callable[[], None]:
        """Point discord.py in *this* process at the double; returns a function undoing it."""
        import discord.gateway
        import discord.http
        import yarl

        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)

        def restore() -> None:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

        return restore

    # ------------------------------------------------------------------ world building

    def add_user(self, username: str, *, bot: bool = False, global_name: str | None = None) -> int:
        """Create a user and return its id."""
        with self._lock:
            user_id = self._ids.next()
            self._users[user_id] = self._user_payload(
                user_id, username, bot=bot, global_name=global_name
            )
            return user_id

    def add_guild(self, name: str, *, owner_id: int | None = None) -> int:
        """Create a guild (with @everyone and the bot's managed role, the bot as member)."""
        with self._lock:
            guild_id = self._ids.next()
            bot_role_id = self._ids.next()
            self._guilds[guild_id] = {
                "id": str(guild_id),
                "name": name,
                "icon": None,
                "splash": None,
                "discovery_splash": None,
                "owner_id": str(owner_id or self.owner_id),
                "afk_channel_id": None,
                "afk_timeout": 300,
                "verification_level": 0,
                "default_message_notifications": 1,
                "explicit_content_filter": 0,
                "roles": [
                    self._role_payload(guild_id, "@everyone", Permission.EVERYONE, position=0),
                    {
                        **self._role_payload(
                            bot_role_id,
                            self._users[self.bot_user_id]["username"],
                            Permission.EVERYONE,
                            position=1,
                        ),
                        "managed": True,
                        "tags": {"bot_id": str(self.bot_user_id)},
                    },
                ],
                "emojis": [],
                "stickers": [],
                "features": [],
                "mfa_level": 0,
                "application_id": None,
                "system_channel_id": None,
                "system_channel_flags": 0,
                "rules_channel_id": None,
                "max_members": 500000,
                "vanity_url_code": None,
                "description": None,
                "banner": None,
                "premium_tier": 0,
                "premium_subscription_count": 0,
                "preferred_locale": "en-US",
                "public_updates_channel_id": None,
                "nsfw_level": 0,
                "premium_progress_bar_enabled": False,
                "safety_alerts_channel_id": None,
            }
            self._members[guild_id] = {}
            self._add_member_locked(guild_id, self.bot_user_id, [bot_role_id], None)
            for session in self._live_sessions():
                if session.ready:
                    self._emit(
                        "GUILD_CREATE", self._guild_create_payload(guild_id, session), only=session
                    )
            return guild_id

    def add_role(self, guild_id: int, name: str, permissions: int = 0) -> int:
        """Create a role in a guild and return its id."""
        with self._lock:
            role_id = self._ids.next()
            roles = self._guilds[guild_id]["roles"]
            roles.append(self._role_payload(role_id, name, permissions, position=len(roles)))
            self._emit(
                "GUILD_ROLE_CREATE",
                {"guild_id": str(guild_id), "role": roles[-1]},
                intent=Intents.GUILDS,
            )
            return role_id

    def add_member(
        self, guild_id: int, user_id: int, *, roles: Iterable[int] = (), nick: str | None = None
    ) -> None:
        """Make a user a member of a guild (GUILD_MEMBER_ADD if the client asked for members)."""
        with self._lock:
            self._add_member_locked(guild_id, user_id, list(roles), nick)
            self._emit(
                "GUILD_MEMBER_ADD",
                {**self._member_payload(guild_id, user_id), "guild_id": str(guild_id)},
                intent=Intents.GUILD_MEMBERS,
            )

    def add_channel(
        self,
        guild_id: int,
        name: str,
        *,
        type: int = ChannelType.GUILD_TEXT,
        parent_id: int | None = None,
        topic: str | None = None,
    ) -> int:
        """Create a guild channel (CHANNEL_CREATE to connected clients) and return its id."""
        with self._lock:
            channel_id = self._ids.next()
            position = sum(1 for c in self._channels.values() if c.get("guild_id") == str(guild_id))
            channel: Json = {
                "id": str(channel_id),
                "type": type,
                "guild_id": str(guild_id),
                "name": name,
                "position": position,
                "permission_overwrites": [],
                "parent_id": None if parent_id is None else str(parent_id),
                "nsfw": False,
                "flags": 0,
            }
            if type in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT):
                channel.update(
                    topic=topic,
                    last_message_id=None,
                    rate_limit_per_user=0,
                    default_auto_archive_duration=1440,
                    last_pin_timestamp=None,
                )
            elif type == ChannelType.GUILD_VOICE:
                channel.update(
                    bitrate=64000,
                    user_limit=0,
                    rtc_region=None,
                    last_message_id=None,
                    rate_limit_per_user=0,
                )
            self._channels[channel_id] = channel
            self._messages[channel_id] = {}
            self._emit("CHANNEL_CREATE", channel, intent=Intents.GUILDS)
            return channel_id

    def _add_member_locked(
        self, guild_id: int, user_id: int, roles: list[int], nick: str | None
    ) -> None:
        self._members[guild_id][user_id] = {
            "roles": [str(r) for r in roles],
            "nick": nick,
            "avatar": None,
            "banner": None,
            "joined_at": _now_iso(),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
            "unusual_dm_activity_until": None,
        }

    # ------------------------------------------------------------------ payload builders

    @staticmethod
    def _user_payload(
        user_id: int, username: str, *, bot: bool = False, global_name: str | None = None
    ) -> Json:
        user: Json = {
            "id": str(user_id),
            "username": username,
            "global_name": global_name
            if global_name is not None
            else (None if bot else username.title()),
            "discriminator": "0",
            "avatar": None,
            "avatar_decoration_data": None,
            "banner": None,
            "accent_color": None,
            "public_flags": 0,
            "flags": 0,
            "collectibles": None,
            "primary_guild": None,
        }
        if bot:
            user["bot"] = True
        return user

    @staticmethod
    def _role_payload(role_id: int, name: str, permissions: int, *, position: int) -> Json:
        return {
            "id": str(role_id),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    def _user(self, user_id: int) -> Json:
        try:
            return copy.deepcopy(self._users[user_id])
        except KeyError:
            raise DiscordAPIError.unknown("User") from None

    def _member_payload(self, guild_id: int, user_id: int, *, with_user: bool = True) -> Json:
        try:
            member = copy.deepcopy(self._members[guild_id][user_id])
        except KeyError:
            raise DiscordAPIError.unknown("Member") from None
        if with_user:
            member["user"] = self._user(user_id)
        return member

    def _permissions(self, guild_id: int, user_id: int) -> int:
        guild = self._guilds[guild_id]
        if guild["owner_id"] == str(user_id):
            return (1 << 51) - 1
        role_ids = {str(guild_id), *self._members[guild_id].get(user_id, {}).get("roles", [])}
        value = 0
        for role in guild["roles"]:
            if role["id"] in role_ids:
                value |= int(role["permissions"])
        return (1 << 51) - 1 if value & Permission.ADMINISTRATOR else value

    def _channel(self, channel_id: int) -> Json:
        try:
            return self._channels[channel_id]
        except KeyError:
            raise DiscordAPIError.unknown("Channel") from None

    def _guild_of(self, channel_id: int) -> int | None:
        return _sf(self._channels.get(channel_id, {}).get("guild_id"))

    def _channel_payload(self, channel_id: int) -> Json:
        channel = copy.deepcopy(self._channel(channel_id))
        if channel["type"] in ChannelType.THREADS:
            joined = self._thread_members.get(channel_id, {})
            channel["member_count"] = len(joined)
            if self.bot_user_id in joined:
                channel["member"] = {
                    "id": str(channel_id),
                    "user_id": str(self.bot_user_id),
                    "join_timestamp": joined[self.bot_user_id],
                    "flags": 0,
                }
        return channel

    def _guild_create_payload(self, guild_id: int, session: _Session) -> Json:
        guild = copy.deepcopy(self._guilds[guild_id])
        channels: list[Json] = []
        threads: list[Json] = []
        for channel_id, channel in self._channels.items():
            if channel.get("guild_id") != str(guild_id):
                continue
            payload = self._channel_payload(channel_id)
            (threads if channel["type"] in ChannelType.THREADS else channels).append(payload)
        for channel in channels:
            channel.pop("guild_id", None)  # Discord omits it inside GUILD_CREATE
        members = self._members[guild_id]
        # Without GUILD_PRESENCES Discord only sends the bot itself (plus voice members).
        shown = members if session.intents & Intents.GUILD_PRESENCES else [self.bot_user_id]
        bot_member = members[self.bot_user_id]
        guild.update(
            joined_at=bot_member["joined_at"],
            large=False,
            unavailable=False,
            member_count=len(members),
            voice_states=[],
            members=[self._member_payload(guild_id, uid) for uid in shown],
            channels=channels,
            threads=threads,
            presences=[],
            stage_instances=[],
            guild_scheduled_events=[],
            soundboard_sounds=[],
        )
        return guild

    def _application_payload(self) -> Json:
        bot = self._user(self.bot_user_id)
        return {
            "id": str(self.application_id),
            "name": bot["username"],
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": self._user(self.owner_id),
            "team": None,
            "flags": (1 << 15) | (1 << 19) | (1 << 23),  # members/message content limited, etc.
            "bot": bot,
            "guild_id": None,
            "approximate_guild_count": len(self._guilds),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "tags": [],
            "integration_types_config": {"0": {}},
        }

    # ------------------------------------------------------------------ gateway emission

    def _live_sessions(self) -> list[_Session]:
        return [s for s in self._sessions.values() if not s.ended]

    def _emit(
        self,
        event: str,
        data: Json,
        *,
        intent: int | None = None,
        only: _Session | None = None,
        message: Json | None = None,
    ) -> None:
        """Queue a dispatch for every live session that asked for ``intent``.

        ``message`` marks a message event whose content Discord hides from sessions
        without MESSAGE_CONTENT (unless the bot wrote it, is mentioned, or it is a DM).
        """
        with self._lock:
            sessions = [only] if only is not None else self._live_sessions()
            for session in sessions:
                if intent is not None and not session.intents & intent:
                    continue
                payload = copy.deepcopy(data)
                hidden = message is not None and not self._content_visible(message)
                if hidden and not session.intents & Intents.MESSAGE_CONTENT:
                    self._strip_content(payload)
                frame = {"op": Op.DISPATCH, "t": event, "s": len(session.frames) + 1, "d": payload}
                session.frames.append(frame)
                if session.conn is not None:
                    self._wake(session.conn)
            self._changed.notify_all()

    def _content_visible(self, message: Json) -> bool:
        author_id = int(message["author"]["id"])
        mentioned = any(int(u["id"]) == self.bot_user_id for u in message.get("mentions", []))
        is_dm = self._guild_of(int(message["channel_id"])) is None
        return author_id == self.bot_user_id or mentioned or is_dm

    @staticmethod
    def _strip_content(payload: Json) -> None:
        payload.update(content="", embeds=[], attachments=[], components=[])
        payload.pop("poll", None)

    def _wake(self, conn: _Conn) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(conn.wakeup.set)

    async def _pump(self, conn: _Conn) -> None:
        """Write the session backlog past the cursor to the connection, in order."""
        while not conn.ws.closed:
            await conn.wakeup.wait()
            conn.wakeup.clear()
            while True:
                with self._lock:
                    session = conn.session
                    if (
                        session is None
                        or session.conn is not conn
                        or session.cursor >= len(session.frames)
                    ):
                        break
                    frame = session.frames[session.cursor]
                await conn.send(frame)
                with self._lock:
                    if session.conn is conn:
                        session.cursor = max(session.cursor, frame["s"])
                    self._changed.notify_all()

    # ------------------------------------------------------------------ gateway socket

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        query = dict(request.query)
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        compress = query.get("compress")
        with self._lock:
            info = GatewayConnection(
                id=len(self._connections) + 1,
                path=request.path,
                query=query,
                compress=compress,
                opened_at=time.monotonic(),
            )
            conn = _Conn(info, ws, request)
            self._connections.append(conn)
            self._changed.notify_all()
        if query.get("v") != str(API_VERSION):
            await ws.close(code=4012, message=b"Invalid API version")
            return self._closed(conn, ws)
        if query.get("encoding", "json") != "json":
            await ws.close(code=4002, message=b"Only JSON encoding is supported by the double")
            return self._closed(conn, ws)
        if compress not in (None, "zlib-stream", "zstd-stream") or (
            compress == "zstd-stream" and conn.compressor._zstd is None
        ):
            await ws.close(code=4000, message=b"Unsupported compression")
            return self._closed(conn, ws)
        pump = asyncio.get_running_loop().create_task(self._pump(conn))
        hold = self._hello_hold_until - time.monotonic()
        if hold > 0:
            await asyncio.sleep(hold)  # see drop_connection(hold=...)
        await conn.send(
            {
                "op": Op.HELLO,
                "d": {
                    "heartbeat_interval": int(self.heartbeat_interval * 1000),
                    "_trace": ["discord-double"],
                },
                "s": None,
                "t": None,
            }
        )
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_frame(conn, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    await ws.close(code=4002, message=b"Error while decoding payload")
                else:
                    break
        finally:
            # Also runs when aiohttp cancels the handler because the peer vanished.
            pump.cancel()
            self._closed(conn, ws)
        return ws

    def _closed(self, conn: _Conn, ws: web.WebSocketResponse) -> web.WebSocketResponse:
        with self._lock:
            conn.info.closed_at = time.monotonic()
            conn.info.dropped = conn.dropped
            conn.info.close_code = ws.close_code
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                # A client closing with 1000/1001 ends its session; anything else may resume.
                if (
                    not conn.dropped
                    and ws.close_code in (1000, 1001)
                    and conn.info.kind is not None
                ):
                    session.ended = True
            self._changed.notify_all()
        return ws

    async def _on_frame(self, conn: _Conn, text: str) -> None:
        try:
            frame = json.loads(text)
            op, data = frame["op"], frame.get("d")
        except (ValueError, KeyError, TypeError):
            await conn.ws.close(code=4002, message=b"Error while decoding payload")
            return
        with self._lock:
            conn.info.received_ops.append(op)
        if op == Op.HEARTBEAT:
            with self._lock:
                conn.info.heartbeats += 1
            await conn.send({"op": Op.HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == Op.IDENTIFY:
            await self._identify(conn, data or {})
        elif op == Op.RESUME:
            await self._resume(conn, data or {})
        elif conn.session is None:
            await conn.ws.close(code=4003, message=b"Not authenticated")
        elif op == Op.REQUEST_GUILD_MEMBERS:
            self._request_members(conn.session, data or {})
        elif op == Op.PRESENCE_UPDATE:
            with self._lock:
                self._presence_updates.append(data)
        elif op == Op.VOICE_STATE_UPDATE:
            pass
        else:
            await conn.ws.close(code=4001, message=b"Unknown opcode")

    async def _identify(self, conn: _Conn, data: Json) -> None:
        if conn.session is not None:
            await conn.ws.close(code=4005, message=b"Already authenticated")
            return
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed")
            return
        intents = int(data.get("intents", 0))
        if intents & ~Intents.ALL:
            await conn.ws.close(code=4013, message=b"Invalid intent(s)")
            return
        if intents & Intents.PRIVILEGED & ~self.privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s)")
            return
        shard = data.get("shard")
        if shard is not None and list(shard) != [0, 1]:
            await conn.ws.close(code=4010, message=b"Invalid shard")
            return
        with self._lock:
            session = _Session(session_id=secrets.token_hex(16), intents=intents)
            self._sessions[session.session_id] = session
            conn.session = session
            conn.info.kind = "identify"
            conn.info.session_id = session.session_id
            conn.info.identify = {k: v for k, v in data.items() if k != "token"}
            ready: Json = {
                "v": API_VERSION,
                "user": {
                    **self._user(self.bot_user_id),
                    "verified": True,
                    "mfa_enabled": False,
                    "email": None,
                    "bot": True,
                },
                "guilds": [
                    {"id": str(g), "unavailable": True}
                    for g in self._guilds
                    if self.bot_user_id in self._members[g]
                ],
                "session_id": session.session_id,
                "session_type": "normal",
                "resume_gateway_url": self.resume_gateway_url,
                "application": {
                    "id": str(self.application_id),
                    "flags": self._application_payload()["flags"],
                },
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "user_settings": {},
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": ["us-east"],
                "auth": {},
                "_trace": ["discord-double"],
            }
            if shard is not None:
                ready["shard"] = shard
            self._emit("READY", ready, only=session)
            for guild in ready["guilds"]:
                self._emit(
                    "GUILD_CREATE",
                    self._guild_create_payload(int(guild["id"]), session),
                    intent=Intents.GUILDS,
                    only=session,
                )
            session.ready = True
            session.ready_seq = len(session.frames)
            session.conn = conn
            self._wake(conn)
            self._changed.notify_all()

    async def _resume(self, conn: _Conn, data: Json) -> None:
        with self._lock:
            session = self._sessions.get(str(data.get("session_id")))
            seq = data.get("seq") or 0
            valid = (
                session is not None
                and not session.ended
                and data.get("token") == self.token
                and 0 <= seq <= len(session.frames)
            )
            if not valid or session is None:
                conn.info.kind = "resume-rejected"
            else:
                if session.conn is not None and session.conn is not conn:
                    self._close_soon(session.conn, 4000)
                conn.session = session
                conn.info.kind = "resume"
                conn.info.session_id = session.session_id
                conn.info.resume_seq = seq
                conn.info.replayed = len(session.frames) - seq
                session.cursor = seq
                session.conn = conn
                session.resumes += 1
                self._emit("RESUMED", {"_trace": ["discord-double"]}, only=session)
                session.resumed_seq = len(session.frames)
            self._changed.notify_all()
        if not valid:
            await conn.send({"op": Op.INVALID_SESSION, "d": False, "s": None, "t": None})

    def _close_soon(self, conn: _Conn, code: int) -> None:
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(lambda: loop.create_task(conn.ws.close(code=code)))

    def _request_members(self, session: _Session, data: Json) -> None:
        with self._lock:
            guild_id = int(data["guild_id"])
            members = self._members.get(guild_id, {})
            user_ids = data.get("user_ids")
            query = (data.get("query") or "").lower()
            if user_ids is not None:
                wanted = [int(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])]
                found = [u for u in wanted if u in members]
                not_found = [str(u) for u in wanted if u not in members]
            else:
                found = [u for u in members if self._users[u]["username"].lower().startswith(query)]
                not_found = []
            limit = int(data.get("limit") or 0)
            if limit:
                found = found[:limit]
            chunk: Json = {
                "guild_id": str(guild_id),
                "members": [self._member_payload(guild_id, u) for u in found],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": not_found,
            }
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            if data.get("presences"):
                chunk["presences"] = []
            self._emit("GUILD_MEMBERS_CHUNK", chunk, only=session)

    # ------------------------------------------------------------------ gateway controls

    def drop_connection(
        self, code: int | None = None, *, hold: float = 0.0, timeout: float = 5.0
    ) -> None:
        """Drop the live gateway connection(s) so the client reconnects and RESUMEs.

        With ``code=None`` the TCP connection is aborted without a close frame (the client
        sees 1006); otherwise the double sends a close frame with ``code`` (4000 invites a
        resume; 4004 and friends make discord.py give up). Connections opened during the
        next ``hold`` seconds get their HELLO only then, so events dispatched meanwhile are
        certainly missed by the client and must be replayed on RESUME. Returns once the
        double has seen the connection(s) close. From a test running in the client's event
        loop, use :meth:`drop_connection_async` (a close handshake needs the client).
        """
        self._hello_hold_until = time.monotonic() + hold
        with self._lock:
            victims = [c for c in self._connections if c.info.closed_at is None]

        async def drop() -> None:
            for conn in victims:
                conn.dropped = True
                if code is None:
                    transport = conn.request.transport
                    if transport is not None:
                        transport.abort()
                else:
                    await conn.ws.close(code=code, message=b"dropped by the double")

        self._run_on_loop(drop(), timeout)
        self.wait_until(lambda: all(c.info.closed_at is not None for c in victims), timeout=timeout)

    def request_reconnect(self, *, timeout: float = 5.0) -> None:
        """Send op 7 RECONNECT on every live connection (the client resumes elsewhere)."""
        self._send_to_live({"op": Op.RECONNECT, "d": None, "s": None, "t": None}, timeout)

    def invalidate_session(self, *, resumable: bool = False, timeout: float = 5.0) -> None:
        """Send op 9 INVALID_SESSION; unless ``resumable``, the client must IDENTIFY again."""
        with self._lock:
            if not resumable:
                for session in self._live_sessions():
                    session.ended = True
        self._send_to_live(
            {"op": Op.INVALID_SESSION, "d": resumable, "s": None, "t": None}, timeout
        )

    def _send_to_live(self, frame: Json, timeout: float) -> None:
        async def send() -> None:
            for conn in [c for c in self._connections if not c.ws.closed]:
                await conn.send(frame)

        self._run_on_loop(send(), timeout)

    def _run_on_loop(self, coro: Any, timeout: float) -> Any:
        loop = self._loop
        if loop is None:
            coro.close()
            raise RuntimeError("the double is not running")
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("blocking double control called from the double's own thread")
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    # ------------------------------------------------------------------ driving the bot

    def dispatch_message(
        self,
        content: str,
        *,
        channel_id: int | None = None,
        author_id: int | None = None,
        dm: bool = False,
        embeds: Sequence[Json] = (),
        reply_to: int | None = None,
    ) -> Json:
        """A user posts a message; returns it as stored (REST shape).

        ``channel_id`` may be a text channel or a thread (default: :attr:`channel_id`);
        ``dm=True`` posts in the DM channel between the author and the bot. Mentions
        (``<@id>``, ``<@&id>``, ``@everyone``) are parsed from the content, as Discord does.
        """
        with self._lock:
            author_id = author_id or self.user_id
            if dm:
                channel_id = self._dm_channel_locked(author_id)
            channel_id = channel_id or self.channel_id
            guild_id = self._guild_of(channel_id)
            if guild_id is not None and author_id not in self._members[guild_id]:
                raise LookupError(f"user {author_id} is not a member of guild {guild_id}")
            body: Json = {"content": content, "embeds": list(embeds)}
            if reply_to is not None:
                body["message_reference"] = {"message_id": str(reply_to)}
            return self._create_message(channel_id, body, author_id=author_id)

    def dispatch_command(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel_id: int | None = None,
        user_id: int | None = None,
        locale: str = "en-US",
    ) -> InteractionRecord:
        """A user runs a registered slash command; returns the interaction record.

        ``name`` may include subcommands (``"news latest"``). ``options`` maps option names
        to Python values, converted using the registered option types (user, channel and
        role options take ids and are added to ``resolved``). Raises ``LookupError`` if the
        bot has not registered the command for the channel's guild or globally.
        """
        with self._lock:
            channel_id = channel_id or self.channel_id
            guild_id = self._guild_of(channel_id)
            parts = name.split()
            command = self._find_command(parts[0], guild_id)
            data: Json = {
                "id": command["id"],
                "name": command["name"],
                "type": command.get("type", 1),
            }
            if command.get("guild_id"):
                data["guild_id"] = command["guild_id"]
            resolved: Json = {}
            schema: list[Json] = command.get("options") or []
            target = data
            for sub in parts[1:]:
                option = next((o for o in schema if o["name"] == sub and o["type"] in (1, 2)), None)
                if option is None:
                    raise LookupError(f"/{parts[0]} has no subcommand {sub!r}")
                nested: Json = {"name": sub, "type": option["type"]}
                target.setdefault("options", []).append(nested)
                target, schema = nested, option.get("options") or []
            converted = self._convert_options(schema, dict(options or {}), guild_id, resolved)
            if converted:
                target.setdefault("options", []).extend(converted)
            if resolved:
                data["resolved"] = resolved
            return self._dispatch_interaction_locked(
                InteractionType.APPLICATION_COMMAND,
                data,
                name=name,
                channel_id=channel_id,
                user_id=user_id or self.user_id,
                locale=locale,
            )

    def dispatch_component(
        self,
        message_id: int,
        custom_id: str,
        *,
        user_id: int | None = None,
        values: Sequence[str] | None = None,
    ) -> InteractionRecord:
        """A user clicks a button (or picks select-menu ``values``) on a stored message."""
        with self._lock:
            message = self._message(message_id)
            component = self._find_component(message.get("components") or [], custom_id)
            if component is None:
                raise LookupError(
                    f"message {message_id} has no component with custom_id {custom_id!r}"
                )
            data: Json = {"custom_id": custom_id, "component_type": component["type"]}
            if values is not None:
                data["values"] = list(values)
            return self._dispatch_interaction_locked(
                InteractionType.MESSAGE_COMPONENT,
                data,
                name=custom_id,
                channel_id=int(message["channel_id"]),
                user_id=user_id or self.user_id,
                message=message,
            )

    def dispatch_modal_submit(
        self,
        custom_id: str,
        fields: Mapping[str, str],
        *,
        channel_id: int | None = None,
        user_id: int | None = None,
    ) -> InteractionRecord:
        """A user submits a modal; ``fields`` maps text-input custom_ids to values."""
        with self._lock:
            data = {
                "custom_id": custom_id,
                "components": [
                    {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
                    for key, value in fields.items()
                ],
            }
            return self._dispatch_interaction_locked(
                InteractionType.MODAL_SUBMIT,
                data,
                name=custom_id,
                channel_id=channel_id or self.channel_id,
                user_id=user_id or self.user_id,
            )

    def dispatch_interaction(
        self,
        type: int,
        data: Json,
        *,
        name: str = "",
        channel_id: int | None = None,
        user_id: int | None = None,
        message_id: int | None = None,
    ) -> InteractionRecord:
        """Dispatch a raw INTERACTION_CREATE with the given ``type`` and ``data``."""
        with self._lock:
            message = self._message(message_id) if message_id is not None else None
            return self._dispatch_interaction_locked(
                type,
                data,
                name=name,
                channel_id=channel_id or self.channel_id,
                user_id=user_id or self.user_id,
                message=message,
            )

    def _dispatch_interaction_locked(
        self,
        type: int,
        data: Json,
        *,
        name: str,
        channel_id: int,
        user_id: int,
        message: Json | None = None,
        locale: str = "en-US",
    ) -> InteractionRecord:
        interaction_id = self._ids.next()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(96)
        guild_id = self._guild_of(channel_id)
        channel = self._channel_payload(channel_id)
        payload: Json = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": type,
            "data": copy.deepcopy(data),
            "channel_id": str(channel_id),
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if guild_id is not None:
            if user_id not in self._members[guild_id]:
                raise LookupError(f"user {user_id} is not a member of guild {guild_id}")
            permissions = self._permissions(guild_id, user_id)
            channel["permissions"] = str(permissions)
            payload.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member={**self._member_payload(guild_id, user_id), "permissions": str(permissions)},
                app_permissions=str(self._permissions(guild_id, self.bot_user_id)),
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            payload.update(
                user=self._user(user_id),
                app_permissions=str(Permission.EVERYONE),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        payload["channel"] = channel
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        record = InteractionRecord(
            id=interaction_id,
            token=token,
            type=type,
            name=name,
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            dispatched_at=time.monotonic(),
            deadline=self.interaction_deadline,
            message_id=None if message is None else int(message["id"]),
        )
        self._interactions[interaction_id] = record
        self._interaction_tokens[token] = interaction_id
        self._emit("INTERACTION_CREATE", payload)
        return dataclasses.replace(record, followup_message_ids=[], rejected_callbacks=[])

    def _find_command(self, name: str, guild_id: int | None) -> Json:
        for scope in ([guild_id] if guild_id is not None else []) + [None]:
            for command in self._commands.get(scope, []):
                if command["name"] == name and command.get("type", 1) == 1:
                    return command
        raise LookupError(
            f"no slash command /{name} is registered for guild {guild_id} or globally"
        )

    def _convert_options(
        self, schema: list[Json], given: dict[str, Any], guild_id: int | None, resolved: Json
    ) -> list[Json]:
        by_name = {option["name"]: option for option in schema}
        unknown = set(given) - set(by_name)
        if unknown:
            raise LookupError(
                f"unknown option(s) {sorted(unknown)}; the command has {sorted(by_name)}"
            )
        missing = [o["name"] for o in schema if o.get("required") and o["name"] not in given]
        if missing:
            raise LookupError(f"required option(s) missing: {missing}")
        result = []
        for key, value in given.items():
            option = by_name[key]
            kind = option["type"]
            if kind == _OPT_STRING:
                value = str(value)
            elif kind == _OPT_INTEGER:
                value = int(value)
            elif kind == _OPT_NUMBER:
                value = float(value)
            elif kind == _OPT_BOOLEAN:
                value = bool(value)
            elif kind in (_OPT_USER, _OPT_CHANNEL, _OPT_ROLE, _OPT_MENTIONABLE):
                value = str(int(value))
                self._resolve_option(kind, int(value), guild_id, resolved)
            elif kind == _OPT_ATTACHMENT:
                filename, data = value  # what the person uploads: (file name, bytes)
                attachment = self._upload_for_command(str(filename), bytes(data))
                resolved.setdefault("attachments", {})[attachment["id"]] = attachment
                value = attachment["id"]
            else:
                raise NotImplementedError(f"option type {kind} is not supported by the double")
            choices = option.get("choices")
            if choices and value not in [c["value"] for c in choices]:
                raise LookupError(f"{value!r} is not one of the choices of option {key!r}")
            result.append({"name": key, "type": kind, "value": value})
        return result

    def _upload_for_command(self, filename: str, data: bytes) -> Json:
        """A file a person attached to a slash command: stored, served from the CDN route."""
        if len(data) > ATTACHMENT_SIZE_LIMIT:
            raise ValueError(f"{filename} is over Discord's upload limit")
        attachment_id = self._ids.next()
        self._attachments[attachment_id] = data
        url = f"{self.base_url}/attachments/0/{attachment_id}/{filename}"
        return {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": "application/octet-stream",
        }

    def _resolve_option(self, kind: int, target: int, guild_id: int | None, resolved: Json) -> None:
        if target in self._users and kind in (_OPT_USER, _OPT_MENTIONABLE):
            resolved.setdefault("users", {})[str(target)] = self._user(target)
            if guild_id is not None and target in self._members[guild_id]:
                member = self._member_payload(guild_id, target, with_user=False)
                member["permissions"] = str(self._permissions(guild_id, target))
                resolved.setdefault("members", {})[str(target)] = member
        elif target in self._channels and kind == _OPT_CHANNEL:
            channel = self._channel_payload(target)
            channel["permissions"] = str(Permission.EVERYONE)
            resolved.setdefault("channels", {})[str(target)] = channel
        elif guild_id is not None and kind in (_OPT_ROLE, _OPT_MENTIONABLE):
            role = next(
                (r for r in self._guilds[guild_id]["roles"] if r["id"] == str(target)), None
            )
            if role is None:
                raise LookupError(f"unknown role {target}")
            resolved.setdefault("roles", {})[str(target)] = copy.deepcopy(role)
        else:
            raise LookupError(f"option value {target} does not resolve to a known object")

    @staticmethod
    def _find_component(components: list[Json], custom_id: str) -> Json | None:
        for component in components:
            if component.get("custom_id") == custom_id:
                return component
            found = DiscordDouble._find_component(component.get("components") or [], custom_id)
            if found is not None:
                return found
        return None

    # ------------------------------------------------------------------ messages

    def _message(self, message_id: int, channel_id: int | None = None) -> Json:
        owner = self._message_channel.get(message_id)
        if owner is None or (channel_id is not None and owner != channel_id):
            raise DiscordAPIError.unknown("Message")
        return self._messages[owner][message_id]

    def _mentions(
        self, content: str, guild_id: int | None, allowed: Json | None, referenced: Json | None
    ) -> tuple[list[Json], list[str], bool]:
        """Users, roles and @everyone a message mentions, filtered by ``allowed_mentions``."""
        parse = (
            {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
        )
        allowed_users = set() if allowed is None else {str(u) for u in allowed.get("users") or []}
        allowed_roles = set() if allowed is None else {str(r) for r in allowed.get("roles") or []}
        user_ids: list[int] = []
        for match in _USER_MENTION.finditer(content):
            uid = int(match.group(1))
            if (
                uid in self._users
                and uid not in user_ids
                and ("users" in parse or str(uid) in allowed_users)
            ):
                user_ids.append(uid)
        replied_user = True if allowed is None else bool(allowed.get("replied_user", False))
        if referenced is not None and replied_user:
            uid = int(referenced["author"]["id"])
            if uid not in user_ids:
                user_ids.append(uid)
        role_ids = [] if guild_id is None else [r["id"] for r in self._guilds[guild_id]["roles"]]
        roles = []
        for match in _ROLE_MENTION.finditer(content):
            rid = match.group(1)
            if rid in role_ids and rid not in roles and ("roles" in parse or rid in allowed_roles):
                roles.append(rid)
        everyone = "everyone" in parse and ("@everyone" in content or "@here" in content)
        return [self._user(u) for u in user_ids], roles, everyone

    def _create_message(
        self,
        channel_id: int,
        body: Json,
        *,
        author_id: int,
        files: Sequence[UploadedFile] = (),
        interaction: InteractionRecord | None = None,
        message_type: int | None = None,
        extra_flags: int = 0,
    ) -> Json:
        """Create, store and dispatch a message; returns it in REST shape."""
        channel = self._channel(channel_id)
        if channel["type"] not in ChannelType.TEXT_CAPABLE:
            raise DiscordAPIError(400, 50008, "Cannot send messages in a non-text channel")
        # A deferred ("thinking…") response is the one message allowed to start empty.
        _validate_message_body(
            body, n_files=len(files), require_something=not extra_flags & MessageFlag.LOADING
        )
        guild_id = self._guild_of(channel_id)
        referenced = None
        reference = body.get("message_reference")
        if reference and reference.get("type", 0) == 0:
            ref_id = int(reference["message_id"])
            try:
                referenced = copy.deepcopy(
                    self._message(ref_id, int(reference.get("channel_id") or channel_id))
                )
            except DiscordAPIError:
                if reference.get("fail_if_not_exists", True):
                    raise DiscordAPIError.invalid_form(
                        "message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                    ) from None
        content = "" if body.get("content") is None else str(body["content"])
        mentions, mention_roles, mention_everyone = self._mentions(
            content, guild_id, body.get("allowed_mentions"), referenced
        )
        message_id = self._ids.next()
        flags = int(body.get("flags") or 0) & (
            MessageFlag.SUPPRESS_EMBEDS
            | MessageFlag.EPHEMERAL
            | MessageFlag.SUPPRESS_NOTIFICATIONS
            | MessageFlag.IS_COMPONENTS_V2
        )
        if interaction is None:
            flags &= ~MessageFlag.EPHEMERAL
        message: Json = {
            "type": message_type if message_type is not None else (19 if referenced else 0),
            "channel_id": str(channel_id),
            "content": content,
            "attachments": self._store_attachments(channel_id, body.get("attachments"), files),
            "embeds": [self._normalise_embed(e) for e in body.get("embeds") or []],
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "flags": flags | extra_flags,
            "components": copy.deepcopy(body.get("components") or []),
            "id": str(message_id),
            "author": self._user(author_id),
            "mentions": mentions,
            "mention_roles": mention_roles,
            "mention_everyone": mention_everyone,
            "pinned": False,
            "tts": bool(body.get("tts", False)),
        }
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if reference:
            message["message_reference"] = {
                "type": reference.get("type", 0),
                "channel_id": str(channel_id),
                "message_id": str(reference["message_id"]),
                **({"guild_id": str(guild_id)} if guild_id else {}),
            }
            message["referenced_message"] = referenced
        if channel["type"] in ChannelType.THREADS:
            message["position"] = channel.get("total_message_sent", 0)
            channel["message_count"] = channel.get("message_count", 0) + 1
            channel["total_message_sent"] = channel.get("total_message_sent", 0) + 1
        if interaction is not None:
            message.update(
                webhook_id=str(self.application_id),
                application_id=str(self.application_id),
                interaction_metadata=self._interaction_metadata(interaction),
            )
            if interaction.type == InteractionType.APPLICATION_COMMAND:
                message["interaction"] = {
                    "id": str(interaction.id),
                    "type": interaction.type,
                    "name": interaction.name,
                    "user": self._user(interaction.user_id),
                }
        self._messages[channel_id][message_id] = message
        self._message_channel[message_id] = channel_id
        if "last_message_id" in channel or channel["type"] in ChannelType.THREADS:
            channel["last_message_id"] = str(message_id)
        if not message["flags"] & MessageFlag.EPHEMERAL:
            self._emit(
                "MESSAGE_CREATE",
                self._gateway_message(message),
                intent=self._message_intent(channel_id),
                message=message,
            )
        self._changed.notify_all()
        return copy.deepcopy(message)

    def _edit_message(self, message: Json, body: Json, files: Sequence[UploadedFile]) -> Json:
        """Apply a message edit (content, embeds, components, attachments, flags)."""
        merged = {key: message.get(key) for key in ("content", "embeds", "components", "flags")}
        merged.update(
            {k: v for k, v in body.items() if k in ("content", "embeds", "components", "flags")}
        )
        merged["flags"] = int(merged.get("flags") or 0)
        _validate_message_body(
            merged, n_files=len(files) + len(message["attachments"]), require_something=True
        )
        channel_id = int(message["channel_id"])
        if "content" in body:
            message["content"] = "" if body["content"] is None else str(body["content"])
            guild_id = self._guild_of(channel_id)
            message["mentions"], message["mention_roles"], message["mention_everyone"] = (
                self._mentions(
                    message["content"],
                    guild_id,
                    body.get("allowed_mentions"),
                    message.get("referenced_message"),
                )
            )
        if "embeds" in body:
            message["embeds"] = [self._normalise_embed(e) for e in body["embeds"] or []]
        if "components" in body:
            message["components"] = copy.deepcopy(body["components"] or [])
        if "flags" in body and body["flags"] is not None:
            keep = message["flags"] & ~MessageFlag.SUPPRESS_EMBEDS
            message["flags"] = keep | (int(body["flags"]) & MessageFlag.SUPPRESS_EMBEDS)
        if "attachments" in body or files:
            kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
            kept = (
                [a for a in message["attachments"] if a["id"] in kept_ids]
                if "attachments" in body
                else message["attachments"]
            )
            new = [
                a
                for a in body.get("attachments") or []
                if str(a.get("id")) not in {x["id"] for x in message["attachments"]}
            ]
            message["attachments"] = kept + self._store_attachments(channel_id, new, files)
        message["flags"] &= ~MessageFlag.LOADING
        message["edited_timestamp"] = _now_iso()
        if not message["flags"] & MessageFlag.EPHEMERAL:
            self._emit(
                "MESSAGE_UPDATE",
                self._gateway_message(message),
                intent=self._message_intent(channel_id),
                message=message,
            )
        self._changed.notify_all()
        return copy.deepcopy(message)

    def _delete_message(self, message: Json) -> None:
        channel_id, message_id = int(message["channel_id"]), int(message["id"])
        del self._messages[channel_id][message_id]
        del self._message_channel[message_id]
        event: Json = {"id": str(message_id), "channel_id": str(channel_id)}
        guild_id = self._guild_of(channel_id)
        if guild_id is not None:
            event["guild_id"] = str(guild_id)
        if not message["flags"] & MessageFlag.EPHEMERAL:
            self._emit("MESSAGE_DELETE", event, intent=self._message_intent(channel_id))
        self._changed.notify_all()

    def _message_intent(self, channel_id: int) -> int:
        return (
            Intents.DIRECT_MESSAGES
            if self._guild_of(channel_id) is None
            else Intents.GUILD_MESSAGES
        )

    def _gateway_message(self, message: Json) -> Json:
        """The MESSAGE_CREATE/UPDATE shape: REST shape plus guild_id and member objects."""
        payload = copy.deepcopy(message)
        guild_id = self._guild_of(int(message["channel_id"]))
        if guild_id is None:
            return payload
        payload["guild_id"] = str(guild_id)
        author_id = int(message["author"]["id"])
        if "webhook_id" not in message and author_id in self._members[guild_id]:
            payload["member"] = self._member_payload(guild_id, author_id, with_user=False)
        for user in payload["mentions"]:
            if int(user["id"]) in self._members[guild_id]:
                user["member"] = self._member_payload(guild_id, int(user["id"]), with_user=False)
        return payload

    @staticmethod
    def _normalise_embed(embed: Json) -> Json:
        result = copy.deepcopy(embed)
        result.setdefault("type", "rich")
        result.setdefault("content_scan_version", 0)
        return result

    def _store_attachments(
        self, channel_id: int, declared: list[Json] | None, files: Sequence[UploadedFile]
    ) -> list[Json]:
        by_index: dict[str, UploadedFile] = {}
        for file in files:
            match = re.fullmatch(r"files\[(\d+)\]", file.name)
            by_index[match.group(1) if match else file.name] = file
        result = []
        entries = (
            declared
            if declared
            else [{"id": key, "filename": f.filename} for key, f in by_index.items()]
        )
        for entry in entries:
            upload = by_index.get(str(entry.get("id")))
            if upload is None:
                continue
            attachment_id = self._ids.next()
            self._attachments[attachment_id] = upload.data
            filename = entry.get("filename") or upload.filename
            url = f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{filename}"
            attachment: Json = {
                "id": str(attachment_id),
                "filename": filename,
                "size": len(upload.data),
                "url": url,
                "proxy_url": url,
                "content_type": upload.content_type,
            }
            if entry.get("description"):
                attachment["description"] = entry["description"]
            result.append(attachment)
        return result

    def _dm_channel_locked(self, user_id: int) -> int:
        channel_id = self._dm_channels.get(user_id)
        if channel_id is None:
            self._user(user_id)
            channel_id = self._ids.next()
            self._channels[channel_id] = {
                "id": str(channel_id),
                "type": ChannelType.DM,
                "last_message_id": None,
                "flags": 0,
                "recipients": [self._user(user_id)],
            }
            self._messages[channel_id] = {}
            self._dm_channels[user_id] = channel_id
        return channel_id

    # ------------------------------------------------------------------ threads

    def _create_thread(self, parent_id: int, body: Json, *, starter: Json | None) -> Json:
        parent = self._channel(parent_id)
        if parent["type"] not in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT):
            raise DiscordAPIError(400, 50024, "Cannot execute action on this channel type")
        errors = _FormErrors()
        errors.length_between(("name",), body.get("name") or "", 1, 100)
        archive = (
            body.get("auto_archive_duration") or parent.get("default_auto_archive_duration") or 1440
        )
        if archive not in (60, 1440, 4320, 10080):
            errors.add(
                ("auto_archive_duration",),
                "BASE_TYPE_CHOICES",
                "Value must be one of {60, 1440, 4320, 10080}.",
            )
        errors.raise_if_any()
        if starter is not None:
            if starter.get("thread"):
                raise DiscordAPIError(
                    400, 160004, "A thread has already been created for this message"
                )
            thread_id = int(starter["id"])  # a thread started from a message shares its id
            kind = (
                ChannelType.ANNOUNCEMENT_THREAD
                if parent["type"] == ChannelType.GUILD_ANNOUNCEMENT
                else ChannelType.PUBLIC_THREAD
            )
        else:
            thread_id = self._ids.next()
            kind = int(body.get("type") or ChannelType.PRIVATE_THREAD)
            if kind not in ChannelType.THREADS:
                raise DiscordAPIError.invalid_form(
                    "type", "BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}."
                )
        now = _now_iso()
        metadata: Json = {
            "archived": False,
            "auto_archive_duration": archive,
            "archive_timestamp": now,
            "locked": False,
            "create_timestamp": now,
        }
        if kind == ChannelType.PRIVATE_THREAD:
            metadata["invitable"] = bool(body.get("invitable", True))
        thread: Json = {
            "id": str(thread_id),
            "type": kind,
            "guild_id": parent["guild_id"],
            "parent_id": str(parent_id),
            "owner_id": str(self.bot_user_id),
            "name": body["name"],
            "last_message_id": None,
            "rate_limit_per_user": body.get("rate_limit_per_user") or 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "thread_metadata": metadata,
            "flags": 0,
        }
        self._channels[thread_id] = thread
        self._messages[thread_id] = {}
        self._thread_members[thread_id] = {self.bot_user_id: now}
        self._emit(
            "THREAD_CREATE",
            {**self._channel_payload(thread_id), "newly_created": True},
            intent=Intents.GUILDS,
        )
        if starter is not None:
            starter["thread"] = self._channel_payload(thread_id)
            self._emit(
                "MESSAGE_UPDATE",
                self._gateway_message(starter),
                intent=Intents.GUILD_MESSAGES,
                message=starter,
            )
        self._changed.notify_all()
        response = self._channel_payload(thread_id)
        return response

    # ------------------------------------------------------------------ interactions (REST side)

    def _interaction_metadata(self, record: InteractionRecord) -> Json:
        metadata: Json = {
            "id": str(record.id),
            "type": record.type,
            "user": self._user(record.user_id),
            "authorizing_integration_owners": {"0": str(record.guild_id or 0)},
        }
        if record.type == InteractionType.APPLICATION_COMMAND:
            metadata["name"] = record.name
            metadata["command_type"] = 1
        if record.original_message_id is not None:
            metadata["original_response_message_id"] = str(record.original_message_id)
        if record.message_id is not None:
            metadata["interacted_message_id"] = str(record.message_id)
        return metadata

    def _interaction_by_token(
        self, application_id: int, token: str, at: float
    ) -> InteractionRecord:
        interaction_id = self._interaction_tokens.get(token)
        if application_id != self.application_id or interaction_id is None:
            raise DiscordAPIError.unknown("Webhook")
        record = self._interactions[interaction_id]
        if at - record.dispatched_at > self.interaction_token_ttl:
            raise DiscordAPIError(401, 50027, "Invalid Webhook Token")
        if record.callback_type is None:
            raise DiscordAPIError.unknown("Webhook")
        return record

    def _interaction_message(self, record: InteractionRecord, message_ref: str) -> Json:
        if message_ref == "@original":
            if record.original_message_id is None:
                raise DiscordAPIError.unknown("Message")
            return self._message(record.original_message_id)
        message_id = int(message_ref)
        if (
            message_id != record.original_message_id
            and message_id not in record.followup_message_ids
        ):
            raise DiscordAPIError.unknown("Message")
        return self._message(message_id)

    # ------------------------------------------------------------------ REST plumbing

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
        status: int
        payload: Any
        try:
            try:
                body, files = await self._read_body(request)
            except ValueError:
                raise DiscordAPIError(
                    400, 50109, "The request body contains invalid JSON."
                ) from None
            if route is None:
                raise DiscordAPIError(
                    404 if params is None else 405,
                    0,
                    "404: Not Found" if params is None else "405: Method Not Allowed",
                )
            if route.auth and request.headers.get("Authorization") != f"Bot {self.token}":
                raise DiscordAPIError(401, 0, "401: Unauthorized")
            with self._lock:
                status, payload = route.handler(
                    _Request(params or {}, request.query, body, files, at)
                )
                text = None if payload is None else json.dumps(payload, separators=(",", ":"))
        except DiscordAPIError as error:
            status, payload = error.status, error.body()
            text = json.dumps(payload, separators=(",", ":"))
        except Exception as error:
            # Not a 5xx: discord.py retries those for ~25 s. Recorded in internal_errors.
            status, payload = (
                400,
                {"message": f"discord double could not handle this: {error!r}", "code": 0},
            )
            text = json.dumps(payload, separators=(",", ":"))
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

    def _match(self, method: str, raw_path: str) -> tuple[_Route | None, dict[str, str] | None]:
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

    # ------------------------------------------------------------------ REST routes

    def _route_table(self) -> list[_Route]:
        """Every REST route the double implements, in Discord's own terms."""
        return [
            _Route("GET", "/gateway", self._get_gateway, auth=False),
            _Route("GET", "/gateway/bot", self._get_gateway_bot),
            _Route("GET", "/users/@me", self._get_me),
            _Route("GET", "/users/{user_id}", self._get_user),
            _Route("POST", "/users/@me/channels", self._create_dm),
            _Route("GET", "/oauth2/applications/@me", self._get_application),
            _Route("GET", "/applications/@me", self._get_application),
            _Route("GET", "/applications/{application_id}/commands", self._list_commands),
            _Route("PUT", "/applications/{application_id}/commands", self._overwrite_commands),
            _Route("POST", "/applications/{application_id}/commands", self._upsert_command),
            _Route(
                "GET", "/applications/{application_id}/commands/{command_id}", self._get_command
            ),
            _Route(
                "PATCH", "/applications/{application_id}/commands/{command_id}", self._edit_command
            ),
            _Route(
                "DELETE",
                "/applications/{application_id}/commands/{command_id}",
                self._delete_command,
            ),
            _Route(
                "GET",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self._list_commands,
            ),
            _Route(
                "PUT",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self._overwrite_commands,
            ),
            _Route(
                "POST",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self._upsert_command,
            ),
            _Route(
                "GET",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self._get_command,
            ),
            _Route(
                "PATCH",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self._edit_command,
            ),
            _Route(
                "DELETE",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self._delete_command,
            ),
            _Route(
                "POST",
                "/interactions/{interaction_id}/{interaction_token}/callback",
                self._interaction_callback,
                auth=False,
            ),
            _Route(
                "POST",
                "/webhooks/{application_id}/{interaction_token}",
                self._execute_followup,
                auth=False,
            ),
            _Route(
                "GET",
                "/webhooks/{application_id}/{interaction_token}/messages/{message_id}",
                self._get_webhook_message,
                auth=False,
            ),
            _Route(
                "PATCH",
                "/webhooks/{application_id}/{interaction_token}/messages/{message_id}",
                self._edit_webhook_message,
                auth=False,
            ),
            _Route(
                "DELETE",
                "/webhooks/{application_id}/{interaction_token}/messages/{message_id}",
                self._delete_webhook_message,
                auth=False,
            ),
            _Route("GET", "/channels/{channel_id}", self._get_channel),
            _Route("GET", "/channels/{channel_id}/messages", self._list_messages),
            _Route("POST", "/channels/{channel_id}/messages", self._post_message),
            _Route("GET", "/channels/{channel_id}/messages/{message_id}", self._get_message),
            _Route("PATCH", "/channels/{channel_id}/messages/{message_id}", self._patch_message),
            _Route("DELETE", "/channels/{channel_id}/messages/{message_id}", self._remove_message),
            _Route(
                "POST",
                "/channels/{channel_id}/messages/{message_id}/threads",
                self._thread_from_message,
            ),
            _Route("POST", "/channels/{channel_id}/threads", self._thread_without_message),
            _Route("PUT", "/channels/{channel_id}/thread-members/@me", self._join_thread),
            _Route("DELETE", "/channels/{channel_id}/thread-members/@me", self._leave_thread),
            _Route(
                "PUT",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self._add_reaction,
            ),
            _Route(
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{user_id}",
                self._remove_reaction,
            ),
            _Route("POST", "/channels/{channel_id}/typing", self._typing),
            _Route("GET", "/guilds/{guild_id}", self._get_guild),
            _Route("GET", "/guilds/{guild_id}/channels", self._get_guild_channels),
            _Route("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member),
            _Route("GET", "/guilds/{guild_id}/roles", self._get_roles),
        ]

    # gateway / users / application

    def _get_gateway(self, r: _Request) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url}

    def _get_gateway_bot(self, r: _Request) -> tuple[int, Any]:
        return 200, {
            "url": self.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 0,
                "max_concurrency": 1,
            },
        }

    def _get_me(self, r: _Request) -> tuple[int, Any]:
        return 200, {
            **self._user(self.bot_user_id),
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
            "premium_type": 0,
            "bio": "",
        }

    def _get_user(self, r: _Request) -> tuple[int, Any]:
        return 200, self._user(r.id("user_id"))

    def _get_application(self, r: _Request) -> tuple[int, Any]:
        return 200, self._application_payload()

    def _create_dm(self, r: _Request) -> tuple[int, Any]:
        recipient = _sf(r.json().get("recipient_id"))
        if recipient is None:
            raise DiscordAPIError.invalid_form(
                "recipient_id", "BASE_TYPE_REQUIRED", "This field is required"
            )
        return 200, self._channel_payload(self._dm_channel_locked(recipient))

    # application commands

    def _command_scope(self, r: _Request) -> int | None:
        if r.id("application_id") != self.application_id:
            raise DiscordAPIError(403, 50001, "Missing Access")
        if "guild_id" not in r.params:
            return None
        guild_id = r.id("guild_id")
        if guild_id not in self._guilds:
            raise DiscordAPIError(403, 50001, "Missing Access")
        return guild_id

    def _list_commands(self, r: _Request) -> tuple[int, Any]:
        return 200, copy.deepcopy(self._commands.get(self._command_scope(r), []))

    def _build_command(self, definition: Json, scope: int | None, existing: list[Json]) -> Json:
        kind = int(definition.get("type") or 1)
        previous = next(
            (c for c in existing if c["name"] == definition.get("name") and c["type"] == kind), None
        )
        command = {
            "id": previous["id"] if previous else str(self._ids.next()),
            "application_id": str(self.application_id),
            "version": str(self._ids.next()),
            "default_member_permissions": definition.get("default_member_permissions"),
            "type": kind,
            "name": definition["name"],
            "name_localizations": definition.get("name_localizations"),
            "description": definition.get("description", ""),
            "description_localizations": definition.get("description_localizations"),
            "dm_permission": definition.get("dm_permission", True),
            "contexts": definition.get("contexts"),
            "integration_types": definition.get("integration_types") or [0],
            "nsfw": bool(definition.get("nsfw", False)),
        }
        if definition.get("options"):
            command["options"] = copy.deepcopy(definition["options"])
        if scope is not None:
            command["guild_id"] = str(scope)
        return command

    def _overwrite_commands(self, r: _Request) -> tuple[int, Any]:
        scope = self._command_scope(r)
        definitions = r.body if isinstance(r.body, list) else []
        errors = _FormErrors()
        errors.max_length((), [d for d in definitions if int(d.get("type") or 1) == 1], 100)
        seen: set[tuple[int, str]] = set()
        for i, definition in enumerate(definitions):
            _validate_command(definition, (i,), errors)
            key = (int(definition.get("type") or 1), definition.get("name") or "")
            if key in seen:
                errors.add(
                    (i, "name"),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    "Application command names must be unique",
                )
            seen.add(key)
        errors.raise_if_any()
        existing = self._commands.get(scope, [])
        self._commands[scope] = [self._build_command(d, scope, existing) for d in definitions]
        self._changed.notify_all()
        return 200, copy.deepcopy(self._commands[scope])

    def _upsert_command(self, r: _Request) -> tuple[int, Any]:
        scope = self._command_scope(r)
        definition = r.json()
        errors = _FormErrors()
        _validate_command(definition, (), errors)
        errors.raise_if_any()
        existing = self._commands.setdefault(scope, [])
        command = self._build_command(definition, scope, existing)
        replaced = [c for c in existing if c["id"] == command["id"]]
        self._commands[scope] = [c for c in existing if c["id"] != command["id"]] + [command]
        self._changed.notify_all()
        return (200 if replaced else 201), copy.deepcopy(command)

    def _find_command_by_id(self, r: _Request) -> tuple[int | None, Json]:
        scope = self._command_scope(r)
        command_id = r.params["command_id"]
        for command in self._commands.get(scope, []):
            if command["id"] == command_id:
                return scope, command
        raise DiscordAPIError.unknown("application command")

    def _get_command(self, r: _Request) -> tuple[int, Any]:
        return 200, copy.deepcopy(self._find_command_by_id(r)[1])

    def _edit_command(self, r: _Request) -> tuple[int, Any]:
        _, command = self._find_command_by_id(r)
        updated = {**command, **r.json()}
        errors = _FormErrors()
        _validate_command(updated, (), errors)
        errors.raise_if_any()
        command.update(r.json(), version=str(self._ids.next()))
        self._changed.notify_all()
        return 200, copy.deepcopy(command)

    def _delete_command(self, r: _Request) -> tuple[int, Any]:
        scope, command = self._find_command_by_id(r)
        self._commands[scope] = [c for c in self._commands[scope] if c is not command]
        self._changed.notify_all()
        return 204, None

    # interactions

    def _interaction_callback(self, r: _Request) -> tuple[int, Any]:
        record = self._interactions.get(r.id("interaction_id"))
        if record is None or record.token != r.params["interaction_token"]:
            raise DiscordAPIError.unknown("interaction")
        if record.callback_type is not None:
            record.rejected_callbacks.append((r.at - record.dispatched_at, 40060))
            raise DiscordAPIError(400, 40060, "Interaction has already been acknowledged.")
        if r.at - record.dispatched_at > record.deadline:
            record.rejected_callbacks.append((r.at - record.dispatched_at, 10062))
            self._changed.notify_all()
            raise DiscordAPIError.unknown("interaction")
        body = r.json()
        kind = body.get("type")
        data = body.get("data") or {}
        allowed = self._allowed_callbacks(record.type)
        if kind not in allowed:
            raise DiscordAPIError.invalid_form(
                "type",
                "INTERACTION_RESPONSE_TYPE_INVALID",
                f"Value must be one of {sorted(allowed)} for interaction type {record.type}.",
            )
        message: Json | None = None
        if kind == CallbackType.CHANNEL_MESSAGE_WITH_SOURCE:
            message = self._create_message(
                record.channel_id,
                data,
                author_id=self.bot_user_id,
                files=r.files,
                interaction=record,
                message_type=self._response_type(record),
            )
            record.original_message_id = int(message["id"])
        elif kind == CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE:
            flags = int(data.get("flags") or 0) & MessageFlag.EPHEMERAL
            message = self._create_message(
                record.channel_id,
                {"content": ""},
                author_id=self.bot_user_id,
                interaction=record,
                message_type=self._response_type(record),
                extra_flags=MessageFlag.LOADING | flags,
            )
            record.original_message_id = int(message["id"])
        elif kind == CallbackType.DEFERRED_UPDATE_MESSAGE:
            record.original_message_id = record.message_id
        elif kind == CallbackType.UPDATE_MESSAGE:
            record.original_message_id = record.message_id
            if record.message_id is not None:
                message = self._edit_message(self._message(record.message_id), data, r.files)
        elif kind == CallbackType.AUTOCOMPLETE_RESULT:
            errors = _FormErrors()
            errors.max_length(("data", "choices"), data.get("choices"), 25)
            errors.raise_if_any()
        elif kind == CallbackType.MODAL:
            errors = _FormErrors()
            errors.length_between(("data", "title"), data.get("title") or "", 1, 45)
            errors.length_between(("data", "custom_id"), data.get("custom_id") or "", 1, 100)
            errors.length_between(("data", "components"), data.get("components") or [], 1, 5)
            for i, row in enumerate(data.get("components") or []):
                for j, child in enumerate(row.get("components") or []):
                    _validate_component(child, ("data", "components", i, "components", j), errors)
            errors.raise_if_any()
        record.callback_type = kind
        record.callback_data = copy.deepcopy(data)
        record.acknowledged_at = r.at
        self._changed.notify_all()
        if not _truthy(r.query.get("with_response")):
            return 204, None
        response: Json = {"interaction": {"id": str(record.id), "type": record.type}}
        if message is not None:
            response["interaction"].update(
                response_message_id=message["id"],
                response_message_loading=bool(message["flags"] & MessageFlag.LOADING),
                response_message_ephemeral=bool(message["flags"] & MessageFlag.EPHEMERAL),
            )
        response["resource"] = {"type": kind}
        if message is not None:
            response["resource"]["message"] = message
        return 200, response

    @staticmethod
    def _allowed_callbacks(interaction_type: int) -> set[int]:
        if interaction_type == InteractionType.AUTOCOMPLETE:
            return {CallbackType.AUTOCOMPLETE_RESULT}
        allowed = {
            CallbackType.CHANNEL_MESSAGE_WITH_SOURCE,
            CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
        }
        if interaction_type in (InteractionType.MESSAGE_COMPONENT, InteractionType.MODAL_SUBMIT):
            allowed |= {CallbackType.DEFERRED_UPDATE_MESSAGE, CallbackType.UPDATE_MESSAGE}
        if interaction_type != InteractionType.MODAL_SUBMIT:
            allowed.add(CallbackType.MODAL)
        return allowed

    @staticmethod
    def _response_type(record: InteractionRecord) -> int:
        return 20 if record.type == InteractionType.APPLICATION_COMMAND else 0

    def _execute_followup(self, r: _Request) -> tuple[int, Any]:
        record = self._interaction_by_token(
            r.id("application_id"), r.params["interaction_token"], r.at
        )
        body = r.json()
        original = (
            None
            if record.original_message_id is None
            else self._messages[record.channel_id].get(record.original_message_id)
        )
        if original is not None and original["flags"] & MessageFlag.LOADING:
            # Discord completes a "thinking…" deferral with the first follow-up message.
            _validate_message_body(body, n_files=len(r.files), require_something=True)
            message = self._edit_message(original, body, r.files)
            if int(message["id"]) not in record.followup_message_ids:
                record.followup_message_ids.append(int(message["id"]))
        else:
            channel_id = _sf(r.query.get("thread_id")) or record.channel_id
            message = self._create_message(
                channel_id, body, author_id=self.bot_user_id, files=r.files, interaction=record
            )
            record.followup_message_ids.append(int(message["id"]))
        self._changed.notify_all()
        return (200, message) if _truthy(r.query.get("wait")) else (204, None)

    def _get_webhook_message(self, r: _Request) -> tuple[int, Any]:
        record = self._interaction_by_token(
            r.id("application_id"), r.params["interaction_token"], r.at
        )
        return 200, copy.deepcopy(self._interaction_message(record, r.params["message_id"]))

    def _edit_webhook_message(self, r: _Request) -> tuple[int, Any]:
        record = self._interaction_by_token(
            r.id("application_id"), r.params["interaction_token"], r.at
        )
        message = self._interaction_message(record, r.params["message_id"])
        return 200, self._edit_message(message, r.json(), r.files)

    def _delete_webhook_message(self, r: _Request) -> tuple[int, Any]:
        record = self._interaction_by_token(
            r.id("application_id"), r.params["interaction_token"], r.at
        )
        self._delete_message(self._interaction_message(record, r.params["message_id"]))
        return 204, None

    # channels and messages

    def _get_channel(self, r: _Request) -> tuple[int, Any]:
        return 200, self._channel_payload(r.id("channel_id"))

    def _visible(self, message: Json) -> Json:
        """A message as REST returns it to this application (content gated by the portal flag)."""
        payload = copy.deepcopy(message)
        if not self.privileged_intents & Intents.MESSAGE_CONTENT and not self._content_visible(
            message
        ):
            self._strip_content(payload)
        return payload

    def _list_messages(self, r: _Request) -> tuple[int, Any]:
        channel_id = r.id("channel_id")
        self._channel(channel_id)
        limit = max(1, min(100, int(r.query.get("limit", "50"))))
        ordered = sorted(
            self._messages[channel_id].values(), key=lambda m: int(m["id"]), reverse=True
        )
        ordered = [m for m in ordered if not m["flags"] & MessageFlag.EPHEMERAL]
        if "before" in r.query:
            ordered = [m for m in ordered if int(m["id"]) < int(r.query["before"])]
        if "after" in r.query:
            ordered = [m for m in ordered if int(m["id"]) > int(r.query["after"])][-limit:]
        if "around" in r.query:
            pivot = int(r.query["around"])
            older = [m for m in ordered if int(m["id"]) <= pivot][: (limit + 1) // 2]
            newer = (
                [m for m in ordered if int(m["id"]) > pivot][-(limit // 2) :] if limit > 1 else []
            )
            ordered = newer + older
        return 200, [self._visible(m) for m in ordered[:limit]]

    def _post_message(self, r: _Request) -> tuple[int, Any]:
        return 200, self._create_message(
            r.id("channel_id"), r.json(), author_id=self.bot_user_id, files=r.files
        )

    def _get_message(self, r: _Request) -> tuple[int, Any]:
        return 200, self._visible(self._message(r.id("message_id"), r.id("channel_id")))

    def _patch_message(self, r: _Request) -> tuple[int, Any]:
        message = self._message(r.id("message_id"), r.id("channel_id"))
        if int(message["author"]["id"]) != self.bot_user_id:
            raise DiscordAPIError(403, 50005, "Cannot edit a message authored by another user")
        return 200, self._edit_message(message, r.json(), r.files)

    def _remove_message(self, r: _Request) -> tuple[int, Any]:
        self._delete_message(self._message(r.id("message_id"), r.id("channel_id")))
        return 204, None

    def _thread_from_message(self, r: _Request) -> tuple[int, Any]:
        starter = self._message(r.id("message_id"), r.id("channel_id"))
        return 201, self._create_thread(r.id("channel_id"), r.json(), starter=starter)

    def _thread_without_message(self, r: _Request) -> tuple[int, Any]:
        return 201, self._create_thread(r.id("channel_id"), r.json(), starter=None)

    def _thread_id(self, r: _Request) -> int:
        """The path's channel, which must be a thread."""
        thread_id = r.id("channel_id")
        if self._channel(thread_id)["type"] not in ChannelType.THREADS:
            raise DiscordAPIError(400, 50024, "Cannot execute action on this channel type")
        return thread_id

    def _join_thread(self, r: _Request) -> tuple[int, Any]:
        thread_id = self._thread_id(r)
        joined = self._thread_members[thread_id]
        if self.bot_user_id not in joined:
            joined[self.bot_user_id] = _now_iso()
            self._emit(
                "THREAD_MEMBER_UPDATE",
                {
                    "id": str(thread_id),
                    "user_id": str(self.bot_user_id),
                    "join_timestamp": joined[self.bot_user_id],
                    "flags": 0,
                    "guild_id": self._channels[thread_id]["guild_id"],
                },
                intent=Intents.GUILDS,
            )
        self._changed.notify_all()
        return 204, None

    def _leave_thread(self, r: _Request) -> tuple[int, Any]:
        self._thread_members[self._thread_id(r)].pop(self.bot_user_id, None)
        self._changed.notify_all()
        return 204, None

    @staticmethod
    def _emoji(raw: str) -> Json:
        name, _, emoji_id = raw.partition(":")
        return {"id": emoji_id or None, "name": name}

    def _set_reaction(self, message: Json, emoji_raw: str, user_id: int, add: bool) -> None:
        users = self._reactions.setdefault(int(message["id"]), {}).setdefault(emoji_raw, [])
        if add == (user_id in users):
            return
        users.append(user_id) if add else users.remove(user_id)
        message["reactions"] = [
            {
                "emoji": self._emoji(key),
                "count": len(ids),
                "count_details": {"burst": 0, "normal": len(ids)},
                "burst_colors": [],
                "me": self.bot_user_id in ids,
                "me_burst": False,
                "burst_me": False,
                "burst_count": 0,
            }
            for key, ids in self._reactions[int(message["id"])].items()
            if ids
        ]
        channel_id = int(message["channel_id"])
        guild_id = self._guild_of(channel_id)
        event: Json = {
            "user_id": str(user_id),
            "channel_id": str(channel_id),
            "message_id": message["id"],
            "emoji": self._emoji(emoji_raw),
            "burst": False,
            "type": 0,
        }
        if guild_id is not None:
            event["guild_id"] = str(guild_id)
            if add:
                event["member"] = self._member_payload(guild_id, user_id)
        if add:
            event["message_author_id"] = message["author"]["id"]
        intent = (
            Intents.DIRECT_MESSAGE_REACTIONS
            if guild_id is None
            else Intents.GUILD_MESSAGE_REACTIONS
        )
        self._emit(
            "MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE", event, intent=intent
        )
        self._changed.notify_all()

    def _add_reaction(self, r: _Request) -> tuple[int, Any]:
        message = self._message(r.id("message_id"), r.id("channel_id"))
        emoji = r.params["emoji"]
        if ":" in emoji:
            raise DiscordAPIError.unknown("Emoji")  # the double's guilds have no custom emojis
        self._set_reaction(message, emoji, self.bot_user_id, add=True)
        return 204, None

    def _remove_reaction(self, r: _Request) -> tuple[int, Any]:
        message = self._message(r.id("message_id"), r.id("channel_id"))
        user_id = self.bot_user_id if r.params["user_id"] == "@me" else r.id("user_id")
        self._set_reaction(message, r.params["emoji"], user_id, add=False)
        return 204, None

    def _typing(self, r: _Request) -> tuple[int, Any]:
        channel_id = r.id("channel_id")
        self._channel(channel_id)
        guild_id = self._guild_of(channel_id)
        event: Json = {
            "channel_id": str(channel_id),
            "user_id": str(self.bot_user_id),
            "timestamp": int(time.time()),
        }
        if guild_id is not None:
            event.update(
                guild_id=str(guild_id), member=self._member_payload(guild_id, self.bot_user_id)
            )
        intent = Intents.DIRECT_MESSAGE_TYPING if guild_id is None else Intents.GUILD_MESSAGE_TYPING
        self._emit("TYPING_START", event, intent=intent)
        return 204, None

    # guilds

    def _guild(self, r: _Request) -> int:
        guild_id = r.id("guild_id")
        if guild_id not in self._guilds:
            raise DiscordAPIError.unknown("Guild")
        return guild_id

    def _get_guild(self, r: _Request) -> tuple[int, Any]:
        return 200, copy.deepcopy(self._guilds[self._guild(r)])

    def _get_guild_channels(self, r: _Request) -> tuple[int, Any]:
        guild_id = self._guild(r)
        return 200, [
            self._channel_payload(cid)
            for cid, c in self._channels.items()
            if c.get("guild_id") == str(guild_id) and c["type"] not in ChannelType.THREADS
        ]

    def _get_member(self, r: _Request) -> tuple[int, Any]:
        return 200, self._member_payload(self._guild(r), r.id("user_id"))

    def _get_roles(self, r: _Request) -> tuple[int, Any]:
        return 200, copy.deepcopy(self._guilds[self._guild(r)]["roles"])

    # ------------------------------------------------------------------ inspection

    def wait_until(self, predicate: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Block until ``predicate()`` (evaluated under the state lock) returns non-None/False.

        Only returns at a moment when no REST response is still being written, so the
        client has been answered for every state change the predicate saw. Raises
        ``TimeoutError`` if that does not happen in time.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = predicate()
                if value is not None and value is not False and self._in_flight == 0:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"condition not met within {timeout} s")
                self._changed.wait(min(remaining, 0.05))

    def calls(
        self, method: str | None = None, path_pattern: str | None = None, route: str | None = None
    ) -> list[RestCall]:
        """REST calls so far, filtered by method, ``re.fullmatch`` on the path, or route template.

        ``route`` is e.g. ``"POST /channels/{channel_id}/messages"``.
        """
        with self._lock:
            return [c for c in self._calls if self._call_matches(c, method, path_pattern, route)]

    @staticmethod
    def _call_matches(
        call: RestCall, method: str | None, path_pattern: str | None, route: str | None
    ) -> bool:
        return (
            (method is None or call.method == method.upper())
            and (path_pattern is None or re.fullmatch(path_pattern, call.path) is not None)
            and (route is None or call.route == route)
        )

    def wait_for_call(
        self,
        predicate: Callable[[RestCall], bool] | None = None,
        timeout: float = 5.0,
        *,
        method: str | None = None,
        path_pattern: str | None = None,
        route: str | None = None,
        after: float | None = None,
    ) -> RestCall:
        """Wait for the first matching REST call received after ``after`` (a monotonic time)."""

        def find() -> RestCall | None:
            for call in self._calls:
                if (
                    (after is None or call.at >= after)
                    and self._call_matches(call, method, path_pattern, route)
                    and (predicate is None or predicate(call))
                ):
                    return call
            return None

        return self.wait_until(find, timeout)

    def unknown_calls(self) -> list[RestCall]:
        """REST calls that matched no implemented route."""
        with self._lock:
            return [c for c in self._calls if c.route is None]

    def assert_no_unknown_routes(self) -> None:
        """Fail if the client called a route the double does not implement."""
        unknown = self.unknown_calls()
        assert not unknown, "unknown Discord routes: " + ", ".join(
            f"{c.method} {c.path}" for c in unknown
        )

    def messages(self, channel_id: int | None = None) -> list[Json]:
        """Messages currently in a channel (oldest first, edits applied, ephemeral included)."""
        with self._lock:
            return copy.deepcopy(
                list(self._messages.get(channel_id or self.channel_id, {}).values())
            )

    def message(self, message_id: int) -> Json:
        """One stored message (raises ``KeyError`` if unknown)."""
        with self._lock:
            channel_id = self._message_channel[message_id]
            return copy.deepcopy(self._messages[channel_id][message_id])

    def wait_for_message(
        self,
        predicate: Callable[[Json], bool] | None = None,
        timeout: float = 5.0,
        *,
        channel_id: int | None = None,
        author_id: int | None = None,
    ) -> Json:
        """Wait until a stored message matches (``author_id`` defaults to the bot)."""
        author = str(author_id or self.bot_user_id)

        def find() -> Json | None:
            channels = [channel_id] if channel_id is not None else list(self._messages)
            for cid in channels:
                for message in self._messages.get(cid, {}).values():
                    if message["author"]["id"] == author and (
                        predicate is None or predicate(message)
                    ):
                        return copy.deepcopy(message)
            return None

        return self.wait_until(find, timeout)

    def channel(self, channel_id: int) -> Json:
        """A channel (guild channel, thread or DM) as GET /channels/{id} would return it."""
        with self._lock:
            return self._channel_payload(channel_id)

    def threads(self, parent_id: int | None = None) -> list[Json]:
        """Threads, optionally only those under ``parent_id``."""
        with self._lock:
            return [
                self._channel_payload(cid)
                for cid, c in self._channels.items()
                if c["type"] in ChannelType.THREADS
                and (parent_id is None or c["parent_id"] == str(parent_id))
            ]

    def dm_channel_id(self, user_id: int) -> int | None:
        """The DM channel between the bot and ``user_id``, if one exists."""
        with self._lock:
            return self._dm_channels.get(user_id)

    def commands(self, guild_id: int | None = None) -> list[Json]:
        """Registered application commands (global when ``guild_id`` is None)."""
        with self._lock:
            return copy.deepcopy(self._commands.get(guild_id, []))

    def interaction(self, interaction_id: int) -> InteractionRecord:
        """A snapshot of an interaction record."""
        with self._lock:
            record = self._interactions[interaction_id]
            return dataclasses.replace(
                record,
                followup_message_ids=list(record.followup_message_ids),
                rejected_callbacks=list(record.rejected_callbacks),
                callback_data=copy.deepcopy(record.callback_data),
            )

    def wait_for_interaction_response(
        self, interaction_id: int, timeout: float = 5.0, *, followups: int = 0
    ) -> InteractionRecord:
        """Wait until the interaction is acknowledged (and has ``followups`` follow-ups).

        A deferred "thinking" response counts as complete only once its content arrived.
        Also returns if the bot's callback was rejected, so tests can assert on that.
        """

        def done() -> InteractionRecord | None:
            record = self._interactions[interaction_id]
            if record.rejected_callbacks:
                return self.interaction(interaction_id)
            if record.callback_type is None or len(record.followup_message_ids) < followups:
                return None
            if record.callback_type == CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE:
                original = self._messages[record.channel_id].get(record.original_message_id or 0)
                if original is not None and original["flags"] & MessageFlag.LOADING:
                    return None
            return self.interaction(interaction_id)

        return self.wait_until(done, timeout)

    @property
    def connections(self) -> list[GatewayConnection]:
        """Snapshots of every gateway connection so far."""
        with self._lock:
            return [
                dataclasses.replace(c.info, received_ops=list(c.info.received_ops))
                for c in self._connections
            ]

    @property
    def identify_count(self) -> int:
        """How many IDENTIFYs succeeded."""
        with self._lock:
            return sum(1 for c in self._connections if c.info.kind == "identify")

    @property
    def resume_count(self) -> int:
        """How many RESUMEs succeeded."""
        with self._lock:
            return sum(1 for c in self._connections if c.info.kind == "resume")

    @property
    def presence_updates(self) -> list[Json]:
        """PRESENCE_UPDATE payloads the client sent."""
        with self._lock:
            return copy.deepcopy(self._presence_updates)

    def wait_until_identified(self, timeout: float = 10.0, *, count: int = 1) -> str:
        """Wait until ``count`` IDENTIFYs succeeded and READY + GUILD_CREATEs were written.

        Returns the latest session id.
        """

        def ready() -> str | None:
            sessions = [
                c.session for c in self._connections if c.info.kind == "identify" and c.session
            ]
            if len(sessions) < count:
                return None
            session = sessions[-1]
            written = session.conn is not None and session.cursor >= session.ready_seq
            return session.session_id if written else None

        return self.wait_until(ready, timeout)

    def wait_until_resumed(self, timeout: float = 10.0, *, count: int = 1) -> str:
        """Wait until ``count`` RESUMEs succeeded and the RESUMED dispatch was written."""

        def resumed() -> str | None:
            conns = [c for c in self._connections if c.info.kind == "resume" and c.session]
            if len(conns) < count:
                return None
            session = conns[-1].session
            assert session is not None
            done = session.conn is conns[-1] and session.cursor >= session.resumed_seq
            return session.session_id if done else None

        return self.wait_until(resumed, timeout)

    # async twins, for tests running inside the bot's event loop

    async def wait_until_async(self, predicate: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Async :meth:`wait_until` (waits in a worker thread, the caller's loop keeps running)."""
        return await asyncio.to_thread(self.wait_until, predicate, timeout)

    async def wait_for_call_async(
        self,
        predicate: Callable[[RestCall], bool] | None = None,
        timeout: float = 5.0,
        **filters: Any,
    ) -> RestCall:
        """Async :meth:`wait_for_call`."""
        return await asyncio.to_thread(lambda: self.wait_for_call(predicate, timeout, **filters))

    async def wait_for_message_async(
        self, predicate: Callable[[Json], bool] | None = None, timeout: float = 5.0, **filters: Any
    ) -> Json:
        """Async :meth:`wait_for_message`."""
        return await asyncio.to_thread(lambda: self.wait_for_message(predicate, timeout, **filters))

    async def wait_for_interaction_response_async(
        self, interaction_id: int, timeout: float = 5.0, **kwargs: Any
    ) -> InteractionRecord:
        """Async :meth:`wait_for_interaction_response`."""
        return await asyncio.to_thread(
            lambda: self.wait_for_interaction_response(interaction_id, timeout, **kwargs)
        )

    async def wait_until_identified_async(self, timeout: float = 10.0, **kwargs: Any) -> str:
        """Async :meth:`wait_until_identified`."""
        return await asyncio.to_thread(lambda: self.wait_until_identified(timeout, **kwargs))

    async def wait_until_resumed_async(self, timeout: float = 10.0, **kwargs: Any) -> str:
        """Async :meth:`wait_until_resumed`."""
        return await asyncio.to_thread(lambda: self.wait_until_resumed(timeout, **kwargs))

    async def drop_connection_async(
        self, code: int | None = None, *, hold: float = 0.0, timeout: float = 5.0
    ) -> None:
        """Async :meth:`drop_connection`."""
        await asyncio.to_thread(lambda: self.drop_connection(code, hold=hold, timeout=timeout))
