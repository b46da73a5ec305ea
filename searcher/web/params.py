"""A request's parameters as the page and API read them (:func:`canonical_args`,
:func:`search_request`, :func:`as_indexed`), and the page's links built from them (a
facet value toggled, a page, a period, a URL from a post made safe)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from werkzeug.datastructures import MultiDict

from ..errors import QueryError
from ..request import (
    FILTER_PARAMS,
    MAX_FILTER_VALUES,
    SINGLE_PARAMS,
    SearchRequest,
)

#: Hits on a page of results (the page's ``limit``).
PAGE_SIZE = 10


def safe_url(url: object) -> str | None:
    """``url`` when it may be a link: an http(s) URL or a path on this site (``/…``);
    None for ``javascript:``, ``data:`` and every other scheme, and for any URL holding
    a control character or space (which browsers strip before reading the scheme)."""
    if not isinstance(url, str) or not url or re.search(r"[\x00-\x20\x7f]", url):
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    if scheme in ("http", "https") or (not scheme and url.startswith("/")):
        return url
    return None


def site_link(url: object) -> str | None:
    """``url`` when it is a post's address on its site: an absolute http(s) URL
    (:func:`safe_url`). A root-relative one (``/2024/03/01/x.html``) is what a site with
    no ``url`` in ``_config.yml`` gets, and on the search server's host it would be a
    404 (issue #23): None, so that the page links to its article view (``/posts/<id>``)
    instead. The JSON API gives ``url`` as it is.

    >>> site_link("https://news.example.org/2024/03/01/x.html")
    'https://news.example.org/2024/03/01/x.html'
    >>> site_link("/2024/03/01/x.html") is None
    True
    """
    found = safe_url(url)
    return found if found is not None and not found.startswith("/") else None


def local_location(url: str) -> str:
    """A redirect target made root-relative: ``https://any.host/api/search?q=x`` →
    ``/api/search?q=x``. Werkzeug builds its redirects (``/api//search`` →
    ``/api/search``) from the request's ``Host`` header, which a client chooses, so a
    forged one would send the reader, and any cache keeping the 308, to another site.
    Leading slashes are made one, so the result is never a scheme-relative ``//host``."""
    parts = urlsplit(url)
    path = "/" + parts.path.lstrip("/")
    return path + (f"?{parts.query}" if parts.query else "")


# -- parameters --------------------------------------------------------------------


def canonical_args(args: Any, problems: list[Problem] | None = None) -> MultiDict[str, str]:
    """The parameters a search reads, in their order: the first value of each of
    :data:`~searcher.request.SINGLE_PARAMS`, and the first
    :data:`~searcher.request.MAX_FILTER_VALUES` distinct non-empty values of each of
    :data:`~searcher.request.FILTER_PARAMS`. Other parameters are
    ignored and left out of the page's links, so a link costs at most the parameters a
    search reads, whatever the request held. One pass over ``args``.

    With ``problems`` given (the page), a repeated single parameter or a filter past
    the cap is recorded there (``repeated_param``, ``too_many_values``) and the rest
    used; without (the API), it raises :class:`QueryError` naming the parameter.
    """
    out: MultiDict[str, str] = MultiDict()
    seen: dict[str, int] = {}
    values: dict[str, dict[str, None]] = {name: {} for name in FILTER_PARAMS}
    for name, value in args.items(multi=True):
        if name in FILTER_PARAMS:
            if value and value not in values[name]:
                values[name][value] = None
                if len(values[name]) <= MAX_FILTER_VALUES:
                    out.add(name, value)
        elif name in SINGLE_PARAMS:
            seen[name] = seen.get(name, 0) + 1
            if seen[name] == 1:
                out.add(name, value)
    found: list[QueryError] = []
    for name, times in seen.items():
        if times > 1:
            found.append(
                QueryError(
                    f"{name}: given {times} times; a search reads it once",
                    code="repeated_param",
                    param=name,
                )
            )
    for name, distinct in values.items():
        if len(distinct) > MAX_FILTER_VALUES:
            found.append(
                QueryError(
                    f"{name}: at most {MAX_FILTER_VALUES} distinct values, not {len(distinct)}",
                    code="too_many_values",
                    param=name,
                )
            )
    if found and problems is None:
        raise found[0]
    for exc in found:
        count = seen.get(exc.param or "") or len(values.get(exc.param or "", ()))
        assert problems is not None
        problems.append(Problem(exc.code, str(exc), exc.param, str(count)))
    return out


#: The facet of the display names (:meth:`Index.display_names`) of each filter parameter.
NAMED_PARAMS = {"category": "categories", "tag": "tags"}


def as_indexed(args: MultiDict[str, str], names: dict[str, dict[str, str]]) -> MultiDict[str, str]:
    """``args`` with each ``category`` or ``tag`` given by its display name (issue #23:
    ``category=新闻联播``) put as indexed (``xinwenlianbo``), so that filters take
    either; a value that is indexed as it is stays, and a name two values share is
    left as given. Duplicates this makes are dropped.

    >>> names = {"categories": {"xwlb": "新闻联播"}, "tags": {}}
    >>> as_indexed(MultiDict([("category", "新闻联播"), ("category", "xwlb")]), names)
    MultiDict([('category', 'xwlb')])
    """
    if not any(names.get(facet) for facet in NAMED_PARAMS.values()):
        return args
    reverse: dict[str, dict[str, str | None]] = {}
    for param, facet in NAMED_PARAMS.items():
        named = names.get(facet, {})
        found: dict[str, str | None] = {}
        for value, name in named.items():
            found[name] = None if name in found else value  # shared by two: not taken
        reverse[param] = {n: v for n, v in found.items() if v is not None and n not in named}
    out: MultiDict[str, str] = MultiDict()
    for name, value in args.items(multi=True):
        value = reverse.get(name, {}).get(value) or value
        if name not in NAMED_PARAMS or value not in out.getlist(name):
            out.add(name, value)
    return out


@dataclass
class Problem:
    """A parameter the page left out: the English message, its code, the parameter and
    its value (for the Chinese text)."""

    code: str
    message: str
    param: str | None
    value: str


def search_request(args: Any, problems: list[Problem] | None = None) -> SearchRequest:
    """The :class:`~searcher.request.SearchRequest` of canonical parameters
    (:func:`canonical_args`). With ``problems`` given (the page, which shows
    :data:`PAGE_SIZE` hits and ignores ``limit``), a bad parameter is recorded there and
    left out; without (the API, :data:`PAGE_SIZE` hits unless ``limit`` says), it
    raises :class:`QueryError` naming the parameter."""
    if problems is None:
        return SearchRequest.from_params(args, limit=None if "limit" in args else PAGE_SIZE)
    errors: list[QueryError] = []
    made = SearchRequest.from_params(args, limit=PAGE_SIZE, problems=errors, collapse=True)
    for exc in errors:
        problems.append(Problem(exc.code, str(exc), exc.param, args.get(exc.param or "", "")))
    return made


# -- links -------------------------------------------------------------------------


def _pairs(args: Any, drop: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The parameters less ``drop`` and empty values; ``q`` is kept even when empty, so
    that removing the last filter of an empty query lists every post (the count the
    filter showed) rather than going back to the start page."""
    dropped = set(drop)
    return [(k, v) for k, v in args.items(multi=True) if k not in dropped and (v != "" or k == "q")]


def with_page(args: Any, page: int) -> str:
    """The query string of this search at ``page``."""
    return urlencode([*_pairs(args, ("page",)), ("page", str(page))])


def search_args(args: Any) -> str:
    """The query string of this search as it is (an article view's links carry it, so
    that ← 返回搜索 returns to the same results, page and filters: issue #23)."""
    return urlencode(_pairs(args))


def with_query(args: Any, text: str) -> str:
    """The query string of this search with the query ``text`` instead (first page,
    every filter and option kept): the link of a "did you mean" suggestion."""
    return urlencode([("q", text), *_pairs(args, ("page", "q"))])


def toggle(args: Any, name: str, value: str) -> str:
    """The query string with filter ``name=value`` added, or removed when present."""
    pairs = _pairs(args, ("page",))
    if (name, value) in pairs:
        return urlencode([p for p in pairs if p != (name, value)])
    return urlencode([*pairs, (name, value)])


def choose(args: Any, name: str, value: str) -> str:
    """The query string with filter ``name=value`` added (unchanged when present)."""
    pairs = _pairs(args, ("page",))
    return urlencode(pairs if (name, value) in pairs else [*pairs, (name, value)])


def facet_values(counts: dict[str, int], chosen: list[str]) -> list[tuple[str, int, bool]]:
    """A facet's values as the page lists them: ``(value, count, chosen)``, the chosen
    values first (in their order), then the others by count; one pass over each."""
    picked = set(chosen)
    return [(v, counts.get(v, 0), True) for v in chosen] + [
        (v, c, False) for v, c in counts.items() if v not in picked
    ]


def without(args: Any, *names: str) -> str:
    """The query string without the parameters ``names`` (and the page)."""
    return urlencode(_pairs(args, ("page", *names)))


def period(args: Any, since: str, until: str) -> str:
    """The query string with the date range set to ``since``–``until``, or without a
    date range when it is that range already."""
    if args.get("since") == since and args.get("until") == until:
        return without(args, "since", "until")
    return urlencode(
        [*_pairs(args, ("page", "since", "until")), ("since", since), ("until", until)]
    )


# -- the histogram -----------------------------------------------------------------
