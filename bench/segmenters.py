"""jieba against rjieba (jieba-rs): load time, speed, and agreement on real text.

Usage: python bench/segmenters.py [CORPUS_DIR] [--posts 3000]

Segments the bodies of the first N posts of the corpus (plain text, as indexed) with both
segmenters and reports dictionary load time (s), throughput (MB/s of UTF-8 text) and the
share of posts on which both give identical words.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from common import SHARED_CORPUS, need
from searcher.analysis import make_segmenter
from searcher.posts import Article, read_corpus


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(SHARED_CORPUS / "xwlb"))
    ap.add_argument("--posts", type=int, default=3000)
    args = ap.parse_args()
    texts = []
    for item in read_corpus(need(Path(args.corpus))):
        if isinstance(item, Article):
            texts.append(item.body)
            if len(texts) >= args.posts:
                break
    size = sum(len(t.encode("utf-8")) for t in texts)
    out: dict[str, object] = {"posts": len(texts), "megabytes": round(size / 1e6, 2)}
    words = {}
    for name in ("rjieba", "jieba"):
        t = time.perf_counter()
        seg = make_segmenter(name)
        seg.cut("预热")
        load = time.perf_counter() - t
        t = time.perf_counter()
        words[name] = [seg.cut(text) for text in texts]
        speed = size / (time.perf_counter() - t) / 1e6
        out[name] = {"load_seconds": round(load, 2), "mb_per_second": round(speed, 2)}
    same = sum(a == b for a, b in zip(words["rjieba"], words["jieba"], strict=True))
    out["identical_posts"] = f"{same}/{len(texts)}"
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
