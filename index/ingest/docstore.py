"""What the indexer knows of each indexed article: its hash, its file, and its chunks' ids.

One small JSON file per generation (``generations/<collection>/g000005.docstore.json``):
``{article id: [hash, path, generation that added its chunks, chunk count]}``. The hash
decides what a re-index embeds; the path keeps the articles of a file that fails to load;
the generation and count give the Chroma ids of its chunks (``<article>#s<n>@g<generation>``),
so that replacing them needs no search. llama-index's ``SimpleDocumentStore`` keeps every
article's whole text as well and is rewritten whole by every run, which grows with the
corpus rather than with the change (docs/decisions.md, "Storage: incremental generations").

When the file is missing (another machine indexed into a shared Chroma server, or the data
directory was lost) it is rebuilt from the generation's own records: each carries
llama-index's link to its article, with the article's hash and metadata as indexed.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from index.storage.records import GEN_ADDED, iter_pages, node_from_record, record_id

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from index.storage.generations import Visibility

log = logging.getLogger(__name__)

_FORMAT = 2


@dataclass(frozen=True, slots=True)
class IndexedArticle:
    """An indexed article as the docstore records it."""

    hash: str
    path: str
    generation: int  # the generation that added its chunks
    chunks: int | tuple[str, ...]  # how many (ids follow the usual pattern), or their ids

    def chroma_ids(self, article_id: str) -> list[str]:
        """The Chroma ids of the article's chunks."""
        if isinstance(self.chunks, tuple):
            return list(self.chunks)
        return [record_id(f"{article_id}#s{i}", self.generation) for i in range(self.chunks)]

    @property
    def chunk_count(self) -> int:
        return len(self.chunks) if isinstance(self.chunks, tuple) else self.chunks


Docstore = dict[str, IndexedArticle]


def indexed(
    article_id: str, doc_hash: str, path: str, generation: int, chroma_ids: Sequence[str]
) -> IndexedArticle:
    """The docstore entry of an article whose chunks have ``chroma_ids``."""
    article = IndexedArticle(doc_hash, path, generation, len(chroma_ids))
    if article.chroma_ids(article_id) != list(chroma_ids):
        article = IndexedArticle(doc_hash, path, generation, tuple(chroma_ids))
    return article


def docstore_path(files: Path, generation: int) -> Path:
    return files / f"g{generation:06d}.docstore.json"


def load(files: Path, generation: int) -> Docstore | None:
    """The docstore saved for ``generation``, or None when it is missing or unreadable."""
    path = docstore_path(files, generation)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != _FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        return {
            article_id: IndexedArticle(
                str(h), str(p), int(g), tuple(c) if isinstance(c, list) else int(c)
            )
            for article_id, (h, p, g, c) in data["articles"].items()
        }
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as e:
        log.warning("the docstore %s is unreadable (%s); rebuilding it from the index", path, e)
        return None


def save(files: Path, generation: int, docstore: Mapping[str, IndexedArticle]) -> None:
    """Save ``docstore`` as ``generation``'s (atomically).

    Raises:
        OSError: The folder cannot be written.
    """
    files.mkdir(parents=True, exist_ok=True)
    articles = {
        article_id: [
            a.hash,
            a.path,
            a.generation,
            list(a.chunks) if isinstance(a.chunks, tuple) else a.chunks,
        ]
        for article_id, a in docstore.items()
    }
    target = docstore_path(files, generation)
    tmp = files / f".{target.name}-{secrets.token_hex(4)}"
    with open(tmp, "x", encoding="utf-8") as out:
        json.dump({"format": _FORMAT, "articles": articles}, out, ensure_ascii=False)
    os.replace(tmp, target)


def sweep(files: Path, keep: int) -> None:
    """Delete the docstores of other generations than ``keep``."""
    if files.is_dir():
        for path in files.glob("g*.docstore.json"):
            if path != docstore_path(files, keep):
                path.unlink(missing_ok=True)


def docstore_from_collection(collection: Collection, visibility: Visibility) -> Docstore:
    """The docstore of a generation, rebuilt from the records a reader of it sees.

    Every stored chunk carries llama-index's link to its article (id, hash and metadata of
    the article as it was indexed): so the hashes that decide what to re-embed are exact.
    """
    found: dict[str, tuple[str, str, int, list[str]]] = {}
    for page in iter_pages(collection, ["metadatas"]):
        for chroma_id, record in zip(page["ids"], page["metadatas"] or [], strict=True):
            if not visibility.sees(record):
                continue
            source = node_from_record(record, None).source_node
            if source is None:
                continue
            entry = found.setdefault(
                source.node_id,
                (
                    source.hash or "",
                    str((source.metadata or {}).get("path", "")),
                    int(str(record.get(GEN_ADDED) or 0)),
                    [],
                ),
            )
            entry[3].append(chroma_id)
    return {
        article_id: indexed(article_id, doc_hash, path, generation, _in_order(ids))
        for article_id, (doc_hash, path, generation, ids) in found.items()
    }


def _in_order(chroma_ids: list[str]) -> list[str]:
    """Chunk ids in the order of their sentence numbers (``#s<n>``), where they have one."""

    def position(chroma_id: str) -> tuple[int, str]:
        head = chroma_id.rpartition("@g")[0] or chroma_id
        number = head.rpartition("#s")[2]
        return (int(number) if number.isdigit() else -1, chroma_id)

    return sorted(chroma_ids, key=position)
