"""What a test asserts on: REST calls, stored messages and channels, interactions.

Reads take the state lock and return copies; ``wait_for_*`` block (``*_async`` twins wait in
a worker thread so the bot's loop keeps running).
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import re
from collections.abc import Callable
from typing import Any, TypeVar

from .dispatch import _Dispatcher
from .protocol import CallbackType, ChannelType, Json, MessageFlag
from .records import InteractionRecord, RestCall

T = TypeVar("T")


class _Inspection(_Dispatcher):
    """Read-only views of the REST log and the world."""

    channel_id: int

    def calls(
        self, method: str | None = None, path_pattern: str | None = None, route: str | None = None
    ) -> list[RestCall]:
        """REST calls so far, filtered by method, ``re.fullmatch`` on the path, or route template.

        ``route`` is e.g. ``"POST /channels/{channel_id}/messages"``.
        """
        with self._lock:
            return [c for c in self._calls if _call_matches(c, method, path_pattern, route)]

    def wait_for_call(
        self,
        predicate: Callable[[RestCall], bool] | None = None,
        timeout: float = 5.0,
        *,
        method: str | None = None,
        path_pattern: str | None = None,
        route: str | None = None,
        after: float | None = None,
    ) -> RestCall:
        """Wait for the first matching REST call received after ``after`` (a monotonic time)."""

        def find() -> RestCall | None:
            for call in self._calls:
                if (
                    (after is None or call.at >= after)
                    and _call_matches(call, method, path_pattern, route)
                    and (predicate is None or predicate(call))
                ):
                    return call
            return None

        return self.wait_until(find, timeout)

    def unknown_calls(self) -> list[RestCall]:
        """REST calls that matched no implemented route."""
        with self._lock:
            return [c for c in self._calls if c.route is None]

    def assert_no_unknown_routes(self) -> None:
        """Fail if the client called a route the double does not implement."""
        unknown = self.unknown_calls()
        assert not unknown, "unknown Discord routes: " + ", ".join(
            f"{c.method} {c.path}" for c in unknown
        )

    def messages(self, channel_id: int | None = None) -> list[Json]:
        """Messages currently in a channel (oldest first, edits applied, ephemeral included)."""
        with self._lock:
            return copy.deepcopy(
                list(self._messages.get(channel_id or self.channel_id, {}).values())
            )

    def message(self, message_id: int) -> Json:
        """One stored message (raises ``KeyError`` if unknown)."""
        with self._lock:
            channel_id = self._message_channel[message_id]
            return copy.deepcopy(self._messages[channel_id][message_id])

    def wait_for_message(
        self,
        predicate: Callable[[Json], bool] | None = None,
        timeout: float = 5.0,
        *,
        channel_id: int | None = None,
        author_id: int | None = None,
    ) -> Json:
        """Wait until a stored message matches (``author_id`` defaults to the bot)."""
        author = str(author_id or self.bot_user_id)

        def find() -> Json | None:
            channels = [channel_id] if channel_id is not None else list(self._messages)
            for cid in channels:
                for message in self._messages.get(cid, {}).values():
                    if message["author"]["id"] == author and (
                        predicate is None or predicate(message)
                    ):
                        return copy.deepcopy(message)
            return None

        return self.wait_until(find, timeout)

    def channel(self, channel_id: int) -> Json:
        """A channel (guild channel, thread or DM) as GET /channels/{id} would return it."""
        with self._lock:
            return self._channel_payload(channel_id)

    def threads(self, parent_id: int | None = None) -> list[Json]:
        """Threads, optionally only those under ``parent_id``."""
        with self._lock:
            return [
                self._channel_payload(cid)
                for cid, c in self._channels.items()
                if c["type"] in ChannelType.THREADS
                and (parent_id is None or c["parent_id"] == str(parent_id))
            ]

    def dm_channel_id(self, user_id: int) -> int | None:
        """The DM channel between the bot and ``user_id``, if one exists."""
        with self._lock:
            return self._dm_channels.get(user_id)

    def commands(self, guild_id: int | None = None) -> list[Json]:
        """Registered application commands (global when ``guild_id`` is None)."""
        with self._lock:
            return copy.deepcopy(self._commands.get(guild_id, []))

    def interaction(self, interaction_id: int) -> InteractionRecord:
        """A snapshot of an interaction record."""
        with self._lock:
            record = self._interactions[interaction_id]
            return dataclasses.replace(
                record,
                followup_message_ids=list(record.followup_message_ids),
                rejected_callbacks=list(record.rejected_callbacks),
                callback_data=copy.deepcopy(record.callback_data),
            )

    def wait_for_interaction_response(
        self, interaction_id: int, timeout: float = 5.0, *, followups: int = 0
    ) -> InteractionRecord:
        """Wait until the interaction is acknowledged (and has ``followups`` follow-ups).

        A deferred "thinking" response counts as complete only once its content arrived.
        Also returns if the bot's callback was rejected, so tests can assert on that.
        """

        def done() -> InteractionRecord | None:
            record = self._interactions[interaction_id]
            if record.rejected_callbacks:
                return self.interaction(interaction_id)
            if record.callback_type is None or len(record.followup_message_ids) < followups:
                return None
            if record.callback_type == CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE:
                original = self._messages[record.channel_id].get(record.original_message_id or 0)
                if original is not None and original["flags"] & MessageFlag.LOADING:
                    return None
            return self.interaction(interaction_id)

        return self.wait_until(done, timeout)

    # async twins, for tests running inside the bot's event loop

    async def wait_until_async(self, predicate: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Async :meth:`wait_until` (waits in a worker thread, the caller's loop keeps running)."""
        return await asyncio.to_thread(self.wait_until, predicate, timeout)

    async def wait_for_call_async(
        self,
        predicate: Callable[[RestCall], bool] | None = None,
        timeout: float = 5.0,
        **filters: Any,
    ) -> RestCall:
        """Async :meth:`wait_for_call`."""
        return await asyncio.to_thread(lambda: self.wait_for_call(predicate, timeout, **filters))

    async def wait_for_message_async(
        self, predicate: Callable[[Json], bool] | None = None, timeout: float = 5.0, **filters: Any
    ) -> Json:
        """Async :meth:`wait_for_message`."""
        return await asyncio.to_thread(lambda: self.wait_for_message(predicate, timeout, **filters))

    async def wait_for_interaction_response_async(
        self, interaction_id: int, timeout: float = 5.0, **kwargs: Any
    ) -> InteractionRecord:
        """Async :meth:`wait_for_interaction_response`."""
        return await asyncio.to_thread(
            lambda: self.wait_for_interaction_response(interaction_id, timeout, **kwargs)
        )


def _call_matches(
    call: RestCall, method: str | None, path_pattern: str | None, route: str | None
) -> bool:
    return (
        (method is None or call.method == method.upper())
        and (path_pattern is None or re.fullmatch(path_pattern, call.path) is not None)
        and (route is None or call.route == route)
    )
