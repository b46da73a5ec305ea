"""Where the numeral rule of searcher.analysis.numerals converts, on a real corpus.

Usage: python bench/numerals.py [CORPUS_DIR] [--sample 250] [--seed 20] [--top 60] [--literal 300]

Reads every post (title and body, as indexed), cuts the text into clauses at
punctuation and white space, and reports as one JSON object:

* ``chinese``: the quantities in Chinese numerals the rule converts (occurrences,
  distinct spellings, the most frequent), the candidates it refuses because they
  stand inside a longer word of the segmenter (the idioms and names), and a seeded
  random sample of converted occurrences with 8 characters of context either side,
  to be judged by hand (precision);
* ``units``: the share of Arabic digit runs followed by a CJK character whose next
  characters are a unit of ``UNITS`` (with 多/余, or 万/亿), and the most frequent
  characters that are not;
* ``arabic``: the Chinese spellings made for the corpus's Arabic quantities, and for
  the most frequent of them, how often the spelling occurs literally in the corpus
  against how often it occurs there as that very quantity (the rest are the matches
  the Chinese alternative of a digit query adds that are not the quantity:
  ``五年`` inside ``五年级``, ``十二万`` inside ``二十二万``).
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import time
from pathlib import Path

from common import SHARED_CORPUS, need
from searcher.analysis import fold, make_segmenter
from searcher.analysis.numerals import UNITS, arabic_quantities, chinese_quantities
from searcher.posts import Article, read_corpus

CLAUSE = re.compile(r"[^\s，。；：！？、,;:!?（）()《》“”‘’\"'【】\[\]<>…—·]+")
DIGITS_THEN_CJK = re.compile(r"(?<![0-9.,])\d+(?:[.,]\d+)*(?=[\u4e00-\u9fff])")


class Chars:
    """A segmenter that makes every character a word: every offset is a boundary, so
    ``chinese_quantities`` with it gives the candidates before the word rule."""

    name = "chars"

    def cut(self, text: str) -> list[str]:
        return list(text)

    def describe(self) -> dict[str, str]:
        return {"segmenter": "chars", "dictionary": "none"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(SHARED_CORPUS / "xwlb"))
    ap.add_argument("--sample", type=int, default=250)
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--top", type=int, default=60)
    ap.add_argument("--literal", type=int, default=300)
    args = ap.parse_args()
    t0 = time.perf_counter()
    clauses: list[str] = []
    posts = 0
    for item in read_corpus(need(Path(args.corpus))):
        if isinstance(item, Article):
            posts += 1
            for text in (item.title, item.body):
                clauses += CLAUSE.findall(fold(text, case=False))
    seg = make_segmenter()
    chars = Chars()
    converted: collections.Counter[str] = collections.Counter()
    refused: collections.Counter[str] = collections.Counter()
    found: list[tuple[str, str]] = []  # (context, conversion)
    spellings: collections.Counter[str] = collections.Counter()
    unit_runs = 0
    unit_hits = 0
    not_units: collections.Counter[str] = collections.Counter()
    units = tuple(UNITS) + ("万", "亿")
    for clause in clauses:
        accepted = {(q.start, q.end) for q in chinese_quantities(clause, seg)}
        for q in chinese_quantities(clause, chars):
            written = clause[q.start : q.end]
            if (q.start, q.end) in accepted:
                converted[written] += 1
                context = (
                    f"{clause[max(0, q.start - 8) : q.start]}[{written}]{clause[q.end : q.end + 8]}"
                )
                found.append((context, q.spellings[0]))
            else:
                refused[written] += 1
        for q in arabic_quantities(clause):
            spellings[q.spellings[0]] += 1
        for m in DIGITS_THEN_CJK.finditer(clause):
            unit_runs += 1
            after = clause[m.end() :].lstrip("多余")
            if after.startswith(units):
                unit_hits += 1
            else:
                not_units[after[:1]] += 1
    text = "\n".join(clauses)
    literal = []
    for spelling, count in spellings.most_common(args.literal):
        occurs = text.count(spelling)
        literal.append((spelling, count, occurs, converted[spelling]))
    occurs_total = sum(o for _, _, o, _ in literal)
    same_total = sum(min(s, o) for _, _, o, s in literal)
    rng = random.Random(args.seed)
    out = {
        "posts": posts,
        "clauses": len(clauses),
        "seconds": round(time.perf_counter() - t0, 1),
        "chinese": {
            "converted": sum(converted.values()),
            "distinct": len(converted),
            "refused_inside_words": sum(refused.values()),
            "refused_distinct": len(refused),
            "top": converted.most_common(args.top),
            "top_refused": refused.most_common(args.top),
            "sample": [f"{c} → {s}" for c, s in rng.sample(found, min(args.sample, len(found)))],
        },
        "units": {
            "digit_runs_before_cjk": unit_runs,
            "with_unit": unit_hits,
            "share": round(unit_hits / max(unit_runs, 1), 4),
            "top_not_units": not_units.most_common(40),
        },
        "arabic": {
            "quantities": sum(spellings.values()),
            "distinct": len(spellings),
            "top_literal_occurrences": occurs_total,
            "top_as_that_quantity": same_total,
            "top": [
                {"spelling": s, "digit_quantities": n, "literal": o, "as_quantity": q}
                for s, n, o, q in literal
            ],
        },
    }
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
