"""The features of a candidate short answer and the model that scores them.

A candidate (a phrase of the sentence the answer leads with, found by ``short_answer.py``)
is described by cheap features: what the question asks for against what the phrase is, how
far it lies from the sentence's words of the question and how many of them surround it,
how much of it the question already says, its length and shape, the word before and after
it, whether other reports repeat it, and how clearly the sentence won. A logistic
regression scores them; its weights and the confidence a short answer needs to be shown,
trained on SQuAD's tuning split by ``index.measure.span_training``, are read from
``span_weights.json`` on first use.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from index.errors import ConfigurationError
from index.text.answer_types import AnswerType, expected_type
from index.text.terms import STOP_WORDS, content_terms, stem

WORD = re.compile(r"[\w'’-]+")
# What a candidate phrase is; a phrase found several ways has several kinds.
SPAN_KINDS = ("time", "number", "name", "place", "chunk", "clause")
_PLACE_PREPOSITIONS = frozenset("in at near from to outside into inside across".split())
_WEIGHTS = Path(__file__).with_name("span_weights.json")


@dataclass(frozen=True, slots=True)
class Span:
    """A phrase of a sentence (character offsets) and the kinds of phrase it was found as."""

    start: int
    end: int
    kinds: frozenset[str]

    def text(self, sentence: str) -> str:
        return sentence[self.start : self.end].strip(" ,;:.")


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the caller knows about the sentence beyond its words."""

    supporting: tuple[str, ...] = ()  # the other reports' sentences
    margin: float = 0.0  # the lead fact's score minus the next fact's


_KINDS = tuple(q.value for q in AnswerType)
# Finer than AnswerType, for the features only: what a question's opening words ask for.
_FORMS = (
    *("when", "how_many", "how_long", "who", "where", "which_noun", "what_type", "why"),
    *("how", "what_be", "what_do", "other"),
)
_OPENERS = re.compile(
    r"^(?:(?:in|on|at|by|for|from|to|with|during|of|according to|along with|other than|"
    r"prior to|approximately|about|roughly)\s+)+"
)
# The word before a candidate ("known as", "by", "is") and after it, when it is one of these.
_CUES = "the a an of in by as is was are were to and for with from on at called named".split()
_SPAN_FEATURES = (
    *("adjacent", "log_distance", "anchor_just_before", "anchor_just_after", "after_anchor"),
    *("between_anchors", "closest", "window_share", "left_share", "right_share"),
    *("question_share", "touches_question", "has_head_noun", "head_follows"),
    *("words1", "words2", "words3", "words4_5", "capital_share", "starts_capital"),
    *("has_digit", "opens_sentence", "in_brackets", "verb_like", "adverb_like"),
    *("after_place_preposition", "after_by", "after_of", "after_such_as", "nearest_typed"),
    *("only_typed", "agrees", "before_comma", "before_bracket", "ends_sentence"),
    *("same_clause", "clause_share"),
    *(f"prev:{w}" for w in _CUES),
    *(f"next:{w}" for w in _CUES),
)
_SENTENCE_FEATURES = ("margin", "log_supporting", "anchor_share", "log_candidates")


FEATURES = (
    *(f"q:{q}" for q in _KINDS),
    *(f"q:{q}&c:{c}" for q in _KINDS for c in SPAN_KINDS),
    *(f"q:{q}&log_words" for q in _KINDS),
    *(f"q:{q}&log_distance" for q in _KINDS),
    *(f"f:{f}" for f in _FORMS),
    *(f"f:{f}&c:{c}" for f in _FORMS for c in SPAN_KINDS),
    *(f"f:{f}&log_words" for f in _FORMS),
    *_SPAN_FEATURES,
    *_SENTENCE_FEATURES,
)
_COLUMN = {name: i for i, name in enumerate(FEATURES)}


@dataclass(frozen=True, slots=True)
class _Sentence:
    """What the features of every candidate of one sentence share."""

    text: str
    words: list[tuple[int, int, str]]  # start, end, word
    anchors: list[int]  # indices in ``words`` of the question's terms
    terms: dict[int, str]  # index in ``words`` -> the question term it is
    term_count: int
    known_words: frozenset[str]
    known_terms: frozenset[str]
    head: str
    kind: str
    form: str


def span_features(
    question: str, sentence: str, spans: Sequence[Span], known: str, evidence: Evidence
) -> np.ndarray:
    """One row of features (in ``FEATURES`` order) for each of ``spans``."""
    rows = np.zeros((len(spans), len(FEATURES)))
    context = _sentence_context(question, sentence, known)
    kind = context.kind
    expected = "name" if kind == "person" else kind
    typed = [s for s in spans if expected in s.kinds]
    positions = [_word_range(context, s) for s in spans]
    distances = [_distances(context, *p) for p in positions]
    nearest_distance = min((min(d) for d in distances), default=50)
    nearest = min(typed, key=lambda s: _char_distance(s, context), default=None)
    supporting = [_normal(s) for s in evidence.supporting]
    shared = {context.terms[i] for i in context.anchors}
    sentence_level = {
        f"q:{kind}": 1.0,
        f"f:{context.form}": 1.0,
        "margin": max(-0.5, min(0.5, evidence.margin)),
        "log_supporting": math.log1p(len(supporting)),
        "anchor_share": len(shared) / context.term_count if context.term_count else 0.0,
        "log_candidates": math.log1p(len(spans)),
    }
    for row, span, (first, last), (left, right) in zip(
        rows, spans, positions, distances, strict=True
    ):
        values = {
            **sentence_level,
            **_span_values(context, span, first, last, left, right),
            **{f"q:{kind}&c:{c}": 1.0 for c in span.kinds},
            **{f"f:{context.form}&c:{c}": 1.0 for c in span.kinds},
            "closest": float(min(left, right) == nearest_distance),
            "nearest_typed": float(span is nearest),
            "only_typed": float(len(typed) == 1 and span is nearest),
            "agrees": float(any(_normal(span.text(sentence)) in s for s in supporting)),
        }
        for name, value in values.items():
            row[_COLUMN[name]] = value
    return rows


def _sentence_context(question: str, sentence: str, known: str) -> _Sentence:
    known_terms = frozenset(content_terms(known))
    words = [(m.start(), m.end(), m.group()) for m in WORD.finditer(sentence)]
    terms = {
        i: term for i, (_, _, w) in enumerate(words) if (term := stem(w.lower())) in known_terms
    }
    return _Sentence(
        text=sentence,
        words=words,
        anchors=sorted(terms),
        terms=terms,
        term_count=len(set(content_terms(question))),
        known_words=frozenset(w.lower() for w in WORD.findall(known)),
        known_terms=known_terms,
        head=_head_noun(question),
        kind=expected_type(question).value,
        form=_question_form(question),
    )


def _span_values(
    context: _Sentence, span: Span, first: int, last: int, left: int, right: int
) -> dict[str, float]:
    """The features of one candidate that depend on it alone."""
    words = context.words
    inside = [w for _, _, w in words[first : last + 1]]
    n = max(1, len(inside))
    before = [w.lower() for _, _, w in words[max(0, first - 2) : first]]
    after = words[last + 1][2].lower() if last + 1 < len(words) else ""
    distance = min(left, right)
    text = context.text[span.start : span.end]
    lowered = [w.lower() for w in inside]
    return {
        f"q:{context.kind}&log_words": math.log(n),
        f"q:{context.kind}&log_distance": math.log1p(distance),
        f"f:{context.form}&log_words": math.log(n),
        "adjacent": float(distance == 0),
        "log_distance": math.log1p(distance),
        "anchor_just_before": float(left <= 1),
        "anchor_just_after": float(right <= 1),
        "after_anchor": float(left < 50),
        "between_anchors": float(left < 50 and right < 50),
        "window_share": _window_share(context, first - 10, first, last + 1, last + 11),
        "left_share": _window_share(context, first - 5, first, first, first),
        "right_share": _window_share(context, last + 1, last + 6, last + 1, last + 1),
        "question_share": sum(
            w in context.known_words or stem(w) in context.known_terms for w in lowered
        )
        / n,
        "touches_question": float(any(stem(w) in context.known_terms for w in lowered)),
        "has_head_noun": float(bool(context.head) and context.head in map(stem, lowered)),
        "head_follows": float(bool(context.head) and stem(after) == context.head),
        "words1": float(n == 1),
        "words2": float(n == 2),
        "words3": float(n == 3),
        "words4_5": float(4 <= n <= 5),
        "capital_share": sum(w[:1].isupper() for w in inside) / n,
        "starts_capital": float(text[:1].isupper()),
        "has_digit": float(any(ch.isdigit() for ch in text)),
        "opens_sentence": float(first == 0),
        "in_brackets": float(
            context.text.count("(", 0, span.start) > context.text.count(")", 0, span.start)
        ),
        "verb_like": float(lowered[-1].endswith(("ed", "ing")) and inside[-1].islower()),
        "adverb_like": float(lowered[-1].endswith("ly")),
        "after_place_preposition": float(bool(before) and before[-1] in _PLACE_PREPOSITIONS),
        "after_by": float(bool(before) and before[-1] == "by"),
        "after_of": float(bool(before) and before[-1] == "of"),
        "after_such_as": float(before == ["such", "as"]),
        **_clause_values(context, span, first, last),
        **({f"prev:{before[-1]}": 1.0} if before and before[-1] in _CUES else {}),
        **({f"next:{after}": 1.0} if after in _CUES else {}),
        "before_comma": float(context.text[span.end : span.end + 1] == ","),
        "before_bracket": float(context.text[span.end : span.end + 2].strip()[:1] == "("),
        "ends_sentence": float(not context.text[span.end :].strip(" .!?\"'”’")),
    }


_BREAK = re.compile(r"[,;:()]|\s[–—-]\s")


def _clause_values(context: _Sentence, span: Span, first: int, last: int) -> dict[str, float]:
    """Whether an anchor shares the candidate's clause (no comma, colon or bracket between),
    and the share of the question's terms in that clause."""
    text = context.text
    start = max((m.end() for m in _BREAK.finditer(text, 0, span.start)), default=0)
    end = next((m.start() for m in _BREAK.finditer(text, span.end)), len(text))
    inside = {
        context.terms[i]
        for i in context.anchors
        if start <= context.words[i][0] < end and not first <= i <= last
    }
    share = len(inside) / context.term_count if context.term_count else 0.0
    return {"same_clause": float(bool(inside)), "clause_share": share}


def _word_range(context: _Sentence, span: Span) -> tuple[int, int]:
    """Indices of the first and last word of ``span`` in the sentence."""
    inside = [i for i, (s, e, _) in enumerate(context.words) if s >= span.start and e <= span.end]
    if not inside:
        return 0, 0
    return inside[0], inside[-1]


def _distances(context: _Sentence, first: int, last: int) -> tuple[int, int]:
    """Words between the span and the nearest anchor before it, and after it (50: none)."""
    left = min((first - a - 1 for a in context.anchors if a < first), default=50)
    right = min((a - last - 1 for a in context.anchors if a > last), default=50)
    return left, right


def _window_share(context: _Sentence, a: int, b: int, c: int, d: int) -> float:
    """Share of the question's terms among the words [a, b) and [c, d) of the sentence."""
    if not context.term_count:
        return 0.0
    found = {context.terms[i] for i in context.anchors if max(0, a) <= i < b or c <= i < d}
    return len(found) / context.term_count


def _question_form(question: str) -> str:
    """What the opening words of ``question`` ask for (one of ``_FORMS``)."""
    text = _OPENERS.sub("", " ".join(question.lower().split()))
    tokens = text.split()
    first, second = [*tokens, "", ""][:2]
    if first == "how":
        if (
            second in ("many", "much")
            or second.endswith("er")
            or second in ("big", "large", "old", "far", "high", "tall")
        ):
            return "how_many"
        return "how_long" if second == "long" else "how"
    if first in ("when", "why", "where", "who", "whom", "whose"):
        return {"whom": "who", "whose": "who"}.get(first, first)
    if first in ("what", "which"):
        if second in ("year", "years", "date", "time", "century", "decade", "day", "month"):
            return "when"
        if second in ("type", "types", "kind", "kinds", "sort"):
            return "what_type"
        if second in ("is", "was", "are", "were", "'s"):
            return "what_be"
        if second in ("did", "does", "do", "can", "could", "would", "will", "has", "have", "had"):
            return "what_do"
        if second and second not in STOP_WORDS:
            return "which_noun"
    return "other"


def _head_noun(question: str) -> str:
    """The stem of the noun a "which"/"what" question asks for ("which river" -> "river")."""
    tokens = question.lower().split()
    if len(tokens) > 1 and tokens[0] in ("which", "what") and tokens[1] not in STOP_WORDS:
        return stem(tokens[1].strip("?,."))
    return ""


def _char_distance(span: Span, context: _Sentence) -> int:
    starts = [context.words[i][0] for i in context.anchors]
    return min((abs(span.start - a) for a in starts), default=10_000)


def _normal(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


@dataclass(frozen=True, slots=True)
class SpanModel:
    """Logistic-regression weights over ``FEATURES`` and the confidence needed to
    show a short answer."""

    weights: np.ndarray
    bias: float
    threshold: float

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(features @ self.weights + self.bias)))


@cache
def load_span_model(path: Path = _WEIGHTS) -> SpanModel:
    """The trained model (read once).

    Raises:
        ConfigurationError: The weights file is missing or was trained on other features.
    """
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        weights = dict(zip(stored["features"], stored["weights"], strict=True))
        if set(weights) != set(FEATURES):
            raise ValueError("its features are not the ones the code computes")
        return SpanModel(
            np.array([weights[name] for name in FEATURES]),
            float(stored["bias"]),
            float(stored["threshold"]),
        )
    except (OSError, KeyError, TypeError, ValueError) as e:
        raise ConfigurationError(
            f"The short-answer weights in {path} cannot be used ({e}); re-run "
            "index.measure.span_training to write them."
        ) from e
