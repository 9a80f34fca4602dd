"""Conversation memory for Discord: one conversation per person per thread or DM, bounded.

Keys are ``(channel id, user id)``: a thread's or DM's memory is never consulted for
another thread, and two people in the same thread each keep their own. Only the most
recently used conversations are kept; each one keeps only its last few turns.
"""

from __future__ import annotations

from collections import OrderedDict

from index.answer.conversation import Conversation

ConversationKey = tuple[int, int]  # (thread or DM channel id, user id)


class ConversationMemory:
    """A least-recently-used map of conversations (used from the event loop only)."""

    def __init__(self, max_conversations: int, max_turns: int) -> None:
        if max_conversations < 1:
            raise ValueError("max_conversations must be at least 1")
        self._max = max_conversations
        self._turns = max_turns
        self._conversations: OrderedDict[ConversationKey, Conversation] = OrderedDict()

    def __len__(self) -> int:
        return len(self._conversations)

    def __contains__(self, key: object) -> bool:
        return key in self._conversations

    def get(self, channel_id: int, user_id: int) -> Conversation:
        """The conversation of ``user_id`` in ``channel_id``, started if new."""
        key = (channel_id, user_id)
        conversation = self._conversations.get(key)
        if conversation is None:
            conversation = Conversation(max_turns=self._turns)
            self._conversations[key] = conversation
            while len(self._conversations) > self._max:
                self._conversations.popitem(last=False)
        else:
            self._conversations.move_to_end(key)
        return conversation
