"""Two work-arounds on the files of an embedded Chroma store (chromadb 1.5).

* **Deleted collections leave their HNSW folder behind**
  (https://github.com/chroma-core/chroma/issues/5259): ``delete_collection`` removes the
  collection's rows from ``chroma.sqlite3`` but not its segment folder (measured: the
  ``<uuid>/`` folder of a deleted 2,000-vector collection stays, 3 MB here, 19 MB at 10.7k
  chunks). :func:`sweep_orphan_segments` deletes every segment folder that no segment row
  names any more. newsbot seldom deletes a collection inside a store it keeps (a full rebuild
  goes to a fresh store folder, ``layout.py``), but whenever it does, it sweeps.
* **Opening a store writes to it.** Chroma's Rust layer inserts a row into its
  ``acquire_write`` table every time a client opens the store (to take SQLite's write lock
  early), so a `newsbot ask` that only reads rewrote ``chroma.sqlite3`` (new checksum and
  mtime on every run). :func:`keep_opening_read_only` adds two triggers that drop those
  writes (``RAISE(IGNORE)``): the statement still takes the lock, so Chroma's locking is
  unchanged, but no page changes and SQLite writes nothing. Measured: after `ask`, the
  file's checksum and mtime are unchanged; indexing through the same store still works.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)

SQLITE_FILE = "chroma.sqlite3"
_SEGMENT_FOLDER = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS newsbot_no_write_on_open BEFORE INSERT ON acquire_write "
    "BEGIN SELECT RAISE(IGNORE); END",
    "CREATE TRIGGER IF NOT EXISTS newsbot_no_write_on_lock BEFORE UPDATE ON acquire_write "
    "BEGIN SELECT RAISE(IGNORE); END",
)


def keep_opening_read_only(store_dir: Path) -> None:
    """Make opening the store at ``store_dir`` leave ``chroma.sqlite3`` untouched (see above).

    Called by the writer (which may write); a no-op once the triggers exist or when the
    store has no ``acquire_write`` table (another Chroma version).
    """
    path = store_dir / SQLITE_FILE
    if not path.exists():
        return
    with contextlib.closing(sqlite3.connect(path, timeout=30)) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if (
            "acquire_write" not in tables
            or {
                "newsbot_no_write_on_open",
                "newsbot_no_write_on_lock",
            }
            <= tables
        ):
            return
        with db:
            for statement in _TRIGGERS:
                db.execute(statement)


def segment_ids(store_dir: Path) -> set[str]:
    """The ids of every segment ``chroma.sqlite3`` knows (each may own a folder)."""
    uri = f"file:{store_dir / SQLITE_FILE}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=30)) as db:
        return {str(row[0]) for row in db.execute("SELECT id FROM segments")}


def sweep_orphan_segments(store_dir: Path) -> list[str]:
    """Delete the segment folders of deleted collections (chroma#5259); their names.

    Only the writer calls this, holding the re-index lock: no collection is being created
    meanwhile, so a folder that no segment row names belongs to no collection.
    """
    if not (store_dir / SQLITE_FILE).exists():
        return []
    known = segment_ids(store_dir)
    removed = []
    for folder in store_dir.iterdir():
        if folder.is_dir() and _SEGMENT_FOLDER.match(folder.name) and folder.name not in known:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    if removed:
        log.info("removed %d HNSW folders of deleted collections", len(removed))
    return removed
