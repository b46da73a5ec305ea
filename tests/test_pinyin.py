"""Pinyin and initials (issue #21): a query word of Latin letters that reads as pinyin
also finds the Chinese words that spell it, below literal matches of the letters; a
Chinese query never finds its homophones."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.analysis import make_segmenter
from searcher.analysis.pinyin import initial_keys, read, spells, typed_keys
from searcher.index import Index
from searcher.query import parse, plan_query
from searcher.query.plan import Aids
from searchutil import build, post

POSTS = {
    "_posts/2024-01-01-shanghai.md": post("上海举办进博会", "上海的展会吸引了全球客商。"),
    "_posts/2024-01-02-keji.md": post("科技创新大会召开", "科技企业发布新产品。"),
    "_posts/2024-01-03-gaotie.md": post("高铁新线开通", "乘坐高铁出行更方便。"),
    "_posts/2024-01-04-zgc.md": post("中关村论坛开幕", "中关村的企业展示了成果。"),
    "_posts/2024-01-05-letters.md": post("Shanghai Daily报道", "英文报纸shanghai daily发表评论。"),
    "_posts/2024-01-06-njdx.md": post("南京大学校庆", "南京大学迎来校庆。"),
    "_posts/2024-01-07-chongqing.md": post("重庆火锅节", "重庆的火锅节开幕。"),
    "_posts/2024-01-08-jingdian.md": post("景点门票降价", "多个景点门票降价。"),
    "_posts/2024-01-09-jingdian2.md": post("老歌", "这是一首经典，人人会唱。"),
    "_posts/2024-01-10-yinhang.md": post("银行业绩", "多家银行发布业绩。"),
    "_posts/2024-01-11-xiaomi.md": post("小米发布新手机", "小米公司发布新手机。"),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(tmp_path_factory.mktemp("pinyin"), POSTS)


def found(index: Index, query: str) -> list[tuple[str, list[str]]]:
    """(post name, matched_by) of each hit, in rank order."""
    return [(h.id.split("-", 3)[-1], h.matched_by) for h in index.search(query).hits]


def test_words_are_read_as_pypinyin_reads_them_in_context() -> None:
    assert read("重庆") == ("chong", "qing")
    assert read("银行") == ("yin", "hang")
    assert read("行长") == ("hang", "zhang")
    assert read("绿色") == ("lv", "se")
    assert read("B站") is None


def test_typed_letters_spell_whole_syllables_initials_or_a_mix() -> None:
    south = read("南京大学")
    assert [spells(t, south) for t in ("nanjingdaxue", "njdx", "nanjingdx", "nanjdaxue")] == [
        True,
        True,
        True,
        True,
    ]
    assert not spells("nanjing", south)  # a word spelled in full, not a part of it
    assert spells("nanjing", south, prefix=True)
    assert spells("zgc", read("中关村")) and spells("zhgc", read("中关村"))
    assert not spells("keji", read("可见"))  # ji is not jian's initial
    assert typed_keys("iphone") == set()  # no syllable begins with i
    assert initial_keys("重庆") == ["cq", "tq", "zq"]  # every reading of 重


@pytest.mark.parametrize(
    ("query", "hits"),
    [
        ("keji", [("keji", ["pinyin"])]),
        ("gaotie", [("gaotie", ["pinyin"])]),
        ("sh", [("shanghai", ["pinyin"])]),
        ("zgc", [("zgc", ["pinyin"])]),
        ("nanjingdx", [("njdx", ["pinyin"])]),
        ("chongqing", [("chongqing", ["pinyin"])]),
        ("yinhang", [("yinhang", ["pinyin"])]),
        ("Xiaom", [("xiaomi", ["pinyin"])]),
    ],
)
def test_pinyin_and_initials_find_the_chinese_words(
    index: Index, query: str, hits: list[tuple[str, list[str]]]
) -> None:
    assert found(index, query) == hits


def test_literal_letters_rank_above_the_pinyin_reading(index: Index) -> None:
    results = index.search("shanghai")
    assert [(h.id.split("-", 3)[-1], h.matched_by) for h in results.hits] == [
        ("letters", ["literal"]),
        ("shanghai", ["pinyin"]),
    ]
    assert "<mark>上海</mark>" in results.hits[1].snippet
    assert [(n.code, n.params) for n in results.notices] == [
        ("pinyin_used", {"words": "shanghai → 上海"})
    ]


def test_polyphonic_characters_follow_the_words_reading(index: Index) -> None:
    assert found(index, "zhongqing") == []  # 重 in 重庆 is chong
    assert found(index, "yinxing") == []  # 行 in 银行 is hang


def test_a_chinese_query_never_finds_its_homophones(index: Index) -> None:
    assert found(index, "景点") == [("jingdian", ["literal"])]  # not 经典
    assert found(index, "经典") == [("jingdian2", ["literal"])]
    assert index.search("景点").notices == []


def test_the_pinyin_reading_is_the_indexs_own_word(index: Index) -> None:
    # 经典 stands in a post, but jieba cuts 这是一首经典 so that it is a word there:
    # jingdian finds both spellings the index holds as words, most frequent first.
    assert sorted(index.lexicon().pinyin_words("jingdian")) == [("景点", 1.0), ("经典", 1.0)]


def test_a_quoted_latin_word_is_only_literal(index: Index) -> None:
    assert found(index, '"shanghai"') == [("letters", ["literal"])]


SEGMENTER = make_segmenter()
ALWAYS = Aids(pinyin=lambda word: [("上海", 1.0), ("经典", 0.5)])


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("景点经典上海科技abcxyz 1")),
        min_size=1,
        max_size=8,
    )
)
def test_no_chinese_query_gains_a_match_through_pinyin(text: str) -> None:
    """Property: a query word holding any Chinese character (or anything but Latin
    letters) is planned the same with a pinyin aid that answers every word."""
    parsed = parse(text)
    words = [c.text for g in parsed.groups for c in g]
    plain = plan_query(parsed, SEGMENTER)
    aided = plan_query(parsed, SEGMENTER, aids=ALWAYS)
    if all(not w.isascii() or not w.isalpha() or len(w) < 2 for w in words):
        assert aided.root == plain.root
        assert aided.notices == plain.notices


def test_pinyin_adds_nothing_to_the_index(tmp_path: Path) -> None:
    """The pinyin is looked up at query time from the index's own words: the index
    folder holds the same files whether or not a query was read as pinyin."""
    index = build(tmp_path, {"_posts/2024-01-01-a.md": post("上海", "上海新闻。")})
    before = sorted(p.name for p in (tmp_path / "index").iterdir())
    assert [h.matched_by for h in index.search("shanghai").hits] == [["pinyin"]]
    assert sorted(p.name for p in (tmp_path / "index").iterdir()) == before


def test_the_cli_says_which_aid_found_a_hit(index: Index) -> None:
    from click.testing import CliRunner

    from searcher.cli import main

    result = CliRunner().invoke(main, ["search", "shanghai", "--index", str(index.path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == ["1. Shanghai Daily报道", "   2022-03-01"]
    assert lines[4:6] == ["2. 上海举办进博会", "   2022-03-01 · found by pinyin"]
    assert "note: also searched as pinyin: shanghai → 上海" in result.stderr


def test_two_words_typed_as_one_are_read_in_full_syllables(tmp_path: Path) -> None:
    posts = {
        "_posts/2024-01-01-a.md": post("上海开通高铁新线", "上海的高铁新线开通。"),
        "_posts/2024-01-02-b.md": post("上海新闻", "上海的新闻。"),
        "_posts/2024-01-03-c.md": post("安排", "安排漂了。"),
    }
    index = build(tmp_path, posts)
    assert index.lexicon().pinyin_words("shanghaigaotie") == [("上海，高铁", 1.0)]
    assert [h.id.rsplit("-", 1)[-1] for h in index.search("shanghaigaotie").hits] == ["a"]
    # read in two, any few letters spell something: initials are not taken
    assert index.lexicon().pinyin_words("apple") == []
