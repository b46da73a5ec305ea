"""CASES.md C15 and issue #8's ranking: exact wording first, then closeness, then newer
news; the optional recency factor."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from searcher.errors import QueryError
from searcher.index import Index
from searcher.ranking import PROXIMITY_SCALE, PROXIMITY_WEIGHT, VERBATIM_TIER, recency_factor
from searchutil import build, ids, post


def test_c15_verbatim_beats_parts_even_in_a_title(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "_posts/2024-03-01-a.md": post("产业观察", "国产量子芯片今年出货量大增。"),
            "_posts/2024-03-01-b.md": post("量子通信周报", "本期介绍的芯片来自海外。"),
        },
    )
    # Issue #20: b holds only the parts, so only the looser results hold it, below a.
    assert ids(index, "量子芯片") == ["_posts/2024-03-01-a"]
    loose = index.search("量子芯片", match="loose")
    assert [h.id for h in loose.hits] == ["_posts/2024-03-01-a", "_posts/2024-03-01-b"]
    hits = loose.hits
    assert all(h.score is not None and h.score < VERBATIM_TIER for h in hits)  # tier not shown


def test_c15_verbatim_beats_many_scattered_parts(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "_posts/2024-03-01-a.md": post("长文", "这篇报道很长。" * 40 + "最后提到量子芯片。"),
            "_posts/2024-03-01-b.md": post(
                "量子芯片量子量子", "量子。芯片。量子。芯片。量子。芯片。"
            ),
        },
    )
    # b holds 量子芯片 verbatim in its title: both are verbatim, b has much more.
    assert ids(index, "量子芯片") == ["_posts/2024-03-01-b", "_posts/2024-03-01-a"]
    index.close()
    index = build(
        tmp_path / "2",
        {
            "_posts/2024-03-01-a.md": post("长文", "这篇报道很长。" * 40 + "最后提到量子芯片。"),
            "_posts/2024-03-01-b.md": post(
                "量子、芯片周报", "量子，芯片。量子，芯片。量子，芯片。"
            ),
        },
    )
    assert ids(index, "量子芯片") == ["_posts/2024-03-01-a"]
    loose = index.search("量子芯片", match="loose").hits
    assert [h.id for h in loose] == ["_posts/2024-03-01-a", "_posts/2024-03-01-b"]


def test_c15_equal_scores_newest_first(tmp_path: Path) -> None:
    body = "市图书馆新馆今日开放，藏书两百万册。"
    index = build(
        tmp_path,
        {
            "_posts/2019-05-01-a.md": post("图书馆新馆开放", body, "2019-05-01 09:00:00 +0800"),
            "_posts/2021-05-01-b.md": post("图书馆新馆开放", body, "2021-05-01 09:00:00 +0800"),
            "_posts/2024-05-01-c.md": post("图书馆新馆开放", body, "2024-05-01 09:00:00 +0800"),
        },
    )
    for query in ("图书馆", "新馆开放", "藏书"):
        assert ids(index, query) == [
            "_posts/2024-05-01-c",
            "_posts/2021-05-01-b",
            "_posts/2019-05-01-a",
        ]


def test_parts_close_together_beat_parts_far_apart(tmp_path: Path) -> None:
    # Same characters, same length, so the same BM25F; only the distance differs, and
    # the far one is newer (so the date alone would put it first).
    near = "量子与芯片研究同步推进，相关团队今年扩编。"
    far = "量子研究同步推进，相关团队今年扩编与芯片。"
    assert sorted(near) == sorted(far)
    index = build(
        tmp_path,
        {
            "_posts/2024-03-01-near.md": post("甲", near, "2024-03-01 09:00:00 +0800"),
            "_posts/2024-06-01-far.md": post("甲", far, "2024-06-01 09:00:00 +0800"),
        },
    )
    # Two query words (issue #20 extends the proximity rule across words).
    hits = index.search("量子 芯片").hits
    assert [h.id for h in hits] == ["_posts/2024-03-01-near", "_posts/2024-06-01-far"]
    assert hits[0].score is not None and hits[1].score is not None
    # near: 1 unit between 量子 and 芯片; far: the sentence end breaks it but the window
    # still counts units (positions skip one at each break).
    ratio = hits[0].score / hits[1].score
    gap_near = 1
    factor_near = 1 + PROXIMITY_WEIGHT / (1 + gap_near / PROXIMITY_SCALE)
    assert ratio > 1.1
    assert hits[0].score == pytest.approx(hits[1].score / _far_factor(far) * factor_near)


def _far_factor(text: str) -> float:
    # units between 量子 (ends at unit 2) and 芯片 in ``far``: count CJK characters, plus
    # one position for each comma between them.
    start = text.index("子") + 1
    end = text.index("芯")
    between = text[start:end]
    units = sum(1 for ch in between if "\u4e00" <= ch <= "\u9fff")
    gap = units + between.count("，")
    return 1 + PROXIMITY_WEIGHT / (1 + gap / PROXIMITY_SCALE)


def test_recency_factor_formula() -> None:
    day = 86400
    assert recency_factor(0, 0, 30) == 1.0
    assert recency_factor(0, 30 * day, 30) == 0.75
    assert recency_factor(0, 60 * day, 30) == 0.625
    assert recency_factor(10 * day, 0, 30) == 1.0  # a future date counts as now
    assert math.isclose(recency_factor(0, 3650 * day, 30), 0.5)


TODAY = dt.date.today()
NEW = TODAY - dt.timedelta(days=10)
OLD = TODAY - dt.timedelta(days=3 * 365)
NEW_ID, OLD_ID = f"_posts/{NEW}-new", f"_posts/{OLD}-old"


@pytest.fixture()
def dated(tmp_path: Path) -> Index:
    return build(
        tmp_path,
        {
            # the old story mentions the word twice: more relevant by BM25F
            f"{OLD_ID}.md": post("港口", "集装箱吞吐量创新高，集装箱航线增加。", f"{OLD} 09:00:00"),
            f"{NEW_ID}.md": post("港口", "集装箱吞吐量创新高，航线继续增加。", f"{NEW} 09:00:00"),
        },
    )


def test_recency_lets_recent_stories_rise(dated: Index) -> None:
    now = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.timezone.utc)
    plain = dated.search("集装箱", now=now)
    assert [h.id for h in plain.hits] == [OLD_ID, NEW_ID]
    recent = dated.search("集装箱", recency=30, now=now)
    assert [h.id for h in recent.hits] == [NEW_ID, OLD_ID]
    old_plain, new_plain = (h.score for h in plain.hits)
    assert old_plain is not None and new_plain is not None
    ts_old = dt.datetime.combine(OLD, dt.time(1), tzinfo=dt.timezone.utc).timestamp()
    expected_old = old_plain * recency_factor(int(ts_old), now.timestamp(), 30)
    scores = {h.id: h.score for h in recent.hits}
    assert scores[OLD_ID] == pytest.approx(expected_old, rel=1e-5)
    # a half-life of 10,000 years changes nothing
    slow = dated.search("集装箱", recency=3_650_000, now=now)
    assert [h.id for h in slow.hits] == [h.id for h in plain.hits]


@pytest.mark.parametrize("bad", [0, -1, "30", True, float("nan")])
def test_recency_must_be_positive_days(dated: Index, bad: object) -> None:
    with pytest.raises(QueryError, match="recency: must be a number of days above 0"):
        dated.search("集装箱", recency=bad)  # type: ignore[arg-type]


def test_recency_on_the_command_line_and_the_api(dated: Index, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from searcher.cli import main
    from searcher.web import create_app

    runner = CliRunner()
    out = runner.invoke(main, ["search", "集装箱", "--index", str(tmp_path / "index")])
    assert out.exit_code == 0, out.output
    assert out.output.index(str(OLD)) < out.output.index(str(NEW))
    out = runner.invoke(
        main, ["search", "集装箱", "--recency", "30", "--index", str(tmp_path / "index")]
    )
    assert out.exit_code == 0, out.output
    assert out.output.index(str(NEW)) < out.output.index(str(OLD))
    bad = runner.invoke(main, ["search", "集装箱", "--recency", "0", "--index", "x"])
    assert (bad.exit_code, bad.output) == (
        2,
        "error: recency: must be a number of days above 0 written with 0-9, not '0'\n",
    )

    client = create_app(dated).test_client()
    data = client.get("/api/search?q=集装箱&recency=30").get_json()
    assert [h["id"] for h in data["hits"]] == [NEW_ID, OLD_ID]
    err = client.get("/api/search?q=集装箱&recency=abc")
    assert err.status_code == 400
    assert "recency" in err.get_json()["error"]
    page = client.get("/?q=集装箱&recency=30").get_data(as_text=True)
    assert '<option value="30" selected>近一月优先</option>' in page


def test_recency_under_date_sorting_says_it_does_nothing(dated: Index) -> None:
    results = dated.search("集装箱", recency=30, sort="newest")
    assert results.notices == ["recency only reorders relevance sorting, not newest"]
    assert [h.id for h in results.hits] == [NEW_ID, OLD_ID]
