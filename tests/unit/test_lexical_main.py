"""The main BM25 index: built a batch at a time, it scores as llama-index's BM25 retriever
over the same nodes; loaded, it is memory-mapped and holds no chunk text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from llama_index.core.schema import TextNode
from llama_index.retrievers.bm25 import BM25Retriever

from index.models import SearchFilters
from index.search.filters import bm25_masks
from index.storage import main_index
from index.storage.delta import lucene_idf
from index.storage.lexical import ChromaIds, view
from index.storage.main_index import bm25_node, build_main, load_main, looks_saved

WINDOWS = [
    ("Harbour news", "Wire", "The city council approved a new harbour bridge on Tuesday."),
    ("Harbour news", "Wire", "Construction of the bridge is expected to take four years."),
    ("Farm report", "Post", "Apple growers reported a record harvest, the best in years."),
    ("Farm report", "Post", "Warm spring weather helped the blossoms and the bees."),
    ("Harbour news", "Wire", "The council said the harbour bridge will carry trams."),
    ("Café culture", "Blätter", "Zürich cafés serve apple cake to tram drivers at dawn."),
    ("Empty", "Post", "It is what it is."),  # stop words only: an empty document
]
QUERIES = ["harbour bridge council", "record apple harvest", "trams", "years years bridge", "of"]


def nodes() -> list[TextNode]:
    out = []
    for i, (title, source, window) in enumerate(WINDOWS):
        chunk = TextNode(
            id_=f"a{i}#s0",
            text=window.split(",")[0],
            metadata={
                "title": title,
                "source": source,
                "window": window,
                "published_day": 20240101 + i,
            },
        )
        out.append(bm25_node(chunk, f"a{i}#s0@g1"))
    return out


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    built = build_main(nodes(), tmp_path / "bm25-g000001", 1)
    assert built is not None
    return tmp_path / "bm25-g000001"


def library_hits(query: str, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
    """What llama-index's retriever over the same nodes returns (newsbot's index before)."""
    library = BM25Retriever(nodes=nodes(), similarity_top_k=len(WINDOWS))
    tokens = __import__("bm25s").tokenize(
        query, stemmer=library.stemmer, token_pattern=library.token_pattern, show_progress=False
    )
    found, scores = library.bm25.retrieve(
        tokens, k=len(WINDOWS), show_progress=False, weight_mask=mask
    )
    corpus = library.corpus
    return [
        (str(corpus[int(i)]["chroma_id"]), float(s))
        for i, s in zip(found[0], scores[0], strict=True)
        if s > 0
    ]


def our_hits(
    directory: Path, query: str, mask: np.ndarray | None = None
) -> list[tuple[str, float]]:
    index = view(1, load_main(directory), (), ())
    return [
        (h.chroma_id, h.score) for h in index.search(query, len(WINDOWS), mask, None) if h.score
    ]


@pytest.mark.parametrize("query", QUERIES)
def test_hits_and_scores_equal_llama_index_bm25_over_the_same_nodes(
    saved: Path, query: str
) -> None:
    assert our_hits(saved, query) == library_hits(query)


def test_a_mask_leaves_out_the_same_records_as_in_the_library(saved: Path) -> None:
    mask = np.array([1, 0, 1, 1, 0, 1, 1], dtype=np.float32)
    assert our_hits(saved, "harbour bridge", mask) == library_hits("harbour bridge", mask)


def test_building_a_batch_at_a_time_gives_the_same_index(
    saved: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main_index, "_BATCH", 2)
    build_main(iter(nodes()), tmp_path / "small-batches", 1)
    for query in QUERIES:
        assert our_hits(tmp_path / "small-batches", query) == our_hits(saved, query)
    assert json.loads((tmp_path / "small-batches" / "newsbot.json").read_text()) == json.loads(
        (saved / "newsbot.json").read_text()
    )


def test_the_loaded_index_is_memory_mapped_and_keeps_no_texts(saved: Path) -> None:
    main = load_main(saved)
    assert main.bm25.corpus is None and not (saved / "corpus.jsonl").exists()
    for key in ("data", "indices", "indptr"):
        assert isinstance(main.bm25.scores[key], np.memmap)
    assert isinstance(main.ids.by_position, np.memmap) and isinstance(main.fields.days, np.memmap)


def test_idf_is_read_from_the_matrix_as_the_dict_of_every_term_was(saved: Path) -> None:
    main = load_main(saved)
    indptr = np.asarray(main.bm25.scores["indptr"])
    frequencies = np.diff(indptr)
    expected = {
        t: lucene_idf(int(frequencies[i]), len(WINDOWS))
        for t, i in main.bm25.vocab_dict.items()
        if i < len(frequencies) and t
    }
    assert dict(main.scoring.idf) == expected
    assert "bridg" in main.scoring.idf and "" not in main.scoring.idf
    assert main.scoring.idf.get("unknown") is None


def test_filters_see_each_record_s_source_and_day(saved: Path) -> None:
    index = view(1, load_main(saved), ["a1#s0@g1"], ())
    main, _ = bm25_masks(index, SearchFilters(source="Blätter"))
    assert main is not None and main.tolist() == [0, 0, 0, 0, 0, 1, 0]
    main, _ = bm25_masks(index, SearchFilters(source="Wire", since="2024-01-02"))
    assert main is not None and main.tolist() == [0, 0, 0, 0, 1, 0, 0]  # a1 is hidden
    main, _ = bm25_masks(index, SearchFilters(source="Nowhere"))
    assert main is not None and not main.any()


def test_chroma_ids_are_found_by_position_and_by_id() -> None:
    ids = ChromaIds.of(["b#s1@g2", "a#s0@g1", "é#s3@g1", "a#s10@g1"])
    assert ids.at([2, 0]) == ["é#s3@g1", "b#s1@g2"]
    assert ids.positions_of(["a#s10@g1", "missing", "é#s3@g1", "a#s0@g"]) == {
        "a#s10@g1": 3,
        "é#s3@g1": 2,
    }
    assert ChromaIds.of([]).positions_of(["a"]) == {}


def test_an_index_of_the_older_format_is_not_usable(saved: Path) -> None:
    sidecar = saved / "newsbot.json"
    sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "format": 1}))
    assert not looks_saved(saved)
    with pytest.raises(ValueError, match="older format"):
        load_main(saved)


def test_no_nodes_make_no_index(tmp_path: Path) -> None:
    assert build_main([], tmp_path / "bm25-g000001", 1) is None
