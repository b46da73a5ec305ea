"""Token filters, composed after a tokenizer with ``|`` as in Whoosh.

>>> from searcher.analysis.tokenizers import UnitTokenizer
>>> [t.text for t in (UnitTokenizer() | FoldFilter())("ＡＩ芯片２０２２年 iPhone")]
['ai', '芯', '片', '2022', '年', 'iphone']
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from whoosh.analysis import Filter, Token


def fold(text: str) -> str:
    """Fold ``text`` for matching: Unicode NFKC, then case folding.

    Full-width letters and digits become ASCII (``ＡＩ２０２２`` → ``ai2022``), compatibility
    ideographs become unified ones, ``ß`` becomes ``ss``. The same fold is applied to
    documents and queries (CASES.md C5).

    >>> fold("ＡＩ２０２２"), fold("iPhone14")
    ('ai2022', 'iphone14')
    """
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold()


class FoldFilter(Filter):  # type: ignore[misc]
    """Replace each token's text by :func:`fold` of it; offsets stay on the original text.

    Nothing is stemmed: ``iPhone`` stays ``iphone`` (jieba's stock recipe stemmed it to
    ``iphon``, CASES.md C5).
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text
            if not ("\u4e00" <= text <= "\u9fff" and len(text) == 1):
                t.text = fold(text)
            yield t


class StopFilter(Filter):  # type: ignore[misc]
    """Mark tokens whose text is in ``stoplist`` as stopped, without removing them.

    Stop words keep their positions, so they never break a phrase (CASES.md C6); the query
    layer uses the mark to leave them out of the words every hit must contain.

    :param stoplist: the words to mark (already folded).
    """

    def __init__(self, stoplist: frozenset[str]) -> None:
        self.stops = stoplist

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stops = self.stops
        for t in tokens:
            t.stopped = t.text in stops
            yield t
