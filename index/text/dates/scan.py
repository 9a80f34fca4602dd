"""One scan of a text: run the rules, keep the longest readings, then place, join and anchor."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import NoReturn

from index.errors import QuestionError
from index.text.dates.calendar_math import (
    GRANULARITIES,
    Cycle,
    Granularity,
    month_length,
    shifted_unit,
)
from index.text.dates.patterns import NEXT_WORD, RANGE_JOIN, features
from index.text.dates.tense import Tense, place_in_time, tense_at
from index.text.dates.vocabulary import MONTH_NAMES


@dataclass(frozen=True)
class Hit:
    """One reading of a phrase: where it is and the inclusive range of days it names."""

    start: int
    end: int
    first: date
    last: date
    granularity: Granularity
    relative: bool
    adjectival: bool = False  # "the 2019 summit": a year describing a noun, not a time frame
    window: bool = False  # "the past two weeks": a rolling window ending on the base day
    shift: tuple[int, str] | None = None  # "two years later": counted from an earlier date
    pending: bool = False  # a shift still waiting for its anchor
    # A date without a year repeats every year ("14 March", "in May") or week ("on Monday");
    # it is placed by the tense of its clause once all the hits are known.
    cycle: Cycle | None = None


# A handler checks one match of its pattern and returns its reading, or None to reject it.
Handler = Callable[["Scan", "re.Match[str]"], "Hit | None"]
Rules = tuple[tuple[str, re.Pattern[str], Handler], ...]


@dataclass
class Scan:
    """A sentence or a question being read, and what the handlers need to know about it."""

    text: str
    base: date | None  # publication day, or today for a question
    question: bool
    # Where the last accepted year and month name end: "in 2017 and 2018", "in May or June".
    last_year_end: int = -1
    last_month_end: int = -1

    def run(self, rules: Rules) -> list[Hit]:
        candidates: list[Hit] = []
        found = features(self.text)
        for needs, pattern, handler in rules:
            if needs not in found:
                continue
            for m in pattern.finditer(self.text):
                try:
                    hit = handler(self, m)
                except (ValueError, OverflowError):
                    continue  # beyond year 1 or 9999 ("300 decades ago"): no date to give
                if hit is not None:
                    candidates.append(hit)
        # The longest reading wins: "14 March 2023" over "March 2023", a range over its years.
        candidates.sort(key=lambda h: (h.start - h.end, h.start))
        chosen: list[Hit] = []
        for hit in candidates:
            if all(hit.end <= c.start or hit.start >= c.end for c in chosen):
                chosen.append(hit)
        chosen.sort(key=lambda h: h.start)
        if not self.question and self.base is not None:
            chosen = self._place_by_tense(chosen, self.base)
        return self._resolve_shifts(self._merge_ranges(chosen))

    # --- helpers used by the handlers ---

    def invalid(self, m: re.Match[str], reason: str, example: str) -> None:
        """Drop an impossible date from an article; tell the asker about one in a question."""
        if self.question:
            phrase = self.text[m.start() : m.end()].strip()
            raise QuestionError(
                f"“{phrase}” is not a date: {reason}. Write a date that exists, "
                f"for example “{example}”."
            )

    def checked_day(self, y: int, month: int, d: int, m: re.Match[str]) -> date | None:
        """That day, or None (an error in a question) when the month has no such day."""
        if not 1 <= d <= 31:
            self.invalid(m, "a month has at most 31 days", "on 14 May 2023")
            return None
        last_day = month_length(y, month)
        if d > last_day:
            name = MONTH_NAMES[month - 1]
            self.invalid(m, f"{name} {y} has only {last_day} days", f"on {last_day} {name} {y}")
            return None
        return date(y, month, d)

    def is_sentence_start(self, pos: int) -> bool:
        before = self.text[:pos].rstrip()
        return not before or before[-1] in ".!?:;\"“'‘(—–-"

    # --- after the choice of hits ---

    def _place_by_tense(self, hits: list[Hit], published: date) -> list[Hit]:
        """Move a date without a year that future wording governs (see ``tense``); articles only."""
        placed: list[Hit] = []
        previous: Tense = "past"
        for hit in hits:
            if hit.cycle is None:
                placed.append(hit)
                previous = "past"
                continue
            if previous != "past" and RANGE_JOIN.fullmatch(self.text, placed[-1].end, hit.start):
                # "is open from November through April": the April after that November.
                tense: Tense = "reported_future"
                said: date | None = placed[-1].first
            else:
                tense = tense_at(self.text, hit.start)
                # When the plan was told: an earlier date in the sentence, if there is one.
                earlier = [h.first for h in placed if not h.pending and h.first <= published]
                said = earlier[-1] if earlier else None
            if tense != "past":
                whole_months = hit.granularity == "month"
                days = (hit.first, hit.last)
                first, last = place_in_time(days, whole_months, hit.cycle, tense, published, said)
                hit = replace(hit, first=first, last=last)
            placed.append(hit)
            previous = tense
        return placed

    def _merge_ranges(self, hits: list[Hit]) -> list[Hit]:
        """Join "from March 2019 to June 2020" and "between 2 and 9 May" style pairs."""
        merged: list[Hit] = []
        i = 0
        while i < len(hits):
            h1 = hits[i]
            if i + 1 < len(hits) and not (h1.pending or hits[i + 1].pending):
                h2 = hits[i + 1]
                word, word_start = word_before(self.text, h1.start)
                if word.lower() in ("between", "from") and RANGE_JOIN.fullmatch(
                    self.text, h1.end, h2.start
                ):
                    if h1.first > h2.last:
                        if self.question:
                            phrase = self.text[word_start : h2.end]
                            raise_backwards(
                                phrase,
                                self.text[h1.start : h1.end],
                                self.text[h2.start : h2.end],
                            )
                    else:
                        coarser = max(h1.granularity, h2.granularity, key=GRANULARITIES.index)
                        relative = h1.relative or h2.relative
                        merged.append(Hit(word_start, h2.end, h1.first, h2.last, coarser, relative))
                        i += 2
                        continue
            merged.append(h1)
            i += 1
        return merged

    def _resolve_shifts(self, hits: list[Hit]) -> list[Hit]:
        """Count "two years later" from the nearest date before it in the same text."""
        resolved: list[Hit] = []
        anchor: Hit | None = None
        for hit in hits:
            if not hit.pending:
                resolved.append(hit)
                anchor = hit
                continue
            assert hit.shift is not None
            n, unit = hit.shift
            if anchor is not None:
                base = anchor.first
            elif n < 0 and self.base is not None:
                base = self.base  # "two years earlier" with nothing before: an approximation
            else:
                continue
            try:
                first, last, granularity = shifted_unit(base, n, unit)
            except (ValueError, OverflowError):
                continue  # beyond year 1 or 9999
            hit = Hit(hit.start, hit.end, first, last, granularity, True)
            resolved.append(hit)
            anchor = hit
        return resolved


def word_before(text: str, pos: int) -> tuple[str, int]:
    """The word (letters and apostrophes) just before ``pos``, skipping spaces, and its start."""
    end = pos
    while end > 0 and text[end - 1] in " \t":
        end -= 1
    start = end
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] in "'’"):
        start -= 1
    return text[start:end], start


def word_after(text: str, pos: int) -> str:
    """The word of ASCII letters just after ``pos`` (after spaces), or ""."""
    m = NEXT_WORD.match(text, pos)
    return m.group(1) if m else ""


def raise_backwards(phrase: str, written_first: str, written_second: str) -> NoReturn:
    raise QuestionError(
        f"“{phrase.strip()}” runs backwards: {written_first} comes after {written_second}. "
        f"Put the earlier date first, for example “between {written_second} and {written_first}”."
    )
