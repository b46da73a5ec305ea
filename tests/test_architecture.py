"""The package's shape (issue #18): no import cycle between any two modules, Whoosh
only inside ``searcher.engine.whoosh``, and README's module map naming every module.

The layers themselves are import-linter contracts (``pyproject.toml``, run by
``.ci/run``); these checks are the ones its contracts do not state module by module.
"""

from __future__ import annotations

import re
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("searcher", include_external_packages=True)


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start) & modules)))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        component.append(top)
                        if top == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                imported = graph.find_modules_directly_imported_by(child) & modules
                work.append((child, iter(sorted(imported))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_another_that_imports_it_back() -> None:
    graph = _graph()
    modules = {m for m in graph.modules if m.startswith("searcher")}
    assert len(modules) > 40
    assert _cycles(graph, modules) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")
    graph.add_import(importer="p.c", imported="p.a")
    assert _cycles(graph, {"p.a", "p.b", "p.c"}) == [["p.a", "p.b"]]


def test_only_the_engine_package_imports_whoosh() -> None:
    graph = _graph()
    importers = graph.find_modules_that_directly_import("whoosh")
    assert importers  # the engine does
    assert sorted(m for m in importers if not m.startswith("searcher.engine.whoosh.")) == []


def test_readme_module_map_matches_the_tree() -> None:
    """Every module and package of ``searcher/`` has one line in README's map
    (``searcher/name.py`` or ``searcher/name/``), and every line names one that exists."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    lines = re.findall(r"^- `(searcher/[\w/]+(?:\.py|/))`: \S", section, flags=re.M)
    named = set(lines)
    assert len(lines) == len(named)  # one line each
    tree = {
        f"{p.relative_to(ROOT).as_posix()}"
        for p in (ROOT / "searcher").rglob("*.py")
        if p.name != "__init__.py" and "__pycache__" not in p.parts
    } | {
        f"{p.relative_to(ROOT).as_posix()}/"
        for p in (ROOT / "searcher").rglob("*")
        if p.is_dir() and (p / "__init__.py").exists() and p.name != "searcher"
    }
    tree.discard("searcher/")
    assert sorted(tree - named) == []  # missing from the map
    assert sorted(named - tree) == []  # in the map, not in the tree


def test_the_package_exports_what_the_readme_names() -> None:
    # IndexFormatError was documented under searcher.SearcherError but not exported
    # (issue #23); the results' Post and the story groups are public too (issue #22)
    import searcher
    from searcher.errors import IndexFormatError, SearcherError
    from searcher.results import Post
    from searcher.stories import StoryGroups

    assert searcher.IndexFormatError is IndexFormatError
    assert issubclass(searcher.IndexFormatError, SearcherError)
    assert (searcher.Post, searcher.StoryGroups) == (Post, StoryGroups)
    assert {"IndexFormatError", "Post", "StoryGroups"} <= set(searcher.__all__)
