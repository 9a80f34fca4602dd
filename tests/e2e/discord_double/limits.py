"""Discord's limits on messages, components, threads and commands, refused as Discord does.

A bot that passes here would pass on Discord: every check answers 400/50035 ``Invalid Form
Body`` with the ``errors`` tree naming the field (empty messages: 50006).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .errors import DiscordAPIError, FormErrors
from .protocol import Json, MessageFlag, OptionType

_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")
_SELECT_MENUS = (3, 5, 6, 7, 8)
_ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)

Path = tuple[str | int, ...]


def validate_message_body(body: Json, *, n_files: int, require_something: bool) -> None:
    """Validate a message create/edit body like Discord: form errors, then emptiness."""
    errors = FormErrors()
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


def validate_component(component: Json, path: Path, errors: FormErrors) -> None:
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
    elif kind in _SELECT_MENUS:
        errors.max_length((*path, "placeholder"), component.get("placeholder"), 150)
        errors.max_length((*path, "options"), component.get("options"), 25)
    elif kind == 4:  # text input (modals)
        errors.length_between((*path, "label"), component.get("label"), 1, 45)


def validate_modal(data: Json) -> None:
    """Limits of a MODAL interaction callback (title, custom_id, up to 5 rows)."""
    errors = FormErrors()
    errors.length_between(("data", "title"), data.get("title") or "", 1, 45)
    errors.length_between(("data", "custom_id"), data.get("custom_id") or "", 1, 100)
    errors.length_between(("data", "components"), data.get("components") or [], 1, 5)
    for i, row in enumerate(data.get("components") or []):
        for j, child in enumerate(row.get("components") or []):
            validate_component(child, ("data", "components", i, "components", j), errors)
    errors.raise_if_any()


def validate_autocomplete(data: Json) -> None:
    """An autocomplete result offers at most 25 choices."""
    errors = FormErrors()
    errors.max_length(("data", "choices"), data.get("choices"), 25)
    errors.raise_if_any()


def validate_thread(body: Json, default_archive: int | None) -> int:
    """Validate a thread creation body; returns its auto-archive duration in minutes."""
    errors = FormErrors()
    errors.length_between(("name",), body.get("name") or "", 1, 100)
    archive = body.get("auto_archive_duration") or default_archive or 1440
    if archive not in _ARCHIVE_DURATIONS:
        errors.add(
            ("auto_archive_duration",),
            "BASE_TYPE_CHOICES",
            "Value must be one of {60, 1440, 4320, 10080}.",
        )
    errors.raise_if_any()
    return int(archive)


def validate_command(command: Json, path: Path, errors: FormErrors) -> None:
    """Validate one application command definition (names, descriptions, options)."""
    kind = int(command.get("type") or 1)
    name = command.get("name") or ""
    if kind == 1:
        if not _valid_name(name):
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
        seen_optional = _validate_option(option, (*path, "options", i), seen_optional, errors)


def validate_command_list(definitions: list[Json]) -> None:
    """Validate a bulk overwrite: each command, at most 100 slash commands, unique names."""
    errors = FormErrors()
    errors.max_length((), [d for d in definitions if int(d.get("type") or 1) == 1], 100)
    seen: set[tuple[int, str]] = set()
    for i, definition in enumerate(definitions):
        validate_command(definition, (i,), errors)
        key = (int(definition.get("type") or 1), definition.get("name") or "")
        if key in seen:
            errors.add(
                (i, "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                "Application command names must be unique",
            )
        seen.add(key)
    errors.raise_if_any()


def _valid_name(name: str) -> bool:
    return bool(_COMMAND_NAME.match(name)) and name == name.lower()


def _validate_option(option: Json, path: Path, seen_optional: bool, errors: FormErrors) -> bool:
    """Validate one command option; returns whether an optional option has been seen."""
    if not _valid_name(option.get("name") or ""):
        errors.add((*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    errors.length_between((*path, "description"), option.get("description") or "", 1, 100)
    errors.max_length((*path, "choices"), option.get("choices"), 25)
    if option.get("type") in (OptionType.SUB_COMMAND, OptionType.SUB_COMMAND_GROUP):
        validate_command({**option, "type": 1}, path, errors)
    elif option.get("required"):
        if seen_optional:
            errors.add(
                (*path, "required"),
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                "Required options must be placed before non-required options",
            )
    else:
        return True
    return seen_optional


def _embed_text_length(embed: Json) -> int:
    """Characters that count towards the 6000-character limit of a message's embeds."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for item in embed.get("fields") or []:
        total += len(item.get("name") or "") + len(item.get("value") or "")
    return total


def _validate_embeds(embeds: Any, errors: FormErrors) -> None:
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


def _validate_components(components: Any, flags: int, errors: FormErrors) -> None:
    """Apply Discord's component limits (action rows for classic messages)."""
    if not isinstance(components, list):
        errors.add(
            ("components",), "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType."
        )
        return
    _check_unique_custom_ids(components, errors)
    if flags & MessageFlag.IS_COMPONENTS_V2:
        _validate_components_v2(components, errors)
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
        _validate_action_row(row, ("components", i, "components"), errors)


def _validate_action_row(row: Json, path: Path, errors: FormErrors) -> None:
    """One to five buttons, or a single select menu."""
    children = row.get("components") or []
    errors.length_between(path, children, 1, 5)
    for j, child in enumerate(children):
        validate_component(child, (*path, j), errors)
        if child.get("type") in _SELECT_MENUS and len(children) > 1:
            errors.add(
                path,
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )


def _walk_components(items: list[Json], path: Path) -> Iterator[tuple[Json, Path]]:
    """Every component of a tree with its path, parents before children."""
    for i, item in enumerate(items):
        yield item, (*path, i)
        yield from _walk_components(item.get("components") or [], (*path, i, "components"))


def _validate_components_v2(components: list[Json], errors: FormErrors) -> None:
    """Components V2: up to 40 components in total; only identifier limits are checked."""
    found = list(_walk_components(components, ("components",)))
    if len(found) > 40:
        errors.add(("components",), "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.")
    for item, path in found:
        if item.get("type") != 1:
            validate_component(item, path, errors)


def _check_unique_custom_ids(components: list[Json], errors: FormErrors) -> None:
    """custom_id must be unique among a message's components."""
    seen: set[str] = set()
    for item, path in _walk_components(components, ("components",)):
        custom_id = item.get("custom_id")
        if custom_id is None:
            continue
        if custom_id in seen:
            errors.add(
                (*path, "custom_id"),
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        seen.add(custom_id)
