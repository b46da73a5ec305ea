"""Tests for ``searcher check CORPUS``: listing, summary line, exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import main
from searcher.site.walk import NO_URL_NOTICE
from searchutil import SHARED_CORPUS

FINEWS = SHARED_CORPUS / "finews"


def write(folder: Path, name: str, text: str | bytes) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    write(tmp_path, "README.md", "# 样例站点\n")
    write(
        tmp_path,
        "_posts/2022-03-01-rate.md",
        "---\ntitle: 央行: 下调存款准备金率\n---\n央行宣布降准。\n",
    )
    write(tmp_path, "_posts/2022-03-02-ok.md", "---\ntitle: 正常\n---\n正文。\n")
    write(tmp_path, "_posts/2022-03-03-bad.md", b"---\ntitle: \x81\x20\xff\n---\n")
    write(tmp_path, "_posts/archive/2022-03-02-ok.md", "---\ntitle: 正常\n---\n正文。\n")
    write(tmp_path, "_config.yml", "title: 样例\n")
    return tmp_path


def test_check_lists_problems_and_ends_with_summary(corpus: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(corpus)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "README.md: skipped: no front matter (first line is not ---): "
        "Jekyll copies it as a static file"
    )
    assert lines[1].startswith("_posts/2022-03-01-rate.md:2: front matter is not valid YAML (")
    assert lines[1].endswith("); recovered title by line")
    assert lines[2] == (
        "_posts/2022-03-03-bad.md: skipped: not UTF-8 text (byte 0x81 at offset 11) "
        "and not GB18030 either: cannot decode"
    )
    assert lines[3] == (
        "_posts/archive/2022-03-02-ok.md: duplicate of _posts/2022-03-02-ok.md "
        "(same URL), not indexed"
    )
    assert lines[4:] == [
        "posts read: 2, recovered with warnings: 1, "
        "skipped: 2 (not a document 1, unreadable 1), duplicates: 1"
    ]
    assert result.stderr == NO_URL_NOTICE + "\n"  # its _config.yml has no url


def test_check_time_zone_option(corpus: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(corpus), "--timezone", "UTC"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == (
        "posts read: 2, recovered with warnings: 1, "
        "skipped: 2 (not a document 1, unreadable 1), duplicates: 1"
    )


def test_check_unknown_time_zone_is_a_usage_error(corpus: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(corpus), "--timezone", "Mars/Olympus"])
    assert result.exit_code == 2
    assert "unknown time zone 'Mars/Olympus'" in result.stderr
    assert "Traceback" not in result.output


def test_check_missing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = CliRunner().invoke(main, ["check", str(missing)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"error: corpus folder not found: {missing}\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_check_path_that_is_a_file(tmp_path: Path) -> None:
    write(tmp_path, "post.md", "---\ntitle: x\n---\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "post.md")])
    assert result.exit_code == 2
    assert result.stderr == f"error: corpus path is not a folder: {tmp_path / 'post.md'}\n"


def test_check_empty_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stdout == "posts read: 0, recovered with warnings: 0, skipped: 0, duplicates: 0\n"


@pytest.mark.skipif(not FINEWS.is_dir(), reason=f"shared finews corpus not found at {FINEWS}")
def test_check_finews() -> None:
    result = CliRunner().invoke(main, ["check", str(FINEWS)])
    assert result.exit_code == 0
    # Jekyll publishes 73 of the 74 posts (C12): -202205262391921712.md has no date in
    # its name. With --all-files it is indexed as before, dated from the id in its name.
    assert result.stdout.splitlines() == [
        "README.md: skipped: no front matter (first line is not ---): "
        "Jekyll copies it as a static file",
        "_posts/-202205262391921712.md: skipped: not a valid post name "
        "(Jekyll needs YYYY-MM-DD-title.ext)",
        "posts read: 73, recovered with warnings: 0, "
        "skipped: 2 (not a document 1, not a valid post name 1), duplicates: 0",
    ]
    every = CliRunner().invoke(main, ["check", str(FINEWS), "--all-files"])
    assert every.stdout.splitlines() == [
        "README.md: skipped: no front matter (first line is not ---): "
        "Jekyll copies it as a static file",
        "_posts/-202205262391921712.md:3: empty title; used the first sentence of the body: "
        "'据霍尼韦尔官网消息，5月24日，霍尼韦尔宣布为蔚来旗下ET7新能源汽车提供HFO-1234yf(四氟丙烯)制冷剂'",
        "_posts/-202205262391921712.md:4: date '+0800' has an offset but no day; "
        "dated 2022-05-26 from the id in the file name",
        "_posts/-202205262391921712.md: Jekyll would not publish it (not a valid post name "
        "(Jekyll needs YYYY-MM-DD-title.ext)); indexed (--all-files)",
        "posts read: 74, recovered with warnings: 1, skipped: 1 (not a document 1), duplicates: 0",
    ]


def test_check_json_lists_every_left_out_file_with_its_reason(tmp_path: Path) -> None:
    write(tmp_path, "_config.yml", "exclude: [old]\n")
    write(tmp_path, "_posts/2022-03-01-a.md", "---\ntitle: 甲\n---\n正文。\n")
    write(tmp_path, "_drafts/b.md", "---\ntitle: 草稿\n---\n正文。\n")
    write(tmp_path, "old/c.md", "---\ntitle: 旧\n---\n正文。\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["documents"], data["types"]) == (1, {"post": 1})
    assert data["left_out"] == {"draft": 1, "excluded by _config.yml": 1}
    assert data["skipped"] == [
        {"path": "_drafts/b.md", "kind": "draft",
         "reason": "a draft (in _drafts/; use --drafts to index it)"},
        {"path": "old/c.md", "kind": "excluded by _config.yml",
         "reason": "excluded by _config.yml (exclude: matches old/)"},
    ]  # fmt: skip
    drafts = CliRunner().invoke(main, ["check", str(tmp_path), "--json", "--drafts"])
    assert json.loads(drafts.stdout)["documents"] == 2
