"""Permalinks: each document's URL on the site, by Jekyll's rules.

The rules are Jekyll 4.3's (``Jekyll::URL``, ``Jekyll::Drops::UrlDrop``,
``Jekyll::Utils.slugify``, ``Page#template``, ``Collection#url_template``) and the
``absolute_url`` filter's, checked against ``jekyll build`` in
``tests/test_site_jekyll.py`` (cases C11–C12).

>>> import datetime as dt
>>> when = dt.datetime(2022, 3, 2)
>>> render_document(style_template("date"), document_placeholders(
...     "posts", "/2022-03-02-park", "2022-03-02-park", "park", ["社会"], when, ".html"))
'/%E7%A4%BE%E4%BC%9A/2022/03/02/park.html'
>>> absolute_url("/about.html", "https://news.example.org", "/zh")
'https://news.example.org/zh/about.html'
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from searcher.errors import SearcherError

from .uri import UriError, normalize_uri

#: Jekyll's built-in permalink styles (``Configuration::STYLE_TO_PERMALINK`` in 4.3).
STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
#: Every placeholder a document's permalink may use (``UrlDrop``'s methods in 4.3).
DOCUMENT_PLACEHOLDERS = (
    "collection", "path", "name", "title", "slug", "categories", "slugified_categories",
    "year", "month", "day", "hour", "minute", "second", "i_day", "i_month", "short_month",
    "long_month", "short_year", "w_year", "week", "w_day", "short_day", "long_day",
    "y_day", "output_ext",
)  # fmt: skip
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_PLACEHOLDER = re.compile(r":([a-z_]+)")
#: Characters left as they are in a path (RFC 3986 ``pchar`` and ``/``).
_PATH_SAFE = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/"
)
_SIMPLE = re.compile(r"^[a-zA-Z0-9./-]+$")


class PermalinkError(SearcherError):
    """A permalink template names a placeholder Jekyll does not know (Jekyll stops the
    build with "The URL template doesn't have … keys"); the message names it."""


def style_template(style: str) -> str:
    """The template of a built-in style (``date``, ``pretty``…), else ``style`` itself."""
    return STYLES.get(style, style)


def add_permalink_suffix(template: str, style: str) -> str:
    """Jekyll's ``Utils.add_permalink_suffix``: the ending pages and collection documents
    take from the site's style (``/`` for ``pretty``, ``:output_ext`` for the others)."""
    if style == "pretty":
        return template + "/"
    if style in ("date", "ordinal", "none"):  # not weekdate: Jekyll 4.3 leaves it out
        return template + ":output_ext"
    if style.endswith("/"):
        template += "/"
    if style.endswith(":output_ext"):
        template += ":output_ext"
    return template


def _keep(ch: str, mode: str) -> bool:
    """Jekyll keeps letters (\\p{L}), marks (\\p{M}) and decimal digits (\\p{Nd})."""
    cat = unicodedata.category(ch)
    if cat[0] in "LM" or cat == "Nd":
        return True
    return mode == "pretty" and ch in "._~!$&'()+,;=@"


def slugify(text: str, mode: str = "default", cased: bool = False) -> str:
    """Jekyll's ``Utils.slugify``.

    :param mode: ``"raw"`` (white space → ``-``), ``"default"`` (every run of characters
        that are not letters, marks or digits → ``-``), ``"pretty"`` (as default, but
        ``._~!$&'()+,;=@`` are kept), ``"ascii"`` (only ``A-Za-z0-9`` kept); any other
        mode returns the text unchanged (lowercased unless ``cased``).
    :returns: the slug, with one leading and one trailing ``-`` removed and lowercased
        unless ``cased``.

    >>> slugify("中文 标题", "pretty", cased=True)
    '中文-标题'
    >>> slugify("Tech News!")
    'tech-news'
    """
    if mode not in ("raw", "default", "pretty", "ascii", "latin"):
        return text if cased else text.lower()
    if mode == "raw":
        slug = re.sub(r"\s+", "-", text)
    elif mode == "ascii":
        slug = re.sub(r"[^A-Za-z0-9]+", "-", text)
    else:
        out: list[str] = []
        replaced = False
        for ch in text:
            if _keep(ch, mode):
                out.append(ch)
                replaced = False
            elif not replaced:
                out.append("-")
                replaced = True
        slug = "".join(out)
    slug = re.sub(r"^-|-$", "", slug)
    return slug if cased else slug.lower()


def escape_path(value: str) -> str:
    """Jekyll's ``URL.escape_path``: percent-encode (UTF-8, upper-case hex) what is not
    allowed in a path, keeping ``a-z A-Z 0-9 - . _ ~ ! $ & ' ( ) * + , ; = : @ /``."""
    if not value or _SIMPLE.match(value):
        return value
    return "".join(ch if ch in _PATH_SAFE else _percent(ch) for ch in value)


def _percent(ch: str) -> str:
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))


def document_placeholders(
    collection: str,
    path: str,
    basename: str,
    slug: str,
    categories: list[str],
    date: dt.datetime,
    output_ext: str,
) -> dict[str, str]:
    """The values of every placeholder of a document's permalink (``UrlDrop``).

    :param collection: the collection label (``"posts"``).
    :param path: the document's path inside its collection folder, without extension,
        starting with ``/`` (``/2022-03-02-park``).
    :param basename: the file name without extension (``2022-03-02-park``).
    :param slug: the front matter ``slug``, else the file name's slug (``park``).
    :param categories: the document's categories, in order.
    :param date: the document's date in the site time zone (date parts come from it).
    :param output_ext: ``.html`` for Markdown and HTML.
    """
    cats = list(dict.fromkeys(c.lower() for c in categories))
    slug_cats = list(dict.fromkeys(slugify(c) for c in categories))
    iso = date.isocalendar()
    return {
        "collection": collection,
        "path": path,
        "name": slugify(basename),
        "title": slugify(slug, "pretty", cased=True),
        "slug": slugify(slug),
        "categories": "/".join(cats),
        "slugified_categories": "/".join(slug_cats),
        "year": f"{date.year:04d}",
        "month": f"{date.month:02d}",
        "day": f"{date.day:02d}",
        "hour": f"{date.hour:02d}",
        "minute": f"{date.minute:02d}",
        "second": f"{date.second:02d}",
        "i_day": str(date.day),
        "i_month": str(date.month),
        "short_month": _MONTHS[date.month - 1][:3],
        "long_month": _MONTHS[date.month - 1],
        "short_year": f"{date.year % 100:02d}",
        "w_year": f"{iso[0]:04d}",
        "week": f"{iso[1]:02d}",
        "w_day": str(iso[2]),
        "short_day": _DAYS[date.weekday()][:3],
        "long_day": _DAYS[date.weekday()],
        "y_day": f"{date.timetuple().tm_yday:03d}",
        "output_ext": output_ext,
    }


def render_document(template: str, placeholders: dict[str, str]) -> str:
    """Fill a document permalink template (``generate_url_from_drop`` and ``sanitize_url``).

    Each ``:name`` is replaced by its escaped value (``:month_`` may stand for
    ``:month`` followed by ``_``); then ``..`` becomes ``/``, ``./`` is dropped and
    repeated ``/`` squeezed. Raises :class:`PermalinkError` for an unknown placeholder.
    """

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        pool = [name, name[:-1]] if name.endswith("_") else [name]
        winner = next((key for key in pool if key in placeholders), None)
        if winner is None:
            raise PermalinkError(f"unknown permalink placeholder ':{name}'")
        rest = name[len(winner) :]
        return escape_path(placeholders[winner]) + rest

    return sanitize_url(_PLACEHOLDER.sub(fill, template))


def render_page(template: str, path: str, basename: str, output_ext: str) -> str:
    """Fill a page permalink template (``generate_url_from_hash``): ``:path`` (the
    folder, ``/sub/``), ``:basename`` and ``:output_ext``; other ``:words`` stay."""
    for key, value in (("path", path), ("basename", basename), ("output_ext", output_ext)):
        if ":" not in template:
            break
        template = template.replace(f":{key}", escape_path(value))
    return sanitize_url(template)


def sanitize_url(url: str) -> str:
    """Jekyll's ``URL#sanitize_url``: a leading ``/``, ``..`` → ``/``, no ``./``, no ``//``."""
    url = ("/" + url).replace("..", "/").replace("./", "")
    return re.sub(r"/{2,}", "/", url)


def absolute_url(url: str, site_url: str, baseurl: str) -> str:
    """What ``{{ url | absolute_url }}`` gives in Jekyll 4.3 (``filters/url_filters.rb``).

    ``baseurl`` as Jekyll's ``sanitized_baseurl`` leaves it (:func:`sanitized_baseurl`),
    ``url`` root-relative. The relative URL ``baseurl + url`` is normalised by
    Addressable (:func:`~searcher.site.uri.normalize_uri`); with no ``site_url`` that is
    the result (Jekyll's ``relative_url``); otherwise ``site_url`` is put in front as
    written (a trailing ``/`` gives ``//``) and the whole is normalised again, which
    lowercases the scheme and host, writes IDN hosts in punycode and drops the default
    port. A ``site_url`` Addressable refuses (``ht tp://x``, a port that is not a
    number; ``jekyll build`` stops there) is put in front of the relative URL as it is.

    >>> absolute_url("/关于（我们）.html", "HTTPS://Terminus2049.github.io:443", "/Blog")
    'https://terminus2049.github.io/Blog/%E5%85%B3%E4%BA%8E(%E6%88%91%E4%BB%AC).html'
    """
    relative = normalize_uri(baseurl + _leading_slash(url))
    if not site_url:
        return relative
    try:
        return normalize_uri(site_url + relative)
    except UriError:
        return site_url + relative


def sanitized_baseurl(baseurl: str) -> str:
    """``baseurl`` as Jekyll 4.3 puts it in front of a URL: one trailing ``/`` removed
    (``chomp("/")``), then a leading ``/`` added unless empty; nothing else (``/zh//``
    stays ``/zh/``, giving ``/zh//about.html``).

    >>> [sanitized_baseurl(b) for b in ("", "/", "zh/", "/zh//")]
    ['', '', '/zh', '/zh/']
    """
    chomped = baseurl[:-1] if baseurl.endswith("/") else baseurl
    return _leading_slash(chomped)


def site_url_problem(site_url: str) -> str | None:
    """Why Jekyll's ``absolute_url`` refuses ``site_url`` (Addressable's message), or
    None when it takes it."""
    try:
        normalize_uri(site_url + "/")
    except UriError as error:
        return str(error)
    return None


def _leading_slash(text: str) -> str:
    """Jekyll's ``ensure_leading_slash``: ``""`` stays empty."""
    return text if not text or text.startswith("/") else "/" + text
