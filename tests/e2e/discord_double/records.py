"""What the double saw, as plain records a test asserts on.

REST calls, interactions, gateway connections and dispatches; all are snapshots, so a test
can keep them while the double moves on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .protocol import CallbackType, Json


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

    @property
    def shard(self) -> tuple[int, int] | None:
        """``(shard_id, shard_count)`` from IDENTIFY, None if the client did not shard."""
        shard = (self.identify or {}).get("shard")
        return None if shard is None else (int(shard[0]), int(shard[1]))


@dataclass(frozen=True)
class Dispatch:
    """One gateway dispatch (op 0) the double queued for a session."""

    session_id: str
    shard: tuple[int, int]
    """``(shard_id, shard_count)`` of the session; ``(0, 1)`` for a client that did not shard."""
    seq: int
    event: str
    """The event name, e.g. ``MESSAGE_CREATE``."""
    data: Json
    sent: bool
    """Whether the frame has been written to the session's current connection."""

    @property
    def shard_id(self) -> int:
        """The session's shard id (0 for a client that did not shard)."""
        return self.shard[0]

    @property
    def guild_id(self) -> int | None:
        """The guild the event is about, None for DMs and session events (READY, RESUMED)."""
        if self.event == "GUILD_CREATE":
            return int(self.data["id"])
        guild_id = self.data.get("guild_id")
        return None if guild_id is None else int(guild_id)
