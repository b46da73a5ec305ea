"""Index-time analysis as lists: each term's positions in a text, without a token stream.

An engine indexes a field by running its analyzer's token stream (Whoosh:
``Format.word_values``): a generator and several Python calls per token, once per field.
A post's body goes through four pipelines (words, units, bigrams, book titles), and the unit and
bigram pipelines scan the same units. :func:`term_positions` gives, for each pipeline
of :mod:`.analyzers`, a function computing the same ``{term: [positions]}`` as the
pipeline's tokens (stop words left out), from :func:`folded_units` lists and one pass
over them; the unit scan of a text is shared by its unit and bigram fields through a
per-document ``memo``. It raises for a pipeline whose stages are not exactly those of
one of its list forms, so a stage added to a pipeline cannot leave indexing on the slow
path or on different terms unnoticed; tests/test_analysis.py compares the lists with
the pipelines' tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import accumulate
from typing import Any

from .booktitles import BookTitleTokenizer
from .filters import FoldFilter, StopFilter
from .folding import fold_ideographs, unit_folder
from .ngrams import BigramFilter
from .pipeline import Pipeline
from .tokenizers import UnitTokenizer, WordTokenizer, scan_units

Units = tuple[list[str], list[int], list[int], list[bool]]
TermPositions = dict[str, list[int]]
Memo = dict[tuple[str, int], Any]
#: A list form: ``terms(text, memo)`` gives ``{term: positions}`` of ``text``; ``memo``
#: (a dict per document, or None) shares work between the fields of one document.
Terms = Callable[[str, Memo | None], TermPositions]


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
        # join_units(a, b), inlined: this loop runs once per bigram of every post
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


def word_positions(tokenizer: WordTokenizer, stops: frozenset[str]) -> Terms:
    """A function giving ``{word: positions}`` of a text, as
    :func:`~.analyzers.WordAnalyzer` with ``tokenizer`` and the stop words ``stops``
    indexes it: stop words keep their positions but are not indexed (an engine indexes
    only the tokens :class:`~.filters.StopFilter` leaves unmarked).

    >>> from searcher.analysis.analyzers import STOP_WORDS
    >>> word_positions(WordTokenizer("jieba"), STOP_WORDS)("人民的名义，人民", None)
    {'人民': [0, 3], '名义': [2]}
    """

    def words(text: str, memo: Memo | None = None) -> TermPositions:
        one = unit_folder()
        out: TermPositions = {}
        for pos, word in enumerate(tokenizer.words(text)):
            term = one(word)
            if term in stops:
                continue
            found = out.get(term)
            if found is None:
                out[term] = [pos]
            else:
                found.append(pos)
        return out

    return words


def book_title_positions(text: str, memo: Memo | None = None) -> TermPositions:
    """``{title term: positions}`` of ``text``, as
    :func:`~.analyzers.BookTitleAnalyzer` indexes it (positions count the titles).

    >>> book_title_positions("《求是》《求是》〈学习〉", None)
    {'求是': [0, 1], '学习': [2]}
    """
    out: TermPositions = {}
    for pos, term in enumerate(_BOOK_TITLES.terms(text)):
        out.setdefault(term, []).append(pos)
    return out


_BOOK_TITLES = BookTitleTokenizer()


def term_positions(pipeline: Pipeline) -> Terms:
    """The list form of ``pipeline`` at index time: one of the four pipelines of
    :mod:`.analyzers`, exactly their stages (subclasses and added stages included).

    :raises TypeError: any other pipeline, naming its stages.

    >>> from searcher.analysis.analyzers import BigramAnalyzer
    >>> term_positions(BigramAnalyzer())("新闻，新闻", None)
    {'新闻': [0, 3]}
    >>> term_positions(BigramAnalyzer() | StopFilter(frozenset()))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    TypeError: no list form of UnitTokenizer() | ... | StopFilter(0 words) (add one to ...)
    """
    kinds = tuple(type(stage) for stage in pipeline.stages)
    first, *rest = pipeline.stages
    if kinds == (UnitTokenizer, FoldFilter):
        return unit_positions
    if kinds == (UnitTokenizer, FoldFilter, BigramFilter):
        return bigram_positions
    if kinds == (BookTitleTokenizer,):
        return book_title_positions
    if kinds == (WordTokenizer, FoldFilter, StopFilter):
        assert isinstance(first, WordTokenizer) and isinstance(rest[1], StopFilter)
        return word_positions(first, rest[1].stops)
    raise TypeError(f"no list form of {pipeline!r} (add one to {__name__})")


__all__ = [
    "bigram_positions",
    "book_title_positions",
    "folded_units",
    "term_positions",
    "unit_positions",
    "word_positions",
]
