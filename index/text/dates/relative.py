"""Dates counted from the base day: "yesterday", "last month", "the weekend", "two years ago"."""

from __future__ import annotations

import re
from datetime import date, timedelta

from index.text.dates.calendar_math import Cycle, as_granularity, calendar_unit, shift, shifted_unit
from index.text.dates.scan import Hit, Scan
from index.text.dates.vocabulary import FUZZY_NUMBERS, NUMBER_WORDS


def on_relative_day(scan: Scan, m: re.Match[str]) -> Hit | None:
    word = " ".join(m["w"].lower().split())
    if m["w"][0].isupper() and not scan.is_sentence_start(m.start()):
        return None  # "USA Today", "the Today programme"
    if scan.base is None:
        return None
    offset = {"yesterday": -1, "tomorrow": 1, "last night": -1}.get(word, 0)
    day = scan.base + timedelta(days=offset)
    return Hit(m.start(), m.end(), day, day, "day", True)


def on_relative_unit(scan: Scan, m: re.Match[str]) -> Hit | None:
    if scan.base is None:
        return None
    mod = (m["mod"] or "").lower()
    step = {"last": -1, "this": 0}.get(m["rel"].lower(), 1)
    unit = m["unit"].lower()
    first, last = calendar_unit(scan.base, unit, step)
    if step == 0 and mod == "earlier":
        last = scan.base
    elif step == 0 and mod == "later":
        first = scan.base
    # "this year's election", like "2019's talks": the period describes a thing, so "after
    # this year's election" starts within this year, not after it.
    possessive = scan.text[m.end() : m.end() + 2] in ("'s", "’s")
    return Hit(m.start(), m.end(), first, last, as_granularity(unit), True, possessive)


def on_weekend(scan: Scan, m: re.Match[str]) -> Hit | None:
    rel = m["rel"].lower()
    if rel == "that" or scan.base is None:
        return None  # "that weekend" refers to a date told elsewhere
    monday = scan.base - timedelta(days=scan.base.weekday())
    if rel == "this":
        saturday = monday + timedelta(days=5)
    elif rel == "next":
        saturday = monday + timedelta(days=12)
    elif scan.base.weekday() == 6:
        saturday = scan.base - timedelta(days=1)  # a Sunday paper's weekend is this one
    else:
        saturday = monday - timedelta(days=2)
    sunday = saturday + timedelta(days=1)
    cycle: Cycle | None = "week" if rel == "the" else None
    return Hit(m.start(), m.end(), saturday, sunday, "day", True, cycle=cycle)


def on_ago(scan: Scan, m: re.Match[str]) -> Hit | None:
    n_text = " ".join(m["n"].lower().split())
    if n_text in FUZZY_NUMBERS:
        return None  # "a few days ago" has no day to give
    n = int(n_text) if n_text.isdigit() else NUMBER_WORDS[n_text]
    unit = m["unit"].lower()
    direction = m["dir"].lower()
    sign = 1 if direction == "later" else -1
    if direction == "ago":
        if scan.base is None:
            return None
        first, last, granularity = shifted_unit(scan.base, -n, unit)
        return Hit(m.start(), m.end(), first, last, granularity, True)
    placeholder = scan.base or date.min
    shift = (sign * n, unit)
    return Hit(m.start(), m.end(), placeholder, placeholder, "day", True, shift=shift, pending=True)


def on_window(scan: Scan, m: re.Match[str]) -> Hit | None:
    unit = m["unit"].lower()
    n_text = " ".join(m["n"].lower().split()) if m["n"] else ""
    if not n_text and unit.endswith("s"):
        return None  # "the past weeks": no length given
    if n_text in ("a", "an", "one") and unit.endswith("s"):
        return None
    if scan.base is None:
        return None
    n = (int(n_text) if n_text.isdigit() else NUMBER_WORDS[n_text]) if n_text else 1
    unit = unit.rstrip("s")
    if unit == "hour":
        n, unit = -(-n // 24), "day"
    first = shift(scan.base, -n, unit)
    return Hit(m.start(), m.end(), first, scan.base, as_granularity(unit), True, window=True)
