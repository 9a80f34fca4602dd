"""The Discord double's gateway, proven with an unmodified discord.py client.

Login (READY, GUILD_CREATE, heartbeats, command sync), transport compression, intents and
DMs, RESUME after dropped connections, and a client in another process driven only
through the double's synchronous API.
"""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import sys
import textwrap
import zlib

import aiohttp
import discord
import pytest
import yarl

from tests.e2e.discord_double import DiscordDouble, InteractionRecord, Op
from tests.e2e.discord_double.probe import ProbeBot, eventually

pytestmark = pytest.mark.e2e


# --------------------------------------------------------------------------- login


@pytest.mark.asyncio
async def test_bot_logs_in_and_receives_ready_and_guild_create(
    discord_api: DiscordDouble, probe_bot: ProbeBot
) -> None:
    assert probe_bot.user is not None and probe_bot.user.id == discord_api.bot_user_id
    assert probe_bot.application_id == discord_api.application_id
    guild = probe_bot.get_guild(discord_api.guild_id)
    assert guild is not None and not guild.unavailable
    channel = guild.get_channel(discord_api.channel_id)
    assert isinstance(channel, discord.TextChannel) and channel.name == "general"
    assert guild.me is not None and guild.me.id == discord_api.bot_user_id

    (connection,) = discord_api.connections
    assert connection.kind == "identify" and connection.path == "/gateway"
    assert connection.query["v"] == "10" and connection.query["encoding"] == "json"
    # Whatever compression discord.py asked for (zlib-stream without a zstd module) was served.
    assert connection.compress == discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE
    assert (
        connection.identify is not None
        and connection.identify["intents"] == discord.Intents.default().value
    )
    await eventually(lambda: math.isfinite(probe_bot.latency))  # a HEARTBEAT was ACKed
    assert Op.HEARTBEAT in discord_api.connections[0].received_ops
    assert discord_api.calls(route="GET /users/@me")
    assert discord_api.calls(route="GET /oauth2/applications/@me")


@pytest.mark.asyncio
async def test_slash_commands_synced_to_the_guild_are_registered(
    discord_api: DiscordDouble, probe_bot: ProbeBot
) -> None:
    registered = {c["name"]: c for c in discord_api.commands(discord_api.guild_id)}
    assert set(registered) == {"ask", "slow"}
    assert registered["ask"]["options"] == [
        {"type": 3, "name": "question", "description": "What you want to know", "required": True}
    ]
    assert {c.id for c in probe_bot.synced} == {int(c["id"]) for c in registered.values()}
    assert discord_api.commands() == []  # nothing global
    (sync,) = discord_api.calls(
        route="PUT /applications/{application_id}/guilds/{guild_id}/commands"
    )
    assert sync.status == 200


@pytest.mark.asyncio
@pytest.mark.parametrize("compress", [None, "zlib-stream"])
async def test_gateway_frames_use_the_compression_the_client_asks_for(
    discord_api: DiscordDouble, compress: str | None
) -> None:
    url = yarl.URL(discord_api.gateway_url).with_query(
        {"v": "10", "encoding": "json", **({"compress": compress} if compress else {})}
    )
    inflate = zlib.decompressobj()
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        hello = await ws.receive(timeout=5)
        if compress:
            assert hello.type == aiohttp.WSMsgType.BINARY and hello.data.endswith(
                b"\x00\x00\xff\xff"
            )
            hello_text = inflate.decompress(hello.data).decode()
        else:
            assert hello.type == aiohttp.WSMsgType.TEXT
            hello_text = hello.data
        assert json.loads(hello_text) == {
            "op": 10,
            "d": {"heartbeat_interval": 500, "_trace": ["discord-double"]},
            "s": None,
            "t": None,
        }
        await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 0, "properties": {}}})
        closing = await ws.receive(timeout=5)
        assert (
            closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 4004
        )  # Authentication failed


# --------------------------------------------------------------------------- intents and DMs


@pytest.mark.asyncio
async def test_message_content_is_hidden_without_the_intent_unless_the_bot_is_mentioned(
    discord_api: DiscordDouble, probe_bot: ProbeBot
) -> None:
    discord_api.dispatch_message("just chatting")
    discord_api.dispatch_message(f"hey <@{discord_api.bot_user_id}> look")
    await eventually(lambda: len([m for m in probe_bot.seen_messages if not m.author.bot]) >= 2)

    plain, mention = [m for m in probe_bot.seen_messages if not m.author.bot][:2]
    assert plain.content == ""
    assert mention.content == f"hey <@{discord_api.bot_user_id}> look"


@pytest.mark.asyncio
async def test_direct_messages_both_ways(discord_api: DiscordDouble, probe_bot: ProbeBot) -> None:
    discord_api.dispatch_message("hello bot", dm=True)
    reply = await discord_api.wait_for_message_async(lambda m: m["content"].startswith("DM answer"))
    assert reply["content"] == "DM answer to: hello bot"  # DM content is visible without the intent
    assert int(reply["channel_id"]) == discord_api.dm_channel_id(discord_api.user_id)

    user = await probe_bot.fetch_user(discord_api.user_id)
    sent = await user.send("a notification")
    assert sent.channel.id == discord_api.dm_channel_id(discord_api.user_id)
    assert discord_api.calls(route="POST /users/@me/channels")


# --------------------------------------------------------------------------- resuming


@pytest.mark.asyncio
async def test_dropped_connection_is_resumed_with_missed_events_replayed(
    discord_api: DiscordDouble, probe_bot: ProbeBot
) -> None:
    session_id = await discord_api.wait_until_identified_async()
    await discord_api.drop_connection_async(hold=0.3)  # no HELLO on reconnect for 0.3 s
    discord_api.dispatch_message(f"<@{discord_api.bot_user_id}> sent while you were away")
    assert await discord_api.wait_until_resumed_async() == session_id
    await asyncio.wait_for(probe_bot.resumed_event.wait(), 5)

    resumed = discord_api.connections[-1]
    assert (
        resumed.kind == "resume" and resumed.path == "/resume-gateway"
    )  # READY's resume_gateway_url
    assert resumed.replayed >= 1
    assert (discord_api.identify_count, discord_api.resume_count) == (1, 1)
    await eventually(
        lambda: (
            [m.content for m in probe_bot.seen_messages if not m.author.bot]
            == [f"<@{discord_api.bot_user_id}> sent while you were away"]
        )
    )

    interaction = discord_api.dispatch_command("ask", {"question": "Still there?"})
    record = await discord_api.wait_for_interaction_response_async(interaction.id)
    assert record.callback_type == 5
    assert (
        discord_api.message(record.original_message_id or 0)["content"] == "Answer to: Still there?"
    )


@pytest.mark.asyncio
async def test_reconnect_request_is_followed_by_a_resume(
    discord_api: DiscordDouble, probe_bot: ProbeBot
) -> None:
    await asyncio.to_thread(discord_api.request_reconnect)
    await discord_api.wait_until_resumed_async()
    first, second = discord_api.connections
    assert first.close_code == 4000 and not first.dropped  # discord.py closes with 4000 on op 7
    assert second.kind == "resume" and second.session_id == first.session_id
    assert discord_api.identify_count == 1


@pytest.mark.asyncio
async def test_invalid_session_makes_the_client_identify_again(
    discord_api: DiscordDouble, probe_bot: ProbeBot
) -> None:
    await asyncio.to_thread(discord_api.invalidate_session, resumable=False)
    await discord_api.wait_until_identified_async(count=2)
    interaction = discord_api.dispatch_command("ask", {"question": "Fresh session?"})
    record: InteractionRecord = await discord_api.wait_for_interaction_response_async(
        interaction.id
    )
    assert record.callback_type == 5


# --------------------------------------------------------------------------- another process


CLIENT_SCRIPT = textwrap.dedent(
    """
    import sys, discord, discord.gateway, discord.http, yarl
    api_base, gateway_url, token = sys.argv[1:4]
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)

    @client.event
    async def on_message(message):
        if client.user in message.mentions:
            await message.reply("pong from another process")

    client.run(token, log_handler=None)
    """
)


def test_a_client_in_another_process_is_driven_synchronously(discord_api: DiscordDouble) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CLIENT_SCRIPT,
            discord_api.api_base,
            discord_api.gateway_url,
            discord_api.token,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        discord_api.wait_until_identified(timeout=20)
        question = discord_api.dispatch_message(f"<@{discord_api.bot_user_id}> ping")
        reply = discord_api.wait_for_message(
            lambda m: m["content"] == "pong from another process", timeout=10
        )
        assert reply["type"] == 19 and reply["referenced_message"]["id"] == question["id"]
        # No allowed_mentions in the request: Discord pings the replied-to author.
        assert [u["id"] for u in reply["mentions"]] == [str(discord_api.user_id)]
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode(errors="replace")
    assert "Traceback" not in output, output
