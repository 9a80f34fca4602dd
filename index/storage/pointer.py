"""The pointer to the live index: the metadata of a tiny ``<prefix>-state`` collection naming
the live collection and generation, with what the indexer recorded about them.

Flipping it is one Chroma metadata write, which is what makes publication atomic. Keys:
``active`` (the collection), ``generation`` (readers see its records), ``fingerprint``,
``articles``, ``chunks``, ``slots`` (records ever added to the collection), ``indexed_at``,
``embedding_model``, ``flips``, ``removals`` and ``hidden`` (replaced chunks not purged yet,
``generations.py``), and ``writing`` while a run is writing the next generation (so that
the next run knows to clean up after it if it was killed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from index.storage.generations import Visibility

if TYPE_CHECKING:
    from chromadb.api import ClientAPI


@dataclass(frozen=True, slots=True)
class Generation:
    """The live index: a collection, the generation of it readers see, and what the indexer
    recorded about it."""

    collection: str
    number: int  # 0: a collection written before generations, every record visible
    info: Mapping[str, Any]

    @property
    def name(self) -> str:
        return f"{self.collection}@{self.number}"

    @property
    def fingerprint(self) -> str:
        return str(self.info.get("fingerprint", ""))

    @property
    def visibility(self) -> Visibility:
        return Visibility(self.number or None)

    @property
    def chunks(self) -> int:
        return int(self.info.get("chunks") or 0)

    @property
    def slots(self) -> int:
        """Records ever added to the collection: the size of its HNSW graph, which keeps a
        slot for every deleted record."""
        return int(self.info.get("slots") or self.chunks)

    @property
    def hidden(self) -> int:
        """Replaced records still in the collection (purged by a later run)."""
        return int(self.info.get("hidden") or 0)

    @property
    def writing(self) -> int | None:
        """The generation a run started writing and never published, if any."""
        value = self.info.get("writing")
        return int(value) if isinstance(value, int) and value > self.number else None


def read_pointer(client: ClientAPI, name: str) -> Generation | None:
    """The live generation the pointer ``name`` names, or None when there is none."""
    metadata = pointer_metadata(client, name)
    if metadata is None or "active" not in metadata:
        return None
    info = dict(metadata)
    return Generation(
        collection=str(info.pop("active")), number=int(info.get("generation") or 0), info=info
    )


def pointer_metadata(client: ClientAPI, name: str) -> dict[str, Any] | None:
    from chromadb.errors import NotFoundError

    try:
        pointer = client.get_collection(name, embedding_function=None)
    except NotFoundError:
        return None
    return dict(pointer.metadata or {})


def write_pointer(client: ClientAPI, name: str, metadata: Mapping[str, Any]) -> None:
    pointer = client.get_or_create_collection(name, embedding_function=None)
    pointer.modify(metadata=dict(metadata))
