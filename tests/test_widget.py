"""The search box on a site's own pages (issue #23) in real Chromium: the invented site
of tests/widgetsite.py built with ``jekyll build``, its ``_site`` served by a static
file server on one loopback port, searcher's app (``--cors-origin`` that origin, result
URLs on it) on another; a second static server on a third port is a site the app does
not allow.

At phone (390×844) and desktop (1280×800) sizes: type in the site's own box, see the
results, follow one with the keyboard only to the site's article page and see its
highlights (``開通`` for a query ``开通``); XSS strings in a title, a tag and a body are
text and fire no dialog (``browserutil.viewport_page`` fails on any); nothing overflows
at 320 px; the other origin gets no ``Access-Control-Allow-Origin`` and its box says so.
Screenshots: ``widget-results``, ``widget-article`` (phone and desktop), ``widget-320``.
Same browser rules as tests/test_browser.py (skipped without chromium, except under
``CI=true``); without Jekyll skipped likewise.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from browserutil import VIEWPORTS, chromium, served, shot, viewport_page
from widgetsite import XSS, jekyll_build, static_server, write_site

from searcher.index import Index
from searcher.site.options import SiteOptions
from searcher.web import create_app
from searcher.widget import ASSETS, asset, asset_version, widget_html

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

BOX = ".searcher-box .searcher-input"
OPTIONS = '.searcher-box [role="option"]'
METRO = "/2024/03/05/metro-line.html"


@dataclass(frozen=True)
class Site:
    """Where the fixture site is served: ``site`` (allowed), ``stranger`` (the same
    pages from an origin the app does not allow) and ``searcher`` (the app)."""

    site: str
    stranger: str
    searcher: str


#: A query the app answers a second late: a slow answer overtaken by a newer one.
SLOW_QUERY = "新"


def slow(app: Callable[..., Any]) -> Callable[..., Any]:
    """WSGI middleware: ``/api/search?q=新`` waits a second before it is answered."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if parse_qs(environ.get("QUERY_STRING", "")).get("q") == [SLOW_QUERY]:
            time.sleep(1.0)
        return app(environ, start_response)

    return wrapped


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("widget-site")
    built = root / "_site"
    built.mkdir()
    index = Index.create(root / "index")
    with static_server(built) as origin, static_server(built) as stranger:
        with served(slow(create_app(index, cors_origins=[origin]))) as searcher_url:
            source = write_site(root / "source", searcher_url)
            jekyll_build(source, built)
            index.update(source, options=SiteOptions(site_url=origin))
            yield Site(origin, stranger, searcher_url)
    index.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(params=sorted(VIEWPORTS))
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    with viewport_page(browser, request.param) as tab:
        yield tab


def titles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator(f"{OPTIONS} .searcher-title").all_text_contents()]


def tab_to_box(page: Any) -> None:
    """Focus the site's box with the keyboard only (Tab from the page's start)."""
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.searcher-input')"):
            return
    raise AssertionError("Tab never reached the search box")


def test_type_see_results_follow_one_by_keyboard_and_see_highlights(
    page: Any, served_site: Site
) -> None:
    page.goto(served_site.site + "/")
    tab_to_box(page)
    page.keyboard.type("开通")
    expect(page.locator(OPTIONS)).to_have_count(2)
    assert titles(page) == ["地铁三号线今日开通 沿线居民出行更方便", "千兆宽带进村入户"]
    box = page.locator(BOX)
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.locator('.searcher-box [role="status"]')).to_have_text("找到 2 篇")
    marks = page.locator(f"{OPTIONS} mark").all_text_contents()
    assert set(marks) == {"开通", "開通"} and marks.count("开通") >= 2
    assert page.locator(f"{OPTIONS} time").all_text_contents() == ["2024年3月5日", "2024年4月12日"]
    more = page.locator(".searcher-more")
    expect(more).to_have_attribute("href", f"{served_site.searcher}/?q={quote('开通')}")
    shot(page, "widget-results")

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = page.locator(OPTIONS).nth(1)
    expect(second).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", second.get_attribute("id") or "")
    page.keyboard.press("ArrowUp")
    first = page.locator(OPTIONS).nth(0)
    expect(first).to_have_attribute("aria-selected", "true")
    expect(second).to_have_attribute("aria-selected", "false")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "")
    page.keyboard.press("Enter")

    page.wait_for_url(f"{served_site.site}{METRO}?highlight={quote('开通')}")
    expect(page.locator("html")).to_have_attribute("data-searcher-highlights", "2")
    # the body's 开通 and the traditional 開通; not the textarea's, not inside the
    # post's own <mark>, not the title (outside data-searcher-body)
    assert page.locator("mark.searcher-highlight").all_text_contents() == ["开通", "開通"]
    assert page.locator("textarea").input_value() == "开通"
    assert page.locator("mark:not(.searcher-highlight)").all_text_contents() == ["开通"]
    assert page.locator("mark mark").count() == 0
    shot(page, "widget-article")


def highlights(page: Any, site: str, path: str, query: str) -> list[str]:
    """The texts highlight.js marks on ``path`` opened with ``?highlight=query``."""
    page.goto(f"{site}{path}?highlight={quote(query)}")
    page.wait_for_selector("html[data-searcher-highlights]")
    return [str(t) for t in page.locator("mark.searcher-highlight").all_text_contents()]


def test_highlights_fold_as_searcher_does(page: Any, served_site: Site) -> None:
    ai = "/2024/05/20/ai-hospital.html"
    # letter case and width folded; a run of letters whole (not the "ai" of said, maid)
    assert highlights(page, served_site.site, ai, "ai") == ["AI", "ＡＩ"]
    assert highlights(page, served_site.site, ai, "ＡＩ") == ["AI", "ＡＩ"]
    phone = "/2024/06/18/phone-5g.html"
    # an excluded word is not marked; 5G as one term
    assert highlights(page, served_site.site, phone, "5g -手机") == ["5G"]
    assert highlights(page, served_site.site, phone, "手机") == ["手机"]
    # a query of stop words only marks nothing
    page.goto(f"{served_site.site}{METRO}?highlight={quote('的')}")
    page.wait_for_load_state("networkidle")
    assert page.locator("mark.searcher-highlight").count() == 0


def test_markup_in_titles_tags_and_bodies_is_text(page: Any, served_site: Site) -> None:
    page.goto(served_site.site + "/")
    page.locator(BOX).fill("快讯")
    expect(page.locator(OPTIONS)).to_have_count(1)
    assert titles(page) == [f"{XSS}快讯"]
    snippet = page.locator(f"{OPTIONS} .searcher-snippet").text_content()
    assert snippet == f"一条快讯：{XSS} 这段文字应当原样显示。"
    assert page.locator(".searcher-box img, .searcher-box script").count() == 0
    shot(page, "widget-markup")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/2024/07/01/xss\.html\?highlight="))
    expect(page.locator("html")).to_have_attribute("data-searcher-highlights", "1")
    assert page.locator("mark.searcher-highlight").all_text_contents() == ["快讯"]
    assert page.locator("h1").text_content() == f"{XSS}快讯"
    assert page.locator(".tag").all_text_contents() == [XSS]
    assert page.locator("img").count() == 0  # and no dialog (viewport_page)


def test_keyboard_escape_and_enter_with_nothing_chosen(page: Any, served_site: Site) -> None:
    page.goto(served_site.site + "/")
    tab_to_box(page)
    page.keyboard.type("开通")
    expect(page.locator(OPTIONS)).to_have_count(2)
    box = page.locator(BOX)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    expect(page.locator(".searcher-panel")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    assert box.get_attribute("aria-activedescendant") is None
    page.keyboard.press("ArrowDown")  # opens the list again, on its first result
    expect(page.locator(OPTIONS).first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Tab")  # to 在搜索页查看, then Escape returns to the box
    assert page.evaluate("document.activeElement.className") == "searcher-more"
    page.keyboard.press("Escape")
    expect(page.locator(".searcher-panel")).to_be_hidden()
    assert page.evaluate("document.activeElement.className") == "searcher-input"
    page.keyboard.press("Enter")  # nothing chosen: the server's page of all results
    page.wait_for_url(f"{served_site.searcher}/?q={quote('开通')}")


def test_a_slow_answer_overtaken_by_a_newer_one_is_dropped(page: Any, served_site: Site) -> None:
    page.goto(served_site.site + "/")
    box = page.locator(BOX)
    box.press_sequentially(SLOW_QUERY)  # asked after 150 ms, answered after a second
    page.wait_for_timeout(400)
    box.press_sequentially("款")  # 新款: asked while 新 is still pending
    expect(page.locator(OPTIONS)).to_have_count(1)
    assert titles(page) == ["新款手机发布 全面支持5G网络"]
    page.wait_for_timeout(1200)  # 新's answer (had it not been aborted) is not shown
    assert titles(page) == ["新款手机发布 全面支持5G网络"]
    expect(page.locator('.searcher-box [role="status"]')).to_have_text("找到 1 篇")


def test_no_element_overflows_at_320_px(browser: Any, served_site: Site) -> None:
    with viewport_page(browser, "320", (320, 640)) as page:
        page.goto(served_site.site + "/")
        page.locator(BOX).fill("开通")
        expect(page.locator(OPTIONS)).to_have_count(2)
        # every element of the box but the two clipped to 1 px for screen readers only
        # (the label and the live region), whose text overflows them unseen
        overflowing = page.evaluate(
            """() => [document.documentElement, ...document.querySelectorAll(
                    '.searcher-box, .searcher-box :not(.searcher-hidden)')]
                .filter((e) => e.scrollWidth > e.clientWidth && e.clientWidth > 0
                    || e.getBoundingClientRect().right > document.documentElement.clientWidth)
                .map((e) => e.className || e.tagName)"""
        )
        assert overflowing == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        shot(page, "widget-results")


def test_an_origin_not_allowed_gets_no_cors_header_and_a_message(
    page: Any, served_site: Site
) -> None:
    url = f"{served_site.searcher}/api/search?q={quote('开通')}&limit=8&collapse=1"
    for origin, allowed in ((served_site.site, served_site.site), (served_site.stranger, None)):
        ask = urllib.request.Request(url, headers={"Origin": origin})
        with urllib.request.urlopen(ask) as answer:
            assert answer.headers.get("Access-Control-Allow-Origin") == allowed
            assert answer.headers.get("Vary") == "Origin"
    page.goto(served_site.stranger + "/")
    page.locator(BOX).fill("开通")
    offline = "无法连接搜索服务，请稍后再试。"
    expect(page.locator(".searcher-note")).to_have_text(offline)
    expect(page.locator('.searcher-box [role="status"]')).to_have_text(offline)
    shot(page, "widget-error")
    assert page.locator(OPTIONS).count() == 0


# -- the box against answers of our own (Playwright's routing, no server) -----------------

FAKE_SITE = "http://site.test"
FAKE_SEARCHER = "http://searcher.test"


def route_fake(page: Any, answers: dict[str, tuple[int, str]]) -> None:
    """Serve ``FAKE_SITE/`` (a page holding the pasted HTML) and ``FAKE_SEARCHER`` (the
    widget's files, and ``answers[q]`` = (status, body) for ``/api/search?q=…``, with a
    CORS header for the site) from Playwright's routing."""
    snippet = widget_html(FAKE_SEARCHER, asset_version())
    page_html = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head>'
        f"<body><h1>站点</h1>{snippet}</body></html>"
    )

    def handle(route: Any) -> None:
        url = urlsplit(route.request.url)
        name = url.path.lstrip("/")
        if f"{url.scheme}://{url.netloc}" == FAKE_SITE:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=page_html)
        elif name in ASSETS:
            kind = "text/css" if name.endswith(".css") else "text/javascript"
            route.fulfill(status=200, content_type=f"{kind}; charset=utf-8", body=asset(name))
        elif url.path == "/api/search":
            status, body = answers[parse_qs(url.query)["q"][0]]
            cors = {"Access-Control-Allow-Origin": FAKE_SITE}
            route.fulfill(status=status, content_type="application/json", body=body, headers=cors)
        else:
            route.abort()

    page.route("**/*", handle)


def hit(title_html: str, url: object) -> dict[str, Any]:
    return {"title": "", "title_html": title_html, "url": url, "date": None, "snippet": ""}


def test_result_links_keep_the_page_s_query_and_fragment(browser: Any) -> None:
    hits = [
        hit("甲", "https://site.test/a.html?x=1&y=a%20b&highlight=old#part"),
        hit("乙", "/b/"),  # root-relative: on the site
        hit("丙", "javascript:alert(1)"),  # not http(s): no link
        hit("<img src=x onerror=alert(1)><mark>丁</mark><script>alert(2)</script>", None),
    ]
    body = json.dumps({"query": "测试", "total": 9, "hits": hits})
    with viewport_page(browser, "desktop") as page:
        route_fake(page, {"测试": (200, body)})
        page.goto(FAKE_SITE + "/")
        page.locator(BOX).fill("测试")
        expect(page.locator(OPTIONS)).to_have_count(4)
        q = quote("测试")
        links = page.locator(f"{OPTIONS} a.searcher-title")
        assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
            f"https://site.test/a.html?x=1&y=a%20b&highlight={q}#part",
            f"{FAKE_SITE}/b/?highlight={q}",
        ]
        # markup other than <mark> (which the API never sends) is kept as its text only
        assert titles(page) == ["甲", "乙", "丙", "丁alert(2)"]
        assert page.locator(f"{OPTIONS} mark").all_text_contents() == ["丁"]
        assert page.locator(".searcher-box img, .searcher-box script").count() == 0
        expect(page.locator(".searcher-more")).to_have_text("查看全部 9 篇结果")
        expect(page.locator(".searcher-more")).to_have_attribute("href", f"{FAKE_SEARCHER}/?q={q}")


@pytest.mark.parametrize(
    ("status", "body", "shown"),
    [
        (503, '{"error": "busy", "code": "busy", "status": 503}', "搜索服务繁忙，请稍后再试。"),
        (400, '{"error": "bad", "code": "bad_limit", "status": 400}', "搜索出错了，请稍后再试。"),
        (500, "<html>oops</html>", "搜索出错了，请稍后再试。"),
        (200, "not json", "搜索出错了，请稍后再试。"),
        (200, '{"query": "测试", "total": 0, "hits": []}', "没有找到与“测试”相关的文章。"),
    ],
)
def test_errors_and_no_results_are_said_in_chinese(
    browser: Any, status: int, body: str, shown: str
) -> None:
    with viewport_page(browser, "desktop") as page:
        route_fake(page, {"测试": (status, body)})
        page.goto(FAKE_SITE + "/")
        page.locator(BOX).fill("测试")
        expect(page.locator(".searcher-note")).to_have_text(shown)
        said = "没有找到" if status == 200 and "total" in body else shown
        expect(page.locator('.searcher-box [role="status"]')).to_have_text(said)
        expect(page.locator(BOX)).to_have_attribute("aria-expanded", "false")
