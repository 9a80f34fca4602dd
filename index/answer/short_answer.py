"""Singling out the phrase that answers a question inside the sentence that answers it.

No reading-comprehension model can be had offline (none ships its weights on PyPI), so this
is a small set of patterns: the question's wh-word says what kind of phrase to look for (a
date for "when", a number for "how many", a name for "who", a place for "where"), and of
the phrases of that kind in the sentence, the one nearest to the words the sentence shares
with the question wins. For other questions ("what was agreed?") the answer is taken as
the words that follow the question's own verb in the sentence, up to the end of that
clause. When nothing fits, there is no short answer and the cited sentence stands alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.text.answer_types import AnswerType, expected_type
from index.text.terms import STOP_WORDS, content_terms, stem

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
_WORD = re.compile(r"[\w'’-]+")
_CLAUSE_END = re.compile(r"[,;:.!?()]|\s(?:that|which|who|while|but|because|after|before|when)\s")
_MAX_CLAUSE_WORDS = 12


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int

    def text(self, sentence: str) -> str:
        return sentence[self.start : self.end].strip(" ,;:.")


def short_answer(question: str, sentence: str, context: str = "") -> str | None:
    """The phrase of ``sentence`` that answers ``question``, or None.

    ``context`` is what a follow-up question leans on (the earlier question and answer):
    its words locate the answer too ("where did he host them?" shares no word with
    "... met at Blair House", its topic does), and are no answer themselves.
    """
    anchors = _anchor_positions(f"{question} {context}", sentence)
    if not anchors:
        return None
    kind = expected_type(question)
    if kind is AnswerType.OTHER:
        return _clause_after_verb(question, sentence)
    spans = _typed_spans(kind, sentence)
    question_words = {w.lower() for w in _WORD.findall(f"{question} {context}")}
    fresh = [
        s
        for s in spans
        if s.text(sentence)
        and not {w.lower() for w in _WORD.findall(s.text(sentence))} <= question_words
    ]
    if not fresh:
        return None
    best = min(fresh, key=lambda s: min(abs(s.start - a) for a in anchors))
    return best.text(sentence)


def fresh_answers(kind: AnswerType, sentence: str, known: str) -> list[str]:
    """The phrases of ``sentence`` of the ``kind`` asked for that are not made only of words
    of ``known`` (the question, what it leans on): new information of the right kind."""
    if kind is AnswerType.OTHER:
        return []
    known_words = {w.lower() for w in _WORD.findall(known)}
    found = []
    for span in _typed_spans(kind, sentence):
        text = span.text(sentence)
        if text and not {w.lower() for w in _WORD.findall(text)} <= known_words:
            found.append(text)
    return found


def _typed_spans(kind: AnswerType, sentence: str) -> list[_Span]:
    if kind is AnswerType.TIME:
        return [_Span(m.start(), m.end()) for m in _TIME.finditer(sentence)]
    if kind is AnswerType.NUMBER:
        # A bare year is a date, not a count.
        return [
            _Span(m.start(), m.end())
            for m in _NUMBER.finditer(sentence)
            if not _YEAR.fullmatch(m.group().strip())
        ]
    if kind is AnswerType.PLACE:
        return [_Span(m.start(1), m.end(1)) for m in _PLACE.finditer(sentence)]
    # PERSON or NAME: capitalised names, except an ordinary word opening the sentence.
    spans = []
    for m in _NAME.finditer(sentence):
        span = _Span(m.start(), m.end())
        text = span.text(sentence)
        if span.start == 0 and " " not in text and text.lower() in STOP_WORDS:
            continue
        if re.fullmatch(f"{_DAY}|{_MONTH}", text):
            continue  # capitalised, but a date
        spans.append(span)
    return spans


def _anchor_positions(question: str, sentence: str) -> list[int]:
    """Where the sentence's words that also occur in the question are."""
    terms = set(content_terms(question))
    return [m.start() for m in _WORD.finditer(sentence) if stem(m.group().lower()) in terms]


def _clause_after_verb(question: str, sentence: str) -> str | None:
    """The words after a question word found in the sentence, up to the end of that clause."""
    question_terms = content_terms(question)
    if not question_terms:
        return None
    words = list(_WORD.finditer(sentence))
    # Questions name their verb early ("What was agreed at Sochi?"), so the question's terms
    # are tried in order; the first whose following clause is new information wins.
    for term in question_terms:
        for word in words:
            if stem(word.group().lower()) != term:
                continue
            rest = sentence[word.end() :]
            end = _CLAUSE_END.search(rest)
            clause = rest[: end.start()] if end else rest
            clause_words = clause.split()
            if 2 <= len(clause_words) <= _MAX_CLAUSE_WORDS and not _mostly_question(
                clause, question
            ):
                return " ".join(clause_words).strip(" ,;:.")
    return None


def _mostly_question(clause: str, question: str) -> bool:
    clause_terms = set(content_terms(clause))
    if not clause_terms:
        return True
    return len(clause_terms & set(content_terms(question))) / len(clause_terms) > 0.5
