"""The index folder's own files: the write lock, the generations, and ``searcher.json``.

One lock covers every writer. Whoosh's ``MAIN_WRITELOCK`` (an ``flock`` on that file) is
taken for the whole of a run that writes: an incremental update, a ``--rebuild``, a new
user dictionary, segmenter or index format, and writing the metadata. A second writer,
in this process or another, fails at once with a message saying the index is locked.

Every change is a new Whoosh generation, committed by renaming its table of contents
(``_MAIN_<n>.toc``) into place; nothing else is ever renamed or deleted in the folder but
Whoosh's own files of old generations and the leftovers of a writer that died. A rebuild
with another schema is a new generation in the same folder, so a rebuild works on a mount
point, keeps the owner's files (a README, a ``.gitignore``) whatever step a kill
interrupts, and a reader sees the new generation's higher number.

``searcher.json`` describes the index (format, time zone, segmenter, dictionary, the
last run). It is committed with the postings it describes: before a new generation's
table of contents is written, the file is replaced by one that also holds the new
generation's description under ``"pending"``; after it, by the new description alone.
Readers take the description whose ``"generation"`` is the latest table of contents', so
a crash at any point leaves the description of the generation that readers search.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...errors import IndexFormatError, SearchIndexError
from .. import check_format, storage

META_FILE = "searcher.json"
#: Whoosh's write lock of the index named ``MAIN`` (``FileStorage.lock``'s file name).
LOCK_FILE = "MAIN_WRITELOCK"

_TOC = re.compile(r"^_MAIN_(\d+)\.toc$")
_SEGMENT_FILE = re.compile(r"^(MAIN_[0-9a-z]+)\.")
_TOC_TEMP = re.compile(r"^_MAIN_\d+\.toc\.[0-9.]+$")
_POOL_FOLDER = re.compile(r"^MAIN(?:_[0-9a-z]+)?\.tmp$")
#: The names of the data stored beside a generation (:func:`write_extra`), each as
#: ``searcher-NAME-N.bin``: the lexicon of :mod:`searcher.lexicon`. A file of that shape
#: with another name (``searcher-archive-2019.bin``) is the owner's, never removed.
EXTRAS = ("lexicon", "stories")
_EXTRA = re.compile(r"^searcher-(" + "|".join(EXTRAS) + r")-(\d+)\.bin(\.tmp)?$")
#: What a stored extra begins with, before the SHA-256 digest of its generation's table
#: of contents (:func:`write_extra`).
_EXTRA_MAGIC = b"searcher-extra 1\n"


def generation(folder: Path) -> int:
    """The latest generation whose table of contents is in ``folder`` (-1: none), from
    the file names alone (as Whoosh's ``TOC._latest_generation``), so that an index of
    an older format, whose table of contents this version cannot read, has one too."""
    latest = -1
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):  # no index there (yet)
        return -1
    for name in names:
        match = _TOC.match(name)
        if match:
            latest = max(latest, int(match.group(1)))
    return latest


def identity(folder: Path) -> tuple[int, ...]:
    """What changes with every commit, including one into an index built anew at the same
    path, and with every new description (a time zone recorded without a commit):
    ``(generation, inode and modification time in ns of the latest table of contents,
    inode and modification time in ns of searcher.json)``; ``(-1,)`` when there is no
    table of contents."""
    for _ in range(5):
        latest = generation(folder)
        if latest < 0:
            return (-1,)
        try:
            toc = os.stat(folder / f"_MAIN_{latest}.toc")
            meta = os.stat(folder / META_FILE)
        except FileNotFoundError:  # a commit deleted it just now: read the newer one
            continue
        return (latest, toc.st_ino, toc.st_mtime_ns, meta.st_ino, meta.st_mtime_ns)
    return (generation(folder),)


@contextlib.contextmanager
def write_lock(folder: Path) -> Iterator[None]:
    """Hold the index's write lock (:func:`searcher.engine.storage.write_lock` on
    :data:`LOCK_FILE`) for the ``with`` block."""
    with storage.write_lock(folder, LOCK_FILE):
        yield


def read_meta(folder: Path, format_version: int) -> dict[str, Any]:
    """The description of the generation readers search now (see the module).

    :raises SearchIndexError: the file is missing or unreadable.
    :raises IndexFormatError: the index is of another format, or its description does not
        match its latest generation (an index written by an older version).
    """
    for attempt in range(5):
        latest = generation(folder)
        raw = _load(folder)
        pending = raw.pop("pending", None)
        chosen: dict[str, Any] | None = None
        if raw.get("generation") == latest:
            chosen = raw
        elif isinstance(pending, dict) and pending.get("generation") == latest:
            chosen = pending
        if chosen is not None:
            if chosen.get("format") != format_version:
                break
            return chosen
        if raw.get("format") != format_version or generation(folder) == latest:
            break  # not a commit under way between the two reads
        time.sleep(0.005 * (attempt + 1))
    check_format(folder, (chosen or raw).get("format"), format_version)
    raise IndexFormatError(
        f"{folder / META_FILE}: describes generation {raw.get('generation')}, but the "
        f"index is at generation {latest}; rebuild it with `searcher index --rebuild`"
    )


def read_raw(folder: Path) -> dict[str, Any]:
    """``searcher.json`` as it is, without its pending part ({} when it is missing or
    cannot be read): what a writer keeps while it commits a new generation."""
    try:
        raw = _load(folder)
    except SearchIndexError:
        return {}
    raw.pop("pending", None)
    return raw


def _load(folder: Path) -> dict[str, Any]:
    path = folder / META_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SearchIndexError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(raw, dict):
        raise SearchIndexError(f"{path}: cannot read: not a JSON object")
    return raw


def write_meta(folder: Path, meta: dict[str, Any], pending: dict[str, Any] | None = None) -> None:
    """Replace ``searcher.json`` by ``meta`` (and ``pending``, the next generation's), in
    one rename after the bytes reach the disk. Call with the write lock held.

    :raises SearchIndexError: it cannot be written (the old file is kept).
    """
    body = dict(meta)
    body.pop("pending", None)
    if pending is not None:
        body["pending"] = pending
    storage.write_atomic(folder / META_FILE, json.dumps(body, ensure_ascii=False, indent=2))


def settle(folder: Path, meta: dict[str, Any]) -> None:
    """Rewrite ``searcher.json`` as ``meta`` alone (the description of the latest
    generation) when it still holds a pending part: of a commit that finished, or of one
    that never did. Call with the write lock held."""
    try:
        raw = _load(folder)
    except SearchIndexError:
        return
    if "pending" in raw:
        write_meta(folder, meta)


def discard_unborn(folder: Path, made: bool) -> None:
    """After a first build that failed before its first commit (no generation in
    ``folder``): remove what it left, the lock file and ``searcher.json`` included, and
    the folder itself when the build ``made`` it and nothing else is in it. The
    owner's files stay."""
    if generation(folder) >= 0:
        return
    remove_leftovers(folder, set())
    for name in (LOCK_FILE, META_FILE):
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    if made:
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty


def write_extra(folder: Path, name: str, number: int, data: bytes) -> None:
    """Store ``data`` as ``name`` (one of :data:`EXTRAS`) beside generation ``number``,
    bound to it: after :data:`_EXTRA_MAGIC` and the SHA-256 digest of that generation's
    table of contents, so that :func:`read_extra` never takes another index's file of
    the same generation number (a copy, a restored backup) for this one's. Written to a
    temporary file, flushed to the disk and renamed into place, so a reader finds the
    whole of it or nothing; the temporary file is removed when it cannot be written (a
    full disk); the copies of older generations are removed (with the write lock held).

    :raises ValueError: ``name`` is not in :data:`EXTRAS`.
    :raises OSError: it cannot be written, or generation ``number`` is gone.
    """
    if name not in EXTRAS:
        raise ValueError(f"an extra's name is one of {EXTRAS}, not {name!r}")
    stamp = _toc_digest(folder, number)
    path = folder / f"searcher-{name}-{number}.bin"
    temporary = path.with_name(path.name + ".tmp")
    try:
        with open(temporary, "wb") as out:
            out.write(_EXTRA_MAGIC + stamp)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    for entry in folder.iterdir():
        match = _EXTRA.match(entry.name)
        if match and match.group(1) == name and int(match.group(2)) < number:
            with contextlib.suppress(OSError):
                entry.unlink()


def read_extra(folder: Path, name: str, number: int) -> bytes | None:
    """The data stored as ``name`` beside generation ``number``, or None: none stored,
    unreadable, cut short, written by a version before the binding (no
    :data:`_EXTRA_MAGIC`), or bound to another table of contents (another index's)."""
    try:
        raw = (folder / f"searcher-{name}-{number}.bin").read_bytes()
        head = _EXTRA_MAGIC + _toc_digest(folder, number)
    except OSError:
        return None
    return raw[len(head) :] if raw.startswith(head) else None


def _toc_digest(folder: Path, number: int) -> bytes:
    """The SHA-256 digest (32 bytes) of generation ``number``'s table of contents, which
    holds its segments' random ids. Raises OSError."""
    return hashlib.sha256((folder / f"_MAIN_{number}.toc").read_bytes()).digest()


def remove_leftovers(folder: Path, live: set[str] | None) -> list[str]:
    """Delete the files of a writer that failed or was killed: segment files that the
    latest table of contents does not name (``live``, segment ids; None: it cannot be
    read, so no segment file is touched), temporary tables of contents, Whoosh's pool
    folders (``*.tmp``), ``searcher.json.tmp``, and the extras (:data:`EXTRAS`) of
    other generations than the latest or cut short. Call with the write lock held; the
    owner's files are never touched. Returns the names removed."""
    removed: list[str] = []
    try:
        entries = list(folder.iterdir())
    except OSError:  # not there, or not a folder: nothing of a writer's to remove
        return removed
    latest = generation(folder)
    for entry in entries:
        name = entry.name
        match = _SEGMENT_FILE.match(name)
        try:
            if match and live is not None and match.group(1) not in live and entry.is_file():
                entry.unlink()
            elif _TOC_TEMP.match(name) and entry.is_file():
                entry.unlink()
            elif _POOL_FOLDER.match(name) and entry.is_dir():
                shutil.rmtree(entry)
            elif name == META_FILE + ".tmp":
                entry.unlink()
            elif (extra := _EXTRA.match(name)) and (
                extra.group(3) or int(extra.group(2)) != latest
            ):
                entry.unlink()  # of an older generation, or a write cut short
            else:
                continue
        except OSError:
            continue
        removed.append(name)
    return removed


__all__ = [
    "discard_unborn",
    "EXTRAS",
    "LOCK_FILE",
    "META_FILE",
    "generation",
    "identity",
    "read_meta",
    "read_extra",
    "read_raw",
    "remove_leftovers",
    "settle",
    "write_lock",
    "write_extra",
    "write_meta",
]
