"""When the event a sentence reports happened: a date it states, else the paragraph's, else
the article's news.

News prose dates its events relative to the article ("on Tuesday", "last month") and recaps
older ones in background sentences ("In 2019 the talks collapsed."), often over several
sentences of one paragraph. So a sentence without a date of its own takes the date of the
sentence before it in the same paragraph; one that starts a paragraph without a date is
about the article's news: the date its opening sentence gives, when that is within days of
publication (a report published the morning after a summit), else the publication day.
A year that names a thing in passing ("after the 2016 memorandum") dates the sentence only
when it comes early, as its subject does ("The 2019 talks ended without a deal.").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from index.text.dates import DateMention, Granularity, day_number, find_dates, from_day_number

# Finer first: of several dates in one sentence, the finest is the event it reports ("the
# treaty, first proposed in 2019, was signed on Tuesday"); among equals, the latest.
_FINENESS: dict[str, int] = {"day": 0, "week": 1, "month": 2, "year": 3, "decade": 4}
# Bump when these rules date a sentence differently: an index dated by another version is
# re-dated on its next run (each chunk written anew with its stored vector, no model).
DATING_VERSION = 10
_MONTHS = (
    "January February March April May June July August September October November December"
).split()
# The first date of an article's opening sentences is its news when at most this many days
# old.
_NEWS_DAYS = 10
_OPENING_SENTENCES = 3
# "the 2016 memorandum", "2019's talks": a year naming a thing, not dating the sentence,
# unless it comes in the first part of the sentence (its subject).
_NAMING_YEAR = re.compile(r"(?:\b(?:the|a|an|its|their|his|her|this|that)\s+)$", re.IGNORECASE)
_SUBJECT_SHARE = 0.35
# "A delay caused by last year's court case", "2019's strike": a time that names a thing, as
# "the 2019 talks" does.
_POSSESSIVE = re.compile(r"['’]s?\b")
# "The 2019 talks", "But the 2019 talks": a naming year within the subject's first words.
_SUBJECT_WORDS = 3
# A dateline: the town in capitals, the day, the agency, a dash.
_DATELINE_BEFORE = re.compile(r"^\W*[A-Z][A-Z .'’-]+,\s*$")
_DATELINE_AFTER = re.compile(r"\s*(?:\([^)]*\))?\s*[—–-]")
# A date the sentence's event is measured from, not when it happened: "the first deal since
# talks collapsed in 2021", "two years after the 2019 deal".
_MEASURED_FROM = re.compile(
    r"\b(?:since|after|before|than|until|till|predating)\b(?:\s+\S+){0,5}\s*$", re.IGNORECASE
)
# A date of the figure a new one is compared with: "84 percent, down from 86 percent at the
# previous inspection in 2022", "risen to £9 million from the £7 million set in 2019".
_COMPARED_WITH = re.compile(
    r"(?:\b(?:up|down|risen|fallen|rose|fell)\s+from\b|\bcompared\s+with\b|\bprevious\b"
    r"|\bfrom\s+(?:the\s+)?(?:[£$€]\s?\d[\d,.]*|\d[\d,.]*\s+(?:percent|per\s+cent|million|billion)\b))"
    r"(?:\s+\S+){0,7}\s*$",
    re.IGNORECASE,
)
# A date inside a phrase that names a thing by when it was done, after the sentence's own
# verb: "... incorporates the drought rules agreed in Castelvar in March 2023" (a noun
# phrase, then the participle; "against the £140 million forecast in 2018"), not "The
# ministers agreed on Tuesday".
_NAMED_BY_DATE = re.compile(
    r"\b(?:the|a|an|its|their|his|her|this|that|these|those)\s+(?:[a-z0-9.,'’£$€¥%-]+\s+){0,4}"
    r"(?:agreed|signed|reached|adopted|announced|approved|set up|promised|introduced|passed|"
    r"ratified|launched|built|made|struck|negotiated|brokered|forecast|estimated|budgeted|"
    r"projected|predicted|given|set|quoted)\b(?:\s+\S+){0,6}\s*$"
)
# The end of a period a figure is measured over, not an event: "rose 18 per cent in the
# year to March", "in the six months ending in June", "the quarter ended 30 June".
_PERIOD_TO = re.compile(
    r"\b(?:year|months?|weeks?|quarter|half|period)\s+(?:to|ending|ended|through|up\s+to)"
    r"(?:\s+(?:in|on))?\s*$",
    re.IGNORECASE,
)
# A window ending on the publication day ("over the past decade", "in the last two years"):
# how long something took or was measured, told as the day's news, not when it happened.
_ROLLING = re.compile(r"^(?:the\s+(?:past|last)|past)\s", re.IGNORECASE)
# A relative clause opened after the main clause ("..., succeeding Ana Roe, who stepped down
# last month"): background about someone or something the sentence names, not its news.
_TRAILING_RELATIVE = re.compile(r",\s+(?:who|whom|whose|which)\b[^,;:()—–]*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Event:
    """An inclusive range of days, and whether its sentence says it in full (with the year)."""

    first: dt.date
    last: dt.date
    granularity: Granularity
    stated: bool = False
    # Every period the sentence names, when it names several ("in 2020 and in the 1990s").
    ranges: tuple[tuple[dt.date, dt.date], ...] = ()

    @property
    def start_day(self) -> int:
        """The first day of any period the sentence names (for range filters)."""
        return day_number(min((a for a, _ in self.ranges), default=self.first))

    @property
    def end_day(self) -> int:
        return day_number(max((b for _, b in self.ranges), default=self.last))

    @property
    def label(self) -> str:
        """The date as stored and in JSON: "2023-03-14", "2023-03", "2023" or "1990s"."""
        if self.granularity == "day" or (self.granularity == "week" and self.first == self.last):
            return self.first.isoformat()
        if self.granularity in ("week", "month") and self.first.month == self.last.month:
            return self.first.isoformat()[:7]
        if self.granularity == "decade":
            return f"{self.first.year}s"
        if self.first.year == self.last.year:
            return str(self.first.year)
        return f"{self.first.year}–{self.last.year}"

    @property
    def ranges_text(self) -> str:
        """The periods the sentence names, as stored: "20190101-20191231;20211001-20211031"."""
        return ";".join(f"{day_number(a)}-{day_number(b)}" for a, b in self.ranges)

    def overlaps(self, first: dt.date | None, last: dt.date | None) -> bool:
        """Whether any day of this event (or of another period its sentence names) lies in
        [first, last] (None: open)."""
        return any(
            days_meet(a, b, first, last) for a, b in self.ranges or ((self.first, self.last),)
        )


def display_date(label: str) -> str:
    """A stored event date as people read it: "14 March 2023", "March 2023", "2023"."""
    parts = label.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return label


def sentence_events(
    text: str,
    spans: Sequence[tuple[int, int]],
    published: dt.date | None,
    news: Event | None = None,
) -> list[Event | None]:
    """The event of each sentence ``text[start:end]``, in order; None when nothing dates it
    (no date in the sentence or its paragraph, and an undated article).

    Args:
        text: The article (or a passage of it).
        spans: Its sentences.
        published: When the article was published.
        news: The article's news event, when ``text`` is a passage that may not hold the
            opening sentence (see :func:`news_event`).
    """
    fallback = news or news_event(text, spans, published)
    events: list[Event | None] = []
    previous: Event | None = None
    previous_end = 0
    for start, end in spans:
        if "\n" in text[previous_end:start]:
            previous = None  # a new paragraph
        sentence = text[start:end]
        own = _primary(sentence, published) or _measured_news(sentence, published, fallback)
        if own is not None:
            previous = own
        events.append(_naming(previous or fallback, _clause_periods(sentence, published)))
        previous_end = end
    return events


def _naming(event: Event | None, periods: tuple[tuple[dt.date, dt.date], ...]) -> Event | None:
    """``event`` still overlapping ``periods`` its sentence names in other clauses, so that
    a question about one of them finds it ("who took over the scheme in 2020")."""
    if event is None or not periods:
        return event
    own = event.ranges or ((event.first, event.last),)
    return replace(event, ranges=(*own, *(p for p in periods if p not in own)))


@lru_cache(maxsize=8192)
def _clause_periods(
    sentence: str, published: dt.date | None
) -> tuple[tuple[dt.date, dt.date], ...]:
    """The periods named in relative clauses after the main one (see
    :func:`_in_trailing_clause`)."""
    return tuple(
        (m.first, m.last)
        for m in find_dates(sentence, published)
        if (published is None or m.first <= published)
        and _in_trailing_clause(sentence, m)
        and not _measures(sentence, m)
    )


def news_event(
    text: str, spans: Sequence[tuple[int, int]], published: dt.date | None
) -> Event | None:
    """The article's news: the first date its opening sentences give when recent (a lede
    may open with a scene and date the news in its second sentence), else the
    publication day."""
    for start, end in spans[:_OPENING_SENTENCES]:
        own = _primary(text[start:end], published)
        if own is not None:
            return _as_news(own, published) or _published(published)
    return _published(published)


def days_meet(a: dt.date, b: dt.date, first: dt.date | None, last: dt.date | None) -> bool:
    """Whether the days [a, b] and [first, last] (None: open) share a day."""
    return (first is None or b >= first) and (last is None or a <= last)


def stored_event(label: str | None, ranges_text: str | None = None) -> Event | None:
    """The event of a sentence as the index stores it (its label and the periods the
    sentence names, see :attr:`Event.ranges_text`); None if nothing dated it."""
    primary = event_from_label(label)
    if primary is None or not ranges_text:
        return primary
    try:
        ranges = tuple(
            (from_day_number(int(a)), from_day_number(int(b)))
            for a, b in (part.split("-") for part in ranges_text.split(";"))
        )
    except ValueError:
        return primary
    return Event(primary.first, primary.last, primary.granularity, ranges=ranges)


def event_from_label(label: str | None) -> Event | None:
    """The event a stored label names ("2023-03-14", "2023-03", "2023", "1990s"), or None."""
    if not label:
        return None
    try:
        if label.endswith("s"):
            decade = int(label[:-1])
            return Event(dt.date(decade, 1, 1), dt.date(decade + 9, 12, 31), "decade")
        if "–" in label:
            low, high = label.split("–", 1)
            return Event(dt.date(int(low), 1, 1), dt.date(int(high), 12, 31), "year")
        if len(label) == 4:
            return Event(dt.date(int(label), 1, 1), dt.date(int(label), 12, 31), "year")
        if len(label) == 7:
            first = dt.date.fromisoformat(f"{label}-01")
            following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return Event(first, following - dt.timedelta(days=1), "month")
        day = dt.date.fromisoformat(label)
        return Event(day, day, "day")
    except ValueError:
        return None


def own_event(sentence: str, published: dt.date | None) -> Event | None:
    """When ``sentence`` itself says its event happened; None when it takes its date from
    the sentences around it (or has none)."""
    return _primary(sentence, published)


# An answer dates the sentences of the same few passages again and again: 736 datings of
# 102 passages for the bench's 100 questions at 100k chunks, 9.7 ms a question.
@lru_cache(maxsize=8192)
def _primary(sentence: str, published: dt.date | None) -> Event | None:
    # A date after publication is a plan ("is due to open on 27 September"), reported when
    # it is made: it does not date what the sentence reports.
    mentions = [
        m
        for m in find_dates(sentence, published)
        if _dates_sentence(sentence, m)
        and not _measures(sentence, m)
        and (published is None or m.first <= published)
    ]
    # "PELHAM, Nov 8 (MPA) — The court on Tuesday dismissed ...": the event is Tuesday's.
    mentions = [m for m in mentions if not _in_dateline(sentence, m)] or mentions
    if not mentions:
        return None
    best = min(mentions, key=lambda m: (_FINENESS[m.granularity], -m.last.toordinal()))
    # Other periods the sentence names in full ("in 2020 and in the 1990s"); relative ones
    # ("for the past year") measure, they do not date.
    named = [m for m in mentions if m is best or not m.relative]
    ranges = tuple((m.first, m.last) for m in named) if len(named) > 1 else ()
    return Event(best.first, best.last, best.granularity, not best.relative, ranges)


def _measured_news(sentence: str, published: dt.date | None, news: Event | None) -> Event | None:
    """The report's ``news`` for a sentence giving a figure measured over a period ("rose 18
    per cent in the year to March"), still overlapping the periods it names for filters;
    else None."""
    periods = _measured_periods(sentence, published)
    if news is None or not periods:
        return None
    return replace(news, ranges=((news.first, news.last), *periods))


@lru_cache(maxsize=8192)
def _measured_periods(
    sentence: str, published: dt.date | None
) -> tuple[tuple[dt.date, dt.date], ...]:
    return tuple(
        (m.first, m.last)
        for m in find_dates(sentence, published)
        if (published is None or m.first <= published)
        and _measures(sentence, m)
        and _dates_sentence(sentence, m)
    )


def _dates_sentence(sentence: str, mention: DateMention) -> bool:
    """Whether ``mention`` says when the sentence's event happened (not a date it refers to)."""
    before = sentence[: mention.start]
    naming = (mention.granularity == "year" and _NAMING_YEAR.search(before)) or _POSSESSIVE.match(
        sentence[mention.end :]
    )
    # The subject's date ("The 2019 talks ended...", "In 2019, ..."); a year naming a thing
    # is the subject's only in its first words, not after a verb ("The ruling, written by
    # ..., upheld a 2020 decision").
    subject = not naming or len(before.split()) <= _SUBJECT_WORDS
    if mention.start <= _SUBJECT_SHARE * len(sentence) and subject:
        return True
    named = _NAMED_BY_DATE.search(before)
    late = named is not None and named.start() > _SUBJECT_SHARE * len(sentence)
    return not (
        naming
        or late
        or _MEASURED_FROM.search(before)
        or _COMPARED_WITH.search(before)
        or _in_trailing_clause(sentence, mention)
    )


def _measures(sentence: str, mention: DateMention) -> bool:
    """Whether ``mention`` is a period something was measured over ("in the year to March",
    "over the past decade"), not when the sentence's event happened."""
    return bool(
        _PERIOD_TO.search(sentence[: mention.start])
        or _ROLLING.match(sentence[mention.start : mention.end])
    )


def _in_trailing_clause(sentence: str, mention: DateMention) -> bool:
    """Whether ``mention`` lies in a relative clause opened after the sentence's subject
    ("..., who stepped down last month"): it dates someone else's past, not the news."""
    clause = _TRAILING_RELATIVE.search(sentence[: mention.start])
    return clause is not None and clause.start() > _SUBJECT_SHARE * len(sentence)


def _in_dateline(sentence: str, mention: DateMention) -> bool:
    """Whether ``mention`` is the day of a dateline ("PELHAM, Nov 8 (MPA) —"): when the
    story was filed, not when its event happened."""
    return bool(
        _DATELINE_BEFORE.search(sentence[: mention.start])
        and _DATELINE_AFTER.match(sentence[mention.end :])
    )


def _as_news(event: Event | None, published: dt.date | None) -> Event | None:
    """``event`` when it is the article's recent news (within days of publication)."""
    if event is None or published is None or event.granularity not in ("day", "week"):
        return None
    age = (published - event.last).days
    return event if 0 <= age <= _NEWS_DAYS else None


def _published(published: dt.date | None) -> Event | None:
    return None if published is None else Event(published, published, "day")
