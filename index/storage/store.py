"""The Chroma store: the collection that holds the index, and a pointer to its live generation.

A re-index that changes articles writes only their chunks into the live collection, tagged
with the next generation number, and then flips the pointer — the metadata of a tiny
``<prefix>-state`` collection — in one Chroma write (``generations.py``): until the flip
readers see exactly the previous index, after it exactly the new one. A full build (a new
model or chunking, ``newsbot index --rebuild``, or a compaction when replaced chunks have
piled up in the HNSW graph) writes a whole new collection — in a fresh store folder when
the store is embedded (``layout.py``) — and flips to it. The pointer lives in Chroma itself,
so the same mechanism works for the embedded store and a Chroma server.
"""

from __future__ import annotations

import fcntl
import logging
import secrets
import shutil
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.errors import NewsbotError, ReindexInProgressError, StoreDamagedError
from index.models import IndexStats
from index.storage import chroma_files, lease, systems
from index.storage.faults import store_error, store_fault
from index.storage.generations import VisibleCollection
from index.storage.layout import Layout
from index.storage.pointer import Generation, read_pointer, write_pointer

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from index.settings import Settings

log = logging.getLogger(__name__)

# Chroma's default search breadth (ef 100) misses true neighbours past 10k vectors; 400 keeps
# recall high for a few milliseconds a query (docs/decisions.md, Storage).
HNSW_SEARCH_EF = 400


@dataclass(frozen=True, slots=True)
class BuildTarget:
    """Where a full build writes: a new collection (in a new store folder, if embedded)."""

    client: ClientAPI
    collection: Collection
    store_dir: Path | None


class Store:
    """Opens Chroma (embedded or server) and manages the live index's collection and pointer."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._prefix = settings.collection
        self.layout = Layout(settings.data_dir)
        self._client: ClientAPI | None = None
        self._client_path: Path | None = None  # the embedded store folder ``_client`` opened
        self._lock = threading.RLock()

    # -- connection -----------------------------------------------------------------------

    def describe(self) -> str:
        s = self._settings
        if s.chroma_host:
            return f"Chroma server at {s.chroma_host}:{s.chroma_port}"
        return f"embedded Chroma in {s.chroma_dir}"

    @property
    def client(self) -> ClientAPI:
        """The client of the live store (connecting, or reconnecting after a full build).

        Raises:
            StoreError: It cannot be opened (and the subclass says why); for an embedded
                store, also when there is none yet.
        """
        client = self._live_client()
        if client is None:
            raise StoreDamagedError(str(self._settings.chroma_dir), "there is no store there")
        return client

    def _live_client(self) -> ClientAPI | None:
        with self._lock:
            try:
                if self._settings.chroma_host:
                    if self._client is None:
                        self._client = self._connect_server()
                    return self._client
                live = self.layout.live_store()
                if live is None:
                    return None
                if live != self._client_path:
                    self._switch_client(live)
                return self._client
            except Exception as e:
                raise self.fault(e, "open the vector store") from e

    def _connect_server(self) -> ClientAPI:
        import chromadb

        s = self._settings
        client = chromadb.HttpClient(
            host=s.chroma_host or "", port=s.chroma_port, settings=systems.chroma_settings()
        )
        client.heartbeat()
        return client

    def _switch_client(self, store_dir: Path) -> None:
        previous = self._client_path
        self._client = systems.open_embedded(store_dir)
        self._client_path = store_dir
        if previous is not None:
            systems.retire_embedded(previous)

    def reopen(self) -> None:
        """Read the embedded store through a fresh Chroma system from now on: another process
        added records to it (``systems.py``). A no-op with a Chroma server."""
        with self._lock:
            if self._client_path is not None:
                systems.retire_embedded(self._client_path)
            self._client, self._client_path = None, None

    def wrote(self, generation: Generation) -> bool:
        """Whether this process published ``generation`` (so its Chroma system has it all)."""
        if self._settings.chroma_host or self._client_path is None:
            return True
        return systems.published_here(self._client_path, generation.collection, generation.number)

    def fault(self, error: BaseException, doing: str) -> NewsbotError:
        """``error`` as the newsbot error a person should see (``faults.py``)."""
        return store_error(error, path=self._fault_path(), server=self._server(), doing=doing)

    def known_fault(self, error: BaseException) -> NewsbotError | None:
        """``error`` as a newsbot error if it is a known store fault, else None."""
        return store_fault(error, path=self._fault_path(), server=self._server())

    def _server(self) -> tuple[str, int] | None:
        s = self._settings
        return (s.chroma_host, s.chroma_port) if s.chroma_host else None

    def _fault_path(self) -> Path:
        return self._client_path or self._settings.chroma_dir

    # -- the pointer --------------------------------------------------------------------------

    @property
    def _pointer_name(self) -> str:
        return f"{self._prefix}-state"

    def active(self) -> Generation | None:
        """The generation readers should use, or None before the first index.

        Raises:
            StoreError: The store cannot be read (unreachable, permission, damaged...).
        """
        client = self._live_client()
        if client is None:
            return None
        try:
            active = read_pointer(client, self._pointer_name)
        except Exception as e:
            raise self.fault(e, "read the index pointer") from e
        if active is None:
            self._check_not_lost()
        return active

    def _check_not_lost(self) -> None:
        """A store without a pointer while newsbot's own files of an index are there was
        damaged (e.g. an emptied chroma.sqlite3), not never indexed."""
        generations = self.layout.generations
        # Only this prefix's files count: another NEWSBOT_COLLECTION's index is not ours.
        ours = [
            f
            for f in (generations.iterdir() if generations.is_dir() else ())
            if f.is_dir() and _is_index_collection(f.name, self._prefix)
        ]
        if not self._settings.chroma_host and ours:
            raise StoreDamagedError(
                str(self._client_path or self._settings.chroma_dir),
                f"it holds no index, though {ours[0]} has the files of one",
            )

    def collection(self, generation: Generation) -> Collection:
        """The live collection itself (every record; writers and measurements).

        Raises:
            StoreError: It cannot be read; StoreDamagedError when it is missing.
        """
        client = self.client
        try:
            return client.get_collection(generation.collection, embedding_function=None)
        except Exception as e:
            known = self.known_fault(e)
            if known is not None:
                raise known from e
            raise StoreDamagedError(
                self.describe(), f"its collection {generation.collection} is missing"
            ) from e

    def visible_collection(self, generation: Generation) -> VisibleCollection:
        """The live collection as readers of ``generation`` see it."""
        return VisibleCollection(self.collection(generation), generation.visibility)

    def amend(self, active: Generation, **changes: Any) -> Generation:
        """Rewrite the pointer's record of the live generation (no flip): ``changes`` set
        keys, and a run's ``writing`` mark is cleared."""
        info = {k: v for k, v in {**active.info, **changes}.items() if k != "writing"}
        metadata = {**info, "active": active.collection, "generation": active.number}
        write_pointer(self.client, self._pointer_name, metadata)
        return Generation(collection=active.collection, number=active.number, info=info)

    def mark_writing(self, active: Generation, number: int) -> None:
        """Record in the pointer (readers ignore it) that generation ``number`` is being
        written into the live collection."""
        metadata = {**active.info, "active": active.collection, "generation": active.number}
        write_pointer(self.client, self._pointer_name, {**metadata, "writing": number})

    def publish(
        self, collection: str, number: int, info: Mapping[str, Any], target: BuildTarget | None
    ) -> Generation:
        """Make generation ``number`` of ``collection`` the one readers use.

        An incremental run (``target`` None) writes the pointer of the live store; a full
        build writes its own store's pointer and then makes that store the live one.
        """
        metadata = {**info, "active": collection, "generation": number}
        if target is None or target.store_dir is None:
            client = target.client if target is not None else self.client
            write_pointer(client, self._pointer_name, metadata)
            if self._client_path is not None:
                systems.note_published(self._client_path, collection, number)
            if target is not None:
                self.drop_other_collections(keep=collection)
        else:
            write_pointer(target.client, self._pointer_name, metadata)
            chroma_files.keep_opening_read_only(target.store_dir)
            with self._lock:
                opened = self._client_path
                previous = self.layout.publish(target.store_dir)
                self._client, self._client_path = target.client, target.store_dir
            systems.note_published(target.store_dir, collection, number)
            if opened is not None and opened != target.store_dir:
                systems.retire_embedded(opened)
            if previous is not None:
                shutil.rmtree(previous, ignore_errors=True)
        return Generation(collection=collection, number=number, info=dict(info))

    # -- full builds and leftovers -----------------------------------------------------------

    def begin_full_build(self) -> BuildTarget:
        """A new, empty collection for a full build (in a new store folder if embedded)."""
        name = f"{self._prefix}-b{secrets.token_hex(4)}"
        if self._settings.chroma_host:
            client = self.client
            return BuildTarget(client, _create_collection(client, name), None)
        try:
            self.layout.data_dir.mkdir(parents=True, exist_ok=True)
            folder = self.layout.new_store().resolve()
            client = systems.open_embedded(folder)
            return BuildTarget(client, _create_collection(client, name), folder)
        except NewsbotError:
            raise
        except Exception as e:
            raise self.fault(e, "create a new store") from e

    def abandon(self, target: BuildTarget) -> None:
        """Throw away a full build that failed (the next run would, anyway)."""
        try:
            if target.store_dir is None:
                target.client.delete_collection(target.collection.name)
            else:
                systems.close_embedded(target.store_dir)
                shutil.rmtree(target.store_dir, ignore_errors=True)
        except Exception:
            log.warning("could not remove the unfinished build; the next run will", exc_info=True)

    def drop_leftovers(self) -> None:
        """Delete what no reader uses: store folders and collections of killed full builds,
        superseded ones, and the HNSW folders deleted collections left (chroma#5259)."""
        if not self._settings.chroma_host:
            self.layout.sweep()
        if self._live_client() is None:
            return
        active = self.active()
        self.drop_other_collections(keep=active.collection if active else None)

    def drop_other_collections(self, keep: str | None) -> list[str]:
        """Delete this prefix's index collections other than ``keep``."""
        dropped = []
        for collection in self.client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            if name != keep and _is_index_collection(name, self._prefix):
                self.client.delete_collection(name)
                dropped.append(name)
        if dropped and self._client_path is not None:
            chroma_files.sweep_orphan_segments(self._client_path)
        return dropped

    def files(self, collection: str) -> Path:
        """The folder of newsbot's own files (BM25, manifests, docstores) of ``collection``."""
        return self.layout.files_of(collection)

    def stats(self) -> IndexStats:
        """What the live generation holds, as recorded when it was published.

        Raises:
            StoreError: The store cannot be read.
        """
        active = self.active()
        info = dict(active.info) if active else {}
        return IndexStats(
            articles=int(info.get("articles", 0)),
            chunks=int(info.get("chunks", 0)),
            embedding_model=str(info.get("embedding_model", "")),
            store=self.describe(),
            indexed_at=info.get("indexed_at"),
            details={"generation": active.name} if active else {},
        )

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """One re-index at a time: per data directory (a lock file, released if the process
        dies) and, against a Chroma server, per server (a lease in Chroma, index/storage/lease.py).

        Raises:
            ReindexInProgressError: Another re-index holds the lock or the lease.
            StoreError: The data directory cannot be used (not a folder, no permission).
        """
        try:
            self.layout.check()
            self._settings.data_dir.mkdir(parents=True, exist_ok=True)
            handle = open(self._settings.data_dir / "index.lock", "w")  # noqa: SIM115
        except OSError as e:
            raise self.fault(e, "use the data directory") from e
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as e:
                raise ReindexInProgressError() from e
            try:
                if self._settings.chroma_host:
                    with lease.held(self.client, self.lease_name):
                        yield
                else:
                    yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @property
    def lease_name(self) -> str:
        """The collection that is the re-index lease on a Chroma server."""
        return f"{self._prefix}-lock"


def _create_collection(client: ClientAPI, name: str) -> Collection:
    return client.create_collection(
        name,
        embedding_function=None,
        configuration={"hnsw": {"space": "cosine", "ef_search": HNSW_SEARCH_EF}},
    )


def _is_index_collection(name: str, prefix: str) -> bool:
    """An index collection of ``prefix``: ``-b<hex>`` (a build) or ``-g<digits>`` (a
    generation collection of earlier versions)."""
    if not name.startswith(f"{prefix}-") or len(name) <= len(prefix) + 2:
        return False
    kind, rest = name[len(prefix) + 1], name[len(prefix) + 2 :]
    return (kind == "b" and rest.isalnum()) or (kind == "g" and rest.isdigit())
