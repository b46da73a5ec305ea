"""A small search page and JSON API over an :class:`~searcher.index.Index` (Flask).

Routes:

* ``GET /`` — the search page: ``q``, ``category``, ``tag`` (repeatable), ``since``,
  ``until``, ``sort``, ``recency`` (a half-life in days, see README "Ranking"), ``page``
  as query parameters; facet counts link to filters.
* ``GET /api/search`` — the same parameters (plus ``limit``), answered with the JSON
  object of ``searcher search --json``; a bad parameter is a 400 with ``{"error": …}``,
  and an unknown path or method under ``/api/`` a JSON 404 or 405.

Snippets and titles are inserted as HTML: :mod:`searcher.snippets` escapes everything but
its own ``<mark>`` tags.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Flask, jsonify, render_template, request
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from .errors import QueryError
from .index import Index
from .search import SORTS, SearchResults, clean_query

PAGE_SIZE = 10


_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def _number(args: Any, name: str, default: int) -> int:
    """A whole-number parameter, written with ASCII digits only (``int()`` would also
    take ``١٢`` or ``１２``, which a link never holds)."""
    value = args.get(name, "").strip()
    if not value:
        return default
    if not _WHOLE_NUMBER.fullmatch(value):
        raise QueryError(
            f"{name}: must be a whole number from 1 to 999999999 written with 0-9, not {value!r}"
        )
    return int(value)


_DAYS = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,6})?")


def _days(args: Any, name: str) -> float | None:
    """A positive number of days (``30``, ``7.5``), ASCII digits only; blank: None."""
    value = args.get(name, "").strip()
    if not value:
        return None
    if not _DAYS.fullmatch(value) or float(value) <= 0:
        raise QueryError(
            f"{name}: must be a number of days above 0 written with 0-9, not {value!r}"
        )
    return float(value)


def _options(args: Any, limit: int) -> dict[str, Any]:
    page = _number(args, "page", 1)
    limit = _number(args, "limit", limit)
    return {
        "recency": _days(args, "recency"),
        "categories": args.getlist("category"),
        "tags": args.getlist("tag"),
        "since": args.get("since") or None,
        "until": args.get("until") or None,
        "sort": args.get("sort") or "relevance",
        "page": page,
        "limit": limit,
    }


def _pairs(args: Any, drop: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(k, v) for k, v in args.items(multi=True) if k not in drop and v != ""]


def _with_page(args: Any, page: int) -> str:
    return urlencode([*_pairs(args, ("page",)), ("page", str(page))])


def _add_filter(args: Any, name: str, value: str) -> str:
    pairs = _pairs(args, ("page",))
    if (name, value) not in pairs:
        pairs.append((name, value))
    return urlencode(pairs)


def _year_filter(args: Any, year: str) -> str:
    pairs = _pairs(args, ("page", "since", "until"))
    y = f"{int(year):04d}"  # year 1 is "0001-01-01", an ISO date
    return urlencode([*pairs, ("since", f"{y}-01-01"), ("until", f"{y}-12-31")])


def create_app(index: Index) -> Flask:
    """A Flask application serving ``index``; the index must stay open while it runs.

    :param index: an open :class:`Index` (shared by the server's threads).
    :returns: the :class:`flask.Flask` app; run it with ``app.run()`` or any WSGI server.
    """
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep facet order (largest first)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.jinja_env.filters.update(
        urlencode_page=_with_page, add_filter=_add_filter, year_filter=_year_filter
    )

    @app.get("/")
    def page() -> str:
        query = clean_query(request.args.get("q", ""))
        error = None
        results: SearchResults | None = None
        options: dict[str, Any] = {}
        try:
            options = _options(request.args, PAGE_SIZE)
            if query or any(options[k] for k in ("categories", "tags", "since", "until")):
                results = index.search(query, **options)
        except QueryError as exc:
            error = str(exc)
        pages = 0
        if results is not None:
            pages = (results.total + results.limit - 1) // results.limit
        return render_template(
            "search.html",
            query=query,
            options=options,
            results=results,
            pages=pages,
            error=error,
            sorts=SORTS,
            html=Markup,
            args=request.args,
        )

    @app.errorhandler(404)
    @app.errorhandler(405)
    def not_found(error: HTTPException) -> Any:
        """Errors under ``/api/`` are JSON like the API's answers; elsewhere HTML."""
        if request.path == "/api" or request.path.startswith("/api/"):
            return jsonify({"error": error.description, "status": error.code}), error.code
        return error

    @app.get("/api/search")
    def api() -> Any:
        try:
            results = index.search(request.args.get("q", ""), **_options(request.args, PAGE_SIZE))
        except QueryError as exc:
            return jsonify({"error": str(exc)}), 400
        return jsonify(results.to_dict())

    return app
