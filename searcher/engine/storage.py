"""What both engines' index folders need of the file system: the write lock, and a file
replaced in one rename."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import SearchIndexError


@contextlib.contextmanager
def write_lock(folder: Path, name: str) -> Iterator[None]:
    """Hold the index's write lock, ``flock`` on the file ``name`` in ``folder``, for the
    ``with`` block (the folder is made if missing).

    :raises SearchIndexError: another writer holds it (``locked``), or the folder cannot
        be written (a read-only folder or file system: nothing is changed).
    """
    import fcntl

    path = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Opened for reading once it exists (flock needs no more): closing a file opened
        # for writing is inotify's IN_CLOSE_WRITE, a change of the file to a watcher, so
        # `jekyll serve --watch` with the index in the site rebuilt, ran its hook and so
        # another run, each second for ever (issue #23, tests/test_hostile23.py).
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            code = errno.EROFS if os.statvfs(folder).f_flag & os.ST_RDONLY else errno.EACCES
            raise OSError(code, os.strerror(code))
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o644)
    except OSError as exc:
        raise SearchIndexError(f"{folder}: cannot write index: {exc.strerror or exc}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SearchIndexError(
                f"{folder}: locked: another run is updating this index"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` (UTF-8) in one rename after its bytes reach the disk;
    the temporary file is removed when it cannot be written (a full disk).

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


__all__ = ["write_atomic", "write_lock"]
