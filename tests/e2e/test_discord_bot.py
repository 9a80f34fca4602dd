"""`newsbot serve` end to end: a real bot process, real discord.py, the Discord double.

One world per module keeps the run short: the double (a guild with #general), a corpus (the
bundled seed article plus the articles of ``bot_corpus.py``) indexed by a real `newsbot index`,
reference answers from the CLI (the same core, without Discord), and one `newsbot serve`
process pointed at the double through NEWSBOT_DISCORD_API_URL / NEWSBOT_DISCORD_GATEWAY_URL.
Tests drive the bot only as Discord users would (slash commands, messages, button clicks)
and assert on what the bot sent: the REST calls the double recorded and the messages it
stored. Every test uses people of its own, so cooldowns and conversations never leak
between tests.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from bot.feedback import FeedbackStore, Vote
from tests.e2e.bot_corpus import (
    BULLETIN_FACT,
    BULLETIN_QUESTION,
    FORUM_QUESTION,
    LONG_QUESTION,
    write_bulletins,
    write_corpus,
)
from tests.e2e.discord_double import DiscordDouble, InteractionRecord, RestCall

pytestmark = pytest.mark.e2e

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
BULLETINS = 40

Json = dict[str, Any]


@dataclass
class World:
    double: DiscordDouble
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    corpus: Path
    log_path: Path
    token: str
    editors_role: int
    reference: dict[str, Json]  # the CLI's answers, by question
    conversation: list[Json]  # the CLI's answers to HOST then FOLLOW_UP, in one chat
    articles: int
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


def wait_for_bot(world_double: DiscordDouble, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until the bot identified and registered its commands (failing fast if it died)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"newsbot serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            world_double.wait_until_identified(timeout=1)
            world_double.wait_until(lambda: len(world_double.commands(world_double.guild_id)) >= 3)
            return
        except TimeoutError:
            continue
    pytest.fail(f"newsbot serve did not connect:\n{log.read_text()}")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("discord-bot")
    token = "MTE5" + secrets.token_urlsafe(48)  # shaped like a real token; must never leak
    with DiscordDouble(token=token, heartbeat_interval=1.0) as double:
        editors = double.add_role(double.guild_id, "Editors")
        corpus = write_corpus(root / "corpus", role_id=editors, user_id=double.user_id)
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
        env.update(NEWSBOT_DATA_DIR=str(root / "data"), NEWSBOT_CORPUS_DIR=str(corpus))
        run_cli(env, "index")
        questions = [SOCHI, LONG_QUESTION, FORUM_ASKED, FOLLOW_UP, BULLETIN_QUESTION]
        answers = run_cli(env, "ask", "--json", "-", stdin="\n".join(questions) + "\n")
        reference = {a["question"]: a for a in map(json.loads, answers.splitlines())}
        chat = run_cli(env, "chat", "--json", stdin=f"{HOST}\n{FOLLOW_UP}\n")
        env.update(
            NEWSBOT_DISCORD_TOKEN=token,
            NEWSBOT_DISCORD_API_URL=double.api_base,
            NEWSBOT_DISCORD_GATEWAY_URL=double.gateway_url,
            NEWSBOT_DISCORD_GUILD_ID=str(double.guild_id),
            NEWSBOT_DISCORD_ADMIN_ROLE="Editors",
            NEWSBOT_DISCORD_MESSAGE_CONTENT="true",
            NEWSBOT_DISCORD_COOLDOWN_QUESTIONS="3",
            NEWSBOT_DISCORD_COOLDOWN_SECONDS="60",
        )
        log_path = root / "bot.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [NEWSBOT, "--verbose", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            wait_for_bot(double, process, log_path)
            yield World(
                double=double,
                process=process,
                env=env,
                corpus=corpus,
                log_path=log_path,
                token=token,
                editors_role=editors,
                reference=reference,
                conversation=[json.loads(line) for line in chat.splitlines()],
                articles=len(list(corpus.glob("*.md"))),
            )
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)


# -- helpers --------------------------------------------------------------------------------------


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


def eventually(condition: Callable[[], Any], timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.05)


# -- start-up -------------------------------------------------------------------------------------


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


def test_slash_commands_are_registered_in_the_development_guild_only(world: World) -> None:
    double = world.double
    commands = {c["name"]: c for c in double.commands(double.guild_id)}
    assert set(commands) == {"ask", "add", "reindex", "status"}
    assert double.commands() == []  # nothing global
    options = {o["name"]: o for o in commands["ask"]["options"]}
    assert list(options) == ["question", "source", "since", "until", "private"]
    assert options["question"]["required"] and not options["private"].get("required")
    assert commands["reindex"]["dm_permission"] is False  # guild only
    assert commands["add"]["dm_permission"] is False
    (upload,) = commands["add"]["options"]
    assert (upload["name"], upload["type"], upload["required"]) == ("file", 11, True)
    connection = double.connections[0]
    assert connection.identify is not None
    assert connection.identify["intents"] & (1 << 15)  # Message Content, as configured


# -- /ask -----------------------------------------------------------------------------------------


def test_ask_is_deferred_within_3_s_and_answered_citing_the_not_to_use_force_passage(
    world: World,
) -> None:
    double = world.double
    interaction = ask(world, SOCHI, world.person("reader"))
    messages = wait_for_answer(double, interaction.id)

    record = double.interaction(interaction.id)
    assert record.deferred and record.ack_delay is not None and record.ack_delay < DEADLINE
    print(f"\n/ask deferred {record.ack_delay * 1000:.0f} ms after it was sent")
    (answer,) = messages
    assert answer["id"] == str(record.original_message_id)  # the "thinking…" message, completed
    assert text_of(messages) == displayed(world.reference[SOCHI])
    assert "agreed not to use force" in answer["content"]
    (sources,) = answer["embeds"]
    (cited,) = sources["fields"]
    assert cited["name"] == "[1] Armenia and Azerbaijan hold US-mediated peace talks in Washington"
    assert "agreed not to use force" in cited["value"]

    click = double.dispatch_component(int(answer["id"]), button(answer, "newsbot:passages:"))
    messages = wait_for_passages(double, click.id)
    (passage,) = [e for m in messages for e in m["embeds"]]
    assert messages[0]["flags"] & 64  # ephemeral: only the person who clicked sees it
    assert "agreed not to use force" in passage["description"]
    assert normalised(passage["description"].replace("\\", "")) == normalised(
        world.reference[SOCHI]["citations"][0]["passage"]
    )


def wait_for_passages(double: DiscordDouble, interaction_id: int) -> list[Json]:
    def shown() -> list[Json] | None:
        messages = interaction_messages(double, interaction_id)
        return messages if messages and all(m["embeds"] for m in messages) else None

    return double.wait_until(shown, timeout=WAIT)


def test_no_answer_pings_anyone_whatever_the_question_or_article_contains(world: World) -> None:
    double = world.double
    interaction = ask(world, FORUM_QUESTION, world.person("reader"))
    messages = wait_for_answer(double, interaction.id)

    reference = world.reference[FORUM_ASKED]
    assert "@everyone" in reference["answer"] and f"<@&{world.editors_role}>" in reference["answer"]
    shown = text_of(messages)
    assert shown == displayed(reference)  # the mentions are shown as text...
    record = double.interaction(interaction.id)
    sent = [c for c in calls_for(double, record) if c.route in MESSAGE_ROUTES and c.body]
    assert [c.route for c in sent] == [CALLBACK, FOLLOWUP]
    assert sent[1].allowed_mentions == {"parse": []}
    for message in messages:  # ...and notify nobody
        assert message["mention_everyone"] is False
        assert message["mentions"] == [] and message["mention_roles"] == []


def test_an_answer_longer_than_2000_characters_arrives_as_messages_within_the_limits(
    world: World,
) -> None:
    double = world.double
    reference = world.reference[LONG_QUESTION]
    assert reference["found"] and len(reference["answer"]) > 2000  # a real answer, this long

    interaction = ask(world, LONG_QUESTION, world.person("reader"))
    messages = wait_for_answer(double, interaction.id)

    assert len(messages) >= 2
    assert all(0 < len(m["content"]) <= 2000 for m in messages)
    assert text_of(messages) == displayed(reference)
    record = double.interaction(interaction.id)
    sent = [c for c in calls_for(double, record) if c.route in MESSAGE_ROUTES]
    assert sent and all(c.status < 300 for c in sent)  # Discord refused nothing
    assert not record.rejected_callbacks
    last = messages[-1]  # the sources and the buttons come after the whole text
    assert [f["name"].split("]")[0] + "]" for f in last["embeds"][0]["fields"]] == [
        f"[{c['n']}]" for c in reference["citations"]
    ]


def test_private_answers_are_ephemeral(world: World) -> None:
    interaction = ask(world, SOCHI, world.person("reader"), private=True)
    messages = wait_for_answer(world.double, interaction.id)
    assert all(m["flags"] & 64 for m in messages)


def test_a_bad_date_is_explained_privately(world: World) -> None:
    double = world.double
    interaction = ask(world, SOCHI, world.person("reader"), since="last week")
    record = double.wait_for_interaction_response(interaction.id, timeout=WAIT)
    assert record.callback_type == 4 and record.callback_data is not None
    assert record.callback_data["flags"] & 64
    assert "`since` must be a date like 2024-03-01" in record.callback_data["content"]


def test_a_question_that_is_only_a_mention_is_explained_privately(world: World) -> None:
    double = world.double
    interaction = ask(world, "@everyone", world.person("reader"))

    def explained() -> list[Json] | None:
        messages = interaction_messages(double, interaction.id)
        return messages if messages and messages[-1]["content"] else None

    (note,) = double.wait_until(explained, timeout=WAIT)
    assert note["flags"] & 64 and note["content"].startswith("Please type a question")
    record = double.interaction(interaction.id)
    assert record.deferred and record.original_message_id != int(note["id"])  # thinking… gone


def test_votes_are_stored_with_the_question_answer_citations_and_a_hashed_user_id(
    world: World,
) -> None:
    double = world.double
    voter = world.person("voter")
    (answer,) = wait_for_answer(double, ask(world, SOCHI, voter).id)

    click = double.dispatch_component(
        int(answer["id"]), button(answer, "newsbot:vote:up:"), user_id=voter
    )
    record = double.wait_for_interaction_response(click.id, timeout=WAIT)
    assert record.ack_delay is not None and record.ack_delay < DEADLINE
    (thanks,) = interaction_messages(double, click.id)
    assert thanks["flags"] & 64 and "Thanks" in thanks["content"]

    store = FeedbackStore(Path(world.env["NEWSBOT_DATA_DIR"]) / "feedback.sqlite3")
    (vote,) = [v for v in store.votes() if v.user_hash == store.user_hash(voter)]
    assert vote.vote is Vote.UP and vote.question == SOCHI
    assert vote.answer == world.reference[SOCHI]["answer"]
    assert vote.citation_ids == tuple(c["article_id"] for c in world.reference[SOCHI]["citations"])
    assert str(voter) not in vote.user_hash


def test_asking_too_fast_is_answered_politely(world: World) -> None:
    double = world.double
    eager = world.person("eager")
    first = [ask(world, SOCHI, eager) for _ in range(3)]
    fourth = ask(world, SOCHI, eager)
    record = double.wait_for_interaction_response(fourth.id, timeout=WAIT)
    assert record.callback_type == 4 and record.callback_data is not None
    assert record.callback_data["flags"] & 64
    assert "please wait" in record.callback_data["content"]
    for interaction in first:
        wait_for_answer(double, interaction.id)


# -- mentions, threads and DMs --------------------------------------------------------------------


def test_a_mention_starts_a_thread_and_a_follow_up_there_is_answered_from_the_conversation(
    world: World,
) -> None:
    double = world.double
    alice, bob = world.person("alice"), world.person("bob")
    question = double.dispatch_message(f"<@{double.bot_user_id}> {HOST}", author_id=alice)
    thread_id = int(question["id"])
    first = double.wait_for_message(channel_id=thread_id, timeout=WAIT)

    thread = double.channel(thread_id)
    assert thread["type"] == 11 and thread["parent_id"] == str(double.channel_id)
    assert thread["name"] == HOST and len(thread["name"]) <= 100
    host_answer, follow_up_answer = world.conversation
    assert text_of([first]) == displayed(host_answer)
    assert "right here in this thread" in first["embeds"][0]["footer"]["text"]
    assert first["components"]  # Show passages and the votes, in threads too

    double.dispatch_message(FOLLOW_UP, channel_id=thread_id, author_id=alice)  # no mention
    reply = double.wait_for_message(
        lambda m: m["id"] != first["id"] and m["channel_id"] == str(thread_id), timeout=WAIT
    )
    standalone = world.reference[FOLLOW_UP]
    assert follow_up_answer["found"] and not standalone["found"]  # it needs the conversation
    assert text_of([reply]) == displayed(follow_up_answer)

    # Memory is per person and per thread: Bob in the same thread, and Alice in a DM, start
    # from nothing and get the standalone answer.
    seen = {first["id"], reply["id"]}
    double.dispatch_message(FOLLOW_UP, channel_id=thread_id, author_id=bob)
    bobs = double.wait_for_message(
        lambda m: m["channel_id"] == str(thread_id) and m["id"] not in seen, timeout=WAIT
    )
    assert text_of([bobs]) == displayed(standalone)
    assert bobs["embeds"][0]["title"] == "Nearest articles"  # not covered: says so, names some
    assert [f["name"] for f in bobs["embeds"][0]["fields"]] == [
        heading(c) for c in standalone["citations"]
    ]
    double.dispatch_message(FOLLOW_UP, dm=True, author_id=alice)
    dm = double.wait_for_message(channel_id=double.dm_channel_id(alice), timeout=WAIT)
    assert text_of([dm]) == displayed(standalone)


def test_a_direct_message_is_answered_in_the_dm(world: World) -> None:
    double = world.double
    reader = world.person("reader")
    double.dispatch_message(SOCHI, dm=True, author_id=reader)
    answer = double.wait_for_message(channel_id=double.dm_channel_id(reader), timeout=WAIT)
    assert text_of([answer]) == displayed(world.reference[SOCHI])
    assert answer["components"]  # the buttons work in DMs too


# -- /reindex and /status -------------------------------------------------------------------------


def test_a_non_admin_cannot_reindex(world: World) -> None:
    double = world.double
    interaction = double.dispatch_command("reindex", user_id=world.person("reader"))
    record = double.wait_for_interaction_response(interaction.id, timeout=WAIT)
    assert record.callback_type == 4 and record.callback_data is not None
    assert record.callback_data["flags"] & 64
    assert record.callback_data["content"] == (
        "Only members with the Manage Server permission or the “Editors” role can add articles "
        "or re-index them."
    )
    assert not [c for c in calls_for(double, record) if c.route == EDIT]


def test_an_admin_reindex_reports_progress_then_a_summary_while_questions_are_answered(
    world: World,
) -> None:
    double = world.double
    before = world.reference[BULLETIN_QUESTION]
    assert not before["found"]  # nothing about the footbridge is indexed yet
    write_bulletins(world.corpus, BULLETINS)
    editor = world.person("editor", roles=[world.editors_role])
    manager_role = double.add_role(double.guild_id, "Managers", MANAGE_GUILD)
    manager = world.person("manager", roles=[manager_role])

    reindex = double.dispatch_command("reindex", user_id=editor)
    record = double.wait_for_interaction_response(reindex.id, timeout=WAIT)
    assert record.callback_type == 4 and record.ack_delay is not None
    assert record.ack_delay < DEADLINE and record.callback_data is not None
    assert record.callback_data["flags"] & 64

    # While it runs: a second re-index is refused, questions are answered.
    second = double.dispatch_command("reindex", user_id=manager)
    refused = double.wait_for_interaction_response(second.id, timeout=WAIT)
    assert refused.callback_data is not None
    assert refused.callback_data["content"].startswith(
        "A re-index is already running, started by Editor"
    )
    question = ask(world, SOCHI, world.person("reader"))
    answered = wait_for_answer(double, question.id)
    assert text_of(answered) == displayed(world.reference[SOCHI])
    assert double.interaction(question.id).ack_delay < DEADLINE  # type: ignore[operator]

    final = double.wait_for_message(
        lambda m: (
            m["id"] == str(record.original_message_id)
            and m["content"].startswith("Re-index finished")
        ),
        timeout=240,
    )
    world.articles += BULLETINS
    assert final["content"].startswith("Re-index finished in ")
    before = world.articles - BULLETINS
    assert (
        f": {BULLETINS} added, 0 updated, {before} unchanged, 0 removed, 0 failed;"
        in final["content"]
    )
    edits = [c for c in calls_for(double, record) if c.route == EDIT]
    texts = [c.body["content"] for c in edits]
    assert any(t.startswith("Re-indexing… ") and f"/ {BULLETINS} articles" in t for t in texts)
    assert texts[-1] == final["content"]
    times = [record.acknowledged_at or 0.0, *(c.at for c in edits)]
    assert all(b - a >= 1.95 for a, b in itertools.pairwise(times)), times
    assert all(c.allowed_mentions == {"parse": []} for c in edits)
    answered_at = max(c.at for c in calls_for(double, double.interaction(question.id)))
    assert answered_at < edits[-1].at  # answered while the re-index was still running

    # The new generation answers at once.
    after = wait_for_answer(double, ask(world, BULLETIN_QUESTION, world.person("reader")).id)
    assert BULLETIN_FACT in text_of(after)
    assert "Elmstead council bulletin 0" in after[-1]["embeds"][0]["fields"][0]["name"]


def test_a_failed_reindex_tells_the_admin_why_and_the_old_index_keeps_answering(
    world: World,
) -> None:
    double = world.double
    hidden = world.corpus.with_name("corpus-away")
    world.corpus.rename(hidden)
    try:
        reindex = double.dispatch_command(
            "reindex", user_id=world.person("editor", roles=[world.editors_role])
        )
        record = double.wait_for_interaction_response(reindex.id, timeout=WAIT)
        final = double.wait_for_message(
            lambda m: (
                m["id"] == str(record.original_message_id)
                and m["content"].startswith("Re-index failed")
            ),
            timeout=WAIT,
        )
        assert final["content"] == (
            f"Re-index failed: {world.corpus} does not exist. "
            "The previous index is still answering questions."
        )
        answered = wait_for_answer(double, ask(world, SOCHI, world.person("reader")).id)
        assert text_of(answered) == displayed(world.reference[SOCHI])
    finally:
        hidden.rename(world.corpus)


LIBRARY = (
    "---\ntitle: Elmstead library to open on Sundays\nsource: Elmstead Courier\n"
    "published_at: 2026-11-02\n---\n\n"
    "The Elmstead public library will open on Sundays from March, the council said. "
    "Volunteers from the reading club will staff the Sunday afternoons.\n"
)
LIBRARY_QUESTION = "When will the Elmstead library open on Sundays?"


def test_an_admin_adds_an_article_file_which_is_indexed_and_answers_at_once(
    world: World,
) -> None:
    double = world.double
    editor = world.person("editor", roles=[world.editors_role])

    add = double.dispatch_command("add", {"file": ("library.md", LIBRARY.encode())}, user_id=editor)
    record = double.wait_for_interaction_response(add.id, timeout=WAIT)
    assert record.ack_delay is not None and record.ack_delay < DEADLINE
    assert record.callback_data is not None and record.callback_data["flags"] & 64
    final = double.wait_for_message(
        lambda m: (
            m["id"] == str(record.original_message_id) and "Re-index finished" in m["content"]
        ),
        timeout=240,
    )
    world.articles += 1
    assert final["content"].startswith("Added library.md: 1 article.\nRe-index finished in ")
    assert ": 1 added, 0 updated," in final["content"]
    assert (world.corpus / "library.md").read_text() == LIBRARY

    answer = wait_for_answer(double, ask(world, LIBRARY_QUESTION, world.person("reader")).id)
    assert "open on Sundays from March" in text_of(answer)
    assert "Elmstead library to open on Sundays" in answer[-1]["embeds"][0]["fields"][0]["name"]


def test_a_file_with_no_readable_article_is_refused_and_nothing_changes(world: World) -> None:
    double = world.double
    editor = world.person("editor", roles=[world.editors_role])
    before = sorted(p.name for p in world.corpus.iterdir())

    add = double.dispatch_command("add", {"file": ("notes.json", b"{not json")}, user_id=editor)
    record = double.wait_for_interaction_response(add.id, timeout=WAIT)
    final = double.wait_for_message(
        lambda m: m["id"] == str(record.original_message_id) and "not added" in m["content"],
        timeout=WAIT,
    )

    assert final["content"].startswith("notes.json was not added: ")
    assert sorted(p.name for p in world.corpus.iterdir()) == before
    edits = [c.body["content"] for c in calls_for(double, record) if c.route == EDIT]
    assert not any("Re-index" in text for text in edits)  # no re-index was started


def test_a_non_admin_cannot_add_articles(world: World) -> None:
    double = world.double
    before = sorted(p.name for p in world.corpus.iterdir())

    spam = ("spam.md", b"Buy now!")
    add = double.dispatch_command("add", {"file": spam}, user_id=world.person("reader"))
    record = double.wait_for_interaction_response(add.id, timeout=WAIT)

    assert record.callback_data is not None and record.callback_data["flags"] & 64
    assert record.callback_data["content"].startswith("Only members with the Manage Server")
    assert sorted(p.name for p in world.corpus.iterdir()) == before


def test_status_reports_articles_chunks_last_reindex_model_and_version(world: World) -> None:
    double = world.double
    interaction = double.dispatch_command("status", user_id=world.person("reader"))
    (message,) = wait_for_passages(double, interaction.id)
    assert message["flags"] & 64
    fields = {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}
    stats = json.loads(run_cli(world.env, "stats", "--json"))
    assert fields["Articles"] == str(world.articles) == str(stats["articles"])
    assert fields["Chunks"] == f"{stats['chunks']:,}"
    assert fields["Last re-index"] == stats["indexed_at"]
    assert fields["Embedding model"] == stats["embedding_model"]
    assert fields["Version"] == version("newsbot")
    stall = float(fields["Longest event-loop stall since connecting"].removesuffix(" ms"))
    assert stall >= 0


# -- the gateway ----------------------------------------------------------------------------------


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


# -- shutting down (keep last) --------------------------------------------------------------------


def test_the_bot_stops_cleanly_on_sigterm_and_never_logged_its_token(world: World) -> None:
    world.process.send_signal(signal.SIGTERM)
    assert world.process.wait(30) == 0
    log = world.log()
    assert world.token not in log
    assert "Traceback" not in log and " ERROR " not in log, log
    assert "connected as" in log  # the log is the bot's, at INFO level
    assert not world.double.internal_errors
    world.double.assert_no_unknown_routes()
