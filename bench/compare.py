"""searcher beside jieba's stock Whoosh recipe and SQLite FTS5, or two revisions of searcher.

Usage:
    python bench/compare.py [CORPUS] [--quick] [--engines searcher,stock,fts5] [--out FILE]
    python bench/compare.py --engines searcher,searcher-xapian,stock,fts5
    python bench/compare.py [CORPUS] [--quick] --revisions OLD,NEW [--repeat N] [--out FILE]

Engines (the first form; they import whichever ``searcher`` Python finds, the editable
install's unless ``PYTHONPATH`` says otherwise):

* ``searcher``: :meth:`searcher.Index.build` of the site with ``--jobs`` processes
  (default 2: this machine's cores); queries with ``Index.search`` (10 hits with snippets
  and facets), filters included.
* ``searcher-xapian``: the same with the Xapian engine (``Index.build(path, corpus,
  jobs=…, engine="xapian")``, one shard; issue #24): the same analysis, query plans,
  filters, facets and snippets over Xapian's BM25 (:mod:`searcher.engine.xapian`). Not
  in the default set (the Xapian bindings are an optional extra).
* ``stock``: jieba's own recipe (``jieba.analyse.ChineseAnalyzer`` in a Whoosh schema of
  ``title`` and ``content``, Whoosh's default writer, one commit); queries parsed by
  Whoosh's ``QueryParser`` over both fields, 10 hits, highlights of ``content``.
* ``fts5``: SQLite FTS5 over the same units searcher indexes (each Chinese character, each
  letter or digit run, folded, separated by spaces), a native reference for what the
  hardware allows; a query is the phrase of its units per word, ``bm25`` ranked,
  ``snippet()`` for 10 hits.

Every engine reads the posts with :func:`searcher.site.read_corpus` inside its timed build,
so all of them index the same units of text. Each runs in a process of its own; its peak
RSS is that process's peak plus its largest child's (an upper bound on the memory its
build held at once; only searcher's builds have children), and its build's CPU time
is its own and its children's. The query set is
``bench/queries.txt`` (the load test's requests): the stock recipe and FTS5 take only
each request's ``q`` (they have no facets), skipping those with none; searcher skips a
request whose parameters repeat an earlier one's (its results cache would answer it;
none repeats in ``queries.txt``; ``searcher-xapian`` likewise). Prints a table (build
seconds and CPU seconds, posts/s, size, peak RSS, query p50/p99/max; searcher's figure
over each other engine's) and
writes the JSON to ``bench/results/compare-<time>.json`` (or ``--out``). ``--quick`` runs
on ``../shared/corpus/xwlb-small`` (the bundled ``corpus/`` when that is absent) with the
first 60 queries, as a smoke run. No figure is asserted anywhere.

Revisions (the second form): the ``searcher`` engine's run, the same build and queries,
with two versions of the package, to show what a change did to build posts/s (and the
build's CPU seconds, its own and its workers': less shaken than wall time by other work
on the machine), index size, the build's peak RSS (before the queries) and query
p50/p99/max (and p50/p99 of each query's CPU time). ``OLD`` and ``NEW`` are anything
``git rev-parse`` takes in this repository (``WORKTREE`` or ``.``: the working tree as it
is now, uncommitted changes included). Each revision's tree is extracted into a temporary
folder (``git archive``; for the working tree a copy of its ``searcher/``, so edits made
during the run do not mix in) and compiled, and removed at the end; its runs have that
folder first on ``PYTHONPATH`` and stop unless ``searcher`` was imported from there. Runs
alternate ``--repeat`` times (default 3) in the order OLD NEW, NEW OLD, OLD NEW… so that
the machine's drifts fall on both alike. The child uses only ``from searcher import
Index``, ``Index.build(path, corpus, jobs=…)`` (its report's ``added``), ``with
Index.open(path)`` and ``index.search(q, categories=, tags=, since=, until=, sort=,
page=, limit=)``; a revision where one of those fails stops the run, naming the call.
Prints, per figure, each side's median and min–max over the repeats and NEW's median over
OLD's (marked † when off by more than 5%), with the range of the 1-minute load average
taken after each run (other work on the machine), and writes the runs and the summary to
``bench/results/revisions-<time>.json`` (or ``--out``). ``--quick`` works here too (with
60 queries, p99 is the maximum). Full xwlb: 4.5 minutes for ``--repeat 2`` on
these 2 cores with little else running, about twice that beside other work.
"""

from __future__ import annotations

import argparse
import contextlib
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
import traceback
from collections.abc import Iterator
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


@contextlib.contextmanager
def api_call(call: str) -> Iterator[None]:
    """Stop, naming ``call``, when searcher's public API fails under it: a revision that
    changed the calls this benchmark makes must not be timed as if it had not."""
    try:
        yield
    except Exception as exc:
        traceback.print_exc()
        raise SystemExit(f"searcher API call failed: {call}: {type(exc).__name__}: {exc}") from exc


def search_kwargs(params: dict[str, list[str]]) -> dict[str, Any]:
    """The keyword arguments of ``Index.search`` for one request of the query set."""
    return {
        "categories": params.get("category", []),
        "tags": params.get("tag", []),
        "since": (params.get("since") or [None])[0],
        "until": (params.get("until") or [None])[0],
        "sort": (params.get("sort") or ["relevance"])[0],
        "page": int((params.get("page") or ["1"])[0]),
        "limit": int((params.get("limit") or ["10"])[0]),
    }


def distinct(queries: list[dict[str, list[str]]]) -> list[tuple[str, dict[str, Any]]]:
    """``(q, search keyword arguments)`` of each request whose parameters (filter values
    as sets, an empty bound as none) are not an earlier one's: searcher's results cache
    would answer a repeat, and only the public API is used, so the cache is not cleared."""

    def same(value: Any) -> Any:
        return frozenset(value) - {""} if isinstance(value, list) else value or None

    seen = set()
    out = []
    for params in queries:
        q, kwargs = (params.get("q") or [""])[0], search_kwargs(params)
        key = (q, *(same(v) for v in kwargs.values()))
        if key not in seen:
            seen.add(key)
            out.append((q, kwargs))
    return out


def peak_rss_mib() -> float:
    """This process's peak RSS so far plus its largest waited-for child's, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round((own + children) / 1024, 1)


def cpu_seconds() -> float:
    """User and system CPU time of this process and its waited-for children so far."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_searcher(
    corpus: Path, work: Path, queries: list[dict[str, list[str]]], engine: str | None = None
) -> dict[str, Any]:
    """The ``searcher`` engine's run; with ``engine`` (``"xapian"``), ``searcher-xapian``'s."""
    # Only the public calls both sides of --revisions keep; see the module docstring.
    with api_call("from searcher import Index"):
        from searcher import Index

    target = work / "searcher-index"
    jobs = int(os.environ.get("COMPARE_JOBS", "2"))
    named = {"engine": engine} if engine else {}
    t, cpu = time.perf_counter(), cpu_seconds()
    call = f"Index.build(path, corpus, jobs={jobs}{f', engine={engine!r}' if engine else ''})"
    with api_call(f"{call}.added"):
        posts = Index.build(target, corpus, jobs=jobs, **named).added
    build = time.perf_counter() - t
    build_cpu = cpu_seconds() - cpu
    build_rss = peak_rss_mib()
    times, cpu_times = [], []
    with api_call("with Index.open(path) as index"), Index.open(target) as index:
        for q, kwargs in distinct(queries):
            with api_call(f"index.search({q!r}, **{kwargs})"):
                t, cpu = time.perf_counter(), time.process_time()
                index.search(q, **kwargs)
                times.append(time.perf_counter() - t)
                cpu_times.append(time.process_time() - cpu)
    cpu_figures = {f"cpu_{k}": v for k, v in percentiles(cpu_times).items() if k != "queries"}
    return {
        "posts": posts,
        "build_s": build,
        "build_cpu_s": round(build_cpu, 2),
        "build_peak_rss_mib": build_rss,
        "bytes": folder_bytes(target),
        **percentiles(times),
        **cpu_figures,
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
    t, cpu = time.perf_counter(), cpu_seconds()
    ix = index.create_in(str(target), schema)
    writer = ix.writer()
    posts = 0
    for a in articles(corpus):
        writer.add_document(path=a.id, title=a.title, content=a.body)
        posts += 1
    writer.commit()
    build, build_cpu = time.perf_counter() - t, cpu_seconds() - cpu
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
    return {
        "posts": posts,
        "build_s": build,
        "build_cpu_s": round(build_cpu, 2),
        "bytes": folder_bytes(target),
        **percentiles(times),
    }


def _unit_text(text: str, analyzer: Any) -> str:
    return " ".join(t.text for t in analyzer(text))


def run_fts5(corpus: Path, work: Path, queries: list[dict[str, list[str]]]) -> dict[str, Any]:
    from searcher.analysis import UnitAnalyzer
    from searcher.query import parse

    units = UnitAnalyzer()
    target = work / "fts5.db"
    t, cpu = time.perf_counter(), cpu_seconds()
    db = sqlite3.connect(target)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tokenize='ascii')")
    posts = 0
    rows = []
    for a in articles(corpus):
        rows.append((a.id, _unit_text(a.title, units), _unit_text(a.body, units)))
        posts += 1
    db.executemany("INSERT INTO docs VALUES (?, ?, ?)", rows)
    db.commit()
    build, build_cpu = time.perf_counter() - t, cpu_seconds() - cpu
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
    return {
        "posts": posts,
        "build_s": build,
        "build_cpu_s": round(build_cpu, 2),
        "bytes": folder_bytes(target),
        **percentiles(times),
    }


def run_searcher_xapian(
    corpus: Path, work: Path, queries: list[dict[str, list[str]]]
) -> dict[str, Any]:
    """:func:`run_searcher` with the Xapian engine."""
    return run_searcher(corpus, work, queries, engine="xapian")


RUNNERS = {
    "searcher": run_searcher,
    "searcher-xapian": run_searcher_xapian,
    "stock": run_stock,
    "fts5": run_fts5,
}


def searcher_from(expected: Path) -> str:
    """Import ``searcher`` and stop unless it is the package in folder ``expected``."""
    with api_call("import searcher"):
        import searcher
    found = Path(searcher.__file__).resolve().parent
    print(f"searcher imported from {found}", file=sys.stderr)
    if found != expected.resolve():
        sys.exit(f"searcher was imported from {found}, not from the checkout's {expected}")
    return searcher.__file__


def child(engine: str, corpus: Path, work: Path, queries: Path, count: int) -> None:
    expected = os.environ.get("COMPARE_SEARCHER_FROM")
    imported = {"searcher_file": searcher_from(Path(expected))} if expected else {}
    out = RUNNERS[engine](corpus, work, read_queries(queries)[:count])
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["peak_rss_mib"] = peak_rss_mib()
    out["peak_rss_self_mib"] = round(own / 1024, 1)
    out["ms_per_post"] = round(out["build_s"] * 1000 / max(1, out["posts"]), 3)
    out["posts_per_s"] = round(out["posts"] / out["build_s"], 1) if out["build_s"] else None
    out["build_s"] = round(out["build_s"], 2)
    print(json.dumps({**out, **imported}))


def run_child(
    what: str, engine: str, corpus: Path, work: Path, args: argparse.Namespace, **env: str
) -> dict[str, Any]:
    """Run ``engine`` in a new process (with ``env`` added to its environment) in the
    empty folder ``work``; its figures, or exit naming ``what`` failed."""
    cmd = [sys.executable, __file__, str(corpus), "--child", engine, "--work", str(work)]
    cmd += ["--queries", args.queries, "--count", str(args.count)]
    env = {**os.environ, "COMPARE_JOBS": str(args.jobs), **env}
    run = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if run.returncode != 0:
        sys.exit(f"{what} failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--engines", help=f"default {','.join(ENGINES)}")
    ap.add_argument(
        "--revisions",
        metavar="OLD,NEW",
        help="compare two git revisions of searcher (WORKTREE or . for the working tree)",
    )
    ap.add_argument("--repeat", type=int, default=3, help="runs of each revision (default 3)")
    ap.add_argument("--queries", default=str(HERE / "queries.txt"))
    ap.add_argument("--out")
    ap.add_argument("--jobs", type=int, default=2, help="searcher's build processes (default 2)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.count is None:
        args.count = 60 if args.quick else 10**6
    if args.child:
        child(args.child, Path(args.corpus), Path(args.work), Path(args.queries), args.count)
        return
    if args.revisions and args.engines:
        ap.error("--revisions runs the searcher engine only: leave out --engines")
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if args.corpus:
        corpus = Path(args.corpus)
    elif args.quick:
        small = SHARED_CORPUS / "xwlb-small"
        corpus = small if small.is_dir() else HERE.parent / "corpus"
    else:
        corpus = SHARED_CORPUS / "xwlb"
    if not corpus.is_dir():
        sys.exit(f"benchmark input not found: {corpus}")
    report = {
        "corpus": str(corpus),
        "jobs": args.jobs,
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
    }
    if args.revisions:
        report.update(compare_revisions(args.revisions.split(","), corpus, args))
        print(revisions_table(report))
        name = "revisions"
    else:
        engines = (args.engines or ",".join(ENGINES)).split(",")
        unknown = [e for e in engines if e and e not in RUNNERS]
        if unknown:
            ap.error(f"--engines: unknown {', '.join(unknown)} (known: {', '.join(RUNNERS)})")
        report["engines"] = compare_engines([e for e in engines if e], corpus, args)
        print(table(report["engines"]))
        name = "compare"
    out = Path(args.out) if args.out else HERE / "results" / f"{name}-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"\nJSON: {out}")


# -- engines side by side ---------------------------------------------------------------


def compare_engines(engines: list[str], corpus: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Each engine's figures, from one run each."""
    results: dict[str, Any] = {}
    work = Path(tempfile.mkdtemp(prefix="searcher-compare-"))
    try:
        for engine in engines:
            folder = work / engine
            folder.mkdir()
            results[engine] = run_child(engine, engine, corpus, folder, args)
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


ROWS = [
    ("build, s", "build_s", ""),
    ("build, CPU s", "build_cpu_s", ""),
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


# -- two revisions of searcher -----------------------------------------------------------

SIDES = ("OLD", "NEW")
WORKING_TREE = ("WORKTREE", ".")


def git(repo: Path, *args: str) -> str:
    run = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"git {' '.join(args)}: {run.stderr.strip()}")
    return run.stdout.strip()


def checkout(repo: Path, rev: str, dest: Path) -> dict[str, Any]:
    """Put revision ``rev`` of ``repo`` (or its working tree's ``searcher/``) in the new
    folder ``dest``, compiled (so that no run pays for the bytecode); what it is."""
    dest.mkdir()
    if rev in WORKING_TREE:
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(repo / "searcher", dest / "searcher", ignore=ignore)
        changes = bool(git(repo, "status", "--porcelain", "--", "searcher"))
        commit = git(repo, "rev-parse", "HEAD")
    else:
        commit = git(repo, "rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}")
        archive = dest.with_suffix(".tar")
        git(repo, "archive", "--output", str(archive), commit)
        subprocess.run(["tar", "-x", "-f", str(archive), "-C", str(dest)], check=True)
        archive.unlink()
        changes = False
    if not (dest / "searcher" / "__init__.py").is_file():
        sys.exit(f"{rev}: no searcher package in its tree")
    compiled = [sys.executable, "-m", "compileall", "-q", str(dest / "searcher")]
    subprocess.run(compiled, check=True, stdout=subprocess.DEVNULL)
    return {"rev": rev, "commit": commit, "changes": changes}


def compare_revisions(revs: list[str], corpus: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Every run of the searcher engine under each revision, interleaved, and their summary."""
    if len(revs) != 2 or not all(revs):
        sys.exit(f"--revisions takes two revisions, OLD,NEW, not {','.join(revs)!r}")
    repo = Path(git(HERE, "rev-parse", "--show-toplevel"))
    work = Path(tempfile.mkdtemp(prefix="searcher-revisions-"))
    runs = []
    try:
        sides = {
            side: checkout(repo, rev, work / side) for side, rev in zip(SIDES, revs, strict=True)
        }
        for repeat in range(1, args.repeat + 1):
            for side in SIDES if repeat % 2 else SIDES[::-1]:  # ABBA…
                what = f"{side} ({sides[side]['rev']}), repeat {repeat} of {args.repeat}"
                print(f"{what}…", file=sys.stderr, flush=True)
                folder = work / f"run-{repeat}-{side}"
                folder.mkdir()
                package = work / side
                path = os.pathsep.join(filter(None, [str(package), os.environ.get("PYTHONPATH")]))
                env = {"PYTHONPATH": path, "COMPARE_SEARCHER_FROM": str(package / "searcher")}
                result = run_child(what, "searcher", corpus, folder, args, **env)
                shutil.rmtree(folder, ignore_errors=True)
                load = round(os.getloadavg()[0], 2)  # other work on the machine, for the reader
                runs.append({"side": side, "repeat": repeat, "load_1min_after": load, **result})
                print(
                    f"  {result['posts_per_s']} posts/s, p50 {result['p50_ms']} ms,"
                    f" p99 {result['p99_ms']} ms ({result['searcher_file']})",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "repeat": args.repeat,
        "queries": args.queries,
        "query_count": args.count,
        "revisions": sides,
        "summary": summarize(runs),
        "runs": runs,
    }


REVISION_ROWS = [
    ("build, posts/s", "posts_per_s"),
    ("build, s", "build_s"),
    ("build, CPU s", "build_cpu_s"),
    ("index size, bytes", "bytes"),
    ("build peak RSS, MiB", "build_peak_rss_mib"),
    ("query p50, ms", "p50_ms"),
    ("query p99, ms", "p99_ms"),
    ("query max, ms", "max_ms"),
    ("query p50, CPU ms", "cpu_p50_ms"),
    ("query p99, CPU ms", "cpu_p99_ms"),
    ("posts", "posts"),
    ("queries timed", "queries"),
]
COUNTS = ("bytes", "posts", "queries")


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per figure: each side's median, min and max over its runs, and NEW's median over OLD's."""
    summary: dict[str, Any] = {}
    for _, key in REVISION_ROWS:
        figure: dict[str, Any] = {}
        for side in SIDES:
            values = [run[key] for run in runs if run["side"] == side]
            figure[side] = {
                "median": statistics.median(values),
                "min": min(values),
                "max": max(values),
            }
        old, new = figure["OLD"]["median"], figure["NEW"]["median"]
        figure["ratio"] = round(new / old, 4) if old else None
        summary[key] = figure
    return summary


def revisions_table(report: dict[str, Any]) -> str:
    """A Markdown table of the summary, under the two revisions' names."""
    lines = []
    for side, rev in report["revisions"].items():
        changes = ", with uncommitted changes to searcher/" if rev["changes"] else ""
        lines.append(f"{side} = {rev['rev']} ({rev['commit'][:10]}{changes})")
    loads = [run["load_1min_after"] for run in report["runs"]]
    lines.append(
        f"{report['repeat']} runs each on {report['corpus']}, ABBA order;"
        f" load average (1 min) after the runs {min(loads)}–{max(loads)}\n"
    )
    lines.append("| figure | OLD median | OLD min–max | NEW median | NEW min–max | NEW ÷ OLD |")
    lines.append("|---|---|---|---|---|---|")
    for label, key in REVISION_ROWS:
        figure = report["summary"][key]
        number = "{:,.0f}" if key in COUNTS else "{:,.2f}"
        cells = []
        for side in SIDES:
            f = figure[side]
            cells.append(number.format(f["median"]))
            cells.append(f"{number.format(f['min'])}–{number.format(f['max'])}")
        ratio = figure["ratio"]
        moved = " †" if ratio is not None and abs(ratio - 1) > 0.05 else ""
        cells.append("—" if ratio is None else f"{ratio:.3f}{moved}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("\n† NEW ÷ OLD off by more than 5% (posts/s: higher is better; else lower).")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
