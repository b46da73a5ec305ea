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
import threading
from collections.abc import Callable, Iterator
from typing import Any

from whoosh.analysis import Token, Tokenizer

from .folding import fold
from .segmenters import DEFAULT_SEGMENTER, Segmenter, UserWord, make_segmenter

#: Characters that are one unit each: CJK ideographs (BMP and the supplementary planes,
#: so U+20BB7 𠮷 is one unit), CJK and Kangxi radicals (text copied from PDFs holds
#: ⼈ U+2F08 for 人; NFKC folds them), kana (not the kana block's marks ゠ and ・, which
#: are punctuation) and Hangul syllables.
CJK_CHARS = (
    "\u2e80-\u2fdf\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff"
)

_UNIT = re.compile(
    rf"([{CJK_CHARS}])"  # one CJK character
    # a run of digits: thousands separators (1,200,000) and decimals (6.3512) kept whole
    r"|(\d{1,3}(?:,\d{3})+(?:[.．]\d+)?(?!\d)|\d+(?:[.．]\d+)*)"
    rf"|((?:(?![{CJK_CHARS}])[^\W\d_][\u0300-\u036f]*)+)"  # letters (not CJK), accents kept
)

#: :data:`_UNIT` with a whole run of CJK characters as one match (each is still one
#: unit): :func:`scan_units` expands a run with C-speed list operations.
_UNIT_RUNS = re.compile(_UNIT.pattern.replace(f"([{CJK_CHARS}])", f"([{CJK_CHARS}]+)", 1))

_IDEOGRAPHS = re.compile("[\u4e00-\u9fff]+")

#: What may stand between two units without breaking a phrase: white space (but not a
#: line break), ASCII joining punctuation (``F-35``, ``3.5/4``, ``O'Neil``, ``AT&T``),
#: the Latin middle dots of transliterated names (``奥斯特洛夫斯基·尼古拉``) and invisible
#: characters (zero-width spaces and joiners, soft hyphens, variation selectors), which
#: web text scatters inside words. Nothing else: every other punctuation mark, CJK and
#: full-width ones included (``，、《》‘’＂－／・``), breaks a phrase (issue #8, C14).
JOINER = re.compile(
    r"[^\S\n]|[-_./'·•‧&+#]"
    r"|[\u00ad\u200b-\u200d\u2060\ufeff\ufe00-\ufe0f\U000e0100-\U000e01ef]"
)

#: The typographic apostrophe: a joiner between two runs of letters (``O’Neil``,
#: ``don’t``), a closing quote everywhere else (``他说‘计划’已于三月启动``).
APOSTROPHE = "\u2019"


def is_break(gap: str, letters: bool = False) -> bool:
    """True when ``gap`` (the text between two units) ends a phrase.

    Punctuation (``，。、；：！？“”‘’《》（）－`` … every mark but the joiners of
    :data:`JOINER`) and line breaks end a phrase; spaces and joiners (``-`` ``.`` ``/``
    ``·``) do not.

    :param gap: the characters between the two units.
    :param letters: both units are runs of letters; then ``’`` joins them as ``'`` does.

    >>> is_break(""), is_break(" "), is_break("-"), is_break("，"), is_break("\\n")
    (False, False, False, True, True)
    >>> is_break("’"), is_break("’", letters=True), is_break("－")
    (True, False, True)
    """
    if not gap:
        return False
    if letters and APOSTROPHE in gap:
        gap = gap.replace(APOSTROPHE, "")
    return JOINER.sub("", gap) != ""


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
        texts, starts, ends, breaks = scan_units(value)
        for text, start, end, brk in zip(texts, starts, ends, breaks, strict=True):
            pos += 2 if brk else 1
            t.text = text
            t.brk = brk
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


def scan_units(
    value: str, folder: Callable[[str], str] | None = None, offsets: bool = True
) -> tuple[list[str], list[int], list[int], list[bool]]:
    """The units of ``value`` as four lists: their texts (unfolded), start and end
    offsets (characters), and whether punctuation or a line break stands before each
    (see :func:`is_break`). :class:`UnitTokenizer` yields them as tokens; indexing
    (:mod:`.postings`) and the highlighter read the lists directly, which is several times
    faster than a token stream. With ``folder``, each unit's text is ``folder(text)``,
    except in runs of CJK unified ideographs (U+4E00–U+9FFF), which are taken as they
    stand: the caller has folded those already (:func:`~.folding.fold_ideographs` of the
    whole text keeps every offset). With ``offsets=False`` the start and end lists stay
    empty (indexing needs none: on a post of 2.7 million characters they held 200 MB).

    >>> texts, starts, ends, breaks = scan_units("新款iPhone14，6.35%")
    >>> texts, starts, ends
    (['新', '款', 'iPhone', '14', '6.35'], [0, 1, 2, 8, 11], [1, 2, 8, 10, 15])
    >>> breaks
    [False, False, False, False, True]
    """
    texts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    breaks: list[bool] = []
    prev_end = -1
    prev_letters = False
    for match in _UNIT_RUNS.finditer(value):
        start, end = match.span()
        letters = match.lastindex == 3
        breaks.append(
            prev_end >= 0
            and start != prev_end
            and is_break(value[prev_end:start], letters and prev_letters)
        )
        prev_end = end
        prev_letters = letters
        if match.lastindex == 1:  # a run of CJK characters, each a unit
            run = match.group()
            if folder is None or _IDEOGRAPHS.fullmatch(run):
                texts.extend(run)
            else:
                texts.extend(map(folder, run))
            if offsets:
                starts.extend(range(start, end))
                ends.extend(range(start + 1, end + 1))
            breaks.extend([False] * (end - start - 1))
        else:
            texts.append(match.group() if folder is None else folder(match.group()))
            if offsets:
                starts.append(start)
                ends.append(end)
    return texts, starts, ends, breaks


_WORDLIKE = re.compile(rf"[{CJK_CHARS}]|[^\W_]")


class WordTokenizer(Tokenizer):  # type: ignore[misc]
    """Yield the words jieba finds in :func:`~.folding.fold` of the whole text, without
    case folding (``fold(text, case=False)``: jieba's dictionary holds ``T恤``).

    Folding comes first because jieba's dictionary and its letter/digit rules only know
    half-width forms (``ＡＩ２０２２`` must segment like ``AI2022``). Words without a letter,
    digit or CJK character (punctuation, spaces) are dropped; positions count the words
    kept. Character offsets are not recorded: highlighting works on units
    (:class:`UnitTokenizer`), which keep exact offsets.

    Traditional characters are folded to simplified ones first as well (:mod:`.variants`),
    so that jieba's simplified dictionary segments both scripts alike.

    :param segmenter: a :class:`~.segmenters.Segmenter`, or the name of one
        (``"rjieba"``, ``"jieba"``).
    :param user_words: a user dictionary's words (:func:`~.segmenters.read_user_dict`),
        added to a segmenter made from a name. They are pickled with the tokenizer, so an
        index's schema carries its user dictionary to every process that opens it.

    >>> [t.text for t in WordTokenizer("jieba")("上海证券交易所发布公告，三家公司获准上市。")]
    ['上海证券交易所', '发布公告', '三家', '公司', '获准', '上市']
    """

    def __init__(
        self, segmenter: Segmenter | str = DEFAULT_SEGMENTER, user_words: tuple[UserWord, ...] = ()
    ) -> None:
        self.segmenter_name = segmenter if isinstance(segmenter, str) else segmenter.name
        self.user_words = tuple(UserWord(*w) for w in user_words)
        self._segmenter: Segmenter | None = None if isinstance(segmenter, str) else segmenter
        self._lock = threading.Lock()

    @property
    def segmenter(self) -> Segmenter:
        """The segmenter, created on first use (it is not pickled with the schema)."""
        if self._segmenter is None:
            with self._lock:
                if self._segmenter is None:
                    self._segmenter = make_segmenter(self.segmenter_name, self.user_words)
        return self._segmenter

    def __getstate__(self) -> dict[str, Any]:
        return {
            "segmenter_name": self.segmenter_name,
            "user_words": tuple(tuple(w) for w in self.user_words),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.segmenter_name = state["segmenter_name"]
        self.user_words = tuple(UserWord(*w) for w in state.get("user_words", ()))
        self._segmenter = None
        self._lock = threading.Lock()

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, WordTokenizer)
            and other.segmenter_name == self.segmenter_name
            and other.user_words == self.user_words
        )

    def __hash__(self) -> int:
        return hash((WordTokenizer, self.segmenter_name, self.user_words))

    def __repr__(self) -> str:
        extra = f", {len(self.user_words)} user words" if self.user_words else ""
        return f"WordTokenizer({self.segmenter_name!r}{extra})"

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
        text = fold(value, case=False)
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
