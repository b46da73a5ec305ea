"""Snippets of multi-word queries (issue #20): how often each query word the post holds
is marked in its snippet, and what a snippet costs, for this checkout's
``searcher.snippets`` and, with ``--before REV``, for that revision's, on the same posts.

For each query of :data:`QUERIES` (two and three words) and :data:`SINGLE` (one word),
the posts of the corpus whose body holds every word (folded, as the index matches) are
taken, up to ``--posts`` of them; each gets ``make_snippet(body, plan.highlight)`` as a
search would make it (the query planned by ``searcher.query.plan`` with the default
segmenter). A post *covers* a word when its snippet has a ``<mark>`` over a match of that
word (counted for the queries of several words). Times are the least of ``--repeat``
runs of each call, the two versions interleaved. Long bodies: the bodies of a query's
posts joined (one block each), repeated up to ``--long`` characters; hostile bodies:
:data:`HOSTILE`.

    PYTHONPATH=. python bench/snippet_coverage.py ../shared/corpus/xwlb --before 040bef9

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from common import SHARED_CORPUS, need
from searcher.analysis.folding import fold
from searcher.analysis.segmenters import make_segmenter
from searcher.query.plan import plan_query
from searcher.query.syntax import parse
from searcher.site import Article, SiteOptions, read_corpus
from searcher.snippets import TermGroup, find_spans, make_snippet

ROOT = Path(__file__).resolve().parents[1]

#: One-word queries, for the cost of the common case (bench/queries.txt's common words).
SINGLE = ["经济", "习近平", "人工智能", "乡村振兴", "碳中和"]

#: Two- and three-word queries, each word frequent on xwlb, the words of a query often
#: in different sentences of one story.
QUERIES = [
    "习近平 普京",
    "中国 南非",
    "经济 就业",
    "人工智能 教育",
    "一带一路 非洲",
    "乡村振兴 粮食安全",
    "疫情 防控 经济",
    "联合国 气候变化 合作",
    "科技创新 高质量发展 人才",
    "外交部 美国 台湾",
]

#: Hostile bodies just under searcher.snippets.LONG_TEXT (scanned whole): (name, body,
#: query words).
HOSTILE = [
    ("one line, 大桥隧道 × 4,999", "大桥隧道" * 4999, ["大桥", "隧道"]),
    (
        "6,666 sentences, a word of 10 in each",
        "".join("甲乙丙丁戊己庚辛壬癸"[i % 10] + "子。" for i in range(6666)),
        list("甲乙丙丁戊己庚辛壬癸"),
    ),
]

_MARK = re.compile(r"(<mark>.*?</mark>)")

Snippet = Callable[[str, Sequence[Any]], str]


def load_before(rev: str) -> ModuleType:
    """``searcher/snippets.py`` as it was at ``rev``, as a module of this checkout's
    ``searcher`` package (its relative imports are this checkout's)."""
    source = subprocess.run(
        ["git", "show", f"{rev}:searcher/snippets.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    name = "searcher._snippets_before"
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "searcher"
    sys.modules[name] = module
    exec(compile(source, f"{rev}:searcher/snippets.py", "exec"), module.__dict__)
    return module


def marked_words(snippet: str, groups: Sequence[TermGroup]) -> set[int]:
    """The numbers of the ``groups`` with a match under a ``<mark>`` of ``snippet``."""
    text: list[str] = []
    marks: list[tuple[int, int]] = []
    at = 0
    for part in _MARK.split(snippet):
        marked = part.startswith("<mark>")
        plain = html.unescape(part[6:-7] if marked else part)
        if marked:
            marks.append((at, at + len(plain)))
        text.append(plain)
        at += len(plain)
    visible = "".join(text)
    return {
        n
        for n, group in enumerate(groups)
        if any(a <= s and e <= b for s, e in find_spans(visible, [group]) for a, b in marks)
    }


def timed(make: Snippet, body: str, terms: Sequence[Any], repeat: int) -> tuple[str, float]:
    """The snippet and the least time of ``repeat`` calls, in milliseconds."""
    best = float("inf")
    out = ""
    for _ in range(repeat):
        began = time.perf_counter()
        out = make(body, terms)
        best = min(best, time.perf_counter() - began)
    return out, best * 1000


def figures(ms: list[float]) -> dict[str, float]:
    """Median, 90th percentile, max and total of ``ms``, rounded."""
    ordered = sorted(ms)
    return {
        "median_ms": round(statistics.median(ordered), 4),
        "p90_ms": round(ordered[int(len(ordered) * 0.9)], 4),
        "max_ms": round(ordered[-1], 3),
        "total_ms": round(sum(ordered), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, nargs="?", default=SHARED_CORPUS / "xwlb")
    parser.add_argument("--before", help="a revision whose snippets.py to compare with")
    parser.add_argument("--posts", type=int, default=200, help="posts per query at most")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--long", type=int, nargs="*", default=[100_000, 400_000])
    args = parser.parse_args()
    bodies = [
        item.body
        for item in read_corpus(need(args.corpus), None, SiteOptions())
        if isinstance(item, Article)
    ]
    folded = [fold(body, case=False) for body in bodies]
    segmenter = make_segmenter()
    versions: dict[str, tuple[Snippet, Callable[[TermGroup], Any]]] = {
        "after": (make_snippet, lambda g: g)
    }
    if args.before:
        old = load_before(args.before)
        versions = {
            "before": (old.make_snippet, lambda g: old.TermGroup(g.primary, g.fallback)),
            **versions,
        }
    times: dict[str, dict[str, list[float]]] = {
        name: {"one word": [], "several words": []} for name in versions
    }
    covered = {name: 0 for name in versions}
    words_held = 0
    rows = []
    long_times: dict[str, dict[str, list[float]]] = {
        name: {str(n): [] for n in args.long} for name in versions
    }
    for query in SINGLE + QUERIES:
        kind = "several words" if " " in query else "one word"
        groups = plan_query(parse(query), segmenter).highlight
        words = [fold(w, case=False) for w in query.split()]
        posts = [bodies[i] for i, f in enumerate(folded) if all(w in f for w in words)]
        posts = posts[: args.posts]
        row: dict[str, Any] = {"query": query, "posts": len(posts)}
        for turn, body in enumerate(posts):
            held = {n for n, g in enumerate(groups) if find_spans(body, [g])}
            if kind == "several words":
                words_held += len(held)
            names = list(versions) if turn % 2 == 0 else list(reversed(versions))
            for name in names:
                make, convert = versions[name]
                snippet, ms = timed(make, body, [convert(g) for g in groups], args.repeat)
                times[name][kind].append(ms)
                shown = len(marked_words(snippet, groups) & held)
                if kind == "several words":
                    covered[name] += shown
                row[f"{name}_all_words"] = row.get(f"{name}_all_words", 0) + (shown == len(held))
        for limit in args.long if kind == "several words" else ():
            long_body = "\n".join(posts)
            while posts and len(long_body) < limit:
                long_body = long_body + "\n" + long_body
            long_body = long_body[:limit]
            for name, (make, convert) in versions.items():
                terms = [convert(g) for g in groups]
                long_times[name][str(limit)].append(timed(make, long_body, terms, args.repeat)[1])
        rows.append(row)
    hostile = {
        name: {
            version: round(timed(make, body, [tuple(w) for w in words], args.repeat)[1], 2)
            for version, (make, _) in versions.items()
        }
        for name, body, words in HOSTILE
    }
    print(
        json.dumps(
            {
                "corpus": str(args.corpus),
                "queries": rows,
                "pairs": sum(r["posts"] for r in rows if " " in r["query"]),
                "words_held": words_held,
                "words_marked": covered,
                "time": {
                    name: {kind: figures(ms) for kind, ms in by.items()}
                    for name, by in times.items()
                },
                "long_bodies": {
                    name: {limit: figures(ms) for limit, ms in by.items()}
                    for name, by in long_times.items()
                },
                "hostile_ms": hostile,
            },
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
