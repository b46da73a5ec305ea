"""A cold ``searcher search``: wall time and memory of a new process (issue #9).

Usage: python bench/cold.py INDEX_DIR [--query 人工智能] [--runs 5]

Runs ``python -c pass`` once (the bare interpreter), then ``searcher search QUERY
--index INDEX_DIR`` ``--runs`` times, each a new process, and prints one JSON object:
each run's wall time in seconds, their median, the bare interpreter's peak RSS and a
search's (``ru_maxrss`` of the finished child, MiB) and the difference, which is what a
process that opens the index and runs one search costs over a bare interpreter. The
files are in the page cache after the first run, as on a server that searches often.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process running ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # ru_maxrss of children is the largest so far: runs go from the smallest up.
    return wall, max(after.ru_maxrss, before.ru_maxrss) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index")
    ap.add_argument("--query", default="人工智能")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not Path(args.index).is_dir():
        sys.exit(f"no index folder: {args.index}")
    _, bare = run([sys.executable, "-c", "pass"])
    searcher = str(Path(sys.executable).with_name("searcher"))
    cmd = [searcher, "search", args.query, "--index", args.index]
    walls, peak = [], 0.0
    for _ in range(args.runs):
        wall, peak = run(cmd)
        walls.append(round(wall, 3))
    out = {
        "query": args.query,
        "index": os.path.abspath(args.index),
        "wall_seconds": walls,
        "median_seconds": round(statistics.median(walls), 3),
        "bare_rss_mib": round(bare, 1),
        "search_rss_mib": round(peak, 1),
        "over_bare_mib": round(peak - bare, 1),
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
