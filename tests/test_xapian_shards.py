"""Shards of the Xapian engine (issue #24): 1–3 shards, local and served by
``xapian-tcpsrv`` on loopback, equal one database on every request of
bench/queries.txt (totals, facet counts, top-10 order and weights: Xapian's global
statistics); a replica taking over from a killed server; partial results named; a live
update seen after the next commit; bad stubs refused with the file and line.

Posts: ../shared/corpus/xwlb-small (300 real stories); the bad-input tests use a tiny
invented site."""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from xapianservers import need_tools, replicate, servers, tcpsrv

from searcher.engine.xapian.shards import REMOTE_REOPEN_SECONDS
from searcher.errors import SearchIndexError
from searcher.index import Index
from searcher.request import SearchRequest
from searchutil import NO_SHARED, SHARED_CORPUS, post, queries_txt, write_corpus

pytestmark = pytest.mark.engine("xapian")
SMALL = SHARED_CORPUS / "xwlb-small"
needs_small = pytest.mark.skipif(not SMALL.is_dir(), reason=NO_SHARED)


def requests() -> list[SearchRequest]:
    """The requests of bench/queries.txt."""
    return [request for _, request in queries_txt()]


def answer(index: Index, request: SearchRequest) -> tuple[object, ...]:
    """What must not change with the number of shards: the total, the facet counts,
    the top 10 ids in order and their scores."""
    r = index.search(request)
    return (
        r.total,
        r.unfiltered_total,
        r.facets,
        [h.id for h in r.hits],
        [h.score for h in r.hits],
        [n.code for n in r.notices],
    )


def same(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    """Equal answers, the scores to 1e-9 (a sum of floats in another order)."""
    scores_a, scores_b = a[4], b[4]
    assert isinstance(scores_a, list) and isinstance(scores_b, list)
    close = len(scores_a) == len(scores_b) and all(
        (x is None and y is None) or math.isclose(x, y, rel_tol=1e-9)
        for x, y in zip(scores_a, scores_b, strict=True)
    )
    return a[:4] == b[:4] and a[5] == b[5] and close


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """xwlb-small in 1, 2 and 3 shards."""
    if not SMALL.is_dir():
        pytest.skip(NO_SHARED)
    root = tmp_path_factory.mktemp("shards")
    out = {}
    for shards in (1, 2, 3):
        folder = root / f"ix{shards}"
        report = Index.build(folder, SMALL, engine="xapian", shards=shards, jobs=2)
        assert report.added == 300
        out[shards] = folder
    return out


@pytest.fixture(scope="module")
def single(built: dict[int, Path]) -> Iterator[tuple[Index, list[tuple[object, ...]]]]:
    with Index.open(built[1]) as index:
        yield index, [answer(index, r) for r in requests()]


def shard_folders(index_folder: Path) -> list[Path]:
    """The shard databases the index's stub names, in order."""
    lines = (index_folder / "xapian.stub").read_text(encoding="utf-8").split("\n")
    return [index_folder / line.split(" ", 1)[1] for line in lines if line]


def remote_stub(path: Path, addresses: list[list[str]]) -> Path:
    """A stub of ``remote`` lines, a shard each, its servers in order."""
    path.write_text("".join(f"remote {' '.join(a)}\n" for a in addresses), encoding="utf-8")
    return path


@needs_small
def test_queries_file_has_its_235_requests() -> None:
    assert len(requests()) == 235


@needs_small
@pytest.mark.parametrize("shards", [2, 3])
def test_local_shards_equal_one_database(
    built: dict[int, Path], single: tuple[Index, list[tuple[object, ...]]], shards: int
) -> None:
    index1, answers = single
    assert [len(shard_folders(built[n])) for n in (1, 2, 3)] == [1, 2, 3]
    with Index.open(built[shards]) as index:
        assert index.stats().documents == 300
        differ = [
            r.q for r, a in zip(requests(), answers, strict=True) if not same(answer(index, r), a)
        ]
    assert differ == []
    assert sum(1 for a in answers if a[0]) > 200  # the requests do find posts


@needs_small
@pytest.mark.parametrize("shards", [1, 3])
def test_remote_shards_equal_one_database(
    built: dict[int, Path],
    single: tuple[Index, list[tuple[object, ...]]],
    tmp_path: Path,
    shards: int,
) -> None:
    need_tools()
    _, answers = single
    with servers() as started:
        for shard in shard_folders(built[shards]):
            started.append(tcpsrv(shard))
        stub = remote_stub(tmp_path / "remote.stub", [[s.address] for s in started])
        with Index.open(stub) as index:
            differ = [
                r.q
                for r, a in zip(requests(), answers, strict=True)
                if not same(answer(index, r), a)
            ]
            assert index.stats().documents == 300
    assert differ == []


@needs_small
def test_global_statistics_are_what_makes_shards_equal(built: dict[int, Path]) -> None:
    """Each shard alone (its own statistics) weighs a post otherwise than the shards
    searched as one: the equalities above hold because Xapian sums the shards'
    statistics, and would fail without that (the weights are compared to 1e-9)."""
    import xapian

    shards = shard_folders(built[3])
    whole = xapian.Database()
    for shard in shards:
        whole.add_database(xapian.Database(str(shard)))

    def weights(db: xapian.Database) -> dict[str, float]:
        enquire = xapian.Enquire(db)
        enquire.set_query(xapian.Query("XB2经济"))
        enquire.set_weighting_scheme(xapian.BM25Weight(1.2, 0, 1, 0.75, 0.5))
        mset = enquire.get_mset(0, db.get_doccount())
        return {m.document.get_value(0).decode()[:80]: m.weight for m in mset}

    together = weights(whole)
    alone: dict[str, float] = {}
    for shard in shards:
        alone.update(weights(xapian.Database(str(shard))))
    assert sorted(together) == sorted(alone) and len(together) > 20
    differ = [k for k in together if not math.isclose(together[k], alone[k], rel_tol=1e-6)]
    assert len(differ) == len(together)  # every post's weight moves without them


@needs_small
def test_replica_takes_over_when_a_server_dies(
    built: dict[int, Path], single: tuple[Index, list[tuple[object, ...]]], tmp_path: Path
) -> None:
    need_tools()
    _, answers = single
    reqs = requests()
    shards = shard_folders(built[3])
    replicas = []
    for k, shard in enumerate(shards):
        copy = tmp_path / f"replica-{k}"
        replicate(shard.parent, shard.name, copy)
        replicas.append(copy)
    with servers() as started:
        primaries = [tcpsrv(s) for s in shards]
        seconds = [tcpsrv(r) for r in replicas]
        started.extend(primaries + seconds)
        stub = remote_stub(
            tmp_path / "replicated.stub",
            [[p.address, r.address] for p, r in zip(primaries, seconds, strict=True)],
        )
        with Index.open(stub) as index:
            first = [same(answer(index, r), a) for r, a in zip(reqs[:50], answers, strict=False)]
            primaries[1].kill()  # mid-run: the pooled connections to it break
            after = [
                same(answer(index, r), a) for r, a in zip(reqs[50:], answers[50:], strict=True)
            ]
            assert all(first) and all(after)
            seconds[1].kill()  # no copy of shard 1 left: partial, and said so
            time.sleep(REMOTE_REOPEN_SECONDS)  # (answers cached before are kept till then)
            r = index.search("经济")
            assert "shards_missing" in [n.code for n in r.notices]
            assert r.total < answers_total(single[0], "经济")
            assert "shard 1" in next(n for n in r.notices if n.code == "shards_missing")


def answers_total(index: Index, q: str) -> int:
    return index.search(q).total


@needs_small
def test_live_update_is_seen_after_the_next_commit(tmp_path: Path) -> None:
    need_tools()
    site = tmp_path / "site"
    shutil.copytree(SMALL, site)
    folder = tmp_path / "ix"
    Index.build(folder, site, engine="xapian", shards=2)
    with servers() as started:
        for shard in shard_folders(folder):
            started.append(tcpsrv(shard))
        stub = remote_stub(tmp_path / "live.stub", [[s.address] for s in started])
        with Index.open(stub) as index:
            assert index.search("鸭嘴兽保护区", match="exact").total == 0
            (site / "_posts" / "2026-01-02-platypus.md").write_text(
                post("鸭嘴兽保护区开放", "新建的鸭嘴兽保护区今天开放。"), encoding="utf-8"
            )
            report = Index.build(folder, site)
            assert (report.added, report.updated) == (1, 0)
            # a remote index follows its shards' commits within REMOTE_REOPEN_SECONDS
            time.sleep(REMOTE_REOPEN_SECONDS)
            found = index.search("鸭嘴兽保护区", match="exact")
            assert (found.total, [h.title for h in found.hits]) == (1, ["鸭嘴兽保护区开放"])


def test_a_post_goes_to_the_same_shard_on_update(tmp_path: Path) -> None:
    site = write_corpus(
        tmp_path / "site",
        {f"_posts/2024-01-0{i}-p{i}.md": post(f"标题{i}", f"正文{i}号") for i in range(1, 8)},
    )
    folder = tmp_path / "ix"
    Index.build(folder, site, engine="xapian", shards=3)
    (site / "_posts" / "2024-01-03-p3.md").write_text(post("标题3", "改过的正文"), "utf-8")
    (site / "_posts" / "2024-01-05-p5.md").unlink()
    report = Index.build(folder, site)
    assert (report.added, report.updated, report.removed) == (0, 1, 1)
    with Index.open(folder) as index:
        assert index.stats().documents == 6
        assert [h.id for h in index.search("改过的正文").hits] == ["_posts/2024-01-03-p3"]
        assert index.search("正文5号", match="exact").total == 0
    # each shard holds its posts once: 6 in all
    import xapian

    counts = [xapian.Database(str(s)).get_doccount() for s in shard_folders(folder)]
    assert sum(counts) == 6


def test_another_number_of_shards_rebuilds(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "site", {"_posts/2024-01-01-a.md": post("甲", "乙丙")})
    folder = tmp_path / "ix"
    Index.build(folder, site, engine="xapian", shards=2)
    report = Index.build(folder, site, shards=3)
    assert report.added == 1
    assert len(shard_folders(folder)) == 3
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("gen-")) == ["gen-1"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("remote nowhere\n", "line 1: 'nowhere' is not HOST:PORT"),
        ("# a comment\nremote 127.0.0.1:99999\n", "line 2: '127.0.0.1:99999' is not HOST:PORT"),
        ("chert /x\n", "line 1: expected `remote HOST:PORT [HOST:PORT…]` or `auto PATH`"),
        ("# nothing\n", "the stub names no shard"),
    ],
)
def test_bad_stubs_are_refused_naming_the_line(tmp_path: Path, text: str, message: str) -> None:
    stub = tmp_path / "bad.stub"
    stub.write_text(text, encoding="utf-8")
    with pytest.raises(SearchIndexError) as caught:
        Index.open(stub)
    assert f"{stub}" in str(caught.value) and message in str(caught.value)


def test_a_stub_whose_servers_are_all_down_names_them(tmp_path: Path) -> None:
    from xapianservers import free_port

    port = free_port()
    stub = remote_stub(tmp_path / "down.stub", [[f"127.0.0.1:{port}"]])
    with pytest.raises(SearchIndexError) as caught:
        Index.open(stub)
    assert f"127.0.0.1:{port}" in str(caught.value)
