"""Reading articles from the corpus folder: .txt, .md, .json, .jsonl and .html files.

A file that cannot be read as articles is reported (by path, and line for .jsonl) and
skipped; every good article in the other files is still returned. So is an article with a
field that cannot be right (a date that does not exist, a url that is not a web link), and
so are what the folder holds but cannot be read: broken links, link loops, folders named
like article files. An article's id is its url when it has one, else its path (plus its
position in a .json list or .jsonl file), so that re-indexing the same corpus updates
articles in place.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from index.errors import CorpusError
from index.models import Article, LoadFailure

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".json", ".jsonl"}

_MAX_TITLE_CHARS = 200
_SNIFF_BYTES = 8192
_WEB_SCHEMES = frozenset({"http", "https"})
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
# An article needs at least one line with this many words: a page whose text is only menu
# labels ("Home", "News", "About us") is navigation, not an article.
_SENTENCE_WORDS = 6


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader with dates left as text: `published_at: 2021-02-30` is then an
    article's bad date to report, not an error that stops the whole run."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class CorpusLoad:
    """The articles read from a corpus and the files (or lines) that failed."""

    articles: list[Article] = field(default_factory=list)
    failures: list[LoadFailure] = field(default_factory=list)


class _Unreadable(Exception):
    """A whole file, or one item in it, is not an article; the message says why."""


def load_corpus(paths: Sequence[Path], *, max_file_bytes: int) -> CorpusLoad:
    """Read every supported file under ``paths``.

    Args:
        paths: Folders (searched recursively, hidden files skipped) or single files.
        max_file_bytes: Files larger than this are reported and skipped.

    Returns:
        The articles in a stable order and the failures, each naming its file.

    Raises:
        CorpusError: A path does not exist.
    """
    load = CorpusLoad()
    seen: dict[str, str] = {}  # article id -> path of the file that first had it
    for root in paths:
        if not root.exists():
            raise CorpusError(f"{root} does not exist.")
        for found in _corpus_files(root.resolve()):
            if isinstance(found, LoadFailure):
                load.failures.append(found)
                continue
            file, display = found
            for item in _read_file(file, display, max_file_bytes):
                if isinstance(item, LoadFailure):
                    load.failures.append(item)
                elif item.id in seen:
                    load.failures.append(
                        LoadFailure(
                            display,
                            f"article id {item.id!r} is already used by {seen[item.id]}; "
                            "give each article its own url",
                        )
                    )
                else:
                    seen[item.id] = display
                    load.articles.append(item)
    return load


def _corpus_files(root: Path) -> Iterator[tuple[Path, str] | LoadFailure]:
    """Yield (file, path shown to people and used in ids) for the files under ``root``, and
    a failure for each thing there that looks like an article file but cannot be read."""
    if root.is_file():
        yield root, root.name
        return
    yield from _walk(root, root, _real_folders(root))


def _real_folders(root: Path) -> set[str]:
    """The folders under ``root`` that are folders, not links: a link to one of them (or to
    a folder outside already followed) is not read twice."""
    found = {os.path.realpath(root)}
    for folder, subfolders, _ in os.walk(root):
        paths = (os.path.join(folder, name) for name in subfolders)
        found.update(os.path.realpath(p) for p in paths if not os.path.islink(p))
    return found


def _walk(folder: Path, root: Path, seen: set[str]) -> Iterator[tuple[Path, str] | LoadFailure]:
    """Files of ``folder`` and its subfolders in name order, hidden ones skipped; a linked
    folder is followed unless it is one ``seen`` holds."""
    try:
        entries = sorted(folder.iterdir())
    except OSError as e:
        yield LoadFailure(_shown(folder, root), f"folder cannot be read ({e.strerror or e})")
        return
    for path in entries:
        if path.name.startswith("."):
            continue
        shown = _shown(path, root)
        supported = path.suffix.lower() in SUPPORTED_SUFFIXES
        if path.is_symlink() and not path.exists():
            problem = _dead_link(path)
            if supported or problem.startswith("symbolic link loop"):
                yield LoadFailure(shown, problem)
        elif path.is_dir():
            if supported:
                yield LoadFailure(shown, "is a folder, not an article file; its files are read")
            if path.is_symlink():
                real = os.path.realpath(path)
                if real in seen:
                    # A link to a folder read anyway loses nothing; one to its own
                    # ancestor would read the corpus forever.
                    if _holds(real, path.parent):
                        yield LoadFailure(shown, "symbolic link loop: it leads back to itself")
                    continue
                seen.add(real)
            yield from _walk(path, root, seen)
        elif supported:
            if path.is_file():
                yield path, shown
            else:
                yield LoadFailure(shown, "not a regular file")


def _holds(real: str, folder: Path) -> bool:
    """Whether the folder at ``real`` is ``folder`` or one of its ancestors."""
    inside = os.path.realpath(folder)
    return inside == real or inside.startswith(real.rstrip(os.sep) + os.sep)


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root.parent).as_posix()


def _dead_link(path: Path) -> str:
    """Why a symbolic link leads nowhere: a loop, or a missing target."""
    try:
        path.resolve(strict=True)
    except (RuntimeError, OSError) as e:
        if isinstance(e, RuntimeError) or getattr(e, "errno", None) == 40:  # ELOOP
            return "symbolic link loop"
    return f"broken link: it points at {os.readlink(path)}, which does not exist"


def _read_file(file: Path, display: str, max_file_bytes: int) -> Iterator[Article | LoadFailure]:
    suffix = file.suffix.lower()
    try:
        if suffix not in SUPPORTED_SUFFIXES:
            raise _Unreadable(
                f"unsupported file type {suffix or '(none)'}; "
                f"use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}"
            )
        text = _read_text(file, max_file_bytes)
        if suffix == ".jsonl":
            yield from _parse_jsonl(text, display)
        elif suffix == ".json":
            yield from _parse_json(text, display)
        elif suffix in HTML_SUFFIXES:
            yield _parse_html(text, display)
        else:
            yield _parse_text(text, display)
    except _Unreadable as e:
        yield LoadFailure(display, str(e))
    except OSError as e:
        yield LoadFailure(display, f"cannot be read ({e.strerror or e})")


def _read_text(file: Path, max_file_bytes: int) -> str:
    size = file.stat().st_size
    if size > max_file_bytes:
        raise _Unreadable(
            f"file is {size / 2**20:.1f} MiB, over the {max_file_bytes / 2**20:g} MiB limit "
            "(NEWSBOT_MAX_FILE_MIB)"
        )
    data = file.read_bytes()
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise _Unreadable("binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _Unreadable(
            f"not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); save it as UTF-8"
        ) from e
    if not text.strip():
        raise _Unreadable("empty file")
    return text


def _parse_text(text: str, display: str) -> Article:
    fields: dict[str, Any] = {}
    body = text
    if text.startswith("---"):
        fields, body = _split_front_matter(text)
    fields["body"] = body.strip()
    if not fields["body"]:
        raise _Unreadable("no article text after the front matter")
    if not fields.get("title"):
        fields["title"] = _title_from_body(fields["body"])
    return _article_from_fields(fields, default_id=display, display=display)


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return {}, text
    end = next((i for i, line in enumerate(lines) if i and line.rstrip() in ("---", "...")), 0)
    if not end:
        raise _Unreadable("front matter starts with --- but never ends with ---")
    try:
        # A safe loader (SafeLoader, without dates): no Python objects are built.
        fields = yaml.load("\n".join(lines[1:end]), Loader=_FrontMatterLoader) or {}
    except yaml.YAMLError as e:
        fields = _plain_fields(lines[1:end])
        if fields is None:
            mark = getattr(e, "problem_mark", None)
            where = f" at line {mark.line + 2}" if mark is not None else ""
            raise _Unreadable(f"invalid YAML front matter{where}") from e
    if not isinstance(fields, dict):
        raise _Unreadable("front matter must be `key: value` lines")
    return fields, "\n".join(lines[end + 1 :])


# A front-matter line as people write it by hand: a plain key, a colon, the rest of the line.
# A value opening with YAML's own syntax (a list, a mapping, a block) is meant as YAML.
_PLAIN_FIELD = re.compile(r"^(?P<key>[A-Za-z_][\w-]*):[ \t]+(?P<value>[^\s\[{|>&*!%@`].*?)\s*$")
_QUOTED = re.compile(r"^(?P<q>[\"'])(?P<inner>.*)(?P=q)$")


def _plain_fields(lines: list[str]) -> dict[str, Any] | None:
    """The fields of front matter that is not YAML only because a value holds a colon or
    quotes of its own (``title: "Not again": fishermen lose appeal``), as a headline often
    does; None when a line is not ``key: value`` (real YAML structure that is broken)."""
    fields: dict[str, Any] = {}
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _PLAIN_FIELD.match(line)
        if match is None:
            return None
        value = match["value"]
        quoted = _QUOTED.match(value)
        if quoted is not None and quoted["q"] not in quoted["inner"]:
            value = quoted["inner"]  # "2019-07-09" is the date, not its quotes
        fields[match["key"]] = value
    return fields or None


def _title_from_body(body: str) -> str:
    first = next(line for line in body.splitlines() if line.strip())
    title = first.strip().lstrip("#").strip()
    if len(title) > _MAX_TITLE_CHARS:
        title = title[: _MAX_TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return title


def _parse_json(text: str, display: str) -> Iterator[Article | LoadFailure]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise _Unreadable(f"invalid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from e
    if isinstance(data, Mapping):
        yield _article_from_fields(data, default_id=display, display=display)
    elif isinstance(data, list):
        for position, item in enumerate(data, start=1):
            try:
                yield _article_from_fields(
                    item, default_id=f"{display}#{position}", display=display
                )
            except _Unreadable as e:
                yield LoadFailure(display, f"article {position} of the list: {e}")
    else:
        raise _Unreadable("JSON must be an article object or a list of them")


def _parse_jsonl(text: str, display: str) -> Iterator[Article | LoadFailure]:
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            try:
                data = json.loads(line)
            except json.JSONDecodeError as e:
                raise _Unreadable(f"invalid JSON: {e.msg} (column {e.colno})") from e
            yield _article_from_fields(data, default_id=f"{display}#{lineno}", display=display)
        except _Unreadable as e:
            yield LoadFailure(display, str(e), line=lineno)


def _parse_html(text: str, display: str) -> Article:
    import trafilatura  # imported here: only HTML corpora pay for it

    extracted = trafilatura.bare_extraction(
        text, with_metadata=True, include_comments=False, as_dict=True
    )
    if not isinstance(extracted, dict) or not (extracted.get("text") or "").strip():
        raise _Unreadable("no article text found in the HTML")
    if not any(len(line.split()) >= _SENTENCE_WORDS for line in extracted["text"].splitlines()):
        raise _Unreadable("no article text found in the HTML, only navigation and short labels")
    url = extracted.get("url") or ""
    fields = {
        "title": extracted.get("title") or _title_from_body(extracted["text"]),
        "source": extracted.get("sitename") or extracted.get("hostname") or "",
        "published_at": extracted.get("date"),
        # A page's own link is not written by the person adding it: a bad one is left out.
        "url": url if _web_link_problem(url) is None else "",
        "body": extracted["text"],
    }
    return _article_from_fields(fields, default_id=display, display=display)


def _article_from_fields(fields: Any, *, default_id: str, display: str) -> Article:
    if not isinstance(fields, Mapping):
        raise _Unreadable("an article must be a JSON object with at least a body")
    body = _text_field(fields, "body").strip()
    if not body:
        raise _Unreadable("article has no body")
    url = _text_field(fields, "url").strip()
    problem = _web_link_problem(url)
    if problem:
        raise _Unreadable(f"url {url[:100]!r} {problem}")
    return Article(
        id=url or default_id,
        title=_text_field(fields, "title").strip() or _title_from_body(body),
        body=body,
        source=_text_field(fields, "source").strip(),
        published_at=_iso_date(fields.get("published_at")),
        url=url,
        path=display,
    )


def _text_field(fields: Mapping[str, Any], name: str) -> str:
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Unreadable(f"field {name!r} must be text, not {type(value).__name__}")
    return value


def _web_link_problem(url: str) -> str | None:
    """Why ``url`` is not a link to a web page (None when it is one, or empty)."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a web link"
    if parts.scheme.lower() not in _WEB_SCHEMES:
        return "is not a web link: it must start with http:// or https://"
    if not parts.netloc or any(c.isspace() for c in url):
        return "is not a web link: it has no host name, or spaces in it"
    return None


def _iso_date(value: object) -> str | None:
    """Normalise a published date to YYYY-MM-DD (a JSON string, or text in front matter)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
        except ValueError as e:
            if _ISO_DAY.match(text):
                raise _Unreadable(f"published_at {value!r} is not a date that exists ({e})") from e
    raise _Unreadable(f"published_at {value!r} is not an ISO date such as 2022-11-07")
