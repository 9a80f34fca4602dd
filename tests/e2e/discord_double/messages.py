"""Messages: creating, editing and deleting them, with mentions, replies and attachments.

Every path that makes a message (a user via the test, the bot via REST, an interaction
response) goes through here, so validation, storage and MESSAGE_* dispatches agree.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence

from .errors import DiscordAPIError
from .limits import validate_message_body
from .payloads import dm_channel_payload
from .protocol import ChannelType, Intents, InteractionType, Json, MessageFlag, now_iso
from .records import InteractionRecord, UploadedFile
from .world import _World

_USER_MENTION = re.compile(r"<@!?(\d{15,25})>")
_ROLE_MENTION = re.compile(r"<@&(\d{15,25})>")
_KEPT_FLAGS = (
    MessageFlag.SUPPRESS_EMBEDS
    | MessageFlag.EPHEMERAL
    | MessageFlag.SUPPRESS_NOTIFICATIONS
    | MessageFlag.IS_COMPONENTS_V2
)
_EDITABLE = ("content", "embeds", "components", "flags")


class _Messages(_World):
    """Message storage and the MESSAGE_CREATE/UPDATE/DELETE dispatches."""

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
        validate_message_body(
            body, n_files=len(files), require_something=not extra_flags & MessageFlag.LOADING
        )
        reference = body.get("message_reference")
        referenced = self._referenced_message(reference, channel_id)
        flags = int(body.get("flags") or 0) & _KEPT_FLAGS
        if interaction is None:
            flags &= ~MessageFlag.EPHEMERAL
        if message_type is None:
            message_type = 19 if referenced else 0
        message = self._new_message(
            channel_id, body, author_id, files, referenced, message_type, flags | extra_flags
        )
        if reference:
            self._link_reference(message, reference, referenced)
        if channel["type"] in ChannelType.THREADS:
            message["position"] = channel.get("total_message_sent", 0)
            channel["message_count"] = channel.get("message_count", 0) + 1
            channel["total_message_sent"] = channel.get("total_message_sent", 0) + 1
        if interaction is not None:
            self._mark_interaction_response(message, interaction)
        self._store_message(message, channel)
        return copy.deepcopy(message)

    def _referenced_message(self, reference: Json | None, channel_id: int) -> Json | None:
        """The message a reply points at (None for forwards or a missing, optional target)."""
        if not reference or reference.get("type", 0) != 0:
            return None
        try:
            return copy.deepcopy(
                self._message(
                    int(reference["message_id"]), int(reference.get("channel_id") or channel_id)
                )
            )
        except DiscordAPIError:
            if reference.get("fail_if_not_exists", True):
                raise DiscordAPIError.invalid_form(
                    "message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                ) from None
            return None

    def _new_message(
        self,
        channel_id: int,
        body: Json,
        author_id: int,
        files: Sequence[UploadedFile],
        referenced: Json | None,
        message_type: int,
        flags: int,
    ) -> Json:
        """The message object, with a fresh id and its attachments stored."""
        content = "" if body.get("content") is None else str(body["content"])
        mentions, mention_roles, mention_everyone = self._mentions(
            content, self._guild_of(channel_id), body.get("allowed_mentions"), referenced
        )
        message_id = self._ids.next()
        message: Json = {
            "type": message_type,
            "channel_id": str(channel_id),
            "content": content,
            "attachments": self._store_attachments(channel_id, body.get("attachments"), files),
            "embeds": [self._normalise_embed(e) for e in body.get("embeds") or []],
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "flags": flags,
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
        return message

    def _link_reference(self, message: Json, reference: Json, referenced: Json | None) -> None:
        guild_id = self._guild_of(int(message["channel_id"]))
        message["message_reference"] = {
            "type": reference.get("type", 0),
            "channel_id": message["channel_id"],
            "message_id": str(reference["message_id"]),
            **({"guild_id": str(guild_id)} if guild_id else {}),
        }
        message["referenced_message"] = referenced

    def _mark_interaction_response(self, message: Json, interaction: InteractionRecord) -> None:
        """Fields of a message sent as an interaction response or follow-up."""
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

    def _store_message(self, message: Json, channel: Json) -> None:
        channel_id, message_id = int(message["channel_id"]), int(message["id"])
        self._messages[channel_id][message_id] = message
        self._message_channel[message_id] = channel_id
        if "last_message_id" in channel or channel["type"] in ChannelType.THREADS:
            channel["last_message_id"] = str(message_id)
        if not message["flags"] & MessageFlag.EPHEMERAL:
            self._emit_message_event("MESSAGE_CREATE", message)
        self._changed.notify_all()

    def _emit_message_event(self, event: str, message: Json) -> None:
        """MESSAGE_CREATE/UPDATE to the sessions owning the message's guild (or shard 0)."""
        channel_id = int(message["channel_id"])
        self._emit(
            event,
            self._gateway_message(message),
            guild_id=self._guild_of(channel_id),
            intent=self._message_intent(channel_id),
            message=message,
        )

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

    def _edit_message(self, message: Json, body: Json, files: Sequence[UploadedFile]) -> Json:
        """Apply a message edit (content, embeds, components, attachments, flags)."""
        merged = {key: message.get(key) for key in _EDITABLE}
        merged.update({k: v for k, v in body.items() if k in _EDITABLE})
        merged["flags"] = int(merged.get("flags") or 0)
        validate_message_body(
            merged, n_files=len(files) + len(message["attachments"]), require_something=True
        )
        if "content" in body:
            message["content"] = "" if body["content"] is None else str(body["content"])
            message["mentions"], message["mention_roles"], message["mention_everyone"] = (
                self._mentions(
                    message["content"],
                    self._guild_of(int(message["channel_id"])),
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
            message["attachments"] = self._edited_attachments(message, body, files)
        message["flags"] &= ~MessageFlag.LOADING
        message["edited_timestamp"] = now_iso()
        if not message["flags"] & MessageFlag.EPHEMERAL:
            self._emit_message_event("MESSAGE_UPDATE", message)
        self._changed.notify_all()
        return copy.deepcopy(message)

    def _edited_attachments(
        self, message: Json, body: Json, files: Sequence[UploadedFile]
    ) -> list[Json]:
        """Attachments after an edit: those the body keeps, plus newly uploaded ones."""
        current_ids = {x["id"] for x in message["attachments"]}
        kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
        kept = (
            [a for a in message["attachments"] if a["id"] in kept_ids]
            if "attachments" in body
            else message["attachments"]
        )
        new = [a for a in body.get("attachments") or [] if str(a.get("id")) not in current_ids]
        return kept + self._store_attachments(int(message["channel_id"]), new, files)

    def _delete_message(self, message: Json) -> None:
        channel_id, message_id = int(message["channel_id"]), int(message["id"])
        del self._messages[channel_id][message_id]
        del self._message_channel[message_id]
        event: Json = {"id": str(message_id), "channel_id": str(channel_id)}
        guild_id = self._guild_of(channel_id)
        if guild_id is not None:
            event["guild_id"] = str(guild_id)
        if not message["flags"] & MessageFlag.EPHEMERAL:
            self._emit(
                "MESSAGE_DELETE",
                event,
                guild_id=guild_id,
                intent=self._message_intent(channel_id),
            )
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
        entries = declared or [{"id": key, "filename": f.filename} for key, f in by_index.items()]
        result = []
        for entry in entries:
            upload = by_index.get(str(entry.get("id")))
            if upload is None:
                continue
            filename = entry.get("filename") or upload.filename
            attachment = self._store_attachment(channel_id, filename, upload.data)
            attachment["content_type"] = upload.content_type
            if entry.get("description"):
                attachment["description"] = entry["description"]
            result.append(attachment)
        return result

    def _store_attachment(self, channel_id: int, filename: str, data: bytes) -> Json:
        """Keep an uploaded file and return its attachment object, served by the CDN route."""
        attachment_id = self._ids.next()
        self._attachments[attachment_id] = data
        url = f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{filename}"
        return {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": "application/octet-stream",
        }

    def _dm_channel_locked(self, user_id: int) -> int:
        channel_id = self._dm_channels.get(user_id)
        if channel_id is None:
            recipient = self._user(user_id)
            channel_id = self._ids.next()
            self._channels[channel_id] = dm_channel_payload(channel_id, recipient)
            self._messages[channel_id] = {}
            self._dm_channels[user_id] = channel_id
        return channel_id

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
