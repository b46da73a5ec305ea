"""Snippets and highlights: sentence choice, size, escaping, very long articles."""

from __future__ import annotations

import html
import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from searcher.snippets import TermGroup, find_spans, highlight, make_snippet


def visible(snippet: str) -> str:
    return html.unescape(re.sub(r"</?mark>", "", snippet))


def test_match_far_beyond_whooshs_32k_window() -> None:
    text = "无关的句子。" * 20000 + "这里提到跨江大桥。" + "无关的句子。" * 10
    assert len(text) > 120_000
    assert make_snippet(text, [tuple("大桥")]) == "这里提到跨江<mark>大桥</mark>。"


def test_best_sentences_in_text_order_joined_with_ellipsis() -> None:
    text = "大桥开工。天气晴朗。大桥与隧道同步推进。市民关注。隧道贯通。"
    snippet = make_snippet(text, [tuple("大桥"), tuple("隧道")])
    # 天气晴朗。 and 市民关注。 are left out, so each gap shows as …
    assert snippet == (
        "<mark>大桥</mark>开工。…<mark>大桥</mark>与<mark>隧道</mark>同步推进。…<mark>隧道</mark>贯通。"
    )


def test_long_sentence_is_cut_around_the_match() -> None:
    text = "甲" * 400 + "大桥" + "乙" * 400 + "。"
    snippet = make_snippet(text, [tuple("大桥")], size=60)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>大桥</mark>" in snippet
    assert len(visible(snippet)) == 60 + 2  # the window plus two ellipses


def test_size_is_respected_on_real_looking_text() -> None:
    text = "".join(f"第{i}条新闻提到经济发展，内容较长，需要截断处理。" for i in range(50))
    snippet = make_snippet(text, [tuple("经济")])
    assert len(visible(snippet).replace("…", "")) <= 160
    assert snippet.count("<mark>经济</mark>") >= 5


def test_everything_but_marks_is_escaped() -> None:
    text = '<b>大桥</b> & "通车" <script>'
    assert highlight(text, find_spans(text, [tuple("大桥")])) == (
        "&lt;b&gt;<mark>大桥</mark>&lt;/b&gt; &amp; &quot;通车&quot; &lt;script&gt;"
    )


def test_no_match_gives_the_opening_sentences() -> None:
    assert make_snippet("第一句。第二句。", [tuple("大桥")]) == "第一句。第二句。"


def test_fallback_terms_only_when_the_whole_word_is_absent() -> None:
    group = TermGroup(primary=(tuple("碳中和"),), fallback=(tuple("碳中"), ("和",)))
    assert find_spans("实现碳中和，和平发展。", [group]) == [(2, 5)]
    assert find_spans("碳中期，和平。", [group]) == [(0, 2), (4, 5)]


def _units_one_by_one(value: str) -> tuple[list[str], list[int], list[int], list[bool]]:
    """The units as the unit pattern finds them, one match per unit (the reference)."""
    from searcher.analysis.tokenizers import _UNIT, is_break

    texts, starts, ends, breaks = [], [], [], []
    prev_end, prev_letters = -1, False
    for m in _UNIT.finditer(value):
        letters = m.lastindex == 3
        gap = value[prev_end : m.start()]
        breaks.append(prev_end >= 0 and gap != "" and is_break(gap, letters and prev_letters))
        prev_end, prev_letters = m.end(), letters
        texts.append(m.group())
        starts.append(m.start())
        ends.append(m.end())
    return texts, starts, ends, breaks


@given(st.text(alphabet="中文開通ab AB１２12,3.5-’'。，\n\u0301𠮷ア・⼈가x", max_size=40))
def test_scanning_cjk_runs_at_once_gives_the_same_units(value: str) -> None:
    from searcher.analysis.tokenizers import scan_units

    assert scan_units(value) == _units_one_by_one(value)


@given(
    st.lists(
        st.sampled_from(
            [
                "智慧城市",
                "城市",
                "開通",
                "开通",
                "⼈民",
                "人民",
                "，",
                "。",
                "\n",
                "abc",
                "ＡＩ",
                "\u0301",
                "か\u3099",
                "市",
                "和",
                "城市群",
            ]
        ),
        max_size=120,
    ),
    st.sampled_from(
        [
            [("城", "市")],
            [("开", "通")],
            [("人",)],
            [("a", "bc")],
            [("智", "慧"), ("ai",)],
            [TermGroup((("碳", "中", "和"),), (("和",),)), ("城",)],
            [TermGroup((("城", "市", "群"),), (("城", "市"),))],
        ]
    ),
)
def test_snippets_look_only_at_sentences_that_can_match_and_miss_nothing(
    pieces: list[str], terms: list[Any]
) -> None:
    from searcher import snippets

    text = "".join(pieces) * 3
    whole = find_spans(text, terms)
    sentences = snippets._sentences(text)
    ranges = snippets._candidates(text, sentences, list(terms))
    kept = find_spans(text, terms, ranges)
    inside = [sp for sp in whole if any(s <= sp[0] and sp[1] <= e for s, e in sentences)]
    assert kept == inside


@given(
    st.text(
        alphabet="中國開通臺灣軟體體着著么麼⼈兀豈丨㐀䶵𠮷かゞ\u3099アｱ가"
        "ＡＩabcÉé\u0301１２,.。，\n ",
        max_size=60,
    )
)
def test_highlighter_units_are_the_unit_analyzers(value: str) -> None:
    from searcher.analysis import UnitAnalyzer
    from searcher.snippets import _units

    tokens = [(t.text, t.startchar, t.endchar, t.brk) for t in UnitAnalyzer()(value)]
    units = _units(value)
    assert list(zip(units.texts, units.starts, units.ends, units.breaks, strict=True)) == tokens


def test_a_cut_fragment_starts_after_a_clause_end_before_its_match() -> None:
    # the window would start 19 characters before 大桥 (a third of the room), at the 4th
    # 甲; it starts after the ，instead, and the room goes to the end
    text = "甲" * 55 + "，" + "乙" * 15 + "大桥" + "丙" * 200 + "。"
    assert make_snippet(text, [tuple("大桥")], size=60) == (
        "…" + "乙" * 15 + "<mark>大桥</mark>" + "丙" * 43 + "…"
    )
    # a comma inside a number is no clause end
    text = "甲" * 55 + "1,000" + "乙" * 11 + "大桥" + "丙" * 200 + "。"
    assert make_snippet(text, [tuple("大桥")], size=60) == (
        "…" + "甲" * 3 + "1,000" + "乙" * 11 + "<mark>大桥</mark>" + "丙" * 39 + "…"
    )
