"""Fixtures for the Discord double's own tests (``test_discord_double_*.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from tests.e2e.discord_double import DiscordDouble

if TYPE_CHECKING:
    from tests.e2e.discord_double.probe import ProbeBot


@pytest.fixture
def discord_api() -> Iterator[DiscordDouble]:
    """A running double; fails the test if a route it does not implement was called."""
    with DiscordDouble(heartbeat_interval=0.5) as double:
        yield double
        assert not double.internal_errors, double.internal_errors
        double.assert_no_unknown_routes()


@pytest_asyncio.fixture
async def probe_bot(discord_api: DiscordDouble) -> AsyncIterator[ProbeBot]:
    """The probe bot, logged in to the double and ready (READY + GUILD_CREATE processed)."""
    from tests.e2e.discord_double.probe import ProbeBot, eventually  # imports discord.py

    restore = discord_api.point_discord_py()
    client = ProbeBot(discord_api.guild_id)
    runner = asyncio.create_task(client.start(discord_api.token))
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        await asyncio.wait({runner, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            raise RuntimeError("the bot did not become ready")
        yield client
        await eventually(lambda: client.busy == 0)  # let handlers finish before closing
    finally:
        ready.cancel()
        await client.close()
        await asyncio.wait({runner}, timeout=5)
        restore()
    error = runner.exception() if runner.done() and not runner.cancelled() else None
    if error is not None:
        raise error  # the client crashed during the test
