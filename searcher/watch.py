"""``searcher index --watch``: the index follows the site's folder (issue #23).

:func:`watch` runs one update, then watches the site with watchdog (inotify on Linux)
and runs the update again after each burst of changes, once the folder has been quiet
for :data:`QUIET_SECONDS`. What the index writes (its folder, also inside the site),
what ``jekyll build`` writes (the config's ``destination``, ``_site``), version control
and Jekyll's caches, and editors' temporary files are not changes (:class:`ChangeFilter`).
A run that fails (a locked index, a site folder gone for a moment) is reported and the
watch goes on; the next change tries again. It ends when its ``stop`` event is set,
between runs, never inside one: an update's commit is never cut short by a stop.

The first run is made before watchdog's thread starts, so that it may fork writers
(``--jobs``: no process forks beside other threads, see
:func:`searcher.engine.whoosh.segments.write_in_workers`); what changed while it ran is
found by comparing snapshots of the site (each file's inode, size and modification
time) taken before it and once the watch has started (0.5-0.8 s each for xwlb's
19,541 files, measured on this project's 2-core machine under load). The runs after it
write their posts in this process alone.
"""

from __future__ import annotations

import os
import queue
import re
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.utils.dirsnapshot import DirectorySnapshot, DirectorySnapshotDiff

from .errors import CorpusError, SearcherError
from .index import Index
from .site.config import load_config
from .site.options import SiteOptions

if TYPE_CHECKING:
    from .indexing import IndexReport

#: Seconds the site must stay quiet after its last change before a run starts. Measured
#: with ``bench/watch_bursts.py`` (inotify, this project's 2-core machine under a load
#: of 4-7, two runs, 2026-12-06): the longest pause between two changes of one
#: operation was 12-21 ms for ``cp -r`` and 7-12 ms for ``git checkout`` of
#: xwlb-small's 300 posts, 1 ms for an editor's atomic save, and 124-180 ms for
#: ``cp -r`` of xwlb's 19,541 posts (their 39,083 events took 3.7-4.1 s to arrive); a
#: second is 5.5× the longest, so one operation makes one run. A saved post is
#: searchable 1.6-1.9 s later: the quiet second, then 0.6-0.9 s of run on xwlb-small.
QUIET_SECONDS = 1.0

#: Seconds a burst of changes that never goes quiet may wait before it runs anyway
#: (the rest make the next run): 7× the longest burst measured, ``cp -r`` of xwlb's
#: 19,541 posts, whose events arrived over 3.7-4.1 s (``bench/watch_bursts.py``).
LONGEST_WAIT = 30.0

#: Seconds between two looks at the ``stop`` event while waiting for changes.
POLL_SECONDS = 0.1

#: The kinds of watchdog events that change what a run reads (an ``attrib`` event: a
#: file made readable or unreadable). Opening, reading and closing are not changes: a
#: run reads every post it has not seen, and must not wake the watch itself.
CHANGES = frozenset({"created", "modified", "deleted", "moved", "attrib"})

#: Folders whose content is never the site's (anywhere under it): version control, and
#: the caches ``jekyll build`` writes into the source (Jekyll 4's ``.jekyll-cache``, the
#: Sass converter's ``.sass-cache``).
IGNORED_FOLDERS = frozenset({".git", ".hg", ".svn", ".jekyll-cache", ".sass-cache"})

#: ``jekyll build --incremental``'s record, written into the source at each build.
IGNORED_FILES = frozenset({".jekyll-metadata"})

#: Editors' temporary files: Vim's swap files (``.x.md.swp``, ``.swo``, ``.swx``…) and
#: its write test ``4913``, backups (``x.md~``), Emacs's lock (``.#x.md``) and autosave
#: (``#x.md#``).
EDITOR_TEMP = re.compile(r"\.sw[a-p]$|~$|^\.#|^#.*#$|^4913$")


def editor_temp(name: str) -> bool:
    """True when the file name ``name`` is an editor's temporary file (:data:`EDITOR_TEMP`).

    >>> [editor_temp(n) for n in [".a.md.swp", "a.md~", ".#a.md", "#a.md#", "a.md", "4913"]]
    [True, True, True, True, False, True]
    """
    return EDITOR_TEMP.search(name) is not None


class ChangeFilter:
    """Which paths under the site are changes of the site.

    :param site: the site folder. :param index_dir: the index folder, ignored with
        everything under it when it lies in the site (an index folder that holds the
        site, its parent, is not: the site's own changes under it count).
    :param options: how the site is read: ``options.rendered`` (``--rendered``) is what a
        run reads of the built site, so it is watched (:attr:`roots`) rather than ignored.

    Ignored: the index folder; the config's ``destination`` (``_site``, as
    ``_config.yml`` says when the filter is made) unless ``--rendered`` reads it; any
    path through a folder of :data:`IGNORED_FOLDERS`; :data:`IGNORED_FILES`; editors'
    temporary files (:func:`editor_temp`).
    """

    def __init__(self, site: Path, index_dir: Path, options: SiteOptions) -> None:
        self.site = site.resolve()
        rendered = None if options.rendered is None else (site / options.rendered).resolve()
        destination = (self.site / load_config(site).destination).resolve()
        index = index_dir.resolve()
        self.ignored = [] if self.site.is_relative_to(index) else [index]
        if rendered != destination:
            self.ignored.append(destination)
        #: The folders to watch: the site, and a ``--rendered`` folder outside it.
        self.roots = [self.site]
        if rendered is not None and not rendered.is_relative_to(self.site):
            self.roots.append(rendered)

    def relevant(self, path: str) -> str | None:
        """``path`` (absolute, as watchdog reports it) relative to the site in POSIX
        form (absolute for a path outside it), or None when it is no change of the site.
        """
        full = Path(path)
        if any(full == root or full.is_relative_to(root) for root in self.ignored):
            return None
        base = next((r for r in self.roots if full.is_relative_to(r)), None)
        parts = full.relative_to(base).parts if base is not None else full.parts
        if any(part in IGNORED_FOLDERS for part in parts[:-1]):
            return None
        name = parts[-1] if parts else ""
        if name in IGNORED_FOLDERS or name in IGNORED_FILES or editor_temp(name):
            return None
        if base == self.site:
            return "/".join(parts) or "."
        return full.as_posix()


class _Handler(FileSystemEventHandler):
    """Puts the site-relative path of each change on ``changes`` (watchdog's thread)."""

    def __init__(self, changes: queue.SimpleQueue[str], where: ChangeFilter) -> None:
        self.changes = changes
        self.where = where

    def changed(self, path: str | bytes) -> None:
        """Put ``path`` on the queue if it is a change of the site."""
        found = self.where.relevant(os.fsdecode(path))
        if found is not None:
            self.changes.put(found)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type == "events_lost":  # the kernel's queue overflowed
            self.changes.put("(events lost)")
            return
        if event.event_type not in CHANGES:
            return
        if event.is_directory and event.event_type in ("modified", "attrib"):
            return  # a folder's own time changes with its files, which report themselves
        for path in filter(None, [event.src_path, getattr(event, "dest_path", "")]):
            self.changed(path)


@dataclass(frozen=True)
class WatchRun:
    """One run of a watch.

    number: 1 for the first run (made when the watch starts), then 2, 3…
    changes: the changed paths that started it, relative to the site (POSIX), sorted,
        each once (``(events lost)`` when the kernel dropped events); empty for run 1.
    report: the update's :class:`~searcher.indexing.IndexReport`, or None if it failed.
    error: why the run failed (the error's message; ``… locked …`` when another run
        held the index), else None.
    seconds: the run's wall time.
    """

    number: int
    changes: tuple[str, ...]
    report: IndexReport | None
    error: str | None
    seconds: float


def watch(
    site: str | os.PathLike[str],
    index_dir: str | os.PathLike[str],
    stop: threading.Event,
    *,
    update: Callable[[int], IndexReport] | None = None,
    on_run: Callable[[WatchRun], None] | None = None,
    options: SiteOptions | None = None,
    quiet: float = QUIET_SECONDS,
    longest: float = LONGEST_WAIT,
) -> int:
    """Update the index ``index_dir`` from the Jekyll site ``site`` now, then again
    after each burst of changes, until ``stop`` is set; returns the number of runs.

    :param stop: set it (from a signal handler, another thread) to end the watch: a
        run in progress finishes first (its commit is whole), waiting ends within
        :data:`POLL_SECONDS`.
    :param update: ``update(number)`` does run ``number`` and returns its report;
        default: :meth:`Index.build` with ``options``. An exception it raises is the
        run's ``error`` (a :class:`SearcherError`'s message, else its type and message),
        and the watch goes on.
    :param on_run: called with each :class:`WatchRun` after it ends (in this thread).
    :param options: how the site is read (and which built folder ``--rendered`` reads).
    :param quiet: seconds without a change before a run (:data:`QUIET_SECONDS`).
    :param longest: seconds from a burst's first change after which it runs even if
        changes go on (:data:`LONGEST_WAIT`).
    :raises CorpusError: ``site`` is not a folder, is the index folder itself (each
        commit would be a change of the site, or, ignored, every change would be), or
        cannot be watched (inotify's limit of watches, ``fs.inotify.max_user_watches``).

    A watched folder deleted and made anew (a deploy that replaces the site, ``rm -r``
    then ``git clone``) is watched again once it is back, within :data:`POLL_SECONDS`,
    and its return is a change (``.``): inotify's watch of a deleted folder is gone.
    """
    folder, options = Path(site), options or SiteOptions()
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    if folder.resolve() == Path(index_dir).resolve():
        raise CorpusError(f"the index folder is the site's folder {folder}: give it another")
    where = ChangeFilter(folder, Path(index_dir), options)
    run = update or (lambda number: Index.build(index_dir, folder, options=options))
    changes: queue.SimpleQueue[str] = queue.SimpleQueue()
    handler = _Handler(changes, where)
    before = [_snapshot(root) for root in where.roots]
    outcome = _run(1, (), run)
    if on_run is not None:
        on_run(outcome)
    observer = Observer()
    try:
        watched = _Watched(observer, handler, where.roots)
        observer.start()
    except OSError as exc:
        raise CorpusError(f"cannot watch {folder}: {exc}") from exc
    try:
        for root, old in zip(where.roots, before, strict=True):
            for path in _changed(root, old, _snapshot(root)):
                handler.changed(path)
        runs = 1
        batch = _burst(changes, stop, quiet, longest, watched.check)
        while batch is not None:
            runs += 1
            outcome = _run(runs, batch, run)
            if on_run is not None:
                on_run(outcome)
            batch = _burst(changes, stop, quiet, longest, watched.check)
        return runs
    finally:
        observer.stop()
        observer.join()


class _Watched:
    """The watched folders, each scheduled again when its folder is replaced.

    :raises OSError: from watchdog, a folder that cannot be watched at first.
    """

    def __init__(self, observer: BaseObserver, handler: _Handler, roots: list[Path]) -> None:
        self.observer, self.handler = observer, handler
        self.watches: dict[Path, tuple[tuple[int, int] | None, ObservedWatch | None]] = {
            root: (_identity(root), observer.schedule(handler, str(root), recursive=True))
            for root in roots
        }

    def check(self) -> None:
        """Watch again each folder whose identity changed (deleted, then made anew), and
        put it on the handler's queue as a change once it is back."""
        for root, (known, watch_) in list(self.watches.items()):
            now = _identity(root)
            if now == known:
                continue
            if watch_ is not None:
                try:
                    self.observer.unschedule(watch_)
                except KeyError:  # watchdog dropped it with the deleted folder
                    pass
                watch_ = None
            if now is not None:
                try:
                    watch_ = self.observer.schedule(self.handler, str(root), recursive=True)
                except OSError:
                    now = None  # not watchable yet: tried again at the next check
                else:
                    self.handler.changed(str(root))
            self.watches[root] = (now, watch_)


def _identity(root: Path) -> tuple[int, int] | None:
    """``root``'s device and inode, None when it is no folder now."""
    try:
        found = os.stat(root)
    except OSError:
        return None
    return (found.st_dev, found.st_ino) if stat.S_ISDIR(found.st_mode) else None


def _snapshot(root: Path) -> DirectorySnapshot | None:
    """Every file and folder under ``root`` with its inode, size and times; None when
    the folder cannot be walked now."""
    try:
        return DirectorySnapshot(str(root))
    except OSError:
        return None


def _changed(root: Path, old: DirectorySnapshot | None, new: DirectorySnapshot | None) -> list[str]:
    """The paths under ``root`` created, deleted, modified or moved from ``old`` to
    ``new``; ``root`` itself when either could not be taken (a run then reads it all)."""
    if old is None or new is None:
        return [str(root)]
    diff = DirectorySnapshotDiff(old, new)
    moved = [path for pair in [*diff.files_moved, *diff.dirs_moved] for path in pair]
    lists = [diff.files_created, diff.files_deleted, diff.files_modified, diff.files_attrib]
    paths = [
        *moved,
        *(p for found in [*lists, diff.dirs_created, diff.dirs_deleted] for p in found),
    ]
    return sorted({os.fsdecode(p) for p in paths})


def _run(number: int, changes: tuple[str, ...], run: Callable[[int], IndexReport]) -> WatchRun:
    """Run ``run(number)``, its failure caught as the outcome's ``error``."""
    started = time.monotonic()
    report, error = None, None
    try:
        report = run(number)
    except SearcherError as exc:
        error = str(exc)
    except Exception as exc:  # a failed run does not end the watch (issue #23)
        error = f"unexpected {type(exc).__name__}: {exc}"
    return WatchRun(number, changes, report, error, time.monotonic() - started)


def _burst(
    changes: queue.SimpleQueue[str],
    stop: threading.Event,
    quiet: float,
    longest: float,
    check: Callable[[], None],
) -> tuple[str, ...] | None:
    """The next burst of changes, once ``quiet`` seconds passed after its last change
    (or ``longest`` after its first); None when ``stop`` is set first. ``check()`` is
    called at each look: each change taken, and every :data:`POLL_SECONDS` without."""
    seen: set[str] = set()
    first = last = 0.0
    while not stop.is_set():
        check()
        now = time.monotonic()
        if seen and now >= min(last + quiet, first + longest):
            return tuple(sorted(seen))
        wait = min(last + quiet, first + longest) - now if seen else POLL_SECONDS
        try:
            path = changes.get(timeout=max(0.0, min(wait, POLL_SECONDS)))
        except queue.Empty:
            continue
        last = time.monotonic()
        if not seen:
            first = last
        seen.add(path)
    return None


__all__ = ["QUIET_SECONDS", "ChangeFilter", "WatchRun", "editor_temp", "watch"]
