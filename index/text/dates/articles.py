"""Date mentions in the sentences of news articles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from index.text.dates.calendar_math import Granularity
from index.text.dates.patterns import article_gate
from index.text.dates.rules import rules
from index.text.dates.scan import Scan


@dataclass(frozen=True)
class DateMention:
    """One date expression in a sentence, resolved to an inclusive range of days."""

    start: int  # character offsets of the phrase in the sentence
    end: int
    first: date
    last: date
    granularity: Granularity
    relative: bool  # resolved against the publication day (or a date earlier in the sentence)


def find_dates(text: str, published: date | None) -> list[DateMention]:
    """Every date expression in one sentence of a news article, in order.

    Args:
        text: One sentence.
        published: The article's publication day; relative phrases ("on Monday", "last
            year") and dates without a year are resolved against it, and skipped without it.

    Returns:
        The mentions, each with its character offsets and its inclusive day range.
    """
    if not article_gate().search(text):
        return []
    hits = Scan(text, published, question=False).run(rules(question=False))
    return [
        DateMention(h.start, h.end, h.first, h.last, h.granularity, h.relative)
        for h in hits
        if not h.pending
    ]
