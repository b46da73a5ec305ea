"""Updates and searches in one process: does either stall the other?

Usage (from the repository root)::

    .venv/bin/python bench/update_vs_search.py [POSTS_DIR] [--base 2000] [--batch 100]
        [--threads 4] [--json bench/results/update_vs_search.json]

Copies the first ``--base`` posts of POSTS_DIR (default ``../shared/corpus/xwlb/_posts``)
into a temporary site and builds an index of them. Then, for each way of updating
(``in-process``: ``Index.update(isolate=False)``; ``isolated``: the default, a child
interpreter, since other threads are searching), it adds ``--batch`` new posts and times
the update alone and while ``--threads`` threads search the same ``Index`` in a loop
(common and rare words, phrases, runs found in nearly every post, then random 2-4
character runs of the posts: each search a new one, so that none comes from the cache).
It reports the update's wall time alone and beside the searches (seconds), and
the searches' p50/p99 latency (ms) and rate (searches/s) before and during the update.
Prints a table and writes JSON. No figure is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from searcher.index import Index

QUERIES = [
    "经济", "发展", "习近平", "会议", '"新闻联播"', "城市 建设", "科技创新", "国务院",
    "央视网消息", "两会", "乡村振兴", "冬奥会", "台风", "航天", "一带一路",
]  # fmt: skip


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 1)


def _queries(posts: list[Path], count: int, seed: int = 7) -> list[str]:
    """The fixed words, then ``count`` random 2-4 character runs of Chinese from the
    posts: every search is a new one, so none is answered from the results cache."""
    rng = random.Random(seed)
    out = list(QUERIES)
    runs: list[str] = []
    for path in rng.sample(posts, min(200, len(posts))):
        runs.extend(re.findall(r"[\u4e00-\u9fff]{4,}", path.read_text("utf-8")))
    while len(out) < count:
        run = rng.choice(runs)
        size = rng.randint(2, 4)
        start = rng.randint(0, len(run) - size)
        out.append(run[start : start + size])
    return list(dict.fromkeys(out))


def _searching(
    index: Index, queries: list[str], threads: int, stop: threading.Event, out: list[float]
) -> list[Any]:
    lock = threading.Lock()
    taken = iter(queries)

    def loop() -> None:
        while not stop.is_set():
            with lock:
                query = next(taken, None)
            if query is None:
                return
            started = time.perf_counter()
            index.search(query)
            out.append(time.perf_counter() - started)

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    return workers


def run(posts: Path, base: int, batch: int, threads: int) -> dict[str, Any]:
    files = sorted(p for p in posts.iterdir() if p.suffix == ".md")
    results: dict[str, Any] = {"base": base, "batch": batch, "threads": threads}
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp, "site")
        (site / "_posts").mkdir(parents=True)
        for f in files[:base]:
            shutil.copy(f, site / "_posts" / f.name)
        Index.build(Path(tmp, "index"), site)
        next_file = base
        words = _queries(files[:base], 40_000)
        queries = {"in-process": words[::2], "isolated": words[1::2]}
        for mode in ("in-process", "isolated"):
            index = Index.open(Path(tmp, "index"))
            isolate = mode == "isolated"

            def add_batch() -> None:
                nonlocal next_file
                for f in files[next_file : next_file + batch]:
                    shutil.copy(f, site / "_posts" / f.name)
                next_file += batch

            add_batch()
            started = time.perf_counter()
            index.update(site, isolate=isolate)
            alone = time.perf_counter() - started

            latencies: list[float] = []
            stop = threading.Event()
            workers = _searching(index, queries[mode], threads, stop, latencies)
            time.sleep(3)
            before = list(latencies)
            latencies.clear()
            add_batch()
            started = time.perf_counter()
            index.update(site, isolate=isolate)
            busy = time.perf_counter() - started
            during = list(latencies)
            stop.set()
            for worker in workers:
                worker.join()
            index.close()
            results[mode] = {
                "update_alone_s": round(alone, 2),
                "update_beside_searches_s": round(busy, 2),
                "slowdown": round(busy / alone, 2),
                "search_before_p50_ms": _quantile(before, 0.5),
                "search_before_p99_ms": _quantile(before, 0.99),
                "search_before_per_s": round(len(before) / 3, 1),
                "search_during_p50_ms": _quantile(during, 0.5),
                "search_during_p99_ms": _quantile(during, 0.99),
                "search_during_per_s": round(len(during) / busy, 1),
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("posts", nargs="?", type=Path, default=Path("../shared/corpus/xwlb/_posts"))
    parser.add_argument("--base", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--json", type=Path, default=Path("bench/results/update_vs_search.json"))
    args = parser.parse_args()
    results = run(args.posts, args.base, args.batch, args.threads)
    print(f"{args.base} posts indexed, +{args.batch} per update, {args.threads} searching threads")
    print(
        f"{'mode':<11} {'alone s':>8} {'beside s':>9} {'slowdown':>9} "
        f"{'p50 before':>11} {'p50 during':>11} {'p99 before':>11} {'p99 during':>11}"
    )
    for mode in ("in-process", "isolated"):
        r = results[mode]
        print(
            f"{mode:<11} {r['update_alone_s']:>8} {r['update_beside_searches_s']:>9} "
            f"{r['slowdown']:>8}x {r['search_before_p50_ms']:>9}ms "
            f"{r['search_during_p50_ms']:>9}ms {r['search_before_p99_ms']:>9}ms "
            f"{r['search_during_p99_ms']:>9}ms"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
