"""`newsbot eval` on the news question sets of tests/data, with the targets it must keep.

The figures are what `newsbot eval --dataset tests/data/<set>` prints; each test names the
target it holds. Where a target of the news-grade answers issue is not reached yet, the
test holds the level reached, so that it cannot slip back, and says so (see the README,
"Answer quality").
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.integration

DATA = REPO / "tests" / "data"


def evaluate(name: str, tmp: Path, make_indexer: Any, make_answerer: Any) -> dict[str, Any]:
    from index.answer.conversation import Conversation
    from index.measure.news import NewsQuestion, evaluate_news, load_news_dataset
    from index.models import Answer
    from index.settings import Settings

    dataset = load_news_dataset(DATA / name)
    settings = Settings(data_dir=tmp / "data", today=dataset.today, top_k=10)
    make_indexer(settings).run([dataset.articles])
    answerer = make_answerer(settings)

    def asking(conversation: Conversation | None) -> Callable[[NewsQuestion], Answer]:
        return lambda q: answerer.ask(q.question, conversation=conversation)

    return evaluate_news(dataset, asking(None), lambda: asking(Conversation()))


@pytest.fixture(scope="module")
def news_dev(tmp_path_factory: pytest.TempPathFactory, document_embedder: Any) -> dict[str, Any]:
    return _run("news-dev", tmp_path_factory, document_embedder)


@pytest.fixture(scope="module")
def holdout(tmp_path_factory: pytest.TempPathFactory, document_embedder: Any) -> dict[str, Any]:
    return _run("news-holdout", tmp_path_factory, document_embedder)


@pytest.fixture(scope="module")
def blind(tmp_path_factory: pytest.TempPathFactory, document_embedder: Any) -> dict[str, Any]:
    return _run("news-blind", tmp_path_factory, document_embedder)


@pytest.fixture(scope="module")
def blind2(tmp_path_factory: pytest.TempPathFactory, document_embedder: Any) -> dict[str, Any]:
    return _run("news-blind2", tmp_path_factory, document_embedder)


@pytest.fixture(scope="module")
def blind3(tmp_path_factory: pytest.TempPathFactory, document_embedder: Any) -> dict[str, Any]:
    return _run("news-blind3", tmp_path_factory, document_embedder)


@pytest.fixture(scope="module")
def blind4(tmp_path_factory: pytest.TempPathFactory, document_embedder: Any) -> dict[str, Any]:
    return _run("news-blind4", tmp_path_factory, document_embedder)


@pytest.fixture(scope="module")
def blind5(tmp_path_factory: pytest.TempPathFactory, document_embedder: Any) -> dict[str, Any]:
    return _run("news-blind5", tmp_path_factory, document_embedder)


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory, document_embedder: Any) -> dict[str, Any]:
    return _run("seed-questions", tmp_path_factory, document_embedder)


def _run(name: str, factory: pytest.TempPathFactory, embedder: Any) -> dict[str, Any]:
    from index.answer.extractive import Answerer
    from index.embedding.model import load_query_embedder
    from index.ingest.pipeline import Indexer
    from index.search.retriever import Retriever
    from index.storage.store import Store

    return evaluate(
        name,
        factory.mktemp(name),
        lambda s: Indexer(s, Store(s), lambda: embedder),
        lambda s: Answerer(s, Retriever(Store(s), load_query_embedder())),
    )


def test_plain_questions_are_answered_in_the_answer_text(news_dev: dict[str, Any]) -> None:
    assert news_dev["plain"]["answer_in_text"] >= 0.90  # target: 90 %


def test_few_answerable_questions_are_declined(
    news_dev: dict[str, Any], seed: dict[str, Any]
) -> None:
    assert news_dev["decline"]["answerable_declined"] <= 0.05  # target: at most 5 %
    assert seed["decline"]["answerable_declined"] <= 0.05


def test_paraphrased_questions_about_one_article_are_answered(seed: dict[str, Any]) -> None:
    assert seed["plain"]["answer_in_text"] >= 0.90
    assert seed["unanswerable"]["declined_with_reason"] == 1.0  # the off-topic ones


def test_unanswerable_questions_are_declined_with_a_reason(news_dev: dict[str, Any]) -> None:
    # Target 85 %; reached: 11 of 12 (92 %).
    assert news_dev["unanswerable"]["declined_with_reason"] >= 0.916
    assert news_dev["decline"]["precision"] >= 0.90


def test_time_questions_are_answered_with_a_citation_of_the_right_date(
    news_dev: dict[str, Any],
) -> None:
    # Target 90 %; reached: 14 of 17 (82 %) with both the answer and the date right.
    assert news_dev["time"]["both"] >= 0.82
    assert news_dev["time"]["answer_in_text"] >= 0.94


def test_follow_ups_are_answered(news_dev: dict[str, Any]) -> None:
    # Target 5 of 6 conversations; reached: 6 of 7 (8 of 9 follow-up turns).
    assert news_dev["follow_ups"]["right"] >= 6
    assert news_dev["follow_ups"]["turns_right"] >= 8


def test_a_short_answer_when_shown_is_right(news_dev: dict[str, Any], seed: dict[str, Any]) -> None:
    shown = news_dev["short_answers"]["shown"] + seed["short_answers"]["shown"]
    right = (
        news_dev["short_answers"]["shown"] * news_dev["short_answers"]["precision"]
        + seed["short_answers"]["shown"] * seed["short_answers"]["precision"]
    )
    # Reached: 12 shown (8 + 4), all right; shown for 40 % of answers is not reached.
    assert shown >= 12
    assert right / shown >= 0.9  # target: 85 %


def test_a_story_read_only_for_its_failures_keeps_its_level(holdout: dict[str, Any]) -> None:
    # news-holdout, a dev set since its failures were read (docs/decisions.md). Targets:
    # plain 90 %, time 90 %, 85 % declined with at most 5 % of answerable ones. Reached:
    # plain 13 of 14, time 10 of 12 with answer and date, 8 of 8 declined, 1 of 26 wrongly;
    # follow-ups 3 of 3.
    assert holdout["plain"]["answer_in_text"] >= 0.928
    assert holdout["time"]["both"] >= 0.833
    assert holdout["unanswerable"]["declined_with_reason"] == 1.0
    assert holdout["decline"]["answerable_declined"] <= 0.05
    assert holdout["follow_ups"]["right"] == 3


def test_the_stories_written_blind_keep_the_level_their_failures_taught(
    blind: dict[str, Any], blind2: dict[str, Any]
) -> None:
    # news-blind and news-blind2, dev sets since their failures were read in session 20.
    # Reached on news-blind: plain 20 of 21, time 15 of 16, 8 of 10 declined and none of 37
    # answerable, follow-ups 5 of 6. On news-blind2: plain 16 of 21, time 10 of 18, 9 of 10
    # declined and 1 of 39 answerable, follow-ups 2 of 6 (7 of 12 turns).
    assert blind["plain"]["answer_in_text"] >= 0.952
    assert blind["time"]["both"] >= 0.937
    assert blind["unanswerable"]["declined_with_reason"] >= 0.8
    assert blind["decline"]["answerable_declined"] == 0.0
    assert blind["follow_ups"]["right"] >= 5
    assert blind2["plain"]["answer_in_text"] >= 0.761
    assert blind2["time"]["both"] >= 0.555
    assert blind2["unanswerable"]["declined_with_reason"] >= 0.9
    assert blind2["decline"]["answerable_declined"] <= 0.03
    assert blind2["follow_ups"]["turns_right"] >= 7


def test_the_stories_read_in_the_fifth_pass_keep_their_level(
    blind3: dict[str, Any], blind4: dict[str, Any]
) -> None:
    # news-blind3 and news-blind4, dev sets since session 21 read their failures. Reached on
    # news-blind3: plain 18 of 22, time 13 of 17, 8 of 10 declined and none of 39
    # answerable, follow-ups 5 of 6. On news-blind4: plain 18 of 22, time 12 of 17, 10 of
    # 10 declined and none of 39 answerable, follow-ups 1 of 6 (5 of 12 turns). Each floor
    # is one question below: two index builds of one corpus (HNSW inserts are not
    # deterministic) were seen to move a set's figures by one question.
    assert blind3["plain"]["answer_in_text"] >= 17 / 22
    assert blind3["time"]["both"] >= 12 / 17
    assert blind3["unanswerable"]["declined_with_reason"] >= 0.7
    assert blind3["decline"]["answerable_declined"] <= 1 / 39
    assert blind3["follow_ups"]["right"] >= 4
    assert blind4["plain"]["answer_in_text"] >= 17 / 22
    assert blind4["time"]["both"] >= 11 / 17
    assert blind4["unanswerable"]["declined_with_reason"] >= 0.9
    assert blind4["decline"]["answerable_declined"] <= 1 / 39
    assert blind4["follow_ups"]["turns_right"] >= 4


def test_the_story_read_in_the_sixth_pass_keeps_its_level(blind5: dict[str, Any]) -> None:
    # news-blind5, a dev set since session 22 read its failures. Reached: plain 17 of 22,
    # time 15 of 17, 8 of 10 declined and 1 of 39 answerable, follow-ups 1 of 6 (5 of 11
    # turns). Each floor is one question below (HNSW builds differ by about one question).
    assert blind5["plain"]["answer_in_text"] >= 16 / 22
    assert blind5["time"]["both"] >= 14 / 17
    assert blind5["unanswerable"]["declined_with_reason"] >= 0.7
    assert blind5["decline"]["answerable_declined"] <= 2 / 39
    assert blind5["follow_ups"]["turns_right"] >= 4
