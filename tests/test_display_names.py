"""Display names of categories and tags from the site's ``_data`` (issue #23): read as
Jekyll reads data files, stored in the index by ``searcher index``, shown on the page and
given by the API, while links and filters keep the values as indexed."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from searcher.cli import main
from searcher.index import Index
from searcher.site.datafiles import DisplayNames, read_display_names
from searcher.web import create_app
from searchutil import post, write_files

POSTS = {
    "_posts/2024-05-01-a.md": post(
        "长江经济带发展",
        "长江保护修复攻坚。",
        "2024-05-01",
        "categories: xinwenlianbo\ntags: [lhzg]\n",
    ),
    "_posts/2024-05-02-b.md": post(
        "长江禁渔", "长江十年禁渔。", "2024-05-02", "categories: [xinwenlianbo, kuaiping]\n"
    ),
    "_posts/2024-05-03-c.md": post(
        "长江航运", "长江航运繁忙。", "2024-05-03", "categories: other\n"
    ),
}
CATEGORIES = "xinwenlianbo: 新闻联播\nkuaiping:\n  name: 央视快评\n"
TAGS = '{"lhzg": {"title": "领航中国"}}'


def site(root: Path, **data: str) -> Path:
    """The posts and ``_data`` files named as ``categories_yml="…"`` (``_data/categories.yml``)."""
    files = {f"_data/{k.rsplit('_', 1)[0]}.{k.rsplit('_', 1)[1]}": v for k, v in data.items()}
    return write_files(root / "site", {**POSTS, **files})


def test_each_shape_jekyll_reads(tmp_path: Path) -> None:
    shapes = {
        "a": {"categories.yml": "xwlb: 新闻联播\n2024: 年度\n"},
        "b": {"categories.yaml": "xwlb: {name: 新闻联播, title: 不用}\nkp: {title: 央视快评}\n"},
        "c": {"categories.json": '{"xwlb": "新闻联播"}'},
        "d": {"categories.csv": "slug,name\nxwlb,新闻联播\nkp,央视快评\n"},
        "e": {"categories.tsv": "id\ttitle\nxwlb\t新闻联播\n"},
        "f": {"categories.yml": "- {key: xwlb, name: 新闻联播}\n"},
        # several files of one name: Jekyll's order, the last read wins
        "g": {"categories.yml": "xwlb: 旧名\n", "categories.json": '{"xwlb": "新闻联播"}'},
    }
    for name, files in shapes.items():
        root = write_files(tmp_path / name, {f"_data/{f}": text for f, text in files.items()})
        found = read_display_names(root)
        assert found.warnings == [], name
        assert found.categories["xwlb"] == "新闻联播", name
        assert found.tags == {}, name
    assert read_display_names(tmp_path / "a").categories == {"xwlb": "新闻联播", "2024": "年度"}
    assert read_display_names(tmp_path / "b").categories == {"xwlb": "新闻联播", "kp": "央视快评"}
    assert read_display_names(tmp_path / "nothing") == DisplayNames()


def test_a_malformed_file_is_a_warning_naming_it(tmp_path: Path) -> None:
    cases = {
        "categories.yml": ("xwlb: [新闻\n", "_data/categories.yml:2: not valid YAML ("),
        "tags.json": ('{"a": ', "_data/tags.json:1: not valid JSON (Expecting value)"),
        "categories.yaml": (
            "- 新闻联播\n- 央视快评\n",
            "_data/categories.yaml: not a mapping of value → display name (a list); "
            "no display names",
        ),
        "tags.yml": (
            "a: 甲\nb: [x]\nc: {slug: c}\nd:\n",
            "_data/tags.yml: no display name (a text, or a name or title field) for b, c, d; "
            "shown as indexed",
        ),
    }
    for file, (text, warning) in cases.items():
        root = write_files(tmp_path / file, {f"_data/{file}": text})
        found = read_display_names(root)
        assert len(found.warnings) == 1, file
        path, message = found.warnings[0]
        assert path == f"_data/{file}" and message.startswith(warning), message
    assert read_display_names(tmp_path / "tags.yml").tags == {"a": "甲"}  # the usable kept


def test_the_config_data_dir_is_read(tmp_path: Path) -> None:
    root = write_files(
        tmp_path, {"_config.yml": "data_dir: meta\n", "meta/categories.yml": "xwlb: 新闻联播\n"}
    )
    from searcher.site import Site

    assert Site(root).display_names.categories == {"xwlb": "新闻联播"}


@pytest.fixture()
def named(tmp_path: Path) -> tuple[Path, Index]:
    corpus = site(tmp_path, categories_yml=CATEGORIES, tags_json=TAGS)
    report = Index.build(tmp_path / "ix", corpus)
    assert (report.added, report.messages) == (3, [])
    return corpus, Index.open(tmp_path / "ix")


def test_the_index_stores_them_and_answers_give_those_shown(named: tuple[Path, Index]) -> None:
    _, index = named
    assert index.display_names() == {
        "categories": {"xinwenlianbo": "新闻联播", "kuaiping": "央视快评"},
        "tags": {"lhzg": "领航中国"},
    }
    results = index.search("长江", sort="oldest")
    assert results.facets["categories"] == {"xinwenlianbo": 2, "kuaiping": 1, "other": 1}
    assert results.display_names == {
        "categories": {"kuaiping": "央视快评", "xinwenlianbo": "新闻联播"},
        "tags": {"lhzg": "领航中国"},
    }
    # a filter takes the value as indexed
    assert index.search("长江", categories=["kuaiping"]).display_names == {
        "categories": {"kuaiping": "央视快评", "xinwenlianbo": "新闻联播"},
        "tags": {},
    }
    assert index.search("航运").display_names == {"categories": {}, "tags": {}}
    index.close()


def test_the_api_gives_the_names(named: tuple[Path, Index]) -> None:
    _, index = named
    api = create_app(index).test_client().get("/api/search?q=长江&category=kuaiping").get_json()
    assert api["hits"][0]["categories"] == ["xinwenlianbo", "kuaiping"]
    assert api["display_names"] == {
        "categories": {"kuaiping": "央视快评", "xinwenlianbo": "新闻联播"},
        "tags": {},
    }
    index.close()


def facet(page: str, param: str) -> list[tuple[str, str]]:
    """``(label shown, href unquoted)`` of a facet's values, in order."""
    section = page.split(f'aria-labelledby="facet-{param}"', 1)[1].split("</section>", 1)[0]
    return [
        (re.sub(r"<[^>]+>|✓ |已选：", "", label).strip(), unquote(html.unescape(href)))
        for href, label in re.findall(
            r'<a class="facet-value[^"]*" href="([^"]*)"[^>]*><span class="value">(.*?)</span>'
            r'<span class="count"',
            section,
        )
    ]


def test_the_page_shows_the_names_and_links_the_values(named: tuple[Path, Index]) -> None:
    _, index = named
    client = create_app(index).test_client()
    page = client.get("/?q=长江&category=xinwenlianbo").get_data(as_text=True)
    assert facet(page, "category") == [
        ("新闻联播", "?q=长江"),
        ("other", "?q=长江&category=xinwenlianbo&category=other"),  # 3 posts with it
        ("央视快评", "?q=长江&category=xinwenlianbo&category=kuaiping"),  # 2
    ]
    assert facet(page, "tag") == [("领航中国", "?q=长江&category=xinwenlianbo&tag=lhzg")]
    chip = page.split('<div class="chips"', 1)[1].split("</div>", 1)[0]
    assert 'value="xinwenlianbo" checked> 分类：新闻联播</label>' in chip
    meta = re.findall(r'<a class="(cat|tag)" href="[^"]*" title="([^"]*)">([^<]*)</a>', page)
    assert meta == [
        ("cat", "筛选分类：新闻联播", "新闻联播"),
        ("cat", "筛选分类：央视快评", "央视快评"),
        ("cat", "筛选分类：新闻联播", "新闻联播"),
        ("tag", "筛选标签：领航中国", "#领航中国"),
    ]
    article = client.get("/posts/_posts/2024-05-02-b").get_data(as_text=True)
    assert re.findall(r'<a class="cat" href="([^"]*)">([^<]*)</a>', article) == [
        ("/?category=xinwenlianbo", "新闻联播"),
        ("/?category=kuaiping", "央视快评"),
    ]
    index.close()


def test_a_changed_mapping_is_taken_by_the_next_run(named: tuple[Path, Index]) -> None:
    corpus, index = named
    path = corpus / "_data/categories.yml"
    stat = path.stat()
    path.write_text(CATEGORIES.replace("新闻联播", "联播"), encoding="utf-8")
    import os

    os.utime(
        path, ns=(stat.st_atime_ns, stat.st_mtime_ns)
    )  # the time as it was: the names as read tell
    report = Index.build(index.path, corpus)
    assert (report.unchanged, report.added) == (3, 0)
    assert index.search("长江").display_names["categories"]["xinwenlianbo"] == "联播"
    (corpus / "_data/categories.yml").unlink()
    (corpus / "_data/tags.json").unlink()
    Index.build(index.path, corpus)
    assert index.search("长江").display_names == {}
    assert index.display_names() == {"categories": {}, "tags": {}}
    index.close()


def test_index_and_check_warn_of_a_malformed_file(tmp_path: Path) -> None:
    corpus = site(tmp_path, categories_yml="- 新闻联播\n")
    warning = (
        "_data/categories.yml: not a mapping of value → display name (a list); no display names"
    )
    report = Index.build(tmp_path / "ix", corpus)
    assert report.messages == [warning]
    check = CliRunner().invoke(main, ["check", str(corpus)])
    assert check.stdout.splitlines()[0] == warning


def test_a_filter_also_takes_the_display_name(named: tuple[Path, Index]) -> None:
    _, index = named
    client = create_app(index).test_client()
    for named_query, indexed_query, total in (
        ("category=央视快评", "category=kuaiping", 1),
        ("tag=领航中国", "tag=lhzg", 1),
        ("category=央视快评&category=kuaiping", "category=kuaiping", 1),
    ):
        by_name = client.get(f"/api/search?q=长江&{named_query}").get_json()
        by_value = client.get(f"/api/search?q=长江&{indexed_query}").get_json()
        assert by_name == by_value and by_name["total"] == total, named_query
    assert client.get("/api/search?q=长江&category=新闻联播").get_json()["total"] == 2
    page = client.get("/?q=长江&category=央视快评").get_data(as_text=True)
    assert facet(page, "category")[0] == ("央视快评", "?q=长江")  # chosen, as indexed
    assert 'name="category" value="kuaiping" checked> 分类：央视快评</label>' in page
    index.close()
