"""The rule table: each pattern, the feature word it needs and the handler that resolves it."""

from __future__ import annotations

import re
from functools import cache

from index.text.dates.named_dates import (
    on_day_month,
    on_day_range,
    on_holiday,
    on_month,
    on_month_number,
    on_month_range,
    on_month_year,
    on_weekday,
)
from index.text.dates.patterns import DAY, MONTH, MONTH_FULL, MONTH_MODIFIERS, NUM, WEEKDAY, YEAR
from index.text.dates.relative import (
    on_ago,
    on_relative_day,
    on_relative_unit,
    on_weekend,
    on_window,
)
from index.text.dates.scan import Handler, Rules
from index.text.dates.years import on_decade, on_iso, on_quarter, on_year, on_year_range

_Rule = tuple[str, str, Handler]


@cache
def rules(question: bool) -> Rules:
    """The patterns and their handlers, compiled on first use rather than at import."""
    if question:
        # Users type "on monday" or "in march 2022"; lower-case month names are then
        # guarded by the handlers instead of by case.
        month_number = ("unit", r"(?i:\bmonth\s+(?P<n>\d{1,3})\b)", on_month_number)
        table = [*_rule_table(), month_number]
        return tuple((k, re.compile(p, re.IGNORECASE), h) for k, p, h in table)
    return tuple((k, re.compile(p), h) for k, p, h in _rule_table())


def _rule_table() -> list[_Rule]:
    """Each pattern with the feature it needs and the handler that checks and resolves it.

    The order is kept from the first version: hits of equal length starting at the same place
    are chosen in this order.
    """
    holiday: _Rule = (
        "holiday",
        r"(?P<h>Christmas\s+(?:Day|Eve)|Boxing\s+Day|New\s+Year['’]?s\s+(?:Day|Eve))"
        rf"(?:,?\s+(?P<y>{YEAR})(?!\d))?",
        on_holiday,
    )
    return [*_named_rules(), *_relative_rules(), *_numeric_rules(), holiday]


def _named_rules() -> list[_Rule]:
    """A day and a month, a month and a year, a month alone."""
    return [
        (
            "month",
            rf"(?:(?P<wd>{WEEKDAY}),?\s+)?(?:(?i:the)\s+)?{DAY}(?:\s+of)?\s+(?P<m>{MONTH})"
            rf"(?:,?\s+(?P<y>{YEAR})(?!\d))?",
            on_day_month,
        ),
        (
            "month",
            rf"(?:(?P<wd>{WEEKDAY}),?\s+)?(?P<m>{MONTH})\s+(?:(?i:the)\s+)?{DAY}"
            rf"(?!\d|[:.]\d|\s*(?:%|per\s*cent|percent))(?:,?\s+(?P<y>{YEAR})(?!\d))?",
            on_day_month,
        ),
        (
            "month",
            rf"(?:\b(?P<mod>{MONTH_MODIFIERS})(?:-|\s+))?(?P<m>{MONTH}),?\s+(?:of\s+)?"
            rf"(?P<y>{YEAR})(?!\d|,\d)",
            on_month_year,
        ),
        (
            "month",
            rf"(?:\b(?P<mod>(?i:last|this|next)|{MONTH_MODIFIERS})(?:-|\s+))?"
            rf"(?P<m>{MONTH_FULL})(?:\s+(?P<year>(?i:last|this|next))\s+(?i:year)\b)?(?!\w)",
            on_month,
        ),
    ]


def _relative_rules() -> list[_Rule]:
    """Weekdays and the phrases counted from the base day."""
    return [
        (
            "weekday",
            rf"(?:(?P<rel>(?i:last|this|next|coming|every))\s+)?(?P<wd>{WEEKDAY})"
            r"(?:['’]s)?(?:\s+(?i:morning|afternoon|evening|night))?"
            r"(?:\s+(?P<week>(?i:last|this|next))\s+(?i:week)\b)?(?!\w)",
            on_weekday,
        ),
        (
            "day",
            r"(?i:\b(?P<w>yesterday|today|tomorrow|tonight|last\s+night"
            r"|this\s+(?:morning|afternoon|evening)|(?:earlier|later)\s+today)\b)",
            on_relative_day,
        ),
        (
            "unit",
            r"(?i:\b(?:(?P<mod>early|earlier|mid|late|later)(?:-|\s+)(?:in\s+)?)?"
            r"(?P<rel>last|this|next|coming)\s+(?P<unit>week|month|year|decade)(?![\w-]))",
            on_relative_unit,
        ),
        ("weekend", r"(?i:\b(?P<rel>last|this|next|the|that)\s+weekend\b)", on_weekend),
        (
            "ago",
            rf"(?i:\b(?P<n>{NUM})\s+(?P<unit>day|week|fortnight|month|year|decade)s?\s+"
            r"(?P<dir>ago|earlier|later)\b)",
            on_ago,
        ),
        (
            "window",
            rf"(?i:\bthe\s+(?:past|last)\s+(?:(?P<n>{NUM})\s+)?"
            r"(?P<unit>hours?|days?|weeks?|fortnights?|months?|years?|decades?)\b)",
            on_window,
        ),
    ]


def _numeric_rules() -> list[_Rule]:
    """Decades, years, ranges of years, months and days, ISO days and quarters."""
    return [
        (
            "digits",
            r"(?:\b(?P<the>(?i:the))\s+)?(?:\b(?P<mod>(?i:early|mid|late))(?:-|\s+))?"
            r"(?:(?<![\w$£€#.,])(?P<y>1[89]\d0|20\d0)(?P<apos>['’])?s|['’](?P<yy>\d0)s)(?!\w)",
            on_decade,
        ),
        (
            "digits",
            r"(?:\b(?P<mod>(?i:early|mid|late))(?:-|\s+)|(?<![\w$£€#.,/:\-–—]))"
            rf"(?P<y>{YEAR})(?P<poss>['’]s\b)?"
            r"(?!\w|%|[.,]\d|\s?[-–—/]\s?\d|-[A-Za-z])",
            on_year,
        ),
        (
            "digits",
            r"(?:(?P<pre>(?i:between|from))\s+)?(?<![\w$£€#.,/:\-–—])"
            rf"(?P<y1>{YEAR})(?:\s*(?P<dash>[-–—/])\s*|\s+(?P<conj>(?i:and|to|until|till"
            rf"|through))\s+)(?P<y2>{YEAR}|\d\d)(?!\w|%|[-–—/.]\d)",
            on_year_range,
        ),
        (
            "month",
            rf"(?:(?P<pre>(?i:between|from))\s+)?(?P<m1>{MONTH_FULL})(?:\s*[-–—]\s*"
            rf"|\s+(?P<conj>(?i:and|to|until|till|through))\s+)(?P<m2>{MONTH_FULL}),?\s+"
            rf"(?P<y>{YEAR})(?!\d)",
            on_month_range,
        ),
        (
            "month",
            r"(?:(?P<pre>(?i:between|from))\s+)?(?<![\d.,:/-])(?P<d1>\d{1,2})(?:st|nd|rd|th)?"
            r"(?:\s*[-–—]\s*|\s+(?i:to|and|until)\s+)(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+"
            rf"(?:of\s+)?(?P<m>{MONTH})(?:,?\s+(?P<y>{YEAR})(?!\d))?",
            on_day_range,
        ),
        (
            "month",
            rf"(?P<m>{MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s*[-–—]\s*"
            rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(?P<y>{YEAR})(?!\d))?",
            on_day_range,
        ),
        (
            "digits",
            rf"(?<![\w-])(?P<y>{YEAR})-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\w-])",
            on_iso,
        ),
        (
            "digits",
            rf"(?i:\bQ(?P<q>[1-4])\s*(?P<y>{YEAR})\b|\b(?:the\s+)?(?P<ord>first|second"
            rf"|third|fourth|final|last)\s+(?P<part>quarter|half)\s+(?:of\s+)?(?P<y2>{YEAR})\b)",
            on_quarter,
        ),
    ]
