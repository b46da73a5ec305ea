"""Synonyms and abbreviations (issue #21): a synonyms file in Solr's format, stored with
the index and applied at query time; a synonym's posts rank below the literal form's,
are highlighted, and the notice and each hit say which aid found them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import main
from searcher.errors import SearchIndexError
from searcher.index import Index
from searcher.synonyms import Synonyms, kind_of, parse_synonyms, read_synonyms
from searchutil import post, write_corpus

SAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "synonyms.txt"

POSTS = {
    "_posts/2024-01-01-fengli.md": post("凤梨丰收", "台湾的凤梨丰收了。"),
    "_posts/2024-01-02-fgw.md": post(
        "国家发展和改革委员会发布通知", "国家发展和改革委员会发布了新的通知。"
    ),
    "_posts/2024-01-03-fgw2.md": post("发改委回应", "发改委回应市场关切。"),
    "_posts/2024-01-04-pboc.md": post("中国人民银行降准", "中国人民银行宣布降准。"),
    "_posts/2024-01-05-sidewalk.md": post("人行道改造", "老城区的人行道完成改造。"),
    "_posts/2024-01-06-bs.md": post("賓士新車上市", "賓士發表新車。"),
    "_posts/2024-01-07-bc.md": post("奔驰发布新车", "奔驰在北京发布新车。"),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    root = tmp_path_factory.mktemp("synonyms")
    corpus = write_corpus(root, POSTS)
    report = Index.build(root / "index", corpus, synonyms=SAMPLE)
    assert report.messages == [f"synonyms: 78 terms from {SAMPLE}"]
    return Index.open(root / "index")


def found(index: Index, query: str) -> list[tuple[str, list[str]]]:
    return [(h.id.split("-", 3)[-1], h.matched_by) for h in index.search(query).hits]


def test_the_format_equivalences_one_way_rules_and_comments() -> None:
    rules, warnings = parse_synonyms(
        [
            "\ufeff# a comment",
            "",
            "菠萝, 凤梨  # trailing comment",
            "人行 => 中国人民银行",
            "X, Y => Z",
        ],
        "s.txt",
    )
    assert warnings == []
    assert {k: tuple(f for f, _ in v) for k, v in rules.mapping.items()} == {
        "菠萝": ("凤梨",),
        "凤梨": ("菠萝",),
        "人行": ("中国人民银行",),
        "x": ("Z",),
        "y": ("Z",),
    }
    assert rules.forms("人行") == ("中国人民银行",)
    assert rules.forms("中国人民银行") == ()  # one way only
    assert rules.forms(" 鳳梨 ") == ("菠萝",)  # folded: either script, spaces


def test_bad_lines_are_warnings_naming_file_and_line() -> None:
    rules, warnings = parse_synonyms(
        [
            "a => b => c",
            "甲, , 乙",
            " => 丙",
            "的, 了, 是",
            "单独",
            "！！, 感叹",
            "甲 => 乙",
            "乙 => 丙",
            "丙 => 甲",
        ],
        "syn.txt",
    )
    assert warnings == [
        "syn.txt:1: more than one '=>': line skipped",
        "syn.txt:2: an empty term: line skipped",
        "syn.txt:3: an empty term: line skipped",
        "syn.txt:4: 的 is a stop word: dropped",
        "syn.txt:4: 了 is a stop word: dropped",
        "syn.txt:4: 是 is a stop word: dropped",
        "syn.txt:4: fewer than two terms: line skipped",
        "syn.txt:5: fewer than two terms: line skipped",
        "syn.txt:6: '！！' has no letter, digit or Chinese character: dropped",
        "syn.txt:6: fewer than two terms: line skipped",
        "syn.txt:9: a cycle of one-way rules: 丙 => 甲 => 乙 => 丙",
    ]
    assert [(k, rules.forms(k)) for k in ("甲", "乙", "丙")] == [  # never chained
        ("甲", ("乙",)),
        ("乙", ("丙",)),
        ("丙", ("甲",)),
    ]
    assert rules.pairs("甲") == (("乙", "synonym"),)


def test_regional_forms_are_told_from_synonyms() -> None:
    rules, _ = parse_synonyms(["奔驰, 賓士, 平治"], "s.txt")
    assert rules.pairs("宾士") == (("奔驰", "regional"), ("平治", "regional"))
    assert rules.pairs("奔驰") == (("賓士", "regional"), ("平治", "synonym"))
    assert kind_of("奔驰", "賓士") == "regional"
    assert kind_of("賓士", "奔驰") == "regional"
    assert kind_of("发改委", "国家发展和改革委员会") == "synonym"


def test_an_unreadable_file_is_an_error_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "syn.txt"
    bad.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(SearchIndexError, match=r"cannot read synonyms file .*syn\.txt"):
        read_synonyms(bad)


@pytest.mark.parametrize(
    ("query", "hits"),
    [
        ("菠萝", [("fengli", ["synonym"])]),
        ("发改委", [("fgw2", ["literal"]), ("fgw", ["synonym"])]),  # literal first
        ("人行", [("sidewalk", ["literal"]), ("pboc", ["synonym"])]),
        ("中国人民银行", [("pboc", ["literal"])]),  # not every 人行道
        ("奔驰", [("bc", ["literal"]), ("bs", ["regional"])]),
        ("賓士", [("bs", ["literal"]), ("bc", ["regional"])]),
        ("宾士", [("bs", ["literal"]), ("bc", ["regional"])]),  # either script
    ],
)
def test_synonyms_find_posts_below_the_literal_form(
    index: Index, query: str, hits: list[tuple[str, list[str]]]
) -> None:
    assert found(index, query) == hits


def test_synonyms_are_highlighted_and_named_in_the_notice(index: Index) -> None:
    results = index.search("菠萝")
    assert results.hits[0].snippet == "台湾的<mark>凤梨</mark>丰收了。"
    assert results.hits[0].title_html == "<mark>凤梨</mark>丰收"
    assert [(n.code, n.params) for n in results.notices] == [
        ("synonyms_used", {"words": "菠萝 → 凤梨"})
    ]
    assert str(results.notices[0]) == "also searched for synonyms: 菠萝 → 凤梨"


def test_a_quoted_word_gets_no_synonym(index: Index) -> None:
    assert found(index, '"菠萝"') == []


def test_a_changed_file_applies_without_re_segmenting(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, POSTS)
    folder = tmp_path / "index"
    first = tmp_path / "one.txt"
    first.write_text("菠萝, 凤梨\n", encoding="utf-8")
    Index.build(folder, corpus, synonyms=first)
    index = Index.open(folder)
    generation = index.engine.generation()
    assert found(index, "菠萝") == [("fengli", ["synonym"])]
    second = tmp_path / "two.txt"
    second.write_text("# none for 菠萝 now\n人行 => 中国人民银行\n", encoding="utf-8")
    report = Index.build(folder, corpus, synonyms=second)
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert index.engine.generation() == generation  # nothing written but the rules
    assert found(index, "菠萝") == []  # the open index follows the new rules
    assert found(index, "人行") == [("sidewalk", ["literal"]), ("pboc", ["synonym"])]
    Index.build(folder, corpus)  # None keeps them
    assert Index.open(folder).synonyms.forms("人行") == ("中国人民银行",)
    Index.build(folder, corpus, synonyms="")  # "" removes them
    assert Index.open(folder).synonyms == Synonyms()
    assert found(index, "人行") == [("sidewalk", ["literal"])]


def test_a_rebuild_keeps_the_rules(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, POSTS)
    folder = tmp_path / "index"
    Index.build(folder, corpus, synonyms=SAMPLE)
    Index.build(folder, corpus, rebuild=True, segmenter="jieba")
    assert found(Index.open(folder), "菠萝") == [("fengli", ["synonym"])]


def test_cli_index_synonyms_warns_with_file_and_line(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, POSTS)
    rules = tmp_path / "syn.txt"
    rules.write_text("菠萝, 凤梨\n的, 地\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        main, ["index", str(corpus), "--index", str(tmp_path / "ix"), "--synonyms", str(rules)]
    )
    assert result.exit_code == 0, result.output
    assert f"{rules}:2: 的 is a stop word: dropped" in result.stderr
    assert f"synonyms: 2 terms from {rules}" in result.stderr
    result = runner.invoke(main, ["search", "菠萝", "--index", str(tmp_path / "ix"), "--json"])
    data = json.loads(result.stdout)
    assert [(h["title"], h["matched_by"]) for h in data["hits"]] == [("凤梨丰收", ["synonym"])]
    assert [n["code"] for n in data["notices"]] == ["synonyms_used"]


def test_the_page_and_the_api_say_which_aid_found_each_hit(index: Index) -> None:
    from searcher.web import create_app

    client = create_app(index).test_client()
    api = client.get("/api/search?q=发改委").get_json()
    assert [(h["title"], h["matched_by"]) for h in api["hits"]] == [
        ("发改委回应", ["literal"]),
        ("国家发展和改革委员会发布通知", ["synonym"]),
    ]
    page = client.get("/?q=发改委").get_data(as_text=True)
    assert page.count('<span class="aid" title="按同义词找到">同义词</span>') == 1
    assert "同时搜索了同义词：发改委 → 国家发改委、国家发展和改革委员会。" in page
