"""Former home of the post reader, kept as an alias of :mod:`searcher.site`.

The reader became a site reader (``_config.yml``, Jekyll's publishing rules and
permalinks) and moved to the :mod:`searcher.site` package, one module per concern.
Import from there; this module re-exports its public names for existing callers.
"""

from searcher.site import *  # noqa: F403
from searcher.site import __all__  # noqa: F401
