"""Showing a generated answer while it is written: drafts from a worker thread, rate-limited.

The model writes in a worker thread and reports each checked draft through a callback;
the event loop shows the latest one at most once every ``EDIT_INTERVAL`` (Discord limits
edits per message, and a reader needs no more). Where a draft is shown (the deferred
response of /ask, a message in a thread) is the caller's ``show``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import discord

log = logging.getLogger(__name__)

# A generated answer's message is edited at most this often while it is written.
EDIT_INTERVAL = 1.0

T = TypeVar("T")
OnDraft = Callable[[str], None]


class Drafts:
    """The latest draft of one answer, and when it was last shown."""

    def __init__(self, show: Callable[[str], Awaitable[None]]) -> None:
        self._show = show
        self._loop = asyncio.get_running_loop()
        self._latest = ""
        self._changed = asyncio.Event()
        self.last_shown: float | None = None

    def on_draft(self, draft: str) -> None:
        """The callback for the worker thread."""
        self._loop.call_soon_threadsafe(self._push, draft)

    def _push(self, draft: str) -> None:
        self._latest = draft
        self._changed.set()

    async def run(self, work: Callable[[OnDraft], T]) -> T:
        """Run ``work(on_draft)`` in a worker thread, showing its drafts until it returns."""
        task = asyncio.ensure_future(asyncio.to_thread(work, self.on_draft))
        while not task.done():
            waiter = asyncio.ensure_future(self._changed.wait())
            await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if task.done():
                break
            if self.last_shown is not None:
                await asyncio.wait({task}, timeout=self.last_shown + EDIT_INTERVAL - self._now())
                if task.done():
                    break
            self._changed.clear()
            try:
                await self._show(self._latest)
            except discord.HTTPException:
                log.warning("could not show the answer being written", exc_info=True)
            self.last_shown = self._now()
        return await task

    async def settle(self) -> None:
        """Wait until the message shown may be edited again (for the finished answer)."""
        if self.last_shown is not None:
            await asyncio.sleep(max(0.0, self.last_shown + EDIT_INTERVAL - self._now()))

    def _now(self) -> float:
        return self._loop.time()
