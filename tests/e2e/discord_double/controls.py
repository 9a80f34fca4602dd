"""Gateway trouble on demand: dropped connections, RECONNECT and INVALID_SESSION.

What Discord does to a bot now and then, so tests can prove the bot resumes or
re-identifies without losing events.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from .dispatch import _Dispatcher
from .protocol import Json, Op


class _GatewayControls(_Dispatcher):
    """Blocking controls a test calls from its own thread (``*_async`` from the bot's loop)."""

    def drop_connection(
        self, code: int | None = None, *, hold: float = 0.0, timeout: float = 5.0
    ) -> None:
        """Drop the live gateway connection(s) so the client reconnects and RESUMEs.

        With ``code=None`` the TCP connection is aborted without a close frame (the client
        sees 1006); otherwise the double sends a close frame with ``code`` (4000 invites a
        resume; 4004 and friends make discord.py give up). Connections opened during the
        next ``hold`` seconds get their HELLO only then, so events dispatched meanwhile are
        certainly missed by the client and must be replayed on RESUME. Returns once the
        double has seen the connection(s) close. From a test running in the client's event
        loop, use :meth:`drop_connection_async` (a close handshake needs the client).
        """
        self._hello_hold_until = time.monotonic() + hold
        with self._lock:
            victims = [c for c in self._connections if c.info.closed_at is None]

        async def drop() -> None:
            for conn in victims:
                conn.dropped = True
                if code is None:
                    transport = conn.request.transport
                    if transport is not None:
                        transport.abort()
                else:
                    await conn.close(code, b"dropped by the double")

        self._run_on_loop(drop(), timeout)
        self.wait_until(lambda: all(c.info.closed_at is not None for c in victims), timeout=timeout)

    async def drop_connection_async(
        self, code: int | None = None, *, hold: float = 0.0, timeout: float = 5.0
    ) -> None:
        """Async :meth:`drop_connection`."""
        await asyncio.to_thread(lambda: self.drop_connection(code, hold=hold, timeout=timeout))

    def request_reconnect(self, *, timeout: float = 5.0) -> None:
        """Send op 7 RECONNECT on every live connection (the client resumes elsewhere)."""
        self._send_to_live({"op": Op.RECONNECT, "d": None, "s": None, "t": None}, timeout)

    def invalidate_session(self, *, resumable: bool = False, timeout: float = 5.0) -> None:
        """Send op 9 INVALID_SESSION; unless ``resumable``, the client must IDENTIFY again."""
        with self._lock:
            if not resumable:
                for session in self._live_sessions():
                    session.ended = True
        self._send_to_live(
            {"op": Op.INVALID_SESSION, "d": resumable, "s": None, "t": None}, timeout
        )

    def _send_to_live(self, frame: Json, timeout: float) -> None:
        async def send() -> None:
            for conn in [c for c in self._connections if not c.ws.closed]:
                await conn.send(frame)

        self._run_on_loop(send(), timeout)

    def _run_on_loop(self, coro: Any, timeout: float) -> Any:
        loop = self._loop
        if loop is None:
            coro.close()
            raise RuntimeError("the double is not running")
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("blocking double control called from the double's own thread")
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)
