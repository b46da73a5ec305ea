"""Readers' aids on a real index (issue #21): 20 real queries typed as pinyin, initials
and abbreviations, their top 3 before and after; and what the pinyin costs.

Usage:
    python bench/aids.py INDEX_DIR [--out FILE] [--before FILE] [--cost]

Runs each query of :data:`QUERIES` (relevance, 3 hits) and prints one JSON object: per
query, the total and the top 3 as ``title`` strings with the aid that found each (when
the code has ``matched_by``). It only reads the index, so the same index can be searched
by the code before the aids (run this file with ``PYTHONPATH`` set to a checkout of the
older revision) and after. With ``--before FILE`` (the JSON of the older run) it prints
a Markdown table of both. With ``--cost`` it measures the lexicon the pinyin reads
(``searcher.lexicon``: built by the run that commits a generation and stored beside it):
its build time (the median of 3, reading the vocabulary and the titles from the engine
included), its memory (tracemalloc's peak while building it, pypinyin's tables
included), its stored size and load time, and the index folder's size with and without
it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import tracemalloc
from pathlib import Path
from typing import Any

from searcher.index import Index
from searcher.lexicon import Lexicon

#: Real queries a reader of 新闻联播 would type: full pinyin, initials, a mix, and the
#: abbreviations and regional names of ``corpus/synonyms.txt``.
QUERIES = [
    "beijing",
    "shanghai",
    "chongqing",
    "gaotie",
    "keji",
    "rengongzhineng",
    "yidaiyilu",
    "xjp",
    "ydyl",
    "rgzn",
    "tandafeng",
    "beijingdx",
    "发改委",
    "人行",
    "央行",
    "证监会",
    "世卫组织",
    "北约",
    "国资委",
    "工信部",
]


def run(folder: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with Index.open(folder) as index:
        for query in QUERIES:
            results = index.search(query, limit=3)
            out[query] = {
                "total": results.total,
                "top": [
                    {"title": h.title, "aids": getattr(h, "matched_by", ["literal"])}
                    for h in results.hits
                ],
            }
    return out


def cost(folder: Path) -> dict[str, Any]:
    times, loads = [], []
    peak = 0
    stored = b""
    for attempt in range(3):
        index = Index.open(folder)  # a fresh object: nothing cached
        if attempt == 0:
            tracemalloc.start()
        began = time.perf_counter()
        words, headlines = index.engine.word_frequencies(), index.engine.headlines()
        lexicon = Lexicon(words, headlines, index.word_segmenter)
        times.append(time.perf_counter() - began)
        if attempt == 0:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        stored = lexicon.to_bytes()
        began = time.perf_counter()
        Lexicon.from_bytes(stored)
        loads.append(time.perf_counter() - began)
        index.close()
    files = [p for p in folder.iterdir() if p.is_file()]
    return {
        "build_seconds": round(statistics.median(times), 2),
        "build_seconds_all": [round(t, 2) for t in times],
        "build_peak_bytes": peak,
        "load_seconds": round(statistics.median(loads), 2),
        "entries": len(lexicon),
        "stored_bytes": len(stored),
        "index_bytes": sum(p.stat().st_size for p in files),
        "index_bytes_without_lexicon": sum(
            p.stat().st_size for p in files if not p.name.startswith("searcher-lexicon-")
        ),
    }


def _top(entry: dict[str, Any]) -> str:
    shown = []
    for hit in entry["top"]:
        aids = hit["aids"]
        shown.append(hit["title"][:18] + (f" ({'+'.join(aids)})" if aids != ["literal"] else ""))
    return " · ".join(shown) or "—"


def table(before: dict[str, Any], after: dict[str, Any]) -> str:
    lines = [
        "| query | before: total, top 3 | after: total, top 3 (aids, where not only literal) |",
        "|---|---|---|",
    ]
    for query in QUERIES:
        b, a = before.get(query), after.get(query)
        left = f"{b['total']}: {_top(b)}" if b else "—"
        right = f"{a['total']}: {_top(a)}" if a else "—"
        lines.append(f"| `{query}` | {left} | {right} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--before", type=Path)
    parser.add_argument("--cost", action="store_true")
    args = parser.parse_args()
    result: dict[str, Any] = {"queries": run(args.index)}
    if args.cost:
        result["cost"] = cost(args.index)
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    if args.before:
        before = json.loads(args.before.read_text(encoding="utf-8"))["queries"]
        print(table(before, result["queries"]))


if __name__ == "__main__":
    main()
