"""The facts of an answer, in time: the same fact told by several articles becomes one line
citing all of them, and when a question matches several events the newest leads, dated,
with the earlier ones listed after it.

A newsroom reader wants to see that two outlets agree, and which summit an answer is about:
"What was agreed at <city>?" over an archive with summits there in three years is answered
with the latest, then "Earlier:" the others, each dated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from index.models import AnswerLine, Citation, Passage
from index.text.answer_types import AnswerType, offers
from index.text.dates import QuestionTime
from index.text.events import (
    Event,
    display_date,
    event_from_label,
    sentence_events,
    stored_event,
)
from index.text.terms import content_terms

# Two reports tell the same fact when this share of the shorter one's meaningful words is
# in the other and their events overlap (or lie this many days apart at most).
_SAME_FACT_OVERLAP = 0.6
_SAME_EVENT_DAYS = 3
# Facts whose score comes this close to the best one's, with most of its words of the
# question, answer the question as well; of those, the newest event leads. A question that
# asks for the latest casts the net wider.
_RELEVANT_MARGIN = 0.05
_NEWEST_MARGIN = 0.15
_RELEVANT_OVERLAP = 0.75
_NEWEST_OVERLAP = 0.6
_LEAD_FACTS = 2
# In a period asked about, the report of the time leads the facts scoring this close to the
# best; a fact scoring this much better than it leads it.
_RECAP_MARGIN = 0.1
# A fact giving what an untyped question asks (a cause for "why") leads the best fact that
# does not when it scores this close to it.
_ANSWERING_MARGIN = 0.1
EARLIER = "Earlier:"


@dataclass(frozen=True, slots=True)
class Report:
    """A sentence of a passage chosen for the answer, with when its event happened."""

    text: str
    passage: Passage
    overlap: float  # share of the question's words found in the sentence, in [0, 1]
    score: float
    event: Event | None = None


@dataclass
class Fact:
    """One line of an answer: its reports (best first) and whether it is an earlier event."""

    reports: list[Report]
    earlier: bool = False
    sources: set[str] = field(default_factory=set)  # article ids

    @property
    def event(self) -> Event | None:
        return self.reports[0].event

    @property
    def score(self) -> float:
        return self.reports[0].score


def merge_reports(reports: Sequence[Report]) -> list[Fact]:
    """Reports of the same fact by different articles, as one fact each (best first)."""
    facts: list[Fact] = []
    for report in reports:
        for fact in facts:
            if report.passage.article_id not in fact.sources and _same_fact(
                fact.reports[0], report
            ):
                fact.reports.append(report)
                fact.sources.add(report.passage.article_id)
                break
        else:
            facts.append(Fact([report], sources={report.passage.article_id}))
    for fact in facts:
        # The report of the day leads its fact's citations, before later recaps of it.
        fact.reports.sort(key=lambda r: (not _reported_then_report(r), -r.score))
    return facts


def arrange(
    facts: list[Fact],
    time: QuestionTime,
    max_lines: int,
    *,
    kind: AnswerType = AnswerType.OTHER,
    oldest_first: bool = False,
    newest_asked: bool = False,
    answers: Callable[[str], bool] | None = None,
    near: Event | None = None,
    tells: Callable[[str], bool] | None = None,
) -> list[Fact]:
    """The facts to show, in order, at most ``max_lines``.

    A question that names a period has only facts of that period; the news of it (not a
    later recap) leads. One that names none, or asks for the latest, over dated articles
    that report several events leads with the newest of the facts that answer it about as
    well as the best (with most of its words, and the kind of answer it asks for: a name
    for "who"), then lists the earlier events, newest first, one fact each.
    ``oldest_first`` ("when it was first announced") turns that order round;
    ``newest_asked`` ("the latest", "in the end") widens the facts considered; ``answers``
    says whether a line gives what an untyped question asks for ("why": a cause). A follow-up
    is asked where its conversation has got to: of the facts that ``tells`` (holding what
    the follow-up asks itself), the one nearest ``near`` (the event the answer before led
    with) leads, the later facts follow it, then the earlier ones.
    """
    if time.names_period:
        # The news of the time leads its later recaps, among the facts that answer about as
        # well as the best: a year's figure is reported weeks after the year, later than
        # the period's other news, and answers "how much ... in 2020" all the same.
        top = max(f.score for f in facts)
        if time.first is None and time.last is not None:
            # "By May 2024" asks how things stood then: the newest report up to it leads.
            return sorted(
                facts,
                key=lambda f: (f.score < top - _RECAP_MARGIN, -_last(f), -f.score),
            )[:max_lines]
        return sorted(
            facts,
            key=lambda f: (f.score < top - _RECAP_MARGIN, not _reported_then(f), -f.score),
        )[:max_lines]
    best = _best_answering(facts, answers)
    margin = _NEWEST_MARGIN if newest_asked else _RELEVANT_MARGIN
    overlap = _NEWEST_OVERLAP if newest_asked else _RELEVANT_OVERLAP
    relevant = [
        f
        for f in facts
        if f.score >= best.score - margin
        and f.reports[0].overlap >= overlap * best.reports[0].overlap
        and (f is best or _answers(f.reports[0].text, kind, answers))
    ]
    dated = all(f.event is not None and f.reports[0].passage.published_at for f in relevant)
    if not dated:
        return facts[:max_lines]
    if len(_events_of(relevant)) < 2:
        # One event: the fact that answers best leads, the others follow in rank order.
        return [best, *(f for f in facts if f is not best)][:max_lines]
    direction = -1 if oldest_first else 1
    newest = max(relevant, key=lambda f: (direction * _last(f), f.score))
    telling = [f for f in relevant if tells is None or tells(f.reports[0].text)]
    if near is not None and telling and not (oldest_first or newest_asked):
        newest = min(telling, key=lambda f: (_days_apart(f, near), -_last(f), -f.score))
    lead = [f for f in relevant if _same_event(f.event, newest.event)][:_LEAD_FACTS]
    later: list[Fact] = []
    earlier: list[Fact] = []
    for fact in sorted(relevant, key=_last, reverse=not oldest_first):
        if fact in lead or any(_same_event(fact.event, e.event) for e in later + earlier):
            continue
        if not oldest_first and _last(fact) > _last(newest):
            later.append(fact)  # after the lead, when a follow-up's lead is not the newest
            continue
        fact.earlier = True
        earlier.append(fact)
    return (lead + later + earlier)[:max_lines]


def _best_answering(facts: list[Fact], answers: Callable[[str], bool] | None) -> Fact:
    """The best fact; for an untyped question ("why"), the best giving what it asks (a
    cause) when one scores nearly as well: "The cost rose to £465 million. Kestrel blamed
    steel prices." answers "why did the cost go up?" better than a likelier line with no
    cause."""
    best = max(facts, key=lambda f: f.score)
    if answers is None or answers(best.reports[0].text):
        return best
    giving = [f for f in facts if answers(f.reports[0].text)]
    near = [f for f in giving if f.score >= best.score - _ANSWERING_MARGIN]
    return max(near, key=lambda f: f.score, default=best)


def _days_apart(fact: Fact, near: Event) -> int:
    """Days between ``fact``'s event and ``near`` (0 when they meet)."""
    event = fact.event
    if event is None:
        return 10**6
    return max((event.first - near.last).days, (near.first - event.last).days, 0)


def _answers(text: str, kind: AnswerType, answers: Callable[[str], bool] | None) -> bool:
    if answers is not None:
        return answers(text)
    return kind is AnswerType.OTHER or offers(text, kind)


def write_lines(facts: Sequence[Fact]) -> tuple[str, tuple[AnswerLine, ...], tuple[Citation, ...]]:
    """The answer's text, its lines and its citations (one per article, numbered in order)."""
    numbers: dict[str, int] = {}
    first_use: list[Report] = []
    used: dict[str, list[Passage]] = {}
    lines: list[AnswerLine] = []
    text_lines: list[str] = []
    for fact in facts:
        cited: list[int] = []
        for report in fact.reports:
            article = report.passage.article_id
            if article not in numbers:
                numbers[article] = len(numbers) + 1
                first_use.append(report)
            used.setdefault(article, []).append(report.passage)
            if numbers[article] not in cited:
                cited.append(numbers[article])
        lead = fact.reports[0]
        label = lead.event.label if lead.event else None
        lines.append(AnswerLine(lead.text, tuple(cited), label, fact.earlier))
        if fact.earlier and EARLIER not in text_lines:
            text_lines.append(EARLIER)
        markers = "".join(f"[{n}]" for n in cited)
        dated = (
            f"{display_date(label)} — " if label and lead.event and not lead.event.stated else ""
        )
        bullet = "- " if fact.earlier else ""
        text_lines.append(f"{bullet}{dated}{lead.text} {markers}")
    citations = tuple(
        replace(
            cite_passage(n, report.passage, report.event),
            passage=_joined_passages(used[report.passage.article_id]),
        )
        for n, report in enumerate(first_use, start=1)
    )
    return "\n".join(text_lines), tuple(lines), citations


def _joined_passages(passages: Sequence[Passage]) -> str:
    """The text of one article's passages cited by an answer, in article order; overlapping
    ones merged, the gaps between them marked […]."""
    parts: list[str] = []
    end = -1
    for passage in sorted({p.start: p for p in passages}.values(), key=lambda p: p.start):
        if end < 0 or passage.start > end:
            parts.append(passage.text)
        elif passage.end > end:
            parts[-1] += passage.text[end - passage.start :]
        end = max(end, passage.end)
    return " […] ".join(parts)


def cite_passage(n: int, passage: Passage, event: Event | None = None) -> Citation:
    """The citation ``[n]`` of ``passage`` (dated by ``event``, else by its matched sentence)."""
    return Citation(
        n=n,
        article_id=passage.article_id,
        title=passage.title,
        source=passage.source,
        published_at=passage.published_at,
        url=passage.url,
        passage=passage.text,
        score=round(passage.similarity, 4),
        event_date=event.label if event else passage.event_date,
    )


def _same_fact(a: Report, b: Report) -> bool:
    if not _same_event(a.event, b.event):
        return False
    terms_a, terms_b = set(content_terms(a.text)), set(content_terms(b.text))
    if not terms_a or not terms_b:
        return False
    return len(terms_a & terms_b) / min(len(terms_a), len(terms_b)) >= _SAME_FACT_OVERLAP


def _same_event(a: Event | None, b: Event | None) -> bool:
    if a is None or b is None:
        return a is b
    gap = max((a.first - b.last).days, (b.first - a.last).days)
    return gap <= _SAME_EVENT_DAYS


def _events_of(facts: Sequence[Fact]) -> list[Event]:
    events: list[Event] = []
    for fact in facts:
        if fact.event is not None and not any(_same_event(fact.event, e) for e in events):
            events.append(fact.event)
    return events


# A report published this many days after its event at most is the news of it; later, a
# recap.
_REPORTED_DAYS = 31


def _reported_then(fact: Fact) -> bool:
    return _reported_then_report(fact.reports[0])


def _reported_then_report(report: Report) -> bool:
    published = report.passage.published_at
    if report.event is None or not published:
        return False
    return (dt.date.fromisoformat(published) - report.event.last).days <= _REPORTED_DAYS


def _last(fact: Fact) -> int:
    return fact.event.last.toordinal() if fact.event else 0


def passage_events(passage: Passage, spans: Sequence[tuple[int, int]]) -> list[Event | None]:
    """When each sentence ``spans`` of the passage tells of happened. The matched sentence's
    was found at index time with its whole paragraph in view; the others are dated from the
    passage."""
    published = dt.date.fromisoformat(passage.published_at) if passage.published_at else None
    events = sentence_events(passage.text, spans, published, event_from_label(passage.news_date))
    stored = stored_event(passage.event_date, passage.event_ranges)
    for i, (start, _) in enumerate(spans):
        own = events[i]
        if passage.start + start == passage.sentence_start and not (own and own.stated):
            events[i] = stored or own
    return events
