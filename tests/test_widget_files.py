"""The search box's HTML and files (issue #23): ``searcher widget --url`` prints what a
site owner pastes, refuses an address that is not a server's, and ``searcher serve``
serves ``/widget.js``, ``/widget.css`` and ``/highlight.js`` with their caching headers,
under 15,000 bytes gzipped together. The box in a browser: tests/test_widget.py."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from searcher.analysis.tokenizers import CJK_CHARS, JOINER
from searcher.cli import main
from searcher.index import Index
from searcher.web import create_app
from searcher.widget import ASSETS, asset, asset_version, widget_html, widget_url
from searchutil import build, post

ROOT = Path(__file__).resolve().parents[1]
SITE = "https://news.example.org"
#: The size budget of issue #23: the three files, each gzipped, together.
GZIP_BUDGET = 15_000


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    index: Index = build(
        tmp_path_factory.mktemp("widget-files"), {"_posts/2024-01-01-a.md": post("标题", "正文。")}
    )
    return create_app(index, cors_origins=[SITE]).test_client()


def test_the_command_prints_the_html_to_paste() -> None:
    run = CliRunner().invoke(main, ["widget", "--url", "https://search.example.com"])
    assert run.exit_code == 0, run.output
    v = asset_version()
    assert re.fullmatch("[0-9a-f]{10}", v)
    assert run.output == (
        "<!-- searcher: the search box, its style and scripts (searcher widget) -->\n"
        '<div class="searcher-box" data-searcher-box></div>\n'
        f'<link rel="stylesheet" href="https://search.example.com/widget.css?v={v}">\n'
        f'<script defer src="https://search.example.com/widget.js?v={v}" '
        'data-searcher-url="https://search.example.com"></script>\n'
        f'<script defer src="https://search.example.com/highlight.js?v={v}" '
        'data-searcher-url="https://search.example.com"></script>\n'
    )


def test_a_server_under_a_path_keeps_it() -> None:
    assert widget_url("HTTP://127.0.0.1:8000/search/") == "http://127.0.0.1:8000/search"
    assert widget_url("https://[::1]:8443") == "https://[::1]:8443"
    assert 'src="https://x.example/s/widget.js?v=1"' in widget_html("https://x.example/s", "1")


@pytest.mark.parametrize(
    "url",
    [
        "search.example.com",
        "ftp://search.example.com",
        "javascript:alert(1)",
        "https://user:pw@search.example.com",
        "https://search.example.com/?q=1",
        "https://search.example.com/#top",
        "https://search.example.com:99999",
        'https://search.example.com/"><script>alert(1)</script>',
        "https:///path",
        "",
    ],
)
def test_an_address_that_is_no_server_is_a_usage_error_naming_url(url: str) -> None:
    run = CliRunner().invoke(main, ["widget", "--url", url])
    assert run.exit_code == 2
    assert "Invalid value for --url: not an http(s) address of a searcher server" in run.output
    with pytest.raises(ValueError, match="not an http"):
        widget_url(url)


def test_the_files_are_served_with_a_version_and_an_etag(client: FlaskClient) -> None:
    v = asset_version()
    kinds = {
        "widget.js": "text/javascript",
        "widget.css": "text/css",
        "highlight.js": "text/javascript",
    }
    for name in ASSETS:
        fresh = client.get(f"/{name}?v={v}", headers={"Origin": SITE})
        assert fresh.status_code == 200
        assert fresh.data == asset(name) == (ROOT / "searcher" / "static" / name).read_bytes()
        assert fresh.headers["Content-Type"] == f"{kinds[name]}; charset=utf-8"
        assert fresh.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert fresh.headers["X-Content-Type-Options"] == "nosniff"
        # loaded by <script>/<link>, not fetched: no CORS header
        assert "Access-Control-Allow-Origin" not in fresh.headers
        etag = fresh.headers["ETag"]
        assert etag == f'"{v}-{ASSETS.index(name)}"'
        for old in (f"/{name}", f"/{name}?v=0123456789"):  # unversioned, or an old paste
            assert client.get(old).headers["Cache-Control"] == "public, max-age=3600"
        again = client.get(f"/{name}", headers={"If-None-Match": etag})
        assert (again.status_code, again.data) == (304, b"")
    assert client.get("/widget.jsx").status_code == 404


def test_the_files_are_under_15000_bytes_gzipped(client: FlaskClient) -> None:
    sizes = {name: len(gzip.compress(client.get(f"/{name}").data, 9)) for name in ASSETS}
    assert sum(sizes.values()) < GZIP_BUDGET, sizes


def _js_string(name: str, constant: str) -> str:
    """The regular expression source held by ``const NAME = "…";`` in a static file, as a
    Python pattern (``\\u{…}`` written ``\\U…``)."""
    text = asset(name).decode()
    literal = re.search(rf'const {constant} =\s*("(?:[^"\\]|\\.)*");', text)
    assert literal, constant
    source = str(json.loads(literal.group(1)))
    return re.sub(r"\\u\{([0-9a-f]+)\}", lambda m: f"\\U{int(m[1], 16):08x}", source)


def test_the_highlight_script_joins_and_bounds_units_as_the_tokenizer_does() -> None:
    gap = re.compile(_js_string("highlight.js", "GAP").removesuffix("*"))
    cjk = re.compile(f"[{_js_string('highlight.js', 'CJK')}]")
    tokenizer_cjk = re.compile(f"[{CJK_CHARS}]")
    joins = {c for c in range(0x110000) if JOINER.fullmatch(chr(c))} | {0x2019}
    assert {c for c in range(0x110000) if gap.fullmatch(chr(c))} == joins
    for c in range(0x110000):
        assert bool(cjk.fullmatch(chr(c))) == bool(tokenizer_cjk.fullmatch(chr(c))), hex(c)


def test_the_readme_shows_the_commands_output() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Search box on your site", 1)[1].split("\n## ", 1)[0]
    shown = section.split("```html\n", 1)[1].split("```", 1)[0]
    assert shown == widget_html("https://search.example.com", asset_version())
