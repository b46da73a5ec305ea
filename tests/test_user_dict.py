"""``searcher index --dict FILE``: a user dictionary in jieba's format (issue #8)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.analysis import UserWord, read_user_dict
from searcher.cli import main
from searcher.index import Index
from searchutil import ids, post, write_corpus

POSTS = {
    "_posts/2024-03-01-a.md": post("甲", "新剧由张三丰田创作，今晚开播。"),
    "_posts/2024-03-01-b.md": post("乙", "张三丰在田间劳作，收获颇丰。"),
}


def test_read_user_dict_lines_and_warnings() -> None:
    text = (
        "\ufeff张三丰田 10 nr\n"
        "江河之上\n"
        "\n"
        "# a comment\n"
        "臺積電 5\n"
        "词 nz\n"
        "坏行 abc 12\n"
        "太多 1 n x\n"
        "江河之上 3\n"
    )
    words, warnings = read_user_dict(text, "names.txt")
    assert words == (
        UserWord("张三丰田", 10, "nr"),
        UserWord("江河之上", 3, None),  # the later line wins
        UserWord("台积电", 5, None),  # folded like the text it must match
        UserWord("词", None, "nz"),
    )
    assert warnings == [
        "names.txt:7: ignored: not 'word [freq] [tag]': '坏行 abc 12'",
        "names.txt:8: ignored: not 'word [freq] [tag]': '太多 1 n x'",
    ]


@pytest.mark.parametrize("segmenter", ["rjieba", "jieba"])
@pytest.mark.engine("whoosh")  # reads the Whoosh segments or files
def test_dictionary_is_used_for_documents_and_queries(tmp_path: Path, segmenter: str) -> None:
    corpus = write_corpus(tmp_path, POSTS)
    plain = tmp_path / "plain"
    Index.build(plain, corpus, segmenter=segmenter)
    with Index.open(plain) as index:
        # without the name, 张三丰田 is 张三丰 + 田: b holds the parts apart, which only
        # the looser results count (issue #20: the run as typed is the query)
        assert ids(index, "张三丰田") == ["_posts/2024-03-01-a"]
        loose = ids(index, "张三丰田", match="loose")
        assert loose == ["_posts/2024-03-01-a", "_posts/2024-03-01-b"]
        assert index.user_words == ()
    names = tmp_path / "names.txt"
    names.write_text("张三丰田 10 nr\n", encoding="utf-8")
    with_dict = tmp_path / "with-dict"
    report = Index.build(with_dict, corpus, segmenter=segmenter, user_dict=names)
    assert report.added == 2
    with Index.open(with_dict) as index:
        assert index.user_words == (UserWord("张三丰田", 10, "nr"),)
        assert "张三丰田" in index.word_segmenter.cut("新剧由张三丰田创作")
        analyzer = index.engine._ix.schema["body"].analyzer  # the documents' analysis
        assert "张三丰田" in [t.text for t in analyzer("新剧由张三丰田创作")]
        assert ids(index, "张三丰田") == ["_posts/2024-03-01-a"]
        assert index.meta["user_dictionary"]["words"] == 1
        assert index.meta["user_dictionary"]["source"] == str(names)


def test_changing_the_dictionary_re_segments_and_omitting_it_keeps_it(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, POSTS)
    folder = tmp_path / "index"
    names = tmp_path / "names.txt"
    names.write_text("张三丰田\n", encoding="utf-8")
    assert Index.build(folder, corpus, user_dict=names).added == 2
    again = Index.build(folder, corpus)  # no --dict: the index keeps its own
    assert (again.added, again.unchanged) == (0, 2)
    same = Index.build(folder, corpus, user_dict=names)
    assert (same.added, same.unchanged) == (0, 2)
    names.write_text("张三丰田\n田间劳作\n", encoding="utf-8")
    changed = Index.build(folder, corpus, user_dict=names)
    assert (changed.added, changed.unchanged) == (2, 0)  # every post re-segmented
    with Index.open(folder) as index:
        assert [w.word for w in index.user_words] == ["张三丰田", "田间劳作"]
        assert "田间劳作" in index.word_segmenter.cut("张三丰在田间劳作")
    removed = Index.build(folder, corpus, user_dict="")
    assert removed.added == 2
    with Index.open(folder) as index:
        assert index.user_words == ()
        assert index.meta["user_dictionary"] is None


def test_dictionary_travels_with_the_index_to_another_process(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, POSTS)
    names = tmp_path / "names.txt"
    names.write_text("张三丰田\n", encoding="utf-8")
    Index.build(tmp_path / "index", corpus, user_dict=names)
    names.unlink()  # stored in the index, not read again
    code = (
        "from searcher.index import Index\n"
        f"ix = Index.open({str(tmp_path / 'index')!r})\n"
        "print([h.id for h in ix.search('张三丰田').hits])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['_posts/2024-03-01-a']"


def test_cli_dict_warns_with_the_line_and_reports_a_missing_file(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, POSTS)
    names = tmp_path / "names.txt"
    names.write_text("张三丰田\nbad 1 2 3\n", encoding="utf-8")
    runner = CliRunner()
    index = str(tmp_path / "index")
    out = runner.invoke(main, ["index", str(corpus), "--index", index, "--dict", str(names)])
    assert out.exit_code == 0, out.output
    assert f"{names}:2: ignored: not 'word [freq] [tag]': 'bad 1 2 3'" in out.output
    assert "added 2" in out.output
    missing = runner.invoke(
        main, ["index", str(corpus), "--index", index, "--dict", str(tmp_path / "nope.txt")]
    )
    assert missing.exit_code == 2
    assert f"--dict: cannot read {tmp_path / 'nope.txt'}" in missing.output
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9\n".encode("latin-1"))
    bad = runner.invoke(main, ["index", str(corpus), "--index", index, "--dict", str(latin1)])
    assert bad.exit_code == 2 and "--dict: cannot read" in bad.output
    with Index.open(index) as ix:  # the failed runs changed nothing
        assert ids(ix, "张三丰田") == ["_posts/2024-03-01-a"]


def test_a_format_rebuild_keeps_the_dictionary_and_search_uses_the_recorded_site(
    tmp_path: Path,
) -> None:
    import json

    corpus = write_corpus(tmp_path, POSTS)
    names = tmp_path / "names.txt"
    names.write_text("张三丰田\n", encoding="utf-8")
    folder = tmp_path / "index"
    Index.build(folder, corpus, user_dict=names)
    meta_file = folder / "searcher.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["folding"] = "another table"
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "searcher", "search", "张三丰田", "--index", str(folder)],
        capture_output=True,
        text=True,
        cwd=elsewhere,  # no ./corpus here: the index's own site is used
    )
    assert run.returncode == 0, run.stderr
    assert f"rebuilding the index from {corpus.resolve()} first:" in run.stderr
    assert run.stderr.count("another table") == 1  # the reason once (the build's report)
    with Index.open(folder) as index:
        assert index.user_words == (UserWord("张三丰田"),)  # kept through the rebuild
        assert ids(index, "张三丰田") == ["_posts/2024-03-01-a"]
        assert index.meta["corpus"] == str(corpus.resolve())


#: What an index of format 5 (before issue #18) pickled in place of today's classes.
_FORMAT_5_PATHS = [
    ("searcher.engine.whoosh.analyzers", "searcher.analysis.tokenizers", "UnitTokenizer"),
    ("searcher.engine.whoosh.analyzers", "searcher.analysis.tokenizers", "WordTokenizer"),
    ("searcher.engine.whoosh.analyzers", "searcher.analysis.filters", "FoldFilter"),
    ("searcher.engine.whoosh.analyzers", "searcher.analysis.filters", "StopFilter"),
    ("searcher.engine.whoosh.analyzers", "searcher.analysis.ngrams", "BigramFilter"),
    ("searcher.engine.whoosh.codec", "searcher.codec", "CompactPositions"),
]


def _as_format_5(folder: Path) -> None:
    """Turn the index in ``folder`` into what format 5 wrote: its table of contents'
    schema pickled with the class paths of then (Whoosh pickles with protocol 2, which
    names a class in a text ``GLOBAL`` opcode), ``"format": 5`` in its description."""
    import io
    import json

    from whoosh.filedb.structfile import StructFile

    (toc,) = folder.glob("_MAIN_*.toc")
    old = StructFile(io.BytesIO(toc.read_bytes()))
    new = StructFile(io.BytesIO())
    for _ in range(3):
        new.write_varint(old.read_varint())
    for _ in range(2):
        new.write_int(old.read_int())
    for _ in range(3):
        new.write_varint(old.read_varint())
    schema = old.read_string()
    for now, then, name in _FORMAT_5_PATHS:
        global_now = f"c{now}\n{name}\n".encode()
        assert schema.count(global_now) == 1, name
        schema = schema.replace(global_now, f"c{then}\n{name}\n".encode())
    new.write_string(schema)
    new.write(old.read())
    toc.write_bytes(new.file.getvalue())
    meta = json.loads((folder / "searcher.json").read_text(encoding="utf-8"))
    meta["format"] = 5
    (folder / "searcher.json").write_text(json.dumps(meta), encoding="utf-8")


@pytest.mark.engine("whoosh")  # format 5 was a Whoosh index
def test_a_rebuild_from_format_5_keeps_the_dictionary(tmp_path: Path) -> None:
    # Format 5 pickled the analyzers' stages by their paths in searcher.analysis (and the
    # positions format as searcher.codec); the rebuild reads its words through
    # searcher.engine.whoosh.legacy, which maps those paths to today's classes.
    from searcher.engine.whoosh import WhooshEngine, analyzers
    from searcher.engine.whoosh.legacy import read_schema
    from searcher.errors import IndexFormatError

    corpus = write_corpus(tmp_path, POSTS)
    names = tmp_path / "names.txt"
    names.write_text("张三丰田 10 nr\n江河之上\n", encoding="utf-8")
    folder = tmp_path / "index"
    Index.build(folder, corpus, user_dict=names)
    _as_format_5(folder)
    with pytest.raises(IndexFormatError):
        Index.open(folder)
    schema = read_schema(folder)
    assert type(schema["body"].analyzer.items[0]) is analyzers.WordTokenizer
    assert [type(s) for s in schema["body_2"].analyzer.items] == [
        analyzers.UnitTokenizer,
        analyzers.FoldFilter,
        analyzers.BigramFilter,
    ]
    words = (UserWord("张三丰田", 10, "nr"), UserWord("江河之上"))
    assert WhooshEngine.old_user_words(folder) == words
    report = Index.build(folder, corpus)  # what `searcher index` does: a rebuild
    assert any("index format 5 is not" in m for m in report.messages)
    with Index.open(folder) as index:
        assert index.user_words == words
        assert ids(index, "张三丰田") == ["_posts/2024-03-01-a"]


def test_rjieba_without_user_words_shares_the_modules_instance() -> None:
    # issue #9: a second rjieba.Jieba() costs 0.1 s and 24 MiB at every start
    import rjieba

    from searcher.analysis.segmenters import RjiebaSegmenter, UserWord

    assert RjiebaSegmenter()._jieba is rjieba._DEFAULT_JIEBA
    own = RjiebaSegmenter([UserWord("量子芯片", 100, "n")])
    assert own._jieba is not rjieba._DEFAULT_JIEBA
    assert own.cut("量子芯片研发")[0] == "量子芯片"
    assert RjiebaSegmenter().cut("量子芯片研发")[0] != "量子芯片"  # the shared one is unchanged
