"""``searcher serve`` and ``searcher widget``: the search page and API on waitress, and the
search box a site pastes into its theme."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from searcher.index import Index

if TYPE_CHECKING:
    pass

from searcher.cli.common import (
    _build,
    _one_line_errors,
    corpus_option,
    index_option,
    main,
)


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
@click.option(
    "--remote",
    "remote",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    metavar="STUB",
    help="Search the shards a stub file names (`remote HOST:PORT [REPLICA:PORT…]` a line, "
    'each served by xapian-tcpsrv; README "Shards") instead of --index; read-only.',
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
    remote: Path | None,
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

    if remote is not None:
        index_dir = remote
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
