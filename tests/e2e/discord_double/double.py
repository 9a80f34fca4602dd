"""The assembled double: one class a test instantiates, made of the package's mixins.

Each mixin owns one concern (world, messages, REST routes, gateway, controls, inspection);
this module only chooses the defaults and builds the default world and the route table.
"""

from __future__ import annotations

from .controls import _GatewayControls
from .driving import _Driving
from .gateway_log import _GatewayLog
from .inspection import _Inspection
from .protocol import Intents
from .routes_app import _AppRoutes
from .routes_channels import _ChannelRoutes
from .routes_interactions import _InteractionRoutes
from .server import _Server


class DiscordDouble(
    _Inspection,
    _GatewayLog,
    _GatewayControls,
    _Driving,
    _AppRoutes,
    _InteractionRoutes,
    _ChannelRoutes,
    _Server,
):
    """A loopback Discord (REST + gateway) for one bot application.

    Typical use from a synchronous test::

        with DiscordDouble(heartbeat_interval=0.5) as discord_api:
            ...start the bot with Route.BASE = discord_api.api_base and
               DEFAULT_GATEWAY = discord_api.gateway_url...
            discord_api.wait_until_identified(timeout=10)
            interaction = discord_api.dispatch_command("ask", {"question": "Why?"})
            record = discord_api.wait_for_interaction_response(interaction.id)
            assert record.ack_delay < 3

    Sharded bots: ``add_guild(name, shard=(shard_id, shard_count))`` creates a guild whose
    events go to that shard; :meth:`wait_until_shards_ready` waits for the shards'
    sessions and :meth:`dispatches` tells which shard received which event.

    Every ``wait_*`` method has an ``*_async`` twin for tests running in an event loop
    (the bot's loop must keep running while the test waits). ``dispatch_*`` methods never
    block and are safe from any thread.
    """

    def __init__(
        self,
        *,
        token: str = "test-token",
        heartbeat_interval: float = 41.25,
        interaction_deadline: float = 3.0,
        interaction_token_ttl: float = 15 * 60.0,
        privileged_intents: int = Intents.PRIVILEGED,
        bot_name: str = "NewsBot",
        default_world: bool = True,
        recommended_shards: int = 1,
        required_shards: int = 1,
    ) -> None:
        """Configure the double; nothing listens until :meth:`start`.

        Args:
            token: The bot token the client must present (REST ``Bot …`` header, IDENTIFY).
            heartbeat_interval: Seconds announced in HELLO.
            interaction_deadline: Seconds within which an interaction must be acknowledged.
            interaction_token_ttl: Seconds an interaction token stays valid for follow-ups.
            privileged_intents: Privileged intents "enabled in the developer portal";
                IDENTIFY asking for others is closed with 4014, and REST message reads
                blank content without MESSAGE_CONTENT here.
            bot_name: Username of the bot user.
            default_world: Create one guild with a ``#general`` channel and a member
                ``alice`` (see :attr:`guild_id`, :attr:`channel_id`, :attr:`user_id`).
            recommended_shards: The ``shards`` ``GET /gateway/bot`` recommends.
            required_shards: The fewest shards Discord accepts for this bot ("too many
                guilds"); IDENTIFY with fewer (or without ``shard``) is closed with 4011.
        """
        super().__init__(
            token=token,
            heartbeat_interval=heartbeat_interval,
            interaction_deadline=interaction_deadline,
            interaction_token_ttl=interaction_token_ttl,
            privileged_intents=privileged_intents,
            recommended_shards=recommended_shards,
            required_shards=required_shards,
            bot_name=bot_name,
        )
        self.owner_id = self.add_user("owner")
        self.guild_id = 0
        self.channel_id = 0
        self.user_id = 0
        if default_world:
            self._add_default_world()
        self._compile_routes(
            [*self._app_routes(), *self._interaction_routes(), *self._channel_routes()]
        )

    def _add_default_world(self) -> None:
        """Guild "Newsroom" with ``#general`` and the member ``alice``."""
        self.guild_id = self.add_guild("Newsroom", owner_id=self.owner_id)
        self.channel_id = self.add_channel(self.guild_id, "general")
        self.user_id = self.add_user("alice")
        self.add_member(self.guild_id, self.user_id)
