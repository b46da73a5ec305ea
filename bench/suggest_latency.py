"""Suggestions as a reader types (issue #21): how long ``Index.suggest`` and
``GET /api/suggest`` take, and what the lexicon behind them costs to make.

Usage: python bench/suggest_latency.py INDEX_DIR [--seed S] [--count N]

Opens ``INDEX_DIR`` (read only: nothing is written), makes its lexicon once
(:meth:`searcher.index.Index.lexicon`, timed on its own), then draws ``--count``
prefixes (default 300) with a fixed seed from the index's own titles:

* ``chinese`` (40%): the first 1–3 characters of a frequent title word (a jieba word of
  2 characters or more in 5 titles or more);
* ``pinyin`` (15%): such a word's pinyin run together, cut after 2 letters or more
  (``zhongguoj`` of 中国经济);
* ``initials`` (15%): its syllables' first letters, cut after 1 letter or more
  (``zgj``);
* ``mixed`` (15%): its first syllables whole and the rest by their initials
  (``nanjingdx``);
* ``latin`` (15%): the first 1 or more letters of a Latin word of the titles (``APE``
  of APEC).

Each prefix is completed three times in turn, in the same order: ``first`` (the first
request for it: pinyin readings not yet remembered), ``again`` (the same prefixes once
more), and ``api`` (through Flask's test client: the route, the JSON and the headers).
Prints one JSON object: the lexicon's build seconds and entries, then for each pass and
each kind of prefix p50, p90, p99 and max in ms, and the ten slowest prefixes of the
first pass.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from pypinyin import Style, lazy_pinyin

from common import need
from searcher.index import Index
from searcher.web import create_app

_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
SHARES = {"chinese": 0.40, "pinyin": 0.15, "initials": 0.15, "mixed": 0.15, "latin": 0.15}


def prefixes(index: Index, count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` pairs (kind, prefix), drawn with ``seed`` from the index's titles."""
    titles = sorted(p.title for p in index.engine.headlines())
    cut = index.word_segmenter.cut
    words: Counter[str] = Counter()
    latin: Counter[str] = Counter()
    for title in titles:
        words.update({w for w in cut(title) if _CJK_WORD.match(w)})
        latin.update(set(_LATIN_WORD.findall(title)))
    frequent = sorted(w for w, n in words.items() if n >= 5)
    letters = sorted(latin)
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for kind, share in SHARES.items():
        for _ in range(round(count * share)):
            if kind == "latin" and letters:
                word = rng.choice(letters)
                out.append((kind, word[: rng.randint(1, len(word))]))
                continue
            word = rng.choice(frequent)
            syllables = lazy_pinyin(word, style=Style.NORMAL, v_to_u=False)
            if kind == "chinese" or kind == "latin":
                out.append(("chinese", word[: rng.randint(1, min(3, len(word)))]))
            elif kind == "pinyin":
                run = "".join(syllables)
                out.append((kind, run[: rng.randint(min(2, len(run)), len(run))]))
            elif kind == "initials":
                run = "".join(s[0] for s in syllables)
                out.append((kind, run[: rng.randint(1, len(run))]))
            else:
                whole = rng.randint(1, max(1, len(syllables) - 1))
                run = "".join(syllables[:whole]) + "".join(s[0] for s in syllables[whole:])
                out.append((kind, run))
    return out


def figures(ms: list[float]) -> dict[str, float]:
    """p50, p90, p99 and max of ``ms`` (nearest rank), in ms to 2 decimals."""
    ordered = sorted(ms)

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered), 2),
        "p90": round(rank(0.90), 2),
        "p99": round(rank(0.99), 2),
        "max": round(ordered[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    index = Index.open(need(args.index))
    began = time.perf_counter()
    lexicon = index.lexicon()
    build_s = time.perf_counter() - began
    drawn = prefixes(index, args.count, args.seed)
    client = create_app(index).test_client()
    passes: dict[str, list[float]] = {"first": [], "again": [], "api": []}
    answers: list[int] = []
    for name in passes:
        for _, prefix in drawn:
            began = time.perf_counter()
            if name == "api":
                response = client.get("/api/suggest", query_string={"q": prefix})
                assert response.status_code == 200, (prefix, response.status_code)
            else:
                found = index.suggest(prefix)
                if name == "first":
                    answers.append(len(found))
            passes[name].append((time.perf_counter() - began) * 1000)
    kinds = sorted({k for k, _ in drawn})
    report: dict[str, Any] = {
        "index": str(args.index),
        "posts": len(index.engine.headlines()),
        "lexicon_seconds": round(build_s, 2),
        "lexicon_entries": len(lexicon),
        "prefixes": len(drawn),
        "prefixes_by_kind": dict(Counter(k for k, _ in drawn)),
        "with_no_completion": sum(1 for n in answers if n == 0),
    }
    for name, ms in passes.items():
        report[name] = figures(ms)
        report[f"{name}_by_kind"] = {
            kind: figures([t for (k, _), t in zip(drawn, ms, strict=True) if k == kind])
            for kind in kinds
        }
    report["api_overhead_p50_ms"] = round(report["api"]["p50"] - report["again"]["p50"], 2)
    slowest = sorted(zip(passes["first"], drawn, strict=True), reverse=True)[:10]
    report["slowest_first"] = [[kind, prefix, round(t, 1)] for t, (kind, prefix) in slowest]
    index.close()
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
