"""Property-based tests (Hypothesis) of issue #8's analysis on random posts.

Posts are drawn from characters that have traditional and simplified forms (OpenCC's
table, :func:`searcher.analysis.script_table`), common characters, digits, letters and
CJK / full-width punctuation. Each example indexes its posts in a throw-away index.

1. Any substring of a post, typed in either script or a mix of both (each character
   replaced by any character that folds like it), finds the post, quoted and unquoted.
2. Highlights are always on the original characters: the snippet with its ``<mark>``
   tags removed is the post's own text, and each mark holds only characters that fold to
   characters of the query (adjacent matches merge into one mark).
3. No phrase crosses punctuation: in ``x‹mark›y``, the phrase of x's last character
   and y's first is not found (unless those two stand together elsewhere in the post).
"""

from __future__ import annotations

import html
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.analysis import script_table, to_simplified
from searcher.index import Index
from searchutil import post, write_corpus

TABLE = script_table()
#: Simplified characters with at least one other form, and those forms.
VARIANT_KEYS = sorted(k for k, v in TABLE.forms.items() if "\u4e00" <= k <= "\u9fff")[:400]
TRADITIONAL = sorted({c for k in VARIANT_KEYS for c in TABLE.forms[k] if c != k})
PLAIN = list("的是在有新今日市民发展经济城市学校技术")
#: Punctuation that must break a phrase (CJK and full-width, curly quotes).
MARKS = list("，。、；：！？（）【】《》〈〉「」『』‘’“”－／・～＂＇…—·")
MARKS.remove("·")  # the Latin middle dot joins transliterated names
QUOTES = set('"＂“”‘’「」『』《》〈〉﹁﹂﹃﹄〝〞〟')
CJK = st.sampled_from(VARIANT_KEYS + TRADITIONAL + PLAIN)
_MARK = re.compile(r"<mark>(.*?)</mark>")
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _index(texts: list[str], folder: Path) -> Index:
    corpus = write_corpus(
        folder, {f"_posts/2024-03-0{i + 1}-p{i}.md": post("题", t) for i, t in enumerate(texts)}
    )
    index = Index.create(folder / "index")
    index.update(corpus)
    return index


def _any_script(text: str, choices: list[int]) -> str:
    """``text`` with each character replaced by one of the forms that fold like it."""
    out = []
    for ch, k in zip(text, choices, strict=False):
        forms = TABLE.forms.get(to_simplified(ch), to_simplified(ch))
        out.append(forms[k % len(forms)])
    return "".join(out)


runs = st.lists(CJK, min_size=2, max_size=12).map("".join)
bodies = st.lists(st.one_of(runs, st.sampled_from(MARKS)), min_size=1, max_size=6).map(
    lambda parts: "".join(parts)
)


@SETTINGS
@given(texts=st.lists(bodies, min_size=1, max_size=3), data=st.data())
def test_any_substring_in_either_script_finds_its_post(
    texts: list[str], data: st.DataObject
) -> None:
    texts = [t if re.search(r"[\u3400-\u9fff]", t) else t + "中文" for t in texts]
    with tempfile.TemporaryDirectory() as tmp:
        with _index(texts, Path(tmp)) as index:
            for i, text in enumerate(texts):
                doc = f"_posts/2024-03-0{i + 1}-p{i}"
                cjk_at = [k for k, ch in enumerate(text) if "\u3400" <= ch <= "\u9fff"]
                start = data.draw(st.sampled_from(cjk_at), label="start")
                end = data.draw(st.sampled_from([k for k in cjk_at if k >= start]), label="end")
                sub = text[start : end + 1]
                # a quote mark inside would end the quoted query: type a comma instead,
                # which breaks the phrase at the same place
                sub = "".join("，" if ch in QUOTES else ch for ch in sub)
                choices = data.draw(
                    st.lists(st.integers(0, 7), min_size=len(sub), max_size=len(sub))
                )
                for query in {sub, to_simplified(sub), _any_script(sub, choices)}:
                    quoted = index.search(f'"{query}"', limit=10)
                    assert doc in [h.id for h in quoted.hits], (text, query)
                    unquoted = index.search(query, limit=10)
                    assert doc in [h.id for h in unquoted.hits], (text, query)
                    hit = next(h for h in quoted.hits if h.id == doc)
                    marks = _MARK.findall(hit.snippet)
                    assert marks, (text, query, hit.snippet)
                    plain = html.unescape(_MARK.sub(r"\1", hit.snippet))
                    for piece in plain.split("…"):
                        assert piece in text, (text, query, hit.snippet)
                    units = set(to_simplified(query))
                    for mark in marks:
                        mark = html.unescape(mark)
                        assert mark in text, (text, mark)
                        assert set(to_simplified(mark)) <= units, (text, query, mark)


@SETTINGS
@given(x=runs, y=runs, mark=st.sampled_from(MARKS), data=st.data())
def test_no_phrase_crosses_punctuation(x: str, y: str, mark: str, data: st.DataObject) -> None:
    text = f"{x}{mark}{y}"
    pair = x[-1] + y[0]
    folded_pair = to_simplified(pair)
    if folded_pair in to_simplified(x) or folded_pair in to_simplified(y):
        return  # the two stand together elsewhere in the post
    choices = data.draw(st.lists(st.integers(0, 7), min_size=2, max_size=2))
    with tempfile.TemporaryDirectory() as tmp:
        with _index([text], Path(tmp)) as index:
            for query in {pair, folded_pair, _any_script(pair, choices)}:
                assert index.search(f'"{query}"').total == 0, (text, query)
                across = index.search(f'"{x[-1]}{mark}{y[0]}"')  # typed with the mark: found
                assert across.total == 1, (text, mark)
