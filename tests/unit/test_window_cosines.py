"""The answer chooses among every sentence of a passage by the question's cosine with it."""

from __future__ import annotations

from typing import Any

import numpy as np

from index.ingest.docstore import IndexedArticle
from index.models import Passage
from index.search.windows import docstore_ids, with_window_cosines

WINDOW = "The storm struck at night. It exposed a cable. Boats lost their pots."
QUESTION = np.array([1.0, 0.0], dtype=np.float32)


class FakeCollection:
    """A Chroma collection holding one vector per sentence id, counting its reads."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors
        self.reads: list[list[str]] = []

    def get(self, *, ids: list[str], include: list[str]) -> dict[str, Any]:
        self.reads.append(ids)
        found = [i for i in ids if i in self.vectors]
        return {"ids": found, "embeddings": [self.vectors[i] for i in found]}


def window(chunk: str = "a#s5") -> Passage:
    """The window of sentence 5 of article "a" (its middle sentence), at offset 1000."""
    middle = WINDOW.index("It exposed")
    return Passage(
        chunk_id=chunk,
        article_id="a",
        title="t",
        source="s",
        published_at=None,
        url="u",
        text=WINDOW,
        sentence="It exposed a cable.",
        start=1000,
        end=1000 + len(WINDOW),
        sentence_start=1000 + middle,
        score=1.0,
        similarity=0.6,
        sentence_similarities=((1000 + middle, 0.6),),
    )


DOCSTORE = {"a": IndexedArticle("hash", "a.md", 3, 10)}


def test_each_sentence_of_the_window_gets_its_own_cosine_from_its_stored_vector() -> None:
    collection = FakeCollection({"a#s4@g3": [0.0, 1.0], "a#s6@g3": [3.0, 4.0]})

    [passage] = with_window_cosines(collection, QUESTION, [window()], docstore_ids(DOCSTORE))

    cosines = dict(passage.sentence_similarities)
    assert cosines[1000] == 0.0  # "The storm struck at night." (position 4)
    assert cosines[1000 + WINDOW.index("It exposed")] == 0.6  # the search's own
    assert abs(cosines[1000 + WINDOW.index("Boats")] - 0.6) < 1e-6  # 3/5, position 6


def test_the_windows_of_all_passages_are_read_at_once() -> None:
    collection = FakeCollection({"a#s4@g3": [0.0, 1.0], "a#s8@g3": [1.0, 0.0]})

    with_window_cosines(collection, QUESTION, [window(), window("a#s7")], docstore_ids(DOCSTORE))

    assert len(collection.reads) == 1


def test_a_sentence_whose_vector_is_gone_keeps_what_the_search_knew() -> None:
    collection = FakeCollection({})

    [passage] = with_window_cosines(collection, QUESTION, [window()], docstore_ids(DOCSTORE))

    assert passage == window()


def test_an_article_the_docstore_does_not_list_is_not_read() -> None:
    collection = FakeCollection({})

    with_window_cosines(collection, QUESTION, [window()], docstore_ids({}))

    assert collection.reads == []
