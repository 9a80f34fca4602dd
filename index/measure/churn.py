"""Disk after many small re-indexes: does the data directory stay the size of a clean index?

Articles of news size (five paragraphs of a SQuAD article each, about 25 sentences) are
indexed to about ``size`` chunks; then one article at a time is edited (a sentence appended,
then taken out again) and re-indexed, ``edits`` times. The data directory's size is set
against a clean index of the same final corpus in a directory of its own. Disk use depends
on how many vectors are stored, not on their values, so the model is replaced by
:class:`HashedVectors` (a unit vector seeded by the text) and the run takes a minute or two;
everything else is newsbot's own Indexer.

``python -m index.measure.churn --dataset ../shared/eval/squad-v1.1-dev`` prints the figures;
`newsbot bench` reports them too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import time
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from llama_index.core.schema import TransformComponent

from index.measure.scale import write_jsonl

if TYPE_CHECKING:
    from llama_index.core.schema import BaseNode

    from index.settings import Settings

PARAGRAPHS_PER_ARTICLE = 5
_EDIT = " The report was updated after publication."
_DIMENSIONS = 384


class HashedVectors(TransformComponent):
    """Stands in for the embedding model where only the number of vectors matters: a unit
    vector seeded by each chunk's text."""

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        for node in nodes:
            rng = np.random.default_rng(zlib.crc32(node.get_content().encode()))
            vector = rng.normal(size=_DIMENSIONS).astype(np.float32)
            node.embedding = (vector / np.linalg.norm(vector)).tolist()
        return nodes


def news_articles(
    dataset_articles: Sequence[dict[str, Any]], sentences: int
) -> list[dict[str, Any]]:
    """News-sized articles (``PARAGRAPHS_PER_ARTICLE`` paragraphs each) of a SQuAD-style
    corpus.json, until they hold about ``sentences`` sentences."""
    out: list[dict[str, Any]] = []
    total = 0
    for article in dataset_articles:
        paragraphs = [str(p) for p in article.get("paragraphs") or [article["body"]]]
        for part in range(0, len(paragraphs), PARAGRAPHS_PER_ARTICLE):
            body = "\n\n".join(paragraphs[part : part + PARAGRAPHS_PER_ARTICLE])
            out.append(
                {
                    "title": f"{article['title']} ({part // PARAGRAPHS_PER_ARTICLE + 1})",
                    "source": article.get("source") or "",
                    "url": f"{article.get('url', '')}#part{part // PARAGRAPHS_PER_ARTICLE + 1}",
                    "body": body,
                }
            )
            total += body.count(". ") + 1
            if total >= sentences:
                return out
    return out


def measure_churn(
    settings: Settings, articles: Sequence[dict[str, Any]], edits: int, root: Path
) -> dict[str, Any]:
    """Index ``articles``, re-index after each of ``edits`` one-article edits, and compare the
    data directory with a clean index of the final corpus.

    Args:
        settings: The configuration measured; data directories are made under ``root``.
        articles: Corpus items (title, source, url, body).
        edits: One-article edits, each followed by a re-index.
        root: A folder of the measurement's own (emptied first).
    """
    from index.ingest.pipeline import Indexer
    from index.storage.store import Store

    shutil.rmtree(root, ignore_errors=True)
    corpus = root / "corpus.jsonl"
    current = [dict(a) for a in articles]
    write_jsonl(current, corpus)
    churned = _settings_in(settings, root / "churned")
    indexer = Indexer(churned, Store(churned), HashedVectors)
    first = indexer.run([corpus])
    times = []
    for n in range(edits):
        article = current[n % len(current)]
        body = str(article["body"])
        article["body"] = body[: -len(_EDIT)] if body.endswith(_EDIT) else body + _EDIT
        write_jsonl(current, corpus)
        started = time.perf_counter()
        summary = indexer.run([corpus])
        times.append(time.perf_counter() - started)
        assert summary.updated == 1, summary
    clean = _settings_in(settings, root / "clean")
    Indexer(clean, Store(clean), HashedVectors).run([corpus])
    after, fresh = directory_size(churned.data_dir), directory_size(clean.data_dir)
    return {
        "articles": len(current),
        "chunks": first.chunks_embedded,
        "edits": edits,
        "edit_s_median": round(statistics.median(times), 3) if times else 0.0,
        "edit_s_max": round(max(times), 3) if times else 0.0,
        "clean_mib": round(fresh / 2**20, 2),
        "after_edits_mib": round(after / 2**20, 2),
        "ratio": round(after / fresh, 4),
    }


def directory_size(path: Path) -> int:
    """Bytes of the files under ``path`` (following the store link once)."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            file = Path(folder) / name
            if not file.is_symlink():
                total += file.stat().st_size
    return total


def _settings_in(settings: Settings, data_dir: Path) -> Settings:
    from index.measure.workspace import measure_settings

    return measure_settings(settings, data_dir, "churn")


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m index.measure.churn``: the figures as one JSON object."""
    from index.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, required=True, help="A folder with corpus.json.")
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--root", type=Path, default=Path("data/bench/churn"))
    args = parser.parse_args(argv)
    items = json.loads((args.dataset / "corpus.json").read_text(encoding="utf-8"))
    report = measure_churn(Settings(), news_articles(items, args.chunks), args.edits, args.root)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
