"""Hostile tests of issue #21's readers' aids: pinyin as readers type it, synonyms files
as site owners write them, and the CPU budget of a search that reads pinyin. Each fault
found is a test with its exact expected answer."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from searcher.analysis.pinyin import latin, read, spells, typed_keys
from searcher.index import Index
from searcher.synonyms import MAX_RULE_TERMS, parse_synonyms, read_synonyms
from searchutil import build, post, write_corpus

POSTS = {
    "_posts/2024-01-01-xian.md": post("西安古城墙", "西安的古城墙迎来游客。"),
    "_posts/2024-01-02-xianjin.md": post("先进典型", "先进典型受到表彰。"),
    "_posts/2024-01-03-lvse.md": post("绿色发展", "坚持绿色发展。"),
    "_posts/2024-01-04-sh.md": post("上海科技", "一家企业的新产品。"),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(tmp_path_factory.mktemp("hostile21"), POSTS)


def found(index: Index, query: str) -> list[tuple[str, list[str]]]:
    """(post name, matched_by) of each hit, in rank order."""
    return found_with(index, query)


def found_with(index: Index, query: str, **options: object) -> list[tuple[str, list[str]]]:
    """:func:`found` with search options."""
    hits = index.search(query, **options).hits  # type: ignore[arg-type]
    return [(h.id.split("-", 3)[-1], h.matched_by) for h in hits]


# -- pinyin as input methods let readers type it -------------------------------------


@pytest.mark.parametrize("query", ["xi'an", "xi’an", "XI'AN"])
def test_an_apostrophe_between_syllables_is_pinyin(index: Index, query: str) -> None:
    # Input methods separate syllables with ' (xi'an is 西安, never 先): it found nothing.
    assert found(index, query) == [("xian", ["pinyin"])]
    assert [str(n) for n in index.search(query).notices] == [
        f"also searched as pinyin: {query} → 西安"
    ]


def test_an_apostrophe_is_a_syllable_boundary() -> None:
    assert latin("xi'an") and not latin("'an") and not latin("xi''an")
    assert spells("xi'an", read("西安"))
    assert not spells("xi'an", read("先"))  # xian is one syllable; xi'an is two
    assert not spells("nanj'ingdx", read("南京大学"))  # the ' stands inside jing
    assert spells("nanjing'dx", read("南京大学"))
    assert typed_keys("xi'an") == {"xa", "xan"}


@pytest.mark.parametrize("query", ["lüse", "LÜSE", "lvse"])
def test_u_umlaut_typed_as_itself_or_as_v(index: Index, query: str) -> None:
    assert found(index, query) == [("lvse", ["pinyin"])]


def test_pinyin_spells_a_title_as_well_as_words(index: Index) -> None:
    # Issue #21: a Latin word "also matches the Chinese words and titles that spell it";
    # shanghaikeji spells the title 上海科技 (and no word of the vocabulary).
    assert found(index, "shanghaikeji") == [("sh", ["pinyin"])]


# -- the CPU budget of a search that reads pinyin ------------------------------------


def test_a_pinyin_search_does_not_build_the_completions_lexicon_in_its_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first search reading a Latin word as pinyin, and the first after every
    commit, built the whole completions lexicon (titles, phrases, labels) before its
    CPU budget's clock started: 2.5–2.8 s of thread CPU on xwlb for a search asked to
    stop after 0.05 s. The run that commits a generation now stores its lexicon beside
    it, and a search loads it (0.35 s on xwlb) and never builds one: here building
    one fails, and the search still answers with its pinyin hit, in its budget."""
    import searcher.lexicon

    index = build(tmp_path, POSTS)
    assert index.engine.read_extra("lexicon") is not None  # stored by the build

    def never(self: searcher.lexicon.Lexicon, *args: object, **kwargs: object) -> None:
        raise AssertionError("a search built the lexicon")

    monkeypatch.setattr(searcher.lexicon.Lexicon, "__init__", never)
    fresh = Index.open(tmp_path / "index")  # nothing cached
    results = fresh.search("shanghai", cpu_seconds=0.05)
    assert [(h.id.split("-", 3)[-1], h.matched_by) for h in results.hits] == [("sh", ["pinyin"])]
    assert [n.code for n in results.notices] == ["pinyin_used"]  # not search_stopped


# -- synonyms files as site owners write them -----------------------------------------


def test_full_width_commas_and_arrows_are_the_formats_marks() -> None:
    # A Chinese input method types ， and ＝＞; every text is folded to half width.
    rules, warnings = parse_synonyms(["菠萝，凤梨", "人行 ＝＞ 中国人民银行"], "s.txt")
    assert warnings == []
    assert (rules.forms("菠萝"), rules.forms("人行")) == (("凤梨",), ("中国人民银行",))


def test_warnings_name_the_line_an_editor_shows(tmp_path: Path) -> None:
    # str.splitlines also ends a line at U+2028, a form feed or NEL: the warning named
    # line 3 or 4 for what an editor (and Solr) shows as line 2.
    for odd in ("\u2028", "\x0c", "\x85"):
        file = tmp_path / "syn.txt"
        file.write_text(f"# note{odd}more\r\n的, 地\n", encoding="utf-8")
        assert read_synonyms(file)[1] == [
            f"{file}:2: 的 is a stop word: dropped",
            f"{file}:2: fewer than two terms: line skipped",
        ]


def test_a_circle_of_many_one_way_rules_is_one_warning_found_at_once() -> None:
    # "a, b, … => a, b, …" of 15 terms: every cycle was sought by depth-first search
    # (10 terms: 4 s and 1,002 warnings; 12: 51 s; 15: over 5 minutes).
    terms = ", ".join(f"词{i:02d}" for i in range(15))
    began = time.thread_time()  # CPU time: a loaded machine does not move it
    _, warnings = parse_synonyms([f"{terms} => {terms}"], "s.txt")
    assert time.thread_time() - began < 5.0
    assert warnings == ["s.txt:1: a cycle of one-way rules: 词00 => 词01 => 词00"]


def test_an_enormous_equivalence_is_skipped_with_a_warning() -> None:
    # n terms give n·(n − 1) forms: 1,000 terms took 11 s and 21 MB of description,
    # 4,000 three minutes and 1.6 GB.
    line = ", ".join(f"词{i}" for i in range(1000))
    rules, warnings = parse_synonyms([line, "菠萝, 凤梨"], "s.txt")
    assert warnings == [f"s.txt:1: more than {MAX_RULE_TERMS} terms: line skipped"]
    assert dict(rules.mapping) == {"菠萝": (("凤梨", "synonym"),), "凤梨": (("菠萝", "synonym"),)}


def test_a_rule_that_does_nothing_or_cannot_be_typed_is_reported() -> None:
    rules, warnings = parse_synonyms(["甲 => 甲", "鳳梨 => 凤梨", "new york, nyc"], "s.txt")
    assert warnings == [
        "s.txt:1: maps terms only to themselves: line skipped",
        "s.txt:2: maps terms only to themselves: line skipped",
        "s.txt:3: 'new york' holds a space: a query word never does, so it is "
        "searched for but never looked up",
    ]
    assert rules.forms("nyc") == ("new york",)


# -- synonyms in the query language ----------------------------------------------------

SYNONYM_POSTS = {
    "_posts/2024-01-01-fgw.md": post(
        "国家发展和改革委员会发布通知", "国家发展和改革委员会发布了新的通知。"
    ),
    "_posts/2024-01-02-fgw2.md": post("发改委回应", "发改委回应市场关切。"),
    "_posts/2024-01-03-notice.md": post("停电通知", "明天停电的通知。"),
}


def test_an_excluded_word_excludes_its_synonyms_too(tmp_path: Path) -> None:
    # 发改委 finds 国家发展和改革委员会 (they are one body); -发改委 let it through.
    corpus = write_corpus(tmp_path, SYNONYM_POSTS)
    rules = tmp_path / "syn.txt"
    rules.write_text("发改委, 国家发展和改革委员会\n", encoding="utf-8")
    Index.build(tmp_path / "index", corpus, synonyms=rules)
    index = Index.open(tmp_path / "index")
    assert found(index, "发改委") == [("fgw2", ["literal"]), ("fgw", ["synonym"])]
    assert found(index, "通知 -发改委") == [("notice", ["literal"])]


# -- matched_by: which aid found each hit ----------------------------------------------


def test_matched_by_looks_where_the_query_looked(tmp_path: Path) -> None:
    # title: searches titles only, but matched_by looked in the body too: a post whose
    # title held 凤梨 (a synonym of 菠萝) was said found literally, as its body held 菠萝.
    corpus = write_corpus(
        tmp_path,
        {
            "_posts/2024-01-01-a.md": post("Shanghai Daily报道", "上海新闻。"),
            "_posts/2024-01-02-b.md": post("上海新闻", "Shanghai消息。"),
            "_posts/2024-01-03-c.md": post("凤梨丰收", "菠萝的故事。"),
        },
    )
    rules = tmp_path / "syn.txt"
    rules.write_text("菠萝, 凤梨\n", encoding="utf-8")
    Index.build(tmp_path / "index", corpus, synonyms=rules)
    index = Index.open(tmp_path / "index")
    assert found(index, "title:菠萝") == [("c", ["synonym"])]
    assert found(index, "title:shanghai") == [("a", ["literal"]), ("b", ["pinyin"])]
