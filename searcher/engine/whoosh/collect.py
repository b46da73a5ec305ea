"""Running a compiled query on a Whoosh searcher: every match scored within a CPU budget,
then the filters and facet counts (:mod:`searcher.facets`), the ordering rules
(:mod:`searcher.ranking`) and one page of stored posts.

Relevance is Whoosh's BM25F (``B = 0.75``, ``K1 = 1.2``) summed over the plan's parts::

    score(d) = Σ_parts boost(part) · idf(part) · tf·(K1 + 1)
                                               / (tf + K1·(1 − B + B·len_f(d)/avglen_f))

where a part is a unigram, bigram or bigram phrase in the ``*_1``/``*_2`` fields, or a
jieba word in the ``title``/``body`` fields (:mod:`searcher.query.plan`). Title parts carry
``TITLE_BOOST`` (3.0); word parts, ``WORD_BOOST`` (1.0); the whole-word run, ``RUN_BOOST``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh import collectors

from ...engine import EngineHit, EngineResult, Page, Sort, StoredPost
from ...facets import (
    FACETS,
    FacetData,
    FacetPostings,
    drill_sideways,
    month_numbers,
    passing,
    size_of,
)
from ...ranking import UNDATED, rank
from ...request import Filters
from ...stories import MAX_SIMILAR, StoryGroups
from .evaluate import OutOfBudget, Unsupported, evaluate_arrays
from .near import part_positions
from .postings import read_weights
from .schema import column_numbers, stored_post

#: ``cached(searcher, name, build)``: a value computed once per index generation.
Cached = Callable[[Any, str, Callable[[Any], Any]], Any]


class _OutOfBudget(Exception):
    pass


class _Budget(collectors.WrappingCollector):  # type: ignore[misc]
    """Stops collecting once the thread has spent ``seconds`` of CPU time on the query.

    CPU time of this thread (``time.thread_time``), not wall time: under load a query
    waits for the interpreter lock, and waiting must not cut its answer short.
    """

    def __init__(self, child: Any, seconds: float) -> None:
        super().__init__(child)
        self.seconds = seconds
        self.stopped = False
        self.count = 0
        self.deadline = 0.0

    def prepare(self, top_searcher: Any, q: Any, context: Any) -> None:
        super().prepare(top_searcher, q, context)
        self.deadline = time.thread_time() + self.seconds

    def collect(self, sub_docnum: int) -> Any:
        self.count += 1
        if not self.count & 63 and time.thread_time() > self.deadline:
            self.stopped = True
            raise _OutOfBudget
        return self.child.collect(sub_docnum)


def _facet_postings(s: Any) -> dict[str, FacetPostings]:
    """Each facet's postings, read a posting block at a time per segment."""
    out: dict[str, FacetPostings] = {}
    leaves = s.leaf_searchers()
    size = s.reader().doc_count_all()
    for name in FACETS:
        values: dict[str, list[int]] = {}
        for sub, offset in leaves:
            reader = sub.reader()
            for term in reader.lexicon(name):
                ids = read_weights(reader, name, term)[0].tolist()
                found = values.setdefault(term.decode("utf-8"), [])
                found.extend([d + offset for d in ids] if offset else ids)
        out[name] = FacetPostings.of(values, size)
    return out


def timestamps(s: Any) -> list[int]:
    """Each document's ``ts`` (Unix seconds, or UNDATED), by docnum."""
    out: list[int] = []
    for sub, _ in s.leaf_searchers():
        reader = sub.reader()
        count = reader.doc_count_all()
        if count:
            out.extend(_column_values(reader.column_reader("ts"), count))
    return out


def ids_by_docnum(s: Any) -> list[str]:
    """Each document's id (deleted ones' too), by docnum."""
    ids: list[str] = []
    for sub, _ in s.leaf_searchers():
        reader = sub.reader()
        count = reader.doc_count_all()
        if count:
            ids.extend(_column_values(reader.column_reader("id"), count))
    return ids


def story_units(ids: list[str], groups: StoryGroups) -> np.ndarray:
    """Each docnum's unit under collapse (:mod:`searcher.facets`): its story group's
    number, or a number of its own when it is in none."""
    numbers = groups.numbers()
    first = len(groups.groups)
    return np.array(
        [numbers.get(post_id, first + d) for d, post_id in enumerate(ids)], dtype=np.int64
    )


def units_grouped(units: np.ndarray, rows: set[int]) -> bool:
    """True when two of ``rows`` share a unit."""
    if len(rows) < 2:
        return False
    chosen = units[np.fromiter(rows, dtype=np.int64, count=len(rows))]
    return bool(np.bincount(chosen).max() > 1)


def first_per_unit(rows: np.ndarray, units: np.ndarray, end: int) -> np.ndarray:
    """The positions in ``rows`` (ranked best first) of the first row of each unit, the
    first ``end`` of them, in rank order."""
    _, first = np.unique(units[rows], return_index=True)
    return np.sort(first)[:end]


def id_order(s: Any) -> np.ndarray:
    """Each document's place in the order of ids (paths in the site), by docnum: the
    last tie-break of every order, the same in an index updated in place as in a fresh
    build (their document numbers differ)."""
    ids = ids_by_docnum(s)
    places = np.empty(len(ids), dtype=np.int64)
    places[np.argsort(np.array(ids, dtype=object), kind="stable")] = np.arange(len(ids))
    return places


def _column_values(column: Any, count: int) -> list[Any]:
    """The ``count`` values of a Whoosh numeric column of one segment
    (:func:`~.schema.column_numbers`), with its own translation."""
    numbers = column_numbers(getattr(column, "_reader", column), count)
    translate = getattr(column, "_translate", None)
    return numbers if translate is None else [translate(n) for n in numbers]


def facet_data(s: Any, cached: Cached, tz: dt.tzinfo) -> FacetData:
    """The generation's :class:`~searcher.facets.FacetData`, built once (``cached``)."""

    def build(s: Any) -> FacetData:
        stamps = cached(s, "timestamps", timestamps)
        return FacetData(cached(s, "facets", _facet_postings), stamps, month_numbers(tz, stamps))

    return cached(s, "facet_data", build)  # type: ignore[no-any-return]


def run(
    s: Any,
    query: Any,
    proximity: list[list[tuple[str, ...]]],
    filters: Filters,
    sort: Sort,
    page: Page,
    cpu_seconds: float,
    cached: Cached,
    tz: dt.tzinfo,
    units: np.ndarray | None = None,
    counted: bool = True,
) -> EngineResult:
    """Run the compiled ``query`` on searcher ``s``: one scored pass over every match,
    the filters and facet counts as set operations on those matches, then the page.
    With ``units`` (each docnum's story group, :func:`story_units`), the total, the
    counts and the page are of groups, each shown by its best-ranked match, the
    group's other matches folded under it (newest first). Without ``counted``, no facet
    is counted (``facets`` is empty)."""
    # One pass collects every match of the query (for the total and the facets, which
    # need the matches that fail one filter too) with its score, within a budget of CPU
    # time: term at a time (evaluate) where it knows every node of the query; else, or
    # past the budget, Whoosh's own collector with what is left of the budget.
    deadline = time.thread_time() + cpu_seconds
    stopped = False
    arrays: tuple[np.ndarray, np.ndarray] | None = None
    try:
        arrays = evaluate_arrays(query, s, deadline)
    except (Unsupported, OutOfBudget):
        pass
    if arrays is not None:
        docs, values = arrays
    else:
        left = max(0.0, deadline - time.thread_time())
        budget = _Budget(s.collector(limit=None, scored=sort.by == "relevance"), left)
        try:
            s.search_with_collector(query, budget)
        except _OutOfBudget:
            pass
        ranked = budget.results()
        top_n = ranked.top_n if sort.by == "relevance" else [(0.0, d) for d in ranked.docs()]
        docs = np.array([d for _, d in top_n], dtype=np.int64)
        values = np.array([v for v, _ in top_n], dtype=np.float64)
        stopped = budget.stopped
    found = set(docs.tolist())
    data = facet_data(s, cached, tz)
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
                positions=part_positions(s.reader()),
                words=proximity,
                recency=sort.recency,
                now=sort.now,
                order=cached(
                    s, "id_order_list", lambda s: cached(s, "id_order", id_order).tolist()
                ),
            )
            if units is None:
                break
            rows = np.array([d for d, _ in best], dtype=np.int64)
            places = first_per_unit(rows, units, end)
            if len(places) >= min(end, total) or len(best) >= len(docs):
                best = [best[i] for i in places.tolist()]
                break
            wanted *= 4  # reprints filled the ranks: rank further down
        scored = [(d, score) for d, score in best[first:]]
    elif first < total:
        # Date order: dated posts first, newest (or oldest) first, then by id.
        chosen = np.fromiter(matched, dtype=np.int64, count=len(matched))
        ts = cached(s, "timestamp_array", lambda _: np.array(data.stamps, np.int64))[chosen]
        ids = cached(s, "id_order", id_order)[chosen]
        order = np.lexsort((ids, -ts if sort.by == "newest" else ts, ts == UNDATED))
        ranked = chosen[order]
        if units is not None:
            ranked = ranked[first_per_unit(ranked, units, end)]
        scored = [(d, None) for d in ranked[first:end].tolist()]
    folded = _folded(s, [d for d, _ in scored], matched, units, data.stamps, cached)
    hits = [
        EngineHit(stored_post(s.stored_fields(d)), score, *folded.get(d, ((), 0)))
        for d, score in scored
    ]
    return EngineResult(total, len(found), hits, facets, stopped, units is not None)


def _folded(
    s: Any,
    shown: list[int],
    matched: set[int],
    units: np.ndarray | None,
    stamps: list[int],
    cached: Cached,
) -> dict[int, tuple[tuple[StoredPost, ...], int]]:
    """For each docnum of ``shown``, the other ``matched`` docnums of its unit, newest
    first (then by id; undated last), the first :data:`~searcher.stories.MAX_SIMILAR` as
    stored, and how many there are."""
    if units is None or not shown:
        return {}
    rows = np.fromiter(matched, dtype=np.int64, count=len(matched))
    order = cached(s, "id_order", id_order)
    out: dict[int, tuple[tuple[StoredPost, ...], int]] = {}
    for d in shown:
        others = [int(r) for r in rows[units[rows] == units[d]] if r != d]
        others.sort(key=lambda r: (-stamps[r], order[r]))
        if others:
            listed = tuple(stored_post(s.stored_fields(r)) for r in others[:MAX_SIMILAR])
            out[d] = (listed, len(others))
    return out


__all__ = [
    "facet_data",
    "first_per_unit",
    "id_order",
    "ids_by_docnum",
    "run",
    "story_units",
    "timestamps",
]
