"""Xapian's own servers for the tests of shards: ``xapian-tcpsrv`` serving a database on
a free loopback port, ``xapian-replicate-server`` and ``xapian-replicate`` making a
replica. Each server runs in a process group of its own and is killed with it (CI starts
and stops its own servers: Debian's ``xapian-tools``, installed by ``.ci/run``).

The benchmarks (``bench/shards.py``, ``bench/scale.py``) start their servers with this
module too, so it imports pytest only where a test needs it (:func:`need_tools`)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TOOLS = ("xapian-tcpsrv", "xapian-replicate", "xapian-replicate-server")


def need_tools() -> None:
    """Skip (fail under CI=true, where .ci/run installs them) without Xapian's servers."""
    import pytest

    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        reason = f"{', '.join(missing)} not installed (Debian package xapian-tools)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int, proc: subprocess.Popen[bytes], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


class Server:
    """A running server process (its own process group) on ``port``."""

    def __init__(self, args: list[str], port: int) -> None:
        self.port = port
        self.proc = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        _wait_listening(port, self.proc)

    @property
    def address(self) -> str:
        """``127.0.0.1:PORT``, as a stub names it."""
        return f"127.0.0.1:{self.port}"

    def kill(self) -> None:
        """Kill the server and everything in its process group (its forked children)."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=10)


@contextmanager
def servers() -> Iterator[list[Server]]:
    """A list to start servers into; every one is killed at the end."""
    started: list[Server] = []
    try:
        yield started
    finally:
        for server in started:
            server.kill()


def tcpsrv(database: Path) -> Server:
    """``xapian-tcpsrv`` serving ``database`` (read-only) on a free loopback port."""
    port = free_port()
    args = ["xapian-tcpsrv", "--interface", "127.0.0.1", "--port", str(port), str(database)]
    return Server(args, port)


def replicate(root: Path, name: str, replica: Path) -> None:
    """Copy the database ``root/name`` to ``replica`` with Xapian's replication protocol
    (``xapian-replicate-server`` serving ``root``, one pass of ``xapian-replicate``)."""
    port = free_port()
    server = Server(
        ["xapian-replicate-server", "--interface", "127.0.0.1", "-p", str(port), str(root)], port
    )
    try:
        subprocess.run(
            [
                "xapian-replicate",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-m",
                name,
                "-o",
                str(replica),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    finally:
        server.kill()


class Proxy:
    """A TCP relay on a free loopback port to ``target`` (a server's port) that, with
    ``die_after_greeting``, passes on the server's greeting and then closes every
    connection as the client first asks something: a server that dies right after a
    client connected (deterministically, unlike a kill). Stopped by :meth:`close`."""

    def __init__(self, target: int, die_after_greeting: bool = True) -> None:
        import threading

        self.target = target
        self.die = die_after_greeting
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = int(self.listener.getsockname()[1])
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def address(self) -> str:
        """``127.0.0.1:PORT``, as a stub names it."""
        return f"127.0.0.1:{self.port}"

    def _accept(self) -> None:
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            self.open += [client, server]
            threading.Thread(target=self._relay, args=(server, client, False), daemon=True).start()
            threading.Thread(
                target=self._relay, args=(client, server, self.die), daemon=True
            ).start()

    @staticmethod
    def _relay(source: socket.socket, sink: socket.socket, die: bool) -> None:
        try:
            while data := source.recv(65536):
                if die:
                    break
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self) -> None:
        """Stop listening and close every connection."""
        self.listener.close()
        for s in self.open:
            s.close()
