"""Hostile pages and answers for issue #23's ``highlight.js`` and ``widget.js`` in real
Chromium (branch hostile23): the site and the searcher server are Playwright routes of
our own (no server), so each answer is exactly what the test gives. Same browser rules
as tests/test_browser.py (skipped without chromium, except under ``CI=true``); every
page fails on any dialog (``browserutil.viewport_page``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from browserutil import chromium, viewport_page

from searcher.widget import ASSETS, asset, asset_version, widget_html

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

SITE = "http://site.test"
SEARCHER = "http://searcher.test"
BOX = ".searcher-box .searcher-input"
OPTIONS = '.searcher-box [role="option"]'
HIGHLIGHT = f'<script defer src="{SEARCHER}/highlight.js" data-searcher-url="{SEARCHER}"></script>'


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    with viewport_page(browser, "desktop") as tab:
        yield tab


class Fake:
    """The routes of one page: ``SITE/*`` answers ``html``; ``SEARCHER`` (under any
    path prefix) serves the widget's files, ``/api/search`` the ``search[q]`` (status,
    body) or, for a q not there, holds the request unanswered (kept in ``held``), and
    ``/api/highlight`` the ``marks``. ``asked`` lists each API request's path and q."""

    def __init__(self, page: Any, html: str) -> None:
        self.html = html
        self.search: dict[str, tuple[int, str]] = {}
        self.marks: list[dict[str, Any]] = []
        self.asked: list[tuple[str, str]] = []
        self.held: list[Any] = []
        page.route("**/*", self.handle)

    def handle(self, route: Any) -> None:
        url = urlsplit(route.request.url)
        name = url.path.rsplit("/", 1)[-1]
        cors = {"Access-Control-Allow-Origin": SITE}
        if f"{url.scheme}://{url.netloc}" == SITE:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self.html)
        elif name in ASSETS:
            kind = "text/css" if name.endswith(".css") else "text/javascript"
            route.fulfill(status=200, content_type=f"{kind}; charset=utf-8", body=asset(name))
        elif url.path.endswith("/api/search") or url.path.endswith("/api/highlight"):
            q = parse_qs(url.query).get("q", [""])[0]
            self.asked.append((url.path, q))
            if url.path.endswith("/api/highlight"):
                body = json.dumps({"query": q, "marks": self.marks})
                route.fulfill(status=200, content_type="application/json", body=body, headers=cors)
            elif q in self.search:
                status, body = self.search[q]
                route.fulfill(
                    status=status, content_type="application/json", body=body, headers=cors
                )
            else:
                self.held.append(route)
        else:
            route.abort()


def term(text: str) -> dict[str, Any]:
    return {"text": text, "units": [[ch] for ch in text]}


def article(body: str, scripts: str = HIGHLIGHT) -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head>'
        f"<body><article>{body}</article>{scripts}</body></html>"
    )


def marked(page: Any) -> list[str]:
    page.wait_for_selector("html[data-searcher-highlights]", state="attached", timeout=10_000)
    return [str(t) for t in page.locator("mark.searcher-highlight").all_text_contents()]


# -- highlight.js ---------------------------------------------------------------------------


def test_a_run_of_bom_between_two_units_fails_at_once(page: Any) -> None:
    # GAP's alternatives both matched U+FEFF: 30 of them took 18 s to fail, 40 hung the page
    fake = Fake(page, article("<p>经" + "\ufeff" * 40 + "x，发展经\ufeff\ufeff济。</p>"))
    fake.marks = [{"terms": [term("经济")], "fallback": []}]
    page.goto(f"{SITE}/a.html?highlight=经济")
    assert marked(page) == ["经\ufeff\ufeff济"]


def test_the_script_loaded_twice_marks_once(page: Any) -> None:
    # the second copy found 经济 only inside the first copy's mark, and marked its
    # fallback 经 beside: ["经济", "经"]
    fake = Fake(page, article("<p>发展经济</p><p>经过此地</p>", HIGHLIGHT * 2))
    fake.marks = [{"terms": [term("经济")], "fallback": [term("经"), term("济")]}]
    page.goto(f"{SITE}/a.html?highlight=经济")
    assert marked(page) == ["经济"]
    page.wait_for_load_state("networkidle")
    assert page.locator("mark.searcher-highlight").all_text_contents() == ["经济"]
    assert [p for p, _ in fake.asked] == ["/api/highlight"]


# -- widget.js ------------------------------------------------------------------------------


def box_page(extra: str = "") -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>'
        f"{widget_html(SEARCHER, asset_version())}{extra}</body></html>"
    )


def hits(*titles: str) -> str:
    found = [
        {"title": t, "title_html": t, "url": f"{SITE}/{i}.html", "date": None, "snippet": ""}
        for i, t in enumerate(titles)
    ]
    return json.dumps({"query": "测试", "total": len(found), "hits": found})


def test_an_emptied_box_forgets_its_results(page: Any) -> None:
    # ArrowDown brought the last query's results back and Enter opened the first
    fake = Fake(page, box_page())
    fake.search["测试"] = (200, hits("甲", "乙"))
    page.goto(f"{SITE}/")
    page.locator(BOX).fill("测试")
    expect(page.locator(OPTIONS)).to_have_count(2)
    page.locator(BOX).fill("")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert page.url == f"{SITE}/"
    assert page.locator(OPTIONS).count() == 0
    assert page.locator(BOX).get_attribute("aria-activedescendant") is None


def test_arrows_do_not_choose_the_results_of_another_query(page: Any) -> None:
    # 测试's results shown while 测试x is asked: ArrowDown chose 甲, Enter opened it
    fake = Fake(page, box_page())
    fake.search["测试"] = (200, hits("甲", "乙"))
    page.goto(f"{SITE}/")
    page.locator(BOX).fill("测试")
    expect(page.locator(OPTIONS)).to_have_count(2)
    page.locator(BOX).press("x")  # 测试x: its answer never comes (held)
    page.keyboard.press("ArrowDown")
    assert page.locator(BOX).get_attribute("aria-activedescendant") is None
    assert page.locator('[aria-selected="true"]').count() == 0


def test_a_box_mounted_by_a_second_copy_of_the_script_takes_free_ids(page: Any) -> None:
    Fake(page, box_page())
    page.goto(f"{SITE}/")
    page.wait_for_selector(BOX)
    page.evaluate(
        """(src) => {
            const box = document.createElement("div");
            box.className = "searcher-box";
            box.dataset.searcherBox = "";
            document.body.append(box);
            const script = document.createElement("script");
            script.src = src;
            script.dataset.searcherUrl = src.replace(/\\/widget\\.js.*$/, "");
            document.body.append(script);
        }""",
        f"{SEARCHER}/widget.js?v=2",
    )
    expect(page.locator(BOX)).to_have_count(2)
    ids = page.locator(f"{BOX}, .searcher-results").evaluate_all("(n) => n.map((e) => e.id)")
    assert sorted(ids) == ["searcher-1-list", "searcher-1-q", "searcher-2-list", "searcher-2-q"]


def test_an_answer_lists_at_most_8_hits_and_skips_what_is_no_hit(page: Any) -> None:
    # 5,000 hits were all rendered; a null among them threw, and nothing was shown
    fake = Fake(page, box_page())
    many = json.loads(hits(*[f"第{i}篇" for i in range(5000)]))
    many["hits"] = [None, 7, "x", *many["hits"]]
    many["total"] = 5003
    fake.search["测试"] = (200, json.dumps(many))
    page.goto(f"{SITE}/")
    page.locator(BOX).fill("测试")
    expect(page.locator(OPTIONS)).to_have_count(8)
    titles = page.locator(f"{OPTIONS} .searcher-title").all_text_contents()
    assert titles == [f"第{i}篇" for i in range(8)]
    expect(page.locator(".searcher-more")).to_have_text("查看全部 5003 篇结果")
