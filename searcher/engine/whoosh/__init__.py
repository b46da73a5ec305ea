"""The Whoosh engine (distribution ``whoosh-reloaded``, 2.7 series): every Whoosh import
of searcher is in this package.

* :mod:`.engine`: :class:`WhooshEngine`, the :class:`searcher.engine.Engine` protocol on a
  Whoosh index folder (lifecycle, searcher pool, writer, search, stored posts, stats);
* :mod:`.files`: the folder: write lock, generations, ``searcher.json``, leftovers;
* :mod:`.analyzers`: the analysis stages of :mod:`searcher.analysis` as Whoosh analyzers;
* :mod:`.legacy`: an older format's schema, whose pickled classes have moved;
* :mod:`.schema`: fields, BM25F with live statistics, an Article's fields;
* :mod:`.codec`, :mod:`.postings`: the compact posting format and its NumPy readers;
* :mod:`.segments`: the segment writer and its forked workers;
* :mod:`.compile`: a query plan → Whoosh queries (bigram phrases, the verbatim tier);
* :mod:`.evaluate`: term-at-a-time scoring of a compiled query;
* :mod:`.collect`: one search: matches within a CPU budget, facets, ranking, a page.
"""

from . import files
from .engine import WhooshEngine, zone
from .files import META_FILE

__all__ = ["META_FILE", "WhooshEngine", "files", "zone"]
