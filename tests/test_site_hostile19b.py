"""Second hostile round for issue 19's Liquid and search page, each compared with
``jekyll build`` 4.3.1 (:mod:`jekyll_oracle`) and with the exact text expected.

Every fixture text here was written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import jekyll_oracle
from jekyll_oracle import needs_jekyll

import searchutil
from searcher.site import Article, Skipped, read_corpus
from searcher.snippets import make_snippet


def post(body: str) -> str:
    return f"---\ntitle: 标题\ndate: 2022-03-01 10:00:00 +0800\n---\n{body}\n"


write_site = searchutil.write_files
articles = jekyll_oracle.articles


def same_as_jekyll(site: Path, expected: dict[str, str]) -> None:
    """Each post's body is ``expected[path]`` exactly, with no warning, and reads as
    Jekyll's text."""
    oracle = jekyll_oracle.build(site)
    mine = articles(site)
    for path, body in expected.items():
        assert mine[path].body == body, path
        assert mine[path].warnings == [], path
        jekyll_text = jekyll_oracle.visible(oracle[path].text, jekyll=True)
        assert jekyll_oracle.visible(mine[path].body) == jekyll_text, path


#: ``{name: (body, searcher's text)}``: filters whose result decides a condition or is
#: the text.
FILTERS = {
    # Liquid's escape_once escapes "&" before "#x41;" (only named and decimal entities
    # are left) and writes ' as &#39;: html.escape(html.unescape()) decided it was "错".
    "escape-once": (
        '{% assign e = "它\'s &#x41; &amp; &#65;" | escape_once %}'
        '{% if e == "它&#39;s &amp;#x41; &amp; &#65;" %}对{% else %}错{% endif %}',
        "对",
    ),
    # append/prepend take any value (Ruby's to_s): a number was a filter not applied.
    "append-number": ("{{ '第' | append: 1 }}{{ '章' | prepend: 2.5 }}", "第12.5章"),
    # A filter's argument may be a known variable (page.title, one assigned): the value
    # was not known, and nothing was output.
    "argument-variable": (
        "{% assign x = '甲' %}{% assign x = x | append: x %}{{ x }}"
        "{{ '第' | append: page.title }}{% if x == '甲甲' %}对{% else %}错{% endif %}",
        "甲甲第标题对",
    ),
    # Ruby's capitalize titlecases the first character.
    "capitalize": ("{{ 'ǆemal' | capitalize }}", "ǅemal"),
}


@needs_jekyll
def test_filters_give_liquids_text(tmp_path: Path) -> None:
    files = {f"_posts/2022-03-01-{name}.md": post(body) for name, (body, _) in FILTERS.items()}
    site = write_site(tmp_path / "site", files)
    same_as_jekyll(
        site, {f"_posts/2022-03-01-{name}.md": text for name, (_, text) in FILTERS.items()}
    )


def test_a_snippet_does_not_cut_a_link_at_its_query_string(tmp_path: Path) -> None:
    """The body keeps a link as its text (``<https://…>``, ``source_url``); an ASCII
    ``?`` or ``;`` inside it ended the sentence, and the snippet showed the link cut
    short, without ``…``. Followed by CJK text, ``?`` still ends a sentence."""
    text = "原文：https://a.example.org/p?x=1&y=2;z=3\n大桥通车?市民点赞。"
    assert make_snippet(text, [("example",)]) == (
        "原文：https://a.<mark>example</mark>.org/p?x=1&amp;y=2;z=3"
    )
    assert make_snippet(text, [tuple("大桥")]) == "<mark>大桥</mark>通车?"
    index = searchutil.build(
        tmp_path,
        {"_posts/2022-03-01-a.md": post("大桥通车。\n\n<https://a.example.org/p?x=1&y=2>")},
    )
    hit = index.search("example", limit=5).hits[0]
    assert hit.snippet == "https://a.<mark>example</mark>.org/p?x=1&amp;y=2"


@needs_jekyll
def test_keys_recovered_from_invalid_yaml_are_not_liquids_page(tmp_path: Path) -> None:
    """Jekyll logs a YAML error and renders the page without its front matter (only
    ``defaults:``): ``page.t`` is nil. searcher recovers ``t`` line by line for its own
    use, but Liquid decided on it: the branch Jekyll never renders was kept ("有[[甲]").
    Now ``page.t`` is not known, and both branches are kept, as for any unknown value."""
    files = {
        "_config.yml": "defaults:\n  - scope:\n      path: ''\n    values:\n      lang: 中文\n",
        "_posts/2022-03-01-a.md": (
            "---\ntitle: 标题\nt: [甲\n---\n"
            "{% if page.t %}有{% else %}无{% endif %}[{{ page.t }}]{{ page.lang }}\n"
        ),
    }
    site = write_site(tmp_path / "site", files)
    oracle = jekyll_oracle.build(site)
    article = articles(site)["_posts/2022-03-01-a.md"]
    assert article.body == "有无[]中文"
    assert article.title == "标题"  # still recovered for the index
    assert jekyll_oracle.visible(oracle["_posts/2022-03-01-a.md"].text, jekyll=True) == "无[]中文"


@needs_jekyll
def test_a_loop_captured_and_never_output_does_not_make_a_listing_page(
    tmp_path: Path,
) -> None:
    """A page that captures a loop over site.posts (to count them) and never outputs it
    shows only its own text in Jekyll; it was left out as a listing page. Output, the
    capture lists the posts (also through an include, or from within another capture)."""
    loop = "{% capture n %}{% for p in site.posts %}{{ p.title }}{% endfor %}{% endcapture %}"
    files = {
        "_posts/2022-03-01-a.md": post("文章正文"),
        "_includes/show.html": "{{ include.v }}",
        "count.html": f"---\ntitle: 统计\n---\n{loop}统计页正文\n",
        "shown.html": f"---\ntitle: 列表\n---\n{loop}列表页正文{{{{ n }}}}\n",
        "included.html": f"---\ntitle: 列表\n---\n{loop}列表页{{% include show.html v=n %}}\n",
        "assigned.html": (
            "---\ntitle: 列表\n---\n{% capture c %}{% liquid assign all = site.posts %}"
            "{% endcapture %}{% for p in all %}{{ p.title }}{% endfor %}赋值\n"
        ),
        "nested.html": (
            f"---\ntitle: 列表\n---\n{{% capture m %}}{loop}{{{{ n }}}}{{% endcapture %}}"
            "嵌套{{ m }}\n"
        ),
    }
    site = write_site(tmp_path / "site", files)
    oracle = jekyll_oracle.build(site)
    read = {a.path: a for a in read_corpus(site)}
    count = read["count.html"]
    assert isinstance(count, Article)
    assert count.body == "统计页正文"
    assert count.warnings == []
    assert jekyll_oracle.visible(oracle["count.html"].text, jekyll=True) == "统计页正文"
    for path in ("shown.html", "included.html", "nested.html", "assigned.html"):
        skipped = read[path]
        assert isinstance(skipped, Skipped), path
        assert skipped.kind == "listing page", path
        assert "标题" in oracle[path].text, path  # Jekyll's page is the list of posts


#: ``{name: (body, searcher's text)}``: a loop's variable is the loop's own (Liquid's
#: ``context.stack``): after the loop, the value assigned before is back.
LOOPS = {
    "after-loop": ("{% assign x = '甲' %}{% for x in (1..2) %}{% endfor %}[{{ x }}]", "[甲]"),
    "condition": (
        "{% assign x = '甲' %}{% for x in (1..2) %}{% endfor %}"
        "{% if x == '甲' %}对{% else %}错{% endif %}",
        "对",
    ),
    "tablerow": ("{% assign x = '乙' %}{% tablerow x in (1..1) %}{% endtablerow %}{{ x }}", "乙"),
}


@needs_jekyll
def test_a_loops_variable_is_given_back_after_the_loop(tmp_path: Path) -> None:
    files = {f"_posts/2022-03-01-{name}.md": post(body) for name, (body, _) in LOOPS.items()}
    site = write_site(tmp_path / "site", files)
    oracle = jekyll_oracle.build(site)
    mine = articles(site)
    for name, (_, expected) in LOOPS.items():
        path = f"_posts/2022-03-01-{name}.md"
        # the loop's output (a table for tablerow) is not known: only the text after it
        assert mine[path].body.endswith(expected), name
        assert oracle[path].text.strip().endswith(expected), name
        assert mine[path].warnings == [], name
    assert mine["_posts/2022-03-01-after-loop.md"].body == "[甲]"
    assert mine["_posts/2022-03-01-condition.md"].body == "对"
