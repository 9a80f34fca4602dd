"""Store failures named for what happened (index/storage/faults.py, layout.py, lease.py)."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from chromadb.errors import InternalError

from index.errors import (
    NotADirectoryStoreError,
    StoreDamagedError,
    StoreError,
    StorePermissionError,
    StoreUnreachableError,
)
from index.storage.faults import store_error, store_fault
from index.storage.layout import Layout
from index.storage.lease import _dead_here, _started, holder_name

STORE = Path("/srv/newsbot/data/chroma")


DB = "error returned from database:"
LOCK = "/srv/newsbot/data/index.lock"


@pytest.mark.parametrize(
    ("error", "kind", "named"),
    [
        (
            InternalError(f"{DB} (code: 11) database disk image is malformed"),
            StoreDamagedError,
            "newsbot index --rebuild",
        ),
        (InternalError(f"{DB} (code: 26) file is not a database"), StoreDamagedError, str(STORE)),
        (
            InternalError(f"{DB} (code: 8) attempt to write a readonly database"),
            StorePermissionError,
            str(STORE),
        ),
        (InternalError("Not a directory (os error 20)"), NotADirectoryStoreError, str(STORE)),
        (PermissionError(errno.EACCES, "Permission denied", LOCK), StorePermissionError, LOCK),
        (OSError(errno.EROFS, "Read-only file system", "/srv/x"), StorePermissionError, "/srv/x"),
    ],
)
def test_embedded_store_failures_say_what_and_where(
    error: Exception, kind: type[StoreError], named: str
) -> None:
    fault = store_fault(error, path=STORE)
    assert isinstance(fault, kind) and named in str(fault)
    assert fault.exit_code not in (0, 1, 2)


def test_a_server_that_does_not_answer_is_named_with_its_host_and_port() -> None:
    for error in (
        httpx.ConnectError("[Errno 111] Connection refused"),
        ValueError("Could not connect to a Chroma server. Are you sure it is running?"),
    ):
        fault = store_fault(error, path=STORE, server=("chroma.internal", 8000))
        assert isinstance(fault, StoreUnreachableError)
        assert "chroma.internal:8000" in str(fault) and fault.exit_code == 4


def test_an_unknown_failure_says_what_was_being_done() -> None:
    assert store_fault(KeyError("x"), path=STORE) is None
    error = store_error(KeyError("x"), path=STORE, doing="read the index pointer")
    assert type(error) is StoreError and str(error).startswith("Could not read the index pointer")


def test_a_file_where_the_data_directory_should_be_is_named(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder")
    with pytest.raises(NotADirectoryStoreError, match=f"{tmp_path / 'data'} is not a directory"):
        Layout(tmp_path / "data" / "inner").check()
    inner = str(tmp_path / "data" / "inner")
    fault = store_fault(NotADirectoryError(errno.ENOTDIR, "x", inner), path=STORE)
    assert isinstance(fault, NotADirectoryStoreError) and str(tmp_path / "data") in str(fault)


def test_a_store_link_to_a_folder_that_is_gone_is_damaged(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    os.symlink("stores/gone", tmp_path / "chroma")
    with pytest.raises(StoreDamagedError, match="newsbot index --rebuild"):
        layout.live_store()


def test_a_new_store_replaces_the_live_one_and_leftovers_are_swept(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    assert layout.live_store() is None
    first = layout.new_store()
    assert layout.publish(first) is None and layout.live_store() == first.resolve()
    second, killed = layout.new_store(), layout.new_store()
    (tmp_path / ".chroma-swap-dead").symlink_to("stores")
    assert layout.publish(second) == first.resolve()
    assert os.readlink(tmp_path / "chroma") == f"stores/{second.name}"
    layout.sweep()
    assert [p.name for p in layout.stores.iterdir()] == [second.name]
    assert not killed.exists() and not (tmp_path / ".chroma-swap-dead").is_symlink()


def test_a_store_of_the_earlier_layout_is_moved_aside_when_replaced(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    (tmp_path / "chroma").mkdir()
    (tmp_path / "chroma" / "chroma.sqlite3").write_text("old")
    new = layout.new_store()
    previous = layout.publish(new)
    assert previous is not None and (previous / "chroma.sqlite3").read_text() == "old"
    assert (tmp_path / "chroma").is_symlink() and layout.live_store() == new.resolve()


def test_a_lease_of_a_process_of_this_machine_that_ended_is_known_dead() -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    host = socket.gethostname()
    assert _dead_here({"holder": f"{host}:{ended.stdout.strip()}"})
    assert not _dead_here({"holder": holder_name(), "started": _started(os.getpid())})
    assert _dead_here({"holder": holder_name(), "started": -1})  # the id was reused since
    assert not _dead_here({"holder": f"elsewhere:{ended.stdout.strip()}"})  # another machine
