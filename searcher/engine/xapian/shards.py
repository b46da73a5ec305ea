"""Opening the shards of a Xapian index as one database, with failover.

A :class:`Handle` is one Xapian database over every shard that could be opened: local
folders, or for a remote stub each shard's first server that answers, in the stub's
order (its primary, then its replicas). Xapian searches the shards as one, with global
term statistics (Xapian's remote backend sends each shard's statistics to the client,
which weighs every shard's matches with the sums). A shard none of whose servers
answers is left out and named in :attr:`Handle.missing`: the results are then partial.

Xapian's objects are for one thread at a time: the engine keeps a pool of handles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import xapian

from ...errors import SearchIndexError
from .folder import Server, ShardSource

#: How long a remote shard may take to answer (ms) before its server counts as down:
#: Xapian's default is 10 s, too long for a reader waiting on a page.
REMOTE_TIMEOUT_MS = 3000
#: How long connecting to a server may take (ms).
CONNECT_TIMEOUT_MS = 1000
#: How often a handle over remote shards follows their commits (seconds): a reopen is a
#: round trip to every server (2 ms for 3 shards on loopback, 3 times per search), so a
#: remote index shows a commit within this time instead.
REMOTE_REOPEN_SECONDS = 1.0


@dataclass
class Handle:
    """One database over the shards: ``db``, ``chosen`` (for each shard, the source it
    was opened from, or None when none answered), ``missing`` (those shards' names) and
    ``parts`` (each shard opened: its name, database and place in the stub);
    ``reopened``: when it last followed its shards (``time.monotonic()`` seconds)."""

    db: xapian.Database
    chosen: tuple[str | None, ...]
    missing: tuple[str, ...] = ()
    parts: list[tuple[str, xapian.Database, int]] = field(default_factory=list)
    reopened: float = 0.0

    @property
    def key(self) -> tuple[str | None, ...]:
        """What the rows of this handle depend on: which copy of each shard it reads."""
        return self.chosen

    def close(self) -> None:
        """Close the database (its connections)."""
        try:
            self.db.close()
        except xapian.Error:
            pass


def _open_server(server: Server) -> xapian.Database:
    return xapian.remote_open(server.host, server.port, REMOTE_TIMEOUT_MS, CONNECT_TIMEOUT_MS)


def open_shards(sources: list[ShardSource], avoid: set[str] | None = None) -> Handle:
    """A :class:`Handle` over ``sources`` (a local index's shard folders, or a stub's
    shards), each remote shard from its first server that answers and is not in
    ``avoid`` (servers seen failing; tried last).

    :raises SearchIndexError: a local shard cannot be opened, or no shard at all
        answers (naming the servers tried).
    """
    avoid = avoid or set()
    db = xapian.Database()
    chosen: list[str | None] = []
    missing: list[str] = []
    errors: list[str] = []
    parts: list[tuple[str, xapian.Database, int]] = []
    for number, source in enumerate(sources):
        if source.path is not None:
            try:
                part = xapian.Database(str(source.path))
            except xapian.Error as exc:
                raise SearchIndexError(
                    f"{source.path}: cannot open shard: {exc.get_msg()}"
                ) from exc
            db.add_database(part)
            parts.append((f"shard {number} ({source.path})", part, number))
            chosen.append(str(source.path))
            continue
        order = sorted(source.servers, key=lambda s: str(s) in avoid)
        for server in order:
            try:
                part = _open_server(server)
            except xapian.Error as exc:
                errors.append(f"{server}: {exc.get_msg() or type(exc).__name__}")
                continue
            db.add_database(part)
            parts.append((f"shard {number} ({server})", part, number))
            chosen.append(str(server))
            break
        else:
            chosen.append(None)
            missing.append(f"shard {number} ({source})")
    if all(c is None for c in chosen):
        raise SearchIndexError("no shard answers: " + "; ".join(errors))
    return Handle(db, tuple(chosen), tuple(missing), parts)


def local_sources(folder: Path, paths: list[str]) -> list[ShardSource]:
    """The sources of a local index's shard folders (relative to ``folder``)."""
    return [ShardSource(folder / p) for p in paths]


__all__ = [
    "CONNECT_TIMEOUT_MS",
    "REMOTE_REOPEN_SECONDS",
    "REMOTE_TIMEOUT_MS",
    "Handle",
    "local_sources",
    "open_shards",
]
