"""The searcher command line: index, search, stats (click's runner, real files)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import main
from searchutil import post, write_corpus


@pytest.fixture()
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_corpus(
        tmp_path,
        {
            "_posts/2024-05-01-a.md": post(
                "大桥通车",
                "新建跨江大桥今日通车。",
                date="2024-05-01 08:00:00 +0800",
                extra="categories: 交通\ntags: [桥梁, 城建]\n",
            ),
            "_posts/2024-05-02-b.md": post("旧桥维修", "旧桥维修完毕。", date="2024-05-02"),
            "_posts/2024-05-03-bad.md": "---\ntitle: 央行: 利率不变\n---\n利率保持不变。\n",
            "README.md": "# not a post\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEARCHER_INDEX", raising=False)
    monkeypatch.delenv("SEARCHER_CORPUS", raising=False)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_index_json_summary_then_nothing_to_do(site: Path) -> None:
    code, out, _ = run("index", "--json")
    assert code == 0
    report = json.loads(out)
    assert {k: report[k] for k in ("added", "skipped", "warnings", "duplicates")} == {
        "added": 3,
        "skipped": 1,
        "warnings": 1,
        "duplicates": 0,
    }
    assert any("2024-05-03-bad.md:2" in m for m in report["messages"])
    code, out, _ = run("index", "--json")
    assert json.loads(out)["unchanged"] == 3 and json.loads(out)["added"] == 0


def test_index_text_summary_names_problems(site: Path) -> None:
    code, out, err = run("index", "corpus", "--index", "elsewhere")
    assert code == 0
    assert out.startswith(
        "added 3, updated 0, removed 0, unchanged 0, skipped 1 (not a document 1), "
        "duplicates 0, warnings 1"
    )
    assert "README.md: skipped: " in err
    assert (site / "elsewhere" / "searcher.json").is_file()


def test_search_builds_index_first_and_prints_one_json_object(site: Path) -> None:
    code, out, err = run("search", "桥", "--json", "--sort", "oldest")
    assert code == 0
    assert "building it from corpus first" in err
    data = json.loads(out)
    assert list(data) == [
        "query",
        "total",
        "page",
        "limit",
        "hits",
        "facets",
        "display_names",
        "notices",
        "unfiltered_total",
        "match",
        "looser",
        "suggestion",
        "collapsed",
        "folded",
    ]
    assert data["total"] == 2
    assert (data["match"], data["looser"]) == ("exact", False)
    hit = data["hits"][0]
    assert list(hit) == [
        "id",
        "path",
        "url",
        "source_url",
        "type",
        "title",
        "title_html",
        "date",
        "categories",
        "tags",
        "score",
        "snippet",
        "matched_by",
        "group",
        "similar",
        "similar_count",
    ]
    assert hit["matched_by"] == ["literal"]
    assert hit["title_html"] == "大<mark>桥</mark>通车"
    assert hit["date"] == "2024-05-01T08:00:00+08:00"
    assert data["facets"]["tags"] == {"城建": 1, "桥梁": 1}


def test_search_text_output_and_filters(site: Path) -> None:
    run("index")
    code, out, _ = run("search", "桥", "--tag", "桥梁")
    assert code == 0
    assert out.splitlines()[0] == "1. 大桥通车"
    assert "新建跨江大桥今日通车。" in out
    assert "-- matches: 1 (rule: exact, every word as typed), page 1 of 1" in out
    code, out, _ = run("search", "飞机")
    assert out.strip() == "no posts match '飞机'"


def test_errors_are_one_line(site: Path) -> None:
    run("index")
    code, _, err = run("search", "桥", "--since", "2024-99-01")
    assert (code, err) == (2, "error: since: not a date (YYYY-MM-DD): '2024-99-01'\n")
    code, _, err = run("stats", "--index", "missing")
    assert code == 2 and err.startswith("error: no index in missing") and "Traceback" not in err
    code, _, err = run("index", "nowhere")
    assert (code, err) == (2, "error: corpus folder not found: nowhere\n")


def test_stats(site: Path) -> None:
    run("index")
    code, out, _ = run("stats", "--json")
    data = json.loads(out)
    assert data["documents"] == 3
    assert data["categories"] == {"交通": 1}
    assert (data["first_date"], data["last_date"]) == (
        "2024-05-01T08:00:00+08:00",
        "2024-05-03T00:00:00+08:00",  # the file-name date of -bad.md, which has no date
    )
    assert data["segmenter"].startswith("rjieba")
    code, out, _ = run("stats")
    assert "documents:  3" in out


def test_missing_corpus_leaves_no_empty_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEARCHER_INDEX", raising=False)
    monkeypatch.delenv("SEARCHER_CORPUS", raising=False)
    code, _, err = run("search", "智慧")
    assert (code, err.splitlines()[-1]) == (2, "error: corpus folder not found: corpus")
    assert not (tmp_path / "index").exists()
    code, _, _ = run("index", "nowhere", "--index", "ix")
    assert code == 2 and not (tmp_path / "ix").exists()


@pytest.mark.engine("whoosh")  # reads the Whoosh segments or files
def test_damaged_index_is_a_one_line_error(site: Path) -> None:
    run("index")
    damaged = [p for p in (site / "index").glob("MAIN_*.*") if p.suffix in (".trm", ".pst")]
    assert damaged  # segments are separate files: the term and posting files
    for part in damaged:
        part.write_bytes(part.read_bytes()[:100])
    code, _, err = run("search", "桥")
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_search_first_build_lists_problems(site: Path) -> None:
    code, _, err = run("search", "桥")
    assert "_posts/2024-05-03-bad.md:2: front matter is not valid YAML" in err
    assert "README.md: skipped: " in err


def test_version() -> None:
    from importlib.metadata import version

    code, out, _ = run("--version")
    assert (code, out) == (0, f"searcher {version('searcher')}\n")


def test_serve_uses_waitress_on_loopback_and_logs_each_request(site: Path) -> None:
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "searcher", "serve", "--port", str(port), "--threads", "2"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/?q=%E5%A4%A7%E6%A1%A5"
        for _ in range(200):  # the index is built first: wait for the server, 20 s at most
            try:
                response = urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("searcher serve did not answer")
        page = response.read().decode("utf-8")
        assert response.headers["Server"] == "searcher"  # waitress, not Flask's dev server
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert '<strong id="total">1</strong>' in page
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    assert f"searching index at http://127.0.0.1:{port}/ (2 threads)" in err
    assert '127.0.0.1 "GET /?q=%E5%A4%A7%E6%A1%A5" 200 ' in err
    assert "development server" not in err


def test_searching_loads_none_of_the_site_readers() -> None:
    # issue #9, cold start: YAML, Markdown and lxml are for reading sites, not searching
    code = (
        "import sys, searcher.cli, searcher\n"
        "from searcher.index import Index\n"
        "print(sorted(m for m in ('lxml', 'markdown_it', 'yaml', 'frontmatter',"
        " 'searcher.indexing', 'searcher.site.corpus') if m in sys.modules))\n"
        "import searcher.site\n"
        "print('IndexReport' in dir(searcher), 'Site' in dir(searcher.site))\n"
        "from searcher import IndexReport, Article, check_corpus, read_corpus\n"
        "print(IndexReport.__module__, Article.__module__, check_corpus.__module__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [
        "[]",
        "True True",
        "searcher.indexing searcher.site.records searcher.site.corpus",
    ]


def test_an_option_after_the_query_is_not_searched_for(site: Path) -> None:
    # `searcher search 大桥 --version` searched for "大桥 --version" (issue #23); a -word
    # is still an excluded word
    code, out, err = run("search", "大桥", "--version")
    assert (code, out) == (2, "")
    assert "Error: no such option: --version" in err
    code, _, err = run("search", "大桥", "--sort=newest", "--bogus=1")
    assert code == 2 and "no such option: --bogus" in err
    code, out, _ = run("search", "大桥", "-维修", "--json")
    assert code == 0 and json.loads(out)["query"] == "大桥 -维修"


def test_serve_refuses_a_cors_origin_that_is_not_one(site: Path) -> None:
    code, _, err = run("serve", "--cors-origin", "news.example.com/search")
    assert code == 2
    assert "Invalid value for --cors-origin: not an origin" in err
