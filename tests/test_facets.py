"""Facet semantics (issue #10): values of one facet OR, facets AND, and every count is
exactly the total a reader gets by toggling that value, in the library and the API."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from searcher.index import Index
from searchutil import build, post

TAGGED = {
    "_posts/2024-01-05-a.md": ("科技", ["数字经济", "智慧城市"]),
    "_posts/2024-02-05-b.md": ("科技", ["数字经济"]),
    "_posts/2024-03-05-c.md": ("社会", ["智慧城市", "教育"]),
    "_posts/2024-04-05-d.md": ("社会", ["教育"]),
    "_posts/2025-01-05-e.md": ("财经", ["数字经济", "教育"]),
    "_posts/2025-02-05-f.md": ("财经", []),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    posts = {
        name: post(
            f"城市新闻{i}",
            "城市建设新进展。",
            date=name[7:17],
            extra=f"categories: {cat}\ntags: [{', '.join(tags)}]\n",
        )
        for i, (name, (cat, tags)) in enumerate(TAGGED.items())
    }
    return build(Path(tmp_path_factory.mktemp("facets")), posts)


def toggled(chosen: tuple[str, ...], value: str) -> tuple[str, ...]:
    return tuple(v for v in chosen if v != value) if value in chosen else (*chosen, value)


def test_every_count_is_the_total_after_toggling(index: Index) -> None:
    cats = ("科技", "社会", "财经")
    tags = ("数字经济", "智慧城市", "教育")
    states = 0
    for nc, nt in itertools.product(range(3), range(3)):
        for chosen_cats in itertools.combinations(cats, nc):
            for chosen_tags in itertools.combinations(tags, nt):
                results = index.search("城市", categories=chosen_cats, tags=chosen_tags)
                for value, count in results.facets["categories"].items():
                    after = index.search(
                        "城市", categories=toggled(chosen_cats, value), tags=chosen_tags
                    )
                    assert after.total == count, (chosen_cats, chosen_tags, value)
                for value, count in results.facets["tags"].items():
                    after = index.search(
                        "城市", categories=chosen_cats, tags=toggled(chosen_tags, value)
                    )
                    assert after.total == count, (chosen_cats, chosen_tags, value)
                for chosen in chosen_cats:
                    assert chosen in results.facets["categories"]
                states += 1
    assert states == 49


def test_values_of_one_facet_or_and_facets_and(index: Index) -> None:
    assert index.search("城市", tags=["数字经济"]).total == 3
    assert index.search("城市", tags=["数字经济", "智慧城市"]).total == 4
    assert index.search("城市", tags=["数字经济"], categories=["社会"]).total == 0
    results = index.search("城市", tags=["数字经济"])
    # The example of issue #10: 智慧城市 offered beside 数字经济 shows the ORed total.
    assert results.facets["tags"] == {"数字经济": 6, "教育": 5, "智慧城市": 4}
    assert results.facets["categories"] == {"科技": 2, "财经": 1}
    assert results.unfiltered_total == 6


def test_dates_count_every_filter_but_the_date_range(index: Index) -> None:
    results = index.search("城市", since="2025-01-01", until="2025-12-31", tags="教育")
    assert results.total == 1
    assert results.facets["years"] == {"2024": 2, "2025": 1}
    assert results.facets["months"] == {"2024-03": 1, "2024-04": 1, "2025-01": 1}
    month = index.search("城市", since="2024-03-01", until="2024-03-31", tags="教育")
    assert month.total == results.facets["months"]["2024-03"]


def test_a_single_string_is_one_value_and_empty_values_are_ignored(index: Index) -> None:

    assert index.search("城市", categories="科技").total == 2  # not 科 OR 技
    assert index.search("城市", tags="数字经济").total == 3
    assert index.search("城市", tags=["", "数字经济"]).total == 3
    assert index.search("城市", tags=[""]).total == 6
    assert index.search("城市", categories="科技").total == 2
