"""The time a user's question asks about: a range of days, open ends, or "the latest"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from index.errors import QuestionError
from index.text.dates.calendar_math import month_end
from index.text.dates.patterns import question_gate, recency_pattern
from index.text.dates.rules import rules
from index.text.dates.scan import Hit, Scan, word_before
from index.text.dates.vocabulary import (
    LOWER_BOUNDS,
    MONTH_ABBREVIATIONS,
    MONTH_NAMES,
    SPAN_LEADS,
    UPPER_BOUNDS,
)


@dataclass(frozen=True)
class QuestionTime:
    """The time a question asks about; ``first``/``last`` of None leave that side open."""

    first: date | None = None
    last: date | None = None
    recency: bool = False  # the question asks for the newest ("latest", "still", "now")
    spans: tuple[tuple[int, int], ...] = ()  # where the time phrases are in the question

    @property
    def names_period(self) -> bool:
        """True when the question bounds the time it asks about on either side."""
        return self.first is not None or self.last is not None

    @property
    def is_empty(self) -> bool:
        """True when the question says nothing about time."""
        return not self.names_period and not self.recency

    def describe(self) -> str:
        """A short text for showing what was understood, such as "October 2022" or "since 2020"."""
        parts: list[str] = []
        if self.first is not None and self.last is not None:
            parts.append(_describe_range(self.first, self.last))
        elif self.first is not None:
            parts.append("since " + _describe_from(self.first))
        elif self.last is not None:
            parts.append("until " + _describe_until(self.last))
        if self.recency:
            parts.append("the latest")
        return ", ".join(parts) or "any time"

    def to_dict(self) -> dict[str, str | bool | None]:
        """``{"from": "YYYY-MM-DD" | None, "to": ... | None, "recency": bool}``."""
        return {
            "from": self.first.isoformat() if self.first else None,
            "to": self.last.isoformat() if self.last else None,
            "recency": self.recency,
        }


def parse_question_time(question: str, today: date) -> QuestionTime:
    """What time a user's question asks about.

    Args:
        question: The question as the user wrote it.
        today: The day the question is asked; relative phrases resolve against it.

    Returns:
        The range asked about (clamped to ``today``), whether the newest is wanted, and
        where the time phrases are, so that the caller can drop them from the search text.

    Raises:
        QuestionError: For a date that does not exist ("31 February 2021"), a time wholly
            in the future ("in 2031", "next year") or a range written backwards.
    """
    if not question_gate().search(question):
        return QuestionTime()
    hits = Scan(question, today, question=True).run(rules(question=True))
    return _question_time(question, today, hits)


# "Who chairs the trust today?", "How many does it hold today?": "today" in a question in
# the present tense asks what holds now, as "now" does, not what happened on today's date.
_PRESENT = re.compile(r"^\W*(?:who\s+(?:[a-z]+s|is|are)\b|.*?\b(?:does|do)\b)", re.IGNORECASE)
_PAST = re.compile(r"\b(?:did|was|were|had|has|have)\b", re.IGNORECASE)


def _means_now(question: str, hit: Hit) -> bool:
    return (
        question[hit.start : hit.end].lower() == "today"
        and bool(_PRESENT.match(question))
        and not _PAST.search(question)
    )


def _question_time(question: str, today: date, hits: list[Hit]) -> QuestionTime:
    spans: list[tuple[int, int]] = []
    now = [hit for hit in hits if _means_now(question, hit)]
    spans.extend((hit.start, hit.end) for hit in now)
    hits = [hit for hit in hits if hit not in now]
    closed: list[tuple[date, date]] = []
    lowers: list[date] = []
    uppers: list[date] = []
    for hit in hits:
        if hit.pending:
            continue  # "two years later" with nothing before it in the question
        word, word_start = word_before(question, hit.start)
        lead = word.lower()
        span_start = word_start if lead in SPAN_LEADS else hit.start
        if hit.adjectival and lead == "the":
            # "since the 2020 war": the bound word sits before the article.
            word, word_start = word_before(question, word_start)
            lead = word.lower()
        phrase = question[span_start : hit.end]
        lo, hi = _bounds(hit, lead)
        if lo is not None and lo > today:
            if hit.adjectival and lead not in LOWER_BOUNDS:
                continue  # "the 2050 targets" name a subject, not a time to search
            raise QuestionError(
                f"“{phrase}” is in the future, and newsbot's articles only report the past "
                f"(today is {_long_day(today)}). Ask about a time up to today."
            )
        spans.append((span_start, hit.end))
        if lo is not None and hi is not None:
            closed.append((lo, hi))
        elif lo is not None:
            lowers.append(lo)
        elif hi is not None:
            uppers.append(hi)
    first: date | None = None
    last: date | None = None
    if closed:
        # Several closed ranges ("in 2020 and 2021") widen to cover them all.
        first = min(lo for lo, _ in closed)
        last = max(hi for _, hi in closed)
    if lowers:
        first = max([*lowers, *([first] if first else [])])
    if uppers:
        last = min([*uppers, *([last] if last else [])])
    if last is not None and last > today:
        last = today
    if first is not None and last is not None and first > last:
        phrases = " … ".join(question[a:b] for a, b in spans)
        raise QuestionError(
            f"“{phrases}” leaves no time between {_long_day(first)} and {_long_day(last)}. "
            "Ask about one range, for example “between 2019 and 2021”."
        )
    recency = bool(now)
    for m in recency_pattern().finditer(question):
        if any(a < m.end() and m.start() < b for a, b in spans):
            continue
        if m.group(0).lower() == "last" and word_before(question, m.start())[0].lower() == "at":
            continue  # "at last"
        recency = True
        spans.append((m.start(), m.end()))
    return QuestionTime(first, last, recency, tuple(sorted(spans)))


def _bounds(hit: Hit, lead: str) -> tuple[date | None, date | None]:
    """The range a question's time phrase allows: "since 2020" leaves the end open."""
    if hit.window:
        return hit.first, hit.last  # "over the past year" is already a range
    if lead in LOWER_BOUNDS:
        # "after 2018" starts in 2019; "after the 2018 election" still within 2018.
        if lead == "after" and not hit.adjectival:
            return (hit.last + timedelta(days=1) if hit.last < date.max else hit.last), None
        return hit.first, None
    if lead in UPPER_BOUNDS:
        if lead == "before" and not hit.adjectival:
            return None, (hit.first - timedelta(days=1) if hit.first > date.min else hit.first)
        return None, hit.last
    return hit.first, hit.last


def _long_day(d: date) -> str:
    return f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


def _short_day(d: date) -> str:
    return f"{d.day} {MONTH_ABBREVIATIONS[d.month - 1]} {d.year}"


def _short_month(d: date) -> str:
    return f"{MONTH_ABBREVIATIONS[d.month - 1]} {d.year}"


def _describe_range(a: date, b: date) -> str:
    if a == b:
        return _short_day(a)
    whole_years = (a.month, a.day) == (1, 1) and (b.month, b.day) == (12, 31)
    if whole_years:
        if a.year % 10 == 0 and b.year == a.year + 9:
            return f"the {a.year}s"
        return str(a.year) if a.year == b.year else f"{a.year}–{b.year}"
    if a.day == 1 and b == month_end(b.year, b.month):
        if (a.year, a.month) == (b.year, b.month):
            return f"{MONTH_NAMES[a.month - 1]} {a.year}"
        if a.year == b.year:
            return f"{MONTH_NAMES[a.month - 1]}–{MONTH_NAMES[b.month - 1]} {a.year}"
        return f"{MONTH_ABBREVIATIONS[a.month - 1]} {a.year} – {_short_month(b)}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{_short_day(b)}"
    if a.year == b.year:
        return f"{a.day} {MONTH_ABBREVIATIONS[a.month - 1]} – {_short_day(b)}"
    return f"{_short_day(a)} – {_short_day(b)}"


def _describe_from(d: date) -> str:
    if (d.month, d.day) == (1, 1):
        return str(d.year)
    if d.day == 1:
        return f"{MONTH_NAMES[d.month - 1]} {d.year}"
    return _short_day(d)


def _describe_until(d: date) -> str:
    if (d.month, d.day) == (12, 31):
        return str(d.year)
    if d == month_end(d.year, d.month):
        return f"{MONTH_NAMES[d.month - 1]} {d.year}"
    return _short_day(d)
