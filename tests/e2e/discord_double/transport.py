"""Bytes on a gateway socket: transport compression and the server side of one connection.

discord.py asks for ``zlib-stream`` (or ``zstd-stream`` when a zstd module is importable):
one compression stream per connection, flushed after every payload.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .protocol import Json
from .records import GatewayConnection

if TYPE_CHECKING:
    from .dispatch import Session


class Compressor:
    """Transport compression for one connection (a shared stream per connection)."""

    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        self._zlib = zlib.compressobj() if kind == "zlib-stream" else None
        self._zstd: Any = None
        if kind == "zstd-stream":
            self._zstd = _make_zstd_stream()

    @property
    def available(self) -> bool:
        """Whether the requested compression can be served."""
        return self.kind in (None, "zlib-stream") or (
            self.kind == "zstd-stream" and self._zstd is not None
        )

    def encode(self, text: str) -> str | bytes:
        """Encode one gateway payload as the client expects it."""
        raw = text.encode()
        if self._zlib is not None:
            return self._zlib.compress(raw) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        if self._zstd is not None:
            return bytes(self._zstd(raw))
        return text


def _make_zstd_stream() -> Callable[[bytes], bytes] | None:
    """A zstd stream compressor flushing one block per message, or None if unavailable."""
    try:
        from compression import zstd  # Python >= 3.14

        compressor = zstd.ZstdCompressor()
        return lambda data: compressor.compress(data, mode=zstd.ZstdCompressor.FLUSH_BLOCK)
    except ImportError:
        pass
    try:
        import zstandard  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    stream = zstandard.ZstdCompressor().compressobj()
    return lambda data: stream.compress(data) + stream.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)


class LiveConnection:
    """Server side of one gateway connection."""

    def __init__(
        self, info: GatewayConnection, ws: web.WebSocketResponse, request: web.Request
    ) -> None:
        self.info = info
        self.ws = ws
        self.request = request
        self.compressor = Compressor(info.compress)
        self.session: Session | None = None
        self.wakeup = asyncio.Event()
        self.send_lock = asyncio.Lock()
        self.dropped = False

    async def send(self, frame: Json) -> None:
        """Send one frame, compressing it in stream order."""
        async with self.send_lock:
            if self.ws.closed:
                return
            data = self.compressor.encode(json.dumps(frame, separators=(",", ":")))
            try:
                if isinstance(data, bytes):
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(data)
            except (ConnectionError, RuntimeError):
                pass

    async def close(self, code: int, reason: bytes = b"") -> None:
        """Close the WebSocket with a close frame."""
        await self.ws.close(code=code, message=reason)
