"""Chinese text analysis: what terms a text makes (units, bigrams, jieba words) and where.

Engine-neutral: nothing here imports a search engine; an engine adapts the pipelines to
its own analyzers (:mod:`searcher.engine.whoosh.analyzers`). One module per kind of
stage, as in Whoosh's and Lucene's analysis packages:

* :mod:`.folding`: the fold (NFKC, case, traditional → simplified), one definition;
* :mod:`.variants`: traditional and simplified characters, from OpenCC;
* :mod:`.segmenters`: jieba implementations and user dictionaries;
* :mod:`.pipeline`: tokens, stages, and their composition with ``|``;
* :mod:`.tokenizers`: units and words; :mod:`.booktitles`: the titles in 《》 and 〈〉;
  :mod:`.filters`: folding and stop words;
  :mod:`.ngrams`: unit bigrams;
* :mod:`.analyzers`: the pipelines of each kind of field, defined once;
* :mod:`.terms`: those pipelines' terms and positions as lists, for indexing.
"""

from .analyzers import STOP_WORDS, BigramAnalyzer, BookTitleAnalyzer, UnitAnalyzer, WordAnalyzer
from .booktitles import BookTitleTokenizer
from .filters import FoldFilter, StopFilter
from .folding import fold
from .ngrams import BigramFilter, join_units
from .pipeline import Filter, Pipeline, Token, Tokenizer
from .segmenters import (
    DEFAULT_SEGMENTER,
    SEGMENTERS,
    Segmenter,
    UserWord,
    make_segmenter,
    read_user_dict,
)
from .terms import folded_units, term_positions
from .tokenizers import UnitTokenizer, WordTokenizer, is_break
from .variants import regional_forms, script_table, to_simplified

__all__ = [
    "DEFAULT_SEGMENTER",
    "SEGMENTERS",
    "STOP_WORDS",
    "BigramAnalyzer",
    "BigramFilter",
    "BookTitleAnalyzer",
    "BookTitleTokenizer",
    "Filter",
    "FoldFilter",
    "Pipeline",
    "Segmenter",
    "StopFilter",
    "Token",
    "Tokenizer",
    "UnitAnalyzer",
    "UnitTokenizer",
    "UserWord",
    "WordAnalyzer",
    "WordTokenizer",
    "fold",
    "folded_units",
    "is_break",
    "join_units",
    "make_segmenter",
    "read_user_dict",
    "regional_forms",
    "script_table",
    "term_positions",
    "to_simplified",
]
