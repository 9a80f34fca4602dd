"""Putting article files in the corpus folder (index/ingest/intake.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import CorpusError
from index.ingest.corpus import load_corpus
from index.ingest.intake import add_file

STORM = b"---\ntitle: Storm hits the coast\nsource: Wire\n---\n\nA storm hit the coast on Sunday.\n"
LIMIT = 2**20


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_a_readable_file_goes_in_under_its_name(tmp_path: Path) -> None:
    intake = add_file(tmp_path, "storm.md", STORM, max_file_bytes=LIMIT)

    assert (intake.name, intake.articles, intake.replaced) == ("storm.md", 1, False)
    assert files_in(tmp_path) == ["storm.md"]  # no staging folder left behind
    (article,) = load_corpus([tmp_path], max_file_bytes=LIMIT).articles
    assert article.title == "Storm hits the coast"


def test_a_file_of_the_same_name_is_replaced(tmp_path: Path) -> None:
    add_file(tmp_path, "storm.md", STORM, max_file_bytes=LIMIT)

    intake = add_file(
        tmp_path, "storm.md", STORM.replace(b"Sunday", b"Monday"), max_file_bytes=LIMIT
    )

    assert intake.replaced and intake.describe() == (
        "storm.md: 1 article, replacing the earlier file"
    )
    assert b"Monday" in (tmp_path / "storm.md").read_bytes()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.md", b"  \n", "empty.md was not added: empty file."),
        ("photo.png", b"\x89PNG", "photo.png was not added: unsupported file type .png"),
        ("broken.json", b"{not json", "broken.json was not added: "),
        ("latin1.txt", "Café".encode("latin-1"), "latin1.txt was not added: not UTF-8 text"),
        (".hidden.md", STORM, "'.hidden.md' cannot be used as a file name"),
    ],
)
def test_a_file_without_a_readable_article_is_refused_and_nothing_is_written(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    with pytest.raises(CorpusError) as refused:
        add_file(tmp_path, name, data, max_file_bytes=LIMIT)

    assert str(refused.value).startswith(reason)
    assert files_in(tmp_path) == []


def test_a_too_large_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = STORM + b"More rain. " * 200_000  # 2.1 MiB

    with pytest.raises(CorpusError, match=r"^big.md is 2.1 MiB, over the 1 MiB limit"):
        add_file(tmp_path, "big.md", big, max_file_bytes=LIMIT)
    assert files_in(tmp_path) == []


def test_a_name_cannot_climb_out_of_the_corpus_folder(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"

    intake = add_file(corpus, "../../etc/storm.md", STORM, max_file_bytes=LIMIT)

    assert intake.name == "storm.md" and files_in(tmp_path) == ["corpus", "corpus/storm.md"]


def test_a_partly_broken_file_goes_in_with_its_problems_listed(tmp_path: Path) -> None:
    lines = b'{"title": "One", "body": "First article."}\n{broken\n'

    intake = add_file(tmp_path, "feed.jsonl", lines, max_file_bytes=LIMIT)

    assert intake.articles == 1 and len(intake.problems) == 1
    assert intake.describe().startswith("feed.jsonl: 1 article; 1 skipped (")


def test_a_file_whose_only_article_has_an_impossible_date_is_refused_with_the_reason(
    tmp_path: Path,
) -> None:
    bad = b"---\ntitle: Leap\npublished_at: 2021-02-30\n---\n\nA story.\n"
    with pytest.raises(CorpusError) as refused:
        add_file(tmp_path, "leap.md", bad, max_file_bytes=LIMIT)
    assert str(refused.value) == (
        "leap.md was not added: published_at '2021-02-30' is not a date that exists "
        "(day is out of range for month)."
    )
    assert files_in(tmp_path) == []
