"""The per-person cooldown: N questions per window, then a polite wait."""

from __future__ import annotations

from bot.cooldown import Cooldown, cooldown_message


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_n_questions_pass_then_the_next_waits_for_the_oldest_to_expire() -> None:
    clock = Clock()
    cooldown = Cooldown(questions=3, seconds=30, clock=clock)
    assert [cooldown.try_acquire(1) for _ in range(3)] == [0.0, 0.0, 0.0]
    clock.now += 10
    assert cooldown.try_acquire(1) == 20.0
    clock.now += 20
    assert cooldown.try_acquire(1) == 0.0


def test_people_have_their_own_allowance() -> None:
    cooldown = Cooldown(questions=1, seconds=30, clock=Clock())
    assert cooldown.try_acquire(1) == 0.0
    assert cooldown.try_acquire(1) > 0
    assert cooldown.try_acquire(2) == 0.0


def test_a_refused_question_does_not_count() -> None:
    clock = Clock()
    cooldown = Cooldown(questions=1, seconds=10, clock=clock)
    cooldown.try_acquire(1)
    for _ in range(5):
        clock.now += 1
        cooldown.try_acquire(1)
    clock.now += 5
    assert cooldown.try_acquire(1) == 0.0


def test_zero_seconds_turns_it_off() -> None:
    cooldown = Cooldown(questions=1, seconds=0, clock=Clock())
    assert not cooldown.enabled
    assert all(cooldown.try_acquire(1) == 0.0 for _ in range(100))


def test_people_who_stopped_asking_are_forgotten() -> None:
    clock = Clock()
    cooldown = Cooldown(questions=2, seconds=30, clock=clock)
    for user in range(1000):
        cooldown.try_acquire(user)
    clock.now += 31
    cooldown.try_acquire(5000)
    assert len(cooldown) == 1


def test_the_message_is_polite_and_rounds_up() -> None:
    assert cooldown_message(0.2) == (
        "You're asking questions faster than I can keep up with — please wait 1 second "
        "and ask again."
    )
    assert "wait 20 seconds" in cooldown_message(19.3)
