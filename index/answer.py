"""Composing a cited answer from retrieved passages, or saying the corpus does not cover it.

The answer is extractive: it is made of sentences copied from the passages, each followed
by the number of the passage it came from, so every claim can be checked against its
source. A sentence is chosen for how many of the question's meaningful words it contains
and how close its passage is to the question.

Whether the corpus covers the question at all is decided on the *evidence*: the best
passage's cosine similarity plus a share of the best sentence's word overlap. Neither
alone separates answerable from off-topic questions well (a 192-token passage dilutes the
cosine of the one sentence that answers; overlap alone is fooled by common words); the sum,
with its threshold, was calibrated on SQuAD questions about indexed and about held-out
articles (README, "Not in the corpus").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.answer_types import AnswerType, expected_type, offers
from index.conversation import Conversation, ResolvedQuestion
from index.errors import QuestionError
from index.models import Answer, Citation, Passage, SearchFilters
from index.sentences import sentence_spans
from index.terms import content_terms

if TYPE_CHECKING:
    from index.retrieve import Retriever
    from index.settings import Settings

# Weight of the best sentence's word overlap in the evidence score (calibrated with the
# threshold, see the module docstring).
EVIDENCE_OVERLAP_WEIGHT = 0.3
# Passages within this much cosine of the best one may lend sentences to the answer.
_EVIDENCE_MARGIN = 0.15
_MAX_SENTENCES = 3
# A further sentence must score at least this share of the best sentence's score.
_FURTHER_SENTENCE_SHARE = 0.75
# In a follow-up, the new question's own words count this much more than the topic's.
_FOCUS_WEIGHT = 2.0
_NEAREST_ARTICLES = 3

NOT_COVERED = "The indexed articles do not seem to cover this question."
_MARKER = re.compile(r" ?\[\d+\]")
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

    def __init__(self, settings: Settings, retriever: Retriever) -> None:
        self._settings = settings
        self._retriever = retriever

    @property
    def retriever(self) -> Retriever:
        return self._retriever

    def ask(
        self,
        question: str,
        *,
        conversation: Conversation | None = None,
        filters: SearchFilters | None = None,
    ) -> Answer:
        """Answer ``question`` with cited passages.

        Args:
            question: What the person asked.
            conversation: The conversation it belongs to; follow-ups are resolved against
                it and the turn is recorded in it.
            filters: Restrict the search to a source or a date range.

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
            resolved.search_text, top_k=self._settings.top_k, filters=filters
        )
        answer = compose_answer(
            resolved,
            passages,
            min_relevance=self._settings.min_relevance,
            max_citations=self._settings.max_citations,
            filtered=bool(filters),
        )
        if conversation is not None:
            if answer.found:
                cited = tuple(dict.fromkeys(c.article_id for c in answer.citations))
                conversation.record(resolved, _MARKER.sub("", answer.answer), cited)
            else:
                conversation.record(resolved, "", ())
        return answer


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
    sentences = _rank_sentences(resolved, passages)
    if evidence_score(passages, sentences) < min_relevance:
        return _not_covered(question, passages)
    chosen = _choose(sentences, max_citations)
    numbers: dict[str, int] = {}
    parts = []
    for sentence in chosen:
        n = numbers.setdefault(sentence.passage.chunk_id, len(numbers) + 1)
        parts.append(f"{sentence.text} [{n}]")
    by_id = {s.passage.chunk_id: s.passage for s in chosen}
    citations = tuple(_cite(n, by_id[chunk_id]) for chunk_id, n in numbers.items())
    return Answer(question=question, answer=" ".join(parts), found=True, citations=citations)


def evidence_score(passages: Sequence[Passage], sentences: Sequence[_Sentence]) -> float:
    """How strongly the passages support an answer: compared with the relevance threshold."""
    best_overlap = max((s.overlap for s in sentences), default=0.0)
    return passages[0].score + EVIDENCE_OVERLAP_WEIGHT * best_overlap


def _rank_sentences(resolved: ResolvedQuestion, passages: Sequence[Passage]) -> list[_Sentence]:
    weights: dict[str, float] = {t: 1.0 for t in content_terms(resolved.context)}
    weights.update(
        {t: _FOCUS_WEIGHT if resolved.is_follow_up else 1.0 for t in content_terms(resolved.focus)}
    )
    total = sum(weights.values())
    kind = expected_type(resolved.focus)
    if kind is AnswerType.OTHER and resolved.is_follow_up:
        kind = expected_type(resolved.topic)  # "and in the 1990s?" asks what the topic asked
    best = passages[0].score
    ranked = []
    for passage in passages:
        if passage.score < best - _EVIDENCE_MARGIN:
            break
        for start, end in sentence_spans(passage.text):
            text = passage.text[start:end]
            present = set(content_terms(text))
            overlap = sum(w for t, w in weights.items() if t in present) / total if total else 0.0
            score = 0.6 * overlap + 0.4 * passage.score
            if offers(text, kind):
                score += _ANSWER_TYPE_BONUS
            ranked.append(_Sentence(text, passage, overlap, score))
    ranked.sort(key=lambda s: s.score, reverse=True)
    return ranked


def _choose(ranked: list[_Sentence], max_citations: int) -> list[_Sentence]:
    """The best sentence, then a few more that are nearly as good and say something new."""
    chosen: list[_Sentence] = []
    seen_texts: set[str] = set()
    passages: set[str] = set()
    for sentence in ranked:
        if len(chosen) == _MAX_SENTENCES:
            break
        key = " ".join(sentence.text.lower().split())
        if key in seen_texts:
            continue  # neighbouring chunks overlap, so a sentence can occur twice
        if chosen:
            if sentence.score < _FURTHER_SENTENCE_SHARE * chosen[0].score or sentence.overlap == 0:
                break
            if sentence.passage.chunk_id not in passages and len(passages) == max_citations:
                continue
        chosen.append(sentence)
        seen_texts.add(key)
        passages.add(sentence.passage.chunk_id)
    return chosen


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


def _cite(n: int, passage: Passage) -> Citation:
    return Citation(
        n=n,
        article_id=passage.article_id,
        title=passage.title,
        source=passage.source,
        published_at=passage.published_at,
        url=passage.url,
        passage=passage.text,
        score=round(passage.score, 4),
    )
