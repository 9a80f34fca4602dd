"""What the cogs need from the bot, as small protocols: a cog depends on these, never on
the bot's attributes, so it can be read (and tested) on its own."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import discord

    from bot.cooldown import Cooldown
    from bot.loop_monitor import LoopMonitor
    from bot.memory import ConversationMemory
    from bot.settings import BotSettings
    from index.answer.conversation import Conversation
    from index.models import Answer, IndexProgress, IndexStats, IndexSummary, SearchFilters


class AskHost(Protocol):
    """What /ask, mentions and DMs use."""

    settings: BotSettings
    memory: ConversationMemory
    cooldown: Cooldown

    @property
    def user(self) -> discord.ClientUser | None: ...

    @property
    def intents(self) -> discord.Intents: ...

    @property
    def writes_answers(self) -> bool:
        """Whether a language model writes the answers (they can be shown as they grow)."""
        ...

    async def answer(
        self,
        question: str,
        *,
        conversation: Conversation | None = None,
        filters: SearchFilters | None = None,
        on_draft: Callable[[str], None] | None = None,
        stop: threading.Event | None = None,
    ) -> Answer:
        """Answer off the event loop (``on_draft`` is called from a worker thread)."""
        ...

    async def answer_buttons(self, answer: Answer) -> discord.ui.View | None:
        """Keep ``answer`` for its buttons and return them (None if it cannot be kept)."""
        ...


class AdminHost(Protocol):
    """What /reindex, /add and /status use."""

    settings: BotSettings
    version: str
    loop_monitor: LoopMonitor

    async def reindex(self, progress: Callable[[IndexProgress], None]) -> IndexSummary:
        """Re-index the corpus folder (``progress`` is called from a worker thread)."""
        ...

    async def open_new_index(self) -> None:
        """Open the index a re-index just published, before the next question needs it."""
        ...

    async def index_stats(self) -> IndexStats:
        """What is indexed now."""
        ...

    def feed_polling(self) -> str | None:
        """The feed poller's last round, or None before it has checked any feed."""
        ...
