"""Helpers of the fault-injection suite (``test_faults_*.py``): the `newsbot` command run as
a person runs it, a `chroma run` server that can be stopped and started again, a re-index
killed when its log reaches a given step, and a look into the store afterwards."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.conftest import REPO

BIN = Path(sys.executable).parent
NEWSBOT = str(BIN / "newsbot")
CHROMA = str(BIN / "chroma")
QUESTION = "What did the Kremlin spokesperson call for?"

Result = subprocess.CompletedProcess[str]


def environment(data_dir: Path, corpus: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env.update(NEWSBOT_DATA_DIR=str(data_dir), NEWSBOT_CORPUS_DIR=str(corpus), **settings)
    return env


def run(env: dict[str, str], *args: str, stdin: str | bytes | None = None) -> Result:
    """`newsbot ARGS` in a process of its own; never raises on a failure."""
    binary = isinstance(stdin, bytes)
    result = subprocess.run(
        [NEWSBOT, *args], input=stdin, capture_output=True, env=env, timeout=300, text=not binary
    )
    if binary:
        return subprocess.CompletedProcess(
            result.args, result.returncode, result.stdout.decode(), result.stderr.decode()
        )
    return result


def succeeded(result: Result) -> Result:
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    return result


def failed(result: Result, status: int, *said: str) -> str:
    """The one-line message of a failure with ``status`` that says each of ``said``."""
    assert result.returncode == status, f"exit {result.returncode}: {result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("newsbot: "), result.stderr
    for words in said:
        assert words in message, message
    return message


def answer(env: dict[str, str], question: str = QUESTION) -> dict[str, Any]:
    return json.loads(succeeded(run(env, "ask", "--json", question)).stdout)


def markers(reply: dict[str, Any]) -> set[str]:
    """Which editions ("first", "second") the cited articles come from."""
    return {m for c in reply["citations"] for m in re.findall(r"\((\w+)\)", c["title"])}


def write_reports(folder: Path, articles: int, marker: str) -> None:
    """Articles made from the seed article's sentences, shuffled, each with its own url; their
    titles say which edition ``marker`` they are (so an index mixing two shows it)."""
    body = (REPO / "corpus" / "armenia-azerbaijan-talks.md").read_text().split("---\n", 2)[2]
    sentences = [s for s in body.splitlines() if s.strip()]
    rng = random.Random(7)
    lines = []
    for n in range(articles):
        rng.shuffle(sentences)
        lines.append(
            json.dumps(
                {
                    "title": f"Caucasus report {n} ({marker})",
                    "url": f"https://example.com/report/{n}",
                    "body": f"Edition {marker}. " + " ".join(sentences),
                }
            )
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reports.jsonl").write_text("\n".join(lines) + "\n")


def copy_data(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


def kill_when(env: dict[str, str], pattern: str, *args: str) -> str:
    """Start `newsbot --verbose ARGS`, SIGKILL it as soon as its log matches ``pattern``;
    the line that matched."""
    process = subprocess.Popen(
        [NEWSBOT, "--verbose", *args],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    try:
        for line in process.stderr:
            if re.search(pattern, line):
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)
                assert process.returncode == -signal.SIGKILL
                return line
        raise AssertionError(f"the run ended (exit {process.wait()}) before {pattern!r}")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def store_records(data_dir: Path, prefix: str = "newsbot") -> dict[str, Any]:
    """The live generation and every record of its collection, read in this process."""
    from index.settings import Settings
    from index.storage.store import Store
    from index.storage.systems import close_embedded

    store = Store(Settings(data_dir=data_dir, collection=prefix))
    active = store.active()
    assert active is not None
    got = store.collection(active).get(include=["metadatas"])
    live = os.path.realpath(data_dir / "chroma")
    close_embedded(Path(live))  # the CLI goes on writing; never read a stale copy
    return {"generation": active, "metadatas": got["metadatas"]}


def assert_no_leftovers(data_dir: Path) -> None:
    """One store folder, one collection's files, no temporary file of a killed run, and no
    chunk or mark of an unpublished generation."""
    assert len(list((data_dir / "stores").iterdir())) == 1
    assert not list(data_dir.glob(".chroma-swap-*"))
    [files] = (data_dir / "generations").iterdir()
    assert not [p for p in files.iterdir() if p.name.startswith(".")]
    found = store_records(data_dir)
    live = found["generation"].number
    assert found["generation"].writing is None
    assert all(m["gen_added"] <= live and m["gen_removed"] <= live for m in found["metadatas"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    """A `chroma run` process on a folder and port of its own, stopped and started at will."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    def env(self, data_dir: Path, corpus: Path) -> dict[str, str]:
        return environment(
            data_dir, corpus, NEWSBOT_CHROMA_HOST="127.0.0.1", NEWSBOT_CHROMA_PORT=str(self.port)
        )

    def start(self) -> None:
        command = [CHROMA, "run", "--path", str(self.path), "--host", "127.0.0.1"]
        self._process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self._process.poll() is None, "`chroma run` exited"
            try:
                url = f"http://127.0.0.1:{self.port}/api/v2/heartbeat"
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("the Chroma server did not answer its heartbeat")

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        self._process = None


@contextmanager
def chroma_server(path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
