"""Story groups and related stories on a real index (issue #22): how long a collapsed
search and a related-stories request take, and how good the related stories are.

Usage:
    python bench/stories.py INDEX_DIR [--count N] [--seed S] [--out FILE]

Opens ``INDEX_DIR`` (read only) and, in one process:

* **collapse**: every request of ``bench/queries.txt`` (its first page, as the page asks
  it) twice in turn, with ``collapse`` off and on, each timed with a fresh ``Index``
  (its results cache would answer the second), in ms; p50, p99 and max of each; with
  ``--synthetic-groups G``, the same again with the index's posts put in ``G`` made-up
  groups of three (drawn with the seed), to time collapse where most matches fold (an
  aggregator's archive: xwlb itself has one group);
* **related**: ``Index.related(id, 5)`` for ``N`` posts drawn with the seed (default
  300), and the same through ``GET /api/posts/<id>/related`` (Flask's test client), in
  ms;
* **quality**: for the same posts, the share of the related posts that share a *tag*
  with the source post (tags held by more than half the posts, such as xwlb's 新闻联播,
  do not count) or a *named entity* (a word jieba's part-of-speech tagger marks as a
  person, place, organisation or other proper noun: ``nr``, ``ns``, ``nt``, ``nz``,
  two characters or more, in the title or the body; those in more than
  :data:`COMMON_ENTITY` of 2,000 posts drawn with the seed, such as 央视网, 中国 and
  新闻联播 on xwlb, do not count), against a baseline: the five latest posts of the
  same category published before the source post (what a "latest in this category"
  box shows).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

import jieba.posseg

from searcher.index import Index
from searcher.request import SearchRequest
from searcher.stories import StoryGroups
from searcher.web import create_app

HERE = Path(__file__).resolve().parent
ENTITY_TAGS = ("nr", "ns", "nt", "nz")
#: Entities held by more than this share of the sampled posts do not count as shared.
COMMON_ENTITY = 0.05


def figures(ms: list[float]) -> dict[str, float]:
    """p50, p99 and max of ``ms`` (nearest rank), in ms to 2 decimals."""
    ordered = sorted(ms)
    at = min(len(ordered) - 1, max(0, round(0.99 * len(ordered)) - 1))
    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered), 2),
        "p99": round(ordered[at], 2),
        "max": round(ordered[-1], 2),
    }


def requests() -> list[list[tuple[str, str]]]:
    """The requests of ``bench/queries.txt`` as URL parameter pairs."""
    out = []
    for line in (HERE / "queries.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            out.append([tuple(p.split("=", 1)) for p in line.split("&")])  # type: ignore[misc]
    return out


def collapse_latency(path: Path, synthetic: int = 0, seed: int = 0) -> dict[str, Any]:
    """A collapsed search beside the same search uncollapsed, as the page asks it, each
    request timed both ways in turn (two ``Index`` objects, their results caches
    cleared); with ``synthetic``, over that many made-up groups of three posts. Gives
    p50, p99 and max of each way and of the extra time a request takes collapsed."""
    timings: dict[str, list[float]] = {"off": [], "on": [], "extra": []}
    totals: dict[str, int] = {"off": 0, "on": 0}
    with Index.open(path) as plain, Index.open(path) as folding:
        if synthetic:
            ids = sorted(h.id for h in folding.engine.headlines())
            random.Random(seed).shuffle(ids)
            made = sorted(tuple(sorted(ids[i : i + 3])) for i in range(0, 3 * synthetic, 3))
            # (the groups an Index keeps for its generation, replaced for the bench)
            folding._stories = (folding.sync()[:3], StoryGroups(tuple(made), "synthetic"))
        plain.search("中国")  # what the first search of a process loads
        folding.search("中国", collapse=True)
        for params in requests():
            took = {}
            for name, index, collapse in (("off", plain, False), ("on", folding, True)):
                request = SearchRequest.from_pairs(params, collapse=collapse)
                index._results.clear()  # each request computed, never from the cache
                began = time.perf_counter()
                found = index.search(request)
                took[name] = (time.perf_counter() - began) * 1000
                timings[name].append(took[name])
                totals[name] += found.total
            timings["extra"].append(took["on"] - took["off"])
    return {**{k: figures(v) for k, v in timings.items()}, "summed_totals": totals}


def entities(text: str) -> set[str]:
    """The named entities of ``text`` (jieba's part-of-speech tags, see the module)."""
    return {w.word for w in jieba.posseg.cut(text) if w.flag in ENTITY_TAGS and len(w.word) > 1}


def quality(
    index: Index, chosen: list[str], related: dict[str, list[str]], seed: int
) -> tuple[list[str], dict[str, Any]]:
    """The entities too common to count, and the share of the related posts and of the
    baseline's that share a tag, or a tag or a named entity, with their source."""
    heads = list(index.engine.headlines())
    share = Counter(t for h in heads for t in set(h.tags))
    common = {t for t, n in share.items() if n > len(heads) / 2}
    by_id = {h.id: h for h in heads}
    stamp = {h.id: dt.datetime.fromisoformat(h.date).timestamp() if h.date else 0.0 for h in heads}
    by_category: dict[str, list[str]] = {}
    for h in sorted(heads, key=lambda h: (stamp[h.id], h.id)):
        for c in h.categories or ("",):
            by_category.setdefault(c, []).append(h.id)
    memo: dict[str, set[str]] = {}

    def found_names(post_id: str) -> set[str]:
        if post_id not in memo:
            post = index.engine.stored(post_id)
            memo[post_id] = entities(post.title + "\n" + post.body) if post else set()
        return memo[post_id]

    sample = random.Random(seed).sample(sorted(by_id), min(2000, len(by_id)))
    entity_df = Counter(e for p in sample for e in found_names(p))
    frequent = {e for e, n in entity_df.items() if n > COMMON_ENTITY * len(sample)}
    common_entities = sorted(frequent, key=lambda e: -entity_df[e])[:20]

    def names(post_id: str) -> set[str]:
        return found_names(post_id) - frequent

    def judged(source: str, others: list[str]) -> tuple[int, int, int]:
        tags = set(by_id[source].tags) - common
        tag_hits = sum(1 for o in others if tags & (set(by_id[o].tags) - common))
        either = sum(
            1 for o in others if tags & (set(by_id[o].tags) - common) or names(source) & names(o)
        )
        return tag_hits, either, len(others)

    totals = {"related": [0, 0, 0], "baseline": [0, 0, 0]}
    stories = index.stories()
    for post_id in chosen:
        own = set(stories.members(post_id))
        peers = by_category[(by_id[post_id].categories or ("",))[0]]
        before = [p for p in peers if stamp[p] <= stamp[post_id] and p not in own][-5:][::-1]
        for name, others in (("related", related[post_id]), ("baseline", before)):
            for i, n in enumerate(judged(post_id, others)):
                totals[name][i] += n
    scores = {
        name: {
            "posts_listed": n,
            "share_tag": round(t / n, 3) if n else None,
            "share_tag_or_entity": round(e / n, 3) if n else None,
        }
        for name, (t, e, n) in totals.items()
    }
    return common_entities, scores


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index", type=Path)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--seed", type=int, default=22)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--synthetic-groups", type=int, default=3000)
    args = ap.parse_args()
    out: dict[str, Any] = {"collapse": collapse_latency(args.index)}
    if args.synthetic_groups:
        out["collapse_synthetic"] = collapse_latency(args.index, args.synthetic_groups, args.seed)

    index = Index.open(args.index)
    heads = list(index.engine.headlines())
    rng = random.Random(args.seed)
    chosen = rng.sample(sorted(h.id for h in heads), args.count)
    began = time.perf_counter()
    index.stories()
    index.related(chosen[0])  # what the first request of a process loads
    first = (time.perf_counter() - began) * 1000
    related: dict[str, list[str]] = {}
    library: list[float] = []
    for post_id in chosen:
        began = time.perf_counter()
        related[post_id] = [h.id for h in index.related(post_id, 5)]
        library.append((time.perf_counter() - began) * 1000)
    client = create_app(index).test_client()
    api: list[float] = []
    for post_id in chosen:
        began = time.perf_counter()
        answer = client.get(f"/api/posts/{post_id}/related")
        api.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, post_id
    out["related"] = {"first_ms": round(first, 1), "library": figures(library), "api": figures(api)}

    out["common_entities"], out["quality"] = quality(index, chosen, related, args.seed)
    out["quality"]["sources_without_related"] = sum(1 for v in related.values() if not v)
    print(json.dumps(out, ensure_ascii=False, indent=1))
    if args.out:
        args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
