"""``searcher install-jekyll-hook`` (issue #23): the plugin it writes, run by a real
``jekyll build`` (4.3.1; skipped without Jekyll, failed under ``CI=true``).

The fixture site's folder name holds a space, a quote and ``$(touch pwned)``: the hook
passes it to searcher as one argument, through no shell.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from jekyll_oracle import JEKYLL, needs_jekyll

from searcher.index import Index
from searcher.jekyll_hook import MARKER, HookExistsError, install_hook
from searcher.site.options import SiteOptions
from searchutil import post, write_files

ROOT = Path(__file__).resolve().parents[1]

A = post("城市更新行动", "老旧小区改造让居民住得更舒心。")
B = post("海上风电并网", "首台海上风电机组并网发电。")


def make_site(root: Path) -> Path:
    """A tiny Jekyll site (config, a post layout, post A) in a folder with an awkward name."""
    return write_files(
        root / "site $(touch pwned) it's",
        {
            "_config.yml": "title: 测试站\nurl: https://news.example.com\n",
            "_layouts/post.html": "<article>{{ content }}</article>\n",
            "_posts/2022-03-01-a.md": A,
        },
    )


def searcher(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``searcher ARGS`` from this checkout."""
    return subprocess.run(
        [sys.executable, "-m", "searcher", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def jekyll(site: Path, *flags: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``jekyll build`` of ``site`` into ``site/_site``, the hook seeing this checkout."""
    assert JEKYLL is not None, "jekyll is not installed: .ci/run installs it"
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("SEARCHER_HOOK_STRICT", None)
    environment.update(env)
    return subprocess.run(
        [JEKYLL, "build", "-s", str(site), "-d", str(site / "_site"), *flags],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )


def found(index_dir: Path, query: str) -> list[tuple[str, str]]:
    """The (id, title) of each hit of ``query``."""
    with Index.open(index_dir) as index:
        return [(h.id, h.title) for h in index.search(query, limit=50).hits]


@needs_jekyll
def test_jekyll_build_runs_searcher_index_after_writing_the_site(tmp_path: Path) -> None:
    site, index_dir = make_site(tmp_path), tmp_path / "index"
    installed = searcher("install-jekyll-hook", site, "--index", index_dir)
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout == f"{site / '_plugins' / 'searcher.rb'}\n"
    assert installed.stderr == ""

    first = jekyll(site)
    assert first.returncode == 0, first.stderr
    assert "Searcher: added 1, updated 0, removed 0, unchanged 0," in first.stdout
    assert found(index_dir, "小区改造") == [("_posts/2022-03-01-a", "城市更新行动")]
    assert (site / "_site" / "2022" / "03" / "01" / "a.html").is_file()

    (site / "_posts" / "2022-03-02-b.md").write_text(B, encoding="utf-8")
    second = jekyll(site)
    assert second.returncode == 0, second.stderr
    assert "Searcher: added 1, updated 0, removed 0, unchanged 1," in second.stdout
    assert found(index_dir, "风电") == [("_posts/2022-03-02-b", "海上风电并网")]
    assert found(index_dir, "小区改造") == [("_posts/2022-03-01-a", "城市更新行动")]
    assert not list(tmp_path.rglob("pwned"))  # no shell ran the folder's name


@needs_jekyll
def test_a_broken_post_builds_and_the_index_has_the_others(tmp_path: Path) -> None:
    site, index_dir = make_site(tmp_path), tmp_path / "index"
    (site / "_posts" / "2022-03-02-b.md").write_text(B, encoding="utf-8")
    broken = b'---\ntitle: "\xff\xfe bad\n---\n\xff body\n'  # not UTF-8, an open quote
    (site / "_posts" / "2022-03-03-broken.md").write_bytes(broken)
    install_hook(site, index_dir)
    run = jekyll(site)
    assert run.returncode == 0, run.stderr
    assert found(index_dir, "小区改造") == [("_posts/2022-03-01-a", "城市更新行动")]
    assert found(index_dir, "风电") == [("_posts/2022-03-02-b", "海上风电并网")]
    with Index.open(index_dir) as index:
        assert index.stats().documents == 2


@needs_jekyll
def test_a_failing_searcher_is_a_warning_unless_strict(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    install_hook(site, tmp_path / "not-a-folder")
    run = jekyll(site)
    assert run.returncode == 0, run.stderr
    said = run.stdout + run.stderr
    assert f"Searcher: error: index path is not a folder: {tmp_path / 'not-a-folder'}" in said
    assert (
        "Searcher: searcher index failed (exit status 2); the site is built, its search "
        "index is not updated" in said
    )
    assert (site / "_site" / "2022" / "03" / "01" / "a.html").is_file()
    strict = jekyll(site, SEARCHER_HOOK_STRICT="1")
    assert strict.returncode == 1
    assert "Searcher: searcher index failed (exit status 2)" in strict.stdout + strict.stderr


@needs_jekyll
def test_the_build_s_drafts_and_safe_mode(tmp_path: Path) -> None:
    site, index_dir = make_site(tmp_path), tmp_path / "index"
    (site / "_drafts").mkdir()
    (site / "_drafts" / "wind.md").write_text(B, encoding="utf-8")
    install_hook(site, index_dir)
    safe = jekyll(site, "--safe")  # plugins off, as on GitHub Pages: no index
    assert safe.returncode == 0, safe.stderr
    assert "Searcher:" not in safe.stdout + safe.stderr
    assert not index_dir.exists()
    drafts = jekyll(site, "--drafts")  # the build publishes drafts: so does the index
    assert drafts.returncode == 0, drafts.stderr
    assert found(index_dir, "风电") == [("_drafts/wind", "海上风电并网")]
    again = jekyll(site)  # and without --drafts, it is removed
    assert again.returncode == 0, again.stderr
    assert found(index_dir, "风电") == []


def test_a_file_searcher_did_not_write_is_kept_unless_forced(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / "_plugins").mkdir()
    theirs = site / "_plugins" / "searcher.rb"
    theirs.write_text("# the owner's own plugin\n", encoding="utf-8")
    with pytest.raises(HookExistsError, match="did not write it: use --force"):
        install_hook(site, tmp_path / "index")
    refused = searcher("install-jekyll-hook", site, "--index", tmp_path / "index")
    assert refused.returncode == 2
    assert refused.stderr == (
        f"error: {theirs} exists and searcher did not write it: use --force to replace it\n"
    )
    assert theirs.read_text(encoding="utf-8") == "# the owner's own plugin\n"
    forced = searcher("install-jekyll-hook", site, "--index", tmp_path / "index", "--force")
    assert forced.returncode == 0, forced.stderr
    assert theirs.read_text(encoding="utf-8").splitlines()[0] == MARKER
    again = install_hook(site, tmp_path / "other", SiteOptions(future=True))  # ours: replaced
    text = again.read_text(encoding="utf-8")
    assert f"  INDEX = '{tmp_path / 'other'}'\n" in text
    assert "  FLAGS = ['--future'].freeze\n" in text


def test_the_command_and_flags_are_ruby_string_literals(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    options = SiteOptions(site_url="https://x.example/新闻", rendered=tmp_path / "built")
    path = install_hook(site, "index", options, command=["/opt/py thon's/bin/python"])
    text = path.read_text(encoding="utf-8")
    assert "  COMMAND = ['/opt/py thon\\'s/bin/python', 'index'].freeze\n" in text
    assert f"  INDEX = '{Path.cwd() / 'index'}'\n" in text
    assert (
        f"  FLAGS = ['--site-url', 'https://x.example/新闻', '--rendered={tmp_path / 'built'}']"
        ".freeze\n" in text
    )
    assert "  RENDERED = false" in text
    # --rendered with no folder: the folder this build wrote (site.dest)
    own = install_hook(site, "index", SiteOptions(rendered=Path("_site")))
    assert "  RENDERED = true" in own.read_text(encoding="utf-8")


def test_an_index_inside_the_site_is_said_to_be_published(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    run = searcher("install-jekyll-hook", site, "--index", site / "search-index")
    assert run.returncode == 0, run.stderr
    assert run.stderr == (
        f"warning: the index {site / 'search-index'} lies in the site and Jekyll publishes "
        "it: add search-index to _config.yml's exclude\n"
    )
    hidden = searcher("install-jekyll-hook", site, "--index", site / "_search-index")
    assert hidden.stderr == ""  # Jekyll leaves out a folder whose name starts with _
