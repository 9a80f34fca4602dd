"""The BM25 delta scores like bm25s, and a generation's view hides what it no longer sees."""

from __future__ import annotations

from types import SimpleNamespace

import bm25s
import numpy as np
import Stemmer

from index.models import SearchFilters
from index.search.filters import bm25_masks
from index.storage.delta import Delta, DeltaRecord, Scoring, lucene_idf
from index.storage.lexical import ChromaIds, RecordFields, terms, view
from index.storage.main_index import merge_threshold

TEXTS = [
    "The city council approved a new harbour bridge on Tuesday.",
    "Construction of the bridge is expected to take four years.",
    "Apple growers reported a record harvest this autumn, the best in years.",
    "Warm spring weather helped the blossoms and the bees.",
    "The council said the harbour bridge will carry trams and bicycles.",
]
QUERIES = ["harbour bridge council", "record apple harvest", "trams", "years years bridge"]


def record(i: int, text: str, **metadata: object) -> DeltaRecord:
    return DeltaRecord(
        node_id=f"a{i}#s0",
        chroma_id=f"a{i}#s0@g2",
        article_id=f"a{i}",
        text=text,
        metadata=metadata,
        terms=tuple(terms(text)),
    )


def test_delta_scores_equal_bm25s_scores_on_the_same_corpus() -> None:
    stemmer = Stemmer.Stemmer("english")
    index = bm25s.BM25()
    tokens = bm25s.tokenize(TEXTS, stopwords="en", stemmer=stemmer, show_progress=False)
    index.index(tokens, show_progress=False)
    frequencies = np.diff(np.asarray(index.scores["indptr"]))
    idf = {
        t: lucene_idf(int(frequencies[i]), len(TEXTS))
        for t, i in index.vocab_dict.items()
        if i < len(frequencies)  # bm25s adds an empty token past the matrix
    }
    lengths = [len(terms(t)) for t in TEXTS]
    scoring = Scoring(k1=index.k1, b=index.b, avgdl=float(np.mean(lengths)), documents=5, idf=idf)
    delta = Delta([record(i, t) for i, t in enumerate(TEXTS)])

    for query in QUERIES:
        expected = index.get_scores(terms(query))
        np.testing.assert_allclose(delta.scores(terms(query), scoring), expected, rtol=1e-5)


def test_a_term_only_the_delta_holds_gets_the_idf_it_would_have() -> None:
    delta = Delta([record(0, "Lilac paint for the footbridge.")])
    scoring = Scoring(k1=1.5, b=0.75, avgdl=5.0, documents=99, idf={})
    [score] = delta.scores(["lilac"], scoring)
    norm = 1.5 * (1 - 0.75 + 0.75 * len(delta.records[0].terms) / 5.0)
    assert score == lucene_idf(1, 100) / (1 + norm)


def fake_main(metadatas: list[dict[str, object]], idf: dict[str, float]) -> SimpleNamespace:
    return SimpleNamespace(
        name="bm25-g000001",
        fields=RecordFields.of(metadatas),
        ids=ChromaIds.of([str(m["chroma_id"]) for m in metadatas]),
        scoring=Scoring(k1=1.5, b=0.75, avgdl=5.0, documents=len(metadatas), idf=idf),
    )


def test_a_view_hides_replaced_main_records_and_knows_the_delta_terms() -> None:
    main = fake_main(
        [{"chroma_id": "a#s0@g1", "source": "Wire"}, {"chroma_id": "b#s0@g1", "source": "Post"}],
        {"bridg": 0.7},
    )
    edited = record(0, "The lilac footbridge opened.", source="Wire")
    lexical = view(3, main, ["a#s0@g1", "not-in-main"], [edited])  # type: ignore[arg-type]

    assert lexical.hidden == {"a#s0@g1"} and lexical.records == 2
    assert lexical.hidden_mask is not None and lexical.hidden_mask.tolist() == [0.0, 1.0]
    assert lexical.idf["bridg"] == 0.7 and lexical.idf["lilac"] > 0
    assert bm25_masks(lexical, None) == (lexical.hidden_mask, None)
    main_mask, delta_mask = bm25_masks(lexical, SearchFilters(source="Wire"))
    assert main_mask is not None and main_mask.tolist() == [0.0, 0.0]  # hidden, and the Post
    assert delta_mask is not None and delta_mask.tolist() == [1.0]


def test_the_main_index_is_rebuilt_past_a_share_of_it() -> None:
    assert merge_threshold(100) == 50  # MERGE_MIN
    assert merge_threshold(10_000) == 500
    assert merge_threshold(100_000) == 5000  # 5 %
