"""Token filters, composed after a tokenizer with ``|`` as in Whoosh.

>>> from searcher.analysis.tokenizers import UnitTokenizer
>>> [t.text for t in (UnitTokenizer() | FoldFilter())("ＡＩ芯片２０２２年 iPhone")]
['ai', '芯', '片', '2022', '年', 'iphone']
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator

from whoosh.analysis import Filter, Token

from .variants import script_table


def fold(text: str) -> str:
    """Fold ``text`` for matching: Unicode NFKC, case folding, then traditional Chinese
    characters to simplified ones.

    Full-width letters and digits become ASCII (``ＡＩ２０２２`` → ``ai2022``), compatibility
    ideographs become unified ones, ``ß`` becomes ``ss`` (CASES.md C5), ``開通`` becomes
    ``开通`` (one character for one, from OpenCC's tables: :mod:`.variants`, CASES.md
    C13). The same fold is applied to documents and queries.

    >>> fold("ＡＩ２０２２"), fold("iPhone14"), fold("臺北")
    ('ai2022', 'iphone14', '台北')
    """
    if text.isascii():
        return text.lower()
    return script_table().fold(unicodedata.normalize("NFKC", text).casefold())


class FoldFilter(Filter):  # type: ignore[misc]
    """Replace each token's text by :func:`fold` of it; offsets stay on the original text.

    Nothing is stemmed: ``iPhone`` stays ``iphone`` (jieba's stock recipe stemmed it to
    ``iphon``, CASES.md C5). A number loses its thousands separators (``1,200`` →
    ``1200``). Traditional characters become simplified ones, one for one,
    so a highlight still covers exactly the characters as written (CASES.md C13).

    >>> from searcher.analysis.tokenizers import UnitTokenizer
    >>> [(t.text, t.startchar) for t in (UnitTokenizer() | FoldFilter())("開通", chars=True)]
    [('开', 0), ('通', 1)]
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        one = unit_folder()
        for t in tokens:
            t.text = one(t.text)
            yield t


def unit_folder() -> Callable[[str], str]:
    """A function folding unit texts as :class:`FoldFilter` does, remembering each
    word it folded (words recur within a text); use one per text or stream.

    >>> list(map(unit_folder(), ["開", "ＡＩ", "1,200"]))
    ['开', 'ai', '1200']
    """
    chars = script_table().chars
    folded: dict[str, str] = {}

    def one(text: str) -> str:
        if len(text) == 1 and "\u4e00" <= text <= "\u9fff":
            return chars.get(text, text)
        f = folded.get(text)
        if f is None:
            f = fold(text)
            if "," in f and f[0].isdigit():  # 1,200 is the number 1200
                f = f.replace(",", "")
            folded[text] = f
        return f

    return one


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
