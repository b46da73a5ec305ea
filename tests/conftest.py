"""The engine fixture: every test runs once per engine of :data:`searcher.index.ENGINES`.

Behaviour tests (results, facets, snippets, ranking, the site, the CLI, the web layer)
go through :class:`searcher.Index`, which keeps new indexes in the engine named by
``$SEARCHER_ENGINE`` (:func:`searcher.index.default_engine`); this fixture sets it, so
in-process builds and the ``searcher`` commands a test starts both use the engine of
the run. A test of one engine's internals is marked ``@pytest.mark.engine("whoosh")``
and skipped on the others (those under ``tests/engine_whoosh/`` are marked as a
folder).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from searcher.index import ENGINES

#: Fixtures shared by test modules: the invented reprint site of issue #22.
pytest_plugins = ["storysite"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "engine(name): a test of that engine's internals only")


@pytest.fixture(autouse=True, scope="session", params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """The name of the engine this run of the suite keeps its indexes in. Session
    scope: Hypothesis refuses function-scoped fixtures around its examples, and the
    tests of one engine then run together."""
    before = os.environ.get("SEARCHER_ENGINE")
    os.environ["SEARCHER_ENGINE"] = str(request.param)
    yield str(request.param)
    if before is None:
        os.environ.pop("SEARCHER_ENGINE", None)
    else:
        os.environ["SEARCHER_ENGINE"] = before


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip a test of one engine's internals (marked, or under ``engine_<name>/``) in
    the runs of the other engines."""
    for item in items:
        marker = item.get_closest_marker("engine")
        only = marker.args[0] if marker is not None else None
        folder = item.path.parent.name
        if folder.startswith("engine_"):
            only = folder.removeprefix("engine_")
        callspec = getattr(item, "callspec", None)
        run = callspec.params.get("engine") if callspec is not None else None
        if only is not None and run is not None and run != only:
            item.add_marker(pytest.mark.skip(reason=f"a test of the {only} engine's internals"))
