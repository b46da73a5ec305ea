"""The fold: what every text is matched as (Unicode NFKC, case, traditional → simplified).

:func:`fold` is the one definition. Documents and queries, units and words, the user
dictionary and the highlighter all fold through it, so that two spellings the fold
makes equal are equal everywhere. The two helpers compute the same fold faster where a
text is made of units: :func:`unit_folder` for one unit at a time, and
:func:`fold_ideographs` for every CJK unified ideograph of a whole text at once (on
those characters NFKC and case folding change nothing, and the traditional →
simplified fold maps one character to one, so offsets are kept).

>>> fold("ＡＩ芯片開通"), fold("ＡＩ芯片開通", case=False)
('ai芯片开通', 'AI芯片开通')
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable

from .variants import script_table


def fold(text: str, case: bool = True) -> str:
    """Fold ``text`` for matching: Unicode NFKC, case folding, then traditional Chinese
    characters to simplified ones.

    Full-width letters and digits become ASCII (``ＡＩ２０２２`` → ``ai2022``), compatibility
    ideographs become unified ones, ``ß`` becomes ``ss`` (CASES.md C5), ``開通`` becomes
    ``开通`` (one character for one, from OpenCC's tables: :mod:`.variants`, CASES.md
    C13). The same fold is applied to documents and queries.

    :param case: fold letter case too. False for a whole text before a segmenter cuts
        it (and for the user dictionary's words, which must match that text): jieba's
        dictionary holds capitals (``T恤``, ``B超``); each word is folded again, with
        case, once cut.

    >>> fold("ＡＩ２０２２"), fold("iPhone14"), fold("臺北"), fold("T恤", case=False)
    ('ai2022', 'iphone14', '台北', 'T恤')
    """
    if text.isascii():
        return text.lower() if case else text
    text = unicodedata.normalize("NFKC", text)
    return script_table().fold(text.casefold() if case else text)


def unit_folder() -> Callable[[str], str]:
    """A function giving :func:`fold` of a unit (:mod:`.tokenizers`), remembering each
    unit it folded (units recur within a text); use one per text or stream. A number
    also loses its thousands separators (``1,200`` is the number 1200).

    >>> list(map(unit_folder(), ["開", "ＡＩ", "1,200"]))
    ['开', 'ai', '1200']
    """
    chars = script_table().chars
    folded: dict[str, str] = {}

    def one(text: str) -> str:
        if len(text) == 1 and "\u4e00" <= text <= "\u9fff":  # fold_ideographs
            return chars.get(text, text)
        f = folded.get(text)
        if f is None:
            f = fold(text)
            if "," in f and f[0].isdigit():  # 1,200 is the number 1200
                f = f.replace(",", "")
            folded[text] = f
        return f

    return one


@functools.cache
def _ideograph_table() -> dict[int, str]:
    """The traditional → simplified pairs whose source is a CJK unified ideograph
    (U+4E00–U+9FFF), as a ``str.translate`` table. Their simplified forms fold to
    themselves (the table is closed)."""
    return {k: v for k, v in script_table().translate.items() if 0x4E00 <= k <= 0x9FFF}


def fold_ideographs(text: str) -> str:
    """``text`` with each CJK unified ideograph (U+4E00–U+9FFF) replaced by its
    :func:`fold`, every other character as it is: same length, same offsets.

    >>> fold_ideographs("開通ＡＩ")
    '开通ＡＩ'
    """
    return text.translate(_ideograph_table())


__all__ = ["fold", "fold_ideographs", "unit_folder"]
