"""The answers :meth:`searcher.index.Index.search` keeps: bounded in bytes, keyed on what
changes the answer.

An answer holds up to :data:`~searcher.request.MAX_LIMIT` hits with their snippets, so a
cap on the number of answers alone lets memory grow with the distinct requests a server
sees (512 answers of 1,000 hits is hundreds of MiB). :class:`ResultsCache` keeps the
most recently used answers whose estimated sizes (:func:`results_bytes`) add up to at
most ``max_bytes``, and none larger than an eighth of that. The key is
:meth:`searcher.request.SearchRequest.key`: the parameters that can change the answer,
normalised, so that requests differing only in what the search ignores share one entry.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from typing import Any

from .results import SearchResults

#: Bytes of answers kept per index (estimated by :func:`results_bytes`).
RESULTS_CACHE_BYTES = 32 * 1024 * 1024
#: Answers kept per index at most, whatever their size.
RESULTS_CACHE_ENTRIES = 512


def results_bytes(results: SearchResults) -> int:
    """An estimate of the memory ``results`` holds, in bytes: the sizes of its strings
    (``sys.getsizeof``, so a Chinese character counts 2 or 4 bytes as CPython stores
    it) plus a fixed cost per hit, facet value and notice for the objects around them.
    On the full xwlb index: 56 KB for 10 hits of 新闻, 1.8 MB for 1,000. Not exact (it
    is not measured); what matters is that it grows with the answer."""
    size = 1024
    for hit in results.hits:
        size += 600  # the Hit object, its dict, the date and score
        for text in (hit.id, hit.path, hit.url, hit.source_url, hit.type, hit.title):
            size += sys.getsizeof(text) if text else 0
        size += sys.getsizeof(hit.title_html) + sys.getsizeof(hit.snippet)
        size += sum(sys.getsizeof(v) + 8 for v in (*hit.categories, *hit.tags))
    for counts in results.facets.values():
        size += sum(sys.getsizeof(v) + 100 for v in counts)  # key, int, dict slot
    size += sum(sys.getsizeof(n) + 200 for n in results.notices)
    return size + sys.getsizeof(results.query)


class ResultsCache:
    """Answers by :meth:`~searcher.request.SearchRequest.key`, least recently used
    dropped first, within ``max_bytes`` (estimated, :func:`results_bytes`) and
    ``max_entries``; an answer
    over ``max_bytes // 8`` is not kept. It holds copies (:meth:`SearchResults.copy`)
    and gives copies, so callers may change what they get.

    Not thread-safe: :class:`~searcher.index.Index` calls it under its own lock. One per
    index, emptied on every commit (:meth:`clear`).
    """

    def __init__(
        self, max_bytes: int = RESULTS_CACHE_BYTES, max_entries: int = RESULTS_CACHE_ENTRIES
    ) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        #: The estimated bytes of the answers kept now.
        self.bytes = 0
        self._entries: OrderedDict[tuple[Any, ...], tuple[SearchResults, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple[Any, ...]) -> SearchResults | None:
        """A copy of the answer kept for ``key`` (now the most recently used), or None."""
        found = self._entries.get(key)
        if found is None:
            return None
        self._entries.move_to_end(key)
        return found[0].copy()

    def put(self, key: tuple[Any, ...], results: SearchResults) -> bool:
        """Keep a copy of ``results`` for ``key``, dropping the least recently used
        answers until the bounds hold; False (nothing kept) when it alone is over an
        eighth of ``max_bytes``."""
        size = results_bytes(results)
        if size > self.max_bytes // 8:
            return False
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old[1]
        self._entries[key] = (results.copy(), size)
        self.bytes += size
        while self.bytes > self.max_bytes or len(self._entries) > self.max_entries:
            _, (_, dropped) = self._entries.popitem(last=False)
            self.bytes -= dropped
        return True

    def clear(self) -> None:
        """Drop every answer (the index changed)."""
        self._entries.clear()
        self.bytes = 0


__all__ = [
    "RESULTS_CACHE_BYTES",
    "RESULTS_CACHE_ENTRIES",
    "ResultsCache",
    "results_bytes",
]
