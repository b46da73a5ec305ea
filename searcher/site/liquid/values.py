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
from collections.abc import Callable
from typing import Any

from ..text import markdown_to_html
from .lexer import RUBY_SPACE

_INCLUDE_VAR = re.compile(
    r"[ \t\n\v\f\r]*include[ \t\n\v\f\r]*(?:\.[ \t\n\v\f\r]*([\w-]+)|\[[ \t\n\v\f\r]*"
    r"(?:\"([^\"]*)\"|'([^']*)')[ \t\n\v\f\r]*\])[ \t\n\v\f\r]*",
    re.A,
)
_VARIABLE = re.compile(r"[ \t\n\v\f\r]*([\w-]+)[ \t\n\v\f\r]*", re.A)
_ASSIGN = re.compile(r"\s*([\w-]+)\s*=\s*(.*)", re.A | re.S)


def literal(bare: str) -> tuple[Any, bool]:
    """A Liquid literal (``Liquid::Expression``): ``(value, True)``, or ``(None, False)``
    for a variable. Quoted strings, integers, floats, ``true``/``false``, ``nil``,
    ``null``, ``empty``, ``blank``.

    >>> literal('"甲"'), literal("3"), literal("1.50"), literal("nil"), literal("page.x")
    (('甲', True), (3, True), (1.5, True), (None, True), (None, False))
    """
    if len(bare) >= 2 and bare[0] == bare[-1] and bare[0] in "\"'":
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


def apply_filters(value: Any, chain: str) -> tuple[Any, str | None]:
    """``value`` through a chain of filters (``| default: "x" | upcase``): the filters
    that need nothing but the value and literals; ``(value, name)`` of the first other
    filter met, the value as it was then.

    >>> apply_filters(None, '| default: "abc" | upcase | sort | strip')
    ('ABC', 'sort')
    """
    for part in chain.split("|")[1:]:
        name, _, arg = part.partition(":")
        name = name.strip(RUBY_SPACE)
        argument = literal(arg.strip(RUBY_SPACE))[0]
        if name == "default":
            if value in (None, "", False):
                value = argument
        elif name in ("append", "prepend") and isinstance(argument, str):
            value = to_s(value) + argument if name == "append" else argument + to_s(value)
        elif name in _STRING_FILTERS:
            value = _STRING_FILTERS[name](to_s(value))
        elif name not in _KEPT_FILTERS:
            return value, name
    return value, None


_STRING_FILTERS: dict[str, Callable[[str], str]] = {
    "escape": html.escape,
    "xml_escape": html.escape,
    "escape_once": lambda text: html.escape(html.unescape(text)),
    "strip": lambda text: text.strip(RUBY_SPACE),
    "lstrip": lambda text: text.lstrip(RUBY_SPACE),
    "rstrip": lambda text: text.rstrip(RUBY_SPACE),
    "upcase": str.upper,
    "downcase": str.lower,
    "capitalize": lambda text: text[:1].upper() + text[1:].lower(),
    "markdownify": lambda text: markdown_to_html(text)[0],  # Jekyll: kramdown's HTML
}
#: Filters whose result reads the same as the value (converted Markdown, URLs).
_KEPT_FILTERS = frozenset({"relative_url", "absolute_url", "smartify"})


class Variables:
    """The variables of one document whose value is known. Liquid's variables are the
    document's, whichever file (the document, an include) sets them; one set in an
    ``if`` or a loop may not be, so it is not known after.

    >>> names = Variables()
    >>> names.assign('x = "甲" | append: "乙"', certain=True)
    >>> names.output(" x | upcase ", None)
    ('甲乙', None)
    >>> names.assign("x = page.title", certain=True)
    >>> names.output(" x ", None)
    (None, None)
    """

    def __init__(self) -> None:
        self.known: dict[str, Any] = {}

    def set(self, name: str, value: Any, certain: bool) -> None:
        """``name`` is ``value`` if the tag setting it surely runs (``certain``: outside
        any ``if`` or loop), else no longer known."""
        if certain:
            self.known[name] = value
        else:
            self.known.pop(name, None)

    def forget(self, name: str) -> None:
        """``name`` is set to what searcher does not know (a loop's item, a counter)."""
        self.known.pop(name, None)

    def assign(self, markup: str, certain: bool) -> None:
        """``{% assign x = "literal" %}`` (or a known variable, through the filters of
        :func:`apply_filters`) makes ``x`` known; any other value makes it unknown."""
        assign = _ASSIGN.match(markup)
        if assign is None:
            return
        name, expression = assign.group(1), assign.group(2)
        head, bar, chain = expression.partition("|")
        head = head.strip(RUBY_SPACE)
        value, known = literal(head)
        if not known and head in self.known:
            value, known = self.known[head], True
        if known and bar:
            value, unknown = apply_filters(value, bar + chain)
            known = unknown is None
        if known:
            self.set(name, value, certain)
        else:
            self.known.pop(name, None)

    def output(self, markup: str, scope: dict[str, Any] | None) -> tuple[str | None, str | None]:
        """``{{ … }}`` (``markup`` between the braces): ``(text, unknown filter)``. A
        known variable is its value, ``{{ include.x }}`` the value passed in ``scope``
        (None outside an include); text None when the value is not known (it is the
        site's, not the article's). A filter not applied is named, and the value is
        used as it was before it."""
        markup = markup[1:] if markup.startswith("-") else markup
        markup = markup[:-1] if markup.endswith("-") else markup
        match = _INCLUDE_VAR.match(markup)
        if match is not None:
            key = match.group(1) or match.group(2) or match.group(3) or ""
            value = (scope or {}).get(key)
        else:
            match = _VARIABLE.match(markup)
            if match is None or match.group(1) not in self.known:
                return None, None
            value = self.known[match.group(1)]
        rest = markup[match.end() :]
        unknown = None
        if rest.startswith("|"):
            value, unknown = apply_filters(value, rest)
        elif rest:
            return None, None
        return to_s(value), unknown
