"""News tense: whether future wording governs a date that has no year.

A weekday, a day or a month without a year is read as the most recent one, which is right for
what a news sentence reports and wrong for what it announces: "talks are due to resume in
October" in an August article means this October, not last October. Only wording in the same
clause and before the date counts, so that in "said in March that they would meet" the date
still belongs to the past verb; a past verb in between ends its reach ("will publish the
minutes of its meeting held on 30 July").

The kinds of wording, and where the date then falls (:func:`place_in_time`):
- ``future`` ("will", "shall", "is due to", "are to", "is expected", "plans to", "next",
  "upcoming"): the first occurrence ending on or after the publication day.
- ``reported_future`` ("would", "agreed to", "scheduled for"): the first one ending on or after
  the time it was told, that is an earlier date in the sentence, else the publication day.
- ``open`` ("was due to", "had been scheduled for", "could", "postponed until"): it may have
  come and gone, so the occurrence nearest the publication day.
- ``present``, a timetable ("the stadium opens on 21 September"): the nearest occurrence too,
  but a weekday is the coming one.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache
from typing import Literal

from index.text.dates.calendar_math import Cycle, month_end

Tense = Literal["past", "future", "reported_future", "open", "present"]
# The tenses that announce rather than report ("is due to open", "wants to build").
ANNOUNCING: frozenset[Tense] = frozenset({"future", "reported_future", "open"})

# Where a clause starts: punctuation, and the words that open a clause of their own.
_CLAUSE_START = (
    r"[,;:()\[\]\"“”—–]|\s-\s|[.!?](?:\s|$)"
    r"|\b(?:that|which|who|whom|whose|where|whereas|because|although|though|but)\b"
)
_BE_NOW = r"(?:is|are|am)"
# "'s" is "is" or a possessive: "the council's planning committee" announces nothing, so
# after it only a plan word followed by "to" or "for" does ("the club's due to move").
_BE_SHORT = r"['’](?:s|re)"
_BE_THEN = r"(?:was|were)"
_ADVERB = r"(?:\s+(?:not|now|still|also|already|only|widely|currently))?"
# What may follow a form of "be" to announce a plan: "is due to", "are to meet", "is set to".
_PLAN = (
    r"(?:due|set\s+(?:to|for)|scheduled|expected|likely|unlikely|slated|poised|planned|planning"
    r"|going\s+to|about\s+to|supposed\s+to|meant\s+to|to\s+(?!the\b|a\b|an\b|be\s+blamed\b)[a-z])"
)
_DETERMINERS = r"(?:the|a|an|its|their|his|her|our|this|that|these|those)"
_NOT_HAVE = r"(?!\s+(?:not\s+)?have\b)"  # "would have taken effect in January": it did not
_FUTURE = (
    rf"\b(?:will|shall|won['’]t|shan['’]t)\b|['’]ll\b|\b{_BE_NOW}{_ADVERB}\s+{_PLAN}"
    rf"|\b{_BE_SHORT}{_ADVERB}\s+(?=to\b|\S+\s+(?:to|for)\b){_PLAN}"
    r"|\b(?:plans?|intends?|aims?|hopes?|expects?|wants?|prepares?|promises?|pledges?|vows?"
    r"|threatens?|seeks?)\s+to\b|\bexpects?\b"
    r"|\bnext\b(?!\s+(?:to|day|morning|afternoon|evening|night)\b)|\b(?:upcoming|forthcoming)\b"
)
_REPORTED_FUTURE = (
    rf"\b(?:would|wouldn['’]t)\b{_NOT_HAVE}(?!\s+(?:often|usually|sometimes|always"
    r"|regularly|typically|normally|frequently|occasionally|generally)\b)"
    r"|\b(?:agreed|promised|pledged|vowed|planned|intended|hoped|aimed|decided|voted|threatened"
    r"|offered|prepared|undertook|resolved)\s+to\b"
    rf"|\b(?:due|scheduled|slated|planned|set)\s+(?:in|on|for|by|from|until|to\s+(?!{_DETERMINERS}\b))"
)
_OPEN = (
    rf"\b{_BE_THEN}{_ADVERB}\s+{_PLAN}"
    r"|\bhad(?:\s+not)?\s+been\s+(?:due|scheduled|slated|planned|set|expected|supposed|meant)\b"
    r"|\bhad(?:\s+not)?\s+(?:hoped|intended|aimed|agreed|promised|pledged|wanted|decided|planned"
    r"|expected)\s+to\b"
    rf"|\b(?:could|might|(?-i:may))\b{_NOT_HAVE}"
    r"|\b(?:postpone[sd]?|delay(?:s|ed)?|adjourn(?:s|ed)?|defer(?:s|red)?|reschedule[sd]?"
    r"|push(?:es|ed)?\s+back|put\s+off|(?:brought|brings?)\s+forward)\b"
)
# A timetable in the present tense: "the stadium opens on 21 September", "Rovers open their
# season on 26 August", "the election is in October".
_PRESENT = (
    r"\b(?:(?:re)?opens?|begins?|starts?|resumes?|ends?|closes?|expires?|runs?|meets?|convenes?"
    r"|returns?|arrives?|launch(?:es)?|hosts?|faces?|plays?|visits?|kicks?\s+off"
    r"|takes?\s+(?:place|effect|office)|go(?:es)?\s+to\s+the\s+polls)\b"
    r"|\b(?:is|are)(?:\s+(?:on|in|from|until))?\s*$"
)

# A past verb after the future wording starts a new statement: "will publish the minutes of
# its meeting held on 30 July", "will report results for the quarter ended in June".
_PAST_VERBS = {
    "was", "were", "had", "did", "said", "told", "began", "held", "made", "met", "took", "came",
    "went", "left", "won", "lost", "fell", "rose", "broke", "sent", "spent", "found", "brought",
    "bought", "fought", "built", "paid", "sold", "led", "saw", "gave", "struck", "shot", "wrote",
    "spoke", "chose", "flew", "grew", "knew", "threw", "stood", "sat", "ran", "became", "kept",
    "meant", "felt", "heard", "thought", "caught", "sought", "withdrew", "arose", "oversaw",
}  # fmt: skip
# Words ending in "ed" that are no past verb.
_NOT_PAST = {
    "need", "speed", "seed", "feed", "proceed", "exceed", "succeed", "indeed", "hundred", "embed",
    "breed", "bleed", "greed", "shed", "bed", "red", "wed", "based", "limited", "united",
}  # fmt: skip
# After these a past participle is passive, perfect or an adjective, not a past verb.
_PARTICIPLE_LEADS = {
    "be", "been", "being", "is", "are", "am", "get", "gets", "got", "have", "has", "remain",
    "remains", "stay", "stays", "become", "becomes", "'s", "’s", "'re", "’re", "the", "a", "an",
    "its", "their", "his", "her", "our", "this", "that", "these", "those", "newly", "not",
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z'’-]+")
_LAST_WORD = re.compile(r"([A-Za-z'’]+|\d+)[ \t]*$")
# "the vote", "two visits", "to meet", "did not meet": a noun, an infinitive or a negation.
_NOT_BEFORE_A_VERB = {
    "the", "a", "an", "its", "their", "his", "her", "our", "my", "your", "this", "that", "these",
    "those", "every", "each", "no", "some", "any", "of", "in", "on", "at", "for", "with", "by",
    "from", "to", "into", "after", "before", "since", "until", "during", "about", "will",
    "would", "shall", "should", "can", "could", "may", "might", "must", "did", "does", "do",
    "not", "didn't", "doesn't", "don't", "one", "two", "three", "four", "five", "several",
    "many", "few", "whose", "what", "where", "when", "how",
}  # fmt: skip
_TENSES: dict[str, Tense] = {
    "past": "past",
    "future": "future",
    "reported_future": "reported_future",
    "open": "open",
    "present": "present",
}


@cache
def _clause_starts() -> re.Pattern[str]:
    return re.compile(_CLAUSE_START, re.IGNORECASE)


@cache
def _cues() -> re.Pattern[str]:
    return re.compile(
        rf"(?P<future>{_FUTURE})|(?P<reported_future>{_REPORTED_FUTURE})"
        rf"|(?P<open>{_OPEN})|(?P<present>(?-i:{_PRESENT}))",
        re.IGNORECASE,
    )


def tense_at(text: str, pos: int) -> Tense:
    """The tense that governs a date phrase starting at ``pos`` in one sentence."""
    start = 0
    for m in _clause_starts().finditer(text, 0, pos):
        start = m.end()
    cues = list(_cues().finditer(text, start, pos))
    # The last announcing word governs; a present tense only when there is none
    # ("the next round is on 2 August" is the coming one, not the nearest one).
    cue = next((c for c in reversed(cues) if c.lastgroup != "present"), None)
    if cue is None:
        cue = next((c for c in reversed(cues) if _is_verb(text, c.start())), None)
    if cue is None or _has_past_verb(text[cue.end() : pos]):
        return "past"
    return _TENSES[cue.lastgroup or "past"]


def _is_verb(text: str, pos: int) -> bool:
    """Whether "opens", "meet" or "is" at ``pos`` is a verb, judging by the word before it."""
    before = _LAST_WORD.search(text, 0, pos)
    word = before.group(1).lower() if before else ""
    return word not in _NOT_BEFORE_A_VERB and not word.isdigit()


def _has_past_verb(words: str) -> bool:
    previous = ""
    for m in _WORD.finditer(words):
        word = m.group(0)
        low = word.lower()
        if "-" in word:
            continue
        past = low in _PAST_VERBS or (
            word.islower() and low.endswith("ed") and len(low) > 4 and low not in _NOT_PAST
        )
        if past and previous not in _PARTICIPLE_LEADS:
            return True
        if not low.endswith("ly"):
            previous = low  # "will be formally signed": look past the adverb
    return False


def place_in_time(
    days: tuple[date, date],
    whole_months: bool,
    cycle: Cycle,
    tense: Tense,
    published: date,
    said: date | None,
) -> tuple[date, date]:
    """Where a date without a year falls, given the tense of its clause.

    Args:
        days: The most recent occurrence on or before the publication day (the past reading).
        whole_months: Whether the range is whole months, whose last day depends on the year.
        cycle: How often the date comes round.
        tense: From :func:`tense_at`; not "past".
        published: The article's publication day.
        said: An earlier date in the sentence, on or before publication, if there is one.

    Returns:
        The first and last day of the occurrence the tense points at.
    """
    options = [o for k in (0, 1, 2) if (o := _occurrence(days, whole_months, cycle, k))]
    if tense == "open" or (tense == "present" and cycle == "year"):
        # "were due to resume in November", "the stadium opens on 21 September": whichever
        # occurrence is nearer the article, the past one when they are equally far.
        near = [o for o in options[:2] if said is None or o[1] >= said] or options[:1]
        return min(near, key=lambda o: (_distance(o, published), o[0] > published))
    since = said if tense == "reported_future" and said is not None else published
    return next((o for o in options if o[1] >= since), days)


def _occurrence(
    days: tuple[date, date], whole_months: bool, cycle: Cycle, k: int
) -> tuple[date, date] | None:
    """The range ``k`` cycles later, or None when that year has no such day (29 February)."""
    first, last = days
    if cycle == "week":
        return first + timedelta(weeks=k), last + timedelta(weeks=k)
    if whole_months:
        return first.replace(year=first.year + k), month_end(last.year + k, last.month)
    try:
        return first.replace(year=first.year + k), last.replace(year=last.year + k)
    except ValueError:
        return None


def _distance(days: tuple[date, date], published: date) -> int:
    first, last = days
    if first > published:
        return (first - published).days
    return max(0, (published - last).days)
