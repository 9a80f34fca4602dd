"""The errors newsbot shows to people. Every message is written to be read by a user.

Each kind of failure a person can act on has its own class and its own exit status
(``exit_code``), so that scripts can tell them apart without parsing the message; the
README's CLI section lists them.
"""

from __future__ import annotations

from typing import ClassVar

REBUILD_HINT = "Run `newsbot index --rebuild` to rebuild it from the corpus."


class NewsbotError(Exception):
    """Base of every error whose message can be shown as it is, without a traceback."""

    exit_code: ClassVar[int] = 1
    kind: ClassVar[str] = "error"  # the ``error_kind`` of a JSON error object


class QuestionError(NewsbotError):
    """The question cannot be asked as given (empty, too long)."""

    exit_code = 2
    kind = "question"


class NotIndexedError(NewsbotError):
    """Nothing has been indexed yet."""

    exit_code = 3
    kind = "not_indexed"

    def __init__(self) -> None:
        super().__init__(
            "Nothing is indexed yet. Run `newsbot index` (or /reindex in Discord) to index "
            "the articles in corpus/, then ask again."
        )


class CorpusError(NewsbotError):
    """The corpus cannot be read at all (a path that does not exist, no articles)."""

    kind = "corpus"


class StoreError(NewsbotError):
    """The vector store cannot be reached or is in a state newsbot cannot use."""

    kind = "store"


class StoreUnreachableError(StoreError):
    """The Chroma server does not answer."""

    exit_code = 4
    kind = "store_unreachable"

    def __init__(self, host: str, port: int, reason: str = "") -> None:
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"Cannot reach the Chroma server at {host}:{port}{why}. Start it (`chroma run "
            "--path DIR --port PORT`) or correct NEWSBOT_CHROMA_HOST and NEWSBOT_CHROMA_PORT."
        )


class StorePermissionError(StoreError):
    """newsbot may not read or write a path it keeps the index in."""

    exit_code = 5
    kind = "permission_denied"

    def __init__(self, path: str) -> None:
        super().__init__(
            f"Permission denied: newsbot cannot write to {path}. It keeps its index in the "
            "data directory (NEWSBOT_DATA_DIR), and even reading the embedded store writes "
            "there; give the user running newsbot write access, or choose another directory."
        )


class NotADirectoryStoreError(StoreError):
    """A path that must be a folder (the data directory or one inside it) is a file."""

    exit_code = 6
    kind = "not_a_directory"

    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path} is not a directory: newsbot keeps its index in NEWSBOT_DATA_DIR, which "
            "must be a folder (or not exist yet). Move the file away or set NEWSBOT_DATA_DIR "
            "to another folder."
        )


class StoreDamagedError(StoreError):
    """The stored index cannot be read; ``newsbot index --rebuild`` replaces it."""

    exit_code = 7
    kind = "store_damaged"

    def __init__(self, path: str, detail: str = "") -> None:
        why = f" ({detail})" if detail else ""
        super().__init__(f"The index in {path} is damaged{why}. {REBUILD_HINT}")


class IndexingError(NewsbotError):
    """A re-index failed; the previous index keeps serving."""

    kind = "indexing"


class ReindexInProgressError(NewsbotError):
    """Another re-index holds the lock on this data directory (or the lease on the server)."""

    exit_code = 8
    kind = "reindex_in_progress"

    def __init__(self, holder: str | None = None) -> None:
        where = f" (on {holder})" if holder else ""
        super().__init__(f"A re-index is already running{where}; try again when it has finished.")


class ConfigurationError(NewsbotError):
    """A setting is missing or inconsistent."""

    kind = "configuration"


class LLMUnavailableError(NewsbotError):
    """The language model did not give a usable reply (timeout, refused, rate-limited, garbled).

    Never shown as an error: the extractive answer is given instead, with this message as
    a short note.
    """

    kind = "llm_unavailable"


class FetchError(NewsbotError):
    """A feed or page could not be fetched or read; the message names it and says why.

    ``reason`` is the short why (for per-item reports), ``permanent`` whether trying again
    later could help (a 404 or a page that is not HTML: no; a timeout or a 503: yes).
    """

    kind = "fetch"

    def __init__(self, url: str, reason: str, *, permanent: bool = False) -> None:
        super().__init__(self.describe(url, reason))
        self.url = url
        self.reason = reason
        self.permanent = permanent

    @staticmethod
    def describe(url: str, reason: str) -> str:
        return f"Could not fetch {url}: {reason}."

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_fetch_error, (type(self), self.url, self.reason, self.permanent))


class URLRefusedError(FetchError):
    """A URL newsbot will not fetch: not http(s), or a private address not allowed."""

    kind = "url_refused"

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason, permanent=True)

    @staticmethod
    def describe(url: str, reason: str) -> str:
        return f"{url} was refused: {reason}."


def _rebuild_fetch_error(
    cls: type[FetchError], url: str, reason: str, permanent: bool
) -> FetchError:
    if issubclass(cls, URLRefusedError):
        return cls(url, reason)
    return cls(url, reason, permanent=permanent)


class FeedError(NewsbotError):
    """The feeds followed cannot be changed as asked (an unknown feed, a bad interval)."""

    kind = "feed"


class FetchInProgressError(NewsbotError):
    """Another fetch of the feeds is running on this data directory."""

    kind = "fetch_in_progress"

    def __init__(self) -> None:
        super().__init__("A fetch of the feeds is already running; try again when it has finished.")
