"""Named exceptions raised by :mod:`searcher`.

Every error the library raises on purpose derives from :class:`SearcherError`, so a caller
can catch them all with one ``except`` clause; the CLI turns them into one-line messages.
"""

from __future__ import annotations


class SearcherError(Exception):
    """Base class of every error raised on purpose by :mod:`searcher`."""


class CorpusError(SearcherError):
    """The corpus folder is missing, is not a folder, or cannot be read."""


class PostError(SearcherError):
    """One post cannot be read at all (undecodable bytes, unreadable file).

    The message names the file. A corpus run catches it, reports the post as skipped
    and goes on with the next post.
    """


class SearchIndexError(SearcherError):
    """The index folder is missing, unreadable, or was built by an incompatible version."""


class IndexFormatError(SearchIndexError):
    """The index was built by an older format or another analysis (for example another
    traditional → simplified table): searching it would give wrong answers, so it is
    refused; ``searcher index`` rebuilds it."""


class QueryError(SearcherError):
    """A search parameter is invalid (for example ``--sort`` or ``--since``); names it."""
