"""The date histogram's axis (issue #23): it labelled only its first and last periods;
now its years, or months, as many as fit, never overlapping, under their bars. Exact
labels in the HTML (Flask's test client), and in real Chromium at phone (390 px) and
desktop (1280 px) sizes the labels' boxes do not overlap, stay inside the chart and sit
under their bars, for 1, 5 and 25 years of posts and a 14-month range."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from browserutil import VIEWPORTS, chromium, served, shot, viewport_page

from searcher.axis import Tick, ticks
from searcher.index import Index
from searcher.web import create_app
from searchutil import build, post


def months(first: tuple[int, int], count: int) -> list[tuple[int, int]]:
    year, month = first
    out = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


#: Each site's posts, one on the 10th of each (year, month).
SITES = {
    "one-year": months((2024, 1), 12),
    "five-years": [(y, 6) for y in range(2020, 2025)],
    "25-years": [(y, 6) for y in range(2000, 2025)],
    "14-months": months((2023, 11), 14),
}
#: The labels each site's axis shows, in order: (text, year line, alignment).
LABELS = {
    "one-year": [
        ("3月", "2024", "center"),
        ("5月", "", "center"),
        ("7月", "", "center"),
        ("9月", "", "center"),
        ("11月", "", "center"),
    ],
    "five-years": [(str(y), "", "center") for y in range(2020, 2025)],
    "25-years": [(str(y), "", "center") for y in (2005, 2010, 2015, 2020)],
    "14-months": [
        ("1月", "2024", "center"),
        ("4月", "", "center"),
        ("7月", "", "center"),
        ("10月", "", "center"),
    ],
}


def posts(dates: list[tuple[int, int]]) -> dict[str, str]:
    return {
        f"_posts/{y}-{m:02d}-10-p{y}{m:02d}.md": post(
            f"新闻{y}年{m}月", f"第{y}年{m}月的消息。", f"{y}-{m:02d}-10 09:00:00 +0800"
        )
        for y, m in dates
    }


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Index]]:
    built = {name: build(tmp_path_factory.mktemp(name), posts(d)) for name, d in SITES.items()}
    yield built
    for index in built.values():
        index.close()


def axis(page: str) -> list[tuple[str, str, str] | None]:
    """The axis of a page's HTML: per bar, its label ``(text, year, align)`` or None."""
    html = page.split('<div class="axis" aria-hidden="true">', 1)[1].split("</div>", 1)[0]
    out: list[tuple[str, str, str] | None] = []
    for align, text, year, empty in re.findall(
        r'<span class="tick (\w+)"><span>([^<]*)</span>'
        r'(?:<span class="year">([^<]*)</span>)?</span>|(<span></span>)',
        html,
    ):
        out.append(None if empty else (text, year, align))
    return out


def test_the_page_labels_as_many_periods_as_fit(indexes: dict[str, Index]) -> None:
    for name, index in indexes.items():
        page = create_app(index).test_client().get("/?q=").get_data(as_text=True)
        found = axis(page)
        bars = page.count('<rect class="bar')
        assert len(found) == bars, name
        assert [t for t in found if t] == LABELS[name], name
    # which bars: 25 years, every fifth from 2005 (2000, pushed right at the end, would
    # crowd 2005); 14 months from 2023-11, January and every third month after
    page = create_app(indexes["25-years"]).test_client().get("/?q=").get_data(as_text=True)
    assert [i for i, t in enumerate(axis(page)) if t] == [5, 10, 15, 20]
    page = create_app(indexes["14-months"]).test_client().get("/?q=").get_data(as_text=True)
    assert [i for i, t in enumerate(axis(page)) if t] == [2, 5, 8, 11]


def test_every_year_or_month_when_they_fit() -> None:
    assert [t.text if t else "" for t in ticks(["2023-01-01", "2024-01-01"], False)] == [
        "2023",
        "2024",
    ]
    three = ticks(["2024-01-01", "2024-02-01", "2024-03-01"], True)
    assert three == [Tick("1月", "2024"), Tick("2月"), Tick("3月")]
    # a new year gets its year line again
    turn = ticks(["2023-12-01", "2024-01-01"], True)
    assert turn == [Tick("12月", "2023"), Tick("1月", "2024")]
    assert ticks([], True) == []
    # over a century only the years with posts have bars: every Nth bar is labelled
    sparse = ticks([f"{y}-01-01" for y in (1800, 1850, 1900, 1950, 2000, 2024)], False)
    assert [t.text if t else "" for t in sparse] == ["1800", "1850", "1900", "1950", "2000", "2024"]


@pytest.fixture(scope="module")
def servers(indexes: dict[str, Index]) -> Iterator[dict[str, str]]:
    with (
        served(create_app(indexes["one-year"])) as one,
        served(create_app(indexes["five-years"])) as five,
        served(create_app(indexes["25-years"])) as many,
        served(create_app(indexes["14-months"])) as fourteen,
    ):
        yield {"one-year": one, "five-years": five, "25-years": many, "14-months": fourteen}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_labels_never_overlap_and_sit_under_their_bars(
    servers: dict[str, str], browser: Any, viewport: str
) -> None:
    assert VIEWPORTS[viewport][0] in (390, 1280)
    with viewport_page(browser, viewport) as page:
        for name, url in servers.items():
            page.goto(url + "/?q=")
            boxes = page.evaluate(
                """() => {
                  const box = e => { const r = e.getBoundingClientRect();
                                     return [r.left, r.right, r.top, r.bottom]; };
                  const ticks = [...document.querySelectorAll('.axis > span')];
                  const bars = [...document.querySelectorAll('.chart rect.bar')];
                  return {
                    chart: box(document.querySelector('.chart')),
                    bars: bars.map(box),
                    ticks: ticks.map((t, i) => t.classList.contains('tick') ? {
                      i, align: t.classList[1],
                      text: [...t.children].map(c => c.textContent).join(' '),
                      lines: [...t.children].map(box),
                    } : null).filter(Boolean),
                  };
                }"""
            )
            left, right = boxes["chart"][0], boxes["chart"][1]
            texts = [t["text"] for t in boxes["ticks"]]
            assert texts == [" ".join(filter(None, label[:2])) for label in LABELS[name]]
            spans = []
            for tick in boxes["ticks"]:
                lines = tick["lines"]
                start = min(line[0] for line in lines)
                end = max(line[1] for line in lines)
                # inside the chart, under the chart
                assert left - 0.5 <= start and end <= right + 0.5, (name, viewport, tick)
                assert min(line[2] for line in lines) >= boxes["chart"][3] - 0.5
                bar = boxes["bars"][tick["i"]]
                centre = (bar[0] + bar[1]) / 2
                if tick["align"] == "center":  # centred under its bar, to a pixel
                    assert abs((start + end) / 2 - centre) <= 1, (name, viewport, tick)
                else:
                    assert start <= centre <= end, (name, viewport, tick)
                spans.append((start, end))
            for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
                assert end + 4 <= start, (name, viewport, spans)  # 4 px apart at least
            nothing_wider = page.evaluate(
                "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
            )
            assert nothing_wider, (name, viewport)
            page.locator(".histogram").scroll_into_view_if_needed()
            shot(page, f"histogram-{name}")
