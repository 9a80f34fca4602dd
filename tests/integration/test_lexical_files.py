"""The main BM25 index on disk with the real model and Chroma: BM25's hits are read back from
Chroma as the nodes the index was built from, and an index of the older format is rebuilt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.storage import manifest
from index.storage.main_index import visible_nodes
from index.storage.store import Store

pytestmark = pytest.mark.integration

HARBOUR = (
    "---\ntitle: A bridge for the harbour\nsource: Example News\npublished_at: 2023-03-01\n---\n"
    "The city council approved a new harbour bridge on Tuesday. Construction is expected to "
    "take four years. The bridge will carry trams and bicycles across the harbour mouth.\n"
)
HARVEST = (
    "---\ntitle: A record harvest\nsource: Example Wire\n---\n"
    "Apple growers reported a record harvest this autumn. Warm spring weather helped the "
    "blossoms and the bees.\n"
)
QUESTION = "What will the harbour bridge carry?"


@pytest.fixture
def news(corpus: Path) -> Path:
    (corpus / "harbour.md").write_text(HARBOUR)
    (corpus / "harvest.md").write_text(HARVEST)
    return corpus


def main_folder(settings: Any) -> Path:
    store = Store(settings)
    active = store.active()
    assert active is not None
    files = store.files(active.collection)
    return files / manifest.read(files, active.number).main


def test_bm25_hits_are_read_back_from_chroma_as_the_nodes_bm25_indexed(
    settings: Any, news: Path, make_indexer: Any, make_answerer: Any
) -> None:
    make_indexer(settings).run([news])
    store = Store(settings)
    active = store.active()
    assert active is not None
    indexed = {n.node_id: n for n in visible_nodes(store.collection(active), active.visibility)}

    pool = make_answerer(settings).retriever.candidates(QUESTION, mode="bm25")

    assert pool and all(c.bm25 > 0 and c.cosine is not None for c in pool)
    for c in pool:
        node = indexed[c.node_id]
        assert (c.window, c.sentence) == (node.get_content(), node.metadata["sentence"])
        assert c.meta == dict(node.metadata)
    lexical = manifest.saved_view(store.files(active.collection), active.number)
    assert lexical is not None and lexical.main.bm25.corpus is None
    assert isinstance(lexical.main.bm25.scores["data"], np.memmap)


def test_an_index_of_the_older_format_is_rebuilt_by_the_next_run(
    settings: Any, news: Path, make_indexer: Any, make_answerer: Any
) -> None:
    make_indexer(settings).run([news])
    before = make_answerer(settings).ask(QUESTION)
    folder = main_folder(settings)
    sidecar = folder / "newsbot.json"
    sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "format": 1}))
    (folder / "ids.npy").unlink()

    make_indexer(settings).run([news])  # nothing changed: only BM25 is rebuilt

    assert json.loads((main_folder(settings) / "newsbot.json").read_text())["format"] == 2
    assert (main_folder(settings) / "ids.npy").is_file()
    assert make_answerer(settings).ask(QUESTION).answer == before.answer


@pytest.mark.parametrize("name", ["ids.npy", "data.csc.index.npy", "sources.json"])
def test_a_damaged_main_index_file_is_rebuilt_from_chroma_by_a_reader(
    settings: Any, news: Path, make_indexer: Any, make_answerer: Any, name: str
) -> None:
    make_indexer(settings).run([news])
    (main_folder(settings) / name).write_bytes(b"broken")

    pool = make_answerer(settings).retriever.candidates(QUESTION, mode="bm25")

    assert any("trams and bicycles" in c.window for c in pool)
    assert (main_folder(settings) / name).read_bytes() != b"broken"
