"""The page's histogram of matches by month or year (:func:`histogram`), its bars
linking to their periods and labelled by :mod:`searcher.axis`."""

from __future__ import annotations

import calendar
from dataclasses import dataclass

from ..axis import Tick, ticks

#: Up to this many months of matches the histogram has a bar per month, past it per year.
HISTOGRAM_MONTHS = 36


@dataclass
class Bar:
    """One histogram bar: a month or a year, its label, its date range (ISO days,
    inclusive) and how many results that range gives."""

    label: str
    since: str
    until: str
    count: int


def axis_ticks(bars: list[Bar]) -> list[Tick | None]:
    """The label under each bar of ``bars`` (:func:`searcher.axis.ticks`), or None."""
    return ticks([b.since for b in bars], bool(bars) and "月" in bars[0].label)


def histogram(months: dict[str, int], years: dict[str, int]) -> list[Bar]:
    """Bars over the span of ``months`` (``{"2024-03": n}``), empty periods included:
    a bar per month up to :data:`HISTOGRAM_MONTHS` months, else a bar per year (from
    ``years``, ``{"2024": n}``; only the years with posts when they span a century or
    more, so the number of bars stays bounded)."""
    if not months:
        return []
    keys = sorted(months)
    first, last = keys[0], keys[-1]
    y0, m0 = int(first[:4]), int(first[5:7])
    y1, m1 = int(last[:4]), int(last[5:7])
    span = (y1 - y0) * 12 + m1 - m0 + 1
    bars = []
    if span <= HISTOGRAM_MONTHS:
        for i in range(span):
            y, m = divmod(m0 - 1 + i, 12)
            y += y0
            key = f"{y:04d}-{m + 1:02d}"
            end = calendar.monthrange(y, m + 1)[1]
            bars.append(Bar(f"{y}年{m + 1}月", f"{key}-01", f"{key}-{end:02d}", months.get(key, 0)))
    else:  # a bar per year; over more than a century, only the years that have posts
        span_years = range(y0, y1 + 1) if y1 - y0 < 100 else sorted({int(k[:4]) for k in keys})
        for y in span_years:
            bars.append(Bar(f"{y}年", f"{y:04d}-01-01", f"{y:04d}-12-31", years.get(str(y), 0)))
    return bars


# -- the app -----------------------------------------------------------------------
