"""Running a re-index in a child process, so the bot's own process never loads torch.

Measured on the 2-core target: importing torch and sentence-transformers and loading the
model in a worker *thread* of the bot stalled its event loop eight times in eight seconds,
for up to 280 ms each (the import holds the GIL). In a child process nothing of it touches
the bot: the child runs the core's :class:`~index.ingest.pipeline.Indexer` exactly as
`newsbot index` would (the same lock, the same atomic publication of a new generation,
which the bot's retriever picks up), sends its progress back through a queue, and exits,
returning the model's memory. A child killed half-way leaves the previous index serving,
like a killed `newsbot index`.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from index.errors import IndexingError, NewsbotError
from index.models import IndexProgress, IndexSummary
from index.settings import Settings

log = logging.getLogger(__name__)

ProgressCallback = Callable[[IndexProgress], None]
# The re-index process's scheduling priority, below the bot's (0).
_NICENESS = 10


class IndexerProcess:
    """Same ``run(paths, progress)`` as the core's Indexer, done in a spawned process."""

    def __init__(self, settings: Settings, *, poll_seconds: float = 0.5) -> None:
        # Only the core's settings cross over: the child needs no Discord token.
        self._settings = Settings.model_validate(
            settings.model_dump(include=set(Settings.model_fields))
        )
        self._poll = poll_seconds
        self._stopping = threading.Event()

    def stop(self) -> None:
        """End a running re-index (the bot is shutting down); its run() raises."""
        self._stopping.set()

    def run(
        self, paths: Sequence[Path] | None = None, progress: ProgressCallback | None = None
    ) -> IndexSummary:
        """Re-index in a child process; blocks the calling thread until it is done.

        Raises:
            NewsbotError: What the core's ``Indexer.run`` raised, with its message.
            IndexingError: The child process died without saying why.
        """
        context = multiprocessing.get_context("spawn")  # no fork of a threaded process
        messages: Any = context.Queue()
        child = context.Process(
            target=_reindex,
            args=(self._settings, list(paths) if paths else None, messages, _log_level()),
            name="newsbot-reindex",
            daemon=True,  # never outlives the bot
        )
        child.start()
        try:
            while True:
                if self._stopping.is_set():
                    child.terminate()
                    raise IndexingError(
                        "The re-index was stopped; the previous index is still answering."
                    )
                try:
                    kind, payload = messages.get(timeout=self._poll)
                except queue.Empty:
                    if not child.is_alive():
                        raise IndexingError(
                            f"The re-index process stopped unexpectedly (exit code "
                            f"{child.exitcode}); the previous index is still answering."
                        ) from None
                    continue
                if kind == "progress":
                    if progress is not None:
                        progress(payload)
                elif kind == "done":
                    return payload
                else:
                    raise NewsbotError(payload)
        finally:
            # The child is done with the index once it has answered; it may still be
            # exiting (freeing the model), which nobody needs to wait for.
            child.join(timeout=self._poll)
            messages.close()


def _log_level() -> int:
    return logging.getLogger().getEffectiveLevel()


def _reindex(settings: Settings, paths: list[Path] | None, messages: Any, log_level: int) -> None:
    """The child process: the core's Indexer, reporting through ``messages``."""
    logging.basicConfig(
        level=log_level, format="%(asctime)s %(levelname)s %(name)s[reindex]: %(message)s"
    )
    # Re-indexing is background work: on a 2-core machine the model's threads would
    # otherwise take the cores from the bot's event loop and its answers.
    with contextlib.suppress(OSError):
        os.nice(_NICENESS)
    from index.embedding.model import load_document_embedder
    from index.ingest.pipeline import Indexer
    from index.storage.store import Store

    indexer = Indexer(settings, Store(settings), lambda: load_document_embedder(settings))
    try:
        summary = indexer.run(paths, progress=lambda p: messages.put(("progress", p)))
    except NewsbotError as e:
        # Only the message crosses: some error classes cannot be rebuilt from a pickle.
        logging.getLogger(__name__).warning("re-index failed: %s", e)
        messages.put(("error", str(e)))
    except BaseException as e:
        logging.getLogger(__name__).exception("re-index failed")
        messages.put(("error", f"The re-index failed ({type(e).__name__}: {e})."))
    else:
        messages.put(("done", summary))
    finally:
        messages.close()
        messages.join_thread()
