"""Analyzers: the pipelines of each kind of field, defined once.

Each function returns a :class:`~.pipeline.Pipeline` (a callable from text to tokens).
These are the only definitions of what terms a text makes: an engine builds its own
analyzers from them (:mod:`searcher.engine.whoosh.analyzers`), indexing takes their
terms as lists (:func:`.terms.term_positions`, which refuses a pipeline whose stages it
does not implement), and queries are cut by the same stages (:mod:`searcher.query`).

==================  ===============================================  ===================
analyzer            pipeline                                         used by the fields
==================  ===============================================  ===================
``UnitAnalyzer``    ``UnitTokenizer | FoldFilter``                   ``*_1`` (unigrams)
``BigramAnalyzer``  ``UnitTokenizer | FoldFilter | BigramFilter``    ``*_2`` (bigrams)
``WordAnalyzer``    ``WordTokenizer | FoldFilter | StopFilter``      ``title``, ``body``
==================  ===============================================  ===================

``BookTitleAnalyzer`` (``BookTitleTokenizer`` alone: its terms are folded already) gives
the ``*_books`` fields one term per book title (:mod:`.booktitles`).
"""

from __future__ import annotations

from .booktitles import BookTitleTokenizer
from .filters import FoldFilter, StopFilter
from .ngrams import BigramFilter
from .pipeline import Pipeline
from .segmenters import DEFAULT_SEGMENTER, Segmenter, UserWord
from .tokenizers import UnitTokenizer, WordTokenizer

#: Common function words. They are indexed like every other word (so phrases that hold
#: them still match, CASES.md C6) and are only left out of the words a hit must contain.
#: Unlike jieba's stock recipe, ``和`` is not here: 碳中和 must stay findable.
STOP_WORDS = frozenset(
    "的 了 是 在 也 就 都 而 及 与 或 之 其 这 那 着 吗 呢 吧 啊 把 被 让 给 对 从 向 "
    "于 以 为 但 并 则 即 又 很 还 个 我 你 他 她 它 们 a an the of to in on and or is".split()
)


def UnitAnalyzer() -> Pipeline:
    """Units (CJK characters, letter runs, digit runs), folded, with exact offsets.

    >>> [t.text for t in UnitAnalyzer()("ＡＩ芯片")]
    ['ai', '芯', '片']
    """
    return UnitTokenizer() | FoldFilter()


def BigramAnalyzer() -> Pipeline:
    """Bigrams of neighbouring units, never across punctuation.

    >>> [t.text for t in BigramAnalyzer()("中等技术学校")]
    ['中等', '等技', '技术', '术学', '学校']
    """
    return UnitTokenizer() | FoldFilter() | BigramFilter()


def WordAnalyzer(
    segmenter: Segmenter | str = DEFAULT_SEGMENTER, user_words: tuple[UserWord, ...] = ()
) -> Pipeline:
    """jieba words, folded, with stop words marked (not removed).

    :param segmenter: a segmenter or its name, ``"rjieba"`` (default) or ``"jieba"``.
    :param user_words: a user dictionary's words, for a segmenter given by name.

    >>> [(t.text, t.stopped) for t in WordAnalyzer("jieba")("人民的名义")]
    [('人民', False), ('的', True), ('名义', False)]
    """
    return WordTokenizer(segmenter, user_words) | FoldFilter() | StopFilter(STOP_WORDS)


def BookTitleAnalyzer() -> Pipeline:
    """One term per book title (the text in ``《》`` or ``〈〉``, :mod:`.booktitles`),
    already folded.

    >>> [t.text for t in BookTitleAnalyzer()("《求是》杂志，〈ＡＩ〉")]
    ['求是', 'ai']
    """
    return Pipeline(BookTitleTokenizer())


__all__ = ["STOP_WORDS", "BigramAnalyzer", "BookTitleAnalyzer", "UnitAnalyzer", "WordAnalyzer"]
