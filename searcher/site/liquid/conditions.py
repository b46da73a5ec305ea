"""Liquid's ``if``/``unless``/``elsif`` conditions, evaluated when every operand is a
value searcher knows (a literal, a known variable, ``page.<key>``), and which branch of
a block Jekyll renders.

Read in Liquid 5.4.0's source (``If``, ``Condition``; Jekyll's default ``error_mode:
warn`` parses strictly first) and measured with ``jekyll build`` 4.3.1
(``tests/test_site_liquid.py``):

* ``a and b or c`` is ``a and (b or c)``: conditions chain from the right.
* Only ``nil`` and ``false`` are false (``0`` and ``""`` are true).
* ``==`` is Ruby's (``1 == 1.0``, ``"1" != 1``, ``true != 1``); ``<``, ``>``, ``<=``,
  ``>=`` compare numbers with numbers and strings with strings; with ``nil`` or a
  boolean they are false; a number against a string is a Liquid error (unknown here).
* ``s contains x``: ``x`` (as text) is in the string ``s``; false for any other left
  side (arrays are never known here) and for a nil or false right side.

Anything else (``empty``, ``blank``, ranges, unknown variables, a markup Liquid would
read another way) is unknown: ``None``, and the block keeps every branch.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .values import to_s

_TOKEN = re.compile(
    r"""[ \t\n\v\f\r]*(?:(?P<str>"[^"]*"|'[^']*')|(?P<num>-?\d+(?:\.\d+)?(?![\w.]))"""
    r"""|(?P<op>==|!=|<>|<=|>=|<|>|contains(?=[ \t\n\v\f\r]))"""
    r"""|(?P<id>[a-zA-Z_][\w-]*(?:\.[a-zA-Z_][\w-]*|\[(?:"[^"]*"|'[^']*')\])*))""",
    re.A,
)
_END = re.compile(r"[ \t\n\v\f\r]*\Z")
_WORDS: dict[str, Any] = {"true": True, "false": False, "nil": None, "null": None}
_UNKNOWN = object()

#: Looks up a variable (``page.title``, ``x``): ``(value, known)``.
Lookup = Callable[[str], tuple[Any, bool]]


def _operand(kind: str, text: str, lookup: Lookup) -> Any:
    if kind == "str":
        return text[1:-1]
    if kind == "num":
        return float(text) if "." in text else int(text)
    if text in _WORDS:
        return _WORDS[text]
    if text in ("empty", "blank"):  # Liquid compares them with a method: not done here
        return _UNKNOWN
    value, known = lookup(text)
    return value if known else _UNKNOWN


def _parse(markup: str, lookup: Lookup) -> list[Any] | None:
    """The operands, operators and ``and``/``or`` of ``markup`` in order, or None when
    it is not a plain chain of comparisons of known values."""
    items: list[Any] = []
    pos, expect_operand = 0, True
    while not _END.match(markup, pos):
        match = _TOKEN.match(markup, pos)
        if match is None:
            return None
        pos = match.end()
        kind = match.lastgroup or ""
        text = match.group(kind)
        if expect_operand:
            if kind == "op":
                return None
            value = _operand(kind, text, lookup)
            if value is _UNKNOWN:
                return None
            items.append(("value", value))
            expect_operand = False
        elif kind == "op" or (kind == "id" and text in ("and", "or")):
            if items[-1][0] != "value":
                return None
            items.append((kind, text))
            expect_operand = True
        else:
            return None
    if expect_operand:
        return None
    return items


def _comparisons(items: list[Any]) -> list[Any] | None:
    """``(left, op, right)`` of each comparison, and the ``and``/``or`` between them."""
    out: list[Any] = []
    i = 0
    while i < len(items):
        left = items[i][1]
        if i + 1 < len(items) and items[i + 1][0] == "op":
            if i + 2 >= len(items) or items[i + 2][0] != "value":
                return None
            out.append((left, items[i + 1][1], items[i + 2][1]))
            i += 3
        else:
            out.append((left, None, None))
            i += 1
        if i < len(items):
            if items[i][0] != "id":
                return None
            out.append(items[i][1])
            i += 1
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(left: Any, right: Any) -> bool:
    if _is_number(left) and _is_number(right):
        return bool(left == right)
    return type(left) is type(right) and left == right


def _compare(left: Any, op: str | None, right: Any) -> Any:
    """One comparison as Liquid's ``Condition#interpret_condition``: its truth, or
    ``_UNKNOWN`` where Liquid raises."""
    if op is None:
        return left is not None and left is not False
    if op == "==":
        return _equal(left, right)
    if op in ("!=", "<>"):
        return not _equal(left, right)
    if op == "contains":
        if isinstance(left, str) and right is not None and right is not False:
            return to_s(right) in left
        return False
    if left is None or right is None or isinstance(left, bool) or isinstance(right, bool):
        return False  # Liquid: nil and booleans do not respond to <
    if _is_number(left) != _is_number(right):
        return _UNKNOWN  # Liquid error: comparison of String with Integer failed
    return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]


def evaluate(markup: str, lookup: Lookup) -> bool | None:
    """The truth of ``{% if markup %}`` when searcher knows every operand, else None.

    >>> known = {"page.title": "标题"}
    >>> look = lambda name: (known.get(name), name in known)
    >>> evaluate("false", look), evaluate("page.title == '标题'", look)
    (False, True)
    >>> evaluate("true or false and false", look), evaluate("1 < 'a'", look)
    (True, None)
    >>> evaluate("x == 1", look) is None
    True
    """
    items = _parse(markup, lookup)
    chain = _comparisons(items) if items else None
    if not chain:
        return None
    # Liquid chains from the right: a and b or c is a and (b or c).
    result = _compare(*chain[-1])
    for index in range(len(chain) - 3, -1, -2):
        relation, value = chain[index + 1], _compare(*chain[index])
        if value is _UNKNOWN or result is _UNKNOWN:
            return None
        result = (value and result) if relation == "and" else (value or result)
    return None if result is _UNKNOWN else bool(result)
