"""A site with no ``url`` (issue #23): ``searcher index`` and ``check`` say so once, as a
notice apart from the problems of files, and the search page links its hits to the
article view, never to a root-relative URL that would be a 404 on the search server."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

from click.testing import CliRunner
from flask.testing import FlaskClient

from searcher.cli import main
from searcher.index import Index
from searcher.site import SiteOptions
from searcher.site.walk import NO_URL_NOTICE
from searcher.web import create_app
from searchutil import post, write_files
from storysite import BODY

POSTS = {
    "_posts/2024-05-01-bridge.md": post("跨江大桥通车", "新建跨江大桥今日通车。", "2024-05-01"),
    **{
        f"_posts/2024-06-0{d}-copy{d}.md": post(
            f"大桥通车{d}", BODY, f"2024-06-0{d} 10:00:00 +0800"
        )
        for d in (1, 2, 3)
    },
}
SITE = "url: https://news.example.org\nbaseurl: /zh\n"


def site(root: Path, config: str | None) -> Path:
    """The posts, with ``config`` as ``_config.yml`` (none when None)."""
    files = dict(POSTS) if config is None else {**POSTS, "_config.yml": config}
    return write_files(root / "site", files)


def hrefs(page: str, pattern: str) -> list[str]:
    return [unquote(m.replace("&amp;", "&")) for m in re.findall(pattern, page)]


def test_a_site_with_no_url_gets_one_notice_apart_from_the_messages(tmp_path: Path) -> None:
    corpus = site(tmp_path, "title: 无地址\n")
    report = Index.build(tmp_path / "ix", corpus)
    assert (report.added, report.messages, report.warnings) == (4, [], 0)
    assert report.notices == [NO_URL_NOTICE]
    assert NO_URL_NOTICE.startswith("_config.yml: no url")
    assert "--site-url" in NO_URL_NOTICE
    again = Index.build(tmp_path / "ix", corpus)  # the unchanged run says it again
    assert (again.unchanged, again.messages, again.notices) == (4, [], [NO_URL_NOTICE])


def test_no_notice_with_a_url_or_site_url_or_nothing_read(tmp_path: Path) -> None:
    with_url = Index.build(tmp_path / "a", site(tmp_path / "a", SITE))
    assert (with_url.added, with_url.notices) == (4, [])
    given = Index.build(
        tmp_path / "b",
        site(tmp_path / "b", None),
        options=SiteOptions(site_url="https://news.example.org"),
    )
    assert (given.added, given.notices) == (4, [])
    empty = write_files(tmp_path / "empty", {"_config.yml": "title: 空\n"})
    assert Index.build(tmp_path / "c", empty).notices == []


def test_index_and_check_print_the_notice_once_on_stderr(tmp_path: Path) -> None:
    corpus = site(tmp_path, None)
    run = CliRunner().invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert run.exit_code == 0, run.output
    assert run.stderr == NO_URL_NOTICE + "\n"
    assert run.stdout.startswith("added 4, updated 0, removed 0, unchanged 0, skipped 0,")
    as_json = CliRunner().invoke(
        main, ["index", str(corpus), "--index", str(tmp_path / "ix"), "--json"]
    )
    assert json.loads(as_json.stdout)["notices"] == [NO_URL_NOTICE]
    check = CliRunner().invoke(main, ["check", str(corpus)])
    assert check.stderr == NO_URL_NOTICE + "\n"
    assert check.stdout == "posts read: 4, recovered with warnings: 0, skipped: 0, duplicates: 0\n"
    assert json.loads(CliRunner().invoke(main, ["check", str(corpus), "--json"]).stdout)[
        "notices"
    ] == [NO_URL_NOTICE]
    flagged = CliRunner().invoke(main, ["check", str(corpus), "--site-url", "https://x.org"])
    assert flagged.stderr == ""


def client(tmp_path: Path, config: str | None) -> tuple[Index, FlaskClient]:
    index = Index.create(tmp_path / "ix")
    index.update(site(tmp_path, config))
    return index, create_app(index).test_client()


def test_the_page_links_hits_of_a_site_with_no_url_to_the_article_view(tmp_path: Path) -> None:
    index, app = client(tmp_path, None)
    assert index.search("今日").hits[0].url == "/2024/05/01/bridge.html"  # as read
    page = app.get("/?q=今日").get_data(as_text=True)
    assert hrefs(page, r'<h3><a href="([^"]*)"') == ["/posts/_posts/2024-05-01-bridge?q=今日"]
    assert "/2024/05/01/bridge.html" not in page
    start = app.get("/").get_data(as_text=True).split("最新文章", 1)[1].split("</ul>", 1)[0]
    assert hrefs(start, r'<a href="([^"]*)"') == [
        "/posts/_posts/2024-06-03-copy3",
        "/posts/_posts/2024-05-01-bridge",
    ]
    folded = app.get("/?q=大桥通车").get_data(as_text=True)
    similar = folded.split('<details class="similar">', 1)[1].split("</details>", 1)[0]
    assert hrefs(similar, r'<li><a href="([^"]*)"') == [
        "/posts/_posts/2024-06-02-copy2?q=大桥通车",
        "/posts/_posts/2024-06-01-copy1?q=大桥通车",
    ]
    article = app.get("/posts/_posts/2024-05-01-bridge").get_data(as_text=True)
    assert "site-link" not in article and "在网站上阅读" not in article
    # the API gives the URL as it is
    api = app.get("/api/search?q=今日").get_json()
    assert api["hits"][0]["url"] == "/2024/05/01/bridge.html"
    index.close()


def test_the_page_links_hits_of_a_site_with_a_url_to_the_site(tmp_path: Path) -> None:
    index, app = client(tmp_path, SITE)
    page = app.get("/?q=今日").get_data(as_text=True)
    assert hrefs(page, r'<h3><a href="([^"]*)"') == [
        "https://news.example.org/zh/2024/05/01/bridge.html"
    ]
    article = app.get("/posts/_posts/2024-05-01-bridge").get_data(as_text=True)
    assert (
        '<a class="site-link" href="https://news.example.org/zh/2024/05/01/bridge.html">'
        "在网站上阅读</a>" in article
    )
    index.close()
