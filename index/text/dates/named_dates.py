"""Dates named with the calendar's words: months, weekdays, holidays, days of a month.

Without a year, these are resolved against the base day (the article's publication day, or
today in a question): the most recent such day or month on or before it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from index.text.dates.calendar_math import Cycle, month_end, month_length
from index.text.dates.patterns import COORDINATION, WEEKDAY_SPAN_AFTER, WEEKDAY_SPAN_BEFORE
from index.text.dates.scan import Hit, Scan, raise_backwards, word_after, word_before
from index.text.dates.vocabulary import (
    HOLIDAYS,
    MONTH_LEADS,
    MONTH_LEADS_LOWER,
    MONTH_NAMES,
    MONTH_NUMBERS,
    SPAN_LEADS,
    WEEKDAY_LEADS,
    WEEKDAY_NAME_FOLLOWERS,
    WEEKDAY_NAME_WORDS,
    WEEKDAY_NUMBERS,
)


def on_day_month(scan: Scan, m: re.Match[str]) -> Hit | None:
    month = MONTH_NUMBERS[m["m"].lower().rstrip(".")]
    d = int(m["d"])
    if (
        scan.question
        and m["m"][0].islower()
        and month in (3, 5)
        and not m["y"]
        and m.start() == m.start("m")
        and word_before(scan.text, m.start())[0].lower() not in SPAN_LEADS
    ):
        return None  # "they may 5 ...": a lower-case "may" needs a preposition or a year
    if m["y"]:
        day = scan.checked_day(int(m["y"]), month, d, m)
        return None if day is None else Hit(m.start(), m.end(), day, day, "day", False)
    day = recent_day(scan, month, d, m)
    return None if day is None else Hit(m.start(), m.end(), day, day, "day", True, cycle="year")


def on_month_year(scan: Scan, m: re.Match[str]) -> Hit | None:
    month = MONTH_NUMBERS[m["m"].lower().rstrip(".")]
    y = int(m["y"])
    return Hit(m.start(), m.end(), date(y, month, 1), month_end(y, month), "month", False)


def on_month(scan: Scan, m: re.Match[str]) -> Hit | None:
    name = m["m"]
    month = MONTH_NUMBERS[name.lower()]
    mod = " ".join(m["mod"].lower().split()) if m["mod"] else ""
    if not mod and not m["year"]:
        lead = word_before(scan.text, m.start())[0].lower()
        leads = MONTH_LEADS_LOWER if name[0].islower() else MONTH_LEADS
        coordinated = scan.last_month_end >= 0 and bool(
            COORDINATION.fullmatch(scan.text, scan.last_month_end, m.start())
        )
        if lead not in leads and not coordinated:
            return None
    elif name[0].islower() and mod in ("last", "this", "next"):
        return None  # "this may be", "next march"; too risky in lower case
    if scan.base is None:
        return None
    if m["year"]:
        # "in March last year": the month of that calendar year, one mention.
        y = scan.base.year + {"last": -1, "this": 0}.get(m["year"].lower(), 1)
    elif mod == "last":
        y = scan.base.year if month < scan.base.month else scan.base.year - 1
    elif mod == "next":
        y = scan.base.year if month > scan.base.month else scan.base.year + 1
    elif mod == "this":
        y = scan.base.year
    elif not scan.question and _looks_ahead(scan, m.start()) and month > scan.base.month:
        y = scan.base.year  # "rises to 18 percent from April", written in March
    else:
        y = scan.base.year if month <= scan.base.month else scan.base.year - 1
    scan.last_month_end = m.end()
    cycle: Cycle | None = None if m["year"] or mod in ("last", "next", "this") else "year"
    first, last = date(y, month, 1), month_end(y, month)
    return Hit(m.start(), m.end(), first, last, "month", True, cycle=cycle)


# A month after these, in an article, is when something starts or ends: a later month of
# the year is still to come ("from April" in March), not last year's.
_AHEAD_LEADS = frozenset({"from", "until", "till", "by"})


def _looks_ahead(scan: Scan, start: int) -> bool:
    return word_before(scan.text, start)[0].lower() in _AHEAD_LEADS


def on_weekday(scan: Scan, m: re.Match[str]) -> Hit | None:
    rel = (m["rel"] or "").lower()
    if rel == "every":
        return None  # a habit, not a day
    lead = word_before(scan.text, m.start())[0].lower()
    if lead in WEEKDAY_NAME_WORDS:
        return None
    # "Monday to Friday", "Monday-Friday": opening hours, not a day.
    if WEEKDAY_SPAN_AFTER.match(scan.text, m.end()) or WEEKDAY_SPAN_BEFORE.search(
        scan.text, max(0, m.start() - 16), m.start()
    ):
        return None
    following = word_after(scan.text, m.end())
    if following.lower() in WEEKDAY_NAME_FOLLOWERS:
        return None  # "the Sunday Times", "Monday Club", in any case
    if not rel and lead not in WEEKDAY_LEADS and following[:1].isupper():
        return None  # another capitalised name after a bare weekday
    if scan.base is None:
        return None
    wd = WEEKDAY_NUMBERS[m["wd"].lower()]
    today = scan.base.weekday()
    if m["week"]:
        # "on Tuesday last week": that weekday in the calendar week named.
        step = {"last": -1, "this": 0}.get(m["week"].lower(), 1)
        day = scan.base + timedelta(days=wd - today, weeks=step)
    elif rel == "last":
        day = scan.base - timedelta(days=(today - wd) % 7 or 7)
    elif rel in ("next", "coming"):
        day = scan.base + timedelta(days=(wd - today) % 7 or 7)
    elif rel == "this":
        day = scan.base + timedelta(days=wd - today)
    else:
        day = scan.base - timedelta(days=(today - wd) % 7)
        return Hit(m.start(), m.end(), day, day, "day", True, cycle="week")
    return Hit(m.start(), m.end(), day, day, "day", True)


def on_holiday(scan: Scan, m: re.Match[str]) -> Hit | None:
    name = " ".join(m["h"].lower().replace("’", "'").replace("years", "year's").split())
    month, d = HOLIDAYS[name]
    if m["y"]:
        day: date | None = date(int(m["y"]), month, d)
    else:
        day = recent_day(scan, month, d, m)
    if day is None:
        return None
    if m["y"]:
        return Hit(m.start(), m.end(), day, day, "day", False)
    return Hit(m.start(), m.end(), day, day, "day", True, cycle="year")


def on_day_range(scan: Scan, m: re.Match[str]) -> Hit | None:
    month = MONTH_NUMBERS[m["m"].lower().rstrip(".")]
    d1, d2 = int(m["d1"]), int(m["d2"])
    y = int(m["y"]) if m["y"] else recent_month_year(scan, month)
    if y is None:
        return None
    first = scan.checked_day(y, month, d1, m)
    last = scan.checked_day(y, month, d2, m)
    if first is None or last is None:
        return None
    if first >= last:
        if scan.question and first > last:
            raise_backwards(m.group(0), str(d1), str(d2))
        return None
    if m["y"]:
        return Hit(m.start(), m.end(), first, last, "day", False)
    return Hit(m.start(), m.end(), first, last, "day", True, cycle="year")


def on_month_range(scan: Scan, m: re.Match[str]) -> Hit | None:
    m1 = MONTH_NUMBERS[m["m1"].lower()]
    m2 = MONTH_NUMBERS[m["m2"].lower()]
    y = int(m["y"])
    if m1 >= m2:
        if scan.question and m1 > m2:
            raise_backwards(m.group(0), m["m1"], m["m2"])
        return None
    return Hit(m.start(), m.end(), date(y, m1, 1), month_end(y, m2), "month", False)


def on_month_number(scan: Scan, m: re.Match[str]) -> Hit | None:
    n = int(m["n"])
    if not 1 <= n <= 12:
        scan.invalid(m, "there are only 12 months", "in October 2022")
        return None
    y = recent_month_year(scan, n)
    if y is None:
        return None
    return Hit(m.start(), m.end(), date(y, n, 1), month_end(y, n), "month", True)


def recent_day(scan: Scan, month: int, d: int, m: re.Match[str]) -> date | None:
    """The most recent ``d`` of ``month`` on or before the base day."""
    if not 1 <= d <= 31:
        scan.invalid(m, "a month has at most 31 days", "on 14 May 2023")
        return None
    if d > (29 if month == 2 else month_length(2001, month)):
        name = MONTH_NAMES[month - 1]
        scan.invalid(m, f"{name} never has {d} days", f"on 28 {name}")
        return None
    if scan.base is None:
        return None
    y = scan.base.year if (month, d) <= (scan.base.month, scan.base.day) else scan.base.year - 1
    while d > month_length(y, month):  # 29 February: go back to a leap year
        y -= 1
    return date(y, month, d)


def recent_month_year(scan: Scan, month: int) -> int | None:
    if scan.base is None:
        return None
    return scan.base.year if month <= scan.base.month else scan.base.year - 1
