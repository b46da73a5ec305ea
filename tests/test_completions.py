"""Suggestions as a reader types (issue #21): ``Index.suggest(prefix, limit)`` completes
Chinese prefixes, pinyin and initials, and Latin prefixes from the index's own words,
title phrases, tags, categories and titles, ranked by frequency and recency."""

from __future__ import annotations

import pytest

from searcher.errors import QueryError
from searcher.index import Index
from searcher.lexicon import Completion
from searchutil import build, post

POSTS = {
    "_posts/2024-03-01-wjg.md": post(
        "王建国当选人大代表", "王建国当选为人大代表。", date="2024-03-01"
    ),
    "_posts/2024-03-02-wjg2.md": post("王建国调研农业", "王建国到农村调研。", date="2024-03-02"),
    "_posts/2022-01-01-wjj.md": post("王建军退休", "王建军今年退休。", date="2022-01-01"),
    "_posts/2024-03-03-xm.md": post(
        "小米发布Xiaomi 15", "小米公司发布新手机Xiaomi 15。", date="2024-03-03"
    ),
    "_posts/2024-03-04-ts.md": post(
        "Tesla降价", "特斯拉宣布Tesla Model 3降价。", date="2024-03-04"
    ),
    "_posts/2024-03-05-tag.md": post(
        "城市快讯",
        "今日城市新闻。",
        date="2024-03-05",
        extra="tags: [智慧城市]\ncategories: [城市建设]\n",
    ),
    "_posts/2024-03-06-book.md": post("王建的新书", "王建的新书出版。", date="2024-03-06"),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(tmp_path_factory.mktemp("completions"), POSTS)


def shown(completions: list[Completion]) -> list[tuple[str, str, str, int]]:
    return [(c.text, c.kind, c.aid, c.posts) for c in completions]


def test_a_chinese_prefix_completes_to_words_then_titles(index: Index) -> None:
    assert shown(index.suggest("王建", 5)) == [
        ("王建国", "word", "literal", 2),  # two posts
        ("王建的新书", "title", "literal", 1),  # the newest post
        ("王建国调研农业", "title", "literal", 1),
        ("王建国当选人大代表", "title", "literal", 1),
        ("王建军", "word", "literal", 1),  # one post, two years older
    ]


def test_pinyin_and_initials_complete_to_chinese_words(index: Index) -> None:
    assert shown(index.suggest("wangj", 5)) == [
        ("王建国", "word", "pinyin", 2),
        ("王建", "word", "pinyin", 1),  # in the newest title
        ("王建的新书", "title", "pinyin", 1),  # a title of 2–8 characters
        ("王建国调研农业", "title", "pinyin", 1),
        ("王建军", "word", "pinyin", 1),  # two years older
    ]
    assert shown(index.suggest("wjg", 1)) == [("王建国", "word", "pinyin", 2)]
    assert shown(index.suggest("wangjianj", 3)) == [
        ("王建军", "word", "pinyin", 1),
        ("王建军退休", "title", "pinyin", 1),
    ]


def test_latin_prefixes_complete_as_written_and_as_pinyin(index: Index) -> None:
    assert shown(index.suggest("Xiaom", 3)) == [  # literal completions first
        ("Xiaomi", "word", "literal", 1),
        ("小米发布Xiaomi 15", "title", "literal", 1),
        ("小米", "word", "pinyin", 1),
    ]
    assert shown(index.suggest("tesl", 3)) == [
        ("Tesla", "word", "literal", 1),
        ("Tesla降价", "title", "literal", 1),
        ("特斯拉", "word", "pinyin", 1),  # in no title: as old as the oldest post
    ]


def test_tags_and_categories_complete(index: Index) -> None:
    assert shown(index.suggest("智慧", 2)) == [("智慧城市", "tag", "literal", 1)]
    assert shown(index.suggest("城市建", 1)) == [("城市建设", "category", "literal", 1)]


def test_a_completion_carries_its_date_and_a_titles_url(index: Index) -> None:
    best = index.suggest("王建国调", 1)[0]
    assert best.to_dict() == {
        "text": "王建国调研农业",
        "kind": "title",
        "aid": "literal",
        "posts": 1,
        "date": "2024-03-02T00:00:00+08:00",
        "url": "/2024/03/02/wjg2.html",
    }


@pytest.mark.parametrize("prefix", ["", "   ", "王\x00建", "王\u2028", "建" * 65, "，。！"])
def test_an_unusable_prefix_gets_an_empty_list(index: Index, prefix: str) -> None:
    assert index.suggest(prefix) == []


@pytest.mark.parametrize("limit", [0, 51, -1, True, "3"])
def test_a_bad_limit_is_a_query_error_naming_it(index: Index, limit: object) -> None:
    with pytest.raises(QueryError) as caught:
        index.suggest("王建", limit)  # type: ignore[arg-type]
    assert (caught.value.param, caught.value.code) == ("limit", "bad_limit")


def test_completions_follow_the_index(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("follow")
    index = build(root, {"_posts/2024-01-01-a.md": post("量子计算", "量子计算进展。")})
    assert shown(index.suggest("量子", 1)) == [("量子计算", "title", "literal", 1)]
    (root / "corpus/_posts/2024-01-01-a.md").write_text(
        post("量子通信", "量子通信进展。"), encoding="utf-8"
    )
    index.update(root / "corpus")
    assert shown(index.suggest("量子", 1)) == [("量子通信", "title", "literal", 1)]
