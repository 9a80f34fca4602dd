"""Checking a generated answer's citations against the passages it was given. Pure functions.

A language model is told to end every sentence with ``[n]``, the number of the passage that
says it. Nothing makes it obey, so every sentence is checked before anyone sees it:

* a number that matches no passage given is removed (the model cannot cite what was not
  retrieved);
* a cited passage that shares no meaningful word with the sentence is not a source of it;
* a sentence left with no citation, or whose cited passages do not hold its key words,
  is dropped. Key words are the stemmed content words (``index.terms.content_terms``):
  most of them must be in the cited passages, and every number and every capitalised
  name (the usual hallucinations: a wrong year, a wrong person) must be; and a word it
  shares with them must be negated, or not, as they have it (a dropped "not" keeps every
  key word).

What remains is renumbered in order of first use, so an answer's citations are exactly the
passages it relies on, ``[1]`` first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from index.text.citations import split_cited
from index.text.dates import find_dates
from index.text.terms import STOP_WORDS, content_terms, stem, words

# Share of a sentence's content words that its cited passages must hold. Below it, the
# sentence says something the passages do not (a paraphrase keeps most nouns and verbs;
# stemming absorbs inflections).
MIN_SUPPORT = 0.6

_NUMBER = re.compile(r"\d")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")  # as index.text.terms splits words


@dataclass(frozen=True, slots=True)
class CheckedSentence:
    """A sentence that passed the checks, its markers removed, and what supports it."""

    text: str
    sources: tuple[int, ...]  # indices into the passages, in the order it cited them


@dataclass(frozen=True, slots=True)
class CheckedAnswer:
    """The sentences of a generated answer that passed, and how many did not."""

    sentences: tuple[CheckedSentence, ...]
    dropped: int


def supports(sentence: str, passages: Sequence[str]) -> bool:
    """Whether ``passages`` together hold the key words of ``sentence``, said the same way
    round (see :func:`_same_polarity`)."""
    terms = set(content_terms(sentence))
    if not terms:
        return False  # no claim to check ("Yes.", "See below.")
    held = set().union(*(_terms(p) for p in passages)) if passages else set()
    if len(terms & held) / len(terms) < MIN_SUPPORT:
        return False
    if not all(t in held for t in _names_and_numbers(sentence)):
        return False
    return _same_polarity(sentence, passages)


# Words that turn a statement around. Content words alone cannot tell "agreed not to use
# force" from "agreed to use force": both hold the same terms. A negation governs the few
# words after it ("did not end the war": end, war).
_NEGATIONS = frozenset("not no never nor neither none nobody nothing cannot without".split())
_NEGATION_REACH = 4


def _polar_terms(text: str) -> frozenset[tuple[str, bool]]:
    """Each content term of ``text`` with whether a negation governs it there."""
    found = set()
    reach = 0
    for word in words(text):
        if word in _NEGATIONS or word.endswith(("n't", "n’t")):
            reach = _NEGATION_REACH
            continue
        if word not in STOP_WORDS:
            found.add((stem(word), reach > 0))
        reach = max(0, reach - 1)
    return frozenset(found)


@lru_cache(maxsize=256)
def _passage_polar_terms(passage: str) -> frozenset[tuple[str, bool]]:
    return _polar_terms(passage)


def _same_polarity(sentence: str, passages: Sequence[str]) -> bool:
    """Whether every term ``sentence`` shares with ``passages`` is negated in the sentence
    only where a passage negates it too, and affirmed only where one affirms it.

    A model that drops or adds a "not" keeps every key word, so the term checks alone
    would pass the opposite of what the passage says.
    """
    said = set().union(*(_passage_polar_terms(p) for p in passages)) if passages else set()
    present = {term for term, _ in said}
    return all(pair in said for pair in _polar_terms(sentence) if pair[0] in present)


def _names_and_numbers(sentence: str) -> list[str]:
    """Stemmed numbers and capitalised words (other than the first word) of ``sentence``."""
    keys = []
    for i, word in enumerate(_WORD.findall(sentence)):
        token = re.sub(r"['’]s$", "", word.lower())
        if _NUMBER.search(token) or (i > 0 and word[0].isupper() and token not in STOP_WORDS):
            keys.append(token if _NUMBER.search(token) else stem(token))
    return keys


@lru_cache(maxsize=256)
def _terms(passage: str) -> frozenset[str]:
    return frozenset(content_terms(passage)) | frozenset(
        w for w in words(passage) if _NUMBER.search(w)
    )


Period = tuple[dt.date, dt.date]


def check_answer(
    text: str,
    passages: Sequence[str],
    *,
    complete: bool = True,
    periods: Sequence[Sequence[Period]] = (),
) -> CheckedAnswer:
    """The sentences of ``text`` whose citations hold, citing ``passages`` (numbered from 1).

    Args:
        text: The generated answer.
        passages: The passages the model was given, ``[1]`` first.
        complete: False while the answer is still arriving: its last sentence (and the
            markers that may still follow it) is left for later.
        periods: For each passage, the periods it reports (its event's, and every date it
            states): a date in a sentence must be one of its cited passages' periods.
    """
    pieces = split_cited(text)
    if not complete and pieces:
        pieces = pieces[:-1]
    kept: list[CheckedSentence] = []
    for sentence, numbers in pieces:
        cited = [n - 1 for n in dict.fromkeys(numbers) if 1 <= n <= len(passages)]
        terms = set(content_terms(sentence))
        relevant = tuple(i for i in cited if terms & _terms(passages[i]))
        held = [p for i in relevant for p in (periods[i] if i < len(periods) else ())]
        if (
            relevant
            and supports(sentence, [passages[i] for i in relevant])
            and (not periods or dates_hold(sentence, held))
        ):
            kept.append(CheckedSentence(sentence, relevant))
    return CheckedAnswer(tuple(kept), dropped=len(pieces) - len(kept))


def dates_hold(sentence: str, periods: Sequence[Period]) -> bool:
    """Whether every date ``sentence`` states is one of ``periods`` (or within one, or one
    within it: "in 2023" for a passage of 14 March 2023). A model that writes the wrong
    year keeps every other word of its source."""
    for mention in find_dates(sentence, None):
        if not any(
            (mention.first <= a and b <= mention.last) or (a <= mention.first and mention.last <= b)
            for a, b in periods
        ):
            return False
    return True


def renumber(checked: CheckedAnswer) -> tuple[str, list[int]]:
    """The answer's text cited ``[1]``, ``[2]``... in order of first use, and the passage
    index behind each number."""
    order: list[int] = []
    parts = []
    for sentence in checked.sentences:
        for i in sentence.sources:
            if i not in order:
                order.append(i)
        markers = "".join(f"[{order.index(i) + 1}]" for i in sentence.sources)
        parts.append(f"{sentence.text} {markers}")
    return " ".join(parts), order
