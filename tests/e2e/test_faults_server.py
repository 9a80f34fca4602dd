"""A real `chroma run` server that goes away: before a command, in the middle of a stream of
questions, in the middle of a re-index. Each command says so (with host and port, its own
exit status, no traceback), a stream goes on with error objects, and the previous index
answers again once the server is back. And a lease left by a killed re-index of this machine
is taken over at once."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.errors import StoreUnreachableError
from tests.e2e.faults import (
    NEWSBOT,
    ChromaServer,
    answer,
    chroma_server,
    failed,
    kill_when,
    markers,
    run,
    succeeded,
    write_reports,
)

pytestmark = pytest.mark.e2e

UNREACHABLE = StoreUnreachableError.exit_code
REPORTS = 18


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ChromaServer, Path]]:
    """A server with an edition of the reports indexed through it (once for the module:
    each test reads which edition is there and writes a new one of its own)."""
    root = tmp_path_factory.mktemp("server-faults")
    with chroma_server(root / "server") as running:
        write_reports(root / "corpus", REPORTS, "first")
        succeeded(run(running.env(root / "data", root / "corpus"), "index"))
        yield running, root


@pytest.fixture
def server(served: tuple[ChromaServer, Path]) -> Iterator[ChromaServer]:
    yield served[0]
    if not served[0].running:  # a test stopped it and failed before starting it again
        served[0].start()


@pytest.fixture
def indexed(served: tuple[ChromaServer, Path]) -> dict[str, str]:
    server, root = served
    return server.env(root / "data", root / "corpus")


def new_edition(env: dict[str, str], name: str) -> set[str]:
    """Write edition ``name`` of the reports into the corpus; the edition answering now."""
    before = markers(answer(env))
    write_reports(Path(env["NEWSBOT_CORPUS_DIR"]), REPORTS, name)
    return before


def test_a_server_that_is_down_is_named_by_every_command(tmp_path: Path) -> None:
    nobody = ChromaServer(tmp_path / "server")  # never started: nothing listens on its port
    env = nobody.env(tmp_path / "data", tmp_path / "corpus")
    write_reports(tmp_path / "corpus", 1, "first")
    where = f"127.0.0.1:{nobody.port}"
    for command in (["ask", "What was agreed?"], ["stats"], ["index"]):
        failed(run(env, *command), UNREACHABLE, f"Cannot reach the Chroma server at {where}")


def test_a_stream_of_questions_outlives_the_server_with_an_error_object_a_line(
    indexed: dict[str, str], server: ChromaServer
) -> None:
    asking = subprocess.Popen(
        [NEWSBOT, "ask", "--json", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=indexed,
        text=True,
    )
    assert asking.stdin is not None and asking.stdout is not None

    def ask(question: str) -> dict[str, object]:
        assert asking.stdin is not None and asking.stdout is not None
        asking.stdin.write(question + "\n")
        asking.stdin.flush()
        return dict(json.loads(asking.stdout.readline()))

    first = ask("What did the Kremlin spokesperson call for?")
    server.stop()
    during = [ask("Who hosted the talks?"), ask("Where did they meet?")]
    server.start()
    time.sleep(1.5)  # the answerer looks at the pointer again after a second
    after = ask("What did the Kremlin spokesperson call for?")
    _, errors = asking.communicate(timeout=60)

    assert first["found"] is True and after["answer"] == first["answer"]
    assert [d["error_kind"] for d in during] == ["store_unreachable"] * 2
    assert f"127.0.0.1:{server.port}" in str(during[0]["error"])
    assert asking.returncode == 0 and "Traceback" not in errors


def test_a_server_lost_in_the_middle_of_a_reindex_leaves_the_previous_index(
    indexed: dict[str, str], server: ChromaServer
) -> None:
    previous = new_edition(indexed, "lost")
    reindex = subprocess.Popen(
        [NEWSBOT, "--verbose", "index"],
        env=indexed,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert reindex.stderr is not None
    for line in reindex.stderr:
        if "embedded 16/" in line:
            server.stop()
            break
    rest = reindex.stderr.read()
    reindex.wait(timeout=120)
    assert reindex.returncode == UNREACHABLE, rest
    assert f"Cannot reach the Chroma server at 127.0.0.1:{server.port}" in rest

    server.start()
    assert markers(answer(indexed)) == previous
    summary = json.loads(succeeded(run(indexed, "index", "--json")).stdout)
    assert summary["updated"] == REPORTS and markers(answer(indexed)) == {"lost"}


def test_the_lease_of_a_killed_reindex_on_this_machine_is_taken_over_at_once(
    indexed: dict[str, str],
) -> None:
    new_edition(indexed, "killed")
    kill_when(indexed, r"embedded [1-9]\d*/\d+ articles", "index")  # its lease stays behind

    # Renewed seconds ago, but its process is gone: not "a re-index is already running"
    # for the five minutes a silent lease of another machine is given.
    summary = json.loads(succeeded(run(indexed, "index", "--json")).stdout)

    assert summary["updated"] == REPORTS and markers(answer(indexed)) == {"killed"}
