"""Discord rendering: every limit Discord enforces, clean splits, citation formatting."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot.render import (
    CONTENT_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELDS_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    MESSAGE_EMBEDS_TOTAL_LIMIT,
    NO_MENTIONS,
    QUOTE_CHARS,
    THREAD_NAME_LIMIT,
    Page,
    citation_field,
    citation_heading,
    render_answer,
    render_passages,
    render_progress,
    render_reindex_failure,
    render_status,
    render_summary,
    split_text,
    thread_name,
)
from index.models import (
    Answer,
    AnswerLine,
    Citation,
    IndexProgress,
    IndexStats,
    IndexSummary,
    LoadFailure,
)
from tests.conftest import SEED_ARTICLE

HEADING = (
    "[1] Armenia and Azerbaijan hold US-mediated peace talks in Washington — Example News, "
    "2022-11-07"
)
SOCHI = (
    "The two countries' leaders met late last month in the Russian Black Sea port of Sochi, "
    "along with Russian President Vladimir Putin, and agreed not to use force and to stick to "
    "earlier agreements that sought to end the fighting."
)


def citation(n: int = 1, **overrides: object) -> Citation:
    values: dict[str, object] = {
        "n": n,
        "article_id": f"article-{n}",
        "title": "Armenia and Azerbaijan hold US-mediated peace talks in Washington",
        "source": "Example News",
        "published_at": "2022-11-07",
        "url": f"https://example.com/news/{n}",
        "passage": f"The rest of the meeting was held behind closed doors. {SOCHI} More text.",
        "score": 0.7,
    }
    values.update(overrides)
    return Citation(**values)  # type: ignore[arg-type]


def answer(text: str, citations: tuple[Citation, ...], found: bool = True) -> Answer:
    return Answer(
        question="What was agreed at Sochi?", answer=text, found=found, citations=citations
    )


def assert_within_discord_limits(page: Page) -> None:
    """Everything Discord checks on a message body (what the double answers 50035 for)."""
    assert page.content or page.embeds, "Discord refuses empty messages"
    if page.content is not None:
        assert 0 < len(page.content) <= CONTENT_LIMIT
    assert len(page.embeds) <= EMBEDS_PER_MESSAGE
    assert sum(len(e) for e in page.embeds) <= MESSAGE_EMBEDS_TOTAL_LIMIT
    for embed in page.embeds:
        assert len(embed.title or "") <= EMBED_TITLE_LIMIT
        assert len(embed.description or "") <= EMBED_DESCRIPTION_LIMIT
        assert len(embed.fields) <= EMBED_FIELDS_LIMIT
        assert len(embed.footer.text or "") <= FOOTER_LIMIT
        for item in embed.fields:
            assert 1 <= len(item.name or "") <= FIELD_NAME_LIMIT
            assert 1 <= len(item.value or "") <= FIELD_VALUE_LIMIT


def words(text: str) -> list[str]:
    return text.split()


# -- splitting ------------------------------------------------------------------------------------


def test_short_text_is_one_piece() -> None:
    assert split_text("  Short answer. [1]  ") == ["Short answer. [1]"]
    assert split_text("   ") == []


def test_long_text_is_split_into_pieces_within_the_limit_losing_nothing() -> None:
    text = " ".join(
        f"Sentence number {i} says something about the talks. [{i % 3 + 1}]" for i in range(300)
    )
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(0 < len(p) <= CONTENT_LIMIT for p in pieces)
    assert words(" ".join(pieces)) == words(text)


def test_splits_fall_between_words() -> None:
    text = " ".join(f"word{i:04d}" for i in range(1000))
    for piece in split_text(text, 100):
        assert re.fullmatch(r"word\d{4}( word\d{4})*", piece), piece


def test_splits_prefer_the_end_of_a_sentence() -> None:
    text = "A" * 50 + " ends here. " + "then a long clause without any full stop " * 3
    first, *_ = split_text(text, 120)
    assert first.endswith("ends here.")


def test_splits_prefer_a_paragraph_break() -> None:
    text = "First paragraph, fairly long. " * 3 + "\n\n" + "Second paragraph. " * 6
    first, second, *_ = split_text(text, 150)
    assert first == ("First paragraph, fairly long. " * 3).strip()
    assert second.startswith("Second paragraph.")


def test_a_citation_marker_stays_with_its_sentence() -> None:
    sentence = "x" * 40 + " agreed not to use force."
    text = f"{sentence} [12] Another sentence follows here."
    for limit in range(len(sentence) + 1, len(sentence) + 6):
        first = split_text(text, limit)[0]
        assert not first.endswith("force."), limit  # never "force." | "[12] Another"
        assert not any(p.startswith("[12]") for p in split_text(text, limit))


@pytest.mark.parametrize(
    "link",
    [
        "https://example.com/a/very/long/path?with=query&and=more",
        "[the article](https://example.com/a/b)",
        "<https://example.com/suppressed/embed>",
    ],
)
def test_links_are_never_cut(link: str) -> None:
    text = ("word " * 30) + link + (" word" * 30)
    for limit in range(60, 220, 7):
        pieces = split_text(text, limit)
        assert sum(p.count(link) for p in pieces) == 1, (limit, pieces)


def test_only_a_word_longer_than_the_limit_is_cut_inside() -> None:
    pieces = split_text("short " + "y" * 250 + " tail", 100)
    assert all(len(p) <= 100 for p in pieces)
    assert "".join(pieces).replace(" ", "") == "short" + "y" * 250 + "tail"


# -- answers --------------------------------------------------------------------------------------


def test_a_short_answer_leads_in_bold_cited_with_the_sentence_it_came_from() -> None:
    with_short = replace(answer(f"{SOCHI} [1]", (citation(1),)), short_answer="not to use *force*")
    (page,) = render_answer(with_short)
    assert page.content == f"**not to use \\*force\\*** [1]\n{SOCHI} [1]"


def test_an_answer_is_text_then_a_sources_embed_with_one_field_per_citation() -> None:
    (page,) = render_answer(answer(f"{SOCHI} [1]", (citation(1),)))
    assert page.content == f"{SOCHI} [1]"
    (embed,) = page.embeds
    assert embed.title == "Sources"
    (item,) = embed.fields
    assert item.name == HEADING
    assert "agreed not to use force" in (item.value or "")
    assert "[Read the article](https://example.com/news/1)" in (item.value or "")


def test_an_answer_longer_than_2000_characters_becomes_several_messages() -> None:
    sentences = [f"{SOCHI} [{n}]" for n in (1, 2, 3)] * 4
    text = " ".join(sentences)
    assert len(text) > CONTENT_LIMIT
    pages = render_answer(answer(text, (citation(1), citation(2), citation(3))))
    assert len(pages) >= 2
    for page in pages:
        assert_within_discord_limits(page)
    assert words(" ".join(p.content or "" for p in pages)) == words(text)
    assert all(not p.embeds for p in pages[:-1]) and pages[-1].embeds  # sources come last


def test_many_citations_respect_fields_embed_and_message_limits() -> None:
    long_title = "Headline " * 60
    many = tuple(
        citation(n, title=long_title, source="S" * 300, passage="p " * 3000) for n in range(1, 61)
    )
    pages = render_answer(answer("See the sources. [1]", many))
    for page in pages:
        assert_within_discord_limits(page)
    fields = [f for p in pages for e in p.embeds for f in e.fields]
    assert [int(re.match(r"\[(\d+)\]", f.name or "").group(1)) for f in fields] == list(
        range(1, 61)
    )  # type: ignore[union-attr]


def test_a_long_hint_fits_the_footer() -> None:
    (page,) = render_answer(answer(f"{SOCHI} [1]", (citation(1),)), hint="h " * 1500)
    assert_within_discord_limits(page)
    assert len(page.embeds[-1].footer.text or "") <= FOOTER_LIMIT


def test_not_found_answers_list_the_nearest_articles() -> None:
    text = (
        "The indexed articles do not seem to cover this question. The nearest articles are “A” [1]."
    )
    (page,) = render_answer(answer(text, (citation(1),), found=False))
    assert page.embeds[0].title == "Nearest articles"


def test_an_answer_without_citations_carries_the_hint_as_small_text() -> None:
    pages = render_answer(answer("No indexed article matches those filters.", ()), hint="Ask here.")
    assert [p.content for p in pages] == ["No indexed article matches those filters.\n-# Ask here."]


def test_markdown_in_articles_is_shown_literally_and_mentions_stay_text() -> None:
    text = "Officials said *nothing* about __it__ to @everyone and <@123>. [1]"
    (page,) = render_answer(answer(text, (citation(1, passage=text),)))
    assert (
        page.content == r"Officials said \*nothing\* about \_\_it\_\_ to @everyone and <@123>. [1]"
    )
    assert NO_MENTIONS.to_dict() == {"parse": []}


# -- citations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "date", "heading"),
    [
        ("Reuters", "2022-11-07", "[2] Talks in Washington — Reuters, 2022-11-07"),
        ("", "2022-11-07", "[2] Talks in Washington — 2022-11-07"),
        ("Reuters", None, "[2] Talks in Washington — Reuters"),
        ("", None, "[2] Talks in Washington"),
    ],
)
def test_citation_heading_leaves_out_what_is_missing(
    source: str, date: str | None, heading: str
) -> None:
    c = citation(2, title="Talks in Washington", source=source, published_at=date)
    assert citation_heading(c) == heading


def test_the_seed_article_without_source_date_or_link_is_cited_by_title_only() -> None:
    front = yaml.safe_load(Path(SEED_ARTICLE).read_text().split("---")[1])
    body = Path(SEED_ARTICLE).read_text().split("---", 2)[2]
    c = citation(
        1,
        title=front["title"],
        source=front["source"] or "",
        published_at=front["published_at"],
        url=front["url"] or "",
        passage=body,
    )
    name, value = citation_field(c, [SOCHI])
    assert name == "[1] Armenia and Azerbaijan hold US-mediated peace talks in Washington"
    assert "http" not in value and "Read the article" not in value
    assert value.startswith("“…The two countries' leaders met late last month")


def test_the_quote_is_short_and_starts_at_the_cited_sentence() -> None:
    c = citation(1, passage="Before. " * 100 + SOCHI + " After." * 100)
    _, value = citation_field(c, [SOCHI])
    quote = value.split("\n")[0]
    assert quote.startswith("“…The two countries' leaders") and quote.endswith("…”")
    assert len(quote) <= QUOTE_CHARS + 3


def test_without_a_matching_sentence_the_quote_starts_with_the_passage() -> None:
    _, value = citation_field(citation(1, passage="Opening words of the passage."), [])
    assert value.startswith("“Opening words of the passage.”")


@pytest.mark.parametrize(
    "url",
    [
        "example.com/no-scheme",
        "ftp://example.com/file",
        "https://exa mple.com/x",
        "javascript:alert(1)",
    ],
)
def test_urls_discord_would_not_link_are_left_out(url: str) -> None:
    _, value = citation_field(citation(1, url=url))
    assert "Read the article" not in value
    (embed,) = render_passages(answer("x [1]", (citation(1, url=url),)))[0].embeds
    assert embed.url is None


def test_parentheses_in_a_link_do_not_break_the_markdown() -> None:
    _, value = citation_field(citation(1, url="https://en.wikipedia.org/wiki/Sochi_(city)"))
    assert "[Read the article](https://en.wikipedia.org/wiki/Sochi_%28city%29)" in value


def test_a_huge_url_never_pushes_a_field_over_its_limit() -> None:
    name, value = citation_field(citation(1, url="https://example.com/" + "a" * 880))
    assert len(name) <= FIELD_NAME_LIMIT and len(value) <= FIELD_VALUE_LIMIT


# -- passages -------------------------------------------------------------------------------------


def test_show_passages_gives_each_full_passage_titled_and_linked() -> None:
    cited = (citation(1), citation(2, source="", published_at=None, url=""))
    (page,) = render_passages(answer("x [1] y [2]", cited))
    first, second = page.embeds
    assert first.title == HEADING
    assert first.url == "https://example.com/news/1"
    assert first.description == cited[0].passage
    assert first.footer.text == "Example News · 2022-11-07"
    assert second.url is None and second.footer.text is None


def test_long_passages_are_split_over_embeds_and_messages_within_limits() -> None:
    cited = tuple(citation(n, passage=f"Passage {n}. " + "word " * 3000) for n in range(1, 13))
    pages = render_passages(answer("x [1]", cited))
    for page in pages:
        assert_within_discord_limits(page)
    shown = " ".join(e.description or "" for p in pages for e in p.embeds)
    assert all(f"Passage {n}." in shown for n in range(1, 13))
    assert words(shown) == words(" ".join(c.passage for c in cited))


# -- threads, status and re-index reports ---------------------------------------------------------


def test_thread_names_fit_in_100_characters_on_one_line() -> None:
    name = thread_name("What was agreed\nat Sochi " + "and what happened next " * 10)
    assert len(name) <= THREAD_NAME_LIMIT and "\n" not in name and name.endswith("…")
    assert name.startswith("What was agreed at Sochi and what")
    assert thread_name("   ") == "Question"
    assert thread_name("What was agreed at Sochi?") == "What was agreed at Sochi?"


def test_status_names_articles_chunks_last_reindex_model_and_version() -> None:
    stats = IndexStats(
        articles=12,
        chunks=345,
        embedding_model="all-MiniLM-L6-v2",
        store="embedded Chroma",
        indexed_at="2024-03-14T10:00:00+00:00",
    )
    (embed,) = render_status(stats, version="0.1.0", loop_stall_ms=12.3).embeds
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Articles"] == "12" and fields["Chunks"] == "345"
    assert fields["Last re-index"] == "2024-03-14T10:00:00+00:00"
    assert fields["Embedding model"] == "all-MiniLM-L6-v2" and fields["Version"] == "0.1.0"
    assert fields["Re-index"] == "idle"
    assert "Feeds: last check" not in fields  # the poller has not run
    assert_within_discord_limits(Page(embeds=(embed,)))
    polled = "01 Dec 12:30 UTC: 2 feeds checked, 1 new or updated article"
    (embed,) = render_status(stats, version="0.1.0", feeds=polled).embeds
    assert {f.name: f.value for f in embed.fields}["Feeds: last check"] == polled


def test_status_before_any_index_says_how_to_index() -> None:
    stats = IndexStats(
        articles=0, chunks=0, embedding_model="", store="embedded Chroma", indexed_at=None
    )
    (embed,) = render_status(stats, version="0.1.0").embeds
    assert "/reindex" in (embed.description or "")


def test_progress_and_summary_name_every_count() -> None:
    progress = render_progress(
        IndexProgress(done=16, total=40, added=10, updated=30, removed=2, failed=1)
    )
    assert (
        progress
        == "Re-indexing… 16 / 40 articles embedded (10 added, 30 updated, 2 removed, 1 failed)."
    )
    summary = IndexSummary(
        added=10,
        updated=30,
        unchanged=5,
        removed=2,
        failed=(LoadFailure("bad.json", "not JSON"),),
        chunks_embedded=320,
        seconds=12.34,
    )
    text = render_summary(summary)
    assert text.startswith(
        "Re-index finished in 12.3 s: 10 added, 30 updated, 5 unchanged, 2 removed, 1 failed; "
        "320 chunks embedded."
    )
    assert "bad.json: not JSON" in text


def test_a_summary_with_thousands_of_failures_fits_one_message() -> None:
    failures = tuple(LoadFailure(f"corpus/file-{i}.json", "not JSON " * 10) for i in range(5000))
    text = render_summary(IndexSummary(0, 0, 0, 0, failures, 0, 1.0))
    assert len(text) <= CONTENT_LIMIT and text.endswith("more.")


def test_a_failure_report_says_the_old_index_still_answers() -> None:
    assert render_reindex_failure("corpus does not exist.") == (
        "Re-index failed: corpus does not exist. The previous index is still answering questions."
    )
    long = render_reindex_failure("x" * 5000)
    assert len(long) <= CONTENT_LIMIT


def test_the_sources_card_is_an_embed_headed_sources_with_a_field_per_citation() -> None:
    cited = (citation(1), citation(2))
    (page,) = render_answer(answer(f"{SOCHI} [1] [2]", cited))
    (card,) = (e.to_dict() for e in page.embeds)
    assert card["title"] == "Sources"
    assert [f["name"] for f in card["fields"]] == [citation_heading(c) for c in cited]


def test_earlier_events_are_a_list_and_each_line_keeps_its_date() -> None:
    text = (
        "14 Mar 2023 — The ministers agreed to share water. [1]\n"
        "Earlier:\n"
        "- 3 Jun 2019 — The ministers set up a commission. [2]"
    )
    (page,) = render_answer(answer(text, (citation(1), citation(2))))
    assert page.content is not None
    assert page.content.splitlines() == [
        "14 Mar 2023 — The ministers agreed to share water. [1]",
        "**Earlier:**",
        "- 3 Jun 2019 — The ministers set up a commission. [2]",
    ]


def test_a_source_heading_says_when_its_event_happened_when_not_on_the_day_published() -> None:
    recap = citation(1, published_at="2025-05-28", event_date="2023-03-14")
    assert citation_heading(recap).endswith("— Example News, 2025-05-28, event 14 March 2023")
    same_day = citation(2, published_at="2025-05-28", event_date="2025-05-28")
    assert citation_heading(same_day).endswith("— Example News, 2025-05-28")


def test_the_quote_starts_at_the_sentence_a_dated_line_cites() -> None:
    line = AnswerLine(SOCHI, (1,), "2022-10")
    dated = Answer("q", f"Oct 2022 — {SOCHI} [1]", True, (citation(1),), lines=(line,))
    (page,) = render_answer(dated)
    (field,) = page.embeds[0].to_dict()["fields"]
    assert field["value"].startswith("“…The two countries' leaders met late last month")
