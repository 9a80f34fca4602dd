"""`newsbot serve`: the Discord bot, put together from the settings."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import click

from bot.settings import BotSettings
from index.errors import ConfigurationError

if TYPE_CHECKING:
    from bot.cli.app import App


@click.command("serve")
@click.pass_obj
def serve_command(app: App) -> None:
    """Run the Discord bot: /ask, mentions and DMs, /reindex and /status.

    Needs NEWSBOT_DISCORD_TOKEN; the README (Discord) explains how to create the bot, invite
    it and configure it. Stops on Ctrl-C or SIGTERM.
    """
    settings = app.settings
    assert isinstance(settings, BotSettings)
    from bot.discord_bot import MISSING_TOKEN

    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        raise ConfigurationError(MISSING_TOKEN)
    from bot.discord_bot import NewsBot, run, use_endpoints
    from bot.feedback import FeedbackStore
    from bot.reindex_worker import IndexerProcess

    logging.getLogger("bot").setLevel(min(logging.getLogger().level, logging.INFO))
    use_endpoints(settings.discord_api_url, settings.discord_gateway_url)
    bot = NewsBot(
        settings=settings,
        answerer=app.answerer(),
        indexer=IndexerProcess(settings),
        store=app.store,
        feedback=FeedbackStore(settings.feedback_path),
    )
    run(bot, settings.discord_token.get_secret_value().strip())
