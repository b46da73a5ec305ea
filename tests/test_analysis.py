"""Engine-neutral analysis (:mod:`searcher.analysis`): the fold is one definition and
its fast forms equal it; the list forms of :mod:`searcher.analysis.terms` give exactly
the pipelines' terms, and refuse any pipeline they do not implement."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher import analysis
from searcher.analysis import read_user_dict, script_table
from searcher.analysis.folding import fold, fold_ideographs, unit_folder
from searcher.analysis.terms import folded_units, term_positions
from searcher.analysis.tokenizers import scan_units

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

HOSTILE_TEXTS = [
    "",
    "，，，",
    "新闻联播" * 50,
    "開通臺灣ＡＩ２０２２年iPhone14，6.35%。O’Neil don’t 的",
    "a\u200bb\u00adc 1,200 1,2,3 ℃ ｶﾀｶﾅ 𠀀𠀁 \U0002a700 ß\u0301 T恤",
    "\n".join(["第一段。"] * 3 + ["x" * 300, "\x00\x01"]),
    "上海证券交易所发布公告，三家公司获准上市。" * 3,
]


def _texts() -> list[str]:
    texts = list(HOSTILE_TEXTS)
    for path in sorted((CORPUS / "_posts").glob("*.md"))[:20]:
        texts.append(path.read_text(encoding="utf-8"))
    rng = random.Random(9)
    alphabet = "新闻联播的开通臺灣ａＡ1２,.，。 \n-·’'iPhone年月%"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(60))) for _ in range(300)]
    return texts


@pytest.mark.parametrize(
    "make",
    [analysis.UnitAnalyzer, analysis.BigramAnalyzer, lambda: analysis.WordAnalyzer("rjieba")],
)
def test_term_positions_equal_the_pipelines(make: Any) -> None:
    pipeline = make()
    positions = term_positions(pipeline)
    memo: dict[Any, Any] = {}
    for text in _texts():
        expected: dict[str, list[int]] = {}
        for t in pipeline(text):
            if not t.stopped:  # stop words keep their positions, not a term
                expected.setdefault(t.text, []).append(t.pos)
        assert positions(text, None) == expected, text[:40]
        assert positions(text, memo) == expected, text[:40]


def test_term_positions_refuses_a_pipeline_it_does_not_implement() -> None:
    # A stage added to a pipeline never leaves indexing on other terms unnoticed.
    with pytest.raises(TypeError, match="no list form"):
        term_positions(analysis.UnitAnalyzer() | analysis.StopFilter(frozenset("的")))

    class Other(analysis.FoldFilter):
        pass

    with pytest.raises(TypeError, match="no list form"):
        term_positions(analysis.UnitTokenizer() | Other())
    with pytest.raises(TypeError, match="no list form"):
        term_positions(analysis.Pipeline(analysis.UnitTokenizer()))


def test_the_fast_folds_equal_the_fold_on_every_unified_ideograph() -> None:
    one = unit_folder()
    ideographs = [chr(c) for c in range(0x4E00, 0xA000)]
    assert [one(c) for c in ideographs] == [fold(c) for c in ideographs]
    assert list(fold_ideographs("".join(ideographs))) == [fold(c) for c in ideographs]
    assert fold("開") == "开" and fold("开") == "开"
    assert folded_units("臺ＡＩ")[0] == ["台", "ai"]


@given(st.text(alphabet="開通臺灣ＡＩabcÉé\u0301ß１２,.。，T恤⼈兀豈 \n", max_size=40))
def test_the_fold_is_nfkc_case_and_script(text: str) -> None:
    nfkc = unicodedata.normalize("NFKC", text)
    assert fold(text) == script_table().fold(nfkc.casefold())
    assert fold(text, case=False) == script_table().fold(nfkc)
    # Folded units are each unit folded: the whole-text translation changes no offset.
    texts, starts, ends, _ = folded_units(text)
    raw, raw_starts, raw_ends, _ = scan_units(text)
    assert (starts, ends) == (raw_starts, raw_ends)
    assert texts == [unit_folder()(u) for u in raw]


def test_user_words_are_folded_as_the_text_the_segmenter_cuts() -> None:
    words, _ = read_user_dict("臺積電\nＴ恤衫\n")
    assert [w.word for w in words] == [fold("臺積電", case=False), "T恤衫"]
