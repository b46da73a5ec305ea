"""How far apart a missing run's parts may stand under the ``near`` rule
(:data:`searcher.query.relax.NEAR_WINDOW`), measured on a corpus.

Usage: python bench/near_window.py [CORPUS_DIR] [--pairs N]

A reader types a run that occurs nowhere (``朝阳区政府``) when the posts word it with
something between its parts (朝阳区人民政府). Stand-ins for such runs: pairs of jieba
words of two or more characters that stand side by side in a title (``A B``). For each
pair and each post whose body holds both words but never ``AB``, the closest
occurrences' distance in characters is taken, and whether a punctuation mark stands
between them (then they sit in different clauses, and the post rarely means ``AB``).
For each window the table gives the posts it admits and the share of them with both
words in one clause: the window is the largest that keeps that share high.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

import frontmatter

from common import SHARED_CORPUS, need
from searcher.analysis import make_segmenter

WINDOWS = (1, 2, 4, 6, 8, 12, 16, 24, 32)
_PUNCT = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9\s]")


def _closest(body: str, a: str, b: str) -> tuple[int, bool] | None:
    """Fewest characters between an ``a`` and a ``b`` (either order), and whether
    punctuation stands between those two."""
    starts_a = [m.start() for m in re.finditer(re.escape(a), body)]
    starts_b = [m.start() for m in re.finditer(re.escape(b), body)]
    best: tuple[int, bool] | None = None
    for i in starts_a:
        for j in starts_b:
            lo, hi = (i + len(a), j) if i < j else (j + len(b), i)
            if hi < lo:
                continue
            gap = hi - lo
            if best is None or gap < best[0]:
                best = (gap, bool(_PUNCT.search(body[lo:hi])))
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(SHARED_CORPUS / "xwlb"))
    ap.add_argument("--pairs", type=int, default=300)
    args = ap.parse_args()
    posts = sorted(need(Path(args.corpus)).glob("_posts/*.md"))
    seg = make_segmenter()
    rng = random.Random(20)
    docs = [frontmatter.load(p) for p in posts]
    bodies = [d.content for d in docs]
    pairs: set[tuple[str, str]] = set()
    for d in rng.sample(docs, min(len(docs), 3000)):
        words = [w for w in seg.cut(str(d.get("title", ""))) if len(w) >= 2]
        pairs.update((a, b) for a, b in zip(words, words[1:], strict=False) if a != b)
    chosen = rng.sample(sorted(pairs), min(args.pairs, len(pairs)))
    found: list[tuple[int, bool]] = []
    for a, b in chosen:
        for body in bodies:
            if a in body and b in body and a + b not in body:
                near = _closest(body, a, b)
                if near is not None:
                    found.append(near)
    print(f"{len(chosen)} pairs, {len(found)} (pair, post) cases with both words apart")
    print("| window (characters) | posts admitted | both words in one clause |")
    print("|---|---|---|")
    for w in WINDOWS:
        admitted = [p for g, p in found if 0 < g <= w]
        same = sum(1 for p in admitted if not p)
        share = same / len(admitted) if admitted else 0.0
        print(f"| {w} | {len(admitted)} | {share:.0%} |")


if __name__ == "__main__":
    main()
