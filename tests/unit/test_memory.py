"""Conversation memory: per person per thread or DM, never shared, bounded."""

from __future__ import annotations

import pytest

from bot.memory import ConversationMemory


def test_the_same_person_in_the_same_thread_continues_one_conversation() -> None:
    memory = ConversationMemory(max_conversations=10, max_turns=6)
    assert memory.get(100, 1) is memory.get(100, 1)


def test_threads_and_people_never_share_a_conversation() -> None:
    memory = ConversationMemory(max_conversations=10, max_turns=6)
    alice_here = memory.get(100, 1)
    assert memory.get(200, 1) is not alice_here  # another thread (or a DM)
    assert memory.get(100, 2) is not alice_here  # another person in the same thread


def test_the_least_recently_used_conversation_is_forgotten_first() -> None:
    memory = ConversationMemory(max_conversations=3, max_turns=6)
    first = memory.get(1, 1)
    memory.get(2, 1)
    memory.get(3, 1)
    assert memory.get(1, 1) is first  # used again: now the most recent
    memory.get(4, 1)
    assert len(memory) == 3
    assert (2, 1) not in memory and (1, 1) in memory


def test_memory_stays_bounded() -> None:
    memory = ConversationMemory(max_conversations=50, max_turns=6)
    for channel in range(10_000):
        memory.get(channel, channel % 7)
    assert len(memory) == 50


def test_each_conversation_keeps_the_configured_turns() -> None:
    from index.answer.conversation import ResolvedQuestion

    conversation = ConversationMemory(max_conversations=1, max_turns=2).get(1, 1)
    for i in range(5):
        conversation.record(ResolvedQuestion(f"q{i}", f"q{i}", f"q{i}", "", False), "a", ())
    assert [t.question for t in conversation.turns] == ["q3", "q4"]


def test_at_least_one_conversation_is_kept() -> None:
    with pytest.raises(ValueError):
        ConversationMemory(max_conversations=0, max_turns=6)
