"""Behind a reverse proxy (issue #23): with ``proxy_fix`` (``searcher serve
--proxy-fix``) the app honours X-Forwarded-Prefix/For/Proto/Host from one proxy, so its
links, static files and redirects work under ``/search/``; without it the headers change
nothing. The README's nginx ``location`` block runs in a real nginx when one is
installed."""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from searcher.index import Index
from searcher.serving import make_server
from searcher.web import PROXY_HEADERS, RequestLog, create_app
from searchutil import build, post

ROOT = Path(__file__).resolve().parents[1]
POSTS = {
    "_posts/2024-05-01-bridge.md": post(
        "跨江大桥通车", "新建跨江大桥今日通车。", "2024-05-01", extra="categories: 交通\n"
    ),
}
#: The address nginx listens on and the reader connects from (a loopback address of its
#: own, so that the log tells it from the proxy's, 127.0.0.1).
READER = "127.0.0.2"
#: What a client, or a proxy, sends.
FORWARDED = {
    "X-Forwarded-Prefix": "/search",
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "news.example.com",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    built = build(tmp_path_factory.mktemp("proxy"), POSTS)
    yield built
    built.close()


def paths(page: str) -> list[str]:
    """The distinct paths (before any ``?``) of the page's links, scripts, styles, form
    and search-as-you-type endpoint."""
    found = re.findall(r'(?:href|src|action|data-suggest)="(/[^"?]*)', page)
    return sorted(set(found))


def get(client: FlaskClient, url: str) -> str:
    response = client.get(url, headers=FORWARDED)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_headers_honoured_are_the_four_of_the_readme() -> None:
    assert PROXY_HEADERS == (
        "X-Forwarded-For",
        "X-Forwarded-Proto",
        "X-Forwarded-Host",
        "X-Forwarded-Prefix",
    )


def test_with_proxy_fix_links_and_redirects_start_with_the_prefix(index: Index) -> None:
    client = create_app(index, proxy_fix=True).test_client()
    assert paths(get(client, "/?q=大桥")) == [
        "/search/",
        "/search/api/suggest",
        "/search/posts/_posts/2024-05-01-bridge",
        "/search/static/search.css",
        "/search/static/search.js",
    ]
    article = get(client, "/posts/_posts/2024-05-01-bridge?q=大桥&page=1")
    assert '<a href="/search/?q=%E5%A4%A7%E6%A1%A5&amp;page=1">← 返回搜索</a>' in article
    assert '<a class="cat" href="/search/?category=%E4%BA%A4%E9%80%9A">交通</a>' in article
    redirect = client.get("/api//search?q=x", headers=FORWARDED)
    assert (redirect.status_code, redirect.headers["Location"]) == (308, "/search/api/search?q=x")
    assert client.get("/static/search.css", headers=FORWARDED).status_code == 200


def test_without_proxy_fix_the_headers_change_nothing(index: Index) -> None:
    client = create_app(index).test_client()  # a client sending them cannot move links
    assert paths(get(client, "/?q=大桥")) == [
        "/",
        "/api/suggest",
        "/posts/_posts/2024-05-01-bridge",
        "/static/search.css",
        "/static/search.js",
    ]
    redirect = client.get("/api//search?q=x", headers=FORWARDED)
    assert redirect.headers["Location"] == "/api/search?q=x"


def test_the_request_log_shows_the_forwarded_address_only_with_proxy_fix(
    index: Index, caplog: pytest.LogCaptureFixture
) -> None:
    for proxy_fix, address in ((True, "203.0.113.9"), (False, "127.0.0.1")):
        app = RequestLog(create_app(index, proxy_fix=proxy_fix).wsgi_app)
        environ = {
            "PATH_INFO": "/healthz",
            "QUERY_STRING": "",
            "REQUEST_METHOD": "GET",
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "HTTP_X_FORWARDED_FOR": "203.0.113.9",
        }
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="searcher.web"):
            b"".join(app(environ, lambda *a: None))
        assert caplog.messages[0].startswith(f'{address} "GET /healthz" 200 ')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def readme_location() -> str:
    """The README's nginx ``location /search/`` block, as written."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [
        b for b in re.findall(r"```nginx\n(.*?)```", readme, re.S) if "location /search/" in b
    ]
    assert len(blocks) == 1
    return blocks[0]


def test_the_readme_location_block_sets_exactly_the_headers_honoured() -> None:
    block = readme_location()
    assert re.findall(r"proxy_set_header (\S+)", block) == [
        "X-Forwarded-Prefix",
        "X-Forwarded-For",
        "X-Forwarded-Proto",
        "X-Forwarded-Host",
    ]
    assert sorted(re.findall(r"proxy_set_header (\S+)", block)) == sorted(PROXY_HEADERS)


@pytest.fixture()
def nginx(tmp_path: Path) -> Iterator[tuple[Path, Any]]:
    """nginx, or a skip: ``(its folder, a function running it in front of a port)``.
    Under ``CI=true`` a missing nginx fails the test (.ci/run installs Debian's)."""
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed (.ci/run installs it with apt-get)")
        pytest.skip("no nginx installed (apt-get install nginx)")
    running: list[subprocess.Popen[bytes]] = []

    def start(app_port: int) -> int:
        port = free_port()
        location = readme_location().replace("127.0.0.1:8000", f"127.0.0.1:{app_port}")
        conf = tmp_path / "nginx.conf"
        conf.write_text(
            f"daemon off; master_process off; pid {tmp_path}/nginx.pid;\n"
            f"error_log {tmp_path}/error.log;\nevents {{}}\n"
            f"http {{ access_log off;\n"
            + "".join(
                f"  {kind}_temp_path {tmp_path}/{kind};\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + f"  server {{ listen {READER}:{port};\n{location}  }}\n}}\n",
            encoding="utf-8",
        )
        running.append(subprocess.Popen([binary, "-c", str(conf), "-p", str(tmp_path)]))
        for _ in range(100):
            try:
                with socket.create_connection((READER, port), timeout=1):
                    return port
            except OSError:
                time.sleep(0.05)
        raise AssertionError((tmp_path / "error.log").read_text())

    yield tmp_path, start
    for process in running:
        process.terminate()
        process.wait(timeout=10)


def test_the_readme_nginx_example_serves_the_page_under_search(
    index: Index, nginx: tuple[Path, Any], caplog: pytest.LogCaptureFixture
) -> None:
    _, start = nginx
    app = RequestLog(create_app(index, proxy_fix=True).wsgi_app)
    server = make_server(app, port=0, threads=2, proxy_headers=True)  # as serve --proxy-fix
    threading.Thread(target=server.run, daemon=True).start()
    with caplog.at_level(logging.INFO, logger="searcher.web"):
        port = start(server.effective_port)
        base = f"http://{READER}:{port}"
        # the reader connects from an address of its own, so the log tells it from nginx's
        reader = http.client.HTTPConnection(READER, port, timeout=10, source_address=(READER, 0))
        reader.request("GET", "/search/?q=%E5%A4%A7%E6%A1%A5")
        page = reader.getresponse().read().decode("utf-8")
        reader.close()
        assert paths(page) == [
            "/search/",
            "/search/api/suggest",
            "/search/posts/_posts/2024-05-01-bridge",
            "/search/static/search.css",
            "/search/static/search.js",
        ]
        with urllib.request.urlopen(f"{base}/search/static/search.css", timeout=10) as r:
            assert r.status == 200
        with urllib.request.urlopen(f"{base}/search/healthz", timeout=10) as r:
            assert (r.status, r.read()) == (
                200,
                b'{"status":"ok","generation":'
                + str(index.engine.generation()).encode()
                + b',"documents":1}\n',
            )
        with urllib.request.urlopen(f"{base}/search/api/search?q=%E5%A4%A7%E6%A1%A5") as r:
            assert [h["url"] for h in json.load(r)["hits"]] == [
                "/%E4%BA%A4%E9%80%9A/2024/05/01/bridge.html"
            ]
    server.close()
    # nginx set X-Forwarded-For to the reader's address (not its own, 127.0.0.1), which
    # the log shows
    assert any(m.startswith(f'{READER} "GET /?q=%E5%A4%A7%E6%A1%A5" 200') for m in caplog.messages)


def test_searcher_serve_proxy_fix(tmp_path: Path) -> None:
    import sys

    corpus = tmp_path / "site"
    for name, text in POSTS.items():
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        (corpus / name).write_text(text, encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "searcher", "index", str(corpus), "--index", str(tmp_path / "ix")],
        check=True,
        capture_output=True,
    )
    port = free_port()
    command = [sys.executable, "-m", "searcher", "serve", "--index", str(tmp_path / "ix")]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--threads", "2", "--proxy-fix"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/?q=%E5%A4%A7%E6%A1%A5")
        for name, value in FORWARDED.items():
            request.add_header(name, value)
        for _ in range(200):
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("searcher serve did not answer")
        assert "/search/posts/_posts/2024-05-01-bridge" in paths(page)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    assert '203.0.113.9 "GET /?q=%E5%A4%A7%E6%A1%A5" 200 ' in err
