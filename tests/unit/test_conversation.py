from __future__ import annotations

import pytest

from index.conversation import Conversation, looks_like_follow_up


@pytest.mark.parametrize(
    "question",
    [
        "where did he host them?",
        "and in the 1990s?",
        "What about Russia?",
        "Why?",
        "When was that?",
    ],
)
def test_questions_that_lean_on_an_earlier_turn_are_follow_ups(question: str) -> None:
    assert looks_like_follow_up(question)


@pytest.mark.parametrize(
    "question",
    ["What was agreed at Sochi?", "How many people died in the 2020 Karabakh war?"],
)
def test_questions_that_stand_alone_are_not_follow_ups(question: str) -> None:
    assert not looks_like_follow_up(question)


def test_first_question_of_a_conversation_is_searched_as_asked() -> None:
    resolved = Conversation().resolve("where did he host them?")
    assert not resolved.is_follow_up and resolved.search_text == "where did he host them?"


def test_follow_up_is_searched_with_the_topic_it_leans_on() -> None:
    conversation = Conversation()
    conversation.record(conversation.resolve("Who hosted the foreign ministers?"), "", ("a",))
    resolved = conversation.resolve("where did he host them?")
    assert resolved.search_text == "Who hosted the foreign ministers? where did he host them?"


def test_chained_follow_ups_keep_the_original_topic() -> None:
    conversation = Conversation()
    conversation.record(
        conversation.resolve("How many died in the Karabakh war of 2020?"), "", ("a",)
    )
    conversation.record(conversation.resolve("and in the 1990s?"), "", ("a",))
    resolved = conversation.resolve("and who brokered the truce?")
    assert resolved.search_text == (
        "How many died in the Karabakh war of 2020? and who brokered the truce?"
    )


def test_conversations_do_not_share_memory() -> None:
    one, two = Conversation(), Conversation()
    one.record(one.resolve("Who hosted the foreign ministers?"), "", ("a",))
    assert not two.resolve("where did he host them?").is_follow_up


def test_memory_is_bounded() -> None:
    conversation = Conversation(max_turns=2)
    for n in range(5):
        conversation.record(conversation.resolve(f"What happened in Sochi in year {n}?"), "", ())
    assert [t.question for t in conversation.turns] == [
        "What happened in Sochi in year 3?",
        "What happened in Sochi in year 4?",
    ]
