"""The Xapian engine's own behaviour (issue #24): what the shared behaviour suite cannot
see because it is about the engine's storage, stubs and servers. The suite itself runs
on both engines (tests/conftest.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest
from xapianservers import free_port, need_tools, servers, tcpsrv

import searcher.indexing
from searcher.engine.xapian.shards import REMOTE_REOPEN_SECONDS
from searcher.errors import IndexFormatError, SearchIndexError
from searcher.index import Index
from searchutil import post, write_corpus

pytestmark = pytest.mark.engine("xapian")

POSTS = {
    f"_posts/2024-02-0{i}-p{i}.md": post(f"防汛演练第{i}场", f"第{i}场防汛演练在江边举行。")
    for i in range(1, 7)
}


def shard_folders(index_folder: Path) -> list[Path]:
    lines = (index_folder / "xapian.stub").read_text(encoding="utf-8").split("\n")
    return [index_folder / line.split(" ", 1)[1] for line in lines if line]


def sharded(tmp_path: Path, shards: int, posts: dict[str, str] = POSTS) -> tuple[Path, Path]:
    corpus = write_corpus(tmp_path / "site", posts)
    folder = tmp_path / "ix"
    Index.build(folder, corpus, engine="xapian", shards=shards)
    return corpus, folder


def test_the_cli_builds_shards_and_names_them_in_the_stub(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "site", POSTS)
    run = subprocess.run(
        [sys.executable, "-m", "searcher", "index", str(corpus), "--index", str(tmp_path / "ix")]
        + ["--engine", "xapian", "--shards", "2"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("added 6, updated 0, removed 0, unchanged 0")
    stub = (tmp_path / "ix" / "xapian.stub").read_text(encoding="utf-8")
    assert stub == "auto gen-0/shard-0\nauto gen-0/shard-1\n"
    meta = json.loads((tmp_path / "ix" / "searcher.json").read_text(encoding="utf-8"))
    assert (meta["engine"], meta["shards"], meta["generation"]) == ("xapian", 2, 0)


def test_shards_without_the_xapian_engine_are_a_usage_error(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "site", POSTS)
    with pytest.raises(SearchIndexError, match="shards: 2 shards need the xapian engine"):
        Index.build(tmp_path / "ix", corpus, engine="whoosh", shards=2)
    assert not (tmp_path / "ix").exists()


def test_without_the_bindings_the_engine_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m == "xapian" or m.startswith("searcher.engine.xapian")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "xapian", None)  # import xapian raises ImportError
    corpus = write_corpus(tmp_path / "site", POSTS)
    with pytest.raises(SearchIndexError) as caught:
        Index.build(tmp_path / "ix", corpus, engine="xapian")
    assert "pip install 'searcher[xapian]'" in str(caught.value)


def test_extras_are_bound_to_their_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, folder = sharded(tmp_path, 2)
    with Index.open(folder) as index:
        assert index.engine.generation() == 0
        assert index.engine.read_extra("lexicon") is not None
    # A run committing generation 1 that dies before it stores its lexicon: the
    # lexicon of generation 0 is not taken for 1's (a search then builds it).
    (corpus / "_posts" / "2024-02-09-new.md").write_text(post("抗旱", "抗旱工作。"), "utf-8")
    monkeypatch.setattr(searcher.indexing, "store_lexicon", lambda *a, **k: [])
    Index.build(folder, corpus)
    with Index.open(folder) as index:
        assert index.engine.generation() == 1
        assert index.engine.read_extra("lexicon") is None
        assert [c.text for c in index.suggest("抗")] == ["抗旱"]


def test_a_shard_of_another_index_is_refused(tmp_path: Path) -> None:
    _, first = sharded(tmp_path / "a", 2)
    _, second = sharded(tmp_path / "b", 2)
    a0, _ = shard_folders(first)
    _, b1 = shard_folders(second)
    stub = tmp_path / "mixed.stub"
    stub.write_text(f"auto {a0}\nauto {b1}\n", encoding="utf-8")
    with pytest.raises(IndexFormatError) as caught:
        Index.open(stub)
    message = str(caught.value)
    assert message.startswith(f"shard 1 ({b1}): not a shard of the same index as shard 0")
    assert "its created is" in message


@pytest.mark.parametrize("lines", [[0], [1, 0], [0, 0]])
def test_a_stub_naming_shards_out_of_place_is_refused(tmp_path: Path, lines: list[int]) -> None:
    _, folder = sharded(tmp_path, 2)
    shards = shard_folders(folder)
    stub = tmp_path / "wrong.stub"
    stub.write_text("".join(f"auto {shards[k]}\n" for k in lines), encoding="utf-8")
    with pytest.raises(IndexFormatError) as caught:
        Index.open(stub)
    first_wrong = next(p for p, k in enumerate(lines) if k != p or len(lines) != 2)
    assert str(caught.value) == (
        f"shard {first_wrong} ({shards[lines[first_wrong]]}): the stub names {len(lines)} "
        f"shards in this order, but this is shard {lines[first_wrong]} of 2"
    )


def test_an_index_opened_from_a_stub_is_read_only(tmp_path: Path) -> None:
    corpus, folder = sharded(tmp_path, 2)
    stub = tmp_path / "local.stub"
    stub.write_text("".join(f"auto {s}\n" for s in shard_folders(folder)), encoding="utf-8")
    with Index.open(stub) as index:
        assert index.search("防汛演练").total == 6
        with pytest.raises(SearchIndexError, match="a remote index is read-only here"):
            index.update(corpus)


KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from searcher.index import Index

    def die(done, total):
        if done == 3:
            os.kill(os.getpid(), signal.SIGKILL)

    Index.build(sys.argv[1], sys.argv[2], rebuild=True, progress=die, shards=3)
    """
)


def test_a_build_killed_midway_leaves_the_old_shards_searchable(tmp_path: Path) -> None:
    corpus, folder = sharded(tmp_path, 2)
    run = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(folder), str(corpus)], capture_output=True
    )
    assert run.returncode == -9, run.stderr
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("gen-")) == [
        "gen-0",
        "gen-1",
    ]
    with Index.open(folder) as index:
        assert (index.search("防汛演练").total, index.meta["shards"]) == (6, 2)
    report = Index.build(folder, corpus, shards=3)  # the next run completes, and tidies
    assert report.added == 6
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("gen-")) == ["gen-2"]
    assert len(shard_folders(folder)) == 3


def _get(url: str) -> dict[str, object]:
    for _ in range(200):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                data: dict[str, object] = json.loads(response.read())
                return data
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"no answer from {url}")


def test_serve_remote_answers_and_says_when_a_shard_is_missing(tmp_path: Path) -> None:
    need_tools()
    _, folder = sharded(tmp_path, 2)
    with servers() as started:
        for shard in shard_folders(folder):
            started.append(tcpsrv(shard))
        stub = tmp_path / "remote.stub"
        stub.write_text("".join(f"remote {s.address}\n" for s in started), encoding="utf-8")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "searcher", "serve", "--remote", str(stub)]
            + ["--port", str(port), "--threads", "2", "--quiet"],
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            url = f"http://127.0.0.1:{port}/api/search?q=%E9%98%B2%E6%B1%9B"  # 防汛
            whole = _get(url)
            assert (whole["total"], whole["notices"]) == (6, [])
            started[1].kill()
            time.sleep(REMOTE_REOPEN_SECONDS)  # (answers cached before are kept till then)
            part = _get(url)
            notices = part["notices"]
            assert isinstance(notices, list) and [n["code"] for n in notices] == ["shards_missing"]
            assert notices[0]["message"] == (
                f"the results are partial: no copy of shard 1 ({started[1].address}) "
                "answered, and its posts were not searched"
            )
            assert 0 < int(str(part["total"])) < 6
        finally:
            server.terminate()
            server.communicate(timeout=10)
