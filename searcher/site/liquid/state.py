"""What rendering one document's Liquid needs and keeps: the site (:class:`LiquidSite`)
and the document's run (:class:`Run`: warnings, included files, budgets, variables,
listing), shared by the document and every file it includes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..options import MAX_POST_BYTES
from .listing import Listing
from .values import Variables

#: Deepest chain of includes rendered: Jekyll 4.3.1 renders 99 nested includes and fails
#: on the 100th ("Nesting too deep", Liquid's ``Block::MAX_DEPTH`` of 100 scopes).
MAX_INCLUDE_DEPTH = 99
#: Most includes expanded in one document (each file counts every time it is included).
MAX_INCLUDES = 10_000
#: Most Liquid warnings listed for one document; the rest are counted.
MAX_WARNINGS = 50


@dataclass(frozen=True)
class LiquidSite:
    """What rendering needs of the site: ``root`` folder, ``includes_dir`` (relative to
    it, the config's ``includes_dir``), ``max_bytes``: the largest included file read,
    in bytes, and the most characters of included text in one document (the reader
    passes ``--max-post-bytes``), whether symbolic links may lead out of their folder
    (plain ``jekyll build``; else ``--safe``'s rule), and the labels of the site's
    collections (``site.<label>`` lists documents)."""

    root: Path
    includes_dir: str = "_includes"
    max_bytes: int = MAX_POST_BYTES
    follow_outside_links: bool = False
    collections: frozenset[str] = frozenset()


class Run:
    """State of one document's rendering (``rel``: its path relative to the site;
    ``page``: its front matter, ``defaults:`` applied): warnings, includes read,
    budgets, variables, listing."""

    def __init__(self, site: LiquidSite, rel: str, page: Mapping[str, Any] | None = None) -> None:
        self.site = site
        self.folder = rel.rsplit("/", 1)[0] if "/" in rel else ""  # for include_relative
        self.warnings: list[str] = []
        self.unlisted = 0
        self.files: dict[Path, str | None] = {}  # each included file, read once
        self.includes = 0  # includes expanded
        self.included = 0  # characters of included text expanded
        self.variables = Variables(page)
        self.unknowns = 0  # outputs whose text is not known (a capture of one is not)
        self.listing = Listing(site.collections)

    def warn(self, warning: str) -> None:
        """Keep ``warning`` (``"<rel>:<line>: …"``), or count it past
        :data:`MAX_WARNINGS`."""
        if len(self.warnings) >= MAX_WARNINGS:
            self.unlisted += 1
        else:
            self.warnings.append(warning)
