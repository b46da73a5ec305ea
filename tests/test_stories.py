"""Story groups (issue #22): near-identical posts grouped at index time, exactly, and
kept as a fresh build would make them while posts are added, changed and removed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from searcher import stories
from searcher.index import Index
from searchutil import NO_SHARED, SHARED_CORPUS, post, write_corpus
from storysite import BODY, GROUP, PARAGRAPHS, doc_id, site_posts, write_site

GROUP_IDS = tuple(doc_id(p) for p in GROUP)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    root = tmp_path_factory.mktemp("stories")
    Index.build(root / "index", write_site(root))
    return Index.open(root / "index")


def test_the_copies_of_one_story_are_one_group_and_nothing_else_is(index: Index) -> None:
    # a new headline, a source line, a paragraph added or removed, traditional script:
    # one story; the same text a year later and two short notices with one body: not
    assert index.stories().groups == (GROUP_IDS,)
    assert index.stories().key(GROUP_IDS[3]) == GROUP_IDS[0]
    assert index.stories().key("_posts/2025-05-10-bridge-again") == "_posts/2025-05-10-bridge-again"
    assert index.stories().members("_posts/2024-05-10-notice-a") == ("_posts/2024-05-10-notice-a",)


def test_the_index_report_counts_the_groups(tmp_path: Path) -> None:
    report = Index.build(tmp_path / "index", write_site(tmp_path))
    assert (report.story_groups, report.grouped) == (1, 6)
    assert report.to_dict()["story_groups"] == 1 and "signatures" not in report.to_dict()


def test_a_short_body_never_joins_a_group() -> None:
    short = "大桥今晚封闭施工，请绕行。" * 3  # 36 letters: under MIN_CHARS
    assert stories.shingles(short) is None
    signed = stories.signatures([("a", "1", short, 0), ("b", "2", short, 0)])
    assert stories.groups_of(signed).groups == ()
    bound = "".join(chr(0x4E00 + i) for i in range(stories.MIN_CHARS))
    assert stories.shingles(bound) is not None  # the bound itself joins
    assert stories.shingles(bound[:-1]) is None
    # as many characters, but too few distinct shingles: no story
    assert stories.shingles("哈" * 300) is None


def test_punctuation_spacing_and_links_do_not_count() -> None:
    a = stories.shingles(BODY + "\nhttps://example.com/a/1.html")
    b = stories.shingles(BODY.replace("，", ",").replace("。", ". ") + "\nhttp://x.cn/2")
    assert a is not None and b is not None and np.array_equal(a, b)


def test_the_date_window_and_the_jaccard_floor() -> None:
    day = 86400
    quoted = "\n".join([*PARAGRAPHS, *PARAGRAPHS[:1]]) + "".join(
        f"第{n}段补充说明，内容各不相同，编号{n * 37}。" for n in range(80)
    )
    signed = stories.signatures(
        [
            ("a", "", BODY, 0),
            ("b", "", BODY, stories.WINDOW_DAYS * day),  # the last day of the window
            ("c", "", BODY, (stories.WINDOW_DAYS + 1) * day + 1),  # past it from a
            ("d", "", quoted, 0),  # holds all of a, and twice as much of its own
            ("e", "", BODY, None),  # undated: never a dated post's copy
            ("f", "", BODY, None),  # but another undated one's, whenever
        ]
    )
    assert stories.jaccard(signed.matrix[0], signed.matrix[3]) < stories.MIN_JACCARD
    # c joins through b (one story reprinted a week apart twice), d never
    assert stories.groups_of(signed).groups == (("a", "b", "c"), ("e", "f"))
    no_b = stories.merge([signed], {"a": "", "c": "", "d": "", "e": ""})
    assert stories.groups_of(no_b).groups == ()  # e joins neither a nor c


def test_stored_groups_round_trip_and_another_recipe_is_not_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    signed = stories.signatures([("a", "1", BODY, 5), ("b", "2", BODY, 9)])
    groups = stories.groups_of(signed)
    back = stories.from_bytes(stories.to_bytes(signed, groups))
    assert back is not None
    assert back[1] == groups and back[0].ids == ["a", "b"]
    assert np.array_equal(back[0].matrix, signed.matrix)
    assert back[0].stamps.tolist() == [5, 9] and back[0].sizes.tolist() == signed.sizes.tolist()
    assert stories.from_bytes(b"not an npz") is None
    with monkeypatch.context() as m:
        m.setattr(stories, "RECIPE", "minhash of another version")
        other = stories.to_bytes(signed, groups)
    assert stories.from_bytes(other) is None


def _fresh_groups(root: Path, posts: dict[str, str], name: str) -> tuple[tuple[str, ...], ...]:
    corpus = write_corpus(root / name, posts)
    Index.build(root / name / "index", corpus)
    with Index.open(root / name / "index") as fresh:
        return fresh.stories().groups


def test_updates_move_posts_between_groups_as_a_fresh_build_would(tmp_path: Path) -> None:
    posts = site_posts()
    corpus = write_corpus(tmp_path / "live", posts)
    Index.build(tmp_path / "live" / "index", corpus)
    index = Index.open(tmp_path / "live" / "index")
    steps = [
        # the group's first post deleted: the next one is the key
        ("delete the key", lambda p: p.pop(GROUP[0])),
        # a reprint edited until it is another story
        (
            "edited away",
            lambda p: p.__setitem__(
                GROUP[3],
                post("大桥通车 两岸协作提速", "全省迎来强降雨，气象部门发布暴雨蓝色预警。" * 8),
            ),
        ),
        # a new reprint of the story, and the first one back
        (
            "a new reprint",
            lambda p: p.update(
                {
                    "_posts/2024-05-13-bridge-late.md": post(
                        "跨江大桥通车一览",
                        BODY + "\n\n（来源：人民日报海外版）",
                        "2024-05-13 10:00:00 +0800",
                    ),
                    GROUP[0]: site_posts()[GROUP[0]],
                }
            ),
        ),
    ]
    expected_keys = [GROUP_IDS[1], GROUP_IDS[1], GROUP_IDS[0]]
    for n, ((name, change), key) in enumerate(zip(steps, expected_keys, strict=True)):
        change(posts)
        for path in list((corpus / "_posts").iterdir()):
            path.unlink()
        write_corpus(tmp_path / "live", posts)
        report = index.update(corpus)
        assert report.added + report.updated + report.removed > 0, name
        groups = index.stories().groups
        assert groups == _fresh_groups(tmp_path, posts, f"fresh{n}"), name
        assert groups[0][0] == key, name
    assert doc_id(GROUP[3]) not in index.stories().groups[0]
    assert "_posts/2024-05-13-bridge-late" in index.stories().groups[0]
    index.close()


@pytest.mark.engine("whoosh")  # the version before kept no searcher-stories-*.bin files
def test_an_index_without_stored_groups_gets_them_on_its_next_run(tmp_path: Path) -> None:
    corpus = write_site(tmp_path)
    Index.build(tmp_path / "index", corpus)
    for extra in (tmp_path / "index").glob("searcher-stories-*.bin"):
        extra.unlink()  # as an index of the version before
    with Index.open(tmp_path / "index") as index:
        assert index.stories().groups == ()
        report = index.update(corpus)  # nothing changed: the unchanged-run shortcut
        assert (report.added, report.story_groups, report.grouped) == (0, 1, 6)
        assert index.stories().groups == (GROUP_IDS,)


def test_a_grouping_that_cannot_be_stored_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    corpus = write_site(tmp_path)
    from searcher.index import _engine_class

    kind = _engine_class(engine)
    real = kind.write_extra  # type: ignore[attr-defined]

    def refuse(self: object, name: str, data: bytes) -> None:
        if name == "stories":
            raise OSError(28, "No space left on device")
        real(self, name, data)  # type: ignore[arg-type]

    monkeypatch.setattr(kind, "write_extra", refuse)
    report = Index.build(tmp_path / "index", corpus)
    assert report.added == 12
    assert any("story groups were not stored" in m and "No space" in m for m in report.messages)
    with Index.open(tmp_path / "index") as index:
        found = index.search("大桥", collapse=True, limit=50)
        assert found.total == 11 and all(not h.similar for h in found.hits)


@pytest.mark.skipif(not (SHARED_CORPUS / "finews").is_dir(), reason=NO_SHARED)
def test_finews_has_one_reprint(tmp_path: Path) -> None:
    # the one 财联社 flash finews carries under two headlines, one ending with its source
    Index.build(tmp_path / "index", SHARED_CORPUS / "finews")
    with Index.open(tmp_path / "index") as index:
        assert index.stories().groups == (
            ("_posts/2021-12-08-202112082206896571", "_posts/2021-12-08-202112082206936037"),
        )
        found = index.search("半导体", collapse=True, limit=50)
        folded = [h for h in found.hits if h.similar]
        assert [(h.group, h.similar_count) for h in folded] == [
            ("_posts/2021-12-08-202112082206896571", 1)
        ]
