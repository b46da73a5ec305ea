"""searcher: full-text search for Chinese news sites built with Jekyll.

Start with :class:`Index` (``Index.open_or_create("index")``, then ``.update("corpus")``
and ``.search("智慧城市")``); README.md has runnable examples.
"""

from .errors import CorpusError, PostError, QueryError, SearcherError, SearchIndexError
from .index import Index
from .indexing import IndexReport
from .search import Hit, IndexStats, SearchResults
from .site import Article, Duplicate, SiteOptions, Skipped, check_corpus, read_corpus

__all__ = [
    "Article",
    "CorpusError",
    "Duplicate",
    "Hit",
    "Index",
    "IndexReport",
    "IndexStats",
    "PostError",
    "QueryError",
    "SearchIndexError",
    "SearchResults",
    "SearcherError",
    "SiteOptions",
    "Skipped",
    "check_corpus",
    "read_corpus",
]
__version__ = "0.1.0"
