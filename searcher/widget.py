"""The search box on a site's own pages (issue #23): the HTML a site owner pastes, the
files it loads, and the marks its highlight script looks for on an article page.

``searcher widget --url URL`` prints :func:`widget_html`: a container element, the
stylesheet and the two deferred scripts that ``searcher serve`` serves at
:data:`ASSETS` (``static/widget.js``, ``static/widget.css``, ``static/highlight.js``),
each URL carrying :func:`asset_version` so that a browser may keep the files for a year
(a changed file has a new URL).

``/api/highlight`` answers :func:`highlight_marks`: the terms a search for the query
matched (:meth:`searcher.index.Index.highlight_terms`), each written as its units and,
for each character of a unit, every character searcher folds to it (:class:`MarkForms`:
traditional and simplified, full and half width, letter case, the compatibility
ideographs NFKC folds). ``highlight.js`` turns them into one regular expression over the
article's text, so that ``开通`` marks ``開通`` and ``ai`` marks ``ＡＩ``, as searcher
matched them.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit

from .analysis.analyzers import STOP_WORDS
from .analysis.folding import fold
from .analysis.variants import script_table
from .snippets import Term, TermGroup

#: The files ``searcher serve`` serves at the root (``/widget.js`` …), from ``static/``.
ASSETS = ("widget.js", "widget.css", "highlight.js")

#: The characters whose folds :class:`MarkForms` looks up, besides the
#: traditional → simplified table: Latin, Greek and Cyrillic letters (case), letterlike
#: symbols (``K`` the Kelvin sign), CJK and Kangxi radicals, compatibility ideographs
#: and the full-width forms (NFKC) — every character that is part of a unit
#: (:mod:`searcher.analysis.tokenizers`) and folds to another single character there.
FOLD_RANGES = (
    (0x0041, 0x0250),
    (0x0370, 0x0530),
    (0x1E00, 0x2000),
    (0x2100, 0x2150),
    (0x2E80, 0x2FE0),
    (0xF900, 0xFB00),
    (0xFF00, 0xFFF0),
    (0x2F800, 0x2FA20),
)

#: The most terms (a group's terms and fallback terms together) ``/api/highlight`` gives;
#: the rest of a query is not marked. The answer and the article page's regular
#: expression stay bounded: on xwlb the 314 queries of CASES.md and xwlb-small's titles
#: (whole, and their first 4 characters) gave at most 8 terms (816 bytes), while 100
#: characters of two-letter pinyin initials (``zg jj fz gg …``, each read as up to
#: ``PINYIN_WORDS`` words) gave 167 terms, 9,211 bytes, and ``highlight.js`` took 288 ms
#: to mark a 1 MB article (12,964 marks) in Chromium; with this cap 64 terms, 3,594
#: bytes, 144 ms, and 4,623 bytes the largest of 300 random such queries
#: (tests/test_hostile23.py).
MAX_MARK_TERMS = 64

# What no address holds: C0 and C1 controls (urlsplit would drop a tab or line break).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# A path of a URL: unreserved and sub-delimiter characters, ':' '@' '/', escapes.
_URL_PATH = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*")


def asset(name: str) -> bytes:
    """The bytes of one of :data:`ASSETS` as the package ships it.

    :raises ValueError: ``name`` is not one of them.
    :raises OSError: the file is missing from the installed package.
    """
    if name not in ASSETS:
        raise ValueError(f"not a widget file: {name!r}")
    return resources.files(__package__).joinpath("static", name).read_bytes()


def asset_version() -> str:
    """The version of the widget's files: the first 10 hex digits of the SHA-256 of
    :data:`ASSETS`' bytes, in order. The URLs of :func:`widget_html` carry it
    (``?v=…``), and the server lets a browser keep a file for a year only when asked for
    its current version (``searcher.web``)."""
    digest = hashlib.sha256()
    for name in ASSETS:
        digest.update(asset(name))
    return digest.hexdigest()[:10]


def widget_url(url: str) -> str:
    """The address of a searcher server as the widget calls it: an http(s) origin and an
    optional path (a server behind a proxy at ``/search``), without its trailing ``/``.
    A host in another script than ASCII (an IDN) is written in its ASCII form (IDNA,
    as a browser sends it), and a path's characters beyond ASCII are percent-encoded
    (UTF-8), as a browser does.

    :raises ValueError: naming ``url``, when it has another scheme, no host (or one IDNA
        cannot write), a user, a query, a fragment, a bad port, a control character,
        or an ASCII character a URL path cannot hold (a space, ``"``, ``<``, a ``%``
        that starts no escape: a pasting slip, which HTML must not carry).

    >>> widget_url("https://Search.Example.com/"), widget_url("http://127.0.0.1:8000/s/")
    ('https://search.example.com', 'http://127.0.0.1:8000/s')
    >>> widget_url("https://例子.中国:8443/搜索/")
    'https://xn--fsqu00a.xn--fiqs8s:8443/%E6%90%9C%E7%B4%A2'
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
        netloc = _ascii_netloc(parts.netloc, parts.hostname or "", port)
        path = re.sub(r"[^\x00-\x7f]+", lambda run: quote(run.group()), parts.path)
    except (ValueError, UnicodeError):
        netloc = ""
    if (
        not netloc
        or _CONTROL.search(text)
        or port == 0
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or "@" in parts.netloc
        or parts.query
        or parts.fragment
        or "?" in text
        or "#" in text
        or not _URL_PATH.fullmatch(path)
        or not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", netloc)
    ):
        raise ValueError(f"not an http(s) address of a searcher server: {url!r}")
    return f"{parts.scheme.lower()}://{netloc.lower()}{path.rstrip('/')}"


def _ascii_netloc(netloc: str, host: str, port: int | None) -> str:
    """``netloc`` with a host that is not ASCII in IDNA's form.

    :raises UnicodeError: IDNA cannot write ``host``."""
    if netloc.isascii():
        return netloc
    return host.encode("idna").decode("ascii") + ("" if port is None else f":{port}")


def widget_html(url: str, version: str) -> str:
    """The HTML a site owner pastes into a layout or an ``_includes/`` file (issue #23):
    the search box's container (``data-searcher-box``; the box appears where it is),
    the stylesheet, ``widget.js``, and ``highlight.js``, which marks the query on the
    article page a result opens (it does nothing on a page opened otherwise). ``url``
    is the server's address, checked by :func:`widget_url`; ``version`` is
    :func:`asset_version`. Ends with a line break.

    :raises ValueError: from :func:`widget_url`.

    >>> print(widget_html("https://search.example.com", "0123456789"), end="")
    <!-- searcher: the search box, its style and scripts (searcher widget) -->
    <div class="searcher-box" data-searcher-box></div>
    <link rel="stylesheet" href="https://search.example.com/widget.css?v=0123456789">
    <script defer src="https://search.example.com/widget.js?v=0123456789" data-searcher-url="https://search.example.com"></script>
    <script defer src="https://search.example.com/highlight.js?v=0123456789" data-searcher-url="https://search.example.com"></script>
    """
    base = html.escape(widget_url(url))
    v = html.escape(version)
    return (
        "<!-- searcher: the search box, its style and scripts (searcher widget) -->\n"
        '<div class="searcher-box" data-searcher-box></div>\n'
        f'<link rel="stylesheet" href="{base}/widget.css?v={v}">\n'
        f'<script defer src="{base}/widget.js?v={v}" data-searcher-url="{base}"></script>\n'
        f'<script defer src="{base}/highlight.js?v={v}" data-searcher-url="{base}"></script>\n'
    )


class MarkForms:
    """Every character that folds (:func:`~searcher.analysis.folding.fold`) to a given
    one: ``forms("a") == "aAªＡａ"``, ``forms("台") == "台枱檯臺颱"``. Built once (a few
    milliseconds over :data:`FOLD_RANGES` and the traditional → simplified table) and
    kept by its owner (the web app). A character that folds to more than one (``ß`` →
    ``ss``, ``ﬁ`` → ``fi``) is not among the forms of either.

    >>> forms = MarkForms()
    >>> forms("a"), forms("台"), forms("人"), forms("京")
    ('aAªＡａ', '台枱檯臺颱', '人⼈', '京')
    """

    def __init__(self) -> None:
        table: dict[str, set[str]] = {}
        for lo, hi in FOLD_RANGES:
            for code in range(lo, hi):
                ch = chr(code)
                folded = fold(ch)
                if len(folded) == 1 and folded != ch:
                    table.setdefault(folded, set()).add(ch)
        for simplified, forms in script_table().forms.items():
            table.setdefault(simplified, set()).update(forms)
        self._table = {k: k + "".join(sorted(v - {k})) for k, v in table.items()}

    def __call__(self, ch: str) -> str:
        """``ch`` (a folded character) first, then the others that fold to it, in code
        point order."""
        return self._table.get(ch, ch)


def stop_words_only(term: Term) -> bool:
    """True for a term made only of stop words (``的``): searcher matches it literally
    when a query holds nothing else, but an article page marks none of it (every 的 of a
    post would be marked).

    >>> stop_words_only(("的",)), stop_words_only(("的", "确"))
    (True, False)
    """
    return all(unit in STOP_WORDS for unit in term)


def term_json(term: Term, forms: MarkForms) -> dict[str, Any]:
    """One term as ``/api/highlight`` gives it: ``{"text": the folded units joined,
    "units": [[alternatives of each character] of each unit]}``.

    >>> term_json(("5", "g"), MarkForms())
    {'text': '5g', 'units': [['5５'], ['gGℊＧｇ']]}
    """
    return {"text": "".join(term), "units": [[forms(ch) for ch in unit] for unit in term]}


def highlight_marks(groups: Iterable[TermGroup], forms: MarkForms) -> list[dict[str, Any]]:
    """The marks of a query for an article page (``/api/highlight``): for each highlight
    group of :meth:`~searcher.index.Index.highlight_terms`, ``{"terms": [...],
    "fallback": [...]}`` of :func:`term_json`; the script marks a group's fallback terms
    only where none of its terms occurs (as :func:`searcher.snippets.find_spans` does).
    Terms of stop words only (:func:`stop_words_only`) are left out, and a group left
    with none; a term given twice is kept once; past :data:`MAX_MARK_TERMS` terms the
    rest are left out.

    >>> highlight_marks([TermGroup((("经", "济"),)), TermGroup((("的",),))], MarkForms())
    [{'terms': [{'text': '经济', 'units': [['经經'], ['济濟']]}], 'fallback': []}]
    """
    out: list[dict[str, Any]] = []
    seen: set[Term] = set()
    for group in groups:
        kinds: list[list[dict[str, Any]]] = []
        for terms in (group.primary, group.fallback):
            kinds.append([term_json(t, forms) for t in _kept(terms, seen)])
        if kinds[0] or kinds[1]:
            out.append({"terms": kinds[0], "fallback": kinds[1]})
    return out


def _kept(terms: Sequence[Term], seen: set[Term]) -> list[Term]:
    kept = []
    for term in terms:
        if len(seen) >= MAX_MARK_TERMS:
            break
        if term and term not in seen and not stop_words_only(term):
            seen.add(term)
            kept.append(term)
    return kept


__all__ = [
    "ASSETS",
    "MAX_MARK_TERMS",
    "MarkForms",
    "asset",
    "asset_version",
    "highlight_marks",
    "stop_words_only",
    "term_json",
    "widget_html",
    "widget_url",
]
