"""The segment writer and codec (issue #9): the same index as Whoosh's own writer.

Each test indexes the same documents twice, once with Whoosh's ``SegmentWriter`` and
its pool and once with :class:`searcher.engine.whoosh.segments.SegmentWriter`, and compares every
posting (field, term, document, weight, value), every stored field and every field
length. The term-position lists of :mod:`searcher.analysis.terms` are compared with
the Whoosh analyzers' token streams (tests/test_analysis.py compares them with the
engine-neutral pipelines).
"""

from __future__ import annotations

import random
from array import array
from itertools import accumulate
from pathlib import Path
from typing import Any

import pytest
from whoosh import fields, writing
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.formats import Characters, Existence, Frequency
from whoosh.query import Phrase
from whoosh.system import pack_uint

from searcher import analysis
from searcher.engine.whoosh.analyzers import (
    BigramAnalyzer,
    FoldFilter,
    UnitAnalyzer,
    UnitTokenizer,
    WordAnalyzer,
    index_terms,
)
from searcher.engine.whoosh.codec import CompactPositions, SearcherCodec, decode_block, encode_block
from searcher.engine.whoosh.schema import fields_of as document
from searcher.engine.whoosh.schema import make_schema
from searcher.engine.whoosh.segments import SegmentWriter
from searcher.site import Article, read_corpus
from searchutil import NO_SHARED, SHARED_CORPUS

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

HOSTILE_TEXTS = [
    "",
    "，，，",
    "新闻联播" * 50,
    "開通臺灣ＡＩ２０２２年iPhone14，6.35%。O’Neil don’t",
    "a\u200bb\u00adc 1,200 1,2,3 ℃ ｶﾀｶﾅ 𠀀𠀁 \U0002a700",
    "\n".join(["第一段。"] * 3 + ["x" * 300, "\x00\x01"]),
    "上海证券交易所发布公告，三家公司获准上市。" * 3,
]


def _stream(analyzer: Any, text: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for t in analyzer(text, positions=True, mode="index"):
        if t.stopped:  # Whoosh's formats index only unstopped tokens
            continue
        out.setdefault(t.text, []).append(t.pos)
    return out


def _texts() -> list[str]:
    texts = list(HOSTILE_TEXTS)
    for path in sorted((CORPUS / "_posts").glob("*.md"))[:20]:
        texts.append(path.read_text(encoding="utf-8"))
    rng = random.Random(9)
    alphabet = "新闻联播开通臺灣ａＡ1２,.，。 \n-·’'iPhone年月%"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(60))) for _ in range(300)]
    return texts


@pytest.mark.parametrize("make", [UnitAnalyzer, BigramAnalyzer, lambda: WordAnalyzer("rjieba")])
def test_term_positions_equal_the_token_streams(make: Any) -> None:
    analyzer = make()
    positions = index_terms(analyzer)
    assert positions is not None
    for text in _texts():
        assert positions(text, {}) == _stream(analyzer, text), text[:40]


def test_term_positions_refuses_other_analyzers() -> None:
    from whoosh.analysis import LowercaseFilter, StandardAnalyzer

    from searcher.engine.whoosh.analyzers import whoosh_analyzer

    assert index_terms(StandardAnalyzer()) is None  # Whoosh's own: its stream is indexed
    assert index_terms(UnitAnalyzer() | BigramAnalyzer().items[-1]) is not None
    # A stage added to an analyzer never leaves indexing on the token stream unnoticed.
    with pytest.raises(TypeError, match="mixed"):
        index_terms(UnitAnalyzer() | LowercaseFilter())

    class WhooshOther(FoldFilter):
        pass

    with pytest.raises(TypeError, match="mixed"):
        index_terms(UnitTokenizer() | WhooshOther())
    with pytest.raises(TypeError, match="no list form"):
        whoosh_analyzer(analysis.UnitAnalyzer() | analysis.StopFilter(frozenset("的")))


def _all_postings(ix: Any) -> list[tuple[Any, ...]]:
    out = []
    with ix.reader() as r:
        base = 0
        for sub, offset in r.leaf_readers():
            for (fieldname, text), _ in sub._terms.items():
                m = sub.postings(fieldname, text)
                fmt = ix.schema[fieldname].format
                while m.is_active():
                    value = m.value()
                    if isinstance(fmt, CompactPositions):
                        value = tuple(fmt.decode_positions(value))
                    out.append((fieldname, text, offset + m.id(), m.weight(), value))
                    m.next()
            base += sub.doc_count_all()
    return sorted(out)


def _term_infos(ix: Any) -> list[tuple[Any, ...]]:
    """Each term's statistics (one segment): what BM25F and Whoosh's block skipping read."""
    with ix.reader() as r:
        (sub, _), *rest = r.leaf_readers()
        assert not rest
        return [
            (key, ti.weight(), ti.doc_frequency(), ti.min_length(), ti.max_length())
            + (ti.max_weight(), ti.min_id(), ti.max_id())
            for key, ti in sub._terms.items()
        ]


def _per_doc(ix: Any) -> list[tuple[Any, ...]]:
    with ix.reader() as r:
        rows = []
        for docnum, stored in r.iter_docs():
            lengths = tuple(
                r.doc_field_length(docnum, f) for f in sorted(ix.schema.scorable_names())
            )
            rows.append((stored["id"], tuple(sorted(stored.items())), lengths))
        return sorted(rows, key=repr)


def _build(folder: Path, docs: list[dict[str, Any]], ours: bool, **kwargs: Any) -> Any:
    storage = FileStorage(str(folder)).create()
    ix = storage.create_index(make_schema("rjieba"))
    if ours:
        w = SegmentWriter(ix, **kwargs)
    else:
        w = writing.SegmentWriter(ix, codec=SearcherCodec(), compound=False)
    for doc in docs:
        w.add_document(**doc)
    w.commit()
    return ix


def _docs(folder: Path) -> list[dict[str, Any]]:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    return [document(a, tz) for a in read_corpus(folder) if isinstance(a, Article)]


def test_writer_writes_what_whoosh_writes(tmp_path: Path) -> None:
    docs = _docs(CORPUS)
    # posts 300+ units long fill several 128-posting blocks of the unit fields
    docs += [{**docs[0], "id": f"extra/{i}", "digest": str(i)} for i in range(300)]
    whoosh_ix = _build(tmp_path / "whoosh", docs, ours=False)
    ours_ix = _build(tmp_path / "ours", docs, ours=True)
    expected = _all_postings(whoosh_ix)
    assert len(expected) > 20_000
    assert _all_postings(ours_ix) == expected
    assert _term_infos(ours_ix) == _term_infos(whoosh_ix)
    assert _per_doc(ours_ix) == _per_doc(whoosh_ix)
    with ours_ix.searcher() as s:
        q = Phrase("body_2", ["新闻", "闻联", "联播"])
        assert len(s.search(q, limit=None)) == len(whoosh_ix.searcher().search(q, limit=None))


def test_writer_starts_new_segments_past_max_postings(tmp_path: Path) -> None:
    docs = _docs(CORPUS)
    one = _build(tmp_path / "one", docs, ours=True)
    many = _build(tmp_path / "many", docs, ours=True, max_postings=5_000)
    with many.reader() as r:
        assert len(r.leaf_readers()) >= 3
        assert r.doc_count() == len(docs)
    assert sorted((f, t, w, v) for f, t, _, w, v in _all_postings(many)) == sorted(
        (f, t, w, v) for f, t, _, w, v in _all_postings(one)
    )
    assert _per_doc(many) == _per_doc(one)


def test_merges_and_deletes_go_through_the_writer(tmp_path: Path) -> None:
    docs = _docs(CORPUS)
    ix = _build(tmp_path / "ix", docs[:10], ours=True)
    for doc in docs[10:]:  # one small segment per commit: Whoosh's MERGE_SMALL folds them
        w = SegmentWriter(ix)
        w.delete_by_term("id", docs[0]["id"])
        w.add_document(**doc)
        w.commit()
    expected = _build(tmp_path / "whoosh", docs[1:], ours=False)
    assert _per_doc(ix) == _per_doc(expected)
    assert sorted((f, t, w, v) for f, t, _, w, v in _all_postings(ix)) == sorted(
        (f, t, w, v) for f, t, _, w, v in _all_postings(expected)
    )


@pytest.mark.parametrize(
    ("fmt", "values"),
    [
        (CompactPositions(), [[0], [5, 6], [255, 256, 65_535], [65_536, 4_000_000_000], [1]]),
        (Frequency(), [1, 2, 300, 70_000, 1]),
        (Existence(), [None] * 5),
        (
            Characters(),
            [[(0, 0, 1)], [(3, 5, 6)], [(1, 2, 3), (9, 10, 11)], [(7, 8, 9)], [(1, 1, 2)]],
        ),
    ],
)
@pytest.mark.parametrize(
    "weights", [[1.0] * 5, [1.0, 2.0, 3.0, 2.0, 1.0], [0.5, 2.25, 3.0, 1e9, 1.0]]
)
def test_blocks_round_trip(fmt: Any, values: list[Any], weights: list[float]) -> None:
    ids = [0, 1, 300, 70_000, 70_001]
    if isinstance(fmt, Frequency):
        encoded = [pack_uint(v) for v in values]  # Whoosh's Frequency values
    else:
        encoded = [b"" if v is None else fmt.encode(v) for v in values]
    data, flags, vflags = encode_block(
        fmt, ids, weights, [len(v) for v in encoded], b"".join(encoded)
    )
    deltas, got_weights, got_values = decode_block(flags, vflags, len(ids), data)
    assert list(accumulate(deltas)) == ids
    if isinstance(fmt, CompactPositions) and weights[1] == 2.0:
        weights = [float(len(p)) for p in values]  # the weights a positions field has
        data, flags, vflags = encode_block(
            fmt, ids, weights, [len(v) for v in encoded], b"".join(encoded)
        )
        assert flags >> 3 & 3 == 1  # stored as "the number of positions": no weights
        got_weights = decode_block(flags, vflags, len(ids), data)[1]
    assert list(got_weights) == [float(array("f", [w])[0]) for w in weights]
    if isinstance(fmt, CompactPositions):
        counts, positions = got_values
        assert list(counts) == [len(p) for p in values]
        assert list(positions) == [p for ps in values for p in ps]
    elif isinstance(fmt, Existence):
        assert got_values is None
    elif isinstance(fmt, Frequency):
        assert got_values == b"".join(encoded)
    else:
        lengths, got_joined = got_values
        assert list(lengths) == [len(v) for v in encoded]
        assert got_joined == b"".join(encoded)


def test_positions_past_16_bits_read_back_through_whoosh() -> None:
    schema = fields.Schema(body=fields.TEXT(phrase=True))
    schema["body"].format = CompactPositions()
    ix = RamStorage().create_index(schema)
    w = SegmentWriter(ix)
    for i in range(200):  # two blocks of postings for "rain"
        w.add_document(body="rain " * (1 + i % 3) + "wind " * (70_000 if i == 150 else 0) + "rain")
    w.commit()
    with ix.reader() as r:
        m = r.postings("body", b"rain")
        got = []
        while m.is_active():
            got.append((m.id(), m.weight(), m.value_as("positions")))
            m.next()
    expected = []
    for i in range(200):
        n = 1 + i % 3
        last = n + (70_000 if i == 150 else 0)
        expected.append((i, float(n + 1), [*range(n), last]))
    assert got == expected


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason=NO_SHARED)
def test_writer_equals_whoosh_on_real_posts(tmp_path: Path) -> None:
    docs = _docs(SHARED_CORPUS / "xwlb-small")[:120]
    expected = _all_postings(_build(tmp_path / "whoosh", docs, ours=False))
    assert _all_postings(_build(tmp_path / "ours", docs, ours=True)) == expected


def _corpus_of(tmp_path: Path, count: int) -> Path:
    from searchutil import post, write_corpus

    rng = random.Random(count)
    words = ["新闻联播", "数字经济", "开通", "臺灣", "人工智能", "高质量发展", "iPhone14", "1,200"]
    posts = {
        f"_posts/2024-01-{1 + i % 28:02d}-p{i}.md": post(
            f"标题{i}{rng.choice(words)}", "，".join(rng.choice(words) for _ in range(40))
        )
        for i in range(count)
    }
    return write_corpus(tmp_path, posts)


_BUILD_ALONE = """
import json, sys, searcher.indexing as ind, searcher.engine.whoosh.engine as eng
from searcher.errors import SearchIndexError
from searcher.index import Index
target, corpus, jobs, fail_on = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ind.MIN_PART = 20
real = eng.fields_of
def document(article, tz):
    if fail_on and article.id.endswith(fail_on):
        raise RuntimeError("disk on fire")
    return real(article, tz)
eng.fields_of = document
seen = []
try:
    report = Index.build(
        target, corpus, jobs=jobs, rebuild=True, progress=lambda d, t: seen.append(d)
    )
    print(json.dumps({"added": report.added, "progress": seen}))
except SearchIndexError as exc:
    print(json.dumps({"error": str(exc)}))
"""


def _build_alone(target: Path, corpus: Path, jobs: int, fail_on: str = "") -> dict[str, Any]:
    """``Index.build`` with parts of 20 posts, in a new interpreter: workers are forked
    only where no other thread runs, and other tests leave threads behind (servers)."""
    import json
    import subprocess
    import sys

    args = [sys.executable, "-c", _BUILD_ALONE, str(target), str(corpus), str(jobs), fail_on]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout.splitlines()[-1])
    return result


def test_parallel_build_equals_one_process(tmp_path: Path) -> None:
    from searcher.index import Index

    corpus = _corpus_of(tmp_path, 90)
    one = Index.build(tmp_path / "one", corpus, jobs=1)
    three = _build_alone(tmp_path / "three", corpus, jobs=3)
    assert one.added == three["added"] == 90
    seen = three["progress"]
    assert seen[-1] == 90 and seen == sorted(seen)
    with Index.open(tmp_path / "one") as a, Index.open(tmp_path / "three") as b:
        with b.engine._ix.reader() as r:
            assert [sub.doc_count_all() for sub, _ in r.leaf_readers()] == [30, 30, 30]
        assert _all_postings(a.engine._ix) == _all_postings(b.engine._ix)
        for q in ["新闻", "数字经济", "台湾", "iphone", ""]:
            ra, rb = a.search(q, limit=50), b.search(q, limit=50)
            assert [h.id for h in ra.hits] == [h.id for h in rb.hits]
            assert ra.total == rb.total and ra.facets == rb.facets


def test_a_failing_worker_stops_the_build_and_keeps_the_old_index(tmp_path: Path) -> None:
    from searcher.index import Index

    corpus = _corpus_of(tmp_path, 60)
    Index.build(tmp_path / "ix", corpus, jobs=1)
    last = sorted((corpus / "_posts").iterdir())[-1].stem  # read last: a child writes it
    failed = _build_alone(tmp_path / "ix", corpus, jobs=3, fail_on=last)
    assert "indexing worker failed: RuntimeError: disk on fire" in failed["error"]
    with Index.open(tmp_path / "ix") as index:
        assert index.search("").total == 60
    assert not [p for p in (tmp_path / "ix").iterdir() if p.name.endswith(".tmp")]


def test_beside_other_threads_every_part_is_written_here(tmp_path: Path, monkeypatch: Any) -> None:
    import threading

    import searcher.indexing
    from searcher.index import Index

    corpus = _corpus_of(tmp_path, 60)
    monkeypatch.setattr(searcher.indexing, "MIN_PART", 20)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        Index.build(tmp_path / "ix", corpus, jobs=3)
    finally:
        stop.set()
        other.join()
    with Index.open(tmp_path / "ix") as index, index.engine._ix.reader() as r:
        assert [sub.doc_count_all() for sub, _ in r.leaf_readers()] == [60]  # no fork
        assert index.search("").total == 60


def test_scores_do_not_depend_on_how_the_index_is_cut(tmp_path: Path) -> None:
    # A phrase is scored by its bigram rarest in the whole index: 华社 here (31 posts
    # against 32 for 新华), though 新华 is the rarer in the second half's segment.
    from searcher.index import Index
    from searchutil import post, write_corpus

    bodies = ["新华社消息，今天。"] * 2 + ["新华网报道。"] * 28  # first half
    bodies += ["新华社记者报道。"] * 2 + ["中华社会发展。"] * 27 + ["别的新闻。"]  # second half
    posts = {
        f"_posts/2024-01-01-p{i:03d}.md": post(f"第{i}条", body) for i, body in enumerate(bodies)
    }
    corpus = write_corpus(tmp_path, posts)
    Index.build(tmp_path / "one", corpus, jobs=1)
    assert _build_alone(tmp_path / "two", corpus, jobs=2)["added"] == 60
    with Index.open(tmp_path / "one") as a, Index.open(tmp_path / "two") as b:
        with b.engine._ix.reader() as r:
            assert len(r.leaf_readers()) == 2
        ra, rb = a.search("新华社", limit=50), b.search("新华社", limit=50)
        assert ra.total == rb.total == 4
        assert [(h.id, h.score) for h in ra.hits] == [(h.id, h.score) for h in rb.hits]
        with a.engine._ix.reader() as r:
            assert r.frequency("body", b"zzzz") == 0  # a missing term, as Whoosh gives it


def test_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    # A parent killed outright (SIGKILL) must not leave a worker holding the write lock.
    import signal
    import subprocess
    import sys
    import time

    corpus = _corpus_of(tmp_path, 80)
    marker = str(tmp_path / "ix")
    script = (
        "import time, sys, searcher.indexing as ind, searcher.engine.whoosh.engine as eng\n"
        "from searcher.index import Index\n"
        "ind.MIN_PART = 20\n"
        "real = eng.fields_of\n"
        "def slow(a, tz):\n"
        "    time.sleep(0.1)\n"
        "    return real(a, tz)\n"
        "eng.fields_of = slow\n"
        f"Index.build({marker!r}, {str(corpus)!r}, jobs=2)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    time.sleep(3)  # the build is under way: each part takes 4 s
    children = [
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and (p / "stat").exists() and _ppid(p) == proc.pid
    ]
    assert children, "no worker was running"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(1)
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or _zombie(pid), (
            f"worker {pid} outlived its parent"
        )
    from searcher.index import Index

    report = Index.build(tmp_path / "ix", corpus, jobs=1)  # not locked
    assert report.added == 80


def _ppid(proc: Path) -> int:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
