"""The metric code against small cases checked by hand."""

from __future__ import annotations

import pytest

from index.measure.metrics import (
    Gold,
    Retrieved,
    abstention,
    exact_match,
    first_hit_rank,
    normalize_answer,
    retrieval_summary,
    token_f1,
)

# The gold paragraph is characters 100-200 of article "a" and says "Denver Broncos".
GOLD = Gold(article_id="a", start=100, end=200, answers=("Denver Broncos", "the Broncos"))


def passage(article: str, start: int, end: int, text: str) -> Retrieved:
    return Retrieved(article_id=article, start=start, end=end, text=text)


def test_a_hit_needs_the_answer_and_an_overlap_with_the_gold_paragraph() -> None:
    ranked = [
        passage("b", 100, 200, "The Denver Broncos won."),  # other article
        passage("a", 0, 100, "The Denver Broncos won."),  # touches but does not overlap
        passage("a", 150, 250, "Carolina Panthers lost."),  # overlaps, no answer
        passage("a", 190, 300, "beat by the Broncos in"),  # overlaps and answers
    ]
    assert first_hit_rank(ranked, GOLD) == 4


def test_no_hit_within_k_is_none() -> None:
    ranked = [passage("b", 0, 10, "x")] * 3 + [passage("a", 100, 200, "Denver Broncos")]
    assert first_hit_rank(ranked, GOLD, k=3) is None


def test_summary_of_ranks() -> None:
    # Ranks 1, 2, 7, none: hit@1 1/4, hit@5 2/4, hit@10 3/4, MRR (1 + 1/2 + 1/7) / 4.
    summary = retrieval_summary([1, 2, 7, None])
    assert summary["hit@1"] == 0.25
    assert summary["hit@5"] == 0.5
    assert summary["hit@10"] == 0.75
    assert summary["mrr@10"] == pytest.approx((1 + 0.5 + 1 / 7) / 4)


def test_normalisation_drops_case_punctuation_and_articles() -> None:
    assert normalize_answer("The  Denver Broncos!") == "denver broncos"
    assert normalize_answer("an apple, a day") == "apple day"


def test_exact_match_takes_the_best_gold_answer() -> None:
    assert exact_match("Broncos", ["Denver Broncos", "the Broncos"]) == 1.0
    assert exact_match("Denver", ["Denver Broncos"]) == 0.0


def test_token_f1_by_hand() -> None:
    # "the denver broncos team" vs "Denver Broncos": 2 common tokens of 3 predicted
    # (the article is dropped) and 2 expected: P = 2/3, R = 1, F1 = 0.8.
    assert token_f1("the Denver Broncos team", ["Denver Broncos"]) == pytest.approx(0.8)
    assert token_f1("Panthers", ["Denver Broncos"]) == 0.0


def test_abstention_precision_and_recall() -> None:
    declined = [True, True, False, False, True]
    impossible = [True, False, True, False, True]
    # 2 of the 3 declines are right; 2 of the 3 unanswerable were declined; 1 wrong decline.
    assert abstention(declined, impossible) == {
        "precision": pytest.approx(2 / 3),
        "recall": pytest.approx(2 / 3),
        "wrongly_declined": 1.0,
    }


def test_best_threshold_separates_the_classes_by_balanced_accuracy() -> None:
    from index.measure.calibration import best_threshold

    # Off-topic questions score 0.1-0.3, answerable ones 0.5-0.9, one answerable at 0.2.
    scores = [0.1, 0.2, 0.3, 0.2, 0.5, 0.7, 0.9]
    answerable = [False, False, False, True, True, True, True]
    best = best_threshold(scores, answerable)
    assert best["threshold"] == 0.4  # halfway between 0.3 and 0.5
    assert best["kept"] == 0.75 and best["declined"] == 1.0


def test_best_threshold_can_keep_a_share_of_answerable_questions() -> None:
    from index.measure.calibration import best_threshold

    scores = [0.1, 0.2, 0.3, 0.2, 0.5, 0.7, 0.9]
    answerable = [False, False, False, True, True, True, True]
    # Keeping every answerable question means staying below the answerable 0.2.
    best = best_threshold(scores, answerable, keep=1.0)
    assert best["kept"] == 1.0 and best["declined"] == pytest.approx(1 / 3)
    assert 0.1 < best["threshold"] <= 0.2
