"""Who may re-index: Manage Server, Administrator, or the configured role (by name or id)."""

from __future__ import annotations

import discord
import pytest

from bot.access import is_admin, refusal_message

EDITORS = discord.Object(id=111)
EDITORS.name = "Editors"  # type: ignore[attr-defined]
READERS = discord.Object(id=222)
READERS.name = "Readers"  # type: ignore[attr-defined]
NOTHING = discord.Permissions.none()


def test_manage_server_is_enough() -> None:
    assert is_admin(discord.Permissions(manage_guild=True), [], None)


def test_administrator_is_enough() -> None:
    assert is_admin(discord.Permissions(administrator=True), [], "Editors")


def test_without_permission_or_role_the_answer_is_no() -> None:
    assert not is_admin(discord.Permissions(send_messages=True), [READERS], None)
    assert not is_admin(NOTHING, [READERS], "Editors")


@pytest.mark.parametrize("configured", ["Editors", "editors", " EDITORS ", "111"])
def test_the_configured_role_by_name_or_id(configured: str) -> None:
    assert is_admin(NOTHING, [READERS, EDITORS], configured)


def test_a_number_matches_the_role_with_that_id_or_that_name_only() -> None:
    named_like_it = discord.Object(id=5)
    named_like_it.name = "111"  # type: ignore[attr-defined]
    assert is_admin(NOTHING, [named_like_it], "111")
    assert not is_admin(NOTHING, [READERS], "111")


def test_the_refusal_says_who_can() -> None:
    assert refusal_message(None) == (
        "Only members with the Manage Server permission can add articles or re-index them."
    )
    assert "“Editors” role" in refusal_message("Editors")
    assert "<@&111> role" in refusal_message("111")
