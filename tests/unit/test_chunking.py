"""How an article becomes sentence nodes with verbatim windows (index/ingest/chunking.py)."""

from __future__ import annotations

from llama_index.core.schema import Document

from index.embedding.model import token_counts
from index.ingest.chunking import SentenceWindows
from index.ingest.pipeline import embedded_texts
from index.models import Article
from index.settings import Settings

ARTICLE = (
    "The talks opened in Sochi on Monday.  Both sides agreed not to use force.\n"
    "Officials said more rounds would follow. Analysts were cautious.\n"
    "The U.S. Secretary of State welcomed the news."
)


def nodes_of(text: str, window: int = 1, max_tokens: int = 128) -> list:
    splitter = SentenceWindows.create(window_size=window, max_sentence_tokens=max_tokens)
    article = Document(id_="art", text=text, metadata={"title": "Talks", "source": "Wire"})
    return splitter([article])


def test_one_node_per_sentence_with_abbreviations_kept_whole() -> None:
    sentences = [n.get_content() for n in nodes_of(ARTICLE)]

    assert sentences == [
        "The talks opened in Sochi on Monday.",
        "Both sides agreed not to use force.",
        "Officials said more rounds would follow.",
        "Analysts were cautious.",
        "The U.S. Secretary of State welcomed the news.",
    ]


def test_windows_are_cut_verbatim_from_the_article() -> None:
    nodes = nodes_of(ARTICLE, window=1)

    second = nodes[1].metadata
    assert second["window"] == ARTICLE[second["window_start"] : second["window_end"]]
    # The double space and the line break between sentences survive.
    assert second["window"] == (
        "The talks opened in Sochi on Monday.  Both sides agreed not to use force.\n"
        "Officials said more rounds would follow."
    )
    assert nodes[0].metadata["window"].startswith("The talks")  # no sentence before it
    assert nodes[-1].metadata["window"].endswith("welcomed the news.")


def test_node_ids_are_stable_and_offsets_point_at_the_sentence() -> None:
    first, again = nodes_of(ARTICLE), nodes_of(ARTICLE)

    assert [n.node_id for n in first] == [n.node_id for n in again]
    assert first[1].node_id == "art#s1" and first[1].ref_doc_id == "art"
    node = first[3]
    assert ARTICLE[node.start_char_idx : node.end_char_idx] == "Analysts were cautious."


def test_only_the_sentence_is_embedded() -> None:
    article = Article(id="art", title="Talks", body=ARTICLE, source="Wire", url="https://x/1")

    texts = embedded_texts(Settings(window_sentences=1), [article])

    assert texts[1] == "Both sides agreed not to use force."


def test_an_overlong_sentence_is_cut_between_words_at_the_token_budget() -> None:
    run_on = " ".join(f"item{i} and" for i in range(60))  # a list with no full stop
    text = f"Short opening sentence. {run_on}"

    pieces = [n.get_content() for n in nodes_of(text, max_tokens=20)]

    assert pieces[0] == "Short opening sentence."
    assert len(pieces) > 3
    assert all(count <= 20 for count in token_counts(pieces))
    assert " ".join(pieces[1:]) == run_on  # nothing lost, no word split in two
