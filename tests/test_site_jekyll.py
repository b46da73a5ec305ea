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
import json
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from jekyll_oracle import needs_jekyll

from searcher.site import Article, Site, SiteOptions, Skipped, read_corpus
from searcher.site.dates import front_matter_reading
from searcher.site.frontmatter import parse_front_matter
from searcher.site.uri import nfkc
from searcher.site.urls import absolute_url, sanitized_baseurl
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


# ---------------------------------------------------------------------------------------
# Issue 19: URLs, dates and titles exactly as Jekyll writes them
# ---------------------------------------------------------------------------------------

URL_SITE = {
    "_posts/2020-03-19-a.md": page("甲", "categories: 新闻\n"),
    "关于（我们）.md": page("关于"),  # full-width brackets: Addressable's NFKC makes them ASCII
}


@needs_jekyll
@pytest.mark.parametrize(
    ("config", "post_url", "page_url"),
    [
        (
            "url: https://Terminus2049.github.io\n",
            "https://terminus2049.github.io/%E6%96%B0%E9%97%BB/2020/03/19/a.html",
            "https://terminus2049.github.io/%E5%85%B3%E4%BA%8E(%E6%88%91%E4%BB%AC).html",
        ),
        (
            "url: HTTPS://News.Example.ORG:443\nbaseurl: /Zh/\n",
            "https://news.example.org/Zh/%E6%96%B0%E9%97%BB/2020/03/19/a.html",
            "https://news.example.org/Zh/%E5%85%B3%E4%BA%8E(%E6%88%91%E4%BB%AC).html",
        ),
        (
            "url: http://例子.中国:8080/\nbaseurl: blog\n",
            "http://xn--fsqu00a.xn--fiqs8s:8080//blog/%E6%96%B0%E9%97%BB/2020/03/19/a.html",
            "http://xn--fsqu00a.xn--fiqs8s:8080//blog/%E5%85%B3%E4%BA%8E(%E6%88%91%E4%BB%AC).html",
        ),
        (
            "baseurl: /zh//\n",
            "/zh//%E6%96%B0%E9%97%BB/2020/03/19/a.html",
            "/zh//%E5%85%B3%E4%BA%8E(%E6%88%91%E4%BB%AC).html",
        ),
    ],
)
def test_url_host_port_and_baseurl_as_absolute_url_writes_them(
    tmp_path: Path, config: str, post_url: str, page_url: str
) -> None:
    files = {"_config.yml": config + "timezone: Asia/Shanghai\n", **URL_SITE}
    articles = assert_same_as_jekyll(write_site(tmp_path / "site", files))
    assert articles["_posts/2020-03-19-a.md"].url == post_url
    assert articles["关于（我们）.md"].url == page_url


def test_url_jekyll_refuses_is_warned_and_used_as_written(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site",
        {"_config.yml": "url: https://x.example:abc\n", "_posts/2020-03-19-a.md": page("甲")},
    )
    items = list(read_corpus(site, None, SiteOptions()))
    (article,) = [i for i in items if isinstance(i, Article)]
    assert article.url == "https://x.example:abc/2020/03/19/a.html"
    site_object = Site(site)
    assert site_object.config.warnings == [
        "_config.yml: url 'https://x.example:abc' is not a URL Jekyll's absolute_url takes "
        "(Invalid port number: 'abc'; jekyll build stops there); URLs start with it as written"
    ]


#: Ruby running Jekyll's own ``absolute_url`` filter for each (url, baseurl, path).
ABSOLUTE_URL_RB = """
require "jekyll"
require "json"
base = Jekyll.configuration({"source" => ARGV[0], "quiet" => true})
site = Jekyll::Site.new(base)
filters = Object.new.extend(Jekyll::Filters::URLFilters)
filters.instance_variable_set(:@context, Liquid::Context.new({}, {}, {:site => site}))
out = JSON.parse(STDIN.read).map do |url, baseurl, input|
  site.config["url"] = url
  site.config["baseurl"] = baseurl
  site.filter_cache.clear
  begin
    filters.absolute_url(input)
  rescue Addressable::URI::InvalidURIError
    "InvalidURIError"
  end
end
puts JSON.generate(out)
"""


@needs_jekyll
def test_absolute_url_matches_jekylls_filter_on_every_combination(tmp_path: Path) -> None:
    """Jekyll's ``absolute_url`` (Addressable 2.8) and searcher's on url × baseurl × path:
    case, ports, IDN and percent-encoded hosts, userinfo, query and fragment in ``url``,
    dot segments, escapes of every class, full-width and compatibility characters."""
    urls = [
        "", "https://Terminus2049.github.io", "HTTPS://EXAMPLE.COM:443/Blog/",
        "https://例子.中国", "https://x.org:8080", "https://x.org/a/./b/../c", "Example.COM",
        "//Example.COM", "https://x.org.", "https://user:pw@X.org", "https://:@x.org",
        "https://x.org?q=1", "https://Ex%41mple.org", "https://x.org:", "http://x.org:80",
        "http://x.org:443", "https://", "https:", "mailto:x@y", "https://[::1]:4000",
        "https://ＥＸＡＭＰＬＥ.org", "https://Bücher.DE", "x.org:8080", "https://x.org#frag",
        "https://x.org/?a=b&c=d+e%2b&&", "https://X.org:0443", "https://x.org/",
        "https://x.org/博客/", "https://x.org/%7euser/%3A", "https://例子.中国.",
        "https://x.org/..", "https://x.org/?", "HTTP://WWW.中国.COM:80", "https://x.org/%ff",
        "https://%e4%be%8b.cn",
    ]  # fmt: skip
    bases = ["", "/", "/Zh/", "zh", "/zh//", "//zh", " /zh ", "/..", "/博客", "/a b/"]
    paths = [
        "/a.html", "/x/%e4%b8%ad.html", "/关于（我们）/Ｃ＋＋.html", "/a b/%2f/%25/%ff/",
        "/a/%2e%2e/b", "/a/%21%3A%7E%EF%BC%A3", "/", "/2020/03/19/①②.html", "/%E2%84%A6/ﬁ/",
        "/a:b/c", "/㍿/\uf951/\ufa30/",
    ]  # fmt: skip
    cases = [[u, b, p] for u in urls for b in bases for p in paths]
    run = subprocess.run(
        ["ruby", "-e", ABSOLUTE_URL_RB, str(tmp_path)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    theirs = json.loads(run.stdout)
    mine = [absolute_url(p, u, sanitized_baseurl(b)) for u, b, p in cases]
    differ = [(c, t, m) for c, t, m in zip(cases, theirs, mine, strict=True) if t != m]
    assert differ == []


NFKC_RB = """
require "addressable/uri"
out = []
(0..0x10FFFF).each do |cp|
  next if cp >= 0xD800 && cp <= 0xDFFF
  s = [cp].pack("U")
  r = Addressable::IDNA.unicode_normalize_kc(s)
  out << "#{cp} #{r.unpack("U*").join(",")}" if r != s
end
puts out
"""


@needs_jekyll
def test_nfkc_is_addressables_on_every_code_point() -> None:
    run = subprocess.run(["ruby", "-e", NFKC_RB], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    theirs: dict[int, str] = {}
    for line in run.stdout.splitlines():
        code, mapped = line.split(" ")
        theirs[int(code)] = "".join(chr(int(c)) for c in mapped.split(",") if c)
    unicode_3_2 = unicodedata.ucd_3_2_0
    differ = [
        hex(code)
        for code in range(0x110000)
        if not 0xD800 <= code <= 0xDFFF
        # nfkc() only changes what Unicode 3.2's NFKC changes: test those and Ruby's
        and (code in theirs or unicode_3_2.normalize("NFKC", chr(code)) != chr(code))
        and nfkc(chr(code)) != theirs.get(code, chr(code))
    ]
    assert differ == []
    assert len(theirs) == 2577  # Addressable maps this many characters on their own


@needs_jekyll
def test_dates_jekyll_rolls_over(tmp_path: Path) -> None:
    """Out-of-range fields that Ruby's ``Time`` carries over, with the warning."""
    dates = {
        "a": ("2020-3-19 29:39:08 +0800", "2020-03-20T05:39:08+08:00", "hour 29"),
        "b": ("2020-03-19 29:39:08 -0500", "2020-03-20T18:39:08+08:00", "hour 29"),
        "c": ("2020-03-19 99:00:00 +0800", "2020-03-23T03:00:00+08:00", "hour 99"),
        "d": ("2020-02-30 10:00:00", "2020-03-01T18:00:00+08:00", "day 30 of a 29-day month"),
        "e": ("'2021-02-30 10:00:00'", "2021-03-02T10:00:00+08:00", "day 30 of a 28-day month"),
        "f": ("2021-02-29", "2021-03-01T00:00:00+08:00", "day 29 of a 28-day month"),
        "g": ("2020-12-31 24:00:00 +0800", "2021-01-01T00:00:00+08:00", "hour 24"),
        "h": ("2020-03-19 23:59:60 +0800", "2020-03-20T00:00:00+08:00", "second 60"),
        "i": ("2020-03-19 23:60:00 +0830", "2020-03-19T23:30:00+08:00", "minute 60"),
        "j": ("2020-03-19 24:00", "2020-03-20T00:00:00+08:00", "hour 24"),
    }
    files = {"_config.yml": "timezone: Asia/Shanghai\n"}
    for name, (written, _, _) in dates.items():
        files[f"_posts/2020-01-01-{name}.md"] = page(name, f"date: {written}\n")
    articles = assert_same_as_jekyll(write_site(tmp_path / "site", files))
    for name, (written, expected, rolled) in dates.items():
        article = articles[f"_posts/2020-01-01-{name}.md"]
        assert xmlschema(article.date) == expected, name
        shown = written.strip("'")
        assert article.warnings == [
            f"_posts/2020-01-01-{name}.md:3: date {shown!r} has {rolled}, which Jekyll rolls "
            f"over: dated {article.date.isoformat() if article.date else ''}"
        ]


@needs_jekyll
@pytest.mark.parametrize("timezone", ["America/New_York", None])
def test_date_only_with_offset_is_midnight_in_the_site_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, timezone: str | None
) -> None:
    """A bare day ignores its offset (Ruby's ``Date._parse`` reads a zone only after a
    time), with ``timezone:`` set and unset (then Jekyll's zone is the machine's, ``TZ``,
    and searcher's the index's); ``+08:00`` after a bare day is read as the time 08:00;
    ``+8`` is an offset to YAML (unquoted) but not to ``Time.parse`` (quoted)."""
    zone = "America/New_York"
    monkeypatch.setenv("TZ", zone)  # Jekyll's zone when the config has none
    dates = {
        "a": ("2020-03-19 +0800", "2020-03-19T00:00:00-04:00"),
        "b": ("2020-03-19 -0500", "2020-03-19T00:00:00-04:00"),
        "c": ("2020-03-19 Z", "2020-03-19T00:00:00-04:00"),
        "d": ("2020-03-19 UTC", "2020-03-19T00:00:00-04:00"),
        "e": ("2020-03-19T+0800", "2020-03-19T00:00:00-04:00"),
        "f": ("'2020-03-19 +08:00'", "2020-03-19T08:00:00-04:00"),
        "g": ("2020-03-19 10:00:00 +8", "2020-03-18T22:00:00-04:00"),
        "h": ("'2020-03-19 10:00:00 +8'", "2020-03-19T10:00:00-04:00"),
        "i": ("2020-03-19 10:00:00 CST", "2020-03-19T12:00:00-04:00"),
    }
    config = f"timezone: {timezone}\n" if timezone else ""
    files = {"_config.yml": config}
    for name, (written, _) in dates.items():
        files[f"_posts/2020-01-01-{name}.md"] = page(name, f"date: {written}\n")
    site = write_site(tmp_path / "site", files)
    published = jekyll(site)
    items = list(read_corpus(site, ZoneInfo(zone), SiteOptions()))
    articles = {i.path: i for i in items if isinstance(i, Article)}
    for name, (_, expected) in dates.items():
        path = f"_posts/2020-01-01-{name}.md"
        assert published[path][1] == expected, name
        assert xmlschema(articles[path].date) == expected, name
        assert articles[path].url == published[path][0], name
        assert articles[path].warnings == [], name


@needs_jekyll
def test_dates_jekyll_refuses_stop_its_build_and_are_warned(tmp_path: Path) -> None:
    rel = "_posts/2020-03-18-a.md"
    site = write_site(tmp_path / "site", {rel: page("甲", "date: 2020-3-19 29:39:08\n")})
    run = subprocess.run(
        [str(JEKYLL), "build", "-s", str(site), "-d", str(tmp_path / "built")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert "Invalid date '2020-3-19 29:39:08'" in run.stderr + run.stdout
    refused = {
        "2020-3-19 29:39:08": "hour 29 out of range",
        "2020-03-19 29:39:08 Z": "hour 29 out of range after the offset Z is applied",
        "2020-03-32 10:00:00": "day 32 out of range",
        "2020-13-01": "month 13 out of range",
        "2020-03-19 23:60:00 +0800": "minute 60 out of range after the offset +0800 is applied",
        "2020-03-19 24:30:00": "hour 24 with 30:00 after it",
        "2020-03-19 10:00:00 +2400": "offset +2400 out of range",
    }
    assert set(jekyll_dates(list(refused), "Asia/Shanghai").values()) == {None}
    for written, reason in refused.items():
        (site / rel).write_text(page("甲", f"date: {written}\n"), "utf-8")
        articles, _ = searcher(site, timezone="Asia/Shanghai")
        assert xmlschema(articles[rel].date) == "2020-03-18T00:00:00+08:00"
        assert articles[rel].warnings == [
            f"{rel}:3: date {written!r} has {reason}, which Jekyll refuses "
            '(jekyll build stops: "Invalid date"); dated 2020-03-18 from the file name'
        ]


#: Ruby running Jekyll's own front matter date reading (``Utils.safe_load_yaml``, then
#: ``Document#merge_date!``'s ``Utils.parse_date``) under ``TZ`` = ARGV[0].
PARSE_DATE_RB = """
require "jekyll"
require "json"
ENV["TZ"] = ARGV[0]
out = JSON.parse(STDIN.read).map do |written|
  value = Jekyll::Utils.safe_load_yaml("date: #{written}\\n")["date"]
  Jekyll::Utils.parse_date(value.to_s).xmlschema
rescue Jekyll::Errors::InvalidDateError
  nil
end
puts JSON.generate(out)
"""


def jekyll_dates(written: list[str], zone: str) -> dict[str, str | None]:
    """``{front matter value: Jekyll's date as xmlschema, or None if it refuses it}``."""
    run = subprocess.run(
        ["ruby", "-e", PARSE_DATE_RB, zone],
        input=json.dumps(written),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return dict(zip(written, json.loads(run.stdout), strict=True))


@needs_jekyll
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York", "Asia/Tokyo"])
def test_dates_match_jekylls_reading_on_many_forms(zone: str) -> None:
    """Every form, quoted and not, against Jekyll's own code: rollover at each field,
    offsets in every spelling Psych and ``Time.parse`` tell apart, bare days with zones,
    zone names (``CST`` is US Central to Ruby, ``JST`` the site's own under Tokyo)."""
    forms = [
        "2020-3-19 29:39:08", "2020-03-19 24:00:00", "2020-03-19 23:60:00",
        "2020-03-19 23:59:60", "2020-03-19 23:59:61", "2020-03-19 99:00:00",
        "2020-03-19 100:00:00 +0800", "2020-03-32 10:00:00", "2020-13-01 10:00:00",
        "2020-02-30 10:00:00", "2020-02-30", "2021-02-29", "2020-02-31", "2020-03-32",
        "2020-3-19 29:39:08 +0800", "2020-3-19 29:39:08 Z", "2020-03-19 +0800",
        "2020-03-19 +08:00", "2020-03-19 -0500", "2020-03-19 Z", "2020-03-19 UTC",
        "2020-03-19T10:00", "2020-03-19 10:00", "2020-03-19 25:00", "2020-03-19 24:00",
        "2020-03-19 24:30:00", "2020-12-31 24:00:00", "2020-02-30 24:00:00",
        "2020-00-10 10:00:00", "2020-03-00 10:00:00", "2020-03-19 29:39:08.5",
        "2020/3/19 29:39:08", "2020-03-19T29:39:08", "2020-03-19 09:39:08 +0800",
        "2020-03-19 29:39:08 +08:00", "2020-03-19 12:00:00 +2500", "2020-03-19 +2500",
        "2020-03-19 +08", "2020-03-19 CST", "2020-03-19 10:00 +0800", "2020-03-19 -0000",
        "2020-03-19 10:00:00 +8", "2020-03-19 10:00:00 +8:00", "2020-03-19 10:00:00 +800",
        "2020-03-19 10:00:00 +08", "2020-03-19 10:00 +8", "2020-03-19 10:00:00 GMT+8",
        "2020-03-19 10:00:00 UTC", "2020-03-19 10:00:00 CST", "2020-03-19 10:00:00 JST",
        "2020-03-19 29:39:08 -0500", "2020-03-31 29:39:08 -0500", "2020-12-31 29:39:08 -0500",
        "2020-03-19 23:60:00 +0830", "2020-03-19 29:00:00 +0030", "2020-03-19 29:00:00 -00:30",
        "2020-03-19 10:00:00 -00:30", "2020-03-19 10:00:00.75", "2020-03-19 48:00:00 +0800",
        "2020-03-19 10:00:00 +2359", "2020-03-19 10:00:00 +2400", "2020-03-19T10:00:00+08:00",
        "2020-3-19 9:39:08", "2020-03-19 9:5:08", "2020-03-19 10:00:00 -08:00",
        "2020-03-19T10:00:00z", "2020-03-19 10:00:00 +08:00:30", "2021-02-31 29:00:00 -0500",
        "2020-03-31 23:00:00 -0500", "2020-02-29 48:00:00 +0100", "2020-03-19T+08:00",
        "2020-03-19 10:00:00 A", "20220301", "2020-3-9",
    ]  # fmt: skip
    written = forms + [f"'{form}'" for form in forms]
    theirs = jekyll_dates(written, zone)
    tz = ZoneInfo(zone)
    mine: dict[str, str | None] = {}
    for value in written:
        fields, _ = parse_front_matter(f"date: {value}", "x.md", [])
        reading = front_matter_reading(fields["date"], tz, quoted=value.startswith("'"))
        mine[value] = xmlschema(reading.when) or None
    assert mine == theirs


@needs_jekyll
def test_titles_are_the_text_the_page_shows(tmp_path: Path) -> None:
    """Jekyll writes ``{{ page.title }}`` unescaped; the stored title is the heading's
    visible text (tags gone, entities decoded once, one space for ``<br>``)."""
    titles = {
        "a": ('"一个<b>标题</b>"', "一个标题"),
        "b": ('"<em>强调</em>与&amp;符号"', "强调与&符号"),
        "c": ('"第一行<br>第二行"', "第一行 第二行"),
        "d": ('"1 < 2 的故事"', "1 < 2 的故事"),
        "e": ('"&amp;lt;不是标签&gt;"', "&lt;不是标签>"),
        "f": ('"注释<!-- 隐藏 -->之后"', "注释之后"),
        "g": ("'<script>var x = 1;</script>脚本之后'", "脚本之后"),
        "h": ('"中美&amp;欧盟会谈"', "中美&欧盟会谈"),
    }
    files = {
        "_config.yml": "timezone: Asia/Shanghai\n",
        "_layouts/default.html": (
            '<html><body><h1 id="t">{{ page.title }}</h1>{{ content }}</body></html>\n'
        ),
    }
    for name, (written, _) in titles.items():
        files[f"_posts/2020-03-19-{name}.md"] = page(written, "layout: default\n")
    site = write_site(tmp_path / "site", files)
    articles = assert_same_as_jekyll(site)
    built = site.parent / (site.name + "-built")
    for name, (_, expected) in titles.items():
        article = articles[f"_posts/2020-03-19-{name}.md"]
        assert article.title == expected, name
        html = (built / f"2020/03/19/{name}.html").read_text("utf-8")
        heading = lxml.html.fromstring(html).get_element_by_id("t")
        for br in heading.iter("br"):  # a line break shows as white space
            br.tail = "\n" + (br.tail or "")
        for script in list(heading.iter("script")):  # run, not shown
            script.drop_tree()
        shown = " ".join(heading.text_content().split())
        assert article.title == shown, name
    assert articles["_posts/2020-03-19-g.md"].warnings == [
        "_posts/2020-03-19-g.md:2: title '<script>var x = 1;</script>脚本之后' has markup "
        "that hides text; kept '脚本之后'"
    ]
    assert all(articles[f"_posts/2020-03-19-{n}.md"].warnings == [] for n in "abcdefh")


def test_post_named_for_a_day_past_the_months_end_is_published(tmp_path: Path) -> None:
    """``2022-02-30-x.md`` is a post of March 2 for Jekyll (Ruby's Time rolls the day
    over); ``2022-02-32-y.md`` stops Jekyll's build ("Invalid date") and is left out."""
    site = write_site(
        tmp_path / "site",
        {"_config.yml": "timezone: Asia/Shanghai\n", "_posts/2022-02-30-x.md": page("晚到")},
    )
    articles = assert_same_as_jekyll(site)
    assert articles["_posts/2022-02-30-x.md"].url == "/2022/03/02/x.html"
    (site / "_posts/2022-02-32-y.md").write_text(page("无效"), encoding="utf-8")
    _, skipped = searcher(site)
    assert skipped["_posts/2022-02-32-y.md"].reason == (
        "not a valid post name (2022-02-32 is not a date)"
    )
