"""The index follows the site (issue #23): ``searcher index --watch`` and
:func:`searcher.watch.watch`, and a running server seeing another process's commits.

The watch runs in a thread on a tiny invented site with a short quiet time; each test
polls with a deadline until a search answers as expected, never asserting a timing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from searcher.index import Index
from searcher.indexing import IndexReport
from searcher.site.options import SiteOptions
from searcher.site.walk import NO_URL_NOTICE
from searcher.watch import ChangeFilter, WatchRun, watch
from searcher.web import create_app
from searchutil import ids, post, write_corpus

#: Seconds a test waits for what it polls for (a run on a loaded 2-core machine).
DEADLINE = 60.0

ROOT = Path(__file__).resolve().parents[1]

A = post("城市更新行动", "老旧小区改造让居民住得更舒心。")
B = post("海上风电并网", "首台海上风电机组并网发电。")


def until(condition: Callable[[], object], what: str) -> None:
    """Poll ``condition`` every 20 ms until it is true; fail after :data:`DEADLINE`."""
    end = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < end, f"waited {DEADLINE} s for {what}"
        time.sleep(0.02)


class Watching:
    """A watch running in a thread: its runs as they end, its index, its stop event."""

    def __init__(self, site: Path, index_dir: Path, options: SiteOptions | None = None):
        self.site, self.index_dir = site, index_dir
        self.runs: list[WatchRun] = []
        self.stop = threading.Event()
        self.result: list[int] = []
        self.thread = threading.Thread(
            target=lambda: self.result.append(
                watch(
                    site,
                    index_dir,
                    self.stop,
                    on_run=self.runs.append,
                    options=options,
                    quiet=0.2,
                )
            ),
            daemon=True,
        )
        self.thread.start()
        until(lambda: self.runs, "the first run")

    def ids(self, query: str) -> list[str]:
        with Index.open(self.index_dir) as index:
            return ids(index, query)

    def after(self, runs: int, query: str, expected: list[str], what: str) -> WatchRun:
        """Wait until a run after the first ``runs`` has ended and ``query`` finds the
        ``expected`` ids (a search can see a commit before its run has ended); the last
        run."""
        until(lambda: len(self.runs) > runs and self.ids(query) == expected, what)
        return self.runs[-1]


@pytest.fixture()
def watching(tmp_path: Path) -> Iterator[Watching]:
    """A watch of a site holding post A, whose index lies inside the site."""
    site = write_corpus(tmp_path, {"_posts/2022-03-01-a.md": A})
    running = Watching(site, site / "search-index")
    yield running
    running.stop.set()
    running.thread.join(DEADLINE)


def test_a_post_added_edited_and_deleted_is_followed(watching: Watching) -> None:
    site = watching.site
    first = watching.runs[0]
    assert (first.number, first.changes, first.error) == (1, (), None)
    assert first.report is not None and first.report.added == 1
    assert watching.ids("小区改造") == ["_posts/2022-03-01-a"]

    (site / "_posts" / "2022-03-02-b.md").write_text(B, encoding="utf-8")
    added = watching.after(1, "风电", ["_posts/2022-03-02-b"], "post B found")
    assert added.changes == ("_posts/2022-03-02-b.md",)
    assert added.report is not None and (added.report.added, added.report.unchanged) == (1, 1)

    edited = post("海上风电并网", "首台漂浮式光伏平台投产。")
    runs = len(watching.runs)
    (site / "_posts" / "2022-03-02-b.md").write_text(edited, encoding="utf-8")
    changed = watching.after(runs, "光伏平台", ["_posts/2022-03-02-b"], "post B edited")
    assert watching.ids("机组") == []
    assert changed.report is not None and changed.report.updated == 1

    runs = len(watching.runs)
    (site / "_posts" / "2022-03-02-b.md").unlink()
    deleted = watching.after(runs, "风电", [], "post B deleted")
    assert deleted.report is not None and deleted.report.removed == 1
    assert watching.ids("小区改造") == ["_posts/2022-03-01-a"]


def test_the_index_built_site_git_and_editor_files_start_no_run(watching: Watching) -> None:
    site = watching.site
    before = len(watching.runs)
    for name in [
        "search-index/note.txt",  # the index folder, inside the site
        "_site/2022/03/01/a.html",  # what jekyll build writes
        ".git/index",
        ".jekyll-cache/Jekyll/Cache/x",
        "_posts/.2022-03-01-a.md.swp",  # Vim
        "_posts/2022-03-01-a.md~",
        "_posts/.#2022-03-01-a.md",  # Emacs
    ]:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("x", encoding="utf-8")
    (site / "_posts" / "2022-03-03-c.md").write_text(B, encoding="utf-8")  # then one change
    last = watching.after(before, "风电", ["_posts/2022-03-03-c"], "post C found")
    assert len(watching.runs) == before + 1
    assert last.changes == ("_posts/2022-03-03-c.md",)


def test_the_stop_event_ends_the_watch(watching: Watching) -> None:
    watching.stop.set()
    watching.thread.join(DEADLINE)
    assert not watching.thread.is_alive()
    assert watching.result == [len(watching.runs)] == [1]


def test_a_locked_index_is_a_failed_run_and_the_next_change_runs(watching: Watching) -> None:
    site = watching.site
    with Index.open(watching.index_dir) as other, other.writing():  # another run writes
        (site / "_posts" / "2022-03-02-b.md").write_text(B, encoding="utf-8")
        until(lambda: len(watching.runs) == 2, "the run that finds the index locked")
    failed = watching.runs[1]
    assert failed.report is None and failed.error is not None
    assert failed.error.endswith("locked: another run is updating this index")
    assert watching.ids("风电") == []
    (site / "_posts" / "2022-03-03-c.md").write_text(post("第三篇", "风电装机"), encoding="utf-8")
    both = ["_posts/2022-03-02-b", "_posts/2022-03-03-c"]
    last = watching.after(2, "风电", both, "both posts, after the lock")
    assert (len(watching.runs), last.changes) == (3, ("_posts/2022-03-03-c.md",))


def test_what_changed_during_the_first_run_makes_the_second(tmp_path: Path) -> None:
    """The first run is made before the watch starts (so that it may fork writers):
    snapshots of the site before and after it find what changed meanwhile."""
    site = write_corpus(tmp_path, {"_posts/2022-03-01-a.md": A})
    index_dir = site / "search-index"  # created by the first run: no change of the site

    def update(number: int) -> IndexReport:
        report = Index.build(index_dir, site)
        if number == 1:  # the site read, the watch not yet started
            (site / "_posts" / "2022-03-02-b.md").write_text(B, encoding="utf-8")
            (site / "_posts" / "2022-03-01-a.md").write_text(A + "风电。", encoding="utf-8")
        return report

    runs: list[WatchRun] = []
    stop = threading.Event()
    options = {"update": update, "on_run": runs.append, "quiet": 0.2}
    thread = threading.Thread(target=watch, args=(site, index_dir, stop), kwargs=options)
    thread.start()
    try:
        until(lambda: len(runs) == 2, "the second run")
    finally:
        stop.set()
        thread.join(DEADLINE)
    assert runs[1].changes == ("_posts/2022-03-01-a.md", "_posts/2022-03-02-b.md")
    assert runs[1].report is not None
    assert (runs[1].report.added, runs[1].report.updated) == (1, 1)
    with Index.open(index_dir) as index:
        assert ids(index, "风电") == ["_posts/2022-03-02-b", "_posts/2022-03-01-a"]


def test_which_paths_are_changes(tmp_path: Path) -> None:
    site = write_corpus(tmp_path, {"_config.yml": "destination: public\n"})
    where = ChangeFilter(site, tmp_path / "index", SiteOptions())
    root = str(site.resolve())
    assert [
        where.relevant(f"{root}/{name}")
        for name in [
            "_posts/2022-03-01-a.md",
            "_config.yml",
            "public/index.html",  # the config's destination
            "_site/index.html",  # not the destination here: a folder of the site
            "_posts/drafts/.git/HEAD",
            ".sass-cache/x",
            ".jekyll-metadata",
            "_posts/4913",
            "_posts/#a.md#",
        ]
    ] == ["_posts/2022-03-01-a.md", "_config.yml", None, "_site/index.html"] + [None] * 5
    assert where.relevant(str(tmp_path.resolve() / "index" / "x")) is None
    assert where.roots == [site.resolve()]
    # --rendered reads the built pages: the destination is then watched, not ignored
    built = ChangeFilter(site, tmp_path / "index", SiteOptions(rendered=site / "public"))
    assert built.relevant(f"{root}/public/index.html") == "public/index.html"
    outside = ChangeFilter(site, site / "ix", SiteOptions(rendered=tmp_path / "out"))
    assert outside.roots == [site.resolve(), (tmp_path / "out").resolve()]
    assert outside.relevant(str((tmp_path / "out" / "a.html").resolve())) == str(
        (tmp_path / "out" / "a.html").resolve()
    )
    assert outside.relevant(f"{root}/ix/_MAIN_1.toc") is None


def _env() -> dict[str, str]:
    """The environment of a ``searcher`` command run from this checkout."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_searcher_index_watch_stops_on_a_signal_with_status_0(
    tmp_path: Path, signum: signal.Signals
) -> None:
    site = write_corpus(tmp_path, {"_posts/2022-03-01-a.md": A})
    (site / "_posts" / "2022-03-04-bad.md").write_bytes(b"---\ntitle: x\n---\n\xff\n")
    command = [sys.executable, "-m", "searcher", "index", str(site), "--index"]
    watcher = subprocess.Popen(
        [*command, str(tmp_path / "index"), "--watch", "--jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert watcher.stderr is not None and watcher.stdout is not None
        warning = watcher.stderr.readline()  # printed by the first run only
        assert warning.startswith("_posts/2022-03-04-bad.md: skipped: ")
        notice = watcher.stderr.readline()  # the site has no url: said once, as by index
        assert notice == NO_URL_NOTICE + "\n"
        waiting = watcher.stderr.readline()
        assert waiting == f"watching {site} for changes (Ctrl-C to stop)\n"
        (site / "_posts" / "2022-03-02-b.md").write_text(B, encoding="utf-8")
        line = watcher.stdout.readline()  # the first run's summary
        assert line.startswith("added 1, updated 0, removed 0, unchanged 0, skipped 1 (")
        line = watcher.stdout.readline()  # the run after the change
        assert line.startswith("_posts/2022-03-02-b.md: added 1, updated 0, removed 0, unc")
        watcher.send_signal(signum)
        assert watcher.wait(DEADLINE) == 0
        assert watcher.stderr.read() == ""
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()
    report = Index.build(tmp_path / "index", site)  # no lock was left behind
    assert (report.added, report.unchanged) == (0, 2)


def test_searcher_index_watch_json_prints_one_object_a_run(tmp_path: Path) -> None:
    site = write_corpus(tmp_path, {"_posts/2022-03-01-a.md": A})
    watcher = subprocess.Popen(
        [sys.executable, "-m", "searcher", "index", str(site), "--watch", "--json"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_env(),
    )
    try:
        assert watcher.stdout is not None
        first = json.loads(watcher.stdout.readline())
        (site / "_posts" / "2022-03-01-a.md").unlink()
        second = json.loads(watcher.stdout.readline())
        watcher.terminate()
        assert watcher.wait(DEADLINE) == 0
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()
    assert (first["run"], first["changes"], first["error"], first["report"]["added"]) == (
        1,
        [],
        None,
        1,
    )
    assert (second["run"], second["changes"], second["report"]["removed"]) == (
        2,
        ["_posts/2022-03-01-a.md"],
        1,
    )


def test_a_running_server_sees_a_commit_made_by_another_process(tmp_path: Path) -> None:
    """README "Keeping the index fresh": ``searcher serve`` needs no restart."""
    site = write_corpus(tmp_path, {"_posts/2022-03-01-a.md": A})
    Index.build(tmp_path / "index", site)
    with Index.open(tmp_path / "index") as index:
        client = create_app(index).test_client()
        assert client.get("/api/search?q=风电").get_json()["total"] == 0
        (site / "_posts" / "2022-03-02-b.md").write_text(B, encoding="utf-8")
        subprocess.run(
            [sys.executable, "-m", "searcher", "index", str(site), "--index", "index"],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            env=_env(),
        )
        answer = client.get("/api/search?q=风电").get_json()
        assert (answer["total"], [h["id"] for h in answer["hits"]]) == (
            1,
            ["_posts/2022-03-02-b"],
        )
        assert [h["title"] for h in answer["hits"]] == ["海上风电并网"]


def test_a_running_server_follows_a_symlink_switched_to_another_index(tmp_path: Path) -> None:
    """README "Keeping the index fresh": an index built elsewhere and copied into a new
    folder is served once the symbolic link the server opened is switched to it."""
    site = write_corpus(tmp_path, {"_posts/2022-03-01-a.md": A})
    Index.build(tmp_path / "first", site)
    (tmp_path / "current").symlink_to("first")
    with Index.open(tmp_path / "current") as index:
        client = create_app(index).test_client()
        assert client.get("/api/search?q=风电").get_json()["total"] == 0
        (site / "_posts" / "2022-03-02-b.md").write_text(B, encoding="utf-8")
        Index.build(tmp_path / "second", site)
        (tmp_path / "next").symlink_to("second")
        (tmp_path / "next").replace(tmp_path / "current")  # mv -T: one rename
        answer = client.get("/api/search?q=风电").get_json()
        assert [h["id"] for h in answer["hits"]] == ["_posts/2022-03-02-b"]
        assert client.get("/healthz").get_json()["documents"] == 2
