"""Ranking under relevance sorting: exact wording first, then BM25F with closeness and
recency, then newer news.

Each hit is ordered by, in turn (issue #8, CASES.md C15):

1. its **tier**: how many of the query's words it holds with their exact wording
   (:class:`searcher.query.plan.Verbatim`), so that ``量子芯片`` verbatim beats 量子 in a
   title and 芯片 in a body;
2. its **relevance**::

       relevance(d) = bm25f(d) · proximity(d) · recency(d)

       proximity(d) = 1 + PROXIMITY_WEIGHT · mean_w 1 / (1 + gap_w(d) / PROXIMITY_SCALE)
       recency(d)   = 1                                   without ``recency``
                    = 1/2 + 1/2 · 2 ** (−age_days(d) / recency)   with it

   where ``w`` ranges over the query words that jieba splits into two or more parts of
   two or more characters (``量子芯片`` → 量子 + 芯片; single characters have no positions
   in the index and are left out), ``gap_w(d)`` is the fewest units between those parts
   in the title or in the body (0 when they stand together; a word whose parts are never
   all in one field adds 0), and ``age_days`` is the post's age in days (undated posts count as
   infinitely old). Proximity is computed for the first :data:`PROXIMITY_WINDOW` hits
   by tier and BM25F, and only reorders those. The recency factor halves a story's
   weight over a long time at most: among equally relevant stories the recent ones rise,
   but an old story that matches much better stays above a new one that barely matches;
3. its **date**, newest first (equal relevance, compared to 6 decimal places);
4. its id (the file's path in the site), so the order is total and the same in an index
   updated in place as in a fresh build (document numbers differ between them).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence

import numpy as np

#: The date of an undated post in arrays of Unix seconds: before any real date, so
#: undated posts come last under both date orders and never pass a date range.
UNDATED = -(2**62)

#: Score added for each clause whose exact wording a post holds (as typed, as one run: a
#: word that jieba splits only where it stands whole; not a regional spelling). It is
#: far above any BM25F score here (each part scores at most idf · (K1 + 1) · boost, about
#: 100 on 20,000 posts), so it acts as a tier: :func:`rank` reads it back as
#: ``score // VERBATIM_TIER``, and a post with the exact wording ranks above every post
#: with only its parts, wherever they stand (issue #8, CASES.md C15).
VERBATIM_TIER = 1e6

#: How many of the best hits (by tier and BM25F) the proximity factor re-ranks.
PROXIMITY_WINDOW = 100
#: The most the proximity factor adds: parts side by side score up to 1.5×.
PROXIMITY_WEIGHT = 0.5
#: Units of gap at which the proximity bonus halves.
PROXIMITY_SCALE = 8.0
#: At most this many positions of one part are looked at in one document.
MAX_POSITIONS = 2000

#: A query word's parts, each a tuple of folded units: ``[("量", "子"), ("芯", "片")]``.
Parts = Sequence[tuple[str, ...]]

#: Where a part stands in the documents, as an engine reads it:
#: ``positions(field, part, docs)`` → ``{doc: [start positions]}`` for ``field``
#: (``"title"`` or ``"body"``), a part of two units or more as one literal run, ``docs``
#: ascending; unit positions, at most :data:`MAX_POSITIONS` per document; documents
#: without the part left out.
Positions = Callable[[str, tuple[str, ...], list[int]], dict[int, list[int]]]


def recency_factor(ts: int, now: float, half_life_days: float) -> float:
    """``1/2 + 1/2 · 2 ** (−age / half_life)``: 1 for a story dated now, 3/4 at one
    half-life, towards 1/2 for old ones; 1/2 for an undated post.

    :param ts: the post's date in Unix seconds (UTC), or :data:`UNDATED`.
    :param now: the present, in Unix seconds. :param half_life_days: in days, > 0.

    >>> recency_factor(0, 0, 30), recency_factor(0, 30 * 86400, 30)
    (1.0, 0.75)
    """
    if ts == UNDATED:
        return 0.5
    age_days = max(0.0, now - ts) / 86400.0
    return 0.5 + 0.5 * math.pow(2.0, -age_days / half_life_days)


def gap(occurrences: list[list[int]], parts: Parts) -> float:
    """The fewest units between ``parts`` (each a run of units) in one field, given each
    part's start positions there (``occurrences[i]`` for ``parts[i]``): over windows
    holding one start of each part (a sliding window over all starts in order), the
    window's length in units less the parts' own; 0 when they stand side by side,
    ``inf`` when a part is missing.

    >>> gap([[0], [2]], [("朝", "阳", "区"), ("政", "府")]), gap([[0], [5]], [("a",), ("b",)])
    (0, 4)
    """
    if any(not occ for occ in occurrences):
        return math.inf
    events = sorted((p, i) for i, occ in enumerate(occurrences) for p in occ)
    need = len(parts)
    total_len = sum(len(p) for p in parts)
    counts = [0] * need
    have = 0
    best = math.inf
    left = 0
    for p, i in events:
        counts[i] += 1
        if counts[i] == 1:
            have += 1
        while have == need:
            lp, li = events[left]
            span = max(p + len(parts[i]), lp + len(parts[li])) - lp
            best = min(best, max(0, span - total_len))
            counts[li] -= 1
            if counts[li] == 0:
                have -= 1
            left += 1
    return best


def near(
    positions: Positions,
    candidates: list[int],
    parts: tuple[tuple[tuple[str, ...], ...], ...],
    window: int,
    fields: tuple[str, ...],
) -> list[int]:
    """The ``candidates`` (ascending rows holding every part) where the ``parts`` (each a
    tuple of alternative runs of two units or more) stand within ``window`` units of each
    other (:func:`gap`, a part's length taken from its first alternative) in one of
    ``fields`` (``title``, ``body``, ``labels``): the ``near`` rule of
    :class:`searcher.query.plan.Near`. Only the first :data:`MAX_POSITIONS` positions
    of a run in a document are looked at."""
    best = dict.fromkeys(candidates, math.inf)
    lengths = [alts[0] for alts in parts]
    for field in fields:
        found: list[dict[int, list[int]]] = []
        for alts in parts:
            merged: dict[int, list[int]] = {}
            for alt in alts:
                for doc, starts in positions(field, alt, candidates).items():
                    merged.setdefault(doc, []).extend(starts)
            found.append({d: sorted(s) for d, s in merged.items()})
        for doc in candidates:
            occurrences = [f.get(doc, []) for f in found]
            best[doc] = min(best[doc], gap(occurrences, lengths))
    return [d for d in candidates if best[d] <= window]


def proximity_factors(
    positions: Positions, docs: Sequence[int], words: Sequence[Parts]
) -> list[float]:
    """The proximity factor of the module's formula for each of ``docs`` (1.0 each with
    no words)."""
    if not words:
        return [1.0] * len(docs)
    ordered = sorted(set(docs))
    totals = dict.fromkeys(ordered, 0.0)
    for parts in words:
        best = dict.fromkeys(ordered, math.inf)
        for field in ("title", "body"):
            found = [positions(field, p, ordered) for p in parts]
            for doc in ordered:
                occurrences = [f.get(doc, []) for f in found]
                best[doc] = min(best[doc], gap(occurrences, parts))
        for doc, fewest in best.items():
            if fewest != math.inf:
                totals[doc] += 1.0 / (1.0 + fewest / PROXIMITY_SCALE)
    return [1.0 + PROXIMITY_WEIGHT * totals[d] / len(words) for d in docs]


def rank(
    scores: np.ndarray,
    docs: np.ndarray,
    stamps: Sequence[int],
    *,
    end: int,
    positions: Positions | None = None,
    words: Sequence[Parts] = (),
    recency: float | None = None,
    now: float = 0.0,
    order: Sequence[int] | None = None,
) -> list[tuple[int, float]]:
    """Order hits as the module describes and return the first ``end`` of them.

    :param scores: the engine's score of every match, tiers included (float64 array).
    :param docs: their row numbers in the engine's arrays (an int array of the same
        length; opaque here, used to index ``stamps`` and ``order``).
    :param stamps: each document's date in Unix seconds (UTC), by row.
    :param end: how many hits are needed (the end of the page asked for).
    :param positions: reads parts' positions (:data:`Positions`; None: no proximity
        factor).
    :param words: the parts of each query word that jieba splits.
    :param recency: the half-life in days, or None for no recency factor.
    :param now: the present, in Unix seconds (for ``recency``).
    :param order: each document's place in id order, by row (None: row order).
    :returns: ``[(row, relevance)]``, best first; relevance excludes the tier.
    """

    def key(item: tuple[float, int]) -> tuple[float, float, int, int, int]:
        score, doc = item
        tier = math.floor(score / VERBATIM_TIER)
        rel = score - tier * VERBATIM_TIER
        if recency:
            rel *= recency_factor(stamps[doc], now, recency)
        return (-tier, -round(rel, 6), -stamps[doc], doc if order is None else order[doc], doc)

    proximity = bool(words) and positions is not None
    wanted = max(end, PROXIMITY_WINDOW) if proximity else end
    if not recency and len(scores) > 4 * wanted:
        # Without recency the raw score orders hits as (tier, relevance) do, so only
        # the scores near the wanted-th best can reach the page: the full key is then
        # computed for those alone. Relevance is rounded to 1e-6 before the date breaks
        # ties, so scores within 2e-6 of the cut stay in.
        cut = np.partition(scores, len(scores) - wanted)[len(scores) - wanted] - 2e-6
        near = scores >= cut
        scores, docs = scores[near], docs[near]
    scored = zip(scores.tolist(), docs.tolist(), strict=True)
    keys = heapq.nsmallest(wanted, map(key, scored))
    if proximity:
        window = keys[:PROXIMITY_WINDOW]
        assert positions is not None
        factors = proximity_factors(positions, [k[4] for k in window], words)
        head = [
            (tier, -round(-neg_rel * factor, 6), neg_ts, tie, doc)
            for (tier, neg_rel, neg_ts, tie, doc), factor in zip(window, factors, strict=True)
        ]
        keys[: len(head)] = sorted(head)
    return [(doc, -neg_rel) for _, neg_rel, _, _, doc in keys[:end]]


__all__ = [
    "MAX_POSITIONS",
    "UNDATED",
    "VERBATIM_TIER",
    "near",
    "Positions",
    "gap",
    "PROXIMITY_SCALE",
    "PROXIMITY_WEIGHT",
    "PROXIMITY_WINDOW",
    "proximity_factors",
    "rank",
    "recency_factor",
]
