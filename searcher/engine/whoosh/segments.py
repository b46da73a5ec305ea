"""Writing Whoosh segments without Whoosh's posting pool.

Whoosh's ``SegmentWriter`` puts every posting in a pool as a tuple, sorts the pool
(spilling it to disk past ``limitmb``), then hands the postings one at a time to the
codec, reading each document's field length back from disk per posting: on xwlb that
was 80–85% of a build (issue #9). :class:`SegmentWriter` here is Whoosh's writer with
that part replaced:

* postings are grouped by term as they arrive, in typed arrays (:class:`TermPool`:
  for this project's fields one ``array("I")`` of (document, frequency) pairs per term,
  and one of positions for the bigram fields), so nothing is sorted but each field's
  terms; the analysers of :mod:`searcher.analysis` give each text's terms and positions
  as lists (:mod:`searcher.analysis.terms`, :func:`.analyzers.index_terms`), not as
  token streams;
* field lengths are read back once per field, as one column;
* a term of one block (up to 128 postings, nearly all) is written in one call
  (:func:`searcher.engine.whoosh.codec.write_term`), a longer one a block at a time
  (:meth:`searcher.engine.whoosh.codec.CompactPostingsWriter.add_many`);
* past ``max_postings`` postings the segment is written out and a new one started, so
  memory stays flat however large the site; all segments are committed at once;
* :func:`write_in_workers` splits the documents among forked processes that each write
  their own segments (``--jobs``).

Everything else is Whoosh's: deletions, merge policies (merged segments' postings come
through :meth:`TermPool.add`), the per-document writer, columns, stored fields, the
table of contents and the lock. The segments are ordinary Whoosh segments of
:class:`~.codec.SearcherCodec`.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
import time
from array import array
from collections.abc import Callable, Sequence
from typing import Any

from whoosh import formats, writing
from whoosh.system import pack_ushort

from ...errors import SearchIndexError
from .analyzers import index_terms
from .codec import CompactPositions, SearcherCodec, uint32_bytes, write_term
from .schema import length_column

#: Postings per segment (about 10,000 xwlb posts; the pool then holds about 230 MiB: on
#: xwlb 5.6 million postings of 407,000 terms took 178 MiB, about 32 bytes a posting).
MAX_POSTINGS = 7_000_000


#: How a field's postings are kept: as given (``[docnums, weights, values, sizes]``);
#: as ``array("I")`` of (docnum, frequency) pairs (Whoosh's ``Existence`` and
#: ``Frequency``, whose weights and values follow from the frequency); or as such pairs
#: and an ``array("I")`` of every posting's positions (:class:`CompactPositions`).
GENERIC, COUNTS, POSITIONS = 0, 1, 2


def pool_kind(field: Any) -> int:
    """How :class:`TermPool` keeps the postings of ``field`` (see :data:`GENERIC`):
    by frequency only for Whoosh's ``Existence`` and ``Frequency`` and for
    :class:`CompactPositions`, when the field has no boost (so a weight is its
    frequency)."""
    fmt = field.format
    if getattr(fmt, "field_boost", None) != 1.0:
        return GENERIC
    if type(fmt) is CompactPositions:
        return POSITIONS
    if type(fmt) in (formats.Existence, formats.Frequency):
        return COUNTS
    return GENERIC


class TermPool:
    """One segment's postings, grouped by field and term, in typed arrays.

    ``terms[fieldname][tbytes]`` holds one term's postings in document order, in the
    field's :func:`pool_kind` layout: for :data:`COUNTS` one ``array("I")`` of
    (docnum, frequency) pairs (about 80 bytes for a term with one posting), for
    :data:`POSITIONS` that and an ``array("I")`` of the positions, for
    :data:`GENERIC` ``[docnums, weights, values, sizes]`` (document numbers, weights as
    ``array("f")``, the values' bytes concatenated, each value's size or None).
    """

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.terms: dict[str, dict[bytes, Any]] = {}
        self.kinds: dict[str, int] = {}
        self.postings = 0

    def field(self, fieldname: str) -> tuple[dict[bytes, Any], int]:
        """The term table of ``fieldname`` (made on first use) and its kind."""
        table = self.terms.get(fieldname)
        if table is None:
            table = self.terms[fieldname] = {}
            self.kinds[fieldname] = pool_kind(self.schema[fieldname])
        return table, self.kinds[fieldname]

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """Add one ``(fieldname, tbytes, docnum, weight, vbytes)`` posting (Whoosh's
        pool protocol, used when a merge policy folds an old segment in; postings of
        one term must arrive in ascending docnum order, as Whoosh's readers give them).

        :raises ValueError: a weight that is not the posting's frequency in a field kept
            by frequency (a boost, which this writer does not write)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        if fieldname not in self.schema:
            return
        table, kind = self.field(fieldname)
        self.add_posting(table, kind, fieldname, tbytes, docnum, weight, vbytes or b"")

    def add_posting(
        self,
        table: dict[bytes, Any],
        kind: int,
        fieldname: str,
        tbytes: bytes,
        docnum: int,
        weight: float,
        vbytes: bytes,
    ) -> None:
        """Add one posting given as Whoosh gives it (see :meth:`add`)."""
        entry: Any = table.get(tbytes)
        if kind == GENERIC:
            if entry is None:
                fixed = self.schema[fieldname].format.fixed_value_size()
                sizes = array("I") if fixed is None or fixed < 0 else None
                entry = table[tbytes] = [array("I"), array("f"), bytearray(), sizes]
            entry[0].append(docnum)
            entry[1].append(weight)
            entry[2] += vbytes
            if entry[3] is not None:
                entry[3].append(len(vbytes))
        else:
            fmt = self.schema[fieldname].format
            positions = fmt.decode_positions(vbytes) if kind == POSITIONS else None
            freq = len(positions) if positions is not None else int(weight)
            if weight != freq:
                raise ValueError(f"field {fieldname!r}: weight {weight} is not a frequency")
            if entry is None:
                new: array[int] = array("I")
                entry = table[tbytes] = new if kind == COUNTS else (new, array("I"))
            pairs = entry if kind == COUNTS else entry[0]
            pairs.append(docnum)
            pairs.append(freq)
            if positions is not None:
                entry[1].extend(positions)
        self.postings += 1

    def cleanup(self) -> None:
        """Drop every posting."""
        self.terms.clear()
        self.postings = 0


class SegmentWriter(writing.SegmentWriter):  # type: ignore[misc]
    """Whoosh's segment writer with a :class:`TermPool` instead of its sorting pool,
    writing :class:`~.codec.SearcherCodec` segments as separate files.

    :param ix: the Whoosh index (``FileIndex``).
    :param max_postings: start a new segment past this many postings (default
        :data:`MAX_POSTINGS`; see the module).
    :param kwargs: passed to Whoosh's ``SegmentWriter`` (``timeout``, ``_lk``…);
        ``codec`` and ``compound`` are set here.
    :raises whoosh.index.LockError: another writer holds the index.
    :raises ValueError: the schema has term vectors or separate spelling fields, which
        this writer does not write.
    """

    def __init__(self, ix: Any, max_postings: int | None = None, **kwargs: Any) -> None:
        kwargs.update(codec=SearcherCodec(), compound=False, limitmb=1)
        super().__init__(ix, **kwargs)
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                self._close_segment()
                self._finish()
                raise ValueError(f"field {name!r}: vectors and spelling are not written")
        self.pool = TermPool(self.schema)
        self.max_postings = MAX_POSTINGS if max_postings is None else max_postings
        self.written: list[Any] = []
        self._fast: dict[str, Any] = {}

    def add_document(self, **fields: Any) -> None:
        """Add one document (Whoosh's ``add_document``, without boosts or
        ``_stored_`` overrides, which this project does not use)."""
        self._check_state()
        schema = self.schema
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        pdw = self.perdocwriter
        pool = self.pool
        docnum = self.docnum
        pdw.start_doc(docnum)
        added = 0
        memo: dict[Any, Any] = {}
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    table, kind = pool.field(name)
                    fast = self._fast_positions(name, field, kind)
                    if fast is not None and isinstance(value, str):
                        terms = fast(value, memo)
                        for term, found in terms.items():
                            tbytes = term.encode("utf-8")
                            freq = len(found)
                            entry = table.get(tbytes)
                            if kind == POSITIONS:
                                if entry is None:
                                    entry = table[tbytes] = (array("I"), array("I"))
                                pairs = entry[0]
                                pairs.append(docnum)
                                pairs.append(freq)
                                entry[1].extend(found)
                            else:
                                if entry is None:
                                    entry = table[tbytes] = array("I")
                                entry.append(docnum)
                                entry.append(freq)
                            length += freq
                        added += len(terms)
                    else:
                        for tbytes, freq, weight, vbytes in field.index(value):
                            pool.add_posting(table, kind, name, tbytes, docnum, weight, vbytes)
                            length += freq
                    if not field.scorable:
                        length = 0
                pdw.add_field(name, field, value if field.stored else None, length)
                if field.column_type:
                    pdw.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        pool.postings += added
        self._added = True
        self.docnum += 1
        if pool.postings >= self.max_postings:
            self._next_segment()

    def _fast_positions(self, name: str, field: Any, kind: int) -> Any:
        """The list-based analysis of a field (:func:`.analyzers.index_terms`) when its
        postings are kept by frequency and its analyzer is one of :mod:`.analyzers`
        (which always have one); else None (then Whoosh's ``field.index`` analyses it).

        :raises TypeError: an analyzer of :mod:`.analyzers` without a list form."""
        fast = self._fast.get(name, _UNSET)
        if fast is _UNSET:
            fast = self._fast[name] = index_terms(field.analyzer) if kind else None
        return fast

    def _next_segment(self) -> None:
        """Write the current segment out and start a new, empty one."""
        self.written.append(self._finalize_segment())
        self.newsegment = self.codec.new_segment(self.storage, self.indexname)
        self.perdocwriter = self.codec.per_document_writer(self.storage, self.newsegment)
        self.fieldwriter = self.codec.field_writer(self.storage, self.newsegment)
        self.pool = TermPool(self.schema)
        self.docnum = self.docbase = 0
        self._added = False

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader()
        try:
            write_postings(self.fieldwriter, self.schema, self.pool, pdr, self.docnum)
        finally:
            pdr.close()
        self.fieldwriter.close()
        self.pool.cleanup()

    def commit(self, mergetype: Any = None, optimize: Any = None, merge: Any = None) -> None:
        """Whoosh's commit, with every segment this writer started included, and
        without the old segments whose documents are all deleted (Whoosh's merge
        policies keep those; an empty segment serves no search, and every reader of
        it would have to expect postings with no live document)."""
        self._check_state()
        final = [s for s in self._merge_segments(mergetype, optimize, merge) if s.doc_count()]
        self._write_out()
        self._commit_toc(final + self.written)
        self._finish()

    def _write_out(self) -> None:
        """Write the current segment out if it holds documents, else close its files."""
        if self._added:
            self.written.append(self._finalize_segment())
        else:
            self._close_segment()

    def finish_part(self) -> None:
        """Write the current segment out now (if it holds documents), so that later
        segments (:func:`write_in_workers`) come after it; the writer stays open."""
        if self._added:
            self._next_segment()

    def finish_segments(self) -> list[Any]:
        """Write out the current segment and close the writer without committing:
        the segments it wrote, for another writer's commit (a worker of
        :func:`write_in_workers`)."""
        self._check_state()
        self._write_out()
        self._finish()
        return self.written

    def cancel(self) -> None:
        """Drop this writer's work, the segments it wrote out included (their files
        are not in any table of contents; :func:`searcher.indexing.remove_leftovers`
        deletes them)."""
        self.written.clear()
        super().cancel()


_UNSET = object()


class _NoStorage:
    def destroy(self) -> None:
        pass


#: Seconds between progress messages of a worker.
_TICK = 0.25


def write_in_workers(
    writer: SegmentWriter,
    parts: list[Sequence[Any]],
    to_document: Callable[[Any], dict[str, Any]],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Add the documents of ``parts`` to ``writer``'s commit, analysing and writing
    each part in a process of its own (forked, so that nothing is pickled on the way
    in): the first part in this process, the others in children, which write their own
    segments and hand them back. Documents keep their order (parts in order). Forking
    beside other threads can leave a child waiting on a lock a thread held at the fork,
    so when this process runs other threads every part is written here, one after the
    other (:meth:`searcher.index.Index.update` runs in a process of its own when other
    threads are searching).

    :param writer: a :class:`SegmentWriter` holding the index's lock.
    :param parts: the items of each process, in order.
    :param to_document: turns an item into a Whoosh document (field → value).
    :param progress: called with how many more documents have been written.
    :raises SearchIndexError: a worker failed (its message names the error).
    """
    if threading.active_count() > 1:
        parts = [[item for part in parts for item in part]]
    context = multiprocessing.get_context("fork")
    workers = [_Worker(context, writer, part, to_document) for part in parts[1:]]
    try:
        for item in parts[0]:
            writer.add_document(**to_document(item))
            if progress is not None:
                progress(1)
            for worker in workers:
                worker.poll(progress)
        if workers:
            writer.finish_part()  # write this part's postings while the children work
        for worker in workers:
            writer.written.extend(worker.segments(progress))
    finally:
        for worker in workers:
            worker.stop()


class _Worker:
    """One forked child of :func:`write_in_workers` and the pipe it reports on."""

    def __init__(self, context: Any, writer: SegmentWriter, part: Sequence[Any], to_doc: Any):
        self.receive, send = context.Pipe(duplex=False)
        args = (writer, part, to_doc, send, os.getpid())
        self.process = context.Process(target=_worker, args=args)
        self.process.daemon = True
        self.process.start()
        send.close()
        self.result: tuple[str, Any] | None = None

    def poll(self, progress: Callable[[int], None] | None, wait: bool = False) -> None:
        """Read the child's messages: progress counts go to ``progress``; its last
        message (its segments, or its error) is kept."""
        while self.result is None and (wait or self.receive.poll()):
            try:
                kind, value = self.receive.recv()
            except EOFError:
                self.process.join()
                code = self.process.exitcode
                self.result = ("error", f"the worker stopped (exit code {code})")
                return
            if kind == "progress":
                if progress is not None:
                    progress(value)
            else:
                self.result = (kind, value)

    def segments(self, progress: Callable[[int], None] | None) -> list[Any]:
        """Wait for the child's segments. :raises SearchIndexError: it failed."""
        self.poll(progress, wait=True)
        assert self.result is not None
        kind, value = self.result
        if kind != "segments":
            raise SearchIndexError(f"an indexing worker failed: {value}")
        segments: list[Any] = value
        return segments

    def stop(self) -> None:
        """End the child (at once if it is still working) and close the pipe."""
        if self.process.is_alive() and self.result is None:
            self.process.kill()
        self.process.join()
        self.receive.close()


def _worker(
    parent: SegmentWriter, part: Sequence[Any], to_document: Any, send: Any, parent_pid: int
) -> None:
    """A child of :func:`write_in_workers`: write ``part`` into segments of its own."""
    _die_with_parent(parent_pid)
    try:
        writer = SegmentWriter(_ReadOnly(parent), max_postings=parent.max_postings, _lk=False)
        # Whoosh's temporary folder (for columns being written) has one name per index:
        # the parent's writer, which outlives this one, removes it.
        writer._tempstorage = _NoStorage()
        last, count = time.monotonic(), 0
        for item in part:
            writer.add_document(**to_document(item))
            count += 1
            if time.monotonic() - last > _TICK:
                send.send(("progress", count))
                last, count = time.monotonic(), 0
        segments = writer.finish_segments()
        if count:
            send.send(("progress", count))
        send.send(("segments", segments))
    except BaseException as exc:  # reported to the parent, which raises
        send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _die_with_parent(parent: int) -> None:
    """Have Linux kill this process when its parent dies (``prctl(PR_SET_PDEATHSIG)``):
    a parent killed outright (SIGKILL, the OOM killer) would otherwise leave the child
    writing segments nobody commits, holding the index's write lock it inherited."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


class _ReadOnly:
    """What Whoosh's writer reads of an index, taken from a writer holding its lock
    (the worker then writes segment files only, never the table of contents)."""

    def __init__(self, writer: SegmentWriter) -> None:
        self.storage = writer.storage
        self.indexname = writer.indexname
        self._toc = EmptyToc(writer.schema, writer.generation - 1)

    def _read_toc(self) -> Any:
        return self._toc


class EmptyToc:
    """A table of contents as Whoosh's writer reads it: ``schema``, the ``generation``
    the writer follows, and no segments (a worker's part, a new generation)."""

    def __init__(self, schema: Any, generation: int) -> None:
        self.schema = schema
        self.generation = generation
        self.segments: list[Any] = []


def write_postings(fieldwriter: Any, schema: Any, pool: TermPool, pdr: Any, doccount: int) -> None:
    """Write every posting of ``pool`` through a Whoosh 3 field writer: fields and
    terms in byte order (what Whoosh's term table requires), each term's postings a
    block at a time, with each document's field length from the per-document reader
    ``pdr`` (one column read per field, as ``doc_field_length`` would give it)."""
    for fieldname in sorted(pool.terms):
        table = pool.terms[fieldname]
        if not table:
            continue
        field = schema[fieldname]
        lengths = length_column(pdr, fieldname, doccount) if field.scorable else None
        fieldwriter.start_field(fieldname, field)
        postwriter = fieldwriter._postwriter
        postfile = fieldwriter._postfile
        add_term = fieldwriter._tindex.add
        prefix = pack_ushort(fieldwriter._fieldid)
        fmt = field.format
        limit = postwriter._blocklimit
        kind = pool.kinds[fieldname]
        frequency = fmt.fixed_value_size() == 4  # Whoosh's Frequency: a value per posting
        for tbytes in sorted(table):
            entry = table[tbytes]
            if kind == GENERIC:
                docnums, weights, values, sizes = entry
                values = bytes(values)
            else:
                pairs = entry if kind == COUNTS else entry[0]
                docnums, counts = pairs[0::2], pairs[1::2]
                weights = array("f", counts)
                if kind == POSITIONS:
                    sizes = [c << 2 for c in counts]
                    values = uint32_bytes(entry[1])
                else:
                    sizes = None
                    values = uint32_bytes(counts, big_endian=True) if frequency else b""
            if len(docnums) <= limit:  # most terms: one block, written directly
                add_term(
                    prefix + tbytes,
                    write_term(postfile, fmt, docnums, weights, sizes, values, lengths),
                )
                continue
            fieldwriter.start_term(tbytes)
            postwriter.add_many(docnums, weights, values, sizes, lengths)
            fieldwriter.finish_term()
        fieldwriter.finish_field()
        table.clear()


__all__ = [
    "MAX_POSTINGS",
    "EmptyToc",
    "SegmentWriter",
    "TermPool",
    "write_in_workers",
    "write_postings",
]
