"""Chinese text analysis for Whoosh: units, bigrams and jieba words.

One module per kind of stage, as in Whoosh's own ``analysis`` package:
:mod:`.segmenters` (jieba implementations), :mod:`.tokenizers`, :mod:`.filters`,
:mod:`.ngrams` and :mod:`.analyzers` (the composed pipelines).
"""

from .analyzers import STOP_WORDS, BigramAnalyzer, UnitAnalyzer, WordAnalyzer
from .filters import FoldFilter, StopFilter, fold
from .ngrams import BigramFilter, join_units
from .segmenters import DEFAULT_SEGMENTER, SEGMENTERS, Segmenter, make_segmenter
from .tokenizers import UnitTokenizer, WordTokenizer, is_break

__all__ = [
    "DEFAULT_SEGMENTER",
    "SEGMENTERS",
    "STOP_WORDS",
    "BigramAnalyzer",
    "BigramFilter",
    "FoldFilter",
    "Segmenter",
    "StopFilter",
    "UnitAnalyzer",
    "UnitTokenizer",
    "WordAnalyzer",
    "WordTokenizer",
    "fold",
    "is_break",
    "join_units",
    "make_segmenter",
]
