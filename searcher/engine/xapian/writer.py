"""The Xapian engine's writer: posts analysed into documents, each in its shard
(:func:`.folder.shard_of`), committed as one generation.

A new generation (a first build or a rebuild: :meth:`XapianEngine.new_generation
<searcher.engine.xapian.engine.XapianEngine.new_generation>`) is written into a new
``gen-G`` folder and becomes the index when the stub is replaced, after every shard is
committed; a writer killed before then leaves the old generation searched and its own
folder to :meth:`~searcher.engine.xapian.engine.XapianEngine.remove_leftovers`. An update
writes the live shards in place, in one Xapian transaction per shard, committed shard
by shard with the description last (shard 0 last of all).

With ``jobs`` > 1 a new generation's posts are analysed and written in forked
processes, each into databases of its own, merged into the shards by Xapian's compactor.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import xapian

from ...analysis import make_segmenter
from ...analysis.tokenizers import WordTokenizer
from ...errors import SearchIndexError
from ...site.records import Article
from . import folder as layout
from .terms import (
    DATE,
    FACET_PREFIXES,
    HEAD,
    ID_PREFIX,
    SHORT_TERM,
    TITLE_NORM,
    Analysis,
    data_of,
    headline,
    term,
    title_norm,
)


class Owner(Protocol):
    """What a writer needs of its engine (:class:`~.engine.XapianEngine`)."""

    folder: Path
    segmenter: Any
    segmenter_name: str
    user_words: tuple[Any, ...]

    @property
    def planned(self) -> bool: ...

    def write_paths(self) -> list[str]: ...

    def digests(self) -> dict[str, str]: ...

    def described(self, values: dict[str, Any]) -> dict[str, Any]: ...

    def committed(self, description: dict[str, Any], paths: list[str]) -> None: ...


#: Metadata keys: the description (every shard), extras (shard 0).
DESCRIPTION_KEY = "searcher.json"
#: Metadata key: the shard's number in its index (0 …).
SHARD_KEY = "searcher.shard"
EXTRA_KEY = "searcher.extra."
#: Fewest posts worth a worker process of their own.
MIN_WORKER_POSTS = 200
#: Posts a new generation's database takes before it is flushed to disk: Xapian keeps
#: the changes in memory up to its own threshold (10,000 documents), which for news
#: posts was 1.2 GB in a build of xwlb (bench/compare.py).
FLUSH_POSTS = 1000


def as_os_error(exc: xapian.Error) -> OSError:
    """The :class:`OSError` a Xapian error stands for, so that a full disk or a read-only
    folder reads as the Whoosh engine's do (``[Errno 28] No space left on device``): the
    errno whose text the message holds, else EIO with Xapian's message.

    The message is read first: ``get_error_string()`` crashed the process (SIGSEGV, in
    the bindings of Xapian 1.4.26) on the error of a sharded update's commit on a full
    disk, "Modifications failed (… No space left on device), and couldn't open at the
    old revision", whose message names the system's error itself."""
    message = exc.get_msg() or type(exc).__name__
    codes = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EMFILE)
    code = next((c for c in codes if os.strerror(c) in message), None)
    if code is None:
        system = exc.get_error_string() or b""  # the system's error, if any (bytes)
        said = system.decode("utf-8", "replace") if isinstance(system, bytes) else system
        code = next((c for c in codes if os.strerror(c) in said), None)
    return OSError(code, os.strerror(code)) if code else OSError(errno.EIO, message)


def document_of(article: Article, analysis: Analysis, tz: dt.tzinfo) -> xapian.Document:
    """The Xapian document of ``article`` (:mod:`.terms`): its terms, values, data."""
    doc = xapian.Document()
    posting, add_term = doc.add_posting, doc.add_term
    for prefix, terms, positional in analysis.fields(article):
        for text, positions in terms.items():
            # (a text of SHORT_TERM characters or fewer fits in MAX_TERM_BYTES whole)
            name = prefix + text if len(text) <= SHORT_TERM else term(prefix, text)
            if positional:
                for p in positions:
                    posting(name, p + 1)
            else:
                add_term(name, len(positions))
    doc.add_boolean_term(term(ID_PREFIX, article.id))
    head = headline(article, tz)
    for facet, prefix in FACET_PREFIXES.items():
        values = head.get(facet)
        for value in values if isinstance(values, list) else [values] if values else []:
            doc.add_boolean_term(term(prefix, str(value)))
    doc.add_value(HEAD, json.dumps(head, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    doc.add_value(DATE, xapian.sortable_serialise(head["ts"]))
    doc.add_value(TITLE_NORM, xapian.sortable_serialise(title_norm(analysis.title_units(article))))
    doc.set_data(data_of(article))
    return doc


def _write_part(
    paths: list[str], articles: Sequence[Article], segmenter: str, words: Any, tz: dt.tzinfo
) -> int:
    """A worker: ``articles`` into new databases at ``paths`` (one per shard).

    :raises OSError: a database cannot be written (Xapian's errors do not pickle)."""
    analysis = Analysis(WordTokenizer(make_segmenter(segmenter, words)))
    try:
        dbs = [xapian.WritableDatabase(p, xapian.DB_CREATE_OR_OVERWRITE) for p in paths]
        for n, article in enumerate(articles, 1):
            dbs[layout.shard_of(article.id, len(dbs))].replace_document(
                term(ID_PREFIX, article.id), document_of(article, analysis, tz)
            )
            if n % FLUSH_POSTS == 0:
                for db in dbs:
                    db.commit()
        for db in dbs:
            db.commit()
            db.close()
    except xapian.Error as exc:
        raise as_os_error(exc) from None
    return len(articles)


class XapianWriter:
    """The :class:`searcher.engine.EngineWriter` of a :class:`~.engine.XapianEngine`."""

    def __init__(self, engine: Owner, timezone: dt.tzinfo) -> None:
        self.engine = engine
        self.timezone = timezone
        self.added: set[str] = set()
        self.paths = engine.write_paths()
        self.fresh = engine.planned
        self._parts: list[Path] = []
        self._loose: set[int] = set()  # shards written since their last compaction
        try:
            if self.fresh:
                for p in self.paths:
                    (engine.folder / p).parent.mkdir(parents=True, exist_ok=True)
            flags = xapian.DB_CREATE_OR_OVERWRITE if self.fresh else xapian.DB_OPEN
            self.dbs = [xapian.WritableDatabase(str(engine.folder / p), flags) for p in self.paths]
        except xapian.Error as exc:
            raise SearchIndexError(
                f"{engine.folder}: cannot write index: {as_os_error(exc)}"
            ) from exc
        except OSError as exc:
            raise SearchIndexError(f"{engine.folder}: cannot write index: {exc}") from exc
        self._sizes: dict[Path, int] = {}
        if not self.fresh:
            for p in self.paths:
                for f in (engine.folder / p).glob("*.glass"):
                    self._sizes[f] = f.stat().st_size
            for db in self.dbs:
                db.begin_transaction(True)
        self.analysis = Analysis(WordTokenizer(engine.segmenter))

    def delete(self, post_id: str) -> None:
        """Delete the live post ``post_id`` from its shard (nothing when there is none)."""
        shard = layout.shard_of(post_id, len(self.dbs))
        try:
            self.dbs[shard].delete_document(term(ID_PREFIX, post_id))
        except xapian.Error as exc:
            raise as_os_error(exc) from exc

    def add(
        self,
        articles: Sequence[Article],
        jobs: int = 1,
        progress: Callable[[int], None] | None = None,
        min_part: int = 1,
    ) -> None:
        """Analyse and add ``articles`` (replacing posts of the same id), in up to
        ``jobs`` forked processes for a new generation; ``progress(n)`` after each
        ``n`` written.

        :raises OSError: a shard cannot be written (a full disk: ``ENOSPC``).
        """
        self.added.update(a.id for a in articles)
        workers = max(1, min(jobs, len(articles) // max(MIN_WORKER_POSTS, min_part)))
        try:
            if self.fresh and workers > 1:
                self._add_in_workers(articles, workers, progress)
                return
            for n, article in enumerate(articles, 1):
                doc = document_of(article, self.analysis, self.timezone)
                shard = layout.shard_of(article.id, len(self.dbs))
                self.dbs[shard].replace_document(term(ID_PREFIX, article.id), doc)
                self._loose.add(shard)
                if progress is not None:
                    progress(1)
                if self.fresh and n % FLUSH_POSTS == 0:
                    for db in self.dbs:
                        db.commit()  # nobody reads a new generation before its stub
        except xapian.Error as exc:
            raise as_os_error(exc) from exc

    def _add_in_workers(
        self, articles: Sequence[Article], workers: int, progress: Callable[[int], None] | None
    ) -> None:
        size = -(-len(articles) // workers)
        base = Path(tempfile.mkdtemp(prefix="parts-", dir=self.engine.folder))
        self._parts.append(base)
        jobs = []
        for j in range(workers):
            paths = [str(base / f"part-{j}-{k}") for k in range(len(self.dbs))]
            jobs.append((paths, articles[j * size : (j + 1) * size]))
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            results = [
                pool.apply_async(
                    _write_part,
                    (
                        paths,
                        part,
                        self.engine.segmenter_name,
                        self.engine.user_words,
                        self.timezone,
                    ),
                )
                for paths, part in jobs
            ]
            for result in results:
                done = result.get()
                if progress is not None:
                    progress(done)
        for k in range(len(self.dbs)):
            self._merge(k, [paths[k] for paths, _ in jobs])

    def _merge(self, k: int, parts: list[str]) -> None:
        """Shard ``k`` made anew from its posts so far and the databases ``parts``, by
        Xapian's compactor (it merges posting lists whole: copying the documents one by
        one cost as much as indexing them again)."""
        shard = self.engine.folder / self.paths[k]
        self._loose.discard(k)
        self.dbs[k].commit()
        sources = xapian.Database()
        for path in [str(shard), *parts]:
            part = xapian.Database(path)
            if part.get_doccount():
                sources.add_database(part)
        merged = shard.with_name(shard.name + ".merged")
        layout.remove_tree(merged)
        sources.compact(str(merged))
        sources.close()
        self.dbs[k].close()
        old = shard.with_name(shard.name + ".old")
        os.replace(shard, old)
        os.replace(merged, shard)
        layout.remove_tree(old)
        self.dbs[k] = xapian.WritableDatabase(str(shard), xapian.DB_OPEN)

    def commit(self, values: dict[str, Any], clear: bool = False) -> None:
        """Commit as a new generation described by the description plus ``values``;
        ``clear``: drop every post this writer did not add.

        :raises OSError: a shard cannot be written (a full disk: ``ENOSPC``).
        :raises SearchIndexError: the stub or the description file cannot be written.

        Each shard commits on its own (Xapian has no commit across databases): a
        failure after one shard's commit leaves that shard's changes in, and the run that
        follows writes the rest (posts are compared by digest).
        """
        engine = self.engine
        description = engine.described(values)
        text = json.dumps(description, ensure_ascii=False, sort_keys=True)
        try:
            if clear and not self.fresh:
                for post_id in set(engine.digests()) - self.added:
                    self.delete(post_id)
            for k in reversed(range(len(self.dbs))):  # shard 0 (extras) last
                db = self.dbs[k]
                db.set_metadata(DESCRIPTION_KEY, text)
                db.set_metadata(SHARD_KEY, str(k))
                if not self.fresh:
                    db.commit_transaction()
                    # committed: cancel() must not cut this shard back (its revision
                    # may lie past the old sizes; cut, the shard was unreadable)
                    shard = self.engine.folder / self.paths[k]
                    self._sizes = {f: n for f, n in self._sizes.items() if f.parent != shard}
                elif k in self._loose:
                    self._merge(k, [])  # compacted: a third smaller, read faster
                else:
                    db.commit()
            if self.fresh:
                layout.write_atomic(engine.folder / layout.STUB_FILE, layout.stub_text(self.paths))
            layout.write_meta(engine.folder, description)
        except xapian.Error as exc:
            raise as_os_error(exc) from exc
        finally:
            self._close()
        engine.committed(description, self.paths)

    def cancel(self) -> None:
        """Drop the changes: an update's transactions are cancelled; a new generation's
        databases are closed (their folder is left to
        :meth:`.engine.XapianEngine.remove_leftovers`)."""
        for db in self.dbs:
            try:
                if not self.fresh:
                    db.cancel_transaction()
            except xapian.Error:
                pass
        self._close()
        # Glass writes a transaction's blocks into free space and past the tables' ends;
        # the committed revision lies within the sizes the tables had before, so they
        # are cut back to them: a full disk gets its space back for the next run.
        for path, size in self._sizes.items():
            try:
                if path.stat().st_size > size:
                    os.truncate(path, size)
            except OSError:
                pass

    def _close(self) -> None:
        """Close every database (an open one holds its files, and their space on the
        disk, even once deleted) and remove the workers' databases."""
        for db in self.dbs:
            try:
                db.close()
            except xapian.Error:
                pass  # a full disk: nothing more can be written, and nothing is searched
        for base in self._parts:
            layout.remove_tree(base)
        self._parts.clear()


__all__ = ["DESCRIPTION_KEY", "EXTRA_KEY", "SHARD_KEY", "XapianWriter", "document_of"]
