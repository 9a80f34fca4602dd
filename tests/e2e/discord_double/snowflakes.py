"""Snowflake ids with Discord's layout, and the shard a guild id belongs to.

Sharding is decided by the id alone (``(guild_id >> 22) % shard_count``), so a test that
wants a guild on a given shard needs an id chosen for it.
"""

from __future__ import annotations

import threading
import time

from .protocol import DISCORD_EPOCH_MS


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that receives a guild's events, as Discord computes it."""
    return (guild_id >> 22) % shard_count


class SnowflakeGenerator:
    """Generates increasing snowflakes (ms since 2015 << 22 | counter), thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def next(self) -> int:
        """Return a fresh snowflake, strictly greater than the previous one."""
        with self._lock:
            self._last = max(self._now(), self._last + 1)
            return self._last

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """Return a fresh snowflake ``s`` with ``shard_of(s, shard_count) == shard_id``.

        The timestamp part moves at most ``shard_count - 1`` ms into the future.
        """
        if not 0 <= shard_id < shard_count:
            raise ValueError(f"shard {shard_id} does not exist among {shard_count} shards")
        with self._lock:
            candidate = max(self._now(), self._last + 1)
            timestamp = candidate >> 22
            skip = (shard_id - timestamp) % shard_count
            self._last = candidate if skip == 0 else (timestamp + skip) << 22
            return self._last

    @staticmethod
    def _now() -> int:
        return (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
