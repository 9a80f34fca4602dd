"""A re-index run: read the corpus, embed what changed, publish a new generation atomically.

The work itself is llama-index's ``IngestionPipeline`` (sentence-aware splitting, embedding,
Chroma upserts and deletes decided by the hashes in a persisted docstore). This module adds
what the pipeline does not do: progress reports, a summary of what changed, a fast path
that touches nothing when nothing changed, and atomic publication (see ``index/storage/store.py``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from llama_index.core.schema import Document, TransformComponent

from index.embedding.model import MODEL_NAME
from index.errors import CorpusError, IndexingError, NewsbotError
from index.ingest.chunking import SentenceWindows, article_document
from index.ingest.corpus import load_corpus
from index.ingest.docstore import docstore_from_collection
from index.models import Article, IndexProgress, IndexSummary, LoadFailure
from index.storage import lexical

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.storage.docstore import SimpleDocumentStore
    from llama_index.core.vector_stores.types import BasePydanticVectorStore

    from index.settings import Settings
    from index.storage.store import Generation, Store

log = logging.getLogger(__name__)

ProgressCallback = Callable[[IndexProgress], None]

# Bump when the way chunks are made or embedded changes: a new value forces a full rebuild.
_PIPELINE_VERSION = 4
# Articles embedded between two progress reports (about 150 chunks of news).
_ARTICLES_PER_BATCH = 16


@dataclass(frozen=True, slots=True)
class _Plan:
    """Which articles a run adds, updates, keeps and removes."""

    added: list[str]
    updated: list[str]
    unchanged: list[str]
    removed: list[str]
    failures: tuple[LoadFailure, ...]
    reusable: bool  # the live generation was made the same way: unchanged chunks are kept

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def counts(self) -> dict[str, int]:
        return dict(
            added=len(self.added),
            updated=len(self.updated),
            removed=len(self.removed),
            failed=len(self.failures),
        )

    def summary(self, chunks_embedded: int, started: float) -> IndexSummary:
        # Without a reusable generation every article is embedded again: all are "updated".
        return IndexSummary(
            added=len(self.added),
            updated=len(self.updated) + (0 if self.reusable else len(self.unchanged)),
            unchanged=len(self.unchanged) if self.reusable else 0,
            removed=len(self.removed),
            failed=self.failures,
            chunks_embedded=chunks_embedded,
            seconds=time.perf_counter() - started,
        )


class Indexer:
    """Runs re-indexes of a corpus into a :class:`~index.storage.store.Store`."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        load_embedder: Callable[[], BaseEmbedding],
    ) -> None:
        """
        Args:
            settings: Chunking and corpus settings.
            store: Where generations are written and published.
            load_embedder: Builds the document embedder; called only when something has
                to be embedded, so that an unchanged corpus never loads the model.
        """
        self._settings = settings
        self._store = store
        self._load_embedder = load_embedder
        self._embedder: BaseEmbedding | None = None

    def fingerprint(self) -> str:
        s = self._settings
        return (
            f"{MODEL_NAME}|sentences±{s.window_sentences}|max{s.max_sentence_tokens}"
            f"|v{_PIPELINE_VERSION}"
        )

    def run(
        self, paths: Sequence[Path] | None = None, progress: ProgressCallback | None = None
    ) -> IndexSummary:
        """Bring the index in line with the articles under ``paths`` (default: the corpus folder).

        The index mirrors the given paths: articles no longer there are removed. Files that
        cannot be read are reported in the summary and skipped; articles indexed from them
        earlier are kept as they were, so a file broken by an edit loses nothing.

        Raises:
            CorpusError: A path does not exist or holds no article at all.
            ReindexInProgressError: Another re-index is running on this data directory, or
                against the same Chroma server.
            IndexingError: The run failed; the previous index is still the one answering.
        """
        started = time.perf_counter()
        paths = list(paths) if paths else [self._settings.corpus_dir]
        corpus = load_corpus(paths, max_file_bytes=int(self._settings.max_file_mib * 2**20))
        if not corpus.articles and not corpus.failures:
            raise CorpusError(
                f"No articles found in {', '.join(map(str, paths))} "
                "(looked for .txt, .md, .json, .jsonl and .html files)."
            )
        with self._store.writer_lock():
            try:
                return self._run_locked(corpus.articles, corpus.failures, progress, started)
            except NewsbotError:
                raise
            except Exception as e:
                log.exception("re-index failed")
                raise IndexingError(
                    f"The re-index failed ({type(e).__name__}: {e}); "
                    "the previous index is still answering."
                ) from e

    def _run_locked(
        self,
        articles: list[Article],
        failures: list[LoadFailure],
        progress: ProgressCallback | None,
        started: float,
    ) -> IndexSummary:
        from llama_index.core.storage.docstore import SimpleDocumentStore

        store = self._store
        store.drop_inactive()  # leftovers of an interrupted run
        active = store.active()
        previous = self._load_docstore(active)
        reusable = active is not None and active.fingerprint == self.fingerprint()
        documents = [article_document(a) for a in articles]
        documents += _kept_from_failed_files(previous, documents, failures)
        plan = _plan(previous, documents, reusable=reusable, failures=failures)
        if reusable and not plan.changes_anything:
            return plan.summary(0, started)

        generation, collection = store.create_generation(after=active)
        docstore: SimpleDocumentStore = previous if reusable else SimpleDocumentStore()
        if reusable:
            assert active is not None
            store.copy_chunks(store.collection(active), collection, set(plan.unchanged))
        changed = set(plan.added) | set(plan.updated)
        to_embed = [d for d in documents if d.id_ in changed or not reusable]
        vector_store = store.vector_store(collection)
        report = _ProgressReporter(progress, total=len(to_embed), counts=plan.counts())
        chunks_embedded = self._embed(to_embed, vector_store, docstore, report)
        _delete_removed(documents, vector_store, docstore)
        self._publish(generation, collection, docstore, articles=len(documents))
        return plan.summary(chunks_embedded, started)

    def _embed(
        self,
        documents: list[Document],
        vector_store: BasePydanticVectorStore,
        docstore: SimpleDocumentStore,
        report: _ProgressReporter,
    ) -> int:
        """Split, embed and store ``documents``; the number of chunks embedded."""
        from llama_index.core.ingestion import DocstoreStrategy, IngestionPipeline

        # Articles go through the pipeline a batch at a time: progress can be reported and
        # only one batch of vectors is held in memory.
        upserts = IngestionPipeline(
            transformations=[self._splitter(), self._embedder_or_load()] if documents else [],
            vector_store=vector_store,
            docstore=docstore,
            docstore_strategy=DocstoreStrategy.UPSERTS,
            # The docstore's hashes decide what to re-embed; the transformation cache would
            # hash every chunk again for nothing.
            disable_cache=True,
        )
        chunks_embedded = 0
        report.update(0, 0)
        for start in range(0, len(documents), _ARTICLES_PER_BATCH):
            batch = documents[start : start + _ARTICLES_PER_BATCH]
            chunks_embedded += len(upserts.run(documents=batch))
            report.update(start + len(batch), chunks_embedded)
        return chunks_embedded

    def _publish(
        self,
        generation: Generation,
        collection: Collection,
        docstore: SimpleDocumentStore,
        *,
        articles: int,
    ) -> None:
        """Save the generation's BM25 index and docstore, make it live, drop the rest."""
        store = self._store
        lexical.build(collection, store.lexical_dir(generation))
        docstore.persist(str(store.docstore_path(generation)))
        indexed_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        store.activate(
            generation,
            {
                "fingerprint": self.fingerprint(),
                "articles": articles,
                "chunks": collection.count(),
                "indexed_at": indexed_at,
                "embedding_model": MODEL_NAME,
            },
        )
        store.drop_inactive()
        store.drop_local_files(keep=generation)

    def _load_docstore(self, active: Generation | None) -> SimpleDocumentStore:
        from llama_index.core.storage.docstore import SimpleDocumentStore

        if active is not None:
            path = self._store.docstore_path(active)
            if path.exists():
                return SimpleDocumentStore.from_persist_path(str(path))
            # Another machine indexed this generation into a shared Chroma server (or the
            # data directory was lost): its records know every article's id and hash.
            log.info("docstore %s is missing; rebuilding it from %s", path, active.name)
            return docstore_from_collection(self._store.collection(active))
        return SimpleDocumentStore()

    def _splitter(self) -> TransformComponent:
        return SentenceWindows.create(
            window_size=self._settings.window_sentences,
            max_sentence_tokens=self._settings.max_sentence_tokens,
        )

    def _embedder_or_load(self) -> BaseEmbedding:
        if self._embedder is None:
            self._embedder = self._load_embedder()
        return self._embedder


def embedded_texts(settings: Settings, articles: Sequence[Article]) -> list[str]:
    """The exact texts a full index of ``articles`` hands to the embedding model, in order."""
    from llama_index.core.schema import MetadataMode

    splitter = SentenceWindows.create(
        window_size=settings.window_sentences, max_sentence_tokens=settings.max_sentence_tokens
    )
    nodes = splitter([article_document(a) for a in articles])
    return [node.get_content(metadata_mode=MetadataMode.EMBED) for node in nodes]


def _delete_removed(
    documents: list[Document], vector_store: BasePydanticVectorStore, docstore: SimpleDocumentStore
) -> None:
    """Remove the chunks of articles that are gone, through llama-index's own bookkeeping:
    with every remaining article now up to date, this run embeds nothing and only deletes."""
    from llama_index.core.ingestion import DocstoreStrategy, IngestionPipeline

    leftovers = IngestionPipeline(
        transformations=[],
        vector_store=vector_store,
        docstore=docstore,
        docstore_strategy=DocstoreStrategy.UPSERTS_AND_DELETE,
        disable_cache=True,
    ).run(documents=documents)
    if leftovers:
        raise IndexingError("The index changed while it was being rebuilt; run it again.")


def _document_hashes(docstore: SimpleDocumentStore) -> dict[str, str]:
    return {doc_id: doc_hash for doc_hash, doc_id in docstore.get_all_document_hashes().items()}


def _kept_from_failed_files(
    previous: SimpleDocumentStore, documents: list[Document], failures: list[LoadFailure]
) -> list[Document]:
    """Previously indexed articles of files that now fail to load: keep them as they were."""
    failed_paths = {f.path for f in failures}
    current = {d.id_ for d in documents}
    kept: list[Document] = []
    for doc_id in _document_hashes(previous):
        if doc_id in current:
            continue
        stored = previous.get_document(doc_id, raise_error=False)
        if isinstance(stored, Document) and stored.metadata.get("path") in failed_paths:
            kept.append(stored)
    return kept


def _plan(
    previous: SimpleDocumentStore,
    documents: list[Document],
    *,
    reusable: bool,
    failures: list[LoadFailure],
) -> _Plan:
    before = _document_hashes(previous)
    plan = _Plan(
        added=[], updated=[], unchanged=[], removed=[], failures=tuple(failures), reusable=reusable
    )
    for doc in documents:
        old = before.get(doc.id_)
        if old is None:
            plan.added.append(doc.id_)
        elif old != doc.hash:
            plan.updated.append(doc.id_)
        else:
            plan.unchanged.append(doc.id_)
    current = {d.id_ for d in documents}
    plan.removed.extend(doc_id for doc_id in before if doc_id not in current)
    return plan


class _ProgressReporter:
    """Sends "articles done / total" reports to the caller and to the log."""

    def __init__(self, callback: ProgressCallback | None, total: int, counts: dict[str, int]):
        self._callback = callback
        self._total = total
        self._counts = counts

    def update(self, done: int, chunks: int) -> None:
        log.info("embedded %d/%d articles (%d chunks)", done, self._total, chunks)
        if self._callback is not None:
            self._callback(IndexProgress(done=done, total=self._total, **self._counts))
