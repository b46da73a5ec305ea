"""One SearchRequest (issue #18): every parameter is checked once, and the library, the
command line, the page and the API take the same parameters with the same answers."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.datastructures import MultiDict

from searcher.cli import main
from searcher.errors import QueryError
from searcher.index import Index
from searcher.request import MAX_LIMIT, PARAMS, SearchRequest
from searcher.web import create_app
from searchutil import build, post

POSTS = {
    "_posts/2024-01-01-a.md": post(
        "大桥通车",
        "新建跨江大桥今日通车，" + "沿江两岸的居民从此不必绕行，" * 8 + "大桥全长三公里。",
        extra="tags: [桥梁]\n",
    ),
    "about.md": "---\ntitle: 关于大桥\n---\n本站报道大桥新闻。\n",
    "_notes/bridge.md": "---\ntitle: 大桥笔记\n---\n大桥的笔记。\n",
    "_config.yml": "collections:\n  notes:\n    output: true\n",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(tmp_path_factory.mktemp("request"), POSTS)


def visible(snippet: str) -> str:
    return re.sub(r"<[^>]+>", "", snippet).replace("&amp;", "&")


def test_each_bad_value_names_its_parameter_with_one_code() -> None:
    cases = [
        ({"limit": 0}, "bad_limit", "limit"),
        ({"limit": MAX_LIMIT + 1}, "bad_limit", "limit"),
        ({"page": 0}, "bad_page", "page"),
        ({"sort": "best"}, "bad_sort", "sort"),
        ({"since": "2024-13-01"}, "bad_date", "since"),
        ({"since": "2024-02-01", "until": "2024-01-01"}, "date_order", "since"),
        ({"recency": 0}, "bad_recency", "recency"),
        ({"recency": True}, "bad_recency", "recency"),
        ({"snippet_chars": 5}, "bad_snippet_chars", "snippet_chars"),
        ({"cpu_seconds": -1.0}, "bad_cpu_seconds", "cpu_seconds"),
        ({"tags": [f"t{i}" for i in range(51)]}, "too_many_values", "tags"),
    ]
    for params, code, param in cases:
        with pytest.raises(QueryError) as caught:
            SearchRequest("桥", **params)  # type: ignore[arg-type]
        assert (caught.value.code, caught.value.param) == (code, param), params


def test_values_are_normalised_once() -> None:
    request = SearchRequest("桥", tags="桥梁", categories=["b", "", "a", "b"])
    assert (request.tags, request.categories) == (("桥梁",), ("b", "a"))
    assert SearchRequest("").effective_sort == "newest"  # an empty query lists newest first
    assert SearchRequest().but(query="桥").effective_sort == "relevance"  # as given
    assert SearchRequest("桥", tags=["a", "b"]).key() == SearchRequest("桥", tags=["b", "a"]).key()
    assert SearchRequest("桥", since=dt.date(2024, 1, 1)).since == dt.date(2024, 1, 1)
    assert SearchRequest("桥", since=" 2024-01-01 ").since == dt.date(2024, 1, 1)


def test_url_parameters_round_trip() -> None:
    request = SearchRequest(
        "大桥",
        categories=("交通",),
        tags=("桥梁", "文旅"),
        types=("post",),
        since="2024-01-01",
        until="2024-12-31",
        sort="oldest",
        limit=20,
        page=3,
        recency=30.0,
        snippet_chars=80,
        match="loose",
        collapse=True,
    )
    assert SearchRequest.from_params(MultiDict(request.to_params())) == request
    assert sorted(PARAMS) == sorted(
        ["q", "category", "tag", "type", "since", "until", "sort", "page", "limit", "recency"]
        + ["snippet", "match", "collapse"]
    )


def test_url_parameters_are_read_strictly() -> None:
    for params, code in [
        ({"page": ["１２"]}, "bad_page"),  # int() would read full-width digits
        ({"since": ["20240101"]}, "bad_date"),  # fromisoformat would read it
        ({"sort": ["newest", "oldest"]}, "repeated_param"),
        ({"snippet": ["10"]}, "bad_snippet_chars"),  # the field's code, the URL's name
        ({"since": ["2024-W01-1"]}, "bad_date"),
    ]:
        with pytest.raises(QueryError) as caught:
            SearchRequest.from_params(MultiDict(params))
        assert caught.value.code == code, params
    problems: list[QueryError] = []
    made = SearchRequest.from_params(
        MultiDict({"q": ["桥"], "page": ["x"], "sort": ["newest"]}), problems=problems
    )
    assert (made.page, made.sort, [p.code for p in problems]) == (1, "newest", ["bad_page"])


def test_type_filter_and_snippet_size_reach_every_front_end(index: Index, tmp_path: Path) -> None:
    library = index.search("大桥", types=["page"])
    assert [h.type for h in library.hits] == ["page"]
    # drill sideways: removing the chosen type gives all 3, adding another gives 2
    assert list(library.facets["types"].items()) == [("page", 3), ("notes", 2), ("post", 2)]
    client = create_app(index).test_client()
    api = client.get("/api/search?q=大桥&type=page").get_json()
    assert [h["type"] for h in api["hits"]] == ["page"]
    assert api["facets"]["types"] == library.facets["types"]
    page = client.get("/?q=大桥&type=notes").get_data(as_text=True)
    assert "<mark>大桥</mark>笔记" in page and "<mark>大桥</mark>通车" not in page

    short = index.search("大桥", snippet_chars=30).hits
    longer = index.search("大桥", snippet_chars=200).hits
    post_short = next(h for h in short if h.type == "post")
    post_long = next(h for h in longer if h.type == "post")
    assert len(visible(post_short.snippet)) <= 30 + 2  # the cut is marked with …
    assert len(visible(post_long.snippet)) > 60
    api_short = client.get("/api/search?q=大桥&type=post&snippet=30").get_json()
    assert api_short["hits"][0]["snippet"] == post_short.snippet

    result = CliRunner().invoke(
        main,
        ["search", "大桥", "--index", str(index.path), "--type", "post"]
        + ["--snippet", "30", "--json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["hits"][0]["snippet"] == post_short.snippet


def test_the_same_bad_value_is_refused_alike_everywhere(index: Index) -> None:
    message = "limit: must be a whole number from 1 to 1000"
    with pytest.raises(QueryError, match=message):
        index.search("大桥", limit=0)
    api = create_app(index).test_client().get("/api/search?q=大桥&limit=0")
    assert (api.status_code, api.get_json()["code"]) == (400, "bad_limit")
    assert api.get_json()["error"].startswith(message)
    result = CliRunner().invoke(
        main, ["search", "大桥", "--index", str(index.path), "--limit", "0"]
    )
    assert result.exit_code != 0
    assert message in result.output


def test_hostile_values_are_query_errors_not_crashes(index: Index) -> None:
    """Found by a hostile test of the refactor: each was a TypeError, an OverflowError,
    a silently ignored filter or an accepted negative budget."""
    assert index.search("", tags=iter(["桥梁"])).total == 1  # a generator's values count
    assert index.search("", tags=(t for t in ["桥梁"])).total == 1
    for params, code in [
        ({"tags": 5}, "bad_value"),
        ({"categories": 1.5}, "bad_value"),
        ({"types": True}, "bad_value"),
        ({"tags": b"x"}, "bad_value"),
        ({"recency": 10**400}, "bad_recency"),
        ({"recency": float("inf")}, "bad_recency"),
        ({"recency": float("nan")}, "bad_recency"),
        ({"cpu_seconds": 10**400}, "bad_cpu_seconds"),
        ({"cpu_seconds": -0.5}, "bad_cpu_seconds"),
        ({"since": "20240101"}, "bad_date"),
        ({"since": "2024-W01"}, "bad_date"),
    ]:
        with pytest.raises(QueryError) as caught:
            index.search("大桥", **params)  # type: ignore[arg-type]
        assert caught.value.code == code, params
    assert index.search("大桥", cpu_seconds=0).total >= 0  # 0: stop at the first check


def test_date_order_is_read_in_the_site_time_zone(index: Index) -> None:
    """A four-hour range on 2 January in Asia/Shanghai (the index's zone) is valid even
    though its end is on 1 January in UTC; an empty one is refused there."""
    valid = index.search("", since="2024-01-02", until="2024-01-02T04:00:00+08:00")
    assert valid.total == 0  # (no post then) and no error
    with pytest.raises(QueryError) as caught:
        index.search("", since="2024-01-02T05:00:00+08:00", until="2024-01-02T04:00:00+08:00")
    assert (caught.value.code, caught.value.param) == ("date_order", "since")
    with pytest.raises(QueryError):  # plain days are checked when the request is made
        SearchRequest("桥", since="2024-01-03", until="2024-01-02")


def test_a_copy_keeps_the_sort_as_given_and_parameters_round_trip() -> None:
    assert SearchRequest().but(query="智慧城市").effective_sort == "relevance"
    for request in [
        SearchRequest("x", sort="newest"),
        SearchRequest("x", since=dt.datetime(2024, 1, 1, 8)),
        SearchRequest("x", until=dt.date(2024, 1, 1), recency=7.5),
        SearchRequest(""),
    ]:
        assert SearchRequest.from_params(MultiDict(request.to_params())) == request


def test_the_page_shows_and_clears_the_type_filter(index: Index) -> None:
    client = create_app(index).test_client()
    page = client.get("/?q=大桥&type=page").get_data(as_text=True)
    assert 'name="type" value="page" checked> 类型：页面' in page  # the chip
    assert 'aria-labelledby="facet-type"' in page  # the facet, types named in Chinese
    assert re.search(r'href="\?q=%E5%A4%A7%E6%A1%A5">清除筛选', page)  # drops the type too
    bad = client.get("/?q=大桥&snippet=5").get_data(as_text=True)
    assert "摘要长度“5”无效" in bad
    kept = client.get("/?q=大桥&snippet=40").get_data(as_text=True)
    assert '<input type="hidden" name="snippet" value="40">' in kept
