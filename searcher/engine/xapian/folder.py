"""The folder of a Xapian index: its shards, the stub that names them, the write lock and
the description file.

::

    INDEX/
      searcher.json     the description (a copy: the one committed with the posts is
                        the metadata ``searcher.json`` of shard 0)
      xapian.stub       a Xapian stub database: ``auto gen-G/shard-K``, one line a shard
      WRITELOCK         held (flock) by the one writer
      gen-G/shard-K/    shard K of generation G: a Xapian (glass) database

A generation folder holds the shards built with one set of analysis settings; a rebuild
writes ``gen-(G+1)`` beside it and replaces the stub in one rename, so readers keep the
old shards until they follow the stub. Posts are spread over shards by
:func:`shard_of`, a stable hash of their id, so that an update finds a post's shard
again and every copy of searcher puts it in the same one.

A *remote stub* names shards served by ``xapian-tcpsrv`` (:func:`read_stub`): Xapian's
stub syntax, a line a shard, where a ``remote`` line may name replicas of the shard
after its first server.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import SearchIndexError

META_FILE = "searcher.json"
STUB_FILE = "xapian.stub"
LOCK_FILE = "WRITELOCK"
_GENERATION = re.compile(r"^gen-(\d+)$")
_PARTS = re.compile(r"^parts-[0-9a-z_]+$")
_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$")


def shard_of(post_id: str, shards: int) -> int:
    """The shard (0 … ``shards`` − 1) of the post ``post_id``: the first 8 bytes of the
    SHA-1 of its UTF-8 bytes, big-endian, modulo ``shards`` (the same on every machine
    and Python; Python's ``hash`` of a str is not).

    >>> shard_of("_posts/2024-01-01-a", 3), shard_of("_posts/2024-01-01-c", 3)
    (0, 1)
    """
    digest = hashlib.sha1(post_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards


def shard_paths(generation: int, shards: int) -> list[str]:
    """The shard folders of ``generation``, relative to the index folder.

    >>> shard_paths(2, 2)
    ['gen-2/shard-0', 'gen-2/shard-1']
    """
    return [f"gen-{generation}/shard-{k}" for k in range(shards)]


def stub_text(paths: list[str]) -> str:
    """A Xapian stub naming local databases ``paths`` (relative to the stub's folder).

    >>> stub_text(["gen-1/shard-0"])
    'auto gen-1/shard-0\\n'
    """
    return "".join(f"auto {p}\n" for p in paths)


def current_paths(folder: Path) -> list[str]:
    """The shard folders the stub of ``folder`` names (relative paths; [] without one).

    :raises SearchIndexError: the stub names something else than a local shard.
    """
    try:
        text = (folder / STUB_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise SearchIndexError(f"{folder / STUB_FILE}: cannot read: {exc}") from exc
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        kind, _, rest = line.strip().partition(" ")
        if kind != "auto" or not rest.strip():
            raise SearchIndexError(f"{folder / STUB_FILE}, line {number}: not a local shard")
        out.append(rest.strip())
    return out


def generation_of(paths: list[str]) -> int:
    """The generation number of shard folders (-1 for none)."""
    if not paths:
        return -1
    match = _GENERATION.match(paths[0].split("/")[0])
    return int(match.group(1)) if match else -1


def write_file(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` in one rename after its bytes reach the disk.

    :raises SearchIndexError: it cannot be written (the old file is kept).
    """
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise SearchIndexError(f"{path}: cannot write: {exc}") from exc


def write_meta(folder: Path, description: dict[str, Any]) -> None:
    """Write the description file (a copy of what shard 0 holds)."""
    write_file(folder / META_FILE, json.dumps(description, ensure_ascii=False, indent=2))


def read_meta(folder: Path) -> dict[str, Any]:
    """The description file of ``folder`` ({} when missing or unreadable)."""
    try:
        raw = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return raw if isinstance(raw, dict) else {}


@contextlib.contextmanager
def write_lock(folder: Path) -> Iterator[None]:
    """Hold the index's write lock (``flock`` on :data:`LOCK_FILE`; the folder is made if
    missing) for the ``with`` block.

    :raises SearchIndexError: another writer holds it, or the folder cannot be written.
    """
    import fcntl

    path = folder / LOCK_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            code = errno.EROFS if os.statvfs(folder).f_flag & os.ST_RDONLY else errno.EACCES
            raise OSError(code, os.strerror(code))
        fd = os.open(path, os.O_CREAT | os.O_RDONLY, 0o644)
    except OSError as exc:
        raise SearchIndexError(f"{folder}: cannot write index: {exc.strerror or exc}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SearchIndexError(
                f"{folder}: locked: another run is updating this index"
            ) from None
        yield
    finally:
        os.close(fd)


def remove_generations(folder: Path, keep: int) -> list[str]:
    """Delete every generation folder but ``keep`` (a rebuild's old shards, or a killed
    build's new ones) and the workers' folders of a killed build (``parts-*``); their
    names."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in sorted(folder.iterdir()):
            match = _GENERATION.match(entry.name)
            stale = match is not None and int(match.group(1)) != keep
            if (stale or _PARTS.match(entry.name)) and entry.is_dir():
                remove_tree(entry)
                removed.append(entry.name)
    return removed


def remove_tree(path: Path) -> None:
    """Delete the folder ``path`` and everything in it, as far as it can (walked by
    path, bottom up: nothing of it is left to a later run that can be deleted now)."""
    for root, dirs, names in os.walk(path, topdown=False):
        for name in names:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(root, name))
        for name in dirs:
            with contextlib.suppress(OSError):
                os.rmdir(os.path.join(root, name))
    with contextlib.suppress(OSError):
        os.rmdir(path)


def next_generation(folder: Path) -> int:
    """A generation number above every generation folder of ``folder``."""
    numbers = [-1]
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            match = _GENERATION.match(entry.name)
            if match:
                numbers.append(int(match.group(1)))
    return max(numbers) + 1


@dataclass(frozen=True)
class Server:
    """One ``xapian-tcpsrv``: ``host`` (a name or an IP address, IPv6 without brackets)
    and ``port``."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class ShardSource:
    """Where one shard is read: a local database folder (``path``), or the ``servers``
    holding copies of it (the first the primary, the others replicas)."""

    path: Path | None
    servers: tuple[Server, ...] = ()

    def __str__(self) -> str:
        return str(self.path) if self.path is not None else " ".join(map(str, self.servers))


def read_stub(stub: Path) -> list[ShardSource]:
    """The shards a stub file names, a line each (blank lines and ``#`` comments left
    out): ``auto PATH`` or ``glass PATH`` (a local database, relative to the stub's
    folder), or ``remote HOST:PORT [HOST:PORT…]`` (Xapian's syntax for a database served
    by ``xapian-tcpsrv``, here with the shard's replicas after its first server).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "s.stub").write_text("remote 10.0.0.1:3333 10.0.0.2:3333\\nauto gen-1/shard-1\\n")
    >>> [str(s) for s in read_stub(d / "s.stub")][0]
    '10.0.0.1:3333 10.0.0.2:3333'

    :raises SearchIndexError: naming the stub and line: unreadable, an unknown kind, a
        server that is not ``HOST:PORT``, or no shard at all.
    """
    try:
        text = stub.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SearchIndexError(f"{stub}: cannot read the stub: {exc}") from exc
    out: list[ShardSource] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        kind, *rest = line.split()
        where = f"{stub}, line {number}"
        if kind in ("auto", "glass") and len(rest) == 1:
            out.append(ShardSource((stub.parent / rest[0]).resolve()))
        elif kind == "remote" and rest:
            servers = []
            for item in rest:
                match = _HOST_PORT.match(item)
                if not match or not 0 < int(match.group(2)) < 65536:
                    raise SearchIndexError(f"{where}: {item!r} is not HOST:PORT")
                servers.append(Server(match.group(1).strip("[]"), int(match.group(2))))
            out.append(ShardSource(None, tuple(servers)))
        else:
            raise SearchIndexError(
                f"{where}: expected `remote HOST:PORT [HOST:PORT…]` or `auto PATH`, not {line!r}"
            )
    if not out:
        raise SearchIndexError(f"{stub}: the stub names no shard")
    return out


__all__ = [
    "LOCK_FILE",
    "META_FILE",
    "STUB_FILE",
    "Server",
    "ShardSource",
    "current_paths",
    "generation_of",
    "next_generation",
    "read_meta",
    "read_stub",
    "remove_generations",
    "remove_tree",
    "shard_of",
    "shard_paths",
    "stub_text",
    "write_file",
    "write_lock",
    "write_meta",
]
