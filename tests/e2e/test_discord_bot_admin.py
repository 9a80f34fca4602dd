"""`newsbot serve` end to end, administering: /reindex, /add and /status.

A real bot process, real discord.py and the Discord double (see ``bot_world.py``), in a
world of this module's own: its tests add articles to the corpus, re-index it and take it
away for a moment, in any order. So no test expects a count another test left behind: the
articles indexed are read from `newsbot stats --json` (or counted in the corpus folder) when
a test needs them.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.e2e.bot_corpus import BULLETIN_FACT, BULLETIN_QUESTION, write_bulletins
from tests.e2e.bot_world import (
    DEADLINE,
    EDIT,
    MANAGE_GUILD,
    SOCHI,
    WAIT,
    World,
    ask,
    calls_for,
    displayed,
    open_world,
    run_cli,
    text_of,
    wait_for_answer,
    wait_for_passages,
)

pytestmark = pytest.mark.e2e

BULLETINS = 40
# The bot's event loop must never stall this long (the bot's own target is 100 ms, asserted
# in-process by test_discord_bot_loop.py; this is a separate process on a shared machine).
MAX_STALL_MS = 500


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with open_world(
        tmp_path_factory.mktemp("discord-bot-admin"), questions=[SOCHI, BULLETIN_QUESTION]
    ) as world:
        yield world


def indexed_articles(world: World) -> int:
    """How many articles the served index holds, as `newsbot stats --json` says now."""
    return int(json.loads(run_cli(world.env, "stats", "--json"))["articles"])


def articles_in(corpus: Path) -> int:
    """How many articles the corpus folder holds: one per .md file, one per .jsonl line."""
    markdown = len(list(corpus.glob("*.md")))
    lines = sum(len(p.read_text().splitlines()) for p in corpus.glob("*.jsonl"))
    return markdown + lines


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
    indexed = indexed_articles(world)  # whatever other tests of this module added
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
    assert final["content"].startswith("Re-index finished in ")
    assert (
        f": {BULLETINS} added, 0 updated, {indexed} unchanged, 0 removed, 0 failed;"
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
    assert indexed_articles(world) == indexed + BULLETINS


def test_a_failed_reindex_tells_the_admin_why_and_the_old_index_keeps_answering(
    world: World,
) -> None:
    double = world.double
    hidden = world.corpus.with_name("corpus-away")
    opened = world.log().count("serving ")  # the bot logs it each time it opens the index
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
        # The index that answers is the one that was open: nothing is reopened.
        assert world.log().count("serving ") == opened
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
    assert fields["Articles"] == str(articles_in(world.corpus)) == str(stats["articles"])
    assert fields["Chunks"] == f"{stats['chunks']:,}"
    assert fields["Last re-index"] == stats["indexed_at"]
    assert fields["Embedding model"] == stats["embedding_model"]
    assert fields["Version"] == version("newsbot")
    stall = fields["Longest event-loop stall since connecting"]
    print(f"\nlongest event-loop stall since connecting: {stall}")
    assert re.fullmatch(r"\d+ ms", stall), stall  # whole milliseconds
    assert int(stall.removesuffix(" ms")) < MAX_STALL_MS, stall
