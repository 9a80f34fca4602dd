"""Ranking a question's candidates into passages: a weighted sum of their evidence.

Fusing by features beat fusing by rank on the same candidate pools (SQuAD, held-out
questions: hit@1 0.850 against 0.794 for reciprocal-rank fusion and 0.804 for a z-score
blend; docs/decisions.md). The weights were found by coordinate ascent on the tuning split
(`newsbot eval --tune`). BM25's own score enters only through the ``article`` feature: on
its own its tuned weight is 0, BM25's part is proposing candidates and the word evidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from index.models import Passage
from index.search.candidates import Candidate, Mode, by_article


@dataclass(frozen=True)
class RankingWeights:
    """How much each piece of evidence counts in a candidate's score (all in [0, 1] but cosine).

    The defaults are the weights tuned on SQuAD's tuning split.
    """

    cosine: float = 1.0  # question vs the sentence (dense)
    bm25: float = 0.0  # BM25 of the sentence's window, divided by the question's best
    overlap: float = 0.5  # IDF-weighted share of the question's terms in the sentence
    window_overlap: float = 0.5  # the same share in the whole window
    bigrams: float = 0.5  # share of the question's word pairs found in the window
    article: float = 0.05  # best cosine + bm25 of any candidate from the same article
    answer_type: float = 0.1  # 1 when the sentence holds the kind of answer asked for
    window_cosine: float = 0.2  # best cosine of any candidate sentence inside the window
    time: float = 0.3  # +1 when the event is in the question's period, -1 when dated outside

    FEATURES: ClassVar[tuple[str, ...]] = (
        "cosine",
        "bm25",
        "overlap",
        "window_overlap",
        "bigrams",
        "article",
        "answer_type",
        "window_cosine",
        "time",
    )


def rank(candidates: list[Candidate], mode: Mode, weights: RankingWeights) -> list[Passage]:
    """Score, sort and de-duplicate candidates into passages, best first."""
    best_bm25 = max((c.bm25 for c in candidates), default=0.0) or 1.0
    article_best: dict[str, float] = {}
    for c in candidates:
        base = (c.cosine if c.cosine is not None else -1.0) + c.bm25 / best_bm25
        article_best[c.article_id] = max(base, article_best.get(c.article_id, -math.inf))
    in_windows = _cosines_in_windows(candidates)
    for c in candidates:
        cosine = c.cosine if c.cosine is not None else -1.0
        window_best = max(in_windows[c.node_id].values(), default=cosine)
        if mode == "dense":
            c.score = cosine
        elif mode == "bm25":
            c.score = c.bm25
        else:
            c.score = (
                weights.cosine * cosine
                + weights.bm25 * c.bm25 / best_bm25
                + weights.overlap * c.overlap
                + weights.window_overlap * c.window_overlap
                + weights.bigrams * c.bigrams
                + weights.article * article_best[c.article_id]
                + weights.answer_type * c.answer_type
                + weights.window_cosine * window_best
                + weights.time * c.time_match
            )
    ranked = sorted(candidates, key=lambda c: c.score, reverse=True)
    return [_to_passage(c, in_windows[c.node_id]) for c in _one_per_stretch(ranked)]


def _cosines_in_windows(candidates: list[Candidate]) -> dict[str, dict[int, float]]:
    """For each candidate, the cosines known of the sentences in its window, by offset.

    Every candidate is one sentence, so the pool knows the question's similarity to some of
    the sentences around each hit; the answer uses them to pick the sentence to quote.
    """
    grouped = by_article(candidates)
    known = {}
    for c in candidates:
        lo, hi = int(c.meta.get("window_start", 0)), int(c.meta.get("window_end", 0))
        known[c.node_id] = {
            d.sentence_start: d.cosine
            for d in grouped[c.article_id]
            if d.cosine is not None and lo <= d.sentence_start < hi
        }
    return known


def _one_per_stretch(ranked: list[Candidate]) -> list[Candidate]:
    """Drop a hit whose sentence lies inside the window of a better hit: same passage."""
    kept: list[Candidate] = []
    for c in ranked:
        inside = any(
            k.article_id == c.article_id
            and int(k.meta.get("window_start", 0))
            <= c.sentence_start
            < int(k.meta.get("window_end", 0))
            for k in kept
        )
        if not inside:
            kept.append(c)
    return kept


def _to_passage(c: Candidate, known_cosines: dict[int, float]) -> Passage:
    meta = c.meta
    start = int(meta.get("window_start", c.sentence_start))
    return Passage(
        chunk_id=c.node_id,
        article_id=c.article_id,
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        published_at=str(meta.get("published_at") or "") or None,
        url=str(meta.get("url", "")),
        text=c.window,
        sentence=c.sentence,
        start=start,
        end=int(meta.get("window_end", start + len(c.window))),
        sentence_start=c.sentence_start,
        score=c.score,
        similarity=c.cosine if c.cosine is not None else -1.0,
        overlap=c.overlap,
        window_overlap=c.window_overlap,
        sentence_similarities=tuple(sorted(known_cosines.items())),
        event_start=int(meta.get("event_start") or 0),
        event_end=int(meta.get("event_end") or 0),
        event_date=str(meta.get("event_date") or "") or None,
        event_ranges=str(meta.get("event_ranges") or ""),
        news_date=str(meta.get("news_date") or "") or None,
    )
