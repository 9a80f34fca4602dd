"""The `newsbot` command group: reads the settings once and turns newsbot's errors into one
line and an exit status of their own (``NewsbotError.exit_code``; the README lists them).

No traceback reaches the terminal: log records are one line each, and an unexpected error
is one line too, saying that ``--verbose`` shows the detail. `newsbot serve` is a service,
so its log keeps the tracebacks.
"""

from __future__ import annotations

import logging
from typing import Any

import click

from bot.cli.app import App, prepare_environment
from bot.cli.asking import ask_command, chat_command
from bot.cli.corpus import add_command, index_command, stats_command
from bot.cli.feedback import feedback_group
from bot.cli.feeds import feeds_group, fetch_command
from bot.cli.measuring import bench_command, eval_command
from bot.cli.serving import serve_command
from bot.settings import BotSettings
from index.errors import NewsbotError

log = logging.getLogger("bot.cli")

# An error newsbot did not foresee (a bug): EX_SOFTWARE of sysexits.h.
UNEXPECTED_EXIT = 70
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _NewsbotGroup(click.Group):
    """Turns newsbot's own errors into a one-line message and their exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsbotError as e:
            click.echo(f"newsbot: {e}", err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("newsbot: interrupted", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as e:
            log.error("unexpected error", exc_info=True)
            click.echo(
                f"newsbot: unexpected error ({type(e).__name__}: {e}); run it again with "
                "--verbose for the details.",
                err=True,
            )
            ctx.exit(UNEXPECTED_EXIT)


class _WithoutTraceback(logging.Formatter):
    """One line per record: the traceback stays out of the terminal (``--verbose`` shows it)."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def _configure_logging(verbose: bool, service: bool) -> None:
    handler = logging.StreamHandler()
    formatter = logging.Formatter if verbose or service else _WithoutTraceback
    handler.setFormatter(formatter(_LOG_FORMAT))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler])


@click.group(cls=_NewsbotGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Log what happens, tracebacks included, for troubleshooting.",
)
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Ask questions about a corpus of news articles and get answers with cited sources.

    Configuration comes from NEWSBOT_* environment variables (see the README).
    """
    prepare_environment()
    _configure_logging(verbose, service=ctx.invoked_subcommand == "serve")
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
    feeds_group,
    fetch_command,
    feedback_group,
):
    main.add_command(_command)
