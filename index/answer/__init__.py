"""Composing the cited answer, its short answer, and following a conversation."""
