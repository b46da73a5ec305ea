"""Hostile posts found by trying to break the reader (names, YAML bombs, control codes)."""

from __future__ import annotations

import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from searcher.index import Index
from searcher.posts import Article, Skipped, parse_date, read_corpus


def test_same_stem_md_and_html_are_two_articles(tmp_path: Path) -> None:
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2024-01-29-same.md").write_text(
        "---\ntitle: 同名甲\ncategories: 甲\n---\n甲。\n", "utf-8"
    )
    (posts / "2024-01-29-same.html").write_text(
        "---\ntitle: 同名乙\ncategories: 乙\n---\n乙。\n", "utf-8"
    )
    ids = sorted(a.id for a in read_corpus(tmp_path) if isinstance(a, Article))
    assert ids == ["_posts/2024-01-29-same", "_posts/2024-01-29-same.md"]
    index = Index.create(tmp_path / "index")
    assert index.update(tmp_path).added == 2
    assert index.search("同名").total == 2


def test_yaml_alias_bomb_is_cheap(tmp_path: Path) -> None:
    lines = ["---", "title: 炸弹", "a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    lines += ["tags: [*h, *h, *h, *h, *h, *h, *h, *h, *h]", "---", "正文。", ""]
    path = tmp_path / "2024-02-13-bomb.md"
    path.write_text("\n".join(lines), "utf-8")
    started = time.perf_counter()
    (article,) = list(read_corpus(tmp_path))
    assert time.perf_counter() - started < 5  # 9**9 items if expanded: minutes and GBs
    assert isinstance(article, Article)
    # A field whose aliases expand past MAX_NODES values is dropped, with one warning
    # naming the first line and the fields (the ones searcher uses first).
    assert (article.title, article.tags) == ("炸弹", [])
    assert article.warnings == [
        "2024-02-13-bomb.md:11: tags, e, f, g, h: YAML aliases expand to more than 10,000 "
        "values; ignored"
    ]


def test_control_characters_never_reach_titles_or_facets(tmp_path: Path) -> None:
    path = tmp_path / "2024-01-28-ctrl.md"
    path.write_text(
        '---\ntitle: "控制\\e[31m字符\\a标题"\ntags: ["a\\x07b"]\n---\n正文。\n', "utf-8"
    )
    (article,) = list(read_corpus(tmp_path))
    assert isinstance(article, Article)
    assert (article.title, article.tags) == ("控制[31m字符标题", ["ab"])


def test_symlinked_folder_is_reported_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "2024-01-01-x.md").write_text("---\ntitle: 链接\n---\n正文。\n", "utf-8")
    corpus = tmp_path / "corpus"
    (corpus / "_posts").mkdir(parents=True)
    (corpus / "_posts" / "linkdir").symlink_to(target)
    (items,) = list(read_corpus(corpus))
    assert isinstance(items, Skipped)
    assert (items.path, items.reason) == (
        "_posts/linkdir",
        "symbolic link to a folder: not followed",
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2022年3月1日", "2022-03-01T00:00:00+08:00"),
        ("2022年03月01日 08:30", "2022-03-01T08:30:00+08:00"),
        ("2022.03.01", "2022-03-01T00:00:00+08:00"),
        ("Tue, 01 Mar 2022 08:30:00 +0800", "2022-03-01T08:30:00+08:00"),
        ("2022-02-28T23:30:00-01:00", "2022-03-01T08:30:00+08:00"),
        ("2022-03-01T08:30:00Z", "2022-03-01T16:30:00+08:00"),
    ],
)
def test_more_date_forms_land_on_the_same_day(written: str, expected: str) -> None:
    parsed = parse_date(written, ZoneInfo("Asia/Shanghai"))
    assert parsed is not None and parsed.isoformat() == expected


def test_ruby_annotations_are_not_text(tmp_path: Path) -> None:
    path = tmp_path / "2024-01-01-ruby.md"
    path.write_text(
        "---\ntitle: 注音\n---\n<p><ruby>汉<rp>(</rp><rt>hàn</rt>字</ruby>。</p>\n", "utf-8"
    )
    (article,) = list(read_corpus(tmp_path))
    assert isinstance(article, Article)
    assert article.body == "汉字。"
