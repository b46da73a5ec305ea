"""How changes to a site arrive as file events: the figures behind ``searcher index
--watch``'s quiet second (``searcher.watch.QUIET_SECONDS``).

Usage (from the repository root)::

    .venv/bin/python bench/watch_bursts.py [SITE] [--full ../shared/corpus/xwlb]

For each way a site changes, watches a temporary site with watchdog as ``searcher
index --watch`` does (the same :class:`~searcher.watch.ChangeFilter`: index, ``_site``,
``.git`` and editors' files ignored) and records when each change arrives: how many,
over how long, and the longest pause between two of them (the quiet time must be
longer, else one operation makes two runs). The operations, on the posts of SITE
(default ``../shared/corpus/xwlb-small``): ``cp -r`` of ``_posts``; ``git checkout``
from a commit with the first half of the posts to one with the second half; an editor's
atomic save (a temporary file written, synced and renamed over the post);
``jekyll build`` into the site's ``_site`` (ignored: no change expected) when Jekyll is
installed. Then the time of one run after one changed post (``Index.build`` on the
built index). ``--full DIR`` also times ``cp -r`` of DIR's ``_posts`` (the longest
burst). Prints one JSON object; no figure is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from watchdog.observers import Observer

from searcher.index import Index
from searcher.site.options import SiteOptions
from searcher.watch import ChangeFilter, _Handler


def live(site: Path, operation: Callable[[], None], settle: float = 2.0) -> dict[str, Any]:
    """Watch ``site`` while ``operation`` runs, then ``settle`` seconds more: the count
    of changes (each stamped as watchdog delivers it), the span from the first to the
    last, the longest pause between two."""
    stamps: list[float] = []

    class Stamped(queue.SimpleQueue[str]):
        def put(self, item: str, block: bool = True, timeout: float | None = None) -> None:
            stamps.append(time.monotonic())

    where = ChangeFilter(site, site / "index", SiteOptions())
    observer = Observer()
    observer.schedule(_Handler(Stamped(), where), str(where.site), recursive=True)
    observer.start()
    try:
        start = time.monotonic()
        operation()
        took = time.monotonic() - start
        time.sleep(settle)
    finally:
        observer.stop()
        observer.join()
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    return {
        "changes": len(stamps),
        "operation_s": round(took, 3),
        "span_s": round(stamps[-1] - stamps[0], 3) if stamps else 0,
        "longest_pause_ms": round(max(gaps) * 1000, 1) if gaps else 0,
    }


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("site", nargs="?", default="../shared/corpus/xwlb-small", type=Path)
    parser.add_argument("--full", type=Path, help="also time cp -r of this site's _posts")
    args = parser.parse_args()
    posts = sorted((args.site / "_posts").iterdir())
    out: dict[str, Any] = {"site": str(args.site), "posts": len(posts)}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        site = root / "site"
        site.mkdir()
        out["cp -r"] = live(
            site, lambda: subprocess.run(["cp", "-r", str(args.site / "_posts"), str(site)])
        )
        repo = root / "repo"
        (repo / "_posts").mkdir(parents=True)
        git(repo, "init", "-q")
        half = len(posts) // 2
        for p in posts[:half]:
            shutil.copy(p, repo / "_posts")
        git(repo, "add", "-A")
        git(repo, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "a")
        git(repo, "rm", "-q", "-r", "_posts")
        (repo / "_posts").mkdir()
        for p in posts[half:]:
            shutil.copy(p, repo / "_posts")
        git(repo, "add", "-A")
        git(repo, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "b")
        git(repo, "checkout", "-q", "HEAD~1")
        out["git checkout"] = live(repo, lambda: git(repo, "checkout", "-q", "-"))
        target = site / "_posts" / posts[0].name

        def save() -> None:
            temp = target.with_name(f".{target.name}.tmp")
            with temp.open("w", encoding="utf-8") as f:
                f.write(posts[0].read_text(encoding="utf-8") + "\n更新\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, target)

        out["atomic save"] = live(site, save)
        if shutil.which("jekyll"):
            out["jekyll build (ignored)"] = live(
                site,
                lambda: subprocess.run(
                    ["jekyll", "build", "--quiet", "-s", str(site), "-d", str(site / "_site")],
                    capture_output=True,
                ),
            )
        Index.build(site / "index", site)
        target.write_text(posts[1].read_text(encoding="utf-8"), encoding="utf-8")
        start = time.monotonic()
        report = Index.build(site / "index", site)
        out["one changed post: run_s"] = round(time.monotonic() - start, 3)
        out["one changed post: updated"] = report.updated
        if args.full:
            full = root / "full"
            full.mkdir()
            out["cp -r full"] = live(
                full, lambda: subprocess.run(["cp", "-r", str(args.full / "_posts"), str(full)])
            )
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
