"""Relaying a re-index's progress into one Discord message, edited at most every 2 s.

The indexer reports from its worker thread, as often as it likes; only the latest report
matters. Discord rate-limits message edits and people cannot read faster anyway, so the
message is edited at most once per interval with whatever is latest then.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 2.0


class ProgressMessage:
    """Edits a message with the latest text, at most once per ``interval`` seconds.

    Every edit, the final one included, comes at least ``interval`` after the previous
    one. Call :meth:`start` in the event loop, :meth:`report` (or
    :meth:`report_threadsafe` from a worker thread) as often as wanted, then
    :meth:`finish` with the final text.
    """

    def __init__(
        self,
        edit: Callable[[str], Awaitable[object]],
        *,
        interval: float = DEFAULT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._edit = edit
        self._interval = interval
        self._clock = clock
        self._latest: str | None = None
        self._final = False
        self._last_edit = -float("inf")
        self._last_ok = True
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.edits = 0

    def start(self, last_edit: float | None = None) -> None:
        """Begin relaying; ``last_edit`` is when the message was last written, if just now."""
        if last_edit is not None:
            self._last_edit = last_edit
        self._loop = asyncio.get_running_loop()
        self._task = self._loop.create_task(self._run(), name="reindex-progress")

    def report(self, text: str) -> None:
        """Make ``text`` the next thing shown (from the event loop)."""
        if not self._final:
            self._latest = text
            self._wakeup.set()

    def report_threadsafe(self, text: str) -> None:
        """:meth:`report` from another thread."""
        assert self._loop is not None, "start() first"
        self._loop.call_soon_threadsafe(self.report, text)

    async def finish(self, text: str) -> bool:
        """Show ``text`` last (after the interval) and stop; False if that edit failed."""
        self._latest = text
        self._final = True
        self._wakeup.set()
        if self._task is not None:
            await self._task
        return self._last_ok

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            wait = self._last_edit + self._interval - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            self._wakeup.clear()
            final, text, self._latest = self._final, self._latest, None
            if text is not None:
                try:
                    await self._edit(text)
                    self._last_ok = True
                except Exception:
                    # The progress message may be gone (dismissed, token expired); the
                    # re-index goes on and the caller learns of it from finish().
                    log.warning("could not update the re-index progress message", exc_info=True)
                    self._last_ok = False
                self.edits += 1
                self._last_edit = self._clock()
            if final:
                return
