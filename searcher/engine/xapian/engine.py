""":class:`XapianEngine`: the :class:`searcher.engine.Engine` on Xapian databases, one per
shard, local (:mod:`.folder`) or served by ``xapian-tcpsrv`` (a remote stub).

Searching: the plan is compiled to a Xapian query (:mod:`.compile`) and run over every
shard as one database (:mod:`.shards`): Xapian's BM25 (``k1`` 1.2, ``b`` 0.75, as the
Whoosh engine's BM25F) with global statistics, every match and its weight handed back;
then the filters, facet counts, ordering rules, collapse and page of
:mod:`searcher.engine.pages`, the same code as the Whoosh engine's, over the
generation's columns (:mod:`.view`).

How its scores differ from the Whoosh engine's BM25F: Xapian normalises by the length of
the whole document (every field's terms), not per field, and has no per-field ``b``
(labels get ``b`` 0.75, not 0); its idf is ``log((N − n + ½)/(n + ½))`` (floored), not
Whoosh's ``log(N/(n+1)) + 1``. The tiers, proximity, recency and tie-breaks are
searcher's own and the same. A remote shard that dies mid-search is replaced by its
next server (:mod:`.shards`) and the search run again; with no copy of a shard left the
results are partial (:attr:`~searcher.engine.EngineResult.partial`).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import xapian

from ...analysis import UserWord, make_segmenter
from ...engine import EngineResult, EngineStats, Page, Sort, StoredPost, check_format, zone
from ...engine.pages import Rows, page_of, stats_of, story_units
from ...errors import IndexFormatError, SearchIndexError
from ...query import plan as qp
from ...ranking import MAX_POSITIONS, Positions, near
from ...request import Filters
from ...stories import StoryGroups
from . import folder as layout
from .compile import idf_of, to_xapian
from .shards import (
    AVOID_SECONDS,
    REMOTE_REOPEN_SECONDS,
    Handle,
    local_sources,
    open_shards,
    shard_states,
)
from .terms import PREFIXES, bigram_terms, stored_post
from .view import View, make_view
from .writer import DESCRIPTION_KEY, EXTRA_KEY, SHARD_KEY, XapianWriter

#: Most idle handles kept for reuse (one per concurrent request).
POOL_SIZE = 16
#: Xapian's BM25: k1, k2, k3, b, min_normlen (k1 and b as the Whoosh engine's).
BM25 = (1.2, 0.0, 1.0, 0.75, 0.5)
#: Searches tried again on another copy of a shard after a server fails.
RETRIES = 3


def _user_words(raw: Any) -> tuple[UserWord, ...]:
    return tuple(UserWord(*w) for w in raw or ())


class XapianEngine:
    """A Xapian index: a local folder (:mod:`.folder`) or a remote stub file. See the
    module docstring. Use :meth:`open` or :meth:`new_generation`."""

    def __init__(
        self,
        folder: Path,
        description: dict[str, Any],
        planned: bool = False,
        stub: Path | None = None,
    ) -> None:
        self.folder = folder
        self.stub = stub
        self._planned = planned
        self._lock = threading.Lock()
        self._pool: list[Handle] = []
        self._failing: dict[str, float] = {}  # server → when it last did not answer
        self._views: dict[Any, View] = {}
        # the last description read: ((metadata, file key), (description, its digest))
        self._described: tuple[Any, tuple[dict[str, Any], int]] | None = None
        self._identity: tuple[int, ...] = (-1,)
        self._stub_key: tuple[int, ...] = ()
        self._paths: list[str] = []
        self._planned_paths: list[str] = []
        self._adopt(description)
        if planned:
            shards = int(description.get("shards", 1))
            number = layout.next_generation(folder)
            self._planned_paths = layout.shard_paths(number, shards)

    # -- lifecycle -----------------------------------------------------------------------

    @classmethod
    def open(cls, folder: Path, format_version: int) -> XapianEngine:
        """The engine of the index in ``folder``, or of the shards a stub file names.

        :raises IndexFormatError: another format. :raises SearchIndexError: no shard
            can be opened.
        """
        stub = folder if folder.is_file() else None
        engine = cls(folder, {"format": format_version}, stub=stub)
        engine.sync()
        try:
            check_format(folder, engine.description.get("format"), format_version)
        except IndexFormatError:
            engine.close()
            raise
        return engine

    @classmethod
    def new_generation(
        cls,
        folder: Path,
        description: dict[str, Any],
        segmenter: str,
        user_words: Sequence[UserWord],
    ) -> XapianEngine:
        """An engine for a new generation of ``folder`` (``description["shards"]``
        shards, default 1), nothing written before its writer commits."""
        described = {
            **description,
            "segmenter_name": segmenter,
            "user_words": [list(w) for w in user_words],
            "shards": int(description.get("shards") or 1),
        }
        return cls(folder, described, planned=True)

    @staticmethod
    def exists(folder: Path) -> bool:
        """True when ``folder`` holds a stub and a description (or is a stub file)."""
        if folder.is_file():
            return True
        return (folder / layout.STUB_FILE).is_file() and (folder / layout.META_FILE).is_file()

    @staticmethod
    def read_description(folder: Path, format_version: int | None = None) -> dict[str, Any]:
        """The description file of ``folder`` ({} when unreadable); with
        ``format_version``, checked (:class:`IndexFormatError` for another)."""
        raw = layout.read_meta(folder)
        if format_version is not None:
            check_format(folder, raw.get("format"), format_version)
        return raw

    @staticmethod
    def discard_unborn(folder: Path, made: bool) -> None:
        """Remove what a first build that failed left (the folder too when ``made``)."""
        if (folder / layout.STUB_FILE).exists():
            return
        layout.remove_generations(folder, -1)
        for name in (layout.LOCK_FILE, layout.META_FILE):
            try:
                (folder / name).unlink()
            except OSError:
                pass
        if made:
            try:
                folder.rmdir()
            except OSError:
                pass

    @staticmethod
    def old_user_words(folder: Path) -> tuple[UserWord, ...]:
        """The user dictionary recorded in ``folder``'s description."""
        try:
            return _user_words(layout.read_meta(folder).get("user_words"))
        except (TypeError, ValueError):
            return ()

    def _adopt(self, description: dict[str, Any]) -> None:
        self.description = description
        self.timezone = zone(str(description.get("timezone", "UTC")))
        name = str(description.get("segmenter_name") or description.get("segmenter") or "rjieba")
        words = _user_words(description.get("user_words"))
        if getattr(self, "segmenter_name", None) != name or self.user_words != words:
            self.segmenter_name = name
            self.user_words: tuple[UserWord, ...] = words
            self.segmenter = make_segmenter(name, words)

    @property
    def planned(self) -> bool:
        """True for a new generation not committed yet."""
        return self._planned

    @property
    def read_only(self) -> bool:
        """True for an index opened from a stub file (remote shards)."""
        return self.stub is not None

    def generation(self) -> int:
        """The number of the latest commit (-1 before the first); for a new generation
        not committed yet, the folder's (the index it will replace)."""
        if self._planned:
            if not (self.folder / layout.STUB_FILE).is_file():
                return -1
            return int(layout.read_meta(self.folder).get("generation", -1))
        return int(self.description.get("generation", -1))

    # -- handles ---------------------------------------------------------------------------

    def _sources(self) -> list[layout.ShardSource]:
        if self.stub is not None:
            return layout.read_stub(self.stub)
        return local_sources(self.folder, self._paths)

    def _stub_stat(self) -> tuple[int, ...]:
        path = self.stub or self.folder / layout.STUB_FILE
        try:
            st = path.stat()
        except OSError:
            return ()
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _open_handle(self) -> Handle:
        if self.stub is None:
            self._paths = layout.current_paths(self.folder)
            if not self._paths:
                raise SearchIndexError(
                    f"no index in {self.folder} (build one with `searcher index`)"
                )
        now = time.monotonic()
        with self._lock:
            avoid = {s for s, t in self._failing.items() if now - t < AVOID_SECONDS}
        handle = open_shards(self._sources(), avoid, DESCRIPTION_KEY)
        with self._lock:
            for server in handle.chosen:
                self._failing.pop(server or "", None)
            self._failing.update(dict.fromkeys(handle.failed, now))
        return handle

    @contextmanager
    def _handle(self) -> Iterator[Handle]:
        """Borrow a handle at the latest commit (pooled; one thread at a time each)."""
        stub = self._stub_stat()
        with self._lock:
            if stub != self._stub_key:
                stale, self._pool = self._pool, []
                self._stub_key = stub
                for h in stale:
                    h.close()
            handle = self._pool.pop() if self._pool else None
        if handle is not None:
            now = time.monotonic()
            if self.stub is None or now - handle.reopened >= REMOTE_REOPEN_SECONDS:
                try:
                    if handle.db.reopen():
                        handle.states = shard_states(handle, DESCRIPTION_KEY)
                    handle.reopened = now
                except xapian.Error:
                    handle.close()
                    handle = None
        if handle is None:
            handle = self._open_handle()
            handle.reopened = time.monotonic()
            try:
                check_shards(handle)
                handle.states = shard_states(handle, DESCRIPTION_KEY)
            except (SearchIndexError, xapian.Error):  # (a server dying meanwhile)
                handle.close()
                raise
        broken = False
        try:
            yield handle
        except (xapian.NetworkError, xapian.DatabaseError):
            broken = True
            raise
        finally:
            with self._lock:
                if not broken and len(self._pool) < POOL_SIZE and handle.missing == ():
                    self._pool.append(handle)
                else:
                    handle.close()

    def _describe(self, handle: Handle) -> tuple[dict[str, Any], tuple[int, ...]]:
        """The description of the generation ``handle`` reads, and its identity.

        The description committed with the posts is the shards' metadata. A local index
        keeps a copy in ``searcher.json`` (written after each commit, as the Whoosh
        engine's, and where a tool or a person may change it, say the recorded site): the
        copy is taken when it describes the same generation.
        """
        if handle.described[0] == handle.reopened:
            raw = handle.described[1]
        else:
            raw = handle.db.get_metadata(DESCRIPTION_KEY)
            handle.described = (handle.reopened, raw)
        if not raw:
            raise SearchIndexError(f"{self.stub or self.folder}: the shards hold no description")
        key = (raw, self._copy_key())
        known = self._described
        if known is not None and known[0] == key:
            description, digest = known[1]
        else:
            description, digest = json.loads(raw), zlib.crc32(raw)
            if self.stub is None:
                written = layout.read_meta(self.folder)
                same = ("generation", "created")
                if all(written.get(k) == description.get(k) for k in same):
                    description = written
                    digest = zlib.crc32(json.dumps(written, sort_keys=True).encode())
            self._described = (key, (description, digest))
        # A shard missing (no copy answers) changes the posts searched: a new identity,
        # so that no answer of the whole index is served from a cache meanwhile.
        missing = zlib.crc32("|".join(handle.missing).encode())
        states = zlib.crc32(repr(handle.states).encode())  # every shard's, not only 0's
        # First the generation, its description and the shards searched (Index keys its
        # lexicon and story groups on the first three), then the stub file's identity.
        number = int(description.get("generation", -1))
        return description, (number, digest, missing, states, *self._stub_key)

    def _copy_key(self) -> tuple[int, ...]:
        """What changes with the description file of a local index (inode, modification
        time in ns, size): it is read and parsed again only then."""
        if self.stub is not None:
            return ()
        try:
            st = (self.folder / layout.META_FILE).stat()
        except OSError:
            return ()
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def sync(self) -> tuple[int, ...]:
        """Follow the index to its latest commit (the stub, then each shard's revision);
        returns its identity (the stub file's and the description's).

        :raises SearchIndexError: no shard can be opened.
        """
        if self._planned:
            return self._identity
        found: tuple[dict[str, Any], tuple[int, ...]] = self._retrying(
            lambda handle, _: self._describe(handle), view=False
        )
        description, identity = found
        if identity != self._identity:
            with self._lock:
                self._adopt(description)
                self._views.clear()
                self._identity = identity
        return identity

    def close(self) -> None:
        """Close every pooled handle."""
        with self._lock:
            for h in self._pool:
                h.close()
            self._pool.clear()
            self._views.clear()

    # -- generations' columns ---------------------------------------------------------

    def _view(self, handle: Handle) -> View:
        """The columns of the generation ``handle`` reads (made once per generation and
        set of shard copies)."""
        description, identity = self._describe(handle)
        key = (identity, handle.key)
        with self._lock:
            view = self._views.get(key)
        if view is not None:
            return view
        if identity != self._identity:
            with self._lock:
                self._adopt(description)
                self._identity = identity
        view = make_view(handle.db, self.timezone)
        with self._lock:
            self._views = {k: v for k, v in self._views.items() if k[0] == identity}
            self._views[key] = view
        return view

    # -- writing -------------------------------------------------------------------------

    def _writable(self) -> None:
        if self.stub is not None:
            raise SearchIndexError(f"{self.stub}: a remote index is read-only here")

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the folder's write lock and follow it to its latest commit.

        :raises SearchIndexError: another run is writing, the folder cannot be written,
            or the index is remote.
        """
        self._writable()
        with layout.write_lock(self.folder):
            self.sync()
            yield

    def write_paths(self) -> list[str]:
        """The shard folders a writer writes: a new generation's, else the live ones."""
        if self._planned:
            return self._planned_paths
        return layout.current_paths(self.folder)

    def digests(self) -> dict[str, str]:
        """``{id: digest}`` of every live post."""
        if self._planned:
            return {}
        with self._handle() as handle:
            view = self._view(handle)
        return {h["id"]: h["digest"] for h in view.heads.values()}

    def writer(self, timezone: dt.tzinfo | None = None) -> XapianWriter:
        """A writer of the next generation (write lock held)."""
        self._writable()
        return XapianWriter(self, timezone or self.timezone)

    def described(self, values: dict[str, Any]) -> dict[str, Any]:
        """The description of the next commit: this one plus ``values``."""
        number = self.generation() + 1
        description = {**self.description, **values, "generation": number}
        if description.get("last_run"):
            description["last_run"] = {**description["last_run"], "generation": number}
        return description

    def committed(self, description: dict[str, Any], paths: list[str]) -> None:
        """After a writer's commit: this engine follows the new generation."""
        was_planned = self._planned
        self._planned = False
        self._paths = paths
        self._adopt(description)
        if was_planned:
            layout.remove_generations(self.folder, layout.generation_of(paths))
        self.close()
        self._identity = (-1,)
        self.sync()

    def write_description(self, values: dict[str, Any]) -> None:
        """Record ``values`` in the description (every shard, write lock held)."""
        self._writable()
        description = {**self.description, **values}
        if description == self.description:
            return
        text = json.dumps(description, ensure_ascii=False, sort_keys=True)
        self._set_metadata({DESCRIPTION_KEY: text}, every=True)
        layout.write_meta(self.folder, description)
        self._adopt(description)
        self.sync()

    def _set_metadata(self, values: dict[str, str | bytes], every: bool) -> None:
        paths = layout.current_paths(self.folder)
        for path in reversed(paths if every else paths[:1]):
            try:
                db = xapian.WritableDatabase(str(self.folder / path), xapian.DB_OPEN)
                for key, value in values.items():
                    db.set_metadata(key, value)
                db.commit()
                db.close()
            except xapian.Error as exc:
                raise OSError(f"{self.folder / path}: {exc.get_msg()}") from exc

    def write_extra(self, name: str, data: bytes) -> None:
        """Store ``data`` as ``name`` in shard 0, bound to the latest generation.
        Raises OSError."""
        self._writable()
        head = f"{self.generation()}\n".encode()
        self._set_metadata({EXTRA_KEY + name: head + data}, every=False)

    def read_extra(self, name: str) -> bytes | None:
        """The data stored as ``name`` with the generation searched, or None."""
        if self._planned:
            return None
        with self._handle() as handle:
            raw = handle.db.get_metadata(EXTRA_KEY + name)
        head, _, data = bytes(raw).partition(b"\n")
        return data if raw and head == str(self.generation()).encode() else None

    def remove_leftovers(self) -> list[str]:
        """Delete generation folders the stub does not name (a killed build's)."""
        if self.stub is not None:
            return []
        paths = layout.current_paths(self.folder)
        return layout.remove_generations(self.folder, layout.generation_of(paths))

    # -- reading -------------------------------------------------------------------------

    def _positions(self, db: xapian.Database) -> Positions:
        def positions(field: str, part: tuple[str, ...], docs: list[int]) -> dict[int, list[int]]:
            terms = bigram_terms(PREFIXES[field, "2"], part)
            out: dict[int, list[int]] = {}
            for doc in docs:
                starts: set[int] | None = None
                for j, name in enumerate(terms):
                    try:
                        found = {p - 1 - j for p in db.positionlist(doc, name)}
                    except xapian.Error:
                        found = set()
                    starts = found if starts is None else starts & found
                    if not starts:
                        break
                if starts:
                    out[doc] = sorted(starts)[:MAX_POSITIONS]
            return out

        return positions

    def _matches(
        self, db: xapian.Database, query: xapian.Query, seconds: float = 0.0
    ) -> tuple[np.ndarray, np.ndarray, bool]:
        """Every match of ``query`` and its weight, in ascending rows."""
        enquire = xapian.Enquire(db)
        enquire.set_query(query)
        enquire.set_weighting_scheme(xapian.BM25Weight(*BM25))
        enquire.set_docid_order(xapian.Enquire.ASCENDING)
        if seconds > 0:
            enquire.set_time_limit(seconds)
        count = db.get_doccount()
        mset = enquire.get_mset(0, max(count, 1), max(count, 1))
        docs = np.fromiter((m.docid for m in mset), dtype=np.int64, count=mset.size())
        weights = np.fromiter((m.weight for m in mset), dtype=np.float64, count=mset.size())
        stopped = mset.size() < mset.get_matches_lower_bound()
        return docs, weights, stopped

    def _compile(self, db: xapian.Database, view: View, node: qp.Node) -> xapian.Query:
        positions = self._positions(db)

        def near_ids(n: qp.Near, candidates: xapian.Query) -> list[str]:
            rows, _, _ = self._matches(db, candidates)
            fields = ("title",) if n.title_only else ("title", "body", "labels")
            kept = near(positions, sorted(rows.tolist()), n.parts, n.window, fields)
            return [view.heads[r]["id"] for r in kept if r in view.heads]

        return to_xapian(node, near_ids, idf_of(db, view.cache.setdefault("idf", {})))

    def _retrying(self, run: Callable[[Handle, Any], Any], view: bool = True) -> Any:
        """``run(handle, view)`` (the view None without ``view``), again on other copies
        of the shards when a server fails mid-search (at most :data:`RETRIES` times)."""
        for attempt in range(RETRIES + 1):
            try:
                with self._handle() as handle:
                    return run(handle, self._view(handle) if view else None)
            except (xapian.NetworkError, xapian.DatabaseError) as exc:
                if self.stub is None or attempt == RETRIES:
                    raise SearchIndexError(f"{self.stub or self.folder}: {exc.get_msg()}") from exc
                # The broken handle is closed: the next one reconnects, each shard from
                # its first server that answers (a dead one refuses at once).
        raise AssertionError("unreachable")

    def search(
        self,
        plan: qp.QueryPlan,
        filters: Filters,
        sort: Sort,
        page: Page,
        cpu_seconds: float,
        groups: StoryGroups | None = None,
        counted: bool = True,
    ) -> EngineResult:
        """Run ``plan`` (see the module docstring)."""

        def run(handle: Handle, view: View) -> EngineResult:
            db = handle.db
            query = self._compile(db, view, plan.root)
            docs, weights, stopped = self._matches(db, query, cpu_seconds)
            units = None
            if groups is not None and groups.groups:
                key = ("units", groups.token)
                units = view.cache.get(key)
                if units is None:
                    ids = [""] * len(view.stamps)
                    for row, head in view.heads.items():
                        ids[row] = head["id"]
                    units = view.cache[key] = story_units(ids, groups)
            rows = Rows(
                view.data,
                view.order,
                view.order_list,
                view.stamps,
                self._positions(db),
                lambda d: stored_post(view.heads[d], db.get_document(d).get_data()),
            )
            result = page_of(
                docs, weights, rows, plan.proximity, filters, sort, page, units, counted, stopped
            )
            result.partial = handle.missing
            result.behind = handle.behind
            return result

        result: EngineResult = self._retrying(run)
        return result

    def count(self, node: qp.Node) -> int:
        """How many live posts match ``node``."""

        def run(handle: Handle, view: View) -> int:
            docs, _, _ = self._matches(handle.db, self._compile(handle.db, view, node))
            return len(docs)

        count: int = self._retrying(run)
        return count

    def stored(self, post_id: str) -> StoredPost | None:
        """The live post ``post_id``, or None."""

        def run(handle: Handle, view: View) -> StoredPost | None:
            row = view.rows.get(post_id)
            if row is None:
                return None
            return stored_post(view.heads[row], handle.db.get_document(row).get_data())

        found: StoredPost | None = self._retrying(run)
        return found

    def stats(self) -> EngineStats:
        """Counts over the live posts; the size of the live shard folders (0 for remote
        shards)."""
        view: View = self._retrying(lambda handle, view: view)
        size = 0
        if self.stub is None:
            for path in layout.current_paths(self.folder):
                size += sum(p.stat().st_size for p in (self.folder / path).iterdir() if p.is_file())
        return stats_of(view.data, view.live, size)

    def key_terms(self, post_id: str, limit: int = 10) -> list[tuple[str, float]]:
        """The post's most distinctive body words: Xapian's expansion set of the post
        alone, Bo1 (as Whoosh's ``key_terms``), best first."""

        def run(handle: Handle, view: View) -> list[tuple[str, float]]:
            row = view.rows.get(post_id)
            if row is None:
                return []
            enquire = xapian.Enquire(handle.db)
            enquire.set_expansion_scheme("bo1")
            rset = xapian.RSet()
            rset.add_document(row)
            prefix = PREFIXES["body", "words"]
            eset = enquire.get_eset(limit, rset, xapian.ExpandDeciderFilterPrefix(prefix))
            return [(item.term.decode("utf-8")[len(prefix) :], float(item.weight)) for item in eset]

        found: list[tuple[str, float]] = self._retrying(run)
        return found

    def word_frequencies(self) -> Mapping[str, int]:
        """The words of the titles and bodies and the live posts holding each (in the
        field where it is in most), once per generation."""
        if self._planned:
            return {}

        def run(handle: Handle, view: View) -> Mapping[str, int]:
            words = view.cache.get("words")
            if words is None:
                out: dict[str, int] = {}
                for field in ("title", "body"):
                    prefix = PREFIXES[field, "words"]
                    for item in handle.db.allterms(prefix):
                        word = item.term.decode("utf-8")[len(prefix) :]
                        out[word] = max(out.get(word, 0), item.termfreq)
                words = view.cache["words"] = out
            return words

        found: Mapping[str, int] = self._retrying(run)
        return found

    def headlines(self) -> Sequence[StoredPost]:
        """Every live post without its body, once per generation."""
        if self._planned:
            return ()
        view: View = self._retrying(lambda handle, view: view)
        return view.headlines


def check_shards(handle: Handle) -> None:
    """Refuse shards that are not of one index: each holds the description of its
    index, and they must agree on the build (``created``), format, analysis (segmenter,
    user words, folding) and number of shards; each must stand at its own place (its
    number, :data:`~.writer.SHARD_KEY`) among as many as its index has.

    :raises IndexFormatError: naming the first shard that differs and how.
    """
    keys = ("created", "format", "segmenter_name", "user_words", "folding", "shards")
    first: tuple[str, dict[str, Any]] | None = None
    for name, part, place in handle.parts:
        raw = part.get_metadata(DESCRIPTION_KEY)
        if not raw:
            raise IndexFormatError(f"{name}: not a shard of a searcher index (no description)")
        described = json.loads(raw)
        number = part.get_metadata(SHARD_KEY).decode() or "0"
        shards = int(described.get("shards", 1))
        if number != str(place) or len(handle.chosen) != shards:
            raise IndexFormatError(
                f"{name}: the stub names {len(handle.chosen)} shards in this order, but this "
                f"is shard {number} of {shards}"
            )
        if first is None:
            first = (name, described)
            continue
        for key in keys:
            if described.get(key) != first[1].get(key):
                raise IndexFormatError(
                    f"{name}: not a shard of the same index as {first[0]}: its {key} is "
                    f"{described.get(key)!r}, not {first[1].get(key)!r}"
                )


__all__ = ["POOL_SIZE", "XapianEngine", "check_shards"]
