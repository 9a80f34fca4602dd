"""The feedback store: answers kept for their buttons, votes kept for evaluation."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.feedback import FeedbackStore, Vote, export_votes
from index.models import Answer, Citation


def make_answer(question: str = "What was agreed at Sochi?") -> Answer:
    cited = (
        Citation(1, "corpus/talks.md", "Talks", "", None, "", "They agreed not to use force.", 0.7),
        Citation(
            2,
            "https://example.com/b",
            "B",
            "Example",
            "2024-01-02",
            "https://example.com/b",
            "B.",
            0.6,
        ),
    )
    return Answer(question, "They agreed not to use force. [1] B. [2]", True, cited)


def test_an_answer_is_recalled_by_the_id_its_buttons_carry(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    answer = make_answer()
    answer_id = store.remember(answer)
    assert len(answer_id) == 32
    assert store.recall(answer_id) == answer
    assert store.recall("0" * 32) is None


def test_answers_survive_a_restart(tmp_path: Path) -> None:
    answer_id = FeedbackStore(tmp_path / "f.sqlite3").remember(make_answer())
    assert FeedbackStore(tmp_path / "f.sqlite3").recall(answer_id) == make_answer()


def test_a_vote_keeps_question_answer_citations_user_hash_and_time(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.sqlite3", clock=lambda: "2024-03-14T10:00:00+00:00")
    answer_id = store.remember(make_answer())
    assert store.record_vote(answer_id, 123456789012345678, Vote.UP) == make_answer()
    (vote,) = store.votes()
    assert vote.answer_id == answer_id and vote.vote is Vote.UP
    assert vote.question == "What was agreed at Sochi?"
    assert vote.answer == "They agreed not to use force. [1] B. [2]"
    assert vote.citation_ids == ("corpus/talks.md", "https://example.com/b")
    assert vote.voted_at == "2024-03-14T10:00:00+00:00"
    assert vote.user_hash == store.user_hash(123456789012345678)
    assert "123456789012345678" not in vote.user_hash and len(vote.user_hash) == 64


def test_the_user_id_is_nowhere_in_the_file(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.sqlite3")
    store.record_vote(store.remember(make_answer()), 987654321098765432, Vote.DOWN)
    assert b"987654321098765432" not in (tmp_path / "f.sqlite3").read_bytes()


def test_one_vote_per_person_per_answer_the_last_counts(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.sqlite3")
    answer_id = store.remember(make_answer())
    store.record_vote(answer_id, 1, Vote.UP)
    store.record_vote(answer_id, 1, Vote.DOWN)
    store.record_vote(answer_id, 2, Vote.UP)
    assert sorted((v.user_hash == store.user_hash(1), v.vote) for v in store.votes()) == [
        (False, Vote.UP),
        (True, Vote.DOWN),
    ]


def test_user_hashes_are_stable_per_store_and_differ_between_people_and_stores(
    tmp_path: Path,
) -> None:
    a = FeedbackStore(tmp_path / "a.sqlite3")
    assert a.user_hash(1) == FeedbackStore(tmp_path / "a.sqlite3").user_hash(1)
    assert a.user_hash(1) != a.user_hash(2)
    assert a.user_hash(1) != FeedbackStore(tmp_path / "b.sqlite3").user_hash(1)  # keyed


def test_old_answers_are_pruned_and_their_votes_refused(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.sqlite3", keep_answers=3)
    ids = [store.remember(make_answer(f"q{i}")) for i in range(5)]
    assert [store.recall(i) is not None for i in ids] == [False, False, True, True, True]
    assert store.record_vote(ids[0], 1, Vote.UP) is None
    assert store.votes() == []
    with sqlite3.connect(tmp_path / "f.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM answers").fetchone() == (3,)


def test_votes_of_several_processes_export_merged_oldest_first(tmp_path: Path) -> None:
    times = ["2025-01-02T10:00:00+00:00", "2025-01-01T10:00:00+00:00"]
    files = []
    for shard, question in enumerate(["Who won?", "What was agreed?"]):
        when = times[shard]
        store = FeedbackStore(tmp_path / f"shard{shard}.sqlite3", clock=lambda when=when: when)
        store.open()
        answer_id = store.remember(Answer(question, "An answer.", True))
        store.record_vote(answer_id, 42, Vote.UP)
        files.append(store.path)

    votes = export_votes(files)

    assert [v["question"] for v in votes] == ["What was agreed?", "Who won?"]
    assert [v["file"] for v in votes] == [str(files[1]), str(files[0])]
    # Each process hashes voters with its own key: one person, two unlinkable hashes.
    assert votes[0]["user_hash"] != votes[1]["user_hash"]


def test_exporting_leaves_a_feedback_file_as_it_was(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    store.open()
    before = store.path.read_bytes()
    assert export_votes([store.path]) == []
    assert store.path.read_bytes() == before
