"""Singling out the phrase that answers a question inside the sentence that answers it.

No reading-comprehension model can be had offline (none ships its weights on PyPI).
:func:`best_short_answer` scores every candidate phrase of the sentence (typed phrases,
noun-phrase-like chunks, the clause after the question's verb) with a small logistic
regression trained on SQuAD's tuning split (``span_model.py``) and returns the best one
with its probability of being right, or None when that probability is below the trained
threshold: a short answer is shown only when it is likely right.

:func:`short_answer` is the older pattern rule, kept for its callers: the question's
wh-word says what kind of phrase to look for (a date for "when", a number for "how many",
a name for "who", a place for "where"), and of the phrases of that kind in the sentence the
one nearest to the words the sentence shares with the question wins; for other questions
("what was agreed?") the words that follow the question's own verb, up to the end of that
clause. It always answers when something fits, right or not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from index.answer.span_model import WORD, Evidence, Span, load_span_model, span_features
from index.text.answer_types import AnswerType, expected_type
from index.text.events import display_date
from index.text.terms import STOP_WORDS, content_terms, stem

if TYPE_CHECKING:
    from index.answer.timeline import Fact
    from index.text.events import Event

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_TIME = re.compile(
    rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:\s+\d{{4}})?"
    rf"|{_MONTH}\s+\d{{4}}"
    rf"|(?:early |late |mid-?)?\d{{4}}s?(?:\s*[–-]\s*\d{{2,4}})?"
    rf"|{_DAY}|\d{{1,2}}(?:st|nd|rd|th) century"
)
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|thousand|dozens?|hundreds?|thousands?|millions?"
)
_NUMBER = re.compile(
    rf"(?:(?:about|around|almost|nearly|more than|over|some|at least|up to|roughly)\s+)?"
    rf"(?:[$£€]\s?)?(?:\d[\d,.]*|\b(?:{_NUMBER_WORDS})\b)"
    rf"(?:\s+(?:million|billion|trillion|thousand|hundred|percent|per cent))?%?",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?:[A-Z][\w'’.-]*(?:\s+(?:of|de|von|van|the|and)\s+|\s+)?)*[A-Z][\w'’.-]*")
# "at Blair House", "in the Castelvar Congress Hall", "at the lakeside Villa Amsel".
_PLACE = re.compile(
    r"\b(?:in|at|near|from|to|outside|into)\s+(?:the\s+)?(?:[a-z]+\s+){0,2}(" + _NAME.pattern + ")"
)
_YEAR = re.compile(r"1[5-9]\d\d|20\d\d")
_CLAUSE_END = re.compile(r"[,;:.!?()]|\s(?:that|which|who|while|but|because|after|before|when)\s")
_MAX_CLAUSE_WORDS = 12
_MAX_CHUNK_WORDS = 8
_STRIP = " ,;:.'\"“”‘’"


def typed_spans(kind: AnswerType, sentence: str) -> list[Span]:
    """The phrases of ``sentence`` of the ``kind`` a question asks for (none for OTHER)."""
    if kind is AnswerType.TIME:
        return [Span(m.start(), m.end(), frozenset({"time"})) for m in _TIME.finditer(sentence)]
    if kind is AnswerType.NUMBER:
        # A bare year is a date, not a count.
        return [
            Span(m.start(), m.end(), frozenset({"number"}))
            for m in _NUMBER.finditer(sentence)
            if not _YEAR.fullmatch(m.group().strip())
        ]
    if kind is AnswerType.PLACE:
        return [Span(m.start(1), m.end(1), frozenset({"place"})) for m in _PLACE.finditer(sentence)]
    if kind is AnswerType.OTHER:
        return []
    # PERSON or NAME: capitalised names, except an ordinary word opening the sentence.
    spans = []
    for m in _NAME.finditer(sentence):
        span = Span(m.start(), m.end(), frozenset({"name"}))
        text = span.text(sentence)
        if span.start == 0 and " " not in text and text.lower() in STOP_WORDS:
            continue
        if re.fullmatch(f"{_DAY}|{_MONTH}", text):
            continue  # capitalised, but a date
        spans.append(span)
    return spans


def anchor_positions(question: str, sentence: str) -> list[int]:
    """Where the sentence's words that also occur in the question are (character offsets)."""
    terms = set(content_terms(question))
    return [m.start() for m in WORD.finditer(sentence) if stem(m.group().lower()) in terms]


def clause_after_verb(question: str, sentence: str) -> Span | None:
    """The words after a question word found in the sentence, up to the end of that clause."""
    question_terms = content_terms(question)
    if not question_terms:
        return None
    words = list(WORD.finditer(sentence))
    # Questions name their verb early ("What was agreed at Sochi?"), so the question's terms
    # are tried in order; the first whose following clause is new information wins.
    for term in question_terms:
        for word in words:
            if stem(word.group().lower()) != term:
                continue
            rest = sentence[word.end() :]
            end = _CLAUSE_END.search(rest)
            clause = rest[: end.start()] if end else rest
            if 2 <= len(clause.split()) <= _MAX_CLAUSE_WORDS and not _mostly_question(
                clause, question
            ):
                start = word.end() + len(clause) - len(clause.lstrip())
                return Span(start, word.end() + len(clause.rstrip()), frozenset({"clause"}))
    return None


def _mostly_question(clause: str, question: str) -> bool:
    clause_terms = set(content_terms(clause))
    if not clause_terms:
        return True
    return len(clause_terms & set(content_terms(question))) / len(clause_terms) > 0.5


def candidate_spans(question: str, sentence: str, known: str) -> list[Span]:
    """Every phrase of ``sentence`` that could answer ``question``, except those made only of
    words of ``known`` (the question and what it leans on): those are never the answer."""
    found: dict[tuple[int, int], set[str]] = {}
    for kind in (AnswerType.TIME, AnswerType.NUMBER, AnswerType.NAME, AnswerType.PLACE):
        for span in typed_spans(kind, sentence):
            found.setdefault(_trimmed(sentence, span), set()).update(span.kinds)
    for start, end in _chunks(sentence):
        found.setdefault((start, end), set()).add("chunk")
    clause = clause_after_verb(question, sentence)
    if clause is not None:
        found.setdefault(_trimmed(sentence, clause), set()).add("clause")
    known_words = {w.lower() for w in WORD.findall(known)}
    spans = []
    for (start, end), kinds in sorted(found.items()):
        words = {w.lower() for w in WORD.findall(sentence[start:end])}
        if start < end and words and not words <= known_words:
            spans.append(Span(start, end, frozenset(kinds)))
    return spans


def _trimmed(sentence: str, span: Span) -> tuple[int, int]:
    text = sentence[span.start : span.end]
    start = span.start + len(text) - len(text.lstrip(_STRIP))
    return start, max(start, span.start + len(text.rstrip(_STRIP)))


def _chunks(sentence: str) -> list[tuple[int, int]]:
    """Maximal runs of content words (no punctuation, stop word or question word between
    them) of at most eight words, and two runs joined by "of" ("Duke of Normandy")."""
    runs: list[tuple[int, int, int]] = []  # start, end, words
    for m in WORD.finditer(sentence):
        word = m.group().lower().strip("'’-")
        if not word or word in STOP_WORDS:
            continue
        if runs and not sentence[runs[-1][1] : m.start()].strip():
            start, _, n = runs[-1]
            runs[-1] = (start, m.end(), n + 1)
        else:
            runs.append((m.start(), m.end(), 1))
    chunks = [(s, e) for s, e, n in runs if n <= _MAX_CHUNK_WORDS]
    for (s1, e1, n1), (s2, e2, n2) in pairwise(runs):
        if n1 + n2 < _MAX_CHUNK_WORDS and sentence[e1:s2].strip().lower() == "of":
            chunks.append((s1, e2))
    return chunks


@dataclass(frozen=True, slots=True)
class ShortAnswer:
    """The phrase that answers and the probability that it is right (token F1 >= 0.5)."""

    text: str
    confidence: float


def best_short_answer(
    question: str,
    sentence: str,
    *,
    context: str = "",
    supporting: Sequence[str] = (),
    margin: float = 0.0,
) -> ShortAnswer | None:
    """The phrase of ``sentence`` most likely to answer ``question``, when likely enough.

    Args:
        question: The question as asked (its wh-word says what kind of phrase is wanted).
        sentence: The sentence the answer leads with.
        context: What a follow-up question leans on (the earlier question and answer); its
            words locate the answer too, and are no answer themselves.
        supporting: The other reports' sentences; a phrase they repeat is likelier right.
        margin: The lead fact's score minus the next fact's (0 when there is one fact).

    Returns:
        The best phrase and its confidence, or None when the sentence shares no word with
        the question or the confidence is below the threshold chosen on the tuning split.

    Raises:
        ConfigurationError: The trained weights cannot be read.
    """
    ranked = rank_short_answers(
        question, sentence, context=context, supporting=supporting, margin=margin
    )
    if not ranked or ranked[0].confidence < load_span_model().threshold:
        return None
    return ranked[0]


def rank_short_answers(
    question: str,
    sentence: str,
    *,
    context: str = "",
    supporting: Sequence[str] = (),
    margin: float = 0.0,
) -> list[ShortAnswer]:
    """Every candidate phrase of ``sentence`` with its confidence, best first, whatever
    the threshold (arguments as :func:`best_short_answer`)."""
    known = f"{question} {context}"
    if not anchor_positions(known, sentence):
        return []
    spans = candidate_spans(question, sentence, known)
    if not spans:
        return []
    features = span_features(question, sentence, spans, known, Evidence(tuple(supporting), margin))
    probabilities = load_span_model().probabilities(features)
    ranked = sorted(
        zip(spans, probabilities, strict=True), key=lambda pair: (-pair[1], pair[0].start)
    )
    return [ShortAnswer(span.text(sentence), float(p)) for span, p in ranked]


def short_answer(question: str, sentence: str, context: str = "") -> str | None:
    """The phrase of ``sentence`` that the pattern rule picks for ``question``, or None.

    ``context`` is what a follow-up question leans on (the earlier question and answer):
    its words locate the answer too ("where did he host them?" shares no word with
    "... met at Blair House", its topic does), and are no answer themselves.
    """
    anchors = anchor_positions(f"{question} {context}", sentence)
    if not anchors:
        return None
    kind = expected_type(question)
    if kind is AnswerType.OTHER:
        clause = clause_after_verb(question, sentence)
        return (
            " ".join(sentence[clause.start : clause.end].split()).strip(" ,;:.") if clause else None
        )
    question_words = {w.lower() for w in WORD.findall(f"{question} {context}")}
    fresh = [
        s
        for s in typed_spans(kind, sentence)
        if s.text(sentence)
        and not {w.lower() for w in WORD.findall(s.text(sentence))} <= question_words
    ]
    if not fresh:
        return None
    best = min(fresh, key=lambda s: min(abs(s.start - a) for a in anchors))
    return best.text(sentence)


def fresh_answers(kind: AnswerType, sentence: str, known: str) -> list[str]:
    """The phrases of ``sentence`` of the ``kind`` asked for that are not made only of words
    of ``known`` (the question, what it leans on): new information of the right kind."""
    known_words = {w.lower() for w in WORD.findall(known)}
    found = []
    for span in typed_spans(kind, sentence):
        text = span.text(sentence)
        if text and not {w.lower() for w in WORD.findall(text)} <= known_words:
            found.append(text)
    return found


# A day named only relative to its report: "on Saturday", "yesterday", "last Tuesday".
_RELATIVE_DAY = re.compile(
    rf"(?:(?:on|last|this|next)\s+)?{_DAY}|yesterday|today|tomorrow", re.IGNORECASE
)


def dated_short_answer(text: str, event: Event | None) -> str:
    """``text``, or the date of ``event`` when ``text`` names a day only relative to its
    report: a news reader asking "when" wants "18 July 2020", not "Saturday"."""
    if event is None or not _RELATIVE_DAY.fullmatch(text.strip()):
        return text
    if event.first != event.last:
        return text  # the sentence's event is no single day: the weekday may be another
    return display_date(event.first.isoformat())


def lead_evidence(facts: Sequence[Fact]) -> Evidence:
    """What an answer's facts (lead first) say about its lead sentence: the other reports'
    sentences, and the lead fact's score minus the next fact's (0 with one fact)."""
    supporting = tuple(r.text for f in facts for r in f.reports)[1:]
    margin = facts[0].score - facts[1].score if len(facts) > 1 else 0.0
    return Evidence(supporting, margin)
