"""Dates written with digits: years, decades, ranges of years, ISO days and quarters."""

from __future__ import annotations

import re
from datetime import date

from index.text.dates.calendar_math import month_end
from index.text.dates.patterns import COORDINATION, DIGIT_BEFORE
from index.text.dates.scan import Hit, Scan, raise_backwards, word_after, word_before
from index.text.dates.vocabulary import (
    COUNT_NOUNS,
    NOT_PLURALS,
    STRONG_YEAR_LEADS,
    WEAK_YEAR_LEADS,
    YEAR_DETERMINERS,
    YEAR_VERBS,
)


def on_decade(scan: Scan, m: re.Match[str]) -> Hit | None:
    if m["y"]:
        start = int(m["y"])
        if m["apos"] and not (m["the"] or m["mod"]):
            # "1990's election" is the year's possessive; "the 1990's" the decade.
            following = word_after(scan.text, m.end())
            if following and following[0].islower():
                return None
    else:
        yy = int(m["yy"])
        reference = scan.base.year if scan.base else 2029
        start = 2000 + yy if 2000 + yy <= reference else 1900 + yy
    return Hit(m.start(), m.end(), date(start, 1, 1), date(start + 9, 12, 31), "decade", False)


def on_year(scan: Scan, m: re.Match[str]) -> Hit | None:
    y = int(m["y"])
    following = word_after(scan.text, m.end())
    if following.lower() in COUNT_NOUNS:
        return None  # "2000 people", "1950 candidates"
    start = m.start()
    word = word_before(scan.text, start)[0]
    lead = word.lower()
    adjectival = False
    accepted = False
    if m["poss"] or m["mod"]:
        accepted = True  # "2019's talks", "mid-2017", "early 2020"
        adjectival = bool(m["poss"])
    elif lead in STRONG_YEAR_LEADS:
        accepted = True
    elif lead in WEAK_YEAR_LEADS:
        accepted = not (
            following[:1].islower() and following.endswith("s") and following not in NOT_PLURALS
        )
    elif lead in YEAR_DETERMINERS or lead.endswith(("'s", "’s", "s'", "s’")):
        # "the 2019 summit", "Aliyev's 2003 inauguration": needs the noun after it.
        accepted = bool(following)
        adjectival = True
    elif following.lower() in YEAR_VERBS:
        accepted = not DIGIT_BEFORE.search(scan.text, max(0, start - 3), start)
    elif scan.text[start - 1 : start] == "(" and scan.text[m.end() : m.end() + 1] == ")":
        accepted = True  # "The Clouded Yellow (1951)": a year given in brackets
    else:
        accepted = scan.last_year_end >= 0 and bool(
            COORDINATION.fullmatch(scan.text, scan.last_year_end, start)
        )
    if not accepted:
        return None
    scan.last_year_end = m.end("y")
    end = m.end("y")
    return Hit(start, end, date(y, 1, 1), date(y, 12, 31), "year", False, adjectival)


def on_year_range(scan: Scan, m: re.Match[str]) -> Hit | None:
    pre = (m["pre"] or "").lower()
    conj = (m["conj"] or "").lower()
    if conj and not pre:
        return None  # "in 2017 and 2018" is two years, found one by one
    y1 = int(m["y1"])
    if len(m["y2"]) == 2:
        if m["dash"] is None:
            return None
        y2 = y1 // 100 * 100 + int(m["y2"])
        if y2 <= y1:
            y2 += 100
        if y2 - y1 > 20:
            return None  # "2019-31" is no span of years a reporter would write
    else:
        y2 = int(m["y2"])
    if y2 <= y1:
        if scan.question and y2 < y1:
            raise_backwards(m.group(0), str(y1), str(y2))
        return None
    if y2 - y1 > 200:
        return None
    return Hit(m.start(), m.end(), date(y1, 1, 1), date(y2, 12, 31), "year", False)


def on_iso(scan: Scan, m: re.Match[str]) -> Hit | None:
    month = int(m["m"])
    if not 1 <= month <= 12:
        scan.invalid(m, "there are only 12 months", "2023-03-14")
        return None
    day = scan.checked_day(int(m["y"]), month, int(m["d"]), m)
    return None if day is None else Hit(m.start(), m.end(), day, day, "day", False)


def on_quarter(scan: Scan, m: re.Match[str]) -> Hit | None:
    if m["q"]:
        y, first_month, months = int(m["y"]), 3 * int(m["q"]) - 2, 3
    else:
        y = int(m["y2"])
        months = 3 if m["part"].lower() == "quarter" else 6
        index = {"first": 0, "second": 1, "third": 2, "fourth": 3}.get(
            m["ord"].lower(), 12 // months - 1
        )
        if index * months >= 12:
            return None  # "the third half"
        first_month = index * months + 1
    last_month = first_month + months - 1
    return Hit(
        m.start(), m.end(), date(y, first_month, 1), month_end(y, last_month), "month", False
    )
