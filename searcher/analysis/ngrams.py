"""Unit bigrams: what makes any literal run of Chinese characters findable.

A search engine that only indexes jieba's words cannot find ``证券交易`` in
``上海证券交易所`` or ``桥`` in ``跨江大桥`` (CASES.md C2, C3). Indexing every pair of
neighbouring units (bigrams) with their positions fixes the whole kind: a query of ``n``
units is the phrase of its ``n - 1`` bigrams, which matches exactly the documents where
those units stand next to each other. A single-unit query uses the unigram field.
"""

from __future__ import annotations

from collections.abc import Iterator

from .pipeline import Filter, Token


def join_units(left: str, right: str) -> str:
    """The text of the bigram of two folded units.

    Two single CJK characters are joined directly (``证券``); anything else is joined with
    a space (``iphone 14``, ``2022 年``), so that the bigram ``ab c`` never equals the
    unit ``abc`` or the bigram ``a bc``.

    >>> join_units("证", "券"), join_units("iphone", "14")
    ('证券', 'iphone 14')
    """
    if len(left) == 1 and len(right) == 1 and left > "\u2fff" and right > "\u2fff":
        return left + right
    return f"{left} {right}"


class BigramFilter(Filter):
    """Turn a stream of units into the stream of bigrams of neighbouring units.

    Expects tokens from :class:`~.tokenizers.UnitTokenizer` (with their ``brk`` mark) after
    :class:`~.filters.FoldFilter`. A bigram takes the position and start offset of its
    first unit and the end offset of its second. No bigram spans a break (punctuation or
    a line break), so phrases stop at sentence and clause boundaries.

    >>> from searcher.analysis.tokenizers import UnitTokenizer
    >>> from searcher.analysis.filters import FoldFilter
    >>> a = UnitTokenizer() | FoldFilter() | BigramFilter()
    >>> [(t.text, t.pos, t.startchar, t.endchar) for t in a("跨江大桥，iPhone14")]
    [('跨江', 0, 0, 2), ('江大', 1, 1, 3), ('大桥', 2, 2, 4), ('iphone 14', 5, 5, 13)]
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        prev_text: str | None = None
        prev_pos = 0
        prev_start: int | None = 0
        for t in tokens:
            text, pos, start = t.text, t.pos, t.startchar
            if prev_text is not None and not t.brk:
                t.text = join_units(prev_text, text)
                t.pos = prev_pos
                t.startchar = prev_start
                yield t
            prev_text, prev_pos, prev_start = text, pos, start


__all__ = ["BigramFilter", "join_units"]
