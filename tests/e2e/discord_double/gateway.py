"""The gateway WebSocket: HELLO, the frames a client sends, and the pump writing dispatches.

One connection carries one session at a time; the session's backlog outlives the socket,
so a pump only writes frames past the session's cursor.
"""

from __future__ import annotations

import asyncio
import json
import time

from aiohttp import WSMsgType, web

from .handshake import _Handshake
from .protocol import API_VERSION, TRACE, CloseCode, Op
from .records import GatewayConnection
from .transport import LiveConnection


class _GatewaySocket(_Handshake):
    """The aiohttp handler for ``/gateway`` and ``/resume-gateway``."""

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = self._open_connection(request, ws)
        refusal = self._query_refusal(conn)
        if refusal is not None:
            await conn.close(*refusal)
            return self._closed(conn, ws)
        pump = asyncio.get_running_loop().create_task(self._pump(conn))
        try:
            await self._hello(conn)
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_frame(conn, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    await conn.close(CloseCode.DECODE_ERROR, b"Error while decoding payload")
                else:
                    break
        finally:
            # Also runs when aiohttp cancels the handler because the peer vanished.
            pump.cancel()
            self._closed(conn, ws)
        return ws

    def _open_connection(self, request: web.Request, ws: web.WebSocketResponse) -> LiveConnection:
        query = dict(request.query)
        with self._lock:
            info = GatewayConnection(
                id=len(self._connections) + 1,
                path=request.path,
                query=query,
                compress=query.get("compress"),
                opened_at=time.monotonic(),
            )
            conn = LiveConnection(info, ws, request)
            self._connections.append(conn)
            self._changed.notify_all()
        return conn

    @staticmethod
    def _query_refusal(conn: LiveConnection) -> tuple[int, bytes] | None:
        """Close code for an unsupported ``v``, ``encoding`` or ``compress``; None if fine."""
        query = conn.info.query
        if query.get("v") != str(API_VERSION):
            return CloseCode.INVALID_API_VERSION, b"Invalid API version"
        if query.get("encoding", "json") != "json":
            return CloseCode.DECODE_ERROR, b"Only JSON encoding is supported by the double"
        if not conn.compressor.available:
            return CloseCode.UNKNOWN_ERROR, b"Unsupported compression"
        return None

    async def _hello(self, conn: LiveConnection) -> None:
        hold = self._hello_hold_until - time.monotonic()
        if hold > 0:
            await asyncio.sleep(hold)  # see drop_connection(hold=...)
        await conn.send(
            {
                "op": Op.HELLO,
                "d": {"heartbeat_interval": int(self.heartbeat_interval * 1000), "_trace": TRACE},
                "s": None,
                "t": None,
            }
        )

    def _closed(self, conn: LiveConnection, ws: web.WebSocketResponse) -> web.WebSocketResponse:
        with self._lock:
            conn.info.closed_at = time.monotonic()
            conn.info.dropped = conn.dropped
            conn.info.close_code = ws.close_code
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                # A client closing with 1000/1001 ends its session; anything else may resume.
                if (
                    not conn.dropped
                    and ws.close_code in (1000, 1001)
                    and conn.info.kind is not None
                ):
                    session.ended = True
            self._changed.notify_all()
        return ws

    async def _on_frame(self, conn: LiveConnection, text: str) -> None:
        try:
            frame = json.loads(text)
            op, data = frame["op"], frame.get("d")
        except (ValueError, KeyError, TypeError):
            await conn.close(CloseCode.DECODE_ERROR, b"Error while decoding payload")
            return
        with self._lock:
            conn.info.received_ops.append(op)
        if op == Op.HEARTBEAT:
            with self._lock:
                conn.info.heartbeats += 1
            await conn.send({"op": Op.HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == Op.IDENTIFY:
            await self._identify(conn, data or {})
        elif op == Op.RESUME:
            await self._resume(conn, data or {})
        elif conn.session is None:
            await conn.close(CloseCode.NOT_AUTHENTICATED, b"Not authenticated")
        elif op == Op.REQUEST_GUILD_MEMBERS:
            self._request_members(conn.session, data or {})
        elif op == Op.PRESENCE_UPDATE:
            with self._lock:
                self._presence_updates.append(data)
        elif op != Op.VOICE_STATE_UPDATE:
            await conn.close(CloseCode.UNKNOWN_OPCODE, b"Unknown opcode")

    async def _pump(self, conn: LiveConnection) -> None:
        """Write the session backlog past the cursor to the connection, in order."""
        while not conn.ws.closed:
            await conn.wakeup.wait()
            conn.wakeup.clear()
            while True:
                with self._lock:
                    session = conn.session
                    if (
                        session is None
                        or session.conn is not conn
                        or session.cursor >= len(session.frames)
                    ):
                        break
                    frame = session.frames[session.cursor]
                await conn.send(frame)
                with self._lock:
                    if session.conn is conn:
                        session.cursor = max(session.cursor, frame["s"])
                    self._changed.notify_all()
