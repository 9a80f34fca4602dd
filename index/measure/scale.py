"""Stores of 1k to 100k chunks for measuring questions at scale, and HNSW recall in them.

The large stores are perturbed copies of a real index's chunk vectors (text kept, titles
marked with their copy number), written straight to Chroma plus BM25 and cached in the
data directory, so a rerun only measures.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from index.errors import CorpusError
from index.measure.latency import percentile
from index.measure.workspace import reset_store

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from index.settings import Settings

# Noise per dimension added to a copied unit vector: cosine to the original ~0.9, so copies
# are near their source without being duplicates the HNSW graph would collapse.
_NOISE = 0.025
# Bump when the way scaled stores are made changes: cached ones are rebuilt.
_SCALE_VERSION = 2
HNSW_EFS = (50, 100, 400, 1000)


def perturbed_copy(vectors: np.ndarray, rng: np.random.Generator, noise: float) -> np.ndarray:
    """Unit vectors near each row of ``vectors``: Gaussian noise added, then renormalised."""
    moved = vectors + rng.normal(0.0, noise, size=vectors.shape).astype(vectors.dtype)
    norms = np.linalg.norm(moved, axis=1, keepdims=True)
    return moved / np.where(norms == 0, 1.0, norms)


def recall_at(found: Sequence[Sequence[str]], exact: Sequence[Sequence[str]]) -> float:
    """Mean share of each exact top-k that an approximate search also returned."""
    shares = [len(set(f) & set(e)) / len(e) for f, e in zip(found, exact, strict=True) if e]
    return sum(shares) / len(shares) if shares else 0.0


def copy_record(
    record_id: str, metadata: Mapping[str, Any], copy: int
) -> tuple[str, dict[str, Any]]:
    """Id and metadata of copy number ``copy`` of a stored chunk (copy 0 is the chunk itself).

    The copy belongs to an article of its own (``<article>~<copy>``) whose title says which
    copy it is, in both Chroma's fields and llama-index's serialized node.
    """
    if copy == 0:
        return record_id, dict(metadata)
    article = f"{metadata.get('document_id', '')}~{copy}"
    meta = dict(metadata)
    for key in ("document_id", "doc_id", "ref_doc_id"):
        if key in meta:
            meta[key] = article
    content = meta.get("_node_content")
    if isinstance(content, str):
        node = json.loads(content)
        node["id_"] = f"{record_id}~{copy}"
        fields = node.setdefault("metadata", {})
        fields["title"] = title = f"{fields.get('title', '')} ({copy})"
        if "title" in meta:
            meta["title"] = title
        for related in (node.get("relationships") or {}).values():
            if isinstance(related, dict):
                related["node_id"] = article
                related.setdefault("metadata", {})["title"] = title
        meta["_node_content"] = json.dumps(node)
    return f"{record_id}~{copy}", meta


def ensure_scaled_store(settings: Settings, source: Collection, size: int) -> float:
    """A live generation of ``size`` chunks copied from ``source``; seconds spent building it.

    A store built earlier from the same source records is reused (0 seconds).
    """
    from index.embedding.model import MODEL_NAME
    from index.storage import lexical
    from index.storage.records import documents_of
    from index.storage.store import Store

    page = source.get(include=["embeddings", "documents", "metadatas"])
    ids = list(page["ids"])
    order = sorted(range(len(ids)), key=ids.__getitem__)
    ids = [ids[i] for i in order]
    vectors = np.asarray(page["embeddings"], dtype=np.float32)[order]
    stored = documents_of(page)
    documents = [stored[i] for i in order]
    metadatas = [dict((page["metadatas"] or [])[i]) for i in order]
    fingerprint = _scale_fingerprint(ids, vectors, size)

    store = Store(settings)
    active = store.active()
    if (
        active is not None
        and active.fingerprint == fingerprint
        and (store.lexical_dir(active) / "retriever.json").exists()
    ):
        return 0.0
    started = time.perf_counter()
    reset_store(settings)
    store = Store(settings)
    generation, collection = store.create_generation(after=None)
    rng = np.random.default_rng(_SCALE_VERSION)
    batch = store.client.get_max_batch_size()
    for start, records in _batched(_copies(ids, vectors, documents, metadatas, size, rng), batch):
        del start
        collection.add(
            ids=[r[0] for r in records],
            embeddings=np.stack([r[1] for r in records]),
            documents=[r[2] for r in records] if documents[0] is not None else None,
            metadatas=[r[3] for r in records],
        )
    lexical.build(collection, store.lexical_dir(generation))
    store.activate(
        generation,
        {
            "fingerprint": fingerprint,
            "articles": len({m.get("document_id") for m in metadatas}) * math.ceil(size / len(ids)),
            "chunks": collection.count(),
            "indexed_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "embedding_model": MODEL_NAME,
        },
    )
    return time.perf_counter() - started


def _copies(
    ids: list[str],
    vectors: np.ndarray,
    documents: list[str | None],
    metadatas: list[dict[str, Any]],
    size: int,
    rng: np.random.Generator,
) -> Iterator[tuple[str, np.ndarray, str | None, dict[str, Any]]]:
    made = 0
    copy = 0
    while made < size:
        moved = vectors if copy == 0 else perturbed_copy(vectors, rng, _NOISE)
        for i, record_id in enumerate(ids):
            if made == size:
                return
            new_id, meta = copy_record(record_id, metadatas[i], copy)
            yield new_id, moved[i], documents[i], meta
            made += 1
        copy += 1


def _batched(items: Iterator[Any], size: int) -> Iterator[tuple[int, list[Any]]]:
    batch: list[Any] = []
    start = 0
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield start, batch
            start += size
            batch = []
    if batch:
        yield start, batch


def _scale_fingerprint(ids: list[str], vectors: np.ndarray, size: int) -> str:
    digest = hashlib.sha256("\n".join(ids).encode())
    digest.update(np.round(vectors, 4).tobytes())
    return f"bench-v{_SCALE_VERSION}|{size}|{digest.hexdigest()[:16]}"


def active_collection(settings: Settings) -> Collection:
    from index.storage.store import Store

    store = Store(settings)
    active = store.active()
    if active is None:
        raise CorpusError("The bench index is missing; run the bench again.")
    return store.collection(active)


def measure_hnsw(settings: Settings, questions: Sequence[str]) -> dict[str, Any]:
    """Recall@40 of Chroma's HNSW search against exact search, and its query time, per ef."""
    from index.embedding.model import load_query_embedder
    from index.search.retriever import CANDIDATES
    from index.storage.records import iter_pages
    from index.storage.store import HNSW_SEARCH_EF, Store

    store = Store(settings)
    active = store.active()
    assert active is not None
    collection = store.collection(active)
    ids: list[str] = []
    chunks = []
    for page in iter_pages(collection, ["embeddings"]):
        ids += page["ids"]
        chunks.append(np.asarray(page["embeddings"], dtype=np.float32))
    matrix = np.concatenate(chunks)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    embedder = load_query_embedder()
    queries = np.asarray([embedder.get_query_embedding(q) for q in questions], dtype=np.float32)
    scores = queries @ matrix.T
    top = np.argsort(-scores, axis=1)[:, :CANDIDATES]
    exact = [[ids[j] for j in row] for row in top]
    figures: dict[str, Any] = {}
    try:
        for ef in HNSW_EFS:
            collection = _with_ef_search(settings, collection, ef)
            times = []
            found = []
            for vector in queries:
                started = time.perf_counter()
                hits = collection.query(query_embeddings=[vector], n_results=CANDIDATES)
                times.append((time.perf_counter() - started) * 1000)
                found.append(hits["ids"][0])
            figures[str(ef)] = {
                f"recall@{CANDIDATES}": round(recall_at(found, exact), 4),
                "query_ms_p50": round(percentile(times, 50), 2),
            }
    finally:
        _with_ef_search(settings, collection, HNSW_SEARCH_EF)
    return {"configured_ef": HNSW_SEARCH_EF, "by_ef": figures}


def _with_ef_search(settings: Settings, collection: Collection, ef: int) -> Collection:
    """The collection reopened with HNSW search breadth ``ef``."""
    from chromadb.api.client import SharedSystemClient

    from index.storage.store import Store

    collection.modify(configuration={"hnsw": {"ef_search": ef}})
    # An embedded client keeps the loaded index with its old ef (measured: identical recall
    # at every ef); a fresh client loads it with the new one.
    SharedSystemClient.clear_system_cache()
    store = Store(settings)
    active = store.active()
    assert active is not None
    return store.collection(active)
