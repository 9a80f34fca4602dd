"""REST routes about the bot itself: gateway discovery, users, the application, commands.

``GET /gateway/bot`` is what a sharded client asks for its shard count and gateway URL; it
answers the double's own gateway so such a client never needs ``DEFAULT_GATEWAY``.
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import DiscordAPIError, FormErrors
from .limits import validate_command, validate_command_list
from .messages import _Messages
from .protocol import Json, optional_snowflake
from .rest import RestRequest, Route

Answer = tuple[int, Any]
SESSION_STARTS_PER_DAY = 1000


class _AppRoutes(_Messages):
    """Handlers for ``/gateway``, ``/users``, ``/applications`` and ``/oauth2``."""

    def _app_routes(self) -> list[Route]:
        return [
            Route("GET", "/gateway", self._get_gateway, auth=False),
            Route("GET", "/gateway/bot", self._get_gateway_bot),
            Route("GET", "/users/@me", self._get_me),
            Route("GET", "/users/{user_id}", self._get_user),
            Route("POST", "/users/@me/channels", self._create_dm),
            Route("GET", "/oauth2/applications/@me", self._get_application),
            Route("GET", "/applications/@me", self._get_application),
            *self._command_routes("/applications/{application_id}/commands"),
            *self._command_routes("/applications/{application_id}/guilds/{guild_id}/commands"),
        ]

    def _command_routes(self, base: str) -> list[Route]:
        """The same six routes for global commands and for one guild's commands."""
        command = base + "/{command_id}"
        return [
            Route("GET", base, self._list_commands),
            Route("PUT", base, self._overwrite_commands),
            Route("POST", base, self._upsert_command),
            Route("GET", command, self._get_command),
            Route("PATCH", command, self._edit_command),
            Route("DELETE", command, self._delete_command),
        ]

    # gateway, users, application

    def _get_gateway(self, r: RestRequest) -> Answer:
        return 200, {"url": self.gateway_url}

    def _get_gateway_bot(self, r: RestRequest) -> Answer:
        identified = sum(1 for c in self._connections if c.info.kind == "identify")
        return 200, {
            "url": self.gateway_url,
            "shards": max(self.recommended_shards, self.required_shards),
            "session_start_limit": {
                "total": SESSION_STARTS_PER_DAY,
                "remaining": max(0, SESSION_STARTS_PER_DAY - identified),
                "reset_after": 0,
                "max_concurrency": 1,
            },
        }

    def _get_me(self, r: RestRequest) -> Answer:
        return 200, {
            **self._user(self.bot_user_id),
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
            "premium_type": 0,
            "bio": "",
        }

    def _get_user(self, r: RestRequest) -> Answer:
        return 200, self._user(r.id("user_id"))

    def _get_application(self, r: RestRequest) -> Answer:
        return 200, self._application_payload()

    def _create_dm(self, r: RestRequest) -> Answer:
        recipient = optional_snowflake(r.json().get("recipient_id"))
        if recipient is None:
            raise DiscordAPIError.invalid_form(
                "recipient_id", "BASE_TYPE_REQUIRED", "This field is required"
            )
        return 200, self._channel_payload(self._dm_channel_locked(recipient))

    # application commands

    def _command_scope(self, r: RestRequest) -> int | None:
        if r.id("application_id") != self.application_id:
            raise DiscordAPIError(403, 50001, "Missing Access")
        if "guild_id" not in r.params:
            return None
        guild_id = r.id("guild_id")
        if guild_id not in self._guilds:
            raise DiscordAPIError(403, 50001, "Missing Access")
        return guild_id

    def _list_commands(self, r: RestRequest) -> Answer:
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

    def _overwrite_commands(self, r: RestRequest) -> Answer:
        scope = self._command_scope(r)
        definitions = r.body if isinstance(r.body, list) else []
        validate_command_list(definitions)
        existing = self._commands.get(scope, [])
        self._commands[scope] = [self._build_command(d, scope, existing) for d in definitions]
        self._changed.notify_all()
        return 200, copy.deepcopy(self._commands[scope])

    def _upsert_command(self, r: RestRequest) -> Answer:
        scope = self._command_scope(r)
        definition = r.json()
        errors = FormErrors()
        validate_command(definition, (), errors)
        errors.raise_if_any()
        existing = self._commands.setdefault(scope, [])
        command = self._build_command(definition, scope, existing)
        replaced = [c for c in existing if c["id"] == command["id"]]
        self._commands[scope] = [c for c in existing if c["id"] != command["id"]] + [command]
        self._changed.notify_all()
        return (200 if replaced else 201), copy.deepcopy(command)

    def _find_command_by_id(self, r: RestRequest) -> tuple[int | None, Json]:
        scope = self._command_scope(r)
        command_id = r.params["command_id"]
        for command in self._commands.get(scope, []):
            if command["id"] == command_id:
                return scope, command
        raise DiscordAPIError.unknown("application command")

    def _get_command(self, r: RestRequest) -> Answer:
        return 200, copy.deepcopy(self._find_command_by_id(r)[1])

    def _edit_command(self, r: RestRequest) -> Answer:
        _, command = self._find_command_by_id(r)
        updated = {**command, **r.json()}
        errors = FormErrors()
        validate_command(updated, (), errors)
        errors.raise_if_any()
        command.update(r.json(), version=str(self._ids.next()))
        self._changed.notify_all()
        return 200, copy.deepcopy(command)

    def _delete_command(self, r: RestRequest) -> Answer:
        scope, command = self._find_command_by_id(r)
        self._commands[scope] = [c for c in self._commands[scope] if c is not command]
        self._changed.notify_all()
        return 204, None
