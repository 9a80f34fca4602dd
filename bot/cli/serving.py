"""`newsbot serve`: the Discord bot, put together from the settings."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import click

from bot.settings import BotSettings, parse_shard_ids, sharding_problem
from index.errors import ConfigurationError

if TYPE_CHECKING:
    from bot.cli.app import App


def _shard_ids(ctx: click.Context, param: click.Parameter, value: str | None) -> list[int] | None:
    if value is None:
        return None
    try:
        shards = parse_shard_ids(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from e
    if shards is None:
        raise click.BadParameter("expected shard ids separated by commas, such as 0,1")
    return shards


@click.command("serve")
@click.option(
    "--shards",
    callback=_shard_ids,
    metavar="IDS",
    help="Run only these shards of the bot, e.g. 0,1 (overrides NEWSBOT_DISCORD_SHARDS).",
)
@click.option(
    "--shard-count",
    type=click.IntRange(min=1),
    help=(
        "Total number of shards across all processes of the bot, the same in each "
        "(overrides NEWSBOT_DISCORD_SHARD_COUNT)."
    ),
)
@click.pass_obj
def serve_command(app: App, shards: list[int] | None, shard_count: int | None) -> None:
    """Run the Discord bot: /ask, mentions and DMs, /reindex and /status.

    Needs NEWSBOT_DISCORD_TOKEN; the README (Discord) explains how to create the bot, invite
    it and configure it. Several processes can share one bot, each running some of its
    shards (README, Scale-out). Stops on Ctrl-C or SIGTERM.
    """
    assert isinstance(app.settings, BotSettings)
    settings = _with_shards(app.settings, shards, shard_count)
    app.settings = settings
    from bot.discord_bot import MISSING_TOKEN

    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        raise ConfigurationError(MISSING_TOKEN)
    from bot.discord_bot import NewsBot, ShardedNewsBot, run, use_endpoints
    from bot.feedback import FeedbackStore
    from bot.reindex_worker import IndexerProcess

    logging.getLogger("bot").setLevel(min(logging.getLogger().level, logging.INFO))
    use_endpoints(settings.discord_api_url, settings.discord_gateway_url)
    bot_type = ShardedNewsBot if settings.sharded else NewsBot
    bot = bot_type(
        settings=settings,
        answerer=app.answerer(),
        indexer=IndexerProcess(settings),
        store=app.store,
        feedback=FeedbackStore(settings.feedback_path),
    )
    run(bot, settings.discord_token.get_secret_value().strip())


def _with_shards(
    settings: BotSettings, shards: list[int] | None, shard_count: int | None
) -> BotSettings:
    """The settings with the shard options in place of the variables, checked as the
    settings check them."""
    update: dict[str, object] = {}
    if shards is not None:
        update["discord_shards"] = shards
    if shard_count is not None:
        update["discord_shard_count"] = shard_count
    if not update:
        return settings
    changed = settings.model_copy(update=update)
    problem = sharding_problem(
        changed.discord_shards,
        changed.discord_shard_count,
        shards_name="--shards" if shards is not None else "NEWSBOT_DISCORD_SHARDS",
        count_name=(
            "NEWSBOT_DISCORD_SHARD_COUNT"
            if shard_count is None and changed.discord_shard_count is not None
            else "--shard-count"
        ),
    )
    if problem:
        raise click.UsageError(problem)
    return changed
