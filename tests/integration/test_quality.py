"""Answer quality with the real model and a real index: the seed article among SQuAD's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SHARED_EVAL

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (SHARED_EVAL / "squad-v1.1-dev").exists(),
        reason="the shared evaluation data (../shared/eval) is not beside the repository",
    ),
]


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory, document_embedder: Any) -> Any:
    """The bundled corpus indexed beside the 48 SQuAD v1.1 dev articles."""
    from index.ingest.pipeline import Indexer
    from index.settings import Settings
    from index.storage.store import Store
    from tests.conftest import REPO

    settings = Settings(data_dir=tmp_path_factory.mktemp("crowded") / "data")
    summary = Indexer(settings, Store(settings), lambda: document_embedder).run(
        [REPO / "corpus", SHARED_EVAL / "squad-v1.1-dev" / "corpus.json"]
    )
    assert summary.added == 49 and not summary.failed
    return settings


def test_sochi_still_cites_the_not_to_use_force_passage(crowded: Any, make_answerer: Any) -> None:
    answer = make_answerer(crowded).ask("What was agreed at Sochi?")
    assert answer.found
    assert "agreed not to use force" in answer.citations[0].passage
    assert "agreed not to use force" in answer.answer.split("[1]")[0]
    # No phrase of the sentence is sure enough to be shown in bold (docs/decisions.md, "Short
    # answers"); the answer's line says it.
    assert answer.short_answer is None


def test_a_squad_question_is_answered_from_its_article(crowded: Any, make_answerer: Any) -> None:
    answer = make_answerer(crowded).ask("Which NFL team represented the AFC at Super Bowl 50?")
    assert answer.found and {c.title for c in answer.citations} == {"Super Bowl 50"}
    # What `newsbot eval` counts as answer_in_citations@3: a cited passage holds the answer.
    assert any("Denver Broncos" in c.passage for c in answer.citations)


def test_the_world_cup_is_still_not_in_the_corpus(crowded: Any, make_answerer: Any) -> None:
    assert not make_answerer(crowded).ask("Who won the 2022 football World Cup?").found


def test_a_source_filter_keeps_to_that_source(crowded: Any, make_answerer: Any) -> None:
    from index.models import SearchFilters

    answer = make_answerer(crowded).ask(
        "What was agreed at Sochi?", filters=SearchFilters(source="Wikipedia (via SQuAD 1.1 dev)")
    )
    assert all(c.source == "Wikipedia (via SQuAD 1.1 dev)" for c in answer.citations)
    assert all("Armenia" not in c.title for c in answer.citations)


def test_passages_are_verbatim_windows_of_their_articles(crowded: Any, make_answerer: Any) -> None:
    from index.ingest.corpus import load_corpus

    squad = SHARED_EVAL / "squad-v1.1-dev" / "corpus.json"
    bodies = {a.id: a.body for a in load_corpus([squad], max_file_bytes=2**25).articles}
    answer = make_answerer(crowded).ask("When did the Normans conquer England?")
    for passage in answer.retrieved:
        if passage.article_id in bodies:
            assert bodies[passage.article_id][passage.start : passage.end] == passage.text
            assert passage.sentence in passage.text
