"""Answering speed and footprint: warm question latency in process, and the memory and cold
start of a `newsbot ask` process, started through a command the caller names."""

from __future__ import annotations

import math
import statistics
import subprocess
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.measure.bench import AskCommand
    from index.settings import Settings

_WARMUP_QUESTIONS = 5
_COLD_RUNS = 3


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


def measure_latency(settings: Settings, questions: Sequence[str]) -> dict[str, float]:
    """Warm latency of ``Answerer.ask`` (retrieve + answer), as the bot calls it, in ms."""
    from chromadb.api.client import SharedSystemClient

    from index.answer.extractive import Answerer
    from index.embedding.model import load_query_embedder
    from index.search.retriever import Retriever
    from index.storage.store import Store

    # The store was just written by this process, whose Chroma system still holds its HNSW
    # graph: the first question is timed with the graph loaded anew, as after a start.
    SharedSystemClient.clear_system_cache()
    answerer = Answerer(settings, Retriever(Store(settings), load_query_embedder()))
    started = time.perf_counter()
    answerer.ask(questions[0])  # opens the generation: Chroma's graph, BM25's files
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


def measure_serving(
    command: AskCommand, settings: Settings, questions: Sequence[str]
) -> dict[str, float]:
    """A `newsbot ask --json -` process answering ``questions``: its peak resident memory
    (MiB) and the seconds from its start to its first answer."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command.argv, "ask", "--json", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=command.env_for(settings),
    )
    assert process.stdin is not None and process.stdout is not None
    first = 0.0
    try:
        for question in questions:
            process.stdin.write(question + "\n")
            process.stdin.flush()
            process.stdout.readline()
            first = first or time.perf_counter() - started
        peak = _peak_rss_mib(process.pid)
    finally:
        process.stdin.close()
        process.wait(timeout=300)
    if process.returncode != 0:
        raise RuntimeError(f"`newsbot ask --json -` exited with status {process.returncode}")
    return {"peak_rss_mib": round(peak, 1), "first_answer_s": round(first, 2)}


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
