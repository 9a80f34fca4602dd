"""Bad input stays a failure of its own item: a question line that is not UTF-8 or cannot be
answered, an article with an impossible date or a link that is not one, a corpus folder
with broken links, link loops and folders named like files. The rest goes on."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import SEED_ARTICLE
from tests.e2e.faults import copy_data, environment, run, succeeded

pytestmark = pytest.mark.e2e

SOCHI = "What was agreed at Sochi?"
HOST = "Who hosted the foreign ministers of Armenia and Azerbaijan?"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("input-faults")
    (root / "corpus").mkdir()
    shutil.copy(SEED_ARTICLE, root / "corpus")  # ids are paths: the same as each test's copy
    succeeded(run(environment(root / "data", root / "corpus"), "index"))
    return root / "data"


@pytest.fixture
def env(indexed: Path, tmp_path: Path) -> dict[str, str]:
    (tmp_path / "corpus").mkdir()
    shutil.copy(SEED_ARTICLE, tmp_path / "corpus")
    return environment(copy_data(indexed, tmp_path / "data"), tmp_path / "corpus")


def records(result: object) -> list[dict[str, object]]:
    return [json.loads(line) for line in succeeded(result).stdout.splitlines()]  # type: ignore[arg-type]


def test_a_question_stream_reports_bad_lines_and_answers_the_rest(env: dict[str, str]) -> None:
    stream = b"\n".join(
        [SOCHI.encode(), b"Caf\xe9 talks?", b"x" * 2500, b"\xff\xfe\x00", HOST.encode()]
    )

    replies = records(run(env, "ask", "--json", "-", stdin=stream + b"\n"))

    assert [r.get("found") for r in replies] == [True, None, None, None, True]
    assert [r.get("error_kind") for r in replies] == [None, "input", "question", "input", None]
    assert replies[1]["line"] == 2 and "not UTF-8 text (byte 0xe9" in str(replies[1]["error"])
    assert "2,500 characters long" in str(replies[2]["error"])


def test_a_chat_goes_on_past_a_line_that_is_not_utf8(env: dict[str, str]) -> None:
    turns = HOST.encode() + b"\n\xe9\xe9\n" + b"where did he host them?\n"

    replies = records(run(env, "chat", "--json", stdin=turns))

    assert [r.get("error_kind") for r in replies] == [None, "input", None]
    assert "Blinken" in str(replies[0]["answer"]) and "Blair House" in str(replies[2]["answer"])


def test_articles_that_cannot_be_right_are_reported_and_the_rest_indexed(
    env: dict[str, str], tmp_path: Path
) -> None:
    corpus = Path(env["NEWSBOT_CORPUS_DIR"])
    (corpus / "leap.md").write_text("---\npublished_at: 2021-02-30\n---\nA leap-day story.\n")
    (corpus / "feed.jsonl").write_text(
        json.dumps({"title": "Good", "url": "https://example.com/good", "body": "Markets rose."})
        + "\n"
        + json.dumps({"title": "Bad", "published_at": "2023-13-01", "body": "A bad month."})
        + "\n"
        + json.dumps({"title": "Script", "url": "javascript:alert(1)", "body": "Click."})
        + "\n"
    )
    (corpus / "link.md").write_text("---\nurl: not a url\n---\nA story with a bad link.\n")
    (corpus / "menu.html").write_text(
        "<html><head><title>Home</title></head><body><nav><a href='/'>Home</a> "
        "<a href='/news'>News</a> <a href='/about'>About us</a></nav></body></html>"
    )
    (corpus / "gone.md").symlink_to("nowhere.md")
    (corpus / "loop").symlink_to(".")
    (corpus / "story.md").mkdir()

    result = run(env, "index", "--json")

    summary = json.loads(succeeded(result).stdout)
    assert summary["added"] == 1 and summary["unchanged"] == 1  # the good line; the seed
    reasons = {(Path(f["path"]).name, f["line"]): f["reason"] for f in summary["failed"]}
    assert reasons == {
        ("leap.md", None): "published_at '2021-02-30' is not a date that exists "
        "(day is out of range for month)",
        ("feed.jsonl", 2): "published_at '2023-13-01' is not a date that exists "
        "(month must be in 1..12)",
        ("feed.jsonl", 3): "url 'javascript:alert(1)' is not a web link: it must start with "
        "http:// or https://",
        ("link.md", None): "url 'not a url' is not a web link: it must start with http:// "
        "or https://",
        ("menu.html", None): "no article text found in the HTML, only navigation and short labels",
        ("gone.md", None): "broken link: it points at nowhere.md, which does not exist",
        ("loop", None): "symbolic link loop: it leads back to itself",
        ("story.md", None): "is a folder, not an article file; its files are read",
    }
    assert run(env, "index", "--strict").returncode == 1
    answered = json.loads(succeeded(run(env, "ask", "--json", "Did markets rise?")).stdout)
    assert answered["found"] and answered["citations"][0]["title"] == "Good"


def test_adding_a_file_whose_only_article_has_an_impossible_date_is_refused(
    env: dict[str, str], tmp_path: Path
) -> None:
    leap = tmp_path / "leap.md"
    leap.write_text("---\ntitle: Leap\npublished_at: 2021-02-30\n---\nA leap-day story.\n")

    result = run(env, "add", str(leap))

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "leap.md was not added: published_at '2021-02-30' is not a date that exists "
        "(day is out of range for month)."
    )
    assert not (Path(env["NEWSBOT_CORPUS_DIR"]) / "leap.md").exists()
    assert os.listdir(env["NEWSBOT_CORPUS_DIR"]) == [SEED_ARTICLE.name]
