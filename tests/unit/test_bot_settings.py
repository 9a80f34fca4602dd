"""The bot's settings: read from NEWSBOT_* variables, described, the token kept secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import BotSettings
from index.settings import Settings


def test_every_discord_setting_is_described() -> None:
    own = set(BotSettings.model_fields) - set(Settings.model_fields)
    assert {"discord_token", "discord_guild_id", "discord_api_url", "discord_gateway_url"} <= own
    for name in own:
        assert BotSettings.model_fields[name].description, name


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_DISCORD_TOKEN", "MTIz.secret-token")
    monkeypatch.setenv("NEWSBOT_DISCORD_GUILD_ID", "1234567890")
    monkeypatch.setenv("NEWSBOT_DISCORD_ADMIN_ROLE", "Editors")
    monkeypatch.setenv("NEWSBOT_DISCORD_COOLDOWN_SECONDS", "0")
    monkeypatch.setenv("NEWSBOT_DATA_DIR", "/tmp/somewhere")
    settings = BotSettings()
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == "MTIz.secret-token"
    assert settings.discord_guild_id == 1234567890 and settings.discord_admin_role == "Editors"
    assert settings.discord_cooldown_seconds == 0
    assert settings.feedback_path == Path("/tmp/somewhere/feedback.sqlite3")
    assert isinstance(settings, Settings)  # what the core receives


def test_the_token_never_shows_in_a_repr_or_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_DISCORD_TOKEN", "MTIz.secret-token")
    settings = BotSettings()
    assert "secret-token" not in repr(settings) and "secret-token" not in str(settings)
    assert "secret-token" not in settings.model_dump_json()


def test_without_a_token_the_setting_is_none() -> None:
    assert BotSettings().discord_token is None


def test_every_setting_is_documented_in_the_readme() -> None:
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text()
    for name in BotSettings.model_fields:
        assert f"`NEWSBOT_{name.upper()}`" in readme, name
