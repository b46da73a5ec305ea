"""searcher: full-text search for Chinese news sites built with Jekyll.

Start with :class:`Index` (``Index.open_or_create("index")``, then ``.update("corpus")``
and ``.search("智慧城市")``); README.md has runnable examples.
"""

from .documents import Document
from .errors import (
    CorpusError,
    Notice,
    PostError,
    QueryError,
    SearcherError,
    SearchIndexError,
)
from .index import Index
from .indexing import IndexReport
from .search import Hit, IndexStats, SearchResults
from .site import Article, Duplicate, SiteOptions, Skipped, check_corpus, read_corpus

__all__ = [
    "Article",
    "CorpusError",
    "Document",
    "Duplicate",
    "Hit",
    "Index",
    "IndexReport",
    "IndexStats",
    "Notice",
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
