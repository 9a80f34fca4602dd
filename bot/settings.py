"""Settings of the faces of newsbot: the core's settings plus the Discord bot's own.

Read once in ``newsbot``'s entry point, like the core's; the core receives them as a plain
:class:`~index.settings.Settings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, SecretStr, field_validator

from index.settings import Settings

if TYPE_CHECKING:
    from index.ingest.feeds import FeedRegistry
    from index.ingest.fetch import FetchPolicy
    from index.ingest.follow import Follower


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

    discord_news_channel: int | None = Field(
        None,
        description=(
            'Id of a channel where the bot posts a short note ("3 new articles indexed") '
            "after the feeds brought new or edited articles. Unset: no notes."
        ),
    )
    feeds_every: str = Field(
        "30m",
        description=(
            "How often a feed added without an interval is checked, e.g. 15m, 2h, 1d "
            "(at least 5s). An unchanged feed costs one conditional request."
        ),
    )
    fetch_allow_private: bool = Field(
        False,
        description=(
            "Admins only: let feeds and links point at loopback, link-local and private "
            "network addresses (an intranet site, a test server). Off, such URLs are refused."
        ),
    )
    fetch_timeout: float = Field(
        20.0,
        gt=0,
        le=300,
        description=(
            "Seconds one request (connecting, waiting and reading) may take; a feed or page "
            "that takes longer is reported as not answering."
        ),
    )
    fetch_max_mib: float = Field(
        4.0,
        gt=0,
        le=64,
        description="Largest feed, page or robots.txt read, in MiB; larger ones are reported.",
    )
    fetch_per_host: int = Field(
        2, ge=1, le=8, description="Requests newsbot sends to one site at the same time."
    )
    fetch_retries: int = Field(
        2,
        ge=0,
        le=5,
        description=(
            "Retries of a request answered 429 or 5xx, after 1 s, 2 s, … or as the "
            "server's Retry-After asks (up to 60 s)."
        ),
    )

    @field_validator("feeds_every")
    @classmethod
    def _valid_interval(cls, value: str) -> str:
        from index.errors import FeedError
        from index.ingest.feeds import parse_every

        try:
            parse_every(value)
        except FeedError as e:  # pydantic reports ValueErrors with the variable's name
            raise ValueError(str(e)) from e
        return value

    @property
    def feedback_path(self) -> Path:
        return self.discord_feedback_path or self.data_dir / "feedback.sqlite3"

    def fetch_policy(self) -> FetchPolicy:
        """How the core fetches feeds and pages, from these settings."""
        from importlib.metadata import PackageNotFoundError, version

        from index.ingest.fetch import ROBOTS_AGENT, FetchPolicy

        try:
            release = version("newsbot")
        except PackageNotFoundError:
            release = "dev"
        return FetchPolicy(
            user_agent=f"{ROBOTS_AGENT}/{release} (news feed reader; honours robots.txt)",
            timeout=self.fetch_timeout,
            max_bytes=int(self.fetch_max_mib * 2**20),
            per_host=self.fetch_per_host,
            retries=self.fetch_retries,
            allow_private=self.fetch_allow_private,
        )

    def feed_registry(self) -> FeedRegistry:
        """The feeds followed, kept in the data directory."""
        from index.ingest.feeds import FeedRegistry

        return FeedRegistry.in_data_dir(self.data_dir)

    def follower(self) -> Follower:
        """The core's feed and link fetcher, writing into the corpus folder."""
        from index.ingest.follow import Follower

        return Follower(
            self.feed_registry(),
            self.fetch_policy(),
            self.corpus_dir,
            max_file_bytes=int(self.max_file_mib * 2**20),
        )
