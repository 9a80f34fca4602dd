"""What newsbot leaves on disk, with a real embedded Chroma: no HNSW folder of a deleted
collection (chroma#5259), and a data directory that stays the size of a clean index after
many small re-indexes (the tiny version of `newsbot bench`'s measurement)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.measure.churn import measure_churn, news_articles
from index.storage.chroma_files import segment_ids, sweep_orphan_segments
from tests.conftest import SHARED_EVAL

pytestmark = pytest.mark.integration


def test_the_hnsw_folder_of_a_deleted_collection_is_swept(tmp_path: Path) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(
        path=str(tmp_path), settings=ChromaSettings(anonymized_telemetry=False)
    )
    vectors = np.random.default_rng(0).normal(size=(1200, 8)).astype(np.float32)
    for name in ("kept", "dropped"):
        client.create_collection(name, embedding_function=None).add(
            ids=[f"r{i}" for i in range(1200)], embeddings=vectors
        )
    before = {p.name for p in tmp_path.iterdir() if p.is_dir()}
    client.delete_collection("dropped")
    assert {p.name for p in tmp_path.iterdir() if p.is_dir()} == before  # chroma#5259

    removed = sweep_orphan_segments(tmp_path)

    assert len(removed) == 1 and removed[0] in before
    assert {p.name for p in tmp_path.iterdir() if p.is_dir()} == before - set(removed)
    assert before - set(removed) <= segment_ids(tmp_path)
    assert client.get_collection("kept").count() == 1200


@pytest.mark.skipif(not (SHARED_EVAL / "squad-v1.1-dev").exists(), reason="no shared eval data")
def test_after_twenty_one_article_edits_the_data_directory_is_the_size_of_a_clean_index(
    settings: Any, tmp_path: Path
) -> None:
    items = json.loads((SHARED_EVAL / "squad-v1.1-dev" / "corpus.json").read_text())

    report = measure_churn(settings, news_articles(items, 2000), 20, tmp_path / "churn")

    print(json.dumps(report))
    assert report["chunks"] >= 2000 and report["edits"] == 20
    assert report["ratio"] <= 1.05, report
