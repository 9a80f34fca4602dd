"""Settings of the faces of newsbot: the core's settings plus the Discord bot's own.

Read once in ``newsbot``'s entry point, like the core's; the core receives them as a plain
:class:`~index.settings.Settings`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

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
            "Unset: feedback.sqlite3 in the data directory, or with NEWSBOT_DISCORD_SHARDS "
            "a file named for the shards (feedback-shards-0-1.sqlite3), one per process."
        ),
    )
    # NoDecode: pydantic-settings would read a list from the environment as JSON; "0,1" is
    # what people write (parsed by _shard_list).
    discord_shards: Annotated[list[int] | None, NoDecode] = Field(
        None,
        description=(
            "Shard ids this process runs, e.g. 0,1 (with NEWSBOT_DISCORD_SHARD_COUNT): Discord "
            "sends it only the events of the servers on those shards, so several processes "
            "share one bot. Unset: every shard."
        ),
    )
    discord_shard_count: int | None = Field(
        None,
        ge=1,
        description=(
            "Total number of shards across all processes of the bot, the same in each. Unset "
            "(and no NEWSBOT_DISCORD_SHARDS): one process, unsharded."
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

    @field_validator("discord_shards", mode="before")
    @classmethod
    def _shard_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return parse_shard_ids(value)
            except ValueError as e:
                raise ValueError(f"NEWSBOT_DISCORD_SHARDS: {e}") from e
        return value

    @model_validator(mode="after")
    def _shards_fit_the_count(self) -> BotSettings:
        problem = sharding_problem(
            self.discord_shards,
            self.discord_shard_count,
            shards_name="NEWSBOT_DISCORD_SHARDS",
            count_name="NEWSBOT_DISCORD_SHARD_COUNT",
        )
        if problem:
            raise ValueError(problem)
        return self

    @property
    def sharded(self) -> bool:
        """Whether the bot runs as shards (some or all of NEWSBOT_DISCORD_SHARD_COUNT)."""
        return self.discord_shard_count is not None

    def describe_shards(self) -> str | None:
        """The shards this process runs, as /status shows them ("0, 1 of 4"); None unsharded."""
        count = self.discord_shard_count
        if count is None:
            return None
        if self.discord_shards is None:
            return f"0–{count - 1} of {count}" if count > 1 else "0 of 1"
        return f"{', '.join(map(str, sorted(self.discord_shards)))} of {count}"

    @property
    def feedback_path(self) -> Path:
        if self.discord_feedback_path:
            return self.discord_feedback_path
        if self.discord_shards:
            # Two processes of one machine sharing a data directory keep a file each
            # (`newsbot feedback export` merges them); SQLite would serialise their writes.
            shards = "-".join(map(str, sorted(self.discord_shards)))
            return self.data_dir / f"feedback-shards-{shards}.sqlite3"
        return self.data_dir / "feedback.sqlite3"

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


def parse_shard_ids(text: str) -> list[int] | None:
    """Shard ids written as people do ("0,1", "0, 1" or "[0, 1]"); None for an empty text.

    Raises:
        ValueError: Something other than whole numbers separated by commas.
    """
    inner = text.strip().removeprefix("[").removesuffix("]").strip()
    if not inner:
        return None
    try:
        return [int(part) for part in inner.split(",")]
    except ValueError:
        raise ValueError(
            f"expected shard ids separated by commas, such as 0,1; got {text!r}"
        ) from None


def sharding_problem(
    shards: Sequence[int] | None, count: int | None, *, shards_name: str, count_name: str
) -> str | None:
    """What is wrong with running ``shards`` of ``count`` (None if nothing), in words naming
    the setting or option each came from."""
    if shards is None:
        return None
    if count is None:
        return (
            f"{shards_name} needs {count_name}: the total number of shards across all "
            "processes of the bot (the same in each)."
        )
    if not shards:
        return f"{shards_name} lists no shard."
    outside = [s for s in shards if not 0 <= s < count]
    if outside:
        return (
            f"{shards_name}: shard {outside[0]} does not exist with {count_name} {count} "
            f"(shard ids run from 0 to {count - 1})."
        )
    twice = sorted({s for s in shards if shards.count(s) > 1})
    if twice:
        return f"{shards_name} lists shard {twice[0]} more than once."
    return None
