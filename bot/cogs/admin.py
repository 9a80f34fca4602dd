"""Running the bot: /reindex and /add (admins only), and /status."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import is_admin, refusal_message
from bot.cogs.feeds import take_in_link
from bot.delivery import send_followups
from bot.relay import LatestRelay
from bot.render import (
    NO_MENTIONS,
    render_progress,
    render_reindex_failure,
    render_status,
    render_summary,
)
from index.errors import NewsbotError
from index.models import IndexProgress

if TYPE_CHECKING:
    from bot.discord_bot import NewsBot
    from bot.host import AdminHost
    from index.ingest.intake import Intake

log = logging.getLogger(__name__)

# The re-index progress message is edited at most this often.
PROGRESS_INTERVAL = 2.0


@dataclass(frozen=True, slots=True)
class ReindexRun:
    """The re-index in progress: who started it and when."""

    started_by: str
    started_at: dt.datetime

    def describe(self) -> str:
        return (
            f"running, started by {discord.utils.escape_markdown(self.started_by)} "
            f"{discord.utils.format_dt(self.started_at, 'R')}"
        )


class AdminCog(commands.Cog):
    """/reindex, /add and /status."""

    def __init__(self, host: AdminHost) -> None:
        self.bot = host
        self.running: ReindexRun | None = None
        # Without an admin role, Discord shows /reindex and /add to Manage Server members
        # only; with one, everyone sees them (Discord cannot filter by a role chosen here) and the
        # handler refuses non-admins. The handler checks in both cases: server admins can
        # override command defaults.
        if not host.settings.discord_admin_role:
            for command in (self.reindex, self.add):
                command.default_permissions = discord.Permissions(manage_guild=True)

    @app_commands.command(name="reindex")
    @app_commands.guild_only()
    async def reindex(self, interaction: discord.Interaction) -> None:
        """Re-index the articles in the corpus folder (admins only)."""
        if not await self._may_start(interaction):
            return
        with self._running(interaction):
            await interaction.response.send_message(
                "Re-index started: reading the articles…",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            changed = await self._reindex(interaction)
        if changed:
            await self._open_new_index()

    @app_commands.command(name="add")
    @app_commands.guild_only()
    @app_commands.describe(
        file="An article file: .txt, .md, .json, .jsonl or .html (many articles: one .jsonl)",
        url="Or a link to a news article (http or https)",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment | None = None,
        url: str | None = None,
    ) -> None:
        """Add an article file or link to the corpus and re-index (admins only)."""
        if (file is None) == (not url):
            await interaction.response.send_message(
                "Give either a file or a url.", ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        if not await self._may_start(interaction):
            return
        with self._running(interaction):
            await interaction.response.send_message(
                f"Reading {discord.utils.escape_markdown(file.filename if file else str(url))}…",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            intake = await (self._take_in(file) if file else take_in_link(self.bot.settings, url))
            if isinstance(intake, str):
                await interaction.edit_original_response(
                    content=intake, allowed_mentions=NO_MENTIONS
                )
                return
            changed = await self._reindex(
                interaction, header=f"Added {discord.utils.escape_markdown(intake.describe())}."
            )
        if changed:
            await self._open_new_index()

    async def _may_start(self, interaction: discord.Interaction) -> bool:
        """Refuse (privately) people who are not admins, and a second re-index at once."""
        admin_role = self.bot.settings.discord_admin_role
        member = interaction.user
        roles = member.roles if isinstance(member, discord.Member) else []
        if not is_admin(interaction.permissions, roles, admin_role):
            await interaction.response.send_message(
                refusal_message(admin_role), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return False
        if self.running is not None:
            await interaction.response.send_message(
                f"A re-index is already {self.running.describe()}; try again when it has finished.",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return False
        return True

    @contextmanager
    def _running(self, interaction: discord.Interaction) -> Iterator[None]:
        """Mark a re-index as running (for refusals and /status) until the block ends."""
        self.running = ReindexRun(interaction.user.display_name, discord.utils.utcnow())
        try:
            yield
        finally:
            self.running = None

    async def _take_in(self, file: discord.Attachment) -> Intake | str:
        """The attachment put in the corpus folder, or why it was not (for the admin)."""
        from index.ingest.intake import add_file

        limit = int(self.bot.settings.max_file_mib * 2**20)
        if file.size > limit:
            return (
                f"{file.filename} is {file.size / 2**20:.1f} MiB, over the "
                f"{self.bot.settings.max_file_mib:g} MiB limit (NEWSBOT_MAX_FILE_MIB)."
            )
        try:
            data = await file.read()
        except discord.HTTPException:
            log.warning("could not download %s", file.url, exc_info=True)
            return f"{file.filename} could not be downloaded from Discord; please try again."
        try:
            return await asyncio.to_thread(
                add_file, self.bot.settings.corpus_dir, file.filename, data, max_file_bytes=limit
            )
        except NewsbotError as e:
            return str(e)

    async def _reindex(self, interaction: discord.Interaction, header: str = "") -> bool:
        """Run the re-index, its progress and outcome edited into the command's response.

        Returns:
            Whether it published a new index (a failed or unchanged one did not).
        """
        prefix = f"{header}\n" if header else ""

        async def edit(text: str) -> None:
            await interaction.edit_original_response(
                content=prefix + text, allowed_mentions=NO_MENTIONS
            )

        progress = LatestRelay(edit, interval=PROGRESS_INTERVAL)
        progress.start(last_shown=time.monotonic())

        def on_progress(report: IndexProgress) -> None:  # called in the indexer's thread
            progress.report_threadsafe(render_progress(report))

        changed = False
        try:
            summary = await self.bot.reindex(on_progress)
        except NewsbotError as e:
            final = render_reindex_failure(str(e))
        except Exception:
            log.exception("re-index failed")
            final = render_reindex_failure("an unexpected error; the details are in the bot's log.")
        else:
            final = render_summary(summary)
            changed = bool(summary.added or summary.updated or summary.removed)
            log.info("%s", final)
        if not await progress.finish(final):
            # Editing fails once the interaction's 15-minute token expired: tell them by DM.
            try:
                await interaction.user.send(prefix + final, allowed_mentions=NO_MENTIONS)
            except discord.HTTPException:
                log.warning("could not tell %s how the re-index ended", interaction.user.id)
        return changed

    async def _open_new_index(self) -> None:
        """Open the new index now rather than under the next question (the re-index is
        over: another may start meanwhile). Not after a failed re-index: the index answering
        is still the one that was open."""
        await self.bot.open_new_index()

    @app_commands.command(name="status")
    async def status(self, interaction: discord.Interaction) -> None:
        """What is indexed: articles, chunks, last re-index, model and version."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            stats = await self.bot.index_stats()
        except NewsbotError as e:
            await interaction.followup.send(str(e), ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        page = render_status(
            stats,
            version=self.bot.version,
            reindex=self.running.describe() if self.running else None,
            loop_stall_ms=self.bot.loop_monitor.max_stall * 1000,
            feeds=self.bot.feed_polling(),
        )
        shards = self.bot.settings.describe_shards()
        if shards:
            # Which process of a sharded bot answered: the one running this server's shard.
            page.embeds[0].add_field(name="Shards", value=shards)
        await send_followups(interaction, [page], ephemeral=True)


async def setup(bot: NewsBot) -> None:
    """Loaded by ``bot.load_extension("bot.cogs.admin")``."""
    await bot.add_cog(AdminCog(bot))
