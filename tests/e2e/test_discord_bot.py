"""`newsbot serve` end to end, asking: /ask, mentions, threads, DMs, buttons and limits.

A real bot process, real discord.py and the Discord double (see ``bot_world.py``). Nothing
here changes the corpus or disturbs the bot, so the module shares one world; re-indexing and
adding articles are in ``test_discord_bot_admin.py``, start-up failures, a dropped gateway
and shutting down in ``test_discord_bot_lifecycle.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.feedback import FeedbackStore, Vote
from tests.e2e.bot_corpus import FORUM_QUESTION, LONG_QUESTION
from tests.e2e.bot_world import (
    CALLBACK,
    DEADLINE,
    FOLLOW_UP,
    FOLLOWUP,
    FORUM_ASKED,
    HOST,
    MESSAGE_ROUTES,
    SOCHI,
    WAIT,
    Json,
    World,
    ask,
    button,
    calls_for,
    displayed,
    heading,
    interaction_messages,
    normalised,
    open_world,
    text_of,
    wait_for_answer,
    wait_for_passages,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with open_world(
        tmp_path_factory.mktemp("discord-bot"),
        questions=[SOCHI, LONG_QUESTION, FORUM_ASKED, FOLLOW_UP],
        chat=[HOST, FOLLOW_UP],
    ) as world:
        yield world


# -- start-up -------------------------------------------------------------------------------------


def test_slash_commands_are_registered_in_the_development_guild_only(world: World) -> None:
    double = world.double
    commands = {c["name"]: c for c in double.commands(double.guild_id)}
    assert set(commands) == {"ask", "add", "reindex", "status", "feed"}
    assert double.commands() == []  # nothing global
    options = {o["name"]: o for o in commands["ask"]["options"]}
    assert list(options) == ["question", "source", "since", "until", "private"]
    assert options["question"]["required"] and not options["private"].get("required")
    assert commands["reindex"]["dm_permission"] is False  # guild only
    assert commands["add"]["dm_permission"] is False
    assert commands["feed"]["dm_permission"] is False
    upload, link = commands["add"]["options"]
    assert (upload["name"], upload["type"], upload.get("required", False)) == ("file", 11, False)
    assert (link["name"], link["type"], link.get("required", False)) == ("url", 3, False)
    feed = {o["name"]: o["type"] for o in commands["feed"]["options"]}
    assert feed == {"add": 1, "list": 1, "remove": 1}  # subcommands
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
    # It needs the conversation: there, "he" hosted them at Blair House; alone, it is not so.
    assert follow_up_answer["found"] and "Blair House" in follow_up_answer["answer"].split("\n")[0]
    assert follow_up_answer["answer"] != standalone["answer"]
    assert text_of([reply]) == displayed(follow_up_answer)

    # Memory is per person and per thread: Bob in the same thread, and Alice in a DM, start
    # from nothing and get the standalone answer.
    seen = {first["id"], reply["id"]}
    double.dispatch_message(FOLLOW_UP, channel_id=thread_id, author_id=bob)
    bobs = double.wait_for_message(
        lambda m: m["channel_id"] == str(thread_id) and m["id"] not in seen, timeout=WAIT
    )
    assert text_of([bobs]) == displayed(standalone)
    assert bobs["embeds"][0]["title"] == ("Sources" if standalone["found"] else "Nearest articles")
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
