"""Tokenizers: the first stage of every pipeline (:mod:`.pipeline`).

Two tokenizers cover Chinese news text:

* :class:`UnitTokenizer` cuts text into *units*: every Chinese (CJK) character is a unit,
  and so is every run of letters or of digits (a decimal such as ``6.3512`` is one unit).
  It keeps exact character offsets into the original text, so highlights land on the
  characters the reader sees, full-width ``ＡＩ`` included. Units are what substring and
  phrase matching work on (:mod:`searcher.analysis.ngrams`). :func:`scan_units` gives
  them as lists, which indexing and the highlighter read directly.
* :class:`WordTokenizer` cuts text into words with jieba (:mod:`.segmenters`); words are
  what ranking rewards (a whole-word match scores above a substring match).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator

from .folding import fold
from .pipeline import Token, Tokenizer
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


class UnitTokenizer(Tokenizer):
    """Yield one token per unit: a CJK character, or a run of letters or of digits, with
    its character offsets and ``brk`` (punctuation or a line break stands between it and
    the previous unit). Positions skip one number at each break, so that no phrase
    matches across one.

    ``iPhone14`` gives the units ``iPhone`` and ``14`` (a letter–digit boundary);
    ``6.3512`` stays one unit, so ``6.35`` never matches it (CASES.md C5).

    >>> [(t.text, t.pos, t.brk) for t in UnitTokenizer()("新款iPhone14，6.35%")]
    [('新', 0, False), ('款', 1, False), ('iPhone', 2, False), ('14', 3, False), ('6.35', 5, True)]
    """

    def __call__(self, text: str) -> Iterator[Token]:
        texts, starts, ends, breaks = scan_units(text)
        pos = -1
        for unit, start, end, brk in zip(texts, starts, ends, breaks, strict=True):
            pos += 2 if brk else 1
            yield Token(unit, pos, start, end, brk)


def scan_units(
    value: str, folder: Callable[[str], str] | None = None, offsets: bool = True
) -> tuple[list[str], list[int], list[int], list[bool]]:
    """The units of ``value`` as four lists: their texts (unfolded), start and end
    offsets (characters), and whether punctuation or a line break stands before each
    (see :func:`is_break`). :class:`UnitTokenizer` yields them as tokens; indexing
    (:mod:`.terms`) and the highlighter read the lists directly, which is several times
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


#: What a word must hold to be kept: a CJK character, a letter or a digit.
WORDLIKE = re.compile(rf"[{CJK_CHARS}]|[^\W_]")


class WordTokenizer(Tokenizer):
    """Yield the words jieba finds in :func:`~.folding.fold` of the text, without case
    folding (``fold(text, case=False)``).

    Folding comes first because jieba's dictionary and its letter/digit rules only know
    half-width forms (``ＡＩ２０２２`` must segment like ``AI2022``), and its dictionary
    only simplified characters (:mod:`.variants`). Words without a letter, digit or CJK
    character (punctuation, spaces) are dropped; positions count the words kept.
    Character offsets are not recorded (``startchar`` is None): highlighting works on
    units (:class:`UnitTokenizer`), which keep exact offsets.

    :param segmenter: a :class:`~.segmenters.Segmenter`, or the name of one
        (``"rjieba"``, ``"jieba"``), made on first use.
    :param user_words: a user dictionary's words (:func:`~.segmenters.read_user_dict`),
        added to a segmenter made from a name.

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
        """The segmenter, created on first use."""
        if self._segmenter is None:
            with self._lock:
                if self._segmenter is None:
                    self._segmenter = make_segmenter(self.segmenter_name, self.user_words)
        return self._segmenter

    def words(self, text: str) -> list[str]:
        """The texts of the tokens of ``text``, as a list.

        >>> WordTokenizer("jieba").words("ＡＩ２０２２，新款 iPhone")
        ['AI2022', '新款', 'iPhone']
        """
        search = WORDLIKE.search
        return [w.strip() for w in self.segmenter.cut(fold(text, case=False)) if search(w)]

    def __call__(self, text: str) -> Iterator[Token]:
        for pos, word in enumerate(self.words(text)):
            yield Token(word, pos)

    def __repr__(self) -> str:
        extra = f", {len(self.user_words)} user words" if self.user_words else ""
        return f"WordTokenizer({self.segmenter_name!r}{extra})"
