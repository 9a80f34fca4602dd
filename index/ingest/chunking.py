"""How articles become searchable units: one node per sentence, cited with its neighbours.

Each sentence is embedded on its own, so a question is matched against the one sentence
that answers it rather than against a long chunk whose other sentences dilute the
similarity. (The article title is not embedded with it: on the seed article a headline
cut the answering sentence's cosine from 0.51 to 0.39; on SQuAD it changed nothing.)
What a reader sees, and what BM25 searches, is the sentence's *window*: the sentence with
``window`` sentences either side, copied verbatim from the article.

Measured on SQuAD v1.1 dev (seeded 1,000 questions, dense retrieval only, gold paragraph
hits as defined in ../shared/eval/README.md):

| unit                                  | hit@1 | hit@5 | hit@10 | MRR@10 |
|---------------------------------------|-------|-------|--------|--------|
| 256-token chunks, 32 overlap          | 0.576 | 0.844 | 0.901  | 0.686  |
| 192-token chunks, 24 overlap          | 0.588 | 0.844 | 0.902  | 0.701  |
| 128-token chunks, 16 overlap          | 0.594 | 0.831 | 0.900  | 0.696  |
| 64-token chunks, 8 overlap            | 0.590 | 0.810 | 0.879  | 0.685  |
| sentence, cited with ±2 sentences     | 0.713 | 0.893 | 0.937  | 0.790  |

The window's size is a trade-off between context for the reader (and for BM25, which
searches windows) and passage length. With the full hybrid ranking (seeded 2,000 held-out
questions):

| window | words (mean) | hit@1 | hit@5 | hit@10 | MRR@10 | answer in citations |
|--------|--------------|-------|-------|--------|--------|---------------------|
| ±3     | 167          | 0.851 | 0.966 | 0.983  | 0.901  | 0.956               |
| ±4     | 214          | 0.863 | 0.971 | 0.988  | 0.910  | 0.964               |

±4 is the default: about nine sentences, which still reads as one passage, and the best
passage then holds the answer 1.2 points more often.

llama-index's ``SentenceWindowNodeParser`` does this, but joins the window's sentences with
single spaces, so a quoted window is no longer the article's own text; this subclass cuts
windows straight out of the article (and splits overlong "sentences", such as a list with
no full stops, at the model's token budget).
"""

from __future__ import annotations

from collections.abc import Sequence

from llama_index.core.bridge.pydantic import Field
from llama_index.core.node_parser import SentenceWindowNodeParser
from llama_index.core.node_parser.node_utils import build_nodes_from_splits
from llama_index.core.schema import BaseNode, Document

from index.embedding.model import token_counts, token_offsets
from index.models import Article
from index.text.sentences import sentence_spans

WINDOW_KEYS = ["window", "window_start", "window_end"]
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
            sentence_splitter=lambda text: [text],  # unused: spans come from sentence_spans
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
            for i, node in enumerate(doc_nodes):
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
        spans = sentence_spans(text)
        counts = token_counts([text[start:end] for start, end in spans])
        units: list[tuple[int, int]] = []
        for (start, end), count in zip(spans, counts, strict=True):
            if count <= self.max_sentence_tokens:
                units.append((start, end))
            else:
                units.extend(_cut(text, start, end, self.max_sentence_tokens))
        return units


def _merged(keys: list[str]) -> list[str]:
    return [*keys, *(k for k in WINDOW_KEYS if k not in keys)]


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
