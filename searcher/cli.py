"""The ``searcher`` command line.

Thin layer over the library: each command parses its options, calls one library
function and prints the result. Errors the library raises on purpose
(:class:`~searcher.errors.SearcherError`) become a one-line ``error: …`` message on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from searcher.errors import SearcherError
from searcher.posts import DEFAULT_TIMEZONE, check_corpus

#: Exit status for a missing or unreadable input (same as click's usage errors).
EXIT_INPUT_ERROR = 2


def _fail(message: str) -> None:
    """Print ``error: <message>`` on stderr and exit with status 2."""
    click.echo(f"error: {message}", err=True)
    raise click.exceptions.Exit(EXIT_INPUT_ERROR)


def _zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Asia/Shanghai``); a usage error when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"unknown time zone {name!r} (use an IANA name such as Asia/Shanghai)",
            param_hint="--timezone",
        ) from None


@click.group()
def main() -> None:
    """Full-text search for Chinese news sites built with Jekyll."""


@main.command()
@click.argument("corpus", type=click.Path(path_type=Path))
@click.option(
    "--timezone",
    "timezone",
    default=DEFAULT_TIMEZONE,
    show_default=True,
    help="Site time zone for post dates written without an offset.",
)
def check(corpus: Path, timezone: str) -> None:
    """Read every post under CORPUS and report what could not be read cleanly.

    Prints one line per warning, skipped file and duplicate, each starting with the
    file's path relative to CORPUS, then a summary line. Exit status 0 when the folder
    could be read (even if some posts were skipped), 2 when it is missing or unreadable.
    """
    zone = _zone(timezone)
    try:
        report = check_corpus(corpus, zone)
    except SearcherError as error:
        _fail(str(error))
        return
    for line in report.lines:
        click.echo(line)
    click.echo(report.summary())
