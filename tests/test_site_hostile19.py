"""Hostile input for issue 19's site reader, each compared with ``jekyll build`` 4.3.1
(:mod:`jekyll_oracle`) and with the exact text expected.

Every fixture text here was written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import jekyll_oracle
from jekyll_oracle import needs_jekyll

import searchutil
from searcher.site import Article, SiteOptions, Skipped, read_corpus


def post(body: str) -> str:
    return f"---\ntitle: 标题\ndate: 2022-03-01 10:00:00 +0800\n---\n{body}\n"


write_site = searchutil.write_files
articles = jekyll_oracle.articles


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


XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


@needs_jekyll
def test_xml_declaration_first_keeps_the_text(tmp_path: Path) -> None:
    """lxml refused a str starting with an encoding declaration, and the body read as
    empty, without a warning; Jekyll prints the text after it."""
    files = {
        "_posts/2022-03-01-html.html": post(XML_DECLARATION + "<p>网页正文。</p>\n<p>第二段。</p>"),
        "_posts/2022-03-01-md.md": post(XML_DECLARATION + "\n文章**正文**。"),
    }
    site = write_site(tmp_path / "site", files)
    oracle = jekyll_oracle.build(site)
    mine = articles(site)
    assert mine["_posts/2022-03-01-html.html"].body == "网页正文。\n第二段。"
    assert mine["_posts/2022-03-01-md.md"].body == "文章正文。"
    for path, article in mine.items():
        assert article.warnings == [], path
        jekyll_text = jekyll_oracle.visible(oracle[path].text, jekyll=True)
        # kramdown prints the declaration of a Markdown post as text (&lt;?xml …); the
        # HTML post's is markup that strip_html removes. Searcher indexes neither.
        assert jekyll_text.removeprefix('<?xmlversion="1.0"encoding="UTF-8"?>') == (
            jekyll_oracle.visible(article.body)
        ), path


XHTML_LAYOUT = (
    XML_DECLARATION
    + '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>{{ page.title }}</title></head>\n'
    "<body><nav>导航</nav><article>{{ content }}</article></body></html>\n"
)


@needs_jekyll
def test_rendered_xhtml_layout(tmp_path: Path) -> None:
    """--rendered: an XHTML layout (XML declaration first) was 'empty' to lxml, so every
    built page was refused with a wrong reason and the source read instead."""
    site = write_site(
        tmp_path / "site",
        {
            "_layouts/x.html": XHTML_LAYOUT,
            "_posts/2022-03-01-a.md": post(
                "{% if true %}构建后才有的文字{% endif %}正文。"
            ).replace("title: 标题\n", "title: 标题\nlayout: x\n"),
        },
    )
    jekyll_oracle.build(site, dest=site / "_site")
    (article,) = (
        a
        for a in read_corpus(site, options=SiteOptions(rendered="_site"))
        if isinstance(a, Article)
    )
    assert article.body == "构建后才有的文字正文。"
    assert article.warnings == []


TWO_ARTICLES_LAYOUT = (
    '<html><body><aside><article class="related">相关文章推荐</article></aside>\n'
    '<article class="post">{{ content }}<article class="comment">评论一</article></article>\n'
    "</body></html>\n"
)


@needs_jekyll
def test_rendered_page_with_two_articles_warns(tmp_path: Path) -> None:
    """--rendered: a sidebar's <article> before the post's was read as the body, and the
    post's own text was lost without a word. The first is still read (the documented
    rule), now with a warning saying how to choose; an <article> inside it is no cause."""
    site = write_site(
        tmp_path / "site",
        {
            "_layouts/two.html": TWO_ARTICLES_LAYOUT,
            "_layouts/one.html": TWO_ARTICLES_LAYOUT.split("\n", 1)[1],
            "_posts/2022-03-01-two.md": post("正文。").replace("date:", "layout: two\ndate:"),
            "_posts/2022-03-01-one.md": post("正文。").replace("date:", "layout: one\ndate:"),
        },
    )
    jekyll_oracle.build(site, dest=site / "_site")
    read = {
        a.path: a
        for a in read_corpus(site, options=SiteOptions(rendered="_site"))
        if isinstance(a, Article)
    }
    assert read["_posts/2022-03-01-one.md"].body == "正文。\n评论一"
    assert read["_posts/2022-03-01-one.md"].warnings == []
    assert read["_posts/2022-03-01-two.md"].body == "相关文章推荐"
    assert read["_posts/2022-03-01-two.md"].warnings == [
        "_posts/2022-03-01-two.md: its built page _site/2022/03/01/two.html has 3 elements "
        "matching 'article', not all inside the first: only the first is read (mark the "
        "content element with data-searcher-body, or name it with --content-selector)"
    ]


#: kramdown's own syntax: ``{name: (body, searcher's text)}``.
KRAMDOWN_SYNTAX = {
    "abbreviation": (
        "HTML 在前。\n\n*[HTML]: 超文本标记语言\n\n后文 HTML。",
        "HTML 在前。\n后文 HTML。",
    ),
    "abbreviation-cjk": ("*[中文]: 缩写定义\n\n中文正文", "中文正文"),
    "abbreviation-in-list": ("- 列表\n\n  *[API]: 应用接口\n\n正文 API", "列表\n正文 API"),
    # inside a paragraph it is text, in kramdown as here
    "abbreviation-in-paragraph": (
        "第一行\n*[CSS]: 层叠样式\n第三行",
        "第一行 *[CSS]: 层叠样式第三行",
    ),
    # a code block prints as written: kramdown syntax in it was deleted
    "ial-in-code": ("```\n{: .x}\n## 标题 {#id}\n代码\n```\n\n段落\n{: .y}", None),
    "ial-in-tilde-code": ("~~~~ ruby\n{::comment}注{:/comment}\n~~~~", None),
    # a comment hides the code blocks inside it
    "code-in-comment": ("{::comment}\n```\n隐藏代码\n```\n{:/comment}\n\n后文", "后文"),
}
KRAMDOWN_CODE = {
    "ial-in-code": "{: .x}\n## 标题 {#id}\n代码\n段落",
    "ial-in-tilde-code": "{::comment}注{:/comment}",
}


@needs_jekyll
def test_kramdown_abbreviations_and_syntax_in_code(tmp_path: Path) -> None:
    files = {f"_posts/2022-03-01-{n}.md": post(body) for n, (body, _) in KRAMDOWN_SYNTAX.items()}
    site = write_site(tmp_path / "site", files)
    oracle = jekyll_oracle.build(site)
    mine = articles(site)
    for name, (_, expected) in KRAMDOWN_SYNTAX.items():
        path = f"_posts/2022-03-01-{name}.md"
        assert mine[path].body == (expected or KRAMDOWN_CODE[name]), name
        jekyll_text = jekyll_oracle.visible(oracle[path].text, jekyll=True)
        assert jekyll_oracle.visible(mine[path].body) == jekyll_text, name


def test_snippet_of_a_long_post_with_matches_near_its_end(tmp_path: Path) -> None:
    """A body over LONG_TEXT (20,000) characters with two matches in its last 300: the
    merged excerpt ran past the text and every search that hit it raised IndexError."""
    body = "前文内容。" * 5000 + "这里有独特变量出现。\n\n独特变量再现"
    index = searchutil.build(tmp_path, {"_posts/2022-03-01-a.md": searchutil.post("甲", body)})
    assert searchutil.snippet(index, "独特变量") == (
        "这里有<mark>独特变量</mark>出现。<mark>独特变量</mark>再现"
    )


@needs_jekyll
def test_task_list_checkboxes_are_not_text(tmp_path: Path) -> None:
    """kramdown-parser-gfm prints '- [ ] 任务' as a checkbox; '[ ]' was indexed as text
    (and shown in snippets)."""
    body = (
        "- [ ] 未完成任务\n- [x] 完成任务\n- [X] 大写\n- 普通 [ ] 中间\n\n"
        "1. [ ] 有序\n\n[ ] 不是列表"
    )
    site = write_site(tmp_path / "site", {"_posts/2022-03-01-a.md": post(body)})
    oracle = jekyll_oracle.build(site)
    (article,) = articles(site).values()
    assert article.body == "未完成任务\n完成任务\n大写\n普通 [ ] 中间\n有序\n[ ] 不是列表"
    jekyll_text = jekyll_oracle.visible(oracle[article.path].text, jekyll=True)
    assert jekyll_oracle.visible(article.body) == jekyll_text


#: ``1)`` is no list marker in kramdown: ``{name: (body, searcher's text)}``.
PAREN_ITEMS = {
    "alone": ("1) 第一点\n2) 第二点\n\n段落", "1) 第一点 2) 第二点\n段落"),
    "after-text": ("说明：\n1) 第一点\n2) 第二点", "说明： 1) 第一点 2) 第二点"),
    "in-list": ("- 列表\n  1) 子项", "列表 1) 子项"),
    "after-dot-list": ("1. 正常\n1) 混合", "正常 1) 混合"),
}


@needs_jekyll
def test_parenthesis_items_are_text_as_in_kramdown(tmp_path: Path) -> None:
    """CommonMark's '1)' list items dropped their numbers ('第一点' alone) and split the
    paragraph; kramdown prints them as written, in one paragraph."""
    files = {f"_posts/2022-03-01-{n}.md": post(body) for n, (body, _) in PAREN_ITEMS.items()}
    site = write_site(tmp_path / "site", files)
    oracle = jekyll_oracle.build(site)
    mine = articles(site)
    for name, (_, expected) in PAREN_ITEMS.items():
        path = f"_posts/2022-03-01-{name}.md"
        assert mine[path].body == expected, name
        jekyll_text = jekyll_oracle.visible(oracle[path].text, jekyll=True)
        assert jekyll_oracle.visible(mine[path].body) == jekyll_text, name


@needs_jekyll
def test_the_configured_destination_is_not_read(tmp_path: Path) -> None:
    """Jekyll never reads its own output folder (Reader#retrieve_dirs skips site.dest):
    with 'destination: public', a file there with front matter was indexed, and the
    built pages were 'no front matter' notes; now they are left out as _site/ is."""
    inside = "public/旧页面.md"
    files = {
        "_config.yml": "destination: public\n",
        "_posts/2022-03-01-a.md": post("正文。"),
        inside: post("构建目录里的文件。"),
    }
    site = write_site(tmp_path / "site", files)
    oracle = jekyll_oracle.build(site, dest=site / "public")
    assert sorted(oracle) == ["_posts/2022-03-01-a.md"]
    write_site(site, {inside: files[inside]})  # the build cleaned it away
    items = list(read_corpus(site, options=SiteOptions(rendered="public")))
    left_out = [i for i in items if isinstance(i, Skipped)]
    assert [(i.path, i.reason, i.kind) for i in left_out] == [
        ("public", "Jekyll's output folder (2 built pages in it), not read", "special name")
    ]  # one record for the folder (issue #23), not one for each of its files
    (article,) = (i for i in items if not isinstance(i, Skipped))
    assert isinstance(article, Article) and article.path == "_posts/2022-03-01-a.md"
    assert article.body == "正文。"


LIQUID_VALUES = {
    "literal-if": ("{% if false %}不显示{% else %}显示这个{% endif %}", "显示这个"),
    "page-title": ("{{ page.title }}后面", "标题后面"),
    "literal-filter": ("{{ '字符串' | append: '追加' }}和", "字符串追加和"),
}


@needs_jekyll
def test_liquid_literal_values_as_jekyll_prints_them(tmp_path: Path) -> None:
    files = {f"_posts/2022-03-01-{n}.md": post(body) for n, (body, _) in LIQUID_VALUES.items()}
    site = write_site(tmp_path / "site", files)
    oracle = jekyll_oracle.build(site)
    mine = articles(site)
    for name, (_, expected) in LIQUID_VALUES.items():
        path = f"_posts/2022-03-01-{name}.md"
        assert jekyll_oracle.visible(oracle[path].text, jekyll=True) == expected, name
        assert mine[path].body == expected, name
