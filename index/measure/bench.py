"""Measuring newsbot's speed, side by side in one run on the same text (`newsbot bench`).

Every figure is measured against its baseline in the same process and minutes, because the
2-core machines are shared and absolute speeds drift with the neighbours' load:

- the raw model (sentence-transformers ``encode`` on the exact texts newsbot embeds) against
  newsbot's full index run over the same articles, in turns (raw, index, raw, index, raw,
  index, raw): each index run's baseline is the mean of the raw runs either side, and the
  round with the median ratio is the headline;
- a naive llama-index pipeline (``VectorStoreIndex.from_documents``, default settings, the
  same local model, in-memory store) over the same articles;
- a re-index of the unchanged corpus against the full index;
- in stores of 1k, 10k and 100k chunks (``--scales``; a million works too): warm question
  latency through the bot's own ``Answerer``, the first question's time, the serving
  process's peak memory, disk (Chroma and BM25) and HNSW recall of the exact top 40 for the
  bench's real questions. The large stores are indexed by newsbot's Indexer from copies of
  the articles, with perturbed copies of the real chunks' vectors standing in for the model
  (``scale.py``), and cached in the data directory, so a rerun only measures;
- in each of those stores, a re-index after editing one article, embedded by the real
  model (already loaded), beside the full index of the articles;
- the data directory after 50 one-article edits of a 10k-chunk corpus against a clean index
  of it (``churn.py``);
- the serving process's peak memory and the cold start of ``newsbot ask``, as subprocesses
  of a command the caller names (``index/`` knows nothing of the CLI).
"""

from __future__ import annotations

import json
import os
import random
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.errors import CorpusError
from index.measure.churn import measure_churn, news_articles
from index.measure.latency import (
    measure_cold_ask,
    measure_latency,
    measure_serving,
    percentile,
)
from index.measure.scale import (
    HNSW_EFS,
    active_collection,
    chunk_counts,
    disk_use,
    ensure_scaled_store,
    measure_hnsw,
    perturbed_copy,
    recall_at,
    scale_settings,
    source_vectors,
)
from index.measure.throughput import measure_ingest, measure_naive, measure_raw
from index.measure.workspace import measure_settings

if TYPE_CHECKING:
    from index.models import Article
    from index.settings import Settings

Progress = Callable[[str], None]

# The pure helpers are named here too, where the bench's tests look for them.
__all__ = ["IndexRounds", "percentile", "perturbed_copy", "recall_at"]

SCALES = (1_000, 10_000, 100_000)
_QUESTIONS = 100
CHURN_CHUNKS = 10_000
CHURN_EDITS = 50
_EDIT_MARK = " This article was edited for the bench."
EDIT_RUNS = 3
# Full index runs that alternate with the bare model: one pair's ratio moved from 0.70 to 0.94
# between two runs of the same code (the model's own speed drifts by a fifth within minutes).
INDEX_ROUNDS = 3


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
    one_article_edit: dict[str, dict[str, float]] = field(default_factory=dict)
    disk_after_edits: dict[str, Any] = field(default_factory=dict)
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
            "one_article_edit": self.one_article_edit,
            "disk_after_edits": self.disk_after_edits,
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
    scales: Sequence[int] = SCALES,
    other_precisions: Sequence[str] = (),
    index_rounds: int = INDEX_ROUNDS,
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
        scales: Store sizes (chunks) at which questions are timed; the largest also gives
            the HNSW recall, the serving memory and a cold start.
        other_precisions: Embedding precisions ("fp32", "bf16") whose indexing is also
            measured against the bare model at that precision, in the same run.
        index_rounds: How many full index runs alternate with runs of the bare model; the
            round with the median ratio gives the headline.

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
    index_settings = measure_settings(settings, root / "index", "bench")
    indexing = _measure_indexing(
        settings, index_settings, corpus_path, loaded.articles, texts, progress, index_rounds
    )
    by_precision = {
        other: _measure_precision(settings, other, root, corpus_path, texts, progress, index_rounds)
        for other in other_precisions
        if resolve_precision(other) != precision
    }
    vectors = source_vectors(active_collection(index_settings))
    items = json.loads(corpus_path.read_text(encoding="utf-8"))
    counts = chunk_counts(settings, loaded.articles)
    latency, edits, details = _measure_scales(
        settings, root, vectors, (items, counts), questions, scales, command, progress
    )
    progress(f"disk after {CHURN_EDITS} one-article edits…")
    churn = _measure_disk(settings, dataset, min(CHURN_CHUNKS, scales[-1]), root / "churn")
    largest = scale_settings(settings, root, scales[-1])
    rss = details["scales"][str(scales[-1])]["serve_rss_mib"]
    progress("cold start of `newsbot ask`…")
    cold = measure_cold_ask(command, index_settings, questions[0])
    cold_large = measure_cold_ask(command, largest, questions[0], runs=1)
    return BenchReport(
        raw_chunks_per_s=indexing.pop("raw"),
        ingest_chunks_per_s=indexing.pop("ingest"),
        ingest_ratio_vs_raw=indexing.pop("ratio_vs_raw"),
        ingest_ratio_vs_naive=indexing.pop("ratio_vs_naive"),
        unchanged_reindex_fraction=indexing.pop("unchanged_fraction"),
        latency_ms=latency,
        serve_rss_mib=rss,
        cold_ask_s=cold,
        precision=precision,
        one_article_edit=edits,
        disk_after_edits=churn,
        details={
            "dataset": str(dataset),
            "articles": len(loaded.articles),
            "chunks": len(texts),
            "embed_batch_size": settings.embed_batch_size,
            **indexing,
            "indexing_by_precision": by_precision,
            "questions": len(questions),
            **details,
            f"cold_ask_{scales[-1]}_s": round(cold_large, 2),
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
        },
    )


@dataclass(frozen=True)
class IndexRounds:
    """The bare model and full `newsbot index` runs in turn: raw, index, raw, index, ..., raw."""

    raws: list[tuple[float, float]]  # (plain, by token batches) chunks/s, one more than runs
    runs: list[Any]  # each round's full index summary
    agains: list[Any]  # each round's re-index of the unchanged corpus

    def ratio(self, k: int) -> float:
        """Round ``k``'s indexing speed against the bare model just before and after it."""
        return float(self.runs[k].chunks_embedded / self.runs[k].seconds / self.raw(k))

    def raw(self, k: int, which: int = 0) -> float:
        return (self.raws[k][which] + self.raws[k + 1][which]) / 2

    @property
    def median(self) -> int:
        """The round whose ratio is the median (the lower middle one of an even count)."""
        order = sorted(range(len(self.runs)), key=self.ratio)
        return order[(len(order) - 1) // 2]

    @property
    def again(self) -> Any:
        """The unchanged re-index that followed the median round's full index."""
        return self.agains[self.median]


def _model_around_index(
    settings: Settings,
    index_settings: Settings,
    corpus_path: Path,
    texts: list[str],
    progress: Progress,
    rounds: int,
) -> IndexRounds:
    """The bare model (:func:`measure_raw`) before, between and after ``rounds`` full
    `newsbot index` runs, so that each run's baseline is the minutes around it."""
    raws = []
    runs = []
    agains = []
    for k in range(rounds):
        progress(f"raw model ({k + 1}/{rounds + 1})…")
        raws.append(measure_raw(settings, texts))
        progress(f"newsbot index, full ({k + 1}/{rounds})…")
        full, again = measure_ingest(index_settings, corpus_path)
        runs.append(full)
        agains.append(again)
    progress(f"raw model ({rounds + 1}/{rounds + 1})…")
    raws.append(measure_raw(settings, texts))
    return IndexRounds(raws, runs, agains)


def _measure_precision(
    settings: Settings,
    precision: str,
    root: Path,
    corpus_path: Path,
    texts: list[str],
    progress: Progress,
    rounds: int,
) -> dict[str, Any]:
    """The bare model and full `newsbot index` runs at another embedding precision."""
    at = settings.model_copy(update={"embed_precision": precision})
    measured = _model_around_index(
        at,
        measure_settings(at, root / f"index-{precision}", "bench"),
        corpus_path,
        texts,
        lambda line: progress(f"{precision}: {line}"),
        rounds,
    )
    k = measured.median
    full = measured.runs[k]
    return {
        "raw_chunks_per_s": round(measured.raw(k), 2),
        "ingest_chunks_per_s": round(full.chunks_embedded / full.seconds, 2),
        "ingest_ratio_vs_raw": round(measured.ratio(k), 3),
        "ingest_ratio_by_round": [round(measured.ratio(i), 3) for i in range(rounds)],
    }


def _measure_indexing(
    settings: Settings,
    index_settings: Settings,
    corpus_path: Path,
    articles: Sequence[Article],
    texts: list[str],
    progress: Progress,
    rounds: int,
) -> dict[str, Any]:
    """Full index runs between runs of the raw model (the headline is the median round), a
    re-index of the unchanged corpus, and the naive pipeline: the headline figures and their
    details."""
    measured = _model_around_index(settings, index_settings, corpus_path, texts, progress, rounds)
    progress("naive llama-index pipeline…")
    naive_seconds, naive_chunks = measure_naive(settings, articles)
    k = measured.median
    full = measured.runs[k]
    ingest = full.chunks_embedded / full.seconds
    raw_by_tokens = measured.raw(k, which=1)
    return {
        "raw": measured.raw(k),
        "ingest": ingest,
        "ratio_vs_raw": measured.ratio(k),
        "ratio_vs_naive": naive_seconds / full.seconds,
        "unchanged_fraction": measured.again.seconds / full.seconds,
        "index_rounds": rounds,
        "median_round": k + 1,
        "raw_chunks_per_s_by_turn": [round(plain, 2) for plain, _ in measured.raws],
        "ingest_ratio_by_round": [round(measured.ratio(i), 3) for i in range(rounds)],
        "raw_token_batches_chunks_per_s": round(raw_by_tokens, 2),
        "ingest_ratio_vs_raw_token_batches": round(ingest / raw_by_tokens, 3),
        "full_index_s": round(full.seconds, 2),
        "full_index_s_by_round": [round(run.seconds, 2) for run in measured.runs],
        "unchanged_reindex_s": round(measured.again.seconds, 3),
        "naive_index_s": round(naive_seconds, 2),
        "naive_chunks": naive_chunks,
    }


def _measure_scales(
    settings: Settings,
    root: Path,
    vectors: dict[str, Any],
    articles: tuple[list[dict[str, Any]], list[int]],
    questions: list[str],
    scales: Sequence[int],
    command: AskCommand,
    progress: Progress,
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]], dict[str, Any]]:
    """In a store of each size: its build (or that it was cached), question latency, the
    serving process's memory and first answer, disk use, HNSW recall at the configured
    search breadth and a one-article edit; recall at every breadth in the largest."""
    from index.embedding.model import load_document_embedder

    embedder = load_document_embedder(settings)
    latency: dict[str, dict[str, float]] = {}
    edits: dict[str, dict[str, float]] = {}
    scale_details: dict[str, Any] = {}
    hnsw: dict[str, Any] = {}
    for size in scales:
        scaled = scale_settings(settings, root, size)
        progress(f"store of {size:,} chunks…")
        built, corpus = ensure_scaled_store(scaled, vectors, articles[0], articles[1], size)
        progress(f"store of {size:,} chunks: " + (f"built in {built:.0f} s" if built else "cached"))
        progress(f"latency at {size:,} chunks…")
        figures = measure_latency(scaled, questions)
        latency[str(size)] = {"p50": figures["p50"], "p95": figures["p95"]}
        progress(f"serving process at {size:,} chunks…")
        serving = measure_serving(command, scaled, questions)
        progress(f"HNSW recall at {size:,} chunks…")
        recall = measure_hnsw(scaled, questions)["by_ef"]
        scale_details[str(size)] = {
            **figures,
            "build_s": round(built, 1),
            "cached": not built,
            "serve_rss_mib": serving["peak_rss_mib"],
            "serve_first_answer_s": serving["first_answer_s"],
            **disk_use(scaled),
            "hnsw": next(iter(recall.values())),
        }
        progress(f"at {size:,} chunks: {json.dumps(scale_details[str(size)])}")
        progress(f"a one-article edit at {size:,} chunks…")
        edits[str(size)] = measure_edit(scaled, corpus, embedder)
        if size == scales[-1]:
            progress(f"HNSW recall against exact search at {size:,} chunks…")
            hnsw = measure_hnsw(scaled, questions, HNSW_EFS)
    return latency, edits, {"scales": scale_details, "hnsw": hnsw}


def _measure_disk(settings: Settings, dataset: Path, chunks: int, root: Path) -> dict[str, Any]:
    """The data directory after one-article edits of a news-sized corpus (``churn.py``)."""
    items = json.loads((dataset / "corpus.json").read_text(encoding="utf-8"))
    return measure_churn(settings, news_articles(items, chunks), CHURN_EDITS, root)


def measure_edit(
    settings: Settings, corpus: Path, embedder: Any, runs: int = EDIT_RUNS
) -> dict[str, Any]:
    """A re-index after editing the first article of ``corpus`` (a .jsonl file), embedded by
    ``embedder``, ``runs`` times (a sentence appended, removed, appended again): the median
    seconds, the chunks the last one embedded and kept, and the store's chunks."""
    from index.ingest.pipeline import Indexer
    from index.storage.store import Store

    store = Store(settings)
    seconds = []
    embedded = reused = updated = 0
    for _ in range(runs):
        lines = corpus.read_text(encoding="utf-8").splitlines()
        first = json.loads(lines[0])
        body = str(first["body"])
        edited = body.endswith(_EDIT_MARK)
        first["body"] = body[: -len(_EDIT_MARK)] if edited else body + _EDIT_MARK
        lines[0] = json.dumps(first, ensure_ascii=False)
        corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
        summary = Indexer(settings, store, lambda: embedder).run([corpus])
        seconds.append(summary.seconds)
        embedded, reused = summary.chunks_embedded, summary.chunks_reused
        updated = summary.updated
    active = store.active()
    return {
        "seconds": round(statistics.median(seconds), 3),
        "runs_s": [round(s, 3) for s in seconds],
        "chunks_embedded": embedded,
        "chunks_reused": reused,
        "updated": updated,
        "chunks": active.chunks if active else 0,
    }


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
