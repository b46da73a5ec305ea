"""The ``searcher`` command group and what its commands share: the site options, the
``--index``, ``--corpus`` and ``--json`` options, one-line errors, progress and the
first build of an index."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from tqdm import tqdm

from searcher.errors import SearcherError
from searcher.index import Index
from searcher.site.options import DEFAULT_TIMEZONE, MAX_POST_BYTES, SiteOptions

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
    engine: str | None = None,
    shards: int | None = None,
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
            engine=engine,
            shards=shards,
        )
    finally:
        close()
