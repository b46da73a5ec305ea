"""The recombination of ``bench/scale.py`` (issue #24): posts made from a site's posts,
deterministic for a seed, every body drawn from the sources' paragraphs."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from types import ModuleType

import pytest

from searcher.site import Article, read_corpus
from searchutil import post, write_corpus, write_files

BENCH = Path(__file__).resolve().parents[1] / "bench"
NEWS = "categories: xinwenlianbo\n"


@pytest.fixture
def scale(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """``bench/scale.py`` imported as the script imports its neighbours (bench/ on the
    path)."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("scale")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """Four invented posts of 3, 2, 1 and 4 paragraphs (the last with a styled ``<p>``
    and two categories, no tags), a file of ``_posts`` without front matter, a page."""
    return write_corpus(
        tmp_path,
        {
            "_posts/2023-01-02-a.md": post(
                "春运首日客流回升",
                "<p>甲一</p><p>甲二</p><p>甲三</p>\n\n<https://example.com/a>\n",
                extra=NEWS + 'tags: ["新闻联播", "春运"]\n',
            ),
            "_posts/2023-01-03-b.md": post(
                "长江十年禁渔见成效",
                "<p>乙一</p><p>乙二</p>\n\n<https://example.com/b>\n",
                extra=NEWS + 'tags: ["新闻联播"]\n',
            ),
            "_posts/2023-01-04-c.md": post(
                "冬小麦长势良好",
                "<p>丙一</p>\n",
                extra=NEWS + 'tags: ["新闻联播", "国内联播快讯"]\n',
            ),
            "_posts/2023-01-05-d.md": post(
                "城市更新行动",
                '<p style="text-indent: 2em;">丁一</p><p>丁二</p><p>丁三</p><p>丁四</p>\n',
                extra="categories: [news, city]\n",
            ),
            "_posts/notes.md": "没有前言的文件\n",
            "about.md": post("关于", "<p>不是文章</p>"),
        },
    )


def test_sources_are_the_posts_with_their_paragraphs(scale: ModuleType, site: Path) -> None:
    sources = scale.read_sources(site)
    assert [s.path for s in sources] == [
        "_posts/2023-01-02-a.md",
        "_posts/2023-01-03-b.md",
        "_posts/2023-01-04-c.md",
        "_posts/2023-01-05-d.md",
    ]
    assert sources[0].paragraphs == ("<p>甲一</p>", "<p>甲二</p>", "<p>甲三</p>")
    assert sources[0].closing == "\n\n<https://example.com/a>\n\n"
    assert sources[0].tags == ["新闻联播", "春运"]
    assert sources[3].paragraphs[0] == '<p style="text-indent: 2em;">丁一</p>'
    assert (sources[3].categories, sources[3].tags) == (["news", "city"], None)


def test_posts_made_for_a_seed(scale: ModuleType, site: Path) -> None:
    sources = scale.read_sources(site)
    made = list(scale.make_posts(sources, 7, 8))
    assert [(p.title_from, p.body_from, p.tail_from) for p in made] == [
        (0, 3, 2),
        (0, 0, 1),
        (2, 1, 2),
        (2, 1, 0),
        (3, 1, 3),
        (0, 3, 0),
        (2, 2, 3),
        (0, 2, 0),
    ]
    assert [p.name for p in made[:3]] == [
        "2026-05-06-scale-000001.md",
        "2024-06-25-scale-000002.md",
        "2024-03-15-scale-000003.md",
    ]
    assert made[1].date == dt.datetime.fromisoformat("2024-06-25T23:45:32+08:00")
    # b = 0 (3 paragraphs: the first 2), c = 1 (2 paragraphs: the last 1)
    assert made[1].paragraphs == ("<p>甲一</p>", "<p>甲二</p>", "<p>乙二</p>")
    assert (made[1].title, made[1].tags) == ("春运首日客流回升", ["新闻联播", "春运"])
    assert made[1].closing == "\n\n<https://example.com/a>\n\n"
    # c = 2 has one paragraph: none of it is taken
    assert made[2].paragraphs == ("<p>乙一</p>",)
    assert made[6].paragraphs == ("<p>丙一</p>", "<p>丁三</p>", "<p>丁四</p>")
    assert made[0].text() == (
        '---\nlayout: post\ntitle: "春运首日客流回升"\ndate: 2026-05-06 16:21:52 +0800\n'
        'categories: ["news", "city"]\n---\n<p style="text-indent: 2em;">丁一</p><p>丁二</p>\n\n'
    )


def test_made_posts_are_deterministic_and_drawn_from_the_sources(
    scale: ModuleType, site: Path
) -> None:
    sources = scale.read_sources(site)
    made = list(scale.make_posts(sources, 7, 40))
    assert made == list(scale.make_posts(sources, 7, 40))
    assert made[:5] == list(scale.make_posts(sources, 7, 5))  # post k does not depend on N
    assert made != list(scale.make_posts(sources, 8, 40))
    for p in made:
        head, tail = sources[p.body_from].paragraphs, sources[p.tail_from].paragraphs
        assert p.paragraphs == head[: (len(head) + 1) // 2] + tail[len(tail) - len(tail) // 2 :]
        assert p.title == sources[p.title_from].title
        assert p.closing == sources[p.body_from].closing
        assert scale.FIRST <= p.date < scale.END
    assert {s for p in made for s in p.paragraphs} <= {s for x in sources for s in x.paragraphs}


def test_archive_written_read_and_reused(scale: ModuleType, site: Path, tmp_path: Path) -> None:
    dest = tmp_path / "archive"
    first = scale.write_archive(site, 12, 7, dest)
    assert (first["posts"], first["sources"], first["seed"]) == (12, 4, 7)
    articles = [r for r in read_corpus(dest) if isinstance(r, Article)]
    assert len(articles) == 12
    assert sorted(a.title for a in articles)[:3] == ["冬小麦长势良好"] * 3
    write_files(dest, {"_posts/mark.txt": "kept"})
    assert scale.write_archive(site, 12, 7, dest) == first  # the same archive: reused
    assert (dest / "_posts" / "mark.txt").exists()
    assert scale.write_archive(site, 5, 7, dest)["posts"] == 5  # another: made anew
    assert not (dest / "_posts" / "mark.txt").exists()
    assert len(list((dest / "_posts").iterdir())) == 5
