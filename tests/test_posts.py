"""Tests for :mod:`searcher.posts`: cases C7, C8, C9 (and the reading side of C10) of
``../shared/cases/CASES.md``, plus the shared ``finews`` and ``xwlb-small`` corpora when
they are present next to the project."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from searcher.errors import CorpusError, PostError
from searcher.site import (
    Article,
    Duplicate,
    Site,
    SiteOptions,
    Skipped,
    SkippedPostError,
    body_to_text,
    check_corpus,
    date_from_filename,
    first_sentence,
    html_to_text,
    parse_date,
    read_corpus,
    read_post,
)
from searchutil import SHARED_CORPUS

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
FINEWS = SHARED_CORPUS / "finews"
XWLB_SMALL = SHARED_CORPUS / "xwlb-small"


def write(folder: Path, name: str, text: str | bytes) -> Path:
    """Write a post file (str as UTF-8, bytes as they are), creating folders."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_bytes(text.encode("utf-8"))
    else:
        path.write_bytes(text)
    return path


def post(front: str, body: str = "正文。\n") -> str:
    return f"---\n{front}\n---\n{body}"


def read(folder: Path, name: str, text: str | bytes, tz: ZoneInfo | None = None) -> Article:
    return read_post(write(folder, name, text), folder, tz)


def articles(root: Path) -> dict[str, Article]:
    """The articles of a folder of posts that is not a Jekyll site (``--all-files``)."""
    every = SiteOptions(all_files=True)
    return {item.path: item for item in read_corpus(root, None, every) if isinstance(item, Article)}


# ---------------------------------------------------------------------------------------
# C7 Front matter that does not parse
# ---------------------------------------------------------------------------------------


@pytest.fixture
def c7(tmp_path: Path) -> Path:
    write(tmp_path, "2022-03-01-rate.md", post("title: 央行: 下调存款准备金率", "央行宣布降准。\n"))
    write(
        tmp_path,
        "2022-03-02-bom.md",
        b"\xef\xbb\xbf" + post("title: 春季招聘", "多家企业启动春季招聘。\n").encode(),
    )
    write(tmp_path, "2022-03-03-fwcolon.md", post("title：测试标题", "这是正文第一句。第二句。\n"))
    write(tmp_path, "2022-03-04-hash.md", post("title: 第1期 #热点", "本期热点。\n"))
    write(tmp_path, "2022-03-05-ok.md", post("title: 正常新闻\ndate: 2022-03-05", "一切正常。\n"))
    return tmp_path


def test_c7_unquoted_colon_recovered_with_warning_naming_file_and_line(c7: Path) -> None:
    article = articles(c7)["2022-03-01-rate.md"]
    assert article.title == "央行: 下调存款准备金率"
    assert article.body == "央行宣布降准。"
    assert len(article.warnings) == 1
    assert article.warnings[0].startswith("2022-03-01-rate.md:2: front matter is not valid YAML (")
    assert article.warnings[0].endswith("; recovered title by line")


def test_c7_bom_is_stripped_and_title_kept(c7: Path) -> None:
    article = articles(c7)["2022-03-02-bom.md"]
    assert article.title == "春季招聘"
    assert article.body == "多家企业启动春季招聘。"
    assert "title:" not in article.body
    assert "\ufeff" not in article.title + article.body
    assert article.warnings == []


def test_c7_fullwidth_colon_warns_no_key_value_pairs_and_falls_back(c7: Path) -> None:
    article = articles(c7)["2022-03-03-fwcolon.md"]
    assert article.title == "这是正文第一句"
    assert article.warnings == [
        "2022-03-03-fwcolon.md:2: front matter has no key/value pairs "
        "(a full-width colon '：' is not a key separator)",
        "2022-03-03-fwcolon.md: no title; used the first sentence of the body: '这是正文第一句'",
    ]


def test_c7_fullwidth_colon_with_empty_body_falls_back_to_slug(tmp_path: Path) -> None:
    article = read(tmp_path, "2022-03-03-fwcolon.md", post("title：测试标题", ""))
    assert article.title == "fwcolon"
    assert article.body == ""
    assert article.warnings[-1] == "2022-03-03-fwcolon.md: no title; used the file name: 'fwcolon'"


def test_c7_hash_starts_a_yaml_comment(c7: Path) -> None:
    article = articles(c7)["2022-03-04-hash.md"]
    assert article.title == "第1期"
    assert article.warnings == []


def test_c7_normal_post(c7: Path) -> None:
    article = articles(c7)["2022-03-05-ok.md"]
    assert article.title == "正常新闻"
    assert article.date == dt.datetime(2022, 3, 5, tzinfo=SH)
    assert article.warnings == []


def test_c7_unescaped_quotes_inside_quoted_title(tmp_path: Path) -> None:
    article = read(tmp_path, "2022-03-06-quote.md", post('title: "他说"好"的"\ntags: [a, b]'))
    assert article.title == '他说"好"的'
    assert article.tags == ["a", "b"]
    assert len(article.warnings) == 1
    assert article.warnings[0].startswith("2022-03-06-quote.md:2: front matter is not valid YAML")
    assert article.warnings[0].endswith("recovered title, tags by line")


def test_c7_fallback_keeps_the_other_fields(tmp_path: Path) -> None:
    front = (
        "layout: post\n"
        "title: 央行: 下调存款准备金率\n"
        "date: 2022-03-01 10:00:00 +0800\n"
        "categories: 财经 金融\n"
        "tags:\n"
        "  - 央行\n"
        "  - 2022\n"
    )
    article = read(tmp_path, "2022-03-01-rate.md", post(front))
    assert article.title == "央行: 下调存款准备金率"
    assert article.date == dt.datetime(2022, 3, 1, 10, tzinfo=SH)
    assert article.categories == ["财经", "金融"]
    assert article.tags == ["央行", "2022"]
    assert article.warnings[0].startswith("2022-03-01-rate.md:3: ")
    assert article.warnings[0].endswith("recovered layout, title, date, categories, tags by line")


def test_c7_crlf_line_ends(tmp_path: Path) -> None:
    text = "---\r\ntitle: 换行\r\ntags: 甲 乙\r\n---\r\n\r\n第一段。\r\n\r\n第二段。\r\n"
    article = read(tmp_path, "2022-03-07-crlf.md", text)
    assert article.title == "换行"
    assert article.tags == ["甲", "乙"]
    assert article.body == "第一段。\n第二段。"
    assert article.warnings == []


def test_c7_summary_counts_every_file(c7: Path) -> None:
    write(c7, "2022-03-06-quote.md", post('title: "他说"好"的"'))
    report = check_corpus(c7)
    assert report.summary() == (
        "posts read: 6, recovered with warnings: 3, skipped: 0, duplicates: 0"
    )
    assert [line.split(":", 1)[0] for line in report.lines] == [
        "2022-03-01-rate.md",
        "2022-03-03-fwcolon.md",
        "2022-03-03-fwcolon.md",
        "2022-03-06-quote.md",
    ]


def test_empty_front_matter_is_a_post(tmp_path: Path) -> None:
    article = read(tmp_path, "2022-03-08-empty.md", "---\n---\n只有正文。\n")
    assert article.title == "只有正文"
    assert article.date == dt.datetime(2022, 3, 8, tzinfo=SH)
    assert article.warnings == [
        "2022-03-08-empty.md: no title; used the first sentence of the body: '只有正文'"
    ]


# ---------------------------------------------------------------------------------------
# C8 Dates and Jekyll value semantics
# ---------------------------------------------------------------------------------------


C8_DATES = {
    "2022-03-01-a.md": ("date: 2022-03-01 08:30:00 +0800", dt.datetime(2022, 3, 1, 8, 30)),
    "2022-03-01-b.md": ("date: 2022-03-01T08:30:00+08:00", dt.datetime(2022, 3, 1, 8, 30)),
    "2022-03-01-c.md": ("date: 2022-03-01", dt.datetime(2022, 3, 1)),
    "2022-03-01-d.md": ("date: '2022-03-01'", dt.datetime(2022, 3, 1)),
    "2022-03-01-e.md": ("layout: post", dt.datetime(2022, 3, 1)),
    "2022-03-01-f.md": ("date: 2022-03-01 00:30:00 +0800", dt.datetime(2022, 3, 1, 0, 30)),
}


def test_c8_six_date_forms_all_fall_on_2022_03_01(tmp_path: Path) -> None:
    for name, (front, _) in C8_DATES.items():
        write(tmp_path, name, post(f"title: {name}\n{front}"))
    found = articles(tmp_path)
    assert sorted(found) == sorted(C8_DATES)
    for name, (_, local) in C8_DATES.items():
        date = found[name].date
        assert date is not None
        assert date == local.replace(tzinfo=SH), name
        assert date.utcoffset() == dt.timedelta(hours=8), name
        assert date.date() == dt.date(2022, 3, 1), name
        assert found[name].warnings == [], name
    in_range = [a for a in found.values() if a.date and a.date.date() == dt.date(2022, 3, 1)]
    assert len(in_range) == 6
    ordered = sorted(found.values(), key=lambda a: (a.date, a.path))
    assert [a.path for a in ordered][-2:] == ["2022-03-01-a.md", "2022-03-01-b.md"]


def test_c8_jekyll_value_semantics(tmp_path: Path) -> None:
    front = "title: 2022\ntags: [5G, 2022, yes]\ncategories: 科技 财经\ndate: 2022-03-01"
    article = read(tmp_path, "2022-03-01-values.md", post(front))
    assert article.title == "2022"
    assert article.tags == ["5G", "2022", "yes"]
    assert article.categories == ["科技", "财经"]
    assert article.warnings == []


@pytest.mark.parametrize(
    ("front", "categories", "tags"),
    [
        ("categories: [科技, 财经]\ntags: 甲 乙 甲", ["科技", "财经"], ["甲", "乙"]),
        ("category: 科技 财经\ntag: 甲", ["科技 财经"], ["甲"]),  # singular is taken whole
        ("categories:\n  - 科技\n  - 1.5\ntags: [no, 'on', ~]", ["科技", "1.5"], ["no", "on"]),
        ("categories: \ntags: ''", [], []),
    ],
)
def test_tags_and_categories(
    tmp_path: Path, front: str, categories: list[str], tags: list[str]
) -> None:
    article = read(tmp_path, "2022-03-01-t.md", post(f"title: t\n{front}"))
    assert article.categories == categories
    assert article.tags == tags


def test_c8_offset_only_date_and_empty_title_use_file_name(tmp_path: Path) -> None:
    text = post('title: ""\ndate:  +0800', "首行就是标题\n\n第二段。\n")
    article = read(tmp_path, "2022-03-01-offset.md", text)
    assert article.date == dt.datetime(2022, 3, 1, tzinfo=SH)
    assert article.title == "首行就是标题"
    assert article.warnings == [
        "2022-03-01-offset.md:2: empty title; used the first sentence of the body: '首行就是标题'",
        "2022-03-01-offset.md:3: date '+0800' has an offset but no day; "
        "dated 2022-03-01 from the file name",
    ]


def test_c8_offset_only_date_uses_news_id_in_file_name(tmp_path: Path) -> None:
    text = post('title: ""\ndate:  +0800', "> 摘要。\n\n<p>正文。</p>\n")
    article = read(tmp_path, "-202203012391921712.md", text)
    assert article.date == dt.datetime(2022, 3, 1, tzinfo=SH)
    assert article.title == "摘要"
    assert article.id == "-202203012391921712"
    assert article.warnings[-1] == (
        "-202203012391921712.md:3: date '+0800' has an offset but no day; "
        "dated 2022-03-01 from the id in the file name"
    )


def test_undatable_post_is_kept_without_date(tmp_path: Path) -> None:
    write(tmp_path, "notes.md", post("title: 随记\ndate: 某天"))
    (item,) = list(read_corpus(tmp_path, None, SiteOptions(all_files=True)))
    assert isinstance(item, Article)
    assert item.date is None
    assert item.warnings == [
        "notes.md:3: date '某天' is not a date and none in the file name; the post has no date"
    ]
    assert (item.type, item.url, item.key) == ("page", "/notes.html", "/notes.html")


def test_time_without_offset_is_read_as_jekyll_reads_it(tmp_path: Path) -> None:
    # Quoted, a time without offset is local to the site time zone (Jekyll's Time.parse).
    text = post("title: t\ndate: '2022-03-01 10:00:00'")
    assert read(tmp_path, "a.md", text).date == dt.datetime(2022, 3, 1, 10, tzinfo=SH)
    assert read(tmp_path, "a.md", text, tz=UTC).date == dt.datetime(2022, 3, 1, 10, tzinfo=UTC)
    # Unquoted, it is a YAML timestamp, which YAML (and so Jekyll) reads as UTC.
    plain = post("title: t\ndate: 2022-03-01 10:00:00")
    assert read(tmp_path, "a.md", plain).date == dt.datetime(2022, 3, 1, 18, tzinfo=SH)
    assert read(tmp_path, "a.md", plain, tz=UTC).date == dt.datetime(2022, 3, 1, 10, tzinfo=UTC)
    no_date = post("title: t")
    assert read(tmp_path, "2022-03-01-x.md", no_date, tz=UTC).date == dt.datetime(
        2022, 3, 1, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-06-09 10:05:12 +0800", dt.datetime(2022, 6, 9, 10, 5, 12, tzinfo=SH)),
        ("2022-03-01T08:30:00+08:00", dt.datetime(2022, 3, 1, 8, 30, tzinfo=SH)),
        ("2022-03-01T00:30:00Z", dt.datetime(2022, 3, 1, 8, 30, tzinfo=SH)),
        ("2022-03-01 00:30:00 -0500", dt.datetime(2022, 3, 1, 13, 30, tzinfo=SH)),
        ("2022-03-01 08:30:00 +08", dt.datetime(2022, 3, 1, 8, 30, tzinfo=SH)),
        ("2022-03-01 08:30:00.250", dt.datetime(2022, 3, 1, 8, 30, 0, 250000, tzinfo=SH)),
        ("2022-03-01 08:30", dt.datetime(2022, 3, 1, 8, 30, tzinfo=SH)),
        ("2022-3-1", dt.datetime(2022, 3, 1, tzinfo=SH)),
        ("2022/03/01 8:30:00", dt.datetime(2022, 3, 1, 8, 30, tzinfo=SH)),
        ("  2022-03-01  ", dt.datetime(2022, 3, 1, tzinfo=SH)),
        ("+0800", None),
        ("", None),
        ("2022-02-30", dt.datetime(2022, 3, 2, tzinfo=SH)),  # Ruby's Time rolls it over
        ("2022-02-32", None),
        ("2022-03-01 24:30", None),
        ("0001-01-01 00:00:00 +0800", None),
        ("9999-12-31 23:00:00 -0800", None),
        ("20220301", dt.datetime(2022, 3, 1, tzinfo=SH)),  # ISO 8601 basic format
        ("yesterday", None),
    ],
)
def test_parse_date(text: str, expected: dt.datetime | None) -> None:
    parsed = parse_date(text)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None
        assert parsed.utcoffset() == dt.timedelta(hours=8)


@pytest.mark.parametrize(
    ("name", "expected", "source"),
    [
        ("2022-03-01-flood.md", dt.datetime(2022, 3, 1, tzinfo=SH), "file name"),
        ("-202205262391921712.md", dt.datetime(2022, 5, 26, tzinfo=SH), "id in the file name"),
        ("NW202206092406594977.md", dt.datetime(2022, 6, 9, tzinfo=SH), "id in the file name"),
        ("2022-02-30-x.md", dt.datetime(2022, 3, 2, tzinfo=SH), "file name"),  # as Jekyll
        ("2022-02-32-x.md", None, ""),
        ("about.md", None, ""),
        ("report-1234567.md", None, ""),
    ],
)
def test_date_from_filename(name: str, expected: dt.datetime | None, source: str) -> None:
    assert date_from_filename(name) == (expected, source)


# ---------------------------------------------------------------------------------------
# C9 Entities and markup in bodies
# ---------------------------------------------------------------------------------------


def test_c9_entities_decoded_exactly_once(tmp_path: Path) -> None:
    body = "<p>中美&amp;欧盟&nbsp;会谈取得进展，双方发表&quot;联合声明&quot;。</p>\n"
    article = read(tmp_path, "2022-03-01-c9.md", post('title: "中美&amp;欧盟会谈"', body))
    assert article.title == "中美&欧盟会谈"
    assert article.body == '中美&欧盟 会谈取得进展，双方发表"联合声明"。'
    for word in ("nbsp", "amp", "quot", "&"):
        assert word not in article.body.replace("中美&欧盟", "")


def test_c9_escaped_markup_is_text_never_markup(tmp_path: Path) -> None:
    body = "<p>标签&lt;b&gt;不是粗体，&amp;lt;是字面量。</p>\n"
    article = read(tmp_path, "2022-03-01-lt.md", post("title: t", body))
    assert article.body == "标签<b>不是粗体，&lt;是字面量。"


def test_title_entities_and_whitespace(tmp_path: Path) -> None:
    article = read(tmp_path, "a.md", post('title: "  A&lt;b&gt;  C&#x4E2D;  "'))
    assert article.title == "A<b> C中"  # as a browser shows it: one space


def test_html_dropped_parts() -> None:
    source = (
        '<p style="display:none;height:1px;"><br /></p><!-- EM_StockImg_Start -->'
        "<script>var x = 1;</script><style>p {color: red}</style>"
        '<p style="text-align:center;"><a href="http://x"><img src="a.png" alt="K图" /></a></p>'
        "<!-- EM_StockImg_End --><p>第一段<span>继续</span>。<br />换行</p>"
        '<div hidden>隐藏</div><p style="DISPLAY: None">也隐藏</p>'
        "<center><img src='b.jpg'/></center><p>\t第二段  有 &nbsp; 空格　</p>"
    )
    assert html_to_text(source) == "第一段继续。\n换行\n第二段 有 空格"


@pytest.mark.parametrize("source", ["", "  \n", "<!-- only a comment -->", "</p>", "<br>"])
def test_html_without_visible_text(source: str) -> None:
    assert html_to_text(source) == ""


def test_control_characters() -> None:
    assert html_to_text("a\x0cb\x0bc\x01d\x00e") == "a b cde"


def test_html_tables_and_lists() -> None:
    source = (
        "<table><tr><td>甲</td><td>乙</td></tr><tr><td>丙</td></tr></table>"
        "<ul><li>一</li><li>二</li></ul>"
    )
    assert html_to_text(source) == "甲\n乙\n丙\n一\n二"  # each cell a block (issue 19)


def test_markdown_reduced_to_text() -> None:
    body = (
        "# 标题一 #\n\n"
        "> 引用的**摘要**。\n\n"
        "这是[链接文字](http://example.com/a_(b)) 和 ![图片说明](pic.png)，"
        "*强调*、__加粗__、~~删除~~、`a<b`。\n"
        "- 列表项\n"
        "* * *\n"
        "转义\\*星号\\*不是强调。\n\n"
        "[ref]: http://example.com\n"
        "<http://finance.eastmoney.com/news/1,2.html>\n\n"
        "<https://second.example.com/>\n\n"
        "[返回东财滚动新闻](//finews.withounder.com/emnews/)｜[返回首页](//finews.withounder.com/)"
    )
    text, url = body_to_text(body)
    # Autolinks keep their text, as Jekyll prints them; the source link is the last
    # paragraph that is one link alone, among the last two blocks.
    assert url == "https://second.example.com/"
    assert text == (
        "标题一\n引用的摘要。\n这是链接文字 和 图片说明，强调、加粗、删除、a<b。\n"
        "列表项\n转义*星号*不是强调。\nhttp://finance.eastmoney.com/news/1,2.html\n"
        "https://second.example.com/"
    )


@pytest.mark.parametrize(
    "footer",
    [
        "[返回东财滚动新闻](//finews.withounder.com/emnews/)｜[返回首页](//finews.withounder.com/)",
        "[返回人民日报海外版新闻](//x/category/renminribaohaiwaiban.html)｜[返回首页](//x/)",
        "[返回东财滚动新闻](../emnews/)\n[返回首页](../)",
        "[返回东财滚动新闻](//finews.zning.me/emnews/)\n[返回首页](//finews.zning.me/)\n",
        "[返回新闻联播](/category/xinwenlianbo.html)｜[返回首页](/)\n",
        "[返回首页](/) | [返回列表](/list/)",
    ],
)
def test_navigation_footer_dropped(footer: str) -> None:
    text, url = body_to_text(f"\n正文。\n\n<http://a.example/1>\n\n{footer}")
    assert (text, url) == ("正文。\nhttp://a.example/1", "http://a.example/1")


def test_empty_autolink_and_back_link_inside_text() -> None:
    text, url = body_to_text("正文。\n\n<>\n\n请[返回首页](/)查看。")
    assert (text, url) == ("正文。\n请返回首页查看。", None)


def test_markdown_syntax_left_alone_inside_html_lines() -> None:
    text, _ = body_to_text("<p>实行7*24小时通关，*号和[方括号](不是链接)原样保留。</p>")
    assert text == "实行7*24小时通关，*号和[方括号](不是链接)原样保留。"


def test_html_post_is_not_markdown(tmp_path: Path) -> None:
    article = read(tmp_path, "2022-03-01-page.html", post("title: t", "<p>**不是粗体** # 号</p>"))
    assert article.body == "**不是粗体** # 号"
    assert article.source_url is None
    assert article.url == "/2022/03/01/page.html"


def test_first_sentence() -> None:
    assert first_sentence("\n\n  第一句！第二句。") == "第一句"
    assert first_sentence("Hello? World") == "Hello"
    assert first_sentence("长" * 80) == "长" * 60
    assert first_sentence("。。\n") == ""


# ---------------------------------------------------------------------------------------
# Encodings and unreadable files
# ---------------------------------------------------------------------------------------


def test_gb18030_file_decoded_with_warning(tmp_path: Path) -> None:
    text = post("title: 国内新闻\ntags: 经济", "人民币汇率稳定。\n")
    article = read(tmp_path, "2022-03-01-gbk.md", text.encode("gb18030"))
    assert article.title == "国内新闻"
    assert article.tags == ["经济"]
    assert article.body == "人民币汇率稳定。"
    assert len(article.warnings) == 1
    assert article.warnings[0].startswith("2022-03-01-gbk.md: not valid UTF-8 (byte 0x")
    assert article.warnings[0].endswith("); decoded as GB18030")


def test_undecodable_file_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "2022-03-01-bad.md", b"---\ntitle: \x81\x20\xff\xfe\n---\n")
    with pytest.raises(SkippedPostError) as raised:
        read_post(path, tmp_path)
    assert isinstance(raised.value, PostError)
    assert raised.value.reason == (
        "not UTF-8 text (byte 0x81 at offset 11) and not GB18030 either: cannot decode"
    )
    assert str(raised.value).startswith("2022-03-01-bad.md: ")
    assert list(read_corpus(tmp_path)) == [
        Skipped("2022-03-01-bad.md", raised.value.reason, "unreadable")
    ]


def test_unreadable_and_binary_files_are_skipped(tmp_path: Path) -> None:
    os.symlink(tmp_path / "missing-target", tmp_path / "2022-03-01-dangling.md")
    write(tmp_path, "2022-03-02-binary.md", b"---\ntitle: x\n---\n\x00\x01")
    items = list(read_corpus(tmp_path))
    assert items == [
        Skipped(
            "2022-03-01-dangling.md",
            "not a regular file (a broken link, a folder, a device or a pipe)",
            "unreadable",
        ),
        Skipped(
            "2022-03-02-binary.md", "contains NUL bytes: a binary file, not text", "unreadable"
        ),
    ]


def test_utf16_file_with_bom(tmp_path: Path) -> None:
    article = read(tmp_path, "2022-03-01-u.md", post("title: 宽字符").encode("utf-16"))
    assert article.title == "宽字符"
    assert article.warnings == ["2022-03-01-u.md: file is UTF-16, not UTF-8; decoded as UTF-16"]


# ---------------------------------------------------------------------------------------
# Walking, skipping, identity, duplicates (C10)
# ---------------------------------------------------------------------------------------


def test_walk_reports_every_post_file_once(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# 说明\n\n这不是新闻。\n")
    write(tmp_path, "_layouts/post.html", "---\nlayout: default\n---\n{{ content }}\n")
    write(tmp_path, "_includes/footer.html", "<footer>页脚</footer>\n")
    write(tmp_path, "_config.yml", "title: site\n")
    write(tmp_path, "notes.txt", "---\ntitle: x\n---\n")
    write(tmp_path, ".git/x.md", post("title: hidden"))
    write(tmp_path, "_site/2022/03/01/a.html", post("title: built"))
    write(tmp_path, "node_modules/pkg/README.md", post("title: dep"))
    write(tmp_path, ".draft.md", post("title: hidden file"))
    write(tmp_path, "_posts/2022-03-01-a.md", post("title: 甲"))
    write(tmp_path, "_posts/2022-03-02-b.markdown", post("title: 乙"))
    write(tmp_path, "_posts/2022-03-03-c.HTML", post("title: 丙"))
    write(tmp_path, "_posts/2022-03-04-open.md", "---\ntitle: 未闭合\n正文\n")
    items = list(read_corpus(tmp_path))
    assert [(type(item).__name__, item.path) for item in items] == [
        ("Skipped", ".draft.md"),
        ("Skipped", "README.md"),
        ("Skipped", "_site"),  # the folder, once (issue #23), among the top level's names
        ("Skipped", "_includes/footer.html"),
        ("Skipped", "_layouts/post.html"),
        ("Article", "_posts/2022-03-01-a.md"),
        ("Article", "_posts/2022-03-02-b.markdown"),
        ("Article", "_posts/2022-03-03-c.HTML"),
        ("Article", "_posts/2022-03-04-open.md"),
        ("Skipped", "node_modules/pkg/README.md"),
    ]
    reasons = {item.path: (item.kind, item.reason) for item in items if isinstance(item, Skipped)}
    assert reasons == {
        ".draft.md": (
            "special name",
            "special name (.draft.md: names starting with . _ # ~ are not published)",
        ),
        "README.md": (
            "not a document",
            "no front matter (first line is not ---): Jekyll copies it as a static file",
        ),
        "_includes/footer.html": (
            "special name",
            "special name (_includes/: names starting with . _ # ~ are not published)",
        ),
        "_layouts/post.html": (
            "special name",
            "special name (_layouts/: names starting with . _ # ~ are not published)",
        ),
        "node_modules/pkg/README.md": (
            "default exclude",
            "left out by Jekyll's default excludes (node_modules/)",
        ),
        "_site": ("special name", "Jekyll's output folder (1 built page in it), not read"),
    }
    # Jekyll publishes a post whose front matter is never closed: the whole file is its
    # body (a post needs no front matter); Markdown reads the first --- as a rule, and the
    # next two lines are one paragraph, joined as a browser shows two CJK lines.
    by_path = {item.path: item for item in items if isinstance(item, Article)}
    assert by_path["_posts/2022-03-04-open.md"].body == "title: 未闭合正文"
    assert check_corpus(tmp_path).summary() == (
        "posts read: 4, recovered with warnings: 1, "
        "skipped: 6 (default exclude 1, not a document 1, special name 4), duplicates: 0"
    )


def test_identity_fields(tmp_path: Path) -> None:
    write(tmp_path, "_posts/2022-03-01-flood.md", post("title: 防汛演练\ncategories: 本地 安全"))
    article = read_post(tmp_path / "_posts/2022-03-01-flood.md", tmp_path)
    assert article.id == "_posts/2022-03-01-flood"
    assert article.path == "_posts/2022-03-01-flood.md"
    # The identity is the URL Jekyll writes the post to (two files there are one article).
    assert article.key == "/%E6%9C%AC%E5%9C%B0/%E5%AE%89%E5%85%A8/2022/03/01/flood.html"
    assert article.url == article.key
    assert article.type == "post"
    assert re.fullmatch(r"[0-9a-f]{40}", article.digest)
    again = read_post(tmp_path / "_posts/2022-03-01-flood.md", tmp_path)
    assert again == article


def test_digest_changes_with_any_indexed_field(tmp_path: Path) -> None:
    base = read(tmp_path, "2022-03-01-x.md", post("title: 甲\ntags: a")).digest
    assert read(tmp_path, "2022-03-01-x.md", post("title: 甲\ntags: a")).digest == base
    changed = [
        post("title: 乙\ntags: a"),
        post("title: 甲\ntags: b"),
        post("title: 甲\ntags: a\ncategories: c"),
        post("title: 甲\ntags: a\ndate: 2022-03-01 10:00"),
        post("title: 甲\ntags: a", "正文。\n\n<http://x.example/>\n"),
        post("title: 甲\ntags: a", "别的正文。\n"),
    ]
    digests = {read(tmp_path, "2022-03-01-x.md", text).digest for text in changed}
    assert len(digests) == len(changed)
    assert base not in digests


def test_c10_duplicates_keep_the_shallowest_path(tmp_path: Path) -> None:
    text = post("title: 防汛演练", "全市开展防汛应急演练。\n")
    write(tmp_path, "_posts/archive/2022-03-01-flood.md", text)
    write(tmp_path, "_posts/2022-03-01-flood.md", text)
    write(tmp_path, "old_post/2022-03-01-flood-copy.md", text)  # same content, other slug
    every = SiteOptions(all_files=True)  # old_post/ is not a _posts folder
    items = list(read_corpus(tmp_path, None, every))
    assert [type(item).__name__ for item in items] == ["Article", "Duplicate", "Duplicate"]
    assert items[0].path == "_posts/2022-03-01-flood.md"
    assert items[1:] == [
        Duplicate(
            "old_post/2022-03-01-flood-copy.md", "_posts/2022-03-01-flood.md", "same content"
        ),
        Duplicate("_posts/archive/2022-03-01-flood.md", "_posts/2022-03-01-flood.md", "same URL"),
    ]
    write(
        tmp_path,
        "_posts/2022-03-01-flood.md",
        post("title: 防汛演练", "全市开展防汛应急演练，持续两天。\n"),
    )
    items = list(read_corpus(tmp_path, None, every))
    kept = [item for item in items if isinstance(item, Article)]
    assert [(a.path, a.body) for a in kept] == [
        ("_posts/2022-03-01-flood.md", "全市开展防汛应急演练，持续两天。"),
        ("old_post/2022-03-01-flood-copy.md", "全市开展防汛应急演练。"),
    ]
    assert [item for item in items if isinstance(item, Duplicate)] == [
        Duplicate("_posts/archive/2022-03-01-flood.md", "_posts/2022-03-01-flood.md", "same URL")
    ]
    assert check_corpus(tmp_path, None, every).summary() == (
        "posts read: 2, recovered with warnings: 0, skipped: 0, duplicates: 1"
    )


def test_unexpected_error_in_one_post_does_not_stop_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "2022-03-01-a.md", post("title: 甲"))
    write(tmp_path, "2022-03-02-b.md", post("title: 乙"))
    real = Site.read

    def flaky(site: Site, candidate: Any) -> Article:
        if candidate.path.name == "2022-03-01-a.md":
            raise RuntimeError("boom")
        return real(site, candidate)

    monkeypatch.setattr(Site, "read", flaky)
    items = list(read_corpus(tmp_path))
    assert items[0] == Skipped(
        "2022-03-01-a.md",
        "unexpected error while reading: RuntimeError: boom; the index keeps what it has",
        "unreadable",
        keeps="2022-03-01-a.md",
    )
    assert isinstance(items[1], Article) and items[1].title == "乙"


def test_unreadable_sub_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "2022-03-01-a.md", post("title: 甲"))
    locked = tmp_path / "locked"

    def fake_walk(top: Path, onerror: Any = None) -> Iterator[tuple[str, list[str], list[str]]]:
        yield str(top), ["locked"], ["2022-03-01-a.md"]
        onerror(PermissionError(13, "Permission denied", str(locked)))

    monkeypatch.setattr(os, "walk", fake_walk)
    items = list(read_corpus(tmp_path, None, SiteOptions(all_files=True)))
    assert [type(item).__name__ for item in items] == ["Article", "Skipped"]
    assert items[1] == Skipped(
        "locked",
        "cannot read folder: Permission denied; the index keeps what it has under it",
        "unreadable",
        keeps="locked",
    )


def test_missing_or_non_folder_root_raises_at_call_time(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="corpus folder not found: "):
        read_corpus(tmp_path / "nope")
    write(tmp_path, "file.md", post("title: x"))
    with pytest.raises(CorpusError, match="corpus path is not a folder: "):
        read_corpus(tmp_path / "file.md")


# ---------------------------------------------------------------------------------------
# The shared corpora (../shared/corpus), when present
# ---------------------------------------------------------------------------------------

needs_finews = pytest.mark.skipif(
    not FINEWS.is_dir(), reason=f"shared finews corpus not found at {FINEWS}"
)
needs_xwlb_small = pytest.mark.skipif(
    not XWLB_SMALL.is_dir(), reason=f"shared xwlb-small corpus not found at {XWLB_SMALL}"
)


@pytest.fixture(scope="module")
def finews_items() -> list[Article | Skipped | Duplicate]:
    return list(read_corpus(FINEWS, None, SiteOptions(all_files=True)))


@needs_finews
def test_finews_all_74_posts_read(finews_items: list[Article | Skipped | Duplicate]) -> None:
    found = [item for item in finews_items if isinstance(item, Article)]
    assert len(found) == 74
    # The folder's own README.md has no front matter: reported, not indexed.
    assert [item for item in finews_items if not isinstance(item, Article)] == [
        Skipped(
            "README.md",
            "no front matter (first line is not ---): Jekyll copies it as a static file",
            "not a document",
        )
    ]
    for article in found:
        assert article.title, article.path
        assert article.date is not None and article.date.tzinfo is not None, article.path
        assert article.body, article.path
        for text in ("[返回", "](", "nbsp", "&amp;", "&lt;", "<p", "<>", "EM_StockImg"):
            assert text not in article.body, (article.path, text)
        # The source link is printed last, as Jekyll prints it; no other link text is.
        last = article.body.rsplit("\n", 1)[-1]
        assert ("http" in last) == (article.source_url is not None), article.path
        assert article.body.count("http") == (article.source_url is not None), article.path
        if article.source_url:
            assert last == article.source_url, article.path
    assert sorted({c for a in found for c in a.categories}) == [
        "emnews",
        "renminribaohaiwaiban",
        "sitenews",
    ]
    assert sum(a.tags == ["东财滚动新闻"] for a in found) == 72
    # README: 71 source links, 2 empty <> (…870651 and -2022…), none in the init post.
    assert sorted(a.path for a in found if a.source_url is None) == [
        "_posts/-202205262391921712.md",
        "_posts/2021-12-01-init.md",
        "_posts/2021-12-08-202112082206870651.md",
    ]
    assert sum(1 for a in found if a.warnings) == 1


@needs_finews
def test_finews_post_without_usable_date(
    finews_items: list[Article | Skipped | Duplicate],
) -> None:
    article = next(
        a
        for a in finews_items
        if isinstance(a, Article) and a.path == "_posts/-202205262391921712.md"
    )
    assert article.date == dt.datetime(2022, 5, 26, tzinfo=SH)
    assert article.title == (
        "据霍尼韦尔官网消息，5月24日，霍尼韦尔宣布为蔚来旗下ET7新能源汽车提供HFO-1234yf(四氟丙烯)制冷剂"
    )
    # The file's source link is the empty autolink "<>" (finews README, edge case 10), and
    # Jekyll would not publish it (no date in its name): no URL of either kind.
    assert article.source_url is None
    assert article.url is None
    assert "《<蒙特利尔议定书>基加利修正案》" in article.body
    assert article.body.startswith("据霍尼韦尔官网消息，5月24日")
    assert article.body.endswith("（文章来源：上海证券报）")
    assert article.categories == ["emnews"]
    assert article.tags == ["东财滚动新闻"]
    assert len(article.warnings) == 3
    assert article.warnings[2] == (
        "_posts/-202205262391921712.md: Jekyll would not publish it (not a valid post name "
        "(Jekyll needs YYYY-MM-DD-title.ext)); indexed (--all-files)"
    )


@needs_finews
def test_finews_dates_and_urls(finews_items: list[Article | Skipped | Duplicate]) -> None:
    by_path = {a.path: a for a in finews_items if isinstance(a, Article)}
    nw = by_path["_posts/2022-06-09-NW202206092406594977.md"]
    assert nw.date == dt.datetime(2022, 6, 9, 10, 5, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert nw.title == "用数据建造一座“智慧城”（走特色发展之路）"
    assert nw.source_url == (
        "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202206092406594977"
    )
    assert nw.url == (  # C12, as jekyll build 4.3.1 gave it
        "https://finews.withounder.com/renminribaohaiwaiban/2022/06/09/NW202206092406594977.html"
    )
    assert nw.body.endswith("（文章来源：人民日报海外版）\n" + nw.source_url)
    init = by_path["_posts/2021-12-01-init.md"]
    assert (init.title, init.body, init.date) == (
        "开站大吉",
        "祝贺开站",
        # "date: 2021-12-01 13:33:50" is a YAML timestamp, UTC: jekyll build publishes it
        # as 21:33:50 +08:00 (tests/test_site_jekyll.py checks every finews date).
        dt.datetime(2021, 12, 1, 21, 33, 50, tzinfo=SH),
    )
    two_line_footer = by_path["_posts/2021-12-08-202112082206736549.md"]
    assert two_line_footer.body == (
        "12月7日晚间，新希望(000876)正式披露2021年11月生猪销售情况简报，今年前11个月生猪"
        "销售总量超过890万头，已超过2020年全年销量(829万头)。\n"
        "http://finance.eastmoney.com/news/1354,202112082206736549.html"
    )
    assert (
        two_line_footer.source_url
        == "http://finance.eastmoney.com/news/1354,202112082206736549.html"
    )


@needs_xwlb_small
def test_xwlb_small_matches_manifest() -> None:
    rows = [json.loads(line) for line in (XWLB_SMALL / "manifest.jsonl").open(encoding="utf-8")]
    items = list(read_corpus(XWLB_SMALL))
    assert [item for item in items if not isinstance(item, Article)] == [
        Skipped(
            "README.md",
            "no front matter (first line is not ---): Jekyll copies it as a static file",
            "not a document",
        )
    ]
    found = {item.path: item for item in items if isinstance(item, Article)}
    assert len(rows) == len(found) == 300
    for row in rows:
        article = found[row["path"]]
        assert article.title == row["title"], row["path"]
        assert article.date == dt.datetime.strptime(row["date"], "%Y-%m-%d %H:%M:%S %z")
        assert article.tags == row["tags"], row["path"]
        assert article.categories == ["xinwenlianbo"]
        assert article.warnings == []
        day = row["path"][len("_posts/") : len("_posts/") + 10].replace("-", "")
        assert article.source_url == f"https://tv.cctv.com/lm/xwlb/day/{day}.shtml"
        assert "[返回" not in article.body and "<" not in article.body
        # The source link is the body's last line, as Jekyll prints it; the manifest
        # counts the text before it.
        text, last = article.body.rsplit("\n", 1)
        assert last == article.source_url
        # The manifest counts the visible text with whitespace runs collapsed to one space
        # but with no break where two paragraphs touch (``</p><p>``). Our body puts one
        # "\n" between paragraphs, so the manifest's count lies between our text with the
        # breaks removed and our text with each break counted as a space; it equals the
        # lower bound when no paragraph edge had whitespace in the source.
        lines = text.split("\n")
        low = len(" ".join("".join(lines).split()))
        high = len(" ".join(text.split()))
        assert low <= row["chars"] <= high, row["path"]
        assert high - low <= len(lines) - 1


def test_a_site_folder_may_be_given_as_text() -> None:
    """Found by a hostile test: ``read_corpus("corpus")`` raised AttributeError, though
    ``Index.update("corpus")`` takes text."""
    from searcher.site import check_corpus, read_corpus

    root = Path(__file__).resolve().parents[1] / "corpus"
    as_text = [getattr(item, "id", None) for item in read_corpus(str(root))]
    assert as_text == [getattr(item, "id", None) for item in read_corpus(root)]
    assert check_corpus(str(root)).posts == check_corpus(root).posts == 46
