"""A loopback test double of the Discord API: REST v10 plus the gateway WebSocket.

The double is a small, faithful Discord for one bot application. It runs an aiohttp
server on ``127.0.0.1`` in a background thread with its own event loop, so a test can
drive it synchronously while the bot under test runs in the test's event loop or in
another process. An unmodified discord.py client is pointed at it with::

    discord.http.Route.BASE = double.api_base                 # http://127.0.0.1:PORT/api/v10
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(double.gateway_url)

(:meth:`DiscordDouble.point_discord_py` does both and returns an undo function.) A sharded
client without an explicit ``shard_count`` needs only ``Route.BASE``: it takes the shard
count and the gateway URL from ``GET /gateway/bot``, which names the double's gateway.

What it models
--------------
* **Gateway** (``/gateway``; READY's ``resume_gateway_url`` points at ``/resume-gateway``):
  HELLO, HEARTBEAT/HEARTBEAT_ACK, IDENTIFY → READY + one GUILD_CREATE per guild, RESUME →
  replay of missed dispatches + RESUMED, REQUEST_GUILD_MEMBERS → GUILD_MEMBERS_CHUNK,
  PRESENCE_UPDATE (recorded), RECONNECT and INVALID_SESSION on request. Transport
  compression is whatever the client asks for in the query string: ``zlib-stream`` (what
  discord.py 2.7.1 asks for unless ``zstandard``/``compression.zstd`` is importable),
  ``zstd-stream`` (if a zstd module is importable here) or none. Intents are honoured:
  events are only sent for requested intents, privileged intents not enabled "in the
  portal" close the socket with 4014, and without MESSAGE_CONTENT the content of other
  users' messages is blanked unless they mention the bot or are DMs, as Discord does.
* **Sharding**: IDENTIFY's ``shard: [shard_id, shard_count]`` is validated (4010 for an
  invalid shard or a count differing from the bot's other connected sessions, 4011 for
  fewer than ``required_shards``); READY echoes it; a session only receives the guilds,
  and the guild events (messages, interactions, threads, …), with
  ``(guild_id >> 22) % shard_count == shard_id``; DMs go to shard 0. Several sessions
  (processes, shards per process) may be connected at once. Without ``shard`` a session
  is shard 0 of 1 and receives everything.
* **REST** (``/api/v10``): the routes listed in :attr:`DiscordDouble.routes`. Bodies may be
  JSON or multipart/form-data with ``payload_json`` and ``files[n]``. Every response has
  ``Content-Type: application/json`` exactly (discord.py only parses JSON then). Unknown
  routes answer ``404 {"message": "404: Not Found", "code": 0}`` and are recorded.
* **Limits**, answered as Discord does (400, code 50035 ``Invalid Form Body`` with an
  ``errors`` tree naming the field): content > 2000, > 10 embeds, embed title > 256,
  description > 4096, > 25 fields, field name > 256 / value > 1024, footer > 2048,
  author name > 256, total embed text > 6000, > 5 action rows, > 5 components per row,
  button label > 80, custom_id > 100, thread name outside 1..100, command name/description
  rules. Empty messages get 50006. An interaction callback later than
  ``interaction_deadline`` seconds (default 3) after dispatch gets 404 10062 ``Unknown
  interaction``; a second callback gets 400 40060.
* **State**: users, guilds (roles, members), channels, threads, DM channels, messages per
  channel (edits and deletions applied), reactions, application commands, interactions
  (callback type and delay), a log of every REST call and of every dispatch per session.

Not modelled: permissions (the bot may do anything), rate limits, identify concurrency
(``max_concurrency`` is 1 but not enforced), voice, archived threads. Files attached to
slash commands are given as ``(file name, bytes)`` option values and served from the
double's CDN route.
"""

from __future__ import annotations

from .double import DiscordDouble
from .errors import DiscordAPIError
from .protocol import CloseCode, Intents, Op
from .records import Dispatch, GatewayConnection, InteractionRecord, RestCall, UploadedFile
from .snowflakes import shard_of

__all__ = [
    "CloseCode",
    "DiscordAPIError",
    "DiscordDouble",
    "Dispatch",
    "GatewayConnection",
    "Intents",
    "InteractionRecord",
    "Op",
    "RestCall",
    "UploadedFile",
    "shard_of",
]
