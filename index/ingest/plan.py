"""What a re-index run changes: which articles it adds, updates, keeps and removes (from
their hashes in the docstore), and the docstore it leaves."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from index.ingest.docstore import Docstore, indexed
from index.models import IndexSummary, LoadFailure

if TYPE_CHECKING:
    from llama_index.core.schema import Document

    from index.storage.store import Generation

# A compaction (a full build copying the stored vectors) runs once the HNSW graph holds this
# share more slots than live chunks: Chroma never reuses a deleted record's slot
# (docs/decisions.md, "Storage: incremental generations").
COMPACT_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class Plan:
    """Which articles a run adds, updates, keeps and removes."""

    added: list[str]
    updated: list[str]
    unchanged: list[str]
    removed: list[str]
    failures: tuple[LoadFailure, ...]
    reusable: bool  # the live generation was made the same way: unchanged chunks are kept

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    @property
    def changed(self) -> set[str]:
        return set(self.added) | set(self.updated)

    def counts(self) -> dict[str, int]:
        return dict(
            added=len(self.added),
            updated=len(self.updated),
            removed=len(self.removed),
            failed=len(self.failures),
        )

    def summary(self, chunks_embedded: int, started: float, reused: int = 0) -> IndexSummary:
        # Without a reusable generation every article is embedded again: all are "updated".
        return IndexSummary(
            added=len(self.added),
            updated=len(self.updated) + (0 if self.reusable else len(self.unchanged)),
            unchanged=len(self.unchanged) if self.reusable else 0,
            removed=len(self.removed),
            failed=self.failures,
            chunks_embedded=chunks_embedded,
            chunks_reused=reused,
            seconds=time.perf_counter() - started,
        )


@dataclass
class Embedded:
    """What a run embedded: each article's Chroma ids, and the BM25 nodes when asked for."""

    chroma_ids: dict[str, list[str]]
    bm25_nodes: list[Any]
    reused: int = 0  # chunks written with their stored vector (index/ingest/reuse.py)

    @property
    def chunks(self) -> int:
        return sum(len(ids) for ids in self.chroma_ids.values())

    @property
    def by_model(self) -> int:
        """The chunks the model embedded."""
        return self.chunks - self.reused


def needs_compaction(active: Generation, plan: Plan, previous: Docstore) -> bool:
    """Whether replaced chunks have left enough dead slots in the HNSW graph to rebuild it."""
    replacing = sum(previous[a].chunk_count for a in [*plan.updated, *plan.removed])
    return active.slots + replacing - active.chunks > COMPACT_SHARE * max(active.chunks, 1)


def next_docstore(
    previous: Docstore,
    documents: list[Document],
    plan: Plan,
    embedded: Embedded,
    number: int,
) -> Docstore:
    """The docstore after a run: unchanged and kept articles as they were, the embedded ones
    with their new chunks."""
    gone = set(plan.removed) | plan.changed
    docstore = {a: entry for a, entry in previous.items() if a not in gone}
    for doc in documents:
        ids = embedded.chroma_ids.get(doc.id_)
        if ids is not None:
            docstore[doc.id_] = indexed(
                doc.id_, doc.hash, str(doc.metadata.get("path", "")), number, ids
            )
    return docstore


def plan_run(
    previous: Docstore,
    documents: list[Document],
    *,
    reusable: bool,
    failures: list[LoadFailure],
) -> Plan:
    plan = Plan(
        added=[], updated=[], unchanged=[], removed=[], failures=tuple(failures), reusable=reusable
    )
    for doc in documents:
        old = previous.get(doc.id_)
        if old is None:
            plan.added.append(doc.id_)
        elif old.hash != doc.hash:
            plan.updated.append(doc.id_)
        else:
            plan.unchanged.append(doc.id_)
    current = {d.id_ for d in documents}
    # Articles of files that fail to load now are kept as they were (when they can be).
    failed_paths = {f.path for f in failures}
    for doc_id, entry in previous.items():
        if doc_id in current:
            continue
        if reusable and entry.path in failed_paths:
            plan.unchanged.append(doc_id)
        else:
            plan.removed.append(doc_id)
    return plan
