"""Analyzers: tokenizer and filters composed into the pipelines the schema uses.

Each function returns a Whoosh analyzer (a callable from text to a token stream) that can
be given to any Whoosh field, pickled with the schema, and run on queries as well as on
documents, which is what keeps the two consistent.

==================  ===============================================  ===================
analyzer            pipeline                                         used by the fields
==================  ===============================================  ===================
``UnitAnalyzer``    ``UnitTokenizer | FoldFilter``                   ``*_1`` (unigrams)
``BigramAnalyzer``  ``UnitTokenizer | FoldFilter | BigramFilter``    ``*_2`` (bigrams)
``WordAnalyzer``    ``WordTokenizer | FoldFilter | StopFilter``      ``title``, ``body``
==================  ===============================================  ===================
"""

from __future__ import annotations

from typing import Any

from .filters import FoldFilter, StopFilter
from .ngrams import BigramFilter
from .segmenters import DEFAULT_SEGMENTER, Segmenter, UserWord
from .tokenizers import UnitTokenizer, WordTokenizer

#: Common function words. They are indexed like every other word (so phrases that hold
#: them still match, CASES.md C6) and are only left out of the words a hit must contain.
#: Unlike jieba's stock recipe, ``和`` is not here: 碳中和 must stay findable.
STOP_WORDS = frozenset(
    "的 了 是 在 也 就 都 而 及 与 或 之 其 这 那 着 吗 呢 吧 啊 把 被 让 给 对 从 向 "
    "于 以 为 但 并 则 即 又 很 还 个 我 你 他 她 它 们 a an the of to in on and or is".split()
)


def UnitAnalyzer() -> Any:
    """Units (CJK characters, letter runs, digit runs), folded, with exact offsets.

    >>> [t.text for t in UnitAnalyzer()("ＡＩ芯片")]
    ['ai', '芯', '片']
    """
    return UnitTokenizer() | FoldFilter()


def BigramAnalyzer() -> Any:
    """Bigrams of neighbouring units, never across punctuation.

    >>> [t.text for t in BigramAnalyzer()("中等技术学校")]
    ['中等', '等技', '技术', '术学', '学校']
    """
    return UnitTokenizer() | FoldFilter() | BigramFilter()


def WordAnalyzer(
    segmenter: Segmenter | str = DEFAULT_SEGMENTER, user_words: tuple[UserWord, ...] = ()
) -> Any:
    """jieba words, folded, with stop words marked (not removed).

    :param segmenter: a segmenter or its name, ``"rjieba"`` (default) or ``"jieba"``.
    :param user_words: a user dictionary's words, for a segmenter given by name.

    >>> [t.text for t in WordAnalyzer("jieba")("人民的名义")]
    ['人民', '的', '名义']
    """
    return WordTokenizer(segmenter, user_words) | FoldFilter() | StopFilter(STOP_WORDS)
