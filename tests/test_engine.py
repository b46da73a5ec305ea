"""The engine boundary (searcher.engine): what every engine hands back, through the
engine an Index holds (run once per engine by tests/conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from searcher.engine import Page, Sort, StoredPost
from searcher.index import Index
from searcher.query import parse, plan_query
from searcher.request import Filters
from searchutil import build, post

POSTS = {
    "_posts/2024-01-01-a.md": post(
        "量子芯片研发",
        "量子芯片研发取得突破。量子芯片的良品率提高。研究团队说，量子芯片将用于通信。",
        date="2024-01-01 09:00:00 +0800",
        extra="categories: 科技\ntags: [量子, 芯片]\n",
    ),
    "_posts/2024-02-01-b.md": post(
        "城市交通", "地铁新线开通。", date="2024-02-01 09:00:00 +0800", extra="categories: 交通\n"
    ),
    "notes.md": "---\ntitle: 笔记\n---\n没有日期的页面。\n",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(tmp_path_factory.mktemp("engine"), POSTS)


def test_stored_gives_the_post_as_the_site_reader_read_it(index: Index) -> None:
    stored = index.engine.stored("_posts/2024-01-01-a")
    assert stored == StoredPost(
        id="_posts/2024-01-01-a",
        path="_posts/2024-01-01-a.md",
        url="/%E7%A7%91%E6%8A%80/2024/01/01/a.html",
        source_url=None,
        type="post",
        title="量子芯片研发",
        body="量子芯片研发取得突破。量子芯片的良品率提高。研究团队说，量子芯片将用于通信。",
        date="2024-01-01T09:00:00+08:00",
        categories=("科技",),
        tags=("量子", "芯片"),
    )
    assert index.engine.stored("no/such/post") is None


def test_search_returns_records_not_engine_objects(index: Index) -> None:
    plan = plan_query(parse("量子芯片"), index.word_segmenter)
    found = index.engine.search(plan, Filters(), Sort("relevance"), Page(0, 10), 2.0)
    assert (found.total, found.unfiltered_total, found.stopped) == (1, 1, False)
    assert [type(h.post) for h in found.hits] == [StoredPost]
    assert found.hits[0].post.id == "_posts/2024-01-01-a"
    assert isinstance(found.hits[0].score, float) and found.hits[0].score > 0
    assert found.facets["categories"] == {"科技": 1}
    everything = plan_query(parse(""), index.word_segmenter)
    newest = index.engine.search(everything, Filters(), Sort("newest"), Page(0, 10), 2.0)
    assert [h.post.id for h in newest.hits] == [
        "_posts/2024-02-01-b",
        "_posts/2024-01-01-a",
        "notes",
    ]
    assert [h.score for h in newest.hits] == [None, None, None]
    day = int(dt.datetime(2024, 2, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())
    dated = index.engine.search(everything, Filters(start=day), Sort("oldest"), Page(0, 1), 2.0)
    assert (dated.total, [h.post.id for h in dated.hits]) == (1, ["_posts/2024-02-01-b"])


def test_stats_digests_and_key_terms(index: Index) -> None:
    stats = index.engine.stats()
    assert (stats.documents, stats.categories, stats.years) == (
        3,
        {"交通": 1, "科技": 1},
        {"2024": 2},
    )
    assert (stats.first, stats.last) == (1704070800, 1706749200)
    assert sorted(index.engine.digests()) == ["_posts/2024-01-01-a", "_posts/2024-02-01-b", "notes"]
    terms = index.engine.key_terms("_posts/2024-01-01-a", 3)
    assert {word for word, _ in terms[:2]} == {"量子", "芯片"}  # its most repeated words
    assert [w for _, w in terms] == sorted((w for _, w in terms), reverse=True)
    assert index.engine.key_terms("no/such/post") == []
