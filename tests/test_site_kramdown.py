"""Markdown read as kramdown reads it, against the oracle: ``jekyll build`` 4.3.1's
``content | strip_html`` of each post (``tests/jekyll_oracle.py``), issue 19.

One fixture site, one post per construct, text written for these tests. For each post
searcher's stored text must show what Jekyll shows (:func:`jekyll_oracle.visible`: white
space and typography aside), modulo two documented deviations, and equal an exact body:

* alt text is kept (Jekyll's ``strip_html`` drops it with the ``<img>``), unless it is
  a file name (``searcher.site.markdown.image_alt``);
* footnotes' ``↩`` back links are not text.
"""

from __future__ import annotations

import time
from pathlib import Path

import jekyll_oracle
import pytest
from jekyll_oracle import OracleDoc, cjk_missing, markup_left, visible

from searcher.site import Article, read_corpus
from searcher.site.text import body_to_text

POSTS: dict[str, str] = {
    # 1. Emphasis next to CJK punctuation: bold in kramdown, literal ** in CommonMark.
    "emphasis-cjk": (
        "Google**「让 Web 成为更好的平台」**而努力。\n\n"
        "**文｜**龚菁琦\n\n"
        "这是**“引号”**的例子，**（括号）**也是。\n\n"
        "海关实行7*24小时通关，*号另作说明。\n"
    ),
    # *, **, _, __, nested, unmatched, spaces.
    "emphasis-kinds": (
        "*斜体*和**粗体**，***两者***。\n\n"
        "**外层*内层*外层**，*外层**内层**外层*。\n\n"
        "中文_不是斜体_中文，snake_case_name，__init__.py，_单独_。\n\n"
        "**没有闭合，* 星号后有空格 *，** 空格 **。\n\n"
        "a *b *c* d，**a*。\n"
    ),
    "strike": "~~删除~~和~~ 不删 ~~，~~~三个~~~，中文~~删去~~中文。\n",
    # 2. HTML blocks run to their end tag across blank lines; indented HTML is HTML.
    "html-blocks": (
        '<div class="note">\n第一段\n\n第二段 **不是粗体**\n</div>\n\n'
        "  <div>\n    <p>缩进的段落</p>\n\n    <p>空行后缩进的段落</p>\n  </div>\n\n"
        "<details>\n<summary>摘要</summary>\n\n**原样**\n\n</details>\n\n"
        "之后的正文\n"
    ),
    "html-markdown": '<div markdown="1">\n**粗体**在块里\n</div>\n\n结尾\n',
    # kramdown's tables: any run of lines with "|" up to a blank line, GFM or not.
    "pipes": (
        "参见：现场 | 我所亲历的事件\n\n"
        "**记者** | **编辑**\n以上职位接受实习\n\n"
        "原文：~~[标题 | 副题](https://a.example/1)~~ 已删\n\n"
        "- 列表 | 项\n- 第二项\n\n"
        "| 甲 | 乙 |\n|---|---|\n| 1 | `a|b` |\n"
    ),
    # An HTML element kramdown reads as a block ends at its end tag: Markdown after it.
    "html-then-text": '<font color="red">《周刊》</font>《[某文](http://x.example/1)》称\n\n后文\n',
    # 3. Link and image targets kramdown accepts.
    "links": (
        "[点我](javascript:void(0)) 和 [空格 链接](a b.html) 和 "
        '<a href="/x">标签链接</a> 和 ![图 一](my image.png "题") 和 '
        '[带标题](/t "标题")。\n'
    ),
    # 4. kramdown's own syntax.
    "kramdown-syntax": (
        "段落一\n{: .lead}\n\n"
        '{:#second}\n段落二，*强调*{: .x}，[链接](/a){:target="_blank"}，文字{: .y}。\n\n'
        "## 小标题 {#sub}\n\n"
        '{::options parse_block_html="false" /}\n\n'
        "{::comment}\n这段注释不显示\n{:/comment}\n\n"
        "{::nomarkdown}\n<b>原样输出</b>\n{:/}\n\n"
        "{:ref: .cls}\n"
        "结尾。\n"
    ),
    "toc": "* TOC\n{:toc}\n\n## 第一章\n\n正文一。\n\n### 小节 **粗**\n\n## 第二章\n\n正文二。\n",
    # The whole list before {:toc} is replaced: its other items are never shown.
    "toc-list": "前言\n\n* 目录\n* 这里也是\n{:toc}\n\n## 第一节\n\n正文\n\n- 甲\n\n## 第二节\n",
    "footnotes": "正文[^1]，再一处[^note]。\n\n[^1]: 脚注一。\n[^note]: 脚注二 **粗**。\n",
    # 5. Fences right after text.
    "fences": "说明\n~~~~\n代码 一\n~~~~\n之后\n\n再说明\n```\n代码 二\n```\n结束\n",
    # 6. Links keep their text; the source link stands alone at the end.
    "autolinks": (
        "参考 <https://example.com/ref> 和 [文档](https://docs.example.com/)。\n\n"
        "正文最后一段。\n\n"
        "<http://news.example.com/2022/1.html>\n"
    ),
    "source-link-text": "正文。\n\n[原文链接](https://news.example.com/2.html)\n\n（完）\n",
    "no-source-link": (
        "正文 <https://example.com/a>。\n\n<https://example.com/b> 在中间。\n\n结尾。\n"
    ),
    # finews' ending: source link, then the site's navigation footer (dropped: a
    # documented deviation, issue 2), and the empty autolink "<>" (dropped too).
    "finews-ending": (
        "快讯正文。\n\n<>\n\n<http://finance.example.com/news/1.html>\n\n"
        "[返回滚动新闻](//news.example.com/emnews/)｜[返回首页](//news.example.com/)\n"
    ),
    "front-matter-source": "正文。\n\n<http://body.example.com/1.html>\n",
    "mailto": "写信 <mailto:editor@example.com> 或 <news@example.com>。\n",
    "encoded-autolink": "见 <https://example.com/%E9%92%9F%E5%8D%97> 一文。\n",
    # 7. Alt text that is a file name is not indexed; other alt text is.
    "alt-text": (
        "![寿光水灾-1.jpg](/img/寿光水灾-1.jpg) ![IMG_2024.PNG](/img/IMG_2024.PNG) "
        "![现场照片](/img/p.jpg) ![photo](/img/photo)\n\n图后文字。\n"
    ),
}

BODIES = {
    "emphasis-cjk": (
        "Google「让 Web 成为更好的平台」而努力。\n文｜龚菁琦\n这是“引号”的例子，（括号）也是。\n"
        "海关实行724小时通关，号另作说明。"
    ),
    "emphasis-kinds": (
        "斜体和粗体，两者。\n外层内层外层，外层内层外层。\n"
        "中文_不是斜体_中文，snake_case_name，init.py，单独。\n"
        "没有闭合，* 星号后有空格 *， 空格 **。\na b *c d，*a。"
    ),
    # kramdown's /~~(?!\s|~).*?[^\s~]~~/, left to right: "~~ 不删" opens nothing,
    # "~~，~~" and "~~，中文~~" are struck (measured), the last "~~" has no pair.
    "strike": "删除和~~ 不删 ，~三个~，中文删去~~中文。",
    "html-blocks": (
        "第一段\n第二段 **不是粗体**\n缩进的段落\n空行后缩进的段落\n摘要\n**原样**\n之后的正文"
    ),
    "html-markdown": "粗体在块里\n结尾",
    "links": "点我 和 空格 链接 和 标签链接 和 图 一 和 带标题。",
    "kramdown-syntax": ("段落一\n段落二，强调，链接，文字{: .y}。\n小标题\n原样输出\n结尾。"),
    "toc": "第一章\n小节 粗\n第二章\n第一章\n正文一。\n小节 粗\n第二章\n正文二。",
    "toc-list": "前言\n第一节\n第二节\n第一节\n正文\n甲\n第二节",
    "footnotes": "正文1，再一处2。\n脚注一。\n脚注二 粗。",
    "fences": "说明\n代码 一\n之后\n再说明\n代码 二\n结束",
    "autolinks": (
        "参考 https://example.com/ref 和 文档。\n正文最后一段。\nhttp://news.example.com/2022/1.html"
    ),
    "source-link-text": "正文。\n原文链接\n（完）",
    "finews-ending": "快讯正文。\nhttp://finance.example.com/news/1.html",
    "front-matter-source": "正文。\nhttp://body.example.com/1.html",
    "no-source-link": "正文 https://example.com/a。\nhttps://example.com/b 在中间。\n结尾。",
    "mailto": "写信 editor@example.com 或 news@example.com。",
    "encoded-autolink": "见 https://example.com/%E9%92%9F%E5%8D%97 一文。",
    # Rows that run on into a line without "|" are a paragraph; a table cell ends at
    # each "|", inside a link's text too: Jekyll shows "~~[标题" and "副题](…)~~".
    "pipes": (
        "参见：现场\n我所亲历的事件\n记者 | 编辑以上职位接受实习\n"  # one paragraph
        "原文：~~[标题\n副题](https://a.example/1)~~ 已删\n列表\n项\n第二项\n甲\n乙\n1\na|b"
    ),
    "html-then-text": "《周刊》\n《某文》称\n后文",
    "alt-text": "现场照片\n图后文字。",
}

SOURCE_URLS = {
    "autolinks": "http://news.example.com/2022/1.html",
    "source-link-text": "https://news.example.com/2.html",
    "finews-ending": "http://finance.example.com/news/1.html",
    "front-matter-source": "https://front.example.com/original",
}

FRONT_MATTER = {"front-matter-source": "source_url: https://front.example.com/original\n"}

#: Text Jekyll prints and searcher leaves out on purpose: navigation footers, "<>".
DROPPED = {"finews-ending": ["<>", "返回滚动新闻｜返回首页"]}

#: Alt text searcher keeps and Jekyll's strip_html drops (the documented deviation).
KEPT_ALT = {"links": ["图一"], "alt-text": ["现场照片"]}


def post_path(name: str) -> str:
    return f"_posts/2022-03-01-{name}.md"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kramdown") / "site"
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("timezone: Asia/Shanghai\n", encoding="utf-8")
    for name, body in POSTS.items():
        front = f"title: {name}\n{FRONT_MATTER.get(name, '')}"
        (root / post_path(name)).write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def oracle(site: Path) -> dict[str, OracleDoc]:
    return jekyll_oracle.build(site)


@pytest.fixture(scope="module")
def articles(site: Path) -> dict[str, Article]:
    return {item.path: item for item in read_corpus(site) if isinstance(item, Article)}


def jekyll_visible(name: str, doc: OracleDoc) -> str:
    """Jekyll's text as searcher means to store it: footnote back links are not text,
    and :data:`DROPPED` text is left out."""
    text = visible(doc.text, jekyll=True).replace("↩", "")
    for dropped in DROPPED.get(name, []):
        assert dropped in text
        text = text.replace(dropped, "", 1)
    return text


@pytest.mark.parametrize("name", sorted(POSTS))
def test_body_is_exact(articles: dict[str, Article], name: str) -> None:
    article = articles[post_path(name)]
    assert article.body == BODIES[name]
    assert article.source_url == SOURCE_URLS.get(name)
    assert article.warnings == []


@jekyll_oracle.needs_jekyll
@pytest.mark.parametrize("name", sorted(POSTS))
def test_body_is_what_jekyll_shows(
    oracle: dict[str, OracleDoc], articles: dict[str, Article], name: str
) -> None:
    doc = oracle[post_path(name)]
    body = articles[post_path(name)].body
    mine = visible(body)
    for alt in KEPT_ALT.get(name, []):
        assert alt in mine
        mine = mine.replace(alt, "", 1)
    assert mine == jekyll_visible(name, doc)
    assert markup_left(body, doc.text) == []  # no tag, **, {:, ]( Jekyll does not show
    # The dropped footer, 返回滚动新闻 and 返回首页, is 10 of the 14 CJK characters.
    assert cjk_missing(body, doc.text) == (10 / 14 if name in DROPPED else 0.0)


@jekyll_oracle.needs_jekyll
def test_oracle_confirms_the_kramdown_rules(oracle: dict[str, OracleDoc]) -> None:
    """What kramdown made of the constructs, so a change of Jekyll shows here first."""
    html = {name: oracle[post_path(name)].html for name in POSTS}
    assert "<strong>「让 Web 成为更好的平台」</strong>" in html["emphasis-cjk"]
    assert "7<em>24小时通关，</em>号" in html["emphasis-cjk"]
    assert "中文_不是斜体_中文" in html["emphasis-kinds"]
    assert '<ul id="markdown-toc">' in html["toc"]
    assert '<a href="javascript:void(0)">点我</a>' in html["links"]
    assert "    <p>空行后缩进的段落</p>" in html["html-blocks"]
    assert '<a href="http://news.example.com/2022/1.html">' in html["autolinks"]


def test_many_openers_stay_fast() -> None:
    """kramdown's emphasis rescans for a closer from every opener, and its link target
    for a balancing ")": memoised per position and context, 300,000 characters of
    openers that never close stay linear (each body here is all text)."""
    for body in (
        "**a " * 75_000,
        "*a " * 100_000,
        " _a" * 100_000,
        "~~a " * 75_000,
        "[a](" * 9_000,
    ):
        start = time.perf_counter()
        text, url = body_to_text(body)
        assert time.perf_counter() - start < 20
        assert (text, url) == (body.strip(), None)
