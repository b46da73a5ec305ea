"""The README as a stranger runs it in a fresh clone (issue #23, "every README example
runs as written"): the command examples' comments say what the bundled corpus answers,
the nginx hardening block is valid where it is pasted (``http {}``), the systemd unit
passes ``systemd-analyze verify``, and the API's shell example is the one waitress
accepts (a raw UTF-8 request line is its ``400 Bad URI``). ``tests/test_readme.py``
runs the examples themselves."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from browserutil import served
from click.testing import CliRunner

from searcher.cli import main
from searcher.index import Index
from searcher.web import create_app
from searchutil import post, write_corpus

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced(lang: str) -> list[str]:
    """The README's fenced blocks of ``lang``, as written."""
    return re.findall(rf"```{lang}\n(.*?)```", README, re.S)


def command_line(start: str) -> str:
    """The README's Command line example starting with ``start``, comment included."""
    block = README.split("## Command line", 1)[1].split("```", 1)[0]
    lines = [line.strip() for line in block.splitlines() if line.strip().startswith(start)]
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """The bundled corpus indexed as the first command indexes it (no options)."""
    root = tmp_path_factory.mktemp("bundled")
    shutil.copytree(ROOT / "corpus", root / "corpus")
    index = Index.create(root / "index")
    index.update(root / "corpus")
    yield index
    index.close()


def test_the_near_example_finds_a_post_by_the_near_rule(bundled: Index) -> None:
    """``searcher search 香蕉与能量胶``: no post holds it as typed; the one saying
    香蕉和能量胶 is found by the near rule, and a notice says so (the example was
    中国与巴西, which the bundled corpus does not hold: "no posts match")."""
    assert "香蕉和能量胶" in command_line("searcher search 香蕉与能量胶")
    results = bundled.search("香蕉与能量胶")
    assert (results.match, results.total) == ("near", 1)
    assert [h.title for h in results.hits] == ["滨江半程马拉松鸣枪 两万名跑者沿江开跑"]
    assert [n.code for n in results.notices] == ["relaxed_near"]


def test_the_pinyin_example_finds_posts_by_pinyin(bundled: Index) -> None:
    """``searcher search feiyi``: the six posts with 非遗, each found by pinyin alone (the
    example was shanghai, which the bundled corpus does not hold in either form)."""
    assert "非遗" in command_line("searcher search feiyi")
    results = bundled.search("feiyi")
    assert (results.match, results.total) == ("exact", 6)
    assert [h.title for h in results.hits] == [
        "国庆中秋假期 非遗演出带火夜间经济",
        "古镇花灯会开幕 非遗手艺人现场授课",
        "端午龙舟赛在古运河开赛 非遗龙舟制作技艺受关注",
        "非遗工坊开进景区 游客可体验蓝染扎染",
        "年货大集开市 非遗糖画摊前排长队",
        "国庆假期文旅消费火热 古城接待游客创新高",  # 非遗 in its body
    ]
    assert all(h.matched_by == ["pinyin"] for h in results.hits)
    assert [n.code for n in results.notices] == ["pinyin_used"]
    assert bundled.search("shanghai").total == 0


def test_the_completion_examples_complete_on_the_bundled_corpus(bundled: Index) -> None:
    """``index.suggest("智慧")`` and ``index.suggest("zhc")``, and the CLI's first line
    for 智慧, as the README gives them (王建 and wjg are a test fixture's, not the
    corpus's: they completed to nothing)."""
    assert '`index.suggest("智慧")`, `index.suggest("zhc")`' in README
    assert "`智慧城市\ttag\tliteral\t12`, the first for `智慧`" in README
    first = bundled.suggest("智慧")[0]
    assert (first.text, first.kind, first.aid, first.posts) == ("智慧城市", "tag", "literal", 12)
    assert bundled.suggest("zhc")[0].text == "智慧城市"
    assert bundled.suggest("王建") == [] and bundled.suggest("wjg") == []


def test_the_nginx_hardening_block_is_valid_in_http(tmp_path: Path) -> None:
    """The first nginx block, pasted whole into ``http {}`` with a certificate of ours
    at its placeholder paths, passes ``nginx -t`` (its zones stood inside ``server``,
    where nginx refuses them: ``"limit_conn_zone" directive is not allowed here``)."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    openssl = shutil.which("openssl")
    if nginx is None or openssl is None:
        pytest.skip("needs nginx and openssl (apt-get install nginx openssl)")
    block = next(b for b in fenced("nginx") if "limit_req_zone" in b)
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=news.example.com", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    pasted = (
        block.replace("/etc/ssl/news.pem", str(cert))
        .replace("/etc/ssl/news.key", str(key))
        .replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off;\n{pasted}}}\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "test is successful" in run.stderr


def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    """The unit, its /srv/news-search put where a searcher is installed, passes
    ``systemd-analyze verify`` with nothing to say."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("no systemd-analyze (apt-get install systemd)")
    (unit,) = fenced("ini")
    home = tmp_path / "news-search"
    program = home / ".venv" / "bin" / "searcher"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    path = tmp_path / "searcher.service"
    path.write_text(unit.replace("/srv/news-search", str(home)), encoding="utf-8")
    run = subprocess.run([analyze, "verify", str(path)], capture_output=True, text=True)
    assert (run.returncode, run.stderr) == (0, "")


def request_line(base: str, target: bytes) -> bytes:
    """The status line and body waitress answers ``GET target``, sent as raw bytes."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


def test_the_api_shell_example_is_percent_encoded(bundled: Index) -> None:
    """The README's ``curl -G --data-urlencode q=智慧城市`` sends the query
    percent-encoded, which waitress (``searcher serve``) accepts; ``curl '…?q=智慧城市'``
    sends raw UTF-8 bytes, refused by waitress before the app with a plain ``400 Bad
    URI``, as the README warns."""
    assert "curl -G --data-urlencode q=智慧城市\nhttp://127.0.0.1:8000/api/search" in README
    with served(create_app(bundled)) as base:
        raw = request_line(base, "/api/search?q=智慧城市".encode())
        encoded = request_line(base, f"/api/search?q={quote('智慧城市')}".encode())
    assert raw.startswith(b"HTTP/1.1 400 Bad Request") and b"Bad URI" in raw
    assert encoded.startswith(b"HTTP/1.1 200 OK")
    assert b'"total":12' in encoded


def test_a_built_site_is_one_line_of_searcher_index(tmp_path: Path) -> None:
    """After ``jekyll build`` (the hook example), ``searcher index`` names Jekyll's
    output folder once, with its count of built pages, rather than one line for each
    (48 lines on the bundled corpus, each relayed into the build's log by the hook)."""
    files = {
        f"_posts/2024-05-0{n}-p{n}.md": post(f"第{n}篇", "正文。", f"2024-05-0{n}")
        for n in (1, 2, 3)
    }
    corpus = write_corpus(tmp_path, {"_config.yml": "url: https://news.example.com\n", **files})
    for n in (1, 2, 3):  # what jekyll build writes for them, and its home page
        page = corpus / "_site" / "2024" / "05" / f"0{n}" / f"p{n}.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<html><body>第{n}篇</body></html>", encoding="utf-8")
    (corpus / "_site" / "index.html").write_text("<html></html>", encoding="utf-8")
    result = CliRunner().invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "_site: skipped: Jekyll's output folder (4 built pages in it), not read"
    ]
    assert result.stdout.startswith(
        "added 3, updated 0, removed 0, unchanged 0, skipped 1 (special name 1), duplicates 0"
    )
