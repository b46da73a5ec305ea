"""Top 5 of real queries on one corpus, to compare rankings before and after a change.

Usage: python bench/ranking.py INDEX_DIR [CORPUS_DIR] [--out FILE] [--before FILE]

Builds ``INDEX_DIR`` from ``CORPUS_DIR`` when it holds no index, runs each query of
:data:`QUERIES` (sorted by relevance, 5 hits) and prints one JSON object: per query, the
total and the top 5 as ``date title`` strings. With ``--before FILE`` (the JSON of an
earlier run) it also prints a Markdown table: for each query the totals and how many of
the top 5 stayed, came in or left, and the new first hit.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from common import need
from searcher.index import Index

#: Real queries a reader of 新闻联播 would type: words, multi-word names, phrases,
#: traditional script, numbers with units, a title in 《》.
QUERIES = [
    "乡村振兴",
    "高质量发展",
    "一带一路",
    "人工智能",
    "量子科技",
    "数字经济",
    "粮食安全",
    "疫情防控",
    "航天员",
    "碳达峰",
    "冬奥会",
    "生态环境保护",
    "中欧班列",
    "科技創新",
    "臺灣",
    "10万亿元",
    "24小时",
    "《政府工作报告》",
    "“一国两制”",
    "国际 合作",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("index")
    ap.add_argument("corpus", nargs="?", default="../shared/corpus/xwlb-small")
    ap.add_argument("--out")
    ap.add_argument("--before")
    args = ap.parse_args()
    if not Index.exists(args.index):
        Index.build(args.index, need(Path(args.corpus)), jobs=2)
    out: dict[str, dict[str, object]] = {}
    with Index.open(args.index) as index:
        for q in QUERIES:
            r = index.search(q, limit=5)
            top = [f"{h.date:%Y-%m-%d} {h.title}" if h.date else h.title for h in r.hits]
            out[q] = {"total": r.total, "top": top}
    text = json.dumps(out, ensure_ascii=False, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    if args.before:
        before = json.loads(Path(args.before).read_text(encoding="utf-8"))
        print("\n| query | total before → after | top 5 kept | new in top 5 | first hit now |")
        print("|---|---|---|---|---|")
        for q, now in out.items():
            was = before.get(q, {"total": 0, "top": []})
            top_now, top_was = list(now["top"]), list(was["top"])  # type: ignore[call-overload]
            kept = sum(t in top_was for t in top_now)
            first = top_now[0] if top_now else "—"
            same = " (same)" if top_was and top_now and top_was[0] == top_now[0] else ""
            print(
                f"| {q} | {was['total']} → {now['total']} | {kept} | {len(top_now) - kept} "
                f"| {first}{same} |"
            )


if __name__ == "__main__":
    main()
