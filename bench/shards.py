"""Shards of the Xapian engine against one database (issue #24), on a whole corpus.

Usage:
    python bench/shards.py [CORPUS] [--shards 2,3] [--work DIR] [--out FILE]

Builds CORPUS (default ``../shared/corpus/xwlb``) with the Xapian engine as one database
and as N shards (each ``--jobs 2``), then runs the requests of ``bench/queries.txt`` on:

* ``local-N``: the N shard folders of the index, searched as one (its ``xapian.stub``);
* ``remote-N``: the same shards, each served by its own ``xapian-tcpsrv`` on loopback
  (a stub of ``remote`` lines: what ``searcher serve --remote`` reads);
* ``failover-N``: each shard served twice, from the shard and from a replica made by
  ``xapian-replicate``; the primary of shard 1 is killed after the first 50 requests.

For each it counts the requests whose total, unfiltered total, facet counts, top-10 ids
(in order) and top-10 scores (to 1e-9) equal the single database's, and times every
request (p50/p99/max, wall ms, each request once, in the file's order, after one warm-up
search). Prints a table and writes JSON to ``bench/results/shards-<time>.json``.
Servers run in process groups of their own (started by ``tests/xapianservers.py``, as the
tests start theirs) and are killed at the end. No figure is
asserted (tests/test_xapian_shards.py asserts the equalities on xwlb-small).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent / "tests"))
from xapianservers import Server, replicate, tcpsrv  # noqa: E402

from common import SHARED_CORPUS, need  # noqa: E402


def requests(path: Path) -> list[Any]:
    """The requests of bench/queries.txt as :class:`searcher.request.SearchRequest`
    (:func:`parity.requests`: the most CPU time, one ``now``)."""
    from parity import requests as read

    return [request for _, request in read(path)]


def answer(index: Any, request: Any) -> tuple[Any, ...]:
    r = index.search(request)
    return (
        r.total,
        r.unfiltered_total,
        r.facets,
        [h.id for h in r.hits],
        [h.score for h in r.hits],
    )


def same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    scores = len(a[4]) == len(b[4]) and all(
        (x is None and y is None) or math.isclose(x, y, rel_tol=1e-9)
        for x, y in zip(a[4], b[4], strict=True)
    )
    return a[:4] == b[:4] and scores


def run(
    index: Any, reqs: list[Any], single: list[tuple[Any, ...]], kill: Any = None
) -> dict[str, Any]:
    """Every request on ``index``: how many equal ``single``'s, and the times."""
    index.search("经济")
    times, differ = [], []
    for n, (request, want) in enumerate(zip(reqs, single, strict=True)):
        if kill is not None and n == 50:
            kill()
        t = time.perf_counter()
        got = answer(index, request)
        times.append((time.perf_counter() - t) * 1000)
        if not same(got, want):
            differ.append(request.q)
    times.sort()
    return {
        "requests": len(reqs),
        "equal": len(reqs) - len(differ),
        "differ": differ,
        "p50_ms": round(times[len(times) // 2], 1),
        "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 1),
        "max_ms": round(times[-1], 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", default=str(SHARED_CORPUS / "xwlb"))
    ap.add_argument("--shards", default="2,3")
    ap.add_argument("--work")
    ap.add_argument("--out")
    args = ap.parse_args()
    from searcher.index import Index

    corpus = need(Path(args.corpus))
    work = Path(args.work or tempfile.mkdtemp(prefix="shards-"))
    reqs = requests(HERE / "queries.txt")
    report: dict[str, Any] = {"corpus": str(corpus), "requests": len(reqs), "runs": {}}
    counts = [1, *[int(n) for n in args.shards.split(",")]]
    for n in counts:
        folder = work / f"ix{n}"
        if not (folder / "xapian.stub").is_file():
            t = time.perf_counter()
            Index.build(folder, corpus, engine="xapian", shards=n, jobs=2)
            report["runs"][f"build-{n}"] = {"seconds": round(time.perf_counter() - t, 1)}
    with Index.open(work / "ix1") as index:
        single = [answer(index, r) for r in reqs]
    with Index.open(work / "ix1") as index:  # timed anew: no answer in its cache
        report["runs"]["single"] = run(index, reqs, single)
    for n in counts[1:]:
        folder = work / f"ix{n}"
        shards = [
            folder / line.split(" ", 1)[1]
            for line in (folder / "xapian.stub").read_text().split("\n")
            if line
        ]
        with Index.open(folder) as index:
            report["runs"][f"local-{n}"] = run(index, reqs, single)
        started: list[Server] = []
        try:
            started = [tcpsrv(s) for s in shards]
            stub = work / f"remote-{n}.stub"
            stub.write_text("".join(f"remote 127.0.0.1:{s.port}\n" for s in started))
            with Index.open(stub) as index:
                report["runs"][f"remote-{n}"] = run(index, reqs, single)
            replicas = []
            for k, shard in enumerate(shards):
                copy = work / f"replica-{n}-{k}"
                if not copy.exists():
                    replicate(shard.parent, shard.name, copy)
                replicas.append(tcpsrv(copy))
            started += replicas
            stub = work / f"failover-{n}.stub"
            stub.write_text(
                "".join(
                    f"remote 127.0.0.1:{p.port} 127.0.0.1:{r.port}\n"
                    for p, r in zip(started[: len(shards)], replicas, strict=True)
                )
            )
            with Index.open(stub) as index:
                report["runs"][f"failover-{n}"] = run(index, reqs, single, started[1].kill)
        finally:
            for s in started:
                s.kill()
    print(f"{'run':<14}{'equal':>10}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, figures in report["runs"].items():
        if "equal" in figures:
            print(
                f"{name:<14}{figures['equal']:>6}/{figures['requests']:<3}"
                f"{figures['p50_ms']:>9}{figures['p99_ms']:>9}{figures['max_ms']:>9}"
            )
    out = Path(args.out or HERE / "results" / f"shards-{int(time.time())}.json")
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"written {out}")


if __name__ == "__main__":
    main()
