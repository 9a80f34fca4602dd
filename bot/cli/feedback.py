"""`newsbot feedback export`: the 👍/👎 votes of one or several bot processes, merged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from index.errors import ConfigurationError

if TYPE_CHECKING:
    from bot.cli.app import App


@click.group("feedback")
def feedback_group() -> None:
    """The votes people gave answers in Discord."""


@feedback_group.command("export")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per vote, per line.")
@click.pass_obj
def export_command(app: App, files: tuple[Path, ...], as_json: bool) -> None:
    """Print the votes stored in FILES (default: this data directory's feedback file),
    merged oldest first: several bot processes each keep their own file."""
    from bot.feedback import export_votes
    from bot.settings import BotSettings

    settings = app.settings
    default = settings.feedback_path if isinstance(settings, BotSettings) else None
    paths = list(files) or ([default] if default else [])
    try:
        votes = export_votes(paths)
    except FileNotFoundError as e:
        raise ConfigurationError(f"There is no feedback file at {e.args[0]}.") from e
    for vote in votes:
        if as_json:
            click.echo(json.dumps(vote, ensure_ascii=False))
        else:
            click.echo(f"{vote['voted_at']}  {vote['vote']:>4}  {vote['question']}")
