"""Liquid as Jekyll renders it (``searcher/site/liquid.py``), against ``jekyll build``.

Fixture sites (our own text) are built by Jekyll 4.3.1 (Liquid 5.4.0) with the oracle
plugin of :mod:`jekyll_oracle`; searcher's stored text of each document must read the
same as Jekyll's ``content | strip_html`` (:func:`jekyll_oracle.visible`) and equal an
exact expected value. What Jekyll fails to build (Liquid syntax errors, missing
includes) is checked to fail in Jekyll too, and searcher's warnings (file and line) and
text (nothing lost) are asserted. Template pages (issue 19) are left out as
``listing page`` with the reason naming what they list.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import jekyll_oracle
import pytest
from jekyll_oracle import needs_jekyll, visible

from searcher.site import Article, SiteOptions, Skipped, read_corpus
from searcher.site.liquid import MAX_INCLUDE_DEPTH, LiquidSite, render_liquid
from searchutil import write_files


def write(root: Path, files: dict[str, str]) -> Path:
    return write_files(root, files)


def read(root: Path, **options: object) -> dict[str, Article | Skipped]:
    items = read_corpus(root, None, SiteOptions(**options))  # type: ignore[arg-type]
    return {i.path: i for i in items if isinstance(i, Article | Skipped)}


def article(found: dict[str, Article | Skipped], path: str) -> Article:
    item = found[path]
    assert isinstance(item, Article), item
    return item


def doc(title: str, body: str, front: str = "") -> str:
    return f"---\ntitle: {title}\n{front}---\n{body}"


# -- the site Jekyll builds --------------------------------------------------------------

INCLUDES_POST = doc(
    "包含",
    """开头段落。

{% include note.html text="提示\\"内容\\"" kind='tip' n=3 %}

{% include card.md title="卡片标题" %}

结尾段落{%- include_relative snippets/extra.txt -%}。
""",
)
LIQUID_POST = doc(
    "原样",
    """模板写法：{% raw %}{{ page.title }} 和 {% if x %}{% endraw %}照原样显示。

{% comment %}
这段注释不会出现。{% if x %}{% endif %}
{% endcomment %}
{% capture hidden %}捕获的文字{% endcapture %}
{% assign n = 1 %}{% # 行内注释 %}
{% if page.title %}条件里的文字{% endif %}{{ page.missing }}{{ site.baseurl }}

{% for i in (1..1) %}循环里的文字{% endfor %}
{% if true %}

{% assign m = 2 %}
{% endif %}
{% highlight js %}

let 甲 = a < b && "引号";

alert(甲);

{% endhighlight %}

  {%- unless false -%}  紧贴的文字  {%- endunless -%}  。
""",
)
HTML_POST = doc(
    "网页",
    '<p>网页正文{% if true %}，条件{% endif %}。</p>\n{% include note.html text="网页里的提示" '
    "kind='tip' %}\n<p>{% raw %}{% 原样 %}{% endraw %}</p>\n",
)
PAGES = {
    # Theme pages: Liquid that lists other documents, or nothing of their own.
    "index.html": doc(
        "首页",
        "{% for post in paginator.posts %}<h2>{{ post.title }}</h2>{% endfor %}\n"
        '<a href="{{ paginator.next_page_path }}">下一页</a>\n',
        "layout: default\n",
    ),
    "page2.html": doc(
        "第二页", '{% if paginator.next_page %}<a href="/page3">下一页</a>{% endif %}\n'
    ),
    "archive.html": doc(
        "归档", "<ul>{% for post in site.posts %}<li>{{ post.title }}</li>{% endfor %}</ul>\n"
    ),
    "tags.html": doc(
        "标签",
        "{% assign tags = site.tags | sort %}\n{% for tag in tags %}<h3>{{ tag[0] }}</h3>"
        "{% endfor %}\n",
    ),
    "categories.md": doc(
        "分类", "{% for category in site.categories %}\n## {{ category[0] }}\n{% endfor %}\n"
    ),
    "news.html": doc("新闻", "{% for item in site.news %}{{ item.title }}{% endfor %}\n"),
    "home.md": doc("主页", "", "layout: home\n"),
    "list-include.html": doc("列表", "{% include post-list.html %}\n"),
    # A page with a little Liquid stays; search: true brings a listing back.
    "about.md": doc(
        "关于",
        "我们是一家{{ page.missing }}编辑部。{% assign x = 1 %}\n\n"
        "{% if true %}欢迎来信。{% endif %}\n\n"
        '{% include note.html text="关于页的提示" kind="note" %}\n',
    ),
    "all-posts.html": doc(
        "全部文章",
        "<p>全部文章如下。</p>{% for post in site.posts %}{% endfor %}\n",
        "search: true\n",
    ),
}
SITE = {
    "_config.yml": "title: 测试站\ncollections:\n  news:\n    output: true\n",
    "_includes/note.html": (
        '<div class="note"><b>{{ include.kind | upcase }}</b>：{{ include.text }}'
        "（{{ include.n }}）</div>\n"
    ),
    "_includes/card.md": "### {{ include.title }}\n\n{% include byline.html %}\n",
    "_includes/byline.html": "<p>署名：{{ include.title }}</p>\n",
    "_includes/post-list.html": "{% for post in site.posts %}{{ post.title }}{% endfor %}\n",
    "_posts/snippets/extra.txt": "  （相对包含的文字）  \n",
    "_posts/2024-01-02-includes.md": INCLUDES_POST,
    "_posts/2024-01-03-liquid.md": LIQUID_POST,
    "_posts/2024-01-04-web.html": HTML_POST,
    "_posts/2024-01-05-lists.md": doc(
        "列表文章", "文章也能列出：{% for p in site.posts %}{% endfor %}\n"
    ),
    "_news/2024-01-01-item.md": doc("快讯", "快讯正文。\n"),
    # Captured and assigned text is output where its variable is (not in an if: unknown).
    "_posts/2024-01-07-capture.md": doc(
        "捕获",
        "{% capture note %}\n**提示**：捕获的文字。\n{% endcapture %}\n"
        "<div>{{ note | markdownify }}</div>\n\n"
        '{% assign who = "编辑部" %}{{ who }}说：{{ who | append: "们" | default: "无" }}好。\n'
        "{% include byline.html title=who %}\n"
        '{% for who in (1..2) %}{{ who }}{% endfor %}{% if false %}{% assign who = "读者" %}'
        "{% endif %}{{ who }}\n",
    ),
    # A blank block outputs none of its white space: one paragraph in Jekyll.
    "_posts/2024-01-06-blank.md": doc(
        "空块", "甲\n{% if true %}\n\n{% assign a = 1 %}\n{% endif %}乙\n"
    ),
    # include_relative in an included file: relative to the document, not the include.
    "sub/relative.md": doc("相对", "{% include relative.html %}\n"),
    "sub/near.txt": "在文档旁",
    "_includes/near.txt": "在包含文件旁",
    "_includes/relative.html": "[{% include_relative near.txt %}]",
    **PAGES,
}

EXPECTED = {
    "_posts/2024-01-02-includes.md": (
        '开头段落。\nTIP：提示"内容"（3）\n卡片标题\n署名：卡片标题\n'
        "结尾段落 （相对包含的文字）\n。"
    ),
    "_posts/2024-01-03-liquid.md": (
        "模板写法：{{ page.title }} 和 {% if x %}照原样显示。\n条件里的文字\n循环里的文字\n"
        'let 甲 = a < b && "引号";\nalert(甲);\n紧贴的文字。'
    ),
    "_posts/2024-01-04-web.html": "网页正文，条件。\nTIP：网页里的提示（）\n{% 原样 %}",
    "_posts/2024-01-05-lists.md": "文章也能列出：",
    "_news/2024-01-01-item.md": "快讯正文。",
    "_posts/2024-01-06-blank.md": "甲乙",  # one paragraph: its line break joins CJK
    # after the loop, who is "编辑部" again (the loop's own output, 12, is not known)
    "_posts/2024-01-07-capture.md": (
        "提示：捕获的文字。\n编辑部说：编辑部们好。\n署名：编辑部\n编辑部"
    ),
    "sub/relative.md": "[在文档旁]",
    "about.md": "我们是一家编辑部。\n欢迎来信。\nNOTE：关于页的提示（）",
    "all-posts.html": "全部文章如下。",
}
LEFT_OUT = {
    "index.html": "a listing page: its Liquid lists paginator.posts",
    "page2.html": "a listing page: its Liquid lists paginator",
    "archive.html": "a listing page: its Liquid lists site.posts",
    "tags.html": "a listing page: its Liquid lists site.tags",
    "categories.md": "a listing page: its Liquid lists site.categories",
    "news.html": "a listing page: its Liquid lists site.news",
    "list-include.html": (
        "a listing page: its Liquid lists site.posts (in _includes/post-list.html)"
    ),
    "home.md": "a template page: no text of its own once Liquid is rendered; its layout 'home' "
    "makes the page",
}


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, jekyll_oracle.OracleDoc]]:
    root = write(tmp_path_factory.mktemp("liquid") / "site", SITE)
    return root, jekyll_oracle.build(root)


@needs_jekyll
def test_text_is_what_jekyll_renders(
    built: tuple[Path, dict[str, jekyll_oracle.OracleDoc]],
) -> None:
    root, oracle = built
    found = read(root)
    for path, expected in EXPECTED.items():
        body = article(found, path).body
        assert body == expected, path
        jekyll = visible(oracle[path].text, jekyll=True)
        if path == "_posts/2024-01-07-capture.md":  # a loop's output (12) is not known
            assert jekyll == visible(expected).replace("署名：编辑部编辑部", "署名：编辑部12编辑部")
        elif path not in ("_posts/2024-01-05-lists.md", "all-posts.html"):  # loops over posts
            assert visible(body) == jekyll, path
        assert article(found, path).warnings == [], path


@needs_jekyll
def test_blank_blocks_do_not_break_paragraphs(
    built: tuple[Path, dict[str, jekyll_oracle.OracleDoc]],
) -> None:
    root, oracle = built
    assert oracle["_posts/2024-01-06-blank.md"].html == "<p>甲\n乙</p>\n"
    source = (root / "_posts/2024-01-06-blank.md").read_text(encoding="utf-8").split("---\n")[2]
    assert render_liquid(source, "b.md", LiquidSite(root)).text == "甲\n乙\n"


@needs_jekyll
def test_highlight_is_a_code_block_as_in_jekyll(
    built: tuple[Path, dict[str, jekyll_oracle.OracleDoc]],
) -> None:
    _, oracle = built
    assert '<figure class="highlight"><pre><code class="language-js" data-lang="js">' in (
        oracle["_posts/2024-01-03-liquid.md"].html
    )
    source = "{% highlight c++ %}\nint a < b;\n{% endhighlight %}"
    text = render_liquid(source, "a.md", LiquidSite(Path("/nonexistent"))).text
    assert text == '<pre><code class="language-c--" data-lang="c++">int a &lt; b;</code></pre>'


@needs_jekyll
def test_template_pages_are_left_out_with_what_they_list(
    built: tuple[Path, dict[str, jekyll_oracle.OracleDoc]],
) -> None:
    root, oracle = built
    found = read(root)
    for path, reason in LEFT_OUT.items():
        assert path in oracle  # Jekyll publishes it
        assert found[path] == Skipped(
            path, reason + " (search: true in its front matter indexes it)", "listing page"
        )
    # Posts and collection documents are never left out this way.
    assert article(found, "_posts/2024-01-05-lists.md").type == "post"
    assert article(found, "_news/2024-01-01-item.md").type == "news"


def test_all_files_never_leaves_a_page_out(tmp_path: Path) -> None:
    root = write(tmp_path / "site", {"archive.html": PAGES["archive.html"]})
    assert article(read(root, all_files=True), "archive.html").body == ""


@needs_jekyll
def test_render_with_liquid_false_keeps_liquid_as_text(tmp_path: Path) -> None:
    body = "写法 {{ page.title }} 与 {% if x %}。\n"
    root = write(tmp_path / "site", {"a.md": doc("不渲染", body, "render_with_liquid: false\n")})
    oracle = jekyll_oracle.build(root)
    text = article(read(root), "a.md").body
    assert text == "写法 {{ page.title }} 与 {% if x %}。"
    assert visible(text) == visible(oracle["a.md"].text, jekyll=True)


@needs_jekyll
def test_includes_dir_from_the_config(tmp_path: Path) -> None:
    root = write(
        tmp_path / "site",
        {
            "_config.yml": "includes_dir: _partials\n",
            "_partials/box.html": "盒子里的字",
            "a.md": doc("配置", "前{% include box.html %}后\n"),
        },
    )
    oracle = jekyll_oracle.build(root)
    assert article(read(root), "a.md").body == "前盒子里的字后"
    assert visible(oracle["a.md"].text, jekyll=True) == "前盒子里的字后"


# -- what Jekyll fails on, and what searcher cannot resolve --------------------------------


def jekyll_fails(root: Path) -> str:
    """Jekyll's error message for a site it cannot build."""
    assert jekyll_oracle.JEKYLL is not None
    run = subprocess.run(
        [jekyll_oracle.JEKYLL, "build", "--quiet", "-s", str(root), "-d", str(root) + "-built"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode != 0
    return run.stderr


BROKEN = [
    # (body, Jekyll's error, searcher's text, searcher's warning)
    (
        "第一段。\n\n{% if x %}第二段\n{{ 没有结束\n第三段。\n",
        "was not properly terminated",
        "第一段。\n第二段 {{ 没有结束第三段。",
        "a.md:8: {{ is never closed with }} (Jekyll fails the build); the text from line 8 "
        "on is kept as it is",
    ),
    (
        "前文。{% 标签 %}后文。\n",
        "was not properly terminated",
        "前文。{% 标签 %}后文。",
        "a.md:5: tag {% 标签 %} has no name (Jekyll fails the build); the text from line 5 "
        "on is kept as it is",
    ),
    (
        "前文。\n{% raw %}原样{{ x }}\n",
        "'raw' tag was never closed",
        "前文。 {% raw %}原样{{ x }}",
        "a.md:6: {% raw %} is never closed (Jekyll fails the build); the text from line 6 "
        "on is kept as it is",
    ),
    (
        "前文。\n{% comment %}\n注释里的字{% if x %}{% endif %}\n",
        "'comment' tag was never closed",
        "前文。 {% comment %} 注释里的字{% if x %}{% endif %}",
        "a.md:6: {% comment %} is never closed (Jekyll fails the build); the text from line "
        "6 on is kept as it is",
    ),
    (
        "前文。{% comment %}注释{{ x }后文。\n",
        "was not properly terminated",
        "前文。{% comment %}注释{{ x }后文。",
        "a.md:5: {{ x } is never closed with }} (Jekyll fails the build) (in the {% comment %} "
        "of line 5); the text from line 5 on is kept as it is",
    ),
    (
        "前文。\n\n{% endif %}后文{% if x %}。\n",
        "Unknown tag 'endif'",
        "前文。\n{% endif %}后文{% if x %}。",
        "a.md:7: {% endif %} where no block is open (Jekyll fails the build); the text from "
        "line 7 on is kept as it is",
    ),
    (
        "{% for x in y %}前文{% endif %}后文。\n",
        "'endif' is not a valid delimiter for for tags",
        "前文{% endif %}后文。",
        "a.md:5: {% endif %} where {% for %} is open (Jekyll fails the build); the text from "
        "line 5 on is kept as it is",
    ),
    (
        "前文。\n{% if x %}\n后文。\n",
        "'if' tag was never closed",
        "前文。\n后文。",
        "a.md:6: {% if %} is never closed (Jekyll fails the build); the text after it is kept",
    ),
    (
        "前文{% include missing.html %}后文。\n",
        "Could not locate the included file 'missing.html'",
        "前文后文。",
        "a.md:5: {% include %} _includes/missing.html: no such file (Jekyll fails the build); "
        "not included",
    ),
    (
        "前文{% include ../secret.html %}后文。\n",
        "Invalid syntax for include tag",
        "前文后文。",
        "a.md:5: {% include ../secret.html %}: not a valid include file name (Jekyll fails "
        "the build); not included",
    ),
    (
        "前文{% include loop.html %}后文。\n",
        "Nesting too deep",
        "前文环后文。",
        "a.md:5: in _includes/loop.html:1: {% include loop.html %} includes itself "
        "(_includes/loop.html → _includes/loop.html; Jekyll fails: Nesting too deep); not "
        "included again",
    ),
    (
        "{% highlight %}\n代码\n{% endhighlight %}\n",
        "Syntax Error in tag 'highlight'",
        "{% highlight %} 代码 {% endhighlight %}",
        "a.md:5: {% highlight %} needs a language: {% highlight lang [linenos] %} (Jekyll "
        "fails the build); the text from line 5 on is kept as it is",
    ),
]


@needs_jekyll
@pytest.mark.parametrize(("body", "error", "text", "warning"), BROKEN)
def test_what_jekyll_fails_on_is_a_warning_and_nothing_is_lost(
    tmp_path: Path, body: str, error: str, text: str, warning: str
) -> None:
    files = {
        "a.md": doc("坏", body, "date: 2024-01-01\n"),
        "_includes/loop.html": "环{% include loop.html %}",
    }
    root = write(tmp_path / "site", files)
    assert error in jekyll_fails(root)
    item = article(read(root), "a.md")
    assert item.body == text
    assert item.warnings == [warning]


def test_what_searcher_cannot_resolve_is_a_warning(tmp_path: Path) -> None:
    body = (
        "前文{% include {{ page.box }} %}。\n"
        '{% include note.html text=page.note kind="提示" %}\n'
        "{% include note.html kind=include.kind extra-x=1.50 ok=true %}\n"
        "{% include note.html 坏参数 %}\n"
    )
    root = write(
        tmp_path / "site",
        {
            "a.md": doc("不能解析", body, "box: note.html\n"),
            "_includes/note.html": "[{{ include.kind }}|{{ include.text }}|{{ include.extra-x }}"
            "|{{ include.ok | slugify }}]",
        },
    )
    item = article(read(root), "a.md")
    assert item.body == "前文。 [提示|||] [||1.5|true] [|||]"  # one paragraph
    slugify = (
        "in _includes/note.html:1: filter 'slugify' is not applied (searcher runs only a few "
        "of Liquid's filters); the value is used as it is"
    )
    assert item.warnings == [
        "a.md:5: {% include {{ page.box }} %}: the file is named by a Liquid variable, which "
        "searcher cannot evaluate; not included",
        "a.md:6: {% include %}: parameter text=page.note is not a literal (searcher does not "
        "know the value of page.note); {{ include.text }} is left empty",
        f"a.md:6: {slugify}",
        f"a.md:7: {slugify}",
        "a.md:8: {% include %}: '坏参数' is not key=value (Jekyll fails the build); ignored",
        f"a.md:8: {slugify}",
    ]


def test_an_include_outside_its_folder_is_refused_as_jekyll_safe(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.html"
    outside.write_text("外面的秘密", encoding="utf-8")
    root = write(tmp_path / "site", {"a.md": doc("链接", "前{% include secret.html %}后\n")})
    (root / "_includes").mkdir()
    os.symlink(outside, root / "_includes" / "secret.html")
    item = article(read(root), "a.md")
    assert item.body == "前后"
    assert item.warnings == [
        f"a.md:4: {{% include %}} _includes/secret.html: a symbolic link to {outside.resolve()}, "
        "outside _includes/: not read (as jekyll build --safe; --follow-outside-links reads it)"
    ]
    assert article(read(root, follow_outside_links=True), "a.md").body == "前外面的秘密后"


def test_included_files_are_decoded_and_limited_like_posts(tmp_path: Path) -> None:
    root = write(
        tmp_path / "site", {"a.md": doc("编码", "{% include gb.html %}{% include big.html %}\n")}
    )
    (root / "_includes").mkdir()
    (root / "_includes" / "gb.html").write_bytes("国标编码的字".encode("gb18030"))
    (root / "_includes" / "big.html").write_bytes(b"x" * 2000)
    item = article(read(root, max_post_bytes=1000), "a.md")
    assert item.body == "国标编码的字"
    assert item.warnings == [
        "a.md:4: {% include %} _includes/gb.html: not valid UTF-8 (byte 0xb9 at offset 0); "
        "decoded as GB18030",
        "a.md:4: {% include %} _includes/big.html: larger than the maximum post size (1,000 "
        "bytes); not included",
    ]


def test_nested_includes_stop_at_jekylls_depth(tmp_path: Path) -> None:
    files = {f"_includes/i{k}.html": f"{k} {{% include i{k + 1}.html %}}" for k in range(120)}
    root = write(tmp_path / "site", {"a.md": doc("深", "{% include i0.html %}\n"), **files})
    item = article(read(root), "a.md")
    assert item.body == " ".join(str(k) for k in range(MAX_INCLUDE_DEPTH))
    assert len(item.warnings) == 1
    assert item.warnings[0].startswith("a.md:4: in _includes/i0.html:1: in _includes/i1.html:1: ")
    assert item.warnings[0].endswith(
        f"_includes/i98.html:1: {{% include i99.html %}}: more than {MAX_INCLUDE_DEPTH} nested "
        "includes (Jekyll fails: Nesting too deep); not included"
    )


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{%" * 100_000, "{%" * 100_000),
        ("{{" * 100_000, "{{" * 100_000),
        ("{% raw %}" + "{% x " * 100_000, "{% raw %}" + "{% x " * 100_000),
        ("{% comment %}" + "{% if x %}" * 50_000, "{% comment %}" + "{% if x %}" * 50_000),
        ("{% if x %}字\n" * 50, "字\n" * 50),
        ("{% if x %}字{% endif %}\n" * 50_000, "字\n" * 50_000),
        ("{% if x %}" * 50_000, "{% if x %}" * 49_900),  # Jekyll: 100 nested at most
        (
            "{% highlight a %}&" * 100 + "{% endhighlight %}" * 100,
            '<pre><code class="language-a" data-lang="a">' + "&amp;" * 100 + "</code></pre>",
        ),
    ],
)
def test_hostile_liquid_is_read_in_linear_time(source: str, text: str) -> None:
    """No quadratic reading: 100,000 tags take well under a second of this thread's CPU
    time when linear, minutes when quadratic. The bound is the thread's CPU time, 5 s,
    so a loaded machine (another process on both cores) cannot fail it: a wall-clock
    1 s bound did (1.14 s with three other test runs beside it). The slowest case,
    50,000 if blocks, takes 0.46 s of CPU alone, 0.91 s at twice the input."""
    started = time.thread_time()
    rendered = render_liquid(source, "a.md", LiquidSite(Path("/nonexistent")))
    assert time.thread_time() - started < 5.0
    assert rendered.text == text  # nothing lost
    assert 0 <= len(rendered.warnings) <= 51


# -- values searcher knows: literals, page.<key>, conditions of literals -------------------

#: ``{name: (front matter lines, body, searcher's text)}``; Jekyll's text is the same
#: (white space aside) unless :data:`UNKNOWN_VALUES` says otherwise. Each post's title is
#: 标题 and ``defaults:`` give every document ``section: 默认栏目``.
KNOWN_VALUES = {
    "false": ("", "{% if false %}甲{% else %}乙{% endif %}", "乙"),
    "nil": ("", "{% if nil %}甲{% else %}乙{% endif %}", "乙"),
    "zero-is-true": ("", "{% if 0 %}甲{% else %}乙{% endif %}", "甲"),
    "empty-string-is-true": ("", "{% if '' %}甲{% else %}乙{% endif %}", "甲"),
    "or-and": ("", "{% if true or false and false %}甲{% else %}乙{% endif %}", "甲"),
    "and-or": ("", "{% if false and false or true %}甲{% else %}乙{% endif %}", "乙"),
    "or-and-false": ("", "{% if false or true and false %}甲{% else %}乙{% endif %}", "乙"),
    "int-float": ("", "{% if 1 == 1.0 %}甲{% else %}乙{% endif %}", "甲"),
    "string-int": ("", "{% if '1' == 1 %}甲{% else %}乙{% endif %}", "乙"),
    "true-one": ("", "{% if true == 1 %}甲{% else %}乙{% endif %}", "乙"),
    "less-strings": ("", "{% if 'abc' < 'abd' %}甲{% else %}乙{% endif %}", "甲"),
    "less-nil": ("", "{% if nil < 1 %}甲{% else %}乙{% endif %}", "乙"),
    "greater-nil": ("", "{% if 1 > nil %}甲{% else %}乙{% endif %}", "乙"),
    "less-equal": ("", "{% if 2 <= 2.0 %}甲{% else %}乙{% endif %}", "甲"),
    "not-equal": ("", "{% if 2 != 3 %}甲{% else %}乙{% endif %}", "甲"),
    "diamond": ("", "{% if 2 <> 2 %}甲{% else %}乙{% endif %}", "乙"),
    "contains": ("", "{% if '中文标题' contains '标题' %}甲{% else %}乙{% endif %}", "甲"),
    "contains-number": ("", "{% if 'a12' contains 12 %}甲{% else %}乙{% endif %}", "甲"),
    "contains-nil": ("", "{% if 'a' contains nil %}甲{% else %}乙{% endif %}", "乙"),
    "elsif": ("", "{% if false %}甲{% elsif 1 == 1 %}乙{% else %}丙{% endif %}", "乙"),
    "unless": ("", "{% unless true %}甲{% elsif true %}乙{% else %}丙{% endunless %}", "乙"),
    "unless-false": ("", "{% unless false %}甲{% else %}丙{% endunless %}", "甲"),
    "nested": (
        "",
        "{% if true %}{% if false %}甲{% else %}乙{% endif %}{% else %}丙"
        "{% if true %}丁{% endif %}{% endif %}",
        "乙",
    ),
    "blank-branch": ("", "一\n\n{% if false %}\n\n甲\n\n{% endif %}\n\n二", "一\n二"),
    "page-title": (
        "",
        "{% if page.title == '标题' %}是{{ page.title }}{% endif %}{{ page['title'] }}",
        "是标题标题",
    ),
    "page-key": (
        "author: 作者\n",
        "{{ page.author }}/{{ page.author | append: '!' }}",
        "作者/作者!",
    ),
    "page-default": ("", "{{ page.section }}", "默认栏目"),
    "page-assigned": ("", "{% assign page = 'x' %}前{{ page.title }}", "前"),
    "literals": ("", "{{ '字' }}{{ 3 }}{{ 1.50 }}{{ true }}{{ nil }}", "字31.5true"),
    "literal-filters": ("", "{{ 'abc' | upcase | prepend: '前' }}", "前ABC"),
    "default": (
        "",
        "{{ 0 | default: 'x' }}{{ false | default: 'y' }}{{ '' | default: 'z' }}",
        "0yz",
    ),
    "escape": (
        "",
        "{% capture t %}<'\"&{% endcapture %}{% assign e = t | escape %}"
        '{% assign x = t | xml_escape %}{% if e == "&lt;&#39;&quot;&amp;" %}甲{% endif %}'
        "{% if x == '&lt;&apos;&quot;&amp;' %}乙{% endif %}",
        "甲乙",
    ),
    "quoted-bar": ("", "{% assign t = '一' | append: '|' %}{% if t == '一|' %}对{% endif %}", "对"),
    "assign-page": ("", "{% assign t = page.title | append: '二' %}{{ t }}", "标题二"),
    "assign-dead": (
        "",
        "{% assign t = '一' %}{% if false %}{% assign t = '二' %}{% endif %}{{ t }}",
        "一",
    ),
    "assign-live": (
        "",
        "{% assign t = '一' %}{% if true %}{% assign t = '二' %}{% endif %}{{ t }}",
        "二",
    ),
    "include-page": ("", "{% include box.html x=page.title %}/{% include box.html %}", "有标题/无"),
    "include-dead": ("", "前{% if false %}{% include missing.html %}{% endif %}后", "前后"),
    # not known: every branch that may render is kept, unknown values print nothing
    "unknown-elsif": ("", "{% if site.x %}甲{% elsif false %}乙{% else %}丙{% endif %}", "甲丙"),
    "include-unknown": ("", "{% include box.html x=site.x %}", "有无"),
    "capture-unknown": (
        "",
        "{% capture t %}{{ site.x }}{% endcapture %}{% if t == '' %}甲{% else %}乙{% endif %}",
        "甲乙",
    ),
    "capture-known": (
        "",
        "{% capture t %}字{{ page.title }}{% endcapture %}{% if t == '字标题' %}甲{% endif %}",
        "甲",
    ),
    "liquid-assign": (
        "",
        "{% assign t = '一' %}{% liquid assign t = '二' %}"
        "{% if t == '一' %}甲{% else %}乙{% endif %}",
        "甲乙",
    ),
    "page-missing": (
        "",
        "前{{ page.nothing }}后{% if page.nothing %}有{% else %}无{% endif %}",
        "前后有无",
    ),
    "page-number": ("n: 1.50\n", "前{{ page.n }}", "前"),
    "page-boolean": ("b: yes\n", "前{{ page.b }}", "前"),
    "page-date": ("d: 2022-03-01\n", "前{{ page.d }}", "前"),
    "page-date-key": ("", "前{{ page.date }}{{ page.url }}", "前"),
    "argument-variable": ("", "前{{ nil | default: page.title }}", "前标题"),
    "lax-markup": ("", "{% if 1 == 1 junk %}甲{% else %}乙{% endif %}", "甲乙"),
    "empty": ("", "{% if '' == empty %}甲{% else %}乙{% endif %}", "甲乙"),
}
#: Jekyll's text where searcher does not know a value (``visible``, no white space).
UNKNOWN_VALUES = {
    "unknown-elsif": "甲",  # site.x is 值
    "include-unknown": "有值",
    "capture-unknown": "乙",
    "liquid-assign": "乙",
    "page-missing": "前后无",
    "page-number": "前1.5",
    "page-boolean": "前true",
    "page-date": "前2022-03-01",
    "page-date-key": "前2024-02-0100:00:00+0000/2024/02/01/page-date-key.html",
    "lax-markup": "甲",
    "empty": "甲",
}


@needs_jekyll
def test_known_values_and_conditions_render_as_in_jekyll(tmp_path: Path) -> None:
    files = {
        f"_posts/2024-02-01-{name}.md": doc("标题", body + "\n", front)
        for name, (front, body, _) in KNOWN_VALUES.items()
    }
    files["_includes/box.html"] = "{% if include.x %}有{% else %}无{% endif %}{{ include.x }}"
    files["_config.yml"] = (
        "defaults:\n  - scope: {path: ''}\n    values: {section: 默认栏目}\nx: 值\n"
    )
    root = write(tmp_path / "site", files)
    oracle = jekyll_oracle.build(root)
    found = read(root)
    for name, (_, _, expected) in KNOWN_VALUES.items():
        path = f"_posts/2024-02-01-{name}.md"
        item = article(found, path)
        assert item.body == expected, name
        jekyll = visible(oracle[path].text, jekyll=True)
        assert jekyll == UNKNOWN_VALUES.get(name, visible(expected)), name
        warnings = {
            "include-unknown": [
                f"{path}:4: {{% include %}}: parameter x=site.x is not a literal (searcher "
                "does not know the value of site.x); {{ include.x }} is left empty"
            ]
        }
        assert item.warnings == warnings.get(name, []), name


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{% if false %}甲{% endif %}\n" * 50_000, "\n" * 50_000),
        ("{% if true %}" * 100 + "字" + "{% endif %}" * 100, "字"),
        ("{% if " + "true and " * 50_000 + "false %}甲{% else %}乙{% endif %}", "乙"),
        ("{% if " + "'" * 50_000 + " %}甲{% endif %}", "甲"),
        ("{{ " + "'a' | " * 50_000 + "}}", "a"),
        ("{{ " + '"' * 50_001 + " }}", ""),
    ],
)
def test_hostile_conditions_are_read_in_linear_time(source: str, text: str) -> None:
    """As above: a bound on this thread's CPU time, far from both linear and quadratic."""
    started = time.thread_time()
    rendered = render_liquid(source, "a.md", LiquidSite(Path("/nonexistent")))
    assert time.thread_time() - started < 5.0
    assert rendered.text == text


def test_an_include_parameter_searcher_does_not_know_keeps_every_branch(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "_includes/box.html": "{% if include.x %}有{% else %}无{% endif %}{{ include.x }}",
            "_includes/outer.html": "{% include box.html x=include.x %}",
        },
    )
    site = LiquidSite(tmp_path)
    source = (
        "{% include box.html x=site.title %}|{% include outer.html x=site.title %}|"
        "{% include box.html x=page.title %}|{% include box.html %}"
    )
    rendered = render_liquid(source, "a.md", site, page={"title": "题"})
    assert rendered.text == "有无|有无|有题|无"
    assert rendered.warnings == [
        "a.md:1: {% include %}: parameter x=site.title is not a literal (searcher does not "
        "know the value of site.title); {{ include.x }} is left empty",
        "a.md:1: {% include %}: parameter x=site.title is not a literal (searcher does not "
        "know the value of site.title); {{ include.x }} is left empty",
    ]
