"""News feeds in Discord: /feed add, /feed list and /feed remove (admins only), and the
background poller of `newsbot serve`.

The poller wakes when a feed is due (or one was just added), checks the due feeds in a
worker thread (the core's :class:`~index.ingest.follow.Follower`: its own event loop,
its own extraction thread), and when they brought new or edited articles runs the bot's
re-index (a child process) and opens the new index. The event loop only waits. It shares
the re-index lock with /reindex, /add and `newsbot index`: when one of them is running, the
articles fetched wait in the corpus folder for the next check. It can post a short note
to ``NEWSBOT_DISCORD_NEWS_CHANNEL``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import is_admin, refusal_message
from bot.render import NO_MENTIONS
from bot.render_feeds import (
    render_feed_added,
    render_feed_list,
    render_feed_removed,
    render_news_note,
    render_round,
)
from index.errors import FetchInProgressError, NewsbotError, ReindexInProgressError

if TYPE_CHECKING:
    from bot.discord_bot import NewsBot
    from bot.host import AdminHost
    from bot.settings import BotSettings
    from index.ingest.follow import FollowReport
    from index.ingest.intake import Intake
    from index.ingest.pages import TakenArticle

    class FeedsHost(AdminHost, Protocol):
        """What the feeds cog uses: the admin host, plus Discord's readiness and channels."""

        async def wait_until_ready(self) -> None: ...

        def get_channel(self, id: int, /) -> Any: ...

        async def fetch_channel(self, channel_id: int, /) -> Any: ...


log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong; it has been logged. Please try again."
# The poller looks at the feeds at least this often (feeds added from the command line).
LONGEST_SLEEP = 60.0


class FeedsCog(commands.Cog):
    """/feed add|list|remove and the background checks of the feeds."""

    feed = app_commands.Group(
        name="feed", description="The news feeds the bot follows (admins only)", guild_only=True
    )

    def __init__(self, host: FeedsHost) -> None:
        self.bot = host
        settings = host.settings
        self._registry = settings.feed_registry()
        self._follower = settings.follower()
        self._wake = asyncio.Event()
        self._stop = threading.Event()
        self._poller: asyncio.Task[None] | None = None
        self._waiting: list[TakenArticle] = []  # fetched, not indexed yet
        self._last_round: str | None = None  # for /status: the last check, as said there
        if not settings.discord_admin_role:
            # As for /reindex: Discord shows the commands to Manage Server members only;
            # the handlers check in every case.
            self.feed.default_permissions = discord.Permissions(manage_guild=True)

    async def cog_load(self) -> None:
        self._poller = asyncio.create_task(self._poll_forever(), name="newsbot-feeds")

    async def cog_unload(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)

    # -- commands -------------------------------------------------------------------------------

    @feed.command(name="add")
    @app_commands.describe(
        url="The feed's address (RSS or Atom, http or https)",
        source="Source name for its articles (default: the site's own name)",
        every="How often to check it, e.g. 15m, 2h, 1d (default 30m)",
    )
    async def follow_feed(
        self,
        interaction: discord.Interaction,
        url: str,
        source: str | None = None,
        every: str | None = None,
    ) -> None:
        """Follow a news feed: its new articles are fetched and indexed (admins only)."""
        from index.ingest.feeds import add_feed

        settings = self.bot.settings
        reply = await self._run_for_admin(
            interaction,
            lambda: render_feed_added(
                add_feed(
                    self._registry,
                    url,
                    source=source,
                    every=every or settings.feeds_every,
                    allow_private=settings.fetch_allow_private,
                )
            ),
        )
        if reply:
            self._wake.set()

    @feed.command(name="list")
    async def list_feeds(self, interaction: discord.Interaction) -> None:
        """The feeds followed and how their last check went (admins only)."""
        await self._run_for_admin(interaction, lambda: render_feed_list(self._registry.feeds()))

    @feed.command(name="remove")
    @app_commands.describe(feed="The feed's number in /feed list, or its address")
    async def remove_feed(self, interaction: discord.Interaction, feed: str) -> None:
        """Stop following a feed; its articles stay (admins only)."""
        await self._run_for_admin(
            interaction, lambda: render_feed_removed(self._registry.remove(feed))
        )

    async def _run_for_admin(
        self, interaction: discord.Interaction, work: Callable[[], str | list[str]]
    ) -> bool:
        """Refuse non-admins; else defer, run ``work`` in a thread and send what it
        renders (privately). True if it succeeded."""
        admin_role = self.bot.settings.discord_admin_role
        member = interaction.user
        roles = member.roles if isinstance(member, discord.Member) else []
        if not is_admin(interaction.permissions, roles, admin_role):
            await interaction.response.send_message(
                refusal_message(admin_role), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return False
        await interaction.response.defer(ephemeral=True, thinking=True)
        ok = False
        try:
            rendered = await asyncio.to_thread(work)
            ok = True
        except NewsbotError as e:
            rendered = str(e)
        except Exception:
            log.exception("/feed failed")
            rendered = UNEXPECTED
        for text in [rendered] if isinstance(rendered, str) else rendered:
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return ok

    def describe_polling(self) -> str | None:
        """The poller's last round and what waits for a re-index, for /status; None before
        the first round."""
        if self._last_round is None:
            return None
        waiting = f"; {len(self._waiting)} fetched, waiting for a re-index" if self._waiting else ""
        return self._last_round + waiting

    # -- the poller -----------------------------------------------------------------------------

    async def _poll_forever(self) -> None:
        await self.bot.wait_until_ready()
        while not self._stop.is_set():
            try:
                sleep = await self.poll_once()
            except Exception:
                log.exception("checking the feeds failed")
                sleep = LONGEST_SLEEP
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=sleep)
            self._wake.clear()

    async def poll_once(self) -> float:
        """Check the feeds due now and index what they brought; seconds until the next."""
        due = await asyncio.to_thread(self._registry.due, time.time())
        if due:
            report = await self._check(due)
            if report is not None:
                self._waiting += report.written
        if self._waiting:
            await self._index()
        feeds = await asyncio.to_thread(self._registry.feeds)
        now = time.time()
        return min([LONGEST_SLEEP, *(max(1.0, feed.due_in(now)) for feed in feeds)])

    async def _check(self, due: list[Any]) -> FollowReport | None:
        from index.ingest.follow import FetchStopped

        try:
            report = await asyncio.to_thread(self._follower.follow, due, stop=self._stop)
        except FetchInProgressError:
            log.info("a fetch is running elsewhere (`newsbot fetch`?); checking again later")
            return None
        except FetchStopped:
            return None  # the bot is stopping
        self._last_round = render_round(report, time.time())
        for feed in report.feeds:
            log.log(
                logging.WARNING if feed.status == "failed" else logging.INFO,
                "feed %s: %s",
                feed.url,
                feed.describe(),
            )
            for failure in feed.failures:
                log.warning("feed %s: %s: %s", feed.url, failure.url, failure.reason)
        return report

    async def _index(self) -> None:
        """Re-index for the articles waiting, then open the new index and tell the channel."""
        articles = self._waiting
        try:
            summary = await self.bot.reindex(lambda progress: None)
        except ReindexInProgressError:
            log.info("a re-index is running; %d fetched articles wait for it", len(articles))
            return
        except NewsbotError as e:
            log.warning("indexing the fetched articles failed: %s", e)
            return
        self._waiting = []
        embedded = summary.chunks_embedded
        log.info("feeds: %d articles indexed (%d chunks embedded)", len(articles), embedded)
        await self.bot.open_new_index()
        await self._announce(articles)

    async def _announce(self, articles: list[TakenArticle]) -> None:
        channel_id = self.bot.settings.discord_news_channel
        if not channel_id:
            return
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            await channel.send(render_news_note(articles), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as e:
            log.warning("could not post to the news channel %s: %s", channel_id, e)


async def setup(bot: NewsBot) -> None:
    """Loaded by ``bot.load_extension("bot.cogs.feeds")``."""
    await bot.add_cog(FeedsCog(bot))


async def take_in_link(settings: BotSettings, url: str | None) -> Intake | str:
    """For /add url: the article at ``url`` fetched into the corpus folder (as an
    :class:`~index.ingest.intake.Intake`, like an attached file), or why not."""
    from index.ingest.intake import Intake

    try:
        taken = await asyncio.to_thread(settings.follower().add_link, str(url or ""))
    except NewsbotError as e:
        return str(e)
    return Intake(taken.file, 1, replaced=taken.outcome != "new")
