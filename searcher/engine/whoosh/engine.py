""":class:`WhooshEngine`: the :class:`searcher.engine.Engine` on a Whoosh index folder.

It owns the folder's Whoosh index and a small pool of Whoosh searchers. Searches run in
parallel, each on a searcher of its own; writes are serialised by the folder's write
lock, which also keeps other processes out (:mod:`.files`). Every search follows the
folder to its latest commit first (:meth:`WhooshEngine.sync`): searchers of an older one
are dropped and reopened.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh import writing as whoosh_writing
from whoosh.filedb.filestore import FileStorage

from ...analysis import UserWord, make_segmenter
from ...engine import EngineResult, EngineStats, Page, Sort, StoredPost, zone
from ...engine.pages import stats_of, story_units
from ...errors import SearcherError, SearchIndexError
from ...query.plan import Node, QueryPlan
from ...request import Filters
from ...site.records import Article
from ...stories import StoryGroups
from . import files
from .collect import facet_data, ids_by_docnum, run
from .compile import PhraseCache, compile_plan, share_memo, to_whoosh
from .evaluate import evaluate_arrays
from .legacy import read_schema
from .lexicon import word_frequencies
from .schema import WEIGHTING, fields_of, make_schema, open_columns, stored_post, word_tokenizer
from .segments import EmptyToc, SegmentWriter, write_in_workers

#: Most idle Whoosh searchers kept for reuse: one per concurrent request, so that a
#: busy server does not open and close a searcher per request (each holds a few open
#: files and its caches, not a copy of the index: segments are not compound files).
POOL_SIZE = 32


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
        return files.generation(self.folder)


class WhooshWriter:
    """The :class:`searcher.engine.EngineWriter` of a :class:`WhooshEngine`: Whoosh's
    segment writer (:class:`~.segments.SegmentWriter`), its posts analysed in forked
    workers (:func:`~.segments.write_in_workers`)."""

    def __init__(self, engine: WhooshEngine, timezone: dt.tzinfo) -> None:
        self.engine = engine
        self.timezone = timezone
        try:
            self._writer = SegmentWriter(engine._ix, _lk=False)
        except OSError as exc:
            raise SearchIndexError(f"{engine.folder}: cannot write index: {exc}") from exc

    def delete(self, post_id: str) -> None:
        """Delete the live post ``post_id`` (its ``id`` term; nothing when there is none)."""
        self._writer.delete_by_term("id", post_id)

    def add(
        self,
        articles: Sequence[Article],
        jobs: int = 1,
        progress: Callable[[int], None] | None = None,
        min_part: int = 1,
    ) -> None:
        """Analyse and add ``articles`` in up to ``jobs`` forked processes, each at least
        ``min_part`` posts; ``progress(n)`` after each ``n`` written."""
        workers = max(1, min(jobs, len(articles) // max(1, min_part)))
        size = max(1, -(-len(articles) // workers))
        parts: list[Sequence[Any]] = [
            articles[i : i + size] for i in range(0, len(articles), size)
        ] or [[]]
        tz = self.timezone
        write_in_workers(self._writer, parts, lambda a: fields_of(a, tz), progress)

    def commit(self, values: dict[str, Any], clear: bool = False) -> None:
        """Commit as a new generation described by the description plus ``values``;
        ``clear``: Whoosh's ``CLEAR`` merge, every older segment dropped in the same
        commit (a rebuild). :raises SearchIndexError: the description cannot be written."""
        self.engine._commit(self._writer, values, whoosh_writing.CLEAR if clear else None)

    def cancel(self) -> None:
        """Cancel even after a commit that failed halfway (Whoosh's ``cancel`` can
        raise then: its files are leftovers, removed by :meth:`WhooshEngine.remove_leftovers`)."""
        try:
            self._writer.cancel()
        except Exception:
            pass


class WhooshEngine:
    """One Whoosh index folder; see the module docstring. Use :meth:`open`, or
    :meth:`new_generation` for a new generation with new analysis settings.

    Attributes: ``folder``; ``description`` (``searcher.json`` of the generation it
    follows); ``timezone`` (from the description); ``segmenter`` (the one that cut the
    posts, with the index's user dictionary: it must cut query words too);
    ``user_words``; ``phrase_cache`` (the documents of common phrases, across searches).
    """

    def __init__(
        self, folder: Path, ix: Any, description: dict[str, Any], planned: bool = False
    ) -> None:
        self.folder = folder
        self._ix = ix
        self._planned = planned
        self._pool_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._pool: list[tuple[tuple[int, ...], Any]] = []
        self._caches: dict[str, Any] = {}
        self._story_units: tuple[Any, np.ndarray] = (None, np.zeros(0, dtype=np.int64))
        self.phrase_cache = PhraseCache()
        self._identity = (-1,) if planned else files.identity(folder)
        self._adopt(description, ix.schema)

    # -- lifecycle -----------------------------------------------------------------------

    @classmethod
    def open(cls, folder: Path, format_version: int) -> WhooshEngine:
        """The engine of the index in ``folder`` (its latest commit).

        :raises IndexFormatError: its ``searcher.json`` names another format.
        :raises SearchIndexError: it cannot be opened.
        """
        description = files.read_meta(folder, format_version)
        try:
            return cls(folder, whoosh_index.open_dir(str(folder)), description)
        except SearcherError:
            raise
        except Exception as exc:  # Whoosh raises several unrelated kinds here
            raise SearchIndexError(f"{folder}: cannot open index: {exc}") from exc

    @classmethod
    def new_generation(
        cls,
        folder: Path,
        description: dict[str, Any],
        segmenter: str,
        user_words: Sequence[UserWord],
    ) -> WhooshEngine:
        """An engine for a new generation of ``folder`` whose posts are cut by
        ``segmenter`` with ``user_words``, described by ``description``; nothing is
        written before its writer commits."""
        schema = make_schema(segmenter, tuple(user_words))
        return cls(folder, _NextGeneration(folder, schema), description, planned=True)

    @staticmethod
    def exists(folder: Path) -> bool:
        """True when ``folder`` holds a committed generation and its description."""
        return (folder / files.META_FILE).is_file() and files.generation(folder) >= 0

    @staticmethod
    def read_description(folder: Path, format_version: int | None = None) -> dict[str, Any]:
        """The description of ``folder``'s latest generation; with ``format_version``,
        checked (:func:`.files.read_meta`: :class:`IndexFormatError` for another
        format), else as it is ({} when unreadable)."""
        if format_version is None:
            return files.read_raw(folder)
        return files.read_meta(folder, format_version)

    @staticmethod
    def discard_unborn(folder: Path, made: bool) -> None:
        """Remove what a first build that failed left in ``folder`` (nothing when it
        has a committed generation; the folder too when ``made``): :func:`.files.discard_unborn`."""
        files.discard_unborn(folder, made)

    @staticmethod
    def old_user_words(folder: Path) -> tuple[UserWord, ...]:
        """The user dictionary of an index that cannot be opened as it is (an older
        format or folding), from its pickled schema; () when it cannot be read."""
        try:
            return word_tokenizer(read_schema(folder)).user_words
        except Exception:  # whatever an old or damaged index raises: none
            return ()

    def _adopt(self, description: dict[str, Any], schema: Any) -> None:
        self._settle(description)
        tokenizer = word_tokenizer(schema)
        self.segmenter_name = str(tokenizer.segmenter_name)
        self.user_words: tuple[UserWord, ...] = tokenizer.user_words
        self.segmenter = make_segmenter(self.segmenter_name, self.user_words)

    def _settle(self, description: dict[str, Any]) -> None:
        self.description = description
        self.timezone = zone(str(description.get("timezone", "UTC")))

    @property
    def planned(self) -> bool:
        """True for a new generation not committed yet: nothing to search."""
        return self._planned

    def generation(self) -> int:
        """The folder's latest Whoosh generation (-1 before the first commit)."""
        return files.generation(self.folder)

    def sync(self) -> tuple[int, ...]:
        """Follow the folder: when a commit or a rebuild (also one that began the index
        anew at the same path) has changed it since this object last looked, take the
        new generation's description, schema and time zone, and drop the searchers and
        caches of the old one. Returns the folder's :func:`.files.identity`.

        :raises IndexFormatError: the folder now holds an index of another format.
        """
        now = files.identity(self.folder)
        if now == self._identity or self._planned:
            return now
        with self._sync_lock:
            if now == self._identity:
                return now
            description = files.read_meta(self.folder, int(self.description["format"]))
            if description.get("created") != self.description.get("created"):  # new schema
                self._ix = whoosh_index.open_dir(str(self.folder))
                self._adopt(description, self._ix.schema)
            else:
                self._settle(description)
            with self._pool_lock:
                stale, self._pool = self._pool, []
                self._caches.clear()
                self._story_units = (None, self._story_units[1][:0])
            for _, s in stale:
                s.close()
            self._identity = now
        return now

    def close(self) -> None:
        """Close every pooled searcher."""
        with self._pool_lock:
            for _, s in self._pool:
                s.close()
            self._pool.clear()
            self._caches.clear()
            self._story_units = (None, self._story_units[1][:0])

    # -- searchers -----------------------------------------------------------------------

    @contextmanager
    def _searcher(self) -> Iterator[Any]:
        """Borrow an up-to-date Whoosh searcher (pooled; one thread at a time each)."""
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

    def _open_searcher(self, attempts: int = 5) -> Any:
        """A new Whoosh searcher on the latest commit.

        A commit from another thread or process can delete the table of contents this
        searcher is about to read (Whoosh keeps only the newest), or the column files
        of its segments before they are opened (:func:`.schema.open_columns`); then it
        tries again on the newer one.
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

    def _cached(self, s: Any, name: str, build: Callable[[Any], Any]) -> Any:
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

    # -- writing -------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the folder's write lock (:func:`.files.write_lock`) and follow the
        folder to its latest generation for the ``with`` block.

        :raises SearchIndexError: another run is writing, or the folder cannot be written.
        """
        with files.write_lock(self.folder):
            self.sync()
            if not self._planned:
                files.settle(self.folder, self.description)  # a commit cut short
            yield

    def digests(self) -> dict[str, str]:
        """``{id: digest}`` of every live post (read from columns)."""
        out: dict[str, str] = {}
        if self._planned:
            return out
        with self._searcher() as s:
            reader = s.reader()
            if reader.doc_count_all() == 0:
                return out
            ids = reader.column_reader("id")
            digests = reader.column_reader("digest")
            for docnum in reader.all_doc_ids():
                out[ids[docnum]] = digests[docnum]
        return out

    def writer(self, timezone: dt.tzinfo | None = None) -> WhooshWriter:
        """A writer of the next generation, its posts' years in ``timezone`` (the site
        time zone this commit records; default: the current one); the write lock must
        be held (:meth:`writing`)."""
        return WhooshWriter(self, timezone or self.timezone)

    def write_description(self, values: dict[str, Any]) -> None:
        """Record ``values`` in the current generation's description, with the write lock
        held; an unchanged description is not rewritten, so readers need not look again."""
        description = self._described(values, files.generation(self.folder))
        if description != self.description:
            files.write_meta(self.folder, description)
            self._settle(description)

    def write_extra(self, name: str, data: bytes) -> None:
        """Store ``data`` as ``name`` beside the latest generation (:func:`.files.write_extra`),
        with the write lock held. Raises OSError."""
        files.write_extra(self.folder, name, files.generation(self.folder), data)

    def read_extra(self, name: str) -> bytes | None:
        """The data stored as ``name`` beside the generation this object follows, or None."""
        return files.read_extra(self.folder, name, self._identity[0])

    def _commit(self, writer: Any, values: dict[str, Any], mergetype: Any = None) -> None:
        """Commit ``writer`` as a new generation described by this description plus
        ``values``, atomically with it (:mod:`.files`): the description is first written
        as pending, then the table of contents, then the description alone.

        :raises SearchIndexError: ``searcher.json`` cannot be written (nothing is
            committed then); OSError from the writer's commit.
        """
        description = self._described(values, writer.generation)
        files.write_meta(self.folder, files.read_raw(self.folder), pending=description)
        writer.commit(mergetype=mergetype)
        files.write_meta(self.folder, description)
        self._settle(description)

    def _described(self, values: dict[str, Any], number: int) -> dict[str, Any]:
        description = {**self.description, **values, "generation": number}
        if description.get("last_run"):
            description["last_run"] = {**description["last_run"], "generation": number}
        return description

    def remove_leftovers(self) -> list[str]:
        """Delete what no commit refers to: segment files, temporary tables of contents
        and pool folders of a writer that failed (a full disk) or was killed; the names
        removed. With the write lock held; Whoosh only cleans up after a successful
        commit, so without this a full disk would make every later update fail too."""
        live: set[str] | None = set()  # no generation yet: no segment file is live
        if files.generation(self.folder) >= 0:
            try:
                toc = whoosh_index.open_dir(str(self.folder))._read_toc()
                live = {seg.segment_id() for seg in toc.segments}
            except Exception:  # one this version cannot read: keep its segments
                live = None
        return files.remove_leftovers(self.folder, live)

    # -- reading -------------------------------------------------------------------------

    def search(
        self,
        plan: QueryPlan,
        filters: Filters,
        sort: Sort,
        page: Page,
        cpu_seconds: float,
        groups: StoryGroups | None = None,
        counted: bool = True,
    ) -> EngineResult:
        """Run ``plan`` (:func:`.collect.run`), collapsed with ``groups``, its facets
        counted unless ``counted`` is False."""
        query = compile_plan(plan, self.phrase_cache)
        with self._searcher() as s:
            units = self._units(s, groups) if groups is not None and groups.groups else None
            return run(
                s,
                query,
                plan.proximity,
                filters,
                sort,
                page,
                cpu_seconds,
                self._cached,
                self.timezone,
                units,
                counted,
            )

    def _units(self, s: Any, groups: StoryGroups) -> np.ndarray:
        """Each docnum's story group (:func:`searcher.engine.pages.story_units`), for the latest
        grouping of the searched generation only."""
        key = (s.reader().generation(), groups.token)
        with self._pool_lock:
            if self._story_units[0] == key:
                return self._story_units[1]
        units = story_units(self._cached(s, "ids", ids_by_docnum), groups)
        with self._pool_lock:
            self._story_units = (key, units)
        return units

    def count(self, node: Node) -> int:
        """How many live posts match ``node`` (evaluated term at a time, no filter)."""
        query = to_whoosh(node)
        share_memo(query, {}, self.phrase_cache)
        with self._searcher() as s:
            return len(evaluate_arrays(query, s)[0])

    def stored(self, post_id: str) -> StoredPost | None:
        """The live post ``post_id``'s stored fields, or None."""
        with self._searcher() as s:
            docnum = s.document_number(id=post_id)
            if docnum is None:
                return None
            return stored_post(s.stored_fields(docnum))

    def stats(self) -> EngineStats:
        """Counts over the live posts (facet postings and dates of this generation)."""
        with self._searcher() as s:
            live = set(s.reader().all_doc_ids())
            data = facet_data(s, self._cached, self.timezone)
        size = sum(p.stat().st_size for p in self.folder.iterdir() if p.is_file())
        return stats_of(data, live, size)

    def key_terms(self, post_id: str, limit: int = 10) -> list[tuple[str, float]]:
        """The post's most distinctive jieba words in its body (Whoosh's
        ``key_terms``, Bo1 model over the stored body), best first."""
        with self._searcher() as s:
            docnum = s.document_number(id=post_id)
            if docnum is None:
                return []
            return [(str(w), float(x)) for w, x in s.key_terms([docnum], "body", numterms=limit)]

    def word_frequencies(self) -> Mapping[str, int]:
        """The live posts' words and their document frequencies
        (:func:`.lexicon.word_frequencies`), read once per generation (0.5 s on xwlb's
        19,541 posts) and kept with the generation's other caches; empty before the
        first commit."""
        if self._planned:
            return {}
        with self._searcher() as s:
            words: Mapping[str, int] = self._cached(s, "words", word_frequencies)
        return words

    def headlines(self) -> Sequence[StoredPost]:
        """Every live post's stored fields but its body, read once per generation (0.5 s
        on xwlb's 19,541 posts) and kept with its other caches; () before the first
        commit."""
        if self._planned:
            return ()
        with self._searcher() as s:
            posts: Sequence[StoredPost] = self._cached(s, "headlines", _headlines)
        return posts


def _headlines(s: Any) -> tuple[StoredPost, ...]:
    reader = s.reader()
    out = []
    for docnum in reader.all_doc_ids():
        stored = dict(reader.stored_fields(docnum))
        stored["body"] = ""
        out.append(stored_post(stored))
    return tuple(out)


__all__ = ["POOL_SIZE", "WhooshEngine", "WhooshWriter", "zone"]
