"""Scale: the xwlb posts recombined into archives of N posts, built and searched (issue #24).

Usage:
    python bench/scale.py [--posts 100000,200000] [--engine whoosh] [--engine xapian]
                          [--shards 1,2,3,4] [--jobs 2] [--work /tmp/searcher-scale]
                          [--seed 24] [--corpus ../shared/corpus/xwlb] [--out FILE] [--keep]
    python bench/scale.py --stats [--posts 200000]    # the archives' statistics beside xwlb's

**How a post is made** (:func:`make_post`; the archive of N posts is posts 0 … N-1, and
post ``k`` depends only on the sources, the seed and ``k``, so the archive of 100,000 is
the first half of the archive of 200,000). The sources are the posts of ``--corpus``
(default the shared xwlb, 19,541 stories), read by :func:`read_sources` in path order:
front matter, the body's paragraphs (its ``<p …>…</p>`` elements, markup kept) and what
follows the last one (xwlb's source link and two links back). Post ``k`` draws, with
``random.Random(f"{seed}:{k}")``, in this order:

1. source ``a``, whose *title* it takes;
2. source ``b``, whose first ``ceil(m/2)`` paragraphs (of its ``m``) open its body, and
   whose categories, tags and closing links it takes (the body starts as ``b``'s does:
   on xwlb, 央视网消息（新闻联播）：…);
3. source ``c``, whose last ``floor(n/2)`` paragraphs (of its ``n``) close the body (none
   when ``c`` has a single paragraph: then the body is ``b``'s first half alone);
4. a publication time, uniform over the seconds of 2022-01-01 00:00:00 to 2026-08-31
   23:59:59 in Asia/Shanghai (written ``+0800``; xwlb has no ``_config.yml``, so the
   archive's time zone is searcher's default, the same zone). It ends with the month of
   xwlb's last story (2026-08-22): a post dated after the day of the run would be a
   future post, which Jekyll and searcher leave out.

Each is uniform over the sources (``a``, ``b`` and ``c`` may coincide). The post is written
as ``_posts/YYYY-MM-DD-scale-KKKKKK.md`` (its date; ``KKKKKK`` is ``k + 1``) with xwlb's
front matter keys (``layout: post``, ``title``, ``date``, ``categories``, ``tags``), under
``--work``/``site-N-sSEED`` (a ``_config.yml`` is copied when the corpus has one). A folder
that already holds an archive of the same N, seed, sources and recipe (its
``scale.json``) is reused; one is written into a temporary folder and renamed when done.

So every word, bigram and paragraph of a made post is a real one, each made post holds
about one source post's worth of paragraphs, and a term's share of posts stays what it
is in xwlb (a term of first paragraphs, such as 央视网消息, stays in nearly every post);
the vocabulary cannot grow past xwlb's except for word pairs across the seam of two
halves. ``--stats`` prints what that gives (:func:`statistics_of`): distinct words
(rjieba's segmentation of the visible body text, tokens holding a letter, digit or
ideograph) and distinct Chinese character bigrams at growing post counts, and the mean
visible body length (characters: markup removed, entities decoded), for the made posts
and for xwlb's own posts in a shuffled order, beside each other.

**What is measured**, per (N, engine, shards), each in a process of its own (as
``compare.py`` runs each engine), so that its RSS and caches are its own:

* the build: ``Index.build(index, site, jobs=--jobs, engine=…)`` (with ``shards=`` for
  Xapian): wall seconds, CPU seconds (user + system of the process and its waited-for
  workers, ``resource.getrusage``), the index's size on disk (MiB, every file under it)
  and the peak RSS (the process's plus its largest worker's: ``compare.peak_rss_mib``);
* the queries: the 235 requests of ``bench/queries.txt`` (read and turned into
  ``Index.search`` calls by ``compare.py``'s code), 10 hits with snippets and facets as
  the page asks. The list is run once to warm (timed apart: the first pass), then the
  results cache the ``Index`` keeps (answers until the next commit) is emptied and a
  second pass is timed, each request once: wall p50/p99/max ms and the search's own CPU
  time p50/p99 ms (``time.process_time``; p99 is the third slowest of 235). With shards
  served by ``xapian-tcpsrv`` the servers' CPU is not the process's: the total CPU of
  the servers' process groups over the timed pass is reported apart.

Engines: ``whoosh`` (one index; ``--shards`` does not apply) and ``xapian`` (issue #24:
``--shards 1`` is one database opened in place; ``--shards N`` (N ≥ 2) builds N shard
databases and serves them on this machine, one ``xapian-tcpsrv --port P --interface
127.0.0.1 SHARD`` per shard, each in its own process group on a free loopback port, stopped
at the end; the search opens a stub file of ``remote 127.0.0.1:P`` lines with
``Index.open(stub)``). Indexes are built under ``--work`` and removed after their run
unless ``--keep``. Prints a Markdown table and writes the JSON to
``bench/results/scale-<time>.json`` (or ``--out``). Run it when nothing else measures: it
takes the machine's two cores for about half an hour for whoosh at 100,000 and 200,000.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import html
import importlib
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from compare import cpu_seconds, distinct, folder_bytes, peak_rss_mib, percentiles, read_queries

from common import SHARED_CORPUS, need

# Xapian's servers are started as the tests start theirs.
sys.path.insert(1, str(Path(__file__).resolve().parents[1] / "tests"))
from xapianservers import tcpsrv  # noqa: E402

HERE = Path(__file__).resolve().parent
#: The site time zone of xwlb (searcher's default; its posts are dated ``+0800``).
ZONE = ZoneInfo("Asia/Shanghai")
#: Made posts are dated in [FIRST, END) in :data:`ZONE`: 2022 to the month of xwlb's
#: last story (2026-08-22), never after the day the benchmark runs.
FIRST = dt.datetime(2022, 1, 1, tzinfo=ZONE)
END = dt.datetime(2026, 9, 1, tzinfo=ZONE)
#: Changes whenever :func:`make_post` would make other posts (a cached archive of another
#: recipe is made anew).
RECIPE = "title-a, first-half-b, second-half-c, uniform 2022-01 to 2026-08, v1"
ENGINES = ("whoosh", "xapian")
PARAGRAPH = re.compile(r"<p\b[^>]*>.*?</p>", re.S)
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)
TAG = re.compile(r"<[^>]+>")
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
WORD = re.compile(r"\w")
#: Post counts at which ``--stats`` counts distinct words and bigrams (those ≤ N).
CHECKPOINTS = (1_000, 5_000, 19_541, 50_000, 100_000, 200_000, 400_000)


@dataclasses.dataclass(frozen=True)
class Source:
    """One post of the source site: ``path`` (relative to the site), ``title``,
    ``categories`` and ``tags`` (as its front matter gives them), ``paragraphs`` (its
    ``<p>`` elements, markup kept, in order) and ``closing`` (the body after the last
    paragraph; the whole body when it has none, then ``paragraphs`` is empty)."""

    path: str
    title: str
    categories: Any
    tags: Any
    paragraphs: tuple[str, ...]
    closing: str


@dataclasses.dataclass(frozen=True)
class MadePost:
    """Post ``k`` of an archive: its sources' numbers (``title_from`` = a, ``body_from``
    = b, ``tail_from`` = c in :func:`make_post`), ``date`` (aware, :data:`ZONE`) and
    what it holds."""

    k: int
    title_from: int
    body_from: int
    tail_from: int
    title: str
    date: dt.datetime
    categories: Any
    tags: Any
    paragraphs: tuple[str, ...]
    closing: str

    @property
    def name(self) -> str:
        """The file name under ``_posts/``: ``YYYY-MM-DD-scale-KKKKKK.md`` (k + 1)."""
        return f"{self.date:%Y-%m-%d}-scale-{self.k + 1:06d}.md"

    @property
    def body(self) -> str:
        """The body as written: the paragraphs, then the closing text."""
        return "".join(self.paragraphs) + self.closing

    def text(self) -> str:
        """The file's text: xwlb's front matter keys (values as JSON, which YAML reads),
        then the body."""
        lines = [
            "---",
            "layout: post",
            f"title: {json.dumps(self.title, ensure_ascii=False)}",
            f"date: {self.date:%Y-%m-%d %H:%M:%S %z}",
        ]
        if self.categories is not None:
            lines.append(f"categories: {json.dumps(self.categories, ensure_ascii=False)}")
        if self.tags is not None:
            lines.append(f"tags: {json.dumps(self.tags, ensure_ascii=False)}")
        return "\n".join([*lines, "---", self.body])


def read_sources(site: Path) -> list[Source]:
    """The posts of the Jekyll site ``site`` (``_posts/**/*.md`` with front matter, in
    path order), read as :class:`Source`. Files without front matter or a title are
    left out.

    :raises ValueError: no post is left (nothing to recombine).
    """
    out = []
    for path in sorted((site / "_posts").rglob("*.md")):
        found = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
        if not found:
            continue
        meta = yaml.safe_load(found.group(1)) or {}
        if not isinstance(meta, dict) or not meta.get("title"):
            continue
        body = found.group(2)
        paragraphs = tuple(m.group() for m in PARAGRAPH.finditer(body))
        closing = body[body.rfind("</p>") + 4 :] if paragraphs else body
        out.append(
            Source(
                path=path.relative_to(site).as_posix(),
                title=str(meta["title"]),
                categories=meta.get("categories"),
                tags=meta.get("tags"),
                paragraphs=paragraphs,
                closing=closing,
            )
        )
    if not out:
        raise ValueError(f"{site}: no post with front matter and a title under _posts/")
    return out


def make_post(sources: Sequence[Source], seed: int, k: int) -> MadePost:
    """Post ``k`` of the archive of ``seed`` made from ``sources`` (the module docstring
    says how); the same arguments always give the same post."""
    rng = random.Random(f"{seed}:{k}")
    a, b, c = (rng.randrange(len(sources)) for _ in range(3))
    seconds = rng.randrange(int((END - FIRST).total_seconds()))
    head, tail = sources[b].paragraphs, sources[c].paragraphs
    paragraphs = head[: math.ceil(len(head) / 2)] + tail[len(tail) - len(tail) // 2 :]
    return MadePost(
        k=k,
        title_from=a,
        body_from=b,
        tail_from=c,
        title=sources[a].title,
        date=(FIRST + dt.timedelta(seconds=seconds)).astimezone(ZONE),
        categories=sources[b].categories,
        tags=sources[b].tags,
        paragraphs=paragraphs,
        closing=sources[b].closing,
    )


def make_posts(sources: Sequence[Source], seed: int, count: int) -> Iterator[MadePost]:
    """Posts 0 … ``count`` - 1 of the archive of ``seed`` (:func:`make_post`)."""
    for k in range(count):
        yield make_post(sources, seed, k)


def write_archive(corpus: Path, count: int, seed: int, dest: Path) -> dict[str, Any]:
    """Make the archive of ``count`` posts of ``seed`` from the site ``corpus`` in the
    folder ``dest`` (a Jekyll site: ``_posts/``, the corpus's ``_config.yml`` if any, and
    ``scale.json`` describing it), unless ``dest`` already holds that archive; returns
    its description (``scale.json``'s object)."""
    sources = read_sources(corpus)
    description = {
        "posts": count,
        "seed": seed,
        "recipe": RECIPE,
        "corpus": str(corpus.resolve()),
        "sources": len(sources),
    }
    marker = dest / "scale.json"
    if marker.is_file():
        old = json.loads(marker.read_text(encoding="utf-8"))
        if {k: old.get(k) for k in description} == description:
            return dict(old)
    partial = dest.with_name(dest.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    posts = partial / "_posts"
    posts.mkdir(parents=True)
    if (corpus / "_config.yml").is_file():
        shutil.copyfile(corpus / "_config.yml", partial / "_config.yml")
    began = time.perf_counter()
    total = 0
    for post in make_posts(sources, seed, count):
        data = post.text().encode("utf-8")
        (posts / post.name).write_bytes(data)
        total += len(data)
    description |= {"bytes": total, "made_s": round(time.perf_counter() - began, 1)}
    (partial / "scale.json").write_text(json.dumps(description, indent=1) + "\n", "utf-8")
    shutil.rmtree(dest, ignore_errors=True)
    partial.rename(dest)
    return description


# -- statistics of the made posts ----------------------------------------------------------


def visible(body: str) -> str:
    """A body's visible text: markup removed, entities decoded."""
    return html.unescape(TAG.sub("", body))


def statistics_of(bodies: Iterator[str], checkpoints: Sequence[int]) -> dict[str, Any]:
    """Distinct words and Chinese character bigrams after each of ``checkpoints`` bodies
    (visible text; words: rjieba's tokens holding a letter, digit or ideograph, as
    segmented by searcher's default segmenter) and the mean visible length in
    characters."""
    import rjieba

    words: set[str] = set()
    bigrams: set[str] = set()
    chars = posts = 0
    curve = []
    marks = sorted(set(checkpoints))
    for body in bodies:
        text = visible(body)
        chars += len(text)
        posts += 1
        words.update(w for w in rjieba.cut(text) if WORD.search(w))
        for run in CJK_RUN.findall(text):
            bigrams.update(run[i : i + 2] for i in range(len(run) - 1))
        if marks and posts == marks[0]:
            marks.pop(0)
            curve.append({"posts": posts, "words": len(words), "bigrams": len(bigrams)})
    if not curve or curve[-1]["posts"] != posts:
        curve.append({"posts": posts, "words": len(words), "bigrams": len(bigrams)})
    return {"posts": posts, "mean_chars": round(chars / max(posts, 1), 1), "curve": curve}


def corpus_statistics(corpus: Path, count: int, seed: int) -> dict[str, Any]:
    """:func:`statistics_of` for xwlb's posts (all, in an order shuffled with ``seed``)
    and for the first ``count`` made posts, with the checkpoints up to each's size."""
    sources = read_sources(corpus)
    order = list(range(len(sources)))
    random.Random(seed).shuffle(order)
    checkpoints = [c for c in CHECKPOINTS if c < len(sources)] + [len(sources)]
    own = statistics_of(
        ("".join(sources[i].paragraphs) + sources[i].closing for i in order), checkpoints
    )
    made = statistics_of(
        (p.body for p in make_posts(sources, seed, count)),
        [c for c in (*checkpoints, *CHECKPOINTS) if c <= count],
    )
    return {"corpus": str(corpus), "seed": seed, "source": own, "made": made}


def statistics_table(stats: dict[str, Any]) -> str:
    """The two curves side by side, as Markdown."""
    own = {row["posts"]: row for row in stats["source"]["curve"]}
    lines = [
        f"mean visible body length: xwlb {stats['source']['mean_chars']:,} characters,"
        f" made posts {stats['made']['mean_chars']:,}\n",
        "| posts | xwlb words | made words | xwlb bigrams | made bigrams |",
        "|---|---|---|---|---|",
    ]
    made = {row["posts"]: row for row in stats["made"]["curve"]}
    for posts in sorted(own.keys() | made.keys()):
        cells = [f"{posts:,}"]
        for key in ("words", "bigrams"):
            cells += [f"{rows[posts][key]:,}" if posts in rows else "—" for rows in (own, made)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# -- serving shards (xapian-tcpsrv) -------------------------------------------------------


def shard_folders(index: Path) -> list[Path]:
    """The shard databases of the Xapian index in ``index``, in shard order: those its
    stub names (``searcher.engine.xapian.folder.current_paths``, relative to ``index``),
    else the folders under ``index`` holding a Xapian glass database (``iamglass``).

    :raises SystemExit: none is found.
    """
    with contextlib.suppress(ImportError, AttributeError):
        folder = importlib.import_module("searcher.engine.xapian.folder")
        return [index / path for path in folder.current_paths(index)]
    found = sorted(p.parent for p in index.rglob("iamglass"))
    if not found:
        sys.exit(f"no Xapian shard database found under {index}")
    return found


@contextlib.contextmanager
def served(shards: list[Path], stub: Path) -> Iterator[list[int]]:
    """Serve each of ``shards`` with its own ``xapian-tcpsrv`` on a free loopback port
    (``tests/xapianservers.py``'s :func:`~xapianservers.tcpsrv`: a process group of its
    own, listening when returned), write the stub file ``stub`` naming them, and yield the servers'
    process group ids; the groups are killed on the way out."""
    if shutil.which("xapian-tcpsrv") is None:
        sys.exit("xapian-tcpsrv not found (Debian's xapian-tools)")
    servers = []
    try:
        for shard in shards:
            servers.append(tcpsrv(shard))
        stub.write_text("".join(f"remote 127.0.0.1:{s.port}\n" for s in servers), "utf-8")
        yield [s.proc.pid for s in servers]
    finally:
        for server in servers:
            server.kill()


def group_cpu_seconds(groups: Sequence[int]) -> float:
    """User + system CPU seconds of the live processes in the process groups ``groups``
    and of their children that ended (``/proc/*/stat``: utime, stime, cutime, cstime;
    a server forks a process per connection)."""
    tick = os.sysconf("SC_CLK_TCK")
    wanted = set(groups)
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) in wanted:  # pgrp
                total += sum(int(f) for f in fields[11:15])  # utime … cstime
    return total / tick


# -- one configuration (in a child process) ----------------------------------------------


def rss_now_mib() -> float:
    """This process's resident set now (``VmRSS``), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def measure(
    site: Path, index: Path, engine: str, shards: int, jobs: int, queries: Path
) -> dict[str, Any]:
    """Build ``site`` into ``index`` with ``engine`` (and ``shards``), then time the
    queries (module docstring); the figures."""
    import searcher
    from searcher import Index

    options: dict[str, Any] = {"jobs": jobs, "engine": engine}
    if engine == "xapian":
        options["shards"] = shards
    began, cpu = time.perf_counter(), cpu_seconds()
    report = Index.build(index, site, **options)
    out: dict[str, Any] = {
        "searcher": str(Path(searcher.__file__).parent),
        "posts": report.added,
        "build_s": round(time.perf_counter() - began, 1),
        "build_cpu_s": round(cpu_seconds() - cpu, 1),
        "bytes": folder_bytes(index),
        "build_peak_rss_mib": peak_rss_mib(),
    }
    requests = distinct(read_queries(queries))
    with contextlib.ExitStack() as stack:
        target, groups = index, []
        if engine == "xapian" and shards > 1:
            target = index.with_name(index.name + ".stub")
            groups = stack.enter_context(served(shard_folders(index), target))
        searching = stack.enter_context(Index.open(target))
        first = []
        for q, kwargs in requests:
            t = time.perf_counter()
            searching.search(q, **kwargs)
            first.append(time.perf_counter() - t)
        # The second pass computes each answer again: without this, the answers kept
        # until the next commit would be returned (bench/stories.py does the same).
        searching._results.clear()
        times, cpu_times = [], []
        servers_cpu = group_cpu_seconds(groups)
        for q, kwargs in requests:
            t, c = time.perf_counter(), time.process_time()
            searching.search(q, **kwargs)
            times.append(time.perf_counter() - t)
            cpu_times.append(time.process_time() - c)
        if groups:
            out["servers_cpu_s"] = round(group_cpu_seconds(groups) - servers_cpu, 2)
        out["query_rss_mib"] = rss_now_mib()
    out |= percentiles(times)
    out |= {f"cpu_{k}": v for k, v in percentiles(cpu_times).items() if k != "queries"}
    out |= {f"first_{k}": v for k, v in percentiles(first).items() if k != "queries"}
    out["peak_rss_mib"] = peak_rss_mib()
    return out


def run_child(args: argparse.Namespace, site: Path, index: Path, engine: str, shards: int) -> Any:
    """:func:`measure` in a new process (its stderr passed on); its figures."""
    cmd = [sys.executable, __file__, "--child", str(site), "--index", str(index)]
    cmd += ["--engine", engine, "--shards", str(shards), "--jobs", str(args.jobs)]
    cmd += ["--queries", str(args.queries)]
    run = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if run.returncode != 0:
        sys.exit(f"{engine} × {shards} on {site} failed (status {run.returncode})")
    return json.loads(run.stdout.strip().splitlines()[-1])


# -- the whole run ---------------------------------------------------------------------------

COLUMNS = [
    ("posts", "posts", "{:,}"),
    ("engine", "engine", "{}"),
    ("shards", "shards", "{}"),
    ("build CPU s", "build_cpu_s", "{:,.0f}"),
    ("build wall s", "build_s", "{:,.0f}"),
    ("index MiB", "mib", "{:,.0f}"),
    ("build peak RSS MiB", "build_peak_rss_mib", "{:,.0f}"),
    ("query p50 ms", "p50_ms", "{:,.1f}"),
    ("p99 ms", "p99_ms", "{:,.0f}"),
    ("max ms", "max_ms", "{:,.0f}"),
    ("CPU p50 ms", "cpu_p50_ms", "{:,.1f}"),
    ("CPU p99 ms", "cpu_p99_ms", "{:,.0f}"),
    ("servers' CPU s", "servers_cpu_s", "{:,.1f}"),
    ("RSS after queries MiB", "query_rss_mib", "{:,.0f}"),
]


def table(runs: list[dict[str, Any]]) -> str:
    """The runs as a Markdown table (:data:`COLUMNS`)."""
    lines = ["| " + " | ".join(c[0] for c in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for run in runs:
        row = {**run, "mib": run["bytes"] / 2**20}
        cells = [fmt.format(row[key]) if key in row else "—" for _, key, fmt in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def numbers(text: str) -> list[int]:
    """``"100000,200000"`` → ``[100000, 200000]`` (``_`` allowed in numbers)."""
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", default="100000,200000", help="archive sizes, comma separated")
    ap.add_argument("--engine", action="append", help="whoosh or xapian (repeat or commas)")
    ap.add_argument("--shards", default="1", help="Xapian shard counts, e.g. 1,2,3,4")
    ap.add_argument("--jobs", type=int, default=2, help="build processes (default 2)")
    ap.add_argument("--seed", type=int, default=24)
    ap.add_argument("--corpus", type=Path, default=SHARED_CORPUS / "xwlb")
    ap.add_argument("--work", type=Path, default=Path("/tmp/searcher-scale"))
    ap.add_argument("--queries", type=Path, default=HERE / "queries.txt")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--keep", action="store_true", help="keep the indexes under --work")
    ap.add_argument("--stats", action="store_true", help="statistics of the made posts only")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    engines = [e for v in args.engine or ["whoosh"] for e in v.split(",") if e]
    if args.child:
        shards = numbers(args.shards)[0]
        out = measure(args.child, args.index, engines[0], shards, args.jobs, args.queries)
        print(json.dumps(out))
        return
    for engine in engines:
        if engine not in ENGINES:
            ap.error(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    counts, shard_counts = numbers(args.posts), numbers(args.shards)
    if not counts or min(counts) < 1 or not shard_counts or min(shard_counts) < 1:
        ap.error("--posts and --shards take positive numbers")
    corpus = need(args.corpus)
    stamp = int(time.time())
    report: dict[str, Any] = {
        "corpus": str(corpus),
        "seed": args.seed,
        "recipe": RECIPE,
        "jobs": args.jobs,
        "queries": str(args.queries),
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
    }
    if args.stats:
        report["statistics"] = corpus_statistics(corpus, max(counts), args.seed)
        print(statistics_table(report["statistics"]))
        write(report, args.out or HERE / "results" / f"scale-stats-{stamp}.json")
        return
    args.work.mkdir(parents=True, exist_ok=True)
    runs: list[dict[str, Any]] = []
    report["runs"] = runs
    for count in counts:
        site = args.work / f"site-{count}-s{args.seed}"
        print(f"archive of {count:,} posts: {site}", file=sys.stderr, flush=True)
        archive = write_archive(corpus, count, args.seed, site)
        for engine in engines:
            for shards in shard_counts if engine == "xapian" else [1]:
                index = args.work / f"index-{count}-{engine}-{shards}"
                shutil.rmtree(index, ignore_errors=True)
                print(f"  {engine} × {shards}…", file=sys.stderr, flush=True)
                try:
                    result = run_child(args, site, index, engine, shards)
                finally:
                    if not args.keep:
                        shutil.rmtree(index, ignore_errors=True)
                        index.with_name(index.name + ".stub").unlink(missing_ok=True)
                load = round(os.getloadavg()[0], 2)
                run = {"archive": archive, "engine": engine, "shards": shards, **result}
                runs.append({**run, "load_1min_after": load})
                print(table(runs[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
                write(report, args.out or HERE / "results" / f"scale-{stamp}.json")
    print(table(runs))
    print(f"\nJSON: {args.out or HERE / 'results' / f'scale-{stamp}.json'}")


def write(report: dict[str, Any], path: Path) -> None:
    """Write ``report`` as JSON to ``path`` (folders made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
