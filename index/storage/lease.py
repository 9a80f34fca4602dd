"""One re-index at a time across machines that share a Chroma server: a lease kept in Chroma.

A lock file only serialises the re-indexes of one data directory. Machines sharing a server
each have their own, and two re-indexes started at once on two of them would each drop the
other's unfinished generation as a leftover (both fail safely, but neither finishes). So a
re-index against a server also holds a lease: a collection named ``<prefix>-lock``. Creating a
collection that exists fails on the server, which makes taking the lease atomic. Its
metadata names the holder (host and process) and when the holder last renewed it; a
background thread renews it every ``renew_seconds``. A holder that has not renewed for
``stale_seconds`` (the machine died, or lost the server) is presumed gone and its lease is
taken over, so a crash never needs a human to clean up; a holder on this same machine whose
process is gone (by its id and start time) is taken over at once. Renewal times are the
holder's clock: keep machines' clocks within a minute of each other (NTP does).

Two machines that both find the same stale lease at the same moment could both take it
over (there is no compare-and-delete in Chroma's API); that needs a holder silent for
minutes and two re-indexes starting within milliseconds, and its worst case is the one
above: a failed re-index while the previous index keeps serving.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from index.errors import ReindexInProgressError, StoreError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

log = logging.getLogger(__name__)

RENEW_SECONDS = 30.0
STALE_SECONDS = 300.0


def holder_name() -> str:
    """Who holds a lease: this machine and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


@contextmanager
def held(
    client: ClientAPI,
    name: str,
    *,
    renew_seconds: float = RENEW_SECONDS,
    stale_seconds: float = STALE_SECONDS,
) -> Iterator[None]:
    """Hold the lease ``name`` on the server for the duration of the block.

    Raises:
        ReindexInProgressError: A live holder has the lease.
        StoreError: The server cannot be asked.
    """
    holder = holder_name()
    _take(client, name, holder, stale_seconds)
    stop = threading.Event()
    renewer = threading.Thread(
        target=_keep_renewing,
        args=(client, name, holder, renew_seconds, stop),
        name="newsbot-reindex-lease",
        daemon=True,
    )
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join(timeout=10)
        _release(client, name, holder)


def current_holder(client: ClientAPI, name: str) -> dict[str, Any] | None:
    """The lease's metadata (``holder``, ``renewed``), or None when nobody holds it."""
    try:
        collection = client.get_collection(name, embedding_function=None)
    except Exception:  # chromadb raises NotFoundError (or ValueError in older releases)
        return None
    return dict(collection.metadata or {})


def _take(client: ClientAPI, name: str, holder: str, stale_seconds: float) -> None:
    for _ in range(3):
        try:
            client.create_collection(name, metadata=_stamp(holder), embedding_function=None)
            return
        except Exception as e:
            failure = e
        existing = current_holder(client, name)
        if existing is None:
            continue  # released between the two calls (or the server failed): try again
        silent = time.time() - float(existing.get("renewed") or 0)
        dead = _dead_here(existing)
        if silent < stale_seconds and not dead:
            raise ReindexInProgressError(holder=str(existing.get("holder") or "another machine"))
        log.warning(
            "taking over the re-index lease of %s (%s)",
            existing.get("holder"),
            "its process is gone" if dead else f"silent for {silent:.0f} s",
        )
        # If someone else took it over first, the next attempt will tell.
        with contextlib.suppress(Exception):
            client.delete_collection(name)
    raise StoreError(f"Cannot take the re-index lease on the Chroma server: {failure}")


def _keep_renewing(
    client: ClientAPI, name: str, holder: str, every: float, stop: threading.Event
) -> None:
    while not stop.wait(every):
        try:
            collection = client.get_collection(name, embedding_function=None)
            if (collection.metadata or {}).get("holder") != holder:
                log.error("the re-index lease was taken over by %s", collection.metadata)
                return
            collection.modify(metadata=_stamp(holder))
        except Exception:
            # The server is unreachable: the re-index's own writes will fail and say so.
            log.warning("could not renew the re-index lease", exc_info=True)


def _release(client: ClientAPI, name: str, holder: str) -> None:
    try:
        if (current_holder(client, name) or {}).get("holder") == holder:
            client.delete_collection(name)
    except Exception:
        log.warning("could not release the re-index lease; it expires by itself", exc_info=True)


def _stamp(holder: str) -> dict[str, Any]:
    stamp: dict[str, Any] = {"holder": holder, "renewed": time.time()}
    started = _started(os.getpid())
    if started is not None:
        stamp["started"] = started
    return stamp


def _dead_here(lease: dict[str, Any]) -> bool:
    """Whether the lease's holder is a process of this machine that no longer runs (a
    process id reused since is told apart by its start time)."""
    host, _, pid = str(lease.get("holder") or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    recorded = lease.get("started")
    return recorded is not None and _started(int(pid)) != recorded


def _started(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot), where /proc tells."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            # The command name (field 2) may hold spaces; fields after it are plain.
            return int(stat.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None
