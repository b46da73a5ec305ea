"""Search latency and recall on a built index.

Usage: python bench/search.py INDEX_DIR [CORPUS_DIR] [--queries 50] [--recall 200]

* latency: ``Index.search`` (with snippets, facets, 10 hits) over N queries drawn from the
  corpus: a third random 2–4 character substrings, a third quoted phrases of 3–6
  characters, a third common news words; reports median and p95 in milliseconds (the first
  query, which fills caches, is timed separately);
* recall: for R random substrings (2–6 Chinese characters) of random posts, the share
  whose post is among the matches, unquoted (words ANDed) and quoted (exact phrase); the
  search is narrowed to the post's own day so that the post is on the first page.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from common import need, random_substrings
from searcher.index import Index
from searcher.site import Article, read_corpus

COMMON = [
    "经济",
    "发展",
    "中国",
    "习近平",
    "高质量发展",
    "人工智能",
    "新能源汽车",
    "乡村振兴",
    "一带一路",
    "碳中和",
    "疫情",
    "文化",
    "科技创新",
    "教育",
    "外交部",
    "联合国",
    "粮食安全",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("index")
    ap.add_argument("corpus", nargs="?")
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--recall", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261129)
    args = ap.parse_args()
    index = Index.open(need(Path(args.index)))
    corpus = need(Path(args.corpus or index.meta["corpus"]))
    rng = random.Random(args.seed)
    articles = [a for a in read_corpus(corpus, index.timezone) if isinstance(a, Article)]
    texts = {a.id: a.body for a in articles}
    dates = {a.id: a.date.date().isoformat() if a.date else None for a in articles}

    third = args.queries // 3
    queries = [s for _, s in random_substrings(texts, third, rng, 2, 4)]
    queries += [f'"{s}"' for _, s in random_substrings(texts, third, rng, 3, 6)]
    queries += [rng.choice(COMMON) for _ in range(args.queries - len(queries))]

    t = time.perf_counter()
    index.search(queries[0])
    first_ms = (time.perf_counter() - t) * 1000
    times = []
    for q in queries:
        t = time.perf_counter()
        index.search(q, limit=10)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]

    samples = random_substrings(texts, args.recall, rng, 2, 6)
    found_plain = found_phrase = 0
    misses = []
    for doc, sub in samples:
        # A common substring matches thousands of posts: narrow to the post's own day
        # (a filter, not a query change) so that "found" means "among the matches".
        day = dates[doc]
        plain = index.search(sub, since=day, until=day, limit=1000)
        phrase = index.search(f'"{sub}"', since=day, until=day, limit=1000)
        ok_plain = doc in {h.id for h in plain.hits}
        ok_phrase = doc in {h.id for h in phrase.hits}
        found_plain += ok_plain
        found_phrase += ok_phrase
        if not (ok_plain and ok_phrase):
            misses.append((doc, sub, ok_plain, ok_phrase))
    report = {
        "index": str(args.index),
        "documents": index.stats().documents,
        "queries": len(queries),
        "first_query_ms": round(first_ms, 1),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(times[-1], 1),
        "recall_substrings": f"{found_plain}/{len(samples)}",
        "recall_phrases": f"{found_phrase}/{len(samples)}",
        "misses": misses[:10],
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
