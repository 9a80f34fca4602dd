"""The event-loop stall monitor sees a blocked loop, and only that."""

from __future__ import annotations

import asyncio
import time

from bot.loop_monitor import LoopMonitor


async def test_a_loop_blocked_for_200_ms_is_seen() -> None:
    monitor = LoopMonitor(interval=0.01)
    monitor.start()
    await asyncio.sleep(0.05)
    time.sleep(0.2)  # deliberately block the loop
    await asyncio.sleep(0.05)
    monitor.stop()
    assert 0.15 <= monitor.max_stall < 1.0


async def test_an_idle_loop_shows_no_long_stall() -> None:
    monitor = LoopMonitor(interval=0.01)
    monitor.start()
    await asyncio.sleep(0.3)
    monitor.stop()
    assert monitor.samples >= 10
    assert monitor.max_stall < 0.15  # timer slack and a busy machine, not a stall
