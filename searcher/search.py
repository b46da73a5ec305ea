"""Running searches: filters, sorting, paging, facet counts, snippets; and index stats.

Relevance is Whoosh's BM25F (``B = 0.75``, ``K1 = 1.2``) summed over the query's parts::

    score(d) = Σ_parts boost(part) · idf(part) · tf·(K1 + 1)
                                               / (tf + K1·(1 − B + B·len_f(d)/avglen_f))

where a part is a unigram, bigram or bigram phrase in the ``*_1``/``*_2`` fields, or a
jieba word in the ``title``/``body`` fields (see :mod:`searcher.query`). Title parts carry
``TITLE_BOOST`` (3.0); word parts, ``WORD_BOOST`` (1.0); the whole-word run, ``RUN_BOOST``.
Hits are then ordered by :mod:`searcher.ranking`: exact wording first, then BM25F times
proximity and (optionally) recency factors, then newest first.
"""

from __future__ import annotations

import datetime as dt
import struct
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from whoosh import collectors
from whoosh import query as wq

from .errors import QueryError, SearchIndexError
from .indexing import UNDATED
from .query import Compiled, compile_query, parse
from .ranking import rank
from .schema import FACETS
from .site.text import CONTROL_CHARS
from .snippets import SNIPPET_CHARS, find_spans, highlight, make_snippet

if TYPE_CHECKING:
    from whoosh.searching import Searcher

    from .index import Index

SORTS = ("relevance", "newest", "oldest")
MAX_LIMIT = 1000
#: Longer queries are cut (with a notice): each word becomes a query clause, and Whoosh
#: nests clauses one matcher deep each, so thousands of words would be slow and would
#: exhaust Python's recursion limit.
MAX_QUERY_CHARS = 100
#: Default CPU time (seconds, of the searching thread) for matching and scoring one
#: query: a query that needs more is answered from the matches found by then, with a
#: notice, so that no request can hold a server thread for long.
QUERY_CPU_SECONDS = 2.0


@dataclass
class Hit:
    """One matching document. ``url`` is its page on the site (Jekyll's permalink, absolute
    when the site's ``url`` is known), ``source_url`` the ``<http…>`` source link of its
    body, ``type`` ``post``, ``page`` or a collection's name. ``title`` is plain text;
    ``title_html`` and ``snippet`` are HTML (matches in ``<mark>``, the rest escaped).
    ``date`` is aware, or None. ``score`` is the relevance under relevance sorting (BM25F
    times the proximity and recency factors of :mod:`searcher.ranking`), None under date
    sorting. Hits are ordered by their exact-wording tier first, so a hit holding more
    query words verbatim comes first even with a lower score."""

    id: str
    path: str
    url: str | None
    source_url: str | None
    type: str
    title: str
    title_html: str
    date: dt.datetime | None
    categories: list[str]
    tags: list[str]
    score: float | None
    snippet: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; ``date`` as ISO 8601 with its offset, or None."""
        d = asdict(self)
        d["date"] = self.date.isoformat() if self.date else None
        if self.score is not None:
            d["score"] = round(self.score, 4)
        return d


@dataclass
class SearchResults:
    """The answer to one search.

    total: posts matching (all pages); hits: this page's posts; facets: for
    ``"categories"``, ``"tags"``, ``"years"``, ``"types"``, ``{value: count}`` over all
    matching posts, largest count first; notices: messages for the user (e.g. only common words).
    """

    query: str
    total: int
    page: int
    limit: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    notices: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``searcher search --json``."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "hits": [h.to_dict() for h in self.hits],
            "facets": self.facets,
            "notices": self.notices,
        }


def _day(
    value: str | dt.date | dt.datetime | None, name: str, tz: dt.tzinfo, end: bool
) -> int | None:
    """Unix seconds of the start (or end) of a day in ``tz``; an aware datetime is exact."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = (
                dt.datetime.fromisoformat(value.strip())
                if "T" in value or ":" in value
                else dt.date.fromisoformat(value.strip())
            )
        except ValueError:
            raise QueryError(f"{name}: not a date (YYYY-MM-DD): {value!r}") from None
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
        return int(moment.timestamp())
    day = dt.datetime.combine(value, dt.time.max if end else dt.time.min, tzinfo=tz)
    return int(day.timestamp())


def _facet_sets(s: Searcher) -> dict[str, dict[str, frozenset[int]]]:
    reader = s.reader()
    out: dict[str, dict[str, frozenset[int]]] = {}
    for name in FACETS:
        values: dict[str, frozenset[int]] = {}
        for term in reader.lexicon(name):
            ids = frozenset(reader.postings(name, term).all_ids())
            values[term.decode("utf-8")] = ids
        out[name] = values
    return out


def _timestamps(s: Searcher) -> list[int]:
    reader = s.reader()
    if reader.doc_count_all() == 0:
        return []
    column = reader.column_reader("ts")
    return [column[i] for i in range(reader.doc_count_all())]


def _counts(sets: dict[str, frozenset[int]], matched: set[int] | frozenset[int]) -> dict[str, int]:
    counts = {v: len(ids & matched) for v, ids in sets.items()}  # iterates the smaller set
    return dict(sorted(((v, c) for v, c in counts.items() if c), key=lambda vc: (-vc[1], vc[0])))


def clean_query(query: str) -> str:
    """``query`` with NUL and other control characters made spaces: they separate
    words, as in posts, and are never echoed back."""
    return CONTROL_CHARS.sub(" ", query)


def search(
    index: Index,
    query: str = "",
    *,
    categories: list[str] | tuple[str, ...] = (),
    tags: list[str] | tuple[str, ...] = (),
    types: list[str] | tuple[str, ...] = (),
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    sort: str = "relevance",
    limit: int = 10,
    page: int = 1,
    snippet_chars: int = SNIPPET_CHARS,
    cpu_seconds: float = QUERY_CPU_SECONDS,
    recency: float | None = None,
    now: dt.datetime | None = None,
) -> SearchResults:
    """Search ``index``.

    :param query: the query text (syntax in :mod:`searcher.query`); empty lists every
        post that passes the filters, newest first. Control characters (NUL…) separate
        words; a query of nothing else has nothing to search for.
    :param categories: keep posts in any of these categories (exact values).
    :param tags: keep posts with any of these tags (exact values).
    :param types: keep documents of any of these types (``post``, ``page``, a collection).
    :param since: keep posts dated on or after this day (``YYYY-MM-DD``, a ``date``, or
        an aware ``datetime``), days in the index's site time zone. Undated posts never
        pass a date filter.
    :param until: keep posts dated on or before this day (inclusive, same forms).
    :param sort: ``"relevance"`` (BM25F), ``"newest"`` or ``"oldest"``; undated posts
        come last under both date orders.
    :param limit: hits per page, 1 to 1000.
    :param page: page number, from 1.
    :param snippet_chars: snippet size in characters.
    :param cpu_seconds: CPU time of this thread for matching and scoring (checked every
        64 matches); past it the answer covers the matches found so far, with a notice.
    :param recency: under relevance sorting, a half-life in days: each hit's relevance is
        multiplied by ``1/2 + 1/2 · 2 ** (−age_days / recency)`` (:mod:`searcher.ranking`),
        so recent stories rise among equally relevant ones. None (default): no factor.
    :param now: the present for ``recency`` (an aware datetime); default: the clock.
    :returns: :class:`SearchResults`; facet counts cover all matching posts.
    :raises QueryError: a parameter is invalid; the message names it.
    """
    if sort not in SORTS:
        raise QueryError(f"sort: must be one of {', '.join(SORTS)}, not {sort!r}")
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit: must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}")
    if not isinstance(page, int) or page < 1:
        raise QueryError(f"page: must be a whole number from 1, not {page!r}")
    tz = index.timezone
    start = _day(since, "since", tz, end=False)
    stop = _day(until, "until", tz, end=True)
    if start is not None and stop is not None and start > stop:
        raise QueryError(f"since: {since} is after until: {until}")
    if recency is not None and (
        isinstance(recency, bool) or not isinstance(recency, (int, float)) or not recency > 0
    ):
        raise QueryError(f"recency: must be a number of days above 0, not {recency!r}")
    moment = (now or dt.datetime.now(dt.timezone.utc)).timestamp()

    notices = []
    typed = bool(query.strip())
    query = clean_query(query)
    if len(query) > MAX_QUERY_CHARS:
        notices.append(f"the query was cut to its first {MAX_QUERY_CHARS} characters")
    parsed = parse(query[:MAX_QUERY_CHARS])
    parsed.typed = parsed.typed or typed  # only control codes: nothing to search, not "all"
    compiled = compile_query(parsed, index.word_segmenter, index.phrase_cache)
    compiled.notices[:0] = notices
    filters: list[Any] = []
    if categories:
        filters.append(wq.Or([wq.Term("categories", c) for c in categories]))
    if tags:
        filters.append(wq.Or([wq.Term("tags", t) for t in tags]))
    if types:
        filters.append(wq.Or([wq.Term("type", t) for t in types]))
    if start is not None or stop is not None:
        filters.append(wq.NumericRange("ts", start if start is not None else UNDATED + 1, stop))
    filter_q = wq.And(filters) if filters else None
    if compiled.match_all and sort == "relevance":
        sort = "newest"
    if recency is not None and sort != "relevance":
        compiled.notices.append(f"recency only reorders relevance sorting, not {sort}")

    try:
        return _run(
            index,
            query,
            compiled,
            filter_q,
            sort,
            limit,
            page,
            snippet_chars,
            cpu_seconds,
            (recency, moment),
        )
    except (OSError, EOFError, struct.error) as exc:
        raise SearchIndexError(
            f"{index.path}: index is damaged ({type(exc).__name__}: {exc}); "
            "rebuild it with `searcher index --rebuild`"
        ) from exc


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


def _run(
    index: Index,
    query: str,
    compiled: Compiled,
    filter_q: Any,
    sort: str,
    limit: int,
    page: int,
    snippet_chars: int,
    cpu_seconds: float = QUERY_CPU_SECONDS,
    recency: tuple[float | None, float] = (None, 0.0),
) -> SearchResults:
    """Run a compiled query: one scored pass, facets, then the page's hits.

    ``recency``: the half-life in days (or None) and the present in Unix seconds."""
    with index.searcher() as s:
        # One pass collects every match (for the total and the facets) with its score,
        # within a budget of CPU time.
        budget = _Budget(s.collector(limit=None, scored=sort == "relevance"), cpu_seconds)
        outer = budget if filter_q is None else collectors.FilterCollector(budget, filter_q)
        try:
            s.search_with_collector(compiled.query, outer)
        except _OutOfBudget:
            pass
        ranked = outer.results()
        matched = set(ranked.docs())
        total = len(matched)
        if budget.stopped:
            compiled.notices.append(
                f"the search was stopped after {cpu_seconds:g} s of work: the total, the "
                f"facets and the ranking only cover the {total} matching posts found by then"
            )
        sets = index.cached(s, "facets", _facet_sets)
        facets = {
            "categories": _counts(sets["categories"], matched),
            "tags": _counts(sets["tags"], matched),
            "years": _counts(sets["year"], matched),
            "types": _counts(sets["type"], matched),
        }
        first = (page - 1) * limit
        scored: list[tuple[int, float | None]] = []
        stamps = index.cached(s, "timestamps", _timestamps)
        if sort == "relevance" and first < total:
            best = rank(
                ranked.top_n,
                stamps,
                end=first + limit,
                reader=s.reader(),
                words=compiled.proximity,
                recency=recency[0],
                now=recency[1],
            )
            scored = [(d, score) for d, score in best[first:]]
        elif first < total:
            newest = sort == "newest"

            def key(d: int) -> tuple[bool, int, int]:
                ts = stamps[d]
                return (ts == UNDATED, -ts if newest else ts, d)

            scored = [(d, None) for d in sorted(matched, key=key)[first : first + limit]]
        hits = [
            _hit(s, docnum, score, compiled.highlight, snippet_chars) for docnum, score in scored
        ]
    return SearchResults(query, total, page, limit, hits, facets, compiled.notices)


def _hit(s: Searcher, docnum: int, score: float | None, terms: list[Any], size: int) -> Hit:
    stored = s.stored_fields(docnum)
    meta = stored["meta"]
    title = stored.get("title", "")
    date = dt.datetime.fromisoformat(meta["date"]) if meta.get("date") else None
    return Hit(
        id=stored["id"],
        path=meta["path"],
        url=meta.get("url"),
        source_url=meta.get("source_url"),
        type=str(meta.get("type", "post")),
        title=title,
        title_html=highlight(title, find_spans(title, terms)),
        date=date,
        categories=list(meta.get("categories", [])),
        tags=list(meta.get("tags", [])),
        score=score,
        snippet=make_snippet(stored.get("body", ""), terms, size),
    )


@dataclass
class IndexStats:
    """Facts about an index: ``documents`` (live posts), facet value counts, the first
    and last post dates (aware, site time zone; None when no post is dated), the size
    of the index folder in bytes, and the segmenter and dictionary that built it."""

    documents: int
    categories: dict[str, int]
    tags: dict[str, int]
    years: dict[str, int]
    first_date: dt.datetime | None
    last_date: dt.datetime | None
    size_bytes: int
    segmenter: str
    dictionary: str
    timezone: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, dates as ISO 8601."""
        d = asdict(self)
        d["first_date"] = self.first_date.isoformat() if self.first_date else None
        d["last_date"] = self.last_date.isoformat() if self.last_date else None
        return d


def stats(index: Index) -> IndexStats:
    """Compute :class:`IndexStats` for ``index``."""
    with index.searcher() as s:
        live = set(s.reader().all_doc_ids())
        sets = index.cached(s, "facets", _facet_sets)
        stamps = [
            ts
            for d, ts in enumerate(index.cached(s, "timestamps", _timestamps))
            if d in live and ts != UNDATED
        ]
    tz = index.timezone
    size = sum(p.stat().st_size for p in index.path.iterdir() if p.is_file())
    return IndexStats(
        documents=len(live),
        categories=_counts(sets["categories"], live),
        tags=_counts(sets["tags"], live),
        years=_counts(sets["year"], live),
        first_date=dt.datetime.fromtimestamp(min(stamps), tz) if stamps else None,
        last_date=dt.datetime.fromtimestamp(max(stamps), tz) if stamps else None,
        size_bytes=size,
        segmenter=str(index.meta.get("segmenter", index.segmenter)),
        dictionary=str(index.meta.get("dictionary", "")),
        timezone=str(index.meta.get("timezone", "")),
    )


__all__ = ["Hit", "IndexStats", "SearchResults", "clean_query", "search", "stats"]
