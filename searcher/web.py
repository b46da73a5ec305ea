"""The search page, article view and JSON API over an :class:`~searcher.index.Index` (Flask).

Routes:

* ``GET /`` — the search page: ``q``, ``category`` and ``tag`` (repeatable), ``since``,
  ``until``, ``sort``, ``recency`` (a half-life in days, see README "Ranking"), ``page``.
  Chosen filters show as removable chips; facet values link to the toggled search and
  show its exact total (:class:`~searcher.results.SearchResults`); a histogram of matches
  by month (by year over long spans) links each bar to its period. A search with a
  "did you mean" suggestion (:mod:`searcher.suggest`) links to it (您是不是要找：…),
  its other parameters kept; it is never run in the query's place. A bad parameter is
  reported in Chinese and left out; the rest of the search still runs.
* ``GET /posts/<id>`` — the article view: the whole post with ``q``'s matches marked,
  and 相关报道.
* ``GET /api/search`` — the same parameters (plus ``limit``), answered with the JSON
  object of ``searcher search --json``. A bad parameter is a 400 with
  ``{"error", "code", "param", "status"}``; an unknown path or method under ``/api/`` a
  JSON 404 or 405 (``code`` ``not_found`` / ``method_not_allowed``).
* ``GET /api/suggest`` — completions of ``q`` as a reader types it (issue #21,
  :meth:`~searcher.index.Index.suggest`; the search box's list, ``static/search.js``):
  ``{"query", "completions": [Completion.to_dict(), …]}``, ``limit`` 1–50 (default
  :data:`SUGGEST_LIMIT`). An unusable ``q`` (empty, over 64 characters, a control
  character) is an empty list, a bad ``limit`` the 400 above; never heavy.
* ``GET /api/highlight`` — what an article page marks for ``q`` (issue #23, the
  site's ``highlight.js``): ``{"query", "marks": [{"terms", "fallback"}, …]}``, each
  term its units' characters with every form searcher folds to them
  (:func:`searcher.widget.highlight_marks`); never an error.
* ``GET /widget.js``, ``/widget.css``, ``/highlight.js`` — the search box for a site's
  own pages (issue #23, ``searcher widget``), kept a year by browsers when asked for
  with their current ``v`` (:func:`searcher.widget.asset_version`), else an hour; with
  an ``ETag``.
* ``GET /api/posts/<id>/related`` — the posts related to one (issue #22,
  :meth:`~searcher.index.Index.related`): ``{"id", "related": [hit, …]}``, ``limit``
  1–50 (default :data:`RELATED_LIMIT`); an unknown id a JSON 404 ``not_found``.

The page folds reprints (``collapse``, default on there, off in the API) and the article
view lists up to :data:`RELATED_LIMIT` related posts (相关报道).

Every response carries a Content-Security-Policy with no inline script or style,
``X-Content-Type-Options: nosniff`` and ``frame-ancestors 'none'``, and a
``Server-Timing: app;dur=…`` header (milliseconds). Snippets and titles are inserted as
HTML: :mod:`searcher.snippets` escapes everything but its own ``<mark>`` tags; a URL from
a post becomes a link only when it is http(s) (:func:`safe_url`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from flask import Flask, abort, g, jsonify, render_template, request
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from .errors import Notice, QueryError, SearcherError
from .index import Index
from .request import (
    FILTER_PARAMS,
    MAX_FILTER_VALUES,
    MAX_QUERY_CHARS,
    MAX_SNIPPET_CHARS,
    MIN_SNIPPET_CHARS,
    SINGLE_PARAMS,
    SearchRequest,
    clean_query,
)
from .results import ARTICLE_CHARS, SearchResults
from .widget import ASSETS, MarkForms, asset, asset_version, highlight_marks, widget_url

PAGE_SIZE = 10
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
#: Up to this many months of matches the histogram has a bar per month, past it per year.
HISTOGRAM_MONTHS = 36

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

SORT_NAMES = {"relevance": "相关度", "newest": "最新", "oldest": "最早"}
#: The page's names of document types; a collection is shown by its own name.
TYPE_NAMES = {"post": "文章", "page": "页面"}
PARAM_NAMES = {
    "since": "开始日期",
    "until": "结束日期",
    "page": "页码",
    "limit": "每页条数",
    "sort": "排序",
    "recency": "时效",
    "q": "查询",
    "category": "分类",
    "tag": "标签",
    "type": "类型",
    "snippet": "摘要长度",
    "match": "匹配方式",
    "collapse": "合并相似报道",
}
#: The page's Chinese name of each aid that can find a hit besides the literal words
#: (:attr:`searcher.results.Hit.matched_by`, issue #21).
AID_NAMES = {"regional": "地区用词", "synonym": "同义词", "pinyin": "拼音"}
#: The page's Chinese name of each matching rule (:mod:`searcher.query.relax`).
MATCH_NAMES = {
    "exact": "完整匹配",
    "near": "相近匹配（词的各部分相距很近）",
    "words": "部分匹配（不要求每个词）",
}
#: The page's Chinese text for each error and notice code (QueryError.code, Notice.code).
MESSAGES = {
    "bad_date": "{name}“{value}”不是有效日期（格式：年-月-日，如 2024-03-15），已忽略。",
    "date_order": "开始日期晚于结束日期，已忽略日期范围。",
    "bad_sort": "排序方式“{value}”无效，已按相关度排序。",
    "bad_match": "匹配方式“{value}”无效，已按默认方式匹配。",
    "bad_collapse": "合并相似报道“{value}”无效（应为 1 或 0），已合并显示。",
    "bad_page": "页码“{value}”无效，已显示第 1 页。",
    "bad_limit": "每页条数“{value}”无效，已忽略。",
    "internal_error": "服务器出错了，请稍后再试。",
    "index_unavailable": "搜索索引暂时无法使用，请稍后再试。",
    "busy": "同时进行的多条件搜索太多，请稍后再试。",
    "bad_recency": "时效“{value}”无效（应为大于 0 的天数），已忽略。",
    "bad_snippet_chars": (
        f"摘要长度“{{value}}”无效（应为 {MIN_SNIPPET_CHARS} 到 {MAX_SNIPPET_CHARS} 的整数），"
        "已按默认长度显示。"
    ),
    "bad_value": "{name}“{value}”无效，已忽略。",
    "too_many_values": (
        f"{{name}}筛选最多 {MAX_FILTER_VALUES} 个，收到 {{value}} 个，"
        f"只用了前 {MAX_FILTER_VALUES} 个。"
    ),
    "repeated_param": "参数“{name}”出现了 {value} 次，只用了第一个。",
    "query_cut": "查询过长，只搜索了前 {chars} 个字符。",
    "common_words_only": "查询只含常用词（{words}），按字面匹配，结果会很多。",
    "nothing_to_search": "查询中没有可搜索的内容（字母、数字或汉字）。",
    "recency_ignored": "时效只影响按相关度排序，当前按{sort}排序，未使用。",
    "relaxed_near": "没有找到完整的“{query}”，以下结果包含相距不超过 {window} 个字的“{parts}”。",
    "relaxed_words": "没有找到完整的“{query}”，以下结果包含“{kept}”，不一定包含“{dropped}”。",
    "looser_near": "除完整包含“{query}”的结果外，以下还包括相距不超过 {window} 个字的“{parts}”。",
    "looser_words": (
        "除完整包含“{query}”的结果外，以下还包括含“{kept}”、不一定含“{dropped}”的结果。"
    ),
    "synonyms_used": "同时搜索了同义词：{words}。",
    "pinyin_used": "同时按拼音搜索了：{words}。",
    "search_stopped": (
        "搜索超过 {seconds} 秒，已提前结束：总数、筛选计数和排序只涵盖已找到的 {total} 篇。"
    ),
}

log = logging.getLogger("searcher.web")


def message(code: str, english: str = "", **params: Any) -> str:
    """The page's Chinese text for an error or notice ``code``, its placeholders filled
    from ``params`` (``name`` from :data:`PARAM_NAMES` when ``param`` is given); the
    ``english`` text when the code has none."""
    template = MESSAGES.get(code)
    if template is None:
        return english
    values = {k: str(v) for k, v in params.items()}
    values.setdefault("name", PARAM_NAMES.get(str(params.get("param", "")), ""))
    if "sort" in values:
        values["sort"] = SORT_NAMES.get(values["sort"], values["sort"])
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return english


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


def cn_date(moment: dt.datetime | None, with_time: bool = False) -> str:
    """``2024年3月5日`` (``2024年3月5日 08:30`` with ``with_time``), ``无日期`` for None."""
    if moment is None:
        return "无日期"
    text = f"{moment.year}年{moment.month}月{moment.day}日"
    return f"{text} {moment:%H:%M}" if with_time else text


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


@dataclass
class Bar:
    """One histogram bar: a month or a year, its label, its date range (ISO days,
    inclusive) and how many results that range gives."""

    label: str
    since: str
    until: str
    count: int


def histogram(months: dict[str, int], years: dict[str, int]) -> list[Bar]:
    """Bars over the span of ``months`` (``{"2024-03": n}``), empty periods included:
    a bar per month up to :data:`HISTOGRAM_MONTHS` months, else a bar per year (from
    ``years``, ``{"2024": n}``; only the years with posts when they span a century or
    more, so the number of bars stays bounded)."""
    if not months:
        return []
    keys = sorted(months)
    first, last = keys[0], keys[-1]
    y0, m0 = int(first[:4]), int(first[5:7])
    y1, m1 = int(last[:4]), int(last[5:7])
    span = (y1 - y0) * 12 + m1 - m0 + 1
    bars = []
    if span <= HISTOGRAM_MONTHS:
        for i in range(span):
            y, m = divmod(m0 - 1 + i, 12)
            y += y0
            key = f"{y:04d}-{m + 1:02d}"
            end = calendar.monthrange(y, m + 1)[1]
            bars.append(Bar(f"{y}年{m + 1}月", f"{key}-01", f"{key}-{end:02d}", months.get(key, 0)))
    else:  # a bar per year; over more than a century, only the years that have posts
        span_years = range(y0, y1 + 1) if y1 - y0 < 100 else sorted({int(k[:4]) for k in keys})
        for y in span_years:
            bars.append(Bar(f"{y}年", f"{y:04d}-01-01", f"{y:04d}-12-31", years.get(str(y), 0)))
    return bars


# -- the app -----------------------------------------------------------------------


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
    try:  # an IDN host as a browser's Origin header has it (IDNA), which never matched
        return widget_url(f"{parts.scheme}://{parts.netloc}")
    except ValueError:
        raise ValueError(f"not an origin (scheme://host[:port]): {origin!r}") from None


def create_app(index: Index, heavy_slots: int = 1, cors_origins: Iterable[str] = ()) -> Flask:
    """A Flask application serving ``index``; the index must stay open while it runs.

    :param index: an open :class:`Index` (shared by the server's threads).
    :param heavy_slots: heavy requests (over :data:`HEAVY_VALUES` filter values or
        :data:`HEAVY_LIMIT` hits) served
        at once; another one meanwhile is a 503 ``busy`` with ``Retry-After: 1``.
    :param cors_origins: the sites whose pages may call ``/api/`` from a browser (CORS,
        issue #23): a request from one of them gets ``Access-Control-Allow-Origin``
        naming it; none by default. Each is checked by :func:`cors_origin`
        (:class:`ValueError` naming a bad one).
    :returns: the :class:`flask.Flask` app; serve it with ``searcher serve`` (waitress)
        or any WSGI server (README "Serving").
    """
    allowed = {cors_origin(o) for o in cors_origins}
    app = Flask(__name__)
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
        args = canonical_args(request.args, problems)
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
        return render_template("article.html", doc=doc, query=query, back=back, related=related)

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
            args = canonical_args(request.args)
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


def notice_text(notice: str) -> str:
    """The page's Chinese text for a notice (its English text if it has no code)."""
    if isinstance(notice, Notice):
        return message(notice.code, str(notice), **notice.params)
    return str(notice)


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


__all__ = ["RequestLog", "create_app", "histogram", "message", "safe_url"]
