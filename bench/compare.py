"""searcher beside jieba's stock Whoosh recipe and SQLite FTS5, on the same posts in one run.

Usage:
    python bench/compare.py [CORPUS] [--quick] [--engines searcher,stock,fts5] [--out FILE]

* ``searcher``: :meth:`searcher.index.Index.build` of the site with ``--jobs`` processes
  (default 2: this machine's cores; :func:`searcher.segments.write_in_workers`); queries
  with ``Index.search`` (10 hits with snippets and facets), filters included.
* ``stock``: jieba's own recipe (``jieba.analyse.ChineseAnalyzer`` in a Whoosh schema of
  ``title`` and ``content``, Whoosh's default writer, one commit); queries parsed by
  Whoosh's ``QueryParser`` over both fields, 10 hits, highlights of ``content``.
* ``fts5``: SQLite FTS5 over the same units searcher indexes (each Chinese character, each
  letter or digit run, folded, separated by spaces), a native reference for what the
  hardware allows; a query is the phrase of its units per word, ``bm25`` ranked,
  ``snippet()`` for 10 hits.

Every engine reads the posts with :func:`searcher.site.read_corpus` inside its timed build,
so all three index the same units of text. Each runs in a process of its own; its peak
RSS is that process's peak plus its largest child's (an upper bound on the memory its
build held at once; only searcher's build has children). The query set is
``bench/queries.txt`` (the load test's requests): the stock recipe and FTS5 take only
each request's ``q`` (they have no facets), skipping those with none. Prints a table
(searcher's figure over the other's) and writes the JSON to
``bench/results/compare-<time>.json`` (or ``--out``). ``--quick`` runs on
``../shared/corpus/xwlb-small`` (the bundled ``corpus/`` when that is absent) with the
first 60 queries, as a smoke run. No figure is asserted anywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import SHARED_CORPUS

HERE = Path(__file__).resolve().parent
ENGINES = ("searcher", "stock", "fts5")


def read_queries(path: Path) -> list[dict[str, list[str]]]:
    """The requests of ``path`` (format of bench/queries.txt) as ``{name: [values]}``."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        params: dict[str, list[str]] = {}
        for part in line.split("&"):
            name, _, value = part.partition("=")
            params.setdefault(name, []).append(value)
        out.append(params)
    return out


def articles(corpus: Path) -> list[Any]:
    from searcher.site import Article, read_corpus

    return [r for r in read_corpus(corpus) if isinstance(r, Article)]


def folder_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def percentiles(times: list[float]) -> dict[str, float]:
    ms = sorted(t * 1000 for t in times)
    if not ms:
        return {"queries": 0}
    return {
        "queries": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p99_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 2),
        "max_ms": round(ms[-1], 2),
    }


# -- the engines (each runs in a child process) ---------------------------------------


def run_searcher(corpus: Path, work: Path, queries: list[dict[str, list[str]]]) -> dict[str, Any]:
    from searcher.index import Index

    target = work / "searcher-index"
    t = time.perf_counter()
    report = Index.build(target, corpus, jobs=int(os.environ.get("COMPARE_JOBS", "2")))
    build = time.perf_counter() - t
    times = []
    with Index.open(target) as index:
        for params in queries:
            kwargs: dict[str, Any] = {
                "categories": params.get("category", []),
                "tags": params.get("tag", []),
                "since": (params.get("since") or [None])[0],
                "until": (params.get("until") or [None])[0],
                "sort": (params.get("sort") or ["relevance"])[0],
                "page": int((params.get("page") or ["1"])[0]),
                "limit": int((params.get("limit") or ["10"])[0]),
            }
            index._results.clear()  # time the search, not the results cache
            t = time.perf_counter()
            index.search((params.get("q") or [""])[0], **kwargs)
            times.append(time.perf_counter() - t)
    return {
        "posts": report.added,
        "build_s": build,
        "bytes": folder_bytes(target),
        **percentiles(times),
    }


def run_stock(corpus: Path, work: Path, queries: list[dict[str, list[str]]]) -> dict[str, Any]:
    import jieba
    from jieba.analyse import ChineseAnalyzer
    from whoosh import fields, highlight, index
    from whoosh.qparser import MultifieldParser

    jieba.setLogLevel(60)
    target = work / "stock-index"
    target.mkdir()
    analyzer = ChineseAnalyzer()
    schema = fields.Schema(
        path=fields.ID(stored=True, unique=True),
        title=fields.TEXT(stored=True, analyzer=analyzer),
        content=fields.TEXT(stored=True, analyzer=analyzer),
    )
    t = time.perf_counter()
    ix = index.create_in(str(target), schema)
    writer = ix.writer()
    posts = 0
    for a in articles(corpus):
        writer.add_document(path=a.id, title=a.title, content=a.body)
        posts += 1
    writer.commit()
    build = time.perf_counter() - t
    parser = MultifieldParser(["title", "content"], schema=ix.schema)
    times = []
    with ix.searcher() as s:
        for params in queries:
            q = (params.get("q") or [""])[0]
            if not q.strip():
                continue
            t = time.perf_counter()
            results = s.search(parser.parse(q), limit=10)
            results.fragmenter = highlight.ContextFragmenter()
            for hit in results:
                hit.highlights("content")
            times.append(time.perf_counter() - t)
    return {"posts": posts, "build_s": build, "bytes": folder_bytes(target), **percentiles(times)}


def _unit_text(text: str, analyzer: Any) -> str:
    return " ".join(t.text for t in analyzer(text))


def run_fts5(corpus: Path, work: Path, queries: list[dict[str, list[str]]]) -> dict[str, Any]:
    from searcher.analysis import UnitAnalyzer
    from searcher.query import parse

    units = UnitAnalyzer()
    target = work / "fts5.db"
    t = time.perf_counter()
    db = sqlite3.connect(target)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tokenize='ascii')")
    posts = 0
    rows = []
    for a in articles(corpus):
        rows.append((a.id, _unit_text(a.title, units), _unit_text(a.body, units)))
        posts += 1
    db.executemany("INSERT INTO docs VALUES (?, ?, ?)", rows)
    db.commit()
    build = time.perf_counter() - t
    times = []
    for params in queries:
        q = (params.get("q") or [""])[0]
        if not q.strip():
            continue
        t = time.perf_counter()
        clauses = [c for g in parse(q).groups for c in g[:1]]
        phrases = []
        for c in clauses:
            text = _unit_text(c.text, units).replace('"', "")
            if text:
                phrases.append(f'"{text}"')
        if phrases:
            db.execute(
                "SELECT id, snippet(docs, 2, '<mark>', '</mark>', '…', 40) FROM docs "
                "WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10",
                (" AND ".join(phrases),),
            ).fetchall()
        times.append(time.perf_counter() - t)
    db.close()
    return {"posts": posts, "build_s": build, "bytes": folder_bytes(target), **percentiles(times)}


RUNNERS = {"searcher": run_searcher, "stock": run_stock, "fts5": run_fts5}


def child(engine: str, corpus: Path, work: Path, queries: Path, count: int) -> None:
    out = RUNNERS[engine](corpus, work, read_queries(queries)[:count])
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out["peak_rss_mib"] = round((own + children) / 1024, 1)
    out["peak_rss_self_mib"] = round(own / 1024, 1)
    out["ms_per_post"] = round(out["build_s"] * 1000 / max(1, out["posts"]), 3)
    out["posts_per_s"] = round(out["posts"] / out["build_s"], 1) if out["build_s"] else None
    out["build_s"] = round(out["build_s"], 2)
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--queries", default=str(HERE / "queries.txt"))
    ap.add_argument("--out")
    ap.add_argument("--jobs", type=int, default=2, help="searcher's build processes (default 2)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--count", type=int, default=10**6, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, Path(args.corpus), Path(args.work), Path(args.queries), args.count)
        return
    if args.corpus:
        corpus = Path(args.corpus)
    elif args.quick:
        small = SHARED_CORPUS / "xwlb-small"
        corpus = small if small.is_dir() else HERE.parent / "corpus"
    else:
        corpus = SHARED_CORPUS / "xwlb"
    if not corpus.is_dir():
        sys.exit(f"benchmark input not found: {corpus}")
    count = 60 if args.quick else 10**6
    engines = [e for e in args.engines.split(",") if e]
    results: dict[str, Any] = {}
    work = Path(tempfile.mkdtemp(prefix="searcher-compare-"))
    try:
        for engine in engines:
            folder = work / engine
            folder.mkdir()
            cmd = [sys.executable, __file__, str(corpus), "--child", engine]
            cmd += ["--work", str(folder), "--queries", args.queries, "--count", str(count)]
            env = {**os.environ, "COMPARE_JOBS": str(args.jobs)}
            run = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if run.returncode != 0:
                sys.exit(f"{engine} failed:\n{run.stderr[-3000:]}")
            results[engine] = json.loads(run.stdout.strip().splitlines()[-1])
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = {
        "corpus": str(corpus),
        "jobs": args.jobs,
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "engines": results,
    }
    print(table(results))
    out = Path(args.out) if args.out else HERE / "results" / f"compare-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"\nJSON: {out}")


ROWS = [
    ("posts/s (build)", "posts_per_s", "higher is better"),
    ("ms/post (build)", "ms_per_post", ""),
    ("index size, MiB", "bytes", ""),
    ("peak RSS, MiB", "peak_rss_mib", ""),
    ("query p50, ms", "p50_ms", ""),
    ("query p99, ms", "p99_ms", ""),
    ("query max, ms", "max_ms", ""),
    ("queries timed", "queries", ""),
]


def table(results: dict[str, Any]) -> str:
    """A Markdown table: each engine's figures and searcher's ratio to each other."""
    names = list(results)
    others = [n for n in names if n != "searcher"]
    head = "| figure | " + " | ".join(names)
    head += "".join(f" | searcher ÷ {o}" for o in others if "searcher" in results) + " |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for label, key, _ in ROWS:
        values = []
        for n in names:
            v = results[n].get(key)
            if key == "bytes" and v is not None:
                v = round(v / 2**20, 1)
            values.append(v)
        row = f"| {label} | " + " | ".join("—" if v is None else f"{v:,}" for v in values)
        if "searcher" in results:
            mine = values[names.index("searcher")]
            for o in others:
                theirs = values[names.index(o)]
                ratio = mine / theirs if mine is not None and theirs else None
                row += f" | {ratio:.2f}×" if ratio is not None else " | —"
        lines.append(row + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
