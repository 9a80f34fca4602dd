"""How much each word of a question counts when a sentence is chosen to answer it."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from index.answer.conversation import without_time
from index.text.terms import content_terms

if TYPE_CHECKING:
    from index.answer.conversation import ResolvedQuestion
    from index.models import Passage

# In a follow-up, the new question's own words count this much more than the topic's, and
# the words of the answer it follows this much.
_FOCUS_WEIGHT = 2.0
_RECALLED_WEIGHT = 0.25
# Fewer candidate articles than this say nothing about which words are common to them.
_DISTINCT_ARTICLES = 3
# Stems this long match a longer stem of the same word family ("provinc" in "provinci").
_FAMILY_STEM = 5


def term_weights(resolved: ResolvedQuestion, *, dated: bool = False) -> dict[str, float]:
    """The question's terms; in a follow-up its own terms weigh more than the topic's. For
    the sentences of ``dated`` articles, the words of the question's period do not count."""
    # The answer a follow-up follows names who "he" is, but a sentence that only repeats it
    # adds nothing: its words count least.
    weights: dict[str, float] = {t: _RECALLED_WEIGHT for t in content_terms(resolved.recalled)}
    leaned_on = resolved.context.replace(resolved.recalled, " ") if resolved.recalled else ""
    weights.update({t: 1.0 for t in content_terms(leaned_on or resolved.context)})
    focus_weight = _FOCUS_WEIGHT if resolved.is_follow_up else 1.0
    focus = _RECENCY_ADVERBS.sub(" ", _without_period(resolved)) if dated else resolved.focus
    focus = _STANDING_IN.sub("interim", _HOW_MUCH.sub("how", focus))
    focus = _CAME_UP_WITH.sub("devised", focus)
    weights.update({t: focus_weight for t in content_terms(focus)})
    return weights


# Who "stood in" or "filled in" held a post for a while: news says "interim", "acting" or
# "until a successor is found" ("stood" alone is "stand", "stood trial", "stood firm").
_STANDING_IN = re.compile(
    r"\b(?:stood|stand|stands|standing|fill|fills|filled|filling|step|steps|stepped)\s+in\b",
    re.IGNORECASE,
)


# "How much" and "how many" ask for a figure: a sentence saying "for how much" holds none.
_HOW_MUCH = re.compile(r"\bhow\s+(?:much|many)\b", re.IGNORECASE)


# "Who currently leads the union?" asks for the newest report, not for a sentence saying
# "currently": news says what is current by its date ("who was elected in March").
_RECENCY_ADVERBS = re.compile(
    r"\b(?:currently|presently|nowadays|now|these\s+days|at\s+present|today)\b", re.IGNORECASE
)


def distinctive(weights: dict[str, float], passages: Sequence[Passage]) -> dict[str, float]:
    """``weights`` scaled by how few of the passages' articles hold each term: words every
    candidate shares (the story's "tram", "council", its city) do not tell its sentences
    apart, the rarer ones ("councillors", "manufactures") do."""
    articles: dict[str, set[str]] = {}
    for p in passages:
        articles.setdefault(p.article_id, set()).update(content_terms(p.text))
    n = len(articles)
    if n < _DISTINCT_ARTICLES:
        return weights
    scaled = {}
    for term, weight in weights.items():
        held = sum(holds(terms, term) for terms in articles.values())
        scaled[term] = weight * (math.log1p(n / held) / math.log1p(n) if held else 1.0)
    return scaled


def _without_period(resolved: ResolvedQuestion) -> str:
    """The question's words but those that say its period ("on 14 March 2023"): a news
    report is of the period by its event's date, and says "on Tuesday", not the date."""
    focus = resolved.focus
    if resolved.is_follow_up and resolved.own_words:
        return resolved.own_words  # "and two years later?" asks with no word of its own
    spans = [(a, b) for a, b in resolved.time.spans if b <= len(focus)]
    if (
        resolved.is_follow_up
        or resolved.question != focus
        or not spans
        or not resolved.time.names_period
    ):
        return focus  # "the latest estimate" may be worded so
    return without_time(focus, replace(resolved.time, spans=tuple(spans)))


def holds(present: set[str], term: str) -> bool:
    """Whether a sentence with the stems ``present`` holds ``term`` (or its word family:
    "province" and "provincial" stem differently; "led" and "lead" not at all; who "ran"
    a company is said by the title held: "chief executive")."""
    if term in present:
        return True
    said_otherwise = _other_words().get(term)
    if said_otherwise is not None and not said_otherwise.isdisjoint(present):
        return True
    return len(term) >= _FAMILY_STEM and any(
        len(p) >= _FAMILY_STEM and (p.startswith(term) or term.startswith(p)) for p in present
    )


# What a meeting or a vote settled, in the words news uses for it: "What did they decide?"
# is answered by "agreed to", "What did they agree?" by "accepted".
_SETTLING = frozenset("decid decis agre agreement accept approv adopt".split())


def holds_asked(present: set[str], term: str) -> bool:
    """:func:`holds`, or ``term`` is a word for what was settled and the sentence says it so.

    Only for the few words a follow-up asks with ("What did they decide?"): a standalone
    question's many words tell its passages apart without it (with it, "What was agreed at
    Castelvar in 2020?" matched "would no longer accept")."""
    if holds(present, term):
        return True
    return term in _SETTLING and not _SETTLING.isdisjoint(present)


# Stems of irregular past tenses and their present (the stemmer leaves "led" as it is).
_IRREGULAR = {
    "led": "lead", "ran": "run", "won": "win", "took": "take", "paid": "pay", "held": "hold",
    "sold": "sell", "bought": "buy", "built": "build", "began": "begin", "begun": "begin",
    "lost": "lose", "met": "meet", "told": "tell", "gave": "give", "given": "give",
    "chose": "choos", "chosen": "choos", "fell": "fall", "rose": "rise", "spent": "spend",
    "sent": "send", "kept": "keep", "struck": "strike", "brought": "bring", "sought": "seek",
    "stood": "stand", "wrote": "write", "written": "write", "drew": "draw", "drawn": "draw",
    "said": "say",
}  # fmt: skip
# Who led, ran or headed something: news names the post ("its general secretary").
_LEADING_VERBS = ("lead", "run", "head", "chair", "helm")
# ... or says who took the post: "elected her to succeed him".
_SUCCESSORS = frozenset({"succeed", "successor"})
_TITLES = frozenset(
    "leader head chief director chairman chairwoman chair presid secretari execut boss "
    "manag governor".split()
)


# Who "came up with" a plan "drew it up", "devised" or "proposed" it ("came" alone is "came
# second", "came to a halt").
_CAME_UP_WITH = re.compile(r"\b(?:came|come|comes|coming)\s+up\s+with\b", re.IGNORECASE)
# Words news uses for one another: who left a post, who held it meanwhile, who took it
# over, and what a project costs.
_SAME_MEANING = (
    ("quit", "resign", "depart", "departur", "retir"),
    ("interim", "act", "caretak", "temporarili", "successor"),
    ("replac", "succeed", "successor"),
    ("cost", "price"),
    ("sign", "signatur"),
    ("devis", "draw", "drawn", "drew", "propos", "conceiv", "invent"),
    ("hous", "home", "flat", "dwell", "apart"),
    ("form", "found", "establish"),
)


def said_otherwise(term: str) -> frozenset[str]:
    """The stems a sentence may say the stem ``term`` with instead ("flat" for "home")."""
    return _other_words().get(term, frozenset())


@cache
def _other_words() -> dict[str, frozenset[str]]:
    """For a question's stem, the stems a sentence may say it with instead."""
    other: dict[str, set[str]] = {}
    for past, present in _IRREGULAR.items():
        other.setdefault(past, set()).add(present)
        other.setdefault(present, set()).add(past)
    for verb in _LEADING_VERBS:
        forms = {verb, *(p for p, base in _IRREGULAR.items() if base == verb)}
        for form in forms:
            other.setdefault(form, set()).update(forms | _TITLES | _SUCCESSORS - {form})
    # What someone said is told as what they "called" it: "called the decision 'a sad day'".
    other["say"].add("call")
    for group in _SAME_MEANING:
        for word in group:
            other.setdefault(word, set()).update(set(group) - {word})
    return {term: frozenset(words) for term, words in other.items()}
