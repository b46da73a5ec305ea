"""A built site as the source of bodies (``--rendered``, issue 19): each document's text
from the page ``jekyll build`` wrote, its front matter, URL and date from the source.

The fixture site (our own text) has a layout that puts navigation, a header and a footer
around an ``<article>`` holding ``{{ content }}``, a layout marking its content with
``data-searcher-body``, one with neither, and a post whose body comes from an include
with a variable parameter, which only Jekyll can resolve. It is built once by real
``jekyll build`` (:func:`jekyll_oracle.build`, whose plugin also records Jekyll's own
``content | strip_html``: the body read from the page must be that text). The edge cases
of a page that cannot be used (too large, a link out, no text) use hand-written pages.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import shutil
from pathlib import Path

import jekyll_oracle
import pytest
from click.testing import CliRunner
from jekyll_oracle import OracleDoc, needs_jekyll, visible

from searcher.cli import main
from searcher.index import Index
from searcher.site import (
    Article,
    ContentSelectorError,
    SiteOptions,
    SiteWarning,
    check_corpus,
    read_corpus,
)
from searcher.site.rendered import output_ext, output_path
from searchutil import write_files

CONFIG = """title: 测试站
url: https://news.example.org
baseurl: /zh
timezone: Asia/Shanghai
collections:
  docs:
    output: true
    permalink: /:collection/:name/
"""
DEFAULT_LAYOUT = """<!DOCTYPE html>
<html><head><title>{{ page.title }} · 测试站</title></head><body>
<nav><a href="{{ '/' | relative_url }}">首页</a> 栏目导航</nav>
<header><h1>{{ page.title }}</h1></header>
<article>
{{ content }}
</article>
<footer>版权所有 测试站</footer>
</body></html>
"""
MARKED_LAYOUT = """<!DOCTYPE html>
<html><body><nav>栏目导航</nav>
<article><p class="kicker">本报讯</p>
<div data-searcher-body>{{ content }}</div>
<p>责任编辑：王五</p></article>
</body></html>
"""
BARE_LAYOUT = """<!DOCTYPE html>
<html><body><nav>栏目导航</nav>
<div class="story">{{ content }}</div>
<footer>版权所有 测试站</footer>
</body></html>
"""
INCLUDE = "<blockquote>{{ include.who }}说：{{ include.text }}</blockquote>\n"


def doc(title: str, body: str, layout: str = "default", front: str = "") -> str:
    return f"---\ntitle: {title}\nlayout: {layout}\n{front}---\n{body}\n"


SITE = {
    "_config.yml": CONFIG,
    "_layouts/default.html": DEFAULT_LAYOUT,
    "_layouts/marked.html": MARKED_LAYOUT,
    "_layouts/bare.html": BARE_LAYOUT,
    "_includes/quote.html": INCLUDE,
    # The include's `who` is a variable: only Jekyll knows its value.
    "_posts/2024-03-01-rain.md": doc(
        "暴雨",
        '{% assign reporter = "本报记者" %}\n'
        '{% include quote.html who=reporter text="暴雨将持续三天" %}\n\n城区多处道路积水。',
    ),
    "_posts/2024-03-02-bridge.md": doc("大桥", "大桥今日通车。", "marked"),
    "_posts/2024-03-03-brief.md": doc("简讯", "简讯内容。", "bare"),
    "_posts/2024-03-04-flood.md": doc("水灾", "水灾报道。", front="permalink: /专题/水灾\n"),
    "_posts/2024-03-05-feed.md": doc("订阅", "订阅说明。", front="permalink: /feeds/rain.xml\n"),
    "about.md": doc("关于", "关于我们。", front="permalink: /about/\n"),
    "notes/q.htm": doc("问答", "<p>问与答。</p>", front="permalink: /notes/q/\n"),
    "_docs/faq.htm": doc("常见问题", "<p>常见问题解答。</p>"),
}

#: Each document's body as read from its page: the content element's text, nothing of
#: the navigation, header or footer around it.
RENDERED = {
    "_posts/2024-03-01-rain.md": "本报记者说：暴雨将持续三天\n城区多处道路积水。",
    "_posts/2024-03-02-bridge.md": "大桥今日通车。",
    "_posts/2024-03-04-flood.md": "水灾报道。",
    "_posts/2024-03-05-feed.md": "订阅说明。",
    "about.md": "关于我们。",
    "notes/q.htm": "问与答。",
    "_docs/faq.htm": "常见问题解答。",
}


def write(root: Path, files: dict[str, str]) -> Path:
    return write_files(root, files)


def articles(site: Path, **options: object) -> tuple[dict[str, Article], list[SiteWarning]]:
    items = list(read_corpus(site, None, SiteOptions(**options)))  # type: ignore[arg-type]
    found = {i.path: i for i in items if isinstance(i, Article)}
    return found, [i for i in items if isinstance(i, SiteWarning)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, OracleDoc]]:
    """The fixture site built by Jekyll into its ``_site``, and Jekyll's own texts."""
    site = write(tmp_path_factory.mktemp("rendered") / "site", SITE)
    return site, jekyll_oracle.build(site, dest=site / "_site")


@pytest.fixture()
def site(built: tuple[Path, dict[str, OracleDoc]], tmp_path: Path) -> Path:
    """A copy of the built site (with its ``_site``) that a test may change."""
    return Path(shutil.copytree(built[0], tmp_path / "site", symlinks=True))


@needs_jekyll
def test_bodies_are_the_text_of_the_content_element_of_each_page(
    built: tuple[Path, dict[str, OracleDoc]],
) -> None:
    root, oracle = built
    found, site_warnings = articles(root, rendered=root / "_site")
    assert site_warnings == []
    assert {path: a.body for path, a in found.items() if path in RENDERED} == RENDERED
    for path in RENDERED:
        assert found[path].warnings == [], path
        assert "栏目导航" not in found[path].body and "版权所有" not in found[path].body
    # The include with a variable parameter is Jekyll's own text, as published.
    rain = found["_posts/2024-03-01-rain.md"]
    assert visible(rain.body) == visible(oracle["_posts/2024-03-01-rain.md"].text, jekyll=True)
    # Title, date and URL still come from the source (the URL with url and baseurl,
    # which the built site's folders do not have).
    assert rain.title == "暴雨"
    assert rain.date == dt.datetime(2024, 3, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert rain.url == "https://news.example.org/zh/2024/03/01/rain.html"
    assert oracle["_posts/2024-03-01-rain.md"].url == "/2024/03/01/rain.html"
    assert found["_posts/2024-03-04-flood.md"].url == (
        "https://news.example.org/zh/%E4%B8%93%E9%A2%98/%E6%B0%B4%E7%81%BE"
    )
    # data-searcher-body beats <article>: the kicker and editor inside the article are out.
    assert found["_posts/2024-03-02-bridge.md"].body == "大桥今日通车。"


#: Each document's own permalink, converter extension and whether it is a page.
WRITTEN_BY = {
    "_posts/2024-03-01-rain.md": (None, ".html", False),
    "_posts/2024-03-02-bridge.md": (None, ".html", False),
    "_posts/2024-03-03-brief.md": (None, ".html", False),
    "_posts/2024-03-04-flood.md": ("/专题/水灾", ".html", False),
    "_posts/2024-03-05-feed.md": ("/feeds/rain.xml", ".html", False),
    "about.md": ("/about/", ".html", True),
    "notes/q.htm": ("/notes/q/", ".htm", True),
    "_docs/faq.htm": (None, ".htm", False),
}


@needs_jekyll
def test_pages_are_found_where_jekyll_writes_them(
    built: tuple[Path, dict[str, OracleDoc]],
) -> None:
    root, oracle = built
    written = {
        path: output_path(oracle[path].url, output_ext(permalink, ext), page)
        for path, (permalink, ext, page) in WRITTEN_BY.items()
    }
    assert written == {
        "_posts/2024-03-01-rain.md": "2024/03/01/rain.html",
        "_posts/2024-03-02-bridge.md": "2024/03/02/bridge.html",
        "_posts/2024-03-03-brief.md": "2024/03/03/brief.html",
        "_posts/2024-03-04-flood.md": "专题/水灾.html",  # extensionless: .html added
        "_posts/2024-03-05-feed.md": "feeds/rain.xml",  # its permalink's extension
        "about.md": "about/index.html",
        "notes/q.htm": "notes/q/index.htm",  # a page's index takes its extension
        "_docs/faq.htm": "docs/faq/index.html",  # a document's index is .html
    }
    on_disk = {
        path.relative_to(root / "_site").as_posix()
        for path in (root / "_site").rglob("*")
        if path.is_file() and path.name != jekyll_oracle.ORACLE_FILE
    }
    assert on_disk == set(written.values())


@needs_jekyll
def test_a_page_without_the_content_element_keeps_the_source_text(site: Path) -> None:
    found, site_warnings = articles(site, rendered=Path("_site"))
    assert site_warnings == []
    brief = found["_posts/2024-03-03-brief.md"]
    assert brief.body == "简讯内容。"
    assert brief.warnings == [
        "_posts/2024-03-03-brief.md: its built page _site/2024/03/03/brief.html has no "
        "element matching '[data-searcher-body]', 'article' or 'main'; the source text is "
        "used"
    ]


@needs_jekyll
def test_a_content_selector_chooses_the_element(site: Path) -> None:
    found, _ = articles(site, rendered=site / "_site", content_selector="div.story")
    assert found["_posts/2024-03-03-brief.md"].body == "简讯内容。"
    assert found["_posts/2024-03-03-brief.md"].warnings == []
    rain = found["_posts/2024-03-01-rain.md"]  # a page without it: the source's text
    assert rain.warnings[-1] == (
        "_posts/2024-03-01-rain.md: its built page _site/2024/03/01/rain.html has no "
        "element matching 'div.story'; the source text is used"
    )
    source, _ = articles(site)
    assert rain.body == source["_posts/2024-03-01-rain.md"].body
    found, _ = articles(site, rendered=site / "_site", content_selector="header h1")
    assert found["_posts/2024-03-01-rain.md"].body == "暴雨"


@needs_jekyll
def test_an_invalid_selector_is_an_error_naming_the_parameter(site: Path) -> None:
    with pytest.raises(
        ContentSelectorError, match=r"^--content-selector: '\(\(\(' is not"
    ) as raised:
        read_corpus(site, None, SiteOptions(rendered=site / "_site", content_selector="((("))
    # An isolated update raises it in its child process and sends it pickled.
    assert str(pickle.loads(pickle.dumps(raised.value))) == str(raised.value)


@needs_jekyll
def test_a_document_without_a_page_is_read_from_its_source_with_a_note(site: Path) -> None:
    new = "_posts/2024-03-06-late.md"
    write(site, {new: doc("后来", "新闻正文。")})  # written after the build
    found, site_warnings = articles(site, rendered=Path("_site"))
    assert site_warnings == []
    assert found[new].body == "新闻正文。"
    note = f"{new}: no built page _site/2024/03/06/late.html (--rendered); the source text is used"
    assert found[new].warnings == [note]
    assert found["_posts/2024-03-01-rain.md"].body == RENDERED["_posts/2024-03-01-rain.md"]
    report = check_corpus(site, None, SiteOptions(rendered=Path("_site")))
    assert note in report.lines


@needs_jekyll
def test_the_build_of_another_site_is_one_warning_for_the_site(site: Path, tmp_path: Path) -> None:
    other = write(tmp_path / "other", {"_posts/2023-01-01-x.md": doc("别处", "别处正文。")})
    jekyll_oracle.build(other, dest=other / "_site")
    found, site_warnings = articles(site, rendered=other / "_site")
    assert site_warnings == [
        SiteWarning(
            str(other / "_site"),
            f"{other / '_site'}: 8 of 8 documents have no built page in this folder "
            f"(about.md: no {other / '_site'}/about/index.html, for "
            "one): it does not look like this site's jekyll build; their text is read from "
            "their sources (build the site, or give --rendered the folder jekyll build "
            "writes)",
        )
    ]
    assert found["_posts/2024-03-02-bridge.md"].body == "大桥今日通车。"
    assert found["_posts/2024-03-02-bridge.md"].warnings == []  # no note each
    assert found["about.md"].body == "关于我们。"


def test_a_missing_folder_is_one_warning_for_the_site(tmp_path: Path) -> None:
    site = write(tmp_path / "site", {"_posts/2024-01-01-a.md": doc("甲", "甲的正文。")})
    found, site_warnings = articles(site, rendered=Path("_site"))
    assert site_warnings == [
        SiteWarning(
            "_site",
            "_site: the built site (--rendered) cannot be read (not found); every "
            "document's text is read from its source",
        )
    ]
    assert found["_posts/2024-01-01-a.md"].body == "甲的正文。"
    assert found["_posts/2024-01-01-a.md"].warnings == []


def page(text: str) -> str:
    return f"<html><body><nav>导航</nav><article>{text}</article></body></html>"


def test_half_the_documents_without_a_page_get_a_note_each(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "_posts/2024-01-01-a.md": doc("甲", "甲的正文。"),
            "_posts/2024-01-02-b.md": doc("乙", "乙的正文。"),
            "_site/2024/01/01/a.html": page("<p>甲的网页。</p>"),
        },
    )
    found, site_warnings = articles(site, rendered=Path("_site"))
    assert site_warnings == []
    assert found["_posts/2024-01-01-a.md"].body == "甲的网页。"
    assert found["_posts/2024-01-02-b.md"].body == "乙的正文。"
    assert found["_posts/2024-01-02-b.md"].warnings == [
        "_posts/2024-01-02-b.md: no built page _site/2024/01/02/b.html (--rendered); the "
        "source text is used"
    ]


def test_a_page_that_cannot_be_used_keeps_the_source_text(tmp_path: Path) -> None:
    outside = write(tmp_path / "elsewhere", {"secret.html": page("<p>站外的文字。</p>")})
    site = write(
        tmp_path / "site",
        {
            "_posts/2024-01-01-big.md": doc("大", "大页正文。"),
            "_site/2024/01/01/big.html": page("<p>很长的网页。</p>" * 100),
            "_posts/2024-01-02-empty.md": doc("空", "空页正文。"),
            "_site/2024/01/02/empty.html": page(""),
            "_posts/2024-01-03-link.md": doc("链", "链接正文。"),
            "_posts/2024-01-04-pipe.md": doc("管", "管道正文。"),
            "_posts/2024-01-05-binary.md": doc("二", "二进制正文。"),
        },
    )
    (site / "_site/2024/01/03").mkdir(parents=True)
    (site / "_site/2024/01/03/link.html").symlink_to(outside / "secret.html")
    (site / "_site/2024/01/04").mkdir(parents=True)
    os.mkfifo(site / "_site/2024/01/04/pipe.html")  # opened without waiting for a writer
    (site / "_site/2024/01/05").mkdir(parents=True)
    (site / "_site/2024/01/05/binary.html").write_bytes(b"<article>\x00</article>")
    found, site_warnings = articles(site, rendered=Path("_site"), max_post_bytes=1000)
    assert site_warnings == []
    assert {path: a.body for path, a in found.items()} == {
        "_posts/2024-01-01-big.md": "大页正文。",
        "_posts/2024-01-02-empty.md": "空页正文。",
        "_posts/2024-01-03-link.md": "链接正文。",
        "_posts/2024-01-04-pipe.md": "管道正文。",
        "_posts/2024-01-05-binary.md": "二进制正文。",
    }
    assert found["_posts/2024-01-01-big.md"].warnings == [
        "_posts/2024-01-01-big.md: its built page _site/2024/01/01/big.html is larger than "
        "the maximum post size (1,000 bytes; raise it with --max-post-bytes); the source "
        "text is used"
    ]
    assert found["_posts/2024-01-02-empty.md"].warnings == [
        "_posts/2024-01-02-empty.md: its built page _site/2024/01/02/empty.html has no text "
        "in its content element ('[data-searcher-body]', 'article' or 'main'); the source "
        "text is used"
    ]
    target = (outside / "secret.html").resolve()
    assert found["_posts/2024-01-03-link.md"].warnings == [
        "_posts/2024-01-03-link.md: its built page _site/2024/01/03/link.html is a symbolic "
        f"link to {target}, outside the built site: not read (--follow-outside-links reads "
        "it); the source text is used"
    ]
    assert found["_posts/2024-01-04-pipe.md"].warnings == [
        "_posts/2024-01-04-pipe.md: its built page _site/2024/01/04/pipe.html is not a "
        "regular file (a folder, a device or a pipe); the source text is used"
    ]
    assert found["_posts/2024-01-05-binary.md"].warnings == [
        "_posts/2024-01-05-binary.md: its built page _site/2024/01/05/binary.html: contains "
        "NUL bytes: a binary file, not text; the source text is used"
    ]
    found, _ = articles(site, rendered=Path("_site"), follow_outside_links=True)
    assert found["_posts/2024-01-03-link.md"].body == "站外的文字。"


def test_a_page_rebuilt_from_an_unchanged_source_is_indexed_again(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "_posts/2024-01-01-a.md": doc("甲", "{% include 甲.html %}"),
            "_site/2024/01/01/a.html": page("<p>大桥今日通车。</p>"),
        },
    )
    options = SiteOptions(rendered=Path("_site"))
    first = Index.build(tmp_path / "ix", site, options=options)
    assert first.added == 1
    again = Index.build(tmp_path / "ix", site, options=options)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    # jekyll build writes the page anew (an include changed); the source did not change.
    (site / "_site/2024/01/01/a.html").write_text(page("<p>隧道今日贯通。</p>"), "utf-8")
    report = Index.build(tmp_path / "ix", site, options=options)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 0)
    with Index.open(tmp_path / "ix") as index:
        stored = index.engine.stored("_posts/2024-01-01-a")
        assert stored is not None and stored.body == "隧道今日贯通。"
        assert index.search("隧道").total == 1
        assert index.search("大桥").total == 0


@needs_jekyll
def test_the_command_line_indexes_the_built_site(site: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ix = tmp_path / "ix"
    result = runner.invoke(main, ["index", str(site), "--index", str(ix), "--rendered", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["added"] == 8
    assert [m for m in report["messages"] if ": skipped: " not in m] == [
        "_posts/2024-03-03-brief.md: its built page _site/2024/03/03/brief.html has no "
        "element matching '[data-searcher-body]', 'article' or 'main'; the source text is "
        "used"
    ]
    with Index.open(ix) as index:
        rain = index.engine.stored("_posts/2024-03-01-rain")
        assert rain is not None and rain.body == RENDERED["_posts/2024-03-01-rain.md"]
        assert index.search("本报记者").total == 1
    dest = f"--rendered={site / '_site'}"
    result = runner.invoke(main, ["check", str(site), dest, "--content-selector", "div.story"])
    assert result.exit_code == 0, result.output
    assert "_posts/2024-03-03-brief.md" not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--rendered", "--content-selector", "((("],
            "'(((' is not a CSS selector searcher can use",
        ),
        (["--content-selector", "article"], "only with --rendered"),
    ],
)
@pytest.mark.parametrize("command", ["index", "check"])
def test_a_bad_content_selector_is_a_usage_error(
    tmp_path: Path, command: str, args: list[str], message: str
) -> None:
    site = write(tmp_path / "site", {"_posts/2024-01-01-a.md": doc("甲", "甲的正文。")})
    extra = ["--index", str(tmp_path / "ix")] if command == "index" else []
    result = CliRunner().invoke(main, [command, str(site), *extra, *args])
    assert result.exit_code == 2
    assert "Invalid value for --content-selector: " + message in result.stderr
    assert not (tmp_path / "ix").exists()


def test_a_site_folder_taken_as_rendered_is_a_usage_error(tmp_path: Path) -> None:
    """``searcher index --rendered corpus`` takes ``corpus`` as DIR (an optional value):
    a folder holding a ``_config.yml`` is a source site, never a build (Jekyll does not
    copy it), so it is refused; ``check --rendered corpus`` says why CORPUS is missing."""
    site = tmp_path / "corpus"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: 站\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["index", "--rendered", str(site), "--index", str(tmp_path / "i")])
    assert result.exit_code == 2
    assert "Invalid value for --rendered" in result.output
    assert "is a Jekyll site (it has a _config.yml)" in result.output
    result = runner.invoke(main, ["check", "--rendered", str(site)])
    assert result.exit_code == 2
    assert f"Missing argument 'CORPUS'. (--rendered took {str(site)!r} as its folder" in (
        result.output
    )


def test_a_selector_that_fits_no_page_is_one_warning_for_the_site(tmp_path: Path) -> None:
    """When most built pages (and at least MISFIT_PAGES) lack the content element, the
    theme's element is another: one site warning with the counts, not one warning per
    page (a large site would print thousands)."""
    site = tmp_path / "site"
    built = site / "_site"
    files = {"_config.yml": "title: 站\n"}
    for day in range(1, 13):
        files[f"_posts/2024-03-{day:02d}-p{day}.md"] = doc(f"第{day}篇", f"正文{day}。")
        page = built / f"2024/03/{day:02d}/p{day}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        body = f"<div class='story'>页面{day}。</div>" if day == 1 else f"<p>页面{day}。</p>"
        page.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    write(site, files)
    items = list(read_corpus(site, None, SiteOptions(rendered=built, content_selector=".story")))
    warnings = [item for item in items if isinstance(item, SiteWarning)]
    assert [w.message for w in warnings] == [
        "_site: 11 of 12 built pages have no element matching '.story' "
        "(_posts/2024-03-02-p2.md, for one): the content element of this theme is another; "
        "their text is read from their sources (mark it with data-searcher-body in the "
        "layout, or name it with --content-selector)"
    ]
    found = {item.path: item for item in items if isinstance(item, Article)}
    assert found["_posts/2024-03-01-p1.md"].body == "页面1。"
    assert found["_posts/2024-03-02-p2.md"].body == "正文2。"
    assert all(article.warnings == [] for article in found.values())
