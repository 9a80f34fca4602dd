from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.answer.compose import compose_answer
from index.answer.conversation import standalone
from index.answer.short_answer import (
    ShortAnswer,
    best_short_answer,
    candidate_spans,
    rank_short_answers,
)
from index.answer.span_model import FEATURES, Evidence, load_span_model, span_features
from index.errors import ConfigurationError
from index.measure.span_training import choose_threshold, collect_examples, fit_logistic
from index.models import Answer, Passage

SOVIET = "When the Soviet Union collapsed in 1991, forces broke away."
TRUCE = (
    "Six weeks of fighting in 2020 claimed more than 6,500 lives before a Russian-brokered "
    "truce ended the hostilities."
)
SOCHI = (
    "The two countries' leaders met late last month in the Russian Black Sea port of Sochi, "
    "along with Russian President Vladimir Putin, and agreed not to use force and to stick to "
    "earlier agreements that sought to end the fighting."
)
BLAIR = (
    "Blinken met with Armenian Foreign Minister Ararat Mirzoyan and Azerbaijani Foreign "
    "Minister Jeyhun Bayramov at Blair House, a state guest house in Washington."
)
HOSTED = "Who hosted the foreign ministers? U.S. Secretary of State Antony Blinken hosted them."
# (question, sentence, context): some clear, some not.
CASES = [
    ("When did the Soviet Union collapse?", SOVIET, ""),
    ("How many lives did the 2020 fighting claim?", TRUCE, ""),
    ("Who joined the leaders in Sochi?", SOCHI, ""),
    ("What was agreed at Sochi?", SOCHI, ""),
    ("Where did the leaders meet?", SOCHI, ""),
    ("where did he host them?", BLAIR, HOSTED),
    ("Who is Vladimir Putin?", "Vladimir Putin spoke on Monday.", ""),
    ("Why did the truce end the hostilities?", TRUCE, ""),
]


def _row(question: str, sentence: str, phrase: str, evidence: Evidence) -> dict[str, float]:
    """The features of the candidate ``phrase``, by name."""
    spans = candidate_spans(question, sentence, question)
    (span,) = [s for s in spans if s.text(sentence) == phrase]
    row = span_features(question, sentence, [span], question, evidence)[0]
    return dict(zip(FEATURES, row.tolist(), strict=True))


def test_a_date_answers_when() -> None:
    best = best_short_answer("When did the Soviet Union collapse?", SOVIET)
    assert best is not None
    assert best.text == "1991"
    assert best.confidence >= load_span_model().threshold


@pytest.mark.parametrize(
    ("question", "sentence", "context", "expected"),
    [
        ("How many lives did the 2020 fighting claim?", TRUCE, "", "more than 6,500"),
        ("Who joined the leaders in Sochi?", SOCHI, "", "Russian President Vladimir Putin"),
        ("where did he host them?", BLAIR, HOSTED, "Blair House"),
    ],
)
def test_the_phrase_of_the_kind_asked_for_ranks_first(
    question: str, sentence: str, context: str, expected: str
) -> None:
    assert rank_short_answers(question, sentence, context=context)[0].text == expected


def test_a_short_answer_is_given_exactly_when_its_confidence_reaches_the_threshold() -> None:
    threshold = load_span_model().threshold
    outcomes = []
    for question, sentence, context in CASES:
        ranked = rank_short_answers(question, sentence, context=context)
        best = best_short_answer(question, sentence, context=context)
        shown = bool(ranked) and ranked[0].confidence >= threshold
        assert best == (ranked[0] if shown else None)
        outcomes.append(shown)
    assert any(outcomes) and not all(outcomes)  # both sides of the threshold were tried


def test_candidates_are_ranked_by_a_confidence_between_0_and_1() -> None:
    ranked = rank_short_answers("Who joined the leaders in Sochi?", SOCHI)
    confidences = [a.confidence for a in ranked]
    assert len(ranked) > 3
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 < c < 1.0 for c in confidences)


def test_words_of_the_question_are_never_the_answer() -> None:
    question = "Who is Vladimir Putin?"
    texts = [a.text for a in rank_short_answers(question, "Vladimir Putin spoke on Monday.")]
    assert texts  # "Monday" and the like remain
    assert not {"Vladimir Putin", "Vladimir", "Putin", "Vladimir Putin spoke on"} & set(texts)


def test_words_a_follow_up_leans_on_are_never_the_answer() -> None:
    texts = [a.text for a in rank_short_answers("where did he host them?", BLAIR, context=HOSTED)]
    assert "Blinken" not in texts


def test_a_sentence_sharing_no_word_with_the_question_has_no_candidate() -> None:
    assert rank_short_answers("Who won the football World Cup?", TRUCE) == []
    assert best_short_answer("Who won the football World Cup?", TRUCE) is None


def test_candidates_include_typed_phrases_chunks_and_the_clause_after_the_verb() -> None:
    spans = candidate_spans("What was agreed at Sochi?", SOCHI, "What was agreed at Sochi?")
    kinds = {s.text(SOCHI): s.kinds for s in spans}
    assert "name" in kinds["Russian President Vladimir Putin"]
    assert "chunk" in kinds["Russian President Vladimir Putin"]
    assert "chunk" in kinds["Russian Black Sea port"]
    assert "clause" in kinds["not to use force and to stick to earlier agreements"]
    assert "chunk" in kinds["Russian Black Sea port of Sochi"]  # two runs joined by "of"
    assert "Sochi" not in kinds  # the question's own word


def test_a_phrase_other_reports_repeat_is_marked_as_agreeing() -> None:
    question = "When did the Soviet Union collapse?"
    alone = _row(question, SOVIET, "1991", Evidence())
    repeated = _row(question, SOVIET, "1991", Evidence(("It fell apart in 1991.",), 0.2))
    assert (alone["agrees"], repeated["agrees"]) == (0.0, 1.0)
    assert (alone["margin"], repeated["margin"]) == (0.0, 0.2)
    assert repeated["log_supporting"] > alone["log_supporting"]


def test_the_kind_asked_for_meets_the_kind_of_phrase_in_the_features() -> None:
    row = _row("When did the Soviet Union collapse?", SOVIET, "1991", Evidence())
    assert row["q:time&c:time"] == 1.0
    assert row["f:when&c:time"] == 1.0
    assert row["q:time&c:name"] == 0.0
    assert row["nearest_typed"] == 1.0


def test_the_stored_weights_match_the_features_the_code_computes() -> None:
    stored = json.loads(
        (Path(__file__).parents[2] / "index/answer/span_weights.json").read_text("utf-8")
    )
    assert stored["features"] == list(FEATURES)
    assert 0.5 <= stored["threshold"] < 1.0
    assert stored["report"]["cross_validated"]["all"]["precision"] >= 0.85


def test_weights_trained_on_other_features_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "weights.json"
    path.write_text(json.dumps({"features": ["x"], "weights": [1.0], "bias": 0, "threshold": 0.5}))
    with pytest.raises(ConfigurationError, match="re-run"):
        load_span_model(path)


def test_the_threshold_is_the_lowest_confidence_keeping_the_target_precision() -> None:
    confidence = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5])
    right = np.array([True, True, True, False, True, False])
    # Shown at >= 0.8: 3/3; at >= 0.6: 4/5 = 0.8; at >= 0.5: 4/6.
    assert choose_threshold(confidence, right, target=0.85) == 0.8
    assert choose_threshold(confidence, right, target=0.8) == 0.6


def test_tied_confidences_are_shown_together_when_choosing_the_threshold() -> None:
    confidence = np.array([0.9, 0.7, 0.7])
    right = np.array([True, True, False])
    assert choose_threshold(confidence, right, target=0.85) == 0.9


def test_the_logistic_regression_learns_which_feature_marks_the_right_phrase() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = (x[:, 1] + 0.1 * rng.normal(size=400) > 0).astype(float)
    weights, _ = fit_logistic(x, y, l2=0.1)
    assert np.argmax(np.abs(weights)) == 1
    assert weights[1] > 0


def test_a_short_answer_is_plain_data() -> None:
    answer = ShortAnswer("1991", 0.9)
    with pytest.raises(AttributeError):
        answer.text = "1992"  # type: ignore[misc]


def _passage(article: str, text: str, similarity: float) -> Passage:
    return Passage(
        chunk_id=f"{article}#s0",
        article_id=article,
        title="",
        source="",
        published_at=None,
        url="",
        text=text,
        sentence=text,
        start=0,
        end=len(text),
        sentence_start=0,
        score=similarity,
        similarity=similarity,
        overlap=0.6,
        window_overlap=0.6,
    )


def test_training_sees_the_lead_sentence_and_its_evidence_as_the_answer_composes_them() -> None:
    other = "The Soviet Union collapsed in December 1991 after a failed coup."
    passages = [_passage("a", SOVIET, 0.8), _passage("b", other, 0.7)]

    def ask(question: str) -> Answer:
        return compose_answer(standalone(question), passages, min_relevance=0.0, max_lines=4)

    examples, asked = collect_examples(ask, [("When did the Soviet Union collapse?", ["1991"])])
    assert asked == 1
    (example,) = examples
    assert example.sentence == SOVIET
    assert example.evidence.supporting == (other,)
    assert example.evidence.margin > 0


def test_training_leaves_out_questions_that_were_not_answered() -> None:
    def ask(question: str) -> Answer:
        return compose_answer(standalone(question), [], min_relevance=0.0, max_lines=4)

    assert collect_examples(ask, [("When did the Soviet Union collapse?", ["1991"])]) == ([], 1)
