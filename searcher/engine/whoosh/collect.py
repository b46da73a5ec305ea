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

from ...engine import EngineResult, Page, Sort
from ...engine.pages import Rows, page_of
from ...engine.pages import id_order as ids_order
from ...facets import (
    FACETS,
    FacetData,
    FacetPostings,
    month_numbers,
)
from ...request import Filters
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


def id_order(s: Any) -> np.ndarray:
    """Each document's place in the order of ids (paths in the site), by docnum
    (:func:`searcher.engine.pages.id_order`)."""
    return ids_order(ids_by_docnum(s))


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
    With ``units`` (each docnum's story group,
    :func:`searcher.engine.pages.story_units`), the total, the counts and the page are
    of groups, each shown by its best-ranked match, the
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
    rows = Rows(
        facet_data(s, cached, tz),
        cached(s, "id_order", id_order),
        cached(s, "id_order_list", lambda s: cached(s, "id_order", id_order).tolist()),
        cached(
            s, "timestamp_array", lambda s: np.array(facet_data(s, cached, tz).stamps, np.int64)
        ),
        part_positions(s.reader()),
        lambda d: stored_post(s.stored_fields(d)),
    )
    return page_of(docs, values, rows, proximity, filters, sort, page, units, counted, stopped)


__all__ = [
    "facet_data",
    "id_order",
    "ids_by_docnum",
    "run",
    "timestamps",
]
