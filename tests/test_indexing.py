"""Incremental indexing, duplicates (CASES.md C10) and crash safety."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from searcher.index import Index
from searcher.site import SiteOptions
from searcher.site.walk import NO_URL_NOTICE
from searchutil import build, ids, post, write_corpus

FLOOD = post("防汛演练", "全市开展防汛应急演练。")


def test_c10_duplicates_and_reindexing(tmp_path: Path) -> None:
    posts = {
        "_posts/2022-03-01-flood.md": FLOOD,
        "_posts/archive/2022-03-01-flood.md": FLOOD,
    }
    corpus = write_corpus(tmp_path, posts)
    index = Index.create(tmp_path / "index")
    first = index.update(corpus)
    assert (first.added, first.duplicates, first.skipped) == (1, 1, 0)
    second = index.update(corpus)
    assert (second.added, second.updated, second.removed, second.unchanged) == (0, 0, 0, 1)
    assert second.duplicates == 1
    assert ids(index, "防汛演练") == ["_posts/2022-03-01-flood"]

    edited = post("防汛演练", "全市开展防汛应急演练，持续两天。")
    (corpus / "_posts/2022-03-01-flood.md").write_text(edited, encoding="utf-8")
    third = index.update(corpus)
    assert (third.added, third.updated, third.removed, third.unchanged) == (0, 1, 0, 0)
    assert third.duplicates == 1
    hits = index.search("防汛演练").hits
    assert len(hits) == 1
    assert hits[0].snippet == "全市开展<mark>防汛</mark>应急<mark>演练</mark>，持续两天。"
    assert index.search("持续两天").total == 1


def test_update_twice_changes_nothing(tmp_path: Path) -> None:
    posts = {
        f"_posts/2022-03-0{i}-p{i}.md": post(f"标题{i}", f"正文第{i}篇。") for i in range(1, 6)
    }
    index = build(tmp_path, posts)
    files = sorted((p.name, p.stat().st_mtime_ns) for p in (tmp_path / "index").iterdir())
    report = index.update(tmp_path / "corpus")
    assert report.to_dict() | {"seconds": 0} == {
        "left_out": {},
        "skipped_files": [],
        "kept": 0,
        "kept_paths": [],
        "added": 0,
        "updated": 0,
        "removed": 0,
        "unchanged": 5,
        "skipped": 0,
        "duplicates": 0,
        "warnings": 0,
        "seconds": 0,
        "messages": [],
        "story_groups": 0,
        "grouped": 0,
        "notices": [NO_URL_NOTICE],  # the site has no url: a notice, not a problem
    }
    assert sorted((p.name, p.stat().st_mtime_ns) for p in (tmp_path / "index").iterdir()) == files


def test_deleted_posts_leave_the_index(tmp_path: Path) -> None:
    posts = {
        f"_posts/2022-03-0{i}-p{i}.md": post(f"标题{i}", f"正文第{i}篇。") for i in range(1, 4)
    }
    index = build(tmp_path, posts)
    (tmp_path / "corpus/_posts/2022-03-02-p2.md").unlink()
    report = index.update(tmp_path / "corpus")
    assert (report.removed, report.unchanged) == (1, 2)
    assert ids(index, "标题", sort="oldest") == ["_posts/2022-03-01-p1", "_posts/2022-03-03-p3"]


def test_broken_post_is_reported_not_fatal(tmp_path: Path) -> None:
    posts = {
        "_posts/2022-03-01-ok.md": post("好的", "正常的帖子。"),
        "_posts/2022-03-02-bad.md": "---\ntitle: [unclosed\n---\n坏掉的前言也要收录。\n",
        "_posts/2022-03-03-gbk.md": "",
    }
    corpus = write_corpus(tmp_path, posts)
    (corpus / "_posts/2022-03-03-gbk.md").write_bytes(
        "---\ntitle: 国标编码\n---\n这是GBK编码的正文。\n".encode("gbk")
    )
    (corpus / "_posts/2022-03-04-binary.md").write_bytes(b"\xff\xfe\x00\x81\x00garbage")
    index = Index.create(tmp_path / "index")
    report = index.update(corpus)
    assert report.added == 3
    assert report.skipped == 1
    assert any("2022-03-04-binary.md" in m for m in report.messages)
    assert any("2022-03-02-bad.md" in m for m in report.messages)
    assert ids(index, "坏掉") == ["_posts/2022-03-02-bad"]
    assert ids(index, "国标编码") == ["_posts/2022-03-03-gbk"]


def test_killed_run_leaves_last_commit_searchable(tmp_path: Path) -> None:
    first = {f"_posts/2022-03-01-a{i}.md": post(f"第一批{i}", "第一批的正文。") for i in range(5)}
    corpus = write_corpus(tmp_path, first)
    index_dir = tmp_path / "index"
    Index.create(index_dir).update(corpus)
    write_corpus(
        tmp_path,
        {f"_posts/2022-03-02-b{i}.md": post(f"第二批{i}", "第二批的正文。") for i in range(40)},
    )
    script = textwrap.dedent(
        f"""
        import os, signal
        from searcher.index import Index
        def die(done, total):
            if done == 20:
                os.kill(os.getpid(), signal.SIGKILL)
        Index.open({str(index_dir)!r}).update({str(corpus)!r}, progress=die)
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert run.returncode == -9
    index = Index.open(index_dir)
    assert index.search("第一批").total == 5
    assert index.search("第二批").total == 0
    report = index.update(corpus)  # the lock died with the process
    assert (report.added, report.unchanged) == (40, 5)
    assert index.search("第二批").total == 40


def test_jobs_build_the_same_index(tmp_path: Path) -> None:
    posts = {
        f"_posts/2022-03-{i:02d}-p{i}.md": post(f"标题{i}", f"第{i}篇正文，防汛。")
        for i in range(1, 21)
    }
    corpus = write_corpus(tmp_path, posts)
    one = Index.create(tmp_path / "one")
    one.update(corpus)
    two = Index.create(tmp_path / "two")
    report = two.update(corpus, jobs=2)
    assert report.added == 20
    for query in ("防汛", "标题7", '"第1篇"'):
        assert (
            two.search(query, sort="oldest").to_dict() == one.search(query, sort="oldest").to_dict()
        )
    (corpus / "_posts/2022-03-07-p7.md").write_text(post("标题7", "改过的正文。"), encoding="utf-8")
    again = two.update(corpus, jobs=2)
    assert (again.updated, again.unchanged) == (1, 19)
    assert ids(two, "改过") == ["_posts/2022-03-07-p7"]
    assert two.search("防汛").total == 19


@pytest.mark.engine("whoosh")  # reads the Whoosh segments or files
def test_rebuild_rewrites_in_one_commit(tmp_path: Path) -> None:
    posts = {
        f"_posts/2022-03-0{i}-p{i}.md": post(f"标题{i}", f"正文第{i}篇。") for i in range(1, 4)
    }
    index = build(tmp_path, posts)
    report = index.update(tmp_path / "corpus", rebuild=True)
    assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
    assert index.search("正文").total == 3
    segments = {p.name.split(".")[0] for p in (tmp_path / "index").glob("MAIN_*.*")}
    assert len(segments) == 1  # the old segment went in the same commit
    assert len(index.engine._ix._read_toc().segments) == 1


def test_config_changes_are_picked_up_by_the_next_update(tmp_path: Path) -> None:
    posts = {
        "_config.yml": "url: https://a.example.org\ntimezone: Asia/Shanghai\n",
        "_posts/2022-03-01-a.md": post("桥梁", "大桥通车。", extra="categories: 交通\n"),
        "_posts/2022-03-02-b.md": post("道路", "道路维修。"),
        "old/_posts/2016-01-01-c.md": post("旧闻", "旧桥拆除。"),
    }
    index = build(tmp_path, posts)
    assert [h.url for h in index.search("桥", sort="newest").hits] == [
        "https://a.example.org/%E4%BA%A4%E9%80%9A/2022/03/01/a.html",
        "https://a.example.org/old/2022/03/01/c.html",
    ]
    (tmp_path / "corpus/_config.yml").write_text(
        "url: https://b.example.org\npermalink: pretty\ntimezone: UTC\nexclude: [old]\n", "utf-8"
    )
    report = index.update(tmp_path / "corpus")
    assert (report.updated, report.removed, report.unchanged) == (2, 1, 0)
    assert report.left_out == {"excluded by _config.yml": 1}
    assert [h.url for h in index.search("桥").hits] == [
        "https://b.example.org/%E4%BA%A4%E9%80%9A/2022/03/01/a/"
    ]
    assert str(index.timezone) == "UTC"
    assert index.search("桥").hits[0].date == dt.datetime(2022, 3, 1, 2, tzinfo=dt.timezone.utc)


def test_future_post_appears_on_the_first_run_after_its_date(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path,
        {
            "_posts/2030-01-01-later.md": post(
                "新年", "新年快乐。", date="2030-01-01 08:00:00 +0800"
            )
        },
    )
    index = Index.create(tmp_path / "index")
    before = dt.datetime(2029, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    report = index.update(corpus, options=SiteOptions(now=before))
    assert (report.added, report.left_out) == (0, {"future": 1})
    assert report.skipped_files[0]["path"] == "_posts/2030-01-01-later.md"
    after = before + dt.timedelta(hours=8, seconds=2)
    report = index.update(corpus, options=SiteOptions(now=after))
    assert (report.added, report.left_out) == (1, {})
    assert ids(index, "新年") == ["_posts/2030-01-01-later"]
    assert index.update(corpus, options=SiteOptions(future=True, now=before)).unchanged == 1
