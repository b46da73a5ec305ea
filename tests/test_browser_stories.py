"""Story groups and related stories on the page (issue #22) in a real browser: the
search page folds a story's reprints into one hit with ``N 篇相似报道`` to expand,
逐篇显示 shows every post, and the article view lists 相关报道; driven by Playwright in
the system's chromium at 320 px (the narrowest phone) and 1280 px.

Same rules as tests/test_browser.py: chromium launched by path with ``--no-sandbox``,
nothing downloaded; skipped without it, except under ``CI=true`` where a browser that
cannot start fails. Served by waitress on a free loopback port; screenshots go to
``screenshots/`` or ``$SEARCHER_SHOTS``. The site is tests/storysite.py's: one wire
story in six copies, and other posts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from browserutil import chromium, served, shot, viewport_page

from searcher.index import Index
from searcher.web import create_app
from searchutil import build, post
from storysite import GROUP, doc_id, site_posts

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

#: The page sizes (CSS pixels): the narrowest phone the page supports, and a desktop.
SIZES = {"phone": (320, 700), "desktop": (1280, 800)}
#: The wire story's first copy, and its best-ranked copy for 大桥 (the one shown).
WIRE = doc_id(GROUP[0])
SHOWN = doc_id(GROUP[4])
#: The hits of 大桥, folded (six groups), in rank order.
FOLDED = [
    "跨江大桥通车（简讯）",
    "又一座跨江大桥通车",
    "施工通知",
    "封闭通知",
    "特色水产当天运抵城区",
    "临港工业园新签约十个项目",
]
#: The shown copy's five folded copies, in rank order.
COPIES = ["跨江大橋今天通車", "大桥通车 两岸协作提速", "跨江大桥正式通车", "两地车程缩短到二十分钟"]
COPIES.append("跨江大桥今天通车")
#: A title as its page shows it (escaped in the front matter, so it is text).
XSS_TITLE = "<img src=x onerror=alert(1)>快讯<script>alert(2)</script>"

#: The new elements whose boxes must stay inside the page, and their descendants.
NEW = "details.similar, details.similar *, .fold, .fold *, aside.related, aside.related *"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Index]]:
    index = build(tmp_path_factory.mktemp("browser-stories"), site_posts())
    with served(create_app(index)) as url:
        yield url, index
    index.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(params=list(SIZES))
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    with viewport_page(browser, request.param, SIZES[request.param]) as tab:
        yield tab


def texts(locator: Any) -> list[str]:
    found: list[str] = locator.all_inner_texts()
    return found


def hrefs(locator: Any) -> list[str]:
    return [locator.nth(i).get_attribute("href") for i in range(locator.count())]


def overflowing(page: Any) -> list[str]:
    """The document when it scrolls sideways, and each of the story elements (:data:`NEW`)
    whose box passes the page's right edge or whose content is wider than its box."""
    found: list[str] = page.evaluate(
        """(selector) => {
          const root = document.documentElement, width = root.clientWidth, out = [];
          if (root.scrollWidth > width) out.push('document ' + root.scrollWidth + ' > ' + width);
          for (const el of document.querySelectorAll(selector)) {
            const r = el.getBoundingClientRect();
            if (!r.width) continue;
            const name = el.tagName + '.' + el.className;
            if (r.right > width + 0.5) out.push(name + ' right ' + Math.round(r.right));
            if (el.clientWidth && el.scrollWidth > el.clientWidth)
              out.push(name + ' scrollWidth ' + el.scrollWidth + ' > ' + el.clientWidth);
          }
          return out;
        }""",
        NEW,
    )
    return found


def broken_dates(page: Any, selector: str) -> list[str]:
    """The dates under ``selector`` laid out on more than one line."""
    found: list[str] = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector + ' time')]
             .filter((t) => t.getClientRects().length > 1).map((t) => t.textContent)""",
        selector,
    )
    return found


def active(page: Any) -> str:
    """The focused element, as ``TAG text``."""
    found: str = page.evaluate(
        "`${document.activeElement.tagName} ${document.activeElement.textContent.trim()}`"
    )
    return found


def tab_to(page: Any, tag: str, text: str, most: int = 40) -> str:
    """Press Tab from where the focus is until the element ``TAG text`` has it; returns
    the element focused just before (``TAG text``)."""
    before = active(page)
    for _ in range(most):
        page.keyboard.press("Tab")
        if active(page) == f"{tag} {text}":
            return before
        before = active(page)
    raise AssertionError(f"{tag} {text} never got the focus")


def test_the_search_page_folds_the_wire_story_into_one_hit(
    site: tuple[str, Index], page: Any
) -> None:
    url, index = site
    page.goto(url + "/?q=大桥")
    expect(page.locator("#summary")).to_contain_text("找到 6 组报道，用时")
    assert page.locator(".fold").inner_text() == "相似报道已合并，数目按组计 · 逐篇显示"
    assert texts(page.locator(".hit h3")) == FOLDED
    folded = page.locator("details.similar")
    assert folded.count() == 1
    assert page.locator(".hit").first.locator("details.similar").count() == 1
    assert folded.locator("summary").inner_text() == "5 篇相似报道"
    assert folded.get_attribute("open") is None
    expect(folded.locator("li a").first).to_be_hidden()

    folded.locator("summary").click()
    links = folded.locator("li a")
    expect(links.first).to_be_visible()
    assert texts(links) == COPIES
    shown = index.search("大桥", collapse=True).hits[0]
    assert shown.id == SHOWN
    # the site has no url: each copy links to its article view, with the search
    assert hrefs(links) == [f"/posts/{p.id}?q=%E5%A4%A7%E6%A1%A5" for p in shown.similar]
    assert texts(folded.locator("li time")) == [
        "2024年5月12日",
        "2024年5月11日",
        "2024年5月10日",
        "2024年5月10日",
        "2024年5月10日",
    ]
    assert texts(folded.locator("li mark")) == ["大橋", "大桥", "大桥", "大桥"]
    assert overflowing(page) == []
    assert broken_dates(page, "details.similar") == []
    shot(page, "stories-folded")
    folded.locator("summary").click()
    expect(links.first).to_be_hidden()


def test_the_folded_copies_open_with_the_keyboard_alone(site: tuple[str, Index], page: Any) -> None:
    url, _ = site
    page.goto(url + "/?q=大桥")
    # the summary comes right after the first hit's last link, 全文
    assert tab_to(page, "SUMMARY", "5 篇相似报道") == "A 全文"
    page.keyboard.press("Enter")
    expect(page.locator("details.similar")).to_have_attribute("open", "")
    for title in COPIES:
        page.keyboard.press("Tab")
        assert active(page) == f"A {title}"
    page.keyboard.press("Tab")
    assert active(page) == "A 又一座跨江大桥通车"  # on to the next hit
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert active(page) == f"A {COPIES[-3]}"


def test_one_by_one_shows_every_post_and_links_back(site: tuple[str, Index], page: Any) -> None:
    url, index = site
    every = [h.title for h in index.search("大桥", limit=20).hits]
    assert len(every) == index.search("大桥").total == 11
    page.goto(url + "/?q=大桥")
    with page.expect_navigation():
        page.locator("a.unfold", has_text="逐篇显示").click()
    assert re.search(r"[?&]collapse=0$", page.url)
    expect(page.locator("#summary")).to_contain_text("找到 11 篇，用时")
    assert "第 1 / 2 页" in page.locator("#summary").inner_text()
    assert page.locator(".fold").inner_text() == "逐篇显示 · 合并相似报道"
    assert page.locator("details.similar").count() == 0
    first = texts(page.locator(".hit h3"))
    assert overflowing(page) == []
    with page.expect_navigation():
        page.locator("nav.pages a[rel=next]").click()
    assert "collapse=0" in page.url
    assert first + texts(page.locator(".hit h3")) == every
    shot(page, "stories-unfolded")

    # a new search from the form (here: newest first, applied at once) keeps showing
    # every post
    with page.expect_navigation():
        page.select_option("select[name=sort]", "newest")
    assert "collapse=0" in page.url and "sort=newest" in page.url
    expect(page.locator("#total")).to_have_text("11")
    assert page.locator(".hit h3").first.inner_text() == "又一座跨江大桥通车"

    with page.expect_navigation():
        page.locator("a.refold", has_text="合并相似报道").click()
    assert "collapse" not in page.url
    expect(page.locator("#summary")).to_contain_text("找到 6 组报道")
    assert page.locator("details.similar summary").inner_text() == "5 篇相似报道"


def related_items(index: Index, doc: str) -> list[str]:
    """The 相关报道 list of the post ``doc`` as its page should show it: ``title date``
    and how many folded copies, from :meth:`Index.related`."""
    return [
        f"{h.title} {h.date.year}年{h.date.month}月{h.date.day}日"
        + (f" （另有 {len(h.similar)} 篇相似报道）" if h.similar else "")
        for h in index.related(doc, 5)
    ]


def test_the_article_view_lists_related_stories(site: tuple[str, Index], page: Any) -> None:
    url, index = site
    related = index.related(WIRE, 5)
    titles = [h.title for h in related]
    assert titles[0] == "又一座跨江大桥通车"  # the same text a year later: not a reprint
    assert not {h.id for h in related} & {doc_id(p) for p in GROUP}
    page.goto(url + "/posts/" + WIRE)
    aside = page.locator("aside.related")
    assert aside.locator("h2").inner_text() == "相关报道"
    assert aside.get_attribute("aria-labelledby") == "related-title"
    links = aside.locator("li a")
    assert texts(links) == titles
    assert hrefs(links) == ["/posts/" + h.id for h in related]
    assert texts(aside.locator("li")) == related_items(index, WIRE)
    assert overflowing(page) == []
    assert broken_dates(page, "aside.related") == []
    shot(page, "stories-article")

    # keyboard only: the links come after the article's own, in order
    # (the site has no url: no 在网站上阅读 link, the post's last tag comes before)
    assert tab_to(page, "A", titles[0]) == "A #大桥"
    for title in titles[1:]:
        page.keyboard.press("Tab")
        assert active(page) == f"A {title}"
    for _ in titles[1:]:
        page.keyboard.press("Shift+Tab")
    assert active(page) == f"A {titles[0]}"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == url + "/posts/_posts/2025-05-10-bridge-again"
    assert page.locator("h1").inner_text() == "又一座跨江大桥通车"
    items = related_items(index, "_posts/2025-05-10-bridge-again")
    assert texts(page.locator("aside.related li")) == items
    # the wire story's group once, shown by one copy, saying how many it folds
    assert re.fullmatch(r"跨江大橋今天通車 2024年5月12日 （另有 \d 篇相似报道）", items[0])

    page.goto(url + "/posts/_posts/2024-05-13-port")
    items = related_items(index, "_posts/2024-05-13-port")
    assert items[0] == "跨江大橋今天通車 2024年5月12日 （另有 1 篇相似报道）"
    assert texts(page.locator("aside.related li")) == items
    assert overflowing(page) == []
    assert broken_dates(page, "aside.related") == []


@pytest.mark.parametrize("width", [320, 1280])
def test_nothing_overflows(site: tuple[str, Index], browser: Any, width: int) -> None:
    url, _ = site
    with viewport_page(browser, "phone", (width, 700)) as tab:
        for path in (
            "/?q=大桥",
            "/?q=大桥&collapse=0",
            "/?q=大桥&collapse=0&page=2",
            "/?q=园区",
            "/posts/" + WIRE,
            "/posts/_posts/2024-05-13-port",
            "/posts/_posts/2025-05-10-bridge-again",
        ):
            tab.goto(url + path)
            for summary in tab.locator("details.similar summary").all():
                summary.click()
            assert overflowing(tab) == [], path
            assert broken_dates(tab, "details.similar, aside.related") == [], path


def xss_posts() -> dict[str, str]:
    """The site, plus a reprint of the wire story and a post on the bridge whose titles
    hold markup (and whose permalinks are scripts)."""
    escaped = XSS_TITLE.replace("<", "&lt;").replace(">", "&gt;")
    script = "permalink: 'javascript:alert(3)'\ncategories: [交通]\n"
    wire = site_posts()[GROUP[0]].split("---\n", 2)[2]
    return site_posts() | {
        "_posts/2024-05-12-bridge-xss.md": post(escaped, wire, "2024-05-12 20:00:00 +0800", script),
        "_posts/2024-05-16-traffic-xss.md": post(
            "车流" + escaped,
            "跨江大桥通车后的首个周末，大桥车流量达到三万辆次，货车按规定走右侧车道。"
            "交通部门在大桥两端设置临时服务区，提醒驾驶人遇到大雾天气减速慢行。",
            "2024-05-16 10:00:00 +0800",
            script,
        ),
    }


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Index]]:
    index = build(tmp_path_factory.mktemp("browser-stories-xss"), xss_posts())
    with served(create_app(index)) as url:
        yield url, index
    index.close()


def test_markup_in_a_folded_or_related_title_is_text(
    xss_site: tuple[str, Index], page: Any
) -> None:
    url, index = xss_site
    page.goto(url + "/?q=大桥")
    folded = page.locator("details.similar")
    assert folded.count() == 1
    assert folded.locator("summary").inner_text() == "6 篇相似报道"
    folded.locator("summary").click()
    assert XSS_TITLE in texts(folded.locator("li a"))
    assert page.locator("details.similar img, details.similar script").count() == 0
    assert page.locator("a[href^='javascript' i]").count() == 0
    assert overflowing(page) == []

    related = [h.title for h in index.related(WIRE, 5)]
    assert "车流" + XSS_TITLE in related
    page.goto(url + "/posts/" + WIRE)
    assert texts(page.locator("aside.related li a")) == related
    assert page.locator("aside.related img, aside.related script").count() == 0
    assert page.locator("a[href^='javascript' i]").count() == 0
    assert overflowing(page) == []
