"""Collapse (issue #22): one hit per story group, the total, facet counts and pages
counting groups, the other copies folded under the best-ranked one; in the library,
the CLI, the API and the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from searcher.cli import main
from searcher.errors import QueryError
from searcher.index import Index
from searcher.request import SearchRequest
from searcher.web import create_app
from storysite import GROUP, doc_id

GROUP_IDS = [doc_id(p) for p in GROUP]


def test_collapse_shows_one_post_per_group_and_counts_groups(story_index: Index) -> None:
    plain = story_index.search("大桥", limit=50)
    folded = story_index.search("大桥", limit=50, collapse=True)
    assert (plain.total, plain.collapsed) == (11, False)
    assert (folded.total, folded.collapsed) == (6, True)
    assert folded.unfiltered_total == 11  # posts, as documented
    shown = [h for h in folded.hits if h.id in GROUP_IDS]
    assert len(shown) == 1
    best = next(h for h in plain.hits if h.id in GROUP_IDS)  # the best-ranked copy
    assert shown[0].id == best.id and shown[0].group == GROUP_IDS[0]
    assert sorted(p.id for p in shown[0].similar) == sorted(set(GROUP_IDS) - {best.id})
    # newest first, each with its highlighted title
    dates = [p.date for p in shown[0].similar]
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]
    assert all("<mark>大桥</mark>" in p.title_html for p in shown[0].similar if "大桥" in p.title)
    assert all(not h.similar for h in plain.hits)
    assert {h.group for h in plain.hits if h.id in GROUP_IDS} == {GROUP_IDS[0]}


def test_facet_counts_under_collapse_are_the_totals_of_each_choice(story_index: Index) -> None:
    folded = story_index.search("大桥", collapse=True)
    assert folded.facets["categories"] == {"交通": 4, "经济": 3}
    assert folded.facets["tags"] == {"基建": 5, "大桥": 4, "农业": 1}
    assert folded.facets["years"] == {"2024": 5, "2025": 1}
    for value, count in folded.facets["categories"].items():
        assert story_index.search("大桥", collapse=True, categories=[value]).total == count
    for value, count in folded.facets["tags"].items():
        assert story_index.search("大桥", collapse=True, tags=[value]).total == count
    one = story_index.search("大桥", collapse=True, categories=["经济"])
    # adding 交通 to 经济 gives 交通 or 经济: every group; removing 经济 too
    assert one.facets["categories"] == {"交通": 6, "经济": 6}
    assert story_index.search("大桥", collapse=True, categories=["经济", "交通"]).total == 6
    both = story_index.search("大桥", collapse=True, categories=["经济", "交通"])
    # removing one of two chosen values: the groups with a post of the other
    assert both.facets["categories"] == {"交通": 3, "经济": 4}
    year = story_index.search("大桥", collapse=True, since="2024-01-01", until="2024-12-31")
    assert year.total == folded.facets["years"]["2024"]
    assert year.facets["months"] == {"2024-05": 5, "2025-05": 1}


def test_a_filter_picks_the_group_s_best_post_that_passes_it(story_index: Index) -> None:
    found = story_index.search("大桥", collapse=True, categories=["经济"], limit=50)
    shown = [h for h in found.hits if h.id in GROUP_IDS]
    assert [h.id for h in shown] in ([GROUP_IDS[1]], [GROUP_IDS[3]])
    # the other copy in 经济 is folded under it; copies in 交通 alone are not
    assert [p.id for p in shown[0].similar] == sorted({GROUP_IDS[1], GROUP_IDS[3]} - {shown[0].id})


def test_every_page_shows_the_groups_once(story_index: Index) -> None:
    for sort in ("relevance", "newest", "oldest"):
        seen: list[str] = []
        total = story_index.search("大桥", collapse=True, sort=sort).total
        for page in range(1, total + 2):
            hits = story_index.search("大桥", collapse=True, sort=sort, limit=2, page=page).hits
            seen.extend(h.group for h in hits)
        assert len(seen) == total == len(set(seen)) == 6, sort


def test_date_sorts_show_the_newest_or_oldest_copy(story_index: Index) -> None:
    newest = story_index.search("大桥", collapse=True, sort="newest", limit=50)
    oldest = story_index.search("大桥", collapse=True, sort="oldest", limit=50)
    assert [h.id for h in newest.hits if h.id in GROUP_IDS] == [GROUP_IDS[5]]
    assert [h.id for h in oldest.hits if h.id in GROUP_IDS] == [GROUP_IDS[0]]
    assert [h.id for h in newest.hits][0] == "_posts/2025-05-10-bridge-again"


def test_an_empty_query_collapses_the_listing_too(story_index: Index) -> None:
    assert story_index.search("", collapse=True).total == 12 - 5
    assert story_index.search("").total == 12


def test_collapse_is_a_yes_or_no_parameter() -> None:
    def read(*values: str) -> SearchRequest:
        return SearchRequest.from_pairs([("collapse", v) for v in values])

    assert [read(v).collapse for v in ("1", "true", "ON", "yes")] == [True] * 4
    assert [read(v).collapse for v in ("0", "false", "off", "No")] == [False] * 4
    assert read().collapse is False and read("").collapse is False
    assert SearchRequest.from_pairs([], collapse=True).collapse is True  # the page's default
    for bad in ("2", "maybe"):
        with pytest.raises(QueryError) as caught:
            read(bad)
        assert (caught.value.code, caught.value.param) == ("bad_collapse", "collapse")
    with pytest.raises(QueryError) as caught:
        read("1", "0")
    assert caught.value.code == "repeated_param"
    with pytest.raises(QueryError):
        SearchRequest(collapse="yes")  # type: ignore[arg-type]
    on = SearchRequest("大桥", collapse=True)
    assert on.to_params() == [("q", "大桥"), ("collapse", "1")]
    assert SearchRequest.from_pairs(on.to_params()) == on
    off = SearchRequest("大桥")
    assert off.to_params(collapse=True) == [("q", "大桥"), ("collapse", "0")]
    assert SearchRequest.from_pairs(off.to_params(collapse=True), collapse=True) == off
    assert on.key() != off.key()


def test_the_api_collapses_when_asked(story_client: FlaskClient) -> None:
    plain = story_client.get("/api/search?q=大桥&limit=50").get_json()
    folded = story_client.get("/api/search?q=大桥&limit=50&collapse=1").get_json()
    assert (plain["total"], plain["collapsed"]) == (11, False)
    assert (folded["total"], folded["collapsed"]) == (6, True)
    hit = next(h for h in folded["hits"] if h["similar"])
    assert hit["group"] == GROUP_IDS[0] and len(hit["similar"]) == 5
    assert set(hit["similar"][0]) >= {"id", "title", "title_html", "url", "date"}
    bad = story_client.get("/api/search?q=大桥&collapse=2")
    assert bad.status_code == 400 and bad.get_json()["param"] == "collapse"


def test_the_page_folds_by_default_and_unfolds_on_request(story_client: FlaskClient) -> None:
    page = story_client.get("/?q=大桥").get_data(as_text=True)
    assert '找到 <strong id="total">6</strong> 组报道' in page
    assert page.count('<details class="similar">') == 1
    assert "<summary>5 篇相似报道</summary>" in page
    assert 'class="unfold" href="?q=%E5%A4%A7%E6%A1%A5&amp;collapse=0"' in page
    flat = story_client.get("/?q=大桥&collapse=0").get_data(as_text=True)
    assert '找到 <strong id="total">11</strong> 篇' in flat
    assert '<details class="similar">' not in flat
    assert 'class="refold" href="?q=%E5%A4%A7%E6%A1%A5"' in flat


def test_the_cli_collapses_with_a_flag(story_built: Path) -> None:
    runner = CliRunner()
    folded = runner.invoke(main, ["search", "大桥", "--index", str(story_built), "--collapse"])
    assert folded.exit_code == 0, folded.output
    assert "-- matches: 6 story groups" in folded.output
    assert folded.output.count("5 similar: ") == 1
    plain = runner.invoke(main, ["search", "大桥", "--index", str(story_built), "--json"])
    assert json.loads(plain.output)["total"] == 11


def test_a_collapsed_search_that_folds_nothing_says_posts(
    story_index: Index, story_client: FlaskClient
) -> None:
    rain = story_index.search("降雨", collapse=True)
    assert (rain.total, rain.collapsed, rain.folded) == (1, True, False)
    assert story_index.search("大桥", collapse=True).folded is True
    assert story_index.search("大桥").folded is False
    page = story_client.get("/?q=降雨").get_data(as_text=True)
    assert '找到 <strong id="total">1</strong> 篇' in page and 'class="fold"' not in page
    # one copy matching alone is not folded either
    one = story_index.search("两岸协作", collapse=True)
    assert (one.total, one.folded, [h.id for h in one.hits]) == (1, False, [GROUP_IDS[3]])


def test_the_start_page_lists_a_reprinted_story_once(tmp_path: Path) -> None:
    from searchutil import build, post
    from storysite import BODY

    copies = {
        f"_posts/2024-06-0{d}-copy{d}.md": post(
            f"大桥通车{d}", BODY, f"2024-06-0{d} 10:00:00 +0800"
        )
        for d in (1, 2, 3)
    }
    older = {
        f"_posts/2024-05-0{d}-other{d}.md": post(f"其他新闻{d}", f"第{d}条消息。", f"2024-05-0{d}")
        for d in (1, 2, 3, 4, 5)
    }
    app = create_app(build(tmp_path, {**copies, **older})).test_client()
    start = app.get("/").get_data(as_text=True).split("最新文章", 1)[1].split("</ul>", 1)[0]
    assert [t for t in ("大桥通车1", "大桥通车2", "大桥通车3") if t in start] == ["大桥通车3"]
    assert start.count("<li>") == 5
