"""What the gateway saw: connections, sessions per shard, and every dispatch they were sent.

``dispatches()`` answers "which shard got this event?"; the ``wait_until_*`` methods block
until sessions have really received their READY and GUILD_CREATEs.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from .dispatch import _Dispatcher
from .protocol import Json
from .records import Dispatch, GatewayConnection


class _GatewayLog(_Dispatcher):
    """Read-only views of gateway connections and sessions, and waits on them."""

    @property
    def connections(self) -> list[GatewayConnection]:
        """Snapshots of every gateway connection so far."""
        with self._lock:
            return [
                dataclasses.replace(c.info, received_ops=list(c.info.received_ops))
                for c in self._connections
            ]

    @property
    def identify_count(self) -> int:
        """How many IDENTIFYs succeeded."""
        with self._lock:
            return sum(1 for c in self._connections if c.info.kind == "identify")

    @property
    def resume_count(self) -> int:
        """How many RESUMEs succeeded."""
        with self._lock:
            return sum(1 for c in self._connections if c.info.kind == "resume")

    @property
    def presence_updates(self) -> list[Json]:
        """PRESENCE_UPDATE payloads the client sent."""
        with self._lock:
            return copy.deepcopy(self._presence_updates)

    def dispatches(
        self,
        event: str | None = None,
        *,
        shard_id: int | None = None,
        session_id: str | None = None,
    ) -> list[Dispatch]:
        """Dispatches queued so far, by session in IDENTIFY order, then by sequence.

        Filter by event name, by the receiving session's shard id (0 for clients that did
        not shard) or by session id. ``{d.shard_id for d in dispatches("MESSAGE_CREATE")}``
        tells which shards a message reached.
        """
        with self._lock:
            return [
                dispatch
                for session in self._sessions.values()
                if session_id is None or session.session_id == session_id
                if shard_id is None or session.shard_pair[0] == shard_id
                for dispatch in session.dispatches()
                if event is None or dispatch.event == event
            ]

    def wait_for_dispatch(
        self,
        event: str,
        predicate: Callable[[Dispatch], bool] | None = None,
        timeout: float = 5.0,
        *,
        shard_id: int | None = None,
    ) -> Dispatch:
        """Wait until a matching dispatch has been written to its session's connection."""

        def find() -> Dispatch | None:
            for dispatch in self.dispatches(event, shard_id=shard_id):
                if dispatch.sent and (predicate is None or predicate(dispatch)):
                    return dispatch
            return None

        return self.wait_until(find, timeout)

    def wait_until_identified(self, timeout: float = 10.0, *, count: int = 1) -> str:
        """Wait until ``count`` IDENTIFYs succeeded and READY + GUILD_CREATEs were written.

        Returns the latest session id.
        """

        def ready() -> str | None:
            sessions = [
                c.session for c in self._connections if c.info.kind == "identify" and c.session
            ]
            if len(sessions) < count:
                return None
            session = sessions[-1]
            written = session.conn is not None and session.cursor >= session.ready_seq
            return session.session_id if written else None

        return self.wait_until(ready, timeout)

    def wait_until_shards_ready(
        self, shard_count: int, shard_ids: Iterable[int] | None = None, timeout: float = 10.0
    ) -> dict[int, str]:
        """Wait until each shard (default: all ``shard_count``) has a connected, ready session.

        Ready means READY and the shard's GUILD_CREATEs were written. Returns the session
        id of each shard.
        """
        wanted = list(range(shard_count) if shard_ids is None else shard_ids)

        def ready() -> dict[int, str] | None:
            found: dict[int, str] = {}
            for session in self._live_sessions():
                if session.shard is None or session.shard[1] != shard_count:
                    continue
                if session.conn is not None and session.cursor >= session.ready_seq > 0:
                    found[session.shard[0]] = session.session_id
            return {s: found[s] for s in wanted} if all(s in found for s in wanted) else None

        return self.wait_until(ready, timeout)

    def wait_until_resumed(self, timeout: float = 10.0, *, count: int = 1) -> str:
        """Wait until ``count`` RESUMEs succeeded and the RESUMED dispatch was written."""

        def resumed() -> str | None:
            conns = [c for c in self._connections if c.info.kind == "resume" and c.session]
            if len(conns) < count:
                return None
            session = conns[-1].session
            assert session is not None
            done = session.conn is conns[-1] and session.cursor >= session.resumed_seq
            return session.session_id if done else None

        return self.wait_until(resumed, timeout)

    async def wait_for_dispatch_async(
        self, event: str, predicate: Callable[[Dispatch], bool] | None = None, **kwargs: Any
    ) -> Dispatch:
        """Async :meth:`wait_for_dispatch`."""
        return await asyncio.to_thread(lambda: self.wait_for_dispatch(event, predicate, **kwargs))

    async def wait_until_identified_async(self, timeout: float = 10.0, **kwargs: Any) -> str:
        """Async :meth:`wait_until_identified`."""
        return await asyncio.to_thread(lambda: self.wait_until_identified(timeout, **kwargs))

    async def wait_until_shards_ready_async(
        self, shard_count: int, shard_ids: Iterable[int] | None = None, timeout: float = 10.0
    ) -> dict[int, str]:
        """Async :meth:`wait_until_shards_ready`."""
        return await asyncio.to_thread(
            lambda: self.wait_until_shards_ready(shard_count, shard_ids, timeout)
        )

    async def wait_until_resumed_async(self, timeout: float = 10.0, **kwargs: Any) -> str:
        """Async :meth:`wait_until_resumed`."""
        return await asyncio.to_thread(lambda: self.wait_until_resumed(timeout, **kwargs))
