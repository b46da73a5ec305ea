"""The search page and its JSON API (Flask's test client; no browser needed)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from searcher.web import create_app
from searchutil import build, post


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    index = build(
        tmp_path_factory.mktemp("web"),
        {
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
        },
    )
    return create_app(index).test_client()


def test_page_shows_marked_escaped_results(client: FlaskClient) -> None:
    page = client.get("/?q=大桥").get_data(as_text=True)
    assert '<p class="meta" id="total">2 篇' in page
    assert "新建跨江<mark>大桥</mark>今日通车。" in page
    assert "&lt;b&gt;<mark>大桥</mark>&lt;/b&gt;维修" in page  # text, never markup
    assert "<b>" not in page and "<script>" not in page
    assert '<a href="?q=%E5%A4%A7%E6%A1%A5&amp;category=%E4%BA%A4%E9%80%9A">交通</a> (1)' in page


def test_page_filters_and_empty_form(client: FlaskClient) -> None:
    page = client.get("/?q=桥&category=城建").get_data(as_text=True)
    assert '<p class="meta" id="total">1 篇' in page
    assert "旧<mark>桥</mark>维修" in page
    assert "篇" not in client.get("/").get_data(as_text=True)


def test_api_matches_cli_json_shape(client: FlaskClient) -> None:
    data = client.get("/api/search?q=桥&sort=oldest").get_json()
    assert data["total"] == 2
    assert [h["id"] for h in data["hits"]] == ["_posts/2022-03-01-a", "_posts/2023-05-01-b"]
    assert data["hits"][0]["date"] == "2022-03-01T10:00:00+08:00"
    assert data["facets"]["years"] == {"2022": 1, "2023": 1}
    bad = client.get("/api/search?q=桥&sort=sideways")
    assert bad.status_code == 400
    assert bad.get_json() == {
        "error": "sort: must be one of relevance, newest, oldest, not 'sideways'"
    }
    page = client.get("/?q=桥&since=2022-13-01").get_data(as_text=True)
    assert "since: not a date (YYYY-MM-DD): &#39;2022-13-01&#39;" in page


def test_titles_link_to_the_site_and_sources_are_shown(client: FlaskClient) -> None:
    page = client.get("/?q=跨江").get_data(as_text=True)
    # No url: in a _config.yml, so the link is root-relative (Jekyll's relative_url).
    assert '<h2><a href="/%E4%BA%A4%E9%80%9A/2022/03/01/a.html">' in page
    assert '<a class="source" href="https://source.example.org/a"' in page
    hit = client.get("/api/search?q=跨江").get_json()["hits"][0]
    assert (hit["url"], hit["source_url"], hit["type"]) == (
        "/%E4%BA%A4%E9%80%9A/2022/03/01/a.html",
        "https://source.example.org/a",
        "post",
    )
