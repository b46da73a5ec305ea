"""Index build time, index size and peak memory.

Usage: python bench/build.py CORPUS_DIR INDEX_DIR [--jobs N] [--segmenter rjieba|jieba]

Builds a fresh index with ``Index.build`` (what ``searcher index`` does; the folder is
replaced), then runs the update a second time to
time an incremental run with nothing to change. Peak memory is the peak resident set
size of this process and its children (``getrusage``), in MiB.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import time
from pathlib import Path

from common import need
from searcher.index import Index


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("index")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--segmenter", default="rjieba")
    ap.add_argument(
        "--max-postings",
        type=int,
        help="postings per segment (see searcher.engine.whoosh.segments)",
    )
    args = ap.parse_args()
    corpus = need(Path(args.corpus))
    if args.max_postings:
        import searcher.engine.whoosh.segments

        searcher.engine.whoosh.segments.MAX_POSTINGS = args.max_postings
    target = Path(args.index)
    shutil.rmtree(target, ignore_errors=True)
    t = time.perf_counter()
    report = Index.build(target, corpus, segmenter=args.segmenter, jobs=args.jobs)
    build_s = time.perf_counter() - t
    index = Index.open(target)
    t = time.perf_counter()
    again = index.update(corpus)
    again_s = time.perf_counter() - t
    size = sum(p.stat().st_size for p in target.iterdir() if p.is_file())
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    out = {
        "corpus": str(corpus),
        "segmenter": args.segmenter,
        "jobs": args.jobs,
        "max_postings": args.max_postings,
        "posts_indexed": report.added,
        "skipped": report.skipped,
        "duplicates": report.duplicates,
        "build_seconds": round(build_s, 1),
        "second_run_seconds": round(again_s, 1),
        "second_run_changes": again.added + again.updated + again.removed,
        "index_mib": round(size / 2**20, 1),
        "peak_rss_mib": round(peak / 1024, 1),
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
