"""The site reader against its oracle, ``jekyll build`` (Jekyll 4.3.1, Debian's package).

Each fixture site is built by Jekyll with a listing page that prints, for every post,
page and collection document Jekyll publishes, its source path, ``url | absolute_url``
and ``date | date_to_xmlschema``. The tests check that searcher indexes exactly that set
of documents, each with the same URL (and, for posts, the same date), and that every
file left out is reported with its reason. Cases C11–C12 of ``../shared/cases/CASES.md``.

Without ``jekyll`` on the PATH these tests skip, except under ``CI=true``, where
``.ci/run`` installs it and a missing one is a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from searcher.site import Article, SiteOptions, Skipped, read_corpus
from searchutil import SHARED_CORPUS

JEKYLL = shutil.which("jekyll")
if JEKYLL is None and os.environ.get("CI") == "true":
    raise RuntimeError("jekyll is not installed: .ci/run installs it (apt-get install jekyll)")
pytestmark = pytest.mark.skipif(JEKYLL is None, reason="jekyll is not installed")

FINEWS = SHARED_CORPUS / "finews"
LISTING = "searcher-listing.html"
LISTING_PAGE = """---
search: false
permalink: /searcher-listing.html
---
{% for p in site.posts %}DOC|{{ p.path }}|{{ p.url | absolute_url }}|{{ p.date | date_to_xmlschema }}
{% endfor %}{% for p in site.pages %}DOC|{{ p.path }}|{{ p.url | absolute_url }}|
{% endfor %}{% for c in site.collections %}{% if c.label != "posts" and c.output %}{% for p in c.docs %}DOC|{{ p.path }}|{{ p.url | absolute_url }}|{{ p.date | date_to_xmlschema }}
{% endfor %}{% endif %}{% endfor %}
"""  # noqa: E501


def page(title: str, front: str = "", body: str = "正文。") -> str:
    return f"---\ntitle: {title}\n{front}---\n{body}\n"


def write_site(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / LISTING).write_text(LISTING_PAGE, encoding="utf-8")
    return root


def jekyll(site: Path, *flags: str) -> dict[str, tuple[str, str]]:
    """``{source path: (absolute URL, date)}`` of what ``jekyll build`` published
    (written files only: collection documents of collections without output are not)."""
    dest = site.parent / (site.name + "-built")
    run = subprocess.run(
        [str(JEKYLL), "build", "--quiet", "-s", str(site), "-d", str(dest), *flags],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    published: dict[str, tuple[str, str]] = {}
    for line in (dest / LISTING).read_text(encoding="utf-8").splitlines():
        if line.startswith("DOC|"):
            _, path, url, date = line.split("|")
            if path != LISTING:
                published[path] = (url, date)
    return published


def searcher(site: Path, **options: object) -> tuple[dict[str, Article], dict[str, Skipped]]:
    items = list(read_corpus(site, None, SiteOptions(**options)))  # type: ignore[arg-type]
    articles = {i.path: i for i in items if isinstance(i, Article)}
    skipped = {i.path: i for i in items if isinstance(i, Skipped)}
    return articles, skipped


def xmlschema(date: dt.datetime | None) -> str:
    return date.replace(microsecond=0).isoformat() if date else ""


def assert_same_as_jekyll(site: Path, *flags: str, **options: object) -> dict[str, Article]:
    """Searcher's documents equal Jekyll's: the same paths, URLs and post dates."""
    published = jekyll(site, *flags)
    articles, _ = searcher(site, **options)
    assert sorted(articles) == sorted(published)
    for path, article in articles.items():
        url, date = published[path]
        assert article.url == url, path
        if article.type == "post":
            assert xmlschema(article.date) == date, path
    return articles


C11 = {
    "_config.yml": (
        "url: https://news.example.org\nbaseurl: /zh\ntimezone: Asia/Shanghai\n"
        "exclude: [old-archive]\n"
    ),
    "_posts/2022-03-02-park.md": page("公园开放", "categories: 社会\n"),
    "_posts/2022-03-01-tree.md": page("植树", "permalink: /news/2022/tree-planting.html\n"),
    "_posts/2022-03-04-late.md": page(
        "深夜", "date: 2022-03-04 23:30:00 -0500\ncategories: [财经, 市场]\n"
    ),
    "_posts/2022-03-05-中文 标题.md": page("中文标题"),
    "about.md": page("关于"),
    "_drafts/tree-draft.md": page("草稿"),
    "_posts/2022-03-03-hidden.md": page("隐藏", "published: false\n"),
    "_posts/2099-03-12-future.md": page("未来"),
    "vendor/bundle/x/_posts/2016-05-20-demo.md": page("示例"),
    "old-archive/_posts/2016-05-20-old.md": page("旧文"),
}


def test_c11_c12_published_set_urls_and_dates(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", C11)
    articles = assert_same_as_jekyll(site)
    assert {p: a.url for p, a in articles.items()} == {
        "_posts/2022-03-02-park.md": "https://news.example.org/zh/%E7%A4%BE%E4%BC%9A/2022/03/02/park.html",
        "_posts/2022-03-01-tree.md": "https://news.example.org/zh/news/2022/tree-planting.html",
        "_posts/2022-03-04-late.md": "https://news.example.org/zh/%E8%B4%A2%E7%BB%8F/%E5%B8%82%E5%9C%BA/2022/03/05/late.html",
        "_posts/2022-03-05-中文 标题.md": "https://news.example.org/zh/2022/03/05/%E4%B8%AD%E6%96%87-%E6%A0%87%E9%A2%98.html",
        "about.md": "https://news.example.org/zh/about.html",
    }  # fmt: skip
    late = articles["_posts/2022-03-04-late.md"]
    assert late.date is not None and late.date.isoformat() == "2022-03-05T12:30:00+08:00"
    assert (articles["about.md"].type, articles["_posts/2022-03-02-park.md"].type) == (
        "page",
        "post",
    )
    _, skipped = searcher(site)
    assert {p: s.kind for p, s in skipped.items()} == {
        "_drafts/tree-draft.md": "draft",
        "_posts/2022-03-03-hidden.md": "unpublished",
        "_posts/2099-03-12-future.md": "future",
        "vendor/bundle/x/_posts/2016-05-20-demo.md": "default exclude",
        "old-archive/_posts/2016-05-20-old.md": "excluded by _config.yml",
        LISTING: "search: false",
    }


@pytest.mark.parametrize(
    ("flag", "brought_in"),
    [
        ("--drafts", "_drafts/tree-draft.md"),
        ("--unpublished", "_posts/2022-03-03-hidden.md"),
        ("--future", "_posts/2099-03-12-future.md"),
    ],
)
def test_c11_jekyll_flags_bring_their_kind_in(tmp_path: Path, flag: str, brought_in: str) -> None:
    site = write_site(tmp_path / "site", C11)
    option = flag.lstrip("-")
    articles = assert_same_as_jekyll(site, flag, **{option: True})
    assert brought_in in articles


def test_c11_without_exclude_folder_above_posts_is_a_category(tmp_path: Path) -> None:
    files = dict(C11)
    files["_config.yml"] = "url: https://news.example.org\ntimezone: Asia/Shanghai\n"
    site = write_site(tmp_path / "site", files)
    articles = assert_same_as_jekyll(site)
    old = articles["old-archive/_posts/2016-05-20-old.md"]
    assert old.categories == ["old-archive"]
    assert old.url == "https://news.example.org/old-archive/2016/05/20/old.html"


def test_c12_pretty_collections_and_lowercased_categories(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site",
        {
            "_config.yml": (
                "url: https://news.example.org\ntimezone: Asia/Shanghai\npermalink: pretty\n"
                "collections:\n  reports:\n    output: true\n  notes:\n    output: false\n"
            ),
            "_posts/2022-03-02-park.md": page("公园", "categories: 社会\n"),
            "_posts/2022-03-06-Mixed-Case.md": page("大小写", "categories: Tech 科技\n"),
            "_reports/2023-annual.md": page("年报"),
            "_notes/memo.md": page("备忘"),
            "about.md": page("关于"),
            "sub/index.md": page("栏目"),
            "sub/list.html": page("列表"),
        },
    )
    articles = assert_same_as_jekyll(site)
    assert {p: a.url for p, a in articles.items()} == {
        "_posts/2022-03-02-park.md": "https://news.example.org/%E7%A4%BE%E4%BC%9A/2022/03/02/park/",
        "_posts/2022-03-06-Mixed-Case.md": "https://news.example.org/tech/%E7%A7%91%E6%8A%80/2022/03/06/Mixed-Case/",
        "_reports/2023-annual.md": "https://news.example.org/reports/2023-annual/",
        "about.md": "https://news.example.org/about/",
        "sub/index.md": "https://news.example.org/sub/",
        "sub/list.html": "https://news.example.org/sub/list/",
    }  # fmt: skip
    assert articles["_reports/2023-annual.md"].type == "reports"
    _, skipped = searcher(site)
    assert skipped["_notes/memo.md"].kind == "not output"


@pytest.mark.parametrize("style", ["date", "ordinal", "weekdate", "none"])
def test_built_in_permalink_styles(tmp_path: Path, style: str) -> None:
    site = write_site(
        tmp_path / "site",
        {
            "_config.yml": f"permalink: {style}\ntimezone: Asia/Shanghai\n",
            "_posts/2022-03-06-a.md": page("甲", "categories: [Tech, 财经]\n"),
            "_posts/2021-01-01-b.markdown": page("乙", "date: 2021-01-01 23:59:59 +0000\n"),
            "news/about.md": page("关于"),
        },
    )
    articles = assert_same_as_jekyll(site)
    assert all(a.url and a.url.startswith("/") for a in articles.values())  # no url: relative


def test_template_placeholders_defaults_and_slugs(tmp_path: Path) -> None:
    template = (
        "/:categories/:slugified_categories/:year/:short_year/:month/:i_month/:short_month/"
        ":long_month/:day/:i_day/:y_day/:w_year/:week/:w_day/:short_day/:long_day/:hour/"
        ":minute/:second/:title/:slug/:name:output_ext"
    )
    site = write_site(
        tmp_path / "site",
        {
            "_config.yml": (
                f"url: https://example.com/\nbaseurl: /blog/\ntimezone: America/New_York\n"
                f"permalink: {template}\n"
                "collections:\n  reports:\n    output: true\n"
                "    permalink: /r/:collection/:path/:name:output_ext\n"
                "defaults:\n"
                "  - scope: {path: 'feature', type: posts}\n"
                "    values: {permalink: '/feature/:title/'}\n"
                "  - scope: {path: ''}\n"
                "    values: {tags: [默认]}\n"
            ),
            "_posts/2022-03-06-Hello World!.md": page("你好", "categories: [Big News, 财经]\n"),
            "_posts/2022-12-31-slugged.md": page(
                "别名", "slug: Other Slug\ndate: 2023-01-01 03:00:00 +0800\n"
            ),
            "feature/_posts/2022-05-01-deep.md": page("专题"),
            "_reports/2023/annual report.md": page("年报"),
            "页面.md": page("中文页面"),
        },
    )  # fmt: skip
    articles = assert_same_as_jekyll(site)
    # Jekyll keeps the trailing "/" of url: and so writes "//blog".
    assert articles["feature/_posts/2022-05-01-deep.md"].url == (
        "https://example.com//blog/feature/deep/"
    )
    assert articles["页面.md"].tags == ["默认"]


def test_includes_special_names_and_bad_post_names(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site",
        {
            "_config.yml": (
                "timezone: Asia/Shanghai\ninclude: [_kept.md]\nexclude: [drafts-old, '*.tmp.md']\n"
            ),
            "_kept.md": page("保留"),
            "_hidden.md": page("隐藏"),
            "#temp.md": page("临时"),
            "backup.md~": page("备份"),
            "x.tmp.md": page("临时文件"),
            "drafts-old/a.md": page("旧稿"),
            "_posts/not-a-post.md": page("无日期"),
            "_posts/2022-13-45-bad-date.md": page("坏日期"),
            "_posts/_private/2022-01-01-x.md": page("私有"),
            "_posts/2022-01-02-no-front-matter.md": "没有前言的帖子也会发布。\n",
            "node_modules/pkg/README.md": page("依赖"),
            "Gemfile.md": page("也排除"),  # Jekyll's excludes match as prefixes
        },
    )
    # Jekyll stops the whole build on 2022-13-45; searcher reports the file and goes on.
    (site / "_posts/2022-13-45-bad-date.md").unlink()
    articles = assert_same_as_jekyll(site)
    assert "_posts/2022-01-02-no-front-matter.md" in articles
    (site / "_posts/2022-13-45-bad-date.md").write_text(page("坏日期"), "utf-8")
    _, skipped = searcher(site)
    assert {p: s.kind for p, s in skipped.items()} == {
        "_hidden.md": "special name",
        "#temp.md": "special name",
        "x.tmp.md": "excluded by _config.yml",
        "drafts-old/a.md": "excluded by _config.yml",
        "_posts/not-a-post.md": "not a valid post name",
        "_posts/2022-13-45-bad-date.md": "not a valid post name",
        "_posts/_private/2022-01-01-x.md": "special name",
        "node_modules/pkg/README.md": "default exclude",
        "Gemfile.md": "default exclude",
        LISTING: "search: false",
    }
    assert skipped["_posts/2022-13-45-bad-date.md"].reason == (
        "not a valid post name (2022-13-45 is not a date)"
    )


def test_search_false_and_sitemap_false_are_left_out(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site",
        {
            "_config.yml": "timezone: Asia/Shanghai\n",
            "_posts/2022-01-01-a.md": page("公开"),
            "_posts/2022-01-02-b.md": page("不搜", "search: false\n"),
            "c.md": page("无站点地图", "sitemap: false\n"),
        },
    )
    articles, skipped = searcher(site)
    assert sorted(articles) == ["_posts/2022-01-01-a.md"]
    assert skipped["_posts/2022-01-02-b.md"].reason == "search: false in its front matter"
    assert skipped["c.md"].reason == "sitemap: false in its front matter"


@pytest.mark.skipif(not FINEWS.is_dir(), reason=f"shared finews corpus not found at {FINEWS}")
def test_finews_with_its_real_config(tmp_path: Path) -> None:
    site = tmp_path / "finews"
    shutil.copytree(FINEWS, site)
    config = (site / "_config.yml").read_text("utf-8").splitlines()
    # Its theme gem and plugin are not installed here; they change no URL.
    kept = [line for line in config if not line.startswith(("theme:", "plugins:", "  - "))]
    (site / "_config.yml").write_text("\n".join(kept) + "\n", "utf-8")
    (site / LISTING).write_text(LISTING_PAGE, "utf-8")
    articles = assert_same_as_jekyll(site)
    posts = [a for a in articles.values() if a.type == "post"]
    assert len(posts) == 73
    assert all(a.url and a.url.startswith("https://finews.withounder.com/") for a in posts)
    seed = articles["_posts/2022-06-09-NW202206092406594977.md"]
    assert seed.url == (
        "https://finews.withounder.com/renminribaohaiwaiban/2022/06/09/NW202206092406594977.html"
    )
    _, skipped = searcher(site)
    assert skipped["_posts/-202205262391921712.md"].kind == "not a valid post name"


def test_dated_collection_documents_drafts_short_dates_and_identical_pages(
    tmp_path: Path,
) -> None:
    site = write_site(
        tmp_path / "site",
        {
            "_config.yml": (
                "timezone: Asia/Shanghai\ncollections:\n  news:\n    output: true\n"
                "    permalink: /:collection/:title/:slug/\n"
            ),
            "_news/2022-01-02-n1.md": page("集合"),
            "_drafts/2022-01-05-dr.md": page("草稿"),
            "_posts/2022-1-5-short.md": page("短日期"),
            "_posts/2022-01-03-f.md": page("分类", "category: 社会\ncategories: [经济]\n"),
            "sub/p4.htm": page("旧扩展名"),
            "same-a.md": page("同文"),
            "same-b.md": page("同文"),
        },
    )
    articles = assert_same_as_jekyll(site, "--drafts", drafts=True)
    assert articles["_news/2022-01-02-n1.md"].url == "/news/n1/n1/"
    assert articles["_drafts/2022-01-05-dr.md"].url == "/2022/01/05/dr.html"
    assert articles["_posts/2022-01-03-f.md"].categories == ["经济", "社会"]
    assert articles["sub/p4.htm"].url == "/sub/p4.htm"
    assert {"same-a.md", "same-b.md"} <= set(articles)  # two pages, though one text
