"""The :class:`Index`: one search index on disk, and everything that reads or writes it.

An ``Index`` owns its Whoosh index and a small pool of Whoosh searchers. It is safe to
share between threads: searches run in parallel, each on a searcher of its own, and
updates are serialised by the index folder's write lock, which also keeps other processes
out (:mod:`searcher.folder`). Every search first follows the folder to its latest
commit (:meth:`Index.sync`): searchers of an older one are dropped and reopened.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from whoosh import index as whoosh_index
from whoosh import writing as whoosh_writing
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher

from .analysis import DEFAULT_SEGMENTER, SEGMENTERS, UserWord, make_segmenter, read_user_dict
from .analysis.segmenters import user_dict_digest
from .analysis.variants import script_table
from .documents import Document, document
from .errors import CorpusError, IndexFormatError, SearcherError, SearchIndexError
from .folder import (
    META_FILE,
    discard_unborn,
    generation,
    identity,
    read_meta,
    read_raw,
    settle,
    write_lock,
    write_meta,
)
from .query import PhraseCache
from .results_cache import RESULTS_CACHE_BYTES, RESULTS_CACHE_ENTRIES, ResultsCache, results_key
from .schema import WEIGHTING, make_schema, open_columns, segmenter_of, word_tokenizer
from .search import IndexStats, SearchResults, search, stats
from .segments import EmptyToc, SegmentWriter
from .site.options import DEFAULT_TIMEZONE, SiteOptions

if TYPE_CHECKING:
    from .indexing import IndexReport

#: Bumped whenever the schema or the analysis changes in a way old indexes cannot follow
#: (3: traditional → simplified folding, CJK punctuation breaks phrases, user dictionaries;
#: 5: ``searcher.json`` names the generation it describes, see :mod:`searcher.folder`).
FORMAT_VERSION = 5


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SearchIndexError(f"timezone: unknown time zone {name!r}") from exc


def _read_user_dict(
    path: str | os.PathLike[str] | None,
) -> tuple[tuple[UserWord, ...] | None, list[str], str]:
    """The words of the user dictionary at ``path`` (None: not given; ``""``: none), the
    warnings about its lines, and its name."""
    if path is None:
        return None, [], ""
    if str(path) == "":
        return (), [], ""
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SearchIndexError(f"--dict: cannot read {path}: {exc}") from exc
    words, warnings = read_user_dict(text, str(path))
    return words, warnings, str(path)


def _old_user_words(folder: Path) -> tuple[tuple[UserWord, ...], str]:
    """The user dictionary of an index that cannot be opened as it is (an older format
    or folding): from its pickled schema and ``searcher.json``, or none."""
    try:
        schema = whoosh_index.open_dir(str(folder)).schema
        words = word_tokenizer(schema).user_words
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        return words, str((meta.get("user_dictionary") or {}).get("source", ""))
    except Exception:  # whatever an old or damaged index raises: rebuild without one
        return (), ""


def _check_folding(folder: Path, meta: dict[str, Any]) -> None:
    folding = script_table().description
    if meta.get("folding") != folding:
        raise IndexFormatError(
            f"{folder}: built with traditional → simplified folding "
            f"{meta.get('folding')!r}, but this installation folds with {folding!r}; "
            "rebuild it with `searcher index --rebuild`"
        )


class _NextGeneration:
    """What Whoosh's writer reads of an index, for a new generation with ``schema`` and
    no segments in ``folder``: a new index, or a rebuild with another schema (segmenter,
    user dictionary, format), whose table of contents then replaces the latest one.
    Its generation is read when the writer starts, under the write lock."""

    indexname = "MAIN"

    def __init__(self, folder: Path, schema: Any) -> None:
        self.folder = folder
        self.storage = FileStorage(str(folder))
        self.schema = schema

    def _read_toc(self) -> Any:
        return EmptyToc(self.schema, self.latest_generation())

    def latest_generation(self) -> int:
        return generation(self.folder)


#: Most idle Whoosh searchers kept for reuse: one per concurrent request, so that a
#: busy server does not open and close a searcher per request (each holds a few open
#: files and its caches, not a copy of the index: segments are not compound files).
POOL_SIZE = 32

#: Answers kept per Index (least recently used dropped first), until the next commit:
#: at most this many, within RESULTS_CACHE_BYTES (searcher.results_cache).
RESULTS_CACHE = RESULTS_CACHE_ENTRIES

#: An update is isolated in a child process when another thread searched this recently.
BUSY_SECONDS = 10.0


def _child_main() -> None:
    """The child process of an isolated update (``python -c``, so no ``__main__`` of
    the parent is imported): reads its arguments as a pickle on stdin and writes
    pickled ``("progress", done, total)``, then ``("done", report)`` or
    ``("error", exception)`` messages on stdout (which nothing else may use)."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints go to stderr, never into the message stream
    path, corpus, jobs, rebuild, options, report_progress = pickle.load(sys.stdin.buffer)

    def send(*message: Any) -> None:
        pickle.dump(message, out)
        out.flush()

    try:
        with Index.open(path) as index:
            from .indexing import update_index  # (reads sites: searching never loads it)

            report = update_index(
                index,
                corpus,
                jobs=jobs,
                progress=(lambda done, total: send("progress", done, total))
                if report_progress
                else None,
                rebuild=rebuild,
                options=options,
            )
        send("done", report)
    except BaseException as exc:  # sent to the parent, which raises it
        if not isinstance(exc, SearcherError):
            exc = SearchIndexError(f"{path}: update failed: {type(exc).__name__}: {exc}")
        send("error", exc)


def _update_in_child(
    path: Path,
    corpus: Path,
    jobs: int,
    rebuild: bool,
    options: SiteOptions | None,
    progress: Callable[[int, int], None] | None,
) -> IndexReport:
    """Run :func:`update_index` in a new interpreter and relay its progress and report."""
    command = [sys.executable, "-c", "from searcher.index import _child_main; _child_main()"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as child:
        assert child.stdin is not None and child.stdout is not None
        args = (path.resolve(), corpus.resolve(), jobs, rebuild, options, progress is not None)
        pickle.dump(args, child.stdin)
        child.stdin.close()
        while True:
            try:
                message = pickle.load(child.stdout)
            except (EOFError, pickle.UnpicklingError):
                child.wait()
                raise SearchIndexError(
                    f"{path}: the update process died (exit status {child.returncode}); "
                    "the index is as its last commit left it"
                ) from None
            if message[0] == "progress" and progress is not None:
                progress(message[1], message[2])
            elif message[0] == "done":
                return cast("IndexReport", message[1])
            elif message[0] == "error":
                raise message[1]


class Index:
    """A search index stored in a folder.

    Use :meth:`open` for an existing index, :meth:`create` for a new one, or
    :meth:`open_or_create`. Then :meth:`update` it from a corpus folder and
    :meth:`search` it. Close it with :meth:`close` (or use it as a context manager).

    Attributes:
        path: the index folder.
        timezone: the site time zone (a :class:`zoneinfo.ZoneInfo`): posts without an
            offset are read in it, ``since``/``until`` days and the years facet use it.
        segmenter: the name of the segmenter that built the index (``"rjieba"``…).
    """

    def __init__(
        self, path: Path, ix: Any, meta: dict[str, Any], next_generation: bool = False
    ) -> None:
        self.path = path
        self._ix = ix
        self.meta = meta
        self._write_lock = threading.Lock()
        self._pool_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._pool: list[tuple[tuple[int, ...], Searcher]] = []
        self._caches: dict[str, Any] = {}
        self._last_search: dict[int, float] = {}  # thread id → when it last searched
        self._results = ResultsCache(RESULTS_CACHE_BYTES, RESULTS_CACHE)
        #: The documents of very common phrases, per segment, across searches.
        self.phrase_cache = PhraseCache()
        self._results_identity: tuple[int, ...] = (-1,)
        self._running: dict[tuple[Any, ...], threading.Event] = {}  # searches under way
        #: True for the index a new generation is being written into (not yet committed).
        self._next_generation = next_generation
        self._identity = (-1,) if next_generation else identity(path)
        self._take_meta(meta, ix.schema)

    def _take_meta(self, meta: dict[str, Any], schema: Any) -> None:
        """Adopt the description ``meta`` of a generation whose schema is ``schema``."""
        self._settle_meta(meta)
        self.segmenter = segmenter_of(schema)
        #: The user dictionary's words the index was built with (also cut query words).
        self.user_words: tuple[UserWord, ...] = word_tokenizer(schema).user_words
        #: The segmenter object that cuts query words (the kind that built the index,
        #: with its user dictionary).
        self.word_segmenter = make_segmenter(self.segmenter, self.user_words)

    # -- opening ---------------------------------------------------------------------

    @staticmethod
    def exists(path: str | os.PathLike[str]) -> bool:
        """True when ``path`` holds a searcher index (possibly a damaged one or one of
        an older format, which :meth:`open` then reports)."""
        return Path(path, META_FILE).is_file() and generation(Path(path)) >= 0

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Index:
        """Open the index in folder ``path``.

        Raises :class:`SearchIndexError` when there is no index there, and its subclass
        :class:`IndexFormatError` when it was built by an incompatible version of searcher
        or with another traditional → simplified table than the installed OpenCC gives
        (``searcher index`` rebuilds it).
        """
        folder = Path(path)
        if folder.exists() and not folder.is_dir():
            raise SearchIndexError(f"index path is not a folder: {folder}")
        if not cls.exists(folder):
            raise SearchIndexError(f"no index in {folder} (build one with `searcher index`)")
        meta = read_meta(folder, FORMAT_VERSION)
        _check_folding(folder, meta)
        try:
            ix = whoosh_index.open_dir(str(folder))
            return cls(folder, ix, meta)
        except SearcherError:
            raise
        except Exception as exc:  # Whoosh raises several unrelated kinds here
            raise SearchIndexError(f"{folder}: cannot open index: {exc}") from exc

    @classmethod
    def _planned(
        cls,
        folder: Path,
        segmenter: str,
        timezone: str,
        user_words: Sequence[UserWord],
        user_dict_source: str,
    ) -> Index:
        """An index for a new generation of ``folder`` with a new schema, not yet
        committed: what :meth:`create` commits empty and :meth:`build` fills."""
        if segmenter not in SEGMENTERS:
            raise SearchIndexError(
                f"segmenter must be one of {', '.join(SEGMENTERS)}, not {segmenter!r}"
            )
        _zone(timezone)
        meta = {
            "format": FORMAT_VERSION,
            "timezone": timezone,
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds"),
            **make_segmenter(segmenter).describe(),
            "folding": script_table().description,
            "user_dictionary": {
                "source": user_dict_source,
                "words": len(user_words),
                "sha1": user_dict_digest(user_words),
            }
            if user_words
            else None,
        }
        schema = make_schema(segmenter, tuple(user_words))
        return cls(folder, _NextGeneration(folder, schema), meta, next_generation=True)

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        segmenter: str = DEFAULT_SEGMENTER,
        timezone: str = DEFAULT_TIMEZONE,
        user_words: Sequence[UserWord] = (),
        user_dict_source: str = "",
    ) -> Index:
        """Create a new, empty index in folder ``path`` (made if missing). An index
        already there is replaced by the new one's first generation, in one commit under
        the write lock; files in the folder that are not the index's stay.

        :param segmenter: ``"rjieba"`` (default) or ``"jieba"``.
        :param timezone: the site time zone, an IANA name such as ``"Asia/Shanghai"``.
        :param user_words: a user dictionary's words
            (:func:`~searcher.analysis.read_user_dict`), stored in the index's schema and
            used for its documents and queries alike. :param user_dict_source: where
            they came from (a file name), recorded in ``searcher.json``.
        Raises :class:`SearchIndexError` for an unknown segmenter or time zone, a folder
        that cannot be written, or an index another run is writing (locked).
        """
        folder = Path(path)
        if folder.exists() and not folder.is_dir():
            raise SearchIndexError(f"index path is not a folder: {folder}")
        planned = cls._planned(folder, segmenter, timezone, user_words, user_dict_source)
        with planned.writing():
            try:
                writer = SegmentWriter(planned.whoosh, _lk=False)
            except OSError as exc:
                raise SearchIndexError(f"{folder}: cannot create index: {exc}") from exc
            try:
                planned.commit(writer, {}, mergetype=whoosh_writing.CLEAR)
            except BaseException:
                writer.cancel()
                raise
        return cls.open(folder)

    @classmethod
    def open_or_create(
        cls,
        path: str | os.PathLike[str],
        segmenter: str = DEFAULT_SEGMENTER,
        timezone: str = DEFAULT_TIMEZONE,
    ) -> Index:
        """Open the index in ``path``, or create it there if there is none."""
        if cls.exists(path):
            return cls.open(path)
        return cls.create(path, segmenter=segmenter, timezone=timezone)

    @classmethod
    def build(
        cls,
        path: str | os.PathLike[str],
        corpus: str | os.PathLike[str],
        *,
        rebuild: bool = False,
        segmenter: str | None = None,
        options: SiteOptions | None = None,
        jobs: int = 1,
        progress: Callable[[int, int], None] | None = None,
        user_dict: str | os.PathLike[str] | None = None,
    ) -> IndexReport:
        """Create or update the index in ``path`` from the Jekyll site ``corpus``: what
        ``searcher index`` does. Every way it can go leaves a searchable index behind.

        * No index yet, one of an old format or another traditional → simplified table,
          a user dictionary with other words than the index's, or a ``rebuild`` that
          cannot reuse the old one (another ``segmenter``, a damaged index): every post
          is written into a new generation with the new schema, committed in one step
          (:mod:`searcher.folder`). Until then the old index, if any, is searched; a
          failed or killed build leaves only files that no generation names (removed by
          the next run), and never touches files in the folder that are not the index's.
        * Otherwise an incremental update, or with ``rebuild`` a rewrite in one commit
          (Whoosh's ``CLEAR`` merge), also of a new time zone: see :meth:`update`.

        Either way the whole run holds the index's write lock.

        :param path: the index folder. :param corpus: the site folder.
        :param rebuild: rewrite everything. :param segmenter: ``"rjieba"`` or ``"jieba"``,
            for a new index or a rebuild; None: the index's own, else ``"rjieba"``.
        :param options: how the site is read.
        :param jobs: analysis processes. :param progress: ``progress(done, total)``.
        :param user_dict: a user dictionary file in jieba's format (``word [freq] [tag]``
            a line, UTF-8): its words are stored in the index and cut documents and
            queries alike; malformed lines are reported in the report's messages, each
            naming its line. ``None`` keeps the index's own dictionary (if any); ``""``
            removes it. A dictionary that changes the words re-segments every post.
        :returns: the :class:`IndexReport`.
        :raises CorpusError: ``corpus`` is missing (nothing is touched).
        :raises SearchIndexError: the index cannot be written, is locked, or (without
            ``rebuild``) is damaged; ``user_dict`` cannot be read.
        """
        folder, site = Path(path), Path(corpus)
        if folder.exists() and not folder.is_dir():
            raise SearchIndexError(f"index path is not a folder: {folder}")
        if not site.is_dir():  # before creating anything
            raise CorpusError(f"corpus folder not found: {site}")
        options = options or SiteOptions()
        words, notes, source = _read_user_dict(user_dict)
        old: Index | None = None
        if cls.exists(folder):
            try:
                old = cls.open(folder)
            except IndexFormatError as exc:
                notes.append(f"{exc}: rebuilding it")
                if words is None:  # keep the old index's user dictionary
                    words, source = _old_user_words(folder)
            except SearchIndexError:
                if not rebuild:
                    raise
        if old is not None:
            if words is None:  # keep the index's own dictionary
                words = old.user_words
                source = str((old.meta.get("user_dictionary") or {}).get("source", ""))
            if not rebuild or segmenter is None:
                segmenter = old.segmenter
            if old.segmenter == segmenter and old.user_words == words:
                with old:
                    report = old.update(
                        site,
                        jobs=jobs,
                        progress=progress,
                        rebuild=rebuild,
                        options=options,
                        isolate=False,
                    )
                report.messages[:0] = notes
                return report
            old.close()
        # The site's zone, else the index's, as for an update (README "Jekyll sites").
        recorded = old.meta.get("timezone") if old is not None else read_raw(folder).get("timezone")
        timezone = options.timezone or str(recorded or DEFAULT_TIMEZONE)
        segmenter = segmenter or DEFAULT_SEGMENTER
        planned = cls._planned(folder, segmenter, timezone, words or (), source)
        from .indexing import update_index

        made, unborn = not folder.exists(), generation(folder) < 0
        try:
            report = update_index(
                planned, site, jobs=jobs, progress=progress, options=options, rebuild=True
            )
        except BaseException:
            if unborn:  # a first build that failed leaves nothing behind
                discard_unborn(folder, made)
            raise
        report.messages[:0] = notes
        return report

    def close(self) -> None:
        """Close every pooled searcher. The object must not be used afterwards."""
        with self._pool_lock:
            for _, s in self._pool:
                s.close()
            self._pool.clear()
            self._caches.clear()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"

    # -- internals shared by indexing and querying ---------------------------------

    @property
    def whoosh(self) -> Any:
        """The underlying :class:`whoosh.index.FileIndex` (for advanced use)."""
        return self._ix

    @property
    def planned(self) -> bool:
        """True for an index whose new generation (a new schema) is being written and is
        not committed yet (:meth:`build`): it has nothing to search."""
        return self._next_generation

    def sync(self) -> tuple[int, ...]:
        """Follow the index folder: when a commit or a rebuild (also one that began the
        index anew at the same path) has changed it since this object last looked, take
        the new generation's description, schema and time zone, and drop the searchers
        and caches of the old one. Returns the folder's :func:`~searcher.folder.identity`
        (one ``listdir`` and one ``stat``).

        :raises IndexFormatError: the folder now holds an index this version cannot read.
        """
        now = identity(self.path)
        if now == self._identity or self._next_generation:
            return now
        with self._sync_lock:
            if now == self._identity:
                return now
            meta = read_meta(self.path, FORMAT_VERSION)
            if meta.get("created") != self.meta.get("created"):  # another schema
                _check_folding(self.path, meta)
                self._ix = whoosh_index.open_dir(str(self.path))
                self._take_meta(meta, self._ix.schema)
            else:
                self._settle_meta(meta)
            with self._pool_lock:
                stale, self._pool = self._pool, []
                self._caches.clear()
            for _, s in stale:
                s.close()
            self._identity = now
        return now

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """Borrow an up-to-date Whoosh searcher for the duration of a ``with`` block.

        Searchers are pooled; each is used by one thread at a time.
        """
        opened_on = self._identity
        with self._pool_lock:
            entry = self._pool.pop() if self._pool else None
        s = None
        if entry is not None:
            s = entry[1]
            if entry[0] != opened_on or not s.up_to_date():
                s.close()
                s = None
        if s is None:
            s = self._open_searcher()
        try:
            yield s
        finally:
            with self._pool_lock:
                if len(self._pool) < POOL_SIZE and opened_on == self._identity:
                    self._pool.append((opened_on, s))
                else:
                    s.close()

    def _open_searcher(self, attempts: int = 5) -> Searcher:
        """A new Whoosh searcher on the latest commit.

        A commit from another thread or process can delete the table of contents this
        searcher is about to read (Whoosh keeps only the newest), or the column files
        of its segments before they are opened (:func:`~searcher.schema.open_columns`);
        then it tries again on the newer one.
        """
        for attempt in range(attempts):
            try:
                s = self._ix.searcher(weighting=WEIGHTING)
            except FileNotFoundError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
                continue
            try:
                open_columns(s)
            except FileNotFoundError:
                s.close()
                if attempt == attempts - 1:
                    raise
                continue
            # Every file is open now; if no newer commit has come, none was deleted
            # before it was opened (a commit deletes old files after its new table of
            # contents is in place).
            if s.up_to_date() or attempt == attempts - 1:
                return s
            s.close()
        raise AssertionError("unreachable")

    def cached(self, s: Searcher, name: str, build: Callable[[Searcher], Any]) -> Any:
        """A value computed once per index generation (facet postings, dates…)."""
        key = f"{name}@{s.reader().generation()}"
        with self._pool_lock:
            if key in self._caches:
                return self._caches[key]
        value = build(s)
        with self._pool_lock:
            self._caches = {k: v for k, v in self._caches.items() if not k.startswith(name + "@")}
            self._caches[key] = value
        return value

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the index's write lock (:func:`searcher.folder.write_lock`, which keeps
        out every other writer, in this process or another) and follow the folder to
        its latest generation (:meth:`sync`) for the ``with`` block.

        :raises SearchIndexError: another run is writing the index, or the folder cannot
            be written.
        """
        with self._write_lock, write_lock(self.path):
            self.sync()
            if not self._next_generation:
                settle(self.path, self.meta)  # after a commit that was cut short
            yield

    def write_meta(self, **values: Any) -> None:
        """Record ``values`` in the description of the current generation
        (``searcher.json``), with the write lock held (:meth:`writing`); an unchanged
        description is not rewritten, so readers need not look again."""
        meta = self._described(values, generation(self.path))
        if meta != self.meta:
            write_meta(self.path, meta)
            self._settle_meta(meta)

    def commit(self, writer: Any, values: dict[str, Any], mergetype: Any = None) -> None:
        """Commit ``writer`` (a :class:`~searcher.segments.SegmentWriter` opened with the
        write lock held) as a new generation described by this index's description plus
        ``values``, atomically with it (see :mod:`searcher.folder`): the description is
        first written as pending, then the table of contents, then the description alone.

        :raises SearchIndexError: ``searcher.json`` cannot be written (nothing is
            committed then); OSError from the writer's commit.
        """
        meta = self._described(values, writer.generation)
        write_meta(self.path, read_raw(self.path), pending=meta)
        writer.commit(mergetype=mergetype)
        write_meta(self.path, meta)
        self._settle_meta(meta)

    def _described(self, values: dict[str, Any], number: int) -> dict[str, Any]:
        """This description plus ``values``, as generation ``number``'s."""
        meta = {**self.meta, **values, "generation": number}
        if meta.get("last_run"):
            meta["last_run"] = {**meta["last_run"], "generation": number}
        return meta

    def _settle_meta(self, meta: dict[str, Any]) -> None:
        """Take ``meta`` as this index's description, and its time zone."""
        self.meta = meta
        self.timezone = _zone(str(meta.get("timezone", DEFAULT_TIMEZONE)))

    # -- the public operations --------------------------------------------------------

    def update(
        self,
        corpus: str | os.PathLike[str],
        *,
        jobs: int = 1,
        progress: Callable[[int, int], None] | None = None,
        rebuild: bool = False,
        options: SiteOptions | None = None,
        isolate: bool | None = None,
    ) -> IndexReport:
        """Bring the index in line with the documents the Jekyll site ``corpus`` publishes.

        :param corpus: the corpus folder. :param jobs: analysis processes.
        :param progress: called as ``progress(done, total)`` while documents are written.
        :param rebuild: rewrite every post, dropping the old segments in the same commit.
        :param options: :class:`searcher.site.SiteOptions` (``drafts``, ``unpublished``,
            ``future``, ``all_files``, ``site_url``, ``timezone``); Jekyll's defaults.
        :param isolate: do the work in a child process (a new interpreter), so that
            the update and searches running in other threads of this process do not
            share one interpreter lock: measured in ``bench/update_vs_search.py``, four
            searching threads slowed an in-process update about 6×. None (default):
            isolate when another thread has searched this index in the last
            :data:`BUSY_SECONDS` seconds; costs about half a second to start the child.
        Returns an :class:`IndexReport`; raises :class:`CorpusError` for a missing folder,
        :class:`SearchIndexError` when the child process dies. See
        :func:`searcher.indexing.update_index`.
        """
        if isolate is None:
            isolate = self._busy()
        if not isolate:
            from .indexing import update_index

            return update_index(
                self, Path(corpus), jobs=jobs, progress=progress, rebuild=rebuild, options=options
            )
        with self._write_lock:  # the child takes the folder's write lock itself
            report = _update_in_child(self.path, Path(corpus), jobs, rebuild, options, progress)
        self.sync()
        return report

    def _busy(self) -> bool:
        """True when a thread other than this one searched within BUSY_SECONDS."""
        me, now = threading.get_ident(), time.monotonic()
        with self._pool_lock:
            return any(
                ident != me and now - when < BUSY_SECONDS
                for ident, when in self._last_search.items()
            )

    def search(
        self,
        query: str = "",
        *,
        categories: Sequence[str] = (),
        tags: Sequence[str] = (),
        types: Sequence[str] = (),
        since: str | dt.date | None = None,
        until: str | dt.date | None = None,
        sort: str = "relevance",
        limit: int = 10,
        page: int = 1,
        recency: float | None = None,
    ) -> SearchResults:
        """Search the index; the parameters are those of :func:`searcher.search.search`.

        ``categories``, ``tags`` and ``types`` are sequences of values; a single string is
        one value. Recent answers are kept until the next commit (at most
        :data:`RESULTS_CACHE` of them, within ``RESULTS_CACHE_BYTES`` bytes, keyed on
        the parameters that change the answer: :mod:`searcher.results_cache`): the same
        search again is answered from them (a copy, so callers may change it), and a
        search asked again while it runs waits for that run instead of repeating it.
        Returns :class:`SearchResults`; raises :class:`QueryError` naming a bad parameter.
        """
        cats, tag_values, type_values = (
            (value,) if isinstance(value, str) else tuple(value)
            for value in (categories, tags, types)
        )
        key = results_key(
            query, cats, tag_values, type_values, since, until, sort, limit, page, recency
        )
        generation = self.sync()
        while True:
            with self._pool_lock:
                self._last_search[threading.get_ident()] = time.monotonic()
                if self._results_identity != generation:
                    self._results.clear()
                    self._results_identity = generation
                cached = self._results.get(key)
                if cached is not None:
                    return cached
                running = self._running.get(key)
                if running is None:  # this thread computes it; others asking wait for it
                    running = self._running[key] = threading.Event()
                    break
            running.wait()  # then read the answer from the cache (or compute it, if
            # the thread that ran it failed or a commit came in between)
        try:
            results = search(
                self,
                query,
                categories=cats,
                tags=tag_values,
                types=type_values,
                since=since,
                until=until,
                sort=sort,
                limit=limit,
                page=page,
                recency=recency,
            )
            with self._pool_lock:
                if self._results_identity == generation:
                    self._results.put(key, results)
        finally:
            with self._pool_lock:
                del self._running[key]
            running.set()
        return results

    def document(self, doc_id: str, query: str = "") -> Document | None:
        """The post ``doc_id`` whole, with ``query``'s matches highlighted, or None when
        no live post has that id; see :func:`searcher.documents.document`."""
        self.sync()
        return document(self, doc_id, query)

    def stats(self) -> IndexStats:
        """Counts and facts about the index; see :func:`searcher.search.stats`."""
        self.sync()
        return stats(self)
