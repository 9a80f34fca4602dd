"""Re-indexing with the real model and a real embedded Chroma in a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from llama_index.core.schema import TextNode, TransformComponent

from index.errors import IndexingError, NotIndexedError
from index.storage.records import documents_of, node_from_record
from index.storage.store import Store

pytestmark = pytest.mark.integration

STORM = (
    "---\ntitle: Storm hits the coast\nsource: Example News\npublished_at: 2023-01-05\n---\n"
    + (
        "A winter storm brought winds of 150 km/h to the northern coast on Thursday. "
        "Ferries were cancelled and thousands of homes lost power overnight.\n"
    )
)
MARKETS = "---\ntitle: Markets fall\nsource: Example Wire\n---\n" + (
    "Stock markets fell sharply on Monday after the central bank raised interest rates "
    "by half a percentage point, the largest rise in two decades.\n"
)


def chunks(settings: Any) -> dict[str, dict[str, Any]]:
    """Every chunk the live generation shows readers: id -> text, article, title and vector."""
    store = Store(settings)
    active = store.active()
    assert active is not None
    got = store.visible_collection(active).get(include=["documents", "metadatas", "embeddings"])
    found = {}
    for text, record, vector in zip(
        documents_of(got), got["metadatas"], got["embeddings"], strict=True
    ):
        chunk = node_from_record(record, text)
        found[chunk.node_id] = {
            "text": chunk.get_content(),
            "article": chunk.ref_doc_id,
            "title": chunk.metadata.get("title"),
            "vector": np.array(vector),
        }
    return found


@pytest.fixture
def news(corpus: Path) -> Path:
    (corpus / "storm.md").write_text(STORM)
    (corpus / "markets.md").write_text(MARKETS)
    return corpus


def test_first_index_embeds_every_article(settings: Any, news: Path, make_indexer: Any) -> None:
    summary = make_indexer(settings).run([news])
    assert (summary.added, summary.updated, summary.unchanged, summary.removed) == (3, 0, 0, 0)
    assert summary.chunks_embedded == len(chunks(settings)) >= 3


def test_unchanged_corpus_embeds_nothing(settings: Any, news: Path, make_indexer: Any) -> None:
    make_indexer(settings).run([news])
    before = chunks(settings)

    def no_model() -> Any:
        raise AssertionError("an unchanged corpus must not even load the model")

    from index.ingest.pipeline import Indexer

    summary = Indexer(settings, Store(settings), no_model).run([news])
    assert (summary.added, summary.updated, summary.unchanged, summary.removed) == (0, 0, 3, 0)
    assert summary.chunks_embedded == 0
    assert chunks(settings).keys() == before.keys()


def test_editing_an_article_embeds_only_the_sentences_it_changed(
    settings: Any, news: Path, make_indexer: Any, document_embedder: Any
) -> None:
    make_indexer(settings).run([news])
    before = chunks(settings)
    (news / "storm.md").write_text(STORM.replace("150 km/h", "170 km/h"))
    embedded: list[str] = []

    class RecordingEmbedder(TransformComponent):
        def __call__(self, nodes: Any, **kwargs: Any) -> Any:
            embedded.extend(n.get_content() for n in nodes)
            return document_embedder(nodes, **kwargs)

    summary = make_indexer(settings, embedder=RecordingEmbedder()).run([news])

    after = chunks(settings)
    storm_id = f"{news.name}/storm.md"
    storm_texts = [c["text"] for c in after.values() if c["article"] == storm_id]
    assert (summary.added, summary.updated, summary.unchanged) == (0, 1, 2)
    assert [t for t in storm_texts if "170 km/h" in t] == embedded  # the edited sentence only
    assert (summary.chunks_embedded, summary.chunks_reused) == (1, len(storm_texts) - 1)
    assert not any("150 km/h" in c["text"] for c in after.values()), "stale chunk left behind"
    old_vectors = {c["text"]: c["vector"] for c in before.values()}
    for chunk in after.values():
        if chunk["text"] in old_vectors:  # untouched articles and sentences keep their vectors
            np.testing.assert_allclose(chunk["vector"], old_vectors[chunk["text"]], atol=1e-6)
        else:  # and the edited sentence has the model's vector of its new text
            (fresh,) = document_embedder([TextNode(text=chunk["text"])])
            np.testing.assert_allclose(chunk["vector"], fresh.embedding, atol=1e-5)


def test_retitling_an_article_keeps_every_vector_without_the_model(
    settings: Any, news: Path, make_indexer: Any
) -> None:
    make_indexer(settings).run([news])
    (news / "storm.md").write_text(STORM.replace("Storm hits the coast", "Storm batters coast"))

    def no_model() -> Any:
        raise AssertionError("the sentences are unchanged: the model is not needed")

    from index.ingest.pipeline import Indexer

    summary = Indexer(settings, Store(settings), no_model).run([news])

    storm = [c for c in chunks(settings).values() if c["article"] == f"{news.name}/storm.md"]
    assert (summary.updated, summary.chunks_embedded, summary.chunks_reused) == (1, 0, len(storm))
    assert {c["title"] for c in storm} == {"Storm batters coast"}


def test_deleting_an_article_removes_its_chunks(
    settings: Any, news: Path, make_indexer: Any
) -> None:
    make_indexer(settings).run([news])
    (news / "markets.md").unlink()

    summary = make_indexer(settings).run([news])

    assert (summary.removed, summary.unchanged, summary.chunks_embedded) == (1, 2, 0)
    assert not any("interest rates" in c["text"] for c in chunks(settings).values())
    assert Store(settings).stats().articles == 2


def test_an_article_broken_by_an_edit_keeps_its_indexed_version(
    settings: Any, news: Path, make_indexer: Any
) -> None:
    make_indexer(settings).run([news])
    (news / "markets.md").write_bytes(b"\xff\xfe broken \x00 bytes")

    summary = make_indexer(settings).run([news])

    assert [f.path for f in summary.failed] == [f"{news.name}/markets.md"]
    assert summary.removed == 0
    assert any("interest rates" in c["text"] for c in chunks(settings).values())


def test_a_failed_re_index_leaves_the_previous_index_answering(
    settings: Any, news: Path, make_indexer: Any, make_answerer: Any
) -> None:
    make_indexer(settings).run([news])
    before = make_answerer(settings).ask("What was agreed at Sochi?")
    (news / "storm.md").write_text(STORM.replace("Thursday", "Friday"))

    class BrokenEmbedder(TransformComponent):
        def __call__(self, nodes: Any, **kwargs: Any) -> Any:
            raise RuntimeError("out of memory")

    with pytest.raises(IndexingError, match="previous index is still answering"):
        make_indexer(settings, embedder=BrokenEmbedder()).run([news])

    assert make_answerer(settings).ask("What was agreed at Sochi?") == before
    assert "Thursday" in " ".join(c["text"] for c in chunks(settings).values())
    summary = make_indexer(settings).run([news])
    assert summary.updated == 1
    assert "Friday" in " ".join(c["text"] for c in chunks(settings).values())


def test_asking_before_anything_is_indexed_says_how_to_index(
    settings: Any, make_answerer: Any
) -> None:
    with pytest.raises(NotIndexedError, match="newsbot index"):
        make_answerer(settings).ask("What was agreed at Sochi?")


def test_changing_how_articles_are_split_rebuilds_everything(
    settings: Any, news: Path, make_indexer: Any
) -> None:
    make_indexer(settings).run([news])
    smaller = settings.model_copy(update={"max_sentence_tokens": 16})

    summary = make_indexer(smaller).run([news])

    assert (summary.updated, summary.unchanged) == (3, 0)
    assert len(chunks(smaller)) > 3


def test_an_unchanged_run_gives_an_older_main_index_its_vector_file(
    settings: Any, news: Path, make_indexer: Any
) -> None:
    from index.storage.vectors import SHAPE, VECTORS

    make_indexer(settings).run([news])
    (vectors,) = settings.data_dir.glob(f"generations/*/bm25-g*/{VECTORS}")
    saved = vectors.read_bytes()
    vectors.unlink()  # as a main index saved before filtered searches scored vectors
    (vectors.parent / SHAPE).unlink()

    def no_model() -> Any:
        raise AssertionError("the vectors come from Chroma, not the model")

    from index.ingest.pipeline import Indexer

    summary = Indexer(settings, Store(settings), no_model).run([news])

    assert (summary.unchanged, summary.chunks_embedded) == (3, 0)
    assert vectors.read_bytes() == saved  # the same rows, in the same order


def test_new_dating_rules_re_date_every_chunk_without_the_model(
    settings: Any, news: Path, make_indexer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from index.ingest import chunking, pipeline
    from index.ingest.pipeline import Indexer
    from index.text.events import Event

    make_indexer(settings).run([news])
    before = chunks(settings)
    day = dt.date(2001, 2, 3)

    def new_rules(text: str, spans: Any, published: Any, news: Any = None) -> list[Event]:
        return [Event(day, day, "day") for _ in spans]

    monkeypatch.setattr(chunking, "sentence_events", new_rules)
    monkeypatch.setattr(pipeline, "DATING_VERSION", pipeline.DATING_VERSION + 1)

    def no_model() -> Any:
        raise AssertionError("only the dates changed: the model is not needed")

    summary = Indexer(settings, Store(settings), no_model).run([news])

    assert (summary.chunks_embedded, summary.chunks_reused) == (0, len(before))
    store = Store(settings)
    active = store.active()
    assert active is not None
    got = store.visible_collection(active).get(include=["metadatas"])
    assert {m["event_start"] for m in got["metadatas"]} == {20010203}
    after = chunks(settings)
    assert after.keys() == before.keys()
    for chunk_id, chunk in after.items():
        np.testing.assert_allclose(chunk["vector"], before[chunk_id]["vector"], atol=1e-6)
