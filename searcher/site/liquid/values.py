"""Liquid's values as far as searcher knows them: literals, output as text, the filters
that need nothing but the value, and the document's variables (captured, or assigned a
literal, outside any ``if`` or loop).

Read in Liquid 5.4.0's source (``Expression``, ``StandardFilters``, ``Utils.to_s``) and
Jekyll 4.3.1's filters (``markdownify`` is kramdown's HTML; ``relative_url``,
``absolute_url`` and ``smartify`` read the same as their value); measured with ``jekyll
build`` in ``tests/test_site_liquid.py``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from ..text import markdown_to_html
from .lexer import RUBY_SPACE

_INCLUDE_VAR = re.compile(
    r"[ \t\n\v\f\r]*include[ \t\n\v\f\r]*(?:\.[ \t\n\v\f\r]*([\w-]+)|\[[ \t\n\v\f\r]*"
    r"(?:\"([^\"]*)\"|'([^']*)')[ \t\n\v\f\r]*\])[ \t\n\v\f\r]*\Z",
    re.A,
)
_PAGE_VAR = re.compile(r"page(?:\.([\w-]+)|\[(?:\"([^\"]*)\"|'([^']*)')\])\Z", re.A)
_VARIABLE = re.compile(r"[\w-]+\Z", re.A)
_ASSIGN = re.compile(r"\s*([\w-]+)\s*=\s*(.*)", re.A | re.S)
_QUOTED = re.compile(r"(?:\"[^\"]*\"|'[^']*')\Z")
_PIPE_OR_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'|\|")
#: The value of an include's parameter that is not a literal (``n=site.x``): not known.
UNKNOWN = object()
#: ``page.<key>`` Jekyll computes whatever the front matter says: a method of its
#: ``DocumentDrop`` (and of ``Jekyll::Drops::Drop``, Enumerable's ``first``, ``count``…),
#: a page's ``ATTRIBUTES_FOR_LIQUID``, data it rewrites (categories and tags merge the
#: folders', ``draft``). Read in Jekyll 4.3.1's source; not known here.
COMPUTED_PAGE_KEYS = frozenset(
    "content output excerpt url date id path relative_path collection name next previous "
    "dir to_s categories tags draft keys key? to_h to_hash to_liquid to_json "
    "hash_for_json each_key merge merge! fetch content_methods mutations sort count "
    "first last min max size".split()
)
#: Plain YAML scalars that Ruby's Psych reads as something other than a string (the
#: front matter loader keeps every scalar a string, quoted or not): not known here.
_PSYCH_NOT_STRING = re.compile(
    r"[-+.0-9:~<=!&*|>%@`]|(?:yes|no|true|false|on|off|null|y|n)\Z", re.I
)


def page_values(fields: Mapping[str, Any] | None) -> dict[str, str]:
    """The ``page.<key>`` values searcher knows of a document whose front matter (after
    ``defaults:``) is ``fields``: strings that Psych reads as strings too, for keys
    Jekyll does not compute itself (:data:`COMPUTED_PAGE_KEYS`). Numbers, booleans,
    dates, nil, lists and mappings are not known (their text, Psych's reading of it,
    and how Liquid prints it are not all measured).

    >>> page_values({"title": "标题", "n": "3", "ok": "true", "url": "/a/", "tags": []})
    {'title': '标题'}
    """
    known: dict[str, str] = {}
    for key, value in (fields or {}).items():
        if key in COMPUTED_PAGE_KEYS or type(value) is not str:  # (not a UTCTimestamp)
            continue
        if value and not _PSYCH_NOT_STRING.match(value) and value.strip() == value:
            known[key] = value
    return known


def literal(bare: str) -> tuple[Any, bool]:
    """A Liquid literal (``Liquid::Expression``): ``(value, True)``, or ``(None, False)``
    for a variable. Quoted strings, integers, floats, ``true``/``false``, ``nil``,
    ``null``, ``empty``, ``blank``.

    >>> literal('"甲"'), literal("3"), literal("1.50"), literal("nil"), literal("page.x")
    (('甲', True), (3, True), (1.5, True), (None, True), (None, False))
    """
    if _QUOTED.match(bare):
        return bare[1:-1], True
    if re.fullmatch(r"-?\d+", bare, re.A):
        return int(bare), True
    if re.fullmatch(r"-?\d[\d.]+", bare, re.A):  # Ruby's to_f: the number it starts with
        number = re.match(r"-?\d+(?:\.\d+)?", bare, re.A)
        return float(number.group(0) if number else bare), True
    literals: dict[str, Any] = {
        "": None, "nil": None, "null": None, "true": True, "false": False,
        "empty": "", "blank": "",
    }  # fmt: skip
    if bare in literals:
        return literals[bare], True
    return None, False


def to_s(value: Any) -> str:
    """A value as Liquid outputs it: nil is empty, booleans ``true``/``false``, floats
    as Ruby writes them.

    >>> to_s(None), to_s(True), to_s(1.5), to_s(1e20)
    ('', 'true', '1.5', '1.0e+20')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        return text.replace("e", ".0e", 1) if "e" in text and "." not in text else text
    return str(value)


def split_filters(markup: str) -> list[str]:
    """``markup`` cut at each ``|`` that is not in a quoted string.

    >>> split_filters("'a|b' | append: \\"|\\"")
    ["'a|b' ", ' append: "|"']
    """
    parts, start = [], 0
    for match in _PIPE_OR_QUOTED.finditer(markup):
        if match.group() == "|":
            parts.append(markup[start : match.start()])
            start = match.end()
    parts.append(markup[start:])
    return parts


def apply_filters(
    value: Any, chain: str, resolve: Callable[[str], tuple[Any, bool]] = literal
) -> tuple[Any, str | None]:
    """``value`` through a chain of filters (``| default: "x" | upcase``): the filters
    that need nothing but the value and arguments ``resolve`` knows (``(value,
    known)``: literals, or :meth:`Variables.value`); ``(value, name)`` of the first
    other filter met, the value as it was then; ``(value, "")`` when a filter's
    argument is not known (the result is not known).

    >>> apply_filters(None, '| default: "abc" | upcase | sort | strip')
    ('ABC', 'sort')
    >>> apply_filters(None, "| default: site.title")
    (None, '')
    """
    for part in split_filters(chain)[1:]:
        name, _, arg = part.partition(":")
        name = name.strip(RUBY_SPACE)
        argument, known = resolve(arg.strip(RUBY_SPACE))
        if not known:  # a variable not known as argument (site.title…): nor is the result
            return value, ""
        if name == "default":
            if value is None or value is False or value == "":  # (0 is kept)
                value = argument
        elif name in ("append", "prepend"):  # Liquid: input.to_s + string.to_s
            text, other = to_s(value), to_s(argument)
            value = text + other if name == "append" else other + text
        elif name in _STRING_FILTERS:
            value = _STRING_FILTERS[name](to_s(value))
        elif name not in _KEPT_FILTERS:
            return value, name
    return value, None


#: Liquid 5.4's ``HTML_ESCAPE`` and ``HTML_ESCAPE_ONCE_REGEXP`` (``escape_once``).
_HTML_ESCAPE = {"&": "&amp;", ">": "&gt;", "<": "&lt;", '"': "&quot;", "'": "&#39;"}
_ESCAPE_ONCE = re.compile(r"[\"><']|&(?!(?:[a-zA-Z]+|#\d+);)")
_STRING_FILTERS: dict[str, Callable[[str], str]] = {
    # Liquid: CGI.escapeHTML (' is &#39;); Jekyll: String#encode(xml: :attr) (&apos;)
    "escape": lambda text: html.escape(text).replace("&#x27;", "&#39;"),
    "xml_escape": lambda text: html.escape(text).replace("&#x27;", "&apos;"),
    # Liquid: escapes & unless it starts a named or decimal entity (&#x41; is escaped)
    "escape_once": lambda text: _ESCAPE_ONCE.sub(lambda m: _HTML_ESCAPE[m.group()], text),
    "strip": lambda text: text.strip(RUBY_SPACE),
    "lstrip": lambda text: text.lstrip(RUBY_SPACE),
    "rstrip": lambda text: text.rstrip(RUBY_SPACE),
    "upcase": str.upper,
    "downcase": str.lower,
    "capitalize": lambda text: text[:1].title() + text[1:].lower(),  # Ruby: titlecase
    "markdownify": lambda text: markdown_to_html(text)[0],  # Jekyll: kramdown's HTML
}
#: Filters whose result reads the same as the value (converted Markdown, URLs).
_KEPT_FILTERS = frozenset({"relative_url", "absolute_url", "smartify"})


class Variables:
    """The variables of one document whose value is known: ``page.<key>`` of its front
    matter (:func:`page_values`), and those captured or assigned. Liquid's variables are
    the document's, whichever file (the document, an include) sets them; one set where
    the tag may not run (an ``if`` searcher cannot decide, a loop) is not known after.

    >>> names = Variables({"title": "标题"})
    >>> names.assign('x = "甲" | append: "乙"', certain=True)
    >>> names.output(" x | upcase ", None), names.output(" page.title ", None)
    (('甲乙', None), ('标题', None))
    >>> names.assign("y = page.title | append: x", certain=True)
    >>> names.output(" y ", None)
    ('标题甲乙', None)
    >>> names.assign("x = page.date", certain=True)
    >>> names.output(" x ", None)
    (None, None)
    """

    def __init__(self, page: Mapping[str, Any] | None = None) -> None:
        self.known: dict[str, Any] = {}
        self.page = page_values(page)
        self.sets = 0  # how many times a variable was set

    def set(self, name: str, value: Any, certain: bool) -> None:
        """``name`` is ``value`` if the tag setting it surely runs (``certain``), else no
        longer known."""
        self.sets += 1
        if name == "page":  # page is now the document's own variable
            self.page = {}
        if certain:
            self.known[name] = value
        else:
            self.known.pop(name, None)

    def forget(self, name: str) -> None:
        """``name`` is set to what searcher does not know (a loop's item, a counter)."""
        self.set(name, None, certain=False)

    def shadow(self, name: str) -> tuple[str, Any, bool, int]:
        """A loop's variable ``name`` is each item (not known) inside the loop; what
        :meth:`unshadow` needs to give it back its value after the loop."""
        value, known = self.known.get(name), name in self.known
        self.forget(name)
        return name, value, known, self.sets

    def unshadow(self, saved: tuple[str, Any, bool, int]) -> None:
        """The loop :meth:`shadow` was called for ends: Liquid sets the loop's variable
        in the loop's own scope, so the value before the loop is back, unless a tag set
        a variable in the loop (an ``assign`` of the same name is the document's).

        >>> names = Variables()
        >>> names.assign("x = '甲'", certain=True)
        >>> saved = names.shadow("x")
        >>> names.lookup("x", None)
        (None, False)
        >>> names.unshadow(saved)
        >>> names.lookup("x", None)
        ('甲', True)
        """
        name, value, known, sets = saved
        if known and self.sets == sets:
            self.set(name, value, certain=True)

    def lookup(self, name: str, scope: dict[str, Any] | None) -> tuple[Any, bool]:
        """``(value, known)`` of the variable ``name`` (``x``, ``page.title``,
        ``page["title"]``, ``include.x``; ``scope``: the include's parameters, None
        outside an include)."""
        match = _INCLUDE_VAR.match(name)
        if match is not None:
            key = match.group(1) or match.group(2) or match.group(3) or ""
            value = (scope or {}).get(key)
            return (None, False) if value is UNKNOWN else (value, True)
        match = _PAGE_VAR.match(name)
        if match is not None:
            key = match.group(1) or match.group(2) or match.group(3) or ""
            return self.page.get(key), key in self.page
        if _VARIABLE.match(name) and name in self.known:
            return self.known[name], True
        return None, False

    def value(self, expression: str, scope: dict[str, Any] | None) -> tuple[Any, bool]:
        """``(value, known)`` of a literal or a variable (:meth:`lookup`)."""
        value, known = literal(expression)
        if known:
            return value, known
        return self.lookup(expression, scope)

    def assign(self, markup: str, certain: bool, scope: dict[str, Any] | None = None) -> None:
        """``{% assign x = value %}`` with a literal or known value (through the filters
        of :func:`apply_filters`) makes ``x`` known; any other value makes it unknown."""
        assign = _ASSIGN.match(markup)
        if assign is None:
            return
        name, expression = assign.group(1), assign.group(2)
        head, *filters = split_filters(expression)
        value, known = self.value(head.strip(RUBY_SPACE), scope)
        resolve = partial(self.value, scope=scope)  # a filter's argument may be a variable
        if known and filters:
            value, unknown = apply_filters(value, "|" + "|".join(filters), resolve)
            known = unknown is None
        self.set(name, value, certain and known)

    def output(self, markup: str, scope: dict[str, Any] | None) -> tuple[str | None, str | None]:
        """``{{ … }}`` (``markup`` between the braces): ``(text, unknown filter)``. A
        literal or known variable (:meth:`value`) is its value; text None when the
        value is not known (it is the site's, not the article's). A filter not applied
        is named, and the value is used as it was before it."""
        markup = markup[1:] if markup.startswith("-") else markup
        markup = markup[:-1] if markup.endswith("-") else markup
        head, *filters = split_filters(markup)
        value, known = self.value(head.strip(RUBY_SPACE), scope)
        if not known:
            return None, None
        unknown = None
        resolve = partial(self.value, scope=scope)
        if filters:
            value, unknown = apply_filters(value, "|" + "|".join(filters), resolve)
            if unknown == "":
                return None, None
        return to_s(value), unknown
