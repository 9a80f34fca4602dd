"""Asking: the /ask command, mentions (answered in a thread) and direct messages.

Every question is answered off the event loop (:meth:`AskHost.answer`, a worker thread);
the loop only acknowledges, renders and sends. When a language model writes the answers,
the checked part is shown as it grows (at most one edit a second, with a Stop button).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer_buttons import stop_view
from bot.cooldown import cooldown_message
from bot.delivery import (
    edit_message,
    edit_original,
    replace_message,
    replace_original,
    send_followups,
    send_messages,
)
from bot.relay import LatestRelay, relay_while
from bot.render import NO_MENTIONS, render_answer, render_draft, thread_name
from index.errors import NewsbotError
from index.models import Answer, SearchFilters

if TYPE_CHECKING:
    from bot.discord_bot import NewsBot
    from bot.host import AskHost
    from index.answer.conversation import Conversation

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong while answering; it has been logged. Please try again."
_ANSWERED_TYPES = (discord.MessageType.default, discord.MessageType.reply)
# A written answer's message is edited at most this often while it grows.
DRAFT_INTERVAL = 1.0


# Discord's mention syntax: users, roles, channels, @everyone and @here. It addresses
# people; it says nothing about what is asked, and "<@123>" would be searched as "123".
_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)\b")


def clean_question(text: str) -> str:
    """The question in a message or option: mentions removed, whitespace collapsed."""
    return " ".join(_MENTION.sub(" ", text).split())


def parse_date(value: str | None, option: str) -> str | None:
    """An ISO date from a slash-command option, or a clear error for the user."""
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ValueError(f"`{option}` must be a date like 2024-03-01 (year-month-day).") from None


def failure_message(error: Exception, doing: str) -> str:
    """What to tell the asker: newsbot's own errors are written for them; anything else is
    logged with its traceback and shown as a generic apology."""
    if isinstance(error, NewsbotError):
        return str(error)
    log.error("%s failed", doing, exc_info=error)
    return UNEXPECTED


# The longest string option Discord accepts.
DISCORD_MAX_OPTION_LENGTH = 6000


class AskCog(commands.Cog):
    """/ask, mentions and DMs."""

    def __init__(self, host: AskHost) -> None:
        self.bot = host
        # Discord itself refuses a longer question as it is typed, before "thinking…".
        # discord.py sends a string option's max_value as its max_length and has no public
        # setter for it; this copy of the command is this cog's and is synced after.
        limit = min(host.settings.max_question_chars, DISCORD_MAX_OPTION_LENGTH)
        self.ask._params["question"].max_value = limit

    # -- /ask -------------------------------------------------------------------------------

    @app_commands.command(name="ask")
    @app_commands.describe(
        question="What you want to know, e.g. What was agreed at Sochi?",
        source="Only articles from this source (as written in the articles, e.g. Reuters)",
        since="Only articles published on or after this date (YYYY-MM-DD)",
        until="Only articles published on or before this date (YYYY-MM-DD)",
        private="Show the answer only to you",
    )
    async def ask(
        self,
        interaction: discord.Interaction,
        question: str,
        source: str | None = None,
        since: str | None = None,
        until: str | None = None,
        private: bool = False,
    ) -> None:
        """Ask the news articles a question; the answer cites its sources."""
        try:
            filters = SearchFilters(
                source=source.strip() if source and source.strip() else None,
                since=parse_date(since, "since"),
                until=parse_date(until, "until"),
            )
        except ValueError as e:
            await interaction.response.send_message(
                str(e), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        wait = self.bot.cooldown.try_acquire(interaction.user.id)
        if wait:
            await interaction.response.send_message(
                cooldown_message(wait), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        await interaction.response.defer(thinking=True, ephemeral=private)
        if self.bot.writes_answers:
            await self._ask_written(interaction, clean_question(question), filters, private)
            return
        try:
            answer = await self.bot.answer(clean_question(question), filters=filters)
        except Exception as e:
            await self._fail(interaction, failure_message(e, "answering /ask"), private)
            return
        view = await self.bot.answer_buttons(answer)
        await send_followups(interaction, render_answer(answer), ephemeral=private, view=view)

    async def _ask_written(
        self,
        interaction: discord.Interaction,
        question: str,
        filters: SearchFilters,
        private: bool,
    ) -> None:
        """/ask answered by a language model: the checked part of the answer grows in the
        deferred response (with a Stop button), then the answer is rendered as usual."""
        stop = threading.Event()
        view = stop_view(stop, interaction.user.id)

        async def show(draft: str) -> None:
            await edit_original(interaction, render_draft(draft), view=view)

        relay = LatestRelay(show, interval=DRAFT_INTERVAL)
        try:
            answer = await relay_while(
                lambda on_draft: self.bot.answer(
                    question, filters=filters, on_draft=on_draft, stop=stop
                ),
                relay,
            )
        except Exception as e:
            await self._fail(interaction, failure_message(e, "answering /ask"), private)
            return
        finally:
            view.stop()
        buttons = await self.bot.answer_buttons(answer)
        pages = render_answer(answer)
        if relay.last_shown is None:
            await send_followups(interaction, pages, ephemeral=private, view=buttons)
            return
        await relay.settle()
        await replace_original(interaction, pages, ephemeral=private, view=buttons)

    async def _fail(self, interaction: discord.Interaction, message: str, private: bool) -> None:
        """Replace the public "thinking…" message by a note only the asker sees."""
        if not private:
            try:
                await interaction.delete_original_response()
            except discord.HTTPException:
                log.warning("could not remove the deferred response", exc_info=True)
        await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)

    # -- mentions, threads and DMs ------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.type not in _ANSWERED_TYPES:
            return
        channel = message.channel
        mentioned = me.id in message.raw_mentions
        in_dm = isinstance(channel, discord.DMChannel)
        in_own_thread = isinstance(channel, discord.Thread) and channel.owner_id == me.id
        if not (in_dm or in_own_thread or mentioned):
            return
        question = clean_question(message.content)
        if not question:
            # Without the Message Content intent, unmentioned messages arrive empty: they
            # were not meant for the bot to read.
            if mentioned:
                await channel.send(
                    f"Ask me about the news, e.g. {me.mention} What was agreed at Sochi?",
                    allowed_mentions=NO_MENTIONS,
                )
            return
        try:
            await self._answer_message(message, question, in_dm=in_dm, in_thread=in_own_thread)
        except Exception:
            log.exception("answering a message failed")

    async def _answer_message(
        self, message: discord.Message, question: str, *, in_dm: bool, in_thread: bool
    ) -> None:
        wait = self.bot.cooldown.try_acquire(message.author.id)
        if wait:
            await message.channel.send(
                cooldown_message(wait),
                reference=message,
                mention_author=False,
                allowed_mentions=NO_MENTIONS,
            )
            return
        target: discord.abc.Messageable = message.channel
        reply_to: discord.Message | None = None
        if not in_dm and not in_thread:
            target, reply_to = await self._thread_for(message, question)
        target_id = getattr(target, "id", message.channel.id)
        conversation = self.bot.memory.get(target_id, message.author.id)
        hint = self._follow_up_hint(in_dm=in_dm, in_thread=in_thread or reply_to is None)
        if self.bot.writes_answers:
            await self._write_answer(
                target, question, conversation, message.author.id, reply_to, hint
            )
            return
        answer = await self._answer_with_typing(target, question, conversation)
        if answer is None:
            return
        view = await self.bot.answer_buttons(answer)
        await send_messages(target, render_answer(answer, hint=hint), view=view, reply_to=reply_to)

    async def _write_answer(
        self,
        target: discord.abc.Messageable,
        question: str,
        conversation: Conversation,
        asker_id: int,
        reply_to: discord.Message | None,
        hint: str | None,
    ) -> None:
        """A mention or DM answered by the language model: "typing…" until the first
        checked sentence, then a message edited as the answer is written (with a Stop
        button for the asker), finally the answer rendered as usual in its place."""
        stop = threading.Event()
        view = stop_view(stop, asker_id)
        drafted: list[discord.Message] = []

        async def show(draft: str) -> None:
            if drafted:
                await edit_message(drafted[0], render_draft(draft), view=view)
            else:
                drafted.extend(
                    await send_messages(target, [render_draft(draft)], view=view, reply_to=reply_to)
                )

        relay = LatestRelay(show, interval=DRAFT_INTERVAL)
        try:
            async with target.typing():
                answer = await relay_while(
                    lambda on_draft: self.bot.answer(
                        question, conversation=conversation, on_draft=on_draft, stop=stop
                    ),
                    relay,
                )
        except Exception as e:
            failure = failure_message(e, "answering a message")
            if drafted:
                await drafted[0].edit(content=failure, view=None, allowed_mentions=NO_MENTIONS)
            else:
                await target.send(failure, allowed_mentions=NO_MENTIONS)
            return
        finally:
            view.stop()
        buttons = await self.bot.answer_buttons(answer)
        pages = render_answer(answer, hint=hint)
        if not drafted:
            await send_messages(target, pages, view=buttons, reply_to=reply_to)
            return
        await relay.settle()
        await replace_message(drafted[0], pages, view=buttons)

    async def _thread_for(
        self, message: discord.Message, question: str
    ) -> tuple[discord.abc.Messageable, discord.Message | None]:
        """A new thread started from ``message``; else (no permission, a thread already)
        the message's channel, replying to it."""
        if isinstance(message.channel, discord.TextChannel):
            try:
                thread = await message.create_thread(
                    name=thread_name(question), auto_archive_duration=1440
                )
                return thread, None
            except discord.HTTPException:
                log.warning("could not start a thread; answering in the channel", exc_info=True)
        return message.channel, message

    async def _answer_with_typing(
        self, target: discord.abc.Messageable, question: str, conversation: Conversation
    ) -> Answer | None:
        try:
            async with target.typing():
                return await self.bot.answer(question, conversation=conversation)
        except Exception as e:
            await target.send(
                failure_message(e, "answering a message"), allowed_mentions=NO_MENTIONS
            )
        return None

    def _follow_up_hint(self, *, in_dm: bool, in_thread: bool) -> str | None:
        if in_dm:
            return "Ask a follow-up question right here."
        if not in_thread:
            return None
        if self.bot.intents.message_content:
            return "Ask a follow-up question right here in this thread."
        name = self.bot.user.name if self.bot.user else "the bot"
        return f"Mention @{name} in this thread to ask a follow-up question."


async def setup(bot: NewsBot) -> None:
    """Loaded by ``bot.load_extension("bot.cogs.ask")``."""
    await bot.add_cog(AskCog(bot))
