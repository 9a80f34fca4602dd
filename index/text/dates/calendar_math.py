"""Calendar arithmetic: day numbers, months of different lengths, calendar units and shifts."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Literal

Granularity = Literal["day", "week", "month", "year", "decade"]
# How often a date without a year comes round: "14 March" every year, "Monday" every week.
Cycle = Literal["year", "week"]

GRANULARITIES: list[Granularity] = ["day", "week", "month", "year", "decade"]

_UNIT_GRANULARITY: dict[str, Granularity] = {
    "day": "day",
    "week": "week",
    "fortnight": "week",
    "month": "month",
    "year": "year",
    "decade": "decade",
}


def day_number(d: date) -> int:
    """The day as the integer YYYYMMDD, which orders like the date (for metadata filters)."""
    return d.year * 10000 + d.month * 100 + d.day


def from_day_number(n: int) -> date:
    """The inverse of :func:`day_number`.

    Args:
        n: An integer YYYYMMDD.

    Returns:
        The date it stands for.

    Raises:
        ValueError: If ``n`` is not a real day.
    """
    return date(n // 10000, n // 100 % 100, n % 100)


def month_end(y: int, month: int) -> date:
    return date(y, month, calendar.monthrange(y, month)[1])


def month_length(y: int, month: int) -> int:
    return calendar.monthrange(y, month)[1]


def add_months(d: date, n: int) -> date:
    index = d.year * 12 + d.month - 1 + n
    y, month = divmod(index, 12)
    return date(y, month + 1, min(d.day, calendar.monthrange(y, month + 1)[1]))


def shift(d: date, n: int, unit: str) -> date:
    """``d`` moved by ``n`` units (negative: back), clamping 31 March - 1 month to 28/29 Feb."""
    if unit == "day":
        return d + timedelta(days=n)
    if unit == "week":
        return d + timedelta(weeks=n)
    if unit == "fortnight":
        return d + timedelta(weeks=2 * n)
    if unit == "month":
        return add_months(d, n)
    if unit == "year":
        return add_months(d, 12 * n)
    return add_months(d, 120 * n)  # decade


def calendar_unit(d: date, unit: str, step: int) -> tuple[date, date]:
    """The calendar week/month/year/decade ``step`` units from the one holding ``d``."""
    if unit == "week":
        monday = d - timedelta(days=d.weekday()) + timedelta(weeks=step)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        first = add_months(d.replace(day=1), step)
        return first, month_end(first.year, first.month)
    if unit == "year":
        return date(d.year + step, 1, 1), date(d.year + step, 12, 31)
    start = d.year // 10 * 10 + 10 * step
    return date(start, 1, 1), date(start + 9, 12, 31)


def shifted_unit(d: date, n: int, unit: str) -> tuple[date, date, Granularity]:
    """The calendar unit holding ``d`` moved by ``n`` units: "two weeks ago" is that week."""
    point = shift(d, n, unit)
    if unit == "day":
        return point, point, "day"
    if unit in ("week", "fortnight"):
        first, last = calendar_unit(point, "week", 0)
        return first, last, "week"
    if unit == "month":
        first, last = calendar_unit(point, "month", 0)
        return first, last, "month"
    # "a decade ago" names a year, not a decade.
    return date(point.year, 1, 1), date(point.year, 12, 31), "year"


def as_granularity(unit: str) -> Granularity:
    return _UNIT_GRANULARITY.get(unit, "day")
