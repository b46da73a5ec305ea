"""Server time of searches on the search page, one request at a time (issue #10's figure).

Usage (from the repository root)::

    .venv/bin/python bench/serve_time.py --index /tmp/xwlb-index [--requests 50]
        [--endpoint / | /api/search] [--queries bench/queries.txt]
        [--json bench/results/serve_time.json]

It starts ``searcher serve --index DIR`` (waitress) on a free loopback port, sends one
warm-up search (opening the index and filling the per-index caches; reported apart),
then ``--requests`` requests in sequence, each a different line of ``bench/queries.txt``
taken at an even stride through the file (so common words, phrases, filters, empty
queries with filters and paging all take part) and each new to the server, so no answer
comes from the results cache. For each it records the server's own time (the
``Server-Timing: app;dur=`` header: from the request reaching Flask to the response
being built, in ms) and the client's wall time (send to end of body, ms). It prints the
median, p90 and maximum of both, and writes them with every request's figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from load import HOST, free_port, read_queries, searcher_command, stop, wait_until_up

BENCH = Path(__file__).resolve().parent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--endpoint", default="/", choices=["/", "/api/search"])
    parser.add_argument("--queries", type=Path, default=BENCH / "queries.txt")
    parser.add_argument("--json", type=Path, default=BENCH / "results" / "serve_time.json")
    args = parser.parse_args()

    queries = read_queries(args.queries)
    stride = max(1, len(queries) // args.requests)
    chosen = queries[::stride][: args.requests]
    port = free_port()
    log = args.json.with_suffix(".log.tmp")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [*searcher_command(), "serve", "--index", str(args.index), "--port", str(port)],
            stderr=err,
        )
    try:
        wait_until_up(proc, port, log, 120)
        rows = []
        for params in [[("q", "暖场")], *chosen]:
            url = f"http://{HOST}:{port}{args.endpoint}?{urlencode(params)}"
            began = time.perf_counter()
            with urllib.request.urlopen(url, timeout=60) as resp:
                resp.read()
                timing = resp.headers.get("Server-Timing", "")
            wall = (time.perf_counter() - began) * 1000
            match = re.search(r"dur=([0-9.]+)", timing)
            server = float(match[1]) if match else float("nan")
            rows.append({"request": urlencode(params), "server_ms": server, "wall_ms": wall})
    finally:
        stop(proc)
    warm, timed = rows[0], rows[1:]
    server = [r["server_ms"] for r in timed]
    wall = [r["wall_ms"] for r in timed]
    summary = {
        "endpoint": args.endpoint,
        "index": str(args.index),
        "requests": len(timed),
        "warm_up_ms": round(warm["server_ms"], 1),
        "server_ms": {
            "median": round(statistics.median(server), 1),
            "p90": round(percentile(server, 0.9), 1),
            "max": round(max(server), 1),
        },
        "wall_ms": {
            "median": round(statistics.median(wall), 1),
            "p90": round(percentile(wall, 0.9), 1),
            "max": round(max(wall), 1),
        },
    }
    args.json.write_text(
        json.dumps({**summary, "rows": timed}, ensure_ascii=False, indent=1), "utf-8"
    )
    print(f"{len(timed)} requests to {args.endpoint} on {args.index}, one at a time")
    print(f"warm-up: {summary['warm_up_ms']} ms (server)")
    for name in ("server_ms", "wall_ms"):
        f = summary[name]
        print(f"{name:>9}: median {f['median']:8.1f}  p90 {f['p90']:8.1f}  max {f['max']:8.1f}")
    print("slowest:", *sorted(timed, key=lambda r: -r["server_ms"])[:5], sep="\n  ")
    print(f"JSON: {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
