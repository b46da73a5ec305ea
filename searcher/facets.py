"""Facet semantics: filters ORed within a facet and ANDed across facets, counted by
drill sideways (as Lucene's ``DrillSideways``): each facet's counts are taken over the
matches that pass every *other* filter, so a count is the total a reader gets by
toggling that value; and the date histogram (years, months).

Engine-neutral: an engine hands over, in its own row numbers (opaque here), each
facet's postings (:class:`FacetPostings`), each post's date and the matches of a query;
:func:`drill_sideways` does the rest with set operations and ``np.bincount``.

Under ``collapse`` (issue #22) an engine also hands over each row's *unit*, the number
of its story group (:mod:`searcher.stories`), and every count counts distinct units
rather than rows: a group counts for a value when one of its posts that passes the
other filters has the value, which is the number of groups a reader gets by toggling
it, as uncollapsed counts are the number of posts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .ranking import UNDATED
from .request import Filters

#: The facets an engine indexes, by name: values of ``categories``, ``tags``, ``type``
#: are the post's; ``year`` is its year in the site time zone (as a string).
FACETS = ("categories", "tags", "year", "type")


@dataclass(frozen=True)
class FacetPostings:
    """One facet's postings, kept per index generation: ``sets`` maps each value to its
    rows (for filters), and ``docs``/``values`` list every (row, value number) posting
    as two arrays, so that counting the values of any set of rows is one
    ``np.bincount``; ``size``: the number of rows."""

    sets: dict[str, frozenset[int]]
    names: list[str]
    docs: np.ndarray
    values: np.ndarray
    size: int
    numbers: dict[str, int] = field(default_factory=dict)  # value → its place in names

    def counts(
        self,
        among: set[int] | frozenset[int],
        masks: Masks | None = None,
        units: np.ndarray | None = None,
    ) -> np.ndarray:
        """How many of ``among`` have each value, in the order of ``names`` (``masks``
        turns a set of rows into a boolean array once per search); with ``units`` (each
        row's unit number), how many distinct units."""
        if not among or not self.names:
            return np.zeros(len(self.names), dtype=np.int64)
        keep = (masks or Masks(self.size)).of(among)[self.docs]
        if units is None:
            return np.bincount(self.values[keep], minlength=len(self.names))
        return distinct_counts(units[self.docs[keep]], self.values[keep], len(self.names))

    @classmethod
    def of(cls, values: dict[str, list[int]], size: int) -> FacetPostings:
        """The postings of ``{value: its rows}`` over ``size`` rows."""
        names = list(values)
        docs = [d for ids in values.values() for d in ids]
        numbers = [n for n, ids in enumerate(values.values()) for _ in ids]
        return cls(
            sets={value: frozenset(ids) for value, ids in values.items()},
            names=names,
            docs=np.array(docs, dtype=np.int64),
            values=np.array(numbers, dtype=np.int64),
            size=size,
            numbers={value: n for n, value in enumerate(names)},
        )


class Masks:
    """Boolean arrays over an index's rows, one per set of rows, made once: the
    facets of one search count the same few sets (the matches, those passing the other
    filters), and turning a set of 19,000 rows into an array takes about a
    millisecond."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._made: dict[int, tuple[Any, np.ndarray]] = {}

    def of(self, docs: set[int] | frozenset[int]) -> np.ndarray:
        """The mask of ``docs`` (kept while this object lives, by the set's identity)."""
        made = self._made.get(id(docs))
        if made is not None and made[0] is docs:
            return made[1]
        mask = np.zeros(self.size, dtype=bool)
        if docs:
            mask[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
        self._made[id(docs)] = (docs, mask)
        return mask


def distinct_counts(units: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """For each value number below ``size``, the distinct units among the postings
    ``(units[i], values[i])``."""
    pairs = np.unique(units.astype(np.int64) * size + values)
    return np.bincount(pairs % size, minlength=size)


def size_of(rows: set[int] | frozenset[int], units: np.ndarray | None = None) -> int:
    """How many rows, or with ``units`` how many distinct units, ``rows`` holds."""
    if units is None or not rows:
        return len(rows)
    return len(np.unique(units[np.fromiter(rows, dtype=np.int64, count=len(rows))]))


def counts(
    facet: FacetPostings,
    among: set[int] | frozenset[int],
    masks: Masks | None = None,
    units: np.ndarray | None = None,
) -> dict[str, int]:
    """``{value: how many of among have it}`` (rows, or distinct ``units``), values with
    none left out, largest first."""
    counts = zip(facet.names, facet.counts(among, masks, units).tolist(), strict=True)
    return dict(sorted(((v, c) for v, c in counts if c), key=lambda vc: (-vc[1], vc[0])))


def union(sets: dict[str, frozenset[int]], values: Iterable[str]) -> frozenset[int]:
    """The rows having any of ``values``."""
    return frozenset().union(*(sets.get(v, frozenset()) for v in values))


def toggle_counts(
    facet: FacetPostings,
    base: set[int],
    matched: set[int],
    chosen: tuple[str, ...],
    masks: Masks | None = None,
    units: np.ndarray | None = None,
) -> dict[str, int]:
    """For each value of a facet, the total a reader gets by toggling it (posts, or
    distinct ``units`` under collapse: :func:`_toggle_units`).

    ``base``: the matches passing every other facet's filter; ``matched``: those that
    also pass this facet's (any of ``chosen``, distinct values). Adding value v gives
    ``matched`` plus the posts of ``base`` that have v; removing a chosen value gives
    the posts of ``base`` that have one of the others (all of ``base`` when none is
    left). Values found in ``base`` and every chosen value are listed, largest count
    first.

    Linear in the facet's postings and the number of values, whatever the number
    chosen: a post of ``base`` still passes when v is removed unless v is the only
    chosen value it has, so removing v gives (posts with any chosen value) − (posts
    whose one chosen value is v), both counted in one pass over the postings.
    """
    if not chosen:
        return counts(facet, base, masks, units)
    masks = masks or Masks(facet.size)
    if units is not None:
        return _toggle_units(facet, base, matched, chosen, masks, units)
    picked = set(chosen)
    out: dict[str, int] = {}
    in_base = facet.counts(base, masks).tolist()
    in_matched = facet.counts(matched, masks).tolist()
    for value, extra, already in zip(facet.names, in_base, in_matched, strict=True):
        if extra and value not in picked:
            out[value] = len(matched) + extra - already
    if len(chosen) == 1:  # removing the only value removes the facet's filter
        out[chosen[0]] = len(base)
    else:
        is_chosen = np.zeros(len(facet.names), dtype=bool)
        numbers = [facet.numbers[v] for v in chosen if v in facet.numbers]
        is_chosen[numbers] = True
        keep = masks.of(base)[facet.docs] & is_chosen[facet.values]  # chosen postings in base
        per_doc = np.bincount(facet.docs[keep], minlength=facet.size)  # chosen values a post has
        with_any = int(np.count_nonzero(per_doc))
        alone = keep & (per_doc == 1)[facet.docs]  # the postings of posts with one chosen value
        only = np.bincount(facet.values[alone], minlength=len(facet.names)).tolist()
        for value in chosen:
            number = facet.numbers.get(value)
            out[value] = with_any - (only[number] if number is not None else 0)
    return dict(sorted(out.items(), key=lambda vc: (-vc[1], vc[0])))


def _toggle_units(
    facet: FacetPostings,
    base: set[int],
    matched: set[int],
    chosen: tuple[str, ...],
    masks: Masks,
    units: np.ndarray,
) -> dict[str, int]:
    """:func:`toggle_counts` counting distinct units: adding v gives the units of
    ``matched`` plus those of the posts of ``base`` with v whose unit is not among them;
    removing a chosen v gives the units with a post of ``base`` having another chosen
    value (all of ``base``'s when none is left)."""
    size = len(facet.names)
    in_base = masks.of(base)[facet.docs]
    doc_units = units[facet.docs]
    seen = np.zeros(int(units.max()) + 1 if len(units) else 0, dtype=bool)
    if matched:
        seen[units[np.fromiter(matched, dtype=np.int64, count=len(matched))]] = True
    shown = int(np.count_nonzero(seen))
    present = np.bincount(facet.values[in_base], minlength=size)
    new = in_base & ~seen[doc_units]
    extra = distinct_counts(doc_units[new], facet.values[new], size)
    picked = set(chosen)
    out = {
        value: shown + int(add)
        for value, found, add in zip(facet.names, present.tolist(), extra.tolist(), strict=True)
        if found and value not in picked
    }
    if len(chosen) == 1:
        out[chosen[0]] = size_of(base, units)
    else:
        is_chosen = np.zeros(size, dtype=bool)
        is_chosen[[facet.numbers[v] for v in chosen if v in facet.numbers]] = True
        keep = in_base & is_chosen[facet.values]
        pairs = np.unique(doc_units[keep].astype(np.int64) * size + facet.values[keep])
        owners = pairs // size
        per_unit = np.bincount(owners)
        alone = per_unit[owners] == 1
        only = np.bincount(pairs[alone] % size, minlength=size).tolist()
        with_any = int(np.count_nonzero(per_unit))
        for value in chosen:
            number = facet.numbers.get(value)
            out[value] = with_any - (only[number] if number is not None else 0)
    return dict(sorted(out.items(), key=lambda vc: (-vc[1], vc[0])))


def month_numbers(tz: dt.tzinfo, stamps: list[int]) -> np.ndarray:
    """Each row's month as a number (``year · 12 + month − 1`` in the site time zone
    ``tz``; −1 when undated) from its date ``stamps`` (Unix seconds or
    :data:`~searcher.ranking.UNDATED`); each distinct time is converted once."""

    def month(ts: int) -> int:
        if ts == UNDATED:
            return -1
        moment = dt.datetime.fromtimestamp(ts, tz)
        return moment.year * 12 + moment.month - 1

    seen: dict[int, int] = {}
    out = []
    for ts in stamps:
        found = seen.get(ts)
        if found is None:
            found = seen[ts] = month(ts)
        out.append(found)
    return np.array(out, dtype=np.int64)


def month_counts(
    months: np.ndarray,
    docs: set[int],
    masks: Masks | None = None,
    units: np.ndarray | None = None,
) -> dict[str, int]:
    """``{"YYYY-MM": count}`` of ``docs`` (dated ones; or of their distinct ``units``),
    in date order."""
    if not docs:
        return {}
    mask = (masks or Masks(len(months))).of(docs)
    codes = months[mask]
    if units is not None:
        dated = codes >= 0
        pairs = np.unique(units[mask][dated].astype(np.int64) * (1 << 20) + codes[dated])
        codes = pairs % (1 << 20)
    codes = codes[codes >= 0]
    values, counts = np.unique(codes, return_counts=True)
    return {
        f"{v // 12:04d}-{v % 12 + 1:02d}": c
        for v, c in zip(values.tolist(), counts.tolist(), strict=True)
    }


def in_range(found: set[int], stamps: list[int], filters: Filters) -> set[int]:
    """The rows of ``found`` dated within the filters' range (never undated ones)."""
    low = filters.start if filters.start is not None else UNDATED + 1
    high = filters.stop if filters.stop is not None else 2**63
    return {d for d in found if low <= stamps[d] <= high}


@dataclass(frozen=True)
class FacetData:
    """What an engine keeps per index generation for facets: each facet's postings (by
    name, :data:`FACETS`), each row's date (Unix seconds or UNDATED) and month number."""

    postings: dict[str, FacetPostings]
    stamps: list[int]
    months: np.ndarray


def _allowed(
    data: FacetData, found: set[int], filters: Filters
) -> dict[str, frozenset[int] | set[int] | None]:
    """Each filter's rows (None: no such filter)."""
    sets = data.postings
    return {
        "categories": union(sets["categories"].sets, filters.categories)
        if filters.categories
        else None,
        "tags": union(sets["tags"].sets, filters.tags) if filters.tags else None,
        "type": union(sets["type"].sets, filters.types) if filters.types else None,
        "date": in_range(found, data.stamps, filters) if filters.dated else None,
    }


def passing(data: FacetData, found: set[int], filters: Filters) -> set[int]:
    """The matches of ``found`` passing every filter (:func:`drill_sideways`'s first
    value, without the counts)."""
    out = found
    for ids in _allowed(data, found, filters).values():
        if ids is not None:
            out = out & ids
    return out


def drill_sideways(
    data: FacetData, found: set[int], filters: Filters, units: np.ndarray | None = None
) -> tuple[set[int], dict[str, dict[str, int]]]:
    """The matches of ``found`` passing every filter, and the facet counts of
    :class:`searcher.results.SearchResults`: for each of categories, tags and types,
    the totals after toggling each value (:func:`toggle_counts`, over the matches
    passing every *other* filter); years and months over the matches passing every
    filter but the date range. With ``units`` (each row's story group, under
    collapse), every count is of distinct units."""
    sets = data.postings
    allowed = _allowed(data, found, filters)

    def passing(skip: str = "") -> set[int]:
        if skip and allowed[skip] is None:
            return matched  # no filter of its own: the same as passing them all
        out = found
        for name, ids in allowed.items():
            if ids is not None and name != skip:
                out = out & ids
        return out

    matched = passing()
    undated = passing("date")
    masks = Masks(len(data.stamps))
    facets = {
        "categories": toggle_counts(
            sets["categories"], passing("categories"), matched, filters.categories, masks, units
        ),
        "tags": toggle_counts(sets["tags"], passing("tags"), matched, filters.tags, masks, units),
        "years": counts(sets["year"], undated, masks, units),
        "months": month_counts(data.months, undated, masks, units),
        "types": toggle_counts(sets["type"], passing("type"), matched, filters.types, masks, units),
    }
    return matched, facets


__all__ = [
    "FACETS",
    "FacetData",
    "FacetPostings",
    "Masks",
    "counts",
    "distinct_counts",
    "drill_sideways",
    "in_range",
    "month_counts",
    "month_numbers",
    "passing",
    "size_of",
    "toggle_counts",
]
