"""Suggestions as a reader types (issue #21): ``GET /api/suggest`` and ``searcher
suggest`` over :meth:`searcher.index.Index.suggest`. The page's list in a real browser:
tests/test_browser_suggest.py (which uses this corpus)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from searcher.cli import main
from searcher.index import Index
from searcher.web import SECURITY_HEADERS, create_app
from searchutil import build, post

#: Invented posts: three titles with 王建国 and one with 王建军 (a Chinese prefix, its
#: pinyin and initials), Xiaomi written in Latin letters and 小米 in Chinese (a Latin
#: prefix completing to both), tags and categories.
POSTS = {
    "_posts/2024-03-01-a.md": post(
        "王建国调研乡村振兴工作",
        "王建国来到村里，了解乡村振兴进展。",
        date="2024-03-01 09:00:00 +0800",
        extra="categories: 时政\ntags: [乡村振兴]\n",
    ),
    "_posts/2024-04-02-b.md": post(
        "王建国会见外宾",
        "市长王建国会见了来访的外宾。",
        date="2024-04-02 09:00:00 +0800",
        extra="categories: 时政\ntags: [外事]\n",
    ),
    "_posts/2024-05-03-c.md": post(
        "王建国主持召开常务会议",
        "会议由王建国主持。",
        date="2024-05-03 09:00:00 +0800",
        extra="categories: 时政\n",
    ),
    "_posts/2023-06-04-d.md": post(
        "王建军当选劳动模范",
        "王建军是一名工人。",
        date="2023-06-04 09:00:00 +0800",
        extra="categories: 社会\n",
    ),
    "_posts/2024-07-05-e.md": post(
        "Xiaomi发布新款手机",
        "小米公司今天发布新款手机。Xiaomi表示销量很好。",
        date="2024-07-05 09:00:00 +0800",
        extra="categories: 科技\ntags: [小米, 手机]\n",
    ),
    "_posts/2024-08-06-f.md": post(
        "小米汽车交付量创新高",
        "小米汽车本月交付量创新高。",
        date="2024-08-06 09:00:00 +0800",
        extra="categories: 科技\ntags: [小米, 汽车]\n",
    ),
    "_posts/2024-09-07-g.md": post(
        "新能源汽车销量增长",
        "新能源汽车销量持续增长，小米也在其中。",
        date="2024-09-07 09:00:00 +0800",
        extra="categories: 科技\ntags: [汽车]\n",
    ),
}

URL_C = "/%E6%97%B6%E6%94%BF/2024/05/03/c.html"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(tmp_path_factory.mktemp("suggest-ui"), POSTS)


@pytest.fixture(scope="module")
def client(index: Index) -> FlaskClient:
    return create_app(index).test_client()


def suggest(client: FlaskClient, query: str) -> tuple[int, Any]:
    response = client.get("/api/suggest" + query)
    assert response.mimetype == "application/json"
    return response.status_code, response.get_json()


def texts(client: FlaskClient, query: str) -> list[tuple[str, str, str]]:
    status, body = suggest(client, query)
    assert status == 200, body
    return [(c["text"], c["kind"], c["aid"]) for c in body["completions"]]


def test_api_completes_chinese_pinyin_initials_and_latin(client: FlaskClient) -> None:
    assert texts(client, "?q=王建") == [
        ("王建国", "word", "literal"),
        ("王建国主持召开常务会议", "title", "literal"),
        ("王建国会见外宾", "title", "literal"),
        ("王建国调研乡村振兴工作", "title", "literal"),
        ("王建军", "word", "literal"),  # a word before a title of the same score
        ("王建军当选劳动模范", "title", "literal"),
    ]
    assert texts(client, "?q=wangj") == [
        ("王建国", "word", "pinyin"),
        ("王建国会见外宾", "title", "pinyin"),  # a title of 2–8 characters spelled too
        ("王建军", "word", "pinyin"),
    ]
    assert texts(client, "?q=wjg") == [
        ("王建国", "word", "pinyin"),
        ("王建国会见外宾", "title", "pinyin"),
    ]
    assert texts(client, "?q=Xiaom") == [  # literal first, then pinyin
        ("Xiaomi", "word", "literal"),
        ("Xiaomi发布新款手机", "title", "literal"),
        ("小米", "word", "pinyin"),
    ]
    assert texts(client, "?q=kj") == [("科技", "category", "pinyin")]
    assert texts(client, "?q=汽车") == [
        ("汽车", "tag", "literal"),
        ("汽车销量", "word", "literal"),
        ("新能源汽车销量增长", "title", "literal"),
        ("小米汽车交付量创新高", "title", "literal"),
    ]


def test_api_answer_is_the_completions_dicts(client: FlaskClient, index: Index) -> None:
    status, body = suggest(client, "?q=王建&limit=2")
    assert status == 200
    assert body == {
        "query": "王建",
        "completions": [
            {
                "text": "王建国",
                "kind": "word",
                "aid": "literal",
                "posts": 3,
                "date": "2024-05-03T09:00:00+08:00",
                "url": None,
            },
            {
                "text": "王建国主持召开常务会议",
                "kind": "title",
                "aid": "literal",
                "posts": 1,
                "date": "2024-05-03T09:00:00+08:00",
                "url": URL_C,
            },
        ],
    }
    assert body["completions"] == [c.to_dict() for c in index.suggest("王建", 2)]
    assert len(suggest(client, "?q=王建&limit=50")[1]["completions"]) == 6
    assert len(suggest(client, "?q=王建&limit=")[1]["completions"]) == 6  # the default, 8


@pytest.mark.parametrize(
    "query",
    ["", "?q=", "?q=%20%20", "?q=" + "王" * 65, "?q=王建%00", "?q=%0A王建", "?q=%E2%80%A8x"]
    + ["?q=*"],
)
def test_api_unusable_prefix_is_an_empty_list(client: FlaskClient, query: str) -> None:
    status, body = suggest(client, query)
    assert status == 200
    assert body["completions"] == []


def test_api_longest_prefix_still_completes(client: FlaskClient) -> None:
    status, body = suggest(client, "?q=" + "王" * 64)  # MAX_PREFIX_CHARS: a search, no error
    assert (status, body["completions"]) == (200, [])
    assert texts(client, "?q=%20王建国主持%20") == [("王建国主持召开常务会议", "title", "literal")]


@pytest.mark.parametrize("limit", ["0", "51", "abc", "-1", "1.5", "８", "99999999999"])
def test_api_bad_limit_is_a_400_naming_it(client: FlaskClient, limit: str) -> None:
    status, body = suggest(client, f"?q=王建&limit={limit}")
    assert status == 400
    assert body["code"] == "bad_limit" and body["param"] == "limit" and body["status"] == 400
    assert body["error"].startswith("limit")
    # an unusable prefix does not hide a bad limit: the parameter is still wrong
    assert suggest(client, f"?q=&limit={limit}")[0] == 400


def test_api_headers_cache_and_method(client: FlaskClient) -> None:
    response = client.get("/api/suggest?q=wjg")
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["Server-Timing"].startswith("app;dur=")
    bad = client.get("/api/suggest?limit=0")
    assert "Cache-Control" not in bad.headers
    assert bad.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    post_ = client.post("/api/suggest?q=x")
    assert post_.status_code == 405 and post_.get_json()["code"] == "method_not_allowed"


def test_api_takes_no_heavy_slot(index: Index) -> None:
    """With no heavy slot free (``heavy_slots=0``: every heavy search is turned away),
    suggestions are still answered, whatever filters ride along: only the page and
    /api/search take a slot."""
    client = create_app(index, heavy_slots=0).test_client()
    many = "&".join(f"tag=t{i}" for i in range(11))
    assert client.get(f"/api/search?q=x&{many}").status_code == 503
    assert client.get("/api/search?q=x&limit=101").status_code == 503
    status, body = suggest(client, f"?q=wjg&{many}&limit=50")
    assert (status, body["completions"][0]["text"]) == (200, "王建国")


# -- the command line --------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def folder(index: Index) -> Path:
    return Path(index.path)


def test_cli_prints_one_completion_a_line(folder: Path) -> None:
    code, out, err = run("suggest", "wangj", "--index", str(folder))
    assert (code, err) == (0, "")
    assert out == (
        "王建国\tword\tpinyin\t3\n"
        "王建国会见外宾\ttitle\tpinyin\t1\t/%E6%97%B6%E6%94%BF/2024/04/02/b.html\n"
        "王建军\tword\tpinyin\t1\n"
    )
    code, out, _ = run("suggest", "王建国主", "--index", str(folder))
    assert out == f"王建国主持召开常务会议\ttitle\tliteral\t1\t{URL_C}\n"
    code, out, _ = run("suggest", "Xiaom", "--limit", "1", "--index", str(folder))
    assert (code, out) == (0, "Xiaomi\tword\tliteral\t1\n")  # literal first


def test_cli_json_is_the_list_of_dicts(folder: Path, index: Index) -> None:
    code, out, _ = run("suggest", "汽车", "--json", "--index", str(folder))
    assert code == 0
    assert json.loads(out) == [c.to_dict() for c in index.suggest("汽车")]
    assert [c["text"] for c in json.loads(out)] == [
        "汽车",
        "汽车销量",
        "新能源汽车销量增长",
        "小米汽车交付量创新高",
    ]
    assert run("suggest", "", "--json", "--index", str(folder))[:2] == (0, "[]\n")


def test_cli_empty_prefix_prints_nothing_bad_limit_fails(folder: Path) -> None:
    assert run("suggest", "--index", str(folder)) == (0, "", "")
    assert run("suggest", "  ", "--index", str(folder)) == (0, "", "")
    code, out, err = run("suggest", "wjg", "--limit", "0", "--index", str(folder))
    assert (code, out) == (2, "")
    assert err == "error: limit must be an integer from 1 to 50\n"
    code, _, err = run("suggest", "wjg", "--limit", "x", "--index", str(folder))
    assert code == 2 and "'x' is not a valid integer" in err


def test_cli_without_an_index_names_it(tmp_path: Path) -> None:
    code, out, err = run("suggest", "wjg", "--index", str(tmp_path / "none"))
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and "none" in err


def test_page_without_script_is_a_plain_form(client: FlaskClient) -> None:
    """The box names the suggestion URL for search.js, which alone makes it a combobox
    (so a page without the script claims no list); the CSP lets the script ask it."""
    response = client.get("/?q=王建")
    page = response.get_data(as_text=True)
    assert '<div class="combo"><input id="q" type="search" name="q" value="王建"' in page
    assert 'data-suggest="/api/suggest"' in page
    assert "combobox" not in page and "listbox" not in page
    assert "connect-src 'self';" in response.headers["Content-Security-Policy"]
    assert page.count("<script") == 1
