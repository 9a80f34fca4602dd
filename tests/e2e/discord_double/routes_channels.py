"""REST routes for channels, messages, threads, reactions, typing and guilds.

What a bot does in a channel; each handler runs under the state lock and dispatches the
events Discord would (to the sessions owning the channel's guild).
"""

from __future__ import annotations

import copy
import time
from typing import Any

from .errors import DiscordAPIError
from .limits import validate_thread
from .messages import _Messages
from .payloads import thread_payload
from .protocol import ChannelType, Intents, Json, MessageFlag, now_iso
from .rest import RestRequest, Route

Answer = tuple[int, Any]


class _ChannelRoutes(_Messages):
    """Handlers for ``/channels/…`` and ``/guilds/…``."""

    def _channel_routes(self) -> list[Route]:
        message = "/channels/{channel_id}/messages/{message_id}"
        return [
            Route("GET", "/channels/{channel_id}", self._get_channel),
            Route("GET", "/channels/{channel_id}/messages", self._list_messages),
            Route("POST", "/channels/{channel_id}/messages", self._post_message),
            Route("GET", message, self._get_message),
            Route("PATCH", message, self._patch_message),
            Route("DELETE", message, self._remove_message),
            Route("POST", f"{message}/threads", self._thread_from_message),
            Route("POST", "/channels/{channel_id}/threads", self._thread_without_message),
            Route("PUT", "/channels/{channel_id}/thread-members/@me", self._join_thread),
            Route("DELETE", "/channels/{channel_id}/thread-members/@me", self._leave_thread),
            Route("PUT", f"{message}/reactions/{{emoji}}/@me", self._add_reaction),
            Route("DELETE", f"{message}/reactions/{{emoji}}/{{user_id}}", self._remove_reaction),
            Route("POST", "/channels/{channel_id}/typing", self._typing),
            Route("GET", "/guilds/{guild_id}", self._get_guild),
            Route("GET", "/guilds/{guild_id}/channels", self._get_guild_channels),
            Route("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member),
            Route("GET", "/guilds/{guild_id}/roles", self._get_roles),
        ]

    # channels and messages

    def _get_channel(self, r: RestRequest) -> Answer:
        return 200, self._channel_payload(r.id("channel_id"))

    def _list_messages(self, r: RestRequest) -> Answer:
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

    def _post_message(self, r: RestRequest) -> Answer:
        return 200, self._create_message(
            r.id("channel_id"), r.json(), author_id=self.bot_user_id, files=r.files
        )

    def _get_message(self, r: RestRequest) -> Answer:
        return 200, self._visible(self._message(r.id("message_id"), r.id("channel_id")))

    def _patch_message(self, r: RestRequest) -> Answer:
        message = self._message(r.id("message_id"), r.id("channel_id"))
        if int(message["author"]["id"]) != self.bot_user_id:
            raise DiscordAPIError(403, 50005, "Cannot edit a message authored by another user")
        return 200, self._edit_message(message, r.json(), r.files)

    def _remove_message(self, r: RestRequest) -> Answer:
        self._delete_message(self._message(r.id("message_id"), r.id("channel_id")))
        return 204, None

    # threads

    def _thread_from_message(self, r: RestRequest) -> Answer:
        starter = self._message(r.id("message_id"), r.id("channel_id"))
        return 201, self._create_thread(r.id("channel_id"), r.json(), starter=starter)

    def _thread_without_message(self, r: RestRequest) -> Answer:
        return 201, self._create_thread(r.id("channel_id"), r.json(), starter=None)

    def _create_thread(self, parent_id: int, body: Json, *, starter: Json | None) -> Json:
        """Create a thread (THREAD_CREATE; MESSAGE_UPDATE of the starter message)."""
        parent = self._channel(parent_id)
        if parent["type"] not in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT):
            raise DiscordAPIError(400, 50024, "Cannot execute action on this channel type")
        archive = validate_thread(body, parent.get("default_auto_archive_duration"))
        thread_id, kind = self._new_thread_identity(parent, body, starter)
        thread = thread_payload(
            thread_id, kind, parent, body, owner_id=self.bot_user_id, archive=archive
        )
        self._channels[thread_id] = thread
        self._messages[thread_id] = {}
        joined_at = thread["thread_metadata"]["create_timestamp"]
        self._thread_members[thread_id] = {self.bot_user_id: joined_at}
        self._emit(
            "THREAD_CREATE",
            {**self._channel_payload(thread_id), "newly_created": True},
            guild_id=int(parent["guild_id"]),
            intent=Intents.GUILDS,
        )
        if starter is not None:
            starter["thread"] = self._channel_payload(thread_id)
            self._emit_message_event("MESSAGE_UPDATE", starter)
        self._changed.notify_all()
        return self._channel_payload(thread_id)

    def _new_thread_identity(
        self, parent: Json, body: Json, starter: Json | None
    ) -> tuple[int, int]:
        """Id and type of a new thread: a thread started from a message shares its id."""
        if starter is None:
            thread_id = self._ids.next()
            kind = int(body.get("type") or ChannelType.PRIVATE_THREAD)
            if kind not in ChannelType.THREADS:
                raise DiscordAPIError.invalid_form(
                    "type", "BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}."
                )
            return thread_id, kind
        if starter.get("thread"):
            raise DiscordAPIError(400, 160004, "A thread has already been created for this message")
        if parent["type"] == ChannelType.GUILD_ANNOUNCEMENT:
            return int(starter["id"]), ChannelType.ANNOUNCEMENT_THREAD
        return int(starter["id"]), ChannelType.PUBLIC_THREAD

    def _thread_id(self, r: RestRequest) -> int:
        """The path's channel, which must be a thread."""
        thread_id = r.id("channel_id")
        if self._channel(thread_id)["type"] not in ChannelType.THREADS:
            raise DiscordAPIError(400, 50024, "Cannot execute action on this channel type")
        return thread_id

    def _join_thread(self, r: RestRequest) -> Answer:
        thread_id = self._thread_id(r)
        joined = self._thread_members[thread_id]
        if self.bot_user_id not in joined:
            joined[self.bot_user_id] = now_iso()
            guild_id = self._channels[thread_id]["guild_id"]
            self._emit(
                "THREAD_MEMBER_UPDATE",
                {
                    "id": str(thread_id),
                    "user_id": str(self.bot_user_id),
                    "join_timestamp": joined[self.bot_user_id],
                    "flags": 0,
                    "guild_id": guild_id,
                },
                guild_id=int(guild_id),
                intent=Intents.GUILDS,
            )
        self._changed.notify_all()
        return 204, None

    def _leave_thread(self, r: RestRequest) -> Answer:
        self._thread_members[self._thread_id(r)].pop(self.bot_user_id, None)
        self._changed.notify_all()
        return 204, None

    # reactions and typing

    @staticmethod
    def _emoji(raw: str) -> Json:
        name, _, emoji_id = raw.partition(":")
        return {"id": emoji_id or None, "name": name}

    def _add_reaction(self, r: RestRequest) -> Answer:
        message = self._message(r.id("message_id"), r.id("channel_id"))
        emoji = r.params["emoji"]
        if ":" in emoji:
            raise DiscordAPIError.unknown("Emoji")  # the double's guilds have no custom emojis
        self._set_reaction(message, emoji, self.bot_user_id, add=True)
        return 204, None

    def _remove_reaction(self, r: RestRequest) -> Answer:
        message = self._message(r.id("message_id"), r.id("channel_id"))
        user_id = self.bot_user_id if r.params["user_id"] == "@me" else r.id("user_id")
        self._set_reaction(message, r.params["emoji"], user_id, add=False)
        return 204, None

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
        self._emit_reaction(message, emoji_raw, user_id, add)
        self._changed.notify_all()

    def _emit_reaction(self, message: Json, emoji_raw: str, user_id: int, add: bool) -> None:
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
        event_name = "MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE"
        self._emit(event_name, event, guild_id=guild_id, intent=intent)

    def _typing(self, r: RestRequest) -> Answer:
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
        self._emit("TYPING_START", event, guild_id=guild_id, intent=intent)
        return 204, None

    # guilds

    def _guild(self, r: RestRequest) -> int:
        guild_id = r.id("guild_id")
        if guild_id not in self._guilds:
            raise DiscordAPIError.unknown("Guild")
        return guild_id

    def _get_guild(self, r: RestRequest) -> Answer:
        return 200, copy.deepcopy(self._guilds[self._guild(r)])

    def _get_guild_channels(self, r: RestRequest) -> Answer:
        guild_id = self._guild(r)
        return 200, [
            self._channel_payload(cid)
            for cid, c in self._channels.items()
            if c.get("guild_id") == str(guild_id) and c["type"] not in ChannelType.THREADS
        ]

    def _get_member(self, r: RestRequest) -> Answer:
        return 200, self._member_payload(self._guild(r), r.id("user_id"))

    def _get_roles(self, r: RestRequest) -> Answer:
        return 200, copy.deepcopy(self._guilds[self._guild(r)]["roles"])
