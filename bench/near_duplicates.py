"""Story groups (issue #22): the precision and recall of the near-duplicate rule of
:mod:`searcher.stories` on labelled pairs, on invented variants, and what it groups.

Usage:
    python bench/near_duplicates.py XWLB_INDEX FINEWS_INDEX [--variants N] [--out FILE]

Both indexes are built by ``searcher index`` from ``../shared/corpus/xwlb`` and
``../shared/corpus/finews``; the posts' bodies and dates are read from them.

* **Labelled pairs** (``bench/near_duplicates_labels.jsonl``): 214 pairs of xwlb posts,
  each read and labelled ``same`` (one is a copy or an edited copy of the other) or
  ``different`` by a reader, with the reason: 120 sampled across every band of
  estimated Jaccard similarity from 0.15 up, 85 of those published within 7 days of each
  other with a similarity of 0.5 or more, and the 9 pairs an overlap rule without
  :data:`~searcher.stories.MIN_JACCARD` grouped (a death notice and the cremation report
  quoting it); plus the one reprint found in finews.
* **Invented variants** of ``N`` xwlb stories (seeded), each paired with its original
  and dated a day later: a new headline (the body unchanged), a source line added and
  the link removed, a paragraph added (one of another story), a paragraph removed (of
  stories with three or more), a traditional-script copy (OpenCC's s2t), and all of a
  source line, a traditional copy and an added paragraph at once.

For every threshold of the grid, under each measure (the Jaccard estimate, and the
overlap coefficient that :mod:`searcher.stories` uses), it prints the precision and
recall on the labelled pairs and the recall on each kind of variant; then, under the
rule as shipped (LSH candidates, the date window), the same figures, the groups made of
the whole of xwlb and finews, and the time to sign and group xwlb.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import opencc

from searcher import stories
from searcher.index import Index

LABELS = Path(__file__).with_name("near_duplicates_labels.jsonl")
GRID = (0.7, 0.8, 0.85, 0.9, 0.95)
DAY = 86400


def _posts(path: str) -> dict[str, tuple[str, int | None]]:
    """``{id: (body, date in Unix seconds)}`` of an index's live posts."""
    with Index.open(path) as index:
        engine = index.engine
        out = {}
        for head in engine.headlines():
            post = engine.stored(head.id)
            if post is not None:
                stamp = int(dt.datetime.fromisoformat(post.date).timestamp()) if post.date else None
                out[post.id] = (post.body, stamp)
        return out


def _variants(rng: random.Random, body: str, other: str) -> dict[str, str]:
    """The invented copies of ``body`` (``other``: another story's body)."""
    s2t = opencc.OpenCC("s2t")
    lines = [line for line in body.split("\n") if line.strip()]
    text = [line for line in lines if not line.startswith("http")]
    added = rng.choice([p for p in other.split("\n") if len(p) > 30] or [other[:200]])
    out = {
        "headline": body,
        "source line": "\n".join([*text, "（来源：新华社）"]),
        "paragraph added": "\n".join([*lines, added]),
        "traditional": s2t.convert(body),
        "all three": s2t.convert("\n".join([*text, added, "（来源：人民日报海外版）"])),
    }
    if len(text) >= 3:
        drop = rng.randrange(1, len(text))
        out["paragraph removed"] = "\n".join(t for i, t in enumerate(text) if i != drop)
    return out


def _pair(a: tuple[str, int | None], b: tuple[str, int | None]) -> dict[str, Any]:
    """The measures of a pair of posts, and whether the shipped rule groups them."""
    signed = stories.signatures([("a", "", a[0], a[1]), ("b", "", b[0], b[1])])
    if not signed.eligible.all():
        return {"jaccard": 0.0, "overlap": 0.0, "grouped": False, "short": True}
    j = stories.jaccard(signed.matrix[0], signed.matrix[1])
    return {
        "jaccard": j,
        "overlap": stories.overlap(j, int(signed.sizes[0]), int(signed.sizes[1])),
        "overlap, jaccard ≥ min": stories.similarity(signed, 0, 1),
        "grouped": bool(stories.groups_of(signed).groups),
        "short": False,
        "days": None if a[1] is None or b[1] is None else abs(a[1] - b[1]) / DAY,
    }


def _rates(items: list[tuple[bool, bool]]) -> tuple[float | None, float | None]:
    """(precision, recall) of ``[(said same, is same)]``."""
    tp = sum(1 for said, truth in items if said and truth)
    fp = sum(1 for said, truth in items if said and not truth)
    fn = sum(1 for said, truth in items if not said and truth)
    return (tp / (tp + fp) if tp + fp else None, tp / (tp + fn) if tp + fn else None)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("xwlb")
    ap.add_argument("finews")
    ap.add_argument("--variants", type=int, default=300)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    posts = {"xwlb": _posts(args.xwlb), "finews": _posts(args.finews)}

    labelled = []
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        found = posts[row["corpus"]]
        m = _pair(found[row["a"]], found[row["b"]])
        labelled.append({**m, "same": row["label"] == "same"})

    rng = random.Random(22)
    xwlb = posts["xwlb"]
    ids = sorted(i for i, (body, _) in xwlb.items() if stories.shingles(body) is not None)
    kinds: dict[str, list[dict[str, Any]]] = {}
    for post_id in rng.sample(ids, args.variants):
        body, stamp = xwlb[post_id]
        other = xwlb[rng.choice(ids)][0]
        later = None if stamp is None else stamp + DAY
        for kind, text in _variants(rng, body, other).items():
            kinds.setdefault(kind, []).append(_pair((body, stamp), (text, later)))

    def decide(measure: str, threshold: float) -> Callable[[dict[str, Any]], bool]:
        def said(m: dict[str, Any]) -> bool:
            days = m.get("days")
            near = days is None or days <= stories.WINDOW_DAYS
            return not m["short"] and near and m[measure] >= threshold

        return said

    table: list[dict[str, Any]] = []
    for measure in ("jaccard", "overlap", "overlap, jaccard ≥ min"):
        for threshold in GRID:
            said = decide(measure, threshold)
            precision, recall = _rates([(said(m), m["same"]) for m in labelled])
            row = {"measure": measure, "threshold": threshold, "precision": precision}
            row["recall"] = recall
            for kind, items in kinds.items():
                row[kind] = sum(1 for m in items if said(m)) / len(items)
            table.append(row)
    shipped_p, shipped_r = _rates([(m["grouped"], m["same"]) for m in labelled])
    shipped = {
        "measure": f"shipped (overlap ≥ {stories.THRESHOLD}, Jaccard ≥ {stories.MIN_JACCARD}, "
        f"{stories.WINDOW_DAYS} days, LSH)",
        "precision": shipped_p,
        "recall": shipped_r,
        **{k: sum(1 for m in v if m["grouped"]) / len(v) for k, v in kinds.items()},
    }

    whole: dict[str, Any] = {}
    for name, found in posts.items():
        began = time.perf_counter()
        signed = stories.signatures((i, "", b, s) for i, (b, s) in found.items())
        signing = time.perf_counter() - began
        began = time.perf_counter()
        groups = stories.groups_of(signed)
        whole[name] = {
            "posts": len(found),
            "eligible": int(signed.eligible.sum()),
            "groups": len(groups.groups),
            "grouped": sum(len(g) for g in groups.groups),
            "largest": max((len(g) for g in groups.groups), default=0),
            "members": [list(g) for g in groups.groups],
            "sign_s": round(signing, 2),
            "group_s": round(time.perf_counter() - began, 2),
            "bytes": len(stories.to_bytes(signed, groups)),
        }

    kinds_order = list(kinds)
    print(f"labelled pairs: {len(labelled)} ({sum(m['same'] for m in labelled)} same)")
    print(
        f"invented variants of {args.variants} xwlb stories: "
        + ", ".join(f"{k} {len(v)}" for k, v in kinds.items())
    )
    head = "| measure | threshold | precision | recall | " + " | ".join(kinds_order) + " |"
    print(head)
    print("|" + "---|" * (4 + len(kinds_order)))
    for row in [*table, shipped]:
        cells = [row["measure"], str(row.get("threshold", "")), _pct(row["precision"])]
        cells += [_pct(row["recall"])] + [_pct(row[k]) for k in kinds_order]
        print("| " + " | ".join(cells) + " |")
    print(json.dumps(whole, ensure_ascii=False))
    if args.out:
        args.out.write_text(
            json.dumps({"grid": table, "shipped": shipped, "whole": whole}, indent=1),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
