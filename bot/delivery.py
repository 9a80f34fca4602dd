"""Sending rendered pages: as interaction follow-ups or as channel messages, never pinging."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.render import NO_MENTIONS, Page


def _message_kwargs(page: Page, view: discord.ui.View | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
    if page.content:
        kwargs["content"] = page.content
    if page.embeds:
        kwargs["embeds"] = list(page.embeds)
    if view is not None:
        kwargs["view"] = view
    return kwargs


def _edit_kwargs(page: Page, view: discord.ui.View | None) -> dict[str, Any]:
    # Unlike a send, an edit names every part, empty ones included, so that what the
    # message showed before (a draft's text, its Stop button) is replaced.
    return {
        "content": page.content,
        "embeds": list(page.embeds),
        "view": view,
        "allowed_mentions": NO_MENTIONS,
    }


async def send_followups(
    interaction: discord.Interaction,
    pages: Sequence[Page],
    *,
    ephemeral: bool,
    view: discord.ui.View | None = None,
) -> list[discord.WebhookMessage]:
    """Send ``pages`` as follow-ups of a deferred interaction; ``view`` goes on the last."""
    sent = []
    for i, page in enumerate(pages):
        kwargs = _message_kwargs(page, view if i == len(pages) - 1 else None)
        sent.append(await interaction.followup.send(ephemeral=ephemeral, wait=True, **kwargs))
    return sent


async def send_messages(
    channel: discord.abc.Messageable,
    pages: Sequence[Page],
    *,
    view: discord.ui.View | None = None,
    reply_to: discord.Message | None = None,
) -> list[discord.Message]:
    """Send ``pages`` to a channel, thread or DM; the first may reply to a message."""
    sent = []
    for i, page in enumerate(pages):
        kwargs = _message_kwargs(page, view if i == len(pages) - 1 else None)
        if i == 0 and reply_to is not None:
            kwargs["reference"] = reply_to
            kwargs["mention_author"] = False
        sent.append(await channel.send(**kwargs))
    return sent


async def edit_original(
    interaction: discord.Interaction, page: Page, *, view: discord.ui.View | None
) -> None:
    """Replace the deferred response's content, embeds and buttons by ``page`` and ``view``."""
    await interaction.edit_original_response(**_edit_kwargs(page, view))


async def replace_original(
    interaction: discord.Interaction,
    pages: Sequence[Page],
    *,
    ephemeral: bool,
    view: discord.ui.View | None = None,
) -> None:
    """Put ``pages`` where drafts were shown: the first page edits the deferred response,
    the rest follow; ``view`` goes on the last."""
    first, *rest = pages
    await edit_original(interaction, first, view=None if rest else view)
    if rest:
        await send_followups(interaction, rest, ephemeral=ephemeral, view=view)


async def edit_message(
    message: discord.Message, page: Page, *, view: discord.ui.View | None
) -> None:
    """Replace a sent message's content, embeds and buttons by ``page`` and ``view``."""
    await message.edit(**_edit_kwargs(page, view))


async def replace_message(
    message: discord.Message, pages: Sequence[Page], *, view: discord.ui.View | None = None
) -> None:
    """Put ``pages`` where drafts were shown in ``message``: the first page edits it, the
    rest follow in its channel; ``view`` goes on the last."""
    first, *rest = pages
    await edit_message(message, first, view=None if rest else view)
    if rest:
        await send_messages(message.channel, rest, view=view)
