"""The composition root: the core's objects built from settings, each on first use.

Settings are read from the environment once, by the `newsbot` entry point; every other
object receives what it needs through its constructor.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.answer.extractive import Answerer
    from index.ingest.pipeline import Indexer
    from index.settings import Settings
    from index.storage.store import Store


class App:
    """What a command needs: the settings, the store, an indexer, the answerer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: Store | None = None
        self._answerer: Answerer | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            from index.storage.store import Store

            self._store = Store(self.settings)
        return self._store

    def indexer(self) -> Indexer:
        from index.embedding.model import load_document_embedder
        from index.ingest.pipeline import Indexer

        return Indexer(self.settings, self.store, lambda: load_document_embedder(self.settings))

    def ask_on(self, today: dt.date | None) -> None:
        """Answer as on ``today`` (before the first question; None keeps the setting)."""
        if today is not None:
            self.settings = self.settings.model_copy(update={"today": today})

    def answerer(self) -> Answerer:
        """The answerer the settings ask for (extractive, or written by a language model)."""
        if self._answerer is None:
            from index.answer.service import build_answerer
            from index.embedding.model import load_query_embedder

            self._answerer = build_answerer(self.settings, self.store, load_query_embedder())
        return self._answerer


def prepare_environment() -> None:
    """Settings of the libraries underneath, which they read from the environment."""
    # The model is a folder inside an installed package; without these, a failed local
    # lookup makes the hub client retry for over a minute instead of failing.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    # numpy's OpenBLAS threads spin-wait on each other: with another process busy on one of
    # the two cores, a 9 ms question embedding took 0.7 s. One thread costs 1-2 ms when idle.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # Model loading prints progress bars and advice meant for library developers.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
