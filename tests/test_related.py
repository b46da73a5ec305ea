"""Related stories (issue #22): a post's key words as a more-like-this query, one post
per story group, never the post's own group; in the library, the CLI, the API and the
article view."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from searcher.cli import main
from searcher.errors import QueryError
from searcher.index import Index
from searcher.related import KEY_WORDS, key_words
from searchutil import build, post
from storysite import GROUP, doc_id

GROUP_IDS = [doc_id(p) for p in GROUP]
#: What the wire story is related to, best first: the same text a year later (every key
#: word), then the port (跨江, 临港工业园, 物流园区). Not the fish or the notices: their
#: shared words (大桥, 通车) are in more than half the posts (the story's six copies
#: counting as one), and the rain shares none.
EXPECTED = ["_posts/2025-05-10-bridge-again", "_posts/2024-05-13-port"]


def test_related_posts_exclude_the_story_group_and_come_one_per_group(story_index: Index) -> None:
    assert [h.id for h in story_index.related(GROUP_IDS[0])] == EXPECTED
    for member in GROUP_IDS:  # (a copy's own headline weighs in its key words)
        found = [h.id for h in story_index.related(member)]
        assert found[0] == EXPECTED[0] and not set(found) & set(GROUP_IDS), member
    # from outside the group, the group is one entry, its best copy, the copies that
    # hold a key word folded under it (not the one without the paragraph they are in)
    found = story_index.related("_posts/2025-05-10-bridge-again", 5)
    assert [h.id for h in found] == [GROUP_IDS[5]]
    assert sorted(p.id for p in found[0].similar) == sorted(
        set(GROUP_IDS) - {GROUP_IDS[4], GROUP_IDS[5]}
    )
    assert found[0].group == GROUP_IDS[0]
    assert [h.id for h in story_index.related(GROUP_IDS[0], 1)] == EXPECTED[:1]
    assert all(h.score is not None and h.score > 0 for h in found)
    assert story_index.related("_posts/2024-05-15-rain") == []


def test_key_words_are_weighted_relative_to_the_best(story_index: Index) -> None:
    words = key_words(story_index.engine, GROUP_IDS[0], story_index.stories())
    assert len(words) == KEY_WORDS
    assert words[0] == ("跨江", 1.0) and all(0 < w <= 1 for _, w in words)
    chosen = [w for w, _ in words]
    assert "大桥" not in chosen and "通车" not in chosen  # in over half the posts
    assert "主塔" in chosen  # in this story and the one a year later only
    assert key_words(story_index.engine, "_posts/none") == []


def test_the_snippet_marks_the_shared_key_words(story_index: Index) -> None:
    [port] = story_index.related("_posts/2024-05-14-fish")
    assert port.id == "_posts/2024-05-13-port"
    assert "<mark>冷链</mark>" in port.snippet and "<mark>负责人</mark>" in port.snippet
    assert port.snippet.count("<mark>") == 2


def test_equal_scores_put_the_newer_post_first(tmp_path: Path) -> None:
    body = "新建跨江大桥通车，沿线乡镇物流园区投入使用。"
    others = {  # so that the three posts' words are in fewer than half the posts
        f"_posts/2022-0{n}-01-x{n}.md": post("天气", f"第{n}场强降雨来临，气象部门发布预警。")
        for n in range(1, 5)
    }
    index = build(
        tmp_path,
        {
            "_posts/2024-01-01-a.md": post("大桥", body * 3, "2024-01-01"),
            "_posts/2023-01-01-b.md": post("大桥旧闻", body, "2023-01-01"),
            "_posts/2023-06-01-c.md": post("大桥新闻", body, "2023-06-01"),
            **others,
        },
    )
    assert [h.id for h in index.related("_posts/2024-01-01-a")] == [
        "_posts/2023-06-01-c",
        "_posts/2023-01-01-b",
    ]


def test_unknown_ids_and_bad_limits_are_errors(story_index: Index) -> None:
    with pytest.raises(QueryError) as caught:
        story_index.related("_posts/nope")
    assert (caught.value.code, caught.value.param) == ("not_found", "id")
    for bad in (0, 51, True, "5"):
        with pytest.raises(QueryError) as caught:
            story_index.related(GROUP_IDS[0], bad)  # type: ignore[arg-type]
        assert (caught.value.code, caught.value.param) == ("bad_limit", "limit")


def test_a_post_with_no_words_has_no_related_posts(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "_posts/2024-01-01-a.md": post("只有标题", ""),
            "_posts/2024-01-02-b.md": post("别的", "只有标题的文章也能被找到吗"),
        },
    )
    assert index.related("_posts/2024-01-01-a") == []


def test_the_api_gives_related_posts_and_404s_an_unknown_id(story_client: FlaskClient) -> None:
    answer = story_client.get(f"/api/posts/{GROUP_IDS[0]}/related")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["id"] == GROUP_IDS[0]
    assert [h["id"] for h in body["related"]] == EXPECTED
    two = story_client.get(f"/api/posts/{GROUP_IDS[0]}/related?limit=2").get_json()
    assert [h["id"] for h in two["related"]] == EXPECTED[:2]
    missing = story_client.get("/api/posts/_posts/nope/related")
    assert missing.status_code == 404
    assert missing.get_json() | {"error": ""} == {
        "error": "",
        "code": "not_found",
        "param": "id",
        "status": 404,
    }
    for bad in ("0", "51", "abc", "１"):
        wrong = story_client.get(f"/api/posts/{GROUP_IDS[0]}/related?limit={bad}")
        assert wrong.status_code == 400 and wrong.get_json()["code"] == "bad_limit", bad


def test_the_article_view_lists_related_stories(
    story_client: FlaskClient, story_index: Index
) -> None:
    page = story_client.get(f"/posts/{GROUP_IDS[0]}").get_data(as_text=True)
    aside = page.split('<aside class="related"', 1)[1].split("</aside>", 1)[0]
    assert '<h2 id="related-title">相关报道</h2>' in aside
    titles = [h.title for h in story_index.related(GROUP_IDS[0])]
    assert [t for t in titles if t in aside] == titles
    assert aside.count("<li>") == 2
    assert 'href="/posts/_posts/2024-05-13-port"' in aside
    rain = story_client.get("/posts/_posts/2024-05-15-rain").get_data(as_text=True)
    assert '<aside class="related"' not in rain  # none: no empty list


def test_the_cli_prints_related_posts(story_built: Path) -> None:
    runner = CliRunner()
    found = runner.invoke(main, ["related", GROUP_IDS[0], "--index", str(story_built), "--json"])
    assert found.exit_code == 0, found.output
    assert [h["id"] for h in json.loads(found.output)] == EXPECTED
    text = runner.invoke(
        main, ["related", GROUP_IDS[0], "--index", str(story_built), "--limit", "1"]
    )
    assert text.output.splitlines()[0] == "1. 又一座跨江大桥通车"
    missing = runner.invoke(main, ["related", "_posts/nope", "--index", str(story_built)])
    assert missing.exit_code != 0 and "no post has the id '_posts/nope'" in missing.output
