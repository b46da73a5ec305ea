"""Parity of the Xapian engine with the Whoosh engine (issue #24): on every request of
bench/queries.txt, both engines match the same posts (the same query plan, the same
analysis), so they give the same totals, unfiltered totals, facet counts and matching
rule, and the same pages under a date order; under relevance their scores differ
(Xapian's BM25 against Whoosh's BM25F, :mod:`searcher.engine.xapian.engine`), and the
top-10 overlap is held to a measured floor.

Posts: ../shared/corpus/xwlb-small (300 real stories), built once with each engine.
The full corpus's figures come from ``bench/parity.py``."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from searcher.index import Index
from searcher.request import MAX_CPU_SECONDS, SearchRequest
from searchutil import NO_SHARED, SHARED_CORPUS

pytestmark = pytest.mark.engine("xapian")  # both engines in one test: run it once
SMALL = SHARED_CORPUS / "xwlb-small"
QUERIES = Path(__file__).resolve().parents[1] / "bench" / "queries.txt"
ENGINES = ("whoosh", "xapian")
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
#: Floor of the mean top-10 overlap of relevance-ordered pages (``|A ∩ B| / max(|A|,
#: |B|)``, requests with a hit), measured with ``bench/parity.py --quick`` on xwlb-small
#: (181 requests): 0.9079 with the Xapian engine of 403e713 (133 with the same set of
#: hits, 92 in the same order, 137 with the same first hit), 0.9095 with be38bed's (a
#: title or label match weighs a fixed boost · idf: 134, 94, 140). On the full xwlb the
#: same script measured 0.610 and 0.615 (188 requests; 54 with the same set, 84–87 with
#: the same first hit): with 19,541 posts many more posts compete for the top 10, and
#: the engines' scores differ in length normalisation and idf.
MIN_OVERLAP = 0.90
#: Floor of the relevance-ordered pages with the same first hit: measured 137 and 140 of
#: 181 (see :data:`MIN_OVERLAP`).
MIN_SAME_FIRST = 130

Answer = tuple[int, int, dict[str, dict[str, int]], str, list[str], bool]


def requests(match: str | None = None) -> list[tuple[str, SearchRequest]]:
    """``(line, request)`` of bench/queries.txt, with the most CPU time (no answer cut
    short) and one ``now``; ``match`` replaces the request's rule."""
    out = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pairs = [part.partition("=")[::2] for part in line.split("&")]
        request = SearchRequest.from_params(MultiDict(pairs))
        request = request.but(cpu_seconds=MAX_CPU_SECONDS, now=NOW)
        out.append((line, request.but(match=match) if match else request))
    return out


def answer(index: Index, request: SearchRequest) -> Answer:
    """Total, unfiltered total, facets, matching rule, the page's ids, and whether it is
    ordered by score."""
    r = index.search(request)
    scored = any(h.score is not None for h in r.hits)
    return r.total, r.unfiltered_total, r.facets, r.match, [h.id for h in r.hits], scored


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, list[Answer]]]:
    """Each engine's answers to every request, as written then with ``match=exact``."""
    if not SMALL.is_dir():
        pytest.skip(NO_SHARED)
    root = tmp_path_factory.mktemp("parity")
    out: dict[str, list[Answer]] = {}
    for name in ENGINES:
        assert Index.build(root / name, SMALL, engine=name, jobs=2).added == 300
        with Index.open(root / name) as index:
            assert index.meta["engine"] == name
            out[name] = [answer(index, r) for _, r in requests() + requests("exact")]
    yield out


def lines() -> list[str]:
    return [line for line, _ in requests()] + [f"{line} (exact)" for line, _ in requests()]


def test_same_totals_facets_and_rule_on_every_request(answers: dict[str, list[Answer]]) -> None:
    assert len(requests()) == 235
    differ = [
        line
        for line, a, b in zip(lines(), answers["whoosh"], answers["xapian"], strict=True)
        if a[:4] != b[:4]
    ]
    assert differ == []
    assert sum(1 for a in answers["whoosh"] if a[0]) == 420  # they do find posts


def test_same_pages_in_date_order(answers: dict[str, list[Answer]]) -> None:
    """Newest or oldest first (or a query matching every post): the order is the posts'
    dates then ids, so the same matches give the same pages."""
    pairs = [(a[4], b[4]) for a, b in zip(answers["whoosh"], answers["xapian"], strict=True)]
    dated = [(a, b) for (a, b), x in zip(pairs, answers["whoosh"], strict=True) if a and not x[5]]
    assert len(dated) == 56
    assert [a for a, _ in dated] == [b for _, b in dated]


def test_top10_overlap_under_relevance(answers: dict[str, list[Answer]]) -> None:
    """The relevance-ordered pages of the requests as written: see :data:`MIN_OVERLAP`."""
    count = len(requests())
    pairs = [
        (a[4], b[4])
        for a, b in zip(answers["whoosh"][:count], answers["xapian"][:count], strict=True)
        if (a[4] or b[4]) and (a[5] or b[5])
    ]
    assert len(pairs) == 181
    shares = [len(set(a) & set(b)) / max(len(a), len(b)) for a, b in pairs]
    assert statistics.fmean(shares) >= MIN_OVERLAP
    assert sum(a[0] == b[0] for a, b in pairs) >= MIN_SAME_FIRST
