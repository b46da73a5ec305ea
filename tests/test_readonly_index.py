"""A read-only index folder (issue 17): searching, ``searcher stats`` and serving work
and answer exactly as before; ``searcher index`` fails with a clear message naming the
folder and changes nothing (every file's bytes and modification time, and nothing left
beside the folder).

How the folder is made read-only: the tests usually run as root, who ignores permission
bits, so as root the index folder is bind-mounted read-only onto itself
(``mount --bind`` then ``mount -o remount,ro,bind``; writes fail with ``EROFS``, as on a
read-only volume). As another user its files and folder lose their write bits (writes
fail with ``EACCES``). Where root cannot mount (a container without ``CAP_SYS_ADMIN``)
the tests are skipped, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from searcher.cli import main
from searcher.index import Index
from searcher.web import create_app

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

#: Searches compared before and after the folder turns read-only: words, a phrase,
#: filters, date sorting, and a query with nothing to search.
QUERIES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("智慧城市", {}),
    ('"一网通办"', {}),
    ("5G OR 人工智能 -手机", {"sort": "newest"}),
    ("", {"tags": ["碳中和"]}),
    ("数字经济", {"since": "2024-01-01", "until": "2024-12-31"}),
    ("的", {}),
)


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file and folder under ``folder`` (and ``folder`` itself): its bytes (empty
    for a folder), mode and modification time in nanoseconds."""
    out = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        st = path.stat()
        data = path.read_bytes() if path.is_file() else b""
        out[str(path.relative_to(folder))] = (data, st.st_mode, st.st_mtime_ns)
    return out


@contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """Make ``folder`` read-only for this process for the ``with`` block; yields how."""
    if os.geteuid() == 0:
        mount = subprocess.run(
            ["mount", "--bind", str(folder), str(folder)], capture_output=True, text=True
        )
        if mount.returncode != 0:
            pytest.skip(f"running as root, and cannot bind-mount {folder}: {mount.stderr.strip()}")
        try:
            remount = subprocess.run(
                ["mount", "-o", "remount,ro,bind", str(folder)], capture_output=True, text=True
            )
            if remount.returncode != 0:
                pytest.skip(f"cannot remount {folder} read-only: {remount.stderr.strip()}")
            yield "read-only bind mount"
        finally:
            subprocess.run(["umount", str(folder)], check=True)
        return
    paths = [folder, *folder.rglob("*")]
    modes = {p: p.stat().st_mode for p in paths}
    for p in paths:
        p.chmod(modes[p] & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        yield "write permission removed"
    finally:
        for p in reversed(paths):
            p.chmod(modes[p])


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled sample site in ``tmp_path/corpus``, indexed into
    ``tmp_path/index``; the working folder is ``tmp_path``."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    for name in ("SEARCHER_INDEX", "SEARCHER_CORPUS"):
        monkeypatch.delenv(name, raising=False)
    Index.build(tmp_path / "index", tmp_path / "corpus")
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    """``searcher ARGS`` in this process: exit code, stdout, stderr."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _without_seconds(value: Any) -> Any:
    """``value`` (parsed JSON) without its ``seconds`` timings, which vary run to run."""
    if isinstance(value, dict):
        return {k: _without_seconds(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_without_seconds(v) for v in value]
    return value


def answers(index_dir: Path) -> dict[str, Any]:
    """What the index in ``index_dir`` answers through the library, ``searcher search``
    and ``searcher stats`` (JSON), and the web app (API, search page, a post's page)."""
    out: dict[str, Any] = {}
    with Index.open(index_dir) as index:
        out["library"] = [
            _without_seconds(index.search(q, limit=50, **o).to_dict()) for q, o in QUERIES
        ]
        first = index.search("智慧城市").hits[0].id
        out["stats"] = index.stats().to_dict()
        client = create_app(index).test_client()
        api = client.get("/api/search", query_string={"q": "智慧城市", "tag": "数字经济"})
        out["api"] = (api.status_code, _without_seconds(api.get_json()))
        page = client.get("/", query_string={"q": "智慧城市"})
        out["page"] = (page.status_code, page.get_data(as_text=True).count("<mark>智慧城市</mark>"))
        post = client.get(f"/posts/{first}", query_string={"q": "智慧城市"})
        out["post"] = (post.status_code, post.get_data(as_text=True).count("<mark>"))
    code, stdout, stderr = run("search", "智慧城市", "--index", str(index_dir), "--json")
    out["cli search"] = (code, _without_seconds(json.loads(stdout)), stderr)
    code, stdout, stderr = run("stats", "--index", str(index_dir), "--json")
    out["cli stats"] = (code, json.loads(stdout), stderr)
    return out


def test_searching_stats_and_serving_answer_the_same_from_a_read_only_index(site: Path) -> None:
    index_dir = site / "index"
    before = answers(index_dir)
    assert before["cli stats"][1]["documents"] == 46
    assert before["api"][0] == before["page"][0] == before["post"][0] == 200
    assert before["page"][1] >= 1 and before["post"][1] >= 1
    files = _snapshot(index_dir)
    with read_only(index_dir):
        assert answers(index_dir) == before
    assert _snapshot(index_dir) == files


@pytest.mark.parametrize(
    "args",
    [
        pytest.param((), id="unchanged-site"),
        pytest.param(("--new-post",), id="new-post"),
        pytest.param(("--rebuild",), id="rebuild"),
        pytest.param(("--segmenter", "jieba", "--rebuild"), id="new-segmenter"),
        pytest.param(("--dict", "words.txt"), id="new-dictionary"),
    ],
)
def test_indexing_a_read_only_index_fails_clearly_and_changes_nothing(
    site: Path, args: tuple[str, ...]
) -> None:
    index_dir = site / "index"
    (site / "words.txt").write_text("新篇章城市 10\n", "utf-8")
    if "--new-post" in args:
        args = ()
        (site / "corpus/_posts/2024-03-01-new.md").write_text(
            "---\ntitle: 新篇章城市\ndate: 2024-03-01 10:00:00 +0800\n---\n新篇章城市。\n", "utf-8"
        )
    files, beside = _snapshot(index_dir), sorted(p.name for p in site.iterdir())
    with read_only(index_dir) as how:
        code, stdout, stderr = run("index", "corpus", "--index", str(index_dir), *args)
        after = _snapshot(index_dir)
    assert (code, stdout) == (2, ""), how
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {index_dir}"), stderr
    assert "unexpected" not in stderr and (
        "read-only file system" in stderr.lower() or "permission denied" in stderr.lower()
    ), stderr
    assert after == files
    assert sorted(p.name for p in site.iterdir()) == beside
    with Index.open(index_dir) as index:
        assert index.stats().documents == 46
