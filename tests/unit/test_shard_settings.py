"""Shard settings: "0,1" as people write it, checked against the shard count with messages
naming the variable (or `newsbot serve` option) to fix, and one feedback file per process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from bot.settings import BotSettings


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> BotSettings:
    for name, value in env.items():
        monkeypatch.setenv(f"NEWSBOT_{name.upper()}", value)
    return BotSettings()


def _refusal(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    with pytest.raises(ValidationError) as refused:
        _settings(monkeypatch, **env)
    return str(refused.value)


@pytest.mark.parametrize("written", ["0,1", " 0, 1 ", "[0, 1]", "1,0"])
def test_shards_are_read_as_comma_separated_ids(
    monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    settings = _settings(monkeypatch, discord_shards=written, discord_shard_count="4")
    assert sorted(settings.discord_shards or []) == [0, 1]
    assert settings.discord_shard_count == 4 and settings.sharded


def test_without_shard_settings_the_bot_is_not_sharded(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch, discord_shards="")
    assert settings.discord_shards is None and settings.discord_shard_count is None
    assert not settings.sharded and settings.describe_shards() is None


def test_a_shard_count_alone_runs_every_shard_in_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = _settings(monkeypatch, discord_shard_count="4")
    assert settings.sharded and settings.discord_shards is None
    assert settings.describe_shards() == "0–3 of 4"


def test_shards_without_a_count_are_refused_naming_both_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = _refusal(monkeypatch, discord_shards="0,1")
    assert "NEWSBOT_DISCORD_SHARDS needs NEWSBOT_DISCORD_SHARD_COUNT" in message


def test_a_shard_outside_the_count_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _refusal(monkeypatch, discord_shards="2,4", discord_shard_count="4")
    assert (
        "NEWSBOT_DISCORD_SHARDS: shard 4 does not exist with NEWSBOT_DISCORD_SHARD_COUNT 4 "
        "(shard ids run from 0 to 3)." in message
    )


def test_a_negative_shard_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _refusal(monkeypatch, discord_shards="-1", discord_shard_count="4")
    assert "shard -1 does not exist" in message


def test_a_shard_listed_twice_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _refusal(monkeypatch, discord_shards="1,2,1", discord_shard_count="4")
    assert "NEWSBOT_DISCORD_SHARDS lists shard 1 more than once." in message


@pytest.mark.parametrize("written", ["0;1", "zero", "0,,1", "0.5"])
def test_shards_that_are_not_whole_numbers_are_refused(
    monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    message = _refusal(monkeypatch, discord_shards=written, discord_shard_count="4")
    assert "NEWSBOT_DISCORD_SHARDS: expected shard ids separated by commas, such as 0,1" in message


def test_a_shard_count_below_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _refusal(monkeypatch, discord_shard_count="0")
    assert "discord_shard_count" in message and "greater than or equal to 1" in message


def test_status_names_the_shards_of_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch, discord_shards="3,2", discord_shard_count="4")
    assert settings.describe_shards() == "2, 3 of 4"


def test_sharded_processes_keep_feedback_in_files_of_their_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    front = _settings(
        monkeypatch, data_dir=str(tmp_path), discord_shards="1,0", discord_shard_count="4"
    )
    back = _settings(monkeypatch, discord_shards="2,3")
    assert front.feedback_path == tmp_path / "feedback-shards-0-1.sqlite3"
    assert back.feedback_path == tmp_path / "feedback-shards-2-3.sqlite3"


def test_a_feedback_path_that_is_set_wins_over_the_shard_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = _settings(
        monkeypatch,
        discord_shards="0",
        discord_shard_count="2",
        discord_feedback_path=str(tmp_path / "votes.sqlite3"),
    )
    assert settings.feedback_path == tmp_path / "votes.sqlite3"


def test_one_process_running_every_shard_keeps_the_usual_feedback_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = _settings(monkeypatch, data_dir=str(tmp_path), discord_shard_count="4")
    assert settings.feedback_path == tmp_path / "feedback.sqlite3"


# -- newsbot serve --shards --shard-count -----------------------------------------------------


@pytest.fixture
def built_bots(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Any]:
    """`newsbot serve` up to the bot it would run (no model, no store, no Discord)."""
    import bot.discord_bot
    from bot.cli.app import App

    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NEWSBOT_DISCORD_TOKEN", "MTIz.token")
    monkeypatch.setattr(App, "answerer", lambda self: object())
    monkeypatch.setattr(App, "store", property(lambda self: object()))
    bots: list[Any] = []
    monkeypatch.setattr(bot.discord_bot, "run", lambda bot, token: bots.append(bot))
    return bots


def _serve(*args: str) -> Any:
    from bot.cli.root import main

    return CliRunner().invoke(main, ["serve", *args])


def test_serve_options_run_the_bot_as_those_shards(built_bots: list[Any], tmp_path: Path) -> None:
    from discord.ext import commands

    result = _serve("--shards", "2,3", "--shard-count", "4")
    assert result.exit_code == 0, result.output
    [bot] = built_bots
    assert isinstance(bot, commands.AutoShardedBot)
    assert (bot.shard_ids, bot.shard_count) == ([2, 3], 4)
    assert bot.settings.describe_shards() == "2, 3 of 4"
    assert bot._feedback.path == tmp_path / "feedback-shards-2-3.sqlite3"


def test_serve_options_override_the_variables(
    built_bots: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBOT_DISCORD_SHARDS", "0,1")
    monkeypatch.setenv("NEWSBOT_DISCORD_SHARD_COUNT", "2")
    result = _serve("--shards", "3", "--shard-count", "6")
    assert result.exit_code == 0, result.output
    assert (built_bots[0].shard_ids, built_bots[0].shard_count) == ([3], 6)


def test_serve_without_shards_runs_one_unsharded_bot_as_before(built_bots: list[Any]) -> None:
    from discord.ext import commands

    result = _serve()
    assert result.exit_code == 0, result.output
    [bot] = built_bots
    assert not isinstance(bot, commands.AutoShardedBot) and bot.shard_count is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shards", "4", "--shard-count", "4"], "--shards: shard 4 does not exist with "),
        (["--shards", "0,1"], "--shards needs --shard-count"),
        (["--shards", "1,1", "--shard-count", "2"], "--shards lists shard 1 more than once."),
        (["--shards", "one", "--shard-count", "2"], "expected shard ids separated by commas"),
        (["--shards", "", "--shard-count", "2"], "expected shard ids separated by commas"),
        (["--shard-count", "0"], "0 is not in the range x>=1"),
    ],
)
def test_serve_refuses_shard_options_that_do_not_fit(
    built_bots: list[Any], args: list[str], message: str
) -> None:
    result = _serve(*args)
    assert result.exit_code == 2 and message in result.output, result.output
    assert not built_bots


def test_serve_names_the_variable_a_shard_option_conflicts_with(
    built_bots: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBOT_DISCORD_SHARD_COUNT", "2")
    result = _serve("--shards", "2")
    assert result.exit_code == 2
    assert "--shards: shard 2 does not exist with NEWSBOT_DISCORD_SHARD_COUNT 2" in result.output


# -- Discord refusing the shards ------------------------------------------------------------


class _RefusedBot:
    """Stands in for the bot in ``run``: Discord closes its gateway with ``code``."""

    def __init__(self, code: int) -> None:
        self.code = code

    async def __aenter__(self) -> _RefusedBot:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def start(self, token: str) -> None:
        import discord

        class Socket:
            close_code = self.code

        raise discord.ConnectionClosed(Socket(), shard_id=0, code=self.code)  # type: ignore[arg-type]

    async def close(self) -> None:
        return None


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (4010, "shard ids run from 0 to NEWSBOT_DISCORD_SHARD_COUNT - 1"),
        (4011, "Set NEWSBOT_DISCORD_SHARD_COUNT"),
    ],
)
def test_discord_refusing_the_shards_is_explained(code: int, message: str) -> None:
    from bot.discord_bot import run
    from index.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=message):
        run(_RefusedBot(code), "token")  # type: ignore[arg-type]


def test_another_closed_gateway_still_says_discord_cannot_be_reached() -> None:
    from bot.discord_bot import run
    from index.errors import ConfigurationError, NewsbotError

    with pytest.raises(NewsbotError, match="Cannot connect to Discord") as raised:
        run(_RefusedBot(4000), "token")  # type: ignore[arg-type]
    assert not isinstance(raised.value, ConfigurationError)
