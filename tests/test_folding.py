"""The fold (:mod:`searcher.analysis.folding`): one definition, and its fast forms equal it."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from searcher.analysis import read_user_dict, script_table
from searcher.analysis.folding import fold, fold_ideographs, unit_folder
from searcher.analysis.terms import folded_units
from searcher.analysis.tokenizers import scan_units


def test_the_fast_folds_equal_the_fold_on_every_unified_ideograph() -> None:
    one = unit_folder()
    ideographs = [chr(c) for c in range(0x4E00, 0xA000)]
    assert [one(c) for c in ideographs] == [fold(c) for c in ideographs]
    assert list(fold_ideographs("".join(ideographs))) == [fold(c) for c in ideographs]
    assert fold("開") == "开" and fold("开") == "开"


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
