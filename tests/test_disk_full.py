"""Issue #7.4: a run that fills the disk removes what it wrote, and the next run works.

The index lives on a small tmpfs, mounted in a private mount namespace (``unshare``)
so that the test needs no root; it is skipped only where mounting is not permitted,
and fails under CI, which must run it.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from searchutil import run_on_small_disk

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    from searcher.errors import SearchIndexError
    from searcher.index import Index

    mnt, corpus, big = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    out = {}
    try:  # a first build that does not fit leaves nothing behind
        Index.build(mnt / "ix", big)
    except SearchIndexError as error:
        out["first"] = str(error)
    out["after_first"] = sorted(os.listdir(mnt))
    out["first_report"] = Index.build(mnt / "ix", corpus).added
    before = sorted(os.listdir(mnt / "ix"))
    try:  # an update that does not fit leaves the index as it was
        Index.build(mnt / "ix", big)
    except SearchIndexError as error:
        out["update"] = str(error).replace(str(mnt), "MNT")
    out["same_files"] = sorted(os.listdir(mnt / "ix")) == before
    with Index.open(mnt / "ix") as index:
        out["total"] = index.search("水利").total
    # One more post: the next update works without anyone freeing space by hand.
    (corpus / "_posts" / "2024-02-01-new.md").write_text(
        "---\\ntitle: 新增\\n---\\n新增一篇水利新闻。\\n", "utf-8"
    )
    report = Index.build(mnt / "ix", corpus)
    out["next"] = [report.added, report.unchanged]
    with Index.open(mnt / "ix") as index:
        out["total_after"] = index.search("水利").total
    print(json.dumps(out, ensure_ascii=False))
    """
)


def _posts(root: Path, count: int, size: int) -> Path:
    posts = root / "_posts"
    posts.mkdir(parents=True)
    for i in range(count):
        words = "".join(
            f"第{i}篇第{j}段水利工程建设进展顺利，市民关注{j * i}号项目。" for j in range(size)
        )
        (posts / f"2024-01-{i % 28 + 1:02d}-p{i}.md").write_text(
            f"---\ntitle: 水利新闻{i}\n---\n{words}\n", "utf-8"
        )
    return root


def test_a_full_disk_leaves_the_index_as_it_was(tmp_path: Path, engine: str) -> None:
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    small = _posts(tmp_path / "small", 10, 5)
    # posts that do not fit in 2 MB: Xapian keeps these repetitive ones in less space
    big = _posts(tmp_path / "big", 400, {"whoosh": 40, "xapian": 160}[engine])
    out = run_on_small_disk(mnt, SCRIPT, small, big)
    # Where the disk fills decides which file is named: a segment's or searcher.json.
    assert re.fullmatch(
        re.escape(f"{mnt}/ix") + r"(/searcher\.json)?: cannot write( index)?: "
        r"\[Errno 28\] No space left on device",
        out["first"],
    ), out["first"]
    assert out["after_first"] == []
    assert out["first_report"] == 10
    assert re.fullmatch(
        r"MNT/ix(/searcher\.json)?: cannot write( index)?: \[Errno 28\] No space left on device",
        out["update"],
    ), out["update"]
    assert out["same_files"] is True
    assert out["total"] == 10
    assert out["next"] == [1, 10]
    assert out["total_after"] == 11
