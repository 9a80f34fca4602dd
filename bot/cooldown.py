"""The per-person question cooldown: at most N questions per window of S seconds."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class Cooldown:
    """Sliding-window rate limit per user id (used from the event loop only).

    Memory stays bounded: people who have not asked within the window are forgotten.
    """

    def __init__(
        self, questions: int, seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if questions < 1:
            raise ValueError("questions must be at least 1")
        self._questions = questions
        self._seconds = seconds
        self._clock = clock
        self._asked: dict[int, deque[float]] = {}
        self._next_sweep = 0.0

    @property
    def enabled(self) -> bool:
        return self._seconds > 0

    def __len__(self) -> int:
        return len(self._asked)

    def try_acquire(self, user_id: int) -> float:
        """0.0 and the question counts if ``user_id`` may ask now; else seconds to wait."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        self._sweep(now)
        times = self._asked.setdefault(user_id, deque())
        while times and times[0] <= now - self._seconds:
            times.popleft()
        if len(times) >= self._questions:
            return times[0] + self._seconds - now
        times.append(now)
        return 0.0

    def _sweep(self, now: float) -> None:
        if now < self._next_sweep:
            return
        self._next_sweep = now + self._seconds
        stale = [u for u, t in self._asked.items() if not t or t[-1] <= now - self._seconds]
        for user_id in stale:
            del self._asked[user_id]


def cooldown_message(retry_after: float) -> str:
    """The polite answer to someone asking faster than the cooldown allows."""
    seconds = max(1, round(retry_after + 0.49))
    unit = "second" if seconds == 1 else "seconds"
    return (
        f"You're asking questions faster than I can keep up with — please wait {seconds} "
        f"{unit} and ask again."
    )
