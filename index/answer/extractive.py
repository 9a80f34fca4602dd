"""The extractive answerer: a question searched in the live index and answered with the
articles' own sentences, each cited (``compose.py``), following its conversation."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from index.answer.compose import compose_answer
from index.answer.conversation import (
    Conversation,
    ResolvedQuestion,
    question_time,
    standalone,
)
from index.answer.short_answer import short_answer
from index.answer.when_clause import dated_by_clause
from index.errors import QuestionError
from index.models import Answer, SearchFilters
from index.text.citations import remove_markers
from index.text.dates import QuestionTime
from index.text.events import event_from_label

if TYPE_CHECKING:
    from index.search.retriever import Mode, Retriever
    from index.settings import Settings

# The best-ranked passages searched for the event a "when" clause names (as many as may
# lend the answer a sentence).
_CLAUSE_PASSAGES = 10


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
        today = self._settings.asked_on()
        resolved = (
            conversation.resolve(question, today)
            if conversation is not None
            else standalone(question, question_time(question, today))
        )
        passages = self._retriever.retrieve(
            resolved.search_text,
            top_k=self._settings.top_k,
            filters=filters,
            mode=mode,
            emphasis=resolved.focus if resolved.is_follow_up else "",
            time=resolved.time,
        )
        # "... when the new hospital opened?": the year the passages report that event.
        resolved = dated_by_clause(resolved, passages[:_CLAUSE_PASSAGES])
        answer = replace(
            compose_answer(
                resolved,
                passages,
                min_relevance=self._settings.min_relevance,
                max_lines=self._settings.max_citations,
                filtered=bool(filters),
                vocabulary=self._retriever.knows,
            ),
            retrieved=tuple(passages),
        )
        return resolved, answer


def remember_turn(conversation: Conversation, resolved: ResolvedQuestion, answer: Answer) -> None:
    """Record the turn: its answer's text (markers removed) and the articles it cited."""
    if answer.found:
        cited = tuple(dict.fromkeys(c.article_id for c in answer.citations))
        # Whom a "who" answer named, for the pronouns of the next question: the phrase the
        # patterns find in the lead line, shown or not, and not whom the question leaned on
        # ("Who replaced him?" is not answered by him).
        named = (
            short_answer(resolved.question, answer.lines[0].text, context=resolved.context)
            if answer.lines
            else None
        )
        lead = answer.lines[0].text if answer.lines else ""
        conversation.record(
            resolved, remove_markers(answer.answer), cited, named, _lead_event(answer), lead
        )
    else:
        conversation.record(resolved, "", ())


def _lead_event(answer: Answer) -> QuestionTime | None:
    """When the event of the answer's lead line happened, for "what happened afterwards"."""
    event = event_from_label(answer.lines[0].event_date) if answer.lines else None
    return None if event is None else QuestionTime(first=event.first, last=event.last)
