from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SEED_ARTICLE = REPO / "corpus" / "armenia-azerbaijan-talks.md"
SHARED_EVAL = REPO.parent / "shared" / "eval"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def _no_newsbot_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up the developer's NEWSBOT_* settings (or their Discord token)."""
    for name in list(os.environ):
        if name.startswith("NEWSBOT_"):
            monkeypatch.delenv(name)


@pytest.fixture
def settings(tmp_path: Path) -> Any:
    from index.settings import Settings

    return Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "corpus")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus folder holding the seed article."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder)
    return folder


@pytest.fixture(scope="session")
def document_embedder() -> Any:
    from index.embedding.model import load_document_embedder
    from index.settings import Settings

    return load_document_embedder(Settings())


@pytest.fixture(scope="session")
def query_embedder() -> Any:
    from index.embedding.model import load_query_embedder

    return load_query_embedder()


@pytest.fixture
def make_indexer(document_embedder: Any) -> Callable[..., Any]:
    from index.ingest.pipeline import Indexer
    from index.storage.store import Store

    def make(settings: Any, embedder: Any = None) -> Any:
        return Indexer(settings, Store(settings), lambda: embedder or document_embedder)

    return make


@pytest.fixture
def make_answerer(query_embedder: Any) -> Callable[..., Any]:
    from index.answer.extractive import Answerer
    from index.search.retriever import Retriever
    from index.storage.store import Store

    def make(settings: Any) -> Any:
        return Answerer(settings, Retriever(Store(settings), query_embedder))

    return make
