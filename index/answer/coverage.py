"""What the articles do not say, and declining with that reason.

A similarity threshold alone cannot tell "What did Anselm say at the summit?" from a
question the articles answer: a passage about the summit is close to both. But the name,
the number or the period the question asks about must be in the articles that answer it.
When one is missing, newsbot declines and says which, and what it has instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from index.answer.question_weights import said_otherwise
from index.models import Answer, Passage
from index.text.answer_types import PERSON_NOUNS, person_names
from index.text.dates import QuestionTime, find_dates
from index.text.dates.tense import ANNOUNCING, tense_at
from index.text.sentences import sentence_spans
from index.text.terms import STOP_WORDS, stem

if TYPE_CHECKING:
    from index.answer.conversation import ResolvedQuestion
    from index.answer.timeline import Report

# Whether a word occurs anywhere in the indexed articles.
Vocabulary = Callable[[str], bool]

NOT_COVERED = "The indexed articles do not seem to cover this question."
NO_FIGURE = "The articles on this do not give the figure the question asks for."
NO_MATCH = "No indexed article matches those filters; try a wider date range or another source."
_NEAREST_ARTICLES = 3
# A name is a capitalised word; a number is digits. Titles and question words are
# capitalised too, but they are in the articles or harmless when they are not.
_NAME = re.compile(r"\b[A-Z][\w'’-]*[\w]")
_NUMBER = re.compile(r"(?<![\w.,])\d[\d,.]*\d(?![\w])|(?<![\w.,])\d(?![\w.,])")
_QUESTION_WORDS = frozenset(
    "what who whom whose when where which why how is are was were did do does".split()
)
_ACRONYM = re.compile(r"[A-Z][A-Z.&]{1,3}s?")
_DEMONYM = re.compile(r"(?:ish|ese|ian|born)$")
_YEAR_LIKE = re.compile(r"1\d{3}|20\d{2}")
# Word stems this long or longer match a longer form ("Velmora" / "Velmoran"); one letter
# shorter still match a word one letter away (a typo: "Orwik" for "Orvik").
_PREFIX_MATCH = 6


def missing_from_articles(
    resolved: ResolvedQuestion,
    passages: Sequence[Passage],
    vocabulary: Vocabulary | None,
    period: str = "",
) -> str | None:
    """Why the passages cannot answer: a name or number of the question they never mention.

    Args:
        resolved: The question.
        passages: The passages that would answer it.
        vocabulary: Whether a stemmed word occurs anywhere in the indexed articles.
        period: The period the passages were chosen for ("2018"), named in the reason.

    Returns:
        The reason, as a sentence to show, or None when every name and number is there.
    """
    wanted = _names_and_numbers(resolved.question, resolved.time)
    if not wanted:
        return None
    words = _passage_words(passages)
    missing = [name for name in wanted if any(not _mentioned(w, words) for w in name)]
    missing += [phrase.split() for phrase in _common_phrases_missing(resolved, passages)]
    if not missing:
        return None
    listing = _quoted([" ".join(name) for name in missing])
    absent_words = [w for name in missing for w in name if not _mentioned(w, words)]
    if (
        absent_words
        and vocabulary is not None
        and not any(vocabulary(stem(w.lower())) for w in absent_words)
    ):
        return f"None of the indexed articles mentions {listing}."
    if period:
        return f"The articles that report on this for {period} do not mention {listing}."
    return f"The articles closest to this question do not mention {listing}."


# A name of several capitalised words, "of" between them at most ("Court of Appeal", "High
# Court", "Fishermen's Association"); a possessive "'s" ends it ("Philharmonic's Christmas").
_NAME_PHRASE = re.compile(
    r"(?<![\w'’])[A-Z][\w-]*(?:['’](?=\s))?(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w-]*(?:['’](?=\s))?)+"
)
_CONNECTORS = frozenset({"of", "the"})


def _common_phrases_missing(resolved: ResolvedQuestion, passages: Sequence[Passage]) -> list[str]:
    """The names of the question made of common words ("Court of Appeal") that no passage
    holds as a phrase. Each of their words is everywhere in news ("court", "appeal"), so
    finding them one by one says nothing; a name of proper words ("Gregor Anselm") is
    checked word by word."""
    lowered = _lower_case_words(passages)
    texts = [f"{p.title}\n{p.text}" for p in passages]
    opening = re.match(r"\W*[\w'’-]+", resolved.question)
    in_time = [range(a, b) for a, b in resolved.time.spans]
    missing = []
    for match in _NAME_PHRASE.finditer(resolved.question):
        if any(match.start() in span for span in in_time):
            continue
        words = match.group().split()
        if opening is not None and match.start() < opening.end():
            words = words[1:]  # capitalised for being first
        for run in _common_runs(words, lowered):
            if not any(_holds_phrase(text, run) for text in texts):
                missing.append(" ".join(run))
    return missing


def _lower_case_words(passages: Sequence[Passage]) -> set[str]:
    """The words the passages write in lower case: common words, not names."""
    return {
        w.lower().rstrip("'’") for p in passages for w in re.findall(r"\b[a-z][\w'’-]*", p.text)
    }


def _common_runs(words: Sequence[str], lowered: set[str]) -> list[list[str]]:
    """The runs of two or more common words (joined by "of" at most) within a name."""
    runs: list[list[str]] = [[]]
    for word in words:
        bare = re.sub(r"['’]s?$", "", word).lower()
        if bare in _CONNECTORS or bare in lowered or _singular(bare) in lowered:
            runs[-1].append(word)
        else:
            runs.append([])
    trimmed = [_strip_connectors(run) for run in runs]
    return [run for run in trimmed if sum(w.lower() not in _CONNECTORS for w in run) >= 2]


def _strip_connectors(run: list[str]) -> list[str]:
    while run and run[0].lower() in _CONNECTORS:
        run = run[1:]
    while run and run[-1].lower() in _CONNECTORS:
        run = run[:-1]
    return run


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") else word


def _holds_phrase(text: str, run: Sequence[str]) -> bool:
    """Whether ``text`` holds the words of ``run`` in a row, in any case, with or without a
    plural or possessive ending ("Fishermen's Association", "fishermen's association")."""
    parts = []
    for word in run:
        bare = re.sub(r"['’]s?$", "", word)
        parts.append(rf"{re.escape(_singular(bare))}(?:s|es)?(?:['’]s?)?")
    phrase = r"\s+".join(parts)
    return re.search(rf"\b{phrase}(?!\w)", text, re.IGNORECASE) is not None


# The thing a question counts or picks: "how many turbines", "which bank", "what price
# per megawatt-hour": the words after the question word, up to a verb or preposition.
_FOCUS = re.compile(
    r"^\W*(?:how\s+(?:many|much)|what|which)\s+(?P<phrase>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,2})",
    re.IGNORECASE,
)
# A word before the noun that only describes it: hyphenated ("full-sized"), or of a suffix
# only adjectives and participles have ("technical", "dangerous", "proposed"). Suffixes
# nouns share ("manufacturer", "president", "consultant", "executive", "official") are
# no sign: those adjectives are listed instead.
_MODIFIER = re.compile(
    r"-|(?:ful|ous|less|ical|ional|ental|ural|[^e]ed)$|^(?:more|most|less|least)$",
    re.IGNORECASE,
)
# Adjectives a question puts before what it counts or picks, with their comparatives and
# superlatives ("the biggest", "higher"): "how many extra homes", "which current member".
_ADJECTIVE_BASES = (
    "big large high long great fast late old new small low cheap deep tall strong busy early "
    "wide heavy short near close far young hard rich poor full hot cold few safe "
    "main other extra additional total overall final first last next previous current "
    "former original initial annual average top chief senior junior major minor key own "
    "recent present independent different permanent temporary local national regional "
    "international public private official actual exact likely possible expected "
    "important significant relevant vacant constant distant dominant urgent "
    "effective active expensive extensive massive exclusive consecutive legislative "
    "executive representative technical political medical financial commercial "
    "economic electric historic specific basic domestic global royal federal digital legal "
    "central coastal "
    "existing remaining leading ruling governing opposing winning"
).split()


def _is_modifier(word: str) -> bool:
    """Whether ``word`` describes the noun after it rather than being the noun."""
    lowered = word.lower()
    if _MODIFIER.search(lowered) or lowered in _ADJECTIVES:
        return not lowered.endswith("eed") and lowered != "hundred"
    return False


def _adjectives() -> frozenset[str]:
    """The listed adjectives with their comparatives and superlatives."""
    forms = set(_ADJECTIVE_BASES)
    for base in _ADJECTIVE_BASES:
        root = base[:-1] + "i" if base.endswith("y") else base
        if base.endswith("e"):
            forms.update({base + "r", base + "st"})
        else:  # "higher", "busiest", "biggest"
            doubled = base + base[-1]
            forms.update({root + "er", root + "est", doubled + "er", doubled + "est"})
    return frozenset(forms | {"better", "best", "worse", "worst", "further", "furthest"})


_ADJECTIVES = _adjectives()
_NOT_NOUNS = frozenset(
    "is are was were did do does has have had can could will would should may might "
    "of the a an kind type sort per in on at for by from to with that which who "
    "over under above below".split()
)


# "What share of the vote": a word for a part or an amount of something is said in figures
# ("61 percent"), not in its own name; the thing it is of ("the vote") is the focus.
_AMOUNT_NOUNS = frozenset(
    "share proportion percentage fraction part amount number total level rate size "
    "portion majority quantity sum".split()
)
# "Which firm", "which town": a word for the kind of thing whose name is asked for; the
# articles name the thing ("Hartnell Quarrie, a builder") without needing the word.
_KIND_NOUNS = frozenset(
    "firm firms company companies business businesses organisation organization group body "
    "agency person people man men woman women place places town city village country region "
    "area name names nickname title".split()
    # "What illness": an illness, a species, a sport is named ("mange", "red deer") without
    # the word for its kind, which a reporter seldom adds.
    + "illness illnesses disease diseases sickness ailment infection species breed sport "
    "language crop".split()
    # "Which couple", "which family": people named ("Margaret and Jim Tonkin") without the
    # word for how they are related.
    + "couple couples family families pair".split()
)
# "Who is the mayor of Harwick?": the role a question asks about; "What did the mayor say?",
# "Why did the ferry service close?": the one whose words or deeds it asks about.
_ROLE = re.compile(
    r"^\W*who\s+(?:is|was|are|were)\s+(?:now\s+|currently\s+)?(?:the|its|their)\s+"
    r"(?:(?:current|new|former|first|last|present)\s+)?(?P<role>[a-z][\w-]*)\s+of\b"
    r"|^\W*(?:what|how|why|when|where)\s+(?:did|does|do|has|have|had|will|would)\s+the\s+"
    r"(?:(?:current|new|former|first|last|present)\s+)?(?P<holder>(?-i:[a-z])[\w-]*)\b",
    re.IGNORECASE,
)


def missing_focus(question: str, vocabulary: Vocabulary | None) -> str | None:
    """Why the articles cannot answer: the thing the question counts ("how many turbines"),
    picks ("what price"), the role it asks who holds ("who is the mayor of ...") or whose
    words or deeds it asks about ("what did the mayor say", "why did the ferry stop") is in
    none of them. (Whether the nearest passages name it is no test: "how many people" is
    answered by "six members".)"""
    if vocabulary is None:
        return None
    noun = _focus_noun(question)
    if not noun or noun.lower() in _NOT_NOUNS:
        return None
    stemmed = stem(noun.lower())
    if vocabulary(stemmed) or any(vocabulary(w) for w in said_otherwise(stemmed)):
        return None  # "how many homes" is answered by "260 flats"
    if any(vocabulary(w) for w in _agent_verbs(noun.lower())):
        return None  # "which signer" is answered by "signed by Hancock"
    return f"None of the indexed articles mentions {_quoted([noun])}."


def _agent_verbs(noun: str) -> set[str]:
    """The stems of the verb an agent noun is made from: "sign" for "signer", "suppli" for
    "supplier", "build" for "builder"; none for other nouns."""
    if len(noun) <= len("-er") + 2 or not noun.endswith(("er", "or")):
        return set()
    verb = noun[:-2]
    forms = {verb, noun[:-1]}  # "build(er)", "manufacture(r)"
    if verb.endswith("i"):
        forms.add(verb[:-1] + "y")  # "suppli(er)": "supply"
    return {stem(form) for form in forms} - {stem(noun)}


# "Who will be the inspector at the Brennock Moor inquiry?": the holder of a role in
# something named.
_ROLE_IN_NAMED = re.compile(
    r"^\W*who\s+(?:is|was|will\s+be|would\s+be)\s+(?:the|its|their)\s+"
    r"(?:(?:current|new|next|former|first|last|present)\s+)?(?P<role>[a-z][\w-]*)\s+"
    r"(?:at|of|for|in|on)\b",
    re.IGNORECASE,
)


def missing_together(
    resolved: ResolvedQuestion, passages: Sequence[Passage], time: QuestionTime
) -> str | None:
    """Why the passages cannot answer: no one article of them names together what the
    question joins. "What did Dr Priya Sandhu say about Brennock Moor?" is not answered by
    her words of 2014 and a report of the moor in 2025; nor "Who will be the inspector at
    the Brennock Moor inquiry?" by an inspector of another inquiry."""
    wanted = [name for name in _names_and_numbers(resolved.question, time) if name[0][0].isalpha()]
    role = _ROLE_IN_NAMED.match(resolved.question)
    if role is not None and role["role"].lower() not in _KIND_NOUNS:
        wanted.append([role["role"]])
    if len(wanted) < 2:
        return None
    by_article: dict[str, list[Passage]] = {}
    for passage in passages:
        by_article.setdefault(passage.article_id, []).append(passage)
    for article in by_article.values():
        words = _passage_words(article)
        if all(_mentioned(w, words) for name in wanted for w in name):
            return None
    listing = _joined([f"“{' '.join(name)}”" for name in wanted])
    return f"None of the articles closest to this question mentions {listing} together."


# "Who managed the club before Kevin Drury?": whoever held something before a named person.
_PREDECESSOR_QUESTION = re.compile(
    r"^\W*who\b[^?]*?\bbefore\s+(?P<name>(?-i:[A-Z])[\w'’-]*(?:\s+(?-i:[A-Z])[\w'’-]*)*)"
    r"\s*\??\s*$",
    re.IGNORECASE,
)
# How a sentence tells who came before whom: "replacing", "took over from", "his predecessor".
_SUCCESSION = re.compile(
    r"\b(?:succe(?:ed|eds|eded|eding|ssor)|replac(?:e|es|ed|ing)|predecessor|preceded"
    r"|took over|take over|takes over|taking over|in place of|before (?:him|her))\b",
    re.IGNORECASE,
)


def missing_predecessor(question: str, passages: Sequence[Passage]) -> str | None:
    """Why the passages cannot say who came before the person a question names: none of
    their sentences names that person with words of succession ("Who ran the trust before
    Harriet Quayle?" is not answered by her own resignation, nor by who came after her)."""
    match = _PREDECESSOR_QUESTION.match(question)
    if match is None:
        return None
    name = match["name"]
    surname = name.split()[-1]
    for passage in passages:
        for start, end in sentence_spans(passage.text):
            sentence = passage.text[start:end]
            if surname in sentence and _tells_predecessor(sentence, surname):
                return None
    return f"The articles do not say who came before {name}."


# "Moyes took over from Maren Aldous", "her predecessor, Tom Brackley", "her successor": the
# one named after the words is the one who left; such a sentence tells who came after that
# person, not before. In the passive ("was replaced by Aldous") the one named came after.
_FOLLOWED_BY = 4
_REPLACING = ("succe", "replac", "took", "take", "taking", "in place", "predecessor", "preceded")


def _tells_predecessor(sentence: str, surname: str) -> bool:
    """Whether a succession of ``sentence`` may tell who came before ``surname``: not when
    every one names that person as the one replaced ("took over from Maren Aldous",
    "replacing Aldous", "her predecessor, Tom Brackley") or speaks of a successor."""
    for succession in _SUCCESSION.finditer(sentence):
        word = succession.group().lower()
        if word.startswith("successor"):
            continue
        after = _bare_words(sentence[succession.end() :])
        named = surname in after[:_FOLLOWED_BY]
        # "succeeded by Aldous" names the newcomer; "preceded by Aldous" still the one before.
        passive = bool(after) and after[0].lower() == "by" and not word.startswith("preced")
        if word.startswith(_REPLACING) and named and not passive:
            continue
        if passive and not named:
            continue  # "Brackley was succeeded by Ellery" tells who came after him
        if named or word.startswith("before") or _names_before(sentence, succession, surname):
            return True
        # A succession far from the name is another's: "He took over in 2022 from Morag
        # Ellery, who ...; she in turn had succeeded Tom Brackley".
    return False


# How far before words of succession their subject may be named: "Quayle, who joined from
# the county in 2016, succeeded ...".
_SUBJECT_REACH = 10


def _names_before(sentence: str, succession: re.Match[str], surname: str) -> bool:
    """Whether ``surname`` comes shortly before the words of ``succession``, as their subject."""
    at = succession.start()
    return surname in _bare_words(sentence[:at])[-_SUBJECT_REACH:]


def _bare_words(text: str) -> list[str]:
    """The words of ``text`` without punctuation or a possessive "'s"."""
    return [re.sub(r"['’]s$", "", w.strip('.,;:"“”')) for w in text.split()]


def _focus_noun(question: str) -> str:
    role = _ROLE.match(question)
    if role is not None:
        return role["role"] or role["holder"]
    match = _FOCUS.match(question)
    if match is None:
        return ""
    # The first word that is not a modifier ("full-sized", "developmental") names it.
    noun = next((w for w in match["phrase"].split() if not _is_modifier(w)), "")
    if noun.lower() in _AMOUNT_NOUNS:
        return ""  # its figure is in other words; what it is of is checked with the rest
    if noun.lower() in _KIND_NOUNS:
        return ""  # the answer is a name of that kind, whatever the articles call it
    return noun


# A figure: digits or a number word, not a date ("27 September", "in 2018").
_FIGURE = re.compile(
    r"(?<![\w.])(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|hundred|dozens?|hundreds?|thousands?|millions?|billions?|"
    r"half|a third|a quarter|a fifth|no|none|zero|single|both|several|few|dozen|free)(?![\w])",
    re.IGNORECASE,
)
_ANY_DAY = dt.date(2000, 1, 1)
# How near (in words) to the thing counted a figure must be when the sentence names it.
_FIGURE_REACH = 8


# "How many passengers a day": a rate, answered only by a figure for the same stretch of time.
_RATE = re.compile(
    r"\b(?:(?:a|an|per|each|every)\s+(?P<unit>hour|day|week|month|year)|(?P<adverb>hourly|daily"
    r"|weekly|monthly|yearly|annually|annual))\b",
    re.IGNORECASE,
)
_RATE_UNIT = {"hourly": "hour", "daily": "day", "weekly": "week", "monthly": "month"}


def _rates(text: str) -> set[str]:
    units = set()
    for m in _RATE.finditer(text):
        word = (m["unit"] or m["adverb"]).lower()
        units.add(word if m["unit"] else _RATE_UNIT.get(word, "year"))
    return units


def gives_figure(sentence: str, question: str, *, named: bool = False) -> bool:
    """Whether ``sentence`` gives a figure a "how many X" question could be answered with:
    a number not of a date, near X when the sentence names X ("60 passengers each" for
    "how many passengers"; not "380 million crowns ... its first passengers"); with
    ``named``, only a figure next to X itself. A question for a rate ("a day") needs the
    same rate ("40,000 passengers daily")."""
    asked_rates = _rates(question)
    if asked_rates and asked_rates.isdisjoint(_rates(sentence)):
        return False
    figures = _figures(sentence, question)
    if not figures:
        return False
    focus = _FOCUS.match(question)
    counted = stem(focus["phrase"].split()[0].lower()) if focus else ""
    # Hyphens split: "a 540-bed hospital" gives a figure of beds.
    tokens = [(t.start(), stem(t.group().lower())) for t in re.finditer(r"[\w'’]+", sentence)]
    at = [i for i, (_, word) in enumerate(tokens) if counted and word == counted]
    if not at:
        return not named or not counted
    figure_at = [i for i, (start, _) in enumerate(tokens) for m in figures if start == m.start()]
    return any(abs(i - j) <= _FIGURE_REACH for i in at for j in figure_at)


def _figures(sentence: str, question: str) -> list[re.Match[str]]:
    """The figures of ``sentence`` that are not dates nor words of ``question``."""
    # Any day will do as the reference: only where the dates are matters, and without one
    # a date without its year ("on 27 September") would be taken for a figure.
    dates = [(m.start, m.end) for m in find_dates(sentence, _ANY_DAY)]
    question_words = {w.lower() for w in re.findall(r"[\w'’-]+", question)}
    return [
        m
        for m in _FIGURE.finditer(sentence)
        if not any(a <= m.start() < b for a, b in dates) and m.group().lower() not in question_words
    ]


def figures_all(question: str, sentences: Sequence[str], unfit: Callable[[str], bool]) -> bool:
    """Whether some of ``sentences`` give the figure ``question`` counts, and every one that
    does is ``unfit`` to answer it (a count so far, the other side's, an announced one)."""
    giving = [s for s in sentences if gives_figure(s, question, named=True)]
    return bool(giving) and all(unfit(s) for s in giving)


# "How many homes will it have once it is finished?": the count at the end of something.
_FINAL_COUNT = re.compile(
    r"\b(?:once|when)\s+(?:it\s+is\s+|it's\s+|they\s+are\s+)?(?:fully\s+)?"
    r"(?:finished|complete|completed|built|done)\b|\beventually\b|\bin\s+the\s+end\b",
    re.IGNORECASE,
)
# A figure of the way there: "96 homes finished so far", "the first 60 homes".
_PARTIAL = re.compile(
    r"\b(?:so\s+far|to\s+date|thus\s+far|as\s+yet|until\s+now|already|(?:the\s+)?first\s+"
    r"(?:\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|few|dozen|hundred))\b",
    re.IGNORECASE,
)


def figures_only_partial(question: str, sentences: Sequence[str]) -> bool:
    """Whether a question for a count at the end ("how many homes once it is finished") finds
    only counts of the way there ("96 homes finished so far", "the first 60 homes")."""
    if not _FINAL_COUNT.search(question):
        return False
    return figures_all(question, sentences, lambda s: bool(_PARTIAL.search(s)))


# "How many votes did the Conservative get against Nessa Pendry?": a count asked of one
# side, naming the other.
_OTHER_SIDE = re.compile(
    r"\b(?:against|than|beating|beat)\s+(?P<name>(?-i:[A-Z])[\w'’-]*(?:\s+(?-i:[A-Z])[\w'’-]*)*)"
)
# How near after a name a figure is that name's own: "Ms Pendry took 2,847 votes".
_OWN_FIGURE_REACH = 3


def figures_only_of_other(question: str, sentences: Sequence[str]) -> bool:
    """Whether a count asked of one side against another ("how many votes did the Conservative
    get against Nessa Pendry") finds only the other side's ("Ms Pendry took 2,847 votes")."""
    match = _OTHER_SIDE.search(question)
    if match is None:
        return False
    surname = match["name"].split()[-1]
    return figures_all(question, sentences, lambda s: _figures_all_of(s, surname, question))


def _figures_all_of(sentence: str, surname: str, question: str) -> bool:
    """Whether every figure of ``sentence`` follows ``surname`` closely, as its own."""
    for figure in _figures(sentence, question):
        before = re.findall(r"[\w'’-]+", sentence[: figure.start()])[-_OWN_FIGURE_REACH - 1 :]
        if surname not in [re.sub(r"['’]s$", "", w) for w in before]:
            return False
    return True


def figure_told_as_done(sentence: str, question: str) -> bool:
    """Whether a figure of ``sentence`` is reported, not announced: "a new 540-bed hospital"
    the trust "wants to build" says nothing of how many beds the old one had."""
    return any(
        tense_at(sentence, m.start()) not in ANNOUNCING for m in _figures(sentence, question)
    )


# A measure is given in its own units: a price in money, a speed in kilometres an hour. A
# question for one is not answered by a figure in other units ("400 megawatts" for "what
# price per megawatt-hour"). Only measures whose units are unambiguous are listed.
_MONEY = (
    r"dollars?|euros?|pounds?|crowns?|francs?|marks?|yen|yuan|rupees?|pesos?|roubles?|rubles?"
    r"|kronor|kroner|krona|krone|lire|lira|cents?|pence|[$€£¥]"
)
_LENGTH = r"kilometres?|kilometers?|km|metres?|meters?|m|miles?|feet|foot|ft|yards?|inches|cm"
_UNITS = {
    "speed": r"km/h|kph|mph|knots?|(?:kilometres?|kilometers?|miles?|metres?|meters?)\s+"
    r"(?:an|a|per)\s+(?:hour|second)",
    "money": _MONEY,
    "length": _LENGTH,
    "weight": r"tonnes?|tons?|kilograms?|kilos?|kg|grams?|pounds?|lbs?",
    "temperature": r"degrees?|°",
    # "How much over market value": a difference is told as a share ("25 percent above") as
    # often as a sum.
    "difference": rf"{_MONEY}|percent|per\s+cent|%|times",
}
_MEASURE_WORDS = {
    "speed": "speed",
    "price": "money",
    "cost": "money",
    "fare": "money",
    "fee": "money",
    "salary": "money",
    "wage": "money",
    "distance": "length",
    "height": "length",
    "length": "length",
    "width": "length",
    "depth": "length",
    "weight": "weight",
    "temperature": "temperature",
}
_MEASURE_QUESTION = re.compile(
    r"^\W*(?:what|which)\s+(?:(?:is|was|are|were|will\s+be)\s+)?(?:the\s+|its\s+|their\s+)?"
    r"(?:[\w-]+['’]s\s+)?(?:[a-z]+\s+)?(?P<measure>"  # "the hospital's estimated price"
    + "|".join(_MEASURE_WORDS)
    + r")s?\b|^\W*how\s+(?P<adverb>fast|far|tall|deep|wide|heavy)\b"
    r"|^\W*how\s+much\s+(?P<difference>more|less|over|above|under|below|higher|lower)\b"
    r"|^\W*how\s+much\b(?P<money>\s+money\b|.*\b(?:cost|costs|costing|pay|paid|charge|charged"
    r"|contribut\w*|give|gave|given|lend|lent|spend|spent|donat\w*|invest\w*|offer\w*"
    r"|borrow\w*|owe|owed|earn\w*|money|lose|lost|losing|raise|raised|raising)\b)",
    re.IGNORECASE,
)
# Number words a measure is written in ("three miles", "twenty feet", "half a mile").
_NUMBER_WORDS = (
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty"
    r"|thirty|forty|fifty|a\s+hundred|half\s+an?|a\s+quarter\s+of\s+an?)"
)
# "How long" may ask for a time as well as a length, "how high" for a rate as well as a
# height: only the adverbs of one measure are listed.
_ADVERBS = {
    "fast": "speed",
    "far": "length",
    "tall": "length",
    "deep": "length",
    "wide": "length",
    "heavy": "weight",
}


def asked_measure(question: str) -> str | None:
    """The measure a question asks for, when its units are unambiguous: "speed" for "what is
    the top speed", "money" for "what price" or "how much did it cost"; else None."""
    match = _MEASURE_QUESTION.match(question)
    if match is None:
        return None
    if match["measure"]:
        return _MEASURE_WORDS[match["measure"].lower()]
    if match["adverb"]:
        return _ADVERBS[match["adverb"].lower()]
    if match["difference"]:
        return "difference"
    return "money"


def gives_measure(sentence: str, measure: str) -> bool:
    """Whether ``sentence`` gives a figure in the units of ``measure`` ("5.1 billion dollars",
    "$40m", "70 km/h"), or says it costs nothing."""
    units = _UNITS[measure]
    figure = r"\d[\d,.]*(?:\s*(?:million|billion|thousand|bn|m|k))?"
    # Before its units a figure may be in words: "three miles", "half a mile".
    before = rf"(?:{figure}|{_NUMBER_WORDS})"
    near = (
        # A unit in letters starts a word: "from 90" holds no "m 90".
        rf"(?:(?<![A-Za-z])|(?=[^A-Za-z]))(?:{units})\s*{figure}"  # "$40", "£3 million"
        rf"|{before}\s*(?:-\s*)?(?:{units})(?![\w])"  # "40 dollars", "70 km/h", "52-metre"
    )
    if measure == "money" and re.search(r"\bfree\b", sentence, re.IGNORECASE):
        return True
    return re.search(near, sentence, re.IGNORECASE) is not None


# "How did the assembly vote on the Carrow Moss release?": a body's vote on something named.
_VOTE_QUESTION = re.compile(
    r"\bvot(?:e|ed|es|ing)\s+(?:on|for|against|in\s+favour)\b", re.IGNORECASE
)
# A vote told as done: "voted to", "approved", "by 38 votes to 20", "41 to 17".
_VOTE_TOLD = re.compile(
    r"\b(?:voted|approved|rejected|backed|endorsed|passed|threw\s+out|turned\s+down)\b"
    r"|\bvotes?\s+(?:to|against|in\s+favour)\b|\bby\s+[\w-]+\s+votes?\b|\b\d+\s+to\s+\d+\b",
    re.IGNORECASE,
)


def missing_vote(question: str, passages: Sequence[Passage], time: QuestionTime) -> str | None:
    """Why the passages cannot say how a vote went: those naming what the question names
    tell no vote as done ("How did the assembly vote on the Carrow Moss release?" when the
    articles report only a plan to put it to members)."""
    if not _VOTE_QUESTION.search(question):
        return None
    names = [" ".join(name) for name in _names_and_numbers(question, time) if name[0][0].isalpha()]
    naming = [p for p in passages if names and mentions_names(question, time, p)]
    if not naming or any(_VOTE_TOLD.search(p.text) for p in naming):
        return None
    return f"The articles that mention {_quoted(names)} report no vote on it."


# "Which of the three appeal judges dissented?": one of a group the question names...
_WHICH_OF = re.compile(
    r"^\W*(?:which|who)\s+of\s+the\s+(?:[\w-]+\s+){0,3}?(?P<group>[a-z]+s)\b", re.IGNORECASE
)
_SOME_OF = r"\b(?:one|two|three|some|several|a\s+few)\s+of\s+(?:the|its|their)\s+(?:[\w-]+\s+){0,2}"


def unnamed_member(question: str, sentence: str) -> str | None:
    """Why ``sentence`` cannot say which of a group the question asks for: news leaves a
    member it does not name as "one of the three judges" (and names no one else there)."""
    match = _WHICH_OF.match(question)
    if match is None:
        return None
    group = match["group"]
    if not re.search(rf"{_SOME_OF}{group}\b", sentence, re.IGNORECASE) or _names_someone(
        sentence, question
    ):
        return None
    return f"The articles do not say which of the {group} it was."


def _names_someone(sentence: str, question: str) -> bool:
    asked = {w.lower() for w in re.findall(r"[\w'’-]+", question)}
    return any(not {w.lower() for w in name.split()} <= asked for name in person_names(sentence))


# "What post did Tobias Renwick hold in 2025?": the post someone held, asked of a named person.
_POST_QUESTION = re.compile(
    r"^\W*(?:what|which)\s+(?:post|job|position|role|office|title)s?\s+(?:did|does|do|has|had"
    r"|was|is)\s+(?P<name>(?-i:[A-Z])[\w'’-]*(?:\s+(?-i:[A-Z])[\w'’-]*)*)",
    re.IGNORECASE,
)
_TITLES = "|".join(sorted(PERSON_NOUNS))


def asked_post(question: str) -> str | None:
    """The surname of the person whose post a question asks for ("Renwick" in "What post did
    Tobias Renwick hold in 2025?"), or None."""
    match = _POST_QUESTION.match(question)
    return match["name"].split()[-1] if match else None


def gives_post(sentence: str, surname: str) -> bool:
    """Whether ``sentence`` gives the post of the person named ``surname``: news puts a title
    before the name ("agriculture minister Tobias Renwick's new fund") or beside it ("Tobias
    Renwick, the association's chairman,"), of the report's own day."""
    before = rf"\b(?:{_TITLES})\s+(?:(?-i:[A-Z])[\w'’-]*\s+)*{re.escape(surname)}\b"
    beside = rf"\b{re.escape(surname)},\s+(?:[\w'’-]+\s+){{0,3}}(?:{_TITLES})\b"
    return re.search(f"{before}|{beside}", sentence, re.IGNORECASE) is not None


def missing_person_then(question: str, sentences: Sequence[str], period: str) -> str | None:
    """Why the dated sentences of a period cannot answer what a question asks of a person
    then: none of them names that person. "What did Jory Penhallow say in 2014?" is not
    answered by a sentence of 2014 telling what happened before he was in the story, even
    when his passage names him for another year."""
    people = person_names(question)
    if not people or not sentences:
        return None
    surnames = {name.split()[-1] for name in people}
    if any(re.search(rf"\b{re.escape(s)}\b", text) for s in surnames for text in sentences):
        return None
    return f"The articles that report on this for {period} do not mention {_quoted(people)}."


def mentions_names(question: str, time: QuestionTime, passage: Passage) -> bool:
    """Whether ``passage`` (or its article's title) names every name of ``question``."""
    words = _passage_words([passage])
    return all(_mentioned(w, words) for name in _names_and_numbers(question, time) for w in name)


def not_covered(
    question: str, passages: Sequence[Passage], time: QuestionTime, reason: str | None = None
) -> Answer:
    """Declining: the reason, and the nearest articles in case they help."""
    nearest: list[Passage] = []
    for passage in passages:
        if all(p.article_id != passage.article_id for p in nearest):
            nearest.append(passage)
        if len(nearest) == _NEAREST_ARTICLES:
            break
    text = reason or NOT_COVERED
    if nearest:
        listing = ", ".join(f"“{p.title}” [{n}]" for n, p in enumerate(nearest, start=1))
        text += f" The nearest articles are {listing}."
    from index.answer.timeline import cite_passage

    return Answer(
        question=question,
        answer=text,
        found=False,
        citations=tuple(cite_passage(n, p) for n, p in enumerate(nearest, start=1)),
        time=time,
        reason=reason or "Nothing in the indexed articles comes close enough to this question.",
    )


def no_filtered_match(question: str, time: QuestionTime) -> Answer:
    return Answer(question=question, answer=NO_MATCH, found=False, time=time, reason=NO_MATCH)


def outside_period(
    question: str, passages: Sequence[Passage], time: QuestionTime, reports: Sequence[Report]
) -> Answer:
    """Declining a question about a period the relevant articles report nothing of."""
    years = sorted(
        {
            r.event.first.year
            for r in reports
            if r.event is not None and not r.event.overlaps(time.first, time.last)
        }
    )
    have = f" They report on it for {_joined([str(y) for y in years])}." if years else ""
    reason = f"No indexed article reports this for {time.describe()}.{have}"
    nearest = [r.passage for r in reports] or list(passages)
    return not_covered(question, nearest, time, reason=reason)


def _names_and_numbers(question: str, time: QuestionTime) -> list[list[str]]:
    """Names (runs of capitalised words, not the question's opening word) and numbers,
    outside the phrases that say the period (those are checked against the events)."""
    in_time = [range(a, b) for a, b in time.spans]
    opening = re.match(r"\W*[\w'’-]+", question)
    found: list[list[str]] = []
    last_end = -2
    for match in sorted([*_NAME.finditer(question), *_NUMBER.finditer(question)], key=_start):
        if any(match.start() in span for span in in_time):
            continue
        word = re.sub(r"['’]s$", "", match.group())
        if word[0].isalpha():
            if opening is not None and match.end() <= opening.end():
                continue  # capitalised for being first
            if word.lower() in _QUESTION_WORDS or word.lower() in STOP_WORDS:
                continue
            if _ACRONYM.fullmatch(word) or _DEMONYM.search(word):
                continue  # "UN", "TV", "Dutch": the articles may spell them otherwise
            if found and found[-1][0][0].isalpha() and question[last_end : match.start()] == " ":
                found[-1].append(word)  # "Gregor Anselm": one name
                last_end = match.end()
                continue
        elif _YEAR_LIKE.fullmatch(word):
            continue  # a year: checked against the events' dates when it is a period
        if [word] not in found:
            found.append([word])
        last_end = match.end()
    return found


def _start(match: re.Match[str]) -> int:
    return match.start()


def _passage_words(passages: Sequence[Passage]) -> set[str]:
    """The stems and numbers of the passages and their titles; names (capitalised words)
    also as "^name", the only words a question's word one letter off may match."""
    words: set[str] = set()
    for passage in passages:
        for text in (passage.text, passage.title):
            for w in re.findall(r"[\w'’-]+", text):
                words.add(stem(w.lower()))
                if w[:1].isupper():
                    words.add("^" + w.lower())
            words.update(w for w in re.findall(r"\d[\d,.]*\d|\d", text))
    return words


def _mentioned(word: str, words: set[str]) -> bool:
    if word[0].isdigit():
        return word in words or word.replace(",", "") in {w.replace(",", "") for w in words}
    wanted = stem(word.lower())
    if wanted in words:
        return True
    if len(wanted) >= _PREFIX_MATCH and any(
        w.startswith(wanted) or (len(w) >= _PREFIX_MATCH and wanted.startswith(w)) for w in words
    ):
        return True
    # A typo of a name: only names of the passages ("would" is one letter from "world").
    lowered = word.lower()
    return len(lowered) >= _PREFIX_MATCH - 1 and any(
        w[0] == "^" and _one_edit_apart(w[1:], lowered) for w in words
    )


def _one_edit_apart(a: str, b: str) -> bool:
    """Whether one letter inserted, dropped or changed turns ``a`` into ``b``."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :] or (len(a) == len(b) and a[i + 1 :] == b[i + 1 :])


def _quoted(words: Sequence[str]) -> str:
    return _joined([f"“{w}”" for w in words], "or")


def _joined(items: Sequence[str], last: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"
