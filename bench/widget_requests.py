"""The search box's requests (issue #23): what ``GET /api/search?q=…&limit=8&collapse=1``
costs as a reader types, and what its ``snippet`` size shows in the box.

Usage: python bench/widget_requests.py INDEX_DIR [--seed S] [--count N]

Draws ``--count`` words (default 100) with a fixed seed from the index's own titles (a
jieba word of 2 characters or more in 5 titles or more) and asks for each of their
prefixes, as the box does while they are typed (``开``, ``开通``…), through Flask's test
client: once untimed with ``snippet`` 120 (the engine's files read once; another results
cache key), then with ``snippet`` 80 and the default 160. For each size prints the p50,
p90, p99 and max milliseconds, the mean answer in bytes (and gzipped), and how many snippets
have their first ``<mark>`` within the first 60 visible characters (three lines of the
box at 320–390 px, about 20 characters a line), of those with one.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from searcher.index import Index
from searcher.web import create_app

#: Visible characters of a snippet in the box (three lines at about 20 characters).
SHOWN_CHARS = 60


def words(index: Index, count: int, seed: int) -> list[str]:
    """``count`` frequent title words, drawn with ``seed``."""
    found: Counter[str] = Counter()
    segmenter = index.word_segmenter
    for hit in index.search("", sort="newest", limit=1000).hits:
        found.update(
            {
                w
                for w in segmenter.cut(hit.title)
                if len(w) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", w)
            }
        )
    common = sorted(w for w, n in found.items() if n >= 5)
    return random.Random(seed).sample(common, min(count, len(common)))


def first_mark(snippet: str) -> int | None:
    """Visible characters before a snippet's first ``<mark>``, or None without one."""
    head = snippet.split("<mark>", 1)
    if len(head) == 1:
        return None
    return len(re.sub(r"&[a-z]+;|&#\d+;", "x", head[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    with Index.open(args.index) as index:
        client = create_app(index).test_client()
        prefixes = [
            w[:n] for w in words(index, args.count, args.seed) for n in range(1, len(w) + 1)
        ]
        out: dict[str, Any] = {"index": str(args.index), "requests": len(prefixes)}
        for prefix in prefixes:  # a first pass, not timed: the engine's files read once
            client.get(
                "/api/search", query_string={"q": prefix, "limit": 8, "collapse": 1, "snippet": 120}
            )
        for size in (80, 160):
            times, sizes, zipped, near = [], [], [], [0, 0]
            for prefix in prefixes:
                began = time.perf_counter()
                answer = client.get(
                    "/api/search",
                    query_string={"q": prefix, "limit": 8, "collapse": 1, "snippet": size},
                )
                times.append((time.perf_counter() - began) * 1000)
                sizes.append(len(answer.data))
                zipped.append(len(gzip.compress(answer.data)))
                for hit in answer.get_json()["hits"]:
                    at = first_mark(hit["snippet"])
                    if at is not None:
                        near[0] += at < SHOWN_CHARS
                        near[1] += 1
            q = statistics.quantiles(times, n=100)
            out[f"snippet={size}"] = {
                "p50_ms": round(q[49], 1),
                "p90_ms": round(q[89], 1),
                "p99_ms": round(q[98], 1),
                "max_ms": round(max(times), 1),
                "mean_bytes": round(statistics.mean(sizes)),
                "mean_gzip_bytes": round(statistics.mean(zipped)),
                "mark_in_first_60": f"{near[0]}/{near[1]}",
            }
        print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
