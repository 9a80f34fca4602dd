"""Composing a cited answer from retrieved passages, or saying the corpus does not cover it.

The answer is extractive: it is made of sentences copied from the passages, each followed
by the number of the passage it came from, so every claim can be checked against its
source. A sentence is chosen for how many of the question's meaningful words it contains
and how close its passage is to the question.

Whether the corpus covers the question at all is decided on the *evidence*: the best
passages' cosine similarity plus shares of the question's words found in the matched
sentence and in its passage. Neither alone separates answerable from off-topic questions
well (a sentence's cosine is low for a terse question; overlap alone is fooled by common
words); the sum, with its threshold, was calibrated on SQuAD questions about indexed and
about held-out articles (README, "Not in the corpus").
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from index.answer.conversation import Conversation, ResolvedQuestion
from index.answer.short_answer import short_answer
from index.errors import QuestionError
from index.models import Answer, Citation, Passage, SearchFilters
from index.text.answer_types import AnswerType, expected_type, offers
from index.text.citations import remove_markers
from index.text.sentences import sentence_spans
from index.text.terms import content_terms

if TYPE_CHECKING:
    from index.search.retriever import Mode, Retriever
    from index.settings import Settings


# Weight of the best sentence's word overlap in the evidence score (calibrated with the
# threshold, see the module docstring).
@dataclass(frozen=True, slots=True)
class EvidenceWeights:
    """Evidence of a passage = its cosine + these shares of the question's terms it holds."""

    overlap: float  # IDF-weighted share of the question's terms in the matched sentence
    window_overlap: float  # the same share in the whole passage


# Calibrated with the threshold (Settings.min_relevance); see README, "Not in the corpus".
EVIDENCE = EvidenceWeights(overlap=0.1, window_overlap=0.2)
# The best-ranked passages that may lend a sentence to the answer (and count as evidence).
_CANDIDATE_PASSAGES = 4
# A passage after the first is quoted when its evidence comes this close to the threshold:
# it supports an answer the first passage already established. On SQuAD (held-out sample)
# this cites 2.7 passages per answer instead of 2.2, and the gold answer is among them
# 0.5 points more often.
_SUPPORT_MARGIN = 0.15
# Discount on the cosine for a sentence next to the one the search matched.
_NEIGHBOUR_DISCOUNT = 0.1
# In a follow-up, the new question's own words count this much more than the topic's.
_FOCUS_WEIGHT = 2.0
_NEAREST_ARTICLES = 3

NOT_COVERED = "The indexed articles do not seem to cover this question."
# Bonus for a sentence holding the kind of answer the question asks for (a place for
# "where", a date for "when", ...).
_ANSWER_TYPE_BONUS = 0.1


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str
    passage: Passage
    overlap: float  # share of the question's words found in the sentence, in [0, 1]
    score: float


def check_question(question: str, max_chars: int) -> str:
    """The question, stripped; a clear error when it cannot be asked.

    Raises:
        QuestionError: The question is empty or longer than ``max_chars``.
    """
    question = " ".join(question.split())
    if not question:
        raise QuestionError("Please type a question, for example: What was agreed at Sochi?")
    if len(question) > max_chars:
        raise QuestionError(
            f"That question is {len(question):,} characters long; the limit is "
            f"{max_chars:,}. Please shorten it to the question itself."
        )
    return question


class Answerer:
    """Answers questions from the live index."""

    # Whether a language model writes the answers (they can then be shown as they grow).
    writes: ClassVar[bool] = False

    def __init__(self, settings: Settings, retriever: Retriever) -> None:
        self._settings = settings
        self._retriever = retriever

    @property
    def retriever(self) -> Retriever:
        return self._retriever

    def refresh(self) -> None:
        """Answer from a newly published index from the next question on."""
        self._retriever.refresh()

    def respond(
        self,
        question: str,
        *,
        conversation: Conversation | None = None,
        filters: SearchFilters | None = None,
        on_draft: Callable[[str], None] | None = None,
        stop: threading.Event | None = None,
    ) -> Answer:
        """The answer newsbot gives, as configured: here the extractive one (:meth:`ask`).

        ``on_draft`` and ``stop`` matter when a language model writes the answer
        (:class:`~index.generation.generate.GenerativeAnswerer`); they are ignored here.

        Raises:
            QuestionError: The question is empty or too long.
            NotIndexedError: Nothing is indexed yet.
            StoreError: The index cannot be read.
        """
        return self.ask(question, conversation=conversation, filters=filters)

    def ask(
        self,
        question: str,
        *,
        conversation: Conversation | None = None,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
    ) -> Answer:
        """Answer ``question`` with cited passages.

        Args:
            question: What the person asked.
            conversation: The conversation it belongs to; follow-ups are resolved against
                it and the turn is recorded in it.
            filters: Restrict the search to a source or a date range.
            mode: Retrieval mode; the alternatives to "hybrid" exist for evaluation.

        Raises:
            QuestionError: The question is empty or too long.
            NotIndexedError: Nothing is indexed yet.
            StoreError: The index cannot be read.
        """
        resolved, answer = self.retrieve_and_compose(
            question, conversation=conversation, filters=filters, mode=mode
        )
        if conversation is not None:
            remember_turn(conversation, resolved, answer)
        return answer

    def retrieve_and_compose(
        self,
        question: str,
        *,
        conversation: Conversation | None = None,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
    ) -> tuple[ResolvedQuestion, Answer]:
        """What :meth:`ask` does, except recording the turn in ``conversation``.

        Raises:
            QuestionError: The question is empty or too long.
            NotIndexedError: Nothing is indexed yet.
            StoreError: The index cannot be read.
        """
        question = check_question(question, self._settings.max_question_chars)
        resolved = (
            conversation.resolve(question)
            if conversation is not None
            else ResolvedQuestion(question, question, question, "", is_follow_up=False)
        )
        passages = self._retriever.retrieve(
            resolved.search_text,
            top_k=self._settings.top_k,
            filters=filters,
            mode=mode,
            emphasis=resolved.focus if resolved.is_follow_up else "",
        )
        answer = replace(
            compose_answer(
                resolved,
                passages,
                min_relevance=self._settings.min_relevance,
                max_citations=self._settings.max_citations,
                filtered=bool(filters),
            ),
            retrieved=tuple(passages),
        )
        return resolved, answer


def remember_turn(conversation: Conversation, resolved: ResolvedQuestion, answer: Answer) -> None:
    """Record the turn: its answer's text (markers removed) and the articles it cited."""
    if answer.found:
        cited = tuple(dict.fromkeys(c.article_id for c in answer.citations))
        conversation.record(resolved, remove_markers(answer.answer), cited)
    else:
        conversation.record(resolved, "", ())


def compose_answer(
    resolved: ResolvedQuestion,
    passages: Sequence[Passage],
    *,
    min_relevance: float,
    max_citations: int,
    filtered: bool = False,
) -> Answer:
    """Build the answer from ``passages`` (best first). Pure: no I/O, no model."""
    question = resolved.question
    if not passages:
        text = (
            "No indexed article matches those filters; try a wider date range or another source."
            if filtered
            else NOT_COVERED
        )
        return Answer(question=question, answer=text, found=False)
    if evidence_score(passages) < min_relevance:
        return _not_covered(question, passages)
    chosen = _choose(resolved, passages, min_relevance, max_citations)
    parts = [f"{sentence.text} [{n}]" for n, sentence in enumerate(chosen, start=1)]
    citations = tuple(_cite(n, sentence.passage) for n, sentence in enumerate(chosen, start=1))
    asked = resolved.focus
    if resolved.is_follow_up and expected_type(asked) is AnswerType.OTHER:
        asked = f"{resolved.topic} {asked}"  # "and in the 1990s?" asks what the topic asked
    return Answer(
        question=question,
        answer=" ".join(parts),
        found=True,
        citations=citations,
        short_answer=short_answer(asked, chosen[0].text, context=resolved.context),
    )


def evidence_score(passages: Sequence[Passage], weights: EvidenceWeights = EVIDENCE) -> float:
    """How strongly the best passages support an answer; compared with the threshold."""
    return max(
        (
            p.similarity + weights.overlap * p.overlap + weights.window_overlap * p.window_overlap
            for p in passages[:_CANDIDATE_PASSAGES]
        ),
        default=-1.0,
    )


def _choose(
    resolved: ResolvedQuestion,
    passages: Sequence[Passage],
    min_relevance: float,
    max_citations: int,
) -> list[_Sentence]:
    """The best sentence of each of the first passages that are evidence on their own.

    The best passage always gives a sentence; each further one (in rank order, up to
    ``max_citations``) does when its own evidence comes within ``_SUPPORT_MARGIN`` of the
    threshold and its best sentence shares a word with the question and is not yet quoted.
    """
    weights = _term_weights(resolved)
    kind = expected_type(resolved.focus)
    if kind is AnswerType.OTHER and resolved.is_follow_up:
        kind = expected_type(resolved.topic)  # "and in the 1990s?" asks what the topic asked
    chosen: list[_Sentence] = []
    quoted: set[str] = set()
    for rank, passage in enumerate(passages[:_CANDIDATE_PASSAGES]):
        if len(chosen) == max_citations:
            break
        if rank and evidence_score([passage]) < min_relevance - _SUPPORT_MARGIN:
            continue
        best = max(_sentences(passage, weights, kind), key=lambda s: s.score, default=None)
        if best is None or (chosen and best.overlap == 0):
            continue
        key = " ".join(best.text.lower().split())
        if key not in quoted:  # passages of different articles can repeat a sentence
            chosen.append(best)
            quoted.add(key)
    return chosen


def _term_weights(resolved: ResolvedQuestion) -> dict[str, float]:
    """The question's terms; in a follow-up its own terms weigh more than the topic's."""
    weights: dict[str, float] = {t: 1.0 for t in content_terms(resolved.context)}
    focus_weight = _FOCUS_WEIGHT if resolved.is_follow_up else 1.0
    weights.update({t: focus_weight for t in content_terms(resolved.focus)})
    return weights


def _sentences(passage: Passage, weights: dict[str, float], kind: AnswerType) -> list[_Sentence]:
    total = sum(weights.values())
    known = dict(passage.sentence_similarities)
    known[passage.sentence_start] = passage.similarity
    sentences = []
    for start, end in sentence_spans(passage.text):
        text = passage.text[start:end]
        present = set(content_terms(text))
        overlap = sum(w for t, w in weights.items() if t in present) / total if total else 0.0
        # A sentence the search scored has its own cosine; the others inherit the matched
        # sentence's, a little discounted, so that "where?" can still be answered next door.
        similarity = known.get(passage.start + start, passage.similarity - _NEIGHBOUR_DISCOUNT)
        score = 0.6 * overlap + 0.4 * similarity
        if offers(text, kind):
            score += _ANSWER_TYPE_BONUS
        sentences.append(_Sentence(text, passage, overlap, score))
    return sentences


def _not_covered(question: str, passages: Sequence[Passage]) -> Answer:
    nearest: list[Passage] = []
    for passage in passages:
        if all(p.article_id != passage.article_id for p in nearest):
            nearest.append(passage)
        if len(nearest) == _NEAREST_ARTICLES:
            break
    listing = ", ".join(f"“{p.title}” [{n}]" for n, p in enumerate(nearest, start=1))
    text = f"{NOT_COVERED} The nearest articles are {listing}."
    return Answer(
        question=question,
        answer=text,
        found=False,
        citations=tuple(_cite(n, p) for n, p in enumerate(nearest, start=1)),
    )


def cite_passage(n: int, passage: Passage) -> Citation:
    """The citation ``[n]`` of ``passage``."""
    return _cite(n, passage)


def _cite(n: int, passage: Passage) -> Citation:
    return Citation(
        n=n,
        article_id=passage.article_id,
        title=passage.title,
        source=passage.source,
        published_at=passage.published_at,
        url=passage.url,
        passage=passage.text,
        score=round(passage.similarity, 4),
    )
