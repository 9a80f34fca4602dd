"""Gateway sessions and what is dispatched to them: backlogs, intents, and shard routing.

As on Discord, a session identified with ``shard: [shard_id, shard_count]`` only receives
the events of guilds with ``(guild_id >> 22) % shard_count == shard_id``; DMs go to shard
0. A session without ``shard`` is shard 0 of 1 and so receives everything.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from .protocol import Intents, Json, Op
from .records import Dispatch
from .snowflakes import shard_of
from .state import _State
from .transport import LiveConnection


@dataclass
class Session:
    """A gateway session: its dispatch backlog survives reconnects so RESUME can replay it."""

    session_id: str
    intents: int
    shard: tuple[int, int] | None = None
    """``(shard_id, shard_count)`` from IDENTIFY; None if the client did not shard."""
    frames: list[Json] = field(default_factory=list)
    """Dispatch frames in sequence order; frame with seq ``n`` is ``frames[n - 1]``."""
    cursor: int = 0
    """Sequence number of the last frame written to the current connection."""
    conn: LiveConnection | None = None
    ended: bool = False
    resumes: int = 0
    ready: bool = False
    ready_seq: int = 0
    """Sequence of the last initial frame (READY + GUILD_CREATEs)."""
    resumed_seq: int = 0
    """Sequence of the latest RESUMED frame."""

    @property
    def shard_pair(self) -> tuple[int, int]:
        """``(shard_id, shard_count)``, ``(0, 1)`` for a client that did not shard."""
        return self.shard or (0, 1)

    def owns(self, guild_id: int | None) -> bool:
        """Whether this session receives the events of ``guild_id`` (None: a DM)."""
        shard_id, shard_count = self.shard_pair
        if guild_id is None:
            return shard_id == 0
        return shard_of(guild_id, shard_count) == shard_id

    def dispatches(self) -> list[Dispatch]:
        """The session's backlog as records."""
        return [
            Dispatch(
                session_id=self.session_id,
                shard=self.shard_pair,
                seq=frame["s"],
                event=frame["t"],
                data=copy.deepcopy(frame["d"]),
                sent=frame["s"] <= self.cursor,
            )
            for frame in self.frames
        ]


class _Dispatcher(_State):
    """Queues dispatches for the sessions that should get them and wakes their pumps."""

    def _live_sessions(self) -> list[Session]:
        return [s for s in self._sessions.values() if not s.ended]

    def _emit(
        self,
        event: str,
        data: Json,
        *,
        guild_id: int | None,
        intent: int | None = None,
        message: Json | None = None,
    ) -> None:
        """Queue a dispatch for every live session owning ``guild_id`` that asked for ``intent``.

        ``guild_id`` None means a DM (shard 0 only). ``message`` marks a message event whose
        content Discord hides from sessions without MESSAGE_CONTENT (unless the bot wrote
        it, is mentioned, or it is a DM).
        """
        with self._lock:
            for session in self._live_sessions():
                if session.owns(guild_id):
                    self._queue(session, event, data, intent=intent, message=message)
            self._changed.notify_all()

    def _emit_to(
        self, session: Session, event: str, data: Json, *, intent: int | None = None
    ) -> None:
        """Queue a dispatch for one session (READY, GUILD_CREATE, RESUMED, member chunks)."""
        with self._lock:
            self._queue(session, event, data, intent=intent, message=None)
            self._changed.notify_all()

    def _queue(
        self, session: Session, event: str, data: Json, *, intent: int | None, message: Json | None
    ) -> None:
        if intent is not None and not session.intents & intent:
            return
        payload = copy.deepcopy(data)
        hidden = message is not None and not self._content_visible(message)
        if hidden and not session.intents & Intents.MESSAGE_CONTENT:
            self._strip_content(payload)
        frame = {"op": Op.DISPATCH, "t": event, "s": len(session.frames) + 1, "d": payload}
        session.frames.append(frame)
        if session.conn is not None:
            self._wake(session.conn)

    def _wake(self, conn: LiveConnection) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(conn.wakeup.set)
