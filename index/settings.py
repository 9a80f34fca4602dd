"""Configuration of the core: one typed object, read from ``NEWSBOT_*`` environment variables.

The entry point builds it once and passes it down; nothing in ``index/`` reads the
environment by itself.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the index, the retriever and the answerer can be told."""

    model_config = SettingsConfigDict(env_prefix="NEWSBOT_", extra="ignore")

    data_dir: Path = Field(
        Path("data"),
        description=(
            "Where newsbot keeps its files: the embedded Chroma store, the docstore and BM25 "
            "index of each generation, the Discord feedback, evaluation indexes."
        ),
    )
    corpus_dir: Path = Field(
        Path("corpus"), description="Articles indexed when `newsbot index` is given no path."
    )
    chroma_host: str | None = Field(
        None,
        description="Host of a Chroma server. Unset: an embedded Chroma in the data directory.",
    )
    chroma_port: int = Field(8000, description="Port of the Chroma server.")
    collection: str = Field(
        "newsbot",
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,40}$",
        description="Prefix of the Chroma collections (one per index generation).",
    )
    window_sentences: int = Field(
        4,
        ge=0,
        le=10,
        description="Sentences either side of a matched sentence in the passage it is cited with.",
    )
    max_sentence_tokens: int = Field(
        128,
        ge=16,
        le=240,
        description="Longer sentences are split into pieces of this many model tokens.",
    )
    embed_batch_size: int = Field(32, ge=1, description="Chunks per model call when indexing.")
    embed_precision: Literal["auto", "fp32", "bf16"] = Field(
        "auto",
        description="Indexing precision; auto picks bfloat16 only on CPUs with AMX.",
    )
    top_k: int = Field(8, ge=1, le=50, description="Passages retrieved per question.")
    max_citations: int = Field(
        4,
        ge=1,
        le=10,
        description=(
            "Most facts (lines) in one answer; each line cites every article that reports it."
        ),
    )
    min_relevance: float = Field(
        0.5,
        ge=-1.0,
        le=2.0,
        description=(
            "Evidence score (best passage cosine + 0.1 x sentence + 0.2 x passage share of the "
            "question's terms) below which the corpus is said not to cover the question; "
            "names, numbers and periods the articles do not mention decline it whatever the "
            "score (calibrated, see docs/decisions.md)."
        ),
    )
    today: dt.date | None = Field(
        None,
        description=(
            'The date questions are asked on, for "last week", "this year" or "the '
            'latest" (YYYY-MM-DD); unset: the real date. Makes tests and evaluations '
            "reproducible."
        ),
    )
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted.")
    max_file_mib: float = Field(
        32.0, gt=0, description="Files larger than this are reported and skipped."
    )
    conversation_turns: int = Field(
        6, ge=1, le=50, description="Turns of a conversation remembered for follow-ups."
    )
    llm: Literal["none", "ollama", "openai"] = Field(
        "none",
        description=(
            "Write answers with a language model: `ollama`, `openai` (any OpenAI-compatible "
            "endpoint) or `none` (the extractive answer)."
        ),
    )
    llm_url: str | None = Field(
        None,
        description=(
            "Base URL of the language model's API, e.g. http://127.0.0.1:11434 (Ollama, the "
            "default) or http://host:8000/v1 (OpenAI-compatible; required)."
        ),
    )
    llm_model: str | None = Field(
        None, description="Name of the model to ask, e.g. llama3.2 (required with NEWSBOT_LLM)."
    )
    llm_api_key: SecretStr | None = Field(
        None,
        description="API key of the OpenAI-compatible endpoint; never logged or sent elsewhere.",
    )
    llm_timeout: float = Field(
        60.0,
        gt=0,
        le=600,
        description=(
            "Seconds the language model may take for one answer (condensing a follow-up "
            "included); past it, the extractive answer is given instead."
        ),
    )
    llm_max_tokens: int = Field(
        400, ge=16, le=4096, description="Most tokens the language model may write per answer."
    )

    def asked_on(self) -> dt.date:
        """The date a question is asked on: ``today`` when set, else the real date."""
        return self.today or dt.date.today()

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def uses_chroma_server(self) -> bool:
        return bool(self.chroma_host)
