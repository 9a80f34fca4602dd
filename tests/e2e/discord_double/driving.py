"""Driving the bot as its users would: posting messages and starting interactions.

These are the test's levers. They never block, are safe from any thread, and dispatch to
the session (shard) that owns the channel's guild, or to shard 0 for DMs.
"""

from __future__ import annotations

import copy
import dataclasses
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any

from .options import _Options
from .protocol import ATTACHMENT_SIZE_LIMIT, InteractionType, Json, Permission
from .records import InteractionRecord


class _Driving(_Options):
    """``dispatch_*``: what users do, as MESSAGE_CREATE and INTERACTION_CREATE dispatches."""

    channel_id: int
    user_id: int

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
            data = self._command_data(name, dict(options or {}), self._guild_of(channel_id))
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
            component = _find_component(message.get("components") or [], custom_id)
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
            payload.update(self._guild_context(guild_id, user_id, channel))
        else:
            payload.update(self._dm_context(user_id))
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
        self._emit("INTERACTION_CREATE", payload, guild_id=guild_id)
        return dataclasses.replace(record, followup_message_ids=[], rejected_callbacks=[])

    def _guild_context(self, guild_id: int, user_id: int, channel: Json) -> Json:
        """Interaction fields for a guild: member, permissions (also set on ``channel``)."""
        if user_id not in self._members[guild_id]:
            raise LookupError(f"user {user_id} is not a member of guild {guild_id}")
        permissions = str(self._permissions(guild_id, user_id))
        channel["permissions"] = permissions
        return {
            "guild_id": str(guild_id),
            "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
            "guild_locale": "en-US",
            "member": {**self._member_payload(guild_id, user_id), "permissions": permissions},
            "app_permissions": str(self._permissions(guild_id, self.bot_user_id)),
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,
        }

    def _dm_context(self, user_id: int) -> Json:
        """Interaction fields for a DM with the bot."""
        return {
            "user": self._user(user_id),
            "app_permissions": str(Permission.EVERYONE),
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,
        }


def _find_component(components: list[Json], custom_id: str) -> Json | None:
    for component in components:
        if component.get("custom_id") == custom_id:
            return component
        found = _find_component(component.get("components") or [], custom_id)
        if found is not None:
            return found
    return None
