"""Measuring event-loop stalls: how late the loop wakes a coroutine that asked to sleep.

Everything slow (retrieval, embedding, indexing, SQLite) runs in worker threads; if some
code path ever ran on the loop instead, heartbeats and the 3-second interaction deadline
would suffer. This monitor makes such a stall visible in the log and in /status.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)


class LoopMonitor:
    """Sleeps ``interval`` seconds in a loop and records how much later than asked it woke.

    A stall of length L is seen as lateness between L - ``interval`` and L, so the interval
    is kept well below the stalls worth knowing about.
    """

    def __init__(self, *, interval: float = 0.02, warn_after: float = 0.1) -> None:
        self.interval = interval
        self.warn_after = warn_after
        self.max_stall = 0.0
        self.samples = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="loop-monitor")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def reset(self) -> None:
        self.max_stall = 0.0
        self.samples = 0

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            asked = loop.time() + self.interval
            await asyncio.sleep(self.interval)
            stall = max(0.0, loop.time() - asked)
            self.samples += 1
            if stall > self.max_stall:
                self.max_stall = stall
            if stall > self.warn_after:
                log.warning("the event loop was blocked for %.0f ms", stall * 1000)
