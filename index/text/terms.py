"""Words that carry meaning: lower-cased, stop words removed, stemmed (Snowball English)."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

# Function words plus the question words people start with; none of them tells which
# passage answers a question.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom whose why will with would you your yours yourself
    yourselves s t don didn doesn isn wasn weren won wouldn shouldn couldn ll re ve d m o
    """.split()
)


@cache
def _stemmer() -> Any:
    from index.text.nltk_import import import_nltk

    import_nltk()
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    return str(_stemmer().stem(word))


def words(text: str) -> list[str]:
    """Lower-cased words of ``text``, possessive endings dropped."""
    # str methods, not a re.sub per word: answering a question splits some 5,000 words, and
    # the regex calls were 7 ms of a 73 ms question at 100k chunks (profiled).
    found = []
    for word in _WORD.findall(text):
        word = word.lower()
        found.append(word[:-2] if word.endswith(("'s", "’s")) else word)
    return found


def content_terms(text: str) -> list[str]:
    """Stemmed words of ``text`` that are not stop words, in order (repeats kept)."""
    return list(_content_terms(text))


@lru_cache(maxsize=4096)
def _content_terms(text: str) -> tuple[str, ...]:
    # The same passages are weighed several times while one answer is composed.
    return tuple(stem(w) for w in words(text) if w not in STOP_WORDS)
