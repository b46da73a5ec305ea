"""Query syntax, filters, sorting, paging, errors and threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from searcher.errors import QueryError
from searcher.index import Index
from searcher.query import parse
from searchutil import build, ids, post


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(
        tmp_path_factory.mktemp("query"),
        {
            "_posts/2024-01-05-a.md": post(
                "央行下调存款准备金率",
                "央行宣布下调存款准备金率，商业银行释放长期资金。",
                date="2024-01-05 09:00:00 +0800",
                extra="categories: 财经\ntags: [货币政策, 银行]\n",
            ),
            "_posts/2024-06-30-b.md": post(
                "新能源汽车销量增长",
                "上半年新能源汽车销量同比增长，银行加大汽车消费贷款投放。",
                date="2024-06-30 23:30:00 +0800",
                extra="categories: 财经 汽车\ntags: [新能源汽车]\n",
            ),
            "_posts/2025-03-01-c.md": post(
                "地铁新线开通",
                "地铁新线今日开通运营，沿线银行网点延长营业时间。",
                date="2025-03-01",
                extra="categories: 社会\ntags: [交通, 银行]\n",
            ),
            "undated-d.md": "---\ntitle: 无日期的银行公告\n---\n银行公告：系统升级。\n",
        },
    )


A, B, C, D = (
    "_posts/2024-01-05-a",
    "_posts/2024-06-30-b",
    "_posts/2025-03-01-c",
    "undated-d",
)


def test_words_are_anded(news: Index) -> None:
    assert ids(news, "银行 汽车") == [B]
    assert ids(news, "银行 AND 汽车") == [B]


def test_or_and_exclusion(news: Index) -> None:
    assert set(ids(news, "准备金 OR 地铁")) == {A, C}
    assert set(ids(news, "银行 -汽车")) == {A, C, D}
    assert set(ids(news, "银行 NOT 汽车")) == {A, C, D}
    assert set(ids(news, '银行 -"地铁新线"')) == {A, B, D}
    assert ids(news, "-银行") == []
    assert ids(news, "-地铁", sort="oldest") == [A, B, D]


def test_title_only(news: Index) -> None:
    assert ids(news, "title:银行") == [D]
    assert ids(news, 'title:"新线开通"') == [C]
    assert ids(news, "title:释放") == []


def test_filters(news: Index) -> None:
    assert set(ids(news, "银行", categories=["财经"])) == {A, B}
    assert set(ids(news, "", categories=["汽车", "社会"])) == {B, C}
    assert set(ids(news, "", tags=["银行"])) == {A, C}
    assert ids(news, "", since="2024-06-30", until="2024-06-30") == [B]  # 23:30 local time
    assert ids(news, "", since="2025-01-01") == [C]
    assert ids(news, "", until="2024-01-05") == [A]


def test_sorting_puts_undated_last(news: Index) -> None:
    assert ids(news, "银行", sort="newest") == [C, B, A, D]
    assert ids(news, "银行", sort="oldest") == [A, B, C, D]
    assert ids(news, "") == [C, B, A, D]  # an empty query lists newest first


def test_paging_and_facets_cover_all_matches(news: Index) -> None:
    first = news.search("银行", sort="oldest", limit=2, page=1)
    second = news.search("银行", sort="oldest", limit=2, page=2)
    assert [h.id for h in first.hits + second.hits] == [A, B, C, D]
    assert first.total == second.total == 4
    assert first.facets == {
        "categories": {"财经": 2, "汽车": 1, "社会": 1},
        "tags": {"银行": 2, "交通": 1, "新能源汽车": 1, "货币政策": 1},
        "years": {"2024": 2, "2025": 1},
        "months": {"2024-01": 1, "2024-06": 1, "2025-03": 1},
        "types": {"post": 3, "page": 1},
    }
    assert news.search("银行", limit=2, page=9).hits == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        '"银行',
        '银行"',
        "OR",
        "OR OR 银行",
        "-",
        "- 银行",
        "title:",
        'title:""',
        "NOT",
        "AND",
        "(银行)",
        "银行)",
        "*",
        "银行*",
        "?",
        "：",
        "\x00\x01",
        "😀",
        "银" * 3000,
    ],
)
def test_malformed_queries_never_raise(news: Index, query: str) -> None:
    results = news.search(query)
    assert results.total >= 0


def test_lone_quote_is_ignored(news: Index) -> None:
    assert set(ids(news, '"银行')) == set(ids(news, "银行")) == {A, B, C, D}
    assert ids(news, "OR 地铁") == [C]
    assert ids(news, "地铁 OR") == [C]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sort": "sideways"}, "sort: must be one of relevance, newest, oldest, not 'sideways'"),
        ({"limit": 0}, "limit: must be a whole number from 1 to 1000, not 0"),
        ({"page": 0}, "page: must be a whole number from 1, not 0"),
        ({"since": "2024-13-45"}, "since: not a date (YYYY-MM-DD): '2024-13-45'"),
        (
            {"since": "2025-01-01", "until": "2024-01-01"},
            "since: 2025-01-01 is after until: 2024-01-01",
        ),
    ],
)
def test_bad_parameters_name_themselves(
    news: Index, options: dict[str, object], message: str
) -> None:
    with pytest.raises(QueryError) as error:
        news.search("银行", **options)  # type: ignore[arg-type]
    assert str(error.value) == message


def test_parse() -> None:
    parsed = parse('证券 OR 股票 -基金 title:"人民 的" ＂全角＂')
    assert [[c.text for c in g] for g in parsed.groups] == [["证券", "股票"], ["人民 的"], ["全角"]]
    assert [c.text for c in parsed.excluded] == ["基金"]
    assert parsed.groups[1][0].title_only and parsed.groups[1][0].quoted


def test_threads_share_one_index(news: Index) -> None:
    queries = ["银行", "汽车", "地铁", '"准备金"', "银行 -汽车", ""] * 8
    expected = [news.search(q).to_dict() for q in queries]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda q: news.search(q).to_dict(), queries))
    assert got == expected


@pytest.mark.parametrize("query", ['"', "-", "OR", "NOT", "😀", "，。！", '""'])
def test_query_with_nothing_to_search_says_so(news: Index, query: str) -> None:
    results = news.search(query)
    assert (results.total, results.hits) == (0, [])
    assert results.notices == [
        "the query has nothing to search for (no letters, digits or Chinese characters)"
    ]
    assert news.search("  ").total == 4  # a blank query browses every post


def test_long_query_is_cut_with_a_notice(news: Index) -> None:
    results = news.search("银行 " + "的" * 5000)
    assert results.notices[0] == "the query was cut to its first 100 characters"
    assert {h.id for h in results.hits} == {A, B, C, D}


def test_searches_during_updates(tmp_path: Path) -> None:
    posts = {
        f"_posts/2022-03-{i:02d}-p{i}.md": post(f"标题{i}", f"正文{i}，银行。")
        for i in range(1, 11)
    }
    index = build(tmp_path, posts)
    errors: list[BaseException] = []
    stop = threading.Event()

    def searching() -> None:
        while not stop.is_set():
            try:
                assert index.search("银行").total == 10
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
                errors.append(exc)

    threads = [threading.Thread(target=searching) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for round_ in range(5):
            for i in range(1, 11):
                path = tmp_path / "corpus" / f"_posts/2022-03-{i:02d}-p{i}.md"
                path.write_text(post(f"标题{i}", f"正文{i}，银行，第{round_}轮。"), "utf-8")
            assert index.update(tmp_path / "corpus").updated == 10
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
