"""The query language: the text a reader types → a :class:`ParsedQuery` (never fails).

Syntax (the words a user types):

* words are ANDed: ``证券 公告`` finds posts holding both;
* ``OR`` between two words (or phrases) accepts either; ``AND`` is the default anyway;
* ``-word`` (or ``NOT word``) excludes posts holding ``word``;
* ``"a phrase"`` must occur exactly, units in order; any quote marks pair, mismatched
  ones too (``“”`` ``‘’`` ``「」`` ``『』`` ``＂＂`` ``“…"``), and a title in book-title marks
  (``《江河之上》``, ``〈…〉``) is a phrase as well;
* ``title:word`` or ``title:"a phrase"`` matches in the title only.

Operators may be typed full width (``＂`` is a quote, ``－`` a minus). Nothing in a query
is an error: a lone quote is ignored, a lone ``OR`` or ``-`` is dropped.

How each clause is matched is the plan's business (:mod:`searcher.query.plan`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..analysis.tokenizers import APOSTROPHE, CJK_CHARS

_LATIN = re.compile(rf"(?![{CJK_CHARS}])[^\W\d_]")


@dataclass
class Clause:
    """One word or phrase of a query, as typed.

    text: the text as typed (it is folded by analysis); quoted: typed between quote
    marks or book-title marks; title_only: ``title:`` prefix; negated: ``-`` or ``NOT``
    prefix.
    """

    text: str
    quoted: bool = False
    title_only: bool = False
    negated: bool = False


@dataclass
class ParsedQuery:
    """A parsed query: groups of clauses (OR inside a group, AND between groups) and
    the excluded clauses."""

    groups: list[list[Clause]] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)
    typed: bool = False  # the query text was not blank


#: Marks that open or close a quoted phrase. Any of them opens one and the next one
#: closes it, so mismatched pairs (“…" or 「…”) still make a phrase (CASES.md C14). Book
#: titles (《…》, 〈…〉) are matched as phrases too.
QUOTE_MARKS = frozenset('"“”‘’「」『』《》〈〉＂｢｣﹁﹂﹃﹄〝〞〟')

#: Full-width ASCII (U+FF01–FF5E) to ASCII, for reading operators (``－``, ``ＯＲ``,
#: ``ｔｉｔｌｅ：``) without changing the text a clause matches.
_HALF_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


def _opens_quote(text: str, i: int) -> bool:
    """Whether ``text[i]`` is a quote mark: ``’`` between two letters is an apostrophe
    (``O’Neil``), as in the tokenizer."""
    if text[i] not in QUOTE_MARKS:
        return False
    if text[i] == APOSTROPHE and 0 < i < len(text) - 1:
        return not (_LATIN.match(text[i - 1]) and _LATIN.match(text[i + 1]))
    return True


def parse(text: str) -> ParsedQuery:
    """Parse the query syntax of this module's docstring; never raises.

    A clause keeps the characters as typed: they are folded by the same analysis as the
    posts (:func:`searcher.query.plan.units_of`), so that a full-width mark that breaks
    a phrase in a post breaks it in the query too. Operators may be typed full width
    (``－基金``, ``ＯＲ``).

    >>> p = parse('证券 OR 股票 -基金 title:"人民 的" 《江河之上》')
    >>> [[c.text for c in g] for g in p.groups], [c.text for c in p.excluded]
    ([['证券', '股票'], ['人民 的'], ['江河之上']], ['基金'])
    """
    op = text.translate(_HALF_WIDTH)  # same length as text: indexes agree
    clauses: list[Clause | str] = []
    i, n = 0, len(text)
    negate_next = False
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = negate_next
        negate_next = False
        title_only = False
        if op[i] == "-" and i + 1 < n and not text[i + 1].isspace():
            negated = True
            i += 1
        if op[i : i + 6].lower() == "title:" and i + 6 < n and not text[i + 6].isspace():
            title_only = True
            i += 6
        if _opens_quote(text, i):
            # A run of marks opens (《“…”》 nests a quote in a title), the next run closes.
            while i < n and _opens_quote(text, i):
                i += 1
            close = next((k for k in range(i, n) if _opens_quote(text, k)), -1)
            if close != -1:
                body = text[i:close]
                i = close
                while i < n and _opens_quote(text, i):
                    i += 1
                if body.strip():
                    clauses.append(Clause(body.strip(), True, title_only, negated))
                continue
            # A lone mark: ignore it and read on, keeping -, NOT and title: for the word.
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                continue
        j = i
        while j < n and not text[j].isspace() and not _opens_quote(text, j):
            j += 1
        word, word_op = text[i:j], op[i:j]
        i = j
        if word_op in ("OR", "|"):
            clauses.append("OR")
        elif word_op == "AND" or word_op == "-":
            continue
        elif word_op == "NOT":
            negate_next = True
        else:
            word = word.strip("'＇")
            if word:
                clauses.append(Clause(word, False, title_only, negated))
    parsed = ParsedQuery(typed=bool(text.strip()))
    join = False
    for c in clauses:
        if isinstance(c, str):
            join = bool(parsed.groups)
            continue
        if c.negated:
            parsed.excluded.append(c)
            continue
        if join:
            parsed.groups[-1].append(c)
        else:
            parsed.groups.append([c])
        join = False
    return parsed


__all__ = ["QUOTE_MARKS", "Clause", "ParsedQuery", "parse"]
