"""Load test of ``searcher serve`` on loopback: throughput, latency, errors and memory.

Usage (from the repository root)::

    .venv/bin/python bench/load.py [--index DIR] [--clients 20] [--seconds 60]
        [--page-share 0.2] [--json bench/results/load.json] [--queries bench/queries.txt]
        [--server-log FILE] [--seed N] [--timeout 30] [--startup-timeout 60]
        [--slowloris 0] [--heavy 0] [--heavy-tags 1000] [--server-command CMD]

It starts ``searcher serve --index DIR`` (the ``searcher`` next to this Python) on a free
port of 127.0.0.1, waits until it answers ``/``, sends one warm-up search (which opens the
index and fills caches; timed apart), then runs ``--clients`` threads for ``--seconds``
seconds. Each thread keeps one HTTP/1.1 keep-alive connection and loops: it picks a random
line of ``bench/queries.txt`` (235 valid requests: common, mid-frequency and rare words,
random substrings, quoted phrases, OR / -word / title:, category and tag filters, filters
without words, since/until, sort, page and limit, odd queries answered with a notice) and
GETs it from ``/api/search`` or, with probability ``--page-share``, from the HTML page ``/``.

Measured per request: latency (send to end of body, client side), HTTP status, and errors:
exceptions (connection reset, timeout…), a status other than 200, an API body that is not
a JSON object with ``hits``, a page that is not HTML or shows a query error. At the end it
reads the server's ``VmRSS`` (resident memory after the run) and ``VmHWM`` (peak) from
``/proc/PID/status``, stops the server, and prints a table (requests, requests/s, errors by
kind, p50/p90/p99/max latency in ms overall and per endpoint, RSS and peak RSS in MiB, the
slowest requests, tracebacks in the server's stderr) beside the targets: zero errors, p99
< 500 ms, server RSS < 600 MiB after the run. The same figures are written as JSON to
``--json`` (default ``bench/results/load.json``); the server's stderr (one log line per
request) is kept in ``--server-log`` (default: beside the JSON, ``load-server.log.tmp``;
git ignores ``bench/results/*.tmp``).

Hostile clients beside the ordinary ones (their requests are not in the figures above,
which are the ordinary clients' alone): ``--slowloris N`` opens N connections first and
keeps each trickling one header line every ``--trickle`` seconds (3 by default) without
ever ending the request, reconnecting when the server closes it (the figures report the
connections it held open and how often the server closed them); ``--heavy N`` runs N
threads that loop on the page ``/`` with ``--heavy-tags`` ``tag=`` values each (the
index's tags, then invented ones), reporting their statuses and latency. The ordinary
clients start one second after the slowloris connections, so that they need a free
connection slot. ``--server-command`` replaces ``searcher`` (e.g. another checkout's
``python -m searcher``) to measure the same load on other code.

The clients run in this process (threads, standard library only), so on a small machine
they take some CPU from the server. Exit status: 0 whatever the figures, 2 when the server
cannot start (no index at DIR, no ``searcher`` command, or it exits or does not answer).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlencode

from searcher.index import Index

BENCH = Path(__file__).resolve().parent
HOST = "127.0.0.1"
TARGET_ERRORS = 0
TARGET_P99_MS = 500.0
TARGET_RSS_MIB = 600.0
WARM_UP = [("q", "新闻")]
LOGGED_STATUS = re.compile(r'"[A-Z]+ \S* HTTP/[\d.]+" (\d{3}) ')  # werkzeug's request lines

Params = list[tuple[str, str]]


@dataclass
class Record:
    """One request as the client saw it."""

    endpoint: str  # "api" or "page"
    params: Params
    start: float  # seconds since the load started
    ms: float
    status: int  # 0 when no response came
    error: str | None


def read_queries(path: Path) -> list[Params]:
    """The requests of ``path``: one a line, ``name=value`` pairs joined by ``&``, literal."""
    out: list[Params] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pairs = [part.partition("=") for part in line.split("&")]
        out.append([(name, value) for name, _, value in pairs])
    return out


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def searcher_command() -> list[str]:
    """The ``searcher`` script of this Python's environment, else the one on ``PATH``."""
    beside = Path(sys.executable).with_name("searcher")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("searcher")
    if found:
        return [found]
    fail("no `searcher` command: install the project (pip install -e .) in this environment")


def fail(message: str) -> NoReturn:
    print(f"load.py: {message}", file=sys.stderr)
    sys.exit(2)


def tail(path: Path, lines: int = 15) -> str:
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])


def wait_until_up(proc: subprocess.Popen[bytes], port: int, log: Path, timeout: float) -> float:
    """Poll ``/`` until it answers 200; the seconds it took. Exits 2 when it never does."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            fail(f"searcher serve exited with status {proc.returncode}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=2) as resp:
                if resp.status == 200:
                    return time.monotonic() - start
        except (OSError, http.client.HTTPException):  # URLError is an OSError
            pass
        time.sleep(0.2)
    stop(proc)
    fail(f"searcher serve did not answer on port {port} within {timeout:g} s:\n{tail(log)}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # what Ctrl-C does: the server shuts down cleanly
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def memory_mib(pid: int) -> dict[str, float | None]:
    """``VmRSS`` and ``VmHWM`` of process ``pid`` in MiB (None where unreadable)."""
    out: dict[str, float | None] = {"rss_mib": None, "peak_rss_mib": None}
    keys = {"VmRSS": "rss_mib", "VmHWM": "peak_rss_mib"}
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return out
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name in keys:
            out[keys[name]] = round(int(value.split()[0]) / 1024, 1)  # kB
    return out


def check(endpoint: str, resp: http.client.HTTPResponse, body: bytes) -> str | None:
    """The kind of error of a response, or None when it is a good one."""
    if resp.status != 200:
        return f"HTTP {resp.status}"
    if endpoint == "api":
        try:
            data = json.loads(body)
        except ValueError:
            return "non-JSON body"
        if not isinstance(data, dict) or "hits" not in data:
            return "JSON without hits"
        return None
    if not (resp.getheader("Content-Type") or "").startswith("text/html"):
        return "non-HTML page"
    if b'class="error"' in body:
        return "query error on page"
    return None


def request(
    conn: http.client.HTTPConnection, endpoint: str, params: Params
) -> tuple[int, str | None, bool, float]:
    """GET one request: (status, error, keep the connection, latency ms)."""
    path = ("/api/search" if endpoint == "api" else "/") + "?" + urlencode(params)
    t = time.perf_counter()
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
    except (OSError, http.client.HTTPException) as exc:
        return 0, type(exc).__name__, False, (time.perf_counter() - t) * 1000
    ms = (time.perf_counter() - t) * 1000
    return resp.status, check(endpoint, resp, body), not resp.will_close, ms


def client(
    number: int,
    port: int,
    queries: list[Params],
    page_share: float,
    t0: float,
    deadline: float,
    timeout: float,
    seed: int,
    out: list[Record],
) -> None:
    """Loop until ``deadline`` (a ``perf_counter`` time), appending to ``out``."""
    rng = random.Random(seed * 1000 + number)
    conn: http.client.HTTPConnection | None = None
    while time.perf_counter() < deadline:
        params = rng.choice(queries)
        endpoint = "page" if rng.random() < page_share else "api"
        if conn is None:
            conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        start = time.perf_counter() - t0
        status, error, keep, ms = request(conn, endpoint, params)
        out.append(Record(endpoint, params, start, ms, status, error))
        if not keep:
            conn.close()
            conn = None
    if conn is not None:
        conn.close()


class Slowloris:
    """``count`` connections that each send a request line and then one header line
    every ``trickle`` seconds, never the blank line that ends the headers; a connection
    the server closes is opened again. ``open_now()`` counts those open; ``closed`` how
    many the server closed; ``refused`` the connections that could not be opened."""

    def __init__(self, port: int, count: int, trickle: float) -> None:
        self.port = port
        self.count = count
        self.trickle = trickle
        self.socks: list[socket.socket | None] = [None] * count
        self.closed = 0
        self.refused = 0
        self.peak_open = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def connect(self, i: int) -> None:
        try:
            sock = socket.create_connection((HOST, self.port), timeout=5)
            sock.sendall(b"GET /?q=slow HTTP/1.1\r\nHost: bench\r\n")
            self.socks[i] = sock
        except OSError:
            self.refused += 1
            self.socks[i] = None

    def open_now(self) -> int:
        return sum(s is not None for s in self.socks)

    def run(self) -> None:
        for i in range(self.count):
            self.connect(i)
        while not self.stopping.wait(self.trickle):
            for i, sock in enumerate(self.socks):
                if sock is None:
                    self.connect(i)
                    continue
                try:
                    sock.sendall(f"X-Slow-{i}: {time.monotonic():.0f}\r\n".encode())
                except OSError:
                    self.closed += 1
                    sock.close()
                    self.connect(i)
            self.peak_open = max(self.peak_open, self.open_now())

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=self.trickle + 10)
        for sock in self.socks:
            if sock is not None:
                sock.close()


def heavy_params(index: Path, count: int) -> Params:
    """A page request with ``count`` ``tag=`` values: the index's tags, then invented."""
    with Index.open(index) as ix:
        tags = list(ix.stats().tags)[:count]
    tags += [f"标签{i}" for i in range(count - len(tags))]
    return [("q", "新闻"), *(("tag", t) for t in tags)]


def heavy_client(
    port: int, params: Params, deadline: float, timeout: float, t0: float, out: list[Record]
) -> None:
    """Loop the heavy page request until ``deadline``; any status counts (a 400 or 431
    is the server refusing it, as it should)."""
    conn: http.client.HTTPConnection | None = None
    path = "/?" + urlencode(params)
    while time.perf_counter() < deadline:
        if conn is None:
            conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        start = time.perf_counter()
        status, error, keep = 0, None, False
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            status, keep = resp.status, not resp.will_close
        except (OSError, http.client.HTTPException) as exc:
            error = type(exc).__name__
        ms = (time.perf_counter() - start) * 1000
        out.append(Record("heavy", [], start - t0, ms, status, error))
        if not keep:
            conn.close()
            conn = None
    if conn is not None:
        conn.close()


def percentile(sorted_ms: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_ms:
        return None
    rank = max(1, -(-len(sorted_ms) * p // 100))  # ceil
    return round(sorted_ms[int(rank) - 1], 1)


def latency(records: list[Record]) -> dict[str, Any]:
    ms = sorted(r.ms for r in records)
    return {
        "requests": len(ms),
        "p50_ms": percentile(ms, 50),
        "p90_ms": percentile(ms, 90),
        "p99_ms": percentile(ms, 99),
        "max_ms": round(ms[-1], 1) if ms else None,
    }


def server_problems(log: Path) -> dict[str, Any]:
    """What the server's stderr shows: statuses of its request lines, tracebacks (the first
    in full)."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    statuses: dict[str, int] = {}
    for line in lines:
        logged = LOGGED_STATUS.search(line)
        if logged:
            statuses[logged.group(1)] = statuses.get(logged.group(1), 0) + 1
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
    first: list[str] = []
    if starts:
        for line in lines[starts[0] :]:
            first.append(line)
            if line and not line[0].isspace() and len(first) > 1:
                break  # the exception line ends the traceback
    return {
        "log": str(log),
        "log_lines": len(lines),
        "statuses_logged": dict(sorted(statuses.items())),
        "tracebacks": len(starts),
        "first_traceback": "\n".join(first) or None,
    }


def _statuses(records: list[Record]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in records:
        key = str(r.status) if not r.error else f"{r.status} {r.error}"
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))


def show(params: Params) -> str:
    """A request's parameters as written in queries.txt."""
    return "&".join(f"{name}={value}" for name, value in params)


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    return f"{value:,.1f}{unit}" if isinstance(value, float) else f"{value:,}{unit}"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("ok" if ok else "MISSED")


def print_table(report: dict[str, Any]) -> None:
    f = report["figures"]
    t = report["targets"]
    rows: list[tuple[str, str, str, str]] = [
        ("requests", fmt(f["requests"]), "", ""),
        ("requests/s", fmt(f["requests_per_s"]), "", ""),
        ("errors", fmt(f["errors"]), "0", verdict(t["zero_errors"])),
    ]
    rows += [(f"  {kind}", fmt(n), "", "") for kind, n in f["errors_by_kind"].items()]
    rows += [
        ("p50 latency", fmt(f["p50_ms"], " ms"), "", ""),
        ("p90 latency", fmt(f["p90_ms"], " ms"), "", ""),
        ("p99 latency", fmt(f["p99_ms"], " ms"), "< 500 ms", verdict(t["p99_under_500_ms"])),
        ("max latency", fmt(f["max_ms"], " ms"), "", ""),
    ]
    for name, e in report["endpoints"].items():
        rows.append(
            (
                f"  {name} ({e['requests']:,})",
                f"p50 {fmt(e['p50_ms'])} / p99 {fmt(e['p99_ms'])} / max {fmt(e['max_ms'])} ms",
                "",
                "",
            )
        )
    rss_ok = verdict(t["rss_under_600_mib"])
    rows += [
        ("server RSS after run", fmt(f["server_rss_mib"], " MiB"), "< 600 MiB", rss_ok),
        ("server peak RSS", fmt(f["server_peak_rss_mib"], " MiB"), "", ""),
        ("server tracebacks", fmt(report["server"]["tracebacks"]), "", ""),
    ]
    c = report["config"]
    print(
        f"searcher serve load test: {c['clients']} clients, {c['seconds']:g} s, "
        f"{c['page_share']:.0%} HTML page, index {c['index']}"
    )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    header = ("figure", "value", "target", "")
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    h = report["hostile"]
    if h["slowloris"]["connections"]:
        sl = h["slowloris"]
        print(
            f"slowloris: {sl['connections']} connections, a line every {sl['trickle_s']:g} s: "
            f"{sl['open_at_end']} open at the end (peak {sl['peak_open']}), "
            f"{sl['closed_by_server']} closed by the server, {sl['refused']} refused"
        )
    if h["heavy"]["threads"]:
        hv = h["heavy"]
        print(
            f"heavy: {hv['threads']} threads, {hv['tags_per_request']} tag= values "
            f"({hv['url_bytes']:,} bytes of URL): {hv['requests']:,} requests, "
            f"statuses {hv['statuses']}, p50 {fmt(hv['p50_ms'])} / p99 {fmt(hv['p99_ms'])} / "
            f"max {fmt(hv['max_ms'])} ms"
        )
    if not report["server_alive_after_run"]:
        print("the server had exited before the end of the run")
    print(f"server log: {report['server']['log']}")
    print("slowest requests:")
    for s in report["slowest"]:
        query = s["query"] if len(s["query"]) <= 60 else s["query"][:59] + "…"
        print(f"  {s['ms']:>9,.1f} ms  {s['endpoint']:<4} {query}")
    if report["server"]["first_traceback"]:
        print("first traceback in the server's stderr:")
        print(report["server"]["first_traceback"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", default="index", help="index folder (default: index)")
    ap.add_argument("--clients", type=int, default=20, help="client threads (default: 20)")
    ap.add_argument("--seconds", type=float, default=60, help="duration (default: 60)")
    ap.add_argument(
        "--page-share", type=float, default=0.2, help="share of requests to / (default: 0.2)"
    )
    ap.add_argument("--json", type=Path, default=BENCH / "results" / "load.json")
    ap.add_argument("--queries", type=Path, default=BENCH / "queries.txt")
    ap.add_argument(
        "--server-log", type=Path, help="the server's stderr (default: beside --json, .tmp)"
    )
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--timeout", type=float, default=30, help="per request, seconds")
    ap.add_argument("--startup-timeout", type=float, default=60, help="seconds")
    ap.add_argument("--slowloris", type=int, default=0, help="slow connections (default: 0)")
    ap.add_argument("--trickle", type=float, default=3.0, help="seconds between their lines")
    ap.add_argument("--heavy", type=int, default=0, help="heavy-request threads (default: 0)")
    ap.add_argument("--heavy-tags", type=int, default=1000, help="tag= values per heavy request")
    ap.add_argument("--server-command", help="command run instead of `searcher` (split as sh)")
    args = ap.parse_args()
    if args.clients < 1 or args.seconds <= 0 or not 0 <= args.page_share <= 1:
        ap.error("--clients must be ≥ 1, --seconds > 0, --page-share between 0 and 1")

    queries = read_queries(args.queries)
    index = Path(args.index)
    if not Index.exists(index):
        fail(f"no index in {index}: build one first (searcher index CORPUS --index {index})")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    log = args.server_log or args.json.with_name(args.json.stem + "-server.log.tmp")
    port = free_port()
    server = shlex.split(args.server_command) if args.server_command else searcher_command()
    heavy = heavy_params(index, args.heavy_tags) if args.heavy else []
    command = [*server, "serve", "--index", str(index), "--host", HOST]
    command += ["--port", str(port)]
    with log.open("wb") as err:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=err,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        startup_s = wait_until_up(proc, port, log, args.startup_timeout)
        idle = memory_mib(proc.pid)
        warm = http.client.HTTPConnection(HOST, port, timeout=args.timeout)
        warm_status, warm_error, _, warm_ms = request(warm, "api", WARM_UP)
        warm.close()

        slow = Slowloris(port, args.slowloris, args.trickle)
        if args.slowloris:
            slow.thread.start()
            time.sleep(1.0)  # its connections first: ordinary clients need a free slot
        records: list[list[Record]] = [[] for _ in range(args.clients)]
        heavy_records: list[list[Record]] = [[] for _ in range(args.heavy)]
        t0 = time.perf_counter()
        deadline = t0 + args.seconds
        hostile = [
            threading.Thread(
                target=heavy_client,
                args=(port, heavy, deadline, args.timeout, t0, heavy_records[i]),
                daemon=True,
            )
            for i in range(args.heavy)
        ]
        for thread in hostile:
            thread.start()
        threads = [
            threading.Thread(
                target=client,
                args=(i, port, queries, args.page_share, t0, deadline, args.timeout, args.seed),
                kwargs={"out": records[i]},
                daemon=True,
            )
            for i in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - t0
        for thread in hostile:
            thread.join()
        slow_open = slow.open_now()
        if args.slowloris:
            slow.stop()
        after = memory_mib(proc.pid)
        alive = proc.poll() is None
    finally:
        stop(proc)

    done = [r for rs in records for r in rs]
    errors: dict[str, int] = {}
    for r in done:
        if r.error:
            errors[r.error] = errors.get(r.error, 0) + 1
    errors = dict(sorted(errors.items(), key=lambda kv: -kv[1]))
    statuses: dict[str, int] = {}
    for r in done:
        statuses[str(r.status)] = statuses.get(str(r.status), 0) + 1
    overall = latency(done)
    failed = sum(errors.values())
    slowest = sorted(done, key=lambda r: -r.ms)[:8]
    figures = {
        "requests": len(done),
        "requests_per_s": round(len(done) / elapsed, 1),
        "errors": failed,
        "errors_by_kind": errors,
        "statuses": dict(sorted(statuses.items())),  # "0": no response
        **{k: v for k, v in overall.items() if k != "requests"},
        "server_rss_mib": after["rss_mib"],
        "server_peak_rss_mib": after["peak_rss_mib"],
    }
    rss, p99 = after["rss_mib"], overall["p99_ms"]
    report: dict[str, Any] = {
        "config": {
            "index": str(index),
            "clients": args.clients,
            "seconds": args.seconds,
            "page_share": args.page_share,
            "queries_file": str(args.queries),
            "queries": len(queries),
            "seed": args.seed,
            "command": command,
        },
        "figures": figures,
        "targets": {
            "zero_errors": failed == TARGET_ERRORS,
            "p99_under_500_ms": p99 if p99 is None else p99 < TARGET_P99_MS,
            "rss_under_600_mib": None if rss is None else rss < TARGET_RSS_MIB,
        },
        "endpoints": {
            name: latency([r for r in done if r.endpoint == name]) for name in ("api", "page")
        },
        "elapsed_s": round(elapsed, 2),
        "startup_s": round(startup_s, 2),
        "server_rss_before_mib": idle["rss_mib"],
        "warm_up": {
            "query": show(WARM_UP),
            "ms": round(warm_ms, 1),
            "status": warm_status,
            "error": warm_error,
        },
        "server_alive_after_run": alive,
        "hostile": {
            "slowloris": {
                "connections": args.slowloris,
                "trickle_s": args.trickle,
                "open_at_end": slow_open if args.slowloris else 0,
                "peak_open": slow.peak_open,
                "closed_by_server": slow.closed,
                "refused": slow.refused,
            },
            "heavy": {
                "threads": args.heavy,
                "tags_per_request": args.heavy_tags if args.heavy else 0,
                "url_bytes": len("/?" + urlencode(heavy)) if heavy else 0,
                "statuses": _statuses([r for rs in heavy_records for r in rs]),
                **latency([r for rs in heavy_records for r in rs]),
            },
        },
        "slowest": [
            {"ms": round(r.ms, 1), "endpoint": r.endpoint, "query": show(r.params)} for r in slowest
        ],
        "server": server_problems(log),
    }
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print_table(report)
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
