"""The ``searcher`` command line.

Thin layer over the library: each command parses its options, calls one library
function and prints the result. Errors the library raises on purpose
(:class:`~searcher.errors.SearcherError`) become a one-line ``error: …`` message on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from tqdm import tqdm

from searcher.analysis import DEFAULT_SEGMENTER, SEGMENTERS
from searcher.engine.whoosh import META_FILE
from searcher.errors import IndexFormatError, SearcherError
from searcher.index import Index
from searcher.lexicon import MAX_LIMIT as MAX_COMPLETIONS
from searcher.related import MAX_RELATED
from searcher.request import (
    MATCHES,
    MAX_LIMIT,
    MAX_SNIPPET_CHARS,
    MIN_SNIPPET_CHARS,
    SORTS,
    SearchRequest,
)
from searcher.results import SearchResults
from searcher.site.options import DEFAULT_TIMEZONE, MAX_POST_BYTES, SiteOptions
from searcher.snippets import SNIPPET_CHARS

if TYPE_CHECKING:
    from searcher.indexing import IndexReport

#: Exit status for a missing or unreadable input (same as click's usage errors).
EXIT_INPUT_ERROR = 2


def _fail(message: str) -> None:
    """Print ``error: <message>`` on stderr and exit with status 2."""
    click.echo(f"error: {message}", err=True)
    raise click.exceptions.Exit(EXIT_INPUT_ERROR)


@contextmanager
def _one_line_errors() -> Iterator[None]:
    """Turn any error into ``error: …`` on stderr and exit status 2: never a traceback.

    Errors raised on purpose (:class:`SearcherError`) print their message; anything else
    (a damaged file, an OS error) prints its type and message. click's own exits and
    usage errors pass through unchanged.
    """
    try:
        yield
    except (click.exceptions.Exit, click.ClickException):
        raise
    except SearcherError as error:
        _fail(str(error))
    except Exception as error:
        _fail(f"unexpected {type(error).__name__}: {error}")


def _zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Asia/Shanghai``); a usage error when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"unknown time zone {name!r} (use an IANA name such as Asia/Shanghai)",
            param_hint="--timezone",
        ) from None


def site_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that say how a Jekyll site is read (Jekyll's own flag names)."""
    for option in reversed(
        [
            click.option("--drafts", is_flag=True, help="Include posts in _drafts/ (as Jekyll)."),
            click.option(
                "--unpublished", is_flag=True, help="Include published: false (as Jekyll)."
            ),
            click.option("--future", is_flag=True, help="Include future-dated posts (as Jekyll)."),
            click.option(
                "--all-files",
                is_flag=True,
                help="Index every Markdown/HTML file with front matter as a post, not only "
                "what Jekyll publishes (still reports what Jekyll would leave out).",
            ),
            click.option(
                "--site-url",
                help="Site address for result URLs, replacing _config.yml's url + baseurl.",
            ),
            click.option(
                "--max-post-bytes",
                type=click.IntRange(1),
                default=MAX_POST_BYTES,
                show_default=True,
                help="Leave out (and report) files larger than this many bytes.",
            ),
            click.option(
                "--follow-outside-links",
                is_flag=True,
                help="Read symbolic links whose target is outside the site (as plain "
                "jekyll build; off: left out as 'outside the site', as jekyll build "
                "--safe). Only for trusted sites.",
            ),
            click.option(
                "--timezone",
                default=None,
                help="Site time zone (IANA name); overrides _config.yml's timezone "
                f"(default: the config's, else {DEFAULT_TIMEZONE}).",
            ),
            click.option(
                "--rendered",
                is_flag=False,
                flag_value="",
                default=None,
                metavar="[DIR]",
                help="Take each body from the page jekyll build wrote to DIR (after CORPUS, "
                "or --rendered=DIR; no DIR: the config's destination, _site, in CORPUS); "
                "documents without a page are read from their source.",
            ),
            click.option(
                "--content-selector",
                metavar="CSS",
                help="With --rendered: the content element of a built page (default: "
                "[data-searcher-body], else article, else main).",
            ),
        ]
    ):
        command = option(command)
    return command


def _site_options(
    drafts: bool,
    unpublished: bool,
    future: bool,
    all_files: bool,
    site_url: str | None,
    timezone: str | None,
    max_post_bytes: int = MAX_POST_BYTES,
    follow_outside_links: bool = False,
    rendered: str | None = None,
    content_selector: str | None = None,
    corpus: Path | None = None,
) -> SiteOptions:
    if timezone is not None:
        _zone(timezone)
    built = _rendered(rendered, content_selector, corpus, follow_outside_links)
    return SiteOptions(
        drafts=drafts,
        unpublished=unpublished,
        future=future,
        all_files=all_files,
        site_url=site_url,
        timezone=timezone,
        max_post_bytes=max_post_bytes,
        follow_outside_links=follow_outside_links,
        rendered=built,
        content_selector=content_selector,
    )


def _rendered(
    rendered: str | None, selector: str | None, corpus: Path | None, follow: bool
) -> Path | None:
    """``--rendered``'s folder: DIR as given (from the current folder), or with no DIR
    the config's ``destination`` (relative to the site); ``--content-selector`` is
    checked here, so that a bad one is a usage error (exit status 2) naming it."""
    if selector is not None:
        from searcher.site.rendered import ContentSelectorError, compile_selector

        if rendered is None:
            raise click.BadParameter("only with --rendered", param_hint="--content-selector")
        try:
            compile_selector(selector)
        except ContentSelectorError as error:
            raise click.BadParameter(error.reason, param_hint="--content-selector") from None
    if rendered is None:
        return None
    if rendered:
        if (Path(rendered) / "_config.yml").is_file():  # Jekyll never writes one there
            raise click.BadParameter(
                f"{rendered!r} is a Jekyll site (it has a _config.yml), not the folder "
                "jekyll build wrote: give the built folder, or put --rendered after CORPUS "
                "to read the config's destination",
                param_hint="--rendered",
            )
        return Path(rendered).absolute()
    from searcher.site.config import load_config

    return Path(load_config(corpus or Path("."), follow).destination)


@click.group()
@click.version_option(package_name="searcher", prog_name="searcher", message="%(prog)s %(version)s")
def main() -> None:
    """Full-text search for Chinese news sites built with Jekyll."""


@main.command()
@click.argument("corpus", type=click.Path(path_type=Path), required=False)
@site_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def check(corpus: Path | None, as_json: bool, **site: Any) -> None:
    """Read the Jekyll site CORPUS as `jekyll build` would and report on every file.

    Prints one line per warning, left-out file (with its reason: draft, unpublished,
    future, excluded by _config.yml, default exclude, not a valid post name, search:
    false…) and duplicate, each starting with the file's path relative to CORPUS, then a
    summary line. A site with no url (and no --site-url) gets one notice on stderr: its
    links would be root-relative. Exit status 0 when the folder could be read (even if
    some files were left out), 2 when it is missing or unreadable.
    """
    if corpus is None:
        hint = ""
        if site.get("rendered"):
            hint = (
                f" (--rendered took {site['rendered']!r} as its folder: put --rendered after "
                "CORPUS, or write --rendered=DIR)"
            )
        raise click.UsageError(f"Missing argument 'CORPUS'.{hint}")
    options = _site_options(corpus=corpus, **site)
    with _one_line_errors():
        from searcher.site import check_corpus

        report = check_corpus(corpus, None, options)
    if as_json:
        _echo_json(
            {
                "documents": report.posts,
                "types": report.types,
                "with_warnings": report.with_warnings,
                "warnings": report.warnings,
                "left_out": report.left_out(),
                "skipped": report.skipped_list(),
                "kept_paths": report.kept_paths(),
                "duplicates": [
                    {"path": d.path, "kept": d.kept, "reason": d.reason} for d in report.duplicates
                ],
                "notices": report.notices,
            }
        )
        return
    for line in report.lines:
        click.echo(line)
    for notice in report.notices:  # about the site, not a file: beside the list, once
        click.echo(notice, err=True)
    click.echo(report.summary())


# -- index, search, stats -------------------------------------------------------------

CORPUS_ENV = "SEARCHER_CORPUS"
INDEX_ENV = "SEARCHER_INDEX"

corpus_option = click.option(
    "--corpus",
    "corpus",
    type=click.Path(path_type=Path),
    default="corpus",
    envvar=CORPUS_ENV,
    show_default=True,
    help=f"Corpus folder (also ${CORPUS_ENV}).",
)


def _index_path(value: str) -> Path:
    """``--index`` as a path. An empty one (``--index ''``, an empty ``$SEARCHER_INDEX``)
    is refused rather than taken for the current folder, which ``.`` names."""
    if not value:
        raise click.BadParameter("empty path (use . for the current folder)")
    return Path(value)


index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=str),
    default="index",
    envvar=INDEX_ENV,
    show_default=True,
    callback=lambda ctx, param, value: _index_path(value),
    help=f"Index folder (also ${INDEX_ENV}).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


def _echo_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _progress(enabled: bool) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A progress callback drawing a tqdm bar on stderr, and a function closing it."""
    if not enabled:
        return None, lambda: None
    bar: list[Any] = []

    def update(done: int, total: int) -> None:
        if not bar:
            bar.append(tqdm(total=total, unit="post", desc="indexing", file=sys.stderr))
        bar[0].update(done - bar[0].n)

    return update, lambda: bar[0].close() if bar else None


def _build(
    index_dir: Path,
    corpus: Path,
    *,
    rebuild: bool = False,
    jobs: int = 1,
    segmenter: str | None = None,
    options: SiteOptions | None = None,
    show_progress: bool = False,
    user_dict: str | None = None,
    synonyms: str | None = None,
) -> IndexReport:
    """:meth:`Index.build` with a progress bar on stderr when ``show_progress``."""
    progress, close = _progress(show_progress)
    try:
        return Index.build(
            index_dir,
            corpus,
            rebuild=rebuild,
            segmenter=segmenter,
            options=options,
            jobs=jobs,
            progress=progress,
            user_dict=user_dict,
            synonyms=synonyms,
        )
    finally:
        close()


@main.command("index")
@click.argument("corpus", type=click.Path(path_type=Path), default="corpus", envvar=CORPUS_ENV)
@index_option
@click.option("--rebuild", is_flag=True, help="Start a new index instead of updating.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=lambda: min(4, os.cpu_count() or 1),
    show_default="one per core, up to 4",
    help="Processes that analyse and write posts (each takes 250 changed posts or more).",
)
@click.option(
    "--segmenter",
    type=click.Choice(SEGMENTERS),
    default=None,
    help=f"jieba implementation for a new index or a --rebuild (default: the index's, "
    f"else {DEFAULT_SEGMENTER}).",
)
@click.option(
    "--dict",
    "user_dict",
    metavar="FILE",
    help="User dictionary in jieba's format (word [freq] [tag] a line), stored with the "
    "index; a changed one re-segments every post; '' removes it.",
)
@click.option(
    "--synonyms",
    metavar="FILE",
    help="Synonyms in Solr's format ('a, b, c' equivalences, 'a => b' one-way, # "
    "comments), stored with the index and applied to queries (nothing is re-segmented); "
    "'' removes them. Example: corpus/synonyms.txt.",
)
@click.option(
    "--watch",
    is_flag=True,
    help="Then watch CORPUS and update again after each change, once it has been quiet "
    "for a second; one summary line a run; Ctrl-C or SIGTERM stops (exit status 0).",
)
@site_options
@json_option
def index_command(
    corpus: Path,
    index_dir: Path,
    rebuild: bool,
    jobs: int,
    segmenter: str | None,
    user_dict: str | None,
    synonyms: str | None,
    as_json: bool,
    watch: bool,
    **site: Any,
) -> None:
    """Index the posts of CORPUS (default ./corpus, or $SEARCHER_CORPUS).

    Incremental: only new, changed and deleted posts are written; a second run changes
    nothing. Warnings and skipped files go to stderr, the summary to stdout. A site with
    no url (_config.yml) and no --site-url gets one notice on stderr too: its links are
    root-relative, and the search page links hits to its article view instead.
    """
    options = _site_options(corpus=corpus, **site)
    if watch:
        build = {"jobs": jobs, "segmenter": segmenter, "user_dict": user_dict}
        _watch(corpus, index_dir, options, rebuild, as_json, synonyms=synonyms, **build)
        return
    with _one_line_errors():
        report = _build(
            index_dir,
            corpus,
            rebuild=rebuild,
            jobs=jobs,
            segmenter=segmenter,
            options=options,
            show_progress=not as_json and sys.stderr.isatty(),
            user_dict=user_dict,
            synonyms=synonyms,
        )
    if as_json:
        _echo_json(report.to_dict())
        return
    for message in [*report.messages, *report.notices]:
        click.echo(message, err=True)
    click.echo(_summary(report, index_dir))


def _watch(
    corpus: Path,
    index_dir: Path,
    options: SiteOptions,
    rebuild: bool,
    as_json: bool,
    **build: Any,
) -> None:
    """``searcher index --watch``: :func:`searcher.watch.watch` until SIGINT or SIGTERM.

    A signal ends the watch once the run in progress has committed (exit status 0); a
    second Ctrl-C interrupts that run (exit status 130), which leaves the index as it
    was before the run or after its commit. Each run prints its summary (with
    ``--json``, one JSON object a line: ``run``, ``changes``, ``error``, ``report``);
    a warning the run before also reported is not printed again (every run reports
    all the site's warnings); a failed run is an ``error: …`` line on stderr, and the
    next change tries again.
    """
    import signal

    from searcher.watch import WatchRun, watch

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt  # a second Ctrl-C: now
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    shown: set[str] = set()

    def update(number: int) -> IndexReport:
        progress = not as_json and sys.stderr.isatty()
        again = rebuild and number == 1  # --rebuild: the first run only
        return _build(
            index_dir, corpus, rebuild=again, options=options, show_progress=progress, **build
        )

    def on_run(run: WatchRun) -> None:
        if as_json:
            report = run.report.to_dict() if run.report is not None else None
            line = {"run": run.number, "changes": run.changes, "error": run.error}
            click.echo(json.dumps({**line, "report": report}, ensure_ascii=False))
        elif run.report is None:
            click.echo(f"error: {run.error}; trying again at the next change", err=True)
        else:
            for message in run.report.messages:
                if message not in shown:
                    click.echo(message, err=True)
            shown.clear()
            shown.update(run.report.messages)
            changed = f"{_some(list(run.changes))}: " if run.changes else ""
            click.echo(changed + _summary(run.report, index_dir))
        if run.number == 1:
            click.echo(f"watching {corpus} for changes (Ctrl-C to stop)", err=True)

    try:
        with _one_line_errors():
            watch(corpus, index_dir, stop, update=update, on_run=on_run, options=options)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        raise click.exceptions.Exit(130) from None


def _summary(report: IndexReport, index_dir: Path) -> str:
    """The one line ``searcher index`` ends with: what the run changed, and where."""
    return (
        f"added {report.added}, updated {report.updated}, removed {report.removed}, "
        f"unchanged {report.unchanged}, skipped {report.skipped}"
        + (
            " (" + ", ".join(f"{k} {n}" for k, n in sorted(report.left_out.items())) + ")"
            if report.left_out
            else ""
        )
        + ", "
        f"duplicates {report.duplicates}, warnings {report.warnings}"
        + (
            f", kept {report.kept} (could not read now: {_some(report.kept_paths)})"
            if report.kept_paths
            else ""
        )
        + (
            f", story groups {report.story_groups} ({report.grouped} posts)"
            if report.story_groups
            else ""
        )
        + f" ({report.seconds:.1f} s) -> {index_dir}"
    )


def _some(paths: list[str], shown: int = 3) -> str:
    """The first ``shown`` of ``paths``, comma-separated, then how many more."""
    more = len(paths) - shown
    return ", ".join(paths[:shown]) + (f" and {more} more" if more > 0 else "")


_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def _terminal(fragment: str, colour: bool) -> str:
    """HTML with marks → terminal text; marks become bold yellow when ``colour``."""

    def mark(m: re.Match[str]) -> str:
        text = m.group(1)
        return click.style(text, fg="yellow", bold=True) if colour else text

    return html.unescape(_MARK.sub(lambda m: mark(m), fragment))


#: How the text output names each matching rule (:mod:`searcher.query.relax`).
RULES = {
    "exact": "rule: exact, every word as typed",
    "near": "rule: near, a word's parts close together",
    "words": "rule: words, not every word required",
}


def _print_results(results: SearchResults, colour: bool) -> None:
    for notice in results.notices:
        click.echo(f"note: {notice}", err=True)
    if results.suggestion is not None:  # did you mean (searcher.suggest): never applied
        click.echo(f"您是不是要找：{results.suggestion.text}")
    if not results.total:
        click.echo(f"no posts match {results.query!r}")
        return
    first = (results.page - 1) * results.limit
    for n, hit in enumerate(results.hits, first + 1):
        date = hit.date.strftime("%Y-%m-%d") if hit.date else "undated"
        labels = " · ".join([date, *hit.categories, *("#" + t for t in hit.tags)])
        if hit.matched_by != ["literal"]:  # found through an aid (issue #21)
            labels += " · found by " + ", ".join(hit.matched_by)
        click.echo(f"{n}. {_terminal(hit.title_html, colour)}")
        click.echo(f"   {labels}")
        if hit.snippet:
            click.echo(f"   {_terminal(hit.snippet, colour)}")
        click.echo(f"   {hit.url or hit.path}")
        if hit.source_url:
            click.echo(f"   source: {hit.source_url}")
        if hit.similar:
            more = hit.similar_count - len(hit.similar)
            titles = "; ".join(p.title for p in hit.similar) + (f"; … {more} more" if more else "")
            click.echo(f"   {hit.similar_count} similar: {titles}")
    pages = (results.total + results.limit - 1) // results.limit
    shown = f"page {results.page} of {pages}" if results.hits else f"no page {results.page}"
    unit = " story groups" if results.folded else ""
    click.echo(f"-- matches: {results.total}{unit} ({RULES[results.match]}), {shown}")
    if results.looser:
        click.echo("   looser matches too: --match loose")
    for name, counts in results.facets.items():
        top = ", ".join(f"{v} ({c})" for v, c in list(counts.items())[:8])
        if top:
            click.echo(f"   {name}: {top}")


@main.command("search", context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, type=click.UNPROCESSED)
@index_option
@corpus_option
@click.option(
    "--category",
    "categories",
    multiple=True,
    help="Keep posts in this category (repeatable: any of).",
)
@click.option("--tag", "tags", multiple=True, help="Keep posts with this tag (repeatable: any of).")
@click.option(
    "--type",
    "types",
    multiple=True,
    help="Keep documents of this type: post, page or a collection (repeatable: any of).",
)
@click.option("--since", help="Keep posts dated on or after this day (YYYY-MM-DD, site time).")
@click.option("--until", help="Keep posts dated on or before this day (inclusive).")
@click.option("--sort", metavar="|".join(SORTS), help="Order of hits [default: relevance].")
@click.option("--limit", metavar="N", help=f"Hits per page, 1-{MAX_LIMIT} [default: 10].")
@click.option("--page", metavar="N", help="Page number [default: 1].")
@click.option(
    "--recency",
    metavar="DAYS",
    help="Relevance sorting: let recent stories rise, with this half-life in days "
    "(README, Ranking).",
)
@click.option(
    "--snippet",
    "snippet_chars",
    metavar="CHARS",
    help=f"Snippet size in characters, {MIN_SNIPPET_CHARS}-{MAX_SNIPPET_CHARS} "
    f"[default: {SNIPPET_CHARS}].",
)
@click.option(
    "--match",
    metavar="|".join(MATCHES),
    help="Matching rule: auto (runs as typed; looser only when nothing matches), exact, "
    "or loose (README, Query rules) [default: auto].",
)
@click.option(
    "--collapse",
    is_flag=True,
    help="Fold reprints: one post per story group (near-identical bodies), the rest "
    "listed under it; the total and the counts are of groups.",
)
@json_option
def search_command(
    query: tuple[str, ...],
    index_dir: Path,
    corpus: Path,
    categories: tuple[str, ...],
    tags: tuple[str, ...],
    types: tuple[str, ...],
    since: str | None,
    until: str | None,
    sort: str | None,
    limit: str | None,
    page: str | None,
    recency: str | None,
    snippet_chars: str | None,
    match: str | None,
    collapse: bool,
    as_json: bool,
) -> None:
    """Search the index for QUERY.

    Words are ANDed; OR, -word, "phrases" and title:word work as in a web search
    (a -word is a query word, not an option; a word starting with -- is an option this
    command does not have, an error). With no index yet, one is built from the corpus
    folder first.
    """
    unknown = [w for w in query if re.fullmatch(r"--[A-Za-z][\w-]*(=.*)?", w)]
    if unknown:  # `searcher search X --version` searched for "X --version" (issue #23)
        raise click.UsageError(f"no such option: {unknown[0].split('=')[0]}")
    with _one_line_errors():  # read as the API reads its parameters, before any build
        options = {
            "since": since,
            "until": until,
            "sort": sort,
            "limit": limit,
            "page": page,
            "recency": recency,
            "snippet": snippet_chars,
            "match": match,
            "collapse": "1" if collapse else None,
        }
        request = SearchRequest.from_pairs(
            [("q", " ".join(query))]
            + [("category", v) for v in categories]
            + [("tag", v) for v in tags]
            + [("type", v) for v in types]
            + [(name, value) for name, value in options.items() if value is not None]
        )
    with _one_line_errors():
        if not Index.exists(index_dir) and not index_dir.is_file():
            click.echo(f"no index in {index_dir}: building it from {corpus} first", err=True)
            _build_for_search(index_dir, corpus)
        try:
            index = Index.open(index_dir)
        except IndexFormatError as exc:
            source = _recorded_corpus(index_dir)
            if source is None:
                raise SearcherError(f"{exc} (from the site it was built from)") from exc
            click.echo(f"rebuilding the index from {source} first:", err=True)
            _build_for_search(index_dir, source)  # (its report says why)
            index = Index.open(index_dir)
        with index:
            results = index.search(request)
    if as_json:
        _echo_json(results.to_dict())
    else:
        _print_results(results, colour=sys.stdout.isatty())


def _recorded_corpus(index_dir: Path) -> Path | None:
    """The site folder an index records it was built from, if it still exists."""
    try:
        meta = json.loads((index_dir / META_FILE).read_text(encoding="utf-8"))
        folder = Path(str(meta["corpus"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return folder if folder.is_dir() else None


def _build_for_search(index_dir: Path, corpus: Path) -> None:
    report = _build(index_dir, corpus, show_progress=sys.stderr.isatty())
    for message in [*report.messages, *report.notices]:
        click.echo(message, err=True)
    click.echo(f"indexed {report.added} posts", err=True)


@main.command("stats")
@index_option
@json_option
def stats_command(index_dir: Path, as_json: bool) -> None:
    """Documents, categories, tags, dates and size of the index."""
    with _one_line_errors():
        with Index.open(index_dir) as index:
            stats = index.stats()
    if as_json:
        _echo_json(stats.to_dict())
        return
    first = stats.first_date.isoformat() if stats.first_date else "-"
    last = stats.last_date.isoformat() if stats.last_date else "-"
    click.echo(f"documents:  {stats.documents}")
    click.echo(f"dates:      {first} .. {last}")
    click.echo(f"index size: {stats.size_bytes / 2**20:.1f} MiB")
    click.echo(f"segmenter:  {stats.segmenter}; {stats.dictionary}")
    click.echo(f"timezone:   {stats.timezone}")
    for name, counts in (
        ("categories", stats.categories),
        ("tags", stats.tags),
        ("years", stats.years),
    ):
        click.echo(f"{name} ({len(counts)}): " + ", ".join(f"{v} ({c})" for v, c in counts.items()))


@main.command("suggest", context_settings={"ignore_unknown_options": True})
@click.argument("prefix", default="")
@index_option
@click.option(
    "--limit",
    type=int,
    default=8,
    show_default=True,
    help=f"Completions at most, 1-{MAX_COMPLETIONS}.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the completions as a JSON list.")
def suggest_command(prefix: str, index_dir: Path, limit: int, as_json: bool) -> None:
    """Completions of PREFIX as a reader types it (Index.suggest): words, phrases, tags,
    categories and titles of the index, literal or as pinyin (wangj, wjg → 王建国).

    One a line: the text, then its kind, how it matched (literal or pinyin), its posts
    and, for a title, its URL, tab-separated (dimmed on a terminal); --json prints the
    list of completions. An empty prefix prints nothing.
    """
    with _one_line_errors():
        with Index.open(index_dir) as index:
            completions = index.suggest(prefix, limit)
    if as_json:
        _echo_json([c.to_dict() for c in completions])
        return
    colour = sys.stdout.isatty()
    for c in completions:
        rest = "\t".join([c.kind, c.aid, str(c.posts), *([c.url] if c.url else [])])
        text = re.sub(r"\s", " ", c.text)  # a title's tab or line break would split the line
        click.echo(f"{text}\t{click.style(rest, dim=True) if colour else rest}")


@main.command("related")
@click.argument("post_id")
@index_option
@click.option(
    "--limit", type=int, default=5, show_default=True, help=f"Posts at most, 1-{MAX_RELATED}."
)
@json_option
def related_command(post_id: str, index_dir: Path, limit: int, as_json: bool) -> None:
    """The posts most related to the post POST_ID (its path without the extension, as
    in `searcher search --json`'s "id"): those sharing its most telling words, one per
    story group, never its own group's (Index.related)."""
    with _one_line_errors():
        with Index.open(index_dir) as index:
            hits = index.related(post_id, limit)
    if as_json:
        _echo_json([h.to_dict() for h in hits])
        return
    for n, hit in enumerate(hits, 1):
        date = hit.date.strftime("%Y-%m-%d") if hit.date else "undated"
        click.echo(f"{n}. {hit.title}")
        click.echo(f"   {date} · {hit.url or hit.path}")


@main.command("widget")
@click.option(
    "--url",
    required=True,
    metavar="URL",
    help="The searcher server as readers' browsers reach it: http(s)://host[:port][/path].",
)
def widget_command(url: str) -> None:
    """Print the HTML that puts searcher's search box on a site's pages: paste it into a
    layout or an _includes/ file where the box should be (issue #23). Its highlight
    script marks the query on the article page a result opens. The site's origin must
    be allowed by `searcher serve --cors-origin`."""
    from searcher.widget import asset_version, widget_html

    try:
        click.echo(widget_html(url, asset_version()), nl=False)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--url") from exc


@main.command("install-jekyll-hook")
@click.argument("site", type=click.Path(path_type=Path))
@index_option
@click.option(
    "--force", is_flag=True, help="Replace a _plugins/searcher.rb that searcher did not write."
)
@site_options
def install_jekyll_hook_command(site: Path, index_dir: Path, force: bool, **options: Any) -> None:
    """Write SITE/_plugins/searcher.rb, a Jekyll plugin that runs `searcher index SITE
    --index DIR` (with the site options given here) each time Jekyll has written the
    site; a failure of searcher is a warning, and the build goes on (unless
    $SEARCHER_HOOK_STRICT=1). Plugins do not run under jekyll build --safe (GitHub
    Pages). Prints the file's path.
    """
    from searcher.jekyll_hook import install_hook
    from searcher.site.config import load_config

    read = _site_options(corpus=site, **options)
    with _one_line_errors():
        path = install_hook(site, index_dir, read, force=force)
    click.echo(path)
    inside = Path(os.path.abspath(index_dir))
    if inside.is_relative_to(Path(os.path.abspath(site))):
        rel = inside.relative_to(Path(os.path.abspath(site))).as_posix()
        if load_config(site).exclusion(rel) is None:
            click.echo(
                f"warning: the index {index_dir} lies in the site and Jekyll publishes it: "
                f"add {rel} to _config.yml's exclude",
                err=True,
            )


@main.command("serve")
@index_option
@corpus_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 127.0.0.1 serves this machine only, 0.0.0.0 every interface.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Requests served at once (waitress worker threads).",
)
@click.option("--quiet", is_flag=True, help="Do not log each request to standard error.")
@click.option(
    "--connections",
    type=click.IntRange(1, 100_000),
    default=1000,
    show_default=True,
    help="Open connections at most (each takes a file descriptor).",
)
@click.option(
    "--request-timeout",
    type=click.FloatRange(0.5, 3600),
    default=10.0,
    show_default=True,
    help="Seconds a connection has to send a whole request, however steadily it trickles.",
)
@click.option(
    "--idle-timeout",
    type=click.IntRange(1, 3600),
    default=30,
    show_default=True,
    help="Seconds a kept-alive connection may stay idle between requests.",
)
@click.option(
    "--max-header-bytes",
    type=click.IntRange(1024, 1 << 20),
    default=32 * 1024,
    show_default=True,
    help="Largest request line and headers (the URL counts); larger: 431.",
)
@click.option(
    "--max-body-bytes",
    type=click.IntRange(1, 1 << 30),
    default=8 * 1024,
    show_default=True,
    help="Largest request body (the app reads none); a larger Content-Length: 413 unread.",
)
@click.option(
    "--send-timeout",
    type=click.FloatRange(0.5, 3600),
    default=10.0,
    show_default=True,
    help="Seconds a connection with an answer waiting may take none of it; then it is closed.",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    help="A site (https://news.example.com) whose pages may call /api/ from a browser "
    "(repeatable); none by default.",
)
@click.option(
    "--proxy-fix",
    is_flag=True,
    help="Behind a reverse proxy: honour its X-Forwarded-For, -Proto, -Host and -Prefix "
    "(one proxy), so links work under a prefix such as /search/. Off by default: only "
    "with the server listening on an address the proxy alone reaches (README Deployment).",
)
def serve_command(
    index_dir: Path,
    corpus: Path,
    host: str,
    port: int,
    threads: int,
    quiet: bool,
    connections: int,
    request_timeout: float,
    idle_timeout: int,
    max_header_bytes: int,
    max_body_bytes: int,
    send_timeout: float,
    cors_origins: tuple[str, ...],
    proxy_fix: bool,
) -> None:
    """Serve the search page, article views and /api/search on http://HOST:PORT/ with
    waitress, a production WSGI server, logging one line per request, with limits for a
    public server (README "Search page and API")."""
    import logging

    from searcher.serving import ServeLimits, make_server
    from searcher.web import RequestLog, cors_origin, create_app

    for origin in cors_origins:
        try:
            cors_origin(origin)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--cors-origin") from exc

    limits = ServeLimits(
        connections=connections,
        request_timeout=request_timeout,
        idle_timeout=idle_timeout,
        max_header_bytes=max_header_bytes,
        max_body_bytes=max_body_bytes,
        send_timeout=send_timeout,
    )
    _allow_descriptors(connections + 64)

    with _one_line_errors():
        if not Index.exists(index_dir) and not index_dir.is_file():
            click.echo(f"no index in {index_dir}: building it from {corpus} first", err=True)
            _build(index_dir, corpus, show_progress=sys.stderr.isatty())
        index = Index.open(index_dir)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("searcher.web").setLevel(logging.WARNING if quiet else logging.INFO)
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
    click.echo(f"searching {index_dir} at http://{shown}:{port}/ ({threads} threads)", err=True)
    app = create_app(index, cors_origins=cors_origins, proxy_fix=proxy_fix)
    # The lexicon of completions and pinyin (searcher.lexicon) is loaded now, beside the
    # server starting (0.4 s on 20,000 posts, pypinyin's tables 0.8 s more; built, 3 s,
    # for an index of an older version), rather than on the first reader's keystroke.
    # A failure here is the first search's to report, so it is dropped.
    threading.Thread(target=_warm, args=(index,), name="lexicon", daemon=True).start()
    try:
        try:
            server = make_server(
                RequestLog(app.wsgi_app),
                host=host,
                port=port,
                threads=threads,
                limits=limits,
                proxy_headers=proxy_fix,
            )
        except (OSError, ValueError) as exc:  # ValueError: waitress cannot resolve --host
            raise click.ClickException(
                f"--host/--port: cannot listen on {host}:{port}: {exc}"
            ) from exc
        server.run()  # until interrupted (Ctrl-C, SIGINT)
    finally:
        index.close()


def _warm(index: Index) -> None:
    """Load ``index``'s lexicon (:meth:`Index.lexicon`), ignoring any failure."""
    try:
        index.lexicon()
    except Exception:  # the first search or suggestion reports it
        pass


def _allow_descriptors(needed: int) -> None:
    """Raise this process's soft limit of open files to ``needed`` (``--connections``
    plus the index's files) when the hard limit allows; else fail naming the option."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise click.ClickException(
            f"--connections: {needed - 64} connections need {needed} open files, "
            f"and this process may open {hard} at most (ulimit -n); give fewer"
        )
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
