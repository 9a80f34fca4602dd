"""Running the bot: /reindex (admins only) and /status."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import is_admin, refusal_message
from bot.delivery import send_followups
from bot.progress import ProgressMessage
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

log = logging.getLogger(__name__)


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
    """/reindex and /status."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        self.running: ReindexRun | None = None
        # Without an admin role, Discord shows /reindex to Manage Server members only; with
        # one, everyone sees it (Discord cannot filter by a role chosen here) and the
        # handler refuses non-admins. The handler checks in both cases: server admins can
        # override command defaults.
        if not bot.settings.discord_admin_role:
            self.reindex.default_permissions = discord.Permissions(manage_guild=True)

    @app_commands.command(name="reindex")
    @app_commands.guild_only()
    async def reindex(self, interaction: discord.Interaction) -> None:
        """Re-index the articles in the corpus folder (admins only)."""
        admin_role = self.bot.settings.discord_admin_role
        member = interaction.user
        roles = member.roles if isinstance(member, discord.Member) else []
        if not is_admin(interaction.permissions, roles, admin_role):
            await interaction.response.send_message(
                refusal_message(admin_role), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        if self.running is not None:
            await interaction.response.send_message(
                f"A re-index is already {self.running.describe()}; try again when it has finished.",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        self.running = ReindexRun(member.display_name, discord.utils.utcnow())
        try:
            await self._reindex(interaction)
        finally:
            self.running = None

    async def _reindex(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            "Re-index started: reading the articles…", ephemeral=True, allowed_mentions=NO_MENTIONS
        )

        async def edit(text: str) -> None:
            await interaction.edit_original_response(content=text, allowed_mentions=NO_MENTIONS)

        progress = ProgressMessage(edit)
        progress.start(last_edit=time.monotonic())

        def on_progress(report: IndexProgress) -> None:  # called in the indexer's thread
            progress.report_threadsafe(render_progress(report))

        try:
            summary = await asyncio.to_thread(self.bot.indexer.run, None, on_progress)
        except NewsbotError as e:
            final = render_reindex_failure(str(e))
        except Exception:
            log.exception("re-index failed")
            final = render_reindex_failure("an unexpected error; the details are in the bot's log.")
        else:
            # Questions asked from now on see the new generation at once.
            self.bot.answerer.retriever.refresh()
            final = render_summary(summary)
            log.info("%s", final)
        if not await progress.finish(final):
            # Editing fails once the interaction's 15-minute token expired: tell them by DM.
            try:
                await interaction.user.send(final, allowed_mentions=NO_MENTIONS)
            except discord.HTTPException:
                log.warning("could not tell %s how the re-index ended", interaction.user.id)
        # Open the new index now rather than under the next question.
        await asyncio.to_thread(self.bot.warm_up)

    @app_commands.command(name="status")
    async def status(self, interaction: discord.Interaction) -> None:
        """What is indexed: articles, chunks, last re-index, model and version."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            stats = await asyncio.to_thread(self.bot.store.stats)
        except NewsbotError as e:
            await interaction.followup.send(str(e), ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        page = render_status(
            stats,
            version=self.bot.version,
            reindex=self.running.describe() if self.running else None,
            loop_stall_ms=self.bot.loop_monitor.max_stall * 1000,
        )
        await send_followups(interaction, [page], ephemeral=True)
