"""The errors newsbot shows to people. Every message is written to be read by a user."""

from __future__ import annotations


class NewsbotError(Exception):
    """Base of every error whose message can be shown as it is, without a traceback."""


class QuestionError(NewsbotError):
    """The question cannot be asked as given (empty, too long)."""


class NotIndexedError(NewsbotError):
    """Nothing has been indexed yet."""

    def __init__(self) -> None:
        super().__init__(
            "Nothing is indexed yet. Run `newsbot index` (or /reindex in Discord) to index "
            "the articles in corpus/, then ask again."
        )


class CorpusError(NewsbotError):
    """The corpus cannot be read at all (a path that does not exist, no articles)."""


class StoreError(NewsbotError):
    """The vector store cannot be reached or is in a state newsbot cannot use."""


class IndexingError(NewsbotError):
    """A re-index failed; the previous index keeps serving."""


class ReindexInProgressError(NewsbotError):
    """Another re-index holds the lock on this data directory (or the lease on the server)."""

    def __init__(self, holder: str | None = None) -> None:
        where = f" (on {holder})" if holder else ""
        super().__init__(f"A re-index is already running{where}; try again when it has finished.")


class ConfigurationError(NewsbotError):
    """A setting is missing or inconsistent."""


class LLMUnavailableError(NewsbotError):
    """The language model did not give a usable reply (timeout, refused, rate-limited, garbled).

    Never shown as an error: the extractive answer is given instead, with this message as
    a short note.
    """
