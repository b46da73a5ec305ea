"""CASES.md C13 and C14: either script, numbers with units, book titles, quote pairs and
punctuation, with exact values (issue #8)."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest

from searcher.analysis import BigramAnalyzer, is_break, regional_forms, to_simplified
from searcher.analysis.tokenizers import APOSTROPHE
from searcher.index import Index
from searchutil import build, ids, post, snippet

NOTHING = "the query has nothing to search for (no letters, digits or Chinese characters)"


# -- C13 traditional and simplified -------------------------------------------------


@pytest.fixture(scope="module")
def c13(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(
        tmp_path_factory.mktemp("c13"),
        {
            "_posts/2024-03-01-a.md": post("甲", "臺北捷運新線今日開通，沿線居民搭乘更便利。"),
            "_posts/2024-03-01-b.md": post("乙", "台北地铁新线今日开通。"),
            "_posts/2024-03-01-c.md": post("丙", "這套軟體由本地團隊開發。"),
            "_posts/2024-03-01-d.md": post("丁", "本地团队开发的软件今日发布。"),
        },
    )


A, B, C, D = (f"_posts/2024-03-01-{x}" for x in "abcd")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("开通", {A, B}),
        ("開通", {A, B}),
        ('"新线今日开通"', {A, B}),
        ('"新線今日開通"', {A, B}),
        ("台北", {A, B}),
        ("臺北", {A, B}),
        ("台北 今日", {A, B}),
        ("捷运", {A}),
        ("地鐵", {B}),
        ('"今日开通沿线"', set()),  # the comma still breaks the phrase
    ],
)
def test_c13_either_script_finds_both(c13: Index, query: str, expected: set[str]) -> None:
    assert set(ids(c13, query)) == expected


def test_c13_highlight_marks_the_original_characters(c13: Index) -> None:
    assert snippet(c13, "开通", "a") == "臺北捷運新線今日<mark>開通</mark>，沿線居民搭乘更便利。"
    assert snippet(c13, "開通", "b") == "台北地铁新线今日<mark>开通</mark>。"
    hit = c13.search("臺北").hits
    assert sorted(h.snippet.split("<mark>")[1].split("</mark>")[0] for h in hit) == ["台北", "臺北"]


def test_c13_regional_vocabulary_ranks_below_the_literal_form(c13: Index) -> None:
    assert regional_forms("软件") == ["软体"]
    assert ids(c13, "软件") == [D, C]  # 軟體 (Taiwan) found, below 软件 itself
    assert ids(c13, "軟體") == [C, D]
    assert snippet(c13, "软件", "c") == "這套<mark>軟體</mark>由本地團隊開發。"
    assert ids(c13, '"软件"') == [D, C]


def test_c13_the_fold_is_one_character_for_one() -> None:
    text = "這套軟體由本地團隊開發，臺灣與香港衞生署、裏面"
    assert to_simplified(text) == "这套软体由本地团队开发，台湾与香港卫生署、里面"
    assert len(to_simplified(text)) == len(text)
    assert to_simplified("什么干燥乾隆") == "什么干燥干隆"  # 么 stays (tw2s would make it 幺)


def test_c13_index_records_the_folding_and_refuses_another(tmp_path: Path) -> None:
    import json

    from searcher.errors import IndexFormatError

    index = build(tmp_path, {"_posts/2024-03-01-a.md": post("甲", "開通")})
    index.close()
    meta_file = tmp_path / "index" / "searcher.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    assert meta["folding"].startswith("opencc ") and "t2s+hk2s+tw2s characters" in meta["folding"]
    meta["folding"] = "opencc 0.0 t2s characters, 1 pairs, sha1:000000000000"
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexFormatError, match="traditional → simplified folding"):
        Index.open(tmp_path / "index")
    report = Index.build(tmp_path / "index", tmp_path / "corpus")  # build() rebuilds it
    assert report.added == 1
    assert any("rebuilding it" in m for m in report.messages)
    with Index.open(tmp_path / "index") as again:
        assert ids(again, "开通") == ["_posts/2024-03-01-a"]


# -- C14 numbers with units ---------------------------------------------------------


@pytest.fixture(scope="module")
def c14(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(
        tmp_path_factory.mktemp("c14"),
        {
            "_posts/2024-03-01-a.md": post("甲", "今年已有12万辆新车售出，另有36座充电站投用。"),
            "_posts/2024-03-01-b.md": post("乙", "售价1.25万元起，12个城市同步发售。"),
            "_posts/2024-03-01-c.md": post("丙", "全市36个车站调整运营时间，座位充足。"),
            "_posts/2024-03-01-d.md": post("丁", "纪录片《江河之上》今晚开播。"),
            "_posts/2024-03-01-e.md": post("戊", "大桥横跨江河，之上是连绵云海。"),
            "_posts/2024-03-01-f.md": post("己", "江河水位之上涨态势趋缓。"),
            "_posts/2024-03-01-g.md": post("庚", "他说‘计划’已于三月启动。"),
            "_posts/2024-03-01-h.md": post(
                "辛", "项目总投资13.5亿元，全天24小时开放，另有3.5万元补贴，2024年竣工。"
            ),
            "_posts/2024-03-01-i.md": post("壬", "投资3.5亿元建设，小时候的记忆，24个亿元项目。"),
        },
    )


def c(*letters: str) -> list[str]:
    return [f"_posts/2024-03-01-{x}" for x in letters]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("12万", c("a")),
        ("36座", c("a")),
        ("3.5亿元", c("i")),  # not 13.5亿元 (h), not 3.5万元 … 亿元
        ("24小时", c("h")),  # not 24个 … 小时候 (i)
        ("2024年", c("h")),
        ("１２万", c("a")),  # full-width digits are the same number
        ("12万辆", c("a")),
        ("1.25万元", c("b")),
        ("12个", c("b")),
    ],
)
def test_c14_a_number_and_its_unit_are_adjacent(
    c14: Index, query: str, expected: list[str]
) -> None:
    assert ids(c14, query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "《江河之上》",
        "〈江河之上〉",
        "“江河之上”",
        "‘江河之上’",
        "＂江河之上＂",
        '“江河之上"',
        "「江河之上”",
    ],
)
def test_c14_book_titles_and_any_quote_pair_are_phrases(c14: Index, query: str) -> None:
    assert ids(c14, query) == c("d")


def test_c14_unquoted_title_ranks_the_verbatim_post_first(c14: Index) -> None:
    assert ids(c14, "江河之上") == c("d")  # the run as typed (issue #20)
    loose = [h.id for h in c14.search("江河之上", match="loose").hits]
    assert loose[0] == c("d")[0]
    assert set(loose) == set(c("d", "e", "f"))


def test_c14_curly_single_quotes_break_phrases_and_highlights(c14: Index) -> None:
    assert ids(c14, '"计划已于"') == []
    assert ids(c14, '"说计划"') == []
    assert ids(c14, "计划已于") == c("g")  # unquoted: parts anywhere
    assert snippet(c14, "计划", "g") == "他说‘<mark>计划</mark>’已于三月启动。"
    assert snippet(c14, "‘计划’", "g") == "他说‘<mark>计划</mark>’已于三月启动。"


@pytest.mark.parametrize("query", ["《》", "‘’", "“”", "〈〉", "《 》", "「」『』"])
def test_c14_a_query_of_only_marks_has_nothing_to_search(c14: Index, query: str) -> None:
    results = c14.search(query)
    assert (results.total, results.hits, results.notices) == (0, [], [NOTHING])


def test_c14_mixed_marks_and_words(c14: Index) -> None:
    assert ids(c14, "纪录片《江河之上》") == c("d")
    assert ids(c14, "《江河之上》 OR 36座") == c("d", "a") or ids(c14, "《江河之上》 OR 36座") == c(
        "a", "d"
    )


# -- every CJK and full-width punctuation mark breaks a phrase ------------------------

#: The only punctuation that joins units (tokenizers.JOINER): ASCII joiners, the Latin
#: middle dots of transliterated names, and ’ between two runs of letters.
JOINING = set("-_./'&#·•‧")


def _cjk_or_fullwidth(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x3000 <= cp <= 0x303F  # CJK symbols and punctuation
        or 0x30A0 <= cp <= 0x30FF  # katakana (・)
        or 0xFE10 <= cp <= 0xFE1F  # vertical forms
        or 0xFE30 <= cp <= 0xFE6F  # CJK compatibility forms, small form variants
        or 0xFF00 <= cp <= 0xFFEF  # half-width and full-width forms
    )


PUNCTUATION = [
    chr(cp) for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)).startswith("P")
]


def test_every_unicode_punctuation_mark_but_the_joiners_breaks_a_phrase() -> None:
    assert len(PUNCTUATION) > 800
    joiners = [p for p in PUNCTUATION if not is_break(p)]
    assert set(joiners) == JOINING
    fullwidth = [p for p in PUNCTUATION if _cjk_or_fullwidth(p)]
    assert len(fullwidth) > 100
    assert all(is_break(p) for p in fullwidth)
    assert is_break(APOSTROPHE) and not is_break(APOSTROPHE, letters=True)


def test_no_bigram_crosses_any_cjk_or_fullwidth_mark() -> None:
    analyzer = BigramAnalyzer()
    for p in (p for p in PUNCTUATION if _cjk_or_fullwidth(p) or p in "‘’“”"):
        assert [t.text for t in analyzer(f"计划{p}已于")] == ["计划", "已于"], repr(p)


def test_apostrophe_joins_letters_only(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {"_posts/2024-03-01-a.md": post("甲", "O’Neil先生说‘好’。Don’t panic.")},
    )
    assert ids(index, '"O\'Neil"') == ["_posts/2024-03-01-a"]
    assert ids(index, '"oneil"') == []
    assert ids(index, '"说好"') == []
    assert ids(index, "don’t") == ["_posts/2024-03-01-a"]


# -- what a hostile tester found --------------------------------------------------------


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(
        tmp_path_factory.mktemp("found"),
        {
            "_posts/2024-03-01-a.md": post("甲", "这意味着政策将实施，我们有着信心。"),
            "_posts/2024-03-01-b.md": post("乙", "這意味著政策將實施。"),
            "_posts/2024-03-01-c.md": post("丙", "⼈民日报发表评论。"),
            "_posts/2024-03-01-d.md": post("丁", "会议于2024年5月召开，3月已开始筹备。"),
            "_posts/2024-03-01-e.md": post("戊", "会议于2024年3月15日召开。"),
            "_posts/2024-03-01-f.md": post("己", "3月20日开幕，15日报名截止。"),
            "_posts/2024-03-01-g.md": post("庚", "第一批项目在3季度完成，第3季度收尾。"),
            "_posts/2024-03-01-h.md": post("辛", "其中3,200万元用于研发，1人负责。"),
            "_posts/2024-03-01-i.md": post("壬", "总投资1,200万元，年产1200万件。"),
            "_posts/2024-03-01-j.md": post("癸", "纪录片《江河之上》今晚开播，江河与之上。"),
        },
    )


def f(*letters: str) -> list[str]:
    return [f"_posts/2024-03-01-{x}" for x in letters]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("意味著", f("a", "b")),  # Taiwan's 著 for 着 (OpenCC tw2s)
        ("意味着", f("a", "b")),
        ("有著", f("a")),
        ("人民日报", f("c")),  # a Kangxi radical ⼈ (U+2F08) is 人
        ("2024年3月", f("e")),  # not 2024年5月 … 3月
        ("3月15日", f("e")),  # not 3月20日 … 15日
        ("第3季度", f("g")),
        ("1,200万", f("i")),  # not 3,200万 … 1人
        ("1200万", f("i")),  # the same number
        ("3,200万元", f("h")),
        ("《“江河之上”》", f("j")),  # marks nest
        ("“《江河之上》”", f("j")),
        ("江河 -“之上", []),  # an unclosed mark keeps the minus
        ("江河 NOT 《之上", []),
        ("title:《江河之上", []),  # and title:
    ],
)
def test_found_by_a_hostile_tester(found: Index, query: str, expected: list[str]) -> None:
    assert sorted(ids(found, query)) == sorted(expected)


def test_every_clause_counts_once_in_the_tier(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "_posts/2024-03-01-a.md": post(
                "手机新品发布", "新款手机今日发布，手机销量大增，手机市场火热。"
            ),
            "_posts/2024-03-01-b.md": post("乙", "长篇报道。" * 60 + "提到一次软件。"),
        },
    )
    # 软件 has a regional spelling and 手机 has none: neither may get a tier the other lacks
    assert ids(index, "手机 OR 软件") == ["_posts/2024-03-01-a", "_posts/2024-03-01-b"]


def test_a_long_post_keeps_its_highlight_far_from_a_sentence_end(tmp_path: Path) -> None:
    body = "填充句子。" * 4500 + "乙，" * 200 + "运动会闭幕。" + "结束。"
    index = build(tmp_path, {"_posts/2024-03-01-a.md": post("甲", body)})
    snippet = index.search("运动会").hits[0].snippet
    assert snippet.endswith("乙，<mark>运动会</mark>闭幕。")


def test_a_regional_form_is_highlighted_in_its_parts_too(tmp_path: Path) -> None:
    index = build(tmp_path, {"_posts/2024-03-01-a.md": post("甲", "軟體的更新很快。")})
    # 软件更新 occurs nowhere as a run: the near rule finds 軟體 … 更新 (issue #20)
    assert index.search("软件更新").match == "near"
    assert snippet(index, "软件更新", "a") == "<mark>軟體</mark>的<mark>更新</mark>很快。"


def test_the_shipped_script_table_is_the_installed_opencc_s() -> None:
    from importlib import metadata

    from searcher.analysis.variants import compute_pairs, script_table

    table = script_table()
    regenerate = (
        "regenerate it: python -c 'import pathlib, searcher.analysis.variants as v; "
        "v.write_table(pathlib.Path(v.__file__).with_name(v.TABLE_FILE))'"
    )
    assert compute_pairs() == table.chars, regenerate
    assert table.description.startswith(f"opencc {metadata.version('opencc')} "), regenerate
    assert table.description.endswith("5130 pairs, sha1:1d91fccbb170")
