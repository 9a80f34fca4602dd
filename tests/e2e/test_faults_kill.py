"""A re-index killed with SIGKILL at several points: one whole index keeps answering (the old
one, or the new one once it was published; never a mix), and the next run finishes the job
and leaves nothing of the killed one behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.faults import (
    answer,
    assert_no_leftovers,
    copy_data,
    environment,
    kill_when,
    markers,
    run,
    succeeded,
    write_reports,
)

pytestmark = pytest.mark.e2e

REPORTS = 18  # two batches of 16 articles: a progress report between them
# Where the run is killed: while embedding, while writing BM25, while publishing.
POINTS = {
    "embedding": r"embedded [1-9]\d*/\d+ articles",
    "writing BM25": r"writing the BM25 index",
    "publishing": r"publishing generation",
}


@pytest.fixture(scope="module")
def first_edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the first edition of the reports indexed."""
    root = tmp_path_factory.mktemp("kill")
    write_reports(root / "corpus", REPORTS, "first")
    succeeded(run(environment(root / "data", root / "corpus"), "index"))
    return root / "data"


@pytest.fixture
def second_edition(first_edition: Path, tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A copy of that data directory, and a corpus where every report was edited."""
    data = copy_data(first_edition, tmp_path / "data")
    write_reports(tmp_path / "corpus", REPORTS, "second")
    return environment(data, tmp_path / "corpus"), data


def test_a_reindex_killed_anywhere_leaves_one_whole_index_and_the_next_run_cleans_up(
    second_edition: tuple[dict[str, str], Path],
) -> None:
    env, data = second_edition

    # Killed again and again, each run first cleaning up after the one before.
    for point, pattern in POINTS.items():
        kill_when(env, pattern, "index")
        edition = markers(answer(env))
        assert edition in ({"first"}, {"second"}), point  # one index, whole
        if point != "publishing":  # killed before its flip: the old index answers
            assert edition == {"first"}, point

    summary = json.loads(succeeded(run(env, "index", "--json")).stdout)
    assert summary["failed"] == [] and summary["updated"] + summary["unchanged"] == REPORTS
    assert markers(answer(env)) == {"second"}
    assert_no_leftovers(data)


def test_a_full_build_killed_half_way_leaves_the_old_store_answering(
    second_edition: tuple[dict[str, str], Path],
) -> None:
    env, data = second_edition
    env["NEWSBOT_MAX_SENTENCE_TOKENS"] = "64"  # a new chunking: a new store folder

    kill_when(env, POINTS["embedding"], "index")

    assert markers(answer(env)) == {"first"}
    assert len(list((data / "stores").iterdir())) == 2  # the unfinished one, until the next run
    summary = json.loads(succeeded(run(env, "index", "--json")).stdout)
    assert summary["updated"] == REPORTS and summary["failed"] == []
    assert markers(answer(env)) == {"second"}
    assert_no_leftovers(data)
