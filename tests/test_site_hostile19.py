"""Hostile input for issue 19's site reader, each compared with ``jekyll build`` 4.3.1
(:mod:`jekyll_oracle`) and with the exact text expected.

Every fixture text here was written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import jekyll_oracle
from jekyll_oracle import needs_jekyll

from searcher.site import Article, read_corpus


def post(body: str) -> str:
    return f"---\ntitle: 标题\ndate: 2022-03-01 10:00:00 +0800\n---\n{body}\n"


def write_site(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def articles(root: Path) -> dict[str, Article]:
    return {a.path: a for a in read_corpus(root) if isinstance(a, Article)}


#: Markup never closed: CommonMark would run it, raw, to the end of the document (and
#: lxml then drops it), kramdown prints it as text; ``{name: (body, searcher's text)}``.
UNCLOSED = {
    "comment": ("前文\n\n<!-- 未闭合注释\n\n后文**粗**", "前文\n<!-- 未闭合注释\n后文粗"),
    "indented": ("前文\n\n  <!-- 缩进未闭合\n\n后文", "前文\n<!-- 缩进未闭合\n后文"),
    "in-list": ("- 列表\n\n  <!-- 列表里\n\n后文", "列表\n<!-- 列表里\n后文"),
    "instruction": ("前文\n\n<?php 未闭合\n\n后文", "前文\n<?php 未闭合\n后文"),
    "cdata": ("前文\n\n<![CDATA[ 未闭合\n\n后文", "前文\n<![CDATA[ 未闭合\n后文"),
    "declaration": ("前文\n\n<!DOCTYPE 未闭合\n\n后文", "前文\n<!DOCTYPE 未闭合\n后文"),
    "closed-later": ("前文\n\n<!-- 注释\n\n仍是注释 -->\n\n后文", "前文\n后文"),
}


@needs_jekyll
def test_unclosed_comment_keeps_the_rest_of_the_post(tmp_path: Path) -> None:
    files = {f"_posts/2022-03-01-{name}.md": post(body) for name, (body, _) in UNCLOSED.items()}
    site = write_site(tmp_path / "site", files)
    oracle = jekyll_oracle.build(site)
    mine = articles(site)
    for name, (_, expected) in UNCLOSED.items():
        path = f"_posts/2022-03-01-{name}.md"
        assert mine[path].body == expected, name
        assert mine[path].warnings == [], name
        # kramdown's typography prints "<!--" as "<!–"; visible() maps it back.
        jekyll_text = jekyll_oracle.visible(oracle[path].text, jekyll=True)
        assert jekyll_oracle.visible(mine[path].body) == jekyll_text, name
