"""What went wrong with the store, named for a person: the errors of Chroma, httpx and the
file system translated into newsbot's own (``index/errors.py``).

Chroma reports most failures of its embedded store as ``InternalError`` with SQLite's or
the operating system's message inside ("(code: 11) database disk image is malformed",
"Not a directory (os error 20)"); those messages are matched here, in one place, so that
every caller says the same thing about the same fault.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path

from index.errors import (
    NewsbotError,
    NotADirectoryStoreError,
    StoreDamagedError,
    StoreError,
    StorePermissionError,
    StoreUnreachableError,
)

# SQLite result codes and OS errors inside Chroma's messages (measured on chromadb 1.5.9:
# a truncated chroma.sqlite3 gives code 11, a garbled one code 26, a read-only one code 8).
_PERMISSION = re.compile(
    r"\(code: 8\)|readonly database|os error 13\b|os error 30\b|permission denied", re.I
)
_NOT_A_DIRECTORY = re.compile(r"os error 20\b|not a directory|os error 17\b|file exists", re.I)
_DAMAGED = re.compile(
    r"\(code: (10|11|26)\)|malformed|not a database|unapplied migrations|no such table"
    r"|hnsw|corrupt|invalid header|unexpected end of file|failed to fill whole buffer",
    re.I,
)
_PERMISSION_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}


def store_fault(
    error: BaseException,
    *,
    path: Path,
    server: tuple[str, int] | None = None,
) -> NewsbotError | None:
    """The newsbot error that ``error`` means, or None when it is none of the known faults.

    Args:
        error: What Chroma, httpx or the file system raised.
        path: The store's folder (embedded) or the data directory, named in the message
            when the error itself names no path.
        server: Host and port of the Chroma server, when one is used.
    """
    if isinstance(error, NewsbotError):
        return error
    if server is not None and _is_connection_failure(error):
        return StoreUnreachableError(server[0], server[1], _short(error))
    if isinstance(error, OSError):
        return _os_fault(error, path)
    text = str(error)
    if _NOT_A_DIRECTORY.search(text):
        return NotADirectoryStoreError(str(path))
    if _PERMISSION.search(text):
        return StorePermissionError(str(path))
    if _DAMAGED.search(text):
        return StoreDamagedError(str(path), _short(error))
    return None


def store_error(
    error: BaseException,
    *,
    path: Path,
    server: tuple[str, int] | None = None,
    doing: str,
) -> NewsbotError:
    """:func:`store_fault`, or a plain :class:`StoreError` saying what was being done."""
    return store_fault(error, path=path, server=server) or StoreError(
        f"Could not {doing} ({type(error).__name__}: {_short(error)})."
    )


def _os_fault(error: OSError, path: Path) -> NewsbotError | None:
    where = str(error.filename) if error.filename else str(path)
    if isinstance(error, PermissionError) or error.errno in _PERMISSION_ERRNOS:
        return StorePermissionError(where)
    if isinstance(error, NotADirectoryError | FileExistsError) or error.errno == errno.ENOTDIR:
        return NotADirectoryStoreError(_first_file(Path(where)))
    if error.errno == errno.ENOSPC:
        return StoreError(f"No space left on the disk holding {where}.")
    return None


def _first_file(path: Path) -> str:
    """The part of ``path`` that is a file where a folder was expected (the path itself if
    none is found)."""
    for candidate in [*reversed(path.parents), path]:
        if candidate.exists() and not candidate.is_dir():
            return str(candidate)
    return str(path)


def _is_connection_failure(error: BaseException) -> bool:
    import httpx

    if isinstance(error, httpx.TransportError | ConnectionError | TimeoutError):
        return True
    # chromadb's HttpClient turns a refused connection into this ValueError.
    return isinstance(error, ValueError) and "could not connect" in str(error).lower()


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 160 else text[:157] + "…"
