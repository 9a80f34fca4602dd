"""The `newsbot` command as a person or a script runs it: real processes, real index."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.e2e.answer_schema import ANSWER_KEYS, CITATION_KEYS
from tests.e2e.faults import write_reports

pytestmark = pytest.mark.e2e

NEWSBOT = str(Path(sys.executable).with_name("newsbot"))

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    environment["NEWSBOT_DATA_DIR"] = str(tmp_path / "data")
    environment["NEWSBOT_CORPUS_DIR"] = str(REPO / "corpus")
    return environment


@pytest.fixture
def newsbot(env: dict[str, str]) -> Run:
    def run(
        *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [NEWSBOT, *args], input=stdin, capture_output=True, text=True, env=env, timeout=300
        )
        if check and result.returncode != 0:
            raise AssertionError(f"newsbot {args} exited {result.returncode}: {result.stderr}")
        return result

    return run


@pytest.fixture
def indexed(newsbot: Run) -> Run:
    newsbot("index")
    return newsbot


def test_sochi_answer_cites_the_not_to_use_force_sentence(indexed: Run) -> None:
    out = indexed("ask", "--json", "What was agreed at Sochi?").stdout
    answer = json.loads(out)
    assert set(answer) == ANSWER_KEYS and answer["found"] is True
    assert "agreed not to use force" in answer["answer"]
    first = answer["citations"][0]
    assert set(first) == CITATION_KEYS
    assert "met late last month in the Russian Black Sea port of Sochi" in first["passage"]
    assert first["passage"] in (REPO / "corpus" / "armenia-azerbaijan-talks.md").read_text()


def test_human_output_shows_the_answer_and_its_sources(indexed: Run) -> None:
    out = indexed("ask", "What was agreed at Sochi?").stdout
    assert re.search(r"agreed not to use force.*\[1\]", out, re.S)
    assert "Sources\n[1] Armenia and Azerbaijan hold US-mediated peace talks in Washington" in out


def test_world_cup_is_not_in_the_corpus(indexed: Run) -> None:
    answer = json.loads(indexed("ask", "--json", "Who won the 2022 football World Cup?").stdout)
    assert answer["found"] is False
    # The wording of a decline is the answer's (index/answer/); it names the nearest articles.
    assert answer["citations"] and "Armenia and Azerbaijan" in answer["answer"]


def test_questions_from_standard_input_give_one_json_line_each(indexed: Run) -> None:
    questions = (
        "What was agreed at Sochi?\n\nWho won the 2022 football World Cup?\n" + "x" * 2500 + "\n"
    )
    lines = indexed("ask", "--json", "-", stdin=questions).stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r.get("found") for r in records] == [True, False, None]
    assert set(records[0]) == ANSWER_KEYS
    assert "2,500 characters long" in records[2]["error"]


def test_chat_from_a_pipe_understands_follow_ups(indexed: Run) -> None:
    turns = "Who hosted the foreign ministers of Armenia and Azerbaijan?\nwhere did he host them?\n"
    records = [
        json.loads(line) for line in indexed("chat", "--json", stdin=turns).stdout.splitlines()
    ]
    assert len(records) == 2
    assert "Blinken" in records[0]["answer"]
    assert "Blair House" in records[1]["answer"]


def test_stats_say_what_is_indexed(indexed: Run) -> None:
    stats = json.loads(indexed("stats", "--json").stdout)
    assert stats["articles"] == 1 and stats["chunks"] >= 1
    assert stats["embedding_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert stats["indexed_at"] and "embedded Chroma" in stats["store"]


def test_index_json_summary_follows_the_schema(newsbot: Run) -> None:
    first = json.loads(newsbot("index", "--json").stdout)
    assert set(first) == {
        "added",
        "updated",
        "unchanged",
        "removed",
        "failed",
        "chunks_embedded",
        "chunks_reused",
        "seconds",
    }
    assert (first["added"], first["failed"]) == (1, [])
    again = json.loads(newsbot("index", "--json").stdout)
    assert (again["added"], again["updated"], again["unchanged"], again["chunks_embedded"]) == (
        0,
        0,
        1,
        0,
    )


def test_asking_before_indexing_says_how_to_index(newsbot: Run) -> None:
    result = newsbot("ask", "What was agreed at Sochi?", check=False)
    assert result.returncode == 3  # NotIndexedError.exit_code
    assert "Nothing is indexed yet. Run `newsbot index`" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "Please type a question"), ("y" * 2001, "2,001 characters long; the limit is 2,000")],
)
def test_unaskable_questions_are_usage_errors(indexed: Run, question: str, message: str) -> None:
    result = indexed("ask", question, check=False)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_folder_mixing_good_and_broken_files_indexes_every_good_article(
    newsbot: Run, env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(REPO / "corpus" / "armenia-azerbaijan-talks.md", folder)
    (folder / "good.json").write_text(
        json.dumps([{"title": "Storm", "body": "A storm hit the coast."}])
    )
    (folder / "feed.jsonl").write_text('{"body": "Markets fell on Monday."}\n{oops\n')
    (folder / "empty.txt").write_text("")
    (folder / "binary.md").write_bytes(b"\x00\x01\x02\x03")
    (folder / "latin1.txt").write_bytes("Caf\xe9".encode("latin-1"))
    (folder / "broken.json").write_text('{"title": ')
    (folder / "huge.txt").write_text("word " * (2**20 // 5 + 10))
    env["NEWSBOT_MAX_FILE_MIB"] = "1"

    result = newsbot("index", "--json", str(folder), check=False)

    assert result.returncode == 0
    summary = json.loads(result.stdout)
    assert summary["added"] == 3  # the seed, the storm and the first line of the feed
    failed = {(Path(f["path"]).name, f["line"]) for f in summary["failed"]}
    assert failed == {
        ("feed.jsonl", 2),
        ("empty.txt", None),
        ("binary.md", None),
        ("latin1.txt", None),
        ("broken.json", None),
        ("huge.txt", None),
    }
    assert newsbot("index", "--strict", str(folder), check=False).returncode == 1


def test_killing_a_re_index_half_way_leaves_the_old_index_answering(
    newsbot: Run, env: dict[str, str], tmp_path: Path
) -> None:
    corpus = tmp_path / "reports"
    corpus.mkdir()
    write_reports(corpus, articles=40, marker="first")
    newsbot("index", str(corpus))
    question = "What did the Kremlin spokesperson call for?"
    before = newsbot("ask", "--json", question).stdout

    write_reports(corpus, articles=40, marker="second")
    reindex = subprocess.Popen(
        [NEWSBOT, "--verbose", "index", str(corpus)],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert reindex.stderr is not None
    for line in reindex.stderr:  # wait until part of the new chunks are embedded
        match = re.search(r"embedded (\d+)/(\d+) articles", line)
        if match and int(match.group(1)) < int(match.group(2)):
            reindex.send_signal(signal.SIGKILL)
            break
    else:
        pytest.fail("the re-index finished before it could be interrupted")
    reindex.wait(timeout=30)
    assert reindex.returncode == -signal.SIGKILL

    assert newsbot("ask", "--json", question).stdout == before
    assert "(first)" in json.loads(before)["citations"][0]["title"]

    summary = json.loads(newsbot("index", "--json", str(corpus)).stdout)
    assert (summary["updated"], summary["failed"]) == (40, [])
    after = json.loads(newsbot("ask", "--json", question).stdout)
    assert "(second)" in after["citations"][0]["title"]
    stats = json.loads(newsbot("stats", "--json").stdout)
    assert stats["articles"] == 40


BRIDGE = (
    "---\ntitle: Harbour bridge approved\nsource: Test Wire\n---\n\n"
    "The city council approved a new harbour bridge on Tuesday. "
    "Construction is expected to take four years.\n"
)


def test_add_puts_good_files_in_the_corpus_and_indexes_them_refusing_the_rest(
    tmp_path: Path, env: dict[str, str], newsbot: Run
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    env["NEWSBOT_CORPUS_DIR"] = str(corpus)
    newsbot("index")
    (tmp_path / "bridge.md").write_text(BRIDGE)
    (tmp_path / "notes.md").write_text("   \n")

    result = newsbot(
        "add", "--json", str(tmp_path / "bridge.md"), str(tmp_path / "notes.md"), check=False
    )

    assert result.returncode == 1  # one file was refused
    report = json.loads(result.stdout)
    assert report["added"] == [{"file": "bridge.md", "articles": 1, "replaced": False}]
    assert report["refused"] == ["notes.md was not added: empty file."]
    assert (report["index"]["added"], report["index"]["unchanged"]) == (1, 1)
    assert sorted(p.name for p in corpus.iterdir()) == ["armenia-azerbaijan-talks.md", "bridge.md"]
    answer = json.loads(newsbot("ask", "--json", "What did the city council approve?").stdout)
    assert answer["found"] and "harbour bridge" in answer["answer"]
    assert answer["citations"][0]["title"] == "Harbour bridge approved"
    # The seed article is still indexed: adding never shrinks the corpus.
    sochi = json.loads(newsbot("ask", "--json", "What was agreed at Sochi?").stdout)
    assert "agreed not to use force" in sochi["answer"]


def test_feedback_export_merges_the_files_of_several_processes(
    newsbot: Run, tmp_path: Path
) -> None:
    from bot.feedback import FeedbackStore, Vote
    from index.models import Answer

    files = []
    for shard, (question, when) in enumerate(
        [
            ("Who won?", "2025-01-02T10:00:00+00:00"),
            ("What was agreed?", "2025-01-01T09:00:00+00:00"),
        ]
    ):
        store = FeedbackStore(tmp_path / f"shard{shard}.sqlite3", clock=lambda when=when: when)
        store.open()
        store.record_vote(store.remember(Answer(question, "An answer.", True)), 7, Vote.DOWN)
        files.append(str(store.path))

    lines = newsbot("feedback", "export", "--json", *files).stdout.splitlines()
    assert [json.loads(line)["question"] for line in lines] == ["What was agreed?", "Who won?"]

    missing = newsbot("feedback", "export", str(tmp_path / "nope.sqlite3"), check=False)
    assert missing.returncode == 1
    assert "There is no feedback file at" in missing.stderr and "Traceback" not in missing.stderr
