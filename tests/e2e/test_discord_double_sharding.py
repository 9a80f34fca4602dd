"""Sharding against the Discord double, as Discord does it, with unmodified AutoShardedBots.

Two bot "processes" (two ``AutoShardedBot`` clients with their own HTTP sessions and
gateway sockets, run in this test's loop) share one bot token: one runs shards 0 and 1 of
4, the other shards 2 and 3. Each must see only its guilds and get only their events.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import discord.gateway
import discord.http
import pytest
import pytest_asyncio
import yarl
from discord import app_commands
from discord.ext import commands

from tests.e2e.discord_double import CloseCode, DiscordDouble, Intents, Op, shard_of
from tests.e2e.discord_double.probe import eventually, rest

pytestmark = pytest.mark.e2e

SHARDS = 4
FRONT_SHARDS, BACK_SHARDS = [0, 1], [2, 3]


# --------------------------------------------------------------------------- sharded bots


@app_commands.command(name="where", description="Say which process and shard answered.")
async def where(interaction: discord.Interaction) -> None:
    """Answer with the process label and the guild's shard."""
    assert isinstance(interaction.client, ShardedProbe) and interaction.guild is not None
    label, shard_id = interaction.client.label, interaction.guild.shard_id
    await interaction.response.send_message(f"{label} shard {shard_id}")


class ShardedProbe(commands.AutoShardedBot):
    """A sharded bot that records the messages it receives and answers ``/where``."""

    def __init__(self, label: str, **sharding: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            help_command=None,
            guild_ready_timeout=0.05,
            **sharding,
        )
        self.label = label
        self.seen_messages: list[discord.Message] = []
        self.tree.add_command(where)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5 s pause between shards (the double has no identify limit)."""

    async def on_message(self, message: discord.Message) -> None:
        """Remember every message this process received."""
        self.seen_messages.append(message)


@contextlib.asynccontextmanager
async def running(client: commands.AutoShardedBot, token: str) -> AsyncIterator[None]:
    """Run ``client`` until the block ends; it must be ready (all its shards) first."""
    runner = asyncio.create_task(client.start(token))
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        await asyncio.wait({runner, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            raise RuntimeError(f"the bot did not become ready: {runner}")
        yield
    finally:
        ready.cancel()
        await client.close()
        await asyncio.wait({runner}, timeout=5)
    error = runner.exception() if runner.done() and not runner.cancelled() else None
    if error is not None:
        raise error  # the client crashed during the test


@pytest.fixture
def shard_channels(discord_api: DiscordDouble) -> dict[int, int]:
    """One guild per shard (of 4) with ``#general`` and alice; maps shard id to channel id."""
    channels = {}
    for shard_id in range(SHARDS):
        guild_id = discord_api.add_guild(f"Shard {shard_id}", shard=(shard_id, SHARDS))
        channels[shard_id] = discord_api.add_channel(guild_id, "general")
        discord_api.add_member(guild_id, discord_api.user_id)
    status, _, _ = rest(
        discord_api,
        "PUT",
        f"/applications/{discord_api.application_id}/commands",
        [{"name": "where", "description": "Which shard answers.", "type": 1}],
    )
    assert status == 200
    return channels


@pytest_asyncio.fixture
async def processes(
    discord_api: DiscordDouble, shard_channels: dict[int, int]
) -> AsyncIterator[tuple[ShardedProbe, ShardedProbe]]:
    """Two sharded bot processes connected at once: shards 0-1 and 2-3 of 4."""
    front = ShardedProbe("front", shard_ids=FRONT_SHARDS, shard_count=SHARDS)
    back = ShardedProbe("back", shard_ids=BACK_SHARDS, shard_count=SHARDS)
    restore = discord_api.point_discord_py()
    try:
        async with running(front, discord_api.token), running(back, discord_api.token):
            await discord_api.wait_until_shards_ready_async(SHARDS)
            yield front, back
    finally:
        restore()


def guilds_on(double: DiscordDouble, channels: dict[int, int], shard_ids: list[int]) -> set[int]:
    """The ids of the double's guilds (the default one and one per shard) on ``shard_ids``."""
    guild_ids = {double.guild_id} | {int(double.channel(c)["guild_id"]) for c in channels.values()}
    return {g for g in guild_ids if shard_of(g, SHARDS) in shard_ids}


async def identify_raw(double: DiscordDouble, shard: Any) -> int | dict[str, Any]:
    """IDENTIFY on a raw socket: READY's data, or the code the double closed it with."""
    url = yarl.URL(double.gateway_url).with_query({"v": "10", "encoding": "json"})
    intents = Intents.GUILDS | Intents.GUILD_MESSAGES
    identify: dict[str, Any] = {"token": double.token, "intents": intents, "properties": {}}
    if shard is not None:
        identify["shard"] = shard
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        assert (await ws.receive_json(timeout=5))["op"] == Op.HELLO
        await ws.send_json({"op": Op.IDENTIFY, "d": identify})
        reply = await ws.receive(timeout=5)
        if reply.type == aiohttp.WSMsgType.CLOSE:
            return int(reply.data)
        frame = reply.json()
        assert frame["t"] == "READY"
        ready: dict[str, Any] = frame["d"]
        return ready


# --------------------------------------------------------------------------- two processes


@pytest.mark.asyncio
async def test_each_process_sees_only_the_guilds_of_its_shards(
    discord_api: DiscordDouble,
    shard_channels: dict[int, int],
    processes: tuple[ShardedProbe, ShardedProbe],
) -> None:
    front, back = processes
    assert {g.id for g in front.guilds} == guilds_on(discord_api, shard_channels, FRONT_SHARDS)
    assert {g.id for g in back.guilds} == guilds_on(discord_api, shard_channels, BACK_SHARDS)
    assert {c.shard for c in discord_api.connections} == {(s, SHARDS) for s in range(SHARDS)}
    for ready in discord_api.dispatches("READY"):
        assert ready.data["shard"] == [ready.shard_id, SHARDS]
    for created in discord_api.dispatches("GUILD_CREATE"):
        assert shard_of(int(created.data["id"]), SHARDS) == created.shard_id

    late = discord_api.add_guild("Late", shard=(3, SHARDS))
    await eventually(lambda: back.get_guild(late) is not None)
    assert front.get_guild(late) is None
    assert [d.shard_id for d in discord_api.dispatches("GUILD_CREATE") if d.guild_id == late] == [3]


@pytest.mark.asyncio
async def test_a_message_reaches_only_the_process_owning_its_guild(
    discord_api: DiscordDouble,
    shard_channels: dict[int, int],
    processes: tuple[ShardedProbe, ShardedProbe],
) -> None:
    front, back = processes
    for shard_id, channel_id in shard_channels.items():
        discord_api.dispatch_message(f"hello shard {shard_id}", channel_id=channel_id)
    discord_api.dispatch_message("hello in private", dm=True)
    await eventually(lambda: len(front.seen_messages) == 3 and len(back.seen_messages) == 2)

    dm_channel = discord_api.dm_channel_id(discord_api.user_id)
    front_channels = {shard_channels[0], shard_channels[1], dm_channel}  # DMs go to shard 0
    assert {m.channel.id for m in front.seen_messages} == front_channels
    assert {m.channel.id for m in back.seen_messages} == {shard_channels[2], shard_channels[3]}
    for shard_id, channel_id in shard_channels.items():
        dispatched = discord_api.dispatches("MESSAGE_CREATE")
        assert [d.shard_id for d in dispatched if d.data["channel_id"] == str(channel_id)] == [
            shard_id
        ]


@pytest.mark.asyncio
async def test_an_interaction_is_answered_by_the_process_owning_its_guild(
    discord_api: DiscordDouble,
    shard_channels: dict[int, int],
    processes: tuple[ShardedProbe, ShardedProbe],
) -> None:
    for shard_id, channel_id in shard_channels.items():
        interaction = discord_api.dispatch_command("where", channel_id=channel_id)
        record = await discord_api.wait_for_interaction_response_async(interaction.id)

        label = "front" if shard_id in FRONT_SHARDS else "back"
        answer = discord_api.message(record.original_message_id or 0)
        assert answer["content"] == f"{label} shard {shard_id}"
        dispatched = discord_api.dispatches("INTERACTION_CREATE", shard_id=shard_id)
        assert [d.data["id"] for d in dispatched] == [str(interaction.id)]


# --------------------------------------------------------------------------- refusals


@pytest.mark.asyncio
async def test_a_shard_outside_the_shard_count_is_refused_with_4010(
    discord_api: DiscordDouble,
) -> None:
    restore = discord_api.point_discord_py()
    client = ShardedProbe("broken", shard_ids=[4], shard_count=SHARDS)
    try:
        with pytest.raises(discord.ConnectionClosed) as closed:
            await asyncio.wait_for(client.start(discord_api.token), timeout=10)
    finally:
        await client.close()
        restore()
    assert closed.value.code == CloseCode.INVALID_SHARD == 4010
    assert discord_api.identify_count == 0


@pytest.mark.asyncio
@pytest.mark.parametrize("shard", [[4, 4], [-1, 4], [0, 0], [0], "0,4", [0.0, 4]])
async def test_malformed_shards_are_refused_with_4010(
    discord_api: DiscordDouble, shard: Any
) -> None:
    assert await identify_raw(discord_api, shard) == CloseCode.INVALID_SHARD


@pytest.mark.asyncio
async def test_a_shard_count_differing_from_the_connected_sessions_is_refused_with_4010(
    discord_api: DiscordDouble, processes: tuple[ShardedProbe, ShardedProbe]
) -> None:
    assert await identify_raw(discord_api, [1, 2]) == CloseCode.INVALID_SHARD
    assert await identify_raw(discord_api, None) == CloseCode.INVALID_SHARD  # i.e. [0, 1]
    ready = await identify_raw(discord_api, [1, SHARDS])  # a second session for shard 1
    assert isinstance(ready, dict) and ready["shard"] == [1, SHARDS]


@pytest.mark.asyncio
async def test_too_few_shards_for_the_bot_are_refused_with_4011() -> None:
    with DiscordDouble(required_shards=2) as double:
        assert rest(double, "GET", "/gateway/bot")[2]["shards"] == 2
        assert await identify_raw(double, None) == CloseCode.SHARDING_REQUIRED == 4011
        assert await identify_raw(double, [0, 1]) == CloseCode.SHARDING_REQUIRED
        ready = await identify_raw(double, [1, 2])
        assert isinstance(ready, dict) and ready["shard"] == [1, 2]


# --------------------------------------------------------------------------- discovery


@pytest.mark.asyncio
async def test_a_client_without_shard_receives_every_guild(
    discord_api: DiscordDouble, shard_channels: dict[int, int]
) -> None:
    ready = await identify_raw(discord_api, None)
    assert isinstance(ready, dict) and "shard" not in ready
    every_guild = guilds_on(discord_api, shard_channels, list(range(SHARDS)))
    assert {int(g["id"]) for g in ready["guilds"]} == every_guild


def test_gateway_bot_recommends_shards_and_names_the_doubles_gateway() -> None:
    with DiscordDouble(recommended_shards=3) as double:
        status, _, body = rest(double, "GET", "/gateway/bot")
        assert status == 200 and body["url"] == double.gateway_url and body["shards"] == 3
        limit = body["session_start_limit"]
        assert set(limit) == {"total", "remaining", "reset_after", "max_concurrency"}
        assert limit["remaining"] == limit["total"]


@pytest.mark.asyncio
async def test_a_sharded_client_without_shard_count_follows_gateway_bot() -> None:
    with DiscordDouble(recommended_shards=2) as double:
        old_base, old_gateway = (
            discord.http.Route.BASE,
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
        )
        discord.http.Route.BASE = double.api_base
        # Not the double: the client must take the gateway URL from GET /gateway/bot.
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL("ws://127.0.0.1:9/nowhere")
        client = ShardedProbe("auto")
        try:
            async with running(client, double.token):
                assert client.shard_count == 2
                assert {c.shard for c in double.connections} == {(0, 2), (1, 2)}
                assert double.calls(route="GET /gateway/bot")
                assert {g.id for g in client.guilds} == {double.guild_id}
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
