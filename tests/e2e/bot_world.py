"""Worlds for the `newsbot serve` end-to-end tests, and the helpers they read answers with.

A world is the Discord double (a guild with #general and an "Editors" role), a corpus (the
bundled seed article plus the articles of ``bot_corpus.py``) indexed by a real `newsbot
index`, reference answers from the CLI (the same core, without Discord), and one `newsbot
serve` process pointed at the double through NEWSBOT_DISCORD_API_URL /
NEWSBOT_DISCORD_GATEWAY_URL. Tests drive the bot only as Discord users would (slash
commands, messages, button clicks) and assert on what the bot sent: the REST calls the
double recorded and the messages it stored.

Starting a world costs 20-40 s (the index, the CLI's answers, the bot's start), so each test
module shares one where its tests leave each other alone; a module whose tests change the
corpus or disturb the bot process has a world of its own. Every test uses people of its own,
so cooldowns and conversations never leak between tests.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.bot_corpus import write_corpus
from tests.e2e.discord_double import DiscordDouble, InteractionRecord, RestCall

NEWSBOT = str(Path(sys.executable).with_name("newsbot"))
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
FOLLOWUP = "POST /webhooks/{application_id}/{interaction_token}"
EDIT = "PATCH /webhooks/{application_id}/{interaction_token}/messages/{message_id}"
MESSAGE_ROUTES = {
    CALLBACK,
    FOLLOWUP,
    EDIT,
    "POST /channels/{channel_id}/messages",
    "PATCH /channels/{channel_id}/messages/{message_id}",
}
DEADLINE = 3.0  # Discord's interaction deadline: a real requirement, asserted exactly
WAIT = 60.0  # how long tests wait for answers on a shared, noisy machine
MANAGE_GUILD = 1 << 5

SOCHI = "What was agreed at Sochi?"
HOST = "Who hosted the foreign ministers of Armenia and Azerbaijan?"
FOLLOW_UP = "where did he host them?"
FORUM_ASKED = "What will the Elmstead Courier remove from its reader forum?"  # mention removed

# How the bots of test_discord_bot*.py are configured beyond their connection to the double.
BOT_SETTINGS = {
    "NEWSBOT_DISCORD_ADMIN_ROLE": "Editors",
    "NEWSBOT_DISCORD_MESSAGE_CONTENT": "true",
    "NEWSBOT_DISCORD_COOLDOWN_QUESTIONS": "3",
    "NEWSBOT_DISCORD_COOLDOWN_SECONDS": "60",
}

Json = dict[str, Any]


@dataclass(frozen=True)
class Indexed:
    """A corpus indexed by a real `newsbot index`, and the CLI's answers over it."""

    corpus: Path
    env: dict[str, str]  # the CLI's environment: a data directory and the corpus, no Discord
    reference: dict[str, Json]  # the CLI's answers, by question
    conversation: list[Json]  # the CLI's answers to the turns of one chat


@dataclass
class World:
    double: DiscordDouble
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    corpus: Path
    log_path: Path
    token: str
    editors_role: int
    reference: dict[str, Json]
    conversation: list[Json]
    people: list[int] = field(default_factory=list)

    def person(self, name: str, *, roles: Iterable[int] = ()) -> int:
        """A new member of the guild."""
        user_id = self.double.add_user(f"{name}{len(self.people)}")
        self.double.add_member(self.double.guild_id, user_id, roles=roles)
        self.people.append(user_id)
        return user_id

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def run_cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [NEWSBOT, *args], input=stdin, capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, f"newsbot {args} failed: {result.stderr}"
    return result.stdout


def index_corpus(
    root: Path,
    *,
    role_id: int,
    user_id: int,
    questions: Sequence[str] = (),
    chat: Sequence[str] = (),
) -> Indexed:
    """Write the bot's test corpus under ``root``, index it, and ask the CLI ``questions``
    (one at a time) and ``chat`` (as turns of one conversation)."""
    corpus = write_corpus(root / "corpus", role_id=role_id, user_id=user_id)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env.update(NEWSBOT_DATA_DIR=str(root / "data"), NEWSBOT_CORPUS_DIR=str(corpus))
    run_cli(env, "index")
    reference: dict[str, Json] = {}
    if questions:
        answers = run_cli(env, "ask", "--json", "-", stdin="\n".join(questions) + "\n")
        reference = {a["question"]: a for a in map(json.loads, answers.splitlines())}
    conversation: list[Json] = []
    if chat:
        turns = run_cli(env, "chat", "--json", stdin="\n".join(chat) + "\n")
        conversation = [json.loads(line) for line in turns.splitlines()]
    return Indexed(corpus, env, reference, conversation)


def connection_env(double: DiscordDouble) -> dict[str, str]:
    """The settings that point a bot at ``double``."""
    return {
        "NEWSBOT_DISCORD_TOKEN": double.token,
        "NEWSBOT_DISCORD_API_URL": double.api_base,
        "NEWSBOT_DISCORD_GATEWAY_URL": double.gateway_url,
        "NEWSBOT_DISCORD_GUILD_ID": str(double.guild_id),
    }


def wait_for_bot(world_double: DiscordDouble, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until the bot identified, registered its commands and said it is connected, which
    discord.py tells it only once the guilds arrived (failing fast if it died)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"newsbot serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            world_double.wait_until_identified(timeout=1)
            world_double.wait_until(lambda: len(world_double.commands(world_double.guild_id)) >= 3)
        except TimeoutError:
            continue
        if "connected as" in log.read_text(errors="replace"):
            return
        time.sleep(0.1)
    pytest.fail(f"newsbot serve did not connect:\n{log.read_text()}")


@contextmanager
def serving(
    env: Mapping[str, str], double: DiscordDouble, log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A `newsbot --verbose serve` process with ``env``, connected to ``double``; stopped
    (SIGTERM, then SIGKILL if it lingers) on the way out unless it already exited."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [NEWSBOT, "--verbose", "serve"], env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_for_bot(double, process, log_path)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


@contextmanager
def open_world(
    root: Path,
    *,
    questions: Sequence[str] = (),
    chat: Sequence[str] = (),
    indexed: Indexed | None = None,
) -> Iterator[World]:
    """A double, an index (``indexed``, else a new one with the CLI's answers to
    ``questions`` and ``chat``) and a bot serving it; once the bot has stopped, checks that
    it ran cleanly (:func:`assert_ran_cleanly`)."""
    token = "MTE5" + secrets.token_urlsafe(48)  # shaped like a real token; must never leak
    with DiscordDouble(token=token, heartbeat_interval=1.0) as double:
        editors = double.add_role(double.guild_id, "Editors")
        if indexed is None:
            indexed = index_corpus(
                root, role_id=editors, user_id=double.user_id, questions=questions, chat=chat
            )
        env = {**indexed.env, **connection_env(double), **BOT_SETTINGS}
        log_path = root / "bot.log"
        with serving(env, double, log_path) as process:
            world = World(
                double=double,
                process=process,
                env=env,
                corpus=indexed.corpus,
                log_path=log_path,
                token=token,
                editors_role=editors,
                reference=indexed.reference,
                conversation=indexed.conversation,
            )
            yield world
        assert_ran_cleanly(world)


def assert_ran_cleanly(world: World) -> None:
    """The bot never logged its token nor an error, and called Discord only as it exists."""
    log = world.log()
    assert world.token not in log
    assert "Traceback" not in log and " ERROR " not in log, log
    assert not world.double.internal_errors, world.double.internal_errors
    world.double.assert_no_unknown_routes()


# -- reading what the bot sent --------------------------------------------------------------------


def interaction_messages(double: DiscordDouble, interaction_id: int) -> list[Json]:
    """The messages an interaction produced, in order (original response, then follow-ups)."""
    record = double.interaction(interaction_id)
    ids = [record.original_message_id, *record.followup_message_ids]
    messages = []
    for message_id in dict.fromkeys(i for i in ids if i is not None):
        try:
            messages.append(double.message(message_id))
        except KeyError:
            continue  # deleted
    return messages


def wait_for_answer(double: DiscordDouble, interaction_id: int) -> list[Json]:
    """The messages of an answered /ask: complete once the last one carries the buttons."""

    def answered() -> list[Json] | None:
        messages = interaction_messages(double, interaction_id)
        return messages if messages and messages[-1]["components"] else None

    return double.wait_until(answered, timeout=WAIT)


def wait_for_passages(double: DiscordDouble, interaction_id: int) -> list[Json]:
    """The messages of an interaction answered with embeds only (passages, /status)."""

    def shown() -> list[Json] | None:
        messages = interaction_messages(double, interaction_id)
        return messages if messages and all(m["embeds"] for m in messages) else None

    return double.wait_until(shown, timeout=WAIT)


def text_of(messages: Iterable[Json]) -> str:
    """The answer text shown, Markdown escapes removed, whitespace normalised."""
    return " ".join(" ".join(m["content"] for m in messages).replace("\\", "").split())


def normalised(text: str) -> str:
    return " ".join(text.split())


def displayed(reference: Json) -> str:
    """What the bot shows for the CLI's answer: the short answer in bold first, if any."""
    lead = f"**{reference['short_answer']}** [1] " if reference.get("short_answer") else ""
    return normalised(lead + reference["answer"])


def calls_for(double: DiscordDouble, record: InteractionRecord) -> list[RestCall]:
    """REST calls the bot made for one interaction (callback, follow-ups, edits)."""
    return [c for c in double.calls() if record.token in c.path or str(record.id) in c.path]


def heading(citation: Json) -> str:
    """``[n] title — source, date`` as issue 3 specifies it, missing parts left out."""
    byline = ", ".join(p for p in (citation["source"], citation["published_at"]) if p)
    return f"[{citation['n']}] {citation['title']}" + (f" — {byline}" if byline else "")


def button(message: Json, custom_id_prefix: str) -> str:
    for row in message["components"]:
        for component in row["components"]:
            if component.get("custom_id", "").startswith(custom_id_prefix):
                return str(component["custom_id"])
    raise AssertionError(f"no {custom_id_prefix} button in {message['components']}")


def ask(world: World, question: str, user_id: int, **options: Any) -> InteractionRecord:
    return world.double.dispatch_command("ask", {"question": question, **options}, user_id=user_id)
