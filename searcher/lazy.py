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
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module ``__getattr__`` and ``__dir__`` for ``package``: the first imports
    ``.{homes[name]}`` when ``name`` is first asked for, keeps the value in
    ``namespace`` (the package's ``globals()``) and returns it (AttributeError for a
    name not in ``homes``); the second lists the lazy names beside the loaded ones.
    """

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f".{home}", package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(homes))

    return __getattr__, __dir__


__all__ = ["lazy_attributes"]
