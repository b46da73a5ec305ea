"""Incremental indexing, duplicates (CASES.md C10) and crash safety."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from searcher.index import Index
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
        "added": 0,
        "updated": 0,
        "removed": 0,
        "unchanged": 5,
        "skipped": 0,
        "duplicates": 0,
        "warnings": 0,
        "seconds": 0,
        "messages": [],
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


def test_rebuild_rewrites_in_one_commit(tmp_path: Path) -> None:
    posts = {
        f"_posts/2022-03-0{i}-p{i}.md": post(f"标题{i}", f"正文第{i}篇。") for i in range(1, 4)
    }
    index = build(tmp_path, posts)
    report = index.update(tmp_path / "corpus", rebuild=True)
    assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
    assert index.search("正文").total == 3
    segments = [p for p in (tmp_path / "index").iterdir() if p.suffix == ".seg"]
    assert len(segments) == 1  # the old segment went in the same commit
