"""newsbot against a real Chroma server started with the chromadb package's `chroma run`.

Two data directories play two machines sharing one server: the first indexes, the second
(which never saw the BM25 files nor the docstore) answers and re-indexes incrementally; and
only one of them may re-index at a time.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from index.errors import ReindexInProgressError
from index.storage import lease
from tests.conftest import SEED_ARTICLE

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
NEWSBOT = str(BIN / "newsbot")
CHROMA = str(BIN / "chroma")

Run = Callable[..., subprocess.CompletedProcess[str]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_heartbeat(port: int, server: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"`chroma run` exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1
            ) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the Chroma server did not answer its heartbeat within {seconds:.0f} s")


@pytest.fixture
def chroma_port(tmp_path: Path) -> Iterator[int]:
    port = _free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    command = [CHROMA, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        _wait_for_heartbeat(port, server, seconds=60)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@pytest.fixture
def machine(tmp_path: Path, chroma_port: int) -> Callable[[str], Run]:
    """`newsbot` as run on one machine (its own data directory) against the shared server."""

    def on(name: str) -> Run:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
        env.update(
            NEWSBOT_DATA_DIR=str(tmp_path / name / "data"),
            NEWSBOT_CORPUS_DIR=str(tmp_path / "corpus"),
            NEWSBOT_CHROMA_HOST="127.0.0.1",
            NEWSBOT_CHROMA_PORT=str(chroma_port),
        )

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            result = subprocess.run(
                [NEWSBOT, *args], capture_output=True, text=True, env=env, timeout=300
            )
            if result.returncode != 0:
                raise AssertionError(f"newsbot {args} exited {result.returncode}: {result.stderr}")
            return result

        return run

    return on


def _article(title: str, sentences: list[str]) -> str:
    return f"---\ntitle: {title}\nsource: Test Wire\n---\n\n" + " ".join(sentences) + "\n"


HARBOUR = [
    "The city council approved a new harbour bridge on Tuesday.",
    "Construction is expected to take four years.",
    "The bridge will carry trams and bicycles.",
]
HARBOUR_EDITED = [
    "The city council rejected the harbour bridge on Wednesday.",
    "The vote was eleven to four.",
    "A ferry service will be expanded instead.",
]
ORCHARD = [
    "Apple growers reported a record harvest this autumn.",
    "Warm spring weather helped the blossoms.",
    "Prices at the market fell by a tenth.",
]


def test_index_ask_and_incremental_reindex_through_a_chroma_server(
    tmp_path: Path, machine: Callable[[str], Run]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED_ARTICLE, corpus)
    (corpus / "harbour.md").write_text(_article("Harbour bridge", HARBOUR))
    indexer, reader = machine("indexer"), machine("reader")

    first = json.loads(indexer("index", "--json").stdout)
    assert (first["added"], first["failed"]) == (2, [])
    stats = json.loads(reader("stats", "--json").stdout)
    assert stats["articles"] == 2 and "Chroma server at 127.0.0.1" in stats["store"]

    # The reader has no BM25 files of this generation: it builds them from Chroma.
    answer = json.loads(reader("ask", "--json", "What was agreed at Sochi?").stdout)
    assert answer["found"] is True
    assert "agreed not to use force" in answer["answer"]
    assert any("agreed not to use force" in c["passage"] for c in answer["citations"])
    assert list((tmp_path / "reader" / "data" / "generations").glob("*/bm25-g*"))

    # The reader re-indexes without the indexer's docstore: it is rebuilt from Chroma, so
    # only the edited and the new article are embedded.
    (corpus / "harbour.md").write_text(_article("Harbour bridge", HARBOUR_EDITED))
    (corpus / "orchard.md").write_text(_article("Orchard harvest", ORCHARD))
    again = json.loads(reader("index", "--json").stdout)
    assert (again["added"], again["updated"], again["unchanged"], again["removed"]) == (1, 1, 1, 0)
    assert again["chunks_embedded"] == len(HARBOUR_EDITED) + len(ORCHARD)
    after = json.loads(indexer("stats", "--json").stdout)
    assert (after["articles"], after["chunks"]) == (3, stats["chunks"] + len(ORCHARD))

    edited = json.loads(indexer("ask", "--json", "What happened to the harbour bridge?").stdout)
    assert "rejected the harbour bridge" in edited["answer"]
    unchanged = json.loads(indexer("index", "--json").stdout)
    assert (unchanged["unchanged"], unchanged["chunks_embedded"]) == (3, 0)


# -- the re-index lease ---------------------------------------------------------------------


@pytest.fixture
def stores(tmp_path: Path, chroma_port: int) -> Callable[[str], Any]:
    """A Store as one machine (its own data directory) opens the shared server."""
    from index.settings import Settings
    from index.storage.store import Store

    def on(name: str) -> Store:
        return Store(
            Settings(
                data_dir=tmp_path / name / "data",
                chroma_host="127.0.0.1",
                chroma_port=chroma_port,
            )
        )

    return on


def test_a_reindex_on_one_machine_keeps_another_from_starting(stores: Callable[[str], Any]) -> None:
    first, second = stores("first"), stores("second")

    with (
        first.writer_lock(),
        pytest.raises(ReindexInProgressError, match=rf"on {socket.gethostname()}:"),
        second.writer_lock(),
    ):
        pass
    with second.writer_lock():  # released when the first finished
        assert lease.current_holder(second.client, second.lease_name) is not None
    assert lease.current_holder(second.client, second.lease_name) is None


def test_a_lease_whose_holder_went_silent_is_taken_over(stores: Callable[[str], Any]) -> None:
    store = stores("survivor")
    gone = {"holder": "crashed-host:4242", "renewed": time.time() - lease.STALE_SECONDS - 60}
    store.client.create_collection(store.lease_name, metadata=gone, embedding_function=None)

    with store.writer_lock():
        holder = lease.current_holder(store.client, store.lease_name)
        assert holder is not None and holder["holder"] == lease.holder_name()


def test_a_live_lease_is_renewed_while_held(stores: Callable[[str], Any]) -> None:
    store = stores("worker")

    with lease.held(store.client, store.lease_name, renew_seconds=0.2):
        taken = lease.current_holder(store.client, store.lease_name)
        time.sleep(1.0)
        renewed = lease.current_holder(store.client, store.lease_name)
    assert taken is not None and renewed is not None
    assert renewed["renewed"] > taken["renewed"]
