"""Book titles: the text between book-title marks (``《…》``, ``〈…〉``), one term each.

Chinese writes the name of a work (a book, a journal, a law, a report, a programme)
between ``《`` and ``》``, and a title cited inside one between ``〈`` and ``〉``
(``《关于〈…〉的决定》``). A reader who types ``《求是》`` asks for the journal, not for
实事求是 (issue #20): the units and bigrams of a text keep no trace of the marks, so
:class:`BookTitleTokenizer` gives one more term per title, :func:`title_term` of its
text, which the query plan looks up to rank posts citing the title first
(:mod:`searcher.query.plan`).

The term is made of the title's folded units (as :func:`~.terms.folded_units` gives
them), so it equals the term of the same title typed in a query wherever the units are
equal: case, width, traditional characters, spaces and joiners do not matter, and
punctuation inside a title is one break (``《“十四五”规划》`` → ``十四五/规划``).

>>> BookTitleTokenizer().terms("《求是》杂志发表《关于〈中华人民共和国民法典〉的决定》")
['求是', '关于/中华人民共和国民法典/的决定', '中华人民共和国民法典']
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from .folding import fold_ideographs, unit_folder
from .ngrams import join_units
from .pipeline import Token, Tokenizer
from .tokenizers import scan_units

#: The longest title text, in characters, that makes a term. The longest title on xwlb
#: (10,854 titles in 4,500 of 19,541 stories) has 75 characters (a budget report's
#: full name), 99.4% have at most 50; a longer run between two marks is a mark left
#: unclosed, not a title. No title spans a line break.
MAX_TITLE_CHARS = 100

#: One pattern for each pair of marks (the matches of one pattern never overlap), so
#: that a title nested in another (``《关于〈…〉的决定》``) gives both terms.
_TITLES = (
    ("《", re.compile(rf"《([^《》\n]{{1,{MAX_TITLE_CHARS}}})》")),
    ("〈", re.compile(rf"〈([^〈〉\n]{{1,{MAX_TITLE_CHARS}}})〉")),
)

#: Stands for a break (punctuation) between two units of a title in its term; no unit
#: holds it (``/`` is a joiner, :data:`~.tokenizers.JOINER`).
BREAK = "/"


def title_term(segments: Sequence[Sequence[str]]) -> str | None:
    """The term of a title given as its folded units in segments split at breaks (as
    :func:`searcher.query.plan.units_of` gives a query's), or None for a title with no
    unit: neighbouring units joined as bigrams are (:func:`~.ngrams.join_units`:
    directly between two CJK characters, else with a space), segments with
    :data:`BREAK`.

    >>> title_term([["求", "是"]]), title_term([["十", "四", "五"], ["规", "划"]])
    ('求是', '十四五/规划')
    >>> title_term([["iphone", "14", "评", "测"]]), title_term([])
    ('iphone 14 评测', None)
    """
    parts: list[str] = []
    for units in segments:
        if not units:
            continue
        text = units[0]
        for left, right in zip(units, units[1:], strict=False):
            text += join_units(left, right)[len(left) :]
        parts.append(text)
    return BREAK.join(parts) if parts else None


def text_term(title: str) -> str | None:
    """:func:`title_term` of a title's text (the characters between its marks).

    >>> text_term("“十四五” 規劃"), text_term("——")
    ('十四五/规划', None)
    """
    # folded_units of .terms (which imports this module)
    texts, _, _, breaks = scan_units(fold_ideographs(title), unit_folder(), offsets=False)
    segments: list[list[str]] = []
    for unit, brk in zip(texts, breaks, strict=True):
        if brk or not segments:
            segments.append([])
        segments[-1].append(unit)
    return title_term(segments)


class BookTitleTokenizer(Tokenizer):
    """Yield one token per book title in a text: :func:`text_term` of the text between
    ``《`` and the next ``》``, and between ``〈`` and the next ``〉`` (at most
    :data:`MAX_TITLE_CHARS` characters, on one line), in order of their opening marks;
    a title with no unit gives none. The terms are folded already (no filter follows).
    Positions count the titles; character offsets are not recorded (highlighting works
    on units).

    >>> [(t.text, t.pos) for t in BookTitleTokenizer()("〈ＡＩ〉与《求是》，《》")]
    [('ai', 0), ('求是', 1)]
    """

    def terms(self, text: str) -> list[str]:
        """The terms of the titles of ``text``, as a list."""
        found: list[tuple[int, str]] = []
        for mark, pattern in _TITLES:
            if mark not in text:  # most texts have no title: no scan
                continue
            for match in pattern.finditer(text):
                term = text_term(match.group(1))
                if term is not None:
                    found.append((match.start(), term))
        if len(found) > 1:
            found.sort(key=lambda item: item[0])
        return [term for _, term in found]

    def __call__(self, text: str) -> Iterator[Token]:
        for pos, term in enumerate(self.terms(text)):
            yield Token(term, pos)


__all__ = ["BREAK", "MAX_TITLE_CHARS", "BookTitleTokenizer", "text_term", "title_term"]
