"""The Discord face of newsbot: a discord.py client over the core's answerer and indexer.

The bot receives everything it works with (settings, answerer, indexer, store, feedback
store) in its constructor and starts them in ``setup_hook``; features live in cogs loaded
as extensions (``bot/cogs/ask.py``: /ask, mentions, DMs; ``bot/cogs/admin.py``: /reindex,
/add, /status), which see the bot only through the protocols of ``bot/host.py``. Nothing
slow runs on the event loop: answering, indexing, store and SQLite access all go through
``asyncio.to_thread``, and a :class:`~bot.loop_monitor.LoopMonitor` keeps watch.

With NEWSBOT_DISCORD_SHARD_COUNT the bot is a :class:`ShardedNewsBot` (discord.py's
``AutoShardedBot``) running some or all shards of one Discord bot, so several processes, on
one machine or several, share its servers; everything else is the same.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import threading
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands
from discord.ext import commands

from bot.answer_buttons import AnswerButtons, StopButton
from bot.cooldown import Cooldown
from bot.loop_monitor import LoopMonitor
from bot.memory import ConversationMemory
from bot.render import NO_MENTIONS
from index.errors import ConfigurationError, NewsbotError
from index.models import Answer, IndexProgress, IndexStats, IndexSummary, SearchFilters

if TYPE_CHECKING:
    from bot.feedback import FeedbackStore
    from bot.settings import BotSettings
    from index.answer.conversation import Conversation
    from index.answer.extractive import Answerer
    from index.storage.store import Store

log = logging.getLogger(__name__)

MISSING_TOKEN = """NEWSBOT_DISCORD_TOKEN is not set, so the Discord bot cannot log in.
To create a bot and get its token:
  1. Open https://discord.com/developers/applications and click "New Application".
  2. In "Bot", click "Reset Token" and copy the token (keep it secret).
  3. Invite the bot to your server (invite URL and permissions: README, "Discord").
  4. export NEWSBOT_DISCORD_TOKEN='<the token>' and run `newsbot serve` again."""

_UNEXPECTED = "Something went wrong; it has been logged. Please try again."
_WARM_UP_QUESTION = "What is new?"


class Reindexer(Protocol):
    """What /reindex needs: the core's Indexer, or :class:`bot.reindex_worker.IndexerProcess`."""

    def run(
        self,
        paths: Sequence[Path] | None = None,
        progress: Callable[[IndexProgress], None] | None = None,
    ) -> IndexSummary: ...


def newsbot_version() -> str:
    try:
        return version("newsbot")
    except PackageNotFoundError:
        return "unknown"


def bot_intents(message_content: bool) -> discord.Intents:
    """Only what the bot uses: guilds (channels, threads), messages and DMs."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = message_content  # privileged; see README, Discord
    return intents


class NewsBot(commands.Bot):
    """newsbot in Discord: /ask, mentions and DMs answered in threads, /reindex, /status."""

    def __init__(
        self,
        *,
        settings: BotSettings,
        answerer: Answerer,
        indexer: Reindexer,
        store: Store,
        feedback: FeedbackStore,
        **client_options: Any,
    ) -> None:
        """
        Args:
            settings: The bot's settings (Discord options plus the core's).
            answerer: Answers questions; called from worker threads.
            indexer: Runs /reindex; called from a worker thread (`newsbot serve` gives an
                :class:`~bot.reindex_worker.IndexerProcess`, which keeps torch out of the
                bot's process).
            store: Reports what is indexed (/status).
            feedback: Keeps the answers shown and the votes on them.
            client_options: Passed on to discord.py's client (e.g. ``guild_ready_timeout``).
        """
        super().__init__(
            # No prefix commands: messages are handled by the ask cog's listener.
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(settings.discord_message_content),
            allowed_mentions=NO_MENTIONS,
            **client_options,
        )
        self.settings = settings
        self._answerer = answerer
        self._indexer = indexer
        self._store = store
        self._feedback = feedback
        self._buttons = AnswerButtons(feedback)
        self.version = newsbot_version()
        self.memory = ConversationMemory(
            settings.discord_conversations, settings.conversation_turns
        )
        self.cooldown = Cooldown(
            settings.discord_cooldown_questions, settings.discord_cooldown_seconds
        )
        self.loop_monitor = LoopMonitor()
        # Answering is CPU-bound Python: more threads than cores only make the event loop
        # wait longer for the GIL (measured: see tests/e2e/test_discord_bot_loop.py). Written
        # answers wait on the model more than on the CPU and have slots of their own.
        self._answer_slots = asyncio.Semaphore(settings.discord_answer_threads)
        self._writing_slots = asyncio.Semaphore(settings.discord_answer_threads)

    # -- what the cogs use (bot/host.py) --------------------------------------------------------

    @property
    def writes_answers(self) -> bool:
        return self._answerer.writes

    async def answer(
        self,
        question: str,
        *,
        conversation: Conversation | None = None,
        filters: SearchFilters | None = None,
        on_draft: Callable[[str], None] | None = None,
        stop: threading.Event | None = None,
    ) -> Answer:
        """Answer in a worker thread, at most ``discord_answer_threads`` at a time.

        Raises:
            NewsbotError: The question cannot be answered (see :meth:`Answerer.respond`).
        """
        slots = self._writing_slots if self._answerer.writes else self._answer_slots
        async with slots:
            return await asyncio.to_thread(
                self._answerer.respond,
                question,
                conversation=conversation,
                filters=filters,
                on_draft=on_draft,
                stop=stop,
            )

    async def answer_buttons(self, answer: Answer) -> discord.ui.View | None:
        try:
            answer_id = await asyncio.to_thread(self._feedback.remember, answer)
        except Exception:
            # The answer still goes out, only without its buttons.
            log.exception("could not store the answer for its buttons")
            return None
        return self._buttons.view(answer_id)

    async def reindex(self, progress: Callable[[IndexProgress], None]) -> IndexSummary:
        summary = await asyncio.to_thread(self._indexer.run, None, progress)
        # Questions asked from now on see the new generation at once.
        self._answerer.refresh()
        return summary

    async def open_new_index(self) -> None:
        await asyncio.to_thread(self.warm_up, after_reindex=True)

    async def index_stats(self) -> IndexStats:
        return await asyncio.to_thread(self._store.stats)

    def feed_polling(self) -> str | None:
        from bot.cogs.feeds import FeedsCog

        cog = self.get_cog("FeedsCog")
        return cog.describe_polling() if isinstance(cog, FeedsCog) else None

    # -- life cycle ---------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        await asyncio.to_thread(self._start_collaborators)
        self.add_dynamic_items(*self._buttons.item_types, StopButton)
        await self.load_extension("bot.cogs.ask")
        await self.load_extension("bot.cogs.admin")
        await self.load_extension("bot.cogs.feeds")
        self.tree.error(self._on_command_error)
        await self._sync_commands()

    def _start_collaborators(self) -> None:
        """Open the stores and answer one question, before the bot goes online."""
        self._feedback.open()
        self.warm_up()

    def warm_up(self, *, after_reindex: bool = False) -> None:
        """Open the live index by answering a question nobody asked (blocking).

        The first question opens the index and imports the retrieval and sentence code;
        those imports hold the GIL and stalled the event loop for 125 ms (measured) when
        they happened under 20 concurrent questions. Done at start-up, nobody is waiting;
        after a re-index, only the few chunks it added are new to open.
        """
        try:
            stats = self._store.stats()
        except NewsbotError as e:
            # Questions say the same to whoever asks; /status and /reindex still work.
            log.error("the index cannot be read: %s", e)
            return
        if not stats.indexed_at:
            log.warning("nothing is indexed yet: run `newsbot index` or /reindex")
            return
        log.info("serving %d articles (%d chunks)", stats.articles, stats.chunks)
        try:
            self._answerer.ask(_WARM_UP_QUESTION)
        except NewsbotError as e:
            log.warning("the index cannot be searched yet: %s", e)
        except Exception:
            # Questions will fail the same way and say so; /status and /reindex still work.
            log.exception("answering a first question failed")
        # What is loaded now (the model, the index's BM25 records) lives as long as the
        # process. Python's full collections walk every object, holding the GIL: with the
        # index's records among them, one stalled the event loop for 360 ms under 20
        # questions at once (test_discord_bot_loop, after other bot tests grew the heap).
        # Frozen, they are left out of every collection. At start-up the heap is collected
        # first; after a re-index it is not: that collection walks the whole frozen heap
        # and stalled the loop 160-395 ms. What a re-index lets go is freed by reference
        # counting (the old view shares its main BM25 index with the new one); only cycles
        # among the frozen objects would wait for the next start.
        if not after_reindex:
            gc.unfreeze()
            gc.collect()
        gc.freeze()

    async def _sync_commands(self) -> None:
        guild_id = self.settings.discord_guild_id
        try:
            if guild_id:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("synced %d slash commands to server %d", len(synced), guild_id)
            else:
                synced = await self.tree.sync()
                log.info("synced %d slash commands globally", len(synced))
        except discord.Forbidden:
            log.error(
                "Discord refused to register the slash commands%s; invite the bot with the "
                "applications.commands scope (README, Discord). Mentions and DMs still work.",
                f" in server {guild_id}" if guild_id else "",
            )

    async def on_message(self, message: discord.Message, /) -> None:
        """Replaces the prefix-command dispatch; the ask cog listens to messages."""

    async def on_ready(self) -> None:
        # Watched from here on: start-up work (imports, the first connection) is not
        # what the bot's users wait on. (A sharded bot is ready once all its shards are.)
        self.loop_monitor.start()
        shards = self.settings.describe_shards()
        log.info(
            "connected as %s to %d servers%s",
            self.user,
            len(self.guilds),
            f" (shards {shards})" if shards else "",
        )

    async def on_resumed(self) -> None:
        log.info("gateway session resumed")

    async def close(self) -> None:
        self.loop_monitor.stop()
        # A re-index in a child process would otherwise keep the process alive until done
        # (asyncio waits for its worker thread at exit).
        stop_reindex = getattr(self._indexer, "stop", None)
        if callable(stop_reindex):
            stop_reindex()
        await super().close()

    async def _on_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """The safety net for errors a command did not handle itself."""
        original = getattr(error, "original", error)
        if isinstance(original, NewsbotError):
            message = str(original)
        else:
            log.error("command %s failed", interaction.command, exc_info=original)
            message = _UNEXPECTED
        try:
            if interaction.response.is_done():
                await interaction.followup.send(
                    message, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
            else:
                await interaction.response.send_message(
                    message, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
        except discord.HTTPException:
            log.warning("could not tell the user about a failed command", exc_info=True)


class ShardedNewsBot(NewsBot, commands.AutoShardedBot):
    """newsbot running shards NEWSBOT_DISCORD_SHARDS (default: all) of
    NEWSBOT_DISCORD_SHARD_COUNT: Discord sends this process only the events of the servers
    on its shards (``(guild_id >> 22) % shard_count``; direct messages go to shard 0), over
    one gateway connection per shard."""

    def __init__(self, *, settings: BotSettings, **options: Any) -> None:
        super().__init__(
            settings=settings,
            shard_ids=settings.discord_shards,
            shard_count=settings.discord_shard_count,
            **options,
        )

    async def on_shard_ready(self, shard_id: int) -> None:
        log.info("shard %d is connected", shard_id)

    async def on_shard_resumed(self, shard_id: int) -> None:
        log.info("gateway session of shard %d resumed", shard_id)


# -- running -------------------------------------------------------------------------------------


def use_endpoints(api_url: str | None, gateway_url: str | None) -> None:
    """Point discord.py at another Discord (a test double); None keeps the real one."""
    if api_url:
        discord.http.Route.BASE = api_url.rstrip("/")
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class RedactSecret(logging.Filter):
    """Replaces a secret wherever it appears in a log record (defence in depth)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self._secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secret and self._secret in record.getMessage():
            record.msg = record.getMessage().replace(self._secret, "[redacted]")
            record.args = None
        return True


# Gateway close codes that mean the shard settings do not suit Discord.
_SHARDING_REFUSED = {
    4010: (
        "Discord refused the shard settings (close code 4010, invalid shard): shard ids run "
        "from 0 to NEWSBOT_DISCORD_SHARD_COUNT - 1, and the count is the same in every "
        "process of the bot."
    ),
    4011: (
        "Discord requires this bot to run in shards (close code 4011: it is in too many "
        "servers for one connection). Set NEWSBOT_DISCORD_SHARD_COUNT (README, Scale-out)."
    ),
}


def run(bot: NewsBot, token: str) -> None:
    """Run the bot until SIGINT or SIGTERM.

    Raises:
        ConfigurationError: Discord refused the token or the privileged intent.
        NewsbotError: Discord cannot be reached.
    """
    redact = RedactSecret(token)
    handlers = list(logging.getLogger().handlers)
    for handler in handlers:
        handler.addFilter(redact)
    try:
        asyncio.run(_run(bot, token))
    except discord.LoginFailure as e:
        raise ConfigurationError(
            "Discord refused the token in NEWSBOT_DISCORD_TOKEN. Copy it again from the "
            "Developer Portal (Bot → Reset Token)."
        ) from e
    except discord.PrivilegedIntentsRequired as e:
        raise ConfigurationError(
            "NEWSBOT_DISCORD_MESSAGE_CONTENT is on, but the Message Content intent is not "
            "enabled for this bot: enable it in the Developer Portal (Bot → Privileged "
            "Gateway Intents) or unset NEWSBOT_DISCORD_MESSAGE_CONTENT."
        ) from e
    except discord.ConnectionClosed as e:
        refused = _SHARDING_REFUSED.get(e.code or 0)
        if refused:
            raise ConfigurationError(refused) from e
        raise NewsbotError(f"Cannot connect to Discord: {type(e).__name__}: {e}") from e
    except (discord.GatewayNotFound, OSError) as e:
        raise NewsbotError(f"Cannot connect to Discord: {type(e).__name__}: {e}") from e
    finally:
        for handler in handlers:
            handler.removeFilter(redact)


async def _run(bot: NewsBot, token: str) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with bot:
        runner = asyncio.create_task(bot.start(token))
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({runner, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            stopping.cancel()
            runner.result()  # raises what stopped the bot
            return
        log.info("stopping")
        await bot.close()
        await asyncio.wait({runner}, timeout=10)
