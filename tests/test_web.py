"""The search page, article view and JSON API (Flask's test client; no browser needed).
The same page in a real browser: tests/test_browser.py."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient

from searcher.index import Index
from searcher.web import Bar, create_app, histogram, safe_url
from searchutil import build, post

POSTS = {
    "_posts/2022-03-01-a.md": post(
        "跨江大桥通车",
        "新建跨江大桥今日通车。<script>x</script>\n\n<https://source.example.org/a>",
        extra="categories: 交通\ntags: [桥梁]\n",
    ),
    "_posts/2023-05-01-b.md": post(
        "&lt;b&gt;大桥&lt;/b&gt;维修",
        "旧桥维修&lt;b&gt;完毕&lt;/b&gt;。",
        date="2023-05-01",
        extra="categories: 城建\n",
    ),
    "_posts/2023-05-20-c.md": post(
        "大桥夜景",
        "大桥夜景灯光秀。\n\n第二段：大桥亮灯。",
        date="2023-05-20",
        extra="categories: 城建\ntags: [桥梁, 文旅]\nsource_url: 'javascript:alert(1)'\n",
    ),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(tmp_path_factory.mktemp("web"), POSTS)


@pytest.fixture(scope="module")
def client(index: Index) -> FlaskClient:
    return create_app(index).test_client()


def text(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def facet_links(page: str, param: str) -> dict[str, tuple[int, str]]:
    """``{value: (the total after following it, href)}`` of one facet's value links
    (href unquoted): the count shown for a value not chosen, the removal hint (去掉后 N,
    also ``data-count``) for a chosen one."""
    section = page.split(f'aria-labelledby="facet-{param}"', 1)[1].split("</section>", 1)[0]
    found = {}
    for href, after, body in re.findall(
        r'<a class="facet-value[^"]*" href="([^"]*)"[^>]*data-count="(\d+)">(.*?)</a>', section
    ):
        shown = re.search(
            r'<span class="count"[^>]*>(\d+)(?:<span class="without"[^>]*>去掉后 (\d+))?', body
        )
        assert shown is not None
        assert int(shown[2] or shown[1]) == int(after)
        value = re.sub(r"<[^>]+>|✓ |已选：", "", body.rsplit('<span class="count"', 1)[0])
        found[html.unescape(value).strip()] = (int(after), unquote(html.unescape(href)))
    return found


def total(page: str) -> int:
    return int(re.search(r'<strong id="total">(\d+)</strong>', page)[1])  # type: ignore[index]


def test_page_shows_marked_escaped_results_in_chinese(client: FlaskClient) -> None:
    page = text(client, "/?q=大桥")
    assert re.search(r'找到 <strong id="total">3</strong> 篇，用时 \d+\.\d\d 秒', page)
    assert "新建跨江<mark>大桥</mark>今日通车。" in page
    assert "&lt;b&gt;<mark>大桥</mark>&lt;/b&gt;维修" in page  # text, never markup
    assert "<b>" not in page and "<script>x" not in page
    assert '<option value="relevance" selected>相关度</option>' in page
    assert '<option value="newest">最新</option><option value="oldest">最早</option>' in page
    assert '<label for="q" class="brand">新闻搜索</label>' in page
    assert '<label>从 <input type="date" name="since"' in page
    assert '<label>至 <input type="date" name="until"' in page
    for english in ("relevance<", "newest<", "since<", 'aria-label="sort"', "Search"):
        assert english not in page


def test_facet_counts_are_the_totals_after_toggling(client: FlaskClient) -> None:
    page = text(client, "/?q=大桥")
    assert facet_links(page, "category") == {
        "城建": (2, "?q=大桥&category=城建"),
        "交通": (1, "?q=大桥&category=交通"),
    }
    # Follow every link, two levels deep: each count is the total the link gives.
    seen = 0
    for param in ("category", "tag"):
        for count, href in facet_links(page, param).values():
            after = text(client, "/" + href)
            assert total(after) == count, href
            seen += 1
            for param2 in ("category", "tag"):
                for count2, href2 in facet_links(after, param2).values():
                    assert total(text(client, "/" + href2)) == count2, href2
                    seen += 1
    assert seen >= 10


def test_chosen_filters_are_chips_that_a_new_query_keeps_visibly(client: FlaskClient) -> None:
    page = text(client, "/?q=大桥&tag=桥梁&category=城建")
    assert total(page) == 1
    assert (
        '<input type="checkbox" name="tag" value="桥梁" checked> 标签：桥梁</label>'
        '<a class="chip-x" href="?q=%E5%A4%A7%E6%A1%A5&amp;category=%E5%9F%8E%E5%BB%BA"'
        ' aria-label="移除筛选 标签：桥梁"' in page
    )
    assert '<a class="clear" href="?q=%E5%A4%A7%E6%A1%A5">清除筛选</a>' in page
    assert 'type="hidden"' not in page
    # The chosen value is marked and its count is the total without it.
    assert facet_links(page, "tag")["桥梁"][0] == total(text(client, "/?q=大桥&category=城建"))
    assert 'aria-current="true"' in page


def test_bad_parameters_are_reported_in_chinese_and_left_out(client: FlaskClient) -> None:
    page = text(client, "/?q=桥&since=2022-13-01")
    assert "开始日期“2022-13-01”不是有效日期（格式：年-月-日，如 2024-03-15），已忽略。" in page
    assert total(page) == 3  # the search still ran, without the bad date
    page = text(client, "/?q=桥&since=2023-01-01&until=2022-01-01&sort=sideways&page=x")
    assert "开始日期晚于结束日期，已忽略日期范围。" in page
    assert "排序方式“sideways”无效，已按相关度排序。" in page
    assert "页码“x”无效，已显示第 1 页。" in page
    assert total(page) == 3
    assert "not a date" not in page and "must be" not in page


def test_page_past_the_end_is_clamped_and_pages_are_numbered(index: Index) -> None:
    posts = {
        f"_posts/2024-01-{d:02d}-p.md": post(f"新闻{d}", "今日要闻。", date=f"2024-01-{d:02d}")
        for d in range(1, 29)
    }
    many = create_app(build_dir(posts)).test_client()
    page = text(many, "/?q=要闻&page=999999")
    assert "第 3 / 3 页" in page and "999999 /" not in page
    assert '<span class="current" aria-current="page">3</span>' in page
    page = text(many, "/?q=要闻&page=2")
    links = re.findall(r'<a href="\?q=%E8%A6%81%E9%97%BB&amp;page=(\d+)"', page)
    assert links == ["1", "1", "3", "3"]  # 上一页, 1, 3, 下一页


def build_dir(posts: dict[str, str]) -> Index:
    import tempfile
    from pathlib import Path

    return build(Path(tempfile.mkdtemp()), posts)


def test_empty_query_shows_the_syntax_and_the_newest_posts(client: FlaskClient) -> None:
    page = text(client, "/")
    assert "<h2>怎样搜索</h2>" in page and "<code>title:马拉松</code>" in page
    newest = re.findall(r'<ul class="newest">(.*?)</ul>', page, re.S)[0]
    assert re.findall(r">([^<>]+)</a>", newest) == [
        "大桥夜景",
        "&lt;b&gt;大桥&lt;/b&gt;维修",
        "跨江大桥通车",
    ]
    assert "autofocus" in page


def test_no_results_offers_to_remove_the_filters(client: FlaskClient) -> None:
    page = text(client, "/?q=夜景&category=交通")
    assert total(page) == 0
    assert "没有找到与“夜景”相关的新闻。" in page
    assert '<a class="drop-filters" href="?q=%E5%A4%9C%E6%99%AF">去掉筛选，可找到 1 篇</a>' in page


def test_tags_under_results_link_to_their_filter(client: FlaskClient) -> None:
    page = text(client, "/?q=夜景")
    assert '<a class="tag" href="?q=%E5%A4%9C%E6%99%AF&amp;tag=%E6%96%87%E6%97%85"' in page
    assert '<a class="cat" href="?q=%E5%A4%9C%E6%99%AF&amp;category=%E5%9F%8E%E5%BB%BA"' in page


def test_histogram_bars_link_to_their_month_with_its_count(client: FlaskClient) -> None:
    page = text(client, "/?q=大桥")
    bars = re.findall(r'<a href="\?([^"]*)" aria-label="([^"]*)" data-count="(\d+)">', page)
    assert len(re.findall(r"<rect class=\"bar", page)) == 15  # 2022-03 … 2023-05
    labels = [(label, int(count)) for _, label, count in bars]
    assert labels == [("2022年3月：1 篇", 1), ("2023年5月：2 篇", 2)]
    month = html.unescape(bars[1][0])
    assert month == "q=大桥&since=2023-05-01&until=2023-05-31".replace("大桥", "%E5%A4%A7%E6%A1%A5")
    after = text(client, "/?" + month)
    assert total(after) == 2
    assert "（已选，点击取消）" in after


def test_histogram_is_by_year_over_long_spans() -> None:
    months = {"2020-01": 2, "2024-06": 1, "2024-07": 3}
    bars = histogram(months, {"2020": 2, "2024": 4})
    assert [b.label for b in bars] == ["2020年", "2021年", "2022年", "2023年", "2024年"]
    assert bars[0] == Bar("2020年", "2020-01-01", "2020-12-31", 2)
    assert [b.count for b in bars] == [2, 0, 0, 0, 4]
    short = histogram({"2024-02": 1, "2024-03": 1}, {"2024": 2})
    assert short == [
        Bar("2024年2月", "2024-02-01", "2024-02-29", 1),
        Bar("2024年3月", "2024-03-01", "2024-03-31", 1),
    ]


def test_article_view_shows_the_whole_post_marked(client: FlaskClient) -> None:
    page = text(client, "/posts/_posts/2023-05-20-c?q=大桥")
    assert "<h1><mark>大桥</mark>夜景</h1>" in page
    assert "<p>第二段：<mark>大桥</mark>亮灯。</p>" in page
    assert "javascript:" not in page  # its source_url is not http(s): no link
    # the site has no url: its root-relative URL would 404 here, so no site link
    assert "site-link" not in page and "在网站上阅读" not in page
    missing = client.get("/posts/nothing")
    assert missing.status_code == 404
    assert "找不到这个页面" in missing.get_data(as_text=True)


def test_non_http_urls_are_never_links() -> None:
    for url in (
        "javascript:alert(1)",
        "JaVaScRiPt:x",
        " javascript:x",
        "java\tscript:x",
        "data:text/html,x",
        "vbscript:x",
        "//\x00evil",
        "",
        None,
        7,
    ):
        assert safe_url(url) is None, url
    for url in ("https://example.org/a b".replace(" ", "%20"), "http://x.org", "/a/b.html"):
        assert safe_url(url) == url


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/?q=桥")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert re.fullmatch(r"app;dur=\d+\.\d", response.headers["Server-Timing"])
    page = response.get_data(as_text=True)
    assert "<script>" not in page and " style=" not in page and "<style" not in page
    assert client.get("/static/search.js").status_code == 200


def test_api_errors_and_notices_have_codes(client: FlaskClient) -> None:
    data = client.get("/api/search?q=桥&sort=oldest").get_json()
    assert data["total"] == 3
    assert [h["id"] for h in data["hits"]][:2] == ["_posts/2022-03-01-a", "_posts/2023-05-01-b"]
    assert data["facets"]["months"] == {"2022-03": 1, "2023-05": 2}
    bad = client.get("/api/search?q=桥&sort=sideways")
    assert (bad.status_code, bad.get_json()) == (
        400,
        {
            "error": "sort: must be one of relevance, newest, oldest, not 'sideways'",
            "code": "bad_sort",
            "param": "sort",
            "status": 400,
        },
    )
    bad = client.get("/api/search?q=桥&until=2022-02-30").get_json()
    assert (bad["code"], bad["param"]) == ("bad_date", "until")
    notices = client.get("/api/search?q=" + "桥" * 101).get_json()["notices"]
    assert notices == [
        {
            "code": "query_cut",
            "message": "the query was cut to its first 100 characters",
            "params": {"chars": 100},
        }
    ]
    assert "查询过长，只搜索了前 100 个字符。" in text(client, "/?q=" + "桥" * 101)
    assert client.get("/api/nothing").get_json()["code"] == "not_found"


def test_empty_filter_values_are_ignored(client: FlaskClient) -> None:
    assert client.get("/api/search?q=桥&tag=&category=").get_json()["total"] == 3
    assert total(text(client, "/?q=桥&tag=")) == 3


def test_dates_are_exactly_yyyy_mm_dd_and_never_a_500(client: FlaskClient) -> None:
    page = text(client, "/?q=桥&since=2022-01-01&until=20240101")
    assert "结束日期“20240101”不是有效日期" in page and total(page) == 3
    page = text(client, "/?q=桥&since=2024-W10-1")
    assert "开始日期“2024-W10-1”不是有效日期" in page
    bad = client.get("/api/search?q=桥&since=20240101").get_json()
    assert (bad["code"], bad["param"]) == ("bad_date", "since")


def test_removing_the_last_filter_of_an_empty_query_lists_every_post(
    client: FlaskClient,
) -> None:
    page = text(client, "/?q=&tag=桥梁")
    assert total(page) == 2
    assert '<option value="newest" selected>最新</option>' in page  # as it is sorted
    count, href = facet_links(page, "tag")["桥梁"]
    assert (count, href) == (3, "?q=")
    assert total(text(client, "/" + href)) == 3
    assert '<a class="clear" href="?q=">清除筛选</a>' in page
    assert "怎样搜索" in text(client, "/")  # the bare start page is still the start page


def test_failures_are_json_in_the_api_and_chinese_on_the_page(index: Index) -> None:
    class Broken:
        def __getattr__(self, name: str) -> object:
            return getattr(index, name)

        def search(self, *args: object, **kwargs: object) -> object:
            raise RuntimeError("boom")

    app = create_app(Broken())  # type: ignore[arg-type]
    client = app.test_client()
    api = client.get("/api/search?q=桥")
    assert (api.status_code, api.get_json()) == (
        500,
        {"error": "服务器出错了，请稍后再试。", "code": "internal_error", "status": 500},
    )
    page = client.get("/?q=桥")
    assert page.status_code == 500
    assert "服务器出错了，请稍后再试。" in page.get_data(as_text=True)
    assert "Internal Server Error" not in page.get_data(as_text=True)
    wrong = client.post("/api/search")
    assert wrong.status_code == 405
    assert sorted(wrong.headers["Allow"].split(", ")) == ["GET", "HEAD", "OPTIONS"]


def test_page_ignores_limit_and_keeps_odd_recency_values(client: FlaskClient) -> None:
    page = text(client, "/?q=桥&limit=abc&recency=0.00001")
    assert "每页条数" not in page and 'class="error"' not in page
    assert '<option value="0.00001" selected>半衰期 0.00001 天</option>' in page


def test_the_request_log_cannot_be_forged(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from searcher.web import RequestLog

    def app(environ: dict[str, object], start_response: object) -> list[bytes]:
        start_response("404 NOT FOUND", [])  # type: ignore[operator]
        return [b""]

    environ = {
        "PATH_INFO": b'/posts/x\n2026 "GET /admin" 200\x1b[31m'.decode("latin-1"),
        "QUERY_STRING": "q=%E6%A1%A5",
        "REQUEST_METHOD": "GET",
        "REMOTE_ADDR": "127.0.0.1",
    }
    with caplog.at_level(logging.INFO, logger="searcher.web"):
        RequestLog(app)(environ, lambda *a: None)
    assert caplog.messages == [
        '127.0.0.1 "GET /posts/x%0A2026%20%22GET%20/admin%22%20200%1B%5B31m?q=%E6%A1%A5" 404 '
        + caplog.messages[0].rsplit(" ", 1)[1]
    ]


def test_the_start_page_searches_by_relevance(client: FlaskClient) -> None:
    # its sort menu was preset to 最新 (the order of the empty listing), so the first
    # search typed there was sorted by date (issue #23)
    start = text(client, "/")
    assert '<option value="relevance" selected>相关度</option>' in start
    assert '<option value="newest" selected>' not in start


def test_the_no_results_advice_mentions_quotes_only_when_typed(client: FlaskClient) -> None:
    # it advised removing quotes the reader had not typed (issue #23)
    plain = text(client, "/?q=海底隧道")
    assert "建议：检查错别字，换一个更短或更常用的词。" in plain
    quoted = text(client, '/?q="海底隧道"')
    assert "建议：检查错别字，换一个更短或更常用的词，或去掉引号。" in quoted


def test_back_to_search_returns_to_the_same_results_page_and_filters(
    client: FlaskClient,
) -> None:
    # ← 返回搜索 went back to the query alone, its page and filters lost (issue #23)
    search = "q=%E5%A4%A7%E6%A1%A5&category=%E5%9F%8E%E5%BB%BA&sort=newest&collapse=0"
    page = text(client, f"/?{search}")
    hrefs = re.findall(r'<a class="full" href="([^"]*)">全文</a>', page)
    assert [html.unescape(h).split("?", 1)[1] for h in hrefs] == [search, search]
    article = text(client, html.unescape(hrefs[0]))
    escaped = search.replace("&", "&amp;")
    assert f'<p class="back"><a href="/?{escaped}">← 返回搜索</a></p>' in article
    assert "<mark>大桥</mark>" in article  # the query still marks the article
    # an article opened from nowhere goes back to the start page; other parameters
    # (not a search's) are left out
    bare = text(client, "/posts/_posts/2022-03-01-a?x=1")
    assert '<p class="back"><a href="/">← 返回搜索</a></p>' in bare


def test_a_chosen_value_shows_the_results_and_what_removing_it_gives(
    client: FlaskClient,
) -> None:
    # a chosen value showed only the total without it (✓ 城建 3 beside 找到 1 篇), which
    # readers took for a bug (issue #23): now the current total, and the removal hint
    page = text(client, "/?q=大桥&category=城建&tag=文旅")
    assert total(page) == 1
    section = page.split('aria-labelledby="facet-category"', 1)[1].split("</section>", 1)[0]
    assert (
        '<span class="count" aria-label="当前 1 篇，去掉后 1 篇">1'
        '<span class="without" aria-hidden="true">去掉后 1</span></span>'
    ) in section
    tags = page.split('aria-labelledby="facet-tag"', 1)[1].split("</section>", 1)[0]
    assert '<span class="count" aria-label="当前 1 篇，去掉后 2 篇">1<span' in tags


def test_named_sites_may_call_the_api_and_no_other(index: Index) -> None:
    # a page of the site could not call /api/search: no CORS header (issue #23)
    app = create_app(index, cors_origins=["https://News.Example.com", "http://localhost:4000"])
    client = app.test_client()
    allowed = client.get("/api/search?q=大桥", headers={"Origin": "https://news.example.com"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://news.example.com"
    assert "Origin" in allowed.headers["Vary"]
    other = client.get("/api/search?q=大桥", headers={"Origin": "https://evil.example"})
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other.headers
    page = client.get("/?q=大桥", headers={"Origin": "https://news.example.com"})
    assert "Access-Control-Allow-Origin" not in page.headers  # the API only
    none = (
        create_app(index)
        .test_client()
        .get("/api/search?q=大桥", headers={"Origin": "https://news.example.com"})
    )
    assert "Access-Control-Allow-Origin" not in none.headers  # nothing by default
    for bad in ("news.example.com", "https://news.example.com/search", "ftp://x.org"):
        with pytest.raises(ValueError, match="not an origin"):
            create_app(index, cors_origins=[bad])


def test_health_names_the_generation_and_its_posts(client: FlaskClient, index: Index) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert answer.get_json() == {
        "status": "ok",
        "generation": index.engine.generation(),
        "documents": 3,
    }
