"""This process's Chroma systems on embedded stores, and when one must be started afresh.

chromadb keeps one "system" per store folder for the life of a process, and with it the
collections' HNSW graphs as they were when first loaded. When *another* process adds
records (a re-index in `newsbot index`, or in the bot's child process), this copy never
learns of them: SQLite, which all processes share, already names the new records, so a
filtered query or a get by id fails with "Error finding id" (measured on chromadb 1.5.9;
updates and deletes by another process are seen at once). So a reader starts a fresh
system when the live generation changed by another process's hand, and again when a query
meets that error while a re-index is writing. Opening it again costs the HNSW graph's load
(0.3 s at 100k chunks), which holds the GIL for under 25 ms (measured with a 5 ms probe).

A system that is replaced is stopped only a while later: other threads may still be
answering with it.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Seconds a replaced system is kept for the threads still using it.
_RETIRE_AFTER = 30.0
_lock = threading.Lock()
_retired: list[tuple[float, Any]] = []
_published_here: set[tuple[str, str, int]] = set()


def chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


def open_embedded(store_dir: Path) -> Any:
    """A client of the embedded store at ``store_dir`` (this process's system on it)."""
    import chromadb

    try:
        return chromadb.PersistentClient(path=str(store_dir), settings=chroma_settings())
    except Exception:
        # chromadb caches the half-started system: a second attempt would only say
        # "'RustBindingsAPI' object has no attribute 'bindings'".
        close_embedded(store_dir)
        raise


def close_embedded(store_dir: Path) -> None:
    """Stop this process's system on ``store_dir`` now (nobody else uses it)."""
    system = _forget(store_dir)
    if system is not None:
        _stop(system)


def retire_embedded(store_dir: Path) -> None:
    """Let the next client of ``store_dir`` start a fresh system; stop this one later."""
    system = _forget(store_dir)
    now = time.monotonic()
    with _lock:
        if system is not None:
            _retired.append((now, system))
        due = [s for t, s in _retired if now - t >= _RETIRE_AFTER]
        _retired[:] = [(t, s) for t, s in _retired if now - t < _RETIRE_AFTER]
    for old in due:
        _stop(old)


def note_published(store_dir: Path, collection: str, generation: int) -> None:
    """This process wrote ``generation``: its own system already holds the new records."""
    with _lock:
        _published_here.add((str(store_dir), collection, generation))


def published_here(store_dir: Path, collection: str, generation: int) -> bool:
    with _lock:
        return (str(store_dir), collection, generation) in _published_here


def is_stale_error(error: BaseException) -> bool:
    """Whether ``error`` is chromadb meeting records another process added."""
    return "error finding id" in str(error).lower()


def _forget(store_dir: Path) -> Any:
    from chromadb.api.client import SharedSystemClient

    return SharedSystemClient._identifier_to_system.pop(str(store_dir), None)


def _stop(system: Any) -> None:
    try:
        system.stop()
    except Exception:
        log.debug("stopping a Chroma system failed", exc_info=True)
