"""Real Jekyll sites: what ``jekyll build`` publishes vs what searcher reads (issue 19).

Usage (from a checkout's root; ``PYTHONPATH`` chooses the searcher that is measured)::

    PYTHONPATH=. python bench/jekyll_text.py --sites ../sites/huxpro ../sites/mzlogin \\
        --config mzlogin=../sites/mzlogin-build/_config.yml \\
        --examples 3 --json /tmp/figures.json

For each site folder, a copy is made under ``--work`` (default ``/tmp/jekyll-text``; hard
links where the file system allows, so the site itself is never written to), its
``_config.yml`` replaced by the ``--config NAME=FILE`` override when one is given (NAME is
the site folder's name), and the copy is built by ``jekyll build`` (4.3.1) with the oracle
plugin of ``tests/jekyll_oracle.py`` plus a small plugin of this script recording, per
document, whether Jekyll writes it, its source extension's kind and its
``url | absolute_url``. ``--reuse`` keeps a copy and build made by an earlier run (the
build does not depend on the searcher measured). Jekyll runs with ``TZ`` set to
``--tz`` (default Asia/Shanghai, searcher's default site time zone), so that a site whose
config names no ``timezone`` is dated alike by both.

Then searcher reads the same copy (``searcher.site.read_corpus`` with default
``SiteOptions``, as ``searcher index`` does) and, when the checkout's ``SiteOptions``
has a ``rendered`` field, a second time with ``rendered=<Jekyll's output folder>``
(and ``content_selector`` from ``--selector NAME=CSS``, when given for the site).

Compared, per site and pass (one Markdown table row each): documents Jekyll publishes
(written Markdown and HTML documents with a source file: posts, pages, collection
documents with output; not pages a plugin generates) /
documents searcher indexes; documents in both (same source path); of those, same URL
(searcher's ``Article.url`` equal to Jekyll's ``url | absolute_url``) and, for posts,
same date (``Article.date.isoformat()`` equal to ``date | date_to_xmlschema``); then the
text of each document in both, searcher's ``Article.body`` against Jekyll's
``content | strip_html``: documents with markup Jekyll's text lacks
(``jekyll_oracle.markup_left`` non-empty, white space runs taken as one space),
documents missing more than 10% of Jekyll's CJK characters (``cjk_missing > 0.1``)
and, the other way round, documents whose CJK characters are more than 10% absent from
Jekyll's text (text searcher indexes that the reader never sees: Liquid, comments,
template code).

``--examples N`` prints, per pass, the N worst documents of each kind with a short
excerpt of the difference. ``--json OUT`` writes every figure and every path behind it
(documents only one side has, with searcher's reason; URL and date mismatches; markup
and CJK shares per document). Exit status 1 when a site cannot be built or read.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import difflib
import html
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import jekyll_oracle  # noqa: E402

import searcher  # noqa: E402
from searcher.site import Article, Duplicate, SiteOptions, Skipped, read_corpus  # noqa: E402

#: Written beside the oracle plugin in the copy: per document, Jekyll's own view of
#: whether it is written (``Document#write?``: a collection with output, published),
#: whether its source is Markdown (``markdown_ext``) or HTML, and ``url | absolute_url``
#: (of the first page made from a source: the oracle keeps the last, page N of a
#: paginated index, whose text is also a listing).
BENCH_PLUGIN = """\
require "json"

module SearcherBench
  DOCS = {}
end

Jekyll::Hooks.register [:documents, :pages], :post_convert do |doc|
  seen = SearcherBench::DOCS[doc.relative_path]
  if seen  # jekyll-paginate's pages 2, 3... share the source path of the first
    seen["copies"] += 1
    next
  end
  site = doc.site
  ext = doc.extname.to_s.downcase
  markdown = site.config["markdown_ext"].to_s.split(",").map { |e| ".#{e.strip.downcase}" }
  kind = if markdown.include?(ext) then "markdown"
         elsif %w(.html .htm .xhtml).include?(ext) then "html"
         else "other" end
  absolute = Liquid::Template.parse("{{ u | absolute_url }}")
                             .render!({ "u" => doc.url }, registers: { site: site })
  SearcherBench::DOCS[doc.relative_path] = {
    "write" => doc.respond_to?(:write?) ? doc.write? : true,
    "kind" => kind,
    "absolute_url" => absolute,
    "copies" => 1,
  }
end

Jekyll::Hooks.register :site, :post_write do |site|
  File.write(File.join(site.dest, "searcher-bench.json"), JSON.pretty_generate(SearcherBench::DOCS))
end
"""

BENCH_FILE = "searcher-bench.json"
CJK_SHARE = 0.1


@dataclass
class Built:
    """A site as Jekyll built it: the copy read by both, the output folder, the
    documents Jekyll publishes (``{source path: OracleDoc}``) and their absolute URLs."""

    copy: Path
    dest: Path
    docs: dict[str, jekyll_oracle.OracleDoc]
    absolute: dict[str, str]
    seconds: float


@dataclass
class Figures:
    """One pass of searcher over one site, compared with Jekyll (counts are documents)."""

    site: str
    run: str
    jekyll: int = 0
    searcher: int = 0
    same_path: int = 0
    same_url: int = 0
    posts: int = 0
    same_date: int = 0
    markup: int = 0
    cjk_missing: int = 0
    cjk_extra: int = 0
    read_seconds: float = 0.0
    only_jekyll: dict[str, str] = field(default_factory=dict)
    only_searcher: dict[str, str] = field(default_factory=dict)
    url_mismatch: dict[str, list[str | None]] = field(default_factory=dict)
    date_mismatch: dict[str, list[str | None]] = field(default_factory=dict)
    markup_docs: dict[str, list[str]] = field(default_factory=dict)
    cjk_missing_docs: dict[str, float] = field(default_factory=dict)
    cjk_extra_docs: dict[str, float] = field(default_factory=dict)
    warnings: int = 0

    def row(self) -> str:
        """The Markdown table row (columns of :data:`HEADER`)."""
        return (
            f"| {self.site} | {self.run} | {self.jekyll} / {self.searcher} | {self.same_path} "
            f"| {self.same_url} / {self.same_path} | {self.same_date} / {self.posts} "
            f"| {self.markup} | {self.cjk_missing} | {self.cjk_extra} |"
        )


HEADER = (
    "| site | searcher | documents Jekyll / searcher | same path | same URL | same date (posts) "
    "| markup left | CJK missing >10% | CJK extra >10% |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


class BuildError(Exception):
    """``jekyll build`` failed; the message is its standard error."""


def build(
    site: Path, work: Path, config: Path | None, tz: str, reuse: bool, timeout: float = 3600
) -> Built:
    """Copy ``site`` to ``work/NAME/src`` (``config`` as its ``_config.yml``), build it to
    ``work/NAME/site`` with Jekyll, the oracle plugin (``jekyll_oracle.PLUGIN``) and
    :data:`BENCH_PLUGIN`, at most ``timeout`` seconds. Raises :class:`BuildError` (with
    Jekyll's standard error) when the build fails, ``subprocess.TimeoutExpired``."""
    copy, dest = work / site.name / "src", work / site.name / "site"
    started = time.perf_counter()
    if not (reuse and (dest / BENCH_FILE).is_file()):
        shutil.rmtree(work / site.name, ignore_errors=True)
        shutil.copytree(
            site,
            copy,
            symlinks=True,
            copy_function=_link_or_copy,
            ignore=shutil.ignore_patterns(".git", ".jekyll-cache", "_site"),
        )
        if config is not None:
            (copy / "_config.yml").unlink(missing_ok=True)  # a hard link: never write through
            shutil.copyfile(config, copy / "_config.yml")
        (copy / "_plugins").mkdir(exist_ok=True)
        (copy / "_plugins" / "searcher_bench.rb").write_text(BENCH_PLUGIN, encoding="utf-8")
        (copy / "_plugins" / "searcher_oracle.rb").write_text(
            jekyll_oracle.PLUGIN, encoding="utf-8"
        )
        # Run in the site, as its author does: a plugins_dir other than the default is
        # relative to the working folder, not to the source (Jekyll's PluginManager);
        # the site's Gemfile is not used (Debian's gems, not the versions it locks).
        run = subprocess.run(
            [str(jekyll_oracle.JEKYLL or "jekyll"), "build", "--quiet", "-s", str(copy)]
            + ["-d", str(dest)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "TZ": tz, "JEKYLL_NO_BUNDLER_REQUIRE": "true"},
            cwd=copy,
        )
        if run.returncode != 0 or not (dest / jekyll_oracle.ORACLE_FILE).is_file():
            said = (run.stderr.strip() or run.stdout.strip())[:3000]
            raise BuildError(f"jekyll exited with {run.returncode}, no oracle file: {said}")
    seconds = time.perf_counter() - started
    raw = json.loads((dest / jekyll_oracle.ORACLE_FILE).read_text(encoding="utf-8"))
    bench = json.loads((dest / BENCH_FILE).read_text(encoding="utf-8"))
    docs, absolute = {}, {}
    for path, fields in raw.items():
        extra = bench.get(path, {})
        generated = not (copy / path).is_file()  # a plugin's page (no source file)
        if extra.get("write") and extra.get("kind") in ("markdown", "html") and not generated:
            docs[path] = jekyll_oracle.OracleDoc(path=path, **fields)
            absolute[path] = extra["absolute_url"]
    return Built(copy, dest, docs, absolute, seconds)


def _squeeze(text: str) -> str:
    """White space runs as one space: a tag split over lines in a code block is the same
    markup in both texts (``strip_html`` keeps the source's line breaks and indentation).
    """
    return " ".join(text.split())


def _reason(item: Skipped | Duplicate | None) -> str:
    if isinstance(item, Skipped):
        return f"skipped: {item.kind or item.reason}"
    if isinstance(item, Duplicate):
        return f"duplicate of {item.kept} ({item.reason})"
    return "not seen"


def compare(
    name: str, run: str, built: Built, options: SiteOptions
) -> tuple[Figures, dict[str, Article]]:
    """Read ``built.copy`` with searcher under ``options`` and compare with Jekyll;
    the figures and searcher's articles by source path."""
    started = time.perf_counter()
    items = list(read_corpus(built.copy, None, options))
    figures = Figures(name, run, read_seconds=round(time.perf_counter() - started, 1))
    articles = {i.path: i for i in items if isinstance(i, Article)}
    others = {i.path: i for i in items if isinstance(i, (Skipped, Duplicate))}
    figures.jekyll, figures.searcher = len(built.docs), len(articles)
    figures.warnings = sum(len(a.warnings) for a in articles.values())
    for path in sorted(built.docs.keys() - articles.keys()):
        figures.only_jekyll[path] = _reason(others.get(path))
    for path in sorted(articles.keys() - built.docs.keys()):
        figures.only_searcher[path] = articles[path].url or ""
    for path in sorted(built.docs.keys() & articles.keys()):
        doc, article = built.docs[path], articles[path]
        figures.same_path += 1
        if article.url == built.absolute[path]:
            figures.same_url += 1
        else:
            figures.url_mismatch[path] = [built.absolute[path], article.url]
        if path.startswith("_posts/") or "/_posts/" in path:
            figures.posts += 1
            mine = article.date.isoformat() if article.date else None
            if mine == doc.date:
                figures.same_date += 1
            else:
                figures.date_mismatch[path] = [doc.date, mine]
        left = jekyll_oracle.markup_left(_squeeze(article.body), _squeeze(doc.text))
        if left:
            figures.markup += 1
            figures.markup_docs[path] = left
        missing = jekyll_oracle.cjk_missing(article.body, doc.text)
        if missing > CJK_SHARE:
            figures.cjk_missing += 1
            figures.cjk_missing_docs[path] = round(missing, 3)
        extra = jekyll_oracle.cjk_missing(html.unescape(doc.text), article.body)
        if extra > CJK_SHARE:
            figures.cjk_extra += 1
            figures.cjk_extra_docs[path] = round(extra, 3)
    return figures, articles


def _excerpt(text: str, at: int, width: int = 40) -> str:
    start = max(0, at - width)
    return text[start : at + width].replace("\n", "⏎")


def differences(searcher_text: str, jekyll_text: str, limit: int = 3) -> list[str]:
    """Up to ``limit`` largest differences between the two texts, compared without white
    space: ``-…`` only Jekyll has, ``+…`` only searcher has (each cut to 60 characters).

    >>> differences("甲乙 丙", "甲乙丙")
    []
    >>> differences("甲乙丙", "甲乙丙丁戊")
    ['-丁戊']
    """
    mine = jekyll_oracle.visible(searcher_text)[:20000]
    theirs = jekyll_oracle.visible(jekyll_text, jekyll=True)[:20000]
    matcher = difflib.SequenceMatcher(None, theirs, mine, autojunk=False)
    found: list[tuple[int, str]] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            found.append((a1 - a0, "-" + theirs[a0:a1][:60]))
        if op in ("insert", "replace"):
            found.append((b1 - b0, "+" + mine[b0:b1][:60]))
    found.sort(key=lambda pair: -pair[0])
    return [text for _, text in found[:limit]]


def print_examples(
    figures: Figures, built: Built, articles: dict[str, Article], count: int
) -> None:
    """The ``count`` worst documents of each kind, with an excerpt of the difference."""
    kinds: list[tuple[str, list[str]]] = [
        (
            "markup left",
            sorted(figures.markup_docs, key=lambda p: -len(figures.markup_docs[p]))[:count],
        ),
        (
            "CJK missing",
            sorted(figures.cjk_missing_docs, key=lambda p: -figures.cjk_missing_docs[p])[:count],
        ),
        (
            "CJK extra",
            sorted(figures.cjk_extra_docs, key=lambda p: -figures.cjk_extra_docs[p])[:count],
        ),
    ]
    for kind, paths in kinds:
        for path in paths:
            body, text = _squeeze(articles[path].body), built.docs[path].text
            tokens = Counter(figures.markup_docs.get(path, []))
            print(f"- {figures.site} [{figures.run}] {kind}: `{path}`", end="")
            if kind == "markup left":
                first = next(iter(tokens))
                where = body.find(first)
                print(f" {dict(tokens)}: `{_excerpt(body, where)}`")
            else:
                share = figures.cjk_missing_docs.get(path, figures.cjk_extra_docs.get(path))
                print(f" ({share:.0%}): {differences(body, text)}")
    for label, mismatches in (("URL", figures.url_mismatch), ("date", figures.date_mismatch)):
        for path, (jekyll, mine) in list(mismatches.items())[:count]:
            print(
                f"- {figures.site} [{figures.run}] {label}: `{path}`",
                f"Jekyll {jekyll} searcher {mine}",
            )
    for path, why in list(figures.only_jekyll.items())[:count]:
        print(f"- {figures.site} [{figures.run}] only Jekyll: `{path}` ({why})")
    for path, url in list(figures.only_searcher.items())[:count]:
        print(f"- {figures.site} [{figures.run}] only searcher: `{path}` ({url})")


def _revision(folder: Path) -> str:
    """The git commit of the checkout holding ``folder`` (``+`` if it has changes)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--", "."],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "an unknown revision"
    return head + ("+" if dirty else "")


def _options(rendered: Path | None, selector: str | None) -> SiteOptions:
    if rendered is None:
        return SiteOptions()
    if selector is None:
        return SiteOptions(rendered=rendered)  # type: ignore[call-arg]  # a newer checkout's
    return SiteOptions(rendered=rendered, content_selector=selector)  # type: ignore[call-arg]


def main(argv: list[str] | None = None) -> int:
    """Run the comparison; returns the exit status (1 if a site failed)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", nargs="+", type=Path, required=True, help="site folders")
    parser.add_argument(
        "--config", action="append", default=[], metavar="NAME=FILE",
        help="use FILE as the _config.yml of the site folder named NAME",
    )  # fmt: skip
    parser.add_argument(
        "--selector", action="append", default=[], metavar="NAME=CSS",
        help="the --rendered pass of site NAME takes the body from the element CSS selects",
    )  # fmt: skip
    parser.add_argument("--work", type=Path, default=Path("/tmp/jekyll-text"))
    parser.add_argument("--tz", default="Asia/Shanghai", help="TZ of the Jekyll build")
    parser.add_argument("--reuse", action="store_true", help="reuse an earlier build")
    parser.add_argument("--examples", type=int, default=0, metavar="N")
    parser.add_argument("--json", type=Path, metavar="OUT")
    args = parser.parse_args(argv)
    overrides = dict(item.split("=", 1) for item in args.config)
    selectors = dict(item.split("=", 1) for item in args.selector)
    has_rendered = "rendered" in {f.name for f in dataclasses.fields(SiteOptions)}
    now = dt.datetime.now(dt.UTC)
    where = Path(searcher.__file__).parent
    print(f"searcher: {where} at {_revision(where)}  ({now:%Y-%m-%d %H:%M} UTC)")
    status, rows = 0, []
    examples: list[tuple[Figures, Built, dict[str, Article]]] = []
    report: dict[str, dict[str, object]] = {}
    for site in args.sites:
        site = site.resolve()
        override = overrides.get(site.name)
        try:
            built = build(
                site, args.work, Path(override) if override else None, args.tz, args.reuse
            )
        except (BuildError, OSError, ValueError, subprocess.TimeoutExpired) as error:
            print(f"{site.name}: Jekyll build failed: {error}", file=sys.stderr)
            status = 1
            continue
        selector = selectors.get(site.name)
        rendered_run = f"--rendered {selector}" if selector else "--rendered"
        runs = [("source", None)] + ([(rendered_run, built.dest)] if has_rendered else [])
        report[site.name] = {"jekyll_seconds": round(built.seconds, 1), "config": override}
        for run, rendered in runs:
            try:
                options = _options(rendered, selector)
                figures, articles = compare(site.name, run, built, options)
            except Exception as error:  # noqa: BLE001  # one site never stops the others
                print(f"{site.name} [{run}]: searcher failed: {error!r}", file=sys.stderr)
                status = 1
                continue
            rows.append(figures.row())
            if args.examples:
                examples.append((figures, built, articles))
            data = dataclasses.asdict(figures)
            report[site.name][run] = data
    print(HEADER)
    print("\n".join(rows))
    for figures, built, articles in examples:
        print()
        print_examples(figures, built, articles, args.examples)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
