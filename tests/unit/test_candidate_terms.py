"""Terms of overlapping candidate windows, tokenised once per stretch, equal terms of each."""

from __future__ import annotations

from types import SimpleNamespace

from index.search.candidates import Candidate
from index.search.features import candidate_terms
from index.storage.delta import Delta
from index.storage.lexical import LexicalIndex, RecordFields

BODY = (
    "Armenia and Azerbaijan held peace talks on Monday. Blinken hosted the foreign ministers. "
    "They met at Blair House, a state guest house in Washington. The talks built on earlier "
    "discussions in New York. The leaders had agreed not to use force in Sochi."
)
SENTENCES = [s if s.endswith(".") else s + "." for s in BODY.split(". ")]


def lexical_index() -> LexicalIndex:
    fields = RecordFields.of([])
    return LexicalIndex(
        generation=1,
        main=SimpleNamespace(fields=fields),  # type: ignore[arg-type]
        hidden=frozenset(),
        hidden_mask=None,
        delta=Delta([]),
        delta_fields=fields,
        idf={},
    )


def candidate(n: int, window: int, article: str = "a", body: str = BODY) -> Candidate:
    """Sentence ``n`` of ``body`` with ``window`` sentences either side."""
    starts = [body.index(s) for s in SENTENCES]
    lo = starts[max(0, n - window)]
    last = min(len(SENTENCES) - 1, n + window)
    hi = starts[last] + len(SENTENCES[last])
    return Candidate(
        node_id=f"{article}#{n}",
        article_id=article,
        meta={"window_start": lo},
        sentence=SENTENCES[n],
        sentence_start=starts[n],
        window=body[lo:hi],
    )


def test_terms_by_stretch_equal_the_terms_of_each_text() -> None:
    index = lexical_index()
    pool = [candidate(2, 1), candidate(0, 1), candidate(4, 0), candidate(3, 1), candidate(1, 0)]
    pool.append(candidate(2, 2, article="b"))
    found = candidate_terms(index, pool)
    for c in pool:
        assert found[c.node_id] == (index.terms(c.sentence), index.terms(c.window))


def test_a_window_that_disagrees_with_its_neighbours_is_tokenised_on_its_own() -> None:
    index = lexical_index()
    edited = candidate(2, 1)  # as stored before its article was edited: same offsets
    edited.window = edited.window.replace("Blair House", "Blair Lodge")
    edited.sentence = edited.sentence.replace("Blair House", "Blair Lodge")
    pool = [candidate(1, 1), edited, candidate(3, 1)]
    found = candidate_terms(index, pool)
    for c in pool:
        assert found[c.node_id] == (index.terms(c.sentence), index.terms(c.window))
    assert "lodg" in found[edited.node_id][0] and "lodg" not in found[pool[2].node_id][1]


def test_a_sentence_outside_its_window_gets_its_own_terms() -> None:
    index = lexical_index()
    stray = candidate(2, 1)
    stray.sentence = "A sentence the window does not hold."
    pool = [stray, candidate(4, 0)]
    found = candidate_terms(index, pool)
    for c in pool:
        assert found[c.node_id] == (index.terms(c.sentence), index.terms(c.window))
