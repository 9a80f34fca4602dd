"""Memory of one conversation, so that follow-up questions can be understood.

A follow-up ("where did he host them?", "and in the 1990s?") names nothing a search can
find; it leans on the question it follows and on the answer given ("he" is whoever that
answer named). Each turn records the *topic* it was answered under: the question itself
when it stands alone, else the topic of the turn it follows. A follow-up is searched as
"topic + follow-up"; when the answer's sentences are picked its own words weigh most, the
topic's and the previous answer's words count too. One Conversation per Discord thread,
DM or terminal session; nothing is shared between them, and only the last few turns are
kept.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import deque
from dataclasses import dataclass, field, replace

from index.answer.when_clause import when_clause, without_when_clause
from index.text.answer_types import PERSON_NOUNS, AnswerType, expected_type, person_names
from index.text.dates import QuestionTime, parse_question_time
from index.text.dates.calendar_math import month_end
from index.text.events import Event
from index.text.terms import STOP_WORDS, words

# Pronouns that point back. "that" and "this" are left out: they are as often relative
# pronouns or determiners ("the summit that Putin hosted") in questions that stand alone.
# "afterwards", "meanwhile", "instead" point back to an event as surely as "then".
_REFERRING_WORDS = frozenset(
    "he she it they them him his her hers its their theirs there these those then "
    "former latter afterwards afterward thereafter meanwhile instead".split()
)
# "How close was that vote?", "Who spoke at those talks?": "that" as a determiner after a
# verb of being or a preposition points back; after a noun ("the summit that ...") it does not.
_POINTING_THAT = re.compile(
    r"\b(?:is|was|are|were|did|does|do|of|in|at|on|for|from|after|before|during|about|with|"
    r"by|since|over|against)\s+(?:that|those)\s+(?!(?:is|was|are|were|has|have|had)\b)[a-z]"
)
_CONTINUATIONS = ("and ", "but ", "also ", "what about", "how about", "so ", "or ")
# A question with fewer meaningful words than this cannot stand on its own.
_MIN_STANDALONE_TERMS = 2


@dataclass(frozen=True, slots=True)
class Turn:
    question: str
    topic: str  # the standalone question this turn was answered under
    answer: str  # the answer's text, citation markers removed ("" when not found)
    article_ids: tuple[str, ...]  # articles the answer cited
    time: QuestionTime = field(default_factory=QuestionTime)  # the period the topic is about
    person: str = ""  # whom the answer named, when the question asked "who"
    answered: QuestionTime | None = None  # when the event of the answer's lead line happened
    lead: str = ""  # the answer's lead line: what it told first


@dataclass(frozen=True, slots=True)
class ResolvedQuestion:
    """How a question is searched and how its answer's sentences are judged."""

    question: str
    search_text: str
    focus: str  # the words an answer sentence should contain first of all
    context: str  # words from earlier turns, weighing less
    is_follow_up: bool
    topic: str = ""  # the standalone question a follow-up leans on
    time: QuestionTime = field(default_factory=QuestionTime)  # the period it asks about
    recalled: str = ""  # the answer a follow-up follows (its words help resolve "he")
    person: str = ""  # whom its "he" or "she" stands for, when an earlier answer named them
    # A follow-up's words but those saying its period ("and two years later?" asks no word).
    own_words: str = ""
    # When the event the answer before led with happened: where the conversation has got to.
    follows: Event | None = None
    # It asks about a time after (or before) that event ("What was it raised to later on?"):
    # what the answer before told is not its answer.
    moves_on: bool = False


def looks_like_follow_up(question: str) -> bool:
    """True for questions that lean on an earlier turn (pronouns, "and ...?", few words)."""
    lowered = question.strip().lower()
    if lowered.startswith(_CONTINUATIONS):
        return True
    tokens = words(lowered)
    if any(t in _REFERRING_WORDS for t in tokens) or _POINTING_THAT.search(lowered):
        return True
    if _PART_OF_IT.match(lowered):
        return True  # "Who wrote the judgment?": the judgment of what was just told
    return len([t for t in tokens if t not in STOP_WORDS]) < _MIN_STANDALONE_TERMS


# Prepositions that open a place or a time ("in the 1990s", "at Blair House").
_PLACE_OR_TIME = r"in|at|on|during|near|around|after|before|since"
_SWAP = re.compile(
    rf"^(?:and|but|or|so|also|what about|how about)\s+((?:{_PLACE_OR_TIME})\s+[^?!.]+?)[\s?!.]*$",
    re.IGNORECASE,
)
_PHRASE = re.compile(rf"\b(?:{_PLACE_OR_TIME})\s+[^,;:?!.]+", re.IGNORECASE)


def swap_place_or_time(topic: str, follow_up: str) -> str | None:
    """``topic`` with its last place or time replaced by the one ``follow_up`` asks about.

    "and in the 1990s?" after "How many died in the 2020 war?" asks "How many died in the
    1990s?". Searching the two questions together would look for the 2020 war again, and
    its passage would answer. None when the follow-up is not of that form ("and in X?",
    "what about at X?") or the topic names no place or time.
    """
    asked = _SWAP.match(follow_up.strip())
    if asked is None:
        return None
    phrases = list(_PHRASE.finditer(topic))
    if not phrases:
        return None
    last = phrases[-1]
    # A phrase runs to the next punctuation; start it at its last preposition, so "in
    # Sochi in May" loses only "in May".
    inner = list(re.finditer(rf"\b(?:{_PLACE_OR_TIME})\b", last.group(), re.IGNORECASE))
    start = last.start() + inner[-1].start()
    return topic[:start] + asked.group(1) + topic[last.end() :]


class Conversation:
    """The recent turns of one conversation (thread-safe, bounded)."""

    def __init__(self, max_turns: int = 6) -> None:
        self._turns: deque[Turn] = deque(maxlen=max_turns)
        self._lock = threading.Lock()

    @property
    def turns(self) -> tuple[Turn, ...]:
        with self._lock:
            return tuple(self._turns)

    def resolve(self, question: str, today: dt.date | None = None) -> ResolvedQuestion:
        """Decide how to search ``question`` given the turns before it, asked on ``today``.

        A follow-up keeps the period of the question it leans on ("What did they decide?"
        after a question about 2019), unless it names its own ("and in 2021?") or moves
        from it ("and the year after?").

        Raises:
            QuestionError: The question names an impossible or future date.
        """
        own = question_time(question, today or dt.date.today())
        with self._lock:
            last = self._turns[-1] if self._turns else None
        if last is None or not looks_like_follow_up(question):
            return standalone(question, own)
        # "Nine years later" than the vote just told: from the answer's event when the topic
        # named no period of its own ("When did the council refuse it?").
        shifted = _moved(last.time, question) or _moved(_year_of_answer(last.answered), question)
        moved = (
            shifted
            or _succession(last.time, question, last.topic)
            or _after_answer(last.answered, question)
        )
        time = own if not own.is_empty else moved or _inherited(last.time, question)
        if (
            time.is_empty
            and last.answered is not None
            and (_of_the_event(question) or _AT_THAT_TIME.search(question))
        ):
            # "Who chaired it?", "What was her job at the time?": the event just answered.
            time = _year_of(last.answered)
        # "And in 2021?", "and two years later?": the topic's question asked of another
        # period, which the answer before, of its own period, does not answer.
        recalled = "" if (shifted or not own.is_empty) and time != last.time else last.answer
        topic_text = last.topic
        # "What was her job?" after "Who replaced him?": she is whom that answer named.
        person = last.person if _PERSONAL.search(question) else ""
        if time != last.time:
            # Another period: the topic's own words for its period would pull the old one back.
            topic_text = without_time(
                last.topic, parse_question_time(last.topic, today or dt.date.today())
            )
        if when_clause(question):
            # "... the day the club folded?": another moment than the topic's own clause's.
            topic_text = without_when_clause(topic_text)
        own_words = _without_move(without_time(question, own))
        if person:
            # "What did he say?" asks what *he* said: his name is one of its own words.
            own_words = _PERSONAL.sub(person, own_words)
        swapped = swap_place_or_time(last.topic, question)
        if swapped is not None:
            # The conversation moves on to the new place or time: it is the topic from now.
            return ResolvedQuestion(
                question=question,
                search_text=swapped,
                focus=question,
                context=" ".join(filter(None, (last.topic, recalled))),
                recalled=recalled,
                is_follow_up=True,
                topic=swapped,
                time=time,
                person=person,
                own_words=own_words,
                follows=_event_of(last.answered),
            )
        # "Who is in charge of that project?": the project the turn just before asked about.
        pointed = last.question if _points_back(question) and last.question != last.topic else ""
        if _BARE_WHY.match(question) and last.lead:
            # "Why?" asks the cause of what was just told, which may be past the topic by now
            # ("What was it raised to later on?" "Why?": why it was raised).
            topic_text = last.lead
        return ResolvedQuestion(
            question=question,
            search_text=" ".join(filter(None, (topic_text, pointed, person, question))),
            focus=question,
            context=" ".join(filter(None, (topic_text, person, recalled))),
            recalled=recalled,
            is_follow_up=True,
            topic=last.topic,
            time=time,
            person=person,
            own_words=own_words,
            follows=_event_of(last.answered),
            moves_on=_after_answer(last.answered, question) is not None,
        )

    def record(
        self,
        resolved: ResolvedQuestion,
        answer: str,
        article_ids: tuple[str, ...],
        short_answer: str | None = None,
        answered: QuestionTime | None = None,
        lead: str = "",
    ) -> None:
        """Remember a turn: its question, the answer's text and the articles it cited;
        ``short_answer`` is remembered as the person it named when the question was "who"
        (else the one person new to the question that the answer's ``lead`` line names;
        else the person the question's pronoun stood for is kept);
        ``answered`` is when the event of the answer's lead line happened."""
        # A follow-up keeps the topic it leaned on, so chains of follow-ups do not grow.
        topic = resolved.topic if resolved.is_follow_up else resolved.question
        # "What did he do?" and then "What did he say?": "he" stays whom it stood for; after
        # "Who replaced him?" it is whom the answer named, if any, never him.
        asks = _asks_for_person(resolved.question)
        named = _named(short_answer or "")
        if not named:
            # Whom the question names is not whom it asks for ("Who replaced Ana Roe?").
            named = _new_person(lead, " ".join((resolved.person, *person_names(resolved.question))))
        if asks and resolved.person and _ASKS_OF_SUBJECT.match(resolved.question):
            # "Who did she replace?": the answer is whom *she* replaced; "she" is still her.
            named = resolved.person
        person = named if asks else resolved.person or _named(resolved.question)
        with self._lock:
            self._turns.append(
                Turn(
                    resolved.question,
                    topic,
                    answer,
                    article_ids,
                    resolved.time,
                    person,
                    answered,
                    lead,
                )
            )


# "that project", "this deal": a noun the speaker points back at with a demonstrative.
_DEMONSTRATIVE_NOUN = re.compile(
    r"\b(?:that|this|those|these)\s+(?!(?:is|was|are|were|has|have|had|time|year|day)\b)[a-z]+"
    r"\s*\?*\s*$"
)


# "Why?", "And why was that?": the cause of what the answer before told, asking nothing else.
_BARE_WHY = re.compile(
    r"^\W*(?:and\s+|but\s+|so\s+)?why(?:\s+(?:was|is|did)\s+(?:that|it|this))?\s*\?*\s*$",
    re.IGNORECASE,
)


def _points_back(question: str) -> bool:
    """Whether ``question`` ends on a noun it points back at ("Who runs that project?"):
    the last thing named, which a follow-up before it may have brought in."""
    return bool(_DEMONSTRATIVE_NOUN.search(question.lower()))


def _event_of(answered: QuestionTime | None) -> Event | None:
    if answered is None or answered.first is None or answered.last is None:
        return None
    return Event(answered.first, answered.last, "day")


def _inherited(time: QuestionTime, question: str) -> QuestionTime:
    """The period a follow-up keeps from the turn before: none when a clause of its own says
    when ("... when the new hospital opened?") or it is told by another event ("after the
    rescue", "before the merger"), for that event may be of another time."""
    return QuestionTime() if when_clause(question) or _BY_EVENT.search(question) else time


# "Who chaired it?", "Who approved it?": who did something to the event just answered.
_DONE_TO_IT = re.compile(r"^\W*(?:who|which)\b[^?]*\b\w+ed\s+it\s*\?", re.IGNORECASE)


# "Who was the judge?", "Who scored the equaliser?": someone who took part in the event just
# told, named by "the" and a noun, and nothing else. (A figure, "How much was the fine?",
# may be settled long after the event.)
_PART_OF_IT = re.compile(r"^\W*who\s+(?:\w+\s+)?the\s+\w+\s*\?*\s*$", re.IGNORECASE)


def _of_the_event(question: str) -> bool:
    """Whether ``question`` asks about the event the answer before told: who did something
    to "it" ("Who chaired it?"), or who took part in it ("Who was the judge?" after the
    court case, "Who wrote the judgment?" after the ruling), told when that event was."""
    return bool(_DONE_TO_IT.search(question) or _PART_OF_IT.match(question))


# "What did she do at the time?", "How old was he then?": when the event just told happened.
# ("since then", "before then" move from it; "and then?" asks what came next.)
_AT_THAT_TIME = re.compile(
    r"\b(?:at|by)\s+(?:the|that)\s+time\b|\bback\s+then\b"
    r"|(?<!since\s)(?<!before\s)(?<!and\s)(?<!until\s)\bthen\s*\?*\s*$",
    re.IGNORECASE,
)


def _year_of_answer(answered: QuestionTime | None) -> QuestionTime:
    return QuestionTime() if answered is None else _year_of(answered)


def _year_of(answered: QuestionTime) -> QuestionTime:
    """The year of the event an answer led with (what was said of it may come days later)."""
    if answered.first is None:
        return QuestionTime()
    year = answered.first.year
    return QuestionTime(first=dt.date(year, 1, 1), last=dt.date(year, 12, 31))


# "after the rescue", "before the merger": a time told by an event, not by a date.
_BY_EVENT = re.compile(r"\b(?:after|before|since|until)\s+(?:the|its|their|his|her)\s+[a-z]")


def _asks_for_person(question: str) -> bool:
    """ "Who ...?", or "which minister ...?": "he" is then whom the answer named."""
    return words(question)[:1] == ["who"] or expected_type(question) is AnswerType.PERSON


def _named(text: str) -> str:
    """The one person ``text`` names: a question ("What was Ana Roe's job?": a later "she"
    stands for her when the answer was asked of her), or a "who" answer's short answer
    (not "the Lamplighters", "Harbour Residents' Association": "he" is no team or body)."""
    names = {re.sub(r"['’]s$", "", name) for name in person_names(text)}
    return names.pop() if len(names) == 1 else ""


def _new_person(line: str, known: str) -> str:
    """The person whose name opens ``line`` (after a title), when ``known`` does not name
    them: "Who chaired the farmers' association?" answered by "Tobias Renwick, chairman of
    the Skelmarch Hill Farmers' Association, said ..." names him, whatever phrase the short
    answer picked. Else the one person the line introduces by their role: news puts the role
    just before the name ("Kestrel's chief executive Tomasz Brecht, ...", "among them farmer
    Walter Trebilcock"). A name further on ("Hanne Voss's triptych was stolen") is not whom
    a "who" answer tells of, nor is one of two."""
    known_words = set(words(known))
    names = {name for name in person_names(line) if not set(words(name)) <= known_words}
    if len(names) == 1:
        name = next(iter(names))
        if _opens(name, line):
            return name
    # "Barely a day after X left, the club has a new manager. Shaun Maddox, 44, was unveiled":
    # the one a sentence of the line is about, its subject.
    opening = [name for name in names if any(_opens(name, s) for s in _SENTENCE_END.split(line))]
    if len(opening) == 1:
        return opening[0]
    titled = [name for name in names if re.search(_titled(name), line, re.IGNORECASE)]
    return titled[0] if len(titled) == 1 else ""


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


def _opens(name: str, sentence: str) -> bool:
    """Whether ``name`` (after a title: "Dr", "Farmer") is the first thing ``sentence`` says,
    alone ("Ana Roe and Ed Lim spoke" is of both)."""
    return bool(
        re.match(rf"^\W*(?:[A-Z][a-z]+\s+)?{re.escape(name)}\b(?!['’])(?!\s+and\s+[A-Z])", sentence)
    )


def _titled(name: str) -> str:
    """ "chief executive Tomasz Brecht", "its new chair, Morag Ellery": the name just after a
    word for a role, or set beside it after a comma."""
    return rf"\b(?:{'|'.join(sorted(PERSON_NOUNS))}),?\s+{re.escape(name)}\b(?!['’])"


# "Who did she replace?", "Whom had he met?": the pronoun is the subject, the answer its object.
_ASKS_OF_SUBJECT = re.compile(
    r"^\W*(?:who|whom)\s+(?:did|does|do|has|had|will|would|could)\s+(?:he|she)\b", re.IGNORECASE
)
_PERSONAL = re.compile(r"\b(?:he|him|his|she|her|hers)\b", re.IGNORECASE)
# "Who replaced him?" asks about after his time; "Who did she replace?", before hers.
_SUCCESSOR = re.compile(
    r"\bwho\s+(?:replaced|succeeded|followed|took over from)\s+(?:him|her)\b|\bsuccessor\b",
    re.IGNORECASE,
)
_PREDECESSOR = re.compile(
    r"\bwho\s+did\s+(?:he|she)\s+(?:replace|succeed|follow|take over from)\b|\bpredecessor\b",
    re.IGNORECASE,
)


def asks_for_successor(question: str) -> bool:
    """ "Who replaced him?", "Who took over from her?": who took the post after someone."""
    return bool(_SUCCESSOR.search(question))


# "Who took over the association in 2017?", "Who was appointed manager?": a change of holder.
_TAKES_POST = re.compile(
    r"\b(?:took|take|takes|taken)\s+over\b|\b(?:replaced|succeeded|appointed|elected|became|"
    r"named|chosen|installed)\b",
    re.IGNORECASE,
)


def _succession(time: QuestionTime, question: str, topic: str = "") -> QuestionTime | None:
    """The period after (or before) ``time`` that a question about a successor (or a
    predecessor) asks about.

    "Who chaired it until January 2021?" names when the holder's time ended: the successor
    took over in that month, and is told of then ("Last month Renwick stepped down. His
    successor is ..."). "Who chaired it in 2021?" names only a time the post was held: the
    successor came after it. Likewise "since March 2019" for a predecessor.
    """
    if _SUCCESSOR.search(question) and time.last is not None:
        if time.first is None:
            return QuestionTime(first=time.last.replace(day=1))
        return QuestionTime(first=time.last + dt.timedelta(days=1))
    if _PREDECESSOR.search(question) and time.first is not None:
        if _TAKES_POST.search(topic):
            # Whom she replaced when she took over in 2017 is told with her taking over.
            return time
        if time.last is None:
            return QuestionTime(last=month_end(time.first.year, time.first.month))
        return QuestionTime(last=time.first - dt.timedelta(days=1))
    return None


# "Who was arrested afterwards?" after "When was it stolen?": after the answer's event.
_AFTER = re.compile(r"\b(?:afterwards?|thereafter|after\s+that|since\s+then)\b", re.I)
# "What was it raised to later?": another, later time than the event just told.
_LATER = re.compile(r"\blater\s+on\b|\blater\s*\?*\s*$", re.I)
_BEFORE = re.compile(r"\b(?:beforehand|before\s+that|before\s+then|previously)\b", re.I)


def _after_answer(answered: QuestionTime | None, question: str) -> QuestionTime | None:
    """The period after (or before) the event the previous answer led with, that a follow-up
    asking what happened "afterwards" (or "before that") asks about."""
    if answered is None or answered.first is None or answered.last is None:
        return None
    if _LATER.search(question):
        return QuestionTime(first=answered.last + dt.timedelta(days=1))
    # From its day on: what followed a vote may be told of the same day ("and Pellerin quit").
    if _AFTER.search(question):
        return QuestionTime(first=answered.first)
    if _BEFORE.search(question):
        return QuestionTime(last=answered.last)
    return None


# "Who is the president today?" asks who is president now, not what happened today.
_PRESENT = re.compile(r"\b(?:is|are|does|do|has|have)\b", re.IGNORECASE)


def question_time(question: str, today: dt.date) -> QuestionTime:
    """The period ``question`` asks about, on ``today``; "today" in the present tense is
    "currently".

    Raises:
        QuestionError: The question names an impossible or future date.
    """
    time = parse_question_time(question, today)
    ignored = [(a, b) for a, b in time.spans if _not_a_time(question, a, b)]
    if ignored:
        # Read again without them: the other phrases may still say a time.
        masked = question
        for a, b in ignored:
            masked = masked[:a] + " " * (b - a) + masked[b:]
        time = parse_question_time(masked, today)
    if time.first == time.last == today and _PRESENT.search(question):
        return QuestionTime(recency=True, spans=time.spans)
    return time


# "starred in Stormy Monday", "between Last Man Standing and ...": a weekday or "last" in a
# run of capitalised words, past the question's opening, is part of a title, not a time.
_TITLE_WORD = re.compile(r"[A-Z][\w'’-]*")


def _not_a_time(question: str, start: int, end: int) -> bool:
    """Whether the phrase at ``question[start:end]`` only looks like a time: part of a
    title ("Stormy Monday"), "last" as a verb or adverb ("meant to last", "when did trams
    last run"), or where something is moved to ("pushed back to 2024")."""
    phrase = question[start:end].lower()
    before = question[:start].split()[-1:]
    if phrase == "last" and (not before or before[0].lower() not in _DETERMINERS):
        return True
    # "grown to by 2019": a phrase with a preposition of its own is not the "to"'s object.
    own_preposition = re.match(r"(?:by|in|on|at|until|till|before|after|during|since)\b", phrase)
    moved_to = phrase.startswith("to ") or (
        re.search(r"\bto\s+$", question[:start], re.I) and not own_preposition
    )
    if moved_to and _ACCOUNTS_TO.search(question[:start]):
        return False  # "the year to June 2022": accounts ending then, dated as they end
    if moved_to and not re.search(r"\b(?:from|between)\b", question[:start], re.I):
        return True
    return _in_a_title(question, start, end)


_DETERMINERS = frozenset("the its their his her this that".split())
# "the year to June 2022", "the six months to March": a period of accounts, not a move.
# (The phrase found may hold the "to" itself: "to June 2022".)
_ACCOUNTS_TO = re.compile(r"\b(?:year|months|quarter|weeks)\s+(?:to\s+)?$", re.IGNORECASE)


def _in_a_title(question: str, start: int, end: int) -> bool:
    phrase = question[start:end]
    if start == 0 or not phrase[:1].isupper():
        return False
    before = question[:start].split()
    after = question[end:].split()
    neighbours = [w for w in (before[-1:] + after[:1]) if w[:1].isalpha()]
    return phrase.split()[0].lower() in ("last", "next", "latest") or any(
        _TITLE_WORD.fullmatch(w.strip("?,.!")) for w in neighbours
    )


def without_time(text: str, time: QuestionTime) -> str:
    """``text`` without the phrases that say its period ("in 2016", "last week")."""
    for start, end in sorted(time.spans, reverse=True):
        text = text[:start] + text[end:]
    return re.sub(r"\s+([?!.,;:])", r"\1", " ".join(text.split()))


def standalone(question: str, time: QuestionTime | None = None) -> ResolvedQuestion:
    """How a question that leans on nothing is searched: as asked."""
    return ResolvedQuestion(
        question,
        question,
        question,
        "",
        is_follow_up=False,
        time=time or QuestionTime(),
        own_words=question,
    )


_NUMBERS = {
    **{"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7},
    **{"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20},
}
# "the year after", "a year later", "three years earlier", "two years before that".
_MOVE = re.compile(
    r"\b(?:the\s+(?P<unit>year)\s+(?P<way>after|before)"
    rf"|(?P<count>{'|'.join(_NUMBERS)}|\d+)\s+years?\s+"
    r"(?P<way2>later|after|earlier|before))\b",
    re.IGNORECASE,
)


def _without_move(question: str) -> str:
    """``question`` without the phrase that moves its period ("the year after",
    "afterwards")."""
    for moving in (_MOVE, _AFTER, _LATER, _BEFORE):
        question = moving.sub(" ", question)
    return re.sub(r"\s+([?!.,;:])", r"\1", " ".join(question.split()))


def _moved(time: QuestionTime, question: str) -> QuestionTime | None:
    """``time`` moved by the years ``question`` asks for ("and the year after?"), or None."""
    match = _MOVE.search(question)
    if match is None or time.first is None or time.last is None:
        return None
    count = 1 if match["unit"] else int(_NUMBERS.get(match["count"].lower(), 0) or match["count"])
    way = (match["way"] or match["way2"]).lower()
    years = count if way in ("after", "later") else -count
    # "Two years later" than March 2023 is 2025, not March 2025: the whole year.
    return replace(
        time,
        first=dt.date(time.first.year + years, 1, 1),
        last=dt.date(time.last.year + years, 12, 31),
        spans=(),
    )
