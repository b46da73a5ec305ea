"""The README's examples run as written: its Python blocks, and its search command."""

from __future__ import annotations

import doctest
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture()
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding a copy of the bundled corpus, as a fresh clone has."""
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEARCHER_INDEX", raising=False)
    monkeypatch.delenv("SEARCHER_CORPUS", raising=False)
    return tmp_path


def test_python_examples_run(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "智慧城市" in out
    assert (site / "index" / "searcher.json").is_file()


def test_first_command_builds_then_answers(site: Path) -> None:
    first = README.splitlines()[4].strip()
    assert first.endswith("searcher search 智慧城市")
    cli = [sys.executable, "-m", "searcher", "search", "智慧城市", "--json"]
    run = subprocess.run(cli, capture_output=True, text=True, check=True)
    assert "building it from corpus first" in run.stderr
    assert '"total": 12' in run.stdout
    again = subprocess.run(cli, capture_output=True, text=True, check=True)
    assert again.stderr == ""
    assert again.stdout == run.stdout


def test_command_line_examples_run(site: Path) -> None:
    block = README.split("## Command line", 1)[1].split("```", 1)[0]
    commands = [
        line.split("#", 1)[0].strip()
        for line in block.splitlines()
        if line.strip().startswith("searcher ")
        and "../shared" not in line
        # a watch never ends: tests/test_watch.py runs `searcher index --watch`
        and "--watch" not in line
    ]
    assert len(commands) >= 8
    for command in commands:
        args = shlex.split(command)[1:]
        run = subprocess.run(
            [sys.executable, "-m", "searcher", *args], capture_output=True, text=True
        )
        assert run.returncode == 0, (command, run.stderr)
        assert "Traceback" not in run.stderr


def _json_example() -> dict[str, object]:
    """The README's JSON example, its one elision (``, …`` after the first hit) removed."""
    block = README.split("```json\n", 1)[1].split("```", 1)[0]
    parsed: dict[str, object] = json.loads(re.sub(r",\s*…\]", "]", block))
    return parsed


def test_json_example_is_the_output(site: Path) -> None:
    """The JSON shown for ``searcher search 智慧城市 --json`` is what it prints: every
    key, the first hit whole and the facets, only the score left to the ranking."""
    shown = _json_example()
    cli = [sys.executable, "-m", "searcher", "search", "智慧城市", "--json"]
    out = json.loads(subprocess.run(cli, capture_output=True, text=True, check=True).stdout)
    assert list(shown) == list(out)
    shown_hits, out_hits = shown.pop("hits"), out.pop("hits")
    assert isinstance(shown_hits, list) and len(shown_hits) == 1
    assert len(out_hits) == 10
    first = dict(out_hits[0])
    assert isinstance(first.pop("score"), float)
    expected = dict(shown_hits[0])
    expected.pop("score")
    assert first == expected
    assert shown == out


def test_examples_needing_the_shared_corpus_say_so() -> None:
    """A stranger's clone has no ``../shared``: every example using it says so."""
    lines = [line for line in README.splitlines() if "../shared/corpus" in line]
    assert lines
    for line in lines:
        assert "needs ../shared" in line, line


def test_session_examples_run(site: Path) -> None:
    """The README's ``pycon`` sessions print what they show (doctest), on an index built
    from the bundled corpus as its first command builds it."""
    subprocess.run([sys.executable, "-m", "searcher", "index"], capture_output=True, check=True)
    blocks = re.findall(r"```pycon\n(.*?)```", README, re.S)
    assert blocks
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for n, block in enumerate(blocks):
        runner.run(parser.get_doctest(block, {}, f"README pycon {n}", "README.md", 0))
    failed, tried = runner.summarize(verbose=False)
    assert tried >= 6
    assert failed == 0
