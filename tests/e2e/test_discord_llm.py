"""`newsbot serve` with a language model: the Discord double, the LLM double, a real bot process.

The bot is configured with NEWSBOT_LLM=openai pointed at ``llm_double.py``; people use /ask
and mentions as in ``test_discord_bot.py`` (with the helpers of ``bot_world.py``) and the
tests assert on what the bot sent Discord: the answer written into the deferred response, or
into a message in the mention's thread, by edits (at most one a second, with a Stop button),
then rendered as usual with its verified sources. Each test scripts the model afresh
(:meth:`LLMDouble.script` also forgets earlier requests), so the tests run in any order.
"""

from __future__ import annotations

import itertools
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.bot_corpus import FORUM_QUESTION
from tests.e2e.bot_world import (
    CALLBACK,
    EDIT,
    SOCHI,
    WAIT,
    Json,
    connection_env,
    index_corpus,
    interaction_messages,
    normalised,
    serving,
    text_of,
)
from tests.e2e.discord_double import DiscordDouble, RestCall
from tests.e2e.llm_double import LLMDouble, LLMRequest, Reply

pytestmark = pytest.mark.e2e

WRITING = "Writing… each sentence appears once it is checked against its source."


@dataclass
class World:
    double: DiscordDouble
    llm: LLMDouble
    process: subprocess.Popen[bytes]
    log_path: Path
    editors_role: int
    people: int = 0

    def person(self) -> int:
        self.people += 1
        user_id = self.double.add_user(f"reader{self.people}")
        self.double.add_member(self.double.guild_id, user_id)
        return user_id


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("discord-llm")
    token = "MTE5" + secrets.token_urlsafe(48)
    with DiscordDouble(token=token, heartbeat_interval=1.0) as double, LLMDouble() as llm:
        editors = double.add_role(double.guild_id, "Editors")
        indexed = index_corpus(root, role_id=editors, user_id=double.user_id)
        env = {**indexed.env, **connection_env(double)}
        env.update(
            NEWSBOT_DISCORD_COOLDOWN_SECONDS="0",
            NEWSBOT_LLM="openai",
            NEWSBOT_LLM_URL=llm.openai_url,
            NEWSBOT_LLM_MODEL="scripted-model",
            NEWSBOT_LLM_TIMEOUT="30",
        )
        log_path = root / "bot.log"
        try:
            with serving(env, double, log_path) as process:
                assert llm.requests == []  # starting up asks the model nothing
                yield World(double, llm, process, log_path, editors)
        finally:
            log_text = log_path.read_text(errors="replace")
            print(log_text[-6000:])  # shown when a test failed
            assert token not in log_text


def sochi(request: LLMRequest) -> str:
    n = request.passage_number("agreed not to use force")
    return (
        f"At Sochi, the leaders of Armenia and Azerbaijan agreed not to use force [{n}]. "
        f"They also agreed to stick to earlier agreements that sought to end the fighting [{n}]. "
        f"Russian President Vladimir Putin was at the meeting in Sochi [{n}]."
    )


SOCHI_SENTENCES = [
    "At Sochi, the leaders of Armenia and Azerbaijan agreed not to use force. [1]",
    "They also agreed to stick to earlier agreements that sought to end the fighting. [1]",
    "Russian President Vladimir Putin was at the meeting in Sochi. [1]",
]


def edits_of(double: DiscordDouble, interaction_id: int) -> list[RestCall]:
    record = double.interaction(interaction_id)
    return [c for c in double.calls(route=EDIT) if record.token in c.path]


def components(body: Json) -> list[str]:
    """The label (else the custom_id) of each component of a message."""
    return [
        c.get("label") or c["custom_id"] for row in body["components"] for c in row["components"]
    ]


def custom_ids(body: Json) -> list[str]:
    return [c["custom_id"] for row in body["components"] for c in row["components"]]


def wait_for_answer(double: DiscordDouble, interaction_id: int) -> list[Json]:
    """The messages of an answered /ask: done once the last carries the answer's buttons."""

    def answered() -> list[Json] | None:
        messages = interaction_messages(double, interaction_id)
        done = messages and any(c.startswith("newsbot:passages:") for c in custom_ids(messages[-1]))
        return messages if done else None

    try:
        return double.wait_until(answered, timeout=WAIT)
    except TimeoutError:
        record = double.interaction(interaction_id)
        calls = [(c.route, c.status, c.body) for c in double.calls() if record.token in c.path]
        pytest.fail(f"not answered: {interaction_messages(double, interaction_id)}\n{calls}")


def press_stop(world: World, draft: Json, asker: int) -> Any:
    """Someone else presses the draft's Stop button and is refused; then the asker does.

    Returns the asker's component interaction, once the bot has acknowledged it."""
    double = world.double
    (stop_id,) = custom_ids(draft)
    stranger = double.dispatch_component(int(draft["id"]), stop_id, user_id=world.person())
    refused = double.wait_for_interaction_response(stranger.id, timeout=WAIT)
    assert refused.callback_data is not None
    assert refused.callback_data["content"] == "Only the person who asked can stop this answer."
    stopped = double.dispatch_component(int(draft["id"]), stop_id, user_id=asker)
    double.wait_for_interaction_response(stopped.id, timeout=WAIT)
    return stopped


def test_a_generated_answer_streams_by_edits_at_most_once_a_second_then_shows_its_sources(
    world: World,
) -> None:
    double, llm = world.double, world.llm
    llm.script(Reply(sochi, pieces=14, pause=0.3))  # about four seconds of writing
    interaction = double.dispatch_command("ask", {"question": SOCHI}, user_id=world.person())
    messages = wait_for_answer(double, interaction.id)

    (answer,) = messages
    assert text_of(messages) == normalised(" ".join(SOCHI_SENTENCES))
    (sources,) = answer["embeds"]
    (cited,) = sources["fields"]
    assert cited["name"] == "[1] Armenia and Azerbaijan hold US-mediated peace talks in Washington"
    assert "Stop" not in components(answer)

    edits = edits_of(double, interaction.id)
    drafts = [c.body for c in edits if WRITING in (c.body.get("content") or "")]
    assert len(drafts) >= 2, [c.body for c in edits]
    for draft in drafts:
        assert components(draft) == ["Stop"]
        shown = normalised(
            draft["content"].replace(WRITING, "").replace("-#", "").replace("\\", "")
        )
        assert normalised(" ".join(SOCHI_SENTENCES)).startswith(shown.rstrip(" …"))
    assert edits[-1].body["content"] == answer["content"]  # the last edit is the answer
    times = [c.at for c in edits]
    assert all(b - a >= 0.99 for a, b in itertools.pairwise(times)), times
    assert all(c.allowed_mentions == {"parse": []} for c in edits)
    assert len(llm.requests) == 1


def test_stop_ends_the_answer_with_what_was_checked_so_far(world: World) -> None:
    double, llm = world.double, world.llm
    asker = world.person()

    def long(request: LLMRequest) -> str:
        return " ".join(sochi(request) for _ in range(6))

    llm.script(Reply(long, pieces=60, pause=0.3))  # eighteen seconds, if nobody stops it
    interaction = double.dispatch_command("ask", {"question": SOCHI}, user_id=asker)

    def drafted() -> Json | None:
        messages = interaction_messages(double, interaction.id)
        if messages and "Stop" in components(messages[0]):
            return messages[0]
        return None

    draft = double.wait_until(drafted, timeout=WAIT)
    stopped_at = press_stop(world, draft, asker)
    messages = wait_for_answer(double, interaction.id)

    (answer,) = messages
    assert answer["id"] == str(double.interaction(interaction.id).original_message_id)
    assert "Stopped before the generated answer was complete." in answer["content"]
    shown = text_of(messages)
    assert shown.startswith(normalised(SOCHI_SENTENCES[0]))
    assert shown.count("[1]") < 18  # fewer sentences than the model would have written
    done = max(c.at for c in edits_of(double, interaction.id))
    assert done - stopped_at.dispatched_at < 3.0


def test_a_generated_answer_quoting_mentions_pings_nobody(world: World) -> None:
    double, llm = world.double, world.llm

    def forum(request: LLMRequest) -> str:
        n = request.passage_number("reader forum")
        return (
            f"The Elmstead Courier will remove forum posts that notify @everyone or tag the "
            f"<@&{world.editors_role}> team [{n}]."
        )

    llm.script(Reply(forum, pieces=3))
    interaction = double.dispatch_command(
        "ask", {"question": FORUM_QUESTION}, user_id=world.person()
    )
    messages = wait_for_answer(double, interaction.id)

    shown = text_of(messages)
    assert "@everyone" in shown and f"<@&{world.editors_role}>" in shown  # shown as text...
    for message in messages:  # ...notifying nobody
        assert message["mention_everyone"] is False
        assert message["mentions"] == [] and message["mention_roles"] == []
    record = double.interaction(interaction.id)
    sent = [c for c in double.calls() if record.token in c.path and c.route != CALLBACK]
    assert sent and all(c.allowed_mentions == {"parse": []} for c in sent)


MESSAGE_EDIT = "PATCH /channels/{channel_id}/messages/{message_id}"


def test_a_mention_is_answered_in_its_thread_by_a_message_edited_as_it_is_written(
    world: World,
) -> None:
    double, llm = world.double, world.llm
    asker = world.person()
    llm.script(Reply(sochi, pieces=14, pause=0.3))  # about four seconds of writing
    question = double.dispatch_message(f"<@{double.bot_user_id}> {SOCHI}", author_id=asker)
    thread_id = int(question["id"])

    def answered() -> Json | None:
        for message in double.messages(thread_id):
            if any(c.startswith("newsbot:passages:") for c in custom_ids(message)):
                return message
        return None

    answer = double.wait_until(answered, timeout=WAIT)
    assert double.messages(thread_id) == [answer]  # the drafts' message became the answer
    assert text_of([answer]) == normalised(" ".join(SOCHI_SENTENCES))
    assert "follow-up question" in answer["embeds"][-1]["footer"]["text"]

    edits = [c for c in double.calls(route=MESSAGE_EDIT) if answer["id"] in c.path]
    drafts = [c.body for c in edits if WRITING in (c.body.get("content") or "")]
    assert drafts, [c.body for c in edits]
    assert all(components(d) == ["Stop"] for d in drafts)
    times = [c.at for c in edits]
    assert all(b - a >= 0.99 for a, b in itertools.pairwise(times)), times
    assert all(c.allowed_mentions == {"parse": []} for c in edits)


def test_stop_on_a_mentions_answer_is_for_the_asker_only(world: World) -> None:
    double, llm = world.double, world.llm
    asker = world.person()

    def long(request: LLMRequest) -> str:
        return " ".join(sochi(request) for _ in range(6))

    llm.script(Reply(long, pieces=60, pause=0.3))
    question = double.dispatch_message(f"<@{double.bot_user_id}> {SOCHI}", author_id=asker)
    thread_id = int(question["id"])

    def drafted() -> Json | None:
        messages = double.messages(thread_id)
        return messages[0] if messages and "Stop" in components(messages[0]) else None

    draft = double.wait_until(drafted, timeout=WAIT)
    press_stop(world, draft, asker)

    def finished() -> Json | None:
        message = double.message(int(draft["id"]))
        return message if "Stopped before" in (message.get("content") or "") else None

    answer = double.wait_until(finished, timeout=WAIT)
    assert text_of([answer]).startswith(normalised(SOCHI_SENTENCES[0]))
    assert text_of([answer]).count("[1]") < 18
