"""Everything the double remembers, behind one lock: configuration, the world, the logs.

Each mixin of :class:`DiscordDouble` reads and writes this state; the lookups here raise
the ``Unknown …`` errors Discord answers for missing objects.
"""

from __future__ import annotations

import asyncio
import copy
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from .errors import DiscordAPIError
from .payloads import user_payload
from .protocol import API_PREFIX, ChannelType, Intents, Json, Permission, optional_snowflake
from .records import InteractionRecord, RestCall
from .snowflakes import SnowflakeGenerator

if TYPE_CHECKING:
    from aiohttp import web

    from .dispatch import Session
    from .transport import LiveConnection

T = TypeVar("T")


class _State:
    """Configuration, the world (users, guilds, channels, messages, …) and the logs."""

    def __init__(
        self,
        *,
        token: str,
        heartbeat_interval: float,
        interaction_deadline: float,
        interaction_token_ttl: float,
        privileged_intents: int,
        recommended_shards: int,
        required_shards: int,
        bot_name: str,
    ) -> None:
        self.token = token
        self.heartbeat_interval = heartbeat_interval
        self.interaction_deadline = interaction_deadline
        self.interaction_token_ttl = interaction_token_ttl
        self.privileged_intents = privileged_intents
        self.recommended_shards = recommended_shards
        self.required_shards = required_shards

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._ids = SnowflakeGenerator()
        self._init_world()
        self._init_logs()
        self._init_runtime()

        self.bot_user_id = self._ids.next()
        self.application_id = self.bot_user_id  # modern applications share the bot user's id
        self._users[self.bot_user_id] = user_payload(self.bot_user_id, bot_name, bot=True)

    def _init_world(self) -> None:
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

    def _init_logs(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._connections: list[LiveConnection] = []
        self._calls: list[RestCall] = []
        self._presence_updates: list[Json] = []
        self.internal_errors: list[str] = []
        """Requests the double failed to handle (a bug here or a malformed request)."""
        self._in_flight = 0  # REST requests whose response is not yet written

    def _init_runtime(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._hello_hold_until = 0.0
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

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
        """Value (as ``yarl.URL``) for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``.

        Also the ``url`` of ``GET /gateway/bot``, which sharded clients use.
        """
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """The ``resume_gateway_url`` sent in READY."""
        return f"ws://127.0.0.1:{self.port}/resume-gateway"

    # ------------------------------------------------------------------ waiting

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

    # ------------------------------------------------------------------ lookups

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
            return Permission.ALL
        role_ids = {str(guild_id), *self._members[guild_id].get(user_id, {}).get("roles", [])}
        value = 0
        for role in guild["roles"]:
            if role["id"] in role_ids:
                value |= int(role["permissions"])
        return Permission.ALL if value & Permission.ADMINISTRATOR else value

    def _channel(self, channel_id: int) -> Json:
        try:
            return self._channels[channel_id]
        except KeyError:
            raise DiscordAPIError.unknown("Channel") from None

    def _guild_of(self, channel_id: int) -> int | None:
        return optional_snowflake(self._channels.get(channel_id, {}).get("guild_id"))

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

    def _message(self, message_id: int, channel_id: int | None = None) -> Json:
        owner = self._message_channel.get(message_id)
        if owner is None or (channel_id is not None and owner != channel_id):
            raise DiscordAPIError.unknown("Message")
        return self._messages[owner][message_id]

    def _content_visible(self, message: Json) -> bool:
        """Whether Discord shows a message's content to a bot without MESSAGE_CONTENT."""
        author_id = int(message["author"]["id"])
        mentioned = any(int(u["id"]) == self.bot_user_id for u in message.get("mentions", []))
        is_dm = self._guild_of(int(message["channel_id"])) is None
        return author_id == self.bot_user_id or mentioned or is_dm

    @staticmethod
    def _strip_content(payload: Json) -> None:
        payload.update(content="", embeds=[], attachments=[], components=[])
        payload.pop("poll", None)

    def _visible(self, message: Json) -> Json:
        """A message as REST returns it to this application (content gated by the portal flag)."""
        payload = copy.deepcopy(message)
        if not self.privileged_intents & Intents.MESSAGE_CONTENT and not self._content_visible(
            message
        ):
            self._strip_content(payload)
        return payload
