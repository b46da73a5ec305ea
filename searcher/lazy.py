"""Package attributes loaded on first use (PEP 562).

Reading and indexing sites needs YAML, Markdown and lxml, which a search does not: the
packages that re-export those names load them only when a name is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_attributes(
    package: str, homes: dict[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``.{homes[name]}`` when
    ``name`` is first asked for, keeps the value in ``namespace`` (the package's
    ``globals()``) and returns it.

    :raises AttributeError: ``name`` is not in ``homes``.
    """

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f".{home}", package), name)
        namespace[name] = value
        return value

    return __getattr__


__all__ = ["lazy_attributes"]
