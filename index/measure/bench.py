"""Measuring newsbot's speed, side by side in one run on the same text (`newsbot bench`).

Every figure is measured against its baseline in the same process and minutes, because the
2-core machines are shared and absolute speeds drift with the neighbours' load:

- the raw model (sentence-transformers ``encode`` on the exact texts newsbot embeds) against
  newsbot's full index run over the same articles; the raw model is timed before and after
  the index run and their mean is the baseline;
- a naive llama-index pipeline (``VectorStoreIndex.from_documents``, default settings, the
  same local model, in-memory store) over the same articles;
- a re-index of the unchanged corpus against the full index;
- warm question latency through the bot's own ``Answerer`` at 1k, 10k and 100k chunks. The
  large stores are perturbed copies of the real chunks' vectors (text kept, titles marked
  with their copy number), written straight to Chroma plus BM25 and cached in the data
  directory, so a rerun only measures;
- the serving process's peak memory and the cold start of ``newsbot ask``, as subprocesses
  of a command the caller names (``index/`` knows nothing of the CLI).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.errors import CorpusError

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from index.models import Article
    from index.settings import Settings

Progress = Callable[[str], None]

SCALES = (1_000, 10_000, 100_000)
# Noise per dimension added to a copied unit vector: cosine to the original ~0.9, so copies
# are near their source without being duplicates the HNSW graph would collapse.
_NOISE = 0.025
# Bump when the way scaled stores are made changes: cached ones are rebuilt.
_SCALE_VERSION = 2
_WARMUP_QUESTIONS = 5
_QUESTIONS = 100
_COLD_RUNS = 3
_HNSW_EFS = (50, 100, 400, 1000)


# -- pure helpers -------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, interpolating linearly between ranks.

    Raises:
        ValueError: ``values`` is empty or ``q`` is outside [0, 100].
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside [0, 100]")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


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


# -- the report ---------------------------------------------------------------------------


@dataclass
class BenchReport:
    """Every figure of one bench run; ``to_dict`` is the ``--json`` object."""

    raw_chunks_per_s: float
    ingest_chunks_per_s: float
    ingest_ratio_vs_raw: float
    ingest_ratio_vs_naive: float
    unchanged_reindex_fraction: float
    latency_ms: dict[str, dict[str, float]]
    serve_rss_mib: float
    cold_ask_s: float
    precision: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "raw_chunks_per_s": round(self.raw_chunks_per_s, 2),
            "ingest_chunks_per_s": round(self.ingest_chunks_per_s, 2),
            "ingest_ratio_vs_raw": round(self.ingest_ratio_vs_raw, 3),
            "ingest_ratio_vs_naive": round(self.ingest_ratio_vs_naive, 3),
            "unchanged_reindex_fraction": round(self.unchanged_reindex_fraction, 4),
            "latency_ms": {
                size: {k: round(v, 1) for k, v in figures.items()}
                for size, figures in self.latency_ms.items()
            },
            "serve_rss_mib": round(self.serve_rss_mib, 1),
            "cold_ask_s": round(self.cold_ask_s, 2),
            "precision": self.precision,
            "details": self.details,
        }


@dataclass(frozen=True)
class AskCommand:
    """How to start the `newsbot` command as a subprocess, and the environment it inherits."""

    argv: tuple[str, ...]
    environment: Mapping[str, str]

    def env_for(self, settings: Settings) -> dict[str, str]:
        env = {k: v for k, v in self.environment.items() if not k.startswith("NEWSBOT_CHROMA")}
        env["NEWSBOT_DATA_DIR"] = str(settings.data_dir)
        env["NEWSBOT_COLLECTION"] = settings.collection
        if settings.chroma_host:
            env["NEWSBOT_CHROMA_HOST"] = settings.chroma_host
            env["NEWSBOT_CHROMA_PORT"] = str(settings.chroma_port)
        return env


# -- the whole run ------------------------------------------------------------------------


def run_bench(
    settings: Settings,
    dataset: Path,
    articles: int,
    command: AskCommand,
    progress: Progress = lambda _: None,
) -> BenchReport:
    """Measure everything, side by side, on the first ``articles`` articles of ``dataset``.

    Args:
        settings: The configuration whose speed is measured; the bench writes only under
            ``settings.data_dir / "bench"`` (and collections named after it).
        dataset: A folder with ``corpus.json`` (a list of articles) and optionally
            ``queries.json`` (SQuAD-style questions, used to ask about those articles).
        articles: How many of the dataset's articles to index.
        command: How to start `newsbot` for the cold-start and memory measurements.
        progress: Told what is being measured, one line at a time.

    Raises:
        CorpusError: The dataset cannot be read.
    """
    from index.embedding.model import resolve_precision
    from index.ingest.corpus import load_corpus
    from index.ingest.pipeline import embedded_texts

    precision = resolve_precision(settings.embed_precision)
    root = settings.data_dir / "bench"
    corpus_path = write_subset(dataset / "corpus.json", articles, root / "corpus.json")
    loaded = load_corpus([corpus_path], max_file_bytes=int(settings.max_file_mib * 2**20))
    texts = embedded_texts(settings, loaded.articles)
    questions = bench_questions(dataset, loaded.articles, _QUESTIONS)
    progress(f"{len(loaded.articles)} articles, {len(texts)} chunks, precision {precision}")

    progress("raw model (1/2)…")
    raw_before = measure_raw(settings, texts)
    index_settings = _bench_settings(settings, root / "index", "bench")
    progress("newsbot index (full)…")
    full, again = measure_ingest(index_settings, corpus_path)
    progress("raw model (2/2)…")
    raw_after = measure_raw(settings, texts)
    progress("naive llama-index pipeline…")
    naive_seconds, naive_chunks = measure_naive(settings, loaded.articles)

    raw = (raw_before[0] + raw_after[0]) / 2
    raw_by_tokens = (raw_before[1] + raw_after[1]) / 2
    ingest = full.chunks_embedded / full.seconds
    latency: dict[str, dict[str, float]] = {}
    scale_details: dict[str, Any] = {}
    source = _active_collection(index_settings)
    hnsw: dict[str, Any] = {}
    for size in SCALES:
        scaled = _bench_settings(settings, root / f"scale-{size}", f"bench{size}")
        progress(f"store of {size:,} chunks…")
        built = ensure_scaled_store(scaled, source, size)
        progress(f"latency at {size:,} chunks…")
        figures = measure_latency(scaled, questions)
        latency[str(size)] = {"p50": figures["p50"], "p95": figures["p95"]}
        scale_details[str(size)] = {**figures, "build_s": built}
        if size == SCALES[-1]:
            progress(f"HNSW recall against exact search at {size:,} chunks…")
            hnsw = measure_hnsw(scaled, questions)
    largest = _bench_settings(settings, root / f"scale-{SCALES[-1]}", f"bench{SCALES[-1]}")
    progress(f"serving memory at {SCALES[-1]:,} chunks…")
    rss = measure_serve_rss(command, largest, questions)
    progress("cold start of `newsbot ask`…")
    cold = measure_cold_ask(command, index_settings, questions[0])
    cold_large = measure_cold_ask(command, largest, questions[0], runs=1)
    return BenchReport(
        raw_chunks_per_s=raw,
        ingest_chunks_per_s=ingest,
        ingest_ratio_vs_raw=ingest / raw,
        ingest_ratio_vs_naive=naive_seconds / full.seconds,
        unchanged_reindex_fraction=again.seconds / full.seconds,
        latency_ms=latency,
        serve_rss_mib=rss,
        cold_ask_s=cold,
        precision=precision,
        details={
            "dataset": str(dataset),
            "articles": len(loaded.articles),
            "chunks": len(texts),
            "embed_batch_size": settings.embed_batch_size,
            "raw_chunks_per_s_before_after": [round(raw_before[0], 2), round(raw_after[0], 2)],
            "raw_token_batches_chunks_per_s": round(raw_by_tokens, 2),
            "ingest_ratio_vs_raw_token_batches": round(ingest / raw_by_tokens, 3),
            "full_index_s": round(full.seconds, 2),
            "unchanged_reindex_s": round(again.seconds, 3),
            "naive_index_s": round(naive_seconds, 2),
            "naive_chunks": naive_chunks,
            "questions": len(questions),
            "scales": scale_details,
            "hnsw": hnsw,
            "cold_ask_100000_s": round(cold_large, 2),
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
        },
    )


def _bench_settings(settings: Settings, data_dir: Path, name: str) -> Settings:
    return settings.model_copy(
        update={"data_dir": data_dir, "collection": f"{settings.collection}-{name}"[:40]}
    )


def write_subset(corpus_json: Path, count: int, target: Path) -> Path:
    """The first ``count`` articles of a corpus.json list, written to ``target`` if changed.

    Raises:
        CorpusError: ``corpus_json`` is missing or not a list of articles.
    """
    try:
        articles = json.loads(corpus_json.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise CorpusError(f"Cannot read the bench articles in {corpus_json}: {e}") from e
    if not isinstance(articles, list) or not articles:
        raise CorpusError(f"{corpus_json} should hold a list of articles.")
    text = json.dumps(articles[:count], ensure_ascii=False)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return target


def bench_questions(dataset: Path, articles: Sequence[Article], count: int) -> list[str]:
    """Up to ``count`` questions of the dataset about ``articles`` (seeded, reproducible)."""
    titles = {a.title for a in articles}
    path = dataset / "queries.json"
    questions: list[str] = []
    if path.exists():
        queries = json.loads(path.read_text(encoding="utf-8"))
        questions = [q["question"] for q in queries if q.get("gold_title") in titles]
    if not questions:  # no question set: ask about each article's opening words
        questions = [f"What about {' '.join(a.body.split()[:6])}?" for a in articles]
    random.Random(0).shuffle(questions)
    return questions[:count]


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


# -- throughput ---------------------------------------------------------------------------


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

    _reset(settings)
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


# -- scale ------------------------------------------------------------------------------


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
    _reset(settings)
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


def _active_collection(settings: Settings) -> Collection:
    from index.storage.store import Store

    store = Store(settings)
    active = store.active()
    if active is None:
        raise CorpusError("The bench index is missing; run the bench again.")
    return store.collection(active)


def _reset(settings: Settings) -> None:
    """Remove a bench store entirely: its collections and its local files."""
    from index.storage.store import Store

    store = Store(settings)
    prefix = settings.collection
    for collection in store.client.list_collections():
        name = collection if isinstance(collection, str) else collection.name
        if name == f"{prefix}-state" or name.startswith(f"{prefix}-g"):
            store.client.delete_collection(name)
    for folder in ("docstore", "bm25"):
        shutil.rmtree(settings.data_dir / folder, ignore_errors=True)


# -- latency ----------------------------------------------------------------------------


def measure_latency(settings: Settings, questions: Sequence[str]) -> dict[str, float]:
    """Warm latency of ``Answerer.ask`` (retrieve + answer), as the bot calls it, in ms."""
    from index.answer.extractive import Answerer
    from index.embedding.model import load_query_embedder
    from index.search.retriever import Retriever
    from index.storage.store import Store

    answerer = Answerer(settings, Retriever(Store(settings), load_query_embedder()))
    started = time.perf_counter()
    answerer.ask(questions[0])  # opens the generation and loads BM25
    first = time.perf_counter() - started
    for question in questions[1:_WARMUP_QUESTIONS]:
        answerer.ask(question)
    times = []
    found = 0
    for question in questions:
        started = time.perf_counter()
        answer = answerer.ask(question)
        times.append((time.perf_counter() - started) * 1000)
        found += answer.found
    return {
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "first_question_s": round(first, 2),
        "answered": round(found / len(questions), 3),
    }


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
        for ef in _HNSW_EFS:
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


# -- processes --------------------------------------------------------------------------


def measure_serve_rss(command: AskCommand, settings: Settings, questions: Sequence[str]) -> float:
    """Peak resident memory (MiB) of a `newsbot ask --json -` process answering ``questions``."""
    process = subprocess.Popen(
        [*command.argv, "ask", "--json", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=command.env_for(settings),
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        for question in questions:
            process.stdin.write(question + "\n")
            process.stdin.flush()
            process.stdout.readline()
        peak = _peak_rss_mib(process.pid)
    finally:
        process.stdin.close()
        process.wait(timeout=120)
    if process.returncode != 0:
        raise RuntimeError(f"`newsbot ask --json -` exited with status {process.returncode}")
    return peak


def _peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


def measure_cold_ask(
    command: AskCommand, settings: Settings, question: str, runs: int = _COLD_RUNS
) -> float:
    """Median seconds from starting `newsbot ask --json QUESTION` to its answer and exit."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(
            [*command.argv, "ask", "--json", question],
            capture_output=True,
            text=True,
            env=command.env_for(settings),
            timeout=300,
        )
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise RuntimeError(f"`newsbot ask` failed: {result.stderr.strip()[-300:]}")
    return statistics.median(times)
