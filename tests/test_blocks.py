"""Block boundaries and code blocks in the stored text, phrases and snippets (issue 19).

The stored body keeps one block per line (paragraphs, headings, list items, table cells,
code lines); a phrase never crosses a block, a snippet never runs two blocks together,
and code is chosen for a snippet only when the match is only in code. The text itself is
checked against Jekyll's ``content | strip_html`` (tests/jekyll_oracle.py).
"""

from __future__ import annotations

from pathlib import Path

from jekyll_oracle import build as jekyll_build
from jekyll_oracle import needs_jekyll, visible

from searcher.site import Article, read_corpus
from searcher.site.text import Body, html_to_body, read_body
from searcher.snippets import BLOCK_SEPARATOR, make_snippet
from searcher.web import create_app
from searchutil import build, ids, post, snippet


def test_every_block_is_a_line() -> None:
    source = (
        "<h2>标题</h2><p>第一段。</p><ul><li>项一</li><li>项二</li></ul>"
        "<table><tr><th>列甲</th><th>列乙</th></tr><tr><td>1</td><td>2</td></tr></table>"
        "<blockquote>引文</blockquote>尾声<br>另起"
    )
    lines = ["标题", "第一段。", "项一", "项二", "列甲", "列乙", "1", "2", "引文", "尾声", "另起"]
    assert html_to_body(source) == Body("\n".join(lines))


def test_soft_line_breaks_are_white_space_as_a_browser_shows_them() -> None:
    # CSS Text 3: a segment break between two wide characters is removed, else a space.
    assert html_to_body("<p>中华\n人民共和国\nGDP\ngrowth，\n增长</p>").text == (
        "中华人民共和国 GDP growth，增长"
    )
    # A blank line in the text of an HTML post without tags is a paragraph break.
    assert html_to_body("第一段\n接着\n\n第二段").text == "第一段接着\n第二段"


def test_code_blocks_are_lines_and_spans() -> None:
    source = (
        '<p>示例：</p><pre><code>#include &lt;stdio.h&gt;\n#include "header.h"\n\n'
        "int main() {}\n</code></pre><p>说明。</p><pre>x=1</pre>"
    )
    body = html_to_body(source)
    assert body.text.split("\n") == [
        "示例：",
        "#include <stdio.h>",
        '#include "header.h"',
        "int main() {}",
        "说明。",
        "x=1",
    ]
    assert [body.text[a:b] for a, b in body.code] == [
        '#include <stdio.h>\n#include "header.h"\nint main() {}',
        "x=1",
    ]


def test_markdown_blocks_and_fences() -> None:
    source = "# 标题\n\n段落一\n续\n\n```c\nKafkaProducer p;\nimport x;\n```\n\n- 甲\n- 乙\n"
    body, _ = read_body(source)
    assert body.text == "标题\n段落一续\nKafkaProducer p;\nimport x;\n甲\n乙"
    assert [body.text[a:b] for a, b in body.code] == ["KafkaProducer p;\nimport x;"]


def test_streaming_parser_keeps_the_same_blocks() -> None:
    deep = "<div>" * 3000 + "<p>深处</p><pre>a\nb</pre><td>格</td>" + "</div>" * 3000
    problems: list[str] = []
    body = html_to_body(deep, problems)
    assert problems and "streaming parser" in problems[0]
    assert body == Body("深处\na\nb\n格", ((3, 6),))


def test_noncharacters_in_the_source_cannot_forge_marks() -> None:
    assert html_to_body("<p>甲\ufdd1乙\ufdd0丙</p>") == Body("甲乙丙")


# --- snippets ---


def test_snippet_never_joins_two_blocks() -> None:
    text = "词典\nmobi 格式\nKafkaProducer;\nimport java.util;"
    snip = make_snippet(text, [("词", "典"), ("mobi",)])
    assert snip == f"<mark>词典</mark>{BLOCK_SEPARATOR}<mark>mobi</mark> 格式"
    # After a sentence end, the next block follows without a separator.
    assert make_snippet("大桥通车。\n市民称赞大桥", [("大", "桥")]) == (
        "<mark>大桥</mark>通车。市民称赞<mark>大桥</mark>"
    )
    assert make_snippet("Bridge opened.\nThe bridge", [("bridge",)]) == (
        "<mark>Bridge</mark> opened. The <mark>bridge</mark>"
    )


def test_code_is_a_snippet_only_when_the_match_is_only_in_code() -> None:
    text = "配置说明\nproducer.send(record);\n调用 producer 发送消息。"
    code = ((5, 27),)
    assert text[5:27] == "producer.send(record);"
    assert make_snippet(text, [("producer",)], code=code) == "调用 <mark>producer</mark> 发送消息。"
    assert make_snippet(text, [("record",)], code=code) == "producer.send(<mark>record</mark>);"
    # No match (a title hit): the opening prose, not the code.
    code_first = "import os\nimport sys\n正文开始。"
    assert make_snippet(code_first, [("无",)], code=((0, 20),)) == "正文开始。"


def test_code_spans_follow_the_excerpt_of_a_long_body() -> None:
    filler = "无关的句子。" * 5000
    code_line = "grep 关键词 file"
    text = filler + "\n" + code_line + "\n" + filler + "\n关键词在正文。"
    start = len(filler) + 1
    code = ((start, start + len(code_line)),)
    assert make_snippet(text, [("关", "键", "词")], code=code) == "<mark>关键词</mark>在正文。"
    assert make_snippet(text, [("grep",)], code=code) == "<mark>grep</mark> 关键词 file"


# --- through the index ---


def test_phrases_never_cross_blocks_but_cross_soft_breaks(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "_posts/2022-03-01-a.md": post("甲", "## 电子词典\n\nmobi 格式说明"),
            "_posts/2022-03-02-b.md": post("乙", "中华人民\n共和国成立。"),
        },
    )
    assert ids(index, '"词典mobi"') == []
    assert ids(index, '"人民共和国"') == ["_posts/2022-03-02-b"]
    assert snippet(index, "词典 mobi") == (
        f"电子<mark>词典</mark>{BLOCK_SEPARATOR}<mark>mobi</mark> 格式说明"
    )


def test_code_spans_are_stored_and_used_by_search(tmp_path: Path) -> None:
    body = "用法：\n\n```\nsearcher index corpus\n```\n\n运行 searcher 建立索引。\n"
    index = build(tmp_path, {"_posts/2022-03-01-a.md": post("用法", body)})
    assert snippet(index, "searcher") == "运行 <mark>searcher</mark> 建立索引。"
    assert snippet(index, "corpus") == "searcher index <mark>corpus</mark>"
    document = index.document("_posts/2022-03-01-a")
    assert document is not None
    assert document.paragraphs == ["用法：", "searcher index corpus", "运行 searcher 建立索引。"]
    assert document.code == [1]  # the page shows it as code
    page = create_app(index).test_client().get("/posts/_posts/2022-03-01-a?q=corpus")
    html = page.get_data(as_text=True)
    assert '<pre class="code">searcher index <mark>corpus</mark></pre>' in html
    assert "<p>运行 searcher 建立索引。</p>" in html


# --- against Jekyll ---

BLOCKS_POST = """---
title: 区块
---
## 小标题

第一段，
换行续写。

| 名称 | 数值 |
|---|---|
| 甲 | 1 |

```python
print("代码")
```

- 项目一
- 项目二
"""


@needs_jekyll
def test_blocks_are_jekylls_text(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("timezone: Asia/Shanghai\n", encoding="utf-8")
    (site / "_posts/2024-01-02-blocks.md").write_text(BLOCKS_POST, encoding="utf-8")
    oracle = jekyll_build(site)["_posts/2024-01-02-blocks.md"]
    article = next(a for a in read_corpus(site) if isinstance(a, Article))
    assert visible(article.body) == visible(oracle.text, jekyll=True)
    assert article.body.split("\n") == [
        "小标题",
        "第一段，换行续写。",
        "名称",
        "数值",
        "甲",
        "1",
        'print("代码")',
        "项目一",
        "项目二",
    ]
    assert [article.body[a:b] for a, b in article.code] == ['print("代码")']
