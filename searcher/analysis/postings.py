"""Index-time analysis as lists: each term's positions in a text, without a token stream.

Whoosh indexes a field by running its analyzer's token stream through the format
(``Format.word_values``): a generator and several Python calls per token, once per field.
A post's body goes through three analyzers (words, units, bigrams), and the unit and
bigram analyzers scan the same units. :func:`term_positions` computes, for the three
pipelines of :mod:`.analyzers`, the same ``{term: [positions]}`` their streams give
(tests/test_segments.py compares them), from :func:`folded_units` lists and one
pass over them; the unit scan of a text is shared by its unit and bigram fields through
a per-document ``memo``. Any other analyzer gets None, and the writer uses its stream.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import accumulate
from typing import Any

from whoosh.analysis import CompositeAnalyzer

from .filters import FoldFilter, StopFilter
from .folding import fold, fold_ideographs, unit_folder
from .ngrams import BigramFilter
from .tokenizers import _WORDLIKE, UnitTokenizer, WordTokenizer, scan_units

Units = tuple[list[str], list[int], list[int], list[bool]]
TermPositions = dict[str, list[int]]
Memo = dict[tuple[str, int], Any]


def folded_units(text: str, offsets: bool = True) -> Units:
    """The units of ``text`` as :func:`~.analyzers.UnitAnalyzer` gives them, as four
    lists: folded texts, start and end offsets (characters, in ``text``), and whether a
    break stands before each unit (:func:`~.tokenizers.scan_units`; with
    ``offsets=False`` the offset lists stay empty).

    >>> folded_units("開通ＡＩ")[0]
    ['开', '通', 'ai']
    """
    # Unified ideographs are folded by translating the whole text (one for one, so
    # offsets are kept); scan_units folds the other units one by one, as FoldFilter does.
    return scan_units(fold_ideographs(text), unit_folder(), offsets)


def _positions(breaks: list[bool]) -> list[int]:
    # UnitTokenizer: positions count units and skip one number at each break.
    return list(accumulate([2 if b else 1 for b in breaks], initial=-1))[1:]


def unit_positions(text: str, memo: Memo | None = None) -> TermPositions:
    """``{unit: positions}`` of ``text``, as :func:`~.analyzers.UnitAnalyzer` indexes it.

    >>> unit_positions("新闻，新")
    {'新': [0, 3], '闻': [1]}
    """
    texts, _, _, breaks = _units(text, memo)
    out: TermPositions = {}
    for unit, pos in zip(texts, _positions(breaks), strict=True):
        found = out.get(unit)
        if found is None:
            out[unit] = [pos]
        else:
            found.append(pos)
    return out


def bigram_positions(text: str, memo: Memo | None = None) -> TermPositions:
    """``{bigram: positions}`` of ``text``, as :func:`~.analyzers.BigramAnalyzer`
    indexes it (:func:`~.ngrams.join_units` texts, no bigram across a break).

    >>> bigram_positions("大桥，iPhone14")
    {'大桥': [0], 'iphone 14': [3]}
    """
    texts, _, _, breaks = _units(text, memo)
    out: TermPositions = {}
    positions = _positions(breaks)
    for a, b, brk, pos in zip(texts, texts[1:], breaks[1:], positions, strict=False):
        if brk:
            continue
        if len(a) == 1 and len(b) == 1 and a > "\u2fff" and b > "\u2fff":
            key = a + b
        else:
            key = f"{a} {b}"
        found = out.get(key)
        if found is None:
            out[key] = [pos]
        else:
            found.append(pos)
    return out


def _units(text: str, memo: Memo | None) -> Units:
    if memo is None:
        return folded_units(text, offsets=False)
    key = ("units", id(text))
    hit = memo.get(key)
    if hit is None or hit[0] is not text:
        hit = memo[key] = (text, folded_units(text, offsets=False))
    units: Units = hit[1]
    return units


def word_positions(
    tokenizer: WordTokenizer, stops: frozenset[str]
) -> Callable[[str, Memo | None], TermPositions]:
    """A function giving ``{word: positions}`` of a text, as
    :func:`~.analyzers.WordAnalyzer` with ``tokenizer`` and the stop words ``stops``
    indexes it: stop words keep their positions but are not indexed (Whoosh's formats
    leave out the tokens :class:`~.filters.StopFilter` marks)."""

    def words(text: str, memo: Memo | None = None) -> TermPositions:
        folded = fold(text, case=False)
        one = unit_folder()
        out: TermPositions = {}
        pos = 0
        search = _WORDLIKE.search
        for word in tokenizer.segmenter.cut(folded):
            if not search(word):
                continue
            term = one(word.strip())
            found = out.get(term)
            if term in stops:
                pass
            elif found is None:
                out[term] = [pos]
            else:
                found.append(pos)
            pos += 1
        return out

    return words


def term_positions(analyzer: Any) -> Callable[[str, Memo | None], TermPositions] | None:
    """The list-based equivalent of ``analyzer`` at index time, or None when it is
    not one of the three pipelines of :mod:`.analyzers` (exactly their stages)."""
    if not isinstance(analyzer, CompositeAnalyzer):
        return None
    kinds = [type(stage) for stage in analyzer.items]
    if kinds == [UnitTokenizer, FoldFilter]:
        return unit_positions
    if kinds == [UnitTokenizer, FoldFilter, BigramFilter]:
        return bigram_positions
    if kinds == [WordTokenizer, FoldFilter, StopFilter]:
        return word_positions(analyzer.items[0], analyzer.items[2].stops)
    return None


__all__ = [
    "bigram_positions",
    "folded_units",
    "term_positions",
    "unit_positions",
    "word_positions",
]
