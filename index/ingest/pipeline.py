"""A re-index run: read the corpus, embed what changed, publish the next generation atomically.

The work itself is llama-index's ``IngestionPipeline`` (sentence-aware splitting, embedding,
writing to Chroma through its vector store). This module decides what to do: what to embed
(the article hashes of ``docstore.py``, ``plan.py``), whether to write incrementally or
build anew, and it touches nothing when nothing changed. ``writing.py`` writes and
publishes: a run that changes articles writes only their chunks into the live collection as
the next generation and flips the pointer; a full build (new model or chunking,
``--rebuild``, or a compaction once replaced chunks have piled up) writes a new collection
and flips to it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from llama_index.core.schema import TransformComponent

from index.embedding.model import MODEL_NAME
from index.errors import CorpusError, IndexingError, NewsbotError, StoreError
from index.ingest import docstore as docstores
from index.ingest.chunking import SentenceWindows, article_document
from index.ingest.corpus import load_corpus
from index.ingest.docstore import Docstore
from index.ingest.plan import needs_compaction, plan_run
from index.ingest.writing import GenerationWriter, ProgressCallback, ProgressReporter
from index.models import Article, IndexSummary, LoadFailure
from index.storage import manifest
from index.text.events import DATING_VERSION

if TYPE_CHECKING:
    from index.settings import Settings
    from index.storage.store import Generation, Store

log = logging.getLogger(__name__)

# Bump when the way chunks are made, embedded or stored changes: a new value forces a full
# rebuild. 5: records carry their generation (index/storage/generations.py).
_PIPELINE_VERSION = 5
# Where the fingerprint says which rules dated the chunks (index/text/events.py).
_DATING = "|dates"


class Indexer:
    """Runs re-indexes of a corpus into a :class:`~index.storage.store.Store`."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        load_embedder: Callable[[], TransformComponent],
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
        self._embedder: TransformComponent | None = None

    def fingerprint(self) -> str:
        return f"{self._vectors_fingerprint()}{_DATING}{DATING_VERSION}"

    def _vectors_fingerprint(self) -> str:
        """What the chunks' texts and vectors depend on (not how they are dated)."""
        s = self._settings
        return (
            f"{MODEL_NAME}|sentences±{s.window_sentences}|max{s.max_sentence_tokens}"
            f"|v{_PIPELINE_VERSION}"
        )

    def run(
        self,
        paths: Sequence[Path] | None = None,
        progress: ProgressCallback | None = None,
        *,
        rebuild: bool = False,
    ) -> IndexSummary:
        """Bring the index in line with the articles under ``paths`` (default: the corpus folder).

        The index mirrors the given paths: articles no longer there are removed. Files that
        cannot be read are reported in the summary and skipped; articles indexed from them
        earlier are kept as they were, so a file broken by an edit loses nothing.

        Args:
            paths: Folders or files to index.
            progress: Told how many of the articles to embed are done.
            rebuild: Build a fresh store from the corpus alone, embedding every article, and
                replace the live one (which may be damaged) when it is complete.

        Raises:
            CorpusError: A path does not exist or holds no article at all.
            ReindexInProgressError: Another re-index is running on this data directory, or
                against the same Chroma server.
            StoreError: The store cannot be used (the subclass says why).
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
                if rebuild:
                    return self._rebuild(corpus.articles, corpus.failures, progress, started)
                return self._run_locked(corpus.articles, corpus.failures, progress, started)
            except NewsbotError:
                raise
            except Exception as e:
                known = self._store.known_fault(e)
                if known is not None:
                    log.warning("re-index failed: %s", known, exc_info=True)
                    raise known from e
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
        store = self._store
        store.drop_leftovers()  # leftovers of interrupted runs
        active = store.active()
        reusable = (
            active is not None and active.number > 0 and active.fingerprint == self.fingerprint()
        )
        # Only the dating rules changed: every chunk is written again, with its stored vector.
        redate = (
            active is not None
            and active.number > 0
            and active.fingerprint.partition(_DATING)[0] == self._vectors_fingerprint()
        )
        previous = self._docstore(active)
        documents = [article_document(a) for a in articles]
        plan = plan_run(previous, documents, reusable=reusable, failures=failures)
        if active is not None and reusable and not plan.changes_anything:
            self._check_unchanged(active, previous)
            self._writer().tidy(active)
            return plan.summary(0, started)
        report = ProgressReporter(progress, plan.counts())
        writer = self._writer()
        if active is None or not reusable:
            if active is not None and redate:
                log.info("re-dating every chunk: the dating rules changed")
            embedded = writer.full(
                active, previous, documents, plan, report, copy=False, redate=redate
            )
        elif needs_compaction(active, plan, previous):
            log.info("compacting: %d slots for %d chunks", active.slots, active.chunks)
            embedded = writer.full(active, previous, documents, plan, report, copy=True)
        else:
            embedded = writer.incremental(active, previous, documents, plan, report)
        return plan.summary(embedded.by_model, started, embedded.reused)

    def _rebuild(
        self,
        articles: list[Article],
        failures: list[LoadFailure],
        progress: ProgressCallback | None,
        started: float,
    ) -> IndexSummary:
        """A fresh store from the corpus alone; the live one is only read for the counts."""
        try:
            active = self._store.active()
            previous = self._docstore(active)
        except StoreError as e:
            log.warning("rebuilding over a store that cannot be read: %s", e)
            active, previous = None, {}
        documents = [article_document(a) for a in articles]
        plan = plan_run(previous, documents, reusable=False, failures=failures)
        report = ProgressReporter(progress, plan.counts())
        embedded = self._writer().full(active, {}, documents, plan, report, copy=False)
        return plan.summary(embedded.by_model, started, embedded.reused)

    # -- the three ways of writing ----------------------------------------------------------

    def _docstore(self, active: Generation | None) -> Docstore:
        if active is None:
            return {}
        files = self._store.files(active.collection)
        found = docstores.load(files, active.number)
        if found is None:
            # Another machine indexed this generation into a shared Chroma server (or the
            # data directory was lost): its records know every article's id and hash.
            log.info("no docstore of %s here; rebuilding it from its records", active.name)
            found = docstores.docstore_from_collection(
                self._store.collection(active), active.visibility
            )
        return found

    def _check_unchanged(self, active: Generation, docstore: Docstore) -> None:
        """Nothing changed: make sure the live index can be read, and repair what can be
        (a missing docstore, a damaged or missing BM25 index) from Chroma."""
        collection = self._store.collection(active)
        collection.count()  # reads the store: a damaged one says so here, not on a question
        files = self._store.files(active.collection)
        if active.number == 0:
            return
        if not docstores.docstore_path(files, active.number).exists():
            _save_quietly(files, active.number, docstore)
        if not manifest.looks_usable(files, active.number):
            log.warning("the BM25 index of %s is missing or damaged; rebuilding it", active.name)
            manifest.rebuild_view(collection, files, active.number, active.visibility)
        elif added := manifest.add_missing_vectors(collection, files, active.number):
            log.info("saved the vectors of %d records beside the BM25 index", added)

    def _writer(self) -> GenerationWriter:
        return GenerationWriter(
            self._settings, self._store, self._embedder_or_load, self.fingerprint()
        )

    def _embedder_or_load(self) -> TransformComponent:
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


def _save_quietly(files: Path, number: int, docstore: Docstore) -> None:
    try:
        docstores.save(files, number, docstore)
    except OSError as e:
        log.warning("could not save the docstore in %s: %s", files, e)
