"""Issue #20, titles in 《》: a ``《…》`` query ranks the posts citing the title in 《》 (or
〈〉) first, then the posts holding it on word boundaries, then those holding it inside
longer words; every post holding the run is still found, and the marks stay exact.

The posts are invented so that BM25F alone orders them otherwise: the title in 《》 sits
once at the end of a long old body, the word and the longer word stand several times in
short new ones (the quoted query without book-title marks shows that order).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import analysis
from searcher.analysis.booktitles import MAX_TITLE_CHARS, BookTitleTokenizer, text_term
from searcher.analysis.terms import term_positions
from searcher.index import Index
from searcher.query import parse
from searcher.query import plan as qp
from searchutil import NO_SHARED, SHARED_CORPUS, build, ids, post, snippet

LONG = "本台消息。" * 30  # a long body: a low BM25F for the one match after it


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    def day(year: int) -> str:
        return f"{year}-03-01 10:00:00 +0800"

    return build(
        tmp_path_factory.mktemp("books"),
        {
            # 求是: the journal in 《》, the word, inside 实事求是
            "_posts/2024-03-01-a.md": post(
                "杂志文章", LONG + "《求是》杂志今日发表文章。", day(2020)
            ),
            "_posts/2024-03-01-b.md": post(
                "学习精神", "学习求是精神，弘扬求是传统，求是杂志出版。", day(2022)
            ),
            "_posts/2024-03-01-c.md": post(
                "坚持实事求是", "坚持实事求是，实事求是是根本，做到实事求是。", day(2024)
            ),
            "_posts/2024-03-01-d.md": post(
                "《求是》刊文", "今日刊文一篇。", day(2019)
            ),  # title only
            "_posts/2024-03-01-e.md": post("求是杂志刊文", "求是杂志刊文，求是网转载。", day(2023)),
            # 政府工作报告: in 《》, as words, inside 报告会, inside a longer title
            "_posts/2024-03-01-f.md": post(
                "两会", LONG + "代表们认真审议《政府工作报告》。", day(2020)
            ),
            "_posts/2024-03-01-g.md": post(
                "审议报告", "代表审议政府工作报告，政府工作报告提出目标。", day(2022)
            ),
            "_posts/2024-03-01-h.md": post(
                "召开会议", "召开政府工作报告会。本次政府工作报告会由市长主持。", day(2024)
            ),
            "_posts/2024-03-01-i.md": post(
                "年度报告", "《2024年政府工作报告》全文发布。", day(2023)
            ),
            # 〈〉 inside 《》, as words, inside 长江 … 河
            "_posts/2024-03-01-j.md": post(
                "评论", LONG + "《关于〈江河之上〉的评论》发表。", day(2020)
            ),
            "_posts/2024-03-01-k.md": post(
                "大桥", "大桥横跨江河之上，江河之上云海连绵。", day(2022)
            ),
            "_posts/2024-03-01-l.md": post(
                "船只", "长江河之上的船只，长江河之上的船只。", day(2024)
            ),
            # quote marks inside a title
            "_posts/2024-03-01-m.md": post("文件", LONG + "编制《“十四五”规划》。", day(2020)),
            "_posts/2024-03-01-n.md": post(
                "编制", "编制“十四五”规划，“十四五”规划出台。", day(2022)
            ),
        },
    )


def p(*names: str) -> list[str]:
    return [f"_posts/2024-03-01-{n}" for n in names]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # tier 3: 《求是》 (d in its post title, a in its body); tier 2: 求是 as a word;
        # tier 1: 实事求是
        ("《求是》", p("d", "a", "e", "b", "c")),
        ("〈求是〉", p("d", "a", "e", "b", "c")),
        ("“《求是》”", p("d", "a", "e", "b", "c")),
        # without book-title marks, BM25F alone: 实事求是 first, the journal last
        ("“求是”", p("c", "e", "d", "b", "a")),
        ("求是", p("e", "d", "c", "b", "a")),  # unquoted: 求是 as a word scores too
        # title: the post titles only: 《求是》, 求是杂志, 实事求是
        ("title:《求是》", p("d", "e", "c")),
        # 《政府工作报告》 first; then 政府 工作 报告 as words (《2024年政府工作报告》 is
        # another title); then 政府工作报告会 (报告会 is the word)
        ("《政府工作报告》", p("f", "g", "i", "h")),
        ("“政府工作报告”", p("g", "h", "i", "f")),
        # a title nested in another is a title too, whichever marks the query uses
        ("〈江河之上〉", p("j", "k", "l")),
        ("《江河之上》", p("j", "k", "l")),
        ("“江河之上”", p("l", "k", "j")),  # k and l score alike: the newer first
        ("《关于〈江河之上〉的评论》", p("j")),
        # quote marks inside a title: one title, not “十四五” and a loose 规划
        ("《“十四五”规划》", p("m", "n")),
        ("“十四五”规划", p("n", "m")),
    ],
)
def test_titles_in_book_title_marks_rank_first(
    index: Index, query: str, expected: list[str]
) -> None:
    results = index.search(query, limit=50)
    assert [h.id for h in results.hits] == expected
    assert results.total == len(expected)


def test_every_post_holding_the_run_is_still_found(index: Index) -> None:
    # Recall: the same posts as the phrase without marks; only the order changes.
    for title in ("求是", "政府工作报告", "江河之上"):
        assert sorted(ids(index, f"《{title}》")) == sorted(ids(index, f"“{title}”"))
    # and a title excluded excludes every post holding the run, as a phrase does
    assert ids(index, "杂志 -《求是》") == []


def test_the_marks_stay_exact(index: Index) -> None:
    assert snippet(index, "《求是》", "a").endswith("《<mark>求是</mark>》杂志今日发表文章。")
    assert snippet(index, "《求是》", "c") == (
        "坚持实事<mark>求是</mark>，实事<mark>求是</mark>是根本，做到实事<mark>求是</mark>。"
    )
    first = index.search("《求是》").hits[0]
    assert (first.id, first.title_html) == ("_posts/2024-03-01-d", "《<mark>求是</mark>》刊文")
    assert snippet(index, "《关于〈江河之上〉的评论》", "j").endswith(
        "《<mark>关于</mark>〈<mark>江河之上</mark>〉<mark>的评论</mark>》发表。"
    )


# -- the parts: parse, plan, terms ---------------------------------------------------


@pytest.mark.parametrize(
    ("query", "clauses"),
    [
        ("《求是》", [("求是", True)]),
        ("〈求是〉", [("求是", True)]),
        ("“《求是》” 杂志", [("求是", True), ("杂志", False)]),
        ("《“江河之上”》", [("江河之上", True)]),
        ("《关于〈江河之上〉的评论》", [("关于〈江河之上〉的评论", True)]),
        ("《“十四五”规划》纲要", [("“十四五”规划", True), ("纲要", False)]),
        ("“求是”", [("求是", False)]),
        ("《求是〉", [("求是", True)]),  # mismatched book-title marks
        ("《求是", [("求是", False)]),  # never closed: a word
    ],
)
def test_parse_records_book_title_marks(query: str, clauses: list[tuple[str, bool]]) -> None:
    parsed = parse(query)
    assert [(c.text, c.book_title) for g in parsed.groups for c in g] == clauses


def test_the_plan_of_a_book_title() -> None:
    segmenter = analysis.make_segmenter()
    root = qp.plan_query(parse("《政府工作报告》"), segmenter).root
    marked = qp.BookTitle("政府工作报告")
    words = qp.AllOf(tuple(qp.Word(w) for w in ("政府", "工作", "报告")))
    assert root == qp.Verbatim(
        qp.Maybe(
            qp.Units(tuple("政府工作报告")),
            qp.AnyOf((qp.Verbatim(qp.Verbatim(marked)), qp.Verbatim(qp.Without(words, marked)))),
        )
    )
    # A regional spelling or an exclusion has no tier; a plain phrase has none either.
    quoted = qp.plan_query(parse("“政府工作报告”"), segmenter).root
    assert quoted == qp.Verbatim(qp.Units(tuple("政府工作报告")))
    excluded = qp.plan_query(parse("报告 -《政府工作报告》"), segmenter).root
    assert isinstance(excluded, qp.Without)
    assert excluded.negative == qp.Units(tuple("政府工作报告"))


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("《求是》杂志", ["求是"]),
        ("《求是》与《求是》", ["求是", "求是"]),
        ("《關於〈ＡＩ〉的決定》", ["关于/ai/的决定", "ai"]),  # folded, nested
        ("《“十四五” 规划》", ["十四五/规划"]),  # punctuation is one break, spaces none
        ("《iPhone 14评测》", ["iphone 14 评测"]),
        ("《》《——》〈 〉", []),  # no unit: no term
        ("《求是\n杂志》", []),  # no title spans a line
        ("《" + "长" * MAX_TITLE_CHARS + "》", ["长" * MAX_TITLE_CHARS]),
        ("《" + "长" * (MAX_TITLE_CHARS + 1) + "》", []),  # a mark left open, not a title
        ("《甲《乙》", ["乙"]),
    ],
)
def test_book_title_terms(text: str, terms: list[str]) -> None:
    assert BookTitleTokenizer().terms(text) == terms


@pytest.fixture(scope="module")
def segmenter() -> analysis.Segmenter:
    return analysis.make_segmenter()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="求是關於ＡＩa1２,.， “”‘’〈〉的-·\u3000", max_size=12))
def test_the_query_term_is_the_index_term(segmenter: analysis.Segmenter, text: str) -> None:
    # A title typed as a post writes it gives the term of the post's title: the plan
    # looks up exactly what the index holds.
    term = text_term(text)
    plan = qp.plan_query(parse(f"《{text}》"), segmenter).root
    assert (qp.BookTitle(term) in _nodes(plan)) == (term is not None)
    if "〈" not in text and "〉" not in text:  # else the nested titles give more terms
        assert BookTitleTokenizer().terms(f"文《{text}》文") == ([] if term is None else [term])


def _nodes(node: Any) -> list[Any]:
    found = [node]
    for name in ("child", "required", "optional", "positive", "negative"):
        if hasattr(node, name):
            found += _nodes(getattr(node, name))
    for child in getattr(node, "children", ()):
        found += _nodes(child)
    return found


def test_the_list_form_equals_the_pipeline() -> None:
    pipeline = analysis.BookTitleAnalyzer()
    positions = term_positions(pipeline)
    for text in ("", "《求是》《求是》〈学习〉", "《關於〈ＡＩ〉的決定》，《》", "无书名"):
        expected: dict[str, list[int]] = {}
        for t in pipeline(text):
            expected.setdefault(t.text, []).append(t.pos)
        assert positions(text, None) == expected


# -- real posts ----------------------------------------------------------------------

SMALL = SHARED_CORPUS / "xwlb-small"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Index:
    if not SMALL.is_dir():
        pytest.skip(NO_SHARED)
    index = Index.create(tmp_path_factory.mktemp("xwlb") / "index")
    index.update(SMALL)
    return index


@pytest.mark.parametrize("title", ["求是", "意见", "决定", "条例", "人民日报", "联合国宪章"])
def test_xwlb_small_hits_citing_the_title_come_first(small: Index, title: str) -> None:
    results = small.search(f"《{title}》", limit=100)
    assert results.total == len(results.hits) == small.search(f"“{title}”", limit=1).total
    cited = re.compile(f"《{title}》|〈{title}〉")
    holds = []
    for hit in results.hits:
        stored = small.engine.stored(hit.id)
        assert stored is not None
        holds.append(bool(cited.search(stored.title + "\n" + stored.body)))
    assert any(holds) and not all(holds), holds  # the test has something to order
    assert holds == sorted(holds, reverse=True), holds  # every citing hit first
