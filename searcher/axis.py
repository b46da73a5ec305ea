"""The date histogram's axis (issue #23): which bars carry a label and what it says, so
that the labels are readable and never overlap, on a phone or in the desktop sidebar.

The page draws one bar per month or per year (:func:`searcher.web.histogram`) across the
whole width of the chart, and the axis under it is a CSS grid of one equal column per
bar (``search.css``, ``.axis``). A label is a year (``2024``) under a bar per year, or a
month (``3月``) under a bar per month, with its year (``2024``) on a second line on the
first label and wherever the year changes. Every year is labelled, or every month, when
the labels fit; else every Nth (years divisible by N: 2000, 2005, 2010; months N apart
from January: 1月, 4月, 7月, 10月), the least N whose labels keep :data:`GAP_EMS` apart at
the narrowest the chart is drawn (:data:`CHART_EMS`). A chart only gets wider than that
(a phone's is 288 px at a 320 px screen, the sidebar's 240 px), and wider, labels only
move apart. A label too near an end to be centred under its bar starts at its bar's
left edge (``start``) or ends at its right edge (``end``), inside the chart; when that
brings it too near the next label, it is left out rather than labelling every 2Nth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: The narrowest chart, in ems of the labels' font: the desktop sidebar is 15rem wide
#: (``.facets``, ``search.css``) and labels are .75rem, so 20 label ems (240 px); on a
#: phone the chart is the page's width less 2rem, 288 px at 320 px (24 ems).
CHART_EMS = 20.0
#: A label's width in ems: the widest text measured in Chromium with the page's fonts
#: (WenQuanYi Zen Hei, 12 px) is a year, ``2024``, 30.55 px = 2.55 em (``12月`` 2.27 em,
#: ``1月`` 1.64 em); 0.2 em more for wider digits of other fonts.
LABEL_EMS = 2.75
#: The least space between two labels, in ems (6 px at 12 px).
GAP_EMS = 0.5
#: Label every Nth year for the least N of these that fits (years divisible by N).
YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000)
#: Label every Nth month for the least N of these that fits (N months from January).
MONTH_STEPS = (1, 2, 3, 6, 12)


@dataclass(frozen=True)
class Tick:
    """One label: ``text`` (``2024`` or ``3月``), the ``year`` shown under a month (or
    ``""``), and how it sits under its bar: ``center``, ``start`` (from the bar's left
    edge) or ``end`` (to its right edge)."""

    text: str
    year: str = ""
    align: str = "center"


def ticks(starts: Sequence[str], monthly: bool) -> list[Tick | None]:
    """The label of each bar, or None: one item per bar, in order.

    :param starts: each bar's first day, ISO (``2024-03-01``), in date order.
    :param monthly: a bar per month (else a bar per year; years that are not
        consecutive, over a century or more, are labelled every Nth bar).

    >>> [t.text if t else "" for t in ticks(["2020-01-01", "2021-01-01"], False)]
    ['2020', '2021']
    >>> months = [f"2024-{m:02d}-01" for m in range(1, 13)]
    >>> [(t.text, t.year) for t in ticks(months, True) if t]
    [('3月', '2024'), ('5月', ''), ('7月', ''), ('9月', ''), ('11月', '')]
    """
    if not starts:
        return []
    dates = [(int(s[:4]), int(s[5:7])) for s in starts]
    consecutive = all(b[0] - a[0] == 1 for a, b in zip(dates, dates[1:], strict=False))
    chosen: list[tuple[int, str]] = [(0, "center")]
    for step in MONTH_STEPS if monthly else YEAR_STEPS:
        if monthly:
            picked = [i for i, (_, month) in enumerate(dates) if (month - 1) % step == 0]
        elif consecutive:
            picked = [i for i, (year, _) in enumerate(dates) if year % step == 0]
        else:
            picked = list(range(0, len(dates), step))
        placed = _placed(picked, len(dates))
        if placed:
            chosen = placed
            break
    out: list[Tick | None] = [None] * len(dates)
    last_year = None
    for i, align in chosen:
        year, month = dates[i]
        if monthly:
            out[i] = Tick(f"{month}月", str(year) if year != last_year else "", align)
        else:
            out[i] = Tick(str(year), "", align)
        last_year = year
    return out


def _placed(picked: list[int], bars: int) -> list[tuple[int, str]] | None:
    """The picked bars that keep a label, with how each sits (``center``, ``start``,
    ``end``), when no two come nearer than :data:`GAP_EMS` on a chart
    :data:`CHART_EMS` wide; else None. A label pushed off-centre at an end that then
    comes too near its neighbour is left out (the neighbour, centred, is kept), so
    that an end does not make every label sparser."""
    width = CHART_EMS / bars
    kept: list[tuple[int, str, float]] = []  # (bar, align, left edge)
    for i in picked:
        centre = (i + 0.5) * width
        left = centre - LABEL_EMS / 2
        align = "center"
        if left < 0:
            align, left = "start", i * width
        elif centre + LABEL_EMS / 2 > CHART_EMS:
            align, left = "end", (i + 1) * width - LABEL_EMS
        if kept and left < kept[-1][2] + LABEL_EMS + GAP_EMS:
            if len(kept) == 1 and kept[0][1] == "start" and align == "center":
                kept.pop()  # the first label, pushed right, gives way
            elif align == "end":
                continue  # the last label, pushed left, gives way
            else:
                return None
        kept.append((i, align, left))
    return [(i, align) for i, align, _ in kept]


__all__ = ["CHART_EMS", "GAP_EMS", "LABEL_EMS", "Tick", "ticks"]
