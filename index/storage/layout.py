"""Where things live in the data directory, and how a freshly built store replaces the live one.

```
data/
  index.lock                  one re-index at a time (store.py)
  chroma -> stores/<id>       the live embedded store: a symbolic link
  stores/<id>/                an embedded Chroma store (chroma.sqlite3 and HNSW folders)
  generations/<collection>/   newsbot's own files of a collection: BM25 indexes, manifests,
                              docstores (also used with a Chroma server)
```

A full build (a new model or chunking, ``newsbot index --rebuild``, a compaction) writes a
whole new store folder and then points ``chroma`` at it with one ``rename`` of a symbolic
link, which is atomic: a reader opens either the old store or the new one. The old folder
is then deleted whole. Building in the same ``chroma.sqlite3`` instead would leave it at
twice its size for good (SQLite keeps freed pages) and leave the old collection's HNSW
folder behind (chroma#5259, ``chroma_files.py``); and a damaged ``chroma.sqlite3`` cannot
be opened at all, so its replacement must be built elsewhere. A data directory made before
this layout has ``chroma`` as a plain folder: it is used as it is until the first full
build moves it aside.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import time
from pathlib import Path

from index.errors import NotADirectoryStoreError, StoreDamagedError

log = logging.getLogger(__name__)

_SWAP_PREFIX = ".chroma-swap-"


class Layout:
    """The places of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.link = data_dir / "chroma"
        self.stores = data_dir / "stores"
        self.generations = data_dir / "generations"

    def check(self) -> None:
        """Raise if the data directory (or a folder newsbot keeps in it) is a file.

        Raises:
            NotADirectoryStoreError: Naming the file that is in the way.
        """
        for path in [*reversed(self.data_dir.parents), self.data_dir]:
            if path.exists() and not path.is_dir():
                raise NotADirectoryStoreError(str(path))
        for path in (self.stores, self.generations):
            if path.exists() and not path.is_dir():
                raise NotADirectoryStoreError(str(path))
        if self.link.exists() and not self.link.is_dir():
            raise NotADirectoryStoreError(str(self.link))

    def live_store(self) -> Path | None:
        """The folder of the live embedded store, or None when nothing was ever indexed.

        Raises:
            NotADirectoryStoreError: ``chroma`` is a file.
            StoreDamagedError: ``chroma`` points at a folder that is gone.
        """
        self.check()
        if self.link.is_symlink() and not self.link.exists():
            raise StoreDamagedError(
                str(self.link), f"it points at {os.readlink(self.link)}, which is missing"
            )
        if not self.link.exists():
            return None
        return Path(os.path.realpath(self.link))

    def new_store(self) -> Path:
        """An empty folder for a store about to be built."""
        self.check()
        self.stores.mkdir(parents=True, exist_ok=True)
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
        path = self.stores / name
        path.mkdir()
        return path

    def publish(self, store: Path) -> Path | None:
        """Make ``store`` the live one; the folder it replaces (to be deleted), if any.

        Works whatever state the link is in (a repair replaces a store that is damaged or
        gone).
        """
        self.check()
        previous: Path | None = None
        if self.link.is_symlink():
            previous = Path(os.path.realpath(self.link))
        elif self.link.exists():
            # A store made before this layout: moved among the others, then replaced.
            # Readers meanwhile find no store for an instant and say so; this happens once.
            previous = self.stores / f"legacy-{secrets.token_hex(3)}"
            self.stores.mkdir(parents=True, exist_ok=True)
            os.rename(self.link, previous)
        swap = self.data_dir / f"{_SWAP_PREFIX}{secrets.token_hex(4)}"
        os.symlink(os.path.relpath(store, self.data_dir), swap)
        os.replace(swap, self.link)
        if previous is None or previous == store or not previous.exists():
            return None
        return previous

    def sweep(self) -> list[str]:
        """Delete every store folder but the live one, and half-made links (killed runs)."""
        live = Path(os.path.realpath(self.link)) if self.link.exists() else None
        removed = []
        if self.stores.is_dir():
            for folder in self.stores.iterdir():
                if live is None or folder.resolve() != live:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed.append(folder.name)
        if self.data_dir.is_dir():
            for swap in self.data_dir.glob(f"{_SWAP_PREFIX}*"):
                swap.unlink(missing_ok=True)
        if removed:
            log.info("removed %d store folders no longer in use: %s", len(removed), removed)
        return removed

    def files_of(self, collection: str) -> Path:
        """The folder of newsbot's own files for ``collection``."""
        return self.generations / collection

    def sweep_files(self, keep: str | None) -> None:
        """Delete the files of every collection but ``keep``, and older layouts' folders."""
        if self.generations.is_dir():
            for folder in self.generations.iterdir():
                if folder.name != keep:
                    _remove(folder)
        for legacy in ("bm25", "docstore"):
            _remove(self.data_dir / legacy)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)
