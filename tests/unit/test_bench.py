"""The bench's pure helpers: percentiles, perturbed vectors, recall, copied records."""

from __future__ import annotations

import numpy as np
import pytest
from llama_index.core.schema import Document, NodeRelationship, TextNode

from index.measure.bench import copy_record, percentile, perturbed_copy, recall_at
from index.storage.records import chroma_record, node_from_record


def test_percentile_interpolates_between_ranks() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert percentile(values, 0) == 10.0
    assert percentile(values, 50) == 25.0
    assert percentile(values, 100) == 40.0
    assert percentile([7.0], 95) == 7.0


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)


def test_perturbed_copies_are_unit_vectors_near_their_source() -> None:
    rng = np.random.default_rng(0)
    source = rng.normal(size=(50, 384)).astype(np.float32)
    source /= np.linalg.norm(source, axis=1, keepdims=True)
    moved = perturbed_copy(source, rng, 0.025)
    assert moved.shape == source.shape and moved.dtype == np.float32
    assert np.allclose(np.linalg.norm(moved, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(moved * source, axis=1)
    assert cosines.min() > 0.8 and cosines.max() < 0.99


def test_recall_counts_the_share_of_exact_neighbours_found() -> None:
    assert recall_at([["a", "b"], ["c", "x"]], [["a", "b"], ["c", "d"]]) == 0.75


def test_a_copied_record_belongs_to_its_own_article() -> None:
    article = Document(id_="art", text="One. Two.", metadata={"title": "T", "source": "S"})
    chunk = TextNode(
        id_="art#s1",
        text="Two.",
        metadata={"title": "T", "source": "S"},
        relationships={NodeRelationship.SOURCE: article.as_related_node_info()},
    )
    record = chroma_record(chunk)

    assert copy_record("art#s1", record, 0) == ("art#s1", record)
    new_id, copied = copy_record("art#s1", record, 3)

    copy = node_from_record(copied, None)
    assert new_id == copy.node_id == "art#s1~3"
    assert copied["document_id"] == copy.ref_doc_id == "art~3"
    assert copy.metadata["title"] == "T (3)" and copy.get_content() == "Two."
    assert record["document_id"] == "art"  # the source record is left as it was
