"""BM25's terms of a text: the same words as bm25s's own pattern, however the text is cut."""

from __future__ import annotations

import re

import pytest

from index.storage import lexical
from index.storage.lexical import terms

TEXT = (
    "Blinken hosted the foreign ministers at Blair House on 1 May 2023 — "
    "a_b x9 don't Ça-va Österreich's naïve co-operation… 42,000 U.S. e-mails."
)


def test_the_pattern_finds_what_bm25s_default_pattern_finds() -> None:
    bm25s_default = re.compile(r"(?u)\b\w\w+\b")
    for text in (TEXT, TEXT.lower(), "a b cd e fgh", "", "ab", "«ünïcode» 日本語 テキスト"):
        assert lexical._TOKEN.findall(text) == bm25s_default.findall(text)


def test_terms_are_stems_without_stop_words() -> None:
    # bm25s's short English stop list keeps "were".
    assert terms("The ministers were hosting talks") == ["minist", "were", "host", "talk"]


def test_pieces_cut_between_words_add_up_to_the_terms_of_each_run() -> None:
    index = _index()
    text = "Blinken hosted the ministers. They met at Blair House. Talks went on."
    cuts = [0, text.index("They"), text.index("Talks"), len(text)]
    pieces = index.piece_terms(text, cuts)
    assert pieces is not None
    assert pieces[1] == terms("They met at Blair House. ")
    for lo in range(len(cuts)):
        for hi in range(lo + 1, len(cuts)):
            joined = [t for piece in pieces[lo:hi] for t in piece]
            assert joined == terms(text[cuts[lo] : cuts[hi]])


def test_a_cut_inside_a_word_gives_no_pieces() -> None:
    text = "Blinken hosted the ministers at Blair_House."
    assert _index().piece_terms(text, [0, text.index("osted"), len(text)]) is None
    assert _index().piece_terms(text, [0, text.index("House"), len(text)]) is None


def test_lower_casing_that_changes_the_length_gives_no_pieces() -> None:
    text = "İstanbul talks ended."  # "İ".lower() is two characters
    assert _index().piece_terms(text, [0, len(text)]) is None


def test_a_full_stem_cache_is_replaced_and_terms_stay_right(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lexical, "_STEMS_KEPT", 3)
    monkeypatch.setattr(lexical, "_stems", {})
    assert terms("hosted ministers") == ["host", "minist"]
    before = lexical._stems
    assert terms("talks held by the ministers") == ["talk", "held", "minist"]
    assert lexical._stems is not before
    assert terms("hosted") == ["host"]


def _index() -> lexical.LexicalIndex:
    from tests.unit.test_candidate_terms import lexical_index

    return lexical_index()
