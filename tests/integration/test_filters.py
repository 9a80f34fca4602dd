"""Source and date filters hold in every retrieval mode: Chroma's `where` and BM25's mask alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from index.models import SearchFilters

pytestmark = pytest.mark.integration

# Three reports of the same kind of event, told with the same words, from two sources and
# three dates, plus one undated report: only the filters can tell them apart.
REPORTS = {
    "january.md": ("Example News", "2023-01-05", "January"),
    "june.md": ("Example Wire", "2023-06-20", "June"),
    "december.md": ("Example News", "2023-12-11", "December"),
    "undated.md": ("Example Wire", "", "an unknown month"),
}
QUESTION = "Which harbour did the storm flood and how many ferries were cancelled?"
MODES = ("hybrid", "dense", "bm25")


@pytest.fixture(scope="module")
def storms(tmp_path_factory: pytest.TempPathFactory, document_embedder: Any) -> Any:
    from index.ingest.pipeline import Indexer
    from index.settings import Settings
    from index.storage.store import Store

    corpus = tmp_path_factory.mktemp("storms")
    for name, (source, day, month) in REPORTS.items():
        (corpus / name).write_text(
            f"---\ntitle: Storm in {month}\nsource: {source}\npublished_at: {day}\n---\n"
            f"A storm flooded the harbour of Porthaven in {month}. Forty ferries were "
            "cancelled and the coast guard closed the port for two days.\n"
        )
    settings = Settings(data_dir=Path(corpus) / "data")
    summary = Indexer(settings, Store(settings), lambda: document_embedder).run([corpus])
    assert summary.added == len(REPORTS)
    return settings


def retrieved(storms: Any, make_answerer: Any, filters: SearchFilters, mode: str) -> list[Any]:
    answer = make_answerer(storms).ask(QUESTION, filters=filters, mode=mode)
    assert answer.retrieved, f"{mode}: nothing retrieved for {filters}"
    return list(answer.retrieved)


@pytest.mark.parametrize("mode", MODES)
def test_a_source_filter_keeps_to_that_source(storms: Any, make_answerer: Any, mode: str) -> None:
    passages = retrieved(storms, make_answerer, SearchFilters(source="Example Wire"), mode)
    assert {p.title for p in passages} == {"Storm in June", "Storm in an unknown month"}


@pytest.mark.parametrize("mode", MODES)
def test_since_and_until_are_inclusive_days(storms: Any, make_answerer: Any, mode: str) -> None:
    passages = retrieved(
        storms, make_answerer, SearchFilters(since="2023-06-20", until="2023-12-11"), mode
    )
    assert {p.title for p in passages} == {"Storm in June", "Storm in December"}


@pytest.mark.parametrize("mode", MODES)
def test_until_leaves_out_undated_articles(storms: Any, make_answerer: Any, mode: str) -> None:
    passages = retrieved(storms, make_answerer, SearchFilters(until="2023-06-19"), mode)
    assert {p.title for p in passages} == {"Storm in January"}


def test_filters_combine(storms: Any, make_answerer: Any) -> None:
    passages = retrieved(
        storms, make_answerer, SearchFilters(source="Example News", since="2023-02-01"), "hybrid"
    )
    assert {p.title for p in passages} == {"Storm in December"}


def test_a_filter_matching_nothing_says_the_corpus_does_not_cover_it(
    storms: Any, make_answerer: Any
) -> None:
    answer = make_answerer(storms).ask(QUESTION, filters=SearchFilters(source="Nobody's Gazette"))
    assert not answer.found and not answer.citations
