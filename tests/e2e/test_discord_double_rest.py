"""The Discord double's REST side, proven with an unmodified discord.py client and raw calls.

Interaction callbacks and their deadline, follow-ups and webhook messages, messages,
threads, reactions and uploads, and Discord's limits answered with its own error bodies.
"""

from __future__ import annotations

import io
import time
from typing import Any

import discord
import pytest

from tests.e2e.discord_double import DiscordDouble
from tests.e2e.discord_double.probe import ProbeBot, eventually, register_ask_globally, rest

pytestmark = pytest.mark.e2e

CALLBACK_ROUTE = "POST /interactions/{interaction_id}/{interaction_token}/callback"
FOLLOWUP_ROUTE = "POST /webhooks/{application_id}/{interaction_token}"


# --------------------------------------------------------------------------- interactions


@pytest.mark.asyncio
async def test_command_is_deferred_within_the_deadline_then_answered(
    discord_api: DiscordDouble, probe_bot: ProbeBot
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
    discord_api: DiscordDouble, probe_bot: ProbeBot
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
    discord_api: DiscordDouble, probe_bot: ProbeBot
) -> None:
    discord_api.interaction_deadline = 0.2
    probe_bot.slow_seconds = 0.35
    interaction = discord_api.dispatch_command("slow")
    await eventually(lambda: probe_bot.late_defer_errors)

    (error,) = probe_bot.late_defer_errors
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


# --------------------------------------------------------------------------- messages and threads


@pytest.mark.asyncio
async def test_mention_creates_a_thread_and_the_answer_is_posted_in_it(
    discord_api: DiscordDouble, probe_bot: ProbeBot
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
        lambda: isinstance(probe_bot.get_channel(int(thread["id"])), discord.Thread)
    )  # THREAD_CREATE


@pytest.mark.asyncio
async def test_common_rest_routes_work_through_discord_py(
    discord_api: DiscordDouble, probe_bot: ProbeBot
) -> None:
    channel = probe_bot.get_channel(discord_api.channel_id)
    guild = probe_bot.get_guild(discord_api.guild_id)
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
    fetched = await probe_bot.fetch_channel(discord_api.channel_id)
    assert isinstance(fetched, discord.TextChannel) and fetched.name == "general"

    await sent.add_reaction("\N{THUMBS UP SIGN}")
    await sent.remove_reaction("\N{THUMBS UP SIGN}", guild.me)
    assert discord_api.message(sent.id)["reactions"] == []

    thread = await channel.create_thread(
        name="Live updates", type=discord.ChannelType.public_thread
    )
    await thread.join()
    discord_api.dispatch_message("an update", channel_id=thread.id)
    await eventually(lambda: any(m.channel.id == thread.id for m in probe_bot.seen_messages))
    seen = next(m for m in probe_bot.seen_messages if m.channel.id == thread.id)
    assert isinstance(seen.channel, discord.Thread) and seen.content == ""  # no content intent
    await thread.leave()

    await sent.delete()
    assert discord_api.messages() == []


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


# --------------------------------------------------------------------------- limits


@pytest.mark.asyncio
async def test_a_2001_character_message_is_rejected_with_50035(
    discord_api: DiscordDouble, probe_bot: ProbeBot
) -> None:
    channel = probe_bot.get_channel(discord_api.channel_id)
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
