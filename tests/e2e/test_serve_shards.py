"""Two `newsbot serve` processes running the shards of one Discord bot over one Chroma server.

Scale-out as the README describes it, on one machine: a real `chroma run`, an index built
into it by `newsbot index`, the Discord double (which routes each guild's events to the
shard owning it, as Discord does) and two bot processes with data directories of their own,
as two machines would have: `--shards 0,1 --shard-count 4` ("front") and `--shards 2,3
--shard-count 4` ("back"), one guild on each shard. What one process does to the shared
index, the other sees; one re-index runs at a time across both, by the server's lease.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.bot_corpus import BULLETIN_FACT, BULLETIN_QUESTION, write_bulletins, write_corpus
from tests.e2e.bot_world import (
    NEWSBOT,
    SOCHI,
    WAIT,
    Json,
    button,
    connection_env,
    run_cli,
    text_of,
    wait_for_answer,
    wait_for_passages,
)
from tests.e2e.discord_double import DiscordDouble, shard_of
from tests.e2e.discord_double.records import InteractionRecord

pytestmark = pytest.mark.e2e

CHROMA = str(Path(sys.executable).with_name("chroma"))
SHARD_COUNT = 4
PROCESSES = {"front": (0, 1), "back": (2, 3)}
BULLETINS = 6
# From the re-index's summary to the other process's answer citing what it added: that
# process re-reads the live-generation pointer every second, then opens the new generation
# (its BM25 index rebuilt from the server's texts) on a shared, busy 2-core machine.
FOLLOW_SECONDS = 30.0


@dataclass
class Cluster:
    """The Chroma server, the Discord double and the two bot processes."""

    root: Path
    double: DiscordDouble
    corpus: Path
    channels: dict[int, int]  # shard id -> #general of the guild on that shard
    editors: dict[int, int]  # shard id -> the "Editors" role of that guild
    processes: dict[str, subprocess.Popen[bytes]]
    token: str
    lease: Any  # a Store on the server, to watch its re-index lease
    people: list[int] = field(default_factory=list)

    def person(self, shard_id: int, name: str, *, editor: bool = False) -> int:
        """A new member of the guild on ``shard_id`` (an editor may re-index)."""
        user_id = self.double.add_user(f"{name}{len(self.people)}")
        guild_id = self.guild(shard_id)
        roles = [self.editors[shard_id]] if editor else []
        self.double.add_member(guild_id, user_id, roles=roles)
        self.people.append(user_id)
        return user_id

    def guild(self, shard_id: int) -> int:
        return int(self.double.channel(self.channels[shard_id])["guild_id"])

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")

    def feedback(self, name: str) -> Path:
        """The feedback file a process keeps by default: named for its shards."""
        shards = "-".join(map(str, PROCESSES[name]))
        return self.root / name / "data" / f"feedback-shards-{shards}.sqlite3"

    def lease_holder(self) -> str | None:
        from index.storage import lease

        holder = lease.current_holder(self.lease.client, self.lease.lease_name)
        return None if holder is None else str(holder["holder"])

    def command(self, shard_id: int, name: str, user_id: int, **options: Any) -> InteractionRecord:
        """``user_id`` runs /``name`` in #general of the guild on ``shard_id``."""
        return self.double.dispatch_command(
            name, options, channel_id=self.channels[shard_id], user_id=user_id
        )


def _process_of(shard_id: int) -> str:
    return next(name for name, shards in PROCESSES.items() if shard_id in shards)


# -- the world ------------------------------------------------------------------------------------


@contextmanager
def _chroma_server(path: Path) -> Iterator[int]:
    """`chroma run` on a free loopback port, until the block ends; yields the port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    server = subprocess.Popen(
        [CHROMA, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"`chroma run` exited with status {server.returncode}")
            try:
                url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("the Chroma server did not answer its heartbeat within 60 s")
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _wait_until_serving(cluster: Cluster) -> None:
    """Until every shard has a ready session, both processes said they are connected and
    the slash commands are registered (failing fast if a process died)."""
    double = cluster.double
    deadline = time.monotonic() + 240  # two bots starting at once on two shared cores
    while time.monotonic() < deadline:
        for name, process in cluster.processes.items():
            if process.poll() is not None:
                pytest.fail(f"{name} exited with {process.returncode}:\n{cluster.log(name)}")
        try:
            double.wait_until_shards_ready(SHARD_COUNT, timeout=1)
        except TimeoutError:
            continue
        connected = all("connected as" in cluster.log(name) for name in PROCESSES)
        if connected and len(double.commands()) >= 3:
            return
        time.sleep(0.2)
    logs = "\n".join(f"--- {name}\n{cluster.log(name)}" for name in PROCESSES)
    pytest.fail(f"the bot processes did not connect:\n{logs}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    from index.settings import Settings
    from index.storage.store import Store

    root = tmp_path_factory.mktemp("serve-shards")
    token = "MTE5" + secrets.token_urlsafe(48)
    with (
        _chroma_server(root / "server") as port,
        DiscordDouble(token=token, heartbeat_interval=1.0) as double,
    ):
        channels, editors = {}, {}
        for shard_id in range(SHARD_COUNT):
            guild_id = double.add_guild(f"Shard {shard_id}", shard=(shard_id, SHARD_COUNT))
            channels[shard_id] = double.add_channel(guild_id, "general")
            editors[shard_id] = double.add_role(guild_id, "Editors")
        corpus = write_corpus(root / "corpus", role_id=editors[0], user_id=double.user_id)
        clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
        shared = {
            "NEWSBOT_CORPUS_DIR": str(corpus),
            "NEWSBOT_CHROMA_HOST": "127.0.0.1",
            "NEWSBOT_CHROMA_PORT": str(port),
        }
        run_cli({**clean, **shared, "NEWSBOT_DATA_DIR": str(root / "front" / "data")}, "index")

        # Several guilds: commands are registered globally (no NEWSBOT_DISCORD_GUILD_ID),
        # by both processes, the same commands each time.
        discord = {k: v for k, v in connection_env(double).items() if "GUILD_ID" not in k}
        processes: dict[str, subprocess.Popen[bytes]] = {}
        try:
            for name, shards in PROCESSES.items():
                env = {
                    **clean,
                    **shared,
                    **discord,
                    "NEWSBOT_DATA_DIR": str(root / name / "data"),
                    "NEWSBOT_DISCORD_ADMIN_ROLE": "Editors",
                }
                sharding = ["--shards", ",".join(map(str, shards))]
                with open(root / f"{name}.log", "wb") as log:
                    processes[name] = subprocess.Popen(
                        [NEWSBOT, "--verbose", "serve", *sharding, "--shard-count", "4"],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
            watcher = Store(
                Settings(data_dir=root / "watcher", chroma_host="127.0.0.1", chroma_port=port)
            )
            cluster = Cluster(
                root, double, corpus, channels, editors, processes, token, lease=watcher
            )
            _wait_until_serving(cluster)
            yield cluster
        finally:
            for process in processes.values():
                _stop(process)
        for name in PROCESSES:
            log = cluster.log(name)
            assert token not in log
            assert "Traceback" not in log and " ERROR " not in log, log
        assert not double.internal_errors, double.internal_errors
        double.assert_no_unknown_routes()


# -- reading --------------------------------------------------------------------------------------


def _shards_of(double: DiscordDouble, interaction_id: int) -> list[int]:
    """The shards whose sessions received the interaction (Discord sends it to one)."""
    return [
        d.shard_id
        for d in double.dispatches("INTERACTION_CREATE")
        if d.data["id"] == str(interaction_id)
    ]


def _remembered(feedback: Path) -> set[str]:
    """Ids of the answers a process keeps (for their buttons) in its feedback file."""
    with closing(sqlite3.connect(feedback)) as db:
        return {row[0] for row in db.execute("SELECT id FROM answers")}


def _poll(read: Callable[[], str | None], timeout: float) -> str:
    """What ``read`` returns once it returns something (the server tells no one: ask often)."""
    deadline = time.monotonic() + timeout
    while (value := read()) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing within {timeout} s")
        time.sleep(0.02)
    return value


def _field(embed: Json, name: str) -> str:
    return str(next(f["value"] for f in embed["fields"] if f["name"] == name))


def _response(double: DiscordDouble, record: InteractionRecord, prefix: str) -> Json:
    """The interaction's original response once its content starts with ``prefix``."""
    original = str(record.original_message_id)
    return double.wait_for_message(
        lambda m: m["id"] == original and m["content"].startswith(prefix), timeout=240
    )


# -- the tests ------------------------------------------------------------------------------------


def test_each_process_connects_only_the_shards_it_was_given(cluster: Cluster) -> None:
    identified = [c for c in cluster.double.connections if c.kind == "identify"]
    assert sorted(tuple(c.identify["shard"]) for c in identified if c.identify) == [
        (shard_id, SHARD_COUNT) for shard_id in range(SHARD_COUNT)
    ]
    guilds = [cluster.double.guild_id, *map(cluster.guild, range(SHARD_COUNT))]
    for name, shards in PROCESSES.items():
        servers = sum(shard_of(g, SHARD_COUNT) in shards for g in guilds)
        described = ", ".join(map(str, shards))
        assert f"to {servers} servers (shards {described} of 4)" in cluster.log(name)
        assert cluster.feedback(name).is_file()


@pytest.mark.parametrize("shard_id", range(SHARD_COUNT))
def test_a_question_is_answered_by_the_process_running_its_guilds_shard(
    cluster: Cluster, shard_id: int
) -> None:
    double = cluster.double
    owner = _process_of(shard_id)
    reader = cluster.person(shard_id, "reader")

    question = cluster.command(shard_id, "ask", reader, question=SOCHI)
    answer = wait_for_answer(double, question.id)
    assert "agreed not to use force" in text_of(answer)
    assert _shards_of(double, question.id) == [shard_id]
    answer_id = button(answer[-1], "newsbot:passages:").removeprefix("newsbot:passages:")
    for name in PROCESSES:
        assert (answer_id in _remembered(cluster.feedback(name))) == (name == owner), name

    status = cluster.command(shard_id, "status", reader)
    [page] = wait_for_passages(double, status.id)
    assert _shards_of(double, status.id) == [shard_id]
    expected = ", ".join(map(str, PROCESSES[owner]))
    assert _field(page["embeds"][0], "Shards") == f"{expected} of 4"


def test_a_direct_message_is_answered_by_the_process_running_shard_0(cluster: Cluster) -> None:
    double = cluster.double
    reader = cluster.person(2, "reader")  # a member of a server of the back process

    asked = double.dispatch_message(SOCHI, dm=True, author_id=reader)
    answer = double.wait_for_message(
        lambda m: bool(m["components"]), channel_id=double.dm_channel_id(reader), timeout=WAIT
    )
    assert "agreed not to use force" in text_of([answer])
    received = [
        d.shard_id for d in double.dispatches("MESSAGE_CREATE") if d.data["id"] == asked["id"]
    ]
    assert received == [0]
    answer_id = button(answer, "newsbot:passages:").removeprefix("newsbot:passages:")
    assert answer_id in _remembered(cluster.feedback("front"))


def test_a_reindex_through_one_process_serves_the_other_and_a_second_meanwhile_is_refused(
    cluster: Cluster,
) -> None:
    double = cluster.double
    asked = cluster.command(3, "ask", cluster.person(3, "reader"), question=BULLETIN_QUESTION)
    assert BULLETIN_FACT not in text_of(wait_for_answer(double, asked.id))  # not indexed yet
    write_bulletins(cluster.corpus, BULLETINS)

    first = cluster.command(0, "reindex", cluster.person(0, "editor", editor=True))
    started = double.wait_for_interaction_response(first.id, timeout=WAIT)
    assert _shards_of(double, first.id) == [0]

    # The front process's re-index worker takes the server's lease; it is held still there
    # (SIGSTOP), so the second re-index below certainly starts while the first runs.
    holder = _poll(cluster.lease_holder, timeout=WAIT)
    host, _, pid_text = holder.rpartition(":")
    worker = int(pid_text)
    with open(f"/proc/{worker}/stat") as stat:
        parent = int(stat.read().rsplit(")", 1)[1].split()[1])
    assert (host, parent) == (socket.gethostname(), cluster.processes["front"].pid)
    os.kill(worker, signal.SIGSTOP)
    try:
        assert cluster.lease_holder() == holder, "the first re-index ended before it was held"
        second = cluster.command(2, "reindex", cluster.person(2, "editor", editor=True))
        record = double.wait_for_interaction_response(second.id, timeout=WAIT)
        assert _shards_of(double, second.id) == [2]
        refused = _response(double, record, "Re-index failed")
        assert refused["content"] == (
            f"Re-index failed: A re-index is already running (on {holder}); try again when it "
            "has finished. The previous index is still answering questions."
        )
    finally:
        os.kill(worker, signal.SIGCONT)

    finished = _response(double, started, "Re-index finished")
    published = time.monotonic()
    assert f": {BULLETINS} added, 0 updated," in finished["content"]

    question = cluster.command(3, "ask", cluster.person(3, "reader"), question=BULLETIN_QUESTION)
    after = wait_for_answer(double, question.id)
    followed = time.monotonic() - published
    assert _shards_of(double, question.id) == [3]
    assert BULLETIN_FACT in text_of(after)
    assert "Elmstead council bulletin 0" in after[-1]["embeds"][0]["fields"][0]["name"]
    assert followed < FOLLOW_SECONDS, f"the back process answered {followed:.1f} s later"
    assert cluster.lease_holder() is None  # released when the first re-index finished
