"""searcher: full-text search for Chinese news sites built with Jekyll.

Start with :class:`Index` (``Index.open_or_create("index")``, then ``.update("corpus")``
and ``.search("智慧城市")``); README.md has runnable examples.
"""

from .errors import (
    CorpusError,
    IndexFormatError,
    Notice,
    PostError,
    QueryError,
    SearcherError,
    SearchIndexError,
)
from .index import Index
from .lazy import lazy_attributes
from .request import SearchRequest
from .results import Document, Hit, IndexStats, Post, SearchResults
from .site.options import SiteOptions
from .stories import StoryGroups
from .version import __version__

#: Names loaded on first use (PEP 562): reading and indexing sites need YAML, Markdown
#: and lxml, which a search does not.
_LAZY = {
    "IndexReport": "indexing",
    "Article": "site",
    "Duplicate": "site",
    "Skipped": "site",
    "check_corpus": "site",
    "read_corpus": "site",
}


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())


__all__ = [
    "Article",
    "CorpusError",
    "Document",
    "Duplicate",
    "Hit",
    "Index",
    "IndexFormatError",
    "IndexReport",
    "IndexStats",
    "Notice",
    "Post",
    "PostError",
    "QueryError",
    "SearchIndexError",
    "SearchRequest",
    "SearchResults",
    "SearcherError",
    "SiteOptions",
    "Skipped",
    "StoryGroups",
    "check_corpus",
    "read_corpus",
    "__version__",
]
