"""Generations inside one Chroma collection: who sees which record, and the writer's chores.

A re-index that changes articles writes only their chunks: it adds the new chunks tagged
with the next generation number (``gen_added``) and marks the chunks they replace with it
(``gen_removed``). A reader at generation G sees exactly the records with
``gen_added <= G`` and not ``0 < gen_removed <= G``: until the pointer names G + 1, none of
the new chunks and all of the old ones; after, the reverse. The flip is one metadata write,
as before; only the cost now follows the change.

Readers do not ask Chroma to filter on generations: a ``where`` that matches nearly every
record made a query cost 40-60 ms at 10k records and 200-630 ms at 100k, against 3-5 ms
unfiltered (measured on chromadb 1.5.9). Invisible records are few (the chunks a re-index
is writing, and replaced chunks not purged yet), so :class:`VisibleCollection` asks for the
usual number of neighbours, drops the invisible ones and asks again for more only when it
dropped some.

Replaced chunks are deleted ("purged") by a later run once no reader can still see them: a
reader re-reads the pointer at least every second before a search (``retriever.py``), so
once :data:`PURGE_GRACE_SECONDS` have passed since the flip that replaced them, no search
still uses the older generation. Chunks written by a run that was killed before its flip
(``gen_added`` above the live generation) are deleted by the next run, and its marks are
undone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from index.storage.records import GEN_ADDED, GEN_REMOVED, iter_pages

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

# How long after a flip the chunks it replaced may still be read. A reader checks the
# pointer before a search if a second has passed; 5 s leaves 4 s for the search itself.
PURGE_GRACE_SECONDS = 5.0
# Machines sharing a Chroma server compare their own clocks (NTP keeps them within a minute).
PURGE_GRACE_SECONDS_SERVER = 90.0
# Flips remembered in the pointer, for the purge.
_FLIPS_KEPT = 32
_WRITE_BATCH = 2000
# Most extra neighbours a filtered query asks for at once (more are fetched if needed).
_MAX_SLACK = 1000


@dataclass(frozen=True, slots=True)
class Visibility:
    """Which records a reader at ``generation`` sees (None: a store written before
    generations, whose records are all visible)."""

    generation: int | None

    def sees(self, metadata: Mapping[str, Any] | None) -> bool:
        if metadata is None:
            return False  # deleted meanwhile (a reader's own HNSW graph still had it)
        if self.generation is None or not metadata:
            return True
        added = metadata.get(GEN_ADDED)
        removed = metadata.get(GEN_REMOVED) or 0
        if isinstance(added, int) and added > self.generation:
            return False
        return not (isinstance(removed, int) and 0 < removed <= self.generation)


class VisibleCollection:
    """A Chroma collection as a reader at one generation sees it.

    ``query`` and ``get`` return only visible records; everything else is the collection's
    own. llama-index's ``ChromaVectorStore`` reads through it unchanged.
    """

    def __init__(self, collection: Collection, visibility: Visibility) -> None:
        self._collection = collection
        self._visibility = visibility
        # While another process writes the next generation into this collection, a query
        # with a ``where`` also asks for records of this generation or older: Chroma's
        # filter reads SQLite, which already holds the new records, while this process's
        # HNSW graph does not ("Error finding id", index/storage/systems.py). The extra
        # condition costs 0.1-0.4 s at 100k records, so it is only added meanwhile.
        self.guard_writes = False
        # Replaced records not purged yet (the pointer counts them). A query with a
        # ``where`` asks for that many more neighbours at once: its filter costs 0.1-0.2 s
        # at 100k records, and a second query would pay it again (measured: p95 0.49 s
        # against 0.25 s for questions about an article just edited).
        self.slack = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)

    @property
    def visibility(self) -> Visibility:
        return self._visibility

    @property
    def raw(self) -> Collection:
        """The collection itself, every record (for ids known to be visible)."""
        return self._collection

    def query(self, *, n_results: int = 10, include: Sequence[str] | None = None, **kw: Any) -> Any:
        wanted = list(include) if include is not None else ["metadatas", "documents", "distances"]
        generation = self._visibility.generation
        if self.guard_writes and kw.get("where") and generation is not None:
            kw["where"] = {"$and": [kw["where"], {GEN_ADDED: {"$lte": generation}}]}
        filtered = bool(kw.get("where"))
        # Unfiltered, replaced records turn up among a question's neighbours only while they
        # await their purge, a few at a time: a quarter more spares most second queries. At
        # 100k chunks after the bench's edits, 51 of 100 questions found some in their top
        # 40; this query's median fell from 16.5-19.2 to 10.1-10.8 ms, the same ids kept.
        margin = min(self.slack, _MAX_SLACK if filtered else n_results // 4)
        asked = n_results + margin
        while True:
            result = self._collection.query(n_results=asked, include=_with_metadatas(wanted), **kw)
            metadatas = (result.get("metadatas") or [[]])[0] or []
            keep = [i for i, m in enumerate(metadatas) if self._visibility.sees(m)]
            found = len(result["ids"][0])
            if len(keep) == found or len(keep) >= n_results or found < asked:
                return _select(result, keep[:n_results], wanted, nested=True)
            dropped = found - len(keep)
            # A filter costs its full price again on every query: take plenty at once.
            asked = asked * 2 + dropped if filtered else asked + max(2 * dropped, n_results // 4)

    def get(self, *, include: Sequence[str] | None = None, **kw: Any) -> Any:
        wanted = list(include) if include is not None else ["metadatas", "documents"]
        result = self._collection.get(include=_with_metadatas(wanted), **kw)
        keep = [i for i, m in enumerate(result.get("metadatas") or []) if self._visibility.sees(m)]
        return _select(result, keep, wanted, nested=False)


def _with_metadatas(wanted: list[str]) -> Any:
    return list(dict.fromkeys([*wanted, "metadatas"]))


def _select(result: Any, keep: list[int], wanted: list[str], *, nested: bool) -> dict[str, Any]:
    """``result`` (a Chroma query or get result) reduced to the rows ``keep``."""
    selected: dict[str, Any] = dict(result)
    for key in ("ids", "metadatas", "documents", "distances", "embeddings", "uris", "data"):
        rows = result.get(key)
        if rows is None or (key != "ids" and key not in wanted):
            selected[key] = None if key != "ids" else rows
            continue
        if nested:
            selected[key] = [[rows[0][i] for i in keep]]
        else:
            selected[key] = [rows[i] for i in keep]
    return selected


# -- the writer's chores ------------------------------------------------------------------


def undo_unpublished(collection: Collection, live: int) -> tuple[int, int]:
    """Remove what a run killed before its flip left: chunks it added, marks it set.

    Returns:
        How many records were deleted and how many marks undone.
    """
    added = _ids(collection, {GEN_ADDED: {"$gt": live}})
    for batch in _batches(added):
        collection.delete(ids=batch)
    marked = _ids(collection, {GEN_REMOVED: {"$gt": live}})
    for batch in _batches(marked):
        collection.update(ids=batch, metadatas=[{GEN_REMOVED: 0}] * len(batch))
    return len(added), len(marked)


def purge_removed(collection: Collection, through: int) -> int:
    """Delete the chunks replaced at or before generation ``through``; how many."""
    if through <= 0:
        return 0
    removed = _ids(
        collection, {"$and": [{GEN_REMOVED: {"$gt": 0}}, {GEN_REMOVED: {"$lte": through}}]}
    )
    for batch in _batches(removed):
        collection.delete(ids=batch)
    return len(removed)


def mark_removed(collection: Collection, chroma_ids: Sequence[str], generation: int) -> None:
    """Mark records as replaced by ``generation`` (readers at it no longer see them)."""
    for batch in _batches(list(chroma_ids)):
        collection.update(ids=batch, metadatas=[{GEN_REMOVED: generation}] * len(batch))


def purge_horizon(flips: Iterable[tuple[int, float]], live: int, now: float, grace: float) -> int:
    """The newest generation whose replaced chunks nobody can read any more.

    A chunk replaced by generation r is read only by readers still at r - 1 or earlier,
    which exist until ``grace`` seconds after the flip to r.
    """
    history = sorted(flips)
    if not history:
        return live
    horizon = history[0][0] - 1  # flips older than the history happened long ago
    for generation, flipped_at in history:
        if now - flipped_at >= grace:
            horizon = max(horizon, generation)
    return max(0, min(horizon, live))


def flips_of(info: Mapping[str, Any]) -> list[tuple[int, float]]:
    """The recent flips (generation, time) recorded in the pointer's metadata."""
    try:
        return [(int(g), float(t)) for g, t in json.loads(str(info.get("flips") or "[]"))]
    except (ValueError, TypeError):
        return []


def with_flip(info: Mapping[str, Any], generation: int, at: float | None = None) -> str:
    """The pointer's ``flips`` after a flip to ``generation`` (as stored: JSON text)."""
    flips = [*flips_of(info), (generation, time.time() if at is None else at)]
    return json.dumps(flips[-_FLIPS_KEPT:])


def removals_of(info: Mapping[str, Any]) -> list[int] | None:
    """The generations whose replaced chunks are not purged yet, as the pointer records
    them; None when it does not (a pointer of an older version: purge to be sure)."""
    if "removals" not in info:
        return None
    try:
        return [int(g) for g in json.loads(str(info["removals"]))]
    except (ValueError, TypeError):
        return None


def _ids(collection: Collection, where: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for page in iter_pages(collection, [], where=where):
        found += page["ids"]
    return found


def _batches(ids: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), _WRITE_BATCH):
        yield ids[start : start + _WRITE_BATCH]
