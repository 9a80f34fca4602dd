"""Restricting a search to one source or a range of publication dates, in Chroma and in BM25.

Both searches must see the same articles, so both translations of a :class:`SearchFilters`
live here. Undated articles carry day 0: "until" means "known to be published by then".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from index.models import SearchFilters

if TYPE_CHECKING:
    from llama_index.core.vector_stores.types import MetadataFilters


def chroma_filters(filters: SearchFilters | None) -> MetadataFilters | None:
    """The filters as llama-index metadata filters, which its Chroma store turns into ``where``."""
    if not filters:
        return None
    from llama_index.core.vector_stores.types import (
        FilterOperator,
        MetadataFilter,
        MetadataFilters,
    )

    assert filters is not None
    conditions: list[MetadataFilter | MetadataFilters] = []
    if filters.source:
        conditions.append(MetadataFilter(key="source", value=filters.source))
    if filters.since_day is not None:
        conditions.append(
            MetadataFilter(
                key="published_day", value=filters.since_day, operator=FilterOperator.GTE
            )
        )
    if filters.until_day is not None:
        conditions.append(
            MetadataFilter(
                key="published_day", value=filters.until_day, operator=FilterOperator.LTE
            )
        )
        conditions.append(MetadataFilter(key="published_day", value=0, operator=FilterOperator.GT))
    return MetadataFilters(filters=conditions)


def bm25_mask(
    sources: np.ndarray, days: np.ndarray, filters: SearchFilters | None
) -> list[int] | None:
    """Which BM25 records (given each one's source and day) a filtered question may see.

    None when every record may be seen.
    """
    if not filters:
        return None
    keep = np.ones(len(days), dtype=bool)
    if filters.source:
        keep &= sources == filters.source
    if filters.since_day is not None:
        keep &= days >= filters.since_day
    if filters.until_day is not None:
        keep &= (days > 0) & (days <= filters.until_day)
    return list(keep.astype(int).tolist())
