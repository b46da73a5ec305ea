"""The index's cache of phrase matches (searcher.query.PhraseCache): right after updates,
bounded in size."""

from __future__ import annotations

from pathlib import Path

from searcher.engine.whoosh.compile import PhraseCache
from searcher.index import Index
from searchutil import ids, post, write_corpus


def test_cached_phrases_stay_right_across_updates_and_deletions(tmp_path: Path) -> None:
    posts = {
        "_posts/2024-03-01-a.md": post("甲", "央视网消息：新闻联播今日播出。"),
        "_posts/2024-03-02-b.md": post("乙", "央视网消息：天气预报。"),
    }
    corpus = write_corpus(tmp_path, posts)
    index = Index.build(tmp_path / "index", corpus) and Index.open(tmp_path / "index")
    with index:
        assert sorted(ids(index, '"央视网消息"')) == ["_posts/2024-03-01-a", "_posts/2024-03-02-b"]
        assert index.engine.phrase_cache._size > 0  # the phrase was kept
        (corpus / "_posts/2024-03-03-c.md").write_text(
            post("丙", "央视网消息：体育新闻。"), encoding="utf-8"
        )
        (corpus / "_posts/2024-03-01-a.md").unlink()
        report = index.update(corpus)
        assert (report.added, report.removed) == (1, 1)
        # the cached segment still answers, without the deleted post; the new one is read
        assert sorted(ids(index, '"央视网消息"')) == ["_posts/2024-03-02-b", "_posts/2024-03-03-c"]
        assert ids(index, "央视网消息 天气") == ["_posts/2024-03-02-b"]


def test_the_cache_is_bounded_by_document_numbers() -> None:
    cache = PhraseCache(max_docs=5)
    cache.put(("s", "f", (b"a",)), [1, 2, 3], [1.0, 1.0, 1.0], b"a")
    cache.put(("s", "f", (b"b",)), [4, 5], [1.0, 2.0], b"b")
    assert cache.get(("s", "f", (b"a",))) == ([1, 2, 3], [1.0, 1.0, 1.0], b"a")  # now newest
    cache.put(("s", "f", (b"c",)), [6], [1.0], b"c")  # 6 > 5: the least recently used goes
    assert cache.get(("s", "f", (b"b",))) is None
    assert cache.get(("s", "f", (b"c",))) == ([6], [1.0], b"c")
    cache.put(("s", "f", (b"d",)), list(range(6)), [1.0] * 6, b"d")  # larger than the bound
    assert cache.get(("s", "f", (b"d",))) is None
    assert cache._size <= 5


def test_threads_asking_one_phrase_at_once_compute_it_once() -> None:
    import threading
    import time

    cache = PhraseCache()
    calls: list[int] = []

    def make() -> tuple[list[int], list[float], bytes]:
        calls.append(1)
        time.sleep(0.2)  # long enough for every thread to ask while it runs
        return [1, 2], [1.0, 2.0], b"ab"

    answers: list[object] = []
    threads = [
        threading.Thread(target=lambda: answers.append(cache.compute(("k",), make)))
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(calls), answers) == (1, [([1, 2], [1.0, 2.0], b"ab")] * 6)
    assert cache.compute(("k",), make) == ([1, 2], [1.0, 2.0], b"ab") and len(calls) == 1
