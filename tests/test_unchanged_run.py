"""An unchanged re-run reads no post (issue #9: under 5% of a full build).

The last full run records the site's fingerprint (every file's size, modification time
and inode, the config, the options) in the index; a run whose fingerprint is the same,
on an index no other run has changed since, reports what that run found without reading
a post. Anything else reads every post, as before.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from searcher.index import Index
from searcher.site import Site, SiteOptions
from searchutil import post, write_corpus

POSTS = {
    "_posts/2024-01-01-a.md": post("城市建设", "智慧城市建设加快推进。"),
    "_posts/2024-01-02-b.md": post("数字经济", "数字经济持续发展。"),
    "_posts/2024-01-03-c.md": "---\ntitle: [broken\n---\n正文",
    "_drafts/d.md": post("草稿", "未发布。"),
}


def _record_reads(monkeypatch: Any) -> list[str]:
    """Make every post read append its path to the returned list."""
    reads: list[str] = []
    real = Site.read

    def read(self: Site, candidate: Any) -> Any:
        reads.append(candidate.rel)
        return real(self, candidate)

    monkeypatch.setattr(Site, "read", read)
    return reads


def test_an_unchanged_run_reads_nothing_and_reports_the_same(
    tmp_path: Path, monkeypatch: Any
) -> None:
    corpus = write_corpus(tmp_path, POSTS)
    first = Index.build(tmp_path / "ix", corpus)
    with Index.open(tmp_path / "ix") as index:
        full = index.update(corpus, isolate=False)  # reads everything, records the run
        assert full.unchanged == first.added == 3
        reads = _record_reads(monkeypatch)
        again = index.update(corpus, isolate=False)
    assert reads == []
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 3)
    for name in ("skipped", "duplicates", "warnings", "messages", "left_out", "skipped_files"):
        assert getattr(again, name) == getattr(full, name), name
    assert again.left_out == {"draft": 1}


@pytest.mark.parametrize("change", ["touch", "edit", "add", "remove", "config", "options"])
def test_any_change_reads_the_site_again(tmp_path: Path, monkeypatch: Any, change: str) -> None:
    corpus = write_corpus(tmp_path, POSTS)
    Index.build(tmp_path / "ix", corpus)
    options = None
    a = corpus / "_posts/2024-01-01-a.md"
    if change == "touch":
        st = a.stat()
        os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    elif change == "edit":
        a.write_text(post("城市建设", "智慧城市建设全面推进。"), encoding="utf-8")
    elif change == "add":
        (corpus / "_posts/2024-01-04-e.md").write_text(post("新", "新的。"), encoding="utf-8")
    elif change == "remove":
        a.unlink()
    elif change == "config":
        (corpus / "_config.yml").write_text("url: https://news.example.org\n", encoding="utf-8")
    else:
        options = SiteOptions(drafts=True)
    reads = _record_reads(monkeypatch)
    with Index.open(tmp_path / "ix") as index:
        report = index.update(corpus, isolate=False, options=options)
    assert reads, "the site was not read"
    expected = {
        "touch": (0, 0, 0),
        "edit": (0, 1, 0),
        "add": (1, 0, 0),
        "remove": (0, 0, 1),
        "config": (0, 3, 0),  # every URL changes
        "options": (1, 0, 0),  # the draft is published
    }[change]
    assert (report.added, report.updated, report.removed) == expected


def test_a_future_post_keeps_every_run_reading(tmp_path: Path, monkeypatch: Any) -> None:
    posts = {**POSTS, "_posts/2999-01-01-f.md": post("未来", "还没到。", date="2999-01-01")}
    corpus = write_corpus(tmp_path, posts)
    Index.build(tmp_path / "ix", corpus)
    with Index.open(tmp_path / "ix") as index:
        assert index.meta["last_run"] is None  # the time decides when it is published
        reads = _record_reads(monkeypatch)
        report = index.update(corpus, isolate=False)
    assert len(reads) == 4 and report.left_out == {"draft": 1, "future": 1}


def test_another_writer_in_between_reads_again(tmp_path: Path, monkeypatch: Any) -> None:
    corpus = write_corpus(tmp_path, POSTS)
    other = write_corpus(tmp_path / "other", {"_posts/2024-02-01-x.md": post("别的", "别的站。")})
    Index.build(tmp_path / "ix", corpus)
    with Index.open(tmp_path / "ix") as index:
        index.update(other, isolate=False)
        report = index.update(corpus, isolate=False)
    assert (report.added, report.removed) == (3, 1)


@pytest.mark.parametrize("change", ["chmod", "same size and mtime"])
def test_changes_that_keep_size_and_mtime_are_seen(
    tmp_path: Path, monkeypatch: Any, change: str
) -> None:
    # chmod and an in-place rewrite put back with `touch -r` both move the ctime
    corpus = write_corpus(tmp_path, POSTS)
    Index.build(tmp_path / "ix", corpus)
    a = corpus / "_posts/2024-01-01-a.md"
    st = a.stat()
    if change == "chmod":
        a.chmod(0o600)
    else:
        text = a.read_text(encoding="utf-8").replace("加快", "全面")
        with a.open("r+", encoding="utf-8") as f:
            f.write(text)
        os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert (a.stat().st_size, a.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    reads = _record_reads(monkeypatch)
    with Index.open(tmp_path / "ix") as index:
        report = index.update(corpus, isolate=False)
        assert reads, "the site was not read"
        if change != "chmod":
            assert report.updated == 1
            assert index.search("智慧城市建设全面推进").total == 1
