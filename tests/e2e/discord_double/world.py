"""Building the world a test needs: users, guilds (on chosen shards), roles, members, channels.

Changes made while clients are connected are dispatched to them, as Discord does.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from .dispatch import Session, _Dispatcher
from .payloads import (
    guild_channel_payload,
    guild_payload,
    member_payload,
    role_payload,
    user_payload,
)
from .protocol import ChannelType, Intents, Json, Permission


class _World(_Dispatcher):
    """Test-facing constructors for the double's world, and the GUILD_CREATE payload."""

    owner_id: int

    def add_user(self, username: str, *, bot: bool = False, global_name: str | None = None) -> int:
        """Create a user and return its id."""
        with self._lock:
            user_id = self._ids.next()
            self._users[user_id] = user_payload(user_id, username, bot=bot, global_name=global_name)
            return user_id

    def add_guild(
        self, name: str, *, owner_id: int | None = None, shard: tuple[int, int] | None = None
    ) -> int:
        """Create a guild (with @everyone and the bot's managed role, the bot as member).

        ``shard=(shard_id, shard_count)`` picks an id whose events go to that shard, i.e.
        ``(guild_id >> 22) % shard_count == shard_id``. Connected sessions owning the new
        guild get a GUILD_CREATE.
        """
        with self._lock:
            guild_id = self._ids.next() if shard is None else self._ids.next_on_shard(*shard)
            bot_role_id = self._ids.next()
            roles = [
                role_payload(guild_id, "@everyone", Permission.EVERYONE, position=0),
                self._bot_role(bot_role_id),
            ]
            self._guilds[guild_id] = guild_payload(
                guild_id, name, owner_id=owner_id or self.owner_id, roles=roles
            )
            self._members[guild_id] = {}
            self._add_member_locked(guild_id, self.bot_user_id, [bot_role_id], None)
            for session in self._live_sessions():
                if session.ready and session.owns(guild_id):
                    self._emit_to(
                        session, "GUILD_CREATE", self._guild_create_payload(guild_id, session)
                    )
            return guild_id

    def _bot_role(self, role_id: int) -> Json:
        """The managed role Discord gives a bot in every guild it joins."""
        name = self._users[self.bot_user_id]["username"]
        return {
            **role_payload(role_id, name, Permission.EVERYONE, position=1),
            "managed": True,
            "tags": {"bot_id": str(self.bot_user_id)},
        }

    def add_role(self, guild_id: int, name: str, permissions: int = 0) -> int:
        """Create a role in a guild and return its id."""
        with self._lock:
            role_id = self._ids.next()
            roles = self._guilds[guild_id]["roles"]
            roles.append(role_payload(role_id, name, permissions, position=len(roles)))
            self._emit(
                "GUILD_ROLE_CREATE",
                {"guild_id": str(guild_id), "role": roles[-1]},
                guild_id=guild_id,
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
                guild_id=guild_id,
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
            channel = guild_channel_payload(
                channel_id,
                guild_id,
                name,
                type=type,
                position=position,
                parent_id=parent_id,
                topic=topic,
            )
            self._channels[channel_id] = channel
            self._messages[channel_id] = {}
            self._emit("CHANNEL_CREATE", channel, guild_id=guild_id, intent=Intents.GUILDS)
            return channel_id

    def _add_member_locked(
        self, guild_id: int, user_id: int, roles: list[int], nick: str | None
    ) -> None:
        self._members[guild_id][user_id] = member_payload(roles, nick)

    def _guild_create_payload(self, guild_id: int, session: Session) -> Json:
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
        guild.update(
            joined_at=members[self.bot_user_id]["joined_at"],
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

    def _guild_ids_for(self, session: Session) -> list[int]:
        """The guilds the bot is in whose events go to ``session``'s shard."""
        return [
            guild_id
            for guild_id in self._guilds
            if self.bot_user_id in self._members[guild_id] and session.owns(guild_id)
        ]

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
