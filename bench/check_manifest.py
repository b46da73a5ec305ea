"""Read a corpus that has a manifest.jsonl (xwlb) and compare every post with it.

Usage: python bench/check_manifest.py [CORPUS_DIR]   (default ../shared/corpus/xwlb)

Prints posts read, skipped, duplicates, lost (in the manifest but not read), the number of
title, date and tag mismatches, and the read time in seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

from common import SHARED_CORPUS, need
from searcher.site import Article, Duplicate, Skipped, read_corpus


def main() -> None:
    root = need(Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED_CORPUS / "xwlb")
    manifest = {}
    for line in need(root / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            manifest[row["path"]] = row
    started = time.perf_counter()
    items = list(read_corpus(root))
    seconds = time.perf_counter() - started
    articles = {a.path: a for a in items if isinstance(a, Article)}
    mismatches = {"title": 0, "date": 0, "tags": 0}
    for path, row in manifest.items():
        a = articles.get(path)
        if a is None:
            continue
        want_date = dt.datetime.strptime(row["date"], "%Y-%m-%d %H:%M:%S %z")
        mismatches["title"] += a.title != row["title"]
        mismatches["date"] += a.date != want_date
        mismatches["tags"] += a.tags != row["tags"]
    report = {
        "corpus": str(root),
        "manifest_posts": len(manifest),
        "posts_read": len(articles),
        "skipped": [s.path for s in items if isinstance(s, Skipped)],
        "duplicates": sum(isinstance(d, Duplicate) for d in items),
        "lost": len(set(manifest) - set(articles)),
        "mismatches": mismatches,
        "read_seconds": round(seconds, 1),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
