"""The embedded store's files and folders broken the ways an operator breaks them: read-only,
misplaced, truncated or garbled. Each command says what happened (one line, its own exit
status, no traceback) and `newsbot index --rebuild` or the next question repairs it."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.errors import (
    NotADirectoryStoreError,
    StoreDamagedError,
    StorePermissionError,
)
from tests.conftest import REPO
from tests.e2e.faults import answer, copy_data, environment, failed, run, succeeded

pytestmark = pytest.mark.e2e

SOCHI = "What was agreed at Sochi?"
DAMAGED = StoreDamagedError.exit_code
# Without CAP_DAC_OVERRIDE even root obeys a folder's permission bits.
AS_A_USER = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """A data directory with the bundled corpus indexed, and the answer to SOCHI."""
    root = tmp_path_factory.mktemp("store-faults")
    env = environment(root / "data", REPO / "corpus")
    succeeded(run(env, "index"))
    return root / "data", answer(env, SOCHI)


@pytest.fixture
def data(indexed: tuple[Path, dict[str, object]], tmp_path: Path) -> Path:
    return copy_data(indexed[0], tmp_path / "data")


def env_for(data: Path) -> dict[str, str]:
    return environment(data, REPO / "corpus")


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_asking_and_stats_read_the_store_without_writing_to_it(data: Path) -> None:
    sqlite = data / "chroma" / "chroma.sqlite3"
    before = fingerprint(sqlite)

    succeeded(run(env_for(data), "ask", SOCHI))
    succeeded(run(env_for(data), "stats"))

    assert fingerprint(sqlite) == before  # same bytes, same mtime


@pytest.fixture
def read_only(data: Path) -> Iterator[list[str]]:
    """``data`` made read-only, and how to run newsbot so that it cannot write there."""
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("root without setpriv ignores permission bits")
    prefix = AS_A_USER if os.geteuid() == 0 else []
    paths = [data, *data.rglob("*")]
    for path in paths:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        yield prefix
    finally:
        for path in paths:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | stat.S_IWUSR)


def test_a_read_only_data_directory_is_named_by_every_command(
    data: Path, read_only: list[str]
) -> None:
    code = StorePermissionError.exit_code
    for command in (["ask", SOCHI], ["stats"], ["index"]):
        result = run_as(read_only, env_for(data), *command)
        failed(result, code, "Permission denied", str(data))


def run_as(prefix: list[str], env: dict[str, str], *args: str) -> object:
    import subprocess

    from tests.e2e.faults import NEWSBOT

    return subprocess.run(
        [*prefix, NEWSBOT, *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_a_data_directory_that_is_a_file_is_named(tmp_path: Path) -> None:
    misplaced = tmp_path / "notes.txt"
    misplaced.write_text("not a folder")
    code = NotADirectoryStoreError.exit_code
    for data in (misplaced, misplaced / "data"):
        for command in (["ask", SOCHI], ["stats"], ["index"]):
            result = run(env_for(data), *command)
            failed(result, code, f"{misplaced} is not a directory", "NEWSBOT_DATA_DIR")


def damage(data: Path, how: str) -> None:
    sqlite = data / "chroma" / "chroma.sqlite3"
    content = sqlite.read_bytes()
    if how == "truncated":
        sqlite.write_bytes(content[: len(content) // 3])
    else:
        sqlite.write_bytes(content[:100] + os.urandom(len(content) - 100))


@pytest.mark.parametrize("how", ["truncated", "garbled"])
def test_a_damaged_store_is_named_with_its_repair_by_every_command(data: Path, how: str) -> None:
    damage(data, how)
    for command in (["ask", SOCHI], ["stats"], ["index"]):
        failed(run(env_for(data), *command), DAMAGED, "is damaged", "newsbot index --rebuild")


def test_a_rebuild_replaces_a_damaged_store(
    data: Path, indexed: tuple[Path, dict[str, object]]
) -> None:
    damage(data, "garbled")

    succeeded(run(env_for(data), "index", "--rebuild"))

    assert answer(env_for(data), SOCHI)["answer"] == indexed[1]["answer"]
    assert len(list((data / "stores").iterdir())) == 1  # the damaged store is gone


@pytest.mark.parametrize("file", ["ids.npy", "params.index.json", "data.csc.index.npy"])
def test_a_damaged_bm25_file_is_rebuilt_from_chroma_by_the_next_question(
    data: Path, indexed: tuple[Path, dict[str, object]], file: str
) -> None:
    [path] = (data / "generations").glob(f"*/bm25-g*/{file}")
    path.write_bytes(path.read_bytes()[:40])

    reply = answer(env_for(data), SOCHI)

    assert reply["answer"] == indexed[1]["answer"]
    [rebuilt] = (data / "generations").glob(f"*/bm25-g*/{file}")
    assert rebuilt.stat().st_size > 40
