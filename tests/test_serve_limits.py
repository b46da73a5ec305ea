"""Issue 17, items 8, 9, 10 and 12: requests bounded in cost whatever their parameters,
the results cache bounded in bytes and keyed on what changes the answer, ``searcher
serve`` usable beside slow and heavy clients, and no redirect built from ``Host``.

Server tests run :func:`searcher.serving.make_server` on 127.0.0.1, on a free port, in a
thread, each bounded in time."""

from __future__ import annotations

import random
import re
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import numpy as np
import pytest
from flask.testing import FlaskClient

from searcher.errors import QueryError
from searcher.facets import FacetPostings, Masks, toggle_counts
from searcher.index import Index
from searcher.request import MAX_FILTER_VALUES, SearchRequest
from searcher.results_cache import ResultsCache, results_bytes
from searcher.serving import ServeLimits, make_server
from searcher.web import SECURITY_HEADERS, create_app
from searchutil import build, post

TAGS = [f"标签{i:02d}" for i in range(60)]

POSTS = {
    f"_posts/2024-01-{i + 1:02d}-p{i}.md": post(
        f"大桥新闻{i}",
        f"大桥第{i}次检修完成。",
        date=f"2024-01-{i + 1:02d} 10:00:00 +0800",
        extra=f"categories: 城建\ntags: [{TAGS[i]}, {TAGS[(i + 1) % 60]}, 桥梁]\n",
    )
    for i in range(28)
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    ix = build(tmp_path_factory.mktemp("limits"), POSTS)
    yield ix
    ix.close()


@pytest.fixture(scope="module")
def client(index: Index) -> FlaskClient:
    return create_app(index).test_client()


def tag_query(tags: list[str], q: str = "大桥", extra: str = "") -> str:
    return urlencode([("q", q), *(("tag", t) for t in tags)]) + extra


# -- 8: a cap on filter values and repeated parameters; linear facet counts ----------


def test_library_refuses_more_filter_values_than_the_cap(index: Index) -> None:
    assert MAX_FILTER_VALUES == 50
    with pytest.raises(QueryError) as raised:
        index.search("大桥", tags=TAGS[:51])
    assert (raised.value.code, raised.value.param) == ("too_many_values", "tags")
    assert str(raised.value) == "tags: at most 50 values, not 51"
    with pytest.raises(QueryError) as raised:
        index.search("大桥", categories=[f"c{i}" for i in range(51)])
    assert (raised.value.code, raised.value.param) == ("too_many_values", "categories")
    # 50 values, and any number of repeats of them, are one search's worth
    assert index.search("大桥", tags=TAGS[:50]).total == 28
    assert index.search("大桥", tags=TAGS[:2] * 500).total == 2  # 标签00, 标签01: posts 0, 1


def test_api_refuses_too_many_values_and_repeated_parameters(client: FlaskClient) -> None:
    response = client.get("/api/search?" + tag_query(TAGS[:51]))
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "tag: at most 50 distinct values, not 51",
        "code": "too_many_values",
        "param": "tag",
        "status": 400,
    }
    response = client.get("/api/search?q=大桥&sort=newest&sort=oldest")
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "sort: given 2 times; a search reads it once",
        "code": "repeated_param",
        "param": "sort",
        "status": 400,
    }
    # 50 distinct values (sent twice each) and unknown parameters are fine
    ok = client.get("/api/search?" + tag_query(TAGS[:50] * 2, extra="&utm=1&utm=2"))
    assert ok.status_code == 200 and ok.get_json()["total"] == 28


def without_timing(page: str) -> str:
    return re.sub(r"用时 \d+\.\d\d 秒", "用时 秒", page)


def test_page_uses_the_first_values_says_so_and_costs_no_more(client: FlaskClient) -> None:
    many = client.get("/?" + tag_query(TAGS + [f"无此标签{i}" for i in range(940)]))
    capped = client.get("/?" + tag_query(TAGS[:50]))
    assert many.status_code == capped.status_code == 200
    note = '<p class="error" role="alert">标签筛选最多 50 个，收到 1000 个，只用了前 50 个。</p>'
    page = without_timing(many.get_data(as_text=True))
    assert page.count(note) == 1
    # the same page as the first 50 values give, but for the note: links carry 50 values
    assert page.replace(note, "") == without_timing(capped.get_data(as_text=True))
    assert page.count('<span class="chip"><label><input type="checkbox" name="tag"') == 50


def test_page_links_keep_only_the_parameters_a_search_reads(client: FlaskClient) -> None:
    response = client.get("/?q=大桥&utm=x&utm=y&sort=newest&sort=oldest&tag=桥梁&tag=桥梁")
    page = response.get_data(as_text=True)
    assert "utm" not in page
    assert "sort=oldest" not in page
    note = '<p class="error" role="alert">参数“排序”出现了 2 次，只用了第一个。</p>'
    assert page.count(note) == 1
    assert '<option value="newest" selected>最新</option>' in page
    # the chip's ×: the search without its one tag, single parameters once
    assert 'class="chip-x" href="?q=%E5%A4%A7%E6%A1%A5&amp;sort=newest"' in page


def test_page_links_carry_the_query_as_searched(client: FlaskClient) -> None:
    long_query = "大桥" + "长" * 5000
    page = client.get("/?" + urlencode([("q", long_query), ("tag", "桥梁")])).get_data(as_text=True)
    assert "查询过长，只搜索了前 100 个字符。" in page
    links = re.findall(r'href="\?([^"]*)"', page)
    assert links and all(len(link) < 1200 for link in links)  # 100 characters, not 5,002


def brute_toggle(
    sets: dict[str, frozenset[int]],
    names: list[str],
    base: set[int],
    matched: set[int],
    chosen: tuple[str, ...],
) -> dict[str, int]:
    """The toggle counts by their definition (README "Facets"), set by set."""
    counts = {}
    for v in names:
        if base & sets[v] and v not in chosen:
            counts[v] = len(matched | (base & sets[v]))
    for v in chosen:
        rest = [c for c in chosen if c != v]
        union = frozenset().union(*(sets.get(c, frozenset()) for c in rest))
        counts[v] = len(base & union) if rest else len(base)
    return dict(sorted(counts.items(), key=lambda vc: (-vc[1], vc[0])))


def test_linear_toggle_counts_equal_their_definition() -> None:
    rng = random.Random(17)
    for _ in range(2000):
        size = rng.randint(1, 40)
        names = [f"v{i}" for i in range(rng.randint(0, 9))]
        sets = {v: frozenset(d for d in range(size) if rng.random() < 0.3) for v in names}
        facet = FacetPostings(
            sets=sets,
            names=names,
            docs=np.array([d for v in names for d in sorted(sets[v])], dtype=np.int64),
            values=np.array([n for n, v in enumerate(names) for _ in sets[v]], dtype=np.int64),
            size=size,
            numbers={v: n for n, v in enumerate(names)},
        )
        base = {d for d in range(size) if rng.random() < 0.6}
        pool = [*names, "absent", "gone"]
        chosen = tuple(rng.sample(pool, rng.randint(1, min(5, len(pool)))))
        matched = base & frozenset().union(*(sets.get(c, frozenset()) for c in chosen))
        got = toggle_counts(facet, base, matched, chosen, Masks(size))
        assert got == brute_toggle(sets, names, base, matched, chosen)


def test_facet_counts_with_many_chosen_values_are_exact(index: Index) -> None:
    # post i has tags 标签i, 标签i+1 and 桥梁: with 50 tags chosen every post passes, and
    # removing any one tag loses none (each post has two of them)
    tags = index.search("大桥", tags=TAGS[:50]).facets["tags"]
    assert tags == {**{t: 28 for t in TAGS[:50]}, "桥梁": 28}
    # 标签00 (post 0) or 标签05 (posts 4, 5): 3 posts
    results = index.search("大桥", tags=["标签00", "标签05"])
    assert results.total == 3
    expected = {"桥梁": 28, "标签00": 2, "标签05": 1}  # removing 标签00 leaves posts 4, 5
    for k in range(1, 29):  # adding 标签k brings posts k − 1 and k (the last tag: 27 only)
        if k != 5:
            expected[TAGS[k]] = len({0, 4, 5} | ({k - 1, k} & set(range(28))))
    assert results.facets["tags"] == expected
    assert expected["标签02"] == 5 and expected["标签01"] == 4 and expected["标签28"] == 4
    assert list(results.facets["tags"])[:3] == ["桥梁", "标签02", "标签03"]


# -- 9: the results cache, bounded in bytes and keyed on what changes the answer -----


def test_cache_keys_ignore_what_the_search_ignores(index: Index) -> None:
    def key(query: str = "", **kw: object) -> tuple[object, ...]:
        return SearchRequest(query, **kw).key()  # type: ignore[arg-type]

    def fresh(query: str, **kw: object) -> dict[str, object]:  # the search, uncached
        return index._run(SearchRequest(query, **kw)).to_dict()  # type: ignore[arg-type]

    same = [
        (key("", recency=30.0), key("", recency=365.0)),  # recency ignored: notice only
        (key(""), key("", sort="newest")),  # an empty query is newest first
        (key("  ", sort="relevance"), key("  ", sort="newest")),
        (key("桥", sort="oldest", recency=1.0), key("桥", sort="oldest", recency=9.0)),
        (key("桥", tags=("b", "a", "", "a")), key("桥", tags=("a", "b"))),
        (key("桥", tags="a"), key("桥", tags=("a",))),
        (key("桥", since=""), key("桥", since=None)),
    ]
    for one, other in same:
        assert one == other
    different = [
        (key(""), key("", recency=30.0)),  # the notice that recency was ignored
        (key("桥", recency=30.0), key("桥", recency=31.0)),  # relevance: it reorders
        (key("桥"), key("桥", sort="newest")),
        (key("\x00"), key("\x00", sort="newest")),  # control codes: nothing to search
        (key("桥", page=1), key("桥", page=2)),
    ]
    for one, other in different:
        assert one != other
    # what shares a key gives the same answer (the search run without the cache)
    newest = fresh("", sort="newest", recency=1.0)
    assert fresh("", recency=30.0) == newest
    assert fresh("", recency=365.0) == newest
    one = fresh("大桥", tags=["标签01", "标签00"])
    assert one == fresh("大桥", tags=["标签00", "标签01", "标签00"])


def test_cache_is_bounded_in_bytes_and_entries(index: Index) -> None:
    answer = index.search("大桥", limit=28)
    size = results_bytes(answer)
    assert 28 * 600 < size < 28 * 4000  # grows with the hits
    cache = ResultsCache(max_bytes=size * 8 * 3, max_entries=512)  # room for 24 of these
    for i in range(100):
        assert cache.put(("q", i), answer)
    assert len(cache) == 24 and cache.bytes == 24 * size <= cache.max_bytes
    assert cache.get(("q", 0)) is None and cache.get(("q", 99)) is not None
    small = ResultsCache(max_bytes=size * 8 - 1)  # this answer is over an eighth of it
    assert small.put(("q",), answer) is False and len(small) == 0 and small.bytes == 0
    few = ResultsCache(max_bytes=1 << 30, max_entries=3)
    for i in range(5):
        few.put(("q", i), answer)
    assert len(few) == 3 and few.get(("q", 1)) is None
    got = cache.get(("q", 99))
    assert got is not None and got.to_dict() == answer.to_dict()
    got.hits.clear()  # a copy: the kept answer is unchanged
    again = cache.get(("q", 99))
    assert again is not None and len(again.hits) == 28


def test_index_answers_from_one_entry_for_requests_the_search_treats_alike(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    ix = build(tmp_path_factory.mktemp("cache"), dict(list(POSTS.items())[:5]))
    try:
        first = ix.search("", recency=30)
        for days in (1, 7, 365, 1000):
            assert ix.search("", recency=days).to_dict() == first.to_dict()
        assert ix.search("", sort="newest", recency=2).to_dict() == first.to_dict()
        assert len(ix._results) == 1
    finally:
        ix.close()


# -- 10 and 12: the server under slow and heavy clients, and its redirects -----------


@pytest.fixture(scope="module")
def server(index: Index) -> Iterator[tuple[int, ServeLimits]]:
    limits = ServeLimits(connections=20, request_timeout=1.0, idle_timeout=30)
    srv = make_server(
        create_app(index).wsgi_app, host="127.0.0.1", port=0, threads=2, limits=limits
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield srv.effective_port, limits
    srv.close()
    thread.join(timeout=10)


def exchange(port: int, data: bytes, timeout: float = 10.0) -> bytes:
    """Send ``data`` on a new connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        out = b""
        try:
            sock.sendall(data)
            while chunk := sock.recv(65536):
                out += chunk
        except ConnectionResetError:  # a refusal closes with the rest of data unread
            pass
    return out


def head_of(reply: bytes) -> tuple[int, dict[str, str]]:
    head = reply.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in head[1:])
    return int(head[0].split()[1]), headers


def test_a_body_over_the_cap_is_refused_unread_with_security_headers(
    server: tuple[int, ServeLimits],
) -> None:
    port, _ = server
    start = time.monotonic()
    # a gigabyte announced, none of it sent: the 413 comes at once, the body unread
    reply = exchange(
        port, b"POST /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n"
    )
    status, headers = head_of(reply)
    assert status == 413 and time.monotonic() - start < 5
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value


def test_headers_over_the_cap_are_refused_with_security_headers(
    server: tuple[int, ServeLimits],
) -> None:
    port, _ = server
    url = "/?" + "&".join(["tag=x"] * 7000)  # 42 KB of URL
    status, headers = head_of(exchange(port, f"GET {url} HTTP/1.1\r\nHost: x\r\n\r\n".encode()))
    assert status == 431
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_a_trickling_connection_is_closed_and_others_are_served(
    server: tuple[int, ServeLimits],
) -> None:
    port, limits = server
    slow = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(25)]
    try:  # 25 slow connections, over the limit of 20
        for sock in slow[:20]:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        start = time.monotonic()
        closed = 0
        while closed < 20 and time.monotonic() - start < 8:
            for sock in slow[:20]:
                try:
                    sock.sendall(b"X-Slow: 1\r\n")  # a line every 0.2 s: never idle
                except OSError:
                    pass
            time.sleep(0.2)
            closed = 0
            for sock in slow[:20]:
                sock.setblocking(False)
                try:
                    closed += sock.recv(1) == b""
                except BlockingIOError:
                    pass
                except OSError:
                    closed += 1
                sock.setblocking(True)
        took = time.monotonic() - start
        assert closed == 20, "the server did not close the trickling connections"
        assert limits.request_timeout <= took < limits.request_timeout + 4
        # an ordinary request gets a slot and its answer
        reply = exchange(port, b"GET /api/search?q=%E5%A4%A7%E6%A1%A5 HTTP/1.0\r\n\r\n")
        assert head_of(reply)[0] == 200 and b'"total":28' in reply
    finally:
        for sock in slow:
            sock.close()


def test_a_kept_alive_connection_may_idle_past_the_request_timeout(
    server: tuple[int, ServeLimits],
) -> None:
    port, limits = server
    request = b"GET /api/search?q=%E5%A4%A7%E6%A1%A5 HTTP/1.1\r\nHost: x\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for _ in range(2):
            sock.sendall(request)
            reply = b""
            while (
                b'"looser":false,"suggestion":null,"collapsed":false,"folded":false}' not in reply
            ):
                chunk = sock.recv(65536)
                assert chunk, "the server closed a kept-alive connection"
                reply += chunk
            assert head_of(reply)[0] == 200
            time.sleep(limits.request_timeout + 1.5)  # idle, not sending a request


def test_redirects_never_name_the_request_host(
    client: FlaskClient, server: tuple[int, ServeLimits]
) -> None:
    response = client.get("/api//search?q=x", headers={"Host": "evil.example"})
    assert (response.status_code, response.headers["Location"]) == (308, "/api/search?q=x")
    port, _ = server
    reply = exchange(port, b"GET //api//search?q=x HTTP/1.0\r\nHost: evil.example\r\n\r\n")
    status, headers = head_of(reply)
    assert (status, headers["Location"]) == (308, "/api/search?q=x")
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_heavy_requests_beyond_the_slots_are_turned_away_at_once(index: Index) -> None:
    none_free = create_app(index, heavy_slots=0).test_client()
    response = none_free.get("/api/search?" + tag_query(TAGS[:11]))
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert response.get_json() == {
        "error": "同时进行的多条件搜索太多，请稍后再试。",
        "code": "busy",
        "status": 503,
    }
    page = none_free.get("/?" + tag_query(TAGS[:11]))
    assert page.status_code == 503
    assert "同时进行的多条件搜索太多，请稍后再试。" in page.get_data(as_text=True)
    assert none_free.get("/api/search?" + tag_query(TAGS[:10])).status_code == 200  # not heavy
    assert none_free.get("/api/search?q=大桥&limit=101").status_code == 503  # many hits
    assert none_free.get("/api/search?q=大桥&limit=100").status_code == 200
    one = create_app(index, heavy_slots=1).test_client()
    for _ in range(3):  # each releases its slot
        assert one.get("/?" + tag_query(TAGS[:11])).status_code == 200
