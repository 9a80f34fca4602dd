"""Discord-shaped JSON for new objects: users, roles, guilds, channels, members, threads.

Pure functions with every field discord.py reads, so the stateful modules only fill in ids.
"""

from __future__ import annotations

from .protocol import API_VERSION, TRACE, ChannelType, Json, now_iso


def user_payload(
    user_id: int, username: str, *, bot: bool = False, global_name: str | None = None
) -> Json:
    """A user object; humans get a display name derived from the username."""
    user: Json = {
        "id": str(user_id),
        "username": username,
        "global_name": global_name
        if global_name is not None
        else (None if bot else username.title()),
        "discriminator": "0",
        "avatar": None,
        "avatar_decoration_data": None,
        "banner": None,
        "accent_color": None,
        "public_flags": 0,
        "flags": 0,
        "collectibles": None,
        "primary_guild": None,
    }
    if bot:
        user["bot"] = True
    return user


def role_payload(role_id: int, name: str, permissions: int, *, position: int) -> Json:
    """A role object."""
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def guild_payload(guild_id: int, name: str, *, owner_id: int, roles: list[Json]) -> Json:
    """A guild object as GET /guilds/{id} returns it."""
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": roles,
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "max_members": 500000,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "safety_alerts_channel_id": None,
    }


def member_payload(roles: list[int], nick: str | None) -> Json:
    """A guild member object (without its ``user``)."""
    return {
        "roles": [str(r) for r in roles],
        "nick": nick,
        "avatar": None,
        "banner": None,
        "joined_at": now_iso(),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
        "unusual_dm_activity_until": None,
    }


def guild_channel_payload(
    channel_id: int,
    guild_id: int,
    name: str,
    *,
    type: int,
    position: int,
    parent_id: int | None,
    topic: str | None,
) -> Json:
    """A guild channel object (text, announcement, voice, category)."""
    channel: Json = {
        "id": str(channel_id),
        "type": type,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "parent_id": None if parent_id is None else str(parent_id),
        "nsfw": False,
        "flags": 0,
    }
    if type in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT):
        channel.update(
            topic=topic,
            last_message_id=None,
            rate_limit_per_user=0,
            default_auto_archive_duration=1440,
            last_pin_timestamp=None,
        )
    elif type == ChannelType.GUILD_VOICE:
        channel.update(
            bitrate=64000,
            user_limit=0,
            rtc_region=None,
            last_message_id=None,
            rate_limit_per_user=0,
        )
    return channel


def dm_channel_payload(channel_id: int, recipient: Json) -> Json:
    """A DM channel object between the bot and ``recipient``."""
    return {
        "id": str(channel_id),
        "type": ChannelType.DM,
        "last_message_id": None,
        "flags": 0,
        "recipients": [recipient],
    }


def thread_payload(
    thread_id: int, kind: int, parent: Json, body: Json, *, owner_id: int, archive: int
) -> Json:
    """A new thread under ``parent``, created by ``owner_id`` from a create-thread ``body``."""
    now = now_iso()
    metadata: Json = {
        "archived": False,
        "auto_archive_duration": archive,
        "archive_timestamp": now,
        "locked": False,
        "create_timestamp": now,
    }
    if kind == ChannelType.PRIVATE_THREAD:
        metadata["invitable"] = bool(body.get("invitable", True))
    return {
        "id": str(thread_id),
        "type": kind,
        "guild_id": parent["guild_id"],
        "parent_id": parent["id"],
        "owner_id": str(owner_id),
        "name": body["name"],
        "last_message_id": None,
        "rate_limit_per_user": body.get("rate_limit_per_user") or 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "thread_metadata": metadata,
        "flags": 0,
    }


def ready_payload(
    *,
    bot_user: Json,
    guild_ids: list[int],
    session_id: str,
    resume_gateway_url: str,
    application: Json,
    shard: list[int] | None,
) -> Json:
    """The READY dispatch; guilds start unavailable and arrive as GUILD_CREATEs."""
    ready: Json = {
        "v": API_VERSION,
        "user": {**bot_user, "verified": True, "mfa_enabled": False, "email": None, "bot": True},
        "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_gateway_url,
        "application": application,
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "user_settings": {},
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["us-east"],
        "auth": {},
        "_trace": TRACE,
    }
    if shard is not None:
        ready["shard"] = shard
    return ready
