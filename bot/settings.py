"""Settings of the faces of newsbot: the core's settings plus the Discord bot's own.

Read once in ``newsbot``'s entry point, like the core's; the core receives them as a plain
:class:`~index.settings.Settings`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from index.settings import Settings


class BotSettings(Settings):
    """Everything the Discord bot can be told, on top of the core's settings."""

    discord_token: SecretStr | None = Field(
        None,
        description=(
            "The bot's token (Developer Portal → your application → Bot → Reset Token). "
            "Required by `newsbot serve`; never logged or shown."
        ),
    )
    discord_guild_id: int | None = Field(
        None,
        description=(
            "A server (guild) id for development: slash commands are registered there only "
            "and appear at once. Unset: they are registered globally, for every server."
        ),
    )
    discord_admin_role: str | None = Field(
        None,
        description=(
            "Name or id of a role whose members may run /reindex, besides members with the "
            "Manage Server permission."
        ),
    )
    discord_message_content: bool = Field(
        False,
        description=(
            "Ask for the privileged Message Content intent (enable it in the Developer Portal "
            "first). With it, follow-ups in the bot's threads need no mention; without it, "
            "people mention the bot (or reply to it) in threads too."
        ),
    )
    discord_cooldown_questions: int = Field(
        3, ge=1, description="Questions one person may ask per cooldown window."
    )
    discord_cooldown_seconds: float = Field(
        30.0,
        ge=0,
        description="Length of the per-person cooldown window in seconds; 0 turns it off.",
    )
    discord_conversations: int = Field(
        1000,
        ge=1,
        description=(
            "Conversations (one per person per thread or DM) remembered for follow-ups; the "
            "least recently used is forgotten first. Each keeps NEWSBOT_CONVERSATION_TURNS turns."
        ),
    )
    discord_answer_threads: int = Field(
        2,
        ge=1,
        le=32,
        description=(
            "Questions answered at the same time, each in a worker thread; more wait their "
            "turn. Answering is CPU-bound: more threads than CPU cores gain nothing and "
            "delay the bot's event loop."
        ),
    )
    discord_feedback_path: Path | None = Field(
        None,
        description=(
            "SQLite file keeping the answers shown (for their buttons) and the 👍/👎 votes. "
            "Unset: feedback.sqlite3 in the data directory."
        ),
    )
    discord_api_url: str | None = Field(
        None,
        description=(
            "For testing only: base URL of Discord's REST API "
            "(default https://discord.com/api/v10), e.g. a local Discord double."
        ),
    )
    discord_gateway_url: str | None = Field(
        None,
        description=(
            "For testing only: the gateway WebSocket URL (default wss://gateway.discord.gg/), "
            "e.g. a local Discord double."
        ),
    )

    @property
    def feedback_path(self) -> Path:
        return self.discord_feedback_path or self.data_dir / "feedback.sqlite3"
