"""End to end on real posts: ../shared/corpus/xwlb-small (300 news stories).

Skipped, with the reason, where ../shared is absent.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections import Counter

import pytest

from searcher.index import Index
from searcher.posts import Article, read_corpus
from searchutil import NO_SHARED, SHARED_CORPUS

SMALL = SHARED_CORPUS / "xwlb-small"
pytestmark = pytest.mark.skipif(not SMALL.is_dir(), reason=NO_SHARED)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Index:
    index = Index.create(tmp_path_factory.mktemp("xwlb") / "index")
    report = index.update(SMALL)
    assert (report.added, report.skipped, report.duplicates) == (300, 1, 0)  # 1: README.md
    return index


@pytest.fixture(scope="module")
def manifest() -> list[dict[str, object]]:
    lines = (SMALL / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_facet_counts_match_manifest(small: Index, manifest: list[dict[str, object]]) -> None:
    tags: Counter[str] = Counter()
    years: Counter[str] = Counter()
    for row in manifest:
        tags.update(row["tags"])  # type: ignore[arg-type]
        years[str(row["date"])[:4]] += 1
    results = small.search("", limit=1)
    assert results.total == 300
    assert results.facets["tags"] == dict(tags)
    assert results.facets["years"] == dict(years)
    assert results.facets["categories"] == {"xinwenlianbo": 300}
    stats = small.stats()
    assert stats.documents == 300
    assert stats.tags == dict(tags)
    first = min(str(r["date"]) for r in manifest)
    assert stats.first_date == dt.datetime.strptime(first, "%Y-%m-%d %H:%M:%S %z")


def test_facet_counts_under_a_query(small: Index, manifest: list[dict[str, object]]) -> None:
    results = small.search("", tags=["新思想引领新征程"], limit=1)
    expected = sum("新思想引领新征程" in r["tags"] for r in manifest)  # type: ignore[operator]
    assert results.total == expected
    # Each count is the total after toggling the value (issue #10): removing the chosen
    # tag gives every post; adding 新闻联播, which every post has, gives every post too.
    assert results.facets["tags"]["新思想引领新征程"] == len(manifest) == 300
    assert results.facets["tags"]["新闻联播"] == len(manifest)
    other = "领航中国"
    either = sum(bool({other, "新思想引领新征程"} & set(r["tags"])) for r in manifest)  # type: ignore[call-overload]
    assert results.facets["tags"][other] == either
    assert small.search("", tags=["新思想引领新征程", other]).total == either


def test_date_filters_are_inclusive_days(small: Index, manifest: list[dict[str, object]]) -> None:
    day = str(manifest[150]["date"])[:10]
    results = small.search("", since=day, until=day, limit=50)
    assert [h.path for h in results.hits] == [manifest[150]["path"]]
    year = small.search("", since="2023-01-01", until="2023-12-31", limit=1)
    assert year.total == sum(str(r["date"]).startswith("2023") for r in manifest)


def test_sort_newest_and_oldest(small: Index, manifest: list[dict[str, object]]) -> None:
    newest = small.search("", sort="newest", limit=3).hits
    oldest = small.search("", sort="oldest", limit=3).hits
    assert [h.path for h in oldest] == [r["path"] for r in manifest[:3]]
    assert [h.path for h in newest] == [r["path"] for r in manifest[::-1][:3]]
    page2 = small.search("", sort="oldest", limit=3, page=2).hits
    assert [h.path for h in page2] == [r["path"] for r in manifest[3:6]]


def test_200_random_substrings_find_their_post(small: Index) -> None:
    texts = {a.id: a.body for a in read_corpus(SMALL, small.timezone) if isinstance(a, Article)}
    rng = random.Random(2026)
    keys = sorted(texts)
    missed: list[tuple[str, str, str]] = []
    checked = 0
    while checked < 200:
        doc = rng.choice(keys)
        runs = [m.group() for m in re.finditer(r"[\u4e00-\u9fff]{2,}", texts[doc])]
        if not runs:
            continue
        run = rng.choice(runs)
        size = rng.randint(2, min(6, len(run)))
        start = rng.randint(0, len(run) - size)
        sub = run[start : start + size]
        checked += 1
        for query in (sub, f'"{sub}"'):
            hits = small.search(query, limit=300).hits
            if doc not in {h.id for h in hits}:
                missed.append((doc, query, "not found"))
            elif query.startswith('"'):
                hit = next(h for h in hits if h.id == doc)
                assert (
                    f"<mark>{sub}" in hit.snippet.replace("</mark><mark>", "") or sub in hit.title
                )
    assert missed == []
