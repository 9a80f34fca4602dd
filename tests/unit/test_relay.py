"""The latest of a stream of texts, relayed into one message at most once per interval."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable

from bot.relay import LatestRelay, relay_while

INTERVAL = 0.2


class Message:
    """Records edits with their times, like the Discord message being edited."""

    def __init__(self, fail: bool = False) -> None:
        self.edits: list[tuple[float, str]] = []
        self.fail = fail

    async def edit(self, text: str) -> None:
        if self.fail:
            raise ConnectionError("token expired")
        self.edits.append((time.monotonic(), text))


async def test_reports_are_coalesced_into_edits_at_least_an_interval_apart() -> None:
    message = Message()
    progress = LatestRelay(message.edit, interval=INTERVAL)
    started = time.monotonic()
    progress.start()
    for i in range(50):
        progress.report(f"{i} / 50")
        await asyncio.sleep(0.01)
    assert await progress.finish("done")
    elapsed = time.monotonic() - started
    times = [t for t, _ in message.edits]
    assert [text for _, text in message.edits][-1] == "done"
    assert 2 <= len(message.edits) <= elapsed / INTERVAL + 1  # far fewer than 50 reports
    assert all(b - a >= INTERVAL for a, b in itertools.pairwise(times))


async def test_the_latest_report_wins() -> None:
    message = Message()
    progress = LatestRelay(message.edit, interval=INTERVAL)
    progress.start(last_shown=time.monotonic())  # the message was just written
    for i in range(10):
        progress.report(f"{i} / 10")
    await asyncio.sleep(INTERVAL * 1.5)
    await progress.finish("done")
    assert [text for _, text in message.edits] == ["9 / 10", "done"]


async def test_reports_from_a_worker_thread_arrive() -> None:
    message = Message()
    progress = LatestRelay(message.edit, interval=0.01)
    progress.start()
    thread = threading.Thread(target=lambda: [progress.report_threadsafe(f"{i}") for i in range(3)])
    thread.start()
    thread.join()
    await asyncio.sleep(0.05)
    await progress.finish("done")
    assert message.edits[0][1] in {"0", "1", "2"} and message.edits[-1][1] == "done"


async def test_a_failing_edit_is_reported_by_finish_and_does_not_raise() -> None:
    message = Message(fail=True)
    progress = LatestRelay(message.edit, interval=0.01)
    progress.start()
    progress.report("1 / 2")
    assert await progress.finish("done") is False


async def test_finishing_without_a_final_text_drops_the_unshown_report() -> None:
    message = Message()
    relay = LatestRelay(message.edit, interval=INTERVAL)
    relay.start()
    relay.report("first")
    await asyncio.sleep(0.02)  # shown at once: nothing was shown before
    relay.report("second")  # due only an interval later
    assert await relay.finish()
    assert [text for _, text in message.edits] == ["first"]


async def test_relay_while_shows_what_the_work_reports_from_its_thread() -> None:
    message = Message()
    relay = LatestRelay(message.edit, interval=0.01)

    async def work(report: Callable[[str], None]) -> str:
        def write() -> str:
            for piece in ("One.", "One. Two."):
                report(piece)
                time.sleep(0.05)
            return "answer"

        return await asyncio.to_thread(write)

    assert await relay_while(work, relay) == "answer"
    assert [text for _, text in message.edits] == ["One.", "One. Two."]
    await relay.settle()
    assert time.monotonic() - message.edits[-1][0] >= 0.01
