from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.errors import CorpusError
from index.ingest.corpus import load_corpus

MIB = 2**20
SHARED_SQUAD = Path(__file__).parents[3] / "shared" / "eval" / "squad-v1.1-dev" / "corpus.json"


def load(*paths: Path, max_file_bytes: int = MIB):
    return load_corpus(list(paths), max_file_bytes=max_file_bytes)


def test_markdown_front_matter_gives_the_metadata(tmp_path: Path) -> None:
    (tmp_path / "talks.md").write_text(
        "---\ntitle: Peace talks\nsource: Example News\npublished_at: 2022-11-07\n"
        "url: https://example.com/talks\n---\nLeaders met in Washington.\n"
    )
    [article] = load(tmp_path).articles
    assert article.title == "Peace talks"
    assert article.source == "Example News"
    assert article.published_at == "2022-11-07"
    assert article.url == "https://example.com/talks"
    assert article.body == "Leaders met in Washington."


def test_article_with_url_is_identified_by_it_else_by_path(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\nurl: https://example.com/a\n---\nText A.\n")
    (tmp_path / "b.txt").write_text("Text B.\n")
    ids = {a.id for a in load(tmp_path).articles}
    assert ids == {"https://example.com/a", f"{tmp_path.name}/b.txt"}


def test_title_falls_back_to_first_heading_or_line(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("\n# Storm hits coast\n\nWinds of 150 km/h.\n")
    (tmp_path / "b.txt").write_text("Markets fell on Monday.\nMore text.\n")
    titles = sorted(a.title for a in load(tmp_path).articles)
    assert titles == ["Markets fell on Monday.", "Storm hits coast"]


def test_json_list_and_jsonl_lines_each_give_an_article(tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text(
        json.dumps([{"title": "One", "body": "First."}, {"body": "Second."}])
    )
    (tmp_path / "lines.jsonl").write_text(
        '{"title": "Three", "body": "Third."}\n\n{"body": "Fourth."}\n'
    )
    articles = load(tmp_path).articles
    assert [a.body for a in articles] == ["Third.", "Fourth.", "First.", "Second."]
    assert articles[1].id.endswith("lines.jsonl#3")
    assert articles[3].id.endswith("list.json#2")


def test_html_main_text_and_metadata_are_extracted(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        "<html><head><title>Talks | Example News</title>"
        '<meta property="og:site_name" content="Example News">'
        '<link rel="canonical" href="https://example.com/talks">'
        '<meta name="date" content="2022-11-07"></head><body><nav>Home | World | Sport</nav>'
        "<article><h1>Talks in Washington</h1><p>Armenia and Azerbaijan held peace talks on "
        "Monday, mediated by the United States, hours after a shootout on their border.</p>"
        "<p>Blinken hosted the foreign ministers at Blair House, a guest house in "
        "Washington.</p></article><footer>Copyright</footer></body></html>"
    )
    [article] = load(tmp_path).articles
    assert article.title == "Talks in Washington"
    assert article.source == "Example News"
    assert article.published_at == "2022-11-07"
    assert article.url == "https://example.com/talks"
    assert "Blair House" in article.body and "Copyright" not in article.body


def test_a_headline_with_a_colon_or_quotes_of_its_own_is_read_as_written(tmp_path: Path) -> None:
    # Not YAML, but how people write front matter by hand: the value is the rest of the line.
    (tmp_path / "appeal.md").write_text(
        '---\ntitle: "Not again": fishermen lose appeal\nsource: Tide Gazette\n'
        'published_at: "2019-07-09"\nurl: https://gazette.example/2019/07/09/appeal\n---\n'
        "The fishermen lost their appeal on Tuesday.\n"
    )
    (tmp_path / "rises.md").write_text(
        "---\ntitle: Tarne Bank rises: construction starts\n---\nThe first pile went in.\n"
    )
    loaded = load(tmp_path)
    assert not loaded.failures
    by_title = {a.title: a for a in loaded.articles}
    appeal = by_title['"Not again": fishermen lose appeal']
    assert (appeal.source, appeal.published_at) == ("Tide Gazette", "2019-07-09")
    assert appeal.url == "https://gazette.example/2019/07/09/appeal"
    assert "Tarne Bank rises: construction starts" in by_title


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\n", "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
        (
            "latin1.txt",
            "Caf\u00e9 au lait".encode("latin-1"),
            "not UTF-8 text (byte 0xe9 at offset 3)",
        ),
        ("broken.json", b'{"title": "x", "body": ', "invalid JSON"),
        ("number.json", b"42", "JSON must be an article object"),
        ("nobody.json", b'{"title": "No body"}', "article has no body"),
        ("badtype.json", b'{"title": 5, "body": "x"}', "field 'title' must be text, not int"),
        ("baddate.md", b"---\npublished_at: last Tuesday\n---\nText.\n", "not an ISO date"),
        ("badyaml.md", b"---\ntitle: [unclosed\n---\nText.\n", "invalid YAML front matter"),
        (
            "badlist.md",
            b"---\ntags:\n  - a: b: c\n---\nText.\n",
            "invalid YAML front matter at line 3",
        ),
        ("unclosed.md", b"---\ntitle: x\nText.\n", "never ends with ---"),
        ("frontonly.md", b"---\ntitle: x\n---\n\n", "no article text after the front matter"),
        ("page.html", b"<html><body><script>x()</script></body></html>", "no article text found"),
        (
            "feb30.md",
            b"---\npublished_at: 2021-02-30\n---\nText.\n",
            "published_at '2021-02-30' is not a date that exists",
        ),
        (
            "feb30.json",
            b'{"published_at": "2021-02-30", "body": "Text."}',
            "is not a date that exists (day is out of range for month)",
        ),
        ("notaurl.md", b"---\nurl: not a url\n---\nText.\n", "url 'not a url' is not a web link"),
        (
            "script.md",
            b"---\nurl: javascript:alert(1)\n---\nText.\n",
            "must start with http:// or https://",
        ),
        ("hostless.json", b'{"url": "https://", "body": "Text."}', "it has no host name"),
        (
            "menu.html",
            b"<html><head><title>Home</title></head><body><nav><ul><li><a href='/'>Home</a></li>"
            b"<li><a href='/news'>News</a></li><li><a href='/about'>About us</a></li></ul></nav>"
            b"</body></html>",
            "only navigation and short labels",
        ),
    ],
)
def test_broken_file_is_reported_by_name_and_skipped(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.txt").write_text("A good article.\n")
    load_result = load(tmp_path)
    assert [a.body for a in load_result.articles] == ["A good article."]
    [failure] = load_result.failures
    assert failure.path == f"{tmp_path.name}/{name}"
    assert reason in failure.reason


def test_huge_file_is_reported_with_the_limit(tmp_path: Path) -> None:
    (tmp_path / "huge.txt").write_text("word " * 300_000)
    [failure] = load(tmp_path, max_file_bytes=MIB).failures
    assert "1.4 MiB, over the 1 MiB limit" in failure.reason


def test_bad_jsonl_lines_are_reported_with_their_line_numbers(tmp_path: Path) -> None:
    (tmp_path / "feed.jsonl").write_text(
        '{"title": "Good", "body": "Kept."}\n{not json}\n["a list"]\n{"body": "Also kept."}\n'
    )
    result = load(tmp_path)
    assert [a.body for a in result.articles] == ["Kept.", "Also kept."]
    assert [(f.line, f.reason.split(":")[0]) for f in result.failures] == [
        (2, "invalid JSON"),
        (3, "an article must be a JSON object with at least a body"),
    ]


def test_second_article_with_the_same_url_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\nurl: https://example.com/x\n---\nFirst.\n")
    (tmp_path / "b.md").write_text("---\nurl: https://example.com/x\n---\nSecond.\n")
    result = load(tmp_path)
    assert [a.body for a in result.articles] == ["First."]
    assert "already used by" in result.failures[0].reason


def test_hidden_and_unsupported_files_in_a_folder_are_ignored(tmp_path: Path) -> None:
    (tmp_path / ".draft.md").write_text("Draft.\n")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "kept.md").write_text("Kept.\n")
    result = load(tmp_path)
    assert [a.body for a in result.articles] == ["Kept."] and not result.failures


def test_links_that_lead_nowhere_and_folders_named_like_files_are_reported(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "kept.md").write_text("Kept.\n")
    (corpus / "sub" / "loop").symlink_to("..")  # back to the corpus folder
    (corpus / "alias").symlink_to("sub")  # the same folder again: read once, no complaint
    (corpus / "broken.md").symlink_to("nowhere.md")
    (corpus / "self.md").symlink_to("self.md")
    (corpus / "story.md").mkdir()
    (corpus / "story.md" / "inside.txt").write_text("Inside.\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "linked.md").write_text("Linked.\n")
    (corpus / "more").symlink_to(outside)  # a folder outside the corpus: followed

    result = load(corpus)

    assert sorted(a.body for a in result.articles) == ["Inside.", "Kept.", "Linked."]
    assert {f.path: f.reason for f in result.failures} == {
        "corpus/broken.md": "broken link: it points at nowhere.md, which does not exist",
        "corpus/self.md": "symbolic link loop",
        "corpus/story.md": "is a folder, not an article file; its files are read",
        "corpus/sub/loop": "symbolic link loop: it leads back to itself",
    }


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load(tmp_path / "nowhere")


@pytest.mark.skipif(
    not SHARED_SQUAD.exists(), reason="the shared evaluation data is not beside the repo"
)
def test_squad_dev_corpus_loads_as_48_articles() -> None:
    result = load(SHARED_SQUAD, max_file_bytes=32 * MIB)
    assert len(result.articles) == 48 and not result.failures
    assert result.articles[0].title == "Super Bowl 50"
    assert result.articles[0].url == "https://en.wikipedia.org/wiki/Super_Bowl_50"
