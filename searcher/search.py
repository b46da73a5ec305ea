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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import collectors

from .errors import Notice, QueryError, SearchIndexError
from .evaluate import OutOfBudget, Unsupported, evaluate_arrays
from .postings import read_weights
from .query import Compiled, compile_query, parse
from .ranking import rank
from .schema import FACETS, UNDATED, column_numbers
from .site.options import CONTROL_CHARS
from .snippets import SNIPPET_CHARS, find_spans, highlight, make_snippet

if TYPE_CHECKING:
    from whoosh.searching import Searcher

    from .index import Index

SORTS = ("relevance", "newest", "oldest")
MAX_LIMIT = 1000
#: Most distinct values of one filter (``categories``, ``tags``, ``types``) in a search:
#: more is a :class:`QueryError` (``too_many_values``). A reader ticks a few; the cap
#: bounds what one request costs the facet counts, and the page its links (each link
#: repeats the chosen values). The web layer applies it to the ``category`` and ``tag``
#: parameters (README "Search page and API").
MAX_FILTER_VALUES = 50
#: Longer queries are cut (with a notice): each word becomes a query clause, and Whoosh
#: nests clauses one matcher deep each, so thousands of words would be slow and would
#: exhaust Python's recursion limit.
MAX_QUERY_CHARS = 100
#: Default CPU time (seconds, of the searching thread) for matching and scoring one
#: query: a query that needs more is answered from the matches found by then, with a
#: notice, so that no request can hold a server thread for long.
QUERY_CPU_SECONDS = 2.0


@dataclass
class Post:
    """What a result and the article view say about a post. ``url`` is its page on the
    site (Jekyll's permalink, absolute when the site's ``url`` is known), ``source_url``
    the ``<http…>`` source link of its body, both as stored (check their scheme before
    making them links); ``type`` is ``post``, ``page`` or a collection's name. ``title``
    is plain text; ``title_html`` is HTML (matches in ``<mark>``, the rest escaped).
    ``date`` is aware (site time zone), or None."""

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


def post_fields(stored: dict[str, Any], terms: list[Any]) -> dict[str, Any]:
    """The :class:`Post` fields of a document's stored fields, the title marked for
    ``terms`` (query terms, :func:`searcher.snippets.find_spans`)."""
    meta = stored["meta"]
    title = stored.get("title", "")
    return {
        "id": stored["id"],
        "path": meta["path"],
        "url": meta.get("url"),
        "source_url": meta.get("source_url"),
        "type": str(meta.get("type", "post")),
        "title": title,
        "title_html": highlight(title, find_spans(title, terms) if terms else []),
        "date": dt.datetime.fromisoformat(meta["date"]) if meta.get("date") else None,
        "categories": list(meta.get("categories", [])),
        "tags": list(meta.get("tags", [])),
    }


@dataclass
class Hit(Post):
    """One matching document: the :class:`Post` fields, then ``score`` and ``snippet``
    (HTML, like ``title_html``). ``score`` is the relevance under relevance sorting
    (BM25F times the proximity and recency factors of :mod:`searcher.ranking`), None
    under date sorting. Hits are ordered by their exact-wording tier first, so a hit
    holding more query words verbatim comes first even with a lower score."""

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

    total: posts matching the query and every filter (all pages); hits: this page's
    posts; notices: :class:`~searcher.errors.Notice` messages for the reader (each a
    ``str`` with a ``code``); unfiltered_total: posts matching the query with no filter;
    seconds: wall time of the search in seconds.

    facets: ``{facet: {value: count}}``. For ``"categories"``, ``"tags"`` and
    ``"types"`` the count is the total a reader gets by toggling that value: values of
    one facet are ORed and facets are ANDed, so each facet is counted over the posts that
    pass every *other* filter (a chosen value's count is the total after removing it);
    largest count first. ``"years"`` (``"2024"``) and ``"months"`` (``"2024-03"``,
    in date order) count the posts passing every filter but the date range, so a year's
    or month's count is the total after setting the date range to it.
    """

    query: str
    total: int
    page: int
    limit: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    notices: list[Notice] = field(default_factory=list)
    unfiltered_total: int = 0
    seconds: float = 0.0

    def copy(self) -> SearchResults:
        """A copy whose lists and dicts (hits, their categories and tags, facets,
        notices) can be changed without changing this one; as ``copy.deepcopy`` but a
        tenth of its cost (the results cache copies every answer it keeps or gives)."""
        return replace(
            self,
            hits=[replace(h, categories=list(h.categories), tags=list(h.tags)) for h in self.hits],
            facets={name: dict(counts) for name, counts in self.facets.items()},
            notices=list(self.notices),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``searcher search --json``; notices as
        ``{"code", "message", "params"}``. ``seconds`` is left out, so that the same
        search gives the same text (the API sends it as ``Server-Timing``)."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "hits": [h.to_dict() for h in self.hits],
            "facets": self.facets,
            "notices": [
                n.to_dict() if isinstance(n, Notice) else {"code": "", "message": str(n)}
                for n in self.notices
            ],
            "unfiltered_total": self.unfiltered_total,
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
            raise QueryError(
                f"{name}: not a date (YYYY-MM-DD): {value!r}", code="bad_date", param=name
            ) from None
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
        return int(moment.timestamp())
    day = dt.datetime.combine(value, dt.time.max if end else dt.time.min, tzinfo=tz)
    return int(day.timestamp())


@dataclass(frozen=True)
class _Facet:
    """One facet's postings, kept per index generation: ``sets`` maps each value to its
    docnums (for filters), and ``docs``/``values`` list every (docnum, value number)
    posting as two arrays, so that counting the values of any set of documents is one
    ``np.bincount``."""

    sets: dict[str, frozenset[int]]
    names: list[str]
    docs: np.ndarray
    values: np.ndarray
    size: int
    numbers: dict[str, int] = field(default_factory=dict)  # value → its place in names

    def counts(self, among: set[int] | frozenset[int], masks: Masks | None = None) -> np.ndarray:
        """How many of ``among`` have each value, in the order of ``names`` (``masks``
        turns a set of docnums into a boolean array once per search)."""
        if not among or not self.names:
            return np.zeros(len(self.names), dtype=np.int64)
        mask = (masks or Masks(self.size)).of(among)
        return np.bincount(self.values[mask[self.docs]], minlength=len(self.names))


class Masks:
    """Boolean arrays over an index's docnums, one per set of docnums, made once: the
    facets of one search count the same few sets (the matches, those passing the other
    filters), and turning a set of 19,000 docnums into an array takes about a
    millisecond."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._made: dict[int, tuple[Any, np.ndarray]] = {}

    def of(self, docs: set[int] | frozenset[int]) -> np.ndarray:
        """The mask of ``docs`` (kept while this object lives, by the set's identity)."""
        made = self._made.get(id(docs))
        if made is not None and made[0] is docs:
            return made[1]
        mask = np.zeros(self.size, dtype=bool)
        if docs:
            mask[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
        self._made[id(docs)] = (docs, mask)
        return mask


def _facet_sets(s: Searcher) -> dict[str, _Facet]:
    """Each facet's :class:`_Facet`, read a posting block at a time per segment."""
    out: dict[str, _Facet] = {}
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
        names = list(values)
        docs = [d for ids in values.values() for d in ids]
        numbers = [n for n, ids in enumerate(values.values()) for _ in ids]
        out[name] = _Facet(
            sets={value: frozenset(ids) for value, ids in values.items()},
            names=names,
            docs=np.array(docs, dtype=np.int64),
            values=np.array(numbers, dtype=np.int64),
            size=size,
            numbers={value: n for n, value in enumerate(names)},
        )
    return out


def _timestamps(s: Searcher) -> list[int]:
    """Each document's ``ts`` (Unix seconds, or UNDATED), by docnum."""
    out: list[int] = []
    for sub, _ in s.leaf_searchers():
        reader = sub.reader()
        count = reader.doc_count_all()
        if count:
            column = reader.column_reader("ts")
            out.extend(_column_values(column, count))
    return out


def _id_order(s: Searcher) -> np.ndarray:
    """Each document's place in the order of ids (paths in the site), by docnum: the
    last tie-break of every order, the same in an index updated in place as in a fresh
    build (their document numbers differ)."""
    ids: list[str] = []
    for sub, _ in s.leaf_searchers():
        reader = sub.reader()
        count = reader.doc_count_all()
        if count:
            ids.extend(_column_values(reader.column_reader("id"), count))
    places = np.empty(len(ids), dtype=np.int64)
    places[np.argsort(np.array(ids, dtype=object), kind="stable")] = np.arange(len(ids))
    return places


def _column_values(column: Any, count: int) -> list[Any]:
    """The ``count`` values of a Whoosh numeric column of one segment
    (:func:`~searcher.schema.column_numbers`), with the column's own translation."""
    numbers = column_numbers(getattr(column, "_reader", column), count)
    translate = getattr(column, "_translate", None)
    return numbers if translate is None else [translate(n) for n in numbers]


def _counts(
    facet: _Facet, among: set[int] | frozenset[int], masks: Masks | None = None
) -> dict[str, int]:
    """``{value: how many of among have it}``, values with none left out, largest first."""
    counts = zip(facet.names, facet.counts(among, masks).tolist(), strict=True)
    return dict(sorted(((v, c) for v, c in counts if c), key=lambda vc: (-vc[1], vc[0])))


def clean_query(query: str) -> str:
    """``query`` with NUL and other control characters made spaces: they separate
    words, as in posts, and are never echoed back."""
    return CONTROL_CHARS.sub(" ", query)


def search(
    index: Index,
    query: str = "",
    *,
    categories: str | Sequence[str] = (),
    tags: str | Sequence[str] = (),
    types: str | Sequence[str] = (),
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
    :param categories: keep posts in any of these categories (exact values; a single
        string is one value, empty strings are ignored; at most
        :data:`MAX_FILTER_VALUES` distinct values, as for ``tags`` and ``types``).
    :param tags: keep posts with any of these tags (same forms). Facets are ANDed.
    :param types: keep documents of any of these types (``post``, ``page``, a
        collection; same forms).
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
    :returns: :class:`SearchResults`; each facet count is the total after toggling that
        value (see :class:`SearchResults`).
    :raises QueryError: a parameter is invalid; the message names it.
    """
    if sort not in SORTS:
        raise QueryError(
            f"sort: must be one of {', '.join(SORTS)}, not {sort!r}", code="bad_sort", param="sort"
        )
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(
            f"limit: must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}",
            code="bad_limit",
            param="limit",
        )
    if not isinstance(page, int) or page < 1:
        raise QueryError(
            f"page: must be a whole number from 1, not {page!r}", code="bad_page", param="page"
        )
    tz = index.timezone
    start = _day(since, "since", tz, end=False)
    stop = _day(until, "until", tz, end=True)
    if start is not None and stop is not None and start > stop:
        raise QueryError(
            f"since: {since} is after until: {until}", code="date_order", param="since"
        )
    if recency is not None and (
        isinstance(recency, bool) or not isinstance(recency, (int, float)) or not recency > 0
    ):
        raise QueryError(
            f"recency: must be a number of days above 0, not {recency!r}",
            code="bad_recency",
            param="recency",
        )
    moment = (now or dt.datetime.now(dt.timezone.utc)).timestamp()

    notices = []
    typed = bool(query.strip())
    query = clean_query(query)
    if len(query) > MAX_QUERY_CHARS:
        notices.append(
            Notice(
                "query_cut",
                f"the query was cut to its first {MAX_QUERY_CHARS} characters",
                chars=MAX_QUERY_CHARS,
            )
        )
    parsed = parse(query[:MAX_QUERY_CHARS])
    parsed.typed = parsed.typed or typed  # only control codes: nothing to search, not "all"
    compiled = compile_query(parsed, index.word_segmenter, index.phrase_cache)
    compiled.notices[:0] = notices
    chosen = (_values(categories, "categories"), _values(tags, "tags"), _values(types, "types"))
    filters = Filters(*chosen, start, stop)
    if compiled.match_all and sort == "relevance":
        sort = "newest"
    if recency is not None and sort != "relevance":
        compiled.notices.append(
            Notice(
                "recency_ignored",
                f"recency only reorders relevance sorting, not {sort}",
                sort=sort,
            )
        )

    try:
        return _run(
            index,
            query,
            compiled,
            filters,
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


@dataclass(frozen=True)
class Filters:
    """The filters of one search. Values of one facet are ORed, facets are ANDed.

    ``start``/``stop``: the date range in Unix seconds (inclusive), None for open; undated
    posts never pass a date range.
    """

    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    start: int | None = None
    stop: int | None = None

    @property
    def dated(self) -> bool:
        """Whether a date range is set."""
        return self.start is not None or self.stop is not None


def _values(values: str | Sequence[str] | None, name: str = "") -> tuple[str, ...]:
    """Filter values: a single string is one value (not its characters), None is none,
    and empty strings (an empty ``tag=`` in a link) are ignored like an empty
    ``since=``; repeated values count once.

    :raises QueryError: ``too_many_values`` (``param`` ``name``) past
        :data:`MAX_FILTER_VALUES` distinct values.
    """
    if values is None:
        return ()
    if isinstance(values, str):
        values = (values,)
    out = tuple(dict.fromkeys(v for v in values if v))
    if len(out) > MAX_FILTER_VALUES:
        raise QueryError(
            f"{name or 'filter'}: at most {MAX_FILTER_VALUES} values, not {len(out)}",
            code="too_many_values",
            param=name or None,
        )
    return out


def _union(sets: dict[str, frozenset[int]], values: Iterable[str]) -> frozenset[int]:
    return frozenset().union(*(sets.get(v, frozenset()) for v in values))


def _toggle_counts(
    facet: _Facet,
    base: set[int],
    matched: set[int],
    chosen: tuple[str, ...],
    masks: Masks | None = None,
) -> dict[str, int]:
    """For each value of a facet, the total a reader gets by toggling it.

    ``base``: the matches passing every other facet's filter; ``matched``: those that
    also pass this facet's (any of ``chosen``, distinct values). Adding value v gives
    ``matched`` plus the posts of ``base`` that have v; removing a chosen value gives
    the posts of ``base`` that have one of the others (all of ``base`` when none is
    left). Values found in ``base`` and every chosen value are listed, largest count
    first.

    Linear in the facet's postings and the number of values, whatever the number
    chosen: a post of ``base`` still passes when v is removed unless v is the only
    chosen value it has, so removing v gives (posts with any chosen value) − (posts
    whose one chosen value is v), both counted in one pass over the postings.
    """
    if not chosen:
        return _counts(facet, base, masks)
    masks = masks or Masks(facet.size)
    picked = set(chosen)
    counts: dict[str, int] = {}
    in_base = facet.counts(base, masks).tolist()
    in_matched = facet.counts(matched, masks).tolist()
    for value, extra, already in zip(facet.names, in_base, in_matched, strict=True):
        if extra and value not in picked:
            counts[value] = len(matched) + extra - already
    if len(chosen) == 1:  # removing the only value removes the facet's filter
        counts[chosen[0]] = len(base)
    else:
        is_chosen = np.zeros(len(facet.names), dtype=bool)
        numbers = [facet.numbers[v] for v in chosen if v in facet.numbers]
        is_chosen[numbers] = True
        keep = masks.of(base)[facet.docs] & is_chosen[facet.values]  # chosen postings in base
        per_doc = np.bincount(facet.docs[keep], minlength=facet.size)  # chosen values a post has
        with_any = int(np.count_nonzero(per_doc))
        alone = keep & (per_doc == 1)[facet.docs]  # the postings of posts with one chosen value
        only = np.bincount(facet.values[alone], minlength=len(facet.names)).tolist()
        for value in chosen:
            number = facet.numbers.get(value)
            counts[value] = with_any - (only[number] if number is not None else 0)
    return dict(sorted(counts.items(), key=lambda vc: (-vc[1], vc[0])))


def _months(tz: dt.tzinfo, stamps: list[int]) -> Callable[[Searcher], np.ndarray]:
    """A builder of each document's month as a number (``year · 12 + month − 1`` in
    ``tz``; −1 when undated) from its ``stamps``, by docnum, for :meth:`Index.cached`;
    each distinct time is converted once."""

    def month(ts: int) -> int:
        if ts == UNDATED:
            return -1
        moment = dt.datetime.fromtimestamp(ts, tz)
        return moment.year * 12 + moment.month - 1

    def build(s: Searcher) -> np.ndarray:
        seen: dict[int, int] = {}
        out = []
        for ts in stamps:
            found = seen.get(ts)
            if found is None:
                found = seen[ts] = month(ts)
            out.append(found)
        return np.array(out, dtype=np.int64)

    return build


def _month_counts(months: np.ndarray, docs: set[int], masks: Masks | None = None) -> dict[str, int]:
    """``{"YYYY-MM": count}`` of ``docs`` (dated ones), in date order."""
    if not docs:
        return {}
    codes = months[(masks or Masks(len(months))).of(docs)]
    codes = codes[codes >= 0]
    values, counts = np.unique(codes, return_counts=True)
    return {
        f"{v // 12:04d}-{v % 12 + 1:02d}": c
        for v, c in zip(values.tolist(), counts.tolist(), strict=True)
    }


def _run(
    index: Index,
    query: str,
    compiled: Compiled,
    filters: Filters,
    sort: str,
    limit: int,
    page: int,
    snippet_chars: int,
    cpu_seconds: float = QUERY_CPU_SECONDS,
    recency: tuple[float | None, float] = (None, 0.0),
) -> SearchResults:
    """Run a compiled query: one scored pass over every match, the filters and facet
    counts as set operations on those matches, then the page's hits.

    ``recency``: the half-life in days (or None) and the present in Unix seconds."""
    began = time.perf_counter()
    with index.searcher() as s:
        # One pass collects every match of the query (for the total and the facets,
        # which need the matches that fail one filter too) with its score, within a
        # budget of CPU time: term at a time (searcher.evaluate) where it knows every
        # node of the query; else, or past the budget, Whoosh's own collector with what
        # is left of the budget.
        deadline = time.thread_time() + cpu_seconds
        stopped = False
        arrays: tuple[np.ndarray, np.ndarray] | None = None
        try:
            arrays = evaluate_arrays(compiled.query, s, deadline)
        except (Unsupported, OutOfBudget):
            pass
        if arrays is not None:
            docs, values = arrays
        else:
            left = max(0.0, deadline - time.thread_time())
            budget = _Budget(s.collector(limit=None, scored=sort == "relevance"), left)
            try:
                s.search_with_collector(compiled.query, budget)
            except _OutOfBudget:
                pass
            ranked = budget.results()
            top_n = ranked.top_n if sort == "relevance" else [(0.0, d) for d in ranked.docs()]
            docs = np.array([d for _, d in top_n], dtype=np.int64)
            values = np.array([v for v, _ in top_n], dtype=np.float64)
            stopped = budget.stopped
        found = set(docs.tolist())
        sets = index.cached(s, "facets", _facet_sets)
        stamps = index.cached(s, "timestamps", _timestamps)
        months = index.cached(s, "months", _months(index.timezone, stamps))
        allowed: dict[str, frozenset[int] | set[int] | None] = {
            "categories": _union(sets["categories"].sets, filters.categories)
            if filters.categories
            else None,
            "tags": _union(sets["tags"].sets, filters.tags) if filters.tags else None,
            "type": _union(sets["type"].sets, filters.types) if filters.types else None,
            "date": _in_range(found, stamps, filters) if filters.dated else None,
        }

        def passing(skip: str = "") -> set[int]:
            if skip and allowed[skip] is None:
                return matched  # no filter of its own: the same as passing them all
            out = found
            for name, ids in allowed.items():
                if ids is not None and name != skip:
                    out = out & ids
            return out

        matched = passing()
        total = len(matched)
        if stopped:
            compiled.notices.append(
                Notice(
                    "search_stopped",
                    f"the search was stopped after {cpu_seconds:g} s of work: the total, the "
                    f"facets and the ranking only cover the {total} matching posts found by "
                    "then",
                    seconds=cpu_seconds,
                    total=total,
                )
            )
        undated = passing("date")
        masks = Masks(len(stamps))
        facets = {
            "categories": _toggle_counts(
                sets["categories"], passing("categories"), matched, filters.categories, masks
            ),
            "tags": _toggle_counts(sets["tags"], passing("tags"), matched, filters.tags, masks),
            "years": _counts(sets["year"], undated, masks),
            "months": _month_counts(months, undated, masks),
            "types": _toggle_counts(sets["type"], passing("type"), matched, filters.types, masks),
        }
        first = (page - 1) * limit
        scored: list[tuple[int, float | None]] = []
        if sort == "relevance" and first < total:
            if total != len(found):
                keep = np.isin(docs, np.fromiter(matched, dtype=np.int64, count=total))
                docs, values = docs[keep], values[keep]
            best = rank(
                values,
                docs,
                stamps,
                end=first + limit,
                reader=s.reader(),
                words=compiled.proximity,
                recency=recency[0],
                now=recency[1],
                order=index.cached(
                    s, "id_order_list", lambda s: index.cached(s, "id_order", _id_order).tolist()
                ),
            )
            scored = [(d, score) for d, score in best[first:]]
        elif first < total:
            # Date order: dated posts first, newest (or oldest) first, then by id.
            chosen = np.fromiter(matched, dtype=np.int64, count=total)
            ts = index.cached(s, "timestamp_array", lambda _: np.array(stamps, np.int64))[chosen]
            ids = index.cached(s, "id_order", _id_order)[chosen]
            order = np.lexsort((ids, -ts if sort == "newest" else ts, ts == UNDATED))
            scored = [(d, None) for d in chosen[order][first : first + limit].tolist()]
        hits = [
            _hit(s, docnum, score, compiled.highlight, snippet_chars) for docnum, score in scored
        ]
    return SearchResults(
        query,
        total,
        page,
        limit,
        hits,
        facets,
        compiled.notices,
        unfiltered_total=len(found),
        seconds=time.perf_counter() - began,
    )


def _in_range(found: set[int], stamps: list[int], filters: Filters) -> set[int]:
    low = filters.start if filters.start is not None else UNDATED + 1
    high = filters.stop if filters.stop is not None else 2**63
    return {d for d in found if low <= stamps[d] <= high}


def _hit(s: Searcher, docnum: int, score: float | None, terms: list[Any], size: int) -> Hit:
    stored = s.stored_fields(docnum)
    snippet = make_snippet(stored.get("body", ""), terms, size)
    return Hit(**post_fields(stored, terms), score=score, snippet=snippet)


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


__all__ = [
    "Hit",
    "IndexStats",
    "MAX_FILTER_VALUES",
    "Post",
    "post_fields",
    "SearchResults",
    "clean_query",
    "search",
    "stats",
]
