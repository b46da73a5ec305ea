"""Named exceptions raised by :mod:`searcher`.

Every error the library raises on purpose derives from :class:`SearcherError`, so a caller
can catch them all with one ``except`` clause; the CLI turns them into one-line messages.
"""

from __future__ import annotations

from typing import Any


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
    """A search parameter is invalid (for example ``--sort`` or ``--since``); names it.

    :param message: the English message, naming the parameter and the bad value.
    :param code: a stable machine-readable code (``bad_date``, ``date_order``,
        ``bad_sort``, ``bad_page``, ``bad_limit``, ``bad_recency``, ``too_many_values``,
        ``repeated_param``), which
        the API returns beside the message and the page translates.
    :param param: the parameter's name (``since``, ``page``…), or None.
    """

    def __init__(self, message: str, *, code: str = "bad_parameter", param: str | None = None):
        super().__init__(message)
        self.code = code
        self.param = param


class Notice(str):
    """A message for the reader about an answer (the query was cut, the search stopped
    early…): the English text itself (a ``str``), with a stable machine-readable
    ``code`` and the ``params`` that fill its placeholders, for translations.

    >>> n = Notice("query_cut", "the query was cut to its first 100 characters", chars=100)
    >>> (n == "the query was cut to its first 100 characters", n.code, n.params)
    (True, 'query_cut', {'chars': 100})
    """

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, message: str, **params: Any) -> Notice:
        obj = super().__new__(cls, message)
        obj.code = code
        obj.params = params
        return obj

    def __reduce__(self) -> tuple[Any, ...]:  # copies and pickles keep the code
        return (_notice, (self.code, str(self), self.params))

    def to_dict(self) -> dict[str, Any]:
        """``{"code", "message", "params"}`` for JSON."""
        return {"code": self.code, "message": str(self), "params": dict(self.params)}


def _notice(code: str, message: str, params: dict[str, Any]) -> Notice:
    return Notice(code, message, **params)
