"""The answerer the settings ask for: extractive, or written by a language model.

The command line and every Discord path answer through the object built here, with
:meth:`~index.answer.extractive.Answerer.respond`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.answer.extractive import Answerer
from index.search.retriever import Retriever

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from index.settings import Settings
    from index.storage.store import Store


def build_answerer(settings: Settings, store: Store, query_embedder: BaseEmbedding) -> Answerer:
    """An :class:`Answerer` over the live index of ``store``.

    Raises:
        ConfigurationError: ``NEWSBOT_LLM`` names a model that cannot be used as configured.
    """
    retriever = Retriever(store, query_embedder)
    if settings.llm == "none":
        return Answerer(settings, retriever)
    from index.generation.generate import GenerativeAnswerer
    from index.generation.llm import load_chat_model

    return GenerativeAnswerer(settings, retriever, load_chat_model(settings))
