"""What scoring over live documents costs: the query set with BM25F's statistics over live
documents (``live_statistics`` of the Whoosh engine's schema, the default) and with
Whoosh's own (which count deleted documents), in one process, interleaved.

Usage (from the repository root)::

    .venv/bin/python bench/live_stats.py INDEX [--rounds 3] [--queries bench/queries.txt]

Each round runs every request of ``bench/queries.txt`` once per mode, alternating the
mode first in each round, on a new ``Index`` each time (so no answer comes from the
results cache; the per-generation caches are warmed by one untimed pass). Prints one JSON
object: per mode, the p50/p90/p99/max milliseconds over all rounds, and the index's
documents and deleted documents (the live statistics cost more only where a segment has
deletions: each query term's postings in such a segment are read once more).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from load import read_queries  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

import searcher.engine.whoosh.schema as schema  # noqa: E402
from searcher.index import Index  # noqa: E402
from searcher.request import SearchRequest  # noqa: E402


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("index", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--queries", type=Path, default=BENCH / "queries.txt")
    args = ap.parse_args()
    requests = [SearchRequest.from_params(MultiDict(p)) for p in read_queries(args.queries)]
    real = schema.live_statistics
    modes = {"live": real, "whoosh": lambda *a, **k: None}
    times: dict[str, list[float]] = {name: [] for name in modes}
    for round_ in range(args.rounds):
        order = list(modes) if round_ % 2 == 0 else list(modes)[::-1]
        for name in order:
            schema.live_statistics = modes[name]  # type: ignore[assignment]
            with Index.open(args.index) as index:
                for request in requests[:20]:  # warm the per-generation caches
                    index.search(request)
            with Index.open(args.index) as index:
                for request in requests:
                    started = time.perf_counter()
                    index.search(request)
                    times[name].append((time.perf_counter() - started) * 1000)
    schema.live_statistics = real
    with Index.open(args.index) as index, index.engine._searcher() as s:
        documents, all_documents = s.doc_count(), s.doc_count_all()
    out: dict[str, Any] = {
        "index": str(args.index),
        "documents": documents,
        "deleted": all_documents - documents,
        "requests": len(requests),
        "rounds": args.rounds,
    }
    for name, values in times.items():
        out[name] = {
            f"p{int(q * 100)}_ms": round(_percentile(values, q), 2) for q in (0.5, 0.9, 0.99)
        }
        out[name]["max_ms"] = round(max(values), 2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
