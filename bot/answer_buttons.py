"""The buttons under every answer: "Show passages" (private) and 👍 / 👎 votes.

They are discord.py dynamic items: the answer's id travels in the button's custom_id and
the answer itself is kept in the feedback store, so buttons keep working after a restart.
The classes the bot registers are bound to its feedback store (:class:`AnswerButtons`).
"""

from __future__ import annotations

import asyncio
import re
import secrets
import threading
from typing import Any, ClassVar

import discord

from bot.delivery import send_followups
from bot.feedback import FeedbackStore, Vote
from bot.render import NO_MENTIONS, render_passages

GONE = "That answer is no longer available; please ask again."


_PASSAGES = r"newsbot:passages:(?P<answer_id>[0-9a-f]{32})"
_VOTE = r"newsbot:vote:(?P<vote>up|down):(?P<answer_id>[0-9a-f]{32})"


class PassagesButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=_PASSAGES):
    """Shows the full cited passages to whoever clicks, privately."""

    feedback: ClassVar[FeedbackStore]  # set by AnswerButtons on the class it registers

    def __init__(self, answer_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Show passages",
                emoji="\N{PAGE FACING UP}",
                style=discord.ButtonStyle.secondary,
                custom_id=f"newsbot:passages:{answer_id}",
            )
        )
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> PassagesButton:
        return cls(match["answer_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        answer = await asyncio.to_thread(self.feedback.recall, self.answer_id)
        if answer is None:
            await interaction.followup.send(GONE, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        await send_followups(interaction, render_passages(answer), ephemeral=True)


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=_VOTE):
    """Records a 👍 or 👎 on an answer (one vote per person per answer; the last counts)."""

    feedback: ClassVar[FeedbackStore]  # set by AnswerButtons on the class it registers

    def __init__(self, answer_id: str, vote: Vote) -> None:
        up = vote is Vote.UP
        super().__init__(
            discord.ui.Button(
                emoji="\N{THUMBS UP SIGN}" if up else "\N{THUMBS DOWN SIGN}",
                style=discord.ButtonStyle.secondary,
                custom_id=f"newsbot:vote:{vote.value}:{answer_id}",
            )
        )
        self.answer_id = answer_id
        self.vote = vote

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> VoteButton:
        return cls(match["answer_id"], Vote(match["vote"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        answer = await asyncio.to_thread(
            self.feedback.record_vote, self.answer_id, interaction.user.id, self.vote
        )
        if answer is None:
            text = GONE
        elif self.vote is Vote.UP:
            text = "Thanks! Your \N{THUMBS UP SIGN} is recorded."
        else:
            text = "Thanks! Your \N{THUMBS DOWN SIGN} is recorded; it helps improve the answers."
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


class AnswerButtons:
    """The answer buttons of one bot, bound to the store that keeps its answers and votes."""

    def __init__(self, feedback: FeedbackStore) -> None:
        class Passages(PassagesButton, template=_PASSAGES):
            pass

        class Votes(VoteButton, template=_VOTE):
            pass

        Passages.feedback = Votes.feedback = feedback
        self._passages = Passages
        self._votes = Votes
        self.feedback = feedback

    @property
    def item_types(self) -> tuple[type[PassagesButton], type[VoteButton]]:
        """The classes to register with ``Client.add_dynamic_items``."""
        return self._passages, self._votes

    def view(self, answer_id: str) -> discord.ui.View:
        """The buttons for one answer."""
        view = discord.ui.View(timeout=None)
        view.add_item(self._passages(answer_id))
        view.add_item(self._votes(answer_id, Vote.UP))
        view.add_item(self._votes(answer_id, Vote.DOWN))
        return view


NOT_YOURS = "Only the person who asked can stop this answer."


_STOP = r"newsbot:stop:(?P<token>[0-9a-f]{16})"


class StopButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=_STOP):
    """Stops a generated answer being written; what was checked so far becomes the answer.

    A dynamic item, dispatched by its custom_id: a press that arrives before discord.py has
    tracked the draft's view (the message is on screen before the bot has its reply) is
    still answered.
    """

    # The answers being written: token -> (their stop event, who asked). Filled before the
    # draft is sent, emptied when the answer is done.
    pending: ClassVar[dict[str, tuple[threading.Event, int]]] = {}

    def __init__(self, token: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Stop",
                emoji="\N{BLACK SQUARE FOR STOP}",
                style=discord.ButtonStyle.secondary,
                custom_id=f"newsbot:stop:{token}",
            )
        )
        self.token = token

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> StopButton:
        return cls(match["token"])

    async def callback(self, interaction: discord.Interaction) -> None:
        pending = self.pending.get(self.token)
        if pending is not None and interaction.user.id != pending[1]:
            await interaction.response.send_message(
                NOT_YOURS, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        if pending is not None:
            pending[0].set()
        # Acknowledged without a message: the answer being written is edited into its end
        # (or, pressed just as it ended, is already there).
        await interaction.response.defer()


class _StopView(discord.ui.View):
    def __init__(self, token: str) -> None:
        super().__init__(timeout=None)
        self._token = token
        self.add_item(StopButton(token))

    def stop(self) -> None:
        StopButton.pending.pop(self._token, None)
        super().stop()


def stop_view(stop: threading.Event, asker_id: int) -> discord.ui.View:
    """The Stop button shown while an answer is written (the caller stops the view when the
    answer is done, which forgets the button). The bot registers :class:`StopButton`."""
    token = secrets.token_hex(8)
    StopButton.pending[token] = (stop, asker_id)
    return _StopView(token)
