"""Token filters: the stages after a tokenizer that change or mark each token.

>>> from searcher.analysis.tokenizers import UnitTokenizer
>>> [t.text for t in (UnitTokenizer() | FoldFilter())("ＡＩ芯片２０２２年 iPhone")]
['ai', '芯', '片', '2022', '年', 'iphone']
"""

from __future__ import annotations

from collections.abc import Iterator

from .folding import unit_folder
from .pipeline import Filter, Token


class FoldFilter(Filter):
    """Replace each token's text by its :func:`~.folding.fold` (through
    :func:`~.folding.unit_folder`); offsets stay on the original text.

    Nothing is stemmed: ``iPhone`` stays ``iphone`` (jieba's stock recipe stemmed it to
    ``iphon``, CASES.md C5). A number loses its thousands separators (``1,200`` →
    ``1200``). Traditional characters become simplified ones, one for one,
    so a highlight still covers exactly the characters as written (CASES.md C13).

    >>> from searcher.analysis.tokenizers import UnitTokenizer
    >>> [(t.text, t.startchar) for t in (UnitTokenizer() | FoldFilter())("開通")]
    [('开', 0), ('通', 1)]
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        one = unit_folder()
        for t in tokens:
            t.text = one(t.text)
            yield t


class StopFilter(Filter):
    """Mark tokens whose text is in ``stoplist`` as stopped, without removing them.

    Stop words keep their positions, so they never break a phrase (CASES.md C6); the query
    layer uses the mark to leave them out of the words every hit must contain.

    :param stoplist: the words to mark (already folded).

    >>> from searcher.analysis.tokenizers import UnitTokenizer
    >>> [(t.text, t.stopped) for t in (UnitTokenizer() | StopFilter(frozenset("的")))("我的")]
    [('我', False), ('的', True)]
    """

    def __init__(self, stoplist: frozenset[str]) -> None:
        self.stops = stoplist

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stops = self.stops
        for t in tokens:
            t.stopped = t.text in stops
            yield t

    def __repr__(self) -> str:
        return f"StopFilter({len(self.stops)} words)"


__all__ = ["FoldFilter", "StopFilter"]
