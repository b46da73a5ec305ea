"""Real Chromium for the page's tests (issues #10, #21): Debian's chromium launched by
path (``shutil.which("chromium")``) with ``--no-sandbox``; nothing is downloaded.

Without it the tests are skipped, except under ``CI=true``, where a browser that cannot
start fails them (.ci/run installs chromium and fonts-wqy-zenhei). A page records every
dialog (an ``alert`` an XSS string fired) and fails on closing if there was one.
Screenshots go to ``screenshots/`` (not committed), or to ``$SEARCHER_SHOTS`` when set.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


@contextmanager
def chromium() -> Iterator[Any]:
    """The system's Chromium under Playwright, or a skip (a failure under CI)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    path = shutil.which("chromium")
    ci = os.environ.get("CI") == "true"
    if path is None:
        if ci:
            pytest.fail("chromium is not installed (.ci/run installs it with apt-get)")
        pytest.skip("no chromium on PATH (apt-get install chromium fonts-wqy-zenhei)")
    with playwright_api.sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=path, args=["--no-sandbox", "--lang=zh-CN"])
        except Exception as exc:  # noqa: BLE001 - any launch failure
            if ci:
                raise
            pytest.skip(f"chromium at {path} cannot start: {exc}")
        yield browser
        browser.close()


@contextmanager
def viewport_page(browser: Any, name: str, size: tuple[int, int] | None = None) -> Iterator[Any]:
    """A new page at the size of ``VIEWPORTS[name]`` (or ``size``, (width, height) in CSS
    pixels, under that name) (zh-CN); asserts on closing that no dialog was opened (no
    XSS ever fired)."""
    width, height = size or VIEWPORTS[name]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    tab = context.new_page()
    tab.dialogs = []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    tab.viewport_name = name
    yield tab
    assert tab.dialogs == []
    context.close()


@contextmanager
def served(app: Any) -> Iterator[str]:
    """``app`` (a WSGI app) served by waitress, as ``searcher serve`` does, on a free
    loopback port in a thread; yields its base URL."""
    waitress = pytest.importorskip("waitress")
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot as ``screenshots/NAME-VIEWPORT.png`` (in the folder
    ``$SEARCHER_SHOTS`` when set)."""
    folder = Path(os.environ.get("SEARCHER_SHOTS") or SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-{page.viewport_name}.png"), full_page=True)
