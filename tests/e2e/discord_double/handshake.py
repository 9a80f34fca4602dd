"""Starting and continuing gateway sessions: IDENTIFY (with shards), RESUME, member requests.

IDENTIFY is refused with Discord's close codes: 4004 bad token, 4013/4014 intents, 4010 an
invalid shard or a shard count that differs from the bot's other connected sessions, 4011
fewer shards than ``required_shards``.
"""

from __future__ import annotations

import secrets
from typing import Any

from .dispatch import Session
from .payloads import ready_payload
from .protocol import TRACE, CloseCode, Intents, Json, Op
from .transport import LiveConnection
from .world import _World

Refusal = tuple[int, bytes]


def parse_shard(shard: Any) -> tuple[int, int] | None:
    """``(shard_id, shard_count)`` from IDENTIFY's ``shard``; None if it is not a valid pair."""
    if not isinstance(shard, list | tuple) or len(shard) != 2:
        return None
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in shard):
        return None
    shard_id, shard_count = shard
    return (shard_id, shard_count) if 0 <= shard_id < shard_count else None


class _Handshake(_World):
    """Gateway opcodes that create, resume or query a session."""

    async def _identify(self, conn: LiveConnection, data: Json) -> None:
        refusal = self._identify_refusal(conn, data)
        if refusal is not None:
            await conn.close(*refusal)
            return
        shard = data.get("shard")
        with self._lock:
            session = Session(
                session_id=secrets.token_hex(16),
                intents=int(data.get("intents", 0)),
                shard=None if shard is None else parse_shard(shard),
            )
            self._sessions[session.session_id] = session
            conn.session = session
            conn.info.kind = "identify"
            conn.info.session_id = session.session_id
            conn.info.identify = {k: v for k, v in data.items() if k != "token"}
            self._queue_initial_dispatches(session)
            session.ready = True
            session.ready_seq = len(session.frames)
            session.conn = conn
            self._wake(conn)
            self._changed.notify_all()

    def _identify_refusal(self, conn: LiveConnection, data: Json) -> Refusal | None:
        """The close code and reason Discord answers this IDENTIFY with, None if accepted."""
        if conn.session is not None:
            return CloseCode.ALREADY_AUTHENTICATED, b"Already authenticated"
        if data.get("token") != self.token:
            return CloseCode.AUTHENTICATION_FAILED, b"Authentication failed"
        intents = int(data.get("intents", 0))
        if intents & ~Intents.ALL:
            return CloseCode.INVALID_INTENTS, b"Invalid intent(s)"
        if intents & Intents.PRIVILEGED & ~self.privileged_intents:
            return CloseCode.DISALLOWED_INTENTS, b"Disallowed intent(s)"
        return self._shard_refusal(data.get("shard"))

    def _shard_refusal(self, shard: Any) -> Refusal | None:
        """Check ``shard`` against the bot's size and its other connected sessions."""
        pair = (0, 1) if shard is None else parse_shard(shard)
        if pair is None:
            return CloseCode.INVALID_SHARD, b"Invalid shard"
        shard_count = pair[1]
        if shard_count < self.required_shards:
            return CloseCode.SHARDING_REQUIRED, b"Sharding required"
        with self._lock:
            counts = {s.shard_pair[1] for s in self._live_sessions() if s.conn is not None}
        if counts and counts != {shard_count}:
            return CloseCode.INVALID_SHARD, b"Invalid shard"
        return None

    def _queue_initial_dispatches(self, session: Session) -> None:
        """READY, then one GUILD_CREATE per guild of the session's shard."""
        guild_ids = self._guild_ids_for(session)
        ready = ready_payload(
            bot_user=self._user(self.bot_user_id),
            guild_ids=guild_ids,
            session_id=session.session_id,
            resume_gateway_url=self.resume_gateway_url,
            application={
                "id": str(self.application_id),
                "flags": self._application_payload()["flags"],
            },
            shard=None if session.shard is None else list(session.shard),
        )
        self._emit_to(session, "READY", ready)
        for guild_id in guild_ids:
            self._emit_to(
                session,
                "GUILD_CREATE",
                self._guild_create_payload(guild_id, session),
                intent=Intents.GUILDS,
            )

    async def _resume(self, conn: LiveConnection, data: Json) -> None:
        with self._lock:
            session = self._sessions.get(str(data.get("session_id")))
            seq = data.get("seq") or 0
            valid = (
                session is not None
                and not session.ended
                and data.get("token") == self.token
                and 0 <= seq <= len(session.frames)
            )
            if not valid or session is None:
                conn.info.kind = "resume-rejected"
            else:
                self._continue_session(conn, session, seq)
            self._changed.notify_all()
        if not valid:
            await conn.send({"op": Op.INVALID_SESSION, "d": False, "s": None, "t": None})

    def _continue_session(self, conn: LiveConnection, session: Session, seq: int) -> None:
        """Move ``session`` to ``conn``; frames after ``seq`` are replayed, then RESUMED."""
        if session.conn is not None and session.conn is not conn:
            self._close_soon(session.conn, CloseCode.UNKNOWN_ERROR)
        conn.session = session
        conn.info.kind = "resume"
        conn.info.session_id = session.session_id
        conn.info.resume_seq = seq
        conn.info.replayed = len(session.frames) - seq
        session.cursor = seq
        session.conn = conn
        session.resumes += 1
        self._emit_to(session, "RESUMED", {"_trace": TRACE})
        session.resumed_seq = len(session.frames)

    def _close_soon(self, conn: LiveConnection, code: int) -> None:
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(lambda: loop.create_task(conn.ws.close(code=code)))

    def _request_members(self, session: Session, data: Json) -> None:
        with self._lock:
            guild_id = int(data["guild_id"])
            members = self._members.get(guild_id, {})
            user_ids = data.get("user_ids")
            query = (data.get("query") or "").lower()
            if user_ids is not None:
                wanted = [int(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])]
                found = [u for u in wanted if u in members]
                not_found = [str(u) for u in wanted if u not in members]
            else:
                found = [u for u in members if self._users[u]["username"].lower().startswith(query)]
                not_found = []
            limit = int(data.get("limit") or 0)
            if limit:
                found = found[:limit]
            chunk: Json = {
                "guild_id": str(guild_id),
                "members": [self._member_payload(guild_id, u) for u in found],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": not_found,
            }
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            if data.get("presences"):
                chunk["presences"] = []
            self._emit_to(session, "GUILD_MEMBERS_CHUNK", chunk)
