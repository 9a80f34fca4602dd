"""What kind of answer a question expects, and whether a sentence offers one.

A "where" question is answered by a sentence naming a place, a "when" question by one
holding a date, "how many" by a number. The check is a cheap pattern match, used as a
small bonus when sentences are ranked; it never decides alone.
"""

from __future__ import annotations

import re
from enum import Enum

from index.text.terms import STOP_WORDS, words


class AnswerType(Enum):
    PERSON = "person"
    NAME = "name"  # of a thing: a team, a company, a treaty
    PLACE = "place"
    TIME = "time"
    NUMBER = "number"
    OTHER = "other"


_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_TIME = re.compile(
    rf"\b(1[0-9]{{3}}s?|20[0-9]{{2}}s?|{_MONTHS}|{_DAYS}|yesterday|today|tomorrow|"
    r"(last|next|this) (week|month|year)|century|decade|ago)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"dozens?|hundreds?|thousands?|millions?|billions?)\b",
    re.IGNORECASE,
)
# A preposition of place followed by a capitalised name: "at Blair House", "in Washington".
_PLACE = re.compile(r"\b(at|in|near|from|to|outside|inside) (the )?[A-Z][\w-]+")
_NAME = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b")


# Nouns for people: "which minister ...?" asks for a person as "who ...?" does.
PERSON_NOUNS = frozenset(
    "minister mayor president premier chancellor governor senator councillor councilor "
    "official officer spokesman spokeswoman spokesperson leader chairman chairwoman chair "
    "director executive manager head judge general commander envoy ambassador diplomat "
    "politician candidate player coach captain author writer singer actor member person "
    "man woman king queen prince princess secretary negotiator mediator "
    # Callings and roles: "which farmer refused to leave?" asks for a person too.
    "farmer teacher doctor nurse lawyer campaigner activist resident villager founder "
    "landlord journalist reporter witness pilot driver".split()
)
_AUXILIARIES = frozenset(
    "is was are were did does do has have had can could would will should may might "
    "kind type sort".split()
)


# Things a number measures: "what is the top speed", "what was the turnout".
_MEASURES = frozenset(
    "speed price cost length height weight population number percentage share rate capacity "
    "temperature distance age budget salary turnout majority margin size area depth total "
    "amount sum value score scoreline".split()
)


_PREPOSITIONS = frozenset("in on at by from until since during for".split())
# "How big", "how long", ...: a size is told by a figure ("1.2 million tonnes").
_DIMENSIONS = frozenset("big large tall high long deep wide heavy far".split())


def expected_type(question: str) -> AnswerType:
    tokens = words(question)
    if len(tokens) > 1 and tokens[0] in _PREPOSITIONS and tokens[1] in ("which", "what"):
        tokens = tokens[1:]  # "In which month ...?" asks what "which month ...?" asks
    if not tokens:
        return AnswerType.OTHER
    lead = " ".join(tokens[:3])
    if lead.startswith(("how many", "how much")) or "what percentage" in lead:
        return AnswerType.NUMBER
    if tokens[0] == "how" and len(tokens) > 1 and tokens[1] in _DIMENSIONS:
        return AnswerType.NUMBER  # "how big was the deposit?" asks for its size, a figure
    if tokens[0] == "what" and (_measured(tokens[1:6]) or _cost_asked(tokens[1:])):
        return AnswerType.NUMBER
    if tokens[0] == "when" or lead.startswith(
        ("what year", "what date", "what time", "which year", "what month", "which month")
    ):
        return AnswerType.TIME
    if tokens[0] == "where" or lead.startswith(
        ("what city", "what country", "which city", "which country")
    ):
        return AnswerType.PLACE
    if tokens[0] in ("who", "whom", "whose"):
        return AnswerType.PERSON
    if _asks_name(tokens):
        return AnswerType.NAME  # "What was the name of the storm?", "What is it called?"
    if tokens[0] == "what" and len(tokens) > 1 and _PAST_VERB.fullmatch(tokens[1]):
        return AnswerType.OTHER  # "What happened to ...?", "What caused ...?": an event
    if tokens[0] in ("which", "what") and len(tokens) > 1 and tokens[1] not in _AUXILIARIES:
        if any(t in PERSON_NOUNS for t in tokens[1:3]):
            return AnswerType.PERSON  # "which minister ...?", "what police officer ...?"
        return AnswerType.NAME  # "which team ...?", "what company ...?"
    return AnswerType.OTHER


# A regular past tense ("happened", "caused"), not a noun in "-eed" ("speed", "breed").
_PAST_VERB = re.compile(r"[a-z]{3,}[^e]ed")
_BE = frozenset("is was are were".split())


def _asks_name(tokens: list[str]) -> bool:
    """Whether the question asks what something is named: "what was the name of ...",
    "what is the ... called"."""
    if tokens[0] != "what" or len(tokens) < 3 or tokens[1] not in _BE:
        return False
    return tokens[2:4] == ["the", "name"] or tokens[-1] == "called"


def _cost_asked(tokens: list[str]) -> bool:
    """Whether "<did/does/will> ... cost" follows "what": "What did it cost in the end?"
    asks "how much"."""
    return bool(tokens) and tokens[0] in ("did", "does", "do", "will", "would") and "cost" in tokens


def _measured(tokens: list[str]) -> bool:
    """Whether "what <is/was> the <adjective>? <measure>" opens these words."""
    if len(tokens) < 3 or tokens[0] not in ("is", "was", "are", "were") or tokens[1] != "the":
        return False
    return tokens[2] in _MEASURES or (len(tokens) > 3 and tokens[3] in _MEASURES)


def offers(sentence: str, kind: AnswerType) -> bool:
    """True when ``sentence`` contains something of the ``kind`` the question asks for."""
    if kind is AnswerType.TIME:
        return bool(_TIME.search(sentence))
    if kind is AnswerType.NUMBER:
        return bool(_NUMBER.search(sentence))
    if kind is AnswerType.PLACE:
        return bool(_PLACE.search(sentence))
    if kind in (AnswerType.PERSON, AnswerType.NAME):
        return bool(_NAME.search(sentence))
    return False


# A person's name: two or three capitalised words ("Lucien Pellerin", "Anna van Dijk" is
# missed, rarely asked). Names of places and organisations end in a word of their kind.
_PERSON = re.compile(
    r"(?<![\w'’-])[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?(?: [A-Z][a-z]+(?:-[A-Z][a-z]+)?)+\b"
)
# A name has two or three words: a longer capitalised run is a title and a name ("Agriculture
# Minister Tobias Renwick") or the name of something else ("the Lenholm Valley Health Trust").
_NAME_WORDS = 3
_NOT_PERSON_WORDS = frozenset(
    "hall street road avenue square quay bridge river lake sea bay port harbour park house "
    "palace tower station airport centre center hospital university college school museum "
    "church cathedral castle island islands mountains valley town city county province "
    "state republic kingdom union council ministry department agency authority commission "
    "committee court parliament assembly senate congress party alliance group company works "
    "bank fund corporation infrastructure industries holdings limited ltd inc airlines "
    "railways orchestra philharmonic theatre club united association federation institute "
    "foundation times news herald post press courier ledger gazette daily weekly general "
    "national international east west north south old new great upper lower treaty accord "
    "agreement act plan line dam infirmary clinic fields gardens meadows heights docks woods "
    "exchange market".split()
)
_TITLES = frozenset(
    "mr mrs ms dr sir dame lord lady mayor minister president premier chancellor governor "
    "senator councillor judge general professor prof king queen prince princess pope "
    "father bishop chief".split()
)
_CALENDAR = re.compile(rf"\b(?:{_MONTHS}|{_DAYS})\b", re.IGNORECASE)
# A capitalised run just after a preposition of place names where, not who: "built at
# Orton Meadows", "a school in Lower Brampton" ("to" and "from" also lead to people).
_PLACE_PREPOSITIONS = frozenset({"at", "in", "near", "outside", "inside"})
# "Skelmarch Hill Farmers' Association", "Harbour Residents' Trust": a plural's possessive
# before a capitalised word makes the run part of a group's name.
_GROUP_POSSESSIVE = re.compile(r"['’]\s+[A-Z]")


def _names_a_group(sentence: str, end: int) -> bool:
    """Whether the capitalised run ending at ``end`` goes on to a plural's possessive and so
    starts a group's name ("Skelmarch Hill Farmers' Association")."""
    return _GROUP_POSSESSIVE.match(sentence, end) is not None


def person_names(sentence: str) -> list[str]:
    """The names of people in ``sentence``: capitalised runs of two or three words, after
    any title ("Mayor Odile Ferrant" is "Odile Ferrant"), that end in no word of a place,
    an organisation or a date ("Salt Hall", "Tessaly Infrastructure", "Last Thursday") and
    follow no preposition of place ("built at Orton Meadows") nor name a group ("Hill Farmers'
    Association")."""
    names = []
    for match in _PERSON.finditer(sentence):
        parts = match.group().split()
        before = sentence[: match.start()].split()[-1:]
        while parts and parts[0].lower() in _TITLES | STOP_WORDS | _NOT_PERSON_WORDS:
            before = parts[:1]
            parts = parts[1:]
        titled = [i for i, part in enumerate(parts) if part.lower() in _TITLES]
        if titled:  # "Agriculture Minister Tobias Renwick" is Tobias Renwick
            before, parts = parts[titled[-1] : titled[-1] + 1], parts[titled[-1] + 1 :]
        if not 2 <= len(parts) <= _NAME_WORDS or parts[-1].lower() in _NOT_PERSON_WORDS:
            continue
        if _CALENDAR.search(match.group()) or sentence[: match.start()].endswith(("the ", "The ")):
            continue
        if before and before[0].lower() in _PLACE_PREPOSITIONS | {"the"}:
            continue  # "at Orton Meadows", "The Orvane Administrative Court"
        if _names_a_group(sentence, match.end()):
            continue
        names.append(" ".join(parts))
    return names
