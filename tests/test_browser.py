"""The search page in a real browser (issue #10): Playwright driving Debian's chromium.

The browser is the system's (``shutil.which("chromium")``, launched by path with
``--no-sandbox``); nothing is downloaded. Without it the tests are skipped, except under
``CI=true``, where a browser that cannot start fails them (.ci/run installs chromium and
fonts-wqy-zenhei). The page is served by waitress, as ``searcher serve`` does, on a free
loopback port. Screenshots go to ``screenshots/`` (not committed).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from browserutil import VIEWPORTS, chromium, served, shot, viewport_page

from searcher.web import create_app
from searchutil import build, post

playwright_api = pytest.importorskip("playwright.sync_api")

XSS = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


def corpus() -> dict[str, str]:
    posts = {}
    tags = [["数字经济", "智慧城市"], ["数字经济"], ["智慧城市", "教育"], ["教育"], ["文旅"]]
    cats = ["科技", "社会", "财经"]
    for i in range(36):
        month = 1 + i % 12
        year = 2024 + i // 24
        posts[f"_posts/{year}-{month:02d}-{10 + i % 15:02d}-p{i}.md"] = post(
            f"城市建设新闻第{i}篇",
            f"第{i}篇：城市建设取得新进展，市民生活更便利。\n\n第二段说明城市规划。",
            date=f"{year}-{month:02d}-{10 + i % 15:02d} 09:00:00 +0800",
            extra=f"categories: {cats[i % 3]}\ntags: [{', '.join(tags[i % 5])}]\n",
        )
    posts["_posts/2025-06-01-xss.md"] = post(
        XSS.replace('"', "'") + "城市",
        # escaped, so that the page shows it as text (raw, it is HTML, as Jekyll renders it)
        f"城市 {html.escape(XSS)}\n\n<javascript:alert(3)>",
        date="2025-06-01 09:00:00 +0800",
        extra=f"tags: ['{XSS}']\ncategories: ['{XSS}']\npermalink: 'javascript:alert(4)'\n",
    )
    return posts


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    index = build(tmp_path_factory.mktemp("browser"), corpus())
    with served(create_app(index)) as url:
        yield url
    index.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    with viewport_page(browser, request.param) as tab:
        yield tab


def total(page: Any) -> int:
    return int(page.locator("#total").inner_text())


def overflowing(page: Any) -> list[str]:
    """Elements whose box passes the viewport's right edge, and the page's scroll width."""
    found: list[str] = page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth, out = [];
          if (document.documentElement.scrollWidth > width) out.push('scrollWidth ' +
              document.documentElement.scrollWidth + ' > ' + width);
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.width && r.right > width + 0.5) out.push(el.tagName + '.' + el.className +
                ' right ' + Math.round(r.right));
          }
          return out;
        }"""
    )
    return found


def test_search_toggle_filters_page_back_histogram_article(server: str, page: Any) -> None:
    page.goto(server + "/")
    shot(page, "empty")
    assert page.locator("h2", has_text="怎样搜索").count() == 1
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.fill("#q", "城市建设")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=%E5%9F%8E%E5%B8%82%E5%BB%BA%E8%AE%BE"))
    assert total(page) == 36
    assert page.locator(".hit mark").first.inner_text() == "城市建设"
    assert re.fullmatch(
        r"找到 36 篇，用时 \d+\.\d\d 秒 · 第 1 / 4 页\s*(筛选 ↓)?",
        page.locator("#summary").inner_text().strip(),
    )
    shot(page, "results")

    # Two tag values and a category: the count shown before each click is the total after.
    for facet, value in (("tag", "教育"), ("tag", "文旅"), ("category", "科技")):
        link = page.locator(f"#facet-{facet} ~ ul a.facet-value", has_text=value).first
        shown = int(link.locator(".count").inner_text())
        link.focus()
        assert page.evaluate("document.activeElement.classList.contains('facet-value')")
        with page.expect_navigation():
            link.click()
        assert total(page) == shown, (facet, value)
    assert page.locator(".chip").count() == 3
    shot(page, "filters")

    # Remove a chip: the 文旅 tag.
    before = total(page)
    with page.expect_navigation():
        page.locator('.chip-x[aria-label="移除筛选 标签：文旅"]').click()
    assert page.locator(".chip").count() == 2
    assert total(page) <= before
    with page.expect_navigation():
        page.locator("a.clear").click()
    assert page.locator(".chip").count() == 0 and total(page) == 36

    # Page 2, then back.
    page.locator('nav.pages a[aria-label="第 2 页"]').click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator("nav.pages .current").inner_text() == "2"
    with page.expect_navigation():
        page.go_back()
    assert page.locator("nav.pages .current").inner_text() == "1"

    # A histogram bar filters to its period, with the count it showed.
    bar = page.locator("svg.chart a[data-count]").nth(2)
    shown = int(bar.get_attribute("data-count"))
    bar.click()
    page.wait_for_url(re.compile(r"since=\d{4}-\d\d-01&until="))
    assert total(page) == shown
    assert page.locator(".chip", has_text="时间").count() == 1

    # Open an article: the whole text with the query's matches marked.
    page.locator(".hit a.full").first.click()
    page.wait_for_url(re.compile(r"/posts/"))
    assert page.locator("h1 mark").first.inner_text() == "城市建设"
    assert page.locator(".body p").count() == 2
    shot(page, "article")
    assert overflowing(page) == []


def test_bad_date_no_results_and_xss(server: str, page: Any) -> None:
    page.goto(server + "/?q=城市建设&since=2024-13-01")
    assert "开始日期“2024-13-01”不是有效日期" in page.locator(".error").inner_text()
    assert total(page) == 36  # the results are kept
    page.goto(server + "/?q=海底隧道&tag=教育")
    assert total(page) == 0
    assert "没有找到与“海底隧道”相关的新闻。" in page.locator(".empty").inner_text()
    shot(page, "no-results")
    for query in (XSS, "<svg onload=alert(5)>", "javascript:alert(6)"):
        page.goto(server + "/")
        page.fill("#q", query)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.input_value("#q") == query
    page.goto(server + "/?q=城市&tag=" + quote(XSS))
    assert page.locator(".chip").first.inner_text().startswith("标签：" + XSS)
    page.goto(server + "/?q=" + "onerror")
    with page.expect_navigation():
        page.locator(".hit a.full").first.click()
    assert XSS in page.locator("article.doc").inner_text()  # shown as text
    assert page.locator("a[href^='javascript' i]").count() == 0
    page.goto(server + "/?q=onerror")
    assert page.locator("a[href^='javascript' i]").count() == 0
    shot(page, "xss")


@pytest.mark.parametrize("width", [320, 390])
def test_nothing_overflows_a_phone(server: str, browser: Any, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 700}, locale="zh-CN")
    tab = context.new_page()
    for url in (
        "/",
        "/?q=城市建设",
        "/?q=城市建设&tag=教育&category=科技&since=2024-01-01&until=2024-12-31",
        "/?q=海底隧道",
        "/posts/_posts/2024-01-10-p0?q=城市",
    ):
        tab.goto(server + url)
        assert overflowing(tab) == [], url
    context.close()


def test_sort_recency_and_dates_apply_at_once_on_results(server: str, page: Any) -> None:
    # a change of the sort menu or a date needed a click on 搜索 (issue #23)
    page.goto(server + "/?q=城市建设")
    assert total(page) == 36
    with page.expect_navigation():
        page.select_option("select[name=sort]", "newest")
    assert "sort=newest" in page.url and "q=%E5%9F%8E%E5%B8%82%E5%BB%BA%E8%AE%BE" in page.url
    assert page.locator("select[name=sort]").input_value() == "newest"
    with page.expect_navigation():
        page.select_option("select[name=recency]", "30")
    assert "recency=30" in page.url and "sort=newest" in page.url
    with page.expect_navigation():
        page.fill("input[name=since]", "2023-01-01")
    assert "since=2023-01-01" in page.url
    # the start page waits for 搜索: nothing is searched on a change there
    page.goto(server + "/")
    page.select_option("select[name=sort]", "newest")
    page.wait_for_timeout(300)
    assert page.url == server + "/"
    assert page.locator("h2", has_text="怎样搜索").count() == 1
