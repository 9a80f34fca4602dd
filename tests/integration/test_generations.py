"""Generations in one collection, with the real model and a real embedded Chroma: a re-index
writes only what changed, readers see one generation whole, leftovers and replaced chunks
go, full builds replace the store folder, BM25 repairs itself."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from index.ingest.pipeline import Indexer
from index.search.retriever import Retriever
from index.storage import generations
from index.storage.manifest import manifest_path
from index.storage.store import Store

pytestmark = pytest.mark.integration

STORM = (
    "---\ntitle: Storm hits the coast\nsource: Example News\npublished_at: 2023-01-05\n---\n"
    "A winter storm brought winds of 150 km/h to the northern coast on Thursday. "
    "Ferries were cancelled and thousands of homes lost power overnight.\n"
)
MARKETS = (
    "---\ntitle: Markets fall\nsource: Example Wire\n---\n"
    "Stock markets fell sharply on Monday after the central bank raised interest rates.\n"
)
QUESTION = "How fast were the winds of the storm?"


@pytest.fixture
def news(corpus: Path) -> Path:
    (corpus / "storm.md").write_text(STORM)
    (corpus / "markets.md").write_text(MARKETS)
    return corpus


def records(settings: Any) -> list[dict[str, Any]]:
    """Every record of the live collection, visible or not."""
    store = Store(settings)
    active = store.active()
    assert active is not None
    got = store.collection(active).get(include=["metadatas"])
    return [{"id": i, **m} for i, m in zip(got["ids"], got["metadatas"], strict=True)]


def stores_in(settings: Any) -> list[str]:
    return sorted(p.name for p in (settings.data_dir / "stores").iterdir())


def edit(news: Path, speed: int) -> None:
    (news / "storm.md").write_text(STORM.replace("150 km/h", f"{speed} km/h"))


def test_an_edit_adds_only_its_chunks_to_the_same_collection_as_the_next_generation(
    settings: Any, news: Path, make_indexer: Any
) -> None:
    make_indexer(settings).run([news])
    before, folders = records(settings), stores_in(settings)
    edit(news, 170)

    summary = make_indexer(settings).run([news])

    after = records(settings)
    storm = [r for r in before if r["document_id"].endswith("storm.md")]
    assert stores_in(settings) == folders  # the same store, the same collection
    written = summary.chunks_embedded + summary.chunks_reused
    assert len(after) == len(before) + written == len(before) + len(storm)
    assert {r["gen_removed"] for r in after if r["id"] in {s["id"] for s in storm}} == {2}
    assert {r["gen_added"] for r in after if r["id"] not in {b["id"] for b in before}} == {2}
    active = Store(settings).active()
    assert active is not None and (active.number, active.chunks) == (2, len(before))


def test_a_reader_keeps_its_generation_whole_until_it_looks_again(
    settings: Any,
    news: Path,
    make_indexer: Any,
    make_answerer: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A reader looks at the pointer at most once a second; here, not until told to.
    monkeypatch.setattr("index.search.retriever._POINTER_CHECK_SECONDS", 3600.0)
    make_indexer(settings).run([news])
    reader = make_answerer(settings)
    before = reader.ask(QUESTION)
    assert "150 km/h" in before.answer
    edit(news, 170)
    make_indexer(settings).run([news])

    assert reader.ask(QUESTION) == before  # generation 1, whole, beside generation 2
    reader.retriever.refresh()
    assert "170 km/h" in reader.ask(QUESTION).answer


def test_a_run_killed_before_its_flip_is_undone_by_the_next(
    settings: Any, news: Path, make_indexer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_indexer(settings).run([news])
    clean = {r["id"] for r in records(settings)}
    edit(news, 170)

    def killed(*args: Any, **kwargs: Any) -> None:
        raise SystemExit("killed")  # not an Exception: nothing of the run's own catches it

    monkeypatch.setattr(Store, "publish", killed)
    with pytest.raises(SystemExit):
        make_indexer(settings).run([news])
    monkeypatch.undo()
    assert Store(settings).active().writing == 2  # type: ignore[union-attr]
    assert len(records(settings)) > len(clean)  # its chunks and marks are there, unseen

    edit(news, 190)
    make_indexer(settings).run([news])

    after = records(settings)
    assert not [r for r in after if r["id"] not in clean and r["gen_added"] != 2]
    assert {r["gen_removed"] for r in after} == {0, 2}
    assert not any("170" in str(r["_node_content"]) for r in after)


def test_replaced_chunks_are_purged_once_no_reader_can_see_them(
    settings: Any, news: Path, make_indexer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generations, "PURGE_GRACE_SECONDS", 0.0)
    monkeypatch.setattr("index.ingest.plan.COMPACT_SHARE", 10.0)  # no compaction meanwhile
    make_indexer(settings).run([news])
    count = len(records(settings))
    for speed in (160, 170, 180):
        edit(news, speed)
        make_indexer(settings).run([news])

    # The last edit's replaced chunks stay until the next run; the earlier ones are gone.
    storm = sum(1 for r in records(settings) if r["document_id"].endswith("storm.md"))
    assert len(records(settings)) == count + storm // 2
    assert {r["gen_removed"] for r in records(settings)} == {0, 4}


def test_a_run_that_finds_nothing_changed_still_purges_what_no_reader_sees(
    settings: Any, news: Path, make_indexer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generations, "PURGE_GRACE_SECONDS", 0.0)
    make_indexer(settings).run([news])
    count = len(records(settings))
    edit(news, 170)
    make_indexer(settings).run([news])
    active = Store(settings).active()
    assert active is not None and active.hidden == 2 and len(records(settings)) == count + 2

    summary = Indexer(settings, Store(settings), _no_model).run([news])

    assert summary.unchanged == 3
    active = Store(settings).active()
    assert active is not None and (active.number, active.hidden) == (2, 0)
    assert len(records(settings)) == count


def test_a_compaction_copies_the_live_chunks_to_a_new_store_folder(
    settings: Any, news: Path, make_indexer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_indexer(settings).run([news])
    first = stores_in(settings)
    monkeypatch.setattr("index.ingest.pipeline.needs_compaction", lambda *a: True)
    edit(news, 170)

    summary = make_indexer(settings).run([news])

    # the unchanged articles copied, the edited one's unchanged sentence kept, one embedded
    assert (summary.unchanged, summary.chunks_embedded, summary.chunks_reused) == (2, 1, 1)
    assert stores_in(settings) != first and len(stores_in(settings)) == 1
    assert all(r["gen_removed"] == 0 for r in records(settings))
    active = Store(settings).active()
    assert active is not None and active.slots == active.chunks == len(records(settings))


def test_a_damaged_store_is_replaced_by_a_rebuild(
    settings: Any, news: Path, make_indexer: Any, make_answerer: Any
) -> None:
    make_indexer(settings).run([news])
    sqlite = settings.data_dir / "chroma" / "chroma.sqlite3"
    sqlite.write_bytes(b"garbage" * 1000)

    summary = make_indexer(settings).run([news], rebuild=True)

    assert (summary.updated, summary.chunks_embedded > 0) == (0, True)  # nothing could be read
    assert len(stores_in(settings)) == 1
    assert "150 km/h" in make_answerer(settings).ask(QUESTION).answer


@pytest.mark.parametrize("damage", ["manifest", "main"])
def test_a_missing_or_damaged_bm25_index_is_rebuilt_from_chroma(
    settings: Any, news: Path, make_indexer: Any, query_embedder: Any, damage: str
) -> None:
    make_indexer(settings).run([news])
    store = Store(settings)
    active = store.active()
    assert active is not None
    files = store.files(active.collection)
    if damage == "manifest":
        manifest_path(files, active.number).unlink()
    else:
        [ids] = files.glob("bm25-g*/ids.npy")
        ids.write_bytes(b"broken")

    candidates = Retriever(store, query_embedder).candidates(QUESTION, mode="bm25")

    assert any("150 km/h" in c.window for c in candidates)
    assert manifest_path(files, active.number).exists()


def test_an_unchanged_run_repairs_a_missing_bm25_index(
    settings: Any, news: Path, make_indexer: Any
) -> None:
    make_indexer(settings).run([news])
    active = Store(settings).active()
    assert active is not None
    files = Store(settings).files(active.collection)
    for path in files.iterdir():
        if path.name.startswith("bm25-g"):
            for inner in path.iterdir():
                inner.unlink()
            path.rmdir()

    summary = Indexer(settings, Store(settings), _no_model).run([news])

    assert summary.unchanged == 3 and any(files.glob("bm25-g*/newsbot.json"))


def _no_model() -> Any:
    raise AssertionError("an unchanged corpus must not load the model")


def test_a_new_chunking_builds_a_new_store_folder_and_removes_the_old(
    settings: Any, news: Path, make_indexer: Any
) -> None:
    make_indexer(settings).run([news])
    first = stores_in(settings)
    smaller = settings.model_copy(update={"max_sentence_tokens": 16})

    make_indexer(smaller).run([news])

    assert len(stores_in(settings)) == 1 and stores_in(settings) != first
    assert os.readlink(settings.data_dir / "chroma") == f"stores/{stores_in(settings)[0]}"
    assert len(list((settings.data_dir / "generations").iterdir())) == 1


def test_another_collection_prefix_in_the_same_data_directory_is_not_mistaken_for_damage(
    settings: Any, news: Path, make_indexer: Any
) -> None:
    from index.errors import StoreDamagedError

    make_indexer(settings.model_copy(update={"collection": "newsbot-eval-x"})).run([news])
    assert Store(settings).active() is None  # nothing indexed under this prefix yet

    make_indexer(settings).run([news])
    (settings.data_dir / "chroma" / "chroma.sqlite3").write_bytes(b"")  # now ours is lost
    with pytest.raises(StoreDamagedError):
        Store(settings).active()
