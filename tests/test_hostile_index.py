"""Issue #7, the index side: huge posts, dates at the ends of time, rebuilds that are
killed, requests the API did not expect, and updates beside searching threads.

Each test is one of the issue's numbered failures, with the exact outcome expected now.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import main
from searcher.errors import CorpusError
from searcher.index import Index
from searcher.snippets import LONG_TEXT, excerpt, make_snippet
from searcher.web import create_app
from searchutil import post, write_corpus

# 5. One 10 MB post made every query that matched it take about 4 s: snippets
# re-tokenised the whole body on each hit.


def test_5_snippet_work_does_not_grow_with_the_body() -> None:
    filler = "经济发展会议城市建设。" * 10
    for repeat in (3_000, 30_000):  # 330,000 and 3,300,000 characters
        body = filler * repeat + "结尾提到量子芯片的突破。" + filler
        piece = excerpt(body, [("量", "子", "芯", "片")])
        # The opening, plus one neighbourhood of at most 2 × 300 characters and the match.
        assert len(piece) <= LONG_TEXT // 4 + 1 + 2 * 300 + 4
        assert (
            make_snippet(body, [("量", "子", "芯", "片")])
            == "结尾提到<mark>量子芯片</mark>的突破。"
        )
    short = "量子芯片。" * 100
    assert excerpt(short, [("量",)]) == short  # a body under LONG_TEXT is scanned whole


def test_5_huge_post_is_found_and_highlighted_deep_inside(tmp_path: Path) -> None:
    body = "经济发展会议城市建设。\n" * 200_000 + "深处写着ＡＩ芯片。\n"  # 2.4M characters
    corpus = write_corpus(tmp_path, {"_posts/2024-01-01-huge.md": post("巨型", body)})
    index = Index.create(tmp_path / "index")
    index.update(corpus)
    (hit,) = index.search("ai芯片").hits
    assert hit.snippet == "深处写着<mark>ＡＩ芯片</mark>。"
    (hit,) = index.search("巨型").hits  # a title-only hit: the opening sentences
    assert hit.snippet.startswith("经济发展会议城市建设。")


# 7. A post dated in year 1 broke `searcher stats` and the year facet's links.


def test_7_dates_at_both_ends_of_time(tmp_path: Path) -> None:
    posts = {
        "_posts/2024-01-01-a.md": post("最早", "古老正文。", "0001-01-03 00:00:00 +1400"),
        "_posts/2024-01-02-b.md": post("最晚", "遥远正文。", "9999-12-29 23:00:00 -1200"),
        "_posts/2024-01-03-c.md": post("太早", "越界正文。", "0001-01-01 00:00:00 +0800"),
        "_posts/2024-01-04-d.md": post("太晚", "越界正文。", "9999-12-31 23:59:59 -1200"),
    }
    corpus = write_corpus(tmp_path, posts)
    index_dir = tmp_path / "index"
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["index", str(corpus), "--index", str(index_dir), "--future", "--timezone", "Etc/GMT+12"],
    )
    assert result.exit_code == 0, result.output
    assert (
        "_posts/2024-01-03-c.md:4: date '0001-01-01 00:00:00 +0800' is outside the dates kept "
        "(years 1 to 9999 in every time zone); dated 2024-01-03 from the file name"
    ) in result.output
    result = runner.invoke(main, ["stats", "--index", str(index_dir), "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert (stats["first_date"], stats["last_date"]) == (
        "0001-01-01T22:00:00-12:00",
        "9999-12-29T23:00:00-12:00",
    )
    assert stats["years"] == {"2024": 2, "1": 1, "9999": 1}
    client = create_app(Index.open(index_dir)).test_client()
    page = client.get("/?q=正文").get_data(as_text=True)
    assert "since=0001-01-01&amp;until=0001-12-31" in page
    hits = client.get("/api/search?q=正文&since=0001-01-01&until=0001-12-31").get_json()
    assert [h["title"] for h in hits["hits"]] == ["最早"]


# 8. A --rebuild that changed the time zone or segmenter emptied the index if killed.

KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from searcher.index import Index
    from searcher.site import SiteOptions

    def die(done, total):
        if done == 20:
            os.kill(os.getpid(), signal.SIGKILL)

    index_dir, corpus, change = sys.argv[1:]
    if change == "timezone":
        Index.build(index_dir, corpus, rebuild=True, progress=die,
                    options=SiteOptions(timezone="America/New_York"))
    else:
        Index.build(index_dir, corpus, rebuild=True, progress=die, segmenter="jieba")
    """
)


@pytest.mark.parametrize("change", ["timezone", "segmenter"])
def test_8_killed_rebuild_with_a_new_timezone_or_segmenter_keeps_the_old(
    tmp_path: Path, change: str
) -> None:
    posts = {
        f"_posts/2022-03-01-a{i}.md": post(f"标题{i}", "正文防汛。", "2022-03-01 23:30:00 +0800")
        for i in range(40)
    }
    corpus = write_corpus(tmp_path, posts)
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    (index_dir / "README.md").write_text("kept\n", "utf-8")
    Index.build(index_dir, corpus)
    run = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(index_dir), str(corpus), change],
        capture_output=True,
    )
    assert run.returncode == -9, run.stderr
    with Index.open(index_dir) as index:
        assert (index.search("防汛").total, str(index.timezone), index.segmenter) == (
            40,
            "Asia/Shanghai",
            "rjieba",
        )
        assert index.stats().years == {"2022": 40}
    # The next rebuild completes, and removes what the killed one left beside the index.
    options = {"timezone": ["--timezone", "America/New_York"], "segmenter": []}[change]
    segmenter = "jieba" if change == "segmenter" else "rjieba"
    result = CliRunner().invoke(
        main,
        ["index", str(corpus), "--index", str(index_dir), "--rebuild"]
        + ["--segmenter", segmenter, *options],
    )
    assert result.exit_code == 0, result.output
    with Index.open(index_dir) as index:
        assert (index.search("防汛").total, index.segmenter) == (40, segmenter)
        expected = "2022-03-01T10:30:00-05:00" if change == "timezone" else None
        if expected:
            assert index.search("防汛").hits[0].date.isoformat() == expected  # type: ignore[union-attr]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "index"]
    assert (index_dir / "README.md").read_text("utf-8") == "kept\n"


# 10. Minor failures.


def test_10_api_errors_are_json_and_parameters_are_checked(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, {"_posts/2024-01-01-a.md": post("标题", "正文。")})
    index = Index.create(tmp_path / "index")
    index.update(corpus)
    client = create_app(index).test_client()
    missing = client.get("/api/nothing")
    assert (missing.status_code, missing.get_json()["status"]) == (404, 404)
    wrong = client.post("/api/search")
    assert (wrong.status_code, wrong.get_json()["status"]) == (405, 405)
    assert client.get("/nothing").content_type.startswith("text/html")
    digits = client.get("/api/search?q=正文&page=١٢")
    assert (digits.status_code, digits.get_json()) == (
        400,
        {
            "error": "page: must be a whole number from 1 to 999999999 written with 0-9, not '١٢'",
            "code": "bad_page",
            "param": "page",
            "status": 400,
        },
    )
    page = client.get("/?q=正%00文").get_data(as_text=True)
    assert "\x00" not in page
    assert client.get("/api/search?q=正%00文").get_json()["query"] == "正 文"  # separates
    nothing = client.get("/api/search?q=%00%01").get_json()
    assert (nothing["total"], nothing["notices"]) == (
        0,
        [
            {
                "code": "nothing_to_search",
                "message": "the query has nothing to search for "
                "(no letters, digits or Chinese characters)",
                "params": {},
            }
        ],
    )
    assert client.get("/api").content_type == "application/json"


def test_10_index_option_pointing_at_a_file(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", "utf-8")
    for args in (["search", "x"], ["stats"], ["index", str(tmp_path)]):
        result = CliRunner().invoke(main, [*args, "--index", str(not_a_folder)])
        assert (result.exit_code, result.output) == (
            2,
            f"error: index path is not a folder: {not_a_folder}\n",
        )


def test_10_update_beside_searching_threads_runs_in_a_child_process(tmp_path: Path) -> None:
    posts = {f"_posts/2024-01-{i:02d}-p{i}.md": post(f"标题{i}", "防汛正文。") for i in range(1, 9)}
    corpus = write_corpus(tmp_path, posts)
    index = Index.create(tmp_path / "index")
    index.update(corpus)
    assert not index._busy()  # this thread's own searches do not count
    index.search("防汛")
    assert not index._busy()
    worker = threading.Thread(target=lambda: index.search("防汛"))
    worker.start()
    worker.join()
    assert index._busy()  # another thread searched just now: isolate by default
    write_corpus(tmp_path, {"_posts/2024-02-01-new.md": post("新增", "新增防汛正文。")})
    seen: list[tuple[int, int]] = []
    report = index.update(corpus, progress=lambda done, total: seen.append((done, total)))
    assert (report.added, report.unchanged, seen) == (1, 8, [(1, 1)])
    assert index.search("防汛").total == 9  # this process sees the child's commit
    with pytest.raises(CorpusError, match="corpus folder not found"):  # raised in the child
        index.update(tmp_path / "missing", isolate=True)


# Bounded work per request: a CPU budget for matching, and answers kept until a commit.


@pytest.mark.engine("whoosh")  # Xapian's matcher has no budget (README "Shards")
def test_query_work_is_capped_by_a_cpu_budget(tmp_path: Path) -> None:
    posts = {f"_posts/2024-01-01-p{i}.md": post(f"标题{i}", "央视网消息。") for i in range(100)}
    corpus = write_corpus(tmp_path, posts)
    index = Index.create(tmp_path / "index")
    index.update(corpus)
    whole = index.search("央视网消息")
    assert (whole.total, whole.notices) == (100, [])
    cut = index.search("央视网消息", cpu_seconds=0.0)  # checked at every 64th match
    assert cut.total == 63
    assert cut.notices == [
        "the search was stopped after 0 s of work: the total, the facets and the ranking "
        "only cover the 63 matching posts found by then"
    ]
    filtered = index.search("央视网消息", cpu_seconds=0.0, tags=("无此标签",))
    assert filtered.total == 0  # the filter still applies under the budget


def test_answers_are_cached_until_the_next_commit(tmp_path: Path) -> None:
    posts = {"_posts/2024-01-01-a.md": post("桥", "大桥通车。", extra="categories: 交通\n")}
    corpus = write_corpus(tmp_path, posts)
    index = Index.create(tmp_path / "index")
    index.update(corpus)
    first = index.search("大桥", categories="交通")  # one string is one category
    assert first.total == 1
    first.hits.clear()  # callers get a copy: the cached answer is not changed
    assert index.search("大桥", categories=["交通"]).total == 1
    assert len(index.search("大桥", categories="交通").hits) == 1
    write_corpus(
        tmp_path, {"_posts/2024-01-02-b.md": post("桥", "大桥维修。", extra="categories: 交通\n")}
    )
    index.update(corpus)
    assert index.search("大桥", categories="交通").total == 2  # the commit cleared the cache


def test_the_same_search_asked_at_once_runs_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = write_corpus(tmp_path, {"_posts/2024-01-01-a.md": post("桥", "大桥通车。")})
    index = Index.create(tmp_path / "index")
    index.update(corpus)
    import searcher.index as index_module

    calls: list[str] = []
    release = threading.Event()
    real = index_module.Index._run

    def slow(*args: object, **kwargs: object) -> object:
        calls.append(str(args[1].query))  # type: ignore[attr-defined]
        release.wait(10)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(index_module.Index, "_run", slow)
    answers: list[int] = []
    workers = [
        threading.Thread(target=lambda: answers.append(index.search("大桥").total))
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    while not calls:
        threading.Event().wait(0.01)
    threading.Event().wait(0.2)  # let the other three arrive and wait
    release.set()
    for worker in workers:
        worker.join()
    assert (calls, answers) == (["大桥"], [1, 1, 1, 1])


def test_7_a_date_from_the_file_name_is_range_checked_too(tmp_path: Path) -> None:
    posts = {
        "_posts/0001-01-01-a.md": "---\ntitle: 甲\ndate: nope\n---\n正文。\n",
        "_posts/2024-01-01-b.md": post("乙", "正文。"),
    }
    corpus = write_corpus(tmp_path, posts)
    result = CliRunner().invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert (
        "_posts/0001-01-01-a.md:3: date 'nope' is not a date and none in the file name; "
        "the post has no date" in result.output
    )
    stats = CliRunner().invoke(main, ["stats", "--index", str(tmp_path / "ix"), "--json"])
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.output)["years"] == {"2022": 1}  # the other post's date


@pytest.mark.engine("whoosh")  # reads the Whoosh segments or files
def test_8_a_killed_builds_files_go_at_the_next_run(tmp_path: Path) -> None:
    # Builds write into the index folder itself (issue #17): what a killed one leaves
    # is files that no generation names, removed by the next run; others' files stay.
    corpus = write_corpus(tmp_path, {"_posts/2024-01-01-a.md": post("甲", "正文。")})
    Index.build(tmp_path / "index", corpus)
    (tmp_path / "index" / "MAIN_orphan.pst").write_bytes(b"x")  # a killed writer's file
    (tmp_path / "index" / "_MAIN_9.toc.1796515766.18").write_bytes(b"x")  # its new TOC
    (tmp_path / "index" / "MAIN_orphan.tmp").mkdir()  # its pool folder
    (tmp_path / "index" / "notes.txt").write_text("mine", encoding="utf-8")
    report = Index.build(tmp_path / "index", corpus)  # nothing to change
    assert report.unchanged == 1
    assert not (tmp_path / "index" / "MAIN_orphan.pst").exists()
    assert not (tmp_path / "index" / "_MAIN_9.toc.1796515766.18").exists()
    assert not (tmp_path / "index" / "MAIN_orphan.tmp").exists()
    assert (tmp_path / "index" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_an_open_index_keeps_refusing_a_rebuild_folded_with_another_table(
    tmp_path: Path,
) -> None:
    """A rebuild by another process with another traditional → simplified table is
    refused by an open Index at every search, not only at the first (the refactor's
    first cut took the new generation before checking, then searched it)."""
    from searcher.errors import IndexFormatError

    corpus = write_corpus(tmp_path, {"_posts/2024-01-01-a.md": post("桥", "大桥通车。")})
    folder = tmp_path / "index"
    Index.build(folder, corpus)
    index = Index.open(folder)
    assert index.search("大桥").total == 1
    Index.build(folder, corpus, rebuild=True, segmenter="jieba")  # a new schema
    meta = json.loads((folder / "searcher.json").read_text(encoding="utf-8"))
    meta["folding"] = "another table"
    (folder / "searcher.json").write_text(json.dumps(meta), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(IndexFormatError, match="another table"):
            index.search("大桥")
