"""``GET /api/highlight`` (issue #23): the terms a site's article page marks for a query
(``static/highlight.js``), each a list of units and, for each character, every character
searcher folds to it, so that the page's marks are what the search matched. Exact
values through Flask's test client; the script itself in Chromium: tests/test_widget.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from searcher.index import Index
from searcher.web import create_app
from searcher.widget import MarkForms, highlight_marks, stop_words_only
from searchutil import post, write_corpus

SAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "synonyms.txt"
SITE = "https://news.example.org"

POSTS = {
    "_posts/2024-03-05-metro.md": post("地铁三号线开通", "香港媒体报道：港鐵新線今日開通。"),
    "_posts/2024-05-20-ai.md": post("ＡＩ读片", "医院引入AI辅助读片系统。"),
    "_posts/2024-06-18-phone.md": post("新款手机", "新款手机支持5G网络。"),
    "_posts/2024-07-01-fgw.md": post("发改委回应", "国家发展和改革委员会回应市场关切。"),
}

#: Every character the fold makes 开, 北 (the second and third forms of each are a
#: compatibility ideograph, written by code point since editors normalise them away).
KAI = "\u5f00\u958b\U0002f9ee"
BEI = "\u5317\uf963\U0002f82b"
LETTER_A = "aA\u00aa\uff21\uff41"  # a, A, ª, Ａ, ａ
LETTER_I = "iI\u2110\u2111\u2139\u2148\uff29\uff49"  # i, I, ℐ, ℑ, ℹ, ⅈ, Ｉ, ｉ


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    root = tmp_path_factory.mktemp("highlight")
    Index.build(root / "index", write_corpus(root, POSTS), synonyms=SAMPLE)
    return Index.open(root / "index")


@pytest.fixture(scope="module")
def client(index: Index) -> FlaskClient:
    return create_app(index, cors_origins=[SITE]).test_client()


def marks(client: FlaskClient, query: str) -> list[dict[str, Any]]:
    response = client.get("/api/highlight", query_string={"q": query})
    assert response.status_code == 200
    body = response.get_json()
    assert body["query"] == query[:100]
    return list(body["marks"])


def term(text: str, *units: list[str]) -> dict[str, Any]:
    return {"text": text, "units": list(units)}


def found(marks: list[dict[str, Any]], text: str) -> list[str]:
    """What a page would mark in ``text``: each term as a regular expression of its
    characters' forms (units adjacent, as in a Chinese run), fallbacks not used."""
    patterns = [
        "".join(f"[{re.escape(forms)}]" for unit in t["units"] for forms in unit)
        for group in marks
        for t in group["terms"]
    ]
    return re.findall("|".join(patterns), text) if patterns else []


def test_a_simplified_query_marks_its_traditional_spelling(client: FlaskClient) -> None:
    got = marks(client, "开通")
    assert got == [{"terms": [term("开通", [KAI], ["通"])], "fallback": []}]
    assert found(got, "港鐵新線今日開通，地铁开通") == ["開通", "开通"]
    assert marks(client, "開通") == got  # the traditional query: the same marks


def test_full_width_and_case_mark_alike(client: FlaskClient) -> None:
    got = marks(client, "ＡＩ")
    assert got == [{"terms": [term("ai", [LETTER_A, LETTER_I])], "fallback": []}]
    assert marks(client, "ai") == got == marks(client, "AI")
    assert found(got, "引入AI辅助，ＡＩ读片") == ["AI", "ＡＩ"]


def test_excluded_words_operators_and_stop_words_are_not_marked(client: FlaskClient) -> None:
    assert marks(client, "5g -手机") == [
        {"terms": [term("5g", ["5５"], ["gGℊＧｇ"])], "fallback": []}
    ]
    assert found(marks(client, "5g -手机"), "新款手机支持5G网络") == ["5G"]
    assert marks(client, "title:北京 OR 开通 -的") == [
        {"terms": [term("北京", [BEI], ["京"])], "fallback": []},
        {"terms": [term("开通", [KAI], ["通"])], "fallback": []},
    ]
    assert marks(client, "的") == []  # searched literally, but a page marks no 的
    assert marks(client, "的 了") == []
    assert marks(client, "") == marks(client, "   ") == marks(client, "-手机") == []


def test_a_phrase_is_one_term_and_a_word_keeps_its_fallback(client: FlaskClient) -> None:
    assert marks(client, '"台北 捷运"') == [
        {
            "terms": [term("台北捷运", ["台枱檯臺颱"], [BEI], ["捷"], ["运運"])],
            "fallback": [],
        }
    ]
    # 碳中和 cut 碳中 + 和: the whole run, else 碳中 (never every 和), as the snippets do
    assert marks(client, "碳中和") == [
        {
            "terms": [term("碳中和", ["碳"], ["中"], ["和"])],
            "fallback": [term("碳中", ["碳"], ["中"])],
        }
    ]


def test_synonyms_are_marked_as_the_search_found_them(client: FlaskClient) -> None:
    # corpus/synonyms.txt: 发改委, 国家发改委, 国家发展和改革委员会 (one group, as in the
    # snippets); the fallback's words, each once, only where no whole form occurs
    (group,) = marks(client, "发改委")
    assert [t["text"] for t in group["terms"]] == ["发改委", "国家发改委", "国家发展和改革委员会"]
    assert [t["text"] for t in group["fallback"]] == ["国家", "发展", "改革", "委员会"]


def test_cors_caching_and_a_long_query(client: FlaskClient) -> None:
    allowed = client.get("/api/highlight?q=ai", headers={"Origin": SITE})
    assert allowed.headers["Access-Control-Allow-Origin"] == SITE
    assert allowed.headers["Cache-Control"] == "public, max-age=60"
    other = client.get("/api/highlight?q=ai", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    long = "开通" * 80  # cut to its first 100 characters, as a search cuts it
    assert marks(client, long)[0]["terms"][0]["text"] == "开通" * 50


def test_the_forms_of_a_character() -> None:
    forms = MarkForms()
    assert forms("k") == "kK\u212aＫｋ"  # the Kelvin sign folds to k
    assert forms("台") == "台枱檯臺颱"
    assert forms("。") == "。｡"  # the half-width full stop
    assert forms("ss") == "ss"  # ß folds to two characters: no single form
    assert stop_words_only(("的",)) and not stop_words_only(("目", "的"))
    assert highlight_marks([], forms) == []
