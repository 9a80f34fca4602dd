"""Errors the double answers with, shaped like Discord's JSON error bodies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .protocol import Json

_UNKNOWN_CODES = {
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
        return cls(404, _UNKNOWN_CODES[what], f"Unknown {what}")


class FormErrors:
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
