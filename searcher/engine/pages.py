"""From every match of a query to one page of hits, the same for every engine: the
filters and facet counts (:mod:`searcher.facets`, drill sideways), the ordering rules
(:mod:`searcher.ranking`), collapse by story group (:mod:`searcher.stories`) and the
stored posts of the page.

An engine finds and scores the matches (rows: its own numbers for documents, opaque
here, that index the per-generation arrays of :class:`Rows`) and hands them to
:func:`page_of`; everything a reader sees of their order and counts is decided here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..facets import FacetData, drill_sideways, passing, size_of
from ..ranking import UNDATED, Positions, rank
from ..request import Filters
from ..stories import MAX_SIMILAR, StoryGroups
from . import EngineHit, EngineResult, Page, Sort, StoredPost


@dataclass
class Rows:
    """What an engine keeps of one generation for :func:`page_of`, by row.

    ``data``: facet postings, dates (Unix seconds, UTC; UNDATED for none) and months;
    ``order``: each row's place in the order of ids (the last tie-break of every order,
    so that an index updated in place orders as a fresh build does), as an int64 array
    and ``order_list`` as a list (faster to index one by one); ``stamps``: the dates as
    an int64 array; ``positions``: reads runs' positions for the proximity
    factor (None: none); ``stored``: the stored post of a row.
    """

    data: FacetData
    order: np.ndarray
    order_list: list[int]
    stamps: np.ndarray
    positions: Positions | None
    stored: Callable[[int], StoredPost]


def first_per_unit(rows: np.ndarray, units: np.ndarray, end: int) -> np.ndarray:
    """The positions in ``rows`` (ranked best first) of the first row of each unit, the
    first ``end`` of them, in rank order.

    >>> first_per_unit(np.array([4, 2, 3, 1]), np.array([0, 7, 7, 8, 8]), 5).tolist()
    [0, 1]
    """
    _, first = np.unique(units[rows], return_index=True)
    return np.sort(first)[:end]


def units_grouped(units: np.ndarray, rows: set[int]) -> bool:
    """True when two of ``rows`` share a unit."""
    if len(rows) < 2:
        return False
    chosen = units[np.fromiter(rows, dtype=np.int64, count=len(rows))]
    return bool(np.bincount(chosen).max() > 1)


def page_of(
    docs: np.ndarray,
    values: np.ndarray,
    rows: Rows,
    proximity: list[list[tuple[str, ...]]],
    filters: Filters,
    sort: Sort,
    page: Page,
    units: np.ndarray | None = None,
    counted: bool = True,
    stopped: bool = False,
) -> EngineResult:
    """The :class:`~searcher.engine.EngineResult` of a query's matches.

    :param docs: every match's row (int64 array); ``values`` their scores (float64,
        the verbatim tier included; ignored under a date sort).
    :param proximity: the parts of each query word jieba splits (the proximity factor).
    :param units: each row's story group (collapse), or None: the total, the counts and
        the page are then of groups, each shown by its best-ranked match, the group's
        other matches folded under it (newest first).
    :param counted: False: no facet is counted (``facets`` is empty).
    :param stopped: the engine's CPU budget ran out (passed on).
    """
    found = set(docs.tolist())
    data = rows.data
    if units is not None and not units_grouped(units, found):
        units = None  # no two matches of one group: the same as posts, counted faster
    if counted:
        matched, facets = drill_sideways(data, found, filters, units)
    else:
        matched, facets = passing(data, found, filters), {}
    total = size_of(matched, units)
    first, end = page.offset, page.offset + page.limit
    scored: list[tuple[int, float | None]] = []
    if sort.by == "relevance" and first < total:
        if len(matched) != len(found):
            keep = np.isin(docs, np.fromiter(matched, dtype=np.int64, count=len(matched)))
            docs, values = docs[keep], values[keep]
        wanted = end
        while True:
            best = rank(
                values,
                docs,
                data.stamps,
                end=wanted,
                positions=rows.positions,
                words=proximity,
                recency=sort.recency,
                now=sort.now,
                order=rows.order_list,
            )
            if units is None:
                break
            ranked = np.array([d for d, _ in best], dtype=np.int64)
            places = first_per_unit(ranked, units, end)
            if len(places) >= min(end, total) or len(best) >= len(docs):
                best = [best[i] for i in places.tolist()]
                break
            wanted *= 4  # reprints filled the ranks: rank further down
        scored = [(d, score) for d, score in best[first:]]
    elif first < total:
        # Date order: dated posts first, newest (or oldest) first, then by id.
        chosen = np.fromiter(matched, dtype=np.int64, count=len(matched))
        ts = rows.stamps[chosen]
        ids = rows.order[chosen]
        order = np.lexsort((ids, -ts if sort.by == "newest" else ts, ts == UNDATED))
        ranked = chosen[order]
        if units is not None:
            ranked = ranked[first_per_unit(ranked, units, end)]
        scored = [(d, None) for d in ranked[first:end].tolist()]
    folded = _folded([d for d, _ in scored], matched, units, rows)
    hits = [EngineHit(rows.stored(d), score, *folded.get(d, ((), 0))) for d, score in scored]
    return EngineResult(total, len(found), hits, facets, stopped, units is not None)


def _folded(
    shown: list[int], matched: set[int], units: np.ndarray | None, rows: Rows
) -> dict[int, tuple[tuple[StoredPost, ...], int]]:
    """For each row of ``shown``, the other ``matched`` rows of its unit, newest first
    (then by id; undated last), the first :data:`~searcher.stories.MAX_SIMILAR` as
    stored, and how many there are."""
    if units is None or not shown:
        return {}
    chosen = np.fromiter(matched, dtype=np.int64, count=len(matched))
    stamps, order = rows.data.stamps, rows.order_list
    out: dict[int, tuple[tuple[StoredPost, ...], int]] = {}
    for d in shown:
        others = [int(r) for r in chosen[units[chosen] == units[d]] if r != d]
        others.sort(key=lambda r: (-stamps[r], order[r]))
        if others:
            listed = tuple(rows.stored(r) for r in others[:MAX_SIMILAR])
            out[d] = (listed, len(others))
    return out


def id_order(ids: list[str]) -> np.ndarray:
    """Each row's place in the order of ``ids`` (by row; a row without a post has "").

    >>> id_order(["b", "a", "c"]).tolist()
    [1, 0, 2]
    """
    places = np.empty(len(ids), dtype=np.int64)
    places[np.argsort(np.array(ids, dtype=object), kind="stable")] = np.arange(len(ids))
    return places


def story_units(ids: list[str], groups: StoryGroups) -> np.ndarray:
    """Each row's unit under collapse (:mod:`searcher.facets`): its story group's
    number, or a number of its own when it is in none."""
    numbers = groups.numbers()
    first = len(groups.groups)
    return np.array(
        [numbers.get(post_id, first + d) for d, post_id in enumerate(ids)], dtype=np.int64
    )


__all__ = ["Rows", "first_per_unit", "id_order", "page_of", "story_units", "units_grouped"]
