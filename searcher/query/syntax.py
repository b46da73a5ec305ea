"""The query language: the text a reader types → a :class:`ParsedQuery` (never fails).

Syntax (the words a user types):

* words are ANDed: ``证券 公告`` finds posts holding both;
* ``OR`` between two words (or phrases) accepts either; ``AND`` is the default anyway;
* ``-word`` (or ``NOT word``) excludes posts holding ``word``;
* ``"a phrase"`` must occur exactly, units in order; any quote marks pair, mismatched
  ones too (``“”`` ``‘’`` ``「」`` ``『』`` ``＂＂`` ``“…"``), and a title in book-title marks
  (``《江河之上》``, ``〈…〉``) is a phrase as well, which closes at its own mark
  (``《关于〈…〉的决定》``, ``《“十四五”规划》``) and ranks the posts citing it as a title
  first;
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
    prefix; book_title: typed between book-title marks (``《…》``, ``〈…〉``, or a pair
    of quote marks around them, ``“《…》”``), which ranks the posts citing it as a title
    first (issue #20, :mod:`searcher.query.plan`).
    """

    text: str
    quoted: bool = False
    title_only: bool = False
    negated: bool = False
    book_title: bool = False


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

#: Book-title marks (opening, closing): each closes at its own pair, nested titles
#: included (``《关于〈…〉的决定》``).
BOOK_TITLE_MARKS = {"《": "》", "〈": "〉"}

#: What a title's text may not be made of alone (``《〈〉》`` closes on no title).
_MARKS_AND_SPACES = "".join(QUOTE_MARKS) + " \t\n\u3000"

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


def _title_close(text: str, start: int) -> int:
    """Where the book title whose mark stands just before ``start`` closes: the offset of
    its closing mark (titles of the same mark nested inside counted), or -1 when the
    mark before ``start`` is no book-title mark or is never closed.

    >>> _title_close("《关于〈法〉的《决定》》", 1), _title_close("《求是", 1)
    (11, -1)
    >>> _title_close("“求是”", 1)
    -1
    """
    closing = BOOK_TITLE_MARKS.get(text[start - 1]) if start else None
    if closing is None:
        return -1
    depth = 1
    for k in range(start, len(text)):
        if text[k] == text[start - 1]:
            depth += 1
        elif text[k] == closing:
            depth -= 1
            if depth == 0:
                return k
    return -1


def _book_marks(opening: str, closing: str) -> bool:
    """Whether a phrase opened by the marks ``opening`` and closed by ``closing`` is a
    book title: a book-title mark on each side (``《“…”》``, ``《…〉``)."""
    return any(m in opening for m in BOOK_TITLE_MARKS) and any(
        m in closing for m in BOOK_TITLE_MARKS.values()
    )


def parse(text: str) -> ParsedQuery:
    """Parse the query syntax of this module's docstring; never raises.

    A clause keeps the characters as typed: they are folded by the same analysis as the
    posts (:func:`searcher.query.plan.units_of`), so that a full-width mark that breaks
    a phrase in a post breaks it in the query too. Operators may be typed full width
    (``－基金``, ``ＯＲ``).

    >>> p = parse('证券 OR 股票 -基金 title:"人民 的" 《江河之上》')
    >>> [[c.text for c in g] for g in p.groups], [c.text for c in p.excluded]
    ([['证券', '股票'], ['人民 的'], ['江河之上']], ['基金'])
    >>> [(c.text, c.book_title) for g in parse('“求是” 《关于〈法〉的决定》').groups for c in g]
    [('求是', False), ('关于〈法〉的决定', True)]
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
            # A run of marks opens (《“…”》 nests a quote in a title), the next run closes;
            # a book title closes at its own mark (《关于〈…〉的决定》, 《“十四五”规划》).
            opened = i
            while i < n and _opens_quote(text, i):
                i += 1
            start = i
            # the outermost book-title mark of the run that closes on a title: 《“十四五”规划》
            # is one title, and so are 《〈…〉…》 and 《〈…》 (its 〈 never closes)
            mark, close = -1, -1
            for mark in range(opened, start):
                close = _title_close(text, mark + 1)
                if close != -1 and text[mark + 1 : close].strip(_MARKS_AND_SPACES):
                    break
                close = -1
            book_title = close != -1
            if book_title:
                start = mark + 1
                i = close + 1
                for _ in range(mark - opened):  # the marks opened before it: “《…》”
                    if i < n and _opens_quote(text, i):
                        i += 1
            else:
                close = next((k for k in range(start, n) if _opens_quote(text, k)), -1)
                i = max(close, start)
                while close != -1 and i < n and _opens_quote(text, i):
                    i += 1
                book_title = close != -1 and _book_marks(text[opened:start], text[close:i])
            if close != -1:
                body = text[start:close].strip()
                if body and _opens_quote(body, 0) and _opens_quote(body, len(body) - 1):
                    body = body.strip("".join(QUOTE_MARKS)).strip()  # 《“…”》: the title
                if body:
                    clauses.append(Clause(body, True, title_only, negated, book_title))
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


__all__ = ["BOOK_TITLE_MARKS", "QUOTE_MARKS", "Clause", "ParsedQuery", "parse"]
