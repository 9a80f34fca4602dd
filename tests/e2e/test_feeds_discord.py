"""Feeds in `newsbot serve`, end to end: /feed add|list|remove, /add url:, and the poller.

A real bot process against the Discord double (``bot_world.py``) and the loopback news site
(``news_site.py``), in a world of this module's own: an admin follows the site's RSS feed
to be checked every 5 seconds; an article published on the site is answered in Discord
after one interval, while the bot goes on answering questions, and the bot posts a note
to the news channel (NEWSBOT_DISCORD_NEWS_CHANNEL).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import SEED_ARTICLE
from tests.e2e.bot_world import (
    BOT_SETTINGS,
    DEADLINE,
    SOCHI,
    WAIT,
    World,
    ask,
    assert_ran_cleanly,
    connection_env,
    interaction_messages,
    run_cli,
    serving,
    text_of,
    wait_for_answer,
    wait_for_passages,
)
from tests.e2e.discord_double import DiscordDouble
from tests.e2e.news_site import (
    LIGHTHOUSE,
    LIGHTHOUSE_FACT,
    LIGHTHOUSE_QUESTION,
    NewsSite,
    SiteArticle,
)

pytestmark = pytest.mark.e2e

EVERY = 5  # seconds between checks of the feed the admin follows
INDEXED = 240  # how long a check, a re-index in a child process and a note may take here
MAX_STALL_MS = 500  # as test_discord_bot_admin.py: a separate process on a shared machine


@dataclass
class FeedWorld:
    world: World
    site: NewsSite

    @property
    def double(self) -> DiscordDouble:
        return self.world.double

    def editor(self) -> int:
        return self.world.person("editor", roles=[self.world.editors_role])

    def reply(self, command: str, options: dict[str, Any], user_id: int) -> str:
        """The (private) text the bot answered a slash command with."""
        interaction = self.double.dispatch_command(command, options, user_id=user_id)
        record = self.double.wait_for_interaction_response(interaction.id, timeout=WAIT)
        assert record.ack_delay is not None and record.ack_delay < DEADLINE
        messages = interaction_messages(self.double, interaction.id)
        assert messages and all(m["flags"] & 64 for m in messages)  # only the admin sees it
        return "\n".join(m["content"] for m in messages)

    def note(self, containing: str) -> dict[str, Any]:
        """The bot's note in the news channel that mentions ``containing``."""
        return self.double.wait_for_message(
            lambda m: containing in m["content"],
            timeout=INDEXED,
            channel_id=self.double.channel_id,
        )


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FeedWorld]:
    root = tmp_path_factory.mktemp("feeds-discord")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED_ARTICLE, corpus)
    token = "MTE5" + secrets.token_urlsafe(48)
    with NewsSite() as site, DiscordDouble(token=token, heartbeat_interval=1.0) as double:
        editors = double.add_role(double.guild_id, "Editors")
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
        env.update(NEWSBOT_DATA_DIR=str(root / "data"), NEWSBOT_CORPUS_DIR=str(corpus))
        run_cli(env, "index")
        env.update(
            connection_env(double),
            **BOT_SETTINGS,
            NEWSBOT_FETCH_ALLOW_PRIVATE="true",
            NEWSBOT_FETCH_TIMEOUT="3",
            NEWSBOT_DISCORD_NEWS_CHANNEL=str(double.channel_id),
        )
        with serving(env, double, root / "bot.log") as process:
            world = World(double, process, env, corpus, root / "bot.log", token, editors, {}, [])
            yield FeedWorld(world, site)
        assert_ran_cleanly(world)


def test_a_non_admin_cannot_follow_a_feed(feeds: FeedWorld) -> None:
    url = feeds.site.url("/atom.xml")
    reply = feeds.reply("feed add", {"url": url}, feeds.world.person("reader"))
    assert reply == (
        "Only members with the Manage Server permission or the “Editors” role can add articles "
        "or re-index them."
    )
    assert url not in run_cli(feeds.world.env, "feeds", "list")


def test_a_file_url_is_refused_with_a_clear_message(feeds: FeedWorld) -> None:
    reply = feeds.reply("feed add", {"url": "file:///etc/passwd"}, feeds.editor())
    assert reply == (
        "file:///etc/passwd was refused: newsbot fetches only http and https URLs, not file:."
    )


def test_a_new_article_is_answered_after_one_check_while_questions_are_answered(
    feeds: FeedWorld,
) -> None:
    site, double = feeds.site, feeds.double
    rss = site.url("/rss.xml")
    reply = feeds.reply(
        "feed add", {"url": rss, "source": "Elmstead Courier", "every": f"{EVERY}s"}, feeds.editor()
    )
    assert reply.startswith("Following feed ") and "checked every 5 s" in reply
    first = feeds.note("Elmstead ferry to resume winter crossings")
    assert first["content"].startswith("1 new article indexed.")

    published = time.monotonic()
    url = site.publish(LIGHTHOUSE)
    answered = []
    while not any(LIGHTHOUSE.title in m["content"] for m in double.messages(double.channel_id)):
        assert time.monotonic() - published < INDEXED, "the new article was not indexed"
        question = ask(feeds.world, SOCHI, feeds.world.person("reader"))
        answered.append(wait_for_answer(double, question.id))
        assert double.interaction(question.id).ack_delay < DEADLINE  # type: ignore[operator]
    note = feeds.note(LIGHTHOUSE.title)
    assert note["content"] == f"1 new article indexed.\n• {LIGHTHOUSE.title} <{url}>"
    assert answered and all("not to use force" in text_of(a) for a in answered)

    answer = wait_for_answer(double, ask(feeds.world, LIGHTHOUSE_QUESTION, feeds.editor()).id)
    assert LIGHTHOUSE_FACT in text_of(answer)
    sources = answer[-1]["embeds"][0]
    assert LIGHTHOUSE.title in sources["fields"][0]["name"] and url in sources["fields"][0]["value"]
    # Checking and indexing never held up the bot's event loop.
    status = double.dispatch_command("status", user_id=feeds.world.person("reader"))
    (page,) = wait_for_passages(double, status.id)
    fields = {f["name"]: f["value"] for f in page["embeds"][0]["fields"]}
    stall = int(fields["Longest event-loop stall since connecting"].removesuffix(" ms"))
    print(f"\nlongest event-loop stall while following the feed: {stall} ms")
    assert stall < MAX_STALL_MS
    # Moderators see the poller's last round there too.
    assert re.search(
        r"UTC: 1 feed checked, \d+ new or updated articles?$", fields["Feeds: last check"]
    )

    # The next check, one interval on, is a conditional request answered 304.
    since = len(site.requests())
    site.wait_for(lambda asked: any(r.path == "/rss.xml" for r in asked[since:]), EVERY * 4)
    check = next(r for r in site.requests(since) if r.path == "/rss.xml")
    assert check.status == 304 and check.headers.get("If-None-Match")


def test_feeds_are_listed_and_removed(feeds: FeedWorld) -> None:
    broken = feeds.site.url("/broken.xml")
    editor = feeds.editor()
    added = feeds.reply("feed add", {"url": broken, "every": "1h"}, editor)
    number = added.removeprefix("Following feed ").split(":")[0]
    deadline = time.monotonic() + WAIT
    while '"status": null' in run_cli(feeds.world.env, "feeds", "list", "--json"):
        assert time.monotonic() < deadline, "the new feed was never checked"
        time.sleep(0.5)
    listed = feeds.reply("feed list", {}, editor)
    assert f"**{number}.** {broken} — <{broken}>\nevery 1 h; checked <t:" in listed
    assert "failed: not a readable RSS or Atom feed" in listed

    removed = feeds.reply("feed remove", {"feed": number}, editor)

    assert removed.startswith(f"No longer following feed {number} (<{broken}>).")
    assert broken not in feeds.reply("feed list", {}, editor)


def test_an_admin_adds_an_article_by_its_link(feeds: FeedWorld) -> None:
    article = SiteArticle(
        "pool-reopens",
        "Elmstead swimming pool reopens after repairs",
        LIGHTHOUSE.published,
        ["The Elmstead swimming pool reopened on Thursday with a new roof of pale green glass."],
        feed="none",
    )
    url = feeds.site.publish(article)
    double = feeds.double
    add = double.dispatch_command("add", {"url": url + "?utm_source=chat"}, user_id=feeds.editor())
    record = double.wait_for_interaction_response(add.id, timeout=WAIT)
    final = double.wait_for_message(
        lambda m: (
            m["id"] == str(record.original_message_id) and "Re-index finished" in m["content"]
        ),
        timeout=INDEXED,
    )
    assert final["content"].startswith("Added web/127.0.0.1-")
    assert ": 1 article.\nRe-index finished in " in final["content"]
    answer = wait_for_answer(
        double, ask(feeds.world, "What is the pool's new roof made of?", feeds.editor()).id
    )
    assert "pale green glass" in text_of(answer)
