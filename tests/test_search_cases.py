"""CASES.md C1–C6: the faults other engines have on Chinese text, with exact values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searcher.index import Index
from searchutil import build, ids, post, snippet

# -- C1 phrase queries ---------------------------------------------------------------


@pytest.fixture(scope="module")
def c1(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(
        tmp_path_factory.mktemp("c1"),
        {
            "_posts/2022-03-01-a.md": post("甲", "学员进了中等技术学校，学习机械制造。"),
            "_posts/2022-03-01-b.md": post("乙", "2022年GDP增长，支持5G网络建设。"),
        },
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"中等技术学校"', ["_posts/2022-03-01-a"]),
        ('"技术学校"', ["_posts/2022-03-01-a"]),
        ('"进了中等技术学校"', ["_posts/2022-03-01-a"]),
        ('"学校技术"', []),
        ('"2022年"', ["_posts/2022-03-01-b"]),
        ('"支持5G"', ["_posts/2022-03-01-b"]),
        ('"5G支持"', []),
        ('"技术学校，学习"', ["_posts/2022-03-01-a"]),
    ],
)
def test_c1_phrases(c1: Index, query: str, expected: list[str]) -> None:
    assert ids(c1, query) == expected


def test_c1_phrase_snippet(c1: Index) -> None:
    assert snippet(c1, '"中等技术学校"') == "学员进了<mark>中等技术学校</mark>，学习机械制造。"


def test_c1_phrase_never_spans_punctuation(tmp_path: Path) -> None:
    index = build(tmp_path, {"_posts/2022-03-01-a.md": post("甲", "他们来到学校，学习很认真。")})
    assert ids(index, '"学校学习"') == []
    assert ids(index, '"学校，学习"') == ["_posts/2022-03-01-a"]


# -- C2 query words the text never produced ------------------------------------------


@pytest.fixture(scope="module")
def c2(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(
        tmp_path_factory.mktemp("c2"),
        {
            "_posts/2022-03-01-a.md": post("甲", "上海证券交易所发布公告，三家公司获准上市。"),
            "_posts/2022-03-01-b.md": post("乙", "全国人民代表大会今日在京开幕。"),
            "_posts/2022-03-01-c.md": post("丙", "珠江桥牌调味品出口增长。"),
        },
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("证券交易", "a"),
        ("人民代表", "b"),
        ("珠江桥", "c"),
        ("证券交易 公告", "a"),
        ("交易所发布", "a"),
        ("代表大", "b"),
        ("调味", "c"),
    ],
)
def test_c2_substrings_of_words(c2: Index, query: str, expected: str) -> None:
    assert ids(c2, query) == [f"_posts/2022-03-01-{expected}"]


def test_c2_snippet(c2: Index) -> None:
    assert snippet(c2, "证券交易") == "上海<mark>证券交易</mark>所发布公告，三家公司获准上市。"


def test_whole_word_ranks_above_substring(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "_posts/2022-03-01-a.md": post("甲", "日本田径队今日出发参加比赛。"),
            "_posts/2022-03-01-b.md": post("乙", "本地的田园风光吸引游客。"),
            "_posts/2022-03-01-c.md": post("丙", "本田发布新款混合动力车型。"),
        },
    )
    # 本田 as a word ranks first; the literal run inside 日本田径 still comes back;
    # 本地…田 does not hold 本田 at all.
    assert ids(index, "本田") == ["_posts/2022-03-01-c", "_posts/2022-03-01-a"]


# -- C3 sub-words and single characters ------------------------------------------------


@pytest.fixture(scope="module")
def c3(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(
        tmp_path_factory.mktemp("c3"),
        {
            "_posts/2022-03-01-a.md": post("甲", "这款软件安装简单，没有复杂的配置。"),
            "_posts/2022-03-01-b.md": post("乙", "待处理案件数量下降，在建工程顺利验收。"),
            "_posts/2022-03-01-c.md": post("丙", "新建跨江大桥今日通车。"),
        },
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("简单", "a"),
        ("处理", "b"),
        ("工程", "b"),
        ("大桥", "c"),
        ("桥", "c"),
        ('"跨江大"', "c"),
        ("江大", "c"),
        ("件数", "b"),
        ("装简", "a"),
    ],
)
def test_c3_subwords(c3: Index, query: str, expected: str) -> None:
    assert ids(c3, query) == [f"_posts/2022-03-01-{expected}"]


def test_c3_snippets_cut_nothing(c3: Index) -> None:
    assert snippet(c3, "处理") == "待<mark>处理</mark>案件数量下降，在建工程顺利验收。"
    assert snippet(c3, "桥") == "新建跨江大<mark>桥</mark>今日通车。"


# -- C4 highlights exact to the character ----------------------------------------------


@pytest.fixture(scope="module")
def c4(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(
        tmp_path_factory.mktemp("c4"),
        {
            "_posts/2022-03-01-a.md": post("甲", "代表团到了会场，随后发言。"),
            "_posts/2022-03-01-b.md": post("乙", "𠮷野镇新店开业，市民排队。"),
        },
    )


def test_c4_exact_highlights(c4: Index) -> None:
    assert snippet(c4, "代表团") == "<mark>代表团</mark>到了会场，随后发言。"
    assert snippet(c4, "新店") == "𠮷野镇<mark>新店</mark>开业，市民排队。"
    assert snippet(c4, "𠮷野") == "<mark>𠮷野</mark>镇新店开业，市民排队。"


def test_c4_output_is_clean_utf8(c4: Index) -> None:
    for query in ("代表团", "新店", "𠮷", "野镇"):
        text = json.dumps(c4.search(query).to_dict(), ensure_ascii=False)
        assert "\ufffd" not in text
        assert text.encode("utf-8").decode("utf-8") == text
    assert ids(c4, "𠮷") == ["_posts/2022-03-01-b"]


# -- C5 letters, digits, decimals, full-width forms ------------------------------------

C5_BODY = (
    "新款iPhone14支持5G网络。人民币中间价报6.3512，同比增长6.3512%。ＡＩ芯片２０２２年出货量翻番。"
)


@pytest.fixture(scope="module")
def c5(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(
        tmp_path_factory.mktemp("c5"),
        {
            "_posts/2022-03-01-a.md": post("甲", C5_BODY),
            "_posts/2022-03-01-b.md": post("乙", "iPhone发布会在加州举行，said the AI team。"),
        },
    )


@pytest.mark.parametrize(
    "query",
    [
        "iPhone14",
        "iphone14",
        "IPHONE14",
        "5G",
        "5g",
        "5G网络",
        "6.3512",
        "ＡＩ芯片",
        "2022",
        "2022年",
        "２０２２",
    ],
)
def test_c5_found(c5: Index, query: str) -> None:
    assert ids(c5, query) == ["_posts/2022-03-01-a"]


def test_c5_whole_or_at_letter_digit_boundary(c5: Index) -> None:
    assert set(ids(c5, "iPhone")) == {"_posts/2022-03-01-a", "_posts/2022-03-01-b"}
    assert ids(c5, "6.35") == []
    assert ids(c5, "351") == []
    assert ids(c5, "phone") == []
    assert ids(c5, "sai") == []


def test_c5_highlights_original_forms(c5: Index) -> None:
    assert snippet(c5, "6.3512") == (
        "人民币中间价报<mark>6.3512</mark>，同比增长<mark>6.3512</mark>%。"
    )
    assert snippet(c5, "AI", "-a") == "<mark>ＡＩ</mark>芯片２０２２年出货量翻番。"
    assert snippet(c5, "2022") == "ＡＩ芯片<mark>２０２２</mark>年出货量翻番。"
    assert snippet(c5, "2022年") == "ＡＩ芯片<mark>２０２２年</mark>出货量翻番。"
    assert snippet(c5, "iphone", "-a") == "新款<mark>iPhone</mark>14支持5G网络。"
    assert set(ids(c5, "AI")) == {"_posts/2022-03-01-a", "_posts/2022-03-01-b"}


# -- C6 stop words inside phrases ------------------------------------------------------


@pytest.fixture(scope="module")
def c6(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(
        tmp_path_factory.mktemp("c6"),
        {
            "_posts/2022-03-01-a.md": post("《人民的名义》重播", "电视剧《人民的名义》今晚重播。"),
            "_posts/2022-03-01-b.md": post("乙", "人民代表以集体的名义发言。"),
            "_posts/2022-03-01-c.md": post("丙", "市场平稳运行。"),
        },
    )


def test_c6_phrase_with_stop_word(c6: Index) -> None:
    assert ids(c6, '"人民的名义"') == ["_posts/2022-03-01-a"]


def test_c6_words_rank_verbatim_first(c6: Index) -> None:
    # Issue #20: the run as typed is the query; its words scattered (b) only come
    # with the looser results, below the verbatim post.
    assert ids(c6, "人民的名义") == ["_posts/2022-03-01-a"]
    loose = c6.search("人民的名义", match="loose")
    assert [h.id for h in loose.hits] == ["_posts/2022-03-01-a", "_posts/2022-03-01-b"]
    assert loose.match == "words"  # 人民 … 名义 stand 6 units apart: past NEAR_WINDOW
    b = loose.hits[1]
    assert b.snippet == "<mark>人民</mark>代表以集体的<mark>名义</mark>发言。"
    assert c6.search("人民的名义").hits[0].title_html == "《<mark>人民的名义</mark>》重播"


def test_c6_only_common_words_get_a_clear_answer(c6: Index) -> None:
    results = c6.search("的")
    assert results.total == 2  # the posts holding 的, not every post
    assert results.notices == [
        "the query holds only common words (的): posts are matched on them literally, "
        "so most posts match"
    ]
    assert c6.search("人民 的").notices == []


def test_invisible_characters_and_accents_do_not_break_words(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "_posts/2022-03-01-a.md": post("甲", "推进智\u200b慧城市建设，打造数\u00ad字经济。"),
            "_posts/2022-03-01-b.md": post("乙", "在cafe\u0301里喝咖啡。"),
        },
    )
    assert ids(index, "智慧城市") == ["_posts/2022-03-01-a"]
    assert ids(index, '"数字经济"') == ["_posts/2022-03-01-a"]
    assert snippet(index, "café") == "在<mark>cafe\u0301</mark>里喝咖啡。"
