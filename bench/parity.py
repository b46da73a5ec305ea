"""Parity of the Xapian engine with the Whoosh engine (issue #24): the same totals, facet
counts and top 10 on the requests of bench/queries.txt?

Usage:
    python bench/parity.py [CORPUS] [--quick] [--work DIR] [--jobs N] [--random N] [--out FILE]

Builds the corpus (default ``../shared/corpus/xwlb``, 19,541 posts; ``--quick``:
``xwlb-small``, 300) with both engines (``Index.build(…, engine=…, jobs=N)``, default 2
jobs) in ``--work`` (a temporary folder, removed at the end, unless given: then each
engine's index is kept there and reused by the next run when it already exists), then
runs every request of ``bench/queries.txt`` (235; read as :func:`compare.read_queries`
reads them, made a :class:`searcher.request.SearchRequest` by
``SearchRequest.from_params(MultiDict(pairs))``) on both, twice: as written (``match``
auto unless the request says otherwise: the looser rules of issue #20 when nothing
matches exactly) and with ``match=exact``. Every request is given the most CPU time a
search may have (:data:`searcher.request.MAX_CPU_SECONDS`, so that no answer is cut
short by the budget) and one ``now`` (so that ``recency`` weighs both alike).

With ``--random N`` (default 200; seed 24), a third set of requests: ``N`` runs of 2–6
Chinese characters taken at random from the posts' bodies
(:func:`common.random_substrings`), every other one with a second run of the same post
(``q=A B``: two clauses), as written: queries no one chose, so no case was picked to
agree.

Compared per request: ``total``, ``unfiltered_total``, the facet counts, the rule that
matched (``exact``, ``near``, ``words``), and the page's hits (the top 10 of its page).
Reported, for each matching mode:

* how many requests have the same total, the same unfiltered total, the same facet
  counts, the same rule, and all of them; each request that differs, with both
  answers, and for a total that differs the posts matched by one engine only (every
  match read, a page of :data:`searcher.request.MAX_LIMIT` at a time);
* top-10 overlap over the requests with at least one hit on either side: the mean of
  ``|A ∩ B| / max(|A|, |B|)`` (``|A ∩ B| / 10`` for a full page; a shorter page, the
  last of a query's hits, is divided by its own length), and how many have the same
  set of hits, the same order, the same first hit; split between relevance-ordered
  requests (the engines' scores differ: Xapian's BM25 against Whoosh's BM25F, see
  :mod:`searcher.engine.xapian.engine`) and date-ordered ones (the order is the
  posts' dates and ids, the same for any engine that matches the same posts); in the
  JSON, each relevance-ordered page of both engines (``pages``: the request, its total,
  how many hits both show, each engine's ids).

It imports whichever ``searcher`` Python finds: ``PYTHONPATH`` first (a checkout or a
revision's tree), else the editable install's; the report names the folder (a run from
``bench/`` does not put the checkout it lives in on the path).

Prints a short table and writes everything to ``bench/results/parity-<time>.json`` (or
``--out``). Building the full xwlb takes about 2 minutes per engine on this machine
(2 cores); the requests, about a minute.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from compare import read_queries
from werkzeug.datastructures import MultiDict

import searcher
from common import SHARED_CORPUS, random_substrings
from searcher.index import Index
from searcher.request import MAX_CPU_SECONDS, MAX_LIMIT, SearchRequest

HERE = Path(__file__).resolve().parent
ENGINES = ("whoosh", "xapian")
#: The present of every request (``recency`` weighs posts by their age from it).
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
#: Most pages of ``MAX_LIMIT`` hits read to list the posts only one engine matches.
MAX_PAGES = 25


def requests(path: Path) -> list[tuple[str, SearchRequest]]:
    """``(line, request)`` for each request of ``path`` (bench/queries.txt's format)."""
    out = []
    for params in read_queries(path):
        pairs = [(name, value) for name, values in params.items() for value in values]
        line = "&".join(f"{n}={v}" for n, v in pairs)
        request = SearchRequest.from_params(MultiDict(pairs))
        out.append((line, request.but(cpu_seconds=MAX_CPU_SECONDS, now=NOW)))
    return out


def random_requests(corpus: Path, count: int, seed: int = 24) -> list[tuple[str, SearchRequest]]:
    """``count`` requests of random runs of the posts of ``corpus`` (see the module)."""
    from searcher.site import Article, read_corpus

    texts = {r.id: r.body for r in read_corpus(corpus) if isinstance(r, Article)}
    runs = random_substrings(texts, count, random.Random(seed))
    out = []
    for n, (doc, first) in enumerate(runs):
        if n % 2:  # a second run of the same post
            others = random_substrings({doc: texts[doc]}, 1, random.Random(seed + n))
            q = f"{first} {others[0][1]}"
        else:
            q = first
        request = SearchRequest(q, cpu_seconds=MAX_CPU_SECONDS, now=NOW)
        out.append((f"q={q}", request))
    return out


def answer(index: Index, request: SearchRequest) -> dict[str, Any]:
    """What is compared of one search: totals, facets, rule, the page's ids and scores."""
    r = index.search(request)
    return {
        "total": r.total,
        "unfiltered_total": r.unfiltered_total,
        "facets": r.facets,
        "match": r.match,
        "ids": [h.id for h in r.hits],
        "scores": [h.score for h in r.hits],
        "notices": [n.code for n in r.notices],
    }


def every_match(index: Index, request: SearchRequest, total: int) -> set[str] | None:
    """The ids of every post ``request`` matches (None past :data:`MAX_PAGES` pages)."""
    pages = -(-total // MAX_LIMIT)
    if pages > MAX_PAGES:
        return None
    found: set[str] = set()
    for page in range(1, pages + 1):
        r = index.search(request.but(page=page, limit=MAX_LIMIT, sort="newest"))
        found.update(h.id for h in r.hits)
    return found


def facet_differences(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """``{facet: {value: [count a, count b]}}`` of the counts that differ."""
    out: dict[str, Any] = {}
    for facet in sorted(set(a) | set(b)):
        ca, cb = a.get(facet) or {}, b.get(facet) or {}
        diff = {
            v: [ca.get(v, 0), cb.get(v, 0)]
            for v in sorted(set(ca) | set(cb))
            if ca.get(v, 0) != cb.get(v, 0)
        }
        if diff:
            out[facet] = diff
    return out


def overlap(pairs: list[tuple[list[str], list[str]]]) -> dict[str, Any]:
    """Top-10 agreement over ``pairs`` of pages (those with a hit on either side)."""
    pairs = [(a, b) for a, b in pairs if a or b]
    if not pairs:
        return {"requests": 0}
    shares = [len(set(a) & set(b)) / max(len(a), len(b)) for a, b in pairs]
    return {
        "requests": len(pairs),
        "mean_overlap": round(statistics.fmean(shares), 4),
        "same_set": sum(set(a) == set(b) for a, b in pairs),
        "same_order": sum(a == b for a, b in pairs),
        "same_first": sum(bool(a and b and a[0] == b[0]) for a, b in pairs),
    }


def compare(
    indexes: dict[str, Index], reqs: list[tuple[str, SearchRequest]], mode: str
) -> dict[str, Any]:
    """Both engines' answers to ``reqs`` (``mode``: ``as written``, ``exact`` (each
    request with ``match=exact``) or ``random``, as written)."""
    a_name, b_name = ENGINES
    differ = []
    same = {"total": 0, "unfiltered_total": 0, "facets": 0, "match": 0, "all": 0}
    by_order: dict[str, list[tuple[list[str], list[str]]]] = {"relevance": [], "date": []}
    seconds = {name: 0.0 for name in ENGINES}
    pages: list[dict[str, Any]] = []
    for line, request in reqs:
        if mode == "exact":
            request = request.but(match="exact")
        got = {}
        for name in ENGINES:
            t = time.perf_counter()
            got[name] = answer(indexes[name], request)
            seconds[name] += time.perf_counter() - t
        a, b = got[a_name], got[b_name]
        equal = {key: a[key] == b[key] for key in ("total", "unfiltered_total", "facets", "match")}
        for key, ok in equal.items():
            same[key] += ok
        same["all"] += all(equal.values())
        # Hits under a date order have no score (also a relevance request matching
        # every post, which is sorted newest first).
        scored = any(s is not None for s in a["scores"] + b["scores"])
        by_order["relevance" if scored else "date"].append((a["ids"], b["ids"]))
        if scored:
            pages.append(
                {
                    "request": line,
                    "total": a["total"],
                    "shared": len(set(a["ids"]) & set(b["ids"])),
                    f"{a_name}": a["ids"],
                    f"{b_name}": b["ids"],
                }
            )
        if not all(equal.values()):
            entry: dict[str, Any] = {
                "request": line,
                **{f"{key}": [a[key], b[key]] for key in ("total", "unfiltered_total", "match")},
                "facets": facet_differences(a["facets"], b["facets"]),
            }
            if a["total"] != b["total"]:
                ids = {n: every_match(indexes[n], request, got[n]["total"]) for n in ENGINES}
                if ids[a_name] is not None and ids[b_name] is not None:
                    entry[f"only_{a_name}"] = sorted(ids[a_name] - ids[b_name])
                    entry[f"only_{b_name}"] = sorted(ids[b_name] - ids[a_name])
            differ.append(entry)
    return {
        "mode": mode,
        "requests": len(reqs),
        "same": same,
        "differ": differ,
        "overlap": {
            "all": overlap(by_order["relevance"] + by_order["date"]),
            "relevance": overlap(by_order["relevance"]),
            "date": overlap(by_order["date"]),
        },
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "pages": pages,
    }


def build(corpus: Path, work: Path, jobs: int) -> dict[str, Any]:
    """Each engine's index of ``corpus`` in ``work`` (kept ones reused): build figures."""
    out: dict[str, Any] = {}
    for name in ENGINES:
        folder = work / name
        if Index.exists(folder):
            with Index.open(folder) as index:
                if index.meta.get("engine", "whoosh") != name:
                    sys.exit(f"{folder}: an index of another engine")
                out[name] = {"reused": str(folder), "posts": index.stats().documents}
            continue
        print(f"building {corpus} with {name}…", file=sys.stderr, flush=True)
        t = time.perf_counter()
        report = Index.build(folder, corpus, engine=name, jobs=jobs)
        out[name] = {"posts": report.added, "build_s": round(time.perf_counter() - t, 1)}
    return out


def table(report: dict[str, Any]) -> str:
    """A Markdown table of both modes' figures."""
    modes = report["modes"]
    lines = ["| figure | " + " | ".join(m["mode"] for m in modes) + " |"]
    lines.append("|---|" + "---|" * len(modes))

    def row(label: str, cell: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(str(cell(m)) for m in modes) + " |")

    row("requests", lambda m: m["requests"])
    for key in ("total", "unfiltered_total", "facets", "match", "all"):
        row(f"same {key}", lambda m, k=key: m["same"][k])
    for part in ("relevance", "date"):
        row(f"{part}-ordered requests with hits", lambda m, p=part: m["overlap"][p]["requests"])
        for key in ("mean_overlap", "same_set", "same_order", "same_first"):
            row(f"  {part}: {key}", lambda m, p=part, k=key: m["overlap"][p].get(k, "—"))
    for m in modes:
        for d in m["differ"]:
            lines.append(
                f"\n{m['mode']}: {d['request']}: total {d['total']}, unfiltered "
                f"{d['unfiltered_total']}, match {d['match']}, facets {d['facets']}"
            )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?")
    ap.add_argument("--quick", action="store_true", help="xwlb-small (300 posts)")
    ap.add_argument("--work", help="keep (and reuse) the two indexes in this folder")
    ap.add_argument("--jobs", type=int, default=2, help="build processes (default 2)")
    ap.add_argument("--queries", default=str(HERE / "queries.txt"))
    ap.add_argument("--random", type=int, default=200, help="random runs asked (default 200)")
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.corpus:
        corpus = Path(args.corpus)
    else:
        corpus = SHARED_CORPUS / ("xwlb-small" if args.quick else "xwlb")
    if not corpus.is_dir():
        sys.exit(f"benchmark input not found: {corpus} (the shared corpus lives in ../shared)")
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="searcher-parity-"))
    work.mkdir(parents=True, exist_ok=True)
    reqs = requests(Path(args.queries))
    report: dict[str, Any] = {
        "corpus": str(corpus),
        "queries": args.queries,
        "searcher": str(Path(searcher.__file__).resolve().parent),
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    try:
        report["build"] = build(corpus, work, args.jobs)
        indexes = {name: Index.open(work / name) for name in ENGINES}
        try:
            report["modes"] = [compare(indexes, reqs, mode) for mode in ("as written", "exact")]
            if args.random > 0:
                runs = random_requests(corpus, args.random)
                report["modes"].append(compare(indexes, runs, "random"))
        finally:
            for index in indexes.values():
                index.close()
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(f"searcher: {report['searcher']}\n")
    print(table(report))
    out = Path(args.out) if args.out else HERE / "results" / f"parity-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nJSON: {out}")


if __name__ == "__main__":
    main()
