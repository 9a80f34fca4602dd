"""What `newsbot eval` says on stderr about indexing its dataset (bot/cli/measuring.py)."""

from __future__ import annotations

import pytest

from bot.cli.measuring import say_indexed
from index.models import IndexSummary, LoadFailure


def summary(embedded: int, *failed: LoadFailure) -> IndexSummary:
    return IndexSummary(
        added=3,
        updated=0,
        unchanged=0,
        removed=0,
        failed=failed,
        chunks_embedded=embedded,
        seconds=4.2,
    )


def test_an_article_the_dataset_could_not_index_is_named_even_when_nothing_was_embedded(
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = LoadFailure("news-fresh/articles/a07.md", "front matter is not valid YAML", None)

    say_indexed("news-fresh", summary(0, broken))

    err = capsys.readouterr().err
    assert "Indexed" not in err  # nothing was embedded this time
    assert "Skipped 1 unreadable article(s); the figures leave them out:" in err
    assert "news-fresh/articles/a07.md: front matter is not valid YAML" in err


def test_a_clean_index_says_only_how_long_it_took(capsys: pytest.CaptureFixture[str]) -> None:
    say_indexed("news-fresh", summary(120))
    assert capsys.readouterr().err == "Indexed news-fresh in 4 s.\n"
