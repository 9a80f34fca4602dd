"""Restricting a search to one source, a range of publication dates, or sentences whose event
falls in a range of days, in Chroma and in BM25.

Both searches must see the same sentences, so both translations live here. Undated
articles carry day 0: "until" means "known to be published by then".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from index.models import SearchFilters

if TYPE_CHECKING:
    from llama_index.core.vector_stores.types import MetadataFilters

    from index.storage.lexical import LexicalIndex, RecordFields


@dataclass(frozen=True, slots=True)
class EventRange:
    """Sentences whose event overlaps these days (YYYYMMDD numbers; None: open)."""

    first: int | None
    last: int | None


def chroma_filters(
    filters: SearchFilters | None, events: EventRange | None = None
) -> MetadataFilters | None:
    """The filters as llama-index metadata filters, which its Chroma store turns into ``where``."""
    if not filters and events is None:
        return None
    from llama_index.core.vector_stores.types import (
        FilterOperator,
        MetadataFilter,
        MetadataFilters,
    )

    conditions: list[MetadataFilter | MetadataFilters] = []
    if events is not None:
        # Undated sentences carry 0 and never overlap a range.
        conditions.append(MetadataFilter(key="event_end", value=0, operator=FilterOperator.GT))
        if events.first is not None:
            conditions.append(
                MetadataFilter(key="event_end", value=events.first, operator=FilterOperator.GTE)
            )
        if events.last is not None:
            conditions.append(
                MetadataFilter(key="event_start", value=events.last, operator=FilterOperator.LTE)
            )
    if not filters:
        return MetadataFilters(filters=conditions)
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


def bm25_masks(
    index: LexicalIndex, filters: SearchFilters | None, events: EventRange | None = None
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Which BM25 records a question may see, as (main index, delta) masks of 1.0 and 0.0;
    None where every record may be seen. The main index's records that the live generation
    no longer sees are always masked out."""
    if not filters and events is None:
        return index.hidden_mask, None
    main, delta = selected(index, filters, events)
    return main.astype(np.float32), delta.astype(np.float32)


def selected(
    index: LexicalIndex, filters: SearchFilters | None, events: EventRange | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Which records of the live generation pass the filters, as boolean (main index,
    delta) arrays: the records both searches may return (the main index's hidden ones never
    pass)."""
    main = _kept(index.main.fields, filters, events)
    if index.hidden_mask is not None:
        main &= index.hidden_mask > 0
    return main, _kept(index.delta_fields, filters, events)


def _kept(
    fields: RecordFields, filters: SearchFilters | None, events: EventRange | None
) -> np.ndarray:
    days = fields.days
    keep = np.ones(len(days), dtype=bool)
    if events is not None:
        keep &= fields.event_ends > 0
        if events.first is not None:
            keep &= fields.event_ends >= events.first
        if events.last is not None:
            keep &= fields.event_starts <= events.last
    if not filters:
        return keep
    if filters.source:
        keep &= fields.from_source(filters.source)
    if filters.since_day is not None:
        keep &= days >= filters.since_day
    if filters.until_day is not None:
        keep &= (days > 0) & (days <= filters.until_day)
    return keep
