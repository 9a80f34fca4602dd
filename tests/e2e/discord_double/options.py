"""Slash-command invocations as Discord builds them: subcommands, typed options, ``resolved``.

A test names a command and gives Python values; this turns them into the ``data`` of an
APPLICATION_COMMAND interaction using the options the bot registered.
"""

from __future__ import annotations

import copy
from typing import Any

from .messages import _Messages
from .protocol import ATTACHMENT_SIZE_LIMIT, Json, OptionType, Permission

_BY_ID = (OptionType.USER, OptionType.CHANNEL, OptionType.ROLE, OptionType.MENTIONABLE)
_SUBCOMMANDS = (OptionType.SUB_COMMAND, OptionType.SUB_COMMAND_GROUP)


class _Options(_Messages):
    """Builds application command interaction data from registered commands."""

    def _command_data(self, name: str, options: dict[str, Any], guild_id: int | None) -> Json:
        """The ``data`` of an APPLICATION_COMMAND interaction for ``/name options``."""
        parts = name.split()
        command = self._find_command(parts[0], guild_id)
        data: Json = {"id": command["id"], "name": command["name"], "type": command.get("type", 1)}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        resolved: Json = {}
        schema: list[Json] = command.get("options") or []
        target = data
        for sub in parts[1:]:
            option = next(
                (o for o in schema if o["name"] == sub and o["type"] in _SUBCOMMANDS), None
            )
            if option is None:
                raise LookupError(f"/{parts[0]} has no subcommand {sub!r}")
            nested: Json = {"name": sub, "type": option["type"]}
            target.setdefault("options", []).append(nested)
            target, schema = nested, option.get("options") or []
        converted = self._convert_options(schema, options, guild_id, resolved)
        if converted:
            target.setdefault("options", []).extend(converted)
        if resolved:
            data["resolved"] = resolved
        return data

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
            value = self._convert_value(kind, value, guild_id, resolved)
            choices = option.get("choices")
            if choices and value not in [c["value"] for c in choices]:
                raise LookupError(f"{value!r} is not one of the choices of option {key!r}")
            result.append({"name": key, "type": kind, "value": value})
        return result

    def _convert_value(self, kind: int, value: Any, guild_id: int | None, resolved: Json) -> Any:
        """One option value as Discord sends it; objects given by id go into ``resolved``."""
        if kind == OptionType.STRING:
            return str(value)
        if kind == OptionType.INTEGER:
            return int(value)
        if kind == OptionType.NUMBER:
            return float(value)
        if kind == OptionType.BOOLEAN:
            return bool(value)
        if kind in _BY_ID:
            self._resolve_option(kind, int(value), guild_id, resolved)
            return str(int(value))
        if kind == OptionType.ATTACHMENT:
            filename, data = value  # what the person uploads: (file name, bytes)
            attachment = self._upload_for_command(str(filename), bytes(data))
            resolved.setdefault("attachments", {})[attachment["id"]] = attachment
            return attachment["id"]
        raise NotImplementedError(f"option type {kind} is not supported by the double")

    def _upload_for_command(self, filename: str, data: bytes) -> Json:
        """A file a person attached to a slash command: stored, served from the CDN route."""
        if len(data) > ATTACHMENT_SIZE_LIMIT:
            raise ValueError(f"{filename} is over Discord's upload limit")
        return self._store_attachment(0, filename, data)

    def _resolve_option(self, kind: int, target: int, guild_id: int | None, resolved: Json) -> None:
        if target in self._users and kind in (OptionType.USER, OptionType.MENTIONABLE):
            resolved.setdefault("users", {})[str(target)] = self._user(target)
            if guild_id is not None and target in self._members[guild_id]:
                member = self._member_payload(guild_id, target, with_user=False)
                member["permissions"] = str(self._permissions(guild_id, target))
                resolved.setdefault("members", {})[str(target)] = member
        elif target in self._channels and kind == OptionType.CHANNEL:
            channel = self._channel_payload(target)
            channel["permissions"] = str(Permission.EVERYONE)
            resolved.setdefault("channels", {})[str(target)] = channel
        elif guild_id is not None and kind in (OptionType.ROLE, OptionType.MENTIONABLE):
            role = next(
                (r for r in self._guilds[guild_id]["roles"] if r["id"] == str(target)), None
            )
            if role is None:
                raise LookupError(f"unknown role {target}")
            resolved.setdefault("roles", {})[str(target)] = copy.deepcopy(role)
        else:
            raise LookupError(f"option value {target} does not resolve to a known object")
