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

import json
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
#: How long a server that did not answer is tried last when a shard is opened (s): a
#: server that hangs (a stopped machine, a full backlog) costs REMOTE_TIMEOUT_MS to every
#: new handle that tries it first (measured: 4 threads searching at once with a hung
#: primary took 3.13 s each; tried last, 0.05 s); after this long it is tried first
#: again, once, so that a server back up takes its share again.
AVOID_SECONDS = 60.0
#: How often a handle over remote shards follows their commits (seconds): a reopen is a
#: round trip to every server (2 ms for 3 shards on loopback, 3 times per search), so a
#: remote index shows a commit within this time instead.
REMOTE_REOPEN_SECONDS = 1.0


@dataclass
class Handle:
    """One database over the shards: ``db``, ``chosen`` (for each shard, the source it
    was opened from, or None when none answered), ``missing`` (those shards' names) and
    ``parts`` (each shard opened: its name, database and place in the stub);
    ``reopened``: when it last followed its shards (``time.monotonic()`` seconds);
    ``described``: the description read then (``(reopened, bytes)``: read again only
    after the next reopen); ``states``: where each shard stood when last read
    (:func:`shard_states`); ``failed``: the servers that did not answer while it was
    opened; ``generations``: each shard's generation as its description names it
    (:func:`shard_states`)."""

    db: xapian.Database
    chosen: tuple[str | None, ...]
    missing: tuple[str, ...] = ()
    parts: list[tuple[str, xapian.Database, int]] = field(default_factory=list)
    reopened: float = 0.0
    described: tuple[float, bytes] = (-1.0, b"")
    states: tuple[object, ...] = ()
    failed: tuple[str, ...] = ()
    generations: tuple[int, ...] = ()

    @property
    def behind(self) -> tuple[str, ...]:
        """The shards read at an older commit than the newest of the others (a replica
        not yet up to date, or a shard whose part of an update is not committed yet):
        ``"shard K (copy) at generation G, the newest N"``."""
        newest = max(self.generations, default=-1)
        return tuple(
            f"{name} at generation {g}, the newest {newest}"
            for (name, _, _), g in zip(self.parts, self.generations, strict=True)
            if g < newest
        )

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


def shard_states(handle: Handle, key: str) -> tuple[object, ...]:
    """Where each shard of ``handle`` stands: a local shard's revision; a remote one's
    metadata ``key`` (the description, which every commit rewrites), document count and
    last document id (the remote backend gives no revision). Shards commit one by one,
    and replicas follow their masters one by one: what a search reads of the posts
    (a view of their columns) must be made anew when any shard moves, not only shard 0,
    whose metadata the whole database answers with. Sets ``handle.generations``."""
    out: list[object] = []
    generations = []
    for _, part, _ in handle.parts:
        raw = bytes(part.get_metadata(key))
        generations.append(_gen(raw))
        try:
            out.append(part.get_revision())
        except (xapian.UnimplementedError, xapian.InvalidOperationError):  # a remote shard
            out.append((raw, part.get_doccount(), part.get_lastdocid()))
    handle.generations = tuple(generations)
    return tuple(out)


def _open_server(server: Server) -> xapian.Database:
    return xapian.remote_open(server.host, server.port, REMOTE_TIMEOUT_MS, CONNECT_TIMEOUT_MS)


def open_shards(
    sources: list[ShardSource], avoid: set[str] | None = None, probe: str = "searcher.json"
) -> Handle:
    """A :class:`Handle` over ``sources`` (a local index's shard folders, or a stub's
    shards), each remote shard from its first server that answers and is not in
    ``avoid`` (servers seen failing; tried last). A server answers when it greets and
    then answers one request (the metadata ``probe``): one that accepts and dies, or
    greets and dies, is passed over here, not found dead by the first search. A copy at
    an older generation than another shard's (a replica not yet up to date) gives way
    to the shard's next server that is at the newest, if one answers.

    :raises SearchIndexError: a local shard cannot be opened, or no shard at all
        answers (naming the servers tried).
    """
    avoid = avoid or set()
    missing: list[str] = []
    errors: list[str] = []
    # each shard: (name, database, copy, generation of the copy), or None
    found: list[tuple[str, xapian.Database, str, int] | None] = []
    tried: list[list[Server]] = []
    for number, source in enumerate(sources):
        if source.path is not None:
            try:
                part = xapian.Database(str(source.path))
            except xapian.Error as exc:
                raise SearchIndexError(
                    f"{source.path}: cannot open shard: {exc.get_msg()}"
                ) from exc
            raw = part.get_metadata(probe)
            found.append((f"shard {number} ({source.path})", part, str(source.path), _gen(raw)))
            tried.append([])
            continue
        order = sorted(source.servers, key=lambda s: str(s) in avoid)
        found.append(None)
        tried.append(order)
        for k, server in enumerate(order):
            try:
                part = _open_server(server)
                raw = part.get_metadata(probe)
            except xapian.Error as exc:
                errors.append(f"{server}: {exc.get_msg() or type(exc).__name__}")
                continue
            found[number] = (f"shard {number} ({server})", part, str(server), _gen(raw))
            tried[number] = order[k + 1 :]
            break
        else:
            missing.append(f"shard {number} ({source})")
    if all(f is None for f in found):
        raise SearchIndexError("no shard answers: " + "; ".join(errors))
    newest = max(f[3] for f in found if f is not None)
    for number, entry in enumerate(found):  # a copy behind the others: a newer one?
        for server in tried[number] if entry is not None and entry[3] < newest else []:
            try:
                part = _open_server(server)
                generation = _gen(part.get_metadata(probe))
            except xapian.Error:
                continue
            if generation == newest:
                found[number] = (f"shard {number} ({server})", part, str(server), generation)
                break
    db = xapian.Database()
    parts: list[tuple[str, xapian.Database, int]] = []
    for number, entry in enumerate(found):
        if entry is not None:
            db.add_database(entry[1])
            parts.append((entry[0], entry[1], number))
    chosen = tuple(None if f is None else f[2] for f in found)
    failed = tuple(e.split(": ", 1)[0] for e in errors)
    return Handle(db, chosen, tuple(missing), parts, failed=failed)


def _gen(raw: bytes) -> int:
    """The generation a shard's description (metadata, JSON) names; -1 for none."""
    try:
        return int(json.loads(raw).get("generation", -1)) if raw else -1
    except (ValueError, TypeError, AttributeError):
        return -1


def local_sources(folder: Path, paths: list[str]) -> list[ShardSource]:
    """The sources of a local index's shard folders (relative to ``folder``)."""
    return [ShardSource(folder / p) for p in paths]


__all__ = [
    "AVOID_SECONDS",
    "CONNECT_TIMEOUT_MS",
    "REMOTE_REOPEN_SECONDS",
    "REMOTE_TIMEOUT_MS",
    "Handle",
    "local_sources",
    "open_shards",
    "shard_states",
]
