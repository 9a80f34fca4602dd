"""Regular-expression pieces for dates, the cheap gates and the substring feature test.

The gates and the rule patterns are compiled on first use (``functools.cache``); only a few
short helper patterns are compiled at import.
"""

from __future__ import annotations

import re
from functools import cache

from index.text.dates.vocabulary import MONTH_NAMES, WEEKDAY_NAMES

MONTH_FULL = "(?:" + "|".join(MONTH_NAMES) + ")"
# Abbreviations only ever count next to a day or a year ("14 Mar 2023", "Oct 2022").
MONTH = MONTH_FULL[:-1] + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)(?!\w)"
WEEKDAY = "(?:" + "|".join(WEEKDAY_NAMES) + ")"
YEAR = "(?:19[0-9][0-9]|20[0-9][0-9]|2100)"
# A day number: not part of a larger number, a decimal, a time or a score.
DAY = r"(?<![\d.,:/-])(?P<d>\d{1,2})(?:st|nd|rd|th)?"
# "early March", "the end of October 2006": they keep the whole month.
MONTH_MODIFIERS = r"(?i:early|mid|late|(?:the\s+)?(?:end|start|beginning|middle|rest|close)\s+of)"
NUM = (
    r"(?:a\s+couple\s+of|a\s+few|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve|fifteen|twenty|thirty|forty|fifty|few|several|\d{1,3})"
)

_GATE = (
    rf"\b(?:{MONTH_FULL}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b|{WEEKDAY}"
    r"|Christmas|Boxing|New\s+Year|Q[1-4])"
    r"|(?<!\d)(?:19\d\d|20\d\d|2100|1[89]\d0s|\d0s)(?!\d)"
    r"|(?i:\b(?:yesterday|today|tomorrow|tonight|ago|weekend)\b"
    r"|\b(?:weeks?|months?|years?|decades?|fortnight|night|morning|afternoon|evening)\b"
    r"|\bthe\s+(?:past|last)\s|\bdays?\s+(?:earlier|later)\b)"
)
_RECENCY = (
    r"(?i:\b(?:(?:in\s+)?recent\s+(?:days|weeks|months|years)|latest|newest|most\s+recent(?:ly)?"
    r"|recent(?:ly)?|nowadays|now|these\s+days|current(?:ly)?|still|so\s+far|last)\b(?!-))"
)


@cache
def article_gate() -> re.Pattern[str]:
    return re.compile(_GATE)


@cache
def question_gate() -> re.Pattern[str]:
    return re.compile(_GATE + "|" + _RECENCY + r"|(?i:\bmonth\s+\d)", re.IGNORECASE)


@cache
def recency_pattern() -> re.Pattern[str]:
    return re.compile(_RECENCY)


def features(text: str) -> set[str]:
    """Which rules can match at all, from substring tests that cost far less than a scan.

    Every rule pattern needs one of these words or digits; skipping the rules whose key is
    missing takes a sentence that passed the gate from about 0.3 ms to well under 0.1 ms.
    """
    low = text.lower()
    found = {key for key, words in _FEATURE_WORDS.items() if any(w in low for w in words)}
    if _TWO_DIGITS.search(text):
        found.add("digits")
    return found


_FEATURE_WORDS = {
    # Full month names start with their abbreviation, so the abbreviations cover both.
    "month": ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    "weekday": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "day": ("yesterday", "today", "tomorrow", "night", "morning", "afternoon", "evening"),
    "unit": ("week", "month", "year", "decade"),
    "weekend": ("weekend",),
    "ago": ("ago", "earlier", "later"),
    "window": ("past", "last"),
    "holiday": ("christmas", "boxing", "new year"),
}
_TWO_DIGITS = re.compile(r"\d\d")


NEXT_WORD = re.compile(r"[ \t]+([A-Za-z]+)")
DIGIT_BEFORE = re.compile(r"\d[\s-]*$")
COORDINATION = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)", re.IGNORECASE)
RANGE_JOIN = re.compile(r"\s*(?:and|to|until|till|through|[-–—])\s*", re.IGNORECASE)
WEEKDAY_SPAN_AFTER = re.compile(rf"\s*(?:-|–|—|to\s|through\s|till\s)\s*{WEEKDAY}", re.I)
WEEKDAY_SPAN_BEFORE = re.compile(rf"{WEEKDAY}\s*(?:-|–|—|to|through|till)\s*$", re.I)
