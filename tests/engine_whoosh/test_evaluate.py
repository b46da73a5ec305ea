"""Term-at-a-time evaluation (engine/whoosh/evaluate.py) gives Whoosh's own matches and scores."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from searcher.engine.whoosh.compile import compile_plan
from searcher.engine.whoosh.evaluate import Unsupported, evaluate
from searcher.index import Index
from searcher.query import parse, plan_query
from searcher.query import plan as qp
from searchutil import post, write_corpus

QUERIES = [
    "大桥",
    "跨江大桥",
    '"大桥通车"',
    "大桥 OR 隧道",
    "大桥 -维修",
    "title:大桥",
    "软件",
    "12万",
    "的",
    "桥",
    "通车 今日",
    "-维修",
    "《江河之上》",
    "不存在的词语",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    root = tmp_path_factory.mktemp("evaluate")
    first = {
        f"_posts/2024-01-{i + 1:02d}-a{i}.md": post(
            f"跨江大桥第{i}段" if i % 2 else f"隧道{i}",
            "新建跨江大桥今日通车，" * (i % 4 + 1)
            + ("旧桥维修完毕。" if i % 3 else "軟體更新。")
            + ("12万人次。" if i % 5 == 0 else "《江河之上》的故事。"),
        )
        for i in range(30)
    }
    corpus = write_corpus(root, first)
    index = Index.create(root / "index")
    index.update(corpus)
    more = {
        f"_posts/2024-03-{i + 1:02d}-b{i}.md": post(f"大桥{i}", "大桥通车的消息。")
        for i in range(5)
    }
    write_corpus(root, more)
    (corpus / "_posts/2024-01-03-a2.md").unlink()  # a deletion in the first segment
    index.update(corpus)
    return index


def whoosh_scores(index: Index, text: str) -> dict[int, float]:
    q = compile_plan(plan_query(parse(text), index.word_segmenter))
    with index.engine._searcher() as s:
        collector = s.collector(limit=None, scored=True)
        s.search_with_collector(q, collector)
        return {d: score for score, d in collector.results().top_n}


@pytest.mark.parametrize("text", QUERIES)
def test_same_matches_and_scores_as_whoosh(index: Index, text: str) -> None:
    with index.engine._searcher() as s:
        assert len(s.leaf_searchers()) == 2 and s.reader().has_deletions()
        q = compile_plan(plan_query(parse(text), index.word_segmenter))
        ours = evaluate(q, s)
    theirs = whoosh_scores(index, text)
    assert ours.keys() == theirs.keys()
    for d, score in theirs.items():
        assert ours[d] == pytest.approx(score, rel=1e-12, abs=1e-12), (text, d)


def test_matches_are_found_for_the_fixture(index: Index) -> None:
    sizes = {text: len(whoosh_scores(index, text)) for text in ("大桥", '"大桥通车"', "大桥 -维修")}
    assert sizes == {"大桥": 34, '"大桥通车"': 5, "大桥 -维修": 15}


def test_unknown_nodes_are_refused(index: Index) -> None:
    with index.engine._searcher() as s, pytest.raises(Unsupported):
        evaluate(wq.Prefix("body", "大"), s)


@pytest.mark.parametrize(("window", "size"), [(4, 34), (1, 5)])
def test_a_near_node_matches_and_scores_as_whoosh(index: Index, window: int, size: int) -> None:
    # 大桥 … 通车: two units apart in the first segment's posts (大桥今日通车), side
    # by side in the second's (大桥通车), so a window of 1 keeps only the second's.
    node = qp.Near(((("大", "桥"),), (("通", "车"),)), window)
    q = compile_plan(qp.QueryPlan(node, [], [], False))
    with index.engine._searcher() as s:
        ours = evaluate(q, s)
        collector = s.collector(limit=None, scored=True)
        s.search_with_collector(q, collector)
        theirs = {d: score for score, d in collector.results().top_n}
    assert len(ours) == size
    assert ours.keys() == theirs.keys()
    for d, score in theirs.items():
        assert ours[d] == pytest.approx(score, rel=1e-12, abs=1e-12)
