"""The schema of an index of an older format, whose pickled classes have moved since.

Whoosh pickles the schema, analyzers included, into each table of contents
(``_MAIN_<n>.toc``), naming every class by its module path. Before issue #18 the
analyzers' stages lived in ``searcher.analysis.tokenizers``, ``.filters`` and
``.ngrams``, and the positions format in ``searcher.codec``; :func:`read_schema` reads
a table of contents' schema with those paths taken for today's classes (the pickled
state is the same). An index of an older format is never searched: this serves
:meth:`~.engine.WhooshEngine.old_user_words`, which keeps the user dictionary across the
rebuild of such an index.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from types import ModuleType
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.index import _CURRENT_TOC_VERSION

from . import analyzers, codec, files

#: Modules of earlier formats → the module that now holds their pickled classes.
OLD_MODULES: dict[str, ModuleType] = {
    "searcher.analysis.tokenizers": analyzers,  # UnitTokenizer, WordTokenizer
    "searcher.analysis.filters": analyzers,  # FoldFilter, StopFilter
    "searcher.analysis.ngrams": analyzers,  # BigramFilter
    "searcher.analysis.analyzers": analyzers,
    "searcher.codec": codec,  # CompactPositions
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        moved = OLD_MODULES.get(module)
        if moved is None:
            return super().find_class(module, name)
        try:
            return getattr(moved, name)
        except AttributeError:
            raise pickle.UnpicklingError(f"{module}.{name}: no longer exists") from None


def load_schema(data: bytes) -> Any:
    """The schema pickled in ``data``, with :data:`OLD_MODULES` mapped."""
    return _Unpickler(io.BytesIO(data)).load()


def read_schema(folder: Path) -> Any:
    """The schema of the latest table of contents in ``folder``, as Whoosh's
    ``TOC.read`` reads it, with :data:`OLD_MODULES` mapped.

    :raises OSError: no table of contents can be read.
    :raises ValueError: it is not one of Whoosh 2.7's tables of contents.
    :raises pickle.UnpicklingError: its schema cannot be unpickled (and whatever the
        unpickled classes raise).
    """
    gen = files.generation(folder)
    if gen < 0:
        raise FileNotFoundError(f"{folder}: no table of contents")
    stream = FileStorage(str(folder)).open_file(f"_MAIN_{gen}.toc")
    try:
        for _ in range(3):  # the sizes of int, long and float
            stream.read_varint()
        if stream.read_int() != -12345 or stream.read_int() != _CURRENT_TOC_VERSION:
            raise ValueError(f"{folder}: not a Whoosh 2.7 table of contents")
        for _ in range(3):  # Whoosh's release
            stream.read_varint()
        return load_schema(stream.read_string())
    finally:
        stream.close()


__all__ = ["OLD_MODULES", "load_schema", "read_schema"]
