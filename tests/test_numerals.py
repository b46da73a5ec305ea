"""Issue #20, Chinese numerals: a quantity in Chinese numerals matches the same quantity
in Arabic digits and back, highlighted as each post writes it; idioms and names with
numeral characters stay as they are (searcher.analysis.numerals)."""

from __future__ import annotations

import pytest

from searcher.analysis import make_segmenter
from searcher.analysis.numerals import numeral_forms, to_arabic, to_chinese
from searcher.analysis.segmenters import Segmenter
from searcher.index import Index
from searchutil import build, ids, post, snippet


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    return make_segmenter()


# -- numeral_forms ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "forms"),
    [
        # the four examples, both ways
        ("四季度", ["4季度"]),
        ("4季度", ["四季度"]),
        ("第五届", ["第5届"]),
        ("第5届", ["第五届"]),
        ("二〇二五年", ["2025年"]),
        ("2025年", ["二〇二五年"]),
        ("十二万", ["12万"]),
        ("12万", ["十二万"]),
        # decimals, magnitudes kept as written
        ("三点五亿元", ["3.5亿元"]),
        ("3.5亿元", ["三点五亿元"]),
        ("一千二百万元", ["1200万元"]),
        ("1,200万元", ["一千二百万元"]),
        # several quantities in one word; 多/余 between number and unit
        ("二〇二五年十二月三十一日", ["2025年12月31日"]),
        ("二十世纪八十年代", ["20世纪80年代"]),
        ("三千多人", ["3000多人"]),
        ("今年四季度经济", ["今年4季度经济"]),
        # which Chinese spelling: years digit by digit, a count of two is 两
        ("二零二五年", ["2025年", "二〇二五年"]),
        ("2000年", ["二〇〇〇年", "两千年"]),
        ("5000年", ["五千年"]),
        ("2个月", ["两个月"]),
        ("2万", ["两万"]),
        ("2季度", ["二季度"]),
        ("第2次", ["第二次"]),
        ("二个", ["2个", "两个"]),
        # folded first: full-width digits, traditional characters
        ("２０２５年", ["二〇二五年"]),
        ("十二萬", ["12万"]),
    ],
)
def test_numeral_forms(seg: Segmenter, text: str, forms: list[str]) -> None:
    assert numeral_forms(text, seg) == forms


@pytest.mark.parametrize(
    "text",
    [
        # idioms and names with numeral characters
        "三心二意",
        "四川",
        "一带一路",
        "一国两制",
        "十全十美",
        "万一",
        "一些",
        "统一",
        "第一书记",
        "五四运动",
        "十四五规划",
        "三个代表",  # a count inside a longer dictionary word
        "一年四季度过",  # 四季 | 度过: 季度 is not a word here
        "一次性",
        "五年级",
        "第一时间",
        "二次会议",  # a congress's session, not a count of two
        # estimates, words that are not units, no unit at all
        "三四倍",
        "一起",
        "1起",
        "十分",
        "10分",
        "四周",
        "2025",
        "iPhone14",
        "F-35架",
        "百万",
        "千万",
        # nothing numeric
        "人工智能",
        "",
    ],
)
def test_numeral_forms_leave_words_alone(seg: Segmenter, text: str) -> None:
    assert numeral_forms(text, seg) == []


def test_conversions() -> None:
    assert [to_arabic(n) for n in ("十二万", "二〇二五", "三点五亿", "两", "百万", "十四五")] == [
        "12万",
        "2025",
        "3.5亿",
        "2",
        None,
        None,
    ]
    assert to_chinese("2025", "年") == ("二〇二五",)
    assert to_chinese("2", "届", ordinal=True) == ("二",)
    assert to_chinese("2", "届") == ("两",)
    assert to_chinese("20", "届") == ("二十",)


# -- search, both ways --------------------------------------------------------------


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    days = iter(range(1, 30))

    def p(body: str) -> str:
        return post("消息", body, date=f"2025-03-{next(days):02d} 10:00:00 +0800")

    return build(
        tmp_path_factory.mktemp("numerals"),
        {
            "_posts/2025-03-01-q-cn.md": p("今年四季度，全市工业产值稳步增长。"),
            "_posts/2025-03-01-q-ar.md": p("今年4季度，全市工业产值稳步增长。"),
            "_posts/2025-03-01-e-cn.md": p("第五届航展在珠海开幕。"),
            "_posts/2025-03-01-e-ar.md": p("第5届航展在珠海开幕。"),
            "_posts/2025-03-01-y-cn.md": p("二〇二五年工作安排已经公布。"),
            "_posts/2025-03-01-y-ar.md": p("2025年工作安排已经公布。"),
            "_posts/2025-03-01-w-cn.md": p("全市新增就业十二万人。"),
            "_posts/2025-03-01-w-ar.md": p("全市新增就业12万人。"),
            "_posts/2025-03-01-d-cn.md": p("项目投资三点五亿元，建设新馆。"),
            "_posts/2025-03-01-d-ar.md": p("项目投资3.5亿元，建设新馆。"),
            "_posts/2025-03-01-i-cn.md": p("他学琴三心二意，总想着出去玩。"),
            "_posts/2025-03-01-i-ar.md": p("小猫钓鱼3心2意，一条也没钓到。"),
            "_posts/2025-03-01-s-cn.md": p("四川盆地今天有雨。"),
            "_posts/2025-03-01-s-ar.md": p("4川盆地今天有雨。"),
            "_posts/2025-03-01-b-cn.md": p("共建一带一路合作成果丰硕。"),
            "_posts/2025-03-01-b-ar.md": p("共建1带1路合作成果丰硕。"),
        },
    )


@pytest.mark.parametrize(
    ("chinese", "arabic", "key"),
    [
        ("四季度", "4季度", "q"),
        ("第五届", "第5届", "e"),
        ("二〇二五年", "2025年", "y"),
        ("十二万", "12万", "w"),
        ("三点五亿元", "3.5亿元", "d"),
    ],
)
def test_either_system_finds_both(index: Index, chinese: str, arabic: str, key: str) -> None:
    both = {f"_posts/2025-03-01-{key}-cn", f"_posts/2025-03-01-{key}-ar"}
    assert set(ids(index, chinese)) == both
    assert set(ids(index, arabic)) == both
    # highlighted as each post writes it
    for query in (chinese, arabic):
        assert f"<mark>{chinese}</mark>" in snippet(index, query, f"{key}-cn")
        assert f"<mark>{arabic}</mark>" in snippet(index, query, f"{key}-ar")


def test_exact_hits_order_and_marks(index: Index) -> None:
    q_cn, q_ar = "_posts/2025-03-01-q-cn", "_posts/2025-03-01-q-ar"
    # the same weight and tier either way: the same hits, scores and order
    for chinese, arabic in [("四季度", "4季度"), ("第五届", "第5届"), ("十二万", "12万")]:
        a, b = index.search(chinese), index.search(arabic)
        assert [(h.id, h.score) for h in a.hits] == [(h.id, h.score) for h in b.hits]
        assert a.total == b.total == 2
    assert ids(index, "四季度") == ids(index, "4季度") == [q_cn, q_ar]
    assert snippet(index, "4季度", "q-cn") == "今年<mark>四季度</mark>，全市工业产值稳步增长。"
    assert snippet(index, "四季度", "q-ar") == "今年<mark>4季度</mark>，全市工业产值稳步增长。"
    assert snippet(index, "2025年", "y-cn") == "<mark>二〇二五年</mark>工作安排已经公布。"
    assert snippet(index, "十二万", "w-ar") == "全市新增就业<mark>12万</mark>人。"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("三心二意", ["_posts/2025-03-01-i-cn"]),
        ("3心2意", ["_posts/2025-03-01-i-ar"]),
        ("四川", ["_posts/2025-03-01-s-cn"]),
        ("4川", ["_posts/2025-03-01-s-ar"]),
        ("一带一路", ["_posts/2025-03-01-b-cn"]),
        ("1带1路", ["_posts/2025-03-01-b-ar"]),
    ],
)
def test_idioms_and_names_keep_their_numerals(
    index: Index, query: str, expected: list[str]
) -> None:
    assert ids(index, query) == expected


def test_excluded_quantity_excludes_both_spellings(index: Index) -> None:
    assert ids(index, "全市 -四季度") == ["_posts/2025-03-01-w-ar", "_posts/2025-03-01-w-cn"]
