"""Writing the next generation: only the changed articles' chunks into the live collection, or
a full build into a new collection (``index/storage/``), published atomically either way."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from llama_index.core.schema import Document, TransformComponent

from index.embedding.model import MODEL_NAME
from index.ingest import docstore as docstores
from index.ingest.chunking import SentenceWindows
from index.ingest.docstore import Docstore, indexed
from index.ingest.plan import Embedded, Plan, next_docstore
from index.ingest.reuse import ReusingEmbedder, stored_vectors
from index.models import IndexProgress
from index.storage import generations, manifest, writes
from index.storage.generations import Visibility
from index.storage.main_index import bm25_node
from index.storage.records import record_id

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from llama_index.core.schema import BaseNode

    from index.settings import Settings
    from index.storage.store import BuildTarget, Generation, Store

log = logging.getLogger(__name__)

ProgressCallback = Callable[[IndexProgress], None]

# Articles embedded between two progress reports (about 150 chunks of news).
_ARTICLES_PER_BATCH = 16


class GenerationWriter:
    """Writes and publishes the next generation of a store's index."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        embedder: Callable[[], TransformComponent],
        fingerprint: str,
    ) -> None:
        """
        Args:
            settings: Chunking settings (and whether the store is a server's).
            store: Where the generation is written and published.
            embedder: The document embedder (loaded on first call).
            fingerprint: How chunks are made and embedded, recorded with the generation.
        """
        self._settings = settings
        self._store = store
        self._embedder = embedder
        self._fingerprint = fingerprint

    def incremental(
        self,
        active: Generation,
        previous: Docstore,
        documents: list[Document],
        plan: Plan,
        report: ProgressReporter,
    ) -> Embedded:
        """Add the changed articles' chunks to the live collection as the next generation."""
        store = self._store
        collection = store.collection(active)
        live, number = active.number, active.number + 1
        pending, purged = self._tidy(collection, active)
        store.mark_writing(active, number)
        known = self._unchanged_vectors(collection, previous, plan)
        replaced = [c for a in [*plan.updated, *plan.removed] for c in previous[a].chroma_ids(a)]
        generations.mark_removed(collection, replaced, number)
        changed = plan.changed
        embedded = self._embed(
            [d for d in documents if d.id_ in changed],
            collection,
            number,
            report,
            keep_nodes=True,
            known=known,
        )
        files = store.files(active.collection)
        log.info("writing the BM25 index of generation %d", number)
        delta = manifest.next_view(collection, files, live, number, replaced, embedded.bm25_nodes)
        docstore = next_docstore(previous, documents, plan, embedded, number)
        docstores.save(files, number, docstore)
        self._publish(
            active,
            active.collection,
            number,
            docstore,
            chunks=active.chunks - len(replaced) + embedded.chunks,
            target=None,
            slots=active.slots + embedded.chunks,
            removals=pending + ([number] if replaced else []),
            hidden=max(0, active.hidden - purged) + len(replaced),
        )
        manifest.sweep(files, keep={number})
        docstores.sweep(files, keep=number)
        log.info(
            "generation %d: %d chunks added, %d replaced; BM25 delta %d",
            number,
            embedded.chunks,
            len(replaced),
            delta or 0,
        )
        return embedded

    def tidy(self, active: Generation) -> None:
        """Nothing changed: still undo a killed run's leftovers and purge the replaced chunks
        no reader can see any more, so that readers stop skipping them."""
        if active.writing is None and not active.hidden:
            return
        pending, purged = self._tidy(self._store.collection(active), active)
        if purged or active.writing is not None:
            self._store.amend(
                active, removals=json.dumps(pending), hidden=max(0, active.hidden - purged)
            )

    def _tidy(self, collection: Collection, active: Generation) -> tuple[list[int], int]:
        """Undo what a run killed before its flip wrote, and purge the replaced chunks no
        reader can see any more.

        Returns:
            The generations whose replaced chunks are still kept, and how many were purged.
        """
        if active.writing is not None:
            undone = generations.undo_unpublished(collection, active.number)
            log.info("removed %d chunks and undid %d marks of an interrupted run", *undone)
        grace = (
            generations.PURGE_GRACE_SECONDS_SERVER
            if self._settings.chroma_host
            else generations.PURGE_GRACE_SECONDS
        )
        horizon = generations.purge_horizon(
            generations.flips_of(active.info), active.number, time.time(), grace
        )
        removals = generations.removals_of(active.info)
        purged = 0
        if removals is None or any(g <= horizon for g in removals):
            purged = generations.purge_removed(collection, horizon)
            log.info("purged %d replaced chunks (generations up to %d)", purged, horizon)
        return [g for g in removals or [] if g > horizon], purged

    def full(
        self,
        active: Generation | None,
        previous: Docstore,
        documents: list[Document],
        plan: Plan,
        report: ProgressReporter,
        *,
        copy: bool,
        redate: bool = False,
    ) -> Embedded:
        """Write a new collection (a new store folder, if embedded) and flip to it: every
        article embedded, or with ``copy`` the unchanged ones' chunks copied (a compaction);
        with ``redate``, every chunk whose text is stored keeps its vector (new dating rules)."""
        store = self._store
        number = (active.number if active else 0) + 1
        target = store.begin_full_build()
        try:
            copied: dict[str, list[str]] = {}
            if copy and active is not None:
                skip = plan.changed | set(plan.removed)
                copied = writes.copy_visible(
                    store.collection(active), target.collection, active.visibility, number, skip
                )
            to_embed = [d for d in documents if not copy or d.id_ in plan.changed]
            known = (
                self._unchanged_vectors(store.collection(active), previous, plan)
                if copy and active is not None
                else {}
            )
            stored = (
                partial(_stored_vectors_of, store.collection(active), previous)
                if redate and active is not None
                else None
            )
            embedded = self._embed(
                to_embed,
                target.collection,
                number,
                report,
                keep_nodes=False,
                known=known,
                stored=stored,
            )
            docstore = next_docstore(previous if copy else {}, documents, plan, embedded, number)
            for article_id, ids in copied.items():
                old = previous[article_id]
                docstore[article_id] = indexed(article_id, old.hash, old.path, number, ids)
            files = store.files(target.collection.name)
            log.info("writing the BM25 index of generation %d", number)
            manifest.rebuild_view(target.collection, files, number, Visibility(number))
            docstores.save(files, number, docstore)
            chunks = target.collection.count()
            self._publish(
                active,
                target.collection.name,
                number,
                docstore,
                chunks=chunks,
                target=target,
                slots=chunks,
                removals=[],
            )
        except BaseException:
            store.abandon(target)
            raise
        store.layout.sweep_files(keep=target.collection.name)
        return embedded

    def _publish(
        self,
        active: Generation | None,
        collection: str,
        number: int,
        docstore: Docstore,
        *,
        chunks: int,
        target: BuildTarget | None,
        slots: int,
        removals: list[int],
        hidden: int = 0,
    ) -> None:
        log.info("publishing generation %d", number)
        indexed_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        self._store.publish(
            collection,
            number,
            {
                "fingerprint": self._fingerprint,
                "articles": len(docstore),
                "chunks": chunks,
                "slots": slots,
                "indexed_at": indexed_at,
                "embedding_model": MODEL_NAME,
                "flips": generations.with_flip(active.info if active else {}, number),
                "removals": json.dumps(removals),
                "hidden": hidden,
            },
            target,
        )
        log.info("published generation %d of %s", number, collection)

    # -- embedding ----------------------------------------------------------------------------

    def _embed(
        self,
        documents: list[Document],
        collection: Collection,
        number: int,
        report: ProgressReporter,
        *,
        keep_nodes: bool,
        known: dict[str, list[float]],
        stored: Callable[[list[str]], dict[str, list[float]]] | None = None,
    ) -> Embedded:
        """Split, embed and store ``documents`` as chunks of generation ``number``, through
        llama-index's ingestion pipeline (and its Chroma vector store); a chunk whose exact
        text is in ``known``, or in what ``stored`` reads for its batch's articles, keeps that
        vector."""
        from llama_index.core.ingestion import IngestionPipeline

        # Articles go through the pipeline a batch at a time: progress can be reported and
        # only one batch of vectors is held in memory.
        embedder = ReusingEmbedder(known, self._embedder)
        pipeline = IngestionPipeline(
            transformations=[self._splitter(), embedder] if documents else [],
            vector_store=writes.vector_store(collection, number),
            disable_cache=True,
        )
        embedded = Embedded(chroma_ids={}, bm25_nodes=[])
        report.start(total=len(documents))
        for start in range(0, len(documents), _ARTICLES_PER_BATCH):
            batch = documents[start : start + _ARTICLES_PER_BATCH]
            if stored is not None:
                embedder.remember({**known, **stored([d.id_ for d in batch])})
            nodes: Sequence[BaseNode] = pipeline.run(documents=batch)
            for node in nodes:
                chroma_id = record_id(node.node_id, number)
                embedded.chroma_ids.setdefault(node.ref_doc_id or "", []).append(chroma_id)
                if keep_nodes:
                    embedded.bm25_nodes.append(bm25_node(node, chroma_id))
            report.update(start + len(batch), embedded.chunks)
        embedded.reused = embedder.reused
        if embedder.reused:
            log.info("%d of %d chunks kept their stored vectors", embedder.reused, embedded.chunks)
        return embedded

    @staticmethod
    def _unchanged_vectors(
        collection: Collection, previous: Docstore, plan: Plan
    ) -> dict[str, list[float]]:
        """The stored vectors of the updated articles' chunks, by the text they embed."""
        return _stored_vectors_of(collection, previous, plan.updated)

    # -- what is indexed now ---------------------------------------------------------------------

    def _splitter(self) -> TransformComponent:
        return SentenceWindows.create(
            window_size=self._settings.window_sentences,
            max_sentence_tokens=self._settings.max_sentence_tokens,
        )


class ProgressReporter:
    """Sends "articles done / total" reports to the caller and to the log."""

    def __init__(self, callback: ProgressCallback | None, counts: dict[str, int]):
        self._callback = callback
        self._total = 0
        self._counts = counts

    def start(self, total: int) -> None:
        self._total = total
        self.update(0, 0)

    def update(self, done: int, chunks: int) -> None:
        log.info("embedded %d/%d articles (%d chunks)", done, self._total, chunks)
        if self._callback is not None:
            self._callback(IndexProgress(done=done, total=self._total, **self._counts))


def _stored_vectors_of(
    collection: Collection, previous: Docstore, article_ids: Iterable[str]
) -> dict[str, list[float]]:
    """The stored vectors of the given articles' chunks (those indexed before), by the text
    they embed."""
    ids = [c for a in article_ids if a in previous for c in previous[a].chroma_ids(a)]
    return stored_vectors(collection, ids) if ids else {}
