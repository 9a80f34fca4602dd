"""Proof that an unmodified discord.py client works against the Discord double.

A small bot in the style of newsbot (a deferred ``/ask`` slash command with a button,
an answer-in-a-thread mention handler, default intents without message content) runs
in-process against :class:`DiscordDouble`; one test runs a client in another process and
drives it only through the double's synchronous API.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import math
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import AsyncIterator, Iterator
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

from tests.e2e.discord_double import DiscordDouble, InteractionRecord, Op

pytestmark = pytest.mark.e2e

CALLBACK_ROUTE = "POST /interactions/{interaction_id}/{interaction_token}/callback"
FOLLOWUP_ROUTE = "POST /webhooks/{application_id}/{interaction_token}"


# --------------------------------------------------------------------------- the probe bot


class SourcesView(discord.ui.View):
    """The button attached to an answer."""

    @discord.ui.button(label="Show sources", custom_id="sources")
    async def sources(
        self, interaction: discord.Interaction, button: discord.ui.Button[SourcesView]
    ) -> None:
        """Answer the click privately."""
        async with probe(interaction).working():
            await interaction.response.send_message("Sources: example.com/article", ephemeral=True)


def probe(interaction: discord.Interaction) -> ProbeBot:
    """The probe bot handling ``interaction``."""
    assert isinstance(interaction.client, ProbeBot)
    return interaction.client


@app_commands.command(name="ask", description="Ask the news archive a question.")
@app_commands.describe(question="What you want to know")
async def ask(interaction: discord.Interaction, question: str) -> None:
    """Defer (thinking), then answer with a follow-up carrying a button."""
    async with probe(interaction).working():
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.01)  # "retrieval"
        await interaction.followup.send(f"Answer to: {question}", view=SourcesView())


@app_commands.command(name="slow", description="Takes too long before deferring.")
async def slow(interaction: discord.Interaction) -> None:
    """Defer only after the bot's ``slow_seconds``; records what Discord answered."""
    bot = probe(interaction)
    async with bot.working():
        await asyncio.sleep(bot.slow_seconds)
        try:
            await interaction.response.defer()
        except discord.HTTPException as error:
            bot.late_defer_errors.append(error)


class ProbeBot(commands.Bot):
    """A slash-command + mention bot with default (non-privileged) intents."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            help_command=None,
            guild_ready_timeout=0.05,
        )
        self.guild_id = guild_id
        self.slow_seconds = 0.0
        self.seen_messages: list[discord.Message] = []
        self.late_defer_errors: list[discord.HTTPException] = []
        self.synced: list[app_commands.AppCommand] = []
        self.resumed_event = asyncio.Event()
        self.busy = 0

    @contextlib.asynccontextmanager
    async def working(self) -> AsyncIterator[None]:
        """Count a running handler, so teardown can wait for handlers to finish."""
        self.busy += 1
        try:
            yield
        finally:
            self.busy -= 1

    async def setup_hook(self) -> None:
        """Register the slash commands for the test guild and sync them."""
        guild = discord.Object(self.guild_id)
        self.tree.add_command(ask, guild=guild)
        self.tree.add_command(slow, guild=guild)
        self.synced = await self.tree.sync(guild=guild)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5 s pause before re-IDENTIFYing (the double has no identify limit)."""

    async def on_resumed(self) -> None:
        """Remember that the gateway session was resumed."""
        self.resumed_event.set()

    async def on_message(self, message: discord.Message) -> None:
        """Answer mentions in a new thread and DMs in the DM."""
        self.seen_messages.append(message)
        async with self.working():
            await self._answer(message)

    async def _answer(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        if isinstance(message.channel, discord.DMChannel):
            await message.channel.send(f"DM answer to: {message.content}")
            return
        if self.user is None or self.user not in message.mentions:
            return
        await message.add_reaction("\N{EYES}")
        question = message.content.replace(self.user.mention, "").strip()
        thread = await message.create_thread(name=question[:100] or "question")
        async with thread.typing():
            await thread.send(
                f"Answer: {question}", allowed_mentions=discord.AllowedMentions.none()
            )


# --------------------------------------------------------------------------- fixtures and helpers


@pytest.fixture
def discord_api() -> Iterator[DiscordDouble]:
    """A running double; fails the test if a route it does not implement was called."""
    with DiscordDouble(heartbeat_interval=0.5) as double:
        yield double
        assert not double.internal_errors, double.internal_errors
        double.assert_no_unknown_routes()


@pytest_asyncio.fixture
async def bot(discord_api: DiscordDouble) -> AsyncIterator[ProbeBot]:
    """The probe bot, logged in to the double and ready (READY + GUILD_CREATE processed)."""
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


async def eventually(condition: Any, timeout: float = 5.0) -> None:
    """Wait in the bot's loop until ``condition()`` is true."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.01)


def rest(
    double: DiscordDouble, method: str, path: str, body: Any = None, *, auth: bool = True
) -> tuple[int, str, Any]:
    """A raw REST call: (status, Content-Type, parsed JSON or None)."""
    request = urllib.request.Request(
        double.api_base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
    )
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if auth:
        request.add_header("Authorization", f"Bot {double.token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            raw, status, content_type = (
                response.read(),
                response.status,
                response.headers.get("Content-Type"),
            )
    except urllib.error.HTTPError as error:
        raw, status, content_type = error.read(), error.code, error.headers.get("Content-Type")
    return status, content_type or "", json.loads(raw) if raw else None


def register_ask_globally(double: DiscordDouble) -> None:
    """Register ``/ask`` the way discord.py's sync does, without a client."""
    status, _, _ = rest(
        double,
        "PUT",
        f"/applications/{double.application_id}/commands",
        [
            {
                "name": "ask",
                "description": "Ask.",
                "type": 1,
                "options": [{"name": "question", "description": "Q", "type": 3, "required": True}],
            },
        ],
    )
    assert status == 200


# --------------------------------------------------------------------------- login and gateway


@pytest.mark.asyncio
async def test_bot_logs_in_and_receives_ready_and_guild_create(
    discord_api: DiscordDouble, bot: ProbeBot
) -> None:
    assert bot.user is not None and bot.user.id == discord_api.bot_user_id
    assert bot.application_id == discord_api.application_id
    guild = bot.get_guild(discord_api.guild_id)
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
    await eventually(lambda: math.isfinite(bot.latency))  # a HEARTBEAT was ACKed
    assert Op.HEARTBEAT in discord_api.connections[0].received_ops
    assert discord_api.calls(route="GET /users/@me")
    assert discord_api.calls(route="GET /oauth2/applications/@me")


@pytest.mark.asyncio
async def test_slash_commands_synced_to_the_guild_are_registered(
    discord_api: DiscordDouble, bot: ProbeBot
) -> None:
    registered = {c["name"]: c for c in discord_api.commands(discord_api.guild_id)}
    assert set(registered) == {"ask", "slow"}
    assert registered["ask"]["options"] == [
        {"type": 3, "name": "question", "description": "What you want to know", "required": True}
    ]
    assert {c.id for c in bot.synced} == {int(c["id"]) for c in registered.values()}
    assert discord_api.commands() == []  # nothing global
    (sync,) = discord_api.calls(
        route="PUT /applications/{application_id}/guilds/{guild_id}/commands"
    )
    assert sync.status == 200


# --------------------------------------------------------------------------- interactions


@pytest.mark.asyncio
async def test_command_is_deferred_within_the_deadline_then_answered(
    discord_api: DiscordDouble, bot: ProbeBot
) -> None:
    interaction = discord_api.dispatch_command("ask", {"question": "Who won the election?"})
    record = await discord_api.wait_for_interaction_response_async(interaction.id)

    assert record.callback_type == 5 and record.ack_delay is not None
    assert record.ack_delay < discord_api.interaction_deadline
    (callback,) = discord_api.calls(route=CALLBACK_ROUTE)
    assert callback.body == {"type": 5} and callback.status == 200
    assert callback.at - interaction.dispatched_at < discord_api.interaction_deadline
    (followup,) = discord_api.calls(route=FOLLOWUP_ROUTE)
    assert followup.query["wait"] == "1" and followup.status == 200
    # The follow-up completes the "thinking…" message: one message in the channel.
    (answer,) = discord_api.messages()
    assert answer["content"] == "Answer to: Who won the election?"
    assert answer["id"] == str(record.original_message_id) and not answer["flags"] & 128
    assert answer["interaction_metadata"]["id"] == str(interaction.id)
    assert answer["components"][0]["components"][0]["custom_id"] == "sources"


@pytest.mark.asyncio
async def test_button_click_is_answered_privately(
    discord_api: DiscordDouble, bot: ProbeBot
) -> None:
    asked = discord_api.dispatch_command("ask", {"question": "Sources?"})
    answer_id = (
        await discord_api.wait_for_interaction_response_async(asked.id)
    ).original_message_id
    assert answer_id is not None

    click = discord_api.dispatch_component(answer_id, "sources")
    record = await discord_api.wait_for_interaction_response_async(click.id)

    assert record.callback_type == 4 and record.ack_delay is not None and record.ack_delay < 3
    reply = discord_api.message(record.original_message_id or 0)
    assert reply["content"].startswith("Sources:") and reply["flags"] & 64  # ephemeral


@pytest.mark.asyncio
async def test_deferring_after_the_deadline_fails_with_unknown_interaction(
    discord_api: DiscordDouble, bot: ProbeBot
) -> None:
    discord_api.interaction_deadline = 0.2
    bot.slow_seconds = 0.35
    interaction = discord_api.dispatch_command("slow")
    await eventually(lambda: bot.late_defer_errors)

    (error,) = bot.late_defer_errors
    assert isinstance(error, discord.NotFound) and error.code == 10062 and error.status == 404
    record = discord_api.interaction(interaction.id)
    assert not record.acknowledged and [code for _, code in record.rejected_callbacks] == [10062]
    (late,) = discord_api.calls(route=CALLBACK_ROUTE)
    assert late.at - interaction.dispatched_at > 0.2 and late.error_code == 10062


def test_second_callback_and_late_callback_are_rejected(discord_api: DiscordDouble) -> None:
    register_ask_globally(discord_api)
    first = discord_api.dispatch_command("ask", {"question": "x"})
    path = f"/interactions/{first.id}/{first.token}/callback"
    assert rest(discord_api, "POST", path, {"type": 5}, auth=False)[0] == 204
    status, _, body = rest(discord_api, "POST", path, {"type": 5}, auth=False)
    assert (status, body["code"]) == (400, 40060)

    discord_api.interaction_deadline = 0.05
    second = discord_api.dispatch_command("ask", {"question": "y"})
    time.sleep(0.1)
    status, _, body = rest(
        discord_api,
        "POST",
        f"/interactions/{second.id}/{second.token}/callback",
        {"type": 4, "data": {"content": "late"}},
        auth=False,
    )
    assert (status, body) == (404, {"message": "Unknown interaction", "code": 10062})
    # Only the first interaction's "thinking…" message exists; the late reply was not posted.
    assert [(m["content"], m["flags"]) for m in discord_api.messages()] == [("", 128)]


# --------------------------------------------------------------------------- messages and threads


@pytest.mark.asyncio
async def test_mention_creates_a_thread_and_the_answer_is_posted_in_it(
    discord_api: DiscordDouble, bot: ProbeBot
) -> None:
    question = discord_api.dispatch_message(f"<@{discord_api.bot_user_id}> What happened in Paris?")
    answer = await discord_api.wait_for_message_async(
        lambda m: m["channel_id"] != str(discord_api.channel_id)
    )

    thread = discord_api.channel(int(answer["channel_id"]))
    assert thread["type"] == 11 and thread["parent_id"] == str(discord_api.channel_id)
    assert thread["id"] == question["id"] and thread["name"] == "What happened in Paris?"
    assert answer["content"] == "Answer: What happened in Paris?"
    (post,) = discord_api.calls(route="POST /channels/{channel_id}/messages")
    assert post.allowed_mentions == {"parse": []}  # AllowedMentions.none()
    assert discord_api.calls(
        route="PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
    )
    assert discord_api.calls(route="POST /channels/{channel_id}/typing")
    assert discord_api.message(int(question["id"]))["reactions"][0]["emoji"]["name"] == "\N{EYES}"
    await eventually(
        lambda: isinstance(bot.get_channel(int(thread["id"])), discord.Thread)
    )  # THREAD_CREATE


@pytest.mark.asyncio
async def test_common_rest_routes_work_through_discord_py(
    discord_api: DiscordDouble, bot: ProbeBot
) -> None:
    channel = bot.get_channel(discord_api.channel_id)
    guild = bot.get_guild(discord_api.guild_id)
    assert isinstance(channel, discord.TextChannel) and guild is not None

    sent = await channel.send("draft", file=discord.File(io.BytesIO(b"report"), "report.txt"))
    (upload,) = discord_api.calls(route="POST /channels/{channel_id}/messages")
    assert upload.body["content"] == "draft" and [f.name for f in upload.files] == ["files[0]"]
    assert await sent.attachments[0].read() == b"report"  # served by the double's CDN
    edited = await sent.edit(content="final")
    assert edited.content == "final" and edited.edited_at is not None
    assert (await channel.fetch_message(sent.id)).content == "final"
    assert [m.id async for m in channel.history(limit=5)] == [sent.id]
    assert (await guild.fetch_member(discord_api.user_id)).name == "alice"
    fetched = await bot.fetch_channel(discord_api.channel_id)
    assert isinstance(fetched, discord.TextChannel) and fetched.name == "general"

    await sent.add_reaction("\N{THUMBS UP SIGN}")
    await sent.remove_reaction("\N{THUMBS UP SIGN}", guild.me)
    assert discord_api.message(sent.id)["reactions"] == []

    thread = await channel.create_thread(
        name="Live updates", type=discord.ChannelType.public_thread
    )
    await thread.join()
    discord_api.dispatch_message("an update", channel_id=thread.id)
    await eventually(lambda: any(m.channel.id == thread.id for m in bot.seen_messages))
    seen = next(m for m in bot.seen_messages if m.channel.id == thread.id)
    assert isinstance(seen.channel, discord.Thread) and seen.content == ""  # no content intent
    await thread.leave()

    await sent.delete()
    assert discord_api.messages() == []


def test_interaction_webhook_messages_can_be_fetched_edited_and_deleted(
    discord_api: DiscordDouble,
) -> None:
    register_ask_globally(discord_api)
    interaction = discord_api.dispatch_command("ask", {"question": "q"})
    webhook = f"/webhooks/{discord_api.application_id}/{interaction.token}"
    callback = f"/interactions/{interaction.id}/{interaction.token}/callback?with_response=true"
    assert (
        rest(discord_api, "POST", f"{webhook}?wait=true", {"content": "early"}, auth=False)[0]
        == 404
    )

    status, _, created = rest(discord_api, "POST", callback, {"type": 5}, auth=False)
    assert status == 200 and created["interaction"]["response_message_loading"] is True
    status, _, edited = rest(
        discord_api, "PATCH", f"{webhook}/messages/@original", {"content": "done"}, auth=False
    )
    assert status == 200 and edited["content"] == "done" and not edited["flags"] & 128
    status, _, extra = rest(
        discord_api, "POST", f"{webhook}?wait=true", {"content": "more"}, auth=False
    )
    assert status == 200 and extra["id"] != edited["id"]
    assert (
        rest(discord_api, "GET", f"{webhook}/messages/{extra['id']}", auth=False)[2]["content"]
        == "more"
    )
    assert rest(discord_api, "DELETE", f"{webhook}/messages/{extra['id']}", auth=False)[0] == 204
    assert [m["content"] for m in discord_api.messages()] == ["done"]


@pytest.mark.asyncio
async def test_message_content_is_hidden_without_the_intent_unless_the_bot_is_mentioned(
    discord_api: DiscordDouble, bot: ProbeBot
) -> None:
    discord_api.dispatch_message("just chatting")
    discord_api.dispatch_message(f"hey <@{discord_api.bot_user_id}> look")
    await eventually(lambda: len([m for m in bot.seen_messages if not m.author.bot]) >= 2)

    plain, mention = [m for m in bot.seen_messages if not m.author.bot][:2]
    assert plain.content == ""
    assert mention.content == f"hey <@{discord_api.bot_user_id}> look"


@pytest.mark.asyncio
async def test_direct_messages_both_ways(discord_api: DiscordDouble, bot: ProbeBot) -> None:
    discord_api.dispatch_message("hello bot", dm=True)
    reply = await discord_api.wait_for_message_async(lambda m: m["content"].startswith("DM answer"))
    assert reply["content"] == "DM answer to: hello bot"  # DM content is visible without the intent
    assert int(reply["channel_id"]) == discord_api.dm_channel_id(discord_api.user_id)

    user = await bot.fetch_user(discord_api.user_id)
    sent = await user.send("a notification")
    assert sent.channel.id == discord_api.dm_channel_id(discord_api.user_id)
    assert discord_api.calls(route="POST /users/@me/channels")


@pytest.mark.asyncio
async def test_a_2001_character_message_is_rejected_with_50035(
    discord_api: DiscordDouble, bot: ProbeBot
) -> None:
    channel = bot.get_channel(discord_api.channel_id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send("x" * 2001)
    assert raised.value.status == 400 and raised.value.code == 50035
    assert "In content: Must be 2000 or fewer in length." in raised.value.text

    await channel.send("x" * 2000)
    assert [len(m["content"]) for m in discord_api.messages()] == [2000]


def _embed(**fields: Any) -> dict[str, Any]:
    return {"type": "rich", **fields}


def _row(n: int, **button: Any) -> dict[str, Any]:
    return {
        "type": 1,
        "components": [
            {"type": 2, "style": 1, "label": "b", "custom_id": f"c{i}", **button} for i in range(n)
        ],
    }


@pytest.mark.parametrize(
    ("body", "error_path"),
    [
        ({"content": "x" * 2001}, ["content"]),
        ({"embeds": [_embed(title="t")] * 11}, ["embeds"]),
        ({"embeds": [_embed(title="x" * 257)]}, ["embeds", "0", "title"]),
        ({"embeds": [_embed(description="x" * 4097)]}, ["embeds", "0", "description"]),
        (
            {"embeds": [_embed(fields=[{"name": "n", "value": "v"}] * 26)]},
            ["embeds", "0", "fields"],
        ),
        (
            {"embeds": [_embed(fields=[{"name": "x" * 257, "value": "v"}])]},
            ["embeds", "0", "fields", "0", "name"],
        ),
        (
            {"embeds": [_embed(fields=[{"name": "n", "value": "x" * 1025}])]},
            ["embeds", "0", "fields", "0", "value"],
        ),
        ({"embeds": [_embed(footer={"text": "x" * 2049})]}, ["embeds", "0", "footer", "text"]),
        ({"embeds": [_embed(author={"name": "x" * 257})]}, ["embeds", "0", "author", "name"]),
        ({"embeds": [_embed(description="x" * 3000), _embed(description="x" * 3001)]}, ["embeds"]),
        (
            {"content": "x", "components": [_row(1, custom_id=f"r{i}") for i in range(6)]},
            ["components"],
        ),
        (
            {"content": "x", "components": [_row(1), _row(1)]},
            ["components", "1", "components", "0", "custom_id"],
        ),
        ({"content": "x", "components": [_row(6)]}, ["components", "0", "components"]),
        (
            {"content": "x", "components": [_row(1, label="x" * 81)]},
            ["components", "0", "components", "0", "label"],
        ),
        (
            {"content": "x", "components": [_row(1, custom_id="x" * 101)]},
            ["components", "0", "components", "0", "custom_id"],
        ),
    ],
)
def test_message_limits_are_enforced_like_discord(
    discord_api: DiscordDouble, body: dict[str, Any], error_path: list[str]
) -> None:
    status, content_type, error = rest(
        discord_api, "POST", f"/channels/{discord_api.channel_id}/messages", body
    )
    assert (status, content_type, error["code"], error["message"]) == (
        400,
        "application/json",
        50035,
        "Invalid Form Body",
    )
    node = error["errors"]
    for part in error_path:
        node = node[part]
    assert node["_errors"], error
    assert discord_api.messages() == []


def test_limits_accept_values_at_the_boundary(discord_api: DiscordDouble) -> None:
    body = {
        "content": "x" * 2000,
        "embeds": [
            _embed(
                title="x" * 256,
                description="x" * 2000,
                footer={"text": "x" * 2048},
                author={"name": "x" * 256},
                fields=[{"name": "n", "value": "v"}] * 25,
            )
        ],
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 1, "label": "x" * 80, "custom_id": f"{'x' * 98}{r}{b}"}
                    for b in range(5)
                ],
            }
            for r in range(5)
        ],
    }
    status, _, message = rest(
        discord_api, "POST", f"/channels/{discord_api.channel_id}/messages", body
    )
    assert status == 200, message
    assert (
        message["author"]["id"] == str(discord_api.bot_user_id)
        and message["embeds"][0]["title"] == "x" * 256
    )
    status, _, error = rest(
        discord_api, "POST", f"/channels/{discord_api.channel_id}/messages", {"content": " "}
    )
    assert (status, error["code"]) == (400, 50006)


def test_thread_names_longer_than_100_characters_are_rejected(discord_api: DiscordDouble) -> None:
    message = discord_api.dispatch_message("a story")
    path = f"/channels/{discord_api.channel_id}/messages/{message['id']}/threads"
    status, _, error = rest(discord_api, "POST", path, {"name": "x" * 101})
    assert (status, error["code"], list(error["errors"])) == (400, 50035, ["name"])
    status, _, thread = rest(discord_api, "POST", path, {"name": "x" * 100})
    assert status == 201 and thread["id"] == message["id"]
    status, _, error = rest(discord_api, "POST", path, {"name": "again"})
    assert (status, error["code"]) == (400, 160004)


def test_unknown_routes_answer_discord_shaped_404_and_are_recorded() -> None:
    with DiscordDouble() as double:
        status, content_type, body = rest(double, "GET", "/guilds/1/audit-logs")
        assert (status, content_type, body) == (
            404,
            "application/json",
            {"message": "404: Not Found", "code": 0},
        )
        assert rest(double, "GET", "/users/@me", auth=False)[0] == 401
        assert [c.path for c in double.unknown_calls()] == ["/guilds/1/audit-logs"]
        with pytest.raises(AssertionError, match="audit-logs"):
            double.assert_no_unknown_routes()


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


# --------------------------------------------------------------------------- resuming


@pytest.mark.asyncio
async def test_dropped_connection_is_resumed_with_missed_events_replayed(
    discord_api: DiscordDouble, bot: ProbeBot
) -> None:
    session_id = await discord_api.wait_until_identified_async()
    await discord_api.drop_connection_async(hold=0.3)  # no HELLO on reconnect for 0.3 s
    discord_api.dispatch_message(f"<@{discord_api.bot_user_id}> sent while you were away")
    assert await discord_api.wait_until_resumed_async() == session_id
    await asyncio.wait_for(bot.resumed_event.wait(), 5)

    resumed = discord_api.connections[-1]
    assert (
        resumed.kind == "resume" and resumed.path == "/resume-gateway"
    )  # READY's resume_gateway_url
    assert resumed.replayed >= 1
    assert (discord_api.identify_count, discord_api.resume_count) == (1, 1)
    await eventually(
        lambda: (
            [m.content for m in bot.seen_messages if not m.author.bot]
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
    discord_api: DiscordDouble, bot: ProbeBot
) -> None:
    await asyncio.to_thread(discord_api.request_reconnect)
    await discord_api.wait_until_resumed_async()
    first, second = discord_api.connections
    assert first.close_code == 4000 and not first.dropped  # discord.py closes with 4000 on op 7
    assert second.kind == "resume" and second.session_id == first.session_id
    assert discord_api.identify_count == 1


@pytest.mark.asyncio
async def test_invalid_session_makes_the_client_identify_again(
    discord_api: DiscordDouble, bot: ProbeBot
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
