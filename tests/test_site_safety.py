"""Issue 17, items 3 and 6: the site reader never drops posts on a read that fails now,
and never reads outside the site.

3. A folder that cannot be listed, a file that cannot be opened, a ``_config.yml`` that
   cannot be read (``EACCES``, ``EIO``, ``ESTALE``) keep what the index has for them, with
   a message naming them, counted in the report (``kept``, ``kept_paths``); a file that is
   gone, or read and left out by a rule, is removed.
6. A symbolic link whose target leaves the site is left out as ``outside the site``
   (Jekyll's ``--safe``), unless ``follow_outside_links``; links inside the site are read
   as Jekyll 4.3 reads them (checked against ``jekyll build --safe`` when installed).

The tests run as root, which reads any file whatever its mode, so ``chmod 000`` cannot
make a folder unreadable here: unreadability is simulated by replacing ``os.scandir``,
``Path.open`` or ``Path.read_bytes`` for one path with a function that raises the
``OSError`` the kernel would (which also covers ``EIO`` and ``ESTALE``, which no mode
gives).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from searcher.cli import main
from searcher.errors import SearchIndexError
from searcher.index import Index
from searcher.indexing import IndexReport
from searcher.site import Article, SiteOptions, Skipped, kept_ids, read_corpus
from searchutil import ids, post, write_corpus

KEEPING = "the index keeps what it has"
FOLDER_REASON = {
    errno.EACCES: f"cannot read folder: Permission denied; {KEEPING} under it",
    errno.EIO: f"cannot read folder: Input/output error; {KEEPING} under it",
    errno.ESTALE: f"cannot read folder: Stale file handle; {KEEPING} under it",
}


def _site(tmp_path: Path) -> Path:
    """Three posts holding 防汛 in _posts/, one in news/_posts/, and a page."""
    return write_corpus(
        tmp_path,
        {
            "_posts/2024-01-01-a.md": post("防汛甲", "防汛演练甲。", "2024-01-01 10:00:00 +0800"),
            "_posts/2024-01-02-b.md": post("防汛乙", "防汛演练乙。", "2024-01-02 10:00:00 +0800"),
            "_posts/2024-01-03-c.md": post("防汛丙", "防汛演练丙。", "2024-01-03 10:00:00 +0800"),
            "news/_posts/2024-01-04-d.md": post(
                "防汛丁", "防汛演练丁。", "2024-01-04 10:00:00 +0800"
            ),
            "about.md": "---\ntitle: 关于防汛\n---\n本站介绍防汛。\n",
        },
    )


ALL = [
    "_posts/2024-01-01-a",
    "_posts/2024-01-02-b",
    "_posts/2024-01-03-c",
    "about",
    "news/_posts/2024-01-04-d",
]


def _counts(report: IndexReport) -> tuple[int, int, int, int, int]:
    return (report.added, report.updated, report.removed, report.unchanged, report.kept)


def _fail_scandir(monkeypatch: pytest.MonkeyPatch, folder: Path, code: int) -> None:
    """``os.scandir(folder)`` raises ``OSError(code)``, as the kernel would."""
    real = os.scandir
    target = os.path.abspath(folder)

    def scandir(path: Any = ".") -> Any:
        if os.path.abspath(os.fspath(path)) == target:
            raise OSError(code, os.strerror(code), os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def _fail_path_method(
    monkeypatch: pytest.MonkeyPatch, name: str, file: Path, code: int = errno.EACCES
) -> None:
    """``Path.<name>`` of ``file`` raises ``OSError(code)``."""
    real: Callable[..., Any] = getattr(Path, name)

    def method(self: Path, *args: Any, **kwargs: Any) -> Any:
        if os.path.abspath(self) == os.path.abspath(file):
            raise OSError(code, os.strerror(code), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, name, method)


@pytest.fixture
def built(tmp_path: Path) -> Iterator[tuple[Path, Index]]:
    corpus = _site(tmp_path)
    with Index.create(tmp_path / "index") as index:
        first = index.update(corpus, isolate=False)
        assert _counts(first) == (5, 0, 0, 0, 0)
        yield corpus, index


# -- 3. what cannot be read now is kept -------------------------------------------------


@pytest.mark.parametrize("code", [errno.EACCES, errno.EIO, errno.ESTALE])
def test_3_unreadable_posts_folder_keeps_its_posts(
    built: tuple[Path, Index], monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    corpus, index = built
    (corpus / "_posts/2024-01-02-b.md").write_text(
        post("防汛乙", "改过的正文。", "2024-01-02 10:00:00 +0800"), "utf-8"
    )  # changed while unreadable: kept as indexed, updated once readable
    with monkeypatch.context() as patch:
        _fail_scandir(patch, corpus / "_posts", code)
        report = index.update(corpus, isolate=False)
    assert _counts(report) == (0, 0, 0, 2, 3)
    assert report.kept_paths == ["_posts"]
    assert {"path": "_posts", "kind": "unreadable", "reason": FOLDER_REASON[code]} in (
        report.skipped_files
    )
    assert f"_posts: skipped: {FOLDER_REASON[code]}" in report.messages
    assert sorted(ids(index, "防汛")) == ALL
    assert index.meta["last_run"] is None  # the next run reads everything again

    again = index.update(corpus, isolate=False)  # readable again
    assert _counts(again) == (0, 1, 0, 4, 0)
    assert again.kept_paths == []
    assert ids(index, "改过的正文") == ["_posts/2024-01-02-b"]
    assert sorted(ids(index, "防汛")) == ALL
    assert _counts(index.update(corpus, isolate=False)) == (0, 0, 0, 5, 0)


def test_3_unreadable_single_file_keeps_its_post_and_a_deleted_one_goes(
    built: tuple[Path, Index], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, index = built
    (corpus / "_posts/2024-01-03-c.md").unlink()
    with monkeypatch.context() as patch:
        _fail_path_method(patch, "open", corpus / "_posts/2024-01-01-a.md")
        report = index.update(corpus, isolate=False)
    assert _counts(report) == (0, 0, 1, 3, 1)
    assert report.kept_paths == ["_posts/2024-01-01-a.md"]
    assert report.skipped_files == [
        {
            "path": "_posts/2024-01-01-a.md",
            "kind": "unreadable",
            "reason": f"cannot read file: Permission denied; {KEEPING}",
        }
    ]
    assert sorted(ids(index, "防汛")) == [i for i in ALL if i != "_posts/2024-01-03-c"]
    assert _counts(index.update(corpus, isolate=False)) == (0, 0, 0, 4, 0)


def test_3_gone_folder_and_rejected_file_are_removed(built: tuple[Path, Index]) -> None:
    """Known gone (a folder deleted) or read and left out by a rule (NUL bytes: not
    text) is removed, not kept."""
    corpus, index = built
    shutil.rmtree(corpus / "news")
    (corpus / "_posts/2024-01-01-a.md").write_bytes(b"---\ntitle: x\n---\n\x00\x00\n")
    report = index.update(corpus, isolate=False)
    assert _counts(report) == (0, 0, 2, 3, 0)
    assert report.kept_paths == []
    assert report.skipped_files == [
        {
            "path": "_posts/2024-01-01-a.md",
            "kind": "unreadable",
            "reason": "contains NUL bytes: a binary file, not text",
        }
    ]
    assert sorted(ids(index, "防汛")) == ["_posts/2024-01-02-b", "_posts/2024-01-03-c", "about"]


def test_3_unreadable_config_reads_nothing_and_keeps_everything(
    built: tuple[Path, Index], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, index = built
    config = corpus / "_config.yml"
    config.write_text("permalink: pretty\n", "utf-8")  # would rewrite every post's URL
    (corpus / "_posts/2024-01-03-c.md").unlink()
    with monkeypatch.context() as patch:
        _fail_path_method(patch, "read_bytes", config, errno.EIO)
        report = index.update(corpus, isolate=False)
    assert _counts(report) == (0, 0, 0, 0, 5)
    assert report.kept_paths == ["_config.yml"]
    assert report.skipped_files == [
        {
            "path": "_config.yml",
            "kind": "unreadable",
            "reason": "cannot read file: Input/output error; the site's rules are unknown, so "
            "nothing of the site is read and the index keeps every document it has",
        }
    ]
    assert sorted(ids(index, "防汛")) == ALL
    again = index.update(corpus, isolate=False)
    assert _counts(again) == (0, 4, 1, 0, 0)  # pretty URLs: every document rewritten
    assert index.search("防汛甲").hits[0].url == "/2024/01/01/a/"


def test_3_rebuild_keeps_what_cannot_be_read(
    built: tuple[Path, Index], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, index = built
    with monkeypatch.context() as patch:
        _fail_scandir(patch, corpus / "news/_posts", errno.EACCES)
        report = index.update(corpus, rebuild=True, isolate=False)
    assert _counts(report) == (0, 4, 0, 0, 1)
    assert report.kept_paths == ["news/_posts"]
    assert sorted(ids(index, "防汛")) == ALL
    plain = index.update(corpus, rebuild=True, isolate=False)
    assert _counts(plain) == (5, 0, 0, 0, 0)  # nothing kept: a rebuild from scratch
    assert sorted(ids(index, "防汛")) == ALL


def test_3_a_new_schema_is_not_built_over_what_cannot_be_read(
    built: tuple[Path, Index], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A new dictionary rewrites every post into a new generation: the posts that cannot
    # be read now would be lost, so the run stops and changes nothing.
    corpus, index = built
    words = tmp_path / "words.txt"
    words.write_text("防汛演练 10 n\n", encoding="utf-8")
    before = sorted(p.name for p in index.path.iterdir())
    with monkeypatch.context() as patch:
        _fail_scandir(patch, corpus / "news/_posts", errno.EACCES)
        with pytest.raises(SearchIndexError) as error:
            Index.build(index.path, corpus, user_dict=words)
    assert str(error.value) == (
        f"{index.path}: not rebuilt: a new dictionary, segmenter or format rewrites every "
        "post, and the posts under what cannot be read now would be lost (news/_posts); "
        "the index is unchanged, run again once they can be read"
    )
    assert sorted(p.name for p in index.path.iterdir()) == before
    assert sorted(ids(index, "防汛")) == ALL
    assert Index.build(index.path, corpus, user_dict=words).added == 5  # readable again
    assert sorted(ids(index, "防汛演练")) == ALL[:3] + ALL[4:]


def test_3_cli_summary_and_json_name_what_was_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = _site(tmp_path)
    where = ["--index", str(tmp_path / "ix")]
    runner = CliRunner()
    assert runner.invoke(main, ["index", str(corpus), *where]).exit_code == 0
    _fail_scandir(monkeypatch, corpus / "_posts", errno.EACCES)
    result = runner.invoke(main, ["index", str(corpus), *where])
    assert result.exit_code == 0, result.output
    last = result.stdout.splitlines()[-1]
    assert last.startswith(
        "added 0, updated 0, removed 0, unchanged 2, skipped 1 (unreadable 1), duplicates 0, "
        "warnings 0, kept 3 (could not read now: _posts) ("
    )
    assert f"_posts: skipped: {FOLDER_REASON[errno.EACCES]}" in result.stderr
    data = json.loads(runner.invoke(main, ["index", str(corpus), *where, "--json"]).stdout)
    assert (data["kept"], data["kept_paths"], data["removed"]) == (3, ["_posts"], 0)
    check = runner.invoke(main, ["check", str(corpus)])
    assert check.stdout.splitlines()[-1] == (
        "posts read: 2, recovered with warnings: 0, skipped: 1 (unreadable 1), "
        "duplicates: 0, could not read now: 1"
    )
    checked = json.loads(runner.invoke(main, ["check", str(corpus), "--json"]).stdout)
    assert checked["kept_paths"] == ["_posts"]


def test_3_kept_ids_matches_files_and_folders_exactly() -> None:
    existing = ["a/b", "a/b.html", "a/bc", "ab/x", "a/b/c", "z", "q/r/s"]
    assert kept_ids(existing, [Skipped("a/b.md", "", "unreadable", keeps="a/b.md")]) == {"a/b"}
    assert kept_ids(existing, [Skipped("a", "", "unreadable", keeps="a")]) == {
        "a/b",
        "a/b.html",
        "a/bc",
        "a/b/c",
    }
    assert kept_ids(existing, [Skipped("q/r", "", "unreadable", keeps="q/r")]) == {"q/r/s"}
    assert kept_ids(existing, [Skipped("_config.yml", "", "unreadable", keeps="")]) == set(existing)
    assert kept_ids(existing, [Skipped("a", "excluded", "excluded by _config.yml")]) == set()


# -- 6. links out of the site -----------------------------------------------------------


def _items(root: Path, **options: Any) -> dict[str, Article | Skipped]:
    return {
        item.path: item
        for item in read_corpus(root, None, SiteOptions(**options))
        if isinstance(item, Article | Skipped)
    }


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    (outside / "posts").mkdir(parents=True)
    (outside / "2024-01-01-outfile.md").write_text(post("外部文件", "机密内容甲。"), "utf-8")
    (outside / "posts/2024-01-02-od.md").write_text(post("外部目录", "机密内容乙。"), "utf-8")
    (outside / "page.md").write_text("---\ntitle: 外部页面\n---\n机密内容丙。\n", "utf-8")
    return outside.resolve()


def _linked_site(tmp_path: Path) -> tuple[Path, Path]:
    """The site of the Jekyll check: links to files and folders, in and out of it."""
    outside = _outside(tmp_path)
    site = write_corpus(
        tmp_path,
        {
            "real/2024-01-03-inreal.md": post("站内", "站内正文。"),
            "real/page2.md": "---\ntitle: 页二\n---\n页二正文。\n",
            "_posts/2024-01-04-normal.md": post("普通", "普通正文。"),
        },
    )
    posts = site / "_posts"
    (posts / "2024-01-01-outfile.md").symlink_to(outside / "2024-01-01-outfile.md")
    (posts / "odir").symlink_to(outside / "posts")
    (posts / "idir").symlink_to("../real")
    (posts / "2024-01-03-inlink.md").symlink_to("../real/2024-01-03-inreal.md")
    (site / "topout").symlink_to(outside)
    (site / "toplink").symlink_to("real")
    (site / "outpage.md").symlink_to(outside / "page.md")
    (site / "inpage.md").symlink_to("real/page2.md")
    return site, outside


SAFE = [
    "_posts/2024-01-03-inlink.md",
    "_posts/2024-01-04-normal.md",
    "inpage.md",
    "real/2024-01-03-inreal.md",
    "real/page2.md",
    "toplink/2024-01-03-inreal.md",
    "toplink/page2.md",
]
TRUSTED = [
    *SAFE,
    "_posts/2024-01-01-outfile.md",
    "outpage.md",
    "topout/2024-01-01-outfile.md",
    "topout/page.md",
    "topout/posts/2024-01-02-od.md",
]


def test_6_link_to_etc_passwd_is_left_out_and_never_searchable(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, {"_posts/2024-01-02-ok.md": post("正常", "正常正文。")})
    (corpus / "_posts/2024-01-01-x.md").symlink_to("/etc/passwd")
    item = _items(corpus)["_posts/2024-01-01-x.md"]
    assert item == Skipped(
        "_posts/2024-01-01-x.md",
        "symbolic link to /etc/passwd, outside the site: not read (as jekyll build --safe; "
        "--follow-outside-links reads it)",
        "outside the site",
    )
    with Index.create(tmp_path / "index") as index:
        report = index.update(corpus, isolate=False)
        assert (report.added, report.left_out) == (1, {"outside the site": 1})
        assert index.search("root").total == 0
        assert index.document("_posts/2024-01-01-x") is None
        assert index.search("").total == 1


def test_6_links_follow_jekyll_safe_mode(tmp_path: Path) -> None:
    site, outside = _linked_site(tmp_path)
    items = _items(site)
    assert sorted(p for p, i in items.items() if isinstance(i, Article)) == SAFE
    skipped = {p: (i.kind, i.reason) for p, i in items.items() if isinstance(i, Skipped)}
    assert skipped == {
        "_posts/2024-01-01-outfile.md": (
            "outside the site",
            f"symbolic link to {outside}/2024-01-01-outfile.md, outside the site: not read "
            "(as jekyll build --safe; --follow-outside-links reads it)",
        ),
        "_posts/idir": ("special name", "symbolic link to a folder: not followed"),
        "_posts/odir": ("special name", "symbolic link to a folder: not followed"),
        "outpage.md": (
            "outside the site",
            f"symbolic link to {outside}/page.md, outside the site: not read "
            "(as jekyll build --safe; --follow-outside-links reads it)",
        ),
        "topout": (
            "outside the site",
            f"symbolic link to {outside}, outside the site: not followed "
            "(as jekyll build --safe; --follow-outside-links follows it)",
        ),
    }


def test_6_the_option_follows_links_out_of_the_site(tmp_path: Path) -> None:
    site, _ = _linked_site(tmp_path)
    items = _items(site, follow_outside_links=True)
    assert sorted(p for p, i in items.items() if isinstance(i, Article)) == sorted(TRUSTED)
    runner = CliRunner()
    where = ["--index", str(tmp_path / "ix")]
    result = runner.invoke(main, ["index", str(site), *where, "--follow-outside-links", "--json"])
    assert json.loads(result.stdout)["added"] == len(TRUSTED)
    found = runner.invoke(main, ["search", "机密内容", *where, "--json"])
    assert json.loads(found.stdout)["total"] == 5


JEKYLL = shutil.which("jekyll")
LISTING = """---
search: false
---
{% for p in site.posts %}DOC|{{ p.path }}
{% endfor %}{% for p in site.pages %}DOC|{{ p.path }}
{% endfor %}"""


@pytest.mark.skipif(JEKYLL is None, reason="jekyll is not installed")
@pytest.mark.parametrize("safe", [True, False])
def test_6_links_match_jekyll_build(tmp_path: Path, safe: bool) -> None:
    site, _ = _linked_site(tmp_path)
    (site / "list.html").write_text(LISTING, "utf-8")
    dest = tmp_path / "built"
    run = subprocess.run(
        [str(JEKYLL), "build", "--quiet", *(["--safe"] if safe else []), "-s", site, "-d", dest],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    listed = (dest / "list.html").read_text("utf-8").splitlines()
    published = sorted(line[4:] for line in listed if line.startswith("DOC|"))
    published.remove("list.html")
    assert published == sorted(SAFE if safe else TRUSTED)
    items = _items(site, follow_outside_links=not safe)
    assert sorted(p for p, i in items.items() if isinstance(i, Article)) == published


def test_6_loops_of_folder_links_end(tmp_path: Path) -> None:
    site = write_corpus(
        tmp_path,
        {"a/one.md": "---\ntitle: 一\n---\n一。\n", "b/two.md": "---\ntitle: 二\n---\n二。\n"},
    )
    (site / "a/up").symlink_to("..")
    (site / "a/self").symlink_to(".")
    (site / "a/tob").symlink_to("../b")
    (site / "b/toa").symlink_to("../a")
    (site / "c").symlink_to("c")  # a link to itself
    items = _items(site)
    assert sorted(p for p, i in items.items() if isinstance(i, Article)) == [
        "a/one.md",
        "a/tob/toa/one.md",
        "a/tob/two.md",
        "b/two.md",
    ]
    loop = (
        "special name",
        "symbolic link to a folder read already (a loop of links, or a second link to it): "
        "not followed",
    )
    skipped = {p: (i.kind, i.reason) for p, i in items.items() if isinstance(i, Skipped)}
    assert skipped == {
        "a/self": loop,
        "a/up": loop,
        "a/tob/toa/self": loop,
        "a/tob/toa/tob": loop,
        "a/tob/toa/up": loop,
        "b/toa": loop,
    }


def test_6_config_linked_out_of_the_site_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "secret.yml"
    outside.write_text("permalink: pretty\n", "utf-8")
    site = write_corpus(tmp_path, {"_posts/2024-01-01-a.md": post("甲", "正文。")})
    (site / "_config.yml").symlink_to(outside)
    items = list(read_corpus(site))
    warning, article = items
    assert getattr(warning, "message", None) == (
        f"_config.yml: a symbolic link to {outside.resolve()}, outside the site: not read "
        "(--follow-outside-links reads it); Jekyll's defaults used"
    )
    assert isinstance(article, Article) and article.url == "/2022/03/01/a.html"
    trusted = [i for i in read_corpus(site, None, SiteOptions(follow_outside_links=True))]
    assert [i.url for i in trusted if isinstance(i, Article)] == ["/2022/03/01/a/"]


SETPRIV = shutil.which("setpriv")
NO_DAC = (
    "--inh-caps=-dac_override,-dac_read_search",
    "--bounding-set=-dac_override,-dac_read_search",
)


@pytest.mark.skipif(
    SETPRIV is None or os.geteuid() != 0,
    reason="needs root and setpriv (util-linux) to drop the capability to read any file",
)
def test_3_real_permission_denied_folder_keeps_its_posts(tmp_path: Path) -> None:
    """The same as the simulated case, with the kernel's own EACCES: ``searcher index``
    runs as root without CAP_DAC_OVERRIDE, so ``chmod 000`` holds."""
    corpus = _site(tmp_path)
    where = ["--index", str(tmp_path / "ix"), "--json"]

    def index() -> dict[str, Any]:
        command = [str(SETPRIV), *NO_DAC, sys.executable, "-m", "searcher", "index"]
        run = subprocess.run(
            [*command, str(corpus), *where], capture_output=True, text=True, timeout=300
        )
        assert run.returncode == 0, run.stderr
        return dict(json.loads(run.stdout))

    assert index()["added"] == 5
    (corpus / "_posts").chmod(0)
    try:
        locked = index()
    finally:
        (corpus / "_posts").chmod(0o755)
    assert (locked["removed"], locked["kept"], locked["kept_paths"]) == (0, 3, ["_posts"])
    assert locked["left_out"] == {"unreadable": 1}
    again = index()
    assert (again["added"], again["removed"], again["unchanged"], again["kept"]) == (0, 0, 5, 0)
    with Index.open(tmp_path / "ix") as ix:
        assert sorted(ids(ix, "防汛")) == ALL


class _Entry:
    """A ``os.DirEntry`` whose ``is_dir`` fails with ``code`` (as on a failing mount)."""

    def __init__(self, entry: os.DirEntry[str], code: int) -> None:
        self.name, self.path, self._code = entry.name, entry.path, code

    def is_dir(self) -> bool:
        raise OSError(self._code, os.strerror(self._code), self.path)


def test_3_entry_that_cannot_be_stated_keeps_its_posts(
    built: tuple[Path, Index], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``news`` cannot be stat'ed (ESTALE): not known as a folder or a file, so both its
    own document and everything under it are kept."""
    corpus, index = built
    real = os.scandir
    top = os.path.abspath(corpus)

    class Listing:
        def __init__(self, path: Any) -> None:
            self.entries = list(real(path))
            if os.path.abspath(os.fspath(path)) == top:
                self.entries = [
                    _Entry(e, errno.ESTALE) if e.name == "news" else e for e in self.entries
                ]

        def __enter__(self) -> list[Any]:
            return self.entries

        def __exit__(self, *exc: object) -> None:
            pass

    monkeypatch.setattr(os, "scandir", Listing)
    report = index.update(corpus, isolate=False)
    assert _counts(report) == (0, 0, 0, 4, 1)
    assert report.skipped_files == [
        {
            "path": "news",
            "kind": "unreadable",
            "reason": f"cannot read: Stale file handle; {KEEPING}",
        }
    ]
    assert sorted(ids(index, "防汛")) == ALL
