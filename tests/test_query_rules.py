"""Issue #20: a run as typed is the query; looser rules only when nothing matches
exactly, and they say so (``SearchResults.match``, a ``relaxed_*`` notice)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.index import Index
from searcher.query.relax import NEAR_WINDOW
from searchutil import NO_SHARED, SHARED_CORPUS, build, ids, post


def _p(name: str) -> str:
    return f"_posts/2024-03-01-{name}"


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(
        tmp_path_factory.mktemp("rules"),
        {
            f"{_p('model')}.md": post("甲", "公司发布大模型，用于客服。"),
            f"{_p('scatter')}.md": post("乙", "大型展会上展出了飞机模型。"),
            f"{_p('only')}.md": post("丙", "模型比赛今天举行。"),
            f"{_p('bili')}.md": post("丁", "我在B站看了发布会。"),
            f"{_p('bclass')}.md": post("戊", "B级车开进了车站。"),
            f"{_p('kline')}.md": post("己", "股市K线走势平稳。"),
            f"{_p('kshape')}.md": post("庚", "K型复苏带动地铁线路建设。"),
            f"{_p('brazil')}.md": post("辛", "中国和巴西签署合作协议。"),
            f"{_p('rural')}.md": post("壬", "乡村振兴战略稳步推进。"),
            f"{_p('nju')}.md": post("癸", "南京大学鼓楼校区今天开放。"),
            f"{_p('chaoyang')}.md": post("子", "朝阳区发布供暖通知。"),
            f"{_p('gov1')}.md": post("丑", "市政府召开常务会议。"),
            f"{_p('gov2')}.md": post("寅", "省政府发布通知。"),
            f"{_p('grain')}.md": post("卯", "粮食安全是头等大事。"),
        },
    )


def test_a_run_is_matched_as_typed_not_by_scattered_parts(rules: Index) -> None:
    results = rules.search("大模型")
    assert [h.id for h in results.hits] == [_p("model")]
    assert results.total == 1 and results.match == "exact" and results.notices == []
    assert results.hits[0].snippet == "公司发布<mark>大模型</mark>，用于客服。"
    assert results.looser  # the page offers the looser results as a link


def test_the_looser_results_rank_the_verbatim_post_first(rules: Index) -> None:
    results = rules.search("大模型", match="loose")
    assert results.match == "words"
    # 大 (one character) is dropped first; the verbatim post keeps its tier
    assert [h.id for h in results.hits][0] == _p("model")
    assert set(h.id for h in results.hits) == {_p("model"), _p("scatter"), _p("only")}
    # the exact post is among them: the notice says these come beside it
    assert [n.code for n in results.notices] == ["looser_words"]
    assert results.notices[0].params == {"query": "大模型", "kept": "模型", "dropped": "大"}
    snippets = {h.id: h.snippet for h in results.hits}
    assert snippets[_p("model")] == "公司发布<mark>大模型</mark>，用于客服。"
    assert snippets[_p("scatter")] == "大型展会上展出了飞机<mark>模型</mark>。"


@pytest.mark.parametrize(
    ("query", "found", "mark"),
    [("B站", "bili", "B站"), ("b站", "bili", "B站"), ("K线", "kline", "K线")],
)
def test_letters_stay_with_the_chinese_after_them(
    rules: Index, query: str, found: str, mark: str
) -> None:
    for match in ("auto", "loose"):
        results = rules.search(query, match=match)
        assert [h.id for h in results.hits] == [_p(found)]
        assert f"<mark>{mark}</mark>" in results.hits[0].snippet
    assert rules.search(query).looser is False  # one word: nothing to loosen


def test_a_function_word_in_a_run_is_loosened_to_near(rules: Index) -> None:
    results = rules.search("中国与巴西")
    assert [h.id for h in results.hits] == [_p("brazil")]
    assert results.match == "near"
    assert [n.code for n in results.notices] == ["relaxed_near"]
    assert results.notices[0].params == {
        "query": "中国与巴西",
        "parts": "中国、巴西",
        "window": NEAR_WINDOW,
    }
    assert results.hits[0].snippet == "<mark>中国</mark>和<mark>巴西</mark>签署合作协议。"
    assert results.suggestion is None  # the near rule found the words meant
    assert ids(rules, "关于乡村振兴") == [_p("rural")]
    # A run of one content word and a function word: the word alone, exactly.
    results = rules.search("对于粮食安全")  # 对于 + 粮食安全: the word alone
    assert [h.id for h in results.hits] == [_p("grain")]
    assert (results.match, results.notices[0].params["dropped"]) == ("words", "对于")
    assert results.notices[0].params["kept"] == "粮食安全"


def test_a_question_keeps_its_informative_word(rules: Index) -> None:
    results = rules.search("南京大学在哪个区")
    assert [h.id for h in results.hits] == [_p("nju")]
    assert results.match == "words"
    # The first step drops only the function words 在 and 哪个.
    assert results.notices[0].params["kept"] == "南京大学、区"
    assert results.notices[0].params["dropped"] == "在、哪个"


def test_one_missing_word_drops_the_most_frequent(rules: Index) -> None:
    # 朝阳区政府 occurs nowhere; 政府 is in two posts, 朝阳区 in one: 政府 goes first.
    results = rules.search("朝阳区政府")
    assert [h.id for h in results.hits] == [_p("chaoyang")]
    assert (results.match, results.total) == ("words", 1)
    assert results.notices[0].params["dropped"] == "政府"


def test_near_finds_parts_with_a_word_between(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            f"{_p('near')}.md": post("甲", "朝阳区人民政府召开会议。"),
            f"{_p('far')}.md": post("乙", "朝阳区今天天气晴朗，下午市政府召开会议。"),
        },
    )
    results = index.search("朝阳区政府")
    assert [h.id for h in results.hits] == [_p("near")]
    assert results.match == "near"
    assert results.hits[0].snippet == "<mark>朝阳区</mark>人民<mark>政府</mark>召开会议。"


def test_no_loosening_when_a_run_matches_or_filters_empty_it(rules: Index) -> None:
    assert rules.search("模型").total == 3  # the word itself: 3 posts, exact
    filtered = rules.search("大模型", tags=["科技"])
    assert (filtered.total, filtered.unfiltered_total, filtered.match) == (0, 1, "exact")


def test_quoted_phrases_are_never_loosened(rules: Index) -> None:
    results = rules.search('"中国与巴西"')
    assert (results.total, results.match) == (0, "exact")
    assert rules.search("中国与巴西", match="exact").total == 0


def test_only_single_characters_left_gives_nothing(rules: Index) -> None:
    results = rules.search("开站")  # 开 + 站: no loosening to every 站
    assert (results.total, results.match) == (0, "exact")


def test_the_api_and_page_say_which_rule_applied(rules: Index) -> None:
    from searcher.web import create_app

    client = create_app(rules).test_client()
    data = client.get("/api/search", query_string={"q": "中国与巴西"}).get_json()
    assert (data["match"], data["looser"], data["total"]) == ("near", False, 1)
    assert data["notices"][0]["code"] == "relaxed_near"
    page = client.get("/", query_string={"q": "中国与巴西"}).get_data(as_text=True)
    assert (
        f"没有找到完整的“中国与巴西”，以下结果包含相距不超过 {NEAR_WINDOW} 个字的“中国、巴西”。"
        in page
    )
    assert 'data-match="near"' in page
    page = client.get("/", query_string={"q": "大模型"}).get_data(as_text=True)
    assert 'href="?q=%E5%A4%A7%E6%A8%A1%E5%9E%8B&amp;match=loose">显示更宽泛的结果</a>' in page
    loose = client.get("/", query_string={"q": "大模型", "match": "loose"}).get_data(as_text=True)
    assert "部分匹配" in loose and "只看完整匹配" in loose
    bad = client.get("/api/search", query_string={"q": "大模型", "match": "all"})
    assert bad.status_code == 400 and bad.get_json()["param"] == "match"


# -- properties --------------------------------------------------------------------------

_WORDS = (
    "模型 大型 发布 政府 会议 城市 交通 数据 中心 平台 市场 经济 合作 发展 科技 人工 智能 新闻"
).split()


def _sentences(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 8)))
        + rng.choice("。，；")
        + "".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 6)))
        + "。"
        for _ in range(count)
    ]


_BODIES = _sentences(20, 40)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(
        tmp_path_factory.mktemp("generated"),
        {f"_posts/2024-03-01-g{i:02d}.md": post(f"第{i}篇", b) for i, b in enumerate(_BODIES)},
    )


@st.composite
def _runs(draw: st.DrawFn) -> str:
    body = draw(st.sampled_from(_BODIES))
    clauses = [c for c in re.split("[。，；]", body) if len(c) >= 2]
    clause = draw(st.sampled_from(clauses))
    size = draw(st.integers(2, min(6, len(clause))))
    start = draw(st.integers(0, len(clause) - size))
    return clause[start : start + size]


def _holding(run: str) -> set[str]:
    return {
        f"_posts/2024-03-01-g{i:02d}"
        for i, b in enumerate(_BODIES)
        if any(run in c for c in re.split("[。，；]", b))
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(run=_runs(), match=st.sampled_from(["auto", "loose"]))
def test_a_verbatim_run_is_always_in_the_first_tier(generated: Index, run: str, match: str) -> None:
    verbatim = _holding(run)
    found = ids(generated, run, match=match)
    assert verbatim <= set(found)  # recall stays 100%
    assert set(found[: len(verbatim)]) == verbatim  # and they come first
    if match == "auto":
        assert set(found) == verbatim  # nothing else while the run occurs


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(run=_runs())
def test_loosening_never_removes_a_verbatim_match(generated: Index, run: str) -> None:
    # A word no post holds makes the query match nothing exactly; the words rule drops
    # it and keeps every post holding the run, first.
    results = generated.search(f"{run} 火星车", limit=50)
    assert results.match == "words"
    found = [h.id for h in results.hits]
    assert set(found) == _holding(run)


@pytest.mark.skipif(not (SHARED_CORPUS / "xwlb-small").is_dir(), reason=NO_SHARED)
def test_big_model_on_xwlb_small_gives_exactly_its_verbatim_posts(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from searcher.site.corpus import read_corpus
    from searcher.site.records import Article

    corpus = SHARED_CORPUS / "xwlb-small"
    verbatim = {
        a.id
        for a in read_corpus(corpus)
        if isinstance(a, Article) and ("大模型" in a.title or "大模型" in a.body)
    }
    assert len(verbatim) == 2
    folder = tmp_path_factory.mktemp("xwlb-small") / "index"
    Index.build(folder, corpus)
    with Index.open(folder) as index:
        results = index.search("大模型", limit=50)
    assert {h.id for h in results.hits} == verbatim
    assert results.total == 2 and results.match == "exact"
    assert all("<mark>大模型</mark>" in h.snippet for h in results.hits)
    assert all("<mark>大</mark>" not in h.snippet for h in results.hits)


def test_a_run_without_its_function_words_ranks_first(tmp_path: Path) -> None:
    # 关于乡村振兴 occurs nowhere; the near rule finds both posts, and the one holding
    # 乡村振兴 verbatim ranks first although the other is newer and shorter.
    index = build(
        tmp_path,
        {
            f"{_p('run')}.md": post(
                "甲", "今年各地持续推进乡村振兴，农民收入稳步增长，基层治理不断加强。"
            ),
            "_posts/2025-03-01-apart.md": post(
                "乙", "推进乡村全面振兴。", "2025-03-01 10:00:00 +0800"
            ),
        },
    )
    results = index.search("关于乡村振兴")
    assert results.match == "near"
    assert [h.id for h in results.hits] == [_p("run"), "_posts/2025-03-01-apart"]
    assert ids(index, "乡村振兴", match="exact") == [_p("run")]
