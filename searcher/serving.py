"""``searcher serve``'s waitress server, with limits for a public server.

Waitress's defaults suit a server behind a proxy: 100 connections, a 120-second
*inactivity* timeout, 256 KiB of headers and a 1 GiB body buffered whole before the
application sees the request. Open to the internet, 120 clients trickling one header
line every few seconds (a slowloris) hold every connection slot, since each stays
active, and one request can make the server buffer a gigabyte to answer 405.
:class:`ServeLimits` sets each for a public server, and :func:`make_server` adds what
waitress lacks:

* a *request timeout*: a connection must deliver each request whole (request line,
  headers and body) within ``request_timeout`` seconds of its first byte (or of the
  connection's opening), else it is closed, however steadily it trickles;
* a *send timeout*: a connection with an answer waiting that takes none of it for
  ``send_timeout`` seconds is closed (a client that pipelines requests for large answers
  and never reads them would otherwise park a worker thread on each connection, once
  waitress's output buffer is full, for as long as it keeps the socket open);
* a body cap enforced from the ``Content-Length`` header, before any of it is read
  (waitress answers 413 at once; a chunked body is cut at the cap): the application
  takes no request bodies;
* the security headers of :data:`searcher.web.SECURITY_HEADERS` on waitress's own
  error replies (400, 413, 431, 500…), as on the application's.

The figures (``bench/load.py`` with slow and heavy clients) and the reverse-proxy
settings that take slow clients off the server entirely are in README "Search page
and API".
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from .web import SECURITY_HEADERS


@dataclass(frozen=True)
class ServeLimits:
    """Limits of ``searcher serve`` (each a command-line option of the same name).

    :param connections: open connections at most (waitress's ``connection_limit``);
        past it the server accepts no new connection until one closes. Each takes a
        file descriptor.
    :param request_timeout: seconds a connection has to deliver a request whole,
        counted from its first byte (or from the connection's opening, for the first);
        a slower one is closed. Checked once a second.
    :param idle_timeout: seconds a kept-alive connection may stay idle between
        requests (waitress's ``channel_timeout``).
    :param max_header_bytes: the most bytes of request line and headers (a longer
        request is answered 431); the URL counts.
    :param max_body_bytes: the largest request body; a ``Content-Length`` of this or
        more is answered 413 before the body is read.
    :param send_timeout: seconds a connection with an answer waiting may go without
        taking any of it; then it is closed and the worker thread writing to it freed.
        Checked once a second.
    """

    connections: int = 1000
    request_timeout: float = 10.0
    idle_timeout: int = 30
    max_header_bytes: int = 32 * 1024
    max_body_bytes: int = 8 * 1024
    send_timeout: float = 10.0

    def adjustments(self) -> dict[str, Any]:
        """The waitress settings these limits stand for (keyword arguments of
        :class:`waitress.adjustments.Adjustments`)."""
        return {
            "connection_limit": self.connections,
            "channel_timeout": self.idle_timeout,
            "max_request_header_size": self.max_header_bytes,
            "max_request_body_size": self.max_body_bytes,
            "cleanup_interval": 1,  # seconds between checks of the timeouts
            "asyncore_use_poll": True,  # select() stops at file descriptor 1024
        }


class _SecureErrorTask(ErrorTask):  # type: ignore[misc]
    """Waitress's error reply with the application's security headers."""

    def execute(self) -> None:
        self.response_headers.extend(SECURITY_HEADERS.items())
        super().execute()


class _Channel(HTTPChannel):  # type: ignore[misc]
    """An HTTP connection that records when the request it is receiving began:
    ``request_began`` (``time.monotonic()``), None when it is not receiving one (idle
    between requests, or answering); and when the client last took bytes of an answer
    (``last_sent``)."""

    error_task_class = _SecureErrorTask

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.request_began: float | None = time.monotonic()  # the first request is due
        #: When it last took bytes of an answer, and since when one has been waiting.
        self.last_sent = 0.0
        self.waiting_since: float | None = None
        super().__init__(*args, **kwargs)

    def send(self, data: bytes, do_close: bool = True) -> int:
        sent = int(super().send(data, do_close=do_close))
        if sent:
            self.last_sent = time.monotonic()
        return sent

    def received(self, data: bytes) -> bool:
        before = self.request
        done = bool(super().received(data))
        if self.request is None:  # everything received made whole requests
            self.request_began = None
        elif self.request is not before:  # a new request began in this data
            if before is not None or self.request_began is None:
                self.request_began = time.monotonic()
        return done


class _Server(TcpWSGIServer):  # type: ignore[misc]
    """Waitress's TCP server whose maintenance also closes connections that take over
    ``request_timeout`` seconds to deliver a request."""

    channel_class = _Channel

    def __init__(
        self, *args: Any, request_timeout: float, send_timeout: float, **kwargs: Any
    ) -> None:
        self.request_timeout = request_timeout
        self.send_timeout = send_timeout
        super().__init__(*args, **kwargs)

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        moment = time.monotonic()
        cutoff = moment - self.request_timeout
        for channel in list(self.active_channels.values()):
            began = getattr(channel, "request_began", None)
            if began is not None and began < cutoff and not channel.requests:
                channel.will_close = True
            if not isinstance(channel, _Channel):
                continue
            if not channel.total_outbufs_len:
                channel.waiting_since = None
                continue
            if channel.waiting_since is None:
                channel.waiting_since = moment
            if moment - max(channel.last_sent, channel.waiting_since) > self.send_timeout:
                channel.handle_close()  # wakes a worker waiting to write to it


def make_server(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    threads: int = 8,
    limits: ServeLimits = ServeLimits(),  # noqa: B008  (frozen: one shared default is safe)
    ident: str = "searcher",
    proxy_headers: bool = False,
) -> Any:
    """A waitress server for the WSGI ``app`` on ``host``:``port`` (0: a free port,
    read back from the server's ``effective_port``) with ``threads`` worker threads
    and ``limits``; ``run()`` serves until interrupted, ``close()`` stops it.

    Waitress removes ``X-Forwarded-For``, ``-Host``, ``-Proto``, ``-Port``, ``-By`` and
    ``Forwarded`` from every request unless told to trust a proxy (its
    ``clear_untrusted_proxy_headers``); with ``proxy_headers`` (``searcher serve
    --proxy-fix``) it passes them on, for the app's ``ProxyFix``
    (:func:`searcher.web.create_app`) to honour.

    :raises OSError: the address cannot be bound.
    :raises ValueError: waitress cannot resolve ``host``.
    """
    adj = Adjustments(
        host=host,
        port=port,
        threads=threads,
        ident=ident,
        clear_untrusted_proxy_headers=not proxy_headers,
        **limits.adjustments(),
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(threads)
    sockets: dict[int, Any] = {}
    servers: list[_Server] = []
    try:
        for info in adj.listen:
            servers.append(
                _Server(
                    app,
                    sockets,
                    True,
                    None,
                    dispatcher=dispatcher,
                    adj=adj,
                    sockinfo=info,
                    request_timeout=limits.request_timeout,
                    send_timeout=limits.send_timeout,
                )
            )
    except BaseException:
        for server in servers:
            server.close()
        dispatcher.shutdown()
        raise
    if len(servers) == 1:
        return servers[0]
    listening = [(s.effective_host, s.effective_port) for s in servers]
    return MultiSocketServer(sockets, adj, listening, dispatcher, servers[-1].log_info)


__all__ = ["ServeLimits", "make_server"]
