"""Adding article files to the corpus folder (`newsbot add`, and /add in Discord).

A file is read as the indexer would read it before it is put in the folder: one that holds
no readable article is refused with the reason, and nothing is written; one whose items
are partly broken (a bad line in a .jsonl) goes in, with its problems listed, because the
indexer skips those items and indexes the rest. A file goes in under its own name, so
sending a corrected file of the same name replaces the article in place. It is written
to a hidden folder inside the corpus (which the indexer skips) and then renamed, so a
re-index never reads half a file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from index.errors import CorpusError
from index.ingest.corpus import SUPPORTED_SUFFIXES, load_corpus
from index.models import LoadFailure


@dataclass(frozen=True, slots=True)
class Intake:
    """A file put in the corpus folder."""

    name: str  # its name in the corpus folder
    articles: int  # readable articles it holds
    replaced: bool  # it replaced a file of the same name
    problems: tuple[LoadFailure, ...] = ()  # items of it the indexer will skip

    def describe(self) -> str:
        """One line for the person who sent it."""
        count = f"{self.articles} article{'s' if self.articles != 1 else ''}"
        line = f"{self.name}: {count}" + (", replacing the earlier file" if self.replaced else "")
        if self.problems:
            line += f"; {len(self.problems)} skipped ({self.problems[0].reason})"
        return line


def add_file(corpus_dir: Path, filename: str, data: bytes, *, max_file_bytes: int) -> Intake:
    """Put ``data`` in ``corpus_dir`` as ``filename`` if it holds at least one article.

    Raises:
        CorpusError: The name or type cannot be used, or the file holds no readable article;
            the message says which and why.
    """
    name = _usable_name(filename)
    if len(data) > max_file_bytes:
        raise CorpusError(
            f"{name} is {len(data) / 2**20:.1f} MiB, over the {max_file_bytes / 2**20:g} MiB "
            "limit (NEWSBOT_MAX_FILE_MIB)."
        )
    corpus_dir.mkdir(parents=True, exist_ok=True)
    incoming = Path(tempfile.mkdtemp(prefix=".incoming-", dir=corpus_dir))
    try:
        staged = incoming / name
        staged.write_bytes(data)
        read = load_corpus([staged], max_file_bytes=max_file_bytes)
        if not read.articles:
            reason = read.failures[0].reason if read.failures else "no article found"
            raise CorpusError(f"{name} was not added: {reason}.")
        target = corpus_dir / name
        replaced = target.exists()
        os.replace(staged, target)
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    return Intake(name, len(read.articles), replaced, tuple(read.failures))


def _usable_name(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name.strip()
    if not name or name.startswith("."):
        raise CorpusError(f"{filename!r} cannot be used as a file name in the corpus.")
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise CorpusError(
            f"{name} was not added: unsupported file type {suffix or '(none)'}; "
            f"use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}."
        )
    return name
