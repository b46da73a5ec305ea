"""The search page, article view and JSON API over an :class:`~searcher.index.Index` (Flask).

Routes:

* ``GET /`` — the search page: ``q``, ``category`` and ``tag`` (repeatable), ``since``,
  ``until``, ``sort``, ``recency`` (a half-life in days, see README "Ranking"), ``page``.
  Chosen filters show as removable chips; facet values link to the toggled search and
  show its exact total (:class:`~searcher.results.SearchResults`); categories and tags
  show as the site names them (:meth:`~searcher.index.Index.display_names`, issue #23),
  their links keep the values as indexed, and a filter takes either (:func:`as_indexed`);
  a histogram of matches by month (by year over long spans) links each bar to its
  period, its years or months labelled as many as fit (:mod:`searcher.axis`). A search
  with a "did you mean" suggestion (:mod:`searcher.suggest`) links to it (您是不是要找：…),
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
a post becomes a link only when it is http(s) (:func:`safe_url`), and a post's own
``url`` links to the site only when it is absolute (:func:`site_link`; a site with no
``url`` gets root-relative ones, and the page links those hits to its article view).

Modules: :mod:`.app` (:func:`create_app`, the routes, :class:`RequestLog`),
:mod:`.params` (a request's parameters and the page's links), :mod:`.histogram` and
:mod:`.text` (the page's Chinese wording).
"""

from searcher.web.app import (
    FACET_SHOWN,
    HEAVY_LIMIT,
    HEAVY_VALUES,
    PROXY_HEADERS,
    RELATED_LIMIT,
    SECURITY_HEADERS,
    SUGGEST_LIMIT,
    RequestLog,
    cors_origin,
    create_app,
)
from searcher.web.histogram import Bar, histogram
from searcher.web.params import PAGE_SIZE, safe_url, site_link
from searcher.web.text import message

__all__ = [
    "FACET_SHOWN",
    "HEAVY_LIMIT",
    "HEAVY_VALUES",
    "PAGE_SIZE",
    "PROXY_HEADERS",
    "RELATED_LIMIT",
    "SECURITY_HEADERS",
    "SUGGEST_LIMIT",
    "Bar",
    "RequestLog",
    "cors_origin",
    "create_app",
    "histogram",
    "message",
    "safe_url",
    "site_link",
]
