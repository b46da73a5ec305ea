"""Hostile tests of the Xapian engine and its shards (issue #24): what broke, as a user of
``searcher index --engine xapian --shards N``, ``Index.open(stub)`` and the library.

Each test failed before its fix (the report of branch hostile24 lists input, expected,
got). Posts are tiny invented ones (tests/searchutil.py); servers are Xapian's own
(tests/xapianservers.py)."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest

from searcher.engine.xapian import writer as xapian_writer
from searcher.engine.xapian.folder import shard_of
from searcher.errors import SearchIndexError
from searcher.index import Index
from searchutil import post, write_corpus

pytestmark = pytest.mark.engine("xapian")

#: Six posts about flood drills; in 2 shards, p1, p5, p6 lie in shard 1, the others in 0.
DRILLS = {
    f"_posts/2024-01-0{i}-p{i}.md": post(
        f"防汛演练第{i}场", f"第{i}场防汛演练在江边举行。", extra="tags: [防汛]\n"
    )
    for i in range(1, 7)
}
#: Two new posts: n1 goes to shard 1, n2 to shard 0.
NEW = {
    "_posts/2024-02-01-n1.md": post("抗旱新演练", "新的抗旱演练。", extra="tags: [抗旱]\n"),
    "_posts/2024-02-02-n2.md": post("抗旱新演练二", "又一场抗旱演练。", extra="tags: [抗旱]\n"),
}


def two_shards(tmp_path: Path) -> tuple[Path, Path]:
    """The drills in a 2-shard index: (site, index folder)."""
    site = write_corpus(tmp_path / "site", DRILLS)
    folder = tmp_path / "ix"
    Index.build(folder, site, engine="xapian", shards=2)
    return site, folder


def fail_second_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make an update's commit of shard 0 fail as a full disk does (ENOSPC), after shard 1
    committed (shards commit from the last to shard 0)."""
    original = xapian_writer.XapianWriter.commit

    def commit(
        self: xapian_writer.XapianWriter, values: dict[str, Any], clear: bool = False
    ) -> None:
        class Full:
            def __init__(self, db: Any) -> None:
                self.db = db

            def __getattr__(self, name: str) -> Any:
                return getattr(self.db, name)

            def commit_transaction(self) -> None:
                raise OSError(errno.ENOSPC, "No space left on device")

        self.dbs[0] = Full(self.dbs[0])
        original(self, values, clear)

    monkeypatch.setattr(xapian_writer.XapianWriter, "commit", commit)


def test_the_ids_lie_in_the_shards_the_tests_say() -> None:
    ids = [p.removesuffix(".md") for p in [*DRILLS, *NEW]]
    assert [shard_of(i, 2) for i in ids] == [1, 0, 0, 0, 1, 1, 1, 0]


def test_a_commit_failing_after_one_shard_leaves_that_shard_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: the failed update cut every shard's tables back to their old sizes, also
    shard 1's, whose new revision was committed past them: the index was unreadable
    (``gen-0/shard-1: cannot open shard: EOF reading block 2``) until rebuilt."""
    site, folder = two_shards(tmp_path)
    write_corpus(tmp_path / "site", NEW)
    fail_second_commit(monkeypatch)
    with pytest.raises(SearchIndexError) as caught:
        Index.build(folder, site)
    assert str(caught.value) == f"{folder}: cannot write index: [Errno 28] No space left on device"
    monkeypatch.undo()
    with Index.open(folder) as index:  # shard 1's part of the update is in, as README says
        found = index.search("抗旱")
        assert (found.total, [h.id for h in found.hits]) == (1, ["_posts/2024-02-01-n1"])
        assert index.search("防汛").total == 6
    report = Index.build(folder, site)  # the next run writes the rest
    assert (report.added, report.updated, report.removed) == (1, 0, 0)
    with Index.open(folder) as index:
        assert index.search("抗旱").total == 2
