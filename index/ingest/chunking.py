"""How articles become searchable units: one node per sentence, cited with its neighbours.

Each sentence is embedded alone, so a question meets the one sentence that answers it
rather than a chunk whose other sentences dilute the similarity (+12 points of hit@1 on
SQuAD; docs/decisions.md). What a reader sees, and what BM25 searches, is the sentence's
*window*: the sentence with ``window`` sentences either side, cut verbatim from the article
(llama-index's ``SentenceWindowNodeParser`` would join them with single spaces).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from llama_index.core.bridge.pydantic import Field
from llama_index.core.node_parser import SentenceWindowNodeParser
from llama_index.core.node_parser.node_utils import build_nodes_from_splits
from llama_index.core.schema import BaseNode, Document

from index.embedding.model import token_counts, token_offsets
from index.models import Article
from index.text.events import news_event, sentence_events
from index.text.sentences import article_sentence_spans

WINDOW_KEYS = ["window", "window_start", "window_end"]
# When each sentence's event happened (index/text/events.py): YYYYMMDD numbers for filters
# and ranking (0 when nothing dates it), and the date as shown.
EVENT_KEYS = ["event_start", "event_end", "event_date", "event_ranges", "news_date"]
# Metadata stored with every chunk, none of it embedded: only the sentence is (a headline
# pulled the answering sentence's cosine down on the seed article; see above).
NOT_EMBEDDED = ["title", "source", "published_at", "published_day", "url", "path"]


def _sentence_id(position: int, article: BaseNode) -> str:
    """Node ids derived from the article, so the same corpus always gives the same ids."""
    return f"{article.id_}#s{position}"


class SentenceWindows(SentenceWindowNodeParser):
    """One node per sentence; its window (verbatim, ±``window_size`` sentences) in metadata."""

    max_sentence_tokens: int = Field(
        default=128, description="Longer sentences are split into pieces of this many tokens."
    )

    @classmethod
    def create(cls, window_size: int, max_sentence_tokens: int) -> SentenceWindows:
        return cls(
            sentence_splitter=lambda text: [text],  # unused: spans come from article_sentence_spans
            window_size=window_size,
            window_metadata_key="window",
            original_text_metadata_key="window",
            include_metadata=True,
            include_prev_next_rel=False,
            id_func=_sentence_id,
            max_sentence_tokens=max_sentence_tokens,
        )

    def build_window_nodes_from_documents(self, documents: Sequence[Document]) -> list[BaseNode]:
        nodes: list[BaseNode] = []
        for doc in documents:
            spans = self.sentence_units(doc.text)
            doc_nodes = build_nodes_from_splits(
                [doc.text[a:b] for a, b in spans], doc, id_func=self.id_func
            )
            published = _published(doc)
            events = sentence_events(doc.text, spans, published)
            news = news_event(doc.text, spans, published)
            for i, node in enumerate(doc_nodes):
                event = events[i]
                node.metadata.update(
                    event_start=event.start_day if event else 0,
                    event_end=event.end_day if event else 0,
                    event_date=event.label if event else "",
                    event_ranges=event.ranges_text if event else "",
                    news_date=news.label if news else "",
                )
                lo = spans[max(0, i - self.window_size)][0]
                hi = spans[min(len(spans) - 1, i + self.window_size)][1]
                node.metadata.update(window=doc.text[lo:hi], window_start=lo, window_end=hi)
                node.start_char_idx, node.end_char_idx = spans[i]
                node.excluded_embed_metadata_keys = _merged(node.excluded_embed_metadata_keys)
                node.excluded_llm_metadata_keys = _merged(node.excluded_llm_metadata_keys)
            nodes.extend(doc_nodes)
        return nodes

    def sentence_units(self, text: str) -> list[tuple[int, int]]:
        """Sentence spans of ``text``, overlong ones cut at the token budget."""
        spans = article_sentence_spans(text)
        counts = token_counts([text[start:end] for start, end in spans])
        units: list[tuple[int, int]] = []
        for (start, end), count in zip(spans, counts, strict=True):
            if count <= self.max_sentence_tokens:
                units.append((start, end))
            else:
                units.extend(_cut(text, start, end, self.max_sentence_tokens))
        return units


def _merged(keys: list[str]) -> list[str]:
    return [*keys, *(k for k in [*WINDOW_KEYS, *EVENT_KEYS] if k not in keys)]


def _published(doc: BaseNode) -> dt.date | None:
    value = doc.metadata.get("published_at")
    return dt.date.fromisoformat(value) if value else None


def _cut(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """Split text[start:end] into pieces of at most ``max_tokens`` tokens, between words."""
    offsets = token_offsets(text[start:end])
    pieces: list[tuple[int, int]] = []
    first = 0  # index of the first token of the current piece
    while first < len(offsets):
        last = min(first + max_tokens, len(offsets)) - 1
        # Back off to a token that ends a word, unless a single word fills the budget.
        cut = last
        while cut > first and last + 1 < len(offsets) and offsets[cut][1] == offsets[cut + 1][0]:
            cut -= 1
        if cut == first:
            cut = last
        pieces.append((start + offsets[first][0], start + offsets[cut][1]))
        first = cut + 1
    return pieces


def article_document(article: Article) -> Document:
    """The llama-index document of an article: its body, with metadata that is not embedded."""
    return Document(
        id_=article.id,
        text=article.body,
        metadata={
            "title": article.title,
            "source": article.source,
            "published_at": article.published_at or "",
            "published_day": article.published_day,  # a number, for date-range filters
            "url": article.url,
            "path": article.path,
        },
        excluded_embed_metadata_keys=list(NOT_EMBEDDED),
        excluded_llm_metadata_keys=list(NOT_EMBEDDED),
    )
