"""Indexing speed: the bare model, newsbot's own index run and a naive llama-index pipeline,
on the same articles, so that each is set against the others measured minutes apart."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.measure.workspace import reset_store

if TYPE_CHECKING:
    from index.models import Article
    from index.settings import Settings


def measure_raw(settings: Settings, texts: Sequence[str]) -> tuple[float, float]:
    """Chunks per second of the bare model at newsbot's precision and batch size.

    Two figures: sentence-transformers ``encode`` on all the texts (the baseline the
    targets are set against), and the same model fed the batches newsbot's indexer cuts
    (:func:`~index.embedding.model.encode_by_token_length`): the gap between this one and the
    full index run is newsbot's own overhead, the gap between the two the batching's gain.
    """
    from index.embedding.model import encode_by_token_length, load_sentence_transformer

    model = load_sentence_transformer(settings)
    batch = settings.embed_batch_size
    model.encode(list(texts[:32]), batch_size=batch)  # warm-up
    started = time.perf_counter()
    model.encode(list(texts), batch_size=batch, normalize_embeddings=True)
    plain = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    encode_by_token_length(model, list(texts), batch)
    by_tokens = len(texts) / (time.perf_counter() - started)
    return plain, by_tokens


def measure_ingest(settings: Settings, corpus_path: Path) -> tuple[Any, Any]:
    """A full `newsbot index` run into an empty store, then a re-index of the unchanged corpus."""
    from index.embedding.model import load_document_embedder
    from index.ingest.pipeline import Indexer
    from index.storage.store import Store

    reset_store(settings)
    store = Store(settings)
    indexer = Indexer(settings, store, lambda: load_document_embedder(settings))
    full = indexer.run([corpus_path])
    again = Indexer(settings, store, lambda: load_document_embedder(settings)).run([corpus_path])
    return full, again


def measure_naive(settings: Settings, articles: Sequence[Article]) -> tuple[float, int]:
    """Seconds and chunks of ``VectorStoreIndex.from_documents`` with llama-index's defaults.

    Only the embedding model is given (the same local one at the same precision; the default
    would call OpenAI); the splitter, batch size, metadata handling and in-memory store are
    the library's defaults.
    """
    from index.embedding.model import load_sentence_transformer

    load_sentence_transformer(settings)  # imports done, as for the other measurements
    started = time.perf_counter()
    from llama_index.core import Document, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from index.embedding.model import model_dir, precision_kwargs

    embed_model = HuggingFaceEmbedding(
        model_name=str(model_dir()), device="cpu", **precision_kwargs(settings)
    )
    documents = [
        Document(
            text=a.body,
            metadata={"title": a.title, "source": a.source, "url": a.url},
        )
        for a in articles
    ]
    index = VectorStoreIndex.from_documents(documents, embed_model=embed_model)
    seconds = time.perf_counter() - started
    return seconds, len(index.index_struct.nodes_dict)
