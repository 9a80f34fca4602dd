"""Loading the live generation's HNSW graph before the first question: chromadb reads the graph
whole on a collection's first query (2 GiB, about 3 s at a million chunks), which a process
starting up can overlap with loading the question model."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.storage.store import Store

log = logging.getLogger(__name__)


def load_graph(store: Store) -> None:
    """Make Chroma load the live generation's graph now (one query for one neighbour of a
    stored vector); nothing when nothing is indexed. A failure is logged and left for the
    first question, which meets it again and reports it."""
    try:
        active = store.active()
        if active is None or not active.chunks:
            return
        collection = store.collection(active)
        probe = collection.get(limit=1, include=["embeddings"])
        if len(probe["ids"]) and probe["embeddings"] is not None:
            collection.query(query_embeddings=probe["embeddings"][:1], n_results=1, include=[])
    except Exception as e:
        log.info("the index could not be opened ahead of the first question: %s", e)


def start_loading_graph(store: Store) -> threading.Thread:
    """:func:`load_graph` in a background thread (a daemon: a process that ends first does
    not wait for it)."""
    thread = threading.Thread(target=load_graph, args=(store,), name="load-graph", daemon=True)
    thread.start()
    return thread
