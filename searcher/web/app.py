"""The search page, article view and JSON API over an :class:`~searcher.index.Index` (Flask).

The routes and what each answers are listed in :mod:`searcher.web`."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Flask, abort, g, jsonify, render_template, request
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from ..errors import QueryError, SearcherError
from ..index import Index
from ..request import (
    FILTER_PARAMS,
    MAX_QUERY_CHARS,
    clean_query,
)
from ..results import ARTICLE_CHARS, SearchResults
from ..widget import ASSETS, MarkForms, asset, asset_version, highlight_marks, widget_url
from .histogram import axis_ticks, histogram
from .params import (
    PAGE_SIZE,
    Problem,
    as_indexed,
    canonical_args,
    choose,
    facet_values,
    local_location,
    period,
    safe_url,
    search_args,
    search_request,
    site_link,
    toggle,
    with_page,
    with_query,
    without,
)
from .text import AID_NAMES, MATCH_NAMES, SORT_NAMES, TYPE_NAMES, cn_date, message, notice_text

log = logging.getLogger("searcher.web")

#: A request choosing more filter values than this is *heavy*: its page repeats them in
#: every link (50 tags make a 1.2 MB page, 50 ms of a thread), so at most
#: ``heavy_slots`` of them run at once (:func:`create_app`); the others are answered
#: 503 ``busy`` at once, so that a few clients sending many values cannot hold every
#: worker.
HEAVY_VALUES = 10
#: A request asking for more hits than this is heavy too: 1,000 hits with snippets are
#: about 1 MB and half a second of a thread, and the results cache cannot absorb them
#: when a client varies an ignored-looking parameter (a hostile test: 8 such clients took
#: ordinary requests from p99 43 ms to 3.8 s).
HEAVY_LIMIT = 100
#: Completions ``/api/suggest`` gives when ``limit`` is not given (the search box's list).
SUGGEST_LIMIT = 8
#: Related posts the article view lists, and ``/api/posts/…/related`` gives by default.
RELATED_LIMIT = 5
#: ``Cache-Control`` of ``/api/suggest``'s answers: a browser or proxy may keep one for a
#: minute (a reader deleting and retyping a letter asks again for the same prefix); an
#: update of the index is seen by then.
SUGGEST_CACHE = "public, max-age=60"
#: ``Cache-Control`` of ``/api/highlight``: as :data:`SUGGEST_CACHE` (its terms change
#: only with the index's synonyms).
HIGHLIGHT_CACHE = SUGGEST_CACHE
#: ``Cache-Control`` of a widget file asked for with its current version (``?v=``): the
#: URL changes with the file, so a browser may keep it (issue #23).
WIDGET_CACHE = "public, max-age=31536000, immutable"
#: ``Cache-Control`` of a widget file asked for without it, or with another version (a
#: snippet pasted before an upgrade): an hour, then revalidated by its ``ETag``.
WIDGET_CACHE_UNVERSIONED = "public, max-age=3600"
#: Facet values shown before 更多 (the rest are one click away).
FACET_SHOWN = 8

#: The headers ``create_app(proxy_fix=True)`` (``searcher serve --proxy-fix``) takes from
#: the one reverse proxy in front of it (Werkzeug's ``ProxyFix``, each trusted for one
#: hop): the reader's address (logged), scheme, host and the path prefix the proxy
#: serves the app under (links and redirects start with it). README "Deployment".
PROXY_HEADERS = ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; "  # search.js asks /api/suggest
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def _heavy(args: Any) -> bool:
    """True for a request over :data:`HEAVY_VALUES` filter values or :data:`HEAVY_LIMIT`
    hits (an unreadable ``limit`` is the search's to refuse)."""
    chosen = sum(1 for name, _ in args.items(multi=True) if name in FILTER_PARAMS)
    try:
        limit = int(args.get("limit", "0"))
    except ValueError:
        limit = 0
    return chosen > HEAVY_VALUES or limit > HEAVY_LIMIT


def cors_origin(origin: str) -> str:
    """``origin`` as a CORS origin (``scheme://host[:port]``, http or https, no path),
    lowercased, for ``--cors-origin``.

    :raises ValueError: naming it, when it is not one.

    >>> cors_origin("https://News.Example.com"), cors_origin("https://例子.中国:8443")
    ('https://news.example.com', 'https://xn--fsqu00a.xn--fiqs8s:8443')
    >>> cors_origin("https://news.example.com:443"), cors_origin("http://a.example:80")
    ('https://news.example.com', 'http://a.example')
    """
    parts = urlsplit(origin.strip())
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    ):
        raise ValueError(f"not an origin (scheme://host[:port]): {origin!r}")
    netloc = parts.netloc
    default = {"http": ":80", "https": ":443"}[parts.scheme.lower()]
    if netloc.endswith(default):  # browsers leave the scheme's default port out of Origin
        netloc = netloc[: -len(default)]
    try:  # an IDN host as a browser's Origin header has it (IDNA), which never matched
        return widget_url(f"{parts.scheme}://{netloc}")
    except ValueError:
        raise ValueError(f"not an origin (scheme://host[:port]): {origin!r}") from None


def create_app(
    index: Index,
    heavy_slots: int = 1,
    cors_origins: Iterable[str] = (),
    proxy_fix: bool = False,
) -> Flask:
    """A Flask application serving ``index``; the index must stay open while it runs.

    :param index: an open :class:`Index` (shared by the server's threads).
    :param heavy_slots: heavy requests (over :data:`HEAVY_VALUES` filter values or
        :data:`HEAVY_LIMIT` hits) served
        at once; another one meanwhile is a 503 ``busy`` with ``Retry-After: 1``.
    :param cors_origins: the sites whose pages may call ``/api/`` from a browser (CORS,
        issue #23): a request from one of them gets ``Access-Control-Allow-Origin``
        naming it; none by default. Each is checked by :func:`cors_origin`
        (:class:`ValueError` naming a bad one).
    :param proxy_fix: behind a reverse proxy (``searcher serve --proxy-fix``, issue
        #23): the app's ``wsgi_app`` is wrapped in Werkzeug's ``ProxyFix`` trusting one
        proxy for each header of :data:`PROXY_HEADERS`, so that under a prefix
        (``X-Forwarded-Prefix: /search``) every link, static file URL and redirect
        starts with it, and the request log shows the reader's address. Off by
        default: a client reaching the app directly could otherwise choose its links
        and logged address by sending those headers. (Waitress drops all but
        ``X-Forwarded-Prefix`` unless told not to: :func:`searcher.serving.make_server`'s
        ``proxy_headers``, which ``searcher serve --proxy-fix`` sets.)
    :returns: the :class:`flask.Flask` app; serve it with ``searcher serve`` (waitress)
        or any WSGI server (README "Serving").
    """
    allowed = {cors_origin(o) for o in cors_origins}
    app = Flask("searcher")  # the package's templates/ and static/ folders
    if proxy_fix:
        from werkzeug.middleware.proxy_fix import ProxyFix

        trusted = {f"x_{name.removeprefix('X-Forwarded-').lower()}": 1 for name in PROXY_HEADERS}
        app.wsgi_app = ProxyFix(app.wsgi_app, **trusted)  # type: ignore[method-assign]
    heavy = threading.BoundedSemaphore(heavy_slots)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep facet order (largest first)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.jinja_env.filters.update(
        facet_values=facet_values,
        with_page=with_page,
        with_query=with_query,
        search_args=search_args,
        toggle=toggle,
        choose=choose,
        without=without,
        period=period,
        safe_url=safe_url,
        site_link=site_link,
        axis_ticks=axis_ticks,
        cn_date=cn_date,
    )
    app.jinja_env.globals.update(
        sort_names=SORT_NAMES,
        match_names=MATCH_NAMES,
        aid_names=AID_NAMES,
        type_names=TYPE_NAMES,
        message=message,
        notice_text=notice_text,
        html=Markup,
        facet_shown=FACET_SHOWN,
        article_chars=ARTICLE_CHARS,
    )

    @app.before_request
    def start_clock() -> Any:
        g.started = time.perf_counter()
        if _heavy(request.args) and request.endpoint in ("page", "api"):
            if not heavy.acquire(blocking=False):
                body = {"error": message("busy"), "code": "busy", "status": 503}
                if _in_api():
                    return jsonify(body), 503, {"Retry-After": "1"}
                page = render_template("error.html", status=503, text=message("busy"))
                return page, 503, {"Retry-After": "1"}
            g.heavy = True
        return None

    @app.teardown_request
    def release(_: BaseException | None) -> None:
        if g.pop("heavy", False):
            heavy.release()

    @app.after_request
    def headers(response: Any) -> Any:
        response.headers.update(SECURITY_HEADERS)
        location = response.headers.get("Location")
        if location is not None:  # Werkzeug's own redirects are built from the Host header
            response.headers["Location"] = local_location(location)
        took = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        response.headers["Server-Timing"] = f"app;dur={took:.1f}"
        if allowed and _in_api():
            response.vary.add("Origin")  # the answer differs by origin: caches keep each
            origin = request.headers.get("Origin", "").lower()
            if origin in allowed:
                response.headers["Access-Control-Allow-Origin"] = origin
        return response

    @app.get("/healthz")
    def health() -> Any:
        """``{"status": "ok", "generation", "documents"}``: the generation searched and
        its live posts, for a load balancer or a monitor (issue #23)."""
        stats = index.stats()
        body = {
            "status": "ok",
            "generation": index.engine.generation(),
            "documents": stats.documents,
        }
        return jsonify(body), 200, {"Cache-Control": "no-store"}

    @app.get("/")
    def page() -> str:
        query = clean_query(request.args.get("q", ""))
        problems: list[Problem] = []
        args = as_indexed(canonical_args(request.args, problems), index.display_names())
        options = search_request(args, problems)
        if "q" in args:  # links carry the query as searched (its first characters)
            args["q"] = args["q"][:MAX_QUERY_CHARS]
        filtered = any(
            (options.categories, options.tags, options.types, options.since, options.until)
        )
        results: SearchResults | None = None
        newest: SearchResults | None = None
        pages = 0
        try:
            if "q" in args or filtered:  # a search (an empty one lists every post)
                results = index.search(options)
                pages = max(1, (results.total + PAGE_SIZE - 1) // PAGE_SIZE)
                if results.page > pages:  # past the end: the last page
                    options = options.but(page=pages)
                    results = index.search(options)
            else:
                newest = index.search("", sort="newest", limit=5, collapse=True)
        except QueryError as exc:
            problems.append(Problem(exc.code, str(exc), exc.param, ""))
            results = None
        return render_template(
            "search.html",
            query=query,
            options=options,
            results=results,
            newest=newest,
            pages=pages,
            page_links=_page_links(results.page if results else 1, pages),
            problems=problems,
            bars=histogram(results.facets["months"], results.facets["years"]) if results else [],
            chosen_period=(args.get("since", ""), args.get("until", "")),
            filtered=filtered,
            autofocus=results is None,
            args=args,
            names=index.display_names(),
        )

    @app.get("/posts/<path:doc_id>")
    def article(doc_id: str) -> str:
        query = clean_query(request.args.get("q", ""))
        doc = index.document(doc_id, query)
        if doc is None:
            abort(404)
        try:
            related = index.related(doc_id, RELATED_LIMIT)
        except QueryError:  # removed by an update since it was read: shown without
            related = []
        back = canonical_args(request.args, [])  # the search it was opened from
        if "q" in back:
            back["q"] = back["q"][:MAX_QUERY_CHARS]
        return render_template(
            "article.html",
            doc=doc,
            query=query,
            back=back,
            related=related,
            names=index.display_names(),
        )

    @app.errorhandler(404)
    @app.errorhandler(405)
    def not_found(error: HTTPException) -> Any:
        """Errors under ``/api/`` are JSON like the API's answers; elsewhere a Chinese page.
        A 405 keeps its ``Allow`` header."""
        code = "not_found" if error.code == 404 else "method_not_allowed"
        allow = {k: v for k, v in error.get_headers() if k == "Allow"}
        if _in_api():
            body = {"error": error.description, "code": code, "status": error.code}
            return jsonify(body), error.code, allow
        return render_template("error.html", status=error.code), error.code, allow

    @app.errorhandler(Exception)
    def failure(error: Exception) -> Any:
        """Any other error: logged with its traceback, answered in JSON under ``/api/``
        and as a Chinese page elsewhere; 503 ``index_unavailable`` when the index cannot
        be read (a SearcherError), else 500 ``internal_error``."""
        if isinstance(error, HTTPException):
            return error
        unavailable = isinstance(error, SearcherError)
        status, code = (503, "index_unavailable") if unavailable else (500, "internal_error")
        log.exception("%s %s failed", request.method, request.full_path)
        if _in_api():
            return jsonify({"error": message(code), "code": code, "status": status}), status
        return render_template("error.html", status=status, text=message(code)), status

    version = asset_version()
    files = {name: asset(name) for name in ASSETS}
    forms = MarkForms()

    @app.get("/<any('widget.js', 'widget.css', 'highlight.js'):name>")
    def widget_file(name: str) -> Any:
        """A file of the search box for a site's pages (:mod:`searcher.widget`), with an
        ``ETag`` (its version) and a year's ``Cache-Control`` when asked for with the
        current ``v``; a request with that ``ETag`` is a 304."""
        kind = "text/css" if name.endswith(".css") else "text/javascript"
        response = app.response_class(files[name], mimetype=kind)
        response.set_etag(f"{version}-{ASSETS.index(name)}")
        fresh = request.args.get("v") == version
        response.headers["Cache-Control"] = WIDGET_CACHE if fresh else WIDGET_CACHE_UNVERSIONED
        return response.make_conditional(request)

    @app.get("/api/highlight")
    def api_highlight() -> Any:
        """The marks of ``q`` (its first value) for an article page's ``highlight.js``:
        ``{"query": q as searched (cut to MAX_QUERY_CHARS), "marks": highlight_marks(…)}``
        from :meth:`Index.highlight_terms` (an empty, stop-word-only or unusable ``q``
        has none; never an error)."""
        query = clean_query(request.args.get("q", ""))[:MAX_QUERY_CHARS]
        marks = highlight_marks(index.highlight_terms(query), forms)
        return jsonify({"query": query, "marks": marks}), 200, {"Cache-Control": HIGHLIGHT_CACHE}

    @app.get("/api/search")
    def api() -> Any:
        try:
            args = as_indexed(canonical_args(request.args), index.display_names())
            results = index.search(search_request(args))
        except QueryError as exc:
            return _bad_request(exc)
        return jsonify(results.to_dict())

    @app.get("/api/posts/<path:doc_id>/related")
    def api_related(doc_id: str) -> Any:
        """The posts related to ``doc_id`` (:meth:`Index.related`): ``{"id", "related":
        [Hit.to_dict(), …]}``, at most ``limit`` (1 to
        :data:`~searcher.related.MAX_RELATED`, default :data:`RELATED_LIMIT`); an unknown
        id is a 404 ``not_found`` naming ``id``, a bad ``limit`` a 400 ``bad_limit``."""
        try:
            limit = _whole_limit(request.args.get("limit"), RELATED_LIMIT)
            found = index.related(doc_id, limit)
        except QueryError as exc:
            return _bad_request(exc, 404 if exc.code == "not_found" else 400)
        return jsonify({"id": doc_id, "related": [h.to_dict() for h in found]})

    @app.get("/api/suggest")
    def api_suggest() -> Any:
        """Completions of ``q`` (its first value): ``{"query": q, "completions":
        [Completion.to_dict(), …]}``, at most ``limit`` (1 to
        :data:`~searcher.lexicon.MAX_LIMIT`, default :data:`SUGGEST_LIMIT`). An empty,
        over-long (over :data:`~searcher.lexicon.MAX_PREFIX_CHARS` characters) or
        control-character ``q`` is a 200 with no completions, never an error (issue
        #21); a ``limit`` that is no integer in range is a 400 ``bad_limit`` naming
        ``limit``, as ``/api/search`` reports it. Never heavy (it takes no slot of
        :func:`_heavy`'s): a few milliseconds once the index's lexicon is made
        (``bench/suggest_latency.py``)."""
        query = request.args.get("q", "")
        try:
            limit = _whole_limit(request.args.get("limit"), SUGGEST_LIMIT)
            completions = index.suggest(query, limit)
        except QueryError as exc:
            return _bad_request(exc)
        answer = {"query": query, "completions": [c.to_dict() for c in completions]}
        return jsonify(answer), 200, {"Cache-Control": SUGGEST_CACHE}

    return app


def _bad_request(exc: QueryError, status: int = 400) -> Any:
    """The API's answer to a bad parameter, a 400 (or ``status``: 404 for an id no post
    has): ``{"error", "code", "param", "status"}``."""
    body = {"error": str(exc), "code": exc.code, "param": exc.param, "status": status}
    return jsonify(body), status


def _whole_limit(value: str | None, default: int) -> int:
    """``/api/suggest``'s and ``/api/posts/…/related``'s ``limit``: ``default`` when
    absent or empty, else the whole number written with 0-9 (as ``/api/search`` reads
    its ``limit``; the range is :meth:`Index.suggest`'s or :meth:`Index.related`'s to
    check).

    :raises QueryError: ``bad_limit`` naming ``limit`` when it is anything else."""
    if not value:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", value):
        raise QueryError(
            f"limit: must be a whole number written with 0-9, not {value!r}"[:200],
            code="bad_limit",
            param="limit",
        )
    return int(value)


def _in_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _page_links(page: int, pages: int) -> list[int | None]:
    """Page numbers to show: the first, the last, and two either side of ``page``;
    None where numbers are left out (an ellipsis)."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out if pages > 1 else []


class RequestLog:
    """WSGI middleware logging one line per request to the ``searcher.web`` logger:
    client address, method, path with query, status and milliseconds (waitress itself
    logs no requests)."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        began = time.perf_counter()
        status: list[str] = []

        def start(code: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(code.split(" ", 1)[0])
            return start_response(code, headers, exc_info)

        try:
            return self.app(environ, start)
        finally:
            # The path as sent, percent-encoded again: a decoded line break or escape
            # sequence in it cannot forge a log line.
            raw = environ.get("PATH_INFO", "").encode("latin-1", "replace")  # WSGI's bytes
            path = quote(raw, safe="/:@!$&'()*+,;=-._~")
            query = environ.get("QUERY_STRING", "")
            if query:
                path += "?" + quote(query, safe="/:@!$&'()*+,;=-._~?%")
            log.info(
                '%s "%s %s" %s %.1fms',
                environ.get("REMOTE_ADDR", "-"),
                quote(environ.get("REQUEST_METHOD", "-"), safe=""),
                path,
                status[0] if status else "-",
                (time.perf_counter() - began) * 1000,
            )


__all__ = ["RequestLog", "create_app", "histogram", "message", "safe_url", "site_link"]
