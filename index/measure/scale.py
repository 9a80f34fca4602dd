"""Stores of 1k to 100k chunks for measuring questions and edits at scale, and HNSW recall.

A scaled store is indexed by newsbot's own Indexer from copies of the bench's articles
(copy c of an article has its own url and the title "<title> (c)"; its text is the same),
so it is exactly what `newsbot index` would make of such a corpus: collection, docstore,
BM25 and generations. Only the model is replaced: :class:`CopiedVectors` gives each chunk
its source chunk's vector (copy 0) or a perturbed copy of it (unit noise, cosine ~0.9), so
a 100k store takes minutes rather than the model's hour. It is cached in the data
directory: a rerun finds the corpus unchanged and only measures.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from llama_index.core.schema import TransformComponent

from index.errors import CorpusError
from index.measure.latency import percentile

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from llama_index.core.schema import BaseNode

    from index.models import Article
    from index.settings import Settings

# Noise per dimension added to a copied unit vector: cosine to the original ~0.9, so copies
# are near their source without being duplicates the HNSW graph would collapse.
_NOISE = 0.025
_COPY_MARK = "~"
HNSW_EFS = (50, 100, 400, 1000)
_WAIT_SECONDS = 15.0
# A scaled corpus file takes about 290 bytes a chunk (bench articles, one JSON line each).
_FILE_MIB_PER_CHUNK = 2 * 290 / 2**20


def perturbed_copy(vectors: np.ndarray, rng: np.random.Generator, noise: float) -> np.ndarray:
    """Unit vectors near each row of ``vectors``: Gaussian noise added, then renormalised."""
    moved = vectors + rng.normal(0.0, noise, size=vectors.shape).astype(vectors.dtype)
    norms = np.linalg.norm(moved, axis=1, keepdims=True)
    return moved / np.where(norms == 0, 1.0, norms)


def recall_at(found: Sequence[Sequence[str]], exact: Sequence[Sequence[str]]) -> float:
    """Mean share of each exact top-k that an approximate search also returned."""
    shares = [len(set(f) & set(e)) / len(e) for f, e in zip(found, exact, strict=True) if e]
    return sum(shares) / len(shares) if shares else 0.0


def copy_article(article: Mapping[str, Any], copy: int) -> dict[str, Any]:
    """Copy number ``copy`` of an article (a corpus.json item; copy 0 is the article itself):
    its own url (hence its own id) and a title that says which copy it is."""
    if copy == 0:
        return dict(article)
    return {
        **article,
        "url": f"{article.get('url', '')}{_COPY_MARK}{copy}",
        "title": f"{article.get('title', '')} ({copy})",
    }


def source_of(node_id: str) -> tuple[str, int]:
    """The source chunk's node id of a copied chunk, and the copy number."""
    article, mark, rest = node_id.partition("#s")
    base, copy_mark, copy = article.rpartition(_COPY_MARK)
    if copy_mark and copy.isdigit():
        return f"{base}{mark}{rest}", int(copy)
    return node_id, 0


class CopiedVectors(TransformComponent):
    """Stands in for the embedding model: each chunk gets its source chunk's stored vector,
    perturbed for copies (deterministically, by node id)."""

    vectors: dict[str, Any]

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        for node in nodes:
            source, copy = source_of(node.node_id)
            vector = np.asarray(self.vectors[source], dtype=np.float32)[None, :]
            if copy:
                rng = np.random.default_rng(zlib.crc32(node.node_id.encode()))
                vector = perturbed_copy(vector, rng, _NOISE)
            node.embedding = vector[0].tolist()
        return nodes


def scaled_corpus(
    articles: Sequence[Mapping[str, Any]], chunks: Sequence[int], size: int
) -> list[dict[str, Any]]:
    """Copies of ``articles`` (whose chunk counts are ``chunks``) until ``size`` chunks."""
    out: list[dict[str, Any]] = []
    total = copy = 0
    while total < size:
        for article, count in zip(articles, chunks, strict=True):
            if total >= size:
                break
            out.append(copy_article(article, copy))
            total += count
        copy += 1
    return out


def scale_settings(settings: Settings, root: Path, size: int) -> Settings:
    """The settings of the bench's store of ``size`` chunks under ``root``: its own data
    directory and collection, and a file limit its one corpus file fits (a million chunks of
    copies make a 280 MB file; ``max_file_mib`` is the corpus loader's guard, not the store's)."""
    from index.measure.workspace import measure_settings

    return measure_settings(
        settings,
        root / f"scale-{size}",
        f"bench{size}",
        max_file_mib=max(settings.max_file_mib, _FILE_MIB_PER_CHUNK * size),
    )


def ensure_scaled_store(
    settings: Settings,
    vectors: dict[str, Any],
    articles: Sequence[Mapping[str, Any]],
    chunk_counts: Sequence[int],
    size: int,
) -> tuple[float, Path]:
    """A store of about ``size`` chunks of copies of ``articles`` (whose chunks' vectors,
    by node id, are ``vectors``: :func:`source_vectors`), indexed by the Indexer into
    ``settings``' data directory: seconds spent building it (0 when it was there) and the
    corpus file it mirrors."""
    from index.ingest.pipeline import Indexer
    from index.storage.store import Store

    corpus = settings.data_dir / "corpus.jsonl"
    write_jsonl(scaled_corpus(articles, chunk_counts, size), corpus)
    indexer = Indexer(settings, Store(settings), lambda: CopiedVectors(vectors=vectors))
    started = time.perf_counter()
    summary = _run_when_free(lambda: indexer.run([corpus]))
    built = time.perf_counter() - started if summary.chunks_embedded else 0.0
    settle(settings, lambda: _run_when_free(lambda: indexer.run([corpus])))
    _add_vectors(settings)
    return built, corpus


def _add_vectors(settings: Settings) -> None:
    """Give a store cached before the main index kept its vectors their file (80 s at a
    million chunks, against an hour to build the store again)."""
    from index.storage import manifest
    from index.storage.store import Store

    store = Store(settings)
    active = store.active()
    if active is None:
        return
    files = store.files(active.collection)
    manifest.add_missing_vectors(store.collection(active), files, active.number)


def _run_when_free(run: Callable[[], Any]) -> Any:
    """``run()``, after waiting for another process's run on the same store to end (a large
    store may be built by a separate process while the bench measures the smaller ones)."""
    from index.errors import ReindexInProgressError

    while True:
        try:
            return run()
        except ReindexInProgressError:
            time.sleep(_WAIT_SECONDS)


def settle(settings: Settings, reindex: Callable[[], Any]) -> None:
    """Leave the store as it stands between edits: once no reader can see the chunks an edit
    replaced, a re-index with nothing to do purges them (questions meanwhile skip them, at
    the cost of a second Chroma query for those that meet them)."""
    from index.storage.generations import PURGE_GRACE_SECONDS, flips_of
    from index.storage.store import Store

    active = Store(settings).active()
    if active is None or not active.hidden:
        return
    flipped = max((t for _, t in flips_of(active.info)), default=0.0)
    time.sleep(max(0.0, flipped + PURGE_GRACE_SECONDS + 0.5 - time.time()))
    reindex()


def write_jsonl(articles: Sequence[Mapping[str, Any]], path: Path) -> None:
    """``articles`` as a .jsonl file at ``path``, written only when it changed."""
    text = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def source_vectors(collection: Collection) -> dict[str, Any]:
    """Every stored chunk's vector, by node id."""
    from index.storage.records import iter_pages, node_id_of

    vectors: dict[str, Any] = {}
    for page in iter_pages(collection, ["embeddings"]):
        for chroma_id, vector in zip(page["ids"], page["embeddings"], strict=True):  # type: ignore[arg-type]
            vectors[node_id_of(chroma_id)] = vector
    return vectors


def chunk_counts(settings: Settings, articles: Sequence[Article]) -> list[int]:
    """How many chunks each article makes."""
    from index.ingest.pipeline import embedded_texts

    return [len(embedded_texts(settings, [a])) for a in articles]


def active_collection(settings: Settings) -> Collection:
    from index.storage.store import Store

    store = Store(settings)
    active = store.active()
    if active is None:
        raise CorpusError("The bench index is missing; run the bench again.")
    return store.collection(active)


def measure_hnsw(
    settings: Settings, questions: Sequence[str], efs: Sequence[int] | None = None
) -> dict[str, Any]:
    """Recall@40 of Chroma's HNSW search against exact search, and its query time, for the
    bench's real questions embedded by the model; at each ``efs`` (default: the configured
    search breadth only, without reopening the collection)."""
    from index.embedding.model import load_query_embedder
    from index.search.retriever import CANDIDATES
    from index.storage.store import HNSW_SEARCH_EF

    collection = active_collection(settings)
    embedder = load_query_embedder()
    queries = np.asarray([embedder.get_query_embedding(q) for q in questions], dtype=np.float32)
    exact = exact_top(collection, queries, CANDIDATES)
    figures: dict[str, Any] = {}
    try:
        for ef in efs or (HNSW_SEARCH_EF,):
            if efs is not None:
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
        if efs is not None:
            _with_ef_search(settings, collection, HNSW_SEARCH_EF)
    return {"configured_ef": HNSW_SEARCH_EF, "by_ef": figures}


def exact_top(collection: Collection, queries: np.ndarray, k: int) -> list[list[str]]:
    """The ids of each query's ``k`` nearest stored vectors by cosine, searched exactly, a
    page of the collection at a time (a million vectors are not held at once)."""
    from index.storage.records import iter_pages

    best_scores = np.full((len(queries), 0), -np.inf, dtype=np.float32)
    best_ids = np.empty((len(queries), 0), dtype=object)
    for page in iter_pages(collection, ["embeddings"]):
        matrix = np.asarray(page["embeddings"], dtype=np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        scores = np.concatenate([best_scores, queries @ matrix.T], axis=1)
        page_ids = np.tile(np.array(page["ids"], dtype=object), (len(queries), 1))
        ids = np.concatenate([best_ids, page_ids], axis=1)
        keep = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        best_scores = np.take_along_axis(scores, keep, axis=1)
        best_ids = np.take_along_axis(ids, keep, axis=1)
    return [list(row) for row in best_ids]


def disk_use(settings: Settings) -> dict[str, float]:
    """MB on disk of a store's Chroma folder and of its BM25 files (main indexes, manifests)."""
    from index.storage.store import Store

    store = Store(settings)
    active = store.active()
    chroma = settings.data_dir / "chroma"
    bm25 = 0
    if active is not None:
        files = store.files(active.collection)
        bm25 = sum(
            _size(path)
            for path in files.iterdir()
            if path.name.startswith("bm25-") or path.name.endswith(".bm25.json")
        )
    return {"chroma_mb": round(_size(chroma.resolve()) / 1e6, 1), "bm25_mb": round(bm25 / 1e6, 1)}


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _with_ef_search(settings: Settings, collection: Collection, ef: int) -> Collection:
    """The collection reopened with HNSW search breadth ``ef``."""
    from chromadb.api.client import SharedSystemClient

    collection.modify(configuration={"hnsw": {"ef_search": ef}})
    # An embedded client keeps the loaded index with its old ef (measured: identical recall
    # at every ef); a fresh client loads it with the new one.
    SharedSystemClient.clear_system_cache()
    return active_collection(settings)
