"""Where measurements run: a data directory and collections of their own, apart from the
index that is served, and an answerer over an index built there."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index.answer.extractive import Answerer
    from index.models import IndexProgress, IndexSummary
    from index.settings import Settings


def measure_settings(settings: Settings, data_dir: Path, name: str, **update: Any) -> Settings:
    """``settings`` writing to ``data_dir``, with collections named ``<collection>-<name>``."""
    return settings.model_copy(
        update={"data_dir": data_dir, "collection": f"{settings.collection}-{name}"[:40], **update}
    )


def eval_settings(settings: Settings, dataset: str) -> Settings:
    """The evaluation of ``dataset``'s own data directory and collections (reused by reruns)."""
    name = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in dataset)
    return measure_settings(
        settings, settings.data_dir / "eval" / name, f"eval-{name}", top_k=max(settings.top_k, 10)
    )


def prepared_answerer(
    settings: Settings, corpus: Path, progress: Callable[[IndexProgress], None] | None = None
) -> tuple[IndexSummary, Answerer]:
    """Index ``corpus`` under ``settings`` (nothing is embedded when it is unchanged) and
    return the run's summary and an extractive answerer over it."""
    from index.answer.extractive import Answerer
    from index.embedding.model import load_document_embedder, load_query_embedder
    from index.ingest.pipeline import Indexer
    from index.search.retriever import Retriever
    from index.storage.store import Store

    store = Store(settings)
    indexer = Indexer(settings, store, lambda: load_document_embedder(settings))
    summary = indexer.run([corpus], progress=progress)
    return summary, Answerer(settings, Retriever(store, load_query_embedder()))


def reset_store(settings: Settings) -> None:
    """Remove a measurement's store entirely: its store folders, collections and files."""
    from index.storage.store import Store

    if settings.chroma_host:
        store = Store(settings)
        prefix = settings.collection
        for collection in store.client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            if name.startswith(f"{prefix}-"):
                store.client.delete_collection(name)
    data = settings.data_dir
    if (data / "chroma").is_symlink():
        (data / "chroma").unlink()
    for folder in ("chroma", "stores", "generations", "docstore", "bm25"):
        shutil.rmtree(data / folder, ignore_errors=True)
