"""`newsbot serve` end to end, its life: starting without a token, a dropped gateway
connection, and stopping on SIGTERM.

A real bot process, real discord.py and the Discord double (see ``bot_world.py``). These
tests disturb or stop the bot, so each gets a double and a bot process of its own; they share
one index (nothing here changes the corpus).
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.bot_world import (
    DEADLINE,
    NEWSBOT,
    SOCHI,
    WAIT,
    Indexed,
    World,
    ask,
    displayed,
    index_corpus,
    open_world,
    text_of,
    wait_for_answer,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Indexed:
    # The forum article's mentions name no one in particular here: no test asks about it.
    root = tmp_path_factory.mktemp("discord-bot-lifecycle")
    return index_corpus(root, role_id=1, user_id=2, questions=[SOCHI])


@pytest.fixture
def world(indexed: Indexed, tmp_path: Path) -> Iterator[World]:
    """A bot of this test's own, serving the module's index."""
    with open_world(tmp_path, indexed=indexed) as world:
        yield world


def test_serve_without_a_token_exits_1_and_explains_how_to_create_a_bot(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env["NEWSBOT_DATA_DIR"] = str(tmp_path / "data")
    result = subprocess.run(
        [NEWSBOT, "serve"], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 1
    assert "NEWSBOT_DISCORD_TOKEN is not set" in result.stderr
    assert "https://discord.com/developers/applications" in result.stderr
    assert "export NEWSBOT_DISCORD_TOKEN=" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_bot_resumes_after_the_gateway_connection_drops(world: World) -> None:
    double = world.double
    session = double.wait_until_identified()
    identified, resumed = double.identify_count, double.resume_count
    double.drop_connection(hold=0.5)  # no HELLO for 0.5 s: what is sent meanwhile is missed
    reader = world.person("reader")
    question = double.dispatch_message(f"<@{double.bot_user_id}> {SOCHI}", author_id=reader)
    assert double.wait_until_resumed(timeout=WAIT, count=resumed + 1) == session
    assert double.identify_count == identified  # resumed, not a new session
    assert double.connections[-1].replayed >= 1

    answer = double.wait_for_message(channel_id=int(question["id"]), timeout=WAIT)
    assert text_of([answer]) == displayed(world.reference[SOCHI])
    interaction = ask(world, SOCHI, world.person("reader"))
    wait_for_answer(double, interaction.id)
    assert double.interaction(interaction.id).ack_delay < DEADLINE  # type: ignore[operator]


def test_the_bot_stops_cleanly_on_sigterm_and_never_logged_its_token(world: World) -> None:
    # Some work first, so that the log holds what answering writes, not only the start.
    double = world.double
    answered = wait_for_answer(double, ask(world, SOCHI, world.person("reader")).id)
    question = double.dispatch_message(
        f"<@{double.bot_user_id}> {SOCHI}", author_id=world.person("reader")
    )
    in_thread = double.wait_for_message(channel_id=int(question["id"]), timeout=WAIT)
    assert text_of(answered) == text_of([in_thread]) == displayed(world.reference[SOCHI])

    world.process.send_signal(signal.SIGTERM)
    assert world.process.wait(30) == 0
    log = world.log()
    assert world.token not in log
    assert "Traceback" not in log and " ERROR " not in log, log
    assert "connected as" in log  # the log is the bot's, at INFO level
    assert not world.double.internal_errors
    world.double.assert_no_unknown_routes()
