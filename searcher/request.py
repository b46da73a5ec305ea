"""One search request: every parameter, its default and its validation, once.

The library (:meth:`searcher.index.Index.search`), the command line (``searcher search``)
and the web layer (the page and ``/api/search``, through :meth:`SearchRequest.from_params`)
all build a :class:`SearchRequest`; it is also the results cache's key. Each bad value
raises :class:`~searcher.errors.QueryError` with a ``code`` and the ``param`` it names.

>>> SearchRequest("量子", tags=["科技", "", "科技"], limit=5).tags
('科技',)
>>> SearchRequest(sort="best")
Traceback (most recent call last):
...
searcher.errors.QueryError: sort: must be one of relevance, newest, oldest, not 'best'
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any, Protocol

from .errors import Notice, QueryError
from .site.options import CONTROL_CHARS
from .snippets import SNIPPET_CHARS

SORTS = ("relevance", "newest", "oldest")
#: Matching rules a request may ask for (:mod:`searcher.query.relax`): ``auto`` (the
#: runs as typed; looser rules only when nothing matches exactly), ``exact`` (never
#: looser), ``loose`` (the looser rules even when exact matches exist).
MATCHES = ("auto", "exact", "loose")
MAX_LIMIT = 1000
MAX_PAGE = 999_999_999
#: Most distinct values of one filter (``categories``, ``tags``, ``types``) in a search:
#: more is a :class:`QueryError` (``too_many_values``). A reader ticks a few; the cap
#: bounds what one request costs the facet counts, and the page its links (each link
#: repeats the chosen values).
MAX_FILTER_VALUES = 50
#: Longer queries are cut (with a notice): each word becomes a query clause, and the
#: engine nests clauses one matcher deep each, so thousands of words would be slow and
#: would exhaust Python's recursion limit.
MAX_QUERY_CHARS = 100
#: Default CPU time (seconds, of the searching thread) for matching and scoring one
#: query: a query that needs more is answered from the matches found by then, with a
#: notice, so that no request can hold a server thread for long.
QUERY_CPU_SECONDS = 2.0
#: Bounds of a snippet's size in characters (default: :data:`searcher.snippets.SNIPPET_CHARS`).
MIN_SNIPPET_CHARS = 20
MAX_SNIPPET_CHARS = 1000
#: Longest recency half-life, in days (past it the factor is 1 for every story anyway),
#: and the most CPU time one search may be given, in seconds.
MAX_RECENCY_DAYS = 1e9
MAX_CPU_SECONDS = 3600.0


def clean_query(query: str) -> str:
    """``query`` with NUL and other control characters made spaces: they separate
    words, as in posts, and are never echoed back."""
    return CONTROL_CHARS.sub(" ", query)


def _values(values: str | Iterable[str] | None, name: str) -> tuple[str, ...]:
    """Filter values: a single string is one value (not its characters), None is none,
    any other iterable (a list, a generator) its items, which must be strings; empty
    strings (an empty ``tag=`` in a link) are ignored like an empty ``since=``; repeated
    values count once, in the order first given."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = (values,)
    try:
        items = list(values) if not isinstance(values, (bytes, bytearray)) else None
    except TypeError:
        items = None
    if items is None or not all(isinstance(v, str) for v in items):
        raise QueryError(
            f"{name}: must be text or a list of texts, not {values!r}"[:200],
            code="bad_value",
            param=name,
        )
    out = tuple(dict.fromkeys(v for v in items if v))
    if len(out) > MAX_FILTER_VALUES:
        raise QueryError(
            f"{name}: at most {MAX_FILTER_VALUES} values, not {len(out)}",
            code="too_many_values",
            param=name,
        )
    return out


def _whole(value: Any, name: str, highest: int, lowest: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= highest:
        bound = f"from {lowest}" + (f" to {highest}" if highest < MAX_PAGE else "")
        raise QueryError(
            f"{name}: must be a whole number {bound}, not {value!r}",
            code=f"bad_{name}",
            param=name,
        )
    return value


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _moment(value: str | dt.date | None, name: str) -> dt.date | None:
    """A day (``YYYY-MM-DD`` exactly, or a ``date``) or a moment (``YYYY-MM-DD`` then
    ``T`` or a space and an ISO 8601 time, with or without an offset; or a ``datetime``),
    as a ``date`` or ``datetime``; blank is None. Python would also read ``20240101``
    and ``2024-W01-1``, which no date box sends."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if _ISO_DAY.fullmatch(text):
                return dt.date.fromisoformat(text)
            if _ISO_DAY.match(text) and text[10:11] in ("T", " "):
                return dt.datetime.fromisoformat(text)
        except ValueError:
            pass
    raise QueryError(
        f"{name}: not a date (YYYY-MM-DD): {value!r}"[:200], code="bad_date", param=name
    )


def _is_day(value: str | dt.date | None) -> bool:
    """True for a whole day (the same bounds in every time zone's own days)."""
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _number(value: Any, name: str, unit: str, lowest: float, highest: float) -> float:
    """A finite number of ``unit`` from ``lowest`` (excluded when 0 for days) to
    ``highest``; ``bad_<name>`` otherwise (bools, text, NaN, infinity, overflow)."""
    ok = not isinstance(value, bool) and isinstance(value, (int, float))
    if ok:
        try:
            number = float(value)
        except OverflowError:
            ok = False
        else:
            above = number > lowest if unit == "days" else number >= lowest
            ok = math.isfinite(number) and above and number <= highest
    if not ok:
        least = "above 0" if unit == "days" else f"from {lowest:g}"
        raise QueryError(
            f"{name}: must be a number of {unit} {least} to {highest:g}, not {value!r}"[:200],
            code=f"bad_{name}",
            param=name,
        )
    return number


def day_bound(value: str | dt.date | None, tz: dt.tzinfo, end: bool) -> int | None:
    """Unix seconds of the start (or, with ``end``, the last second) of a checked day in
    the site time zone ``tz``; an aware moment is exact (to the second, rounded down), a
    naive one is read in ``tz``."""
    if value is None:
        return None
    if isinstance(value, str):  # (a request holds dates: only a caller's own string)
        value = _moment(value, "date")
        assert value is not None
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
        return int(moment.timestamp())
    day = dt.datetime.combine(value, dt.time.max if end else dt.time.min, tzinfo=tz)
    return int(day.timestamp())


@dataclass(frozen=True)
class Filters:
    """The filters of one search, as an engine applies them. Values of one facet are
    ORed, facets are ANDed (drill sideways, :mod:`searcher.facets`).

    ``start``/``stop``: the date range in Unix seconds (inclusive), None for open;
    undated posts never pass a date range.
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


@dataclass(frozen=True)
class SearchRequest:
    """A search, validated when made (:class:`QueryError` naming the parameter).

    :param query: the query text (syntax in :mod:`searcher.query.syntax`); empty lists
        every post that passes the filters, newest first. Control characters separate
        words; past :data:`MAX_QUERY_CHARS` characters it is cut, with a notice.
    :param categories: keep posts in any of these categories (exact values; a single
        string is one value, empty strings are ignored, repeats count once; at most
        :data:`MAX_FILTER_VALUES`, as for ``tags`` and ``types``).
    :param tags: keep posts with any of these tags. Facets are ANDed.
    :param types: keep documents of any of these types (``post``, ``page``, a collection).
    :param since: keep posts dated on or after this day (``YYYY-MM-DD`` or a ``date``),
        days in the index's site time zone, or this moment (``YYYY-MM-DDTHH:MM[:SS]``
        with or without an offset, or a ``datetime``; naive ones in the site time zone).
        Strings are read into ``date``/``datetime`` when the request is made. Undated
        posts never pass a date filter.
    :param until: keep posts dated on or before this day (inclusive, same forms); not
        before ``since``.
    :param sort: ``"relevance"`` (BM25F and the rules of :mod:`searcher.ranking`),
        ``"newest"`` or ``"oldest"``; undated posts come last under both date orders. A
        query that matches every post is sorted newest first.
    :param limit: hits per page, 1 to :data:`MAX_LIMIT`.
    :param page: page number, from 1.
    :param recency: under relevance sorting, a half-life in days (> 0): recent stories
        rise among equally relevant ones (:func:`searcher.ranking.recency_factor`). None:
        no factor.
    :param snippet_chars: snippet size in characters, :data:`MIN_SNIPPET_CHARS` to
        :data:`MAX_SNIPPET_CHARS`.
    :param match: the matching rule, one of :data:`MATCHES` (issue #20).
    :param cpu_seconds: CPU time of the searching thread for matching and scoring (≥ 0);
        past it the answer covers the matches found so far, with a notice.
    :param now: the present for ``recency`` (an aware datetime); None: the clock.
    :param collapse: fold each story group (near-duplicate reprints,
        :mod:`searcher.stories`) into its best-ranked post: the total, the facet counts and
        the pages then count groups, not posts (issue #22). Off in the library, on in the
        page.
    """

    query: str = ""
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    since: str | dt.date | None = None  # a date or datetime once made
    until: str | dt.date | None = None
    sort: str = "relevance"
    limit: int = 10
    page: int = 1
    recency: float | None = None
    snippet_chars: int = SNIPPET_CHARS
    match: str = "auto"
    cpu_seconds: float = QUERY_CPU_SECONDS
    now: dt.datetime | None = field(default=None, compare=False)
    collapse: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.query, str):
            raise QueryError("query: must be text", code="bad_query", param="query")
        for name in ("categories", "tags", "types"):
            object.__setattr__(self, name, _values(getattr(self, name), name))
        _choice(self.sort, SORTS, "sort")
        _choice(self.match, MATCHES, "match")
        _whole(self.limit, "limit", MAX_LIMIT)
        _whole(self.page, "page", MAX_PAGE)
        _whole(self.snippet_chars, "snippet_chars", MAX_SNIPPET_CHARS, MIN_SNIPPET_CHARS)
        for name in ("since", "until"):
            object.__setattr__(self, name, _moment(getattr(self, name), name))
        if _is_day(self.since) and _is_day(self.until):  # else: in the site's zone, filters()
            self._check_order(dt.timezone.utc)
        if self.recency is not None:
            _number(self.recency, "recency", "days", 0, MAX_RECENCY_DAYS)
        _number(self.cpu_seconds, "cpu_seconds", "seconds", 0, MAX_CPU_SECONDS)
        if not isinstance(self.collapse, bool):
            raise QueryError(
                f"collapse: must be True or False, not {self.collapse!r}"[:200],
                code="bad_collapse",
                param="collapse",
            )

    def _check_order(self, tz: dt.tzinfo) -> tuple[int | None, int | None]:
        start = day_bound(self.since, tz, end=False)
        stop = day_bound(self.until, tz, end=True)
        if start is not None and stop is not None and start > stop:
            raise QueryError(
                f"since: {self.since} is after until: {self.until}",
                code="date_order",
                param="since",
            )
        return start, stop

    @property
    def effective_sort(self) -> str:
        """The order the search uses: ``sort``, except that a blank query (every post)
        under ``relevance`` is listed newest first."""
        if not self.query.strip() and self.sort == "relevance":
            return "newest"
        return self.sort

    # -- what the search reads ---------------------------------------------------------

    def text(self) -> tuple[str, list[Notice]]:
        """The query as searched: control characters made spaces, cut to
        :data:`MAX_QUERY_CHARS` (with a ``query_cut`` notice)."""
        query = clean_query(self.query)
        if len(query) <= MAX_QUERY_CHARS:
            return query, []
        cut = Notice(
            "query_cut",
            f"the query was cut to its first {MAX_QUERY_CHARS} characters",
            chars=MAX_QUERY_CHARS,
        )
        return query[:MAX_QUERY_CHARS], [cut]

    def filters(self, tz: dt.tzinfo) -> Filters:
        """The engine's :class:`Filters`, days read in the site time zone ``tz``.

        :raises QueryError: ``date_order`` when ``since`` is after ``until`` there.
        """
        start, stop = self._check_order(tz)
        return Filters(self.categories, self.tags, self.types, start, stop)

    def key(self) -> tuple[Any, ...]:
        """The results cache's key: equal for requests that give the same answer where
        that is cheap to see: filter values in any order; under a date sort, only whether
        ``recency`` was given (it adds a notice then, whatever its value)."""
        sort = self.effective_sort
        recency: Any = self.recency if sort == "relevance" else self.recency is not None
        return (
            self.query,
            tuple(sorted(self.categories)),
            tuple(sorted(self.tags)),
            tuple(sorted(self.types)),
            _text_of(self.since),
            _text_of(self.until),
            sort,
            self.limit,
            self.page,
            recency,
            self.snippet_chars,
            self.match,
            self.cpu_seconds,
            self.now,
            self.collapse,
        )

    # -- from a URL's parameters --------------------------------------------------------

    @classmethod
    def from_params(
        cls,
        params: Params,
        *,
        limit: int | None = None,
        problems: list[QueryError] | None = None,
        collapse: bool = False,
    ) -> SearchRequest:
        """The request of a URL's query parameters (:data:`PARAMS`: ``q``, ``category``,
        ``tag``, ``type`` repeatable; ``since``, ``until``, ``sort``, ``page``, ``limit``,
        ``recency``, ``snippet``, ``match``, ``collapse`` once), written as a link writes them:
        numbers in ASCII digits (``int()`` would also take ``１２``), days as ``YYYY-MM-DD``
        exactly, ``collapse`` as ``1``/``true``/``on`` or ``0``/``false``/``off``.

        :param limit: fixed hits per page (the page, which ignores ``limit=``); None:
            read ``limit`` from ``params``.
        :param problems: with a list (the page), each bad parameter is recorded there
            and its default used; None (the API): the first bad one raises.
        :param collapse: ``collapse`` when the parameter is absent (the page: True).
        :raises QueryError: naming the parameter, when ``problems`` is None.
        """
        values: dict[str, Any] = {"collapse": collapse}
        for name, (attr, read) in PARAMS.items():
            if name == "limit" and limit is not None:
                values["limit"] = limit
                continue
            try:
                value = read(params.getlist(name), name)
            except QueryError as exc:
                if problems is None:
                    raise
                problems.append(exc)
                continue
            if value is not None:
                values[attr] = value
        try:
            return cls(**values)
        except QueryError as exc:  # since after until: both dropped on the page
            if problems is None or exc.code != "date_order":
                raise
            problems.append(exc)
            return cls(**{**values, "since": None, "until": None})

    def to_params(self, collapse: bool = False) -> list[tuple[str, str]]:
        """This request as URL parameters (defaults left out): :meth:`from_params` of
        them, with the same ``collapse`` default, gives an equal request (``cpu_seconds``
        and ``now`` are not URL parameters)."""
        out: list[tuple[str, str]] = []
        defaults = {f.name: f.default for f in fields(self)}
        defaults["collapse"] = collapse
        for name, (attr, _) in PARAMS.items():
            value = getattr(self, attr)
            if attr != "query" and value == defaults[attr]:
                continue
            if isinstance(value, tuple):
                out.extend((name, v) for v in value)
            elif isinstance(value, bool):
                out.append((name, "1" if value else "0"))
            elif value is not None:
                out.append((name, _text_of(value) or ""))
        return out

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]], **kw: Any) -> SearchRequest:
        """:meth:`from_params` of ``(name, value)`` pairs (a command line's options)."""
        params: dict[str, list[str]] = {}
        for name, value in pairs:
            params.setdefault(name, []).append(value)
        return cls.from_params(_Pairs(params), **kw)

    def but(self, **changes: Any) -> SearchRequest:
        """A copy with ``changes`` (validated again)."""
        return replace(self, **changes)


class Params(Protocol):
    """What :meth:`SearchRequest.from_params` reads: Werkzeug's ``MultiDict`` and the like."""

    def getlist(self, key: str) -> list[str]: ...


class _Pairs:
    def __init__(self, params: dict[str, list[str]]) -> None:
        self.params = params

    def getlist(self, key: str) -> list[str]:
        return self.params.get(key, [])


def _text_of(value: object) -> str | None:
    """A parameter value as text: dates and moments in ISO 8601 (``T`` before a time)."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
_DECIMAL = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,6})?")


def _one(given: list[str], name: str) -> str:
    """The one value of a single parameter, stripped ('' when absent); given twice is
    ``repeated_param``."""
    if len(given) > 1:
        raise QueryError(
            f"{name}: given {len(given)} times; a search reads it once",
            code="repeated_param",
            param=name,
        )
    return given[0].strip() if given else ""


def _text(given: list[str], name: str) -> str | None:
    if len(given) > 1:
        _one(given, name)
    return given[0] if given else None


def _many(given: list[str], name: str) -> tuple[str, ...]:
    return _values(given, name)


def _whole_number(attr: str, lowest: int, highest: int) -> Callable[[list[str], str], int | None]:
    """A reader of a whole number from ``lowest`` to ``highest`` written with 0-9
    (``int()`` would also read ``１２``); its code is the field's, ``bad_<attr>``."""

    def read(given: list[str], name: str) -> int | None:
        value = _one(given, name)
        if not value:
            return None
        if not _WHOLE_NUMBER.fullmatch(value) or not lowest <= int(value) <= highest:
            raise QueryError(
                f"{name}: must be a whole number from {lowest} to {highest} written with "
                f"0-9, not {value!r}"[:200],
                code=f"bad_{attr}",
                param=name,
            )
        return int(value)

    return read


def _days(given: list[str], name: str) -> float | None:
    """A number of days (``30``, ``7.5``) written with 0-9; its range is the request's."""
    value = _one(given, name)
    if not value:
        return None
    if not _DECIMAL.fullmatch(value) or float(value) <= 0:
        raise QueryError(
            f"{name}: must be a number of days above 0 written with 0-9, not {value!r}"[:200],
            code="bad_recency",
            param=name,
        )
    return float(value)


def _day(given: list[str], name: str) -> dt.date | None:
    """A day or a moment, in the forms :class:`SearchRequest` reads, read once."""
    return _moment(_one(given, name), name)


def _choice(value: Any, choices: tuple[str, ...], attr: str, param: str = "") -> None:
    """:class:`QueryError` ``bad_<attr>`` unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise QueryError(
            f"{attr}: must be one of {', '.join(choices)}, not {value!r}"[:200],
            code=f"bad_{attr}",
            param=param or attr,
        )


def _one_of(choices: tuple[str, ...], attr: str) -> Callable[[list[str], str], str | None]:
    """A reader of one of ``choices`` (``sort``, ``match``), read once; blank is None."""

    def read(given: list[str], name: str) -> str | None:
        value = _one(given, name)
        if value:
            _choice(value, choices, attr, name)
        return value or None

    return read


_YES = ("1", "true", "on", "yes")
_NO = ("0", "false", "off", "no")


def _flag(given: list[str], name: str) -> bool | None:
    """A yes or no (``1``/``true``/``on``/``yes``, ``0``/``false``/``off``/``no``, any
    case), read once; blank is None."""
    value = _one(given, name).lower()
    if not value:
        return None
    if value not in _YES + _NO:
        raise QueryError(
            f"{name}: must be 1 or 0 (true or false), not {value!r}"[:200],
            code=f"bad_{name}",
            param=name,
        )
    return value in _YES


#: The URL parameters of a search: name → (the :class:`SearchRequest` field, its reader).
PARAMS: dict[str, tuple[str, Callable[[list[str], str], Any]]] = {
    "q": ("query", _text),
    "category": ("categories", _many),
    "tag": ("tags", _many),
    "type": ("types", _many),
    "since": ("since", _day),
    "until": ("until", _day),
    "sort": ("sort", _one_of(SORTS, "sort")),
    "page": ("page", _whole_number("page", 1, MAX_PAGE)),
    "limit": ("limit", _whole_number("limit", 1, MAX_LIMIT)),
    "recency": ("recency", _days),
    "snippet": (
        "snippet_chars",
        _whole_number("snippet_chars", MIN_SNIPPET_CHARS, MAX_SNIPPET_CHARS),
    ),
    "match": ("match", _one_of(MATCHES, "match")),
    "collapse": ("collapse", _flag),
}
#: Parameters read once each, and those read with every value.
FILTER_PARAMS = ("category", "tag", "type")
SINGLE_PARAMS = tuple(name for name in PARAMS if name not in FILTER_PARAMS)

__all__ = [
    "FILTER_PARAMS",
    "MATCHES",
    "MAX_FILTER_VALUES",
    "MAX_LIMIT",
    "MAX_QUERY_CHARS",
    "PARAMS",
    "QUERY_CPU_SECONDS",
    "SINGLE_PARAMS",
    "SORTS",
    "Filters",
    "SearchRequest",
    "clean_query",
    "day_bound",
]
