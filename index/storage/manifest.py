"""The BM25 index of each generation on disk: a manifest naming the main index, the chunks of
it the generation no longer sees, and the delta (``lexical.py``).

```
generations/<collection>/
  bm25-g000003/          a main index (bm25s files + newsbot.json), built at generation 3
  g000005.bm25.json      generation 5: main bm25-g000003, hidden chunks, delta records
```

A missing or unreadable manifest or main index is rebuilt from the generation's own Chroma
records — by a reader on its first question, or by the indexer — and said so in the log:
nothing a person has to repair by hand.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.storage.delta import DeltaRecord
from index.storage.generations import Visibility
from index.storage.lexical import LexicalIndex, view
from index.storage.main_index import (
    build_main,
    delta_record,
    ensure_vectors,
    load_main,
    looks_saved,
    main_documents,
    merge_threshold,
    visible_nodes,
)

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from llama_index.core.schema import TextNode

log = logging.getLogger(__name__)

_FORMAT = 1
# A damaged BM25 file raises one of these when it is read (JSON, numpy, bm25s).
READ_ERRORS = (OSError, ValueError, KeyError, TypeError, IndexError, EOFError)


@dataclass(frozen=True)
class Manifest:
    generation: int
    main: str  # folder name of the main index
    hidden: tuple[str, ...]  # Chroma ids of main records the generation does not see
    delta: tuple[DeltaRecord, ...]


def manifest_path(files: Path, generation: int) -> Path:
    return files / f"g{generation:06d}.bm25.json"


def main_dir(files: Path, generation: int) -> Path:
    return files / f"bm25-g{generation:06d}"


def read(files: Path, generation: int) -> Manifest:
    """The manifest of ``generation``.

    Raises:
        OSError, ValueError, KeyError, TypeError: It is missing or damaged.
    """
    data = json.loads(manifest_path(files, generation).read_text(encoding="utf-8"))
    if data.get("format") != _FORMAT or int(data["generation"]) != generation:
        raise ValueError(f"manifest of another format or generation: {data.get('generation')}")
    return Manifest(
        generation=generation,
        main=str(data["main"]),
        hidden=tuple(str(h) for h in data["hidden"]),
        delta=tuple(DeltaRecord.from_json(r) for r in data["delta"]),
    )


def _write(files: Path, manifest: Manifest) -> None:
    data: dict[str, Any] = {
        "format": _FORMAT,
        "generation": manifest.generation,
        "main": manifest.main,
        "hidden": list(manifest.hidden),
        "delta": [r.to_json() for r in manifest.delta],
    }
    target = manifest_path(files, manifest.generation)
    files.mkdir(parents=True, exist_ok=True)
    tmp = files / f".{target.name}-{secrets.token_hex(4)}"
    with open(tmp, "x", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False)
    os.replace(tmp, target)


def add_missing_vectors(collection: Collection, files: Path, generation: int) -> int:
    """Give ``generation``'s main index the vector file it was saved without (by a version
    before filtered searches scored vectors themselves): the rows written, 0 if it had them.
    About 80 s at a million chunks, once; until then filtered searches ask Chroma to filter.
    """
    return ensure_vectors(collection, files / read(files, generation).main)


def looks_usable(files: Path, generation: int) -> bool:
    """Whether ``generation``'s manifest reads and names a main index with its files (a cheap
    check: the main index itself is read by the first question)."""
    try:
        main = files / read(files, generation).main
    except READ_ERRORS:
        return False
    return looks_saved(main)


def saved_view(
    files: Path, generation: int, previous: LexicalIndex | None = None
) -> LexicalIndex | None:
    """The view of ``generation`` as saved, or None (logged) if its files are unusable."""
    try:
        manifest = read(files, generation)
        if previous is not None and previous.main.name == manifest.main:
            main = previous.main
        else:
            main = load_main(files / manifest.main)
        return view(generation, main, manifest.hidden, manifest.delta)
    except FileNotFoundError:
        log.info("no BM25 index of generation %d in %s; building it from Chroma", generation, files)
    except READ_ERRORS as e:
        log.warning(
            "the BM25 index of generation %d in %s is damaged (%s); rebuilding it from Chroma",
            generation,
            files,
            e,
        )
    return None


def rebuild_view(
    collection: Collection, files: Path, generation: int, visibility: Visibility
) -> LexicalIndex | None:
    """A main index of the chunks ``visibility`` sees, saved (if possible) as ``generation``'s."""
    main = build_main(
        visible_nodes(collection, visibility), main_dir(files, generation), generation
    )
    if main is None:
        return None
    index = view(generation, main, (), ())
    try:
        _write(files, Manifest(generation, main.name, (), ()))
    except OSError as e:
        log.warning("could not save the BM25 manifest in %s (%s); it is kept in memory", files, e)
    return index


def next_view(
    collection: Collection,
    files: Path,
    previous: int,
    generation: int,
    removed: Iterable[str],
    added: Sequence[TextNode],
) -> int | None:
    """The indexer's BM25 for ``generation``: ``previous``'s without the chunks ``removed``
    (Chroma ids) and with ``added`` (their BM25 nodes), saved. Rebuilt from Chroma when the
    previous one is unusable or the changes pass the merge threshold.

    Only the manifests are read, never the main index: a chunk removed is in the delta or
    else in the main index, since those two hold every chunk the previous generation saw.

    Returns:
        Chunks in the delta (0 after a rebuild); None when the generation holds none.
    """
    try:
        before = read(files, previous)
        documents = main_documents(files / before.main)
    except READ_ERRORS as e:
        log.warning("the BM25 index of generation %d is unusable (%s); rebuilding it", previous, e)
        return _rebuilt(collection, files, generation)
    gone = set(removed)
    in_delta = {r.chroma_id for r in before.delta}
    hidden = set(before.hidden) | (gone - in_delta)
    delta = [r for r in before.delta if r.chroma_id not in gone]
    delta += [delta_record(node) for node in added]
    if len(delta) + len(hidden) > merge_threshold(documents):
        log.info("merging %d changed BM25 records into a new main index", len(delta) + len(hidden))
        return _rebuilt(collection, files, generation)
    _write(files, Manifest(generation, before.main, tuple(sorted(hidden)), tuple(delta)))
    return len(delta)


def _rebuilt(collection: Collection, files: Path, generation: int) -> int | None:
    index = rebuild_view(collection, files, generation, Visibility(generation))
    return None if index is None else 0


def sweep(files: Path, keep: Iterable[int]) -> None:
    """Delete the manifests of other generations than ``keep``, the main indexes none of the
    kept ones names, and temporary files of killed runs."""
    if not files.is_dir():
        return
    kept = set(keep)
    wanted: set[str] = set()
    for generation in kept:
        try:
            wanted.add(read(files, generation).main)
        except READ_ERRORS:
            continue
    for path in files.iterdir():
        if _unwanted(path.name, kept, wanted):
            _remove(path)


def _unwanted(name: str, kept: set[int], wanted: set[str]) -> bool:
    if name.startswith("."):  # temporary files of a killed run
        return True
    if name.endswith(".bm25.json"):
        return _generation_of(name) not in kept
    return name.startswith("bm25-g") and name not in wanted


def _generation_of(name: str) -> int | None:
    digits = name[1:].split(".", 1)[0]
    return int(digits) if digits.isdigit() else None


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
