"""Snippets cover the query (issue #20): with several query words, every word the body
holds gets a fragment, within the snippet's size (``searcher/fragments.py``)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher.analysis.terms import folded_units
from searcher.fragments import Match, tightest
from searcher.index import Index
from searcher.snippets import Term, TermGroup, find_spans, make_snippet
from searchutil import NO_SHARED, SHARED_CORPUS, build, post, snippet

#: Six sentences of 32 characters, each with 大桥 twice: the old rule (most distinct
#: matches, then earliest) fills 160 characters with them and never reaches a later word.
BRIDGES = "".join(
    f"第{n}座大桥今日开工，市民纷纷前来参观，称赞大桥设计新颖美观大方。" for n in "一二三四五六"
)
TAIL = "天气晴朗，气温适宜。" * 5 + "隧道下月贯通。"
B = "第{}座<mark>大桥</mark>今日开工，市民纷纷前来参观，称赞<mark>大桥</mark>设计新颖美观大方。"


def terms(*words: str) -> list[Term]:
    """The highlight terms of ``words`` as the planner folds them (one group each)."""
    return [tuple(folded_units(w, offsets=False)[0]) for w in words]


def test_a_later_word_gets_a_fragment_of_its_own() -> None:
    text = BRIDGES + TAIL
    assert make_snippet(text, terms("大桥")) == "".join(B.format(n) for n in "一二三四五")
    assert make_snippet(text, terms("大桥", "隧道")) == (
        "".join(B.format(n) for n in "一二三四") + "…<mark>隧道</mark>下月贯通。"
    )


def test_three_words_far_apart() -> None:
    text = BRIDGES[:96] + "新机场航站楼封顶。" + BRIDGES[96:] + TAIL
    assert make_snippet(text, terms("大桥", "隧道", "机场")) == (
        "".join(B.format(n) for n in "一二三")
        + "新<mark>机场</mark>航站楼封顶。"
        + B.format("四")
        + "…<mark>隧道</mark>下月贯通。"
    )


def test_a_word_the_text_lacks_changes_nothing() -> None:
    text = BRIDGES + TAIL
    assert make_snippet(text, terms("大桥", "隧道", "高铁")) == make_snippet(
        text, terms("大桥", "隧道")
    )
    assert make_snippet(text, terms("高铁", "隧道")) == (
        "<mark>隧道</mark>下月贯通。"  # one fragment, none empty for 高铁
    )


LONG = ["甲" * 40 + "大桥" + "乙" * 58 + "。", "丙" * 40 + "隧道" + "丁" * 58 + "。"]
LONG.append("戊" * 40 + "机场" + "己" * 58 + "。")


def test_a_budget_too_small_for_every_word_keeps_the_first_words_of_the_query() -> None:
    # 60 characters hold two cut fragments of at least 24 (MIN_FRAGMENT_CHARS): 30 each
    text = "".join(LONG)
    assert make_snippet(text, terms("大桥", "隧道", "机场"), size=60) == (
        "…"
        + "甲" * 9
        + "<mark>大桥</mark>"
        + "乙" * 19
        + "…"
        + "丙" * 9
        + "<mark>隧道</mark>"
        + "丁" * 19
        + "…"
    )
    assert make_snippet(text, terms("机场", "隧道", "大桥"), size=60) == (
        "…"
        + "丙" * 9
        + "<mark>隧道</mark>"
        + "丁" * 19
        + "…"
        + "戊" * 9
        + "<mark>机场</mark>"
        + "己" * 19
        + "…"
    )
    # one fragment of 24 or less: the first word only
    assert make_snippet(text, terms("隧道", "大桥"), size=30) == (
        "…" + "丙" * 9 + "<mark>隧道</mark>" + "丁" * 19 + "…"
    )


def test_words_close_together_come_first() -> None:
    # both sentences hold both words: the one where they stand close wins, though later
    text = "大桥" + "甲" * 100 + "隧道。" + "大桥与隧道同步推进。"
    assert make_snippet(text, terms("大桥", "隧道"), size=40) == (
        "<mark>大桥</mark>与<mark>隧道</mark>同步推进。"
    )


def test_two_words_far_apart_in_one_long_sentence_get_a_window_each() -> None:
    text = "甲" * 10 + "大桥" + "乙" * 338 + "隧道" + "丙" * 48 + "。"
    assert make_snippet(text, terms("大桥", "隧道"), size=80) == (
        "甲" * 10
        + "<mark>大桥</mark>"
        + "乙" * 28
        + "…"
        + "乙" * 12
        + "<mark>隧道</mark>"
        + "丙" * 26
        + "…"
    )


def test_a_sentence_of_many_matches_still_shows_every_word() -> None:
    # 100 matches of 大桥 before 隧道: windows of several words are looked for among a
    # sentence's first 64 matches (WINDOW_MATCHES), so each word gets a window of its own
    text = "大桥，" * 100 + "隧道相连。"
    assert make_snippet(text, terms("大桥", "隧道"), size=50) == (
        "<mark>大桥</mark>，" * 8 + "…" + "<mark>大桥</mark>，" * 6 + "<mark>隧道</mark>相连。"
    )
    # 40 characters hold one window (two need 48): 大桥's, cut before a half-marked 大
    assert make_snippet(text, terms("大桥", "隧道"), size=40) == "<mark>大桥</mark>，" * 13 + "…"


def test_words_far_apart_in_a_body_past_the_long_text_limit() -> None:
    text = "大桥开工。" + "无关的句子。" * 10_000 + "隧道贯通。" + "无关的句子。" * 10
    assert len(text) > 60_000
    assert make_snippet(text, terms("大桥", "隧道")) == (
        "<mark>大桥</mark>开工。…<mark>隧道</mark>贯通。"
    )


def test_marks_land_on_the_text_as_written_in_either_script() -> None:
    # ten sentences with 習近平 fill 160 characters before 普京's is reached
    text = (
        "國家主席習近平出席會議並發表講話。" * 10
        + "會議期間天氣晴朗。" * 5
        + "俄羅斯總統普京表示歡迎。"
    )
    expected = "國家主席<mark>習近平</mark>出席會議並發表講話。" * 8 + (
        "…俄羅斯總統<mark>普京</mark>表示歡迎。"
    )
    assert make_snippet(text, terms("习近平", "普京")) == expected
    assert make_snippet(text, terms("習近平", "普京")) == expected


def test_a_word_only_in_code_gets_no_fragment_beside_prose_matches() -> None:
    text = "调用 producer 发送消息。\nconsumer.poll(record);\n其余说明。"
    start = text.index("consumer")
    code = ((start, start + 22),)
    assert text[start : start + 22] == "consumer.poll(record);"
    assert make_snippet(text, terms("producer", "record"), code=code) == (
        "调用 <mark>producer</mark> 发送消息。"
    )


def test_fallback_terms_of_a_group_count_for_its_word() -> None:
    # 碳中和 is absent: its fallback term 碳中 shows the word
    group = TermGroup((tuple("碳中和"),), (tuple("碳中"),))
    text = "大桥开工。" * 40 + "碳中期目标。"
    assert make_snippet(text, [tuple("大桥"), group], size=11) == (
        "<mark>大桥</mark>开工。…<mark>碳中</mark>期目标。"
    )


NUMBERS = "一二三四五六七八九"


def test_through_the_index(tmp_path: Path) -> None:
    said = [f"第{n}次會議上，國家主席習近平發表講話。" for n in NUMBERS]
    body = "\n\n".join([*said, "會議期間天氣晴朗。", "俄羅斯總統普京表示歡迎。"])
    index = build(tmp_path, {"_posts/2024-01-02-a.md": post("会议", body)})
    shown = [f"第{n}次會議上，國家主席<mark>習近平</mark>發表講話。" for n in NUMBERS[:7]]
    assert (
        snippet(index, "习近平 普京") == "".join(shown) + "…俄羅斯總統<mark>普京</mark>表示歡迎。"
    )


def visible(snippet: str) -> str:
    return html.unescape(re.sub(r"</?mark>", "", snippet))


def marked(snippet: str, words: list[str]) -> set[str]:
    """The ``words`` with a match under a ``<mark>`` of ``snippet`` (a mark may hold
    two words that touch)."""
    text, marks, at = "", [], 0
    for part in re.split(r"(<mark>.*?</mark>)", snippet):
        plain = html.unescape(part.removeprefix("<mark>").removesuffix("</mark>"))
        if part.startswith("<mark>"):
            marks.append((at, at + len(plain)))
        text += plain
        at += len(plain)
    return {
        w
        for w in words
        if any(a <= s and e <= b for s, e in find_spans(text, terms(w)) for a, b in marks)
    }


@given(
    st.lists(
        st.sampled_from(["大桥", "隧道", "机场", "开工", "甲乙丙丁", "戊" * 30, "，", "。"]),
        max_size=200,
    ),
    st.permutations(["大桥", "隧道", "机场"]),
    st.sampled_from([60, 100, 160]),
)
def test_every_word_the_text_holds_is_marked(
    pieces: list[str], words: list[str], size: int
) -> None:
    """Of the words the text holds, all or at least ``size // 24`` (MIN_FRAGMENT_CHARS)
    are marked, and the snippet keeps to ``size`` visible characters (ellipses not
    counted)."""
    text = "".join(pieces)
    snip = make_snippet(text, terms(*words), size=size)
    assert len(visible(snip).replace("…", "")) <= size
    held = {w for w in words if find_spans(text, terms(w))}
    shown = marked(snip, words)
    assert shown <= held
    assert len(shown) >= min(len(held), size // 24)


@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 6), st.integers(0, 3)), max_size=14),
    st.integers(1, 40),
)
def test_tightest_is_the_best_window_by_brute_force(
    raw: list[tuple[int, int, int]], width: int
) -> None:
    matches = sorted(Match(start, start + length, group) for start, length, group in raw)
    windows = []
    for i in range(len(matches)):
        for j in range(i, len(matches)):
            inside = matches[i : j + 1]
            end = max(m.end for m in inside)
            if end - matches[i].start <= width:
                words = frozenset(m.group for m in inside)
                windows.append(((-len(words), end - matches[i].start, matches[i].start), words))
    found = tightest(matches, width)
    if not windows:
        assert found is None
        return
    key, _ = min(windows, key=lambda w: w[0])
    assert found is not None
    assert (-len(found.groups), found.end - found.start, found.start) == key


@given(
    st.text(alphabet="甲乙，、：, ", min_size=1, max_size=120),
    st.lists(st.tuples(st.integers(0, 119), st.integers(1, 8)), min_size=1, max_size=10),
    st.integers(0, 9),
    st.integers(1, 60),
)
def test_a_window_holds_its_span_within_its_size(
    text: str, raw: list[tuple[int, int]], pick: int, size: int
) -> None:
    """Whatever the marks and clause ends around it, a cut window keeps to ``size`` and
    holds the span it is centred on (when the span fits in ``size``)."""
    from searcher.snippets import _window

    marks = _merged_marks([(a, min(a + n, len(text))) for a, n in raw if a < len(text)])
    if not marks:
        return
    centre = marks[pick % len(marks)]
    if centre[1] - centre[0] > size:
        return
    start, end = _window(text, (0, len(text)), [centre], size, marks)
    assert 0 <= start <= centre[0] and centre[1] <= end <= len(text)
    assert end - start <= size


def _merged_marks(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


SMALL = SHARED_CORPUS / "xwlb-small"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Index:
    index = Index.create(tmp_path_factory.mktemp("xwlb") / "index")
    index.update(SMALL)
    return index


@pytest.mark.skipif(not SMALL.is_dir(), reason=NO_SHARED)
@pytest.mark.parametrize("query", ["習近平 普京", "中国 南非", "科技创新 高质量发展 人才"])
def test_xwlb_small_every_word_a_hit_holds_is_in_its_snippet(small: Index, query: str) -> None:
    hits = small.search(query, limit=50).hits
    assert hits
    for hit in hits:
        body = small.engine.stored(hit.id).body
        for word in query.split():
            if find_spans(body, terms(word)):
                assert find_spans(visible(hit.snippet), terms(word)), (hit.id, word)
    putin = [h for h in hits if "普京" in small.engine.stored(h.id).body]
    if query == "習近平 普京":
        assert len(putin) == 3  # before issue #20, 1 of the 3 showed 普京
        assert all("<mark>普京</mark>" in h.snippet for h in putin)
