"""``searcher check``, ``searcher index`` (``--watch``) and ``searcher install-jekyll-hook``:
reading a site and keeping its index up to date."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from searcher.analysis import DEFAULT_SEGMENTER, SEGMENTERS
from searcher.index import ENGINES
from searcher.site.options import SiteOptions

if TYPE_CHECKING:
    from searcher.indexing import IndexReport

from searcher.cli.common import (
    CORPUS_ENV,
    _build,
    _echo_json,
    _one_line_errors,
    _site_options,
    index_option,
    json_option,
    main,
    site_options,
)


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
    "--engine",
    type=click.Choice(ENGINES),
    default=None,
    help="Where posts are kept: whoosh (the default) or xapian (pip install "
    "'searcher[xapian]'); another engine than the index's rebuilds it.",
)
@click.option(
    "--shards",
    type=click.IntRange(1, 256),
    default=None,
    help="With --engine xapian: spread the posts over N shard databases, named in "
    "INDEX/xapian.stub (default: the index's, else 1).",
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
    engine: str | None,
    shards: int | None,
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
        build = {
            "jobs": jobs,
            "segmenter": segmenter,
            "user_dict": user_dict,
            "engine": engine,
            "shards": shards,
        }
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
            engine=engine,
            shards=shards,
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
            told = [*run.report.messages, *run.report.notices]  # as index_command tells
            for message in told:
                if message not in shown:
                    click.echo(message, err=True)
            shown.clear()
            shown.update(told)
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
