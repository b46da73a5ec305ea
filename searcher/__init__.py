"""searcher: full-text search for Chinese news sites built with Jekyll.

Start with :class:`Index` (``Index.open_or_create("index")``, then ``.update("corpus")``
and ``.search("智慧城市")``); README.md has runnable examples.
"""

from importlib import import_module
from typing import Any

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
from .search import Hit, IndexStats, SearchResults
from .site.options import SiteOptions

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


def __getattr__(name: str) -> Any:
    home = _LAZY.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


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
