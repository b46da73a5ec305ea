"""Issue #17, the index side: ordinary updates never break the index.

Each test is one of the issue's numbered failures, with the exact outcome expected now:
deletions and time-zone changes (1, 2), two writers (4), a crash between the commit and
the description (5), a mount point (7), a reader that outlives a rebuild (11), odd index
paths (13), and the owner's files in the index folder (14).
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import main
from searcher.engine.whoosh.files import META_FILE, write_lock
from searcher.errors import SearchIndexError
from searcher.index import Index
from searchutil import post, write_corpus


def _name(i: int) -> str:
    """The file of post ``i``: one a day from 1 January 2024."""
    return f"_posts/{dt.date(2024, 1, 1) + dt.timedelta(days=i)}-p{i}.md"


def _posts(n: int, word: str, holding: int) -> dict[str, str]:
    """``n`` posts a day apart from 1 January 2024; the first ``holding`` hold ``word``."""
    return {
        _name(i): post(
            f"第{i}篇",
            (f"{word}研究进展。" if i < holding else "城市建设新闻。") + f"编号{i}。",
            date=f"{dt.date(2024, 1, 1) + dt.timedelta(days=i)} 10:00:00 +0800",
        )
        for i in range(n)
    }


def _segments(index: Index) -> list[tuple[int, int]]:
    """``(documents, deleted)`` of each segment of the index's latest generation."""
    return [(s.doc_count_all(), s.deleted_count()) for s in index.engine._ix._segments()]


# 1. Deleting every post that holds a word made every search for it raise ValueError.


@pytest.mark.engine("whoosh")  # reads the Whoosh segments or files
def test_1_searches_after_every_post_holding_a_word_is_deleted(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, _posts(30, "量子芯片", 15))
    index = Index.create(tmp_path / "index")
    assert index.update(corpus, isolate=False).added == 30
    for i in range(15):
        (corpus / _name(i)).unlink()
    assert index.update(corpus, isolate=False).removed == 15
    # The one segment keeps its 15 live posts; the word's postings are all deleted ones.
    assert _segments(index) == [(30, 15)]
    for query in ("量子芯片", "量子", "芯", '"量子芯片"', "量子芯片 OR 城市"):
        results = index.search(query)
        assert results.total == (15 if "城市" in query else 0), query
    results = index.search("", categories=(), tags=())
    assert results.total == 15
    assert results.facets["years"] == {"2024": 15}


def test_1_the_page_answers_after_the_deletions(tmp_path: Path) -> None:
    from searcher.web import create_app

    corpus = write_corpus(tmp_path, _posts(10, "量子芯片", 5))
    Index.build(tmp_path / "index", corpus)
    for i in range(5):
        (corpus / _name(i)).unlink()
    Index.build(tmp_path / "index", corpus)
    client = create_app(Index.open(tmp_path / "index")).test_client()
    response = client.get("/api/search?q=量子芯片")
    assert response.status_code == 200
    assert response.get_json()["total"] == 0
    assert client.get("/?q=芯片").status_code == 200


# 2. A new time zone rewrote every post and left the old segment with every document
# deleted; then every search failed.


@pytest.mark.engine("whoosh")  # reads the Whoosh segments or files
def test_2_time_zone_change_drops_the_emptied_segment(tmp_path: Path) -> None:
    posts = _posts(8, "量子芯片", 4)
    # 00:30 on 1 January in Shanghai is still 2023 in New York: the years facet moves.
    posts["_posts/2024-01-01-p0.md"] = post(
        "第0篇", "量子芯片研究进展。", "2024-01-01 00:30:00 +0800"
    )
    corpus = write_corpus(tmp_path, posts)
    index = Index.create(tmp_path / "index")
    index.update(corpus, isolate=False)
    assert index.search("").facets["years"] == {"2024": 8}
    (corpus / "_config.yml").write_text("timezone: America/New_York\n", encoding="utf-8")
    report = index.update(corpus, isolate=False)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 8, 0, 0)
    assert _segments(index) == [(8, 0)]  # the old segment, all deleted, is gone
    assert str(index.timezone.key) == "America/New_York"
    assert index.search("量子芯片").total == 4
    assert index.search("").facets["years"] == {"2024": 7, "2023": 1}
    assert index.search("", since="2023-12-31", until="2023-12-31").total == 1
    # A second run changes nothing and reads the same time zone back.
    again = index.update(corpus, isolate=False)
    assert (again.updated, again.unchanged) == (0, 8)
    with Index.open(tmp_path / "index") as reopened:
        assert str(reopened.timezone.key) == "America/New_York"


# 4. A run with a new --dict swapped a staging folder in without the lock while an
# incremental run committed into the old one: every segment file was deleted.


@pytest.mark.engine("whoosh")  # reads the Whoosh segments or files
def test_4_a_second_writer_fails_with_a_clear_message_and_changes_nothing(
    tmp_path: Path,
) -> None:
    corpus = write_corpus(tmp_path, _posts(6, "量子芯片", 3))
    folder = tmp_path / "index"
    Index.build(folder, corpus)
    before = sorted(p.name for p in folder.iterdir())
    words = tmp_path / "words.txt"
    words.write_text("量子芯片 10 n\n", encoding="utf-8")
    (corpus / _name(0)).unlink()
    with write_lock(folder):  # another run holds the index
        with pytest.raises(SearchIndexError, match="locked: another run is updating"):
            Index.build(folder, corpus, user_dict=words)
        with pytest.raises(SearchIndexError, match="locked: another run is updating"):
            Index.build(folder, corpus)
        with pytest.raises(SearchIndexError, match="locked"), Index.open(folder) as index:
            index.update(corpus, isolate=False)
        result = CliRunner().invoke(main, ["index", str(corpus), "--index", str(folder)])
        assert result.exit_code != 0
        assert f"{folder}: locked: another run is updating this index" in result.output
    assert sorted(p.name for p in folder.iterdir()) == before
    with Index.open(folder) as index:
        assert index.search("").total == 6
    Index.build(folder, corpus, user_dict=words)  # once free, it runs
    with Index.open(folder) as index:
        assert index.search("").total == 5
        assert index.user_words[0].word == "量子芯片"


_RACE = """
import sys
from searcher.errors import SearchIndexError
from searcher.index import Index
try:
    Index.build(sys.argv[1], sys.argv[2], user_dict=sys.argv[3] if len(sys.argv) > 3 else None)
except SearchIndexError as exc:
    print(exc)
    sys.exit(3)
"""


def test_4_racing_writers_leave_a_whole_index(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, _posts(40, "量子芯片", 20))
    folder = tmp_path / "index"
    Index.build(folder, corpus)
    words = tmp_path / "words.txt"
    for round_ in range(4):
        words.write_text(f"量子芯片{round_} 10 n\n", encoding="utf-8")
        (corpus / _name(round_)).unlink()
        args = [sys.executable, "-c", _RACE, str(folder), str(corpus)]
        runs = [
            subprocess.Popen([*args, str(words)], stdout=subprocess.PIPE, text=True),
            subprocess.Popen(args, stdout=subprocess.PIPE, text=True),
        ]
        for run in runs:
            out, _ = run.communicate(timeout=120)
            assert run.returncode in (0, 3), out
            if run.returncode == 3:
                assert out.strip() == f"{folder}: locked: another run is updating this index"
        Index.build(folder, corpus, user_dict=words)  # whatever lost the race, runs now
        with Index.open(folder) as index:
            assert index.search("").total == 40 - round_ - 1
            assert index.search("量子芯片").total == 20 - round_ - 1
            assert index.user_words[0].word == f"量子芯片{round_}"


# 5. A crash right after the commit, before the time zone was recorded, left the old
# time zone recorded for good.


@pytest.mark.engine("whoosh")  # reads the Whoosh segments or files
def test_5_description_is_committed_with_the_postings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import searcher.engine.whoosh.files as index_module

    posts = {"_posts/2024-01-01-a.md": post("跨年", "跨年夜的新闻。", "2024-01-01 00:30:00 +0800")}
    corpus = write_corpus(tmp_path, posts)
    folder = tmp_path / "index"
    Index.build(folder, corpus)
    (corpus / "_config.yml").write_text("timezone: America/New_York\n", encoding="utf-8")
    calls: list[int] = []
    real = index_module.write_meta

    def full_disk_after_commit(path: Path, meta: dict[str, object], pending: object = None) -> None:
        calls.append(1)
        if pending is None:  # the description alone, after the table of contents
            raise SearchIndexError(f"{path / META_FILE}: cannot write: [Errno 28] No space")
        real(path, meta, pending)

    monkeypatch.setattr(index_module, "write_meta", full_disk_after_commit)
    with pytest.raises(SearchIndexError, match="No space"):
        Index.build(folder, corpus)
    monkeypatch.undo()
    assert calls == [1, 1]
    with Index.open(folder) as index:  # the committed generation's own description
        assert str(index.timezone.key) == "America/New_York"
        assert index.search("").facets["years"] == {"2023": 1}
    report = Index.build(folder, corpus)
    assert (report.updated, report.unchanged) == (0, 1)
    raw = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    assert "pending" not in raw and raw["timezone"] == "America/New_York"


# 7. An index folder that is a mount point could not be rebuilt (EBUSY on the swap).


def _rebuild_with_new_words(tmp_path: Path, folder: Path) -> None:
    corpus = write_corpus(tmp_path, _posts(5, "量子芯片", 2))
    Index.build(folder, corpus)
    words = tmp_path / "words.txt"
    words.write_text("量子芯片 10 n\n", encoding="utf-8")
    report = Index.build(folder, corpus, user_dict=words)
    assert report.added == 5
    with Index.open(folder) as index:
        assert index.search("量子芯片").total == 2
        assert [w.word for w in index.user_words] == ["量子芯片"]


def test_7_no_rename_touches_the_index_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "index"
    real_rename, real_replace = os.rename, os.replace

    def busy(real):  # type: ignore[no-untyped-def]
        def call(src: object, dst: object, *args: object, **kwargs: object) -> None:
            for path in (src, dst):
                if Path(str(path)).resolve() == folder.resolve():
                    raise OSError(errno.EBUSY, "Device or resource busy", str(path))
            real(src, dst, *args, **kwargs)

        return call

    monkeypatch.setattr(os, "rename", busy(real_rename))
    monkeypatch.setattr(os, "replace", busy(real_replace))
    _rebuild_with_new_words(tmp_path, folder)


def test_7_a_mount_point_is_rebuilt_in_place(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()}")
    try:
        (folder / "README.md").write_text("这是索引。\n", encoding="utf-8")
        _rebuild_with_new_words(tmp_path, folder)
        assert (folder / "README.md").read_text(encoding="utf-8") == "这是索引。\n"
    finally:
        subprocess.run(["umount", str(folder)], check=True)


# 11. A long-lived reader kept answering from the old index after a rebuild swapped in.


def test_11_a_long_lived_index_follows_rebuilds(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, _posts(4, "量子芯片", 2))
    folder = tmp_path / "index"
    Index.build(folder, corpus)
    reader = Index.open(folder)
    assert reader.search("量子芯片").total == 2
    words = tmp_path / "words.txt"
    words.write_text("量子芯片 10 n\n", encoding="utf-8")
    (corpus / _name(0)).unlink()
    Index.build(folder, corpus, user_dict=words)  # a new schema
    assert reader.search("量子芯片").total == 1
    assert [w.word for w in reader.user_words] == ["量子芯片"]
    # The folder removed and built anew, up to the same generation number as before.
    generation = reader.meta["generation"]
    shutil.rmtree(folder)
    (corpus / _name(1)).unlink()
    Index.build(folder, corpus, user_dict=words)
    while Index.open(folder).meta["generation"] < generation:
        Index.build(folder, corpus, rebuild=True)
    assert Index.open(folder).meta["generation"] == generation
    assert reader.search("量子芯片").total == 0
    assert reader.search("").total == 2
    reader.close()


# 13. `--index .` raised ValueError; `--index dir/..` built everything and failed to swap.


def test_13_index_paths_with_dots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = write_corpus(tmp_path, _posts(3, "量子芯片", 1))
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    runner = CliRunner()
    for index_arg in (".", "sub/.."):
        (here / "sub").mkdir(exist_ok=True)
        result = runner.invoke(main, ["index", str(corpus), "--index", index_arg])
        assert result.exit_code == 0, result.output
        result = runner.invoke(main, ["search", "量子芯片", "--index", index_arg, "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["total"] == 1
        words = tmp_path / "words.txt"
        words.write_text("量子芯片 10 n\n", encoding="utf-8")
        result = runner.invoke(
            main, ["index", str(corpus), "--index", index_arg, "--dict", str(words)]
        )
        assert result.exit_code == 0, result.output
        result = runner.invoke(main, ["index", str(corpus), "--index", index_arg, "--dict", ""])
        assert result.exit_code == 0, result.output
    assert (here / META_FILE).is_file()


# 14. A kill during a rebuild's swap left the owner's README and .gitignore in the
# staging folder, which the next run deleted. (Kills at every step: test_commit_faults.)


def test_14_the_owners_files_stay_through_rebuilds(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, _posts(3, "量子芯片", 1))
    folder = tmp_path / "index"
    folder.mkdir()
    (folder / "README.md").write_text("索引说明\n", encoding="utf-8")
    (folder / ".gitignore").write_text("*\n", encoding="utf-8")
    (folder / "notes").mkdir()
    Index.build(folder, corpus)
    words = tmp_path / "words.txt"
    words.write_text("量子芯片 10 n\n", encoding="utf-8")
    Index.build(folder, corpus, user_dict=words)
    Index.build(folder, corpus, rebuild=True, segmenter="jieba")
    Index.create(folder)
    assert (folder / "README.md").read_text(encoding="utf-8") == "索引说明\n"
    assert (folder / ".gitignore").read_text(encoding="utf-8") == "*\n"
    assert (folder / "notes").is_dir()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".index")]


# The model-based test (tests/test_model_updates.py) found an updated index ranking
# otherwise than a fresh build: BM25F's statistics counted deleted documents.


@pytest.mark.engine("whoosh")  # reads the Whoosh segments or files
def test_an_updated_index_scores_like_a_fresh_build(tmp_path: Path) -> None:
    posts = {
        _name(i): post(f"经济{i}", "经济" * (i + 1) + "会议。" * (10 - i) + f"编号{i}。")
        for i in range(10)
    }
    corpus = write_corpus(tmp_path / "site", posts)
    index = Index.create(tmp_path / "updated")
    index.update(corpus, isolate=False)
    for i in (0, 3, 4, 7):  # deleted: the segment keeps them, marked deleted
        (corpus / _name(i)).unlink()
    index.update(corpus, isolate=False)
    assert _segments(index) == [(10, 4)]
    fresh = Index.create(tmp_path / "fresh")
    fresh.update(corpus, isolate=False)
    assert _segments(fresh) == [(6, 0)]
    for query in ("经济", "会议", "经济 会议", '"经济会议"', "title:经济"):
        got = [(h.id, round(h.score, 9)) for h in index.search(query).hits]
        want = [(h.id, round(h.score, 9)) for h in fresh.search(query).hits]
        assert got == want, query
        assert len(got) == 6


# CI found searches beside updates reading every date as the column's default: a
# searcher opened on one generation read a column file that the next commit had deleted
# (Whoosh opens column files on first use and takes a missing one for a column never
# written).


@pytest.mark.engine("whoosh")  # reads the Whoosh segments or files
def test_a_searcher_reads_its_columns_after_a_commit_deletes_their_files(
    tmp_path: Path,
) -> None:
    from searcher.engine.whoosh.collect import timestamps as _timestamps

    corpus = write_corpus(tmp_path, _posts(3, "量子芯片", 1))
    folder = tmp_path / "index"
    Index.build(folder, corpus)
    index = Index.open(folder)
    with index.engine._searcher() as s:
        segment = s.reader().segment().segment_id()
        Index.build(folder, corpus, rebuild=True)  # a new segment; the old one's files go
        assert not [p for p in folder.iterdir() if p.name.startswith(segment)]
        want = [
            int(
                dt.datetime(
                    2024, 1, 1 + i, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))
                ).timestamp()
            )
            for i in range(3)
        ]
        assert _timestamps(s) == want
        assert [s.stored_fields(d)["id"] for d in range(3)] == [_name(i)[:-3] for i in range(3)]
    assert index.search("", since="2024-01-02").total == 2


# A hostile test: a rebuild with a new dictionary or segmenter reset the time zone to the
# default though the site names none (an update keeps the index's), and `--rebuild`
# without `--segmenter` turned a jieba index into an rjieba one.


def test_rebuilds_keep_the_index_zone_and_segmenter(tmp_path: Path) -> None:
    posts = {
        "_posts/2024-03-01-a.md": post("晚间新闻", "晚间新闻内容。", "2024-03-01 23:30:00 +0800")
    }
    corpus = write_corpus(tmp_path, posts)
    folder = tmp_path / "index"
    (corpus / "_config.yml").write_text("timezone: America/New_York\n", encoding="utf-8")
    Index.build(folder, corpus, segmenter="jieba")
    (corpus / "_config.yml").write_text("", encoding="utf-8")  # no zone: the index's
    words = tmp_path / "words.txt"
    words.write_text("晚间新闻 10 n\n", encoding="utf-8")
    for run in ({}, {"rebuild": True}, {"user_dict": str(words)}, {"rebuild": True}):
        Index.build(folder, corpus, **run)  # type: ignore[arg-type]
        with Index.open(folder) as index:
            assert (str(index.timezone.key), index.segmenter) == ("America/New_York", "jieba")
            (hit,) = index.search("新闻").hits
            assert hit.date is not None and hit.date.isoformat() == "2024-03-01T10:30:00-05:00"
    Index.build(folder, corpus, rebuild=True, segmenter="rjieba")
    with Index.open(folder) as index:
        assert (str(index.timezone.key), index.segmenter) == ("America/New_York", "rjieba")


# A hostile test: posts of the same date came out in another order after one was edited
# (the edit gives it a new document number) than in a fresh build of the same site.


def test_ties_are_ordered_by_id_after_updates_as_in_a_fresh_build(
    tmp_path: Path, engine: str
) -> None:
    posts = {
        f"_posts/2024-01-01-{name}.md": f"---\ntitle: {name} 苹果\n---\n{name} 苹果。\n"
        for name in ("a", "b", "c")
    }
    corpus = write_corpus(tmp_path / "site", posts)
    index = Index.create(tmp_path / "updated")
    index.update(corpus, isolate=False)
    with (corpus / "_posts/2024-01-01-a.md").open("a", encoding="utf-8") as out:
        out.write("更多 内容\n")
    (corpus / "_posts/2024-01-01-b.md").write_text("---\ntitle: b 苹果\n---\nb 苹果。\n\n", "utf-8")
    index.update(corpus, isolate=False)
    fresh = Index.create(tmp_path / "fresh")
    fresh.update(corpus, isolate=False)
    want = ["_posts/2024-01-01-a", "_posts/2024-01-01-b", "_posts/2024-01-01-c"]
    for ix in (index, fresh):
        assert [h.id for h in ix.search("", sort="newest").hits] == want
        assert [h.id for h in ix.search("", sort="oldest").hits] == want
    # By relevance, the updated index as the fresh one; with Whoosh, whose field lengths
    # are kept to a byte (their scores tie), a, b, c; Xapian's exact lengths put the
    # longer post a last.
    assert [h.id for h in index.search("苹果").hits] == [h.id for h in fresh.search("苹果").hits]
    by_engine = {"whoosh": want, "xapian": want[1:] + want[:1]}
    assert [h.id for h in fresh.search("苹果").hits] == by_engine[engine]


def test_13_index_paths_that_cannot_be_folders_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hostile test: these failed with "unexpected FileNotFoundError/NotADirectoryError",
    # and `--index ''` wrote an index into the current folder unnoticed.
    corpus = write_corpus(tmp_path, _posts(2, "量子芯片", 1))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    runner = CliRunner()
    for index_arg, message in (
        ("link", "error: link: cannot write index: File exists"),
        ("afile/sub", "error: afile/sub: cannot write index: Not a directory"),
    ):
        result = runner.invoke(main, ["index", str(corpus), "--index", index_arg])
        assert result.exit_code == 2, result.output
        assert result.output.strip().splitlines()[-1] == message
    result = runner.invoke(main, ["index", str(corpus), "--index", ""])
    assert result.exit_code == 2
    assert "Invalid value for '--index': empty path (use . for the current folder)" in (
        result.output
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "corpus", "link"]
