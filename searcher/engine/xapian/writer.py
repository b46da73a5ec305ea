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
from .terms import DATE, FACET_PREFIXES, HEAD, ID_PREFIX, Analysis, data_of, headline, term


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
#: Posts a worker analyses before handing them to the database: Xapian flushes by its
#: own threshold (``XAPIAN_FLUSH_THRESHOLD``, 10,000 documents by default).
MIN_WORKER_POSTS = 200


def as_os_error(exc: xapian.Error) -> OSError:
    """The :class:`OSError` a Xapian error stands for, so that a full disk or a read-only
    folder reads as the Whoosh engine's do (``[Errno 28] No space left on device``): the
    errno whose text the message holds, else EIO with Xapian's message."""
    message = exc.get_msg() or type(exc).__name__
    said = f"{message} {exc.get_error_string() or ''}"  # the system's error, if any
    for code in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EMFILE):
        if os.strerror(code) in said:
            return OSError(code, os.strerror(code))
    return OSError(errno.EIO, message)


def document_of(article: Article, analysis: Analysis, tz: dt.tzinfo) -> xapian.Document:
    """The Xapian document of ``article`` (:mod:`.terms`): its terms, values, data."""
    doc = xapian.Document()
    for prefix, terms, positional in analysis.fields(article):
        for text, positions in terms.items():
            name = term(prefix, text)
            if positional:
                for p in positions:
                    doc.add_posting(name, p + 1)
            else:
                doc.add_term(name, len(positions))
    doc.add_boolean_term(term(ID_PREFIX, article.id))
    head = headline(article, tz)
    for facet, prefix in FACET_PREFIXES.items():
        values = head.get(facet)
        for value in values if isinstance(values, list) else [values] if values else []:
            doc.add_boolean_term(term(prefix, str(value)))
    doc.add_value(HEAD, json.dumps(head, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    doc.add_value(DATE, xapian.sortable_serialise(head["ts"]))
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
        for article in articles:
            dbs[layout.shard_of(article.id, len(dbs))].replace_document(
                term(ID_PREFIX, article.id), document_of(article, analysis, tz)
            )
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
            for article in articles:
                doc = document_of(article, self.analysis, self.timezone)
                shard = layout.shard_of(article.id, len(self.dbs))
                self.dbs[shard].replace_document(term(ID_PREFIX, article.id), doc)
                if progress is not None:
                    progress(1)
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
        for k, db in enumerate(self.dbs):
            for paths, _ in jobs:
                for doc in _documents(paths[k]):
                    db.add_document(doc)

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
            for k, db in reversed(list(enumerate(self.dbs))):  # shard 0 (extras) last
                db.set_metadata(DESCRIPTION_KEY, text)
                db.set_metadata(SHARD_KEY, str(k))
                if self.fresh:
                    db.commit()
                else:
                    db.commit_transaction()
            if self.fresh:
                layout.write_file(engine.folder / layout.STUB_FILE, layout.stub_text(self.paths))
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


def _documents(path: str) -> Any:
    """Every document of the database at ``path``."""
    db = xapian.Database(path)
    for item in db.postlist(""):
        yield db.get_document(item.docid)


__all__ = ["DESCRIPTION_KEY", "EXTRA_KEY", "SHARD_KEY", "XapianWriter", "document_of"]
