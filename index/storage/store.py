"""The Chroma store: one collection per index generation, and a pointer to the live one.

Why generations: llama-index's ingestion pipeline updates a vector store in place (it
deletes an article's old chunks before the new ones are embedded), so a re-index that
fails or is killed half-way would leave a mix of old, new and missing chunks. Instead every
re-index that changes something writes a *new* collection (copying the unchanged chunks'
vectors, embedding only what changed), and only when it is complete flips the pointer —
the metadata of a tiny ``<prefix>-state`` collection — in one Chroma write. Readers follow
the pointer, so until the flip they see exactly the previous index; after it, exactly the
new one. Leftovers of an interrupted run are dropped by the next run. The pointer lives in
Chroma itself so that the same mechanism works for the embedded store and a Chroma server.
"""

from __future__ import annotations

import fcntl
import logging
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.errors import ReindexInProgressError, StoreError
from index.models import IndexStats
from index.storage import lease
from index.storage.records import chroma_record, documents_of, iter_pages

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from llama_index.core.schema import BaseNode
    from llama_index.core.vector_stores.types import BasePydanticVectorStore

    from index.settings import Settings

log = logging.getLogger(__name__)

# Chroma's default search breadth (ef 100) misses true neighbours past 10k vectors; 400 keeps
# recall high for a few milliseconds a query (docs/decisions.md, Storage).
HNSW_SEARCH_EF = 400
_COPY_PAGE = 1000


@dataclass(frozen=True, slots=True)
class Generation:
    """One complete index: a Chroma collection plus what the indexer recorded about it."""

    name: str
    number: int
    info: Mapping[str, Any]

    @property
    def fingerprint(self) -> str:
        return str(self.info.get("fingerprint", ""))


class Store:
    """Opens Chroma (embedded or server) and manages the generations of the index."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: ClientAPI | None = None
        self._prefix = settings.collection
        self._generation_name = re.compile(rf"^{re.escape(self._prefix)}-g(\d+)$")

    # -- connection -----------------------------------------------------------------------

    @property
    def client(self) -> ClientAPI:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _connect(self) -> ClientAPI:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        s = self._settings
        try:
            if s.chroma_host:
                client = chromadb.HttpClient(
                    host=s.chroma_host, port=s.chroma_port, settings=chroma_settings
                )
                client.heartbeat()
                return client
            s.chroma_dir.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(s.chroma_dir), settings=chroma_settings)
        except Exception as e:  # chromadb raises a variety of types for "cannot connect"
            raise StoreError(f"Cannot open the vector store ({self.describe()}): {e}") from e

    def describe(self) -> str:
        s = self._settings
        if s.chroma_host:
            return f"Chroma server at {s.chroma_host}:{s.chroma_port}"
        return f"embedded Chroma in {s.chroma_dir}"

    # -- generations ------------------------------------------------------------------------

    def active(self) -> Generation | None:
        """The generation readers should use, or None before the first index."""
        pointer = self._pointer(create=False)
        if pointer is None or not pointer.metadata or "active" not in pointer.metadata:
            return None
        info = dict(pointer.metadata)
        name = str(info.pop("active"))
        match = self._generation_name.match(name)
        return Generation(name=name, number=int(match.group(1)) if match else 0, info=info)

    def collection(self, generation: Generation) -> Collection:
        try:
            return self.client.get_collection(generation.name, embedding_function=None)
        except Exception as e:
            raise StoreError(
                f"The index generation {generation.name} is missing from the "
                f"{self.describe()}; run `newsbot index` again."
            ) from e

    def create_generation(self, after: Generation | None) -> tuple[Generation, Collection]:
        """A new, empty collection numbered after every existing one."""
        numbers = [after.number] if after else []
        numbers += [n for n, _ in self._generation_collections()]
        number = max(numbers, default=0) + 1
        name = f"{self._prefix}-g{number:06d}"
        collection = self.client.create_collection(
            name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine", "ef_search": HNSW_SEARCH_EF}},
        )
        return Generation(name=name, number=number, info={}), collection

    def vector_store(self, collection: Collection) -> BasePydanticVectorStore:
        """llama-index's Chroma vector store over ``collection``, writing compact records."""
        from llama_index.vector_stores.chroma import ChromaVectorStore

        class CompactChromaVectorStore(ChromaVectorStore):
            # Writes go in batches the client accepts (ChromaVectorStore splits at a fixed
            # 41,665 nodes; an embedded Chroma 1.5 refuses more than 5,461) and as the
            # records of `chroma_record`. Reads are the library's own.
            def add(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[str]:
                ids: list[str] = []
                for start in range(0, len(nodes), max_batch):
                    batch = nodes[start : start + max_batch]
                    collection.add(
                        ids=[n.node_id for n in batch],
                        embeddings=np.asarray([n.get_embedding() for n in batch], dtype=np.float32),
                        metadatas=[chroma_record(n) for n in batch],
                    )
                    ids += [n.node_id for n in batch]
                return ids

        max_batch = self.client.get_max_batch_size()
        # ChromaVectorStore's own __init__ gives every other field a default.
        return CompactChromaVectorStore(chroma_collection=collection)  # type: ignore[call-arg]

    def copy_chunks(self, source: Collection, target: Collection, article_ids: set[str]) -> int:
        """Copy the stored chunks (vectors, text, metadata) of ``article_ids``; no re-embedding."""
        copied = 0
        for page in iter_pages(source, ["embeddings", "documents", "metadatas"], _COPY_PAGE):
            ids = page["ids"]
            metadatas = page["metadatas"] or []
            keep = [i for i, m in enumerate(metadatas) if m.get("document_id") in article_ids]
            if keep:
                embeddings = page["embeddings"]
                stored = documents_of(page)
                documents = [stored[i] for i in keep]
                target.add(
                    ids=[ids[i] for i in keep],
                    embeddings=[embeddings[i] for i in keep],  # type: ignore[arg-type,index]
                    # Records of chroma_record have no document; older ones may.
                    documents=documents if any(d is not None for d in documents) else None,  # type: ignore[arg-type]
                    metadatas=[metadatas[i] for i in keep],
                )
                copied += len(keep)
        return copied

    def activate(self, generation: Generation, info: Mapping[str, Any]) -> Generation:
        """Make ``generation`` the one readers use: a single metadata write on the pointer."""
        pointer = self._pointer(create=True)
        assert pointer is not None
        metadata = {**info, "active": generation.name}
        pointer.modify(metadata=metadata)
        return Generation(name=generation.name, number=generation.number, info=dict(info))

    def drop_inactive(self) -> list[str]:
        """Delete every generation except the active one (old ones and interrupted runs)."""
        active = self.active()
        dropped = []
        for _, name in self._generation_collections():
            if active is None or name != active.name:
                self.client.delete_collection(name)
                dropped.append(name)
        return dropped

    def _generation_collections(self) -> Iterator[tuple[int, str]]:
        for collection in self.client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            match = self._generation_name.match(name)
            if match:
                yield int(match.group(1)), name

    def _pointer(self, *, create: bool) -> Collection | None:
        name = f"{self._prefix}-state"
        if create:
            return self.client.get_or_create_collection(name, embedding_function=None)
        try:
            return self.client.get_collection(name, embedding_function=None)
        except Exception:  # chromadb raises NotFoundError (or ValueError in older releases)
            return None

    def stats(self) -> IndexStats:
        """What the live generation holds, as recorded when it was published."""
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

    # -- the indexer's own files ---------------------------------------------------------------

    def docstore_path(self, generation: Generation) -> Path:
        return self._settings.data_dir / "docstore" / f"{generation.name}.json"

    def lexical_dir(self, generation: Generation) -> Path:
        return self._settings.data_dir / "bm25" / generation.name

    def drop_local_files(self, keep: Generation | None) -> None:
        """Delete the docstores and BM25 indexes of every generation but ``keep``."""
        wanted = {self.docstore_path(keep), self.lexical_dir(keep)} if keep else set()
        for folder in ("docstore", "bm25"):
            directory = self._settings.data_dir / folder
            if directory.exists():
                for path in directory.glob(f"{self._prefix}-g*"):
                    if path not in wanted:
                        if path.is_dir():
                            shutil.rmtree(path, ignore_errors=True)
                        else:
                            path.unlink(missing_ok=True)

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """One re-index at a time: per data directory (a lock file, released if the process
        dies) and, against a Chroma server, per server (a lease in Chroma, index/storage/lease.py).

        Raises:
            ReindexInProgressError: Another re-index holds the lock or the lease.
        """
        self._settings.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self._settings.data_dir / "index.lock", "w") as handle:
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
