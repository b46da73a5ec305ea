"""The ``searcher`` command line.

Thin layer over the library: each command parses its options, calls one library
function and prints the result. Errors the library raises on purpose
(:class:`~searcher.errors.SearcherError`) become a one-line ``error: …`` message on
stderr and exit status 2, never a traceback.

Commands by module: :mod:`.build` (check, index, install-jekyll-hook), :mod:`.query`
(search, stats, suggest, related), :mod:`.server` (serve, widget); :mod:`.common` holds
the group and the options they share.
"""

from searcher.cli import build, query, server
from searcher.cli.common import main

__all__ = ["build", "main", "query", "server"]
