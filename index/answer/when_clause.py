"""The period a clause like "when the new hospital opened" places a question in.

"What did she say when the new hospital opened?" names no date, but the articles date the
opening. A sentence that tells of the event says the clause's words in one phrase ("the new
hospital at Pennock Fields opened"), not scattered over a sentence about something else
("builders at the new hospital ... pushing its opening back"); a later article that looks
back on it is dated later, and one that announces it ("is due to open") does not tell it, so
the earliest phrase telling it dates the event.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from index.answer.span_model import WORD
from index.answer.timeline import passage_events
from index.text.dates import QuestionTime
from index.text.dates.tense import ANNOUNCING, tense_at
from index.text.events import Event
from index.text.sentences import sentence_spans
from index.text.terms import content_terms, stem

if TYPE_CHECKING:
    from index.answer.conversation import ResolvedQuestion
    from index.models import Passage

# "... when the board chose the site?": the clause after "when", past the question's opening.
# "once the farm was running" says when as "when" does (not "was once the biggest").
# News says "the day the club folded" or "on the night the dam broke" for "when": a clause
# straight after a day, night or week (not "the day of the vote", "the week after it").
_CLAUSE = re.compile(
    r"^\W*\w.*?\b((?:when|(?<!\bwas\s)(?<!\bwere\s)(?<!\bis\s)(?<!\bwho\s)(?<!\bhad\s)"
    r"once(?=\s+(?:the|all|its|their|it|they|he|she)\b)"
    r"|(?:on\s+)?the\s+(?:day|night|morning|evening|afternoon|week)"
    r"(?:\s+(?:that|when))?(?!\s+(?:of|after|before|in|on|at|for|to|when|that|it|he|she)\b))"
    r"\s+([^?!.,;]+))",
    re.IGNORECASE,
)
# A clause of fewer words than this ("when it ended") says too little to find its event.
_MIN_CLAUSE_TERMS = 2
# A phrase telling the event spans at most this many words for each of the clause's words.
_PHRASE_SPREAD = 3
# "... since the dam was announced": the event as a time other news is told by, not told.
_LOOKS_BACK = re.compile(r"\b(?:since|before|after|until)\s+(?:\S+\s+){0,3}$", re.IGNORECASE)


def when_clause(question: str) -> str:
    """The clause after a "when" past the question's opening ("the board chose the site"),
    or ""."""
    match = _CLAUSE.match(question)
    return match.group(2).strip() if match else ""


def without_when_clause(question: str) -> str:
    """``question`` without its "when" clause ("What did she say when the pier opened?" is
    "What did she say?")."""
    match = _CLAUSE.match(question)
    if match is None:
        return question
    cut = question[: match.start(1)] + question[match.end(1) :]
    return re.sub(r"\s+([?!.,;:])", r"\1", " ".join(cut.split()))


def dated_by_clause(resolved: ResolvedQuestion, passages: Sequence[Passage]) -> ResolvedQuestion:
    """``resolved`` asking about the year of the event its "when" clause names, when it names
    no period otherwise and a passage reports that event; else ``resolved`` as it is."""
    match = _CLAUSE.match(resolved.question)
    if match is None or not resolved.time.is_empty:
        return resolved
    terms = content_terms(match.group(2))
    if len(terms) < _MIN_CLAUSE_TERMS:
        return resolved
    named = _antecedent_terms(resolved.question[: match.start(1)], match.group(2))
    reports = [
        event
        for passage in passages
        for text, event in _dated_sentences(passage)
        if event is not None and _tells(text, set(terms)) and named <= set(content_terms(text))
    ]
    if not reports:
        return resolved
    # The clause says when, as "in 2017" would: what is asked is the rest ("what did she say").
    a_day = not match.group(1).lower().startswith(("when", "once"))
    period = QuestionTime(*_period(reports, a_day), spans=(match.span(1),))
    asked = (resolved.own_words or resolved.question).replace(match.group(1), " ")
    return replace(resolved, time=period, own_words=re.sub(r"\s+([?!.,;:])", r"\1", asked).strip())


# "... over the appeal court when it ruled": a clause whose subject is a pronoun is about
# the thing the question named just before it, after a preposition ("over the appeal
# court"; not "what did the council say", where the words after "the" run into a verb).
_PRONOUN_SUBJECT = re.compile(r"^(?:it|they)\b", re.IGNORECASE)
_LAST_THING = re.compile(
    r"\b(?:over|of|on|at|for|about|from|with|in|by|to|into|against|behind)\s+(?:the|its|their)"
    r"\s+([\w'’-]+(?:\s+[\w'’-]+){0,2})\s*$",
    re.IGNORECASE,
)


def _antecedent_terms(before: str, clause: str) -> set[str]:
    """The words of what a clause's pronoun subject stands for ("appeal court" in "Who
    presided over the appeal court when it ruled on the wolves?"): a sentence tells that
    event only when it names that thing too, not another court's ruling; else none."""
    if not _PRONOUN_SUBJECT.match(clause.strip()):
        return set()
    thing = _LAST_THING.search(before)
    return set(content_terms(thing.group(1))) if thing else set()


# "The day the club folded": what was said of it is reported within days, not all year.
_DAYS_AFTER = dt.timedelta(days=7)


def _period(reports: Sequence[Event], a_day: bool) -> tuple[dt.date, dt.date]:
    """The period the earliest report of the event places a question in: the week from its
    day when the question names a day ("the day the club folded"; of reports dated only
    by month, "in November", the one dated to the day), else its year ("when the library
    opened": what was said of it may be reported days later, in another month)."""
    if a_day:
        told = min(reports, key=lambda event: (event.last, event.first))
        return told.first, told.last + _DAYS_AFTER
    year = min(event.first for event in reports).year
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _tells(sentence: str, terms: set[str]) -> bool:
    """Whether ``sentence`` holds every clause term in one phrase (at most ``_PHRASE_SPREAD``
    words a term), told as done."""
    found = [(i, stem(m.group().lower()), m.start()) for i, m in enumerate(WORD.finditer(sentence))]
    held = [(i, term, at) for i, term, at in found if term in terms]
    for k, (first, _, at_first) in enumerate(held):
        if _LOOKS_BACK.search(sentence[:at_first]):
            continue
        seen: set[str] = set()
        for last, term, at in held[k:]:
            if last - first >= _PHRASE_SPREAD * len(terms) or tense_at(sentence, at) in ANNOUNCING:
                break
            seen.add(term)
            if seen == terms:
                return True
    return False


def _dated_sentences(passage: Passage) -> list[tuple[str, Event | None]]:
    """Each sentence of ``passage`` with its event (the matched one's as the index dated it)."""
    spans = sentence_spans(passage.text)
    events = passage_events(passage, spans)
    return [(passage.text[a:b], event) for (a, b), event in zip(spans, events, strict=True)]
