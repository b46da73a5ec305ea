"""Did you mean (searcher.suggest): how often a typo gets the right word, how often a
correct query gets a suggestion, and what the candidate index costs.

Usage: python bench/suggest.py INDEX_DIR [CORPUS_DIR] [--words N] [--seed S]
       [--set NAME=VALUE ...]

Builds ``INDEX_DIR`` from ``CORPUS_DIR`` when it holds no index. Then:

* cost: the vocabulary read from the engine (seconds), the :class:`Suggester` built from
  it (seconds, bytes allocated, candidate words), and the time of one suggestion;
* typos: ``--words`` words of 2–4 CJK characters in 20 posts or more (a reader's query
  words), each made wrong once in five ways (a homophone: another character with a
  reading in common; a random character; one deleted; one inserted; two swapped), each
  searched as the whole query: how many got no result (rule 1), and among those how
  many were suggested the word itself, another word, or nothing;
* correct queries: as many words in 1–2 posts (rare, correct), random 2–6-character
  runs of post titles, words of jieba's dictionary with no result here, and (with
  ``--other INDEX``) the words of another index with no result here (names and new
  words jieba's dictionary lacks among them), each searched: how many got a suggestion
  (a false one), and how many would with the result gate off (what raising
  FEW_RESULTS would cost);
* the named typos of issue #20's examples (习进平, 新冠役苗, 粤港奥…) and their suggestions.

``--set MIN_DF=5`` (and ``POSTS_PER_DF``, ``RATIO``, ``EDIT_MIN_CHARS``, ``FEW_RESULTS``,
``MAX_CHARS``)
changes a threshold of :mod:`searcher.suggest` for the run. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

from common import need
from searcher import suggest
from searcher.index import Index

_WORD = re.compile("[\u4e00-\u9fff]{2,4}")

#: Typos a reader makes in news words: homophones typed by pinyin input, a dropped
#: character, a wrong one (typed, suggestion expected).
NAMED = [
    ("习进平", "习近平"),
    ("新冠役苗", "疫苗"),
    ("粤港奥", "粤港澳"),
    ("一代一路", "一带一路"),
    ("乡村震兴", "振兴"),
    ("人工只能", "智能"),
    ("碳达锋", "碳达峰"),
    ("高质量发张", "发展"),
    ("冬奥汇", "冬奥会"),
    ("中欧班例", "中欧班列"),
    ("航天元", "航天员"),
    ("粮食按全", "安全"),
    ("习平", "习近平"),
    ("一带路", "一带一路"),
]


def typos(
    word: str,
    by_reading: dict[str, list[str]],
    pool: list[str],
    rng: random.Random,
    readings: suggest.Readings,
) -> dict[str, str]:
    """One typo of ``word`` of each kind that applies: ``{kind: typo}``."""
    out: dict[str, str] = {}
    i = rng.randrange(len(word))
    same = [
        c for r in sorted(readings.of(word[i])[1]) for c in by_reading.get(r, []) if c != word[i]
    ]
    if same:
        out["homophone"] = word[:i] + rng.choice(same) + word[i + 1 :]
    while True:
        c = rng.choice(pool)
        if c != word[i] and readings.closeness(word[i], c) == suggest.EDIT:
            out["random"] = word[:i] + c + word[i + 1 :]
            break
    if len(word) >= 3:
        out["delete"] = word[:i] + word[i + 1 :]
    j = rng.randrange(len(word) + 1)
    out["insert"] = word[:j] + rng.choice(pool) + word[j:]
    k = rng.randrange(len(word) - 1)
    if word[k] != word[k + 1]:
        out["swap"] = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    return out


def _jieba_words(min_freq: int) -> list[str]:
    """The words of 2–4 CJK characters of jieba's own dictionary used at least
    ``min_freq`` times in its source corpus: correct words, most of them absent
    from a news corpus of one broadcast."""
    import jieba

    path = Path(jieba.__file__).with_name("dict.txt")
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word, freq, *_ = line.split(" ")
        if int(freq) >= min_freq and _WORD.fullmatch(word):
            out.append(word)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("index")
    parser.add_argument("corpus", nargs="?")
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument("--other", help="another index: its words absent here are correct")
    args = parser.parse_args()
    for setting in args.set:
        name, value = setting.split("=")
        setattr(suggest, name, int(value))
    if not Index.exists(args.index):
        Index.build(args.index, need(Path(args.corpus)), jobs=2)
    index = Index.open(args.index)
    rng = random.Random(args.seed)
    report: dict[str, Any] = {
        "settings": {
            name: getattr(suggest, name)
            for name in (
                "FEW_RESULTS",
                "MIN_DF",
                "POSTS_PER_DF",
                "RATIO",
                "EDIT_MIN_CHARS",
                "MAX_CHARS",
                "REAL_WORD_MIN_CHARS",
            )
        }
    }

    began = time.perf_counter()
    frequencies = index.engine.word_frequencies()
    report["vocabulary"] = {"words": len(frequencies), "seconds": time.perf_counter() - began}
    documents = index.stats().documents
    tracemalloc.start()
    began = time.perf_counter()
    suggester = suggest.Suggester(frequencies, index.word_segmenter, documents)
    seconds = time.perf_counter() - began
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    report["suggester"] = {
        "candidates": len(suggester),
        "min_df": suggester.min_df,
        "seconds": seconds,
        "bytes": size,
    }

    readings = suggester.readings
    words = sorted(w for w, df in frequencies.items() if df >= 20 and _WORD.fullmatch(w))
    chars = sorted({c for w in words for c in w})
    by_reading: dict[str, list[str]] = {}
    for c in chars:
        for r in sorted(readings.of(c)[1]):
            by_reading.setdefault(r, []).append(c)
    targets = rng.sample(words, min(args.words, len(words)))
    times: list[float] = []

    def run(query: str) -> tuple[int, suggest.Suggestion | None, suggest.Suggestion | None]:
        total = index.search(query, limit=1).total
        began = time.perf_counter()
        ungated = suggester.suggest(query, 0)  # the whole work, whatever the total
        times.append(time.perf_counter() - began)
        return total, suggester.suggest(query, total), ungated

    outcome: dict[str, Counter[str]] = {}
    gates: list[tuple[str, int, bool, suggest.Suggestion | None]] = []
    examples: dict[str, list[str]] = {}
    for word in targets:
        for kind, typo in typos(word, by_reading, chars, rng, readings).items():
            if frequencies.get(typo, 0) >= suggest.MIN_DF:
                kind_counts = outcome.setdefault(kind, Counter())
                kind_counts["typo is a word"] += 1
                continue
            total, gated, ungated = run(typo)
            gates.append(("typo", total, ungated is not None and word in ungated.text, ungated))
            counts = outcome.setdefault(kind, Counter())
            counts["typos"] += 1
            counts["no result" if total == 0 else "results"] += 1
            for label, s in (("", gated), ("ungated ", ungated)):
                if label == "" and total > suggest.FEW_RESULTS:
                    continue
                if s is None:
                    counts[label + "none"] += 1
                elif word in s.text:
                    counts[label + "right"] += 1
                else:
                    counts[label + "wrong"] += 1
                    if label == "" and len(examples.setdefault(kind, [])) < 8:
                        examples[kind].append(f"{typo}→{s.text} (meant {word})")
    report["typos"] = {kind: dict(counts) for kind, counts in outcome.items()}
    report["wrong examples"] = examples

    rare = sorted(w for w, df in frequencies.items() if df <= 2 and _WORD.fullmatch(w))
    titles: dict[str, str] = {}
    for post_id in sorted(index.engine.digests()):
        stored = index.engine.stored(post_id)
        if stored is not None:
            titles[post_id] = stored.title
    from common import random_substrings

    common = [
        w for w in _jieba_words(1000) if w not in frequencies and not index.search(w, limit=1).total
    ]
    correct = {
        "rare words": rng.sample(rare, min(args.words, len(rare))),
        "title runs": [s for _, s in random_substrings(titles, args.words, rng)],
        "absent dictionary words": rng.sample(common, min(args.words, len(common))),
    }
    if args.other:
        with Index.open(args.other) as other:
            theirs = other.engine.word_frequencies()
        absent = sorted(
            w
            for w in theirs
            if _WORD.fullmatch(w) and w not in frequencies and not index.search(w, limit=1).total
        )
        correct["absent words of the other index"] = rng.sample(
            absent, min(args.words, len(absent))
        )
    false: dict[str, Any] = {}
    for name, queries in correct.items():
        counts = Counter()
        shown: list[str] = []
        for query in queries:
            total, gated, ungated = run(query)
            if name == "rare words":
                gates.append(("rare", total, False, ungated))
            counts["queries"] += 1
            counts["no result" if total == 0 else "results"] += 1
            counts["suggested"] += gated is not None
            counts["suggested ungated"] += ungated is not None
            if ungated is not None and len(shown) < 10:
                shown.append(f"{query}→{ungated.text} ({total})")
        false[name] = {**counts, "ungated examples": shown}
    report["correct queries"] = false

    report["gate"] = {}
    for few in (0, 1, 2, 3, 5):
        typo = [(right, s) for kind, total, right, s in gates if kind == "typo" and total <= few]
        rare = [s for kind, total, _, s in gates if kind == "rare" and total <= few]
        report["gate"][f"FEW_RESULTS={few}"] = {
            "typos shown a suggestion": sum(s is not None for _, s in typo),
            "right": sum(right for right, _ in typo),
            "rare correct words shown a suggestion": sum(s is not None for s in rare),
        }
    named = {}
    for typo, meant in NAMED:
        total, gated, ungated = run(typo)
        s = ungated
        named[typo] = {
            "total": total,
            "suggestion": s.text if s else None,
            "reason": s.reason if s else None,
            "right": bool(s and meant in s.text),
        }
    report["named"] = named
    times.sort()
    report["suggest seconds"] = {
        "queries": len(times),
        "median": times[len(times) // 2],
        "p99": times[int(len(times) * 0.99)],
        "max": times[-1],
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
