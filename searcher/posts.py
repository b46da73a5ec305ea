"""Reading Jekyll posts into clean :class:`Article` records.

This module turns a folder of Jekyll posts (Markdown or HTML files with YAML front
matter) into plain-text :class:`Article` records for the index, and reports every file
it could not use, so that nothing is silently lost:

* :func:`read_post` reads one file into an :class:`Article` (or raises
  :class:`SkippedPostError`, a :class:`~searcher.errors.PostError`).
* :func:`read_corpus` walks a corpus folder and yields one :class:`Article`,
  :class:`Skipped` or :class:`Duplicate` for every file with a post extension.
* :func:`check_corpus` runs :func:`read_corpus` and counts what happened
  (:class:`CorpusReport`); the ``searcher check`` command prints it.

Where the rules come from: Jekyll's own behaviour (front matter delimiters, date from the
file name, space-separated ``tags``/``categories``, ``category``/``tag`` singular keys),
the cases C7 (front matter that does not parse), C8 (dates) and C9 (entities) of the
project's search cases, and the quirks documented for the ``finews`` sample (titles in
unescaped double quotes, ``date:  +0800``, ``<http…>`` source links, ``[返回…](…)``
navigation footers) and the ``xwlb`` corpus (``+0800`` offsets, HTML bodies).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import html
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import lxml.html
import yaml
from frontmatter.default_handlers import YAMLHandler
from lxml import etree

from searcher.errors import CorpusError, PostError

DEFAULT_TIMEZONE = "Asia/Shanghai"

#: File name extensions read as posts (Jekyll converts Markdown; ``.html`` posts are HTML).
POST_EXTENSIONS = frozenset({".md", ".markdown", ".html"})
_MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown"})

#: Folders never walked: build output and dependencies (besides hidden ``.name`` folders).
IGNORED_DIRS = frozenset({"_site", "node_modules"})

#: Jekyll template folders: their files are reported as skipped, never read as posts,
#: even when they carry front matter (``_layouts/post.html`` usually does).
TEMPLATE_DIRS = frozenset({"_layouts", "_includes"})

#: Longest title derived from the body when a post has none (characters).
FALLBACK_TITLE_CHARS = 60


@dataclass
class Article:
    """One post, cleaned for indexing.

    id: stable identifier, the post's path relative to the corpus root, POSIX separators,
        without its extension (``_posts/2022-03-01-flood``).
    path: the path relative to the corpus root with its extension (``_posts/2022-03-01-flood.md``).
    title: plain text title (entities decoded once, never empty if the body has text).
    body: plain text body; paragraphs separated by one ``"\\n"``; no markup left.
    date: timezone-aware datetime, or None when the post cannot be dated.
    categories, tags: lists of plain strings (Jekyll semantics).
    url: the source link found in the body as ``<http…>``, or None.
    key: the Jekyll identity used to detect duplicates (see ``read_corpus``).
    digest: hex SHA-1 of everything indexed (title, body, date, categories, tags, url),
        used to detect changed posts.
    warnings: human-readable warnings, each naming the file (and line where known).
    """

    id: str
    path: str
    title: str
    body: str
    date: dt.datetime | None
    categories: list[str]
    tags: list[str]
    url: str | None
    key: str
    digest: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class Skipped:
    """A file under the corpus root that was not read as a post, and why."""

    path: str
    reason: str


@dataclass
class Duplicate:
    """A post left out because another file is the same article (``kept`` is its path).

    ``reason`` says which identity matched: ``"same content"`` (equal ``digest``) or
    ``"same date and slug"`` (equal Jekyll ``key``).
    """

    path: str
    kept: str
    reason: str = ""


class SkippedPostError(PostError):
    """A file cannot be used as a post; ``read_corpus`` turns it into :class:`Skipped`.

    ``path`` is the file's path relative to the corpus root, ``reason`` the explanation
    without the path; ``str(error)`` is ``"<path>: <reason>"``.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


# ---------------------------------------------------------------------------------------
# Front matter
# ---------------------------------------------------------------------------------------

# The C parser (libyaml) is much faster; resolution of plain scalars stays in Python.
_BaseSafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_KEPT_RESOLVERS = frozenset({"tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"})


class _StringLoader(_BaseSafeLoader):  # type: ignore[misc]
    """Safe YAML loader that leaves every plain scalar a string, except ``null``/``~``.

    Jekyll semantics as the project needs them: ``title: 2022`` is the string ``"2022"``,
    ``tags: [yes]`` is ``["yes"]`` (not ``True``), and dates keep the text written in the
    file so that :func:`parse_date` sees exactly that text.
    """


_StringLoader.yaml_implicit_resolvers = {
    first: kept
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    if (kept := [(tag, rx) for tag, rx in resolvers if tag in _KEPT_RESOLVERS])
}


class _JekyllYAMLHandler(YAMLHandler):
    """python-frontmatter handler with Jekyll's delimiters and the string loader.

    Jekyll only treats a file as having front matter when its first line is ``---``; the
    block ends at the next line that is exactly ``---`` or ``...`` (trailing spaces
    allowed). The stock handler's ``^-{3,}\\s*$`` also accepts ``-----`` and lets ``\\s``
    swallow line ends, which would shift the line numbers in warnings.
    """

    FM_BOUNDARY = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
    OPENING = re.compile(r"---[ \t]*(?:\n|$)")

    def detect(self, text: str) -> bool:
        return self.OPENING.match(text) is not None

    def load(self, fm: str, **kwargs: object) -> Any:
        kwargs.setdefault("Loader", _StringLoader)
        return super().load(fm, **kwargs)


_HANDLER = _JekyllYAMLHandler()

# A ``key: value`` line of the lenient fallback. Only an ASCII ``:`` separates (a
# full-width ``：`` does not, as in YAML); the value may be empty.
_KEY_LINE = re.compile(r"^([A-Za-z0-9_][\w-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$")
_LIST_ITEM_LINE = re.compile(r"^[ \t]+-[ \t]+(.*?)[ \t]*$|^-[ \t]+(.*?)[ \t]*$")
_FULLWIDTH_KEY_LINE = re.compile(r"^[ \t]*[A-Za-z_][\w-]*[ \t]*：")
_PLAIN_COMMENT = re.compile(r"[ \t]+#.*$")
_DQ_ESCAPE = re.compile(r"\\(.)")


def _unquote(value: str) -> str:
    """Strip one pair of YAML quotes from a scalar written without valid escaping.

    ``"他说"好"的"`` → ``他说"好"的`` (C7); ``'it''s'`` → ``it's``; a plain scalar loses a
    trailing ``# comment``.
    """
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return _DQ_ESCAPE.sub(r"\1", value[1:-1])
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return _PLAIN_COMMENT.sub("", value).strip()


def _lenient_value(raw: str) -> Any:
    """Value of one ``key: raw`` line: real YAML when that line parses alone, else a guess."""
    try:
        loaded = yaml.load(f"k: {raw}", Loader=_StringLoader)
    except yaml.YAMLError:
        loaded = None
    if isinstance(loaded, dict) and set(loaded) == {"k"}:
        return loaded["k"]
    if raw.startswith("[") and raw.endswith("]"):
        return [_unquote(item.strip()) for item in raw[1:-1].split(",") if item.strip()]
    return _unquote(raw)


def _lenient_front_matter(lines: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Recover ``key: value`` pairs line by line from front matter YAML rejected.

    ``lines`` are the front matter lines; returns the mapping and the recovered keys in
    file order. Block lists (``key:`` then ``  - item`` lines) and folded/literal block
    scalars (``key: >``) are followed; anything else that is not a key line is ignored.
    """
    data: dict[str, Any] = {}
    keys: list[str] = []
    i = 0
    while i < len(lines):
        match = _KEY_LINE.match(lines[i])
        i += 1
        if not match:
            continue
        key, raw = match.group(1), match.group(2) or ""
        value: Any
        if raw in ("", ">", "|", ">-", "|-", ">+", "|+"):
            block: list[str] = []
            while i < len(lines) and (lines[i][:1] in (" ", "\t", "-") or not lines[i]):
                block.append(lines[i])
                i += 1
            items = [m.group(1) or m.group(2) or "" for m in map(_LIST_ITEM_LINE.match, block) if m]
            if raw == "" and items:
                value = [_unquote(item) for item in items]
            elif raw:
                joiner = "\n" if raw.startswith("|") else " "
                value = joiner.join(line.strip() for line in block if line.strip())
            else:
                value = None
        else:
            value = _lenient_value(raw)
        if key not in data:
            keys.append(key)
        data[key] = value
    return data, keys


def _yaml_problem(error: yaml.YAMLError) -> tuple[str, int | None]:
    """Short description of a PyYAML error and its 0-based line in the parsed text."""
    problem = getattr(error, "problem", None) or getattr(error, "context", None) or str(error)
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return " ".join(str(problem).split()), (mark.line if mark is not None else None)


def _parse_front_matter(fm: str, rel: str, warnings: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Parse the text between the ``---`` lines; returns (fields, front matter lines).

    Line ``i`` of the returned list is line ``i + 1`` of the file (line 1 is the opening
    ``---``). Falls back to :func:`_lenient_front_matter` when YAML raises or gives no
    mapping, and appends a warning naming the file and line (C7).
    """
    lines = fm.split("\n")
    try:
        loaded = _HANDLER.load(fm)
    except yaml.YAMLError as error:
        problem, line = _yaml_problem(error)
        data, keys = _lenient_front_matter(lines)
        where = f"{rel}:{line + 1}" if line is not None else rel
        if keys:
            warnings.append(
                f"{where}: front matter is not valid YAML ({problem}); "
                f"recovered {', '.join(keys)} by line"
            )
        else:
            warnings.append(
                f"{where}: front matter is not valid YAML ({problem}) and has no key/value pairs"
            )
        return data, lines
    if loaded is None:  # empty front matter (``---`` / ``---``) is valid in Jekyll
        return {}, lines
    if isinstance(loaded, dict):
        return {str(k): v for k, v in loaded.items() if k is not None}, lines
    # YAML gave a scalar or a list: no key/value pairs at all.
    data, keys = _lenient_front_matter(lines)
    first = next((n for n, text in enumerate(lines) if text.strip()), 0)
    why = f"it is a YAML {type(loaded).__name__}"
    for n, text in enumerate(lines):
        if _FULLWIDTH_KEY_LINE.match(text):
            first, why = n, "a full-width colon '：' is not a key separator"
            break
    message = f"{rel}:{first + 1}: front matter has no key/value pairs ({why})"
    if keys:
        message += f"; recovered {', '.join(keys)} by line"
    warnings.append(message)
    return data, lines


def _key_line(lines: list[str], key: str) -> int | None:
    """1-based file line of ``key:`` in the front matter lines, if present."""
    prefix = re.compile(rf"^{re.escape(key)}[ \t]*:")
    for n, text in enumerate(lines):
        if prefix.match(text):
            return n + 1
    return None


def _scalar_text(value: Any) -> str:
    """A front matter scalar as the text written in the file (``None`` → ``""``)."""
    if value is None:
        return ""
    if isinstance(value, bool):  # only reachable through explicit ``!!bool`` tags
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


#: The most values taken from one front-matter list (tags, categories, a list title).
#: YAML aliases can nest a few hundred bytes into billions of items ("billion laughs").
MAX_VALUES = 1000


def _flatten(value: Any, limit: int = MAX_VALUES) -> list[str]:
    """The scalars of a nested list, depth first, at most ``limit`` of them."""
    out: list[str] = []
    stack = [value]
    while stack and len(out) < limit:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(reversed(item))
        elif item is not None:
            out.append(_scalar_text(item))
    return out


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in (i.strip() for i in items) if item))


def jekyll_list(data: dict[str, Any], singular: str, plural: str) -> list[str]:
    """Jekyll's ``pluralized_array_from_hash`` for ``category``/``categories`` and ``tag``/``tags``.

    The singular key wins when present and is taken whole (``category: 科技 财经`` is one
    category); a plural string is split on whitespace (``categories: 科技 财经`` → two,
    C8); a YAML list stays a list. Items are strings as written, blanks and repeats
    dropped (first occurrence kept).
    """
    if data.get(singular) is not None:
        return _dedupe(_flatten(data[singular]))
    value = data.get(plural)
    if isinstance(value, str):
        return _dedupe(value.split())
    return _dedupe(_flatten(value))


# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------

_DATE_VALUE = re.compile(
    r"(\d{4})(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})日?"
    r"(?:(?:[Tt]|[ \t]*)(\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:[.,](\d+))?)?)?"
    r"[ \t]*(?:([Zz]|UTC|GMT)|([+-])(\d{1,2})(?::?(\d{2}))?)?"
)
_OFFSET_ONLY = re.compile(r"(?:[+-]\d{1,2}(?::?\d{2})?|[Zz]|UTC|GMT)")
_FILENAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.*)$")
_ID_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})\d{6,}(?!\d)")


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def parse_date(text: str, tz: ZoneInfo | None = None) -> dt.datetime | None:
    """Parse a Jekyll front matter date into an aware datetime in the site time zone.

    ``text`` is the value as written (C8): ``2022-06-09 10:05:12 +0800`` (which PyYAML
    leaves a string), ``2022-03-01T08:30:00+08:00``, ``2022-03-01``, ``2022/3/1 8:30``,
    fractions of a second, ``Z``/``UTC``, Chinese ``2022年3月1日 08:30``, and RFC 2822
    (``Tue, 01 Mar 2022 08:30:00 +0800``, as RSS feeds write it). A time without offset
    is local to ``tz`` (default Asia/Shanghai); a date without time is midnight in
    ``tz``. The result is converted to ``tz`` so that ``.date()`` is the site's local day.
    Returns None when the text holds no calendar day (empty, ``+0800`` alone, garbage,
    2022-02-30); never raises.
    """
    zone = tz or _zone(DEFAULT_TIMEZONE)
    text = text.strip()
    match = _DATE_VALUE.fullmatch(text)
    try:
        if match:
            y, mo, d, h, mi, s, frac, utc, sign, oh, om = match.groups()
            micro = int((frac or "0")[:6].ljust(6, "0"))
            naive = dt.datetime(
                int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), micro
            )
            if utc:
                return naive.replace(tzinfo=dt.timezone.utc).astimezone(zone)
            if sign:
                delta = dt.timedelta(hours=int(oh), minutes=int(om or 0))
                offset = dt.timezone(delta if sign == "+" else -delta)
                return naive.replace(tzinfo=offset).astimezone(zone)
            return naive.replace(tzinfo=zone)
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(text)  # RFC 2822, as in RSS feeds
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=zone)
        return parsed.astimezone(zone)
    except (ValueError, OverflowError, TypeError, IndexError):
        return None


def date_from_filename(name: str, tz: ZoneInfo | None = None) -> tuple[dt.datetime | None, str]:
    """Date a post from its file name, as Jekyll does; returns (datetime, source).

    ``YYYY-MM-DD-slug.md`` → midnight of that day in ``tz`` (Jekyll), source
    ``"file name"``. Otherwise the first run of 14 or more digits that starts with a valid
    ``YYYYMMDD`` (the news id in finews' ``-202205262391921712.md``) → that day,
    source ``"id in the file name"``. ``(None, "")`` when neither is there.
    """
    zone = tz or _zone(DEFAULT_TIMEZONE)
    stem = name.rsplit(".", 1)[0]
    candidates: list[tuple[re.Match[str] | None, str]] = [
        (_FILENAME_DATE.match(stem), "file name"),
        *((m, "id in the file name") for m in _ID_DATE.finditer(stem)),
    ]
    for match, source in candidates:
        if match is None:
            continue
        try:
            day = dt.datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
        return day.replace(tzinfo=zone), source
    return None, ""


def _post_date(
    data: dict[str, Any],
    fm_lines: list[str],
    name: str,
    rel: str,
    zone: ZoneInfo,
    warnings: list[str],
) -> dt.datetime | None:
    """The post's date: front matter ``date`` first, then the file name or its id (C8)."""
    raw = data.get("date")
    text = _scalar_text(raw).strip() if not isinstance(raw, list | dict) else repr(raw)
    if text:
        parsed = parse_date(text, zone) if isinstance(raw, str) else None
        if isinstance(raw, dt.datetime | dt.date):  # explicit !!timestamp tag
            parsed = parse_date(raw.isoformat(), zone)
        if parsed is not None:
            return parsed
    fallback, source = date_from_filename(name, zone)
    if not text and source == "file name":
        return fallback  # Jekyll's normal case: no date key, the file name dates the post
    line = _key_line(fm_lines, "date")
    where = f"{rel}:{line}" if line else rel
    if not text:
        problem = "no date in the front matter"
    elif _OFFSET_ONLY.fullmatch(text):
        problem = f"date {text!r} has an offset but no day"
    else:
        problem = f"date {text!r} is not a date"
    if fallback is None:
        warnings.append(f"{where}: {problem} and none in the file name; the post has no date")
    else:
        warnings.append(
            f"{where}: {problem}; dated {fallback.date().isoformat()} from the {source}"
        )
    return fallback


# ---------------------------------------------------------------------------------------
# Body text
# ---------------------------------------------------------------------------------------

#: Control characters (C0 and C1, but white space): never in a body, title or facet.
#: Vertical tab and form feed count as white space (a space in a body).
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_ONE_LINE = str.maketrans("\x0b\x0c\r\n", "    ")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)[^\n]*\n(.*?)^[ \t]{0,3}\1[ \t]*$", re.M | re.S)
_SEP = r"[ \t｜|/·•,，、—–-]*"
_BACK_LINK = r"\[返回[^\]\n]*\]\([^)\n]*\)"
_FOOTER_LINE = re.compile(rf"^[ \t]*{_BACK_LINK}(?:{_SEP}{_BACK_LINK})*{_SEP}$", re.M)
_AUTOLINK = re.compile(r"<(https?://[^\s<>]*)>|<>")
_LIQUID_TAG = re.compile(r"\{%.*?%\}", re.S)
_BLOCKQUOTE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+", re.M)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]+(.*?))??(?:[ \t]+#+)?[ \t]*$", re.M)
_RULE = re.compile(r"^[ \t]{0,3}(?:(?:[-*_][ \t]*){3,}|=+[ \t]*)$", re.M)
_REF_DEF = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S+.*$", re.M)
_BULLET = re.compile(r"^[ \t]*[-*+][ \t]+", re.M)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_IMAGE = re.compile(r"!\[([^\]\n]*)\](?:\((?:[^()\n]|\([^()\n]*\))*\)|\[[^\]\n]*\])")
_LINK = re.compile(r"\[([^\]\n]*)\](?:\((?:[^()\n]|\([^()\n]*\))*\)|\[[^\]\n]*\])")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<!\*)\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?!\*)")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_HTML_LINE = re.compile(r"^[ \t]*</?[A-Za-z!]")
_SPACES = re.compile(r"[^\S\n]+")
_PRIVATE = 0xE000  # escaped Markdown characters are parked in the Private Use Area
_UNPARK = {_PRIVATE + ord(ch): ch for ch in "\\`*_{}[]()#+-.!>~|"}


def _code_text(match: re.Match[str]) -> str:
    """Code is literal in Markdown: keep its ``<``/``&`` as text through the HTML parser."""
    return html.escape(match.group(match.lastindex or 0), quote=False)


def _inline_markdown(line: str) -> str:
    line = _CODE_SPAN.sub(_code_text, line)
    line = _IMAGE.sub(r"\1", line)
    line = _LINK.sub(r"\1", line)
    line = _STRONG.sub(r"\2", line)
    line = _EMPHASIS.sub(r"\1", line)
    return _STRIKE.sub(r"\1", line)


def markdown_to_html(body: str) -> tuple[str, str | None]:
    """Reduce Markdown syntax to its text; returns (HTML-or-text, first ``<http…>`` URL).

    Rules (issue 2 and the finews README): navigation footer lines made only of
    ``[返回…](…)`` links and separators are dropped; ``<http…>`` autolinks are removed
    (the first is returned as the source URL) and empty ``<>`` too; ``> `` blockquote,
    ``# `` heading, list bullet and horizontal-rule markers are dropped; ``![alt](src)``
    → alt, ``[text](url)`` → text, ``**x**``/``__x__``/``*x*``/``~~x~~``/```x``` → x;
    backslash escapes give the character; Liquid ``{% … %}`` tags are dropped. Inline
    syntax is left alone on lines that start with an HTML tag, as kramdown does inside
    HTML blocks. Entities are *not* decoded here: the result still goes through the HTML
    parser (:func:`html_to_text`), which decodes them exactly once.
    """
    body = _FENCE.sub(_code_text, body)
    body = _FOOTER_LINE.sub("", body)
    url: str | None = None
    for match in _AUTOLINK.finditer(body):
        if match.group(1):
            url = match.group(1)
            break
    body = _AUTOLINK.sub("", body)
    body = _LIQUID_TAG.sub("", body)
    body = _RULE.sub("", body)
    body = _BLOCKQUOTE.sub("", body)
    body = _HEADING.sub(lambda m: m.group(1) or "", body)
    body = _REF_DEF.sub("", body)
    body = _BULLET.sub("", body)
    escaped = "\\" in body
    if escaped:
        body = _ESCAPE.sub(lambda m: chr(_PRIVATE + ord(m.group(1))), body)
    if any(ch in body for ch in "`[*_~"):
        body = "\n".join(
            line if _HTML_LINE.match(line) else _inline_markdown(line) for line in body.split("\n")
        )
    if escaped:
        body = body.translate(_UNPARK)
    return body, url


_HTML_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
_BLOCK_TAGS = (
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
)  # fmt: skip
_CELL_TAGS = ("td", "th")
_INVISIBLE = etree.XPath(
    "//script | //style | //noscript | //template | //iframe | //object | //rt | //rp"
    " | //*[@hidden] | //*[@style][contains(translate(@style, 'DISPLAYNOE ', 'displaynoe'),"
    " 'display:none')]"
)


def html_to_text(source: str) -> str:
    """Visible text of an HTML fragment: one ``"\\n"`` between paragraphs, no markup.

    Parsed once with lxml.html, so entities are decoded exactly once (``&amp;lt;`` is the
    text ``&lt;``, ``&lt;b&gt;`` the text ``<b>``; C9). Dropped: tags, comments,
    ``<script>``, ``<style>``, ``<noscript>``, ``<template>``, ``<iframe>``, ``<object>``,
    ruby annotations (``<rt>``, ``<rp>``: 汉<rt>hàn</rt>字 reads 汉字), elements with a
    ``hidden`` attribute or ``style="display:none"`` (finews hides an empty ``<p>`` this
    way), and everything in ``<head>``. Block elements, ``<br>`` and
    newlines in the source end a line; table cells are separated by a space. Every run of
    other whitespace (``&nbsp;`` and U+3000 included) becomes one space, each line is
    stripped, and empty lines are removed.
    """
    source = _CONTROL_CHARS.sub("", source)
    if not source.strip():
        return ""
    try:
        root = lxml.html.document_fromstring(source, parser=_HTML_PARSER)
    except (etree.ParserError, ValueError):  # "Document is empty": nothing visible
        return ""
    body = cast("lxml.html.HtmlElement | None", root.find("body"))
    if body is None:
        return ""
    for element in cast("list[lxml.html.HtmlElement]", _INVISIBLE(root)):
        if element.getparent() is not None:
            element.drop_tree()
    for element in body.iter(*_BLOCK_TAGS):
        element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")
    for element in body.iter("br"):
        element.tail = "\n" + (element.tail or "")
    for element in body.iter(*_CELL_TAGS):
        element.tail = " " + (element.tail or "")
    return _normalise_lines(body.text_content())


def _normalise_lines(text: str) -> str:
    text = _SPACES.sub(" ", text)
    return "\n".join(line for line in (part.strip() for part in text.split("\n")) if line)


def body_to_text(body: str, markdown: bool = True) -> tuple[str, str | None]:
    """Plain text of a post body and its source URL; see :func:`markdown_to_html`.

    ``markdown`` is True for ``.md``/``.markdown`` posts (Markdown reduced first, then
    HTML) and False for ``.html`` posts (HTML only, no source URL).
    """
    url = None
    if markdown:
        body, url = markdown_to_html(body)
    return html_to_text(body), url


_SENTENCE_SPLIT = re.compile(r"[。！？!?\n]")


def first_sentence(text: str, limit: int = FALLBACK_TITLE_CHARS) -> str:
    """First non-empty sentence of ``text``: up to the first 。！？!? or line end, at most
    ``limit`` characters, terminator excluded (the title of an untitled post, C8)."""
    for part in _SENTENCE_SPLIT.split(text):
        part = part.strip()
        if part:
            return part[:limit].rstrip()
    return ""


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------


def decode_bytes(data: bytes, rel: str, warnings: list[str]) -> str:
    """Decode a post file: UTF-8 (BOM stripped), else GB18030 with a warning.

    A UTF-16 file with a byte order mark is decoded with a warning too. Raises
    :class:`SkippedPostError` when the bytes are none of these, or hold NUL bytes (a
    binary file). CRLF and lone CR line ends become LF; a leading U+FEFF is removed.
    """
    text: str
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise SkippedPostError(rel, f"not valid UTF-16 text ({error.reason})") from None
        warnings.append(f"{rel}: file is UTF-16, not UTF-8; decoded as UTF-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise SkippedPostError(
                    rel,
                    f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
                    " and not GB18030 either: cannot decode",
                ) from None
            warnings.append(
                f"{rel}: not valid UTF-8 (byte 0x{data[error.start]:02x} at offset "
                f"{error.start}); decoded as GB18030"
            )
    if "\x00" in text:
        raise SkippedPostError(rel, "contains NUL bytes: a binary file, not text")
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _slug(stem: str) -> str:
    match = _FILENAME_DATE.match(stem)
    return match.group(4) if match else stem


def jekyll_key(rel: str, categories: list[str], date: dt.datetime | None) -> str:
    """Jekyll's identity of a post: ``"<categories>|<day>|<slug>"``.

    Categories are sorted and joined with ``/``; the day is the ``YYYY-MM-DD`` of the file
    name when it has one, else the local day of ``date`` (empty when undated); the slug
    is the file stem without its ``YYYY-MM-DD-`` prefix. Jekyll builds the post URL from
    these, so two files with the same key are the same article (C10).
    """
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    match = _FILENAME_DATE.match(stem)
    if match:
        day = f"{match.group(1)}-{match.group(2)}-{match.group(3)}"
    else:
        day = date.date().isoformat() if date is not None else ""
    return f"{'/'.join(sorted(categories))}|{day}|{_slug(stem)}"


def article_digest(
    title: str,
    body: str,
    date: dt.datetime | None,
    categories: list[str],
    tags: list[str],
    url: str | None,
) -> str:
    """Hex SHA-1 over everything indexed; equal digests mean the same content."""
    parts = [
        title,
        body,
        date.isoformat() if date is not None else "",
        "\x1f".join(categories),
        "\x1f".join(tags),
        url or "",
    ]
    return hashlib.sha1("\x1e".join(parts).encode("utf-8")).hexdigest()


def read_post(path: Path, root: Path, tz: ZoneInfo | None = None) -> Article:
    """Read one post. Raises PostError (naming the file) when it cannot be read.

    ``path`` is the file; ``root`` the corpus root its ``id``/``path`` are relative to;
    ``tz`` the site time zone (default Asia/Shanghai) for dates without offset.

    Returns an :class:`Article` with ``warnings`` for everything recovered: front matter
    that is not YAML (C7), a date taken from the file name or missing (C8), an empty
    title replaced by the first sentence of the body (or the slug when the body is empty),
    a GB18030 file. Raises :class:`SkippedPostError` (a ``PostError``) when the file
    cannot be opened, cannot be decoded, has no front matter (a README, a layout: Jekyll
    copies such files as they are), has front matter that is never closed, or lies in
    ``_layouts``/``_includes``.
    """
    zone = tz or _zone(DEFAULT_TIMEZONE)
    rel = _relative(path, root)
    if any(part in TEMPLATE_DIRS for part in rel.split("/")[:-1]):
        raise SkippedPostError(rel, "in a Jekyll template folder (layout or include), not a post")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SkippedPostError(rel, f"cannot read file: {error.strerror or error}") from None
    warnings: list[str] = []
    text = decode_bytes(data, rel, warnings)
    if not _HANDLER.detect(text):
        raise SkippedPostError(rel, "no front matter (first line is not ---): not a post")
    try:
        fm, content = _HANDLER.split(text)
    except ValueError:
        raise SkippedPostError(
            rel, "front matter opened with --- on line 1 is never closed"
        ) from None
    fields, fm_lines = _parse_front_matter(fm, rel, warnings)

    suffix = path.suffix.lower()
    body, url = body_to_text(content, markdown=suffix in _MARKDOWN_EXTENSIONS)

    title_value = fields.get("title")
    if isinstance(title_value, list | dict):
        line = _key_line(fm_lines, "title")
        warnings.append(f"{rel}:{line}: title is a YAML {type(title_value).__name__}; used as text")
        title_value = " ".join(_flatten(title_value))
    title = html.unescape(_scalar_text(title_value)).strip()
    if not title:
        title = first_sentence(body)
        source = "the first sentence of the body"
        if not title:
            title = _slug(path.stem).strip("-_ ") or path.stem
            source = "the file name"
        line = _key_line(fm_lines, "title")
        where = f"{rel}:{line}" if line else rel
        missing = "empty title" if line else "no title"
        warnings.append(f"{where}: {missing}; used {source}: {title!r}")

    date = _post_date(fields, fm_lines, path.name, rel, zone, warnings)
    categories = jekyll_list(fields, "category", "categories")
    tags = jekyll_list(fields, "tag", "tags")
    for name, values in (("categories", categories), ("tags", tags)):
        if len(values) >= MAX_VALUES:
            warnings.append(f"{rel}: more than {MAX_VALUES} {name}; kept the first {MAX_VALUES}")
    title = _CONTROL_CHARS.sub("", title).translate(_ONE_LINE).strip()
    categories = [
        v for v in (_CONTROL_CHARS.sub("", c).translate(_ONE_LINE) for c in categories) if v
    ]
    tags = [v for v in (_CONTROL_CHARS.sub("", t).translate(_ONE_LINE) for t in tags) if v]
    return Article(
        id=rel.rsplit(".", 1)[0] if "." in rel.rsplit("/", 1)[-1] else rel,
        path=rel,
        title=title,
        body=body,
        date=date,
        categories=categories,
        tags=tags,
        url=url,
        key=jekyll_key(rel, categories, date),
        digest=article_digest(title, body, date, categories, tags, url),
        warnings=warnings,
    )


# ---------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------


def _check_root(root: Path) -> None:
    if not root.exists():
        raise CorpusError(f"corpus folder not found: {root}")
    if not root.is_dir():
        raise CorpusError(f"corpus path is not a folder: {root}")
    try:
        with os.scandir(root):
            pass
    except OSError as error:
        raise CorpusError(f"cannot read corpus folder {root}: {error.strerror or error}") from None


def iter_post_files(root: Path) -> Iterator[Path | Skipped]:
    """Every file under ``root`` with a post extension, in sorted (deterministic) order.

    Hidden files and folders (``.name``), ``_site`` and ``node_modules`` are not walked;
    symbolic links to folders are not followed. A sub-folder that cannot be listed is
    yielded as :class:`Skipped` with the OS error. Raises :class:`CorpusError` when
    ``root`` is missing, not a folder, or unreadable.
    """
    _check_root(root)
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        while errors:
            error = errors.pop(0)
            where = _relative(Path(error.filename), root) if error.filename else "?"
            yield Skipped(where, f"cannot read folder: {error.strerror or error}")
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in IGNORED_DIRS)
        for d in [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            dirnames.remove(d)  # never followed (loops), but never silently passed over
            where = _relative(Path(dirpath, d), root)
            yield Skipped(where, "symbolic link to a folder: not followed")
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if os.path.splitext(name)[1].lower() in POST_EXTENSIONS:
                yield Path(dirpath, name)
    for error in errors:
        where = _relative(Path(error.filename), root) if error.filename else "?"
        yield Skipped(where, f"cannot read folder: {error.strerror or error}")


def _depth_order(rel: str) -> tuple[int, str]:
    return (rel.count("/"), rel)


def read_corpus(root: Path, tz: ZoneInfo | None = None) -> Iterator[Article | Skipped | Duplicate]:
    """Walk ``root`` and yield every post, skipped file and duplicate.

    Every file with a ``.md``/``.markdown``/``.html`` extension (see
    :func:`iter_post_files` for the folders left out) gives exactly one item: an
    :class:`Article`, a :class:`Skipped` (with the reason; one broken file never stops the
    run, not even one that trips an unexpected error) or a :class:`Duplicate`. Files are
    read in order of (number of path components, path), and that is also the yield order.

    A file whose ``key`` (the same Jekyll post) or else ``digest`` (the same content
    under another name) equals that of an article already yielded is a
    :class:`Duplicate` of it. So among copies the one nearest the root, then the smallest
    path, is kept whatever the walk order, and even after it is edited
    (``_posts/2022-03-01-flood.md`` over ``_posts/archive/2022-03-01-flood.md``, C10).
    ``tz`` is the site time zone (default Asia/Shanghai).

    Raises :class:`CorpusError` at once (not at the first ``next``) when ``root`` is
    missing, not a folder, or unreadable.
    """
    _check_root(root)
    found = list(iter_post_files(root))
    return _read_all(root, found, tz)


def _read_all(
    root: Path, found: list[Path | Skipped], tz: ZoneInfo | None
) -> Iterator[Article | Skipped | Duplicate]:
    items = [
        ((item.path if isinstance(item, Skipped) else _relative(item, root)), item)
        for item in found
    ]
    items.sort(key=lambda pair: _depth_order(pair[0]))
    by_key: dict[str, str] = {}
    by_digest: dict[str, str] = {}
    by_id: set[str] = set()
    for _, item in items:
        if isinstance(item, Skipped):
            yield item
            continue
        try:
            article = read_post(item, root, tz)
        except SkippedPostError as error:
            yield Skipped(error.path, error.reason)
            continue
        except PostError as error:
            yield Skipped(_relative(item, root), str(error))
            continue
        except Exception as error:  # one broken post never stops a run; it is reported
            reason = f"unexpected error while reading: {type(error).__name__}: {error}"
            yield Skipped(_relative(item, root), reason)
            continue
        kept = by_key.get(article.key)
        if kept is not None:
            yield Duplicate(article.path, kept, "same date and slug")
            continue
        kept = by_digest.get(article.digest)
        if kept is not None:
            yield Duplicate(article.path, kept, "same content")
            continue
        if article.id in by_id:
            # x.md beside x.html (different posts, one stem): the later path keeps its
            # extension in its id, so neither overwrites the other in the index.
            article.id = article.path
        by_id.add(article.id)
        by_digest[article.digest] = article.path
        by_key[article.key] = article.path
        yield article


@dataclass
class CorpusReport:
    """What :func:`check_corpus` found in a corpus folder.

    posts: number of distinct articles read (duplicates not counted).
    with_warnings: how many of them carry warnings (recovered, still indexed).
    warnings: every warning line, each starting with the file's relative path.
    skipped, duplicates: the files not indexed, in reading order.
    lines: warnings, skipped files and duplicates as printable lines, in reading order.
    """

    root: Path
    posts: int = 0
    with_warnings: int = 0
    warnings: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: ``posts read: N, recovered with warnings: W, skipped: S, duplicates: D``."""
        return (
            f"posts read: {self.posts}, recovered with warnings: {self.with_warnings}, "
            f"skipped: {len(self.skipped)}, duplicates: {len(self.duplicates)}"
        )

    def add(self, item: Article | Skipped | Duplicate) -> Article | None:
        """Count one item of :func:`read_corpus`; return it if it is an article to index."""
        if isinstance(item, Article):
            self.posts += 1
            if item.warnings:
                self.with_warnings += 1
                self.warnings.extend(item.warnings)
                self.lines.extend(item.warnings)
            return item
        if isinstance(item, Skipped):
            self.skipped.append(item)
            self.lines.append(f"{item.path}: skipped: {item.reason}")
        else:
            self.duplicates.append(item)
            why = f" ({item.reason})" if item.reason else ""
            self.lines.append(f"{item.path}: duplicate of {item.kept}{why}, not indexed")
        return None


def check_corpus(root: Path, tz: ZoneInfo | None = None) -> CorpusReport:
    """Read a whole corpus (as :func:`read_corpus`) and count what happened.

    Returns a :class:`CorpusReport`; raises :class:`CorpusError` when ``root`` is
    missing, not a folder, or unreadable.
    """
    report = CorpusReport(root=root)
    for item in read_corpus(root, tz):
        report.add(item)
    return report
