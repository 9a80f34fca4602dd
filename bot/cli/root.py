"""The `newsbot` command group: reads the settings once and turns newsbot's errors into
one line and exit status 1."""

from __future__ import annotations

import logging
from typing import Any

import click

from bot.cli.app import App, prepare_environment
from bot.cli.asking import ask_command, chat_command
from bot.cli.corpus import add_command, index_command, stats_command
from bot.cli.measuring import bench_command, eval_command
from bot.cli.serving import serve_command
from bot.settings import BotSettings
from index.errors import NewsbotError


class _NewsbotGroup(click.Group):
    """Turns newsbot's own errors into a one-line message and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsbotError as e:
            click.echo(f"newsbot: {e}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("newsbot: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_NewsbotGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what happens, for troubleshooting.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Ask questions about a corpus of news articles and get answers with cited sources.

    Configuration comes from NEWSBOT_* environment variables (see the README).
    """
    prepare_environment()
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = BotSettings()
    except Exception as e:  # pydantic's ValidationError names the variable and the problem
        raise click.UsageError(f"invalid configuration: {e}") from e
    ctx.obj = App(settings)


for _command in (
    index_command,
    add_command,
    ask_command,
    chat_command,
    stats_command,
    eval_command,
    bench_command,
    serve_command,
):
    main.add_command(_command)
