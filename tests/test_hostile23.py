"""Hostile input to issue #23's search box, highlights, watch and Jekyll hook (branch
hostile23): each test is a fault found by attacking them, with the exact answer now.
The browser's side (highlight.js, widget.js in Chromium): tests/test_hostile23_browser.py.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_watch import DEADLINE, Watching, until
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from searcher import widget
from searcher.cli import main
from searcher.errors import CorpusError
from searcher.index import Index
from searcher.jekyll_hook import MARKER, install_hook
from searcher.query.plan import TermGroup
from searcher.watch import watch
from searcher.web import cors_origin, create_app
from searcher.widget import MarkForms, highlight_marks, widget_url
from searchutil import post, write_corpus

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SEARCHER_SHARED") or ROOT.parent / "shared")
XWLB_SMALL = SHARED / "corpus" / "xwlb-small"

A = post("城市更新行动", "老旧小区改造让居民住得更舒心。")
B = post("海上风电并网", "首台海上风电机组并网发电。")


# -- /api/highlight: a bounded answer ------------------------------------------------------


def _terms(marks: list[dict[str, object]]) -> int:
    return sum(len(g["terms"]) + len(g["fallback"]) for g in marks)  # type: ignore[arg-type]


def test_highlight_marks_gives_at_most_64_terms() -> None:
    # 100 groups of a distinct word each (a query of 100 words): 100 terms before
    groups = [TermGroup(((chr(0x4E00 + 2 * i), chr(0x4E01 + 2 * i)),)) for i in range(100)]
    marks = highlight_marks(groups, MarkForms())
    assert (len(marks), _terms(marks)) == (64, 64)
    assert widget.MAX_MARK_TERMS == 64
    assert marks[-1]["terms"][0]["text"] == chr(0x4E00 + 126) + chr(0x4E01 + 126)


PINYIN_QUERY = (
    "zz zy zx zw zt zr zq zp zm zl zk zj zh zf zd zc zb yz yy yx yw yt ys yr yq yp ym yl yk "
    "yh yf yd yc y"
)


@pytest.fixture(scope="module")
def xwlb_small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    if not XWLB_SMALL.is_dir():
        pytest.skip(f"shared corpus absent: {XWLB_SMALL} (set SEARCHER_SHARED)")
    folder = tmp_path_factory.mktemp("xwlb-small") / "index"
    Index.build(folder, XWLB_SMALL)
    with Index.open(folder) as index:
        yield index


def test_a_query_of_pinyin_initials_is_answered_with_64_terms(xwlb_small: Index) -> None:
    # 100 characters of two-letter pinyin initials, each read as several words: 199
    # terms before (4,650 bytes: each a pattern highlight.js compiles and runs)
    client = create_app(xwlb_small).test_client()
    assert len(PINYIN_QUERY) == 100
    answer = client.get("/api/highlight", query_string={"q": PINYIN_QUERY})
    assert answer.status_code == 200
    assert _terms(answer.get_json()["marks"]) == 64


# -- searcher widget --url, --cors-origin -------------------------------------------------


def test_an_idn_host_and_a_path_beyond_ascii_are_written_as_a_browser_sends_them() -> None:
    assert widget_url("https://例子.中国:8443/搜索/") == (
        "https://xn--fsqu00a.xn--fiqs8s:8443/%E6%90%9C%E7%B4%A2"
    )
    assert widget_url("https://搜索。例子.中国") == "https://xn--u2uy07c.xn--fsqu00a.xn--fiqs8s"
    run = CliRunner().invoke(main, ["widget", "--url", "https://例子.中国/新闻"])
    assert run.exit_code == 0, run.output
    assert 'data-searcher-url="https://xn--fsqu00a.xn--fiqs8s/%E6%96%B0%E9%97%BB"' in run.output


@pytest.mark.parametrize(
    "url",
    [
        "https://x.example/a\nb",
        "https://x.example/a\tb",
        "https://x.\x00example",
        "https://x.example/\x85a",
    ],
)
def test_a_control_character_in_url_is_refused(url: str) -> None:
    # urlsplit drops a tab or a line break: "https://x.example/ab" was printed
    with pytest.raises(ValueError, match="not an http"):
        widget_url(url)


def test_an_idn_cors_origin_allows_what_a_browser_sends(tmp_path: Path) -> None:
    assert cors_origin("https://新闻.例子.中国") == "https://xn--efvy88h.xn--fsqu00a.xn--fiqs8s"
    Index.build(tmp_path / "index", write_corpus(tmp_path, {"_posts/2022-03-01-a.md": A}))
    with Index.open(tmp_path / "index") as index:
        client = create_app(index, cors_origins=["https://新闻.例子.中国"]).test_client()
        sent = "https://xn--efvy88h.xn--fsqu00a.xn--fiqs8s"  # Chromium's Origin header
        answer = client.get("/api/search?q=小区", headers={"Origin": sent})
        assert answer.headers.get("Access-Control-Allow-Origin") == sent


# -- searcher index --watch ----------------------------------------------------------------


def _stopped(running: Watching) -> None:
    running.stop.set()
    running.thread.join(DEADLINE)


def test_a_site_folder_deleted_and_made_anew_is_watched_again(tmp_path: Path) -> None:
    site = write_corpus(tmp_path, {"_posts/2022-03-01-a.md": A})
    running = Watching(site, tmp_path / "index")
    try:
        assert running.ids("小区改造") == ["_posts/2022-03-01-a"]
        for path in sorted(site.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        site.rmdir()
        time.sleep(0.5)  # the watch sees it gone (a run that finds no site fails)
        write_corpus(tmp_path, {"_posts/2022-03-02-b.md": B})
        until(lambda: running.ids("风电") == ["_posts/2022-03-02-b"], "post B in the new site")
        assert running.ids("小区改造") == []
    finally:
        _stopped(running)


def test_an_index_folder_that_holds_the_site_hides_none_of_its_changes(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    site = write_corpus(index_dir, {"_posts/2022-03-01-a.md": A})
    running = Watching(site, index_dir)
    try:
        (site / "_posts" / "2022-03-02-b.md").write_text(B, encoding="utf-8")
        run = running.after(1, "风电", ["_posts/2022-03-02-b"], "post B found")
        assert run.changes == ("_posts/2022-03-02-b.md",)
    finally:
        _stopped(running)


def test_the_index_folder_being_the_site_folder_is_refused(tmp_path: Path) -> None:
    site = write_corpus(tmp_path, {"_posts/2022-03-01-a.md": A})
    stop = threading.Event()
    stop.set()  # (a watch that takes it returns after its first run)
    with pytest.raises(CorpusError, match="the index folder is the site's folder"):
        watch(site, tmp_path / "corpus" / "_posts" / "..", stop)
    assert sorted(p.name for p in site.iterdir()) == ["_posts"]  # nothing written


# -- the write lock: no change to a watcher ------------------------------------------------

#: What a watcher of the site takes for a change: inotify's IN_CLOSE_WRITE is watchdog's
#: ``closed`` (Jekyll's listen gem watches it too); ``opened`` and ``closed_no_write``
#: are reads.
WRITES = {"created", "modified", "deleted", "moved", "closed", "attrib"}


class _Events(FileSystemEventHandler):
    def __init__(self, site: Path) -> None:
        self.site, self.seen = site, []  # type: tuple[Path, list[tuple[str, str]]]

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in WRITES:
            where = Path(os.fsdecode(event.src_path)).relative_to(self.site).as_posix()
            self.seen.append((event.event_type, where))


def test_a_run_that_changes_nothing_is_no_change_to_a_watcher_of_the_site(
    tmp_path: Path,
) -> None:
    # With the index in the site, `jekyll serve --watch` took the lock file's closing
    # (opened for writing) for a change: it rebuilt, its hook ran again, for ever.
    site = write_corpus(tmp_path, {"_posts/2022-03-01-a.md": A})
    index_dir = site / "_search-index"
    Index.build(index_dir, site)
    events = _Events(site.resolve())
    observer = Observer()
    observer.schedule(events, str(site.resolve()), recursive=True)
    observer.start()
    try:
        report = Index.build(index_dir, site)
        time.sleep(0.5)  # inotify's events are read in watchdog's thread
    finally:
        observer.stop()
        observer.join()
    assert (report.added, report.unchanged) == (0, 1)
    assert events.seen == []


# -- install-jekyll-hook -------------------------------------------------------------------


def test_a_hook_file_linked_out_of_the_site_is_replaced_not_written_through(
    tmp_path: Path,
) -> None:
    site = write_corpus(tmp_path / "site", {"_posts/2022-03-01-a.md": A})
    outside = tmp_path / "bashrc"
    outside.write_text("export PATH=/usr/bin\n", encoding="utf-8")
    (site / "_plugins").mkdir()
    (site / "_plugins" / "searcher.rb").symlink_to(outside)
    path = install_hook(site, tmp_path / "index", force=True)
    assert outside.read_text(encoding="utf-8") == "export PATH=/usr/bin\n"
    assert not path.is_symlink()
    assert path.read_text(encoding="utf-8").splitlines()[0] == MARKER
    assert sorted(p.name for p in (site / "_plugins").iterdir()) == ["searcher.rb"]


def test_a_plugins_that_is_no_folder_or_leads_out_is_a_one_line_error(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "site", {"_posts/2022-03-01-a.md": A})
    (site / "_plugins").write_text("", encoding="utf-8")
    with pytest.raises(CorpusError) as file:
        install_hook(site, tmp_path / "index")
    assert str(file.value) == f"{site / '_plugins'} is not a folder: Jekyll's plugins go in one"
    (site / "_plugins").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (site / "_plugins").symlink_to(elsewhere)
    with pytest.raises(CorpusError) as link:
        install_hook(site, tmp_path / "index")
    assert str(link.value) == (
        f"{site / '_plugins'} leads out of the site, to {elsewhere}: searcher writes "
        "nothing outside the site"
    )
    assert list(elsewhere.iterdir()) == []
    run = CliRunner().invoke(main, ["install-jekyll-hook", str(site), "--index", "ix"])
    assert run.exit_code == 2
    assert list(elsewhere.iterdir()) == []
