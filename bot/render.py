"""Answers, passages and admin reports as Discord messages, within Discord's limits.

Pure functions: no I/O, no client. Everything Discord would reject (2,000 characters of
content; embed title 256, description 4,096, 25 fields of 256 + 1,024, footer 2,048, 6,000
characters across a message's embeds, 10 embeds; thread names of 100) is handled here, so
the transport code can send what it gets. Long text is split at paragraph, sentence or word
boundaries, never inside a link or a ``[n]`` citation marker.

Article text is shown verbatim but with Markdown escaped: a headline with ``*`` or a
masked link must not turn into formatting or a disguised link in the bot's message.
Mentions (``@everyone``, ``<@id>``) stay as written; they never ping because every message
is sent with :data:`NO_MENTIONS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import discord
from discord.utils import escape_markdown

from index.answer.timeline import EARLIER
from index.models import Answer, Citation, IndexProgress, IndexStats, IndexSummary
from index.text.citations import split_cited
from index.text.events import display_date
from index.text.sentences import sentence_spans

CONTENT_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
MESSAGE_EMBEDS_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
THREAD_NAME_LIMIT = 100

QUOTE_CHARS = 240
ELLIPSIS = "…"

NO_MENTIONS = discord.AllowedMentions.none()
"""Sent with every message: nothing in a question or an article ever pings anyone."""

_SOURCES_COLOUR = discord.Colour.blurple()
_NOT_FOUND_COLOUR = discord.Colour.light_grey()

# Spans a split must never cut: a Markdown link, a bare URL, a citation marker together
# with the space before it (so "[2]" stays with the sentence it supports).
_UNBREAKABLE = re.compile(r"\\?\[[^\]\n]*\\?\]\([^)\s]*\)|<?https?://[^\s>]+>?|[ \t]*\[\d+\]")
_SENTENCE_END = tuple('.!?…"”’)]')


@dataclass(frozen=True)
class Page:
    """One Discord message: its content and embeds, each within Discord's limits."""

    content: str | None = None
    embeds: tuple[discord.Embed, ...] = field(default_factory=tuple)


# -- text ---------------------------------------------------------------------------------------


def split_text(text: str, limit: int = CONTENT_LIMIT) -> list[str]:
    """``text`` cut into pieces of at most ``limit`` characters, none of them empty.

    Cuts fall on whitespace outside links and citation markers, preferring (in the second
    half of a piece) a paragraph break, then a line break, then the end of a sentence, then
    any space. Only a single word longer than ``limit`` is ever cut inside.
    """
    text = text.strip()
    if not text:
        return []
    protected = [m.span() for m in _UNBREAKABLE.finditer(text)]
    breaks = [i for i, ch in enumerate(text) if ch.isspace() and not _inside(i, protected)]
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        candidates = [i for i in breaks if start < i <= end]
        cut = _best_break(text, candidates, start + limit // 2) if candidates else end
        piece = text[start:cut].strip()
        if piece:
            pieces.append(piece)
        start = cut
        while start < len(text) and text[start].isspace():
            start += 1
    rest = text[start:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def _inside(index: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= index < b for a, b in spans)


def _best_break(text: str, candidates: list[int], half: int) -> int:
    def rank(i: int) -> int:
        if text.startswith("\n\n", i) or text[i - 1 : i + 1] == "\n\n":
            return 3
        if text[i] == "\n":
            return 2
        return 1 if text[:i].rstrip().endswith(_SENTENCE_END) else 0

    late = [i for i in candidates if i >= half]
    if not late:
        return candidates[-1]
    best = max(rank(i) for i in late)
    return [i for i in late if rank(i) == best][-1]


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis if it is too long."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS) + 1]
    space = cut.rfind(" ")
    # Cut after the last whole word, unless that loses more than half the room.
    cut = cut[:space] if space > limit // 2 else cut[: limit - len(ELLIPSIS)]
    return cut.rstrip(" ,;:—-") + ELLIPSIS


def escape(text: str) -> str:
    """Article text made inert for Discord's Markdown (links are kept clickable)."""
    return escape_markdown(text)


def thread_name(question: str) -> str:
    """A thread title for ``question``: one line, at most 100 characters."""
    return shorten(question, THREAD_NAME_LIMIT) or "Question"


# -- answers ------------------------------------------------------------------------------------


def render_answer(answer: Answer, *, hint: str | None = None) -> list[Page]:
    """The answer text (split over as many messages as needed) and its sources.

    Sources (or, when the corpus does not cover the question, the nearest articles) go in
    an embed after the text, one field per citation: ``[n] title — source, date``, the
    link and a short quote. ``hint`` (how to ask a follow-up) is the embed's footer, or a
    small line under the text when there is nothing to cite.
    """
    # The lines of earlier events are a list (escaping would show their "- " as text).
    text = re.sub(r"(?m)^\\- ", "- ", escape(answer.answer))
    text = text.replace(f"\n{EARLIER}\n", f"\n**{EARLIER}**\n")
    if answer.short_answer:  # taken from the sentence cited [1]
        text = f"**{escape(answer.short_answer)}** [1]\n{text}"
    if answer.note:  # why the extractive answer stands in for a generated one, or what was cut
        text += f"\n-# {escape(answer.note)}"
    if hint and not answer.citations:
        text += f"\n-# {hint}"
    pages = [Page(content=piece) for piece in split_text(text)]
    if not answer.citations:
        return pages or [Page(content="(no answer)")]
    fields = [citation_field(c, _cited_sentences(answer, c.n)) for c in answer.citations]
    embeds = _field_embeds(
        "Sources" if answer.found else "Nearest articles",
        fields,
        colour=_SOURCES_COLOUR if answer.found else _NOT_FOUND_COLOUR,
        footer=hint,
    )
    return _attach_embeds(pages, embeds)


WRITING = "Writing… each sentence appears once it is checked against its source."


def render_draft(text: str) -> Page:
    """A generated answer being written: its checked part so far (one message), and a note."""
    room = CONTENT_LIMIT - len(WRITING) - len(ELLIPSIS) - 8
    pieces = split_text(escape(text), room)
    shown = pieces[0] + (f" {ELLIPSIS}" if len(pieces) > 1 else "") if pieces else ELLIPSIS
    return Page(content=f"{shown}\n-# {WRITING}")


def citation_heading(citation: Citation, limit: int = FIELD_NAME_LIMIT) -> str:
    """``[n] title — source, date, event date``, missing parts left out, within ``limit``
    characters. The event's date is shown when it is not the publication day."""
    event = citation.event_date
    about = f"event {display_date(event)}" if event and event != citation.published_at else ""
    byline = ", ".join(
        part for part in (citation.source.strip(), citation.published_at, about) if part
    )
    prefix = f"[{citation.n}] "
    title = " ".join(citation.title.split()) or "Untitled article"
    tail = f" — {shorten(byline, limit // 3)}" if byline else ""
    room = limit - len(prefix) - len(tail)
    return prefix + shorten(title, room) + tail


def citation_field(citation: Citation, cited: Sequence[str] = ()) -> tuple[str, str]:
    """Name and value of the embed field for one citation (link and short quote)."""
    name = citation_heading(citation)
    link = _markdown_link("Read the article", citation.url)
    if len(link) > FIELD_VALUE_LIMIT // 2:
        link = ""  # a pathological URL; the quote matters more
    room = FIELD_VALUE_LIMIT - (len(link) + 1 if link else 0)
    quote_text = _quote(citation, cited, min(QUOTE_CHARS, room - 2))
    value = f"“{quote_text}”" if quote_text else "(no excerpt)"
    if link:
        value = f"{value}\n{link}"
    return name, value


def _quote(citation: Citation, cited: Sequence[str], limit: int) -> str:
    """A short quote of the passage, starting at the sentence the answer cites from it."""
    passage = " ".join(citation.passage.split())
    start = 0
    for sentence in cited:
        found = passage.find(" ".join(sentence.split()))
        if found >= 0:
            start = found
            break
    else:
        if cited:  # a generated answer words it differently: the sentence sharing most words
            start = _closest_sentence(passage, cited[0])
    excerpt = passage[start:]
    lead = ELLIPSIS if start > 0 else ""
    # Escaping can lengthen the text; shorten the raw text until the escaped form fits.
    budget = limit - len(lead)
    while budget > 0:
        quoted = escape(shorten(excerpt, budget))
        if len(quoted) <= limit - len(lead):
            return lead + quoted
        budget -= max(1, len(quoted) - (limit - len(lead)))
    return ""


def _closest_sentence(passage: str, sentence: str) -> int:
    """Offset in ``passage`` of the sentence sharing most words with ``sentence``."""
    wanted = set(re.findall(r"\w+", sentence.lower()))
    spans = sentence_spans(passage) or [(0, len(passage))]

    def shared(span: tuple[int, int]) -> int:
        return len(wanted & set(re.findall(r"\w+", passage[span[0] : span[1]].lower())))

    return max(spans, key=shared)[0]


def _cited_sentences(answer: Answer, n: int) -> list[str]:
    """The sentences of ``answer`` that cite ``[n]``, as the article has them."""
    if answer.lines:
        return [line.text for line in answer.lines if n in line.citations]
    return [sentence for sentence, numbers in split_cited(answer.answer) if n in numbers]


def _markdown_link(label: str, url: str) -> str:
    """``[label](url)`` for a well-formed http(s) URL, else "" (Discord would show garbage)."""
    safe = safe_url(url)
    if safe is None:
        return ""
    # Parentheses and spaces would end the Markdown link early.
    return f"[{label}]({quote(safe, safe=':/?#[]@!$&*+,;=%~.-_')})"


def safe_url(url: str) -> str | None:
    """``url`` if Discord accepts it as a link (absolute http or https, no spaces), else None."""
    url = url.strip()
    if not url or len(url) > 900 or any(ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


# -- passages (the "Show passages" button) --------------------------------------------------------


def render_passages(answer: Answer) -> list[Page]:
    """Every cited passage in full, one embed each, titled ``[n] title`` and linked."""
    embeds: list[discord.Embed] = []
    for citation in answer.citations:
        pieces = split_text(escape(citation.passage), EMBED_DESCRIPTION_LIMIT) or ["(empty)"]
        byline = " · ".join(p for p in (citation.source.strip(), citation.published_at) if p)
        for i, piece in enumerate(pieces):
            heading = citation_heading(citation, EMBED_TITLE_LIMIT - 12)
            embed = discord.Embed(
                title=heading if i == 0 else f"{heading} (cont.)",
                description=piece,
                url=safe_url(citation.url),
                colour=_SOURCES_COLOUR,
            )
            if byline:
                embed.set_footer(text=shorten(byline, FOOTER_LIMIT))
            embeds.append(embed)
    if not embeds:
        return [Page(content="This answer cites no passages.")]
    return _attach_embeds([], embeds)


# -- admin and status ---------------------------------------------------------------------------


def render_progress(progress: IndexProgress) -> str:
    """One line of re-index progress."""
    return (
        f"Re-indexing… {progress.done} / {progress.total} articles embedded "
        f"({progress.added} added, {progress.updated} updated, {progress.removed} removed, "
        f"{progress.failed} failed)."
    )


def render_summary(summary: IndexSummary) -> str:
    """What a finished re-index did, within one message."""
    text = (
        f"Re-index finished in {summary.seconds:.1f} s: {summary.added} added, "
        f"{summary.updated} updated, {summary.unchanged} unchanged, {summary.removed} removed, "
        f"{len(summary.failed)} failed; {summary.chunks_embedded} chunks embedded"
        + (f", {summary.chunks_reused} unchanged kept." if summary.chunks_reused else ".")
    )
    if summary.failed:
        text += "\nSkipped (fix them and re-index):"
        for shown, failure in enumerate(summary.failed):
            line = "\n• " + shorten(escape(str(failure)), 300)
            if len(text) + len(line) > CONTENT_LIMIT - 40:
                text += f"\n… and {len(summary.failed) - shown} more."
                break
            text += line
    return text


def render_reindex_failure(reason: str) -> str:
    """Tell the admin why a re-index failed, and that nothing was lost."""
    text = f"Re-index failed: {reason}"
    if "previous index" not in reason:
        text += " The previous index is still answering questions."
    return shorten(text, CONTENT_LIMIT)


def render_status(
    stats: IndexStats,
    *,
    version: str,
    reindex: str | None = None,
    loop_stall_ms: float | None = None,
    feeds: str | None = None,
) -> Page:
    """What is indexed, with which model, since when, the bot's version and, once the feed
    poller has run, its last check."""
    embed = discord.Embed(title="newsbot status", colour=_SOURCES_COLOUR)
    if stats.indexed_at:
        embed.add_field(name="Articles", value=f"{stats.articles:,}")
        embed.add_field(name="Chunks", value=f"{stats.chunks:,}")
        embed.add_field(name="Last re-index", value=stats.indexed_at)
        embed.add_field(name="Embedding model", value=stats.embedding_model or "unknown")
    else:
        embed.description = "Nothing is indexed yet: an admin can run /reindex."
    embed.add_field(name="Store", value=shorten(stats.store, FIELD_VALUE_LIMIT))
    embed.add_field(name="Version", value=version)
    embed.add_field(name="Re-index", value=shorten(reindex or "idle", FIELD_VALUE_LIMIT))
    if loop_stall_ms is not None:
        embed.add_field(
            name="Longest event-loop stall since connecting", value=f"{loop_stall_ms:.0f} ms"
        )
    if feeds:
        embed.add_field(name="Feeds: last check", value=shorten(feeds, FIELD_VALUE_LIMIT))
    return Page(embeds=(embed,))


# -- packing ------------------------------------------------------------------------------------


def _field_embeds(
    title: str,
    fields: Iterable[tuple[str, str]],
    *,
    colour: discord.Colour,
    footer: str | None,
) -> list[discord.Embed]:
    """Embeds holding ``fields``, a new embed whenever one would exceed its limits."""
    footer_text = shorten(footer, FOOTER_LIMIT) if footer else None
    # The footer goes on the last embed; keep room for it in every one.
    room = MESSAGE_EMBEDS_TOTAL_LIMIT - len(footer_text or "")
    embeds: list[discord.Embed] = []
    current: discord.Embed | None = None
    for name, value in fields:
        if (
            current is None
            or len(current.fields) == EMBED_FIELDS_LIMIT
            or len(current) + len(name) + len(value) > room
        ):
            current = discord.Embed(title=title if not embeds else None, colour=colour)
            embeds.append(current)
        current.add_field(name=name, value=value, inline=False)
    if embeds and footer_text:
        embeds[-1].set_footer(text=footer_text)
    return embeds


def _attach_embeds(pages: list[Page], embeds: list[discord.Embed]) -> list[Page]:
    """Put ``embeds`` on the last text page, spilling onto further pages past the limits."""
    pages = list(pages)
    groups: list[list[discord.Embed]] = []
    for embed in embeds:
        if (
            not groups
            or len(groups[-1]) == EMBEDS_PER_MESSAGE
            or sum(len(e) for e in groups[-1]) + len(embed) > MESSAGE_EMBEDS_TOTAL_LIMIT
        ):
            groups.append([])
        groups[-1].append(embed)
    if not groups:
        return pages
    if pages:
        last = pages.pop()
        pages.append(Page(content=last.content, embeds=(*last.embeds, *groups[0])))
    else:
        pages.append(Page(embeds=tuple(groups[0])))
    pages += [Page(embeds=tuple(group)) for group in groups[1:]]
    return pages
