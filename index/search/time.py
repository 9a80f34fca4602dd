"""What time a question asks about, as the search sees it: a range of event days to search in
and to rank by. A sentence whose event lies in the question's range is evidence for it; a
dated sentence outside it is evidence against; an undated one is neither."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from index.search.filters import EventRange
from index.text.dates import day_number

if TYPE_CHECKING:
    from index.search.candidates import Candidate
    from index.text.dates import QuestionTime


def event_range(time: QuestionTime | None) -> EventRange | None:
    """The days ``time`` covers, or None when the question names no period."""
    if time is None or not time.names_period:
        return None
    return EventRange(
        day_number(time.first) if time.first else None,
        day_number(time.last) if time.last else None,
    )


def add_time_feature(candidates: Iterable[Candidate], events: EventRange | None) -> None:
    """Set each candidate's ``time_match``: 1 when its event lies inside ``events``, 0.5 when
    it overlaps them (a month, for a question about one day of it), -1 when it is dated
    outside them, else 0."""
    for c in candidates:
        start, end = int(c.meta.get("event_start") or 0), int(c.meta.get("event_end") or 0)
        low = events.first if events and events.first is not None else 0
        high = events.last if events and events.last is not None else 99991231
        if events is None or not end:
            c.time_match = 0.0
        elif low <= start and end <= high:
            c.time_match = 1.0
        elif end >= low and start <= high:
            c.time_match = 0.5
        else:
            c.time_match = -1.0
