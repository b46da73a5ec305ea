"""Tags and categories are searchable words (issue #20): found, weighted between the
title and the body, never a phrase across two labels, shown in the snippet when they
are why a post matched; filters and facets as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searcher.errors import IndexFormatError
from searcher.index import FORMAT_VERSION, Index
from searcher.posts import Article, read_corpus
from searcher.query.plan import LABEL_BOOST, TITLE_BOOST
from searcher.snippets import find_spans
from searchutil import NO_SHARED, SHARED_CORPUS, build, ids, post, snippet, write_corpus

BODY = "企业发布了年度报告。"

POSTS = {
    # the word only in a tag, only in a category, only in two tags apart
    "_posts/2024-01-01-tag.md": post(
        "季度观察", BODY, "2024-01-01 10:00:00 +0800", "tags: [数字经济, 观察]\n"
    ),
    "_posts/2024-01-02-category.md": post(
        "季度观察", BODY, "2024-01-02 10:00:00 +0800", "categories: [数字经济]\n"
    ),
    "_posts/2024-01-03-apart.md": post(
        "季度观察", BODY, "2024-01-03 10:00:00 +0800", "tags: [数字, 经济]\n"
    ),
    "_posts/2024-01-04-split.md": post(
        "季度观察", BODY, "2024-01-04 10:00:00 +0800", "tags: [数字]\ncategories: [经济]\n"
    ),
    # the word in the title (and a tag), in the body
    "_posts/2024-01-05-title.md": post(
        "数字经济观察", BODY, "2024-01-05 10:00:00 +0800", "tags: [数字经济]\n"
    ),
    "_posts/2024-01-06-body.md": post(
        "季度观察", "企业发布了数字经济报告。", "2024-01-06 10:00:00 +0800", "tags: [观察]\n"
    ),
    "_posts/2024-01-07-other.md": post(
        "季度观察", "城市公园今日开放。", "2024-01-07 10:00:00 +0800", "tags: [城市]\n"
    ),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return build(tmp_path_factory.mktemp("labels"), POSTS)


def _p(name: str) -> str:
    (path,) = [p for p in POSTS if p.endswith(f"-{name}.md")]
    return path.removesuffix(".md")


def test_the_weight_lies_between_body_and_title() -> None:
    assert 1.0 < LABEL_BOOST < TITLE_BOOST


def test_a_word_only_in_a_tag_or_a_category_finds_the_post(index: Index) -> None:
    # quoted: the run as typed, so the two posts with 数字 and 经济 in two labels are out
    # title (and tag) first; then the tag and the category, tied (newest first); body last
    assert ids(index, '"数字经济"') == [_p("title"), _p("category"), _p("tag"), _p("body")]
    assert index.search('"数字经济"').total == 4


def test_no_phrase_across_two_labels_but_each_alone_matches(index: Index) -> None:
    found = ids(index, '"数字经济"')
    assert _p("apart") not in found and _p("split") not in found
    # 数字 alone: in a tag of five posts, a title, a body; ties newest first
    assert ids(index, "数字") == [
        _p("title"),
        _p("split"),
        _p("apart"),
        _p("category"),
        _p("tag"),
        _p("body"),
    ]
    assert ids(index, "经济") == [
        _p("title"),
        _p("split"),
        _p("apart"),
        _p("category"),
        _p("tag"),
        _p("body"),
    ]


def test_title_ranks_above_labels_above_body(tmp_path: Path) -> None:
    # Otherwise equal posts: titles and bodies of the same lengths, one label each, the
    # word once in one field of each (so the same idf in every field).
    posts = {
        "_posts/2024-02-01-t.md": post(
            "光伏产业观察",
            "本季度实体产业发展迅速。",
            "2024-02-03 10:00:00 +0800",
            "tags: [观察]\n",
        ),
        "_posts/2024-02-02-l.md": post(
            "季度经营观察",
            "本季度实体产业发展迅速。",
            "2024-02-02 10:00:00 +0800",
            "tags: [光伏]\n",
        ),
        "_posts/2024-02-03-b.md": post(
            "季度经营观察",
            "本季度光伏产业发展迅速。",
            "2024-02-01 10:00:00 +0800",
            "tags: [观察]\n",
        ),
        "_posts/2024-02-04-x.md": post(
            "季度经营观察",
            "本季度实体产业发展迅速。",
            "2024-02-04 10:00:00 +0800",
            "tags: [观察]\n",
        ),
    }
    with build(tmp_path, posts) as index:
        # newest first on a tie would give b, l, t: the weights decide
        assert ids(index, "光伏") == [
            "_posts/2024-02-01-t",
            "_posts/2024-02-02-l",
            "_posts/2024-02-03-b",
        ]
        title, label, body = (h.score for h in index.search("光伏").hits)
        assert title is not None and label is not None and body is not None
        assert title > label > body


def test_title_only_keeps_meaning_the_title(index: Index) -> None:
    assert ids(index, "title:数字经济") == [_p("title")]


def test_an_excluded_word_excludes_its_tags_too(index: Index) -> None:
    assert ids(index, "季度 -数字") == [_p("other")]


def test_the_snippet_shows_the_matched_label(index: Index) -> None:
    assert (
        snippet(index, '"数字经济"', "tag") == "标签：<mark>数字经济</mark> · 企业发布了年度报告。"
    )
    assert snippet(index, '"数字经济"', "category") == (
        "分类：<mark>数字经济</mark> · 企业发布了年度报告。"
    )
    # a tag and a category, each its kind; labels of a kind joined with 、
    assert snippet(index, "数字", "split") == "标签：<mark>数字</mark> · 企业发布了年度报告。"
    assert snippet(index, "经济", "split") == "分类：<mark>经济</mark> · 企业发布了年度报告。"
    assert snippet(index, "数字 OR 经济", "split") == (
        "标签：<mark>数字</mark> · 分类：<mark>经济</mark> · 企业发布了年度报告。"
    )
    assert snippet(index, "数字 OR 经济", "apart") == (
        "标签：<mark>数字</mark>、<mark>经济</mark> · 企业发布了年度报告。"
    )


def test_no_label_line_when_the_title_or_body_shows_the_word(index: Index) -> None:
    # the title holds it (and marks it): the snippet is the body's alone
    hit = next(h for h in index.search('"数字经济"').hits if h.id == _p("title"))
    assert hit.title_html == "<mark>数字经济</mark>观察"
    assert hit.snippet == "企业发布了年度报告。"
    assert snippet(index, '"数字经济"', "body") == "企业发布了<mark>数字经济</mark>报告。"


def test_the_label_line_is_for_the_words_only_labels_hold(index: Index) -> None:
    # 报告 is in the body, 数字经济 only in the tag: both shown, each once
    assert snippet(index, '"数字经济" 报告', "tag") == (
        "标签：<mark>数字经济</mark> · 企业发布了年度<mark>报告</mark>。"
    )
    # nothing only a label holds: the body's snippet alone
    assert snippet(index, "报告", "tag") == "企业发布了年度<mark>报告</mark>。"


def test_the_label_line_counts_in_the_snippet_size(index: Index) -> None:
    # 20 characters: the line (7) and its separator (3) leave 10 for the body
    (hit,) = [h for h in index.search('"数字经济"', snippet_chars=20).hits if h.id == _p("tag")]
    assert hit.snippet == "标签：<mark>数字经济</mark> · 企业发布了年度报告。"
    # the line (8) and its separator leave 9: the body is cut
    (hit,) = [h for h in index.search("数字 OR 经济", snippet_chars=20).hits if h.id == _p("apart")]
    assert hit.snippet == "标签：<mark>数字</mark>、<mark>经济</mark> · 企业发布了年度报告…"


def test_filters_and_facets_are_unchanged(index: Index) -> None:
    everything = index.search("")
    assert everything.facets["tags"] == {"数字经济": 2, "观察": 2, "数字": 2, "经济": 1, "城市": 1}
    assert everything.facets["categories"] == {"数字经济": 1, "经济": 1}
    # a word in many labels changes no facet count: they count posts, not labels
    words = index.search("数字")
    assert words.facets["tags"] == {"数字经济": 2, "数字": 2, "观察": 2, "经济": 1}
    assert words.facets["categories"] == {"数字经济": 1, "经济": 1}
    results = index.search("", tags=["数字经济"])
    assert sorted(h.id for h in results.hits) == [_p("tag"), _p("title")]
    # a tag filter keeps only that tag's posts, whatever else matches the words
    assert ids(index, "数字", tags=["数字"]) == [_p("split"), _p("apart")]
    assert index.search("数字", categories=["经济"]).total == 1


def test_an_index_of_the_format_before_labels_must_be_rebuilt(tmp_path: Path) -> None:
    build(tmp_path, POSTS).close()
    meta_path = tmp_path / "index" / "searcher.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["format"] = FORMAT_VERSION - 1
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexFormatError, match="rebuild it with `searcher index --rebuild`"):
        Index.open(tmp_path / "index")
    report = Index.build(tmp_path / "index", tmp_path / "corpus")
    assert any(f"index format {FORMAT_VERSION - 1} is not" in m for m in report.messages)
    with Index.open(tmp_path / "index") as index:
        assert ids(index, '"数字经济"')[1:3] == [_p("category"), _p("tag")]


SMALL = SHARED_CORPUS / "xwlb-small"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Index:
    if not SMALL.is_dir():
        pytest.skip(NO_SHARED)
    index = Index.create(tmp_path_factory.mktemp("xwlb-labels") / "index")
    index.update(SMALL)
    return index


#: Tags of xwlb-small (央视快评, 一线调研…: a series' name, often not in the story) and
#: issue #20's 数字经济 (no post of the shared corpora carries it as a tag).
TAG_QUERIES = ["数字经济", "央视快评", "一线调研", "新闻特写", "权威访谈", "在希望的田野上"]


@pytest.mark.parametrize("word", TAG_QUERIES)
def test_xwlb_small_finds_every_post_holding_the_run(small: Index, word: str) -> None:
    run = tuple(word)
    expected = set()
    for item in read_corpus(SMALL, small.timezone):
        if isinstance(item, Article):
            texts = [item.title, item.body, *item.tags, *item.categories]
            if any(find_spans(text, [run]) for text in texts):
                expected.add(item.id)
    results = small.search(f'"{word}"', limit=50)
    assert results.total == len(expected)
    assert {h.id for h in results.hits} == expected


def test_an_updated_index_scores_labels_as_a_fresh_build(tmp_path: Path) -> None:
    # An update's new segment where no post has a label has no length column for the
    # labels fields; the live statistics must still cover the whole index (a deleted
    # post's labels left out), or an updated index ranks otherwise than a fresh build.
    posts = {
        "_posts/2024-03-01-a.md": post("城市观察", "公园开放。", extra="tags: [城市, 公园]\n"),
        "_posts/2024-03-02-b.md": post("季度观察", "城市公园开放。", extra="tags: [城市]\n"),
        "_posts/2024-03-03-c.md": post("城市公园", "今日开放。", extra="tags: [公园观察]\n"),
    }
    corpus = write_corpus(tmp_path, posts)
    with Index.create(tmp_path / "updated") as updated:
        updated.update(corpus)
        (corpus / "_posts/2024-03-01-a.md").unlink()
        (corpus / "_posts/2024-03-04-d.md").write_text(
            post("公园新闻", "城市公园今日开放。"), encoding="utf-8"
        )
        updated.update(corpus)
        Index.build(tmp_path / "fresh", corpus)
        with Index.open(tmp_path / "fresh") as fresh:
            for q in ("城市", "公园", "观察"):
                got = [(h.id, h.score) for h in updated.search(q).hits]
                assert got == [(h.id, h.score) for h in fresh.search(q).hits], q


def test_the_label_line_is_escaped_html(tmp_path: Path) -> None:
    posts = {"_posts/2024-04-01-a.md": post("季度观察", BODY, extra='tags: ["A&B<数据>"]\n')}
    with build(tmp_path, posts) as index:
        expected = "标签：A&amp;B&lt;<mark>数据</mark>&gt; · 企业发布了年度报告。"
        assert snippet(index, "数据") == expected


def test_the_body_does_not_mark_parts_of_a_word_the_label_line_shows(tmp_path: Path) -> None:
    # 城市新闻 is cut 城市 + 新闻: where a post lacks the whole word, its parts are marked;
    # but the tag shows the word as typed, so the body's 新闻 is not it
    posts = {
        "_posts/2024-05-01-a.md": post("季度观察", "今日发布新闻。", extra="tags: [城市新闻]\n"),
        "_posts/2024-05-02-b.md": post("季度观察", "今日发布新闻。", extra="tags: [城市]\n"),
    }
    with build(tmp_path, posts) as index:
        assert snippet(index, "城市新闻", "a") == "标签：<mark>城市新闻</mark> · 今日发布新闻。"
        # only parts in the label (as for 数字 and 经济 in two tags): parts marked anywhere
        assert (
            snippet(index, "城市 新闻", "b")
            == "标签：<mark>城市</mark> · 今日发布<mark>新闻</mark>。"
        )
