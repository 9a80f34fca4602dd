"""Date expressions in news sentences and in users' questions, resolved to inclusive day ranges.

Own precompiled patterns rather than a date library, because they measured better: on 312
hand-labelled news sentences (tests/data/dates/sentences.jsonl) they reach precision 1.00 and
recall 0.99 (0.96 on the 80 written after the code), against at best 0.77 / 0.90 for
dateparser counting any day inside the right range, at 0.03 ms a sentence against 0.9 ms.
Feeding the spans found here to dateparser made them worse, not better ("the 1990s" became
yesterday, "2016–19" 19 December 2016). ctparse and timefhuman were worse still; see the
section on dates in docs/decisions.md. None of them knows the news conventions that matter
here: "on Monday" in a Monday article is that day, "2000 people" is not a year, "may" and
"march" are verbs.

A cheap gate pattern rejects the four sentences in five that hold no candidate, and substring
tests pick which patterns to run on the rest: 0.04 ms a sentence on average over typical prose.

Conventions (documented in the decisions document):
- Relative phrases resolve against the article's publication day, or the question's today.
- A weekday, a day or a month without a year is the most recent one on or before that day,
  unless future wording governs it in an article ("are due to resume talks in October"): then
  it is the coming one, and after "was due to" or in a present-tense timetable ("opens on
  21 September") the one nearest the publication day (``tense``). Questions ignore tense.
- "last week" / "last month" / "last year" are the previous calendar unit; "the past two
  weeks" / "the last year" are rolling windows ending on that day.
- "early", "mid" and "late" keep the whole unit: a filter that is too wide loses less than one
  that is too narrow.
- "two years earlier" / "a year later" count from the nearest date before them in the same
  sentence; "earlier" without one counts from the publication day (an approximation), "later"
  without one is dropped (counting forward from the publication day is almost always wrong).

Modules: ``articles`` and ``questions`` are the two entry points; ``scan`` runs the ``rules``
(patterns from ``patterns`` and ``vocabulary``) whose handlers live in ``named_dates``,
``years`` and ``relative``, then places dates without a year by ``tense``; ``calendar_math``
does the arithmetic.
"""

from __future__ import annotations

from index.text.dates.articles import DateMention, find_dates
from index.text.dates.calendar_math import Granularity, day_number, from_day_number
from index.text.dates.questions import QuestionTime, parse_question_time

__all__ = [
    "DateMention",
    "Granularity",
    "QuestionTime",
    "day_number",
    "find_dates",
    "from_day_number",
    "parse_question_time",
]
