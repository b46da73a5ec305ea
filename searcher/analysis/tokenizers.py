"""Tokenizers: the first stage of every analyzer, in Whoosh's idiom.

Two tokenizers cover Chinese news text:

* :class:`UnitTokenizer` cuts text into *units*: every Chinese (CJK) character is a unit,
  and so is every run of letters or of digits (a decimal such as ``6.3512`` is one unit).
  It keeps exact character offsets into the original text, so highlights land on the
  characters the reader sees, full-width ``ＡＩ`` included. Units are what substring and
  phrase matching work on (:mod:`searcher.analysis.ngrams`).
* :class:`WordTokenizer` cuts text into words with jieba (:mod:`.segmenters`); words are
  what ranking rewards (a whole-word match scores above a substring match).

Both reuse one :class:`whoosh.analysis.Token` per stream, as Whoosh's own tokenizers do:
consume each token before asking for the next.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Token, Tokenizer

from .segmenters import DEFAULT_SEGMENTER, Segmenter, make_segmenter

#: Characters that are one unit each: CJK ideographs (BMP and the supplementary planes,
#: so U+20BB7 𠮷 is one unit), kana and Hangul syllables.
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff"

_UNIT = re.compile(
    rf"([{CJK_CHARS}])"  # one CJK character
    r"|(\d+(?:[.．]\d+)*)"  # a run of digits, decimals kept whole (6.3512)
    rf"|((?:(?![{CJK_CHARS}])[^\W\d_][\u0300-\u036f]*)+)"  # letters (not CJK), accents kept
)

#: What may stand between two units without breaking a phrase: white space (but not a
#: line break), joining punctuation (``F-35``, ``3.5/4``, ``O'Neil``, ``奥斯特洛夫斯基·尼``)
#: and invisible characters (zero-width spaces and joiners, soft hyphens, variation
#: selectors), which web text scatters inside words.
#: What may stand between two units of one word: spaces, joining marks, zero-width
#: characters (a gap made only of these is not a break).
JOINER = re.compile(
    r"[^\S\n]|[-_./'’·•‧・&＆＿－／＋+#＃]"
    r"|[\u00ad\u200b-\u200d\u2060\ufeff\ufe00-\ufe0f\U000e0100-\U000e01ef]"
)


def is_break(gap: str) -> bool:
    """True when ``gap`` (the text between two units) ends a phrase.

    Sentence and clause punctuation (``，。、；：！？“”《》（）`` …) and line breaks end a
    phrase; spaces and joiners (``-`` ``.`` ``/`` ``·``) do not.

    >>> is_break(""), is_break(" "), is_break("-"), is_break("，"), is_break("\\n")
    (False, False, False, True, True)
    """
    return bool(gap) and JOINER.sub("", gap) != ""


class UnitTokenizer(Tokenizer):  # type: ignore[misc]
    """Yield one token per unit: a CJK character, or a run of letters or of digits.

    Besides Whoosh's ``text``, ``pos``, ``startchar`` and ``endchar`` every token carries
    ``brk``: True when punctuation or a line break stands between it and the previous unit.
    Positions skip one number at each break, so that no phrase matches across one.

    ``iPhone14`` gives the units ``iPhone`` and ``14`` (a letter–digit boundary);
    ``6.3512`` stays one unit, so ``6.35`` never matches it (CASES.md C5).

    >>> [(t.text, t.pos, t.brk) for t in UnitTokenizer()("新款iPhone14，6.35%", positions=True)]
    [('新', 0, False), ('款', 1, False), ('iPhone', 2, False), ('14', 3, False), ('6.35', 5, True)]
    """

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Tokenize ``value`` (a str); offsets are in characters (code points), not bytes.

        :param value: the text.
        :param positions: record ``pos`` on each token.
        :param chars: record ``startchar``/``endchar`` on each token.
        :param start_pos: the position of the first unit.
        :param start_char: added to every character offset.
        :param mode: ``"index"`` or ``"query"``, passed on to filters.
        """
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos - 1
        prev_end = -1
        for match in _UNIT.finditer(value):
            start = match.start()
            brk = prev_end >= 0 and start != prev_end and is_break(value[prev_end:start])
            pos += 2 if brk else 1
            prev_end = match.end()
            t.text = match.group()
            t.brk = brk
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + prev_end
            yield t


_WORDLIKE = re.compile(rf"[{CJK_CHARS}]|[^\W_]")


class WordTokenizer(Tokenizer):  # type: ignore[misc]
    """Yield the words jieba finds, after Unicode NFKC folding of the whole text.

    Folding comes first because jieba's dictionary and its letter/digit rules only know
    half-width forms (``ＡＩ２０２２`` must segment like ``AI2022``). Words without a letter,
    digit or CJK character (punctuation, spaces) are dropped; positions count the words
    kept. Character offsets are not recorded: highlighting works on units
    (:class:`UnitTokenizer`), which keep exact offsets.

    :param segmenter: a :class:`~.segmenters.Segmenter`, or the name of one
        (``"rjieba"``, ``"jieba"``).

    >>> [t.text for t in WordTokenizer("jieba")("上海证券交易所发布公告，三家公司获准上市。")]
    ['上海证券交易所', '发布公告', '三家', '公司', '获准', '上市']
    """

    def __init__(self, segmenter: Segmenter | str = DEFAULT_SEGMENTER) -> None:
        self.segmenter_name = segmenter if isinstance(segmenter, str) else segmenter.name
        self._segmenter: Segmenter | None = None if isinstance(segmenter, str) else segmenter

    @property
    def segmenter(self) -> Segmenter:
        """The segmenter, created on first use (it is not pickled with the schema)."""
        if self._segmenter is None:
            self._segmenter = make_segmenter(self.segmenter_name)
        return self._segmenter

    def __getstate__(self) -> dict[str, Any]:
        return {"segmenter_name": self.segmenter_name, "_segmenter": None}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordTokenizer) and other.segmenter_name == self.segmenter_name

    def __hash__(self) -> int:
        return hash((WordTokenizer, self.segmenter_name))

    def __repr__(self) -> str:
        return f"WordTokenizer({self.segmenter_name!r})"

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Tokenize ``value``; see :class:`UnitTokenizer` for the parameters."""
        t = Token(positions, False, removestops=removestops, mode=mode, **kwargs)
        text = unicodedata.normalize("NFKC", value)
        pos = start_pos
        for word in self.segmenter.cut(text):
            if not _WORDLIKE.search(word):
                continue
            t.text = word.strip()
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = pos
            pos += 1
            yield t
