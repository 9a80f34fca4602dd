"""Composing a cited answer from retrieved passages, or saying what the articles do not say.

The answer is extractive: sentences copied from the passages, one line per fact, each line
dated when its sentence does not say when its event happened and followed by the numbers
of every article that reports it. A sentence is chosen for how many of the question's
meaningful words it holds and how close its passage is to the question.

Whether the articles cover the question is decided on the *evidence* (the best passages'
cosine plus shares of the question's words in the matched sentence and its passage,
calibrated with its threshold: docs/decisions.md) and on what the question names: a
person, a number or a period no relevant article mentions makes newsbot decline and say so
(``coverage.py``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from index.answer.conversation import ResolvedQuestion, asks_for_successor
from index.answer.coverage import (
    NO_FIGURE,
    Vocabulary,
    asked_measure,
    asked_post,
    figure_told_as_done,
    figures_all,
    figures_only_of_other,
    figures_only_partial,
    gives_figure,
    gives_measure,
    gives_post,
    mentions_names,
    missing_focus,
    missing_from_articles,
    missing_person_then,
    missing_predecessor,
    missing_together,
    missing_vote,
    no_filtered_match,
    not_covered,
    outside_period,
    unnamed_member,
)
from index.answer.question_weights import distinctive, holds, holds_asked, term_weights
from index.answer.short_answer import (
    ShortAnswer,
    anchor_positions,
    best_short_answer,
    dated_short_answer,
    fresh_answers,
    lead_evidence,
)
from index.answer.timeline import Report, arrange, merge_reports, passage_events, write_lines
from index.models import Answer, Passage
from index.text.answer_types import PERSON_NOUNS, AnswerType, expected_type, person_names
from index.text.dates import Granularity, QuestionTime, find_dates
from index.text.dates.tense import ANNOUNCING, tense_at
from index.text.events import Event, days_meet, own_event, stored_event
from index.text.sentences import sentence_spans
from index.text.terms import content_terms


@dataclass(frozen=True, slots=True)
class EvidenceWeights:
    """Evidence of a passage = its cosine + these shares of the question's terms it holds."""

    overlap: float  # IDF-weighted share of the question's terms in the matched sentence
    window_overlap: float  # the same share in the whole passage


# Calibrated with the threshold (Settings.min_relevance); docs/decisions.md.
EVIDENCE = EvidenceWeights(overlap=0.1, window_overlap=0.2)
# The best-ranked passages that count as evidence for the question.
_EVIDENCE_PASSAGES = 4
# The best-ranked passages that may lend a sentence to the answer: the reports of other
# events (and other outlets) rank below the best.
_CANDIDATE_PASSAGES = 10
# A passage after the first is quoted when its evidence comes this close to the threshold:
# it supports an answer the first passage already established (docs/decisions.md).
_SUPPORT_MARGIN = 0.15
# ... or this close, when its sentence is of the period the question asks about.
_PERIOD_SUPPORT_MARGIN = 0.2
# Discount on the matched sentence's cosine for a neighbour whose own is not known.
_NEIGHBOUR_DISCOUNT = 0.1
# Bonus for a sentence holding the kind of answer the question asks for (a place for
# "where", a date for "when", ...) that the question does not already name.
_ANSWER_TYPE_BONUS = 0.1
_FOLLOW_UP_TYPE_BONUS = 0.3
# For a sentence holding a word a follow-up asks with itself (not only words it leans on).
_OWN_WORD_BONUS = 0.15
# More for a sentence naming a person a "who" question does not: names of people are told
# apart from the story's other capitalised words (index/text/answer_types.py).
_PERSON_BONUS = 0.2
# A question about a period is declined when the best sentence of the period holds less
# than this share of the words the best sentence of any time holds.
_PERIOD_OVERLAP = 0.5
# ... and its bar is lowered when its best dated sentence holds nearly as many of them.
_PERIOD_NEAR = 0.7
# Evidence below the threshold may still answer a question about a period whose dated
# sentence holds this share of its words.
_WEAK_PERIOD_OVERLAP = 1 / 3


def compose_answer(
    resolved: ResolvedQuestion,
    passages: Sequence[Passage],
    *,
    min_relevance: float,
    max_lines: int,
    filtered: bool = False,
    vocabulary: Vocabulary | None = None,
) -> Answer:
    """Build the answer from ``passages`` (best first). Pure: no I/O, no model.

    Args:
        resolved: The question as searched (with the period it asks about).
        passages: The retrieved passages, best first.
        min_relevance: The evidence below which the articles do not cover the question.
        max_lines: Most facts (lines) in the answer; each cites every report of it.
        filtered: The search was restricted by source or date (says so when nothing matched).
        vocabulary: Whether a word occurs anywhere in the indexed articles (for reasons).
    """
    question, time = resolved.question, resolved.time
    if not passages:
        return no_filtered_match(question, time) if filtered else not_covered(question, [], time)
    evidence = evidence_score(passages)
    candidates = passages[:_CANDIDATE_PASSAGES]
    missing = (
        missing_from_articles(resolved, candidates, vocabulary)
        or missing_focus(resolved.focus, vocabulary)
        or missing_predecessor(resolved.question, candidates)
        or missing_vote(resolved.question, candidates, time)
        or missing_together(resolved, candidates, time)
    )
    # A period's own sentences may lower the bar (``_period_margin``): its check decides.
    lowered = _SUPPORT_MARGIN if time.names_period else 0.0
    if missing is not None or evidence < min_relevance - lowered:
        return not_covered(question, passages, time, reason=missing)
    reports = _choose(resolved, passages, min_relevance)
    if time.names_period:
        reports = [_naming_the_period(r, time) for r in reports]
        in_period = [
            r for r in reports if r.event is None or r.event.overlaps(time.first, time.last)
        ]
        if evidence < min_relevance and not _period_holds_question(in_period):
            return not_covered(question, passages, time)
        gives_asked = _gives_asked(resolved)
        if (
            not in_period
            or _period_evidence(passages, time) < min_relevance - _period_margin(in_period, reports)
            or _said_of_other_times(in_period, reports, gives_asked)
            or _figure_only_of_other_times(in_period, reports, gives_asked)
        ):
            return outside_period(question, passages, time, reports)
        then = _in_period(passages, time)
        reason = missing_from_articles(
            resolved, then, vocabulary, time.describe()
        ) or missing_person_then(resolved.question, _dated_sentences(in_period), time.describe())
        if reason is not None:
            return not_covered(question, then, time, reason=reason)
        reports = [_dated_in_period(r, time) for r in in_period]
    # An answer comes from articles about what the question names: not a cable car's
    # passengers for a question about the tram's. Any passage of an article may name it:
    # "Museum director Piet Ahlgren wept" is of the report naming the Civic Art Museum.
    naming = {p.article_id for p in passages if mentions_names(resolved.question, time, p)}
    named = [r for r in reports if r.passage.article_id in naming]
    reports = named or reports
    kind = _kind(resolved)
    best = max(reports, key=lambda r: r.score)
    if kind is AnswerType.NUMBER and not (
        any(
            gives_figure(r.text, resolved.question)
            for r in {id(r): r for r in (reports[0], best)}.values()
        )
        or any(gives_figure(r.text, resolved.question, named=True) for r in reports)
    ):
        # "How many passengers a day": passages about the line that give no such figure. A
        # lesser report giving one next to what is counted ("9.1 kilometres of track") does.
        return not_covered(question, passages, time, reason=NO_FIGURE)
    texts = [r.text for r in reports]
    if kind is AnswerType.NUMBER and (
        _figures_only_announced(resolved.question, texts)
        or figures_only_partial(resolved.question, texts)
        or figures_only_of_other(resolved.question, texts)
    ):
        # "How many beds did the Royal Infirmary have?": "build a new 540-bed hospital".
        return not_covered(question, passages, time, reason=NO_FIGURE)
    unnamed = unnamed_member(resolved.question, reports[0].text) or unnamed_member(
        resolved.question, best.text
    )
    if unnamed is not None:
        # "Which of the three judges dissented?": "one of the three judges disagreed".
        return not_covered(question, passages, time, reason=unnamed)
    measure = asked_measure(resolved.question)
    if measure is not None and not any(
        gives_measure(r.text, measure) for r in {id(r): r for r in (reports[0], best)}.values()
    ):
        # "What price per megawatt-hour": "400 megawatts" is a figure, but not a price.
        return not_covered(question, passages, time, reason=NO_FIGURE)
    reports = _giving_what_is_asked(reports, kind, measure, resolved.question)
    facts = arrange(
        merge_reports(reports),
        time,
        max_lines,
        kind=kind,
        oldest_first=_oldest_first(resolved),
        newest_asked=_newest_asked(resolved),
        answers=gives_reason if _WHY.match(resolved.focus) else None,
        # "When did it collapse?" asks for the time itself, wherever the conversation is.
        near=None if kind is AnswerType.TIME else resolved.follows,
        tells=_tells_own_words(resolved),
    )
    text, lines, citations = write_lines(facts)
    lead = facts[0].reports[0]
    # Shown only when the ranker is confident: a wrong bold phrase misleads more than none.
    support = lead_evidence(facts)
    short = best_short_answer(
        _asked(resolved),
        lead.text,
        context=resolved.context,
        supporting=support.supporting,
        margin=support.margin,
    )
    return Answer(
        question=question,
        answer=text,
        found=True,
        citations=citations,
        short_answer=_short_text(short, lead, kind),
        time=time,
        lines=lines,
    )


# "How many beds did the infirmary have?", "how many were killed": a count of what happened.
_PAST_COUNT = re.compile(r"^\W*how\s+(?:many|much)\b[^?]*?\b(?:did|was|were|had)\b", re.IGNORECASE)


def _figures_only_announced(question: str, sentences: Sequence[str]) -> bool:
    """Whether a question for what happened ("how many beds did it have") finds the figures
    next to what it counts only in announcements ("wants to build a new 540-bed hospital")."""
    if not _PAST_COUNT.match(question) or _PLAN_WORDS.search(question):
        return False
    return figures_all(question, sentences, lambda text: not figure_told_as_done(text, question))


def _giving_what_is_asked(
    reports: list[Report], kind: AnswerType, measure: str | None, question: str
) -> list[Report]:
    """The reports that give the figure a "how much" or "how many" question asks for, when
    any does: "Berth 9 alone handled 540,000" does not say what the terminal cost, however
    new it is; "how many containers" is answered by a figure of containers. Only among
    dated reports, where it decides which event leads: undated text lists its reports in
    rank order, and each one dropped is a passage the reader no longer sees."""
    if not all(r.passage.published_at for r in reports):
        return reports
    if measure is not None:
        giving = [r for r in reports if gives_measure(r.text, measure)]
    elif kind is AnswerType.NUMBER:
        # "1.1 million containers" for "how many containers"; a figure of something else
        # ("three strikes") says nothing, and the best report may still explain.
        giving = [
            r
            for r in reports
            if gives_figure(r.text, question, named=True) or _counts_asked(r.text, question)
        ]
    else:
        return reports
    return giving or reports


# A number (not a year) and the word it counts: "11,400 signatures", "430 workers".
_COUNT = re.compile(r"(?<![\w.])(?!(?:1[89]|20)\d\d\b)\d[\d,.]*\s+([A-Za-z][\w'’-]*)")
_COUNT_QUESTION = re.compile(r"^\W*how\s+many\s+\w+\s+(.+)$", re.IGNORECASE)


def _counts_asked(sentence: str, question: str) -> bool:
    """Whether ``sentence`` counts something the rest of the question names in other words:
    "how many people signed the petition" is answered by "a petition of 11,400 signatures",
    "how many people were in the crowd" by "watched by a crowd of 17,946"."""
    rest = _COUNT_QUESTION.match(question)
    if rest is None:
        return False
    terms = set(content_terms(rest.group(1)))
    people_asked = bool(_PEOPLE_QUESTION.match(question))
    for match in _COUNT.finditer(sentence):
        counted = set(content_terms(match.group(1)))
        if counted and any(holds(counted, t) for t in terms):
            return True
        if people_asked and not counted.isdisjoint(_PEOPLE):
            return True  # "how many people were laid off": "430 workers were sent home"
    # "A crowd of 17,946" counts the crowd itself, not a word like it ("a full house of
    # 11,200" is no count of homes).
    return any(
        not terms.isdisjoint(content_terms(match.group(1)))
        for match in _COUNT_OF.finditer(sentence)
    )


# "How many homes ...?": a count of a thing the question names.
_HOW_MANY = re.compile(r"^\W*how\s+many\s+[a-z]", re.IGNORECASE)


# "How many people ...?" is answered by a figure of any kind of people.
_PEOPLE_QUESTION = re.compile(r"^\W*how\s+many\s+people\b", re.IGNORECASE)
_PEOPLE = frozenset(
    content_terms(
        "people workers staff employees residents fans passengers visitors spectators members "
        "voters patients pupils students families households citizens inhabitants crowd"
    )
)


# A whole told by its number: "a crowd of 17,946", "a workforce of 430" (not a year).
_COUNT_OF = re.compile(
    r"\b([A-Za-z][\w'’-]*)\s+of\s+(?:about\s+|some\s+|nearly\s+|almost\s+|more\s+than\s+|over\s+)?"
    r"(?!(?:1[89]|20)\d\d\b)\d[\d,.]*(?![\d,.]*\s*(?:%|per\s*cent|percent))"
)


def _dated_in_period(report: Report, time: QuestionTime) -> Report:
    """``report`` dated by the period its sentence names that the question asks about, when
    its own date is another: "handled 1.1 million containers in 2025, its annual report
    published yesterday shows" is about 2025 for "last year"."""
    event = report.event
    if event is None or days_meet(event.first, event.last, time.first, time.last):
        return report
    for first, last in event.ranges:
        if days_meet(first, last, time.first, time.last):
            period = Event(first, last, _granularity(first, last), True, event.ranges)
            return replace(report, event=period)
    return report


def _granularity(first: dt.date, last: dt.date) -> Granularity:
    if first == last:
        return "day"
    if first.day == 1 and (last + dt.timedelta(days=1)).day == 1 and first.month == last.month:
        return "month"
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return "decade" if last.year - first.year == 9 and first.year % 10 == 0 else "year"
    return "year"


def _short_text(short: ShortAnswer | None, lead: Report, kind: AnswerType) -> str | None:
    """The short answer as shown: a day named relative to a dated report becomes its date."""
    if short is None:
        return None
    if kind is AnswerType.TIME and lead.passage.published_at:
        return dated_short_answer(short.text, lead.event)
    return short.text


def evidence_score(passages: Sequence[Passage], weights: EvidenceWeights = EVIDENCE) -> float:
    """How strongly the best passages support an answer; compared with the threshold."""
    return max(
        (
            p.similarity + weights.overlap * p.overlap + weights.window_overlap * p.window_overlap
            for p in passages[:_EVIDENCE_PASSAGES]
        ),
        default=-1.0,
    )


# "When it was first announced", "originally", "initially": the earliest event leads; "in
# the end", "finally", "the final cost": the latest does.
_FIRST = re.compile(r"\b(?:first|originally|initially|at the start|in the beginning)\b", re.I)
_LAST = re.compile(r"\b(?:in the end|finally|eventually|ultimately|final|at last)\b", re.I)


def _oldest_first(resolved: ResolvedQuestion) -> bool:
    return bool(_FIRST.search(resolved.focus)) and not resolved.time.recency


def _newest_asked(resolved: ResolvedQuestion) -> bool:
    return resolved.time.recency or bool(_LAST.search(resolved.focus))


# The first verb of a question, whose tense says when it asks about: "How many homes *can*
# the farm power?", "How many beds *did* it have?".
_FIRST_AUXILIARY = re.compile(
    r"\b(is|are|am|does|do|can|has|have|was|were|did|had|could|will|would)\b", re.IGNORECASE
)
_PRESENT = frozenset("is are am does do can has have".split())


def _asks_current_figure(resolved: ResolvedQuestion) -> bool:
    """Whether a question asks for a figure as it stands now: asked in the present tense
    and of no period ("How many homes can the finished farm power?")."""
    if not resolved.time.is_empty or _kind(resolved) is not AnswerType.NUMBER:
        return False
    verb = _FIRST_AUXILIARY.search(resolved.focus)
    return (
        verb is not None
        and verb.group(1).lower() in _PRESENT
        and not _PLAN_WORDS.search(resolved.focus)
    )


# A question word of its own: "And what did they promise?" asks its own question, not the
# topic's ("And in 2021?" asks the topic's again).
_OWN_QUESTION = re.compile(r"\b(?:what|who|whom|whose|when|where|which|why|how)\b", re.I)


def _kind(resolved: ResolvedQuestion) -> AnswerType:
    kind = expected_type(resolved.focus)
    if (
        kind is AnswerType.OTHER
        and resolved.is_follow_up
        and not _OWN_QUESTION.search(resolved.focus)
    ):
        kind = expected_type(resolved.topic)  # "and in the 1990s?" asks what the topic asked
        if kind is AnswerType.PERSON and resolved.person:
            return AnswerType.OTHER  # "What did she say?": who she is was the answer before
    return kind


# "How much will it save?", "how much did it cost?": an amount asked for without naming its
# thing is, in news, a sum of money; "more than 6,000 people" does not answer it.
_HOW_MUCH_AMOUNT = re.compile(
    # "How much money a year will the fund provide?": "money" and a rate may come first.
    r"^\W*how\s+much\s+(?:money\s+)?(?:(?:a|an|per|each)\s+\w+\s+)?(?:will|would|did|does|do|is|was|were|are|has|have|had|could|can)\b",
    re.IGNORECASE,
)


def _sum_asked(question: str) -> bool:
    return bool(_HOW_MUCH_AMOUNT.match(question))


def _in_period(passages: Sequence[Passage], time: QuestionTime) -> list[Passage]:
    """The passages whose sentence's event lies in the question's period (or is unknown)."""
    return [
        p
        for p in passages
        if (event := stored_event(p.event_date, p.event_ranges)) is None
        or event.overlaps(time.first, time.last)
        or _period_named(p.sentence, p.published_at, time) is not None
    ]


def _naming_the_period(report: Report, time: QuestionTime) -> Report:
    """``report`` dated by the period asked about when its sentence names it but takes its
    date from another sentence (``_period_named``)."""
    event = report.event
    if event is None or event.overlaps(time.first, time.last):
        return report
    named = _period_named(report.text, report.passage.published_at, time)
    return report if named is None else replace(report, event=named)


def _period_named(sentence: str, published: str | None, time: QuestionTime) -> Event | None:
    """The period asked about, when ``sentence`` names it ("raised to £9 million after Storm
    Orla last year") but takes its date from a sentence before it: a sentence's own words
    about its time beat a neighbour's. Only in dated articles: undated text is "in" every
    period already."""
    if not published:
        return None
    day = dt.date.fromisoformat(published)
    if own_event(sentence, day) is not None:
        return None  # the sentence dates itself otherwise
    for mention in find_dates(sentence, day):
        if days_meet(mention.first, mention.last, time.first, time.last) and mention.first <= day:
            return Event(mention.first, mention.last, mention.granularity, True, ())
    return None


def _dated_sentences(reports: Sequence[Report]) -> list[str]:
    """The sentences of ``reports`` dated by their articles (not an encyclopedia's, which
    are "in" every period)."""
    return [r.text for r in reports if r.event is not None and r.passage.published_at]


def _period_margin(in_period: Sequence[Report], reports: Sequence[Report]) -> float:
    """How far below the threshold the period's evidence may be: a sentence of the period
    holding the question's words as well as the best of any time ("Who was arrested in
    November 2017?": "Police arrested two men ... on Tuesday") needs only support it as a
    second report would; the cosine of so short a question says little."""
    # Only a sentence dated in the period earns it: an undated one (an encyclopedia's, or an
    # article without a date) is "in" every period, and would lower the bar for any year.
    dated = [r.overlap for r in in_period if r.event is not None]
    best = max(r.overlap for r in reports)
    return _SUPPORT_MARGIN if best > 0 and dated and max(dated) >= _PERIOD_NEAR * best else 0.0


def _period_holds_question(in_period: Sequence[Report]) -> bool:
    """Whether a dated sentence of the period holds a good part of the question's words:
    then evidence short of the threshold is left to the period's own check ("What did the
    port authority announce in September 2018?": "The port authority ... presented plans")."""
    return any(r.event is not None and r.overlap >= _WEAK_PERIOD_OVERLAP for r in in_period)


def _said_of_other_times(
    in_period: Sequence[Report],
    reports: Sequence[Report],
    gives_asked: Callable[[str], bool] | None = None,
) -> bool:
    """Whether the best sentence of the period holds far fewer of the question's words than
    the best of any time: "How did the council vote on the tram in 2021?" is not answered by
    the orchestra's vote of 2021 when the council's votes are reported for other years. A
    dated sentence of the period giving the figure asked for is no such case: a figure's
    later report words it anew ("now expected to cost" for "the estimated price")."""
    if gives_asked is not None and any(
        r.event is not None and gives_asked(r.text) for r in in_period
    ):
        return False
    if _clear_lead_in_period(in_period, reports):
        return False
    best = max(r.overlap for r in reports)
    return max(r.overlap for r in in_period) < _PERIOD_OVERLAP * best


# How far the ranker's best passage must lead the next to be trusted over word counts.
_CLEAR_LEAD = 1.5


def _clear_lead_in_period(in_period: Sequence[Report], reports: Sequence[Report]) -> bool:
    """Whether the ranker's best sentence, far ahead of the rest, is a dated one of the
    period: it weighs the whole question ("What did Kestrel do about his house in January?":
    "in January it quietly redrew the edge of the pit around his farmhouse"), where counting
    words favours a longer sentence of another year."""
    first = reports[0]
    if first.event is None or first not in in_period:
        return False
    others = [r.passage.score for r in reports[1:]]
    return not others or first.passage.score >= _CLEAR_LEAD * max(others)


def _figure_only_of_other_times(
    in_period: Sequence[Report],
    reports: Sequence[Report],
    gives_asked: Callable[[str], bool] | None,
) -> bool:
    """Whether the figure asked for is given for other times only: "How much did the club
    lose in the year to June 2022?" is not answered by 2022's stalled building work when
    the losses are reported for 2018 and 2024."""
    if gives_asked is None or any(gives_asked(r.text) for r in in_period):
        return False
    return any(gives_asked(r.text) for r in reports if r not in in_period)


def _gives_asked(resolved: ResolvedQuestion) -> Callable[[str], bool] | None:
    """Whether a sentence gives the figure the question asks for ("how much", "how many
    nurses"): its measure's units, or a figure next to what it counts; None for questions
    asking for no figure."""
    measure = asked_measure(resolved.question)
    if measure is not None:
        return lambda text: gives_measure(text, measure)
    holder = asked_post(resolved.question)
    if holder is not None:
        return lambda text: gives_post(text, holder)  # "agriculture minister Tobias Renwick"
    if _kind(resolved) is AnswerType.NUMBER:
        return lambda text: gives_figure(text, resolved.question, named=True)
    return None


def _period_evidence(passages: Sequence[Passage], time: QuestionTime) -> float:
    """The evidence of the passages of the question's period: the articles must cover the
    question *then*, not only at other times."""
    return evidence_score(_in_period(passages, time))


def _asked(resolved: ResolvedQuestion) -> str:
    asked = resolved.focus
    if resolved.is_follow_up and expected_type(asked) is AnswerType.OTHER:
        asked = f"{resolved.topic} {asked}"  # "and in the 1990s?" asks what the topic asked
    return asked


def _choose(
    resolved: ResolvedQuestion,
    passages: Sequence[Passage],
    min_relevance: float,
    *,
    repeat: bool = False,
) -> list[Report]:
    """The best sentence of each of the first passages that are evidence on their own.

    The best passage always gives a sentence; each further one (in rank order) does when its
    own evidence comes within ``_SUPPORT_MARGIN`` of the threshold and its best sentence
    shares a word with the question and is not yet quoted.
    """
    candidates = passages[:_CANDIDATE_PASSAGES]
    weights = distinctive(term_weights(resolved), candidates)
    dated_weights = distinctive(term_weights(resolved, dated=True), candidates)
    kind = _kind(resolved)
    # "Who succeeded him?": he is known, not an answer.
    known = f"{resolved.question} {resolved.topic} {resolved.person}"
    # "where did he host them?" asks for nothing but a place: that is what its answer adds.
    type_bonus = _FOLLOW_UP_TYPE_BONUS if resolved.is_follow_up else _ANSWER_TYPE_BONUS
    chosen: list[Report] = []
    quoted: set[str] = set()
    # A follow-up asks for what the answer before it did not say: its sentences are known,
    # unless one holds the kind of answer now asked for ("How much did it lend?" after a
    # line naming the bank and the loan).
    given = _normal(resolved.recalled) if resolved.is_follow_up and not repeat else ""
    # "What was it raised to later on?": a figure of a later time, not one just told; "Who
    # resigned afterwards?" may be answered by a line that gave a figure.
    figure_asked = resolved.moves_on and kind in (AnswerType.NUMBER, AnswerType.OTHER)
    own_kind = expected_type(_LEADING_PREPOSITION.sub("", resolved.focus))
    # When it happened ("when did", "in 2021"): a plan's date is not the answer.
    about_when = own_kind is AnswerType.TIME or not resolved.time.is_empty
    happened = (about_when and _asks_what_happened(resolved.focus)) or bool(
        _ACTUALLY.search(resolved.focus)
    )
    said_before: list[Report] = []
    # An untyped follow-up has no kind of answer to look for: its own words say what it asks.
    asked_itself = _asked_itself(resolved) if own_kind is AnswerType.OTHER else set()
    sum_asked = _sum_asked(resolved.focus)
    reason_asked = bool(_WHY.match(resolved.focus))
    # "Who leads the union now?": who holds a post today; "Who took over from him?": who
    # took it after him.
    holder_asked = kind is AnswerType.PERSON and (
        resolved.time.recency or asks_for_successor(resolved.question)
    )
    # "How many homes can the farm power?": a figure of homes, not of turbines. Past and
    # planned counts are left to the checks of what the articles give (``coverage.py``):
    # preferring figures of beds found "the 560-bed hospital" for "How many beds did the
    # infirmary have?", which the articles never say.
    current_count = bool(_HOW_MANY.match(resolved.question)) and _asks_current_figure(resolved)
    for rank, passage in enumerate(passages[:_CANDIDATE_PASSAGES]):
        if rank and evidence_score([passage]) < min_relevance - _support_margin(passage, resolved):
            continue
        of_passage = dated_weights if passage.published_at else weights
        sentences = _sentences(
            passage,
            of_passage,
            kind,
            known,
            type_bonus,
            counted=resolved.question if current_count else "",
            sum_asked=sum_asked,
            holder_asked=holder_asked,
            reason_asked=reason_asked,
        )
        if asked_itself:
            sentences = [_with_own_word_bonus(s, asked_itself) for s in sentences]
        if given:
            said = [
                s
                for s in sentences
                if (_normal(s.text) in given and not fresh_answers(own_kind, s.text, known))
                or (figure_asked and _figures_given(s.text, known, resolved.recalled))
            ]
            said_before.extend(said)
            sentences = [s for s in sentences if s not in said]
        if happened and not repeat:
            sentences = [s for s in sentences if not _announces(s.text, resolved.focus)]
        best = max(_of_the_period(sentences, resolved.time), key=lambda s: s.score, default=None)
        if best is None or (chosen and best.overlap == 0):
            continue
        best = _with_continuation(best, passage, own_kind, known, reason_asked=reason_asked)
        best = _with_antecedent(best, passage, own_kind, known)
        key = _normal(best.text)
        if key not in quoted:  # passages of different articles can repeat a sentence
            chosen.append(best)
            quoted.add(key)
    if not repeat and (
        (not chosen and (given or happened))
        or (
            own_kind is AnswerType.OTHER
            and _own_words_held(said_before, resolved) > _own_words_held(chosen, resolved)
        )
    ):
        # Every sentence was said already, or only announced: quote them rather than nothing.
        # A sentence said already answers an untyped follow-up when it holds more of its own
        # words than any new one: "What was that vote about?" after the line telling how the
        # vote went.
        return _choose(resolved, passages, min_relevance, repeat=True)
    return chosen


def _figures_given(sentence: str, known: str, recalled: str) -> bool:
    """Whether every figure ``sentence`` gives was in the answer before (``recalled``): told
    again in other words ("Last year members voted to accept a £6.5 million fund"), it is not
    the new figure a follow-up asks for ("What was it raised to later on?")."""
    figures = fresh_answers(AnswerType.NUMBER, sentence, known)
    return bool(figures) and not fresh_answers(AnswerType.NUMBER, sentence, f"{known} {recalled}")


def _tells_own_words(resolved: ResolvedQuestion) -> Callable[[str], bool]:
    """Whether a sentence holds a word the follow-up asks with itself ("promise", "build" in
    "And what did they promise to build?"): the fact it is asked of tells that, not only
    what the topic asked."""
    own = _asked_itself(resolved)

    def tells(sentence: str) -> bool:
        present = set(content_terms(sentence))
        return any(holds_asked(present, t) for t in own)

    return tells


def _asked_itself(resolved: ResolvedQuestion) -> set[str]:
    """The words a follow-up asks with itself, but the name its pronoun stands for: "job"
    and "politics" in "What was her job before politics?"."""
    if not resolved.is_follow_up:
        return set()
    return set(content_terms(resolved.own_words)) - set(content_terms(resolved.person))


def _with_own_word_bonus(report: Report, asked_itself: set[str]) -> Report:
    """``report`` scored higher when it holds a word the follow-up asks with itself: the
    sentences holding only the words it leans on tell what the answer before told."""
    present = set(content_terms(report.text))
    if not any(holds_asked(present, t) for t in asked_itself):
        return report
    return replace(report, score=report.score + _OWN_WORD_BONUS)


def _own_words_held(sentences: list[Report], resolved: ResolvedQuestion) -> int:
    """The most words the follow-up asks with itself that one of ``sentences`` of the period
    asked about holds (none when it asks with none: "and in 2021?")."""
    own = set(content_terms(resolved.own_words))
    time = resolved.time
    return max(
        (
            sum(holds_asked(set(content_terms(r.text)), t) for t in own)
            for r in sentences
            if not time.names_period or r.event is None or r.event.overlaps(time.first, time.last)
        ),
        default=0,
    )


# A sentence that goes on about the one before it: "One of them, Jory Tamm, ...", "Its chief
# executive, Conrad Meyle, ...".
_CONTINUES = re.compile(
    r"^\W*(?:one of them|both|he|she|they|it|its|his|her|their|the other)\b", re.IGNORECASE
)


def _goes_on(following: str, kind: AnswerType) -> bool:
    """Whether ``following`` goes on about what the sentence before it told: a pronoun
    opens it, or, for a "who" question, the name of the one a lede gave only by role
    ("The club's chairman has quit. Ana Roe, who ran it for ten years, ...") or the one who
    acted in it ("The court dismissed the challenge. Judge Ana Roe ruled that ...")."""
    if _CONTINUES.match(following):
        return True
    return kind is AnswerType.PERSON and (
        bool(_NAMED_SUBJECT.match(following)) or _opens_with_person(following)
    )


# A sentence opening with a person's name and what it adds about them ("Ana Roe, 66, ...").
_NAMED_SUBJECT = re.compile(r"^\W*[A-Z][a-z]+(?:\s[A-Z][a-z'’-]+){1,2},\s")
# What may stand before the name of a sentence's subject: a title or role ("Judge", "Park
# director", "Presiding judge").
_ROLE_BEFORE_NAME = re.compile(r"^\W*(?:[A-Z][a-z]+(?:\s[a-z]+)?\s)?$")


def _opens_with_person(sentence: str) -> bool:
    """Whether a person, named (after a title or role at most), is the sentence's subject."""
    names = person_names(sentence)
    if not names:
        return False
    start = sentence.find(names[0])
    return start >= 0 and bool(_ROLE_BEFORE_NAME.match(sentence[:start]))


def _offers_new(kind: AnswerType, sentence: str, known: str) -> bool:
    if kind is AnswerType.PERSON:
        return _names_someone_new(sentence, known)
    return bool(fresh_answers(kind, sentence, known))


def _with_continuation(
    report: Report,
    passage: Passage,
    kind: AnswerType,
    known: str,
    *,
    reason_asked: bool = False,
) -> Report:
    """``report`` and the sentence after it, when it lacks the kind of answer asked for and
    that sentence goes on about it and has one: "Police arrested two men on Tuesday. One of
    them, Jory Tamm, ..." answers "Who was arrested?"; "Ana Roe was in tears. 'It is a sad
    day,' she said." answers "What did Ana Roe say?"; "The cost rose to £465 million.
    Kestrel blamed higher steel prices." answers "Why did the cost go up?"."""
    asks_said = bool(_ASKS_SAID.search(known)) and not _QUOTE.search(report.text)
    # News tells what happened, then its cause in the next sentence.
    asks_cause = reason_asked and not gives_reason(report.text)
    # "... have a new manager — and it's a face fans will remember": whoever else it names;
    # "... wants to do it again — somewhere else": wherever else it names.
    withheld = _withholds(kind, report.text)
    if not (asks_said or withheld or asks_cause) and (
        kind is AnswerType.OTHER or _offers_new(kind, report.text, known)
    ):
        return report
    _, (start, end), after = _around(passage, report.text)
    if after is None:
        return report
    following = passage.text[end : after[1]].strip()
    joined = passage.text[start : after[1]].strip()
    if asks_said and _QUOTED_BY_PRONOUN.search(following):
        return replace(report, text=joined)
    if asks_cause and gives_reason(following):
        # The line now gives a cause: it earns what a sentence giving one earns.
        return replace(report, text=joined, score=report.score + _ANSWER_TYPE_BONUS)
    if (
        kind is not AnswerType.OTHER
        and _goes_on(following, kind)
        and _offers_new(kind, following, known)
    ):
        return replace(report, text=joined)
    return report


def _around(
    passage: Passage, sentence: str
) -> tuple[tuple[int, int] | None, tuple[int, int], tuple[int, int] | None]:
    """Where ``sentence`` lies in ``passage`` and the sentences either side of it (None at
    the passage's edges, and for a sentence it does not hold)."""
    spans = sentence_spans(passage.text)
    for i, (start, end) in enumerate(spans):
        if passage.text[start:end] == sentence:
            before = spans[i - 1] if i else None
            return before, (start, end), spans[i + 1] if i + 1 < len(spans) else None
    return None, (0, 0), None


# A sentence opening with what it refers back to: "The storm, which struck ...".
_DEFINITE_OPENING = re.compile(r"^\W*the\s+([a-z][\w'’-]*)", re.IGNORECASE)


def _with_antecedent(report: Report, passage: Passage, kind: AnswerType, known: str) -> Report:
    """The sentence before ``report`` and ``report``, when a "what was the name of the
    storm" or "who" question finds the thing it names referred back to ("The storm, which
    struck on 27 January, exposed a cable") and the sentence before names it ("after Storm
    Orla tore through the wind farm"): news names a thing once, then calls it "the storm"."""
    if kind not in (AnswerType.NAME, AnswerType.PERSON) or _offers_new(kind, report.text, known):
        return report
    opening = _DEFINITE_OPENING.match(report.text)
    if opening is None:
        return report
    noun = set(content_terms(opening.group(1)))
    if not noun or noun.isdisjoint(content_terms(known)):
        return report
    before, (start, end), _ = _around(passage, report.text)
    if before is None:
        return report
    previous = passage.text[before[0] : start].strip()
    if noun <= set(content_terms(previous)) and _offers_new(kind, previous, known):
        return replace(report, text=passage.text[before[0] : end].strip())
    return report


# A lede announcing a newcomer by role only ("a new manager", "its new chief executive"),
# or one who is not yet named ("someone else").
_NEWCOMER = re.compile(
    rf"\b(?:(?:a|its|their|his|her|the)\s+new\s+(?:{'|'.join(sorted(PERSON_NOUNS))})\b(?!\s+[A-Z])"
    r"|some(?:one|body)\s+(?:else|new))\b"
)
# A lede announcing a move to a place it does not name: "somewhere else", "elsewhere".
_ELSEWHERE = re.compile(r"\b(?:some(?:where|place)\s+(?:else|new)|elsewhere)\b", re.IGNORECASE)


def _withholds(kind: AnswerType, sentence: str) -> bool:
    """Whether ``sentence`` announces an answer of the ``kind`` asked for without giving it:
    news keeps it for the next sentence."""
    if kind is AnswerType.PERSON:
        return bool(_NEWCOMER.search(sentence))
    if kind is AnswerType.PLACE:
        return bool(_ELSEWHERE.search(sentence))
    return False


# "What did she say ...?" (the question opens what is known of it); a line quoting someone, and
# a quotation the next sentence gives to "he" or "she": whom the line before named.
_ASKS_SAID = re.compile(r"^\W*what\s+did\s+[^?]*?\b(?:say|tell)\b", re.IGNORECASE)
_QUOTE = re.compile(r"[\"“”]")
_QUOTED_BY_PRONOUN = re.compile(
    r"[\"“][^\"“”]{10,}[,.!?][\"”]\s+(?:he|she)\s+(?:said|says|added|told)\b", re.IGNORECASE
)


def _support_margin(passage: Passage, resolved: ResolvedQuestion) -> float:
    """How far below the threshold a passage after the first may be and still give a
    sentence: further for one whose sentence is of the period the question asks about."""
    time = resolved.time
    if not time.names_period:
        return _SUPPORT_MARGIN
    event = stored_event(passage.event_date, passage.event_ranges)
    of_period = event is not None and event.overlaps(time.first, time.last)
    return _PERIOD_SUPPORT_MARGIN if of_period else _SUPPORT_MARGIN


# "Under which street ...?" asks what "which street ...?" asks.
_LEADING_PREPOSITION = re.compile(
    r"^\W*(?:in|on|at|under|from|to|for|with|by|after|before|during|since)\s+(?=wh|how)",
    re.IGNORECASE,
)


# "Where were the talks held?", "When did construction start?": what happened, asked in the
# past tense, and not about a plan ("When was the tram due to open?").
_PAST_QUESTION = re.compile(
    r"^\W*(?:(?:in|on|at|under|from|for|with|by)\s+)?(?:when|where|who|whom|what|which|how)"
    r"(?:\s+\w+)?\s+(?:did|was|were|had)\b",
    re.IGNORECASE,
)
_PLAN_WORDS = re.compile(
    r"\b(?:expect\w*|plan\w*|due|schedul\w*|intend\w*|would|will|hop\w*|aim\w*|promis\w*"
    r"|forecast\w*|predict\w*|propos\w*|meant|supposed|set\s+to|going\s+to)\b",
    re.IGNORECASE,
)


# "How many actually worked there?": what came true, set against what was promised.
_ACTUALLY = re.compile(r"\b(?:actually|in\s+fact|in\s+the\s+event)\b", re.IGNORECASE)


def _asks_what_happened(question: str) -> bool:
    return bool(_PAST_QUESTION.match(question)) and not _PLAN_WORDS.search(question)


def _announces(sentence: str, question: str) -> bool:
    """Whether most of the words ``sentence`` shares with ``question`` lie in a clause that
    announces rather than reports ("are scheduled to hold talks", "work could start"): it
    says what was expected, not what happened."""
    anchors = anchor_positions(question, sentence)
    planned = sum(tense_at(sentence, a) in ANNOUNCING for a in anchors)
    return bool(anchors) and planned * 2 > len(anchors)


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def _of_the_period(sentences: list[Report], time: QuestionTime) -> list[Report]:
    """For a question about a period, the sentences of a passage that are about it (when one
    shares a word with the question): "in March 2023" is not answered by the passage's
    sentence about January."""
    if not time.names_period:
        return sentences
    then = [
        s
        for s in sentences
        if s.overlap > 0 and s.event is not None and s.event.overlaps(time.first, time.last)
    ]
    return then or sentences


def _sentences(
    passage: Passage,
    weights: dict[str, float],
    kind: AnswerType,
    asked: str,
    type_bonus: float,
    *,
    counted: str = "",
    sum_asked: bool = False,
    holder_asked: bool = False,
    reason_asked: bool = False,
) -> list[Report]:
    total = sum(weights.values())
    known = dict(passage.sentence_similarities)
    known[passage.sentence_start] = passage.similarity
    spans = sentence_spans(passage.text)
    events = passage_events(passage, spans)
    sentences = []
    before: tuple[int, int] | None = None
    for (start, end), event in zip(spans, events, strict=True):
        announced, before = before, (start, end)
        opening = start
        if reason_asked and announced and _announces_reason(passage.text[slice(*announced)]):
            opening = announced[0]  # "The reasoning is partly genetic. All of its wolves ..."
        text = passage.text[opening:end]
        present = set(content_terms(text))
        overlap = sum(w for t, w in weights.items() if holds(present, t)) / total if total else 0.0
        # A sentence the search scored has its own cosine; the others inherit the matched
        # sentence's, a little discounted, so that "where?" can still be answered next door.
        similarity = known.get(passage.start + start, passage.similarity - _NEIGHBOUR_DISCOUNT)
        score = 0.6 * overlap + 0.4 * similarity
        if kind is AnswerType.PERSON:
            # Every sentence of a news story names something capitalised; "who" is answered
            # by one naming a person the question does not.
            if _names_someone_new(text, asked) and not (holder_asked and _only_leaves(text)):
                score += type_bonus + _PERSON_BONUS
            if holder_asked and _SUCCESSION.search(text):
                score += _ANSWER_TYPE_BONUS
        elif fresh_answers(kind, text, asked):
            score += type_bonus
        if reason_asked and gives_reason(text):
            score += _ANSWER_TYPE_BONUS  # "why" is answered by a cause, not by the event
        if counted and gives_figure(text, counted, named=True):
            score += _ANSWER_TYPE_BONUS  # "610,000 homes" for "how many homes", not "72 turbines"
        if sum_asked and gives_measure(text, "money"):
            score += _ANSWER_TYPE_BONUS  # a sum, where any figure would do for "how many"
        if _LAST.search(asked) and _LAST.search(text):
            score += _ANSWER_TYPE_BONUS  # "the final cost" answers "what did it cost in the end"

        sentences.append(Report(text, passage, overlap, score, event))
    return sentences


# "Why ...?" asks for a cause; news gives one in these words ("because", "due to", "blamed
# ... on", "the reason"), or announces it in a short sentence of its own before telling it
# ("The reasoning is partly genetic.").
_WHY = re.compile(r"^\W*why\b", re.IGNORECASE)
_REASON = re.compile(
    r"\b(?:because|due\s+to|owing\s+to|thanks\s+to|as\s+a\s+result|so\s+that|in\s+order\s+to"
    r"|reasons?|reasoning|caused?\s+by|the\s+cause|blam\w*|explain\w*|to\s+avoid|to\s+prevent)\b",
    re.IGNORECASE,
)
# A sentence announcing a reason for the next one to tell is short.
_ANNOUNCEMENT_WORDS = 8


def gives_reason(sentence: str) -> bool:
    """Whether ``sentence`` gives (or opens with) a cause: what a "why" question asks for."""
    return bool(_REASON.search(sentence))


def _announces_reason(sentence: str) -> bool:
    return gives_reason(sentence) and len(sentence.split()) <= _ANNOUNCEMENT_WORDS


# Who holds a post now is named where someone takes it ("elected Tamsin Ruiz to succeed
# her"); one who leaves it ("retired this week") no longer does.
_SUCCESSION = re.compile(
    r"\b(?:succeed\w*|successor|elected|appointed|sworn\s+in|took\s+over|takes?\s+over"
    r"|became|becomes|(?:was|were|been|is|are|being)\s+(?:named|chosen))\b",
    re.IGNORECASE,
)
_DEPARTURE = re.compile(
    r"\b(?:retir\w*|resign\w*|quit\w*|step(?:s|ped)?\s+down|leav\w*|left|depart\w*"
    r"|ousted|sacked|fired)\b",
    re.IGNORECASE,
)


def _only_leaves(sentence: str) -> bool:
    return bool(_DEPARTURE.search(sentence)) and not _SUCCESSION.search(sentence)


def _names_someone_new(sentence: str, known: str) -> bool:
    known_words = {w.lower() for w in re.findall(r"[\w'’-]+", known)}
    return any(
        not {w.lower() for w in name.split()} <= known_words for name in person_names(sentence)
    )
