"""Chinese text analysis for Whoosh: units, bigrams and jieba words.

One module per kind of stage, as in Whoosh's own ``analysis`` package:
:mod:`.segmenters` (jieba implementations), :mod:`.tokenizers`, :mod:`.filters`,
:mod:`.ngrams`, :mod:`.analyzers` (the composed pipelines), :mod:`.folding` (the fold
of every text: NFKC, case, traditional → simplified) and :mod:`.variants` (traditional
and simplified characters, from OpenCC).
"""

from .analyzers import STOP_WORDS, BigramAnalyzer, UnitAnalyzer, WordAnalyzer
from .filters import FoldFilter, StopFilter
from .folding import fold
from .ngrams import BigramFilter, join_units
from .segmenters import (
    DEFAULT_SEGMENTER,
    SEGMENTERS,
    Segmenter,
    UserWord,
    make_segmenter,
    read_user_dict,
)
from .tokenizers import UnitTokenizer, WordTokenizer, is_break
from .variants import regional_forms, script_table, to_simplified

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
    "UserWord",
    "WordAnalyzer",
    "WordTokenizer",
    "fold",
    "is_break",
    "join_units",
    "make_segmenter",
    "read_user_dict",
    "regional_forms",
    "script_table",
    "to_simplified",
]
