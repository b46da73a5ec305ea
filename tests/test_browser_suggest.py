"""Search as you type (issue #21) in a real browser: the completion list under the search
box (searcher/static/search.js over ``/api/suggest``), driven by Playwright in the
system's chromium, at phone and desktop sizes.

Same rules as tests/test_browser.py: chromium launched by path with ``--no-sandbox``,
nothing downloaded; skipped without it, except under ``CI=true`` where a browser that
cannot start fails. Served by waitress on a free loopback port; screenshots go to
``screenshots/`` (not committed). The corpus is tests/test_suggest_ui.py's, plus a post
whose title and tag hold markup.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from browserutil import VIEWPORTS, chromium, served, shot, viewport_page
from test_suggest_ui import POSTS

from searcher.web import create_app
from searchutil import build, post

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

#: A title as its page shows it (markup escaped in the front matter, so it is text).
XSS_TITLE = "<img src=x onerror=alert(1)>快讯<script>alert(2)</script>"
#: The prefix the server answers slowly (1 s): an answer overtaken by a newer one.
SLOW_PREFIX = "小"

WANG_JIAN = [
    "王建国",
    "王建国主持召开常务会议",
    "王建国会见外宾",
    "王建国调研乡村振兴工作",
    "王建军",  # the word before its title: the same post, the same score
    "王建军当选劳动模范",
]


def corpus() -> dict[str, str]:
    escaped = XSS_TITLE.replace("<", "&lt;").replace(">", "&gt;")
    return POSTS | {
        "_posts/2022-01-01-x.md": post(
            escaped,
            "一条快讯。",
            date="2022-01-01 09:00:00 +0800",
            extra="tags: ['\"><svg onload=alert(3)>']\n",
        )
    }


def slow_prefix(app: Callable[..., Any]) -> Callable[..., Any]:
    """WSGI middleware: ``/api/suggest?q=小`` waits a second before it is answered."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if parse_qs(environ.get("QUERY_STRING", "")).get("q") == [SLOW_PREFIX]:
            time.sleep(1.0)
        return app(environ, start_response)

    return wrapped


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    index = build(tmp_path_factory.mktemp("browser-suggest"), corpus())
    with served(slow_prefix(create_app(index))) as url:
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


def options(page: Any) -> Any:
    return page.locator('#q-suggest [role="option"]')


def option_texts(page: Any) -> Any:
    return page.locator('#q-suggest [role="option"] .s-text')


def typed(page: Any, text: str, first: str) -> None:
    """Type ``text`` into the box and wait for the list to open with ``first`` on top."""
    page.locator("#q").fill(text)
    expect(page.locator("#q")).to_have_attribute("aria-expanded", "true")
    expect(option_texts(page).first).to_have_text(first)


def selected(page: Any) -> list[str]:
    found = options(page)
    return [found.nth(i).get_attribute("aria-selected") for i in range(found.count())]


def test_typing_shows_completions_with_roles(server: str, page: Any) -> None:
    page.goto(server + "/")
    box = page.locator("#q")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-autocomplete", "list")
    expect(box).to_have_attribute("aria-controls", "q-suggest")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#q-suggest")).to_have_attribute("role", "listbox")
    expect(page.locator("#q-suggest")).to_be_hidden()

    typed(page, "王建", "王建国")
    expect(option_texts(page)).to_have_text(WANG_JIAN)
    expect(page.locator("#q-suggest .s-kind")).to_have_text(
        ["词", "标题", "标题", "标题", "词", "标题"]
    )
    assert page.locator("#q-suggest .s-aid").count() == 0  # literal: no 拼音 hint
    assert selected(page) == ["false"] * 6
    assert box.get_attribute("aria-activedescendant") is None
    shot(page, "suggest-chinese")
    # the list lies over the page: the results' area does not move
    assert page.evaluate("document.getElementById('main').getBoundingClientRect().top") == (
        page.evaluate("document.querySelector('header.top').getBoundingClientRect().bottom")
    )
    # not covered: the middle of its last option is the option itself
    assert page.evaluate(
        """() => {
          const o = [...document.querySelectorAll('#q-suggest [role=option]')].pop();
          const r = o.getBoundingClientRect();
          return o.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
        }"""
    )

    typed(page, "wangj", "王建国")
    expect(option_texts(page)).to_have_text(["王建国", "王建国会见外宾", "王建军"])
    expect(page.locator("#q-suggest [role=option]").first).to_have_text("王建国词拼音")
    expect(page.locator("#q-suggest .s-aid")).to_have_text(["拼音", "拼音", "拼音"])

    typed(page, "Xiaom", "Xiaomi")  # literal completions first, then pinyin
    expect(option_texts(page)).to_have_text(["Xiaomi", "Xiaomi发布新款手机", "小米"])
    shot(page, "suggest-latin")

    # nothing to complete, then an empty box: the list closes
    page.locator("#q").fill("qqqqqq")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#q-suggest")).to_be_hidden()
    typed(page, "wjg", "王建国")
    page.locator("#q").fill("")
    expect(box).to_have_attribute("aria-expanded", "false")


def test_arrows_enter_search_the_active_option(server: str, page: Any) -> None:
    page.goto(server + "/?q=城市&sort=newest")
    box = page.locator("#q")
    box.focus()
    typed(page, "王建", "王建国")
    for key, active in (("ArrowDown", 0), ("ArrowDown", 1), ("ArrowUp", 0)):
        page.keyboard.press(key)
        assert selected(page) == ["true" if i == active else "false" for i in range(6)], key
        expect(box).to_have_attribute("aria-activedescendant", f"q-suggest-{active}")
    page.keyboard.press("ArrowUp")  # wraps to the last
    expect(box).to_have_attribute("aria-activedescendant", "q-suggest-5")
    page.keyboard.press("ArrowDown")  # and back to the first
    expect(box).to_have_attribute("aria-activedescendant", "q-suggest-0")
    assert box.input_value() == "王建"  # moving does not change the text
    shot(page, "suggest-active")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"[?&]q=%E7%8E%8B%E5%BB%BA%E5%9B%BD&", page.url)  # q=王建国
    assert "sort=newest" in page.url  # the form's other fields are kept
    assert page.locator("#total").inner_text() == "3"
    expect(page.locator(".hit h3")).to_have_text(  # newest first, as the form asked
        ["王建国主持召开常务会议", "王建国会见外宾", "王建国调研乡村振兴工作"]
    )
    expect(box).to_have_attribute("aria-expanded", "false")


def test_enter_without_active_option_searches_as_typed(server: str, page: Any) -> None:
    page.goto(server + "/")
    typed(page, "王建", "王建国")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"[?&]q=%E7%8E%8B%E5%BB%BA&", page.url)  # q=王建
    assert page.locator("#total").inner_text() == "4"


def test_escape_closes_click_picks_blur_closes(server: str, page: Any) -> None:
    page.goto(server + "/")
    box = page.locator("#q")
    typed(page, "王建", "王建国")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#q-suggest")).to_be_hidden()
    assert box.get_attribute("aria-activedescendant") is None
    assert box.input_value() == "王建"  # the first Esc keeps the text
    page.keyboard.press("ArrowDown")  # opens the list again
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")  # the browser's own: clears the search box
    assert box.input_value() == ""
    typed(page, "wangj", "王建国")
    page.locator("footer").click()  # blur
    expect(box).to_have_attribute("aria-expanded", "false")
    typed(page, "王建", "王建国")
    with page.expect_navigation():
        options(page).nth(2).click()
    assert page.locator("#total").inner_text() == "1"
    expect(page.locator(".hit h3")).to_have_text(["王建国会见外宾"])
    assert box.input_value() == "王建国会见外宾"


def test_markup_in_a_title_is_shown_as_text(server: str, page: Any) -> None:
    page.goto(server + "/")
    typed(page, "onerr", "onerror")  # a word before a title of the same score
    expect(option_texts(page)).to_have_text(["onerror", XSS_TITLE])
    assert page.locator("#q-suggest img, #q-suggest script, #q-suggest svg").count() == 0
    assert page.locator("img, svg[onload]").count() == 0
    typed(page, '"><sv', '"><svg onload=alert(3)>')
    assert page.locator("#q-suggest svg").count() == 0
    shot(page, "suggest-xss")


def test_a_slow_old_answer_does_not_replace_a_newer_one(server: str, page: Any) -> None:
    page.goto(server + "/")
    box = page.locator("#q")
    box.fill(SLOW_PREFIX)  # its answer takes a second
    with page.expect_request(lambda r: "/api/suggest?q=%E5%B0%8F&" in r.url):
        pass
    typed(page, "小米汽", "小米汽车交付量创新高")
    expect(option_texts(page)).to_have_text(["小米汽车交付量创新高"])
    page.wait_for_timeout(1500)  # the slow answer has come by now
    expect(option_texts(page)).to_have_text(["小米汽车交付量创新高"])
    assert box.input_value() == "小米汽"


@pytest.mark.parametrize("size", [(390, 844), (320, 640), (1280, 800)])
def test_no_overflow_with_the_list_open(server: str, browser: Any, size: tuple[int, int]) -> None:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
    tab = context.new_page()
    for url, prefix, first in (
        ("/", "王建", "王建国"),
        ("/?q=城市&tag=外事&category=时政&since=2024-01-01", "王建国调", "王建国调研乡村振兴工作"),
        ("/posts/_posts/2024-04-02-b?q=外宾", "Xiaom", "Xiaomi"),
    ):
        tab.goto(server + url)
        typed(tab, prefix, first)
        found = tab.evaluate(
            """() => {
              const list = document.getElementById('q-suggest').getBoundingClientRect();
              return [document.scrollingElement.scrollWidth, innerWidth,
                      list.left, list.right, list.bottom];
            }"""
        )
        scroll_width, width, left, right, bottom = found
        assert scroll_width <= width, (url, found)
        assert 0 <= left and right <= width, (url, found)
        assert bottom <= size[1], (url, found)
    context.close()
