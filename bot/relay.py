"""Showing the latest of a stream of texts in one Discord message, at most once per interval.

A worker thread (the indexer, a language model) reports as often as it likes; only the
latest report matters. Discord rate-limits message edits and people cannot read faster
anyway, so the message is shown at most once per interval with whatever is latest then.
Where and how a text is shown (an edit, a first send) is the caller's ``show``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class LatestRelay:
    """Shows the latest text with ``show``, each time at least ``interval`` after the last.

    Call :meth:`start` in the event loop, :meth:`report` (or :meth:`report_threadsafe` from
    a worker thread) as often as wanted, then :meth:`finish`, with a final text or without.
    """

    def __init__(
        self,
        show: Callable[[str], Awaitable[object]],
        *,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._show = show
        self._interval = interval
        self._clock = clock
        self._latest: str | None = None
        self._final = False
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last_ok = True
        self.last_shown: float | None = None
        self.shown = 0

    def start(self, last_shown: float | None = None) -> None:
        """Begin relaying; ``last_shown`` is when the message was last written, if just now."""
        self.last_shown = last_shown
        self._loop = asyncio.get_running_loop()
        self._task = self._loop.create_task(self._run(), name="latest-relay")

    def report(self, text: str) -> None:
        """Make ``text`` the next thing shown (from the event loop)."""
        if not self._final:
            self._latest = text
            self._wakeup.set()

    def report_threadsafe(self, text: str) -> None:
        """:meth:`report` from another thread."""
        assert self._loop is not None, "start() first"
        self._loop.call_soon_threadsafe(self.report, text)

    async def finish(self, final: str | None = None) -> bool:
        """Stop relaying. ``final`` is shown last (after the interval); without one, a report
        not yet shown is dropped. False if the last show failed."""
        self._final = True
        self._latest = final
        self._wakeup.set()
        if self._task is not None:
            await self._task
        return self._last_ok

    async def settle(self) -> None:
        """Wait until the message may be shown again (before putting something else there)."""
        if self.last_shown is not None:
            await asyncio.sleep(max(0.0, self.last_shown + self._interval - self._clock()))

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            if self.last_shown is not None and not (self._final and self._latest is None):
                await asyncio.sleep(max(0.0, self.last_shown + self._interval - self._clock()))
            self._wakeup.clear()
            final, text, self._latest = self._final, self._latest, None
            if text is not None:
                try:
                    await self._show(text)
                    self._last_ok = True
                except Exception:
                    # The message may be gone (dismissed, token expired); the work goes on
                    # and the caller learns of it from finish().
                    log.warning("could not update a message in progress", exc_info=True)
                    self._last_ok = False
                self.shown += 1
                self.last_shown = self._clock()
            if final:
                return


async def relay_while(
    work: Callable[[Callable[[str], None]], Awaitable[T]], relay: LatestRelay
) -> T:
    """Await ``work(report)``, relaying what it reports (from any thread) until it is done."""
    relay.start()
    try:
        return await work(relay.report_threadsafe)
    finally:
        await relay.finish()
