"""``searcher search``, ``stats``, ``suggest`` and ``related``: asking an index, results
printed for a terminal or as JSON."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

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
from searcher.snippets import SNIPPET_CHARS

if TYPE_CHECKING:
    pass

from searcher.cli.common import (
    _build,
    _echo_json,
    _one_line_errors,
    corpus_option,
    index_option,
    json_option,
    main,
)

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
