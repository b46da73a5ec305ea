"""Issue #7, the corpus side: names that are not text, special files, huge posts, YAML
alias bombs in every field, HTML deeper than libxml2 reads, and uncapped lists.

Each test is one of the issue's numbered failures, with the exact outcome expected now.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import main
from searcher.index import Index
from searcher.site import Article, SiteOptions, Skipped, read_corpus
from searcher.site.frontmatter import MAX_VALUES


def _post(title: str, body: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: 2024-05-09 10:00:00 +0800\n{extra}---\n{body}\n"


def _site(tmp_path: Path) -> Path:
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    (posts / "2024-05-09-good.md").write_text(_post("好文章", "正常的正文。"), "utf-8")
    return tmp_path / "site"


def _by_path(root: Path, options: SiteOptions | None = None) -> dict[str, Article | Skipped]:
    out: dict[str, Article | Skipped] = {}
    for item in read_corpus(root, None, options):
        if isinstance(item, Article | Skipped):
            out[item.path] = item
    return out


# 1. A non-UTF-8 file name aborted every run with a UnicodeEncodeError naming no file.


def test_1_file_and_folder_names_that_are_not_utf8_are_reported(tmp_path: Path) -> None:
    root = _site(tmp_path)
    posts = os.fsencode(root / "_posts")
    with open(posts + b"/2024-05-09-bad\xff\xfe.md", "wb") as handle:
        handle.write(_post("坏名字", "正文。").encode())
    folder = os.fsencode(root) + b"/dir\xe9"
    os.mkdir(folder)
    with open(folder + b"/page.md", "wb") as handle:
        handle.write(_post("页面", "正文。").encode())

    found = _by_path(root)
    bad = found["_posts/2024-05-09-bad\\xff\\xfe.md"]
    assert isinstance(bad, Skipped)
    assert (bad.kind, bad.reason) == (
        "bad file name",
        "file name is not valid UTF-8 (jekyll build aborts on it)",
    )
    folder_item = found["dir\\xe9"]
    assert isinstance(folder_item, Skipped)
    assert folder_item.reason == (
        "folder name is not valid UTF-8 (jekyll build aborts on it); nothing in it is read"
    )
    assert isinstance(found["_posts/2024-05-09-good.md"], Article)

    # The same under --all-files, and the whole run (check, index, search) goes on.
    all_files = _by_path(root, SiteOptions(all_files=True))
    assert all_files["_posts/2024-05-09-bad\\xff\\xfe.md"].reason == bad.reason
    runner = CliRunner()
    result = runner.invoke(main, ["index", str(root), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith(
        "added 1, updated 0, removed 0, unchanged 0, skipped 2 (bad file name 2)"
    )
    result = runner.invoke(main, ["check", str(root)])
    assert result.exit_code == 0
    assert "_posts/2024-05-09-bad\\xff\\xfe.md: skipped: file name is not valid UTF-8" in (
        result.output
    )
    assert result.output.splitlines()[-1] == (
        "posts read: 1, recovered with warnings: 0, skipped: 2 (bad file name 2), duplicates: 0"
    )


# 2. A FIFO hung the run; a link to /dev/zero read until memory ran out.


def test_2_only_regular_files_are_read_and_size_is_capped(tmp_path: Path) -> None:
    root = _site(tmp_path)
    os.mkfifo(root / "_posts" / "2024-05-09-fifo.md")
    (root / "_posts" / "2024-05-09-zero.md").symlink_to("/dev/zero")
    big = root / "_posts" / "2024-05-09-big.md"
    big.write_text(_post("大文章", "字" * 400), "utf-8")
    done: dict[str, Article | Skipped] = {}
    trusting = SiteOptions(follow_outside_links=True)  # /dev/zero is outside the site
    worker = threading.Thread(target=lambda: done.update(_by_path(root, trusting)))
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "reading a FIFO or /dev/zero hung the run"
    for name in ("fifo", "zero"):
        item = done[f"_posts/2024-05-09-{name}.md"]
        assert isinstance(item, Skipped)
        assert item.reason == "not a regular file (a broken link, a folder, a device or a pipe)"
    assert isinstance(done["_posts/2024-05-09-big.md"], Article)
    assert _by_path(root, SiteOptions())["_posts/2024-05-09-zero.md"].kind == "outside the site"

    small = _by_path(root, SiteOptions(max_post_bytes=1000, follow_outside_links=True))
    item = small["_posts/2024-05-09-big.md"]
    assert isinstance(item, Skipped)
    assert (item.kind, item.reason) == (
        "too large",
        "larger than the maximum post size (1,000 bytes; raise it with --max-post-bytes)",
    )
    assert isinstance(small["_posts/2024-05-09-good.md"], Article)
    result = CliRunner().invoke(main, ["check", str(root), "--max-post-bytes", "1000"])
    last = "skipped: 3 (outside the site 1, too large 1, unreadable 1)"
    assert last in result.output.splitlines()[-1]


# 3. YAML alias bombs were capped only as lists in tags and categories.


def _bomb(kind: str, levels: int = 30) -> list[str]:
    if kind == "map":
        lines = ["x0: &a0 {a: 1, b: 2}"]
        lines += [f"x{i}: &a{i} {{a: *a{i - 1}, b: *a{i - 1}, c: *a{i - 1}}}" for i in range(1, 30)]
    else:
        lines = ["x0: &a0 [a, b]"]
        lines += [f"x{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, levels)]
    return lines


@pytest.mark.parametrize(
    ("field", "kind"), [("title", "map"), ("date", "list"), ("permalink", "map"), ("slug", "list")]
)
def test_3_alias_bombs_are_capped_in_every_field(tmp_path: Path, field: str, kind: str) -> None:
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    lines = ["---", *_bomb(kind), f"{field}: *a29"]
    if field != "title":
        lines.append("title: 炸弹")
    lines += ["---", "炸弹正文。", ""]
    (root / "_posts" / "2024-05-09-bomb.md").write_text("\n".join(lines), "utf-8")
    started = time.perf_counter()
    (article,) = [a for a in read_corpus(root) if isinstance(a, Article)]
    assert time.perf_counter() - started < 5  # 3**29 values if expanded
    assert article.title == ("炸弹正文" if field == "title" else "炸弹")
    # Mappings of 3 pass 10,000 values at x7 (15,307), lists of 3 at x8 (22,963).
    named = "x7, x8, x9, x10 and 19 more" if kind == "map" else "x8, x9, x10, x11 and 18 more"
    assert article.warnings[0] == (
        f"_posts/2024-05-09-bomb.md:32: {field}, {named}: YAML aliases "
        "expand to more than 10,000 values; ignored"
    )
    # The date falls back to the file name's day, the URL to the site's default style.
    assert article.date is not None and article.date.date().isoformat() == "2024-05-09"
    assert article.url == "/2024/05/09/bomb.html"


def test_3_alias_bomb_in_config_defaults_is_refused(tmp_path: Path) -> None:
    root = _site(tmp_path)
    config = _bomb("list") + [
        "defaults:",
        '  - scope: {path: ""}',
        "    values: {title: *a29, tags: *a29}",
    ]
    (root / "_config.yml").write_text("\n".join(config) + "\n", "utf-8")
    items = list(read_corpus(root))
    assert items[0].message == (  # type: ignore[union-attr]
        "_config.yml: YAML aliases expand to more than 100,000 values; Jekyll's defaults used"
    )
    (article,) = [a for a in items if isinstance(a, Article)]
    assert (article.title, article.tags) == ("好文章", [])


# 6. HTML nested deeper than about 255 levels silently lost all text after that point.


@pytest.mark.parametrize("depth", [300, 3000, 100_000])
def test_6_deep_html_keeps_its_text(tmp_path: Path, depth: int) -> None:
    root = _site(tmp_path)
    body = "<div>" * depth + "深处文字<script>x()</script>" + "</div>" * depth + "<p>之后的文字</p>"
    (root / "deep.html").write_text(_post("深", body), "utf-8")
    article = _by_path(root)["deep.html"]
    assert isinstance(article, Article)
    assert article.body == "深处文字\n之后的文字"
    streamed = [w for w in article.warnings if "streaming parser" in w]
    if depth <= 2048:  # lxml's huge_tree reads up to libxml2's 2,048 levels itself
        assert streamed == []
    else:
        assert streamed == [
            "deep.html: HTML that lxml cannot read whole (Excessive depth in document: 2048); "
            "its text was read with a streaming parser instead"
        ]


def test_6_a_body_with_no_visible_text_is_reported(tmp_path: Path) -> None:
    root = _site(tmp_path)
    blank = _post("空", "<script>var a = 1;</script>\n<br>")
    (root / "_posts" / "2024-05-09-blank.html").write_text(blank, "utf-8")
    (root / "blank.html").write_text(blank, "utf-8")
    found = _by_path(root)
    article = found["_posts/2024-05-09-blank.html"]
    assert isinstance(article, Article)
    assert article.body == ""
    assert article.warnings == [
        "_posts/2024-05-09-blank.html: the body has no visible text, although the file has "
        "32 characters after the front matter (markup only?)"
    ]
    # A page with no text is a template page (issue 19): left out, with its reason.
    assert found["blank.html"] == Skipped(
        "blank.html",
        "a template page: no text of its own once Liquid is rendered (search: true in its "
        "front matter indexes it)",
        "listing page",
    )


# 9. Space-separated tags: strings were not capped (100,000 kept, the warning said 1,000).


def test_9_space_separated_tags_are_capped(tmp_path: Path) -> None:
    root = _site(tmp_path)
    tags = " ".join(f"t{i}" for i in range(100_000))
    (root / "_posts" / "2024-05-09-tags.md").write_text(
        _post("标签", "正文。", f"tags: {tags}\ncategories: {tags}\n"), "utf-8"
    )
    article = _by_path(root)["_posts/2024-05-09-tags.md"]
    assert isinstance(article, Article)
    assert article.tags == [f"t{i}" for i in range(MAX_VALUES)]
    assert len(article.categories) == MAX_VALUES
    assert article.warnings == [
        f"_posts/2024-05-09-tags.md: more than {MAX_VALUES} categories; kept the first 1000",
        f"_posts/2024-05-09-tags.md: more than {MAX_VALUES} tags; kept the first 1000",
    ]
    index = Index.create(tmp_path / "ix")
    index.update(root)
    assert len(index.search("标签").hits[0].tags) == MAX_VALUES


def test_6_deeply_nested_markdown_keeps_what_follows(tmp_path: Path) -> None:
    root = _site(tmp_path)
    items = "".join("  " * i + f"- 项目{i}\n" for i in range(12))
    quotes = "> " * 30 + "引用深处\n"
    body = f"开头\n\n{items}\n列表之后\n\n{quotes}\n最后一段。"
    (root / "_posts" / "2024-05-09-nested.md").write_text(_post("嵌套", body), "utf-8")
    article = _by_path(root)["_posts/2024-05-09-nested.md"]
    assert isinstance(article, Article)
    assert article.body.split("\n") == [
        "开头",
        *[f"项目{i}" for i in range(12)],
        "列表之后",
        "引用深处",
        "最后一段。",
    ]
    assert article.warnings == []
