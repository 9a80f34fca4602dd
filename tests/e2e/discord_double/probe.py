"""Shared by the double's own tests: a newsbot-shaped probe bot and raw REST helpers.

The probe bot (a deferred ``/ask`` slash command with a button, an answer-in-a-thread
mention handler, default intents without message content) is the unmodified discord.py
client those tests run against :class:`DiscordDouble`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from .double import DiscordDouble


class SourcesView(discord.ui.View):
    """The button attached to an answer."""

    @discord.ui.button(label="Show sources", custom_id="sources")
    async def sources(
        self, interaction: discord.Interaction, button: discord.ui.Button[SourcesView]
    ) -> None:
        """Answer the click privately."""
        async with probe(interaction).working():
            await interaction.response.send_message("Sources: example.com/article", ephemeral=True)


def probe(interaction: discord.Interaction) -> ProbeBot:
    """The probe bot handling ``interaction``."""
    assert isinstance(interaction.client, ProbeBot)
    return interaction.client


@app_commands.command(name="ask", description="Ask the news archive a question.")
@app_commands.describe(question="What you want to know")
async def ask(interaction: discord.Interaction, question: str) -> None:
    """Defer (thinking), then answer with a follow-up carrying a button."""
    async with probe(interaction).working():
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.01)  # "retrieval"
        await interaction.followup.send(f"Answer to: {question}", view=SourcesView())


@app_commands.command(name="slow", description="Takes too long before deferring.")
async def slow(interaction: discord.Interaction) -> None:
    """Defer only after the bot's ``slow_seconds``; records what Discord answered."""
    bot = probe(interaction)
    async with bot.working():
        await asyncio.sleep(bot.slow_seconds)
        try:
            await interaction.response.defer()
        except discord.HTTPException as error:
            bot.late_defer_errors.append(error)


class ProbeBot(commands.Bot):
    """A slash-command + mention bot with default (non-privileged) intents."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            help_command=None,
            guild_ready_timeout=0.05,
        )
        self.guild_id = guild_id
        self.slow_seconds = 0.0
        self.seen_messages: list[discord.Message] = []
        self.late_defer_errors: list[discord.HTTPException] = []
        self.synced: list[app_commands.AppCommand] = []
        self.resumed_event = asyncio.Event()
        self.busy = 0

    @contextlib.asynccontextmanager
    async def working(self) -> AsyncIterator[None]:
        """Count a running handler, so teardown can wait for handlers to finish."""
        self.busy += 1
        try:
            yield
        finally:
            self.busy -= 1

    async def setup_hook(self) -> None:
        """Register the slash commands for the test guild and sync them."""
        guild = discord.Object(self.guild_id)
        self.tree.add_command(ask, guild=guild)
        self.tree.add_command(slow, guild=guild)
        self.synced = await self.tree.sync(guild=guild)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5 s pause before re-IDENTIFYing (the double has no identify limit)."""

    async def on_resumed(self) -> None:
        """Remember that the gateway session was resumed."""
        self.resumed_event.set()

    async def on_message(self, message: discord.Message) -> None:
        """Answer mentions in a new thread and DMs in the DM."""
        self.seen_messages.append(message)
        async with self.working():
            await self._answer(message)

    async def _answer(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        if isinstance(message.channel, discord.DMChannel):
            await message.channel.send(f"DM answer to: {message.content}")
            return
        if self.user is None or self.user not in message.mentions:
            return
        await message.add_reaction("\N{EYES}")
        question = message.content.replace(self.user.mention, "").strip()
        thread = await message.create_thread(name=question[:100] or "question")
        async with thread.typing():
            await thread.send(
                f"Answer: {question}", allowed_mentions=discord.AllowedMentions.none()
            )


async def eventually(condition: Any, timeout: float = 5.0) -> None:
    """Wait in the bot's loop until ``condition()`` is true."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.01)


def rest(
    double: DiscordDouble, method: str, path: str, body: Any = None, *, auth: bool = True
) -> tuple[int, str, Any]:
    """A raw REST call: (status, Content-Type, parsed JSON or None)."""
    request = urllib.request.Request(
        double.api_base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
    )
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if auth:
        request.add_header("Authorization", f"Bot {double.token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            raw, status, content_type = (
                response.read(),
                response.status,
                response.headers.get("Content-Type"),
            )
    except urllib.error.HTTPError as error:
        raw, status, content_type = error.read(), error.code, error.headers.get("Content-Type")
    return status, content_type or "", json.loads(raw) if raw else None


def register_ask_globally(double: DiscordDouble) -> None:
    """Register ``/ask`` the way discord.py's sync does, without a client."""
    status, _, _ = rest(
        double,
        "PUT",
        f"/applications/{double.application_id}/commands",
        [
            {
                "name": "ask",
                "description": "Ask.",
                "type": 1,
                "options": [{"name": "question", "description": "Q", "type": 3, "required": True}],
            },
        ],
    )
    assert status == 200
