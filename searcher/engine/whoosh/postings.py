"""Reading a term's postings whole, a block at a time (for evaluation and phrases).

Whoosh's matcher protocol costs several Python calls per posting (``is_active``, ``id``,
``weight`` or ``value``, ``next``). Where every posting of a term is needed, this module
reads the decoded blocks of :mod:`.codec` instead, as NumPy arrays: a block in
the postings file (:class:`~.codec.CompactLeafMatcher`) or the one block of a
term kept in the term table (:class:`~.codec.CompactTermInfo`). Other codecs go
through the matcher protocol. Deleted documents are left out, as Whoosh's own postings
leave them out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh.matching import ListMatcher

from .codec import CompactLeafMatcher, CompactPositions


def _blocks(reader: Any, fieldname: str, text: bytes) -> tuple[Iterator[Any] | None, Any, Any]:
    """The decoded blocks of a term in a segment reader, each ``(ids, weights,
    values)`` with ``ids`` an ``int64`` array (see :func:`searcher.engine.whoosh.codec.decode_block`
    for the rest), and the documents to leave out (None when none are deleted); the
    iterator is None where the postings are not the codec's (then ``m``, the matcher,
    is read through its protocol). Returns ``(blocks, deleted, m)``.

    :raises whoosh.reading.TermNotFound: the term is not in the reader.
    """
    m = reader.postings(fieldname, text)
    inner = getattr(m, "child", m)  # Whoosh wraps it to leave deleted documents out
    deleted = reader.deleted_docs_set if inner is not m else None
    if type(inner) is CompactLeafMatcher:
        return _leaf_blocks(inner), deleted, m
    block = getattr(getattr(inner, "_terminfo", None), "block", None)
    if isinstance(inner, ListMatcher) and block is not None:
        ids, weights, _, values = block
        return iter([(np.asarray(ids, dtype=np.int64), weights, values)]), deleted, m
    return None, None, m


_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_WEIGHTS = np.zeros(0, dtype=np.float64)


def _leaf_blocks(m: CompactLeafMatcher) -> Iterator[Any]:
    while m.is_active():
        if m._data is None:
            m._read_data()
        deltas, weights, values = m._data
        yield np.cumsum(np.asarray(deltas, dtype=np.int64)), weights, values
        m._next_block()


def _live(deleted: Any, docs: np.ndarray, *more: np.ndarray) -> tuple[np.ndarray, ...]:
    """``docs`` and the arrays beside it without the ``deleted`` documents."""
    if not deleted:
        return (docs, *more)
    keep = ~np.isin(docs, np.fromiter(deleted, dtype=np.int64))
    return (docs[keep], *(a[keep] for a in more))


def read_weights(reader: Any, fieldname: str, text: bytes) -> tuple[Any, Any]:
    """The live document numbers of one term in a segment reader, ascending
    (``int64``), and each one's weight (term frequency, ``float64``), as NumPy arrays: a
    block becomes arrays by one ``cumsum`` and one conversion, without a Python list
    between. Both are empty when every document of the term is deleted.

    :raises whoosh.reading.TermNotFound: the term is not in the reader.
    """
    blocks, deleted, m = _blocks(reader, fieldname, text)
    if blocks is None:  # another codec: the matcher protocol
        ids, weights = [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)
    id_blocks: list[np.ndarray] = [_NO_IDS]
    weight_blocks: list[np.ndarray] = [_NO_WEIGHTS]
    for ids, weights, _ in blocks:
        id_blocks.append(ids)
        weight_blocks.append(np.asarray(weights, dtype=np.float64))
    docs, found = _live(deleted, np.concatenate(id_blocks), np.concatenate(weight_blocks))
    return docs, found


def read_occurrences(reader: Any, fieldname: str, text: bytes) -> tuple[Any, Any]:
    """Every occurrence of a positional term in a segment reader's live documents, as
    two ``int64`` NumPy arrays of equal length: document numbers and positions, in
    (document, position) order. A :class:`~.codec.CompactPositions` field is
    decoded a block at a time (a ``repeat`` of the ids by the counts); anything else
    through the matcher protocol.

    :raises whoosh.reading.TermNotFound: the term is not in the reader.
    """
    blocks, deleted, m = _blocks(reader, fieldname, text)
    if blocks is None or not isinstance(reader.schema[fieldname].format, CompactPositions):
        flat_docs: list[int] = []
        flat_positions: list[int] = []
        while m.is_active():
            ps = m.value_as("positions")
            flat_docs.extend([m.id()] * len(ps))
            flat_positions.extend(ps)
            m.next()
        return np.array(flat_docs, dtype=np.int64), np.array(flat_positions, dtype=np.int64)
    # Each list starts with an empty array: a term whose documents in this segment are
    # all deleted has no live block (Whoosh's wrapper has run the matcher past them).
    ids, counts, positions = [_NO_IDS], [_NO_IDS], [_NO_IDS]
    for block_ids, _, (block_counts, block_positions) in blocks:
        ids.append(block_ids)
        counts.append(np.asarray(block_counts, dtype=np.int64))
        positions.append(np.asarray(block_positions, dtype=np.int64))
    docs = np.repeat(np.concatenate(ids), np.concatenate(counts))
    live_docs, found = _live(deleted, docs, np.concatenate(positions))
    return live_docs, found


def _starts(positions: list[int], offsets: list[int], within: list[int] | None) -> list[int]:
    """Phrase starts consistent with a bigram found at ``positions`` and standing at
    each of ``offsets`` in the phrase (narrowed to ``within`` when given). The few
    candidate starts are tested against the position list (a C-speed ``in``) rather
    than turning every position into a set."""
    if within is None:
        j = offsets[0]
        starts = [p - j for p in positions] if j else positions
        rest = offsets[1:]
    else:
        starts, rest = within, offsets
    for j in rest:
        starts = [s for s in starts if s + j in positions]
        if not starts:
            return []
    return starts


def skip_starts(
    m: Any,
    docs: Any,
    offsets: list[int],
    within: dict[int, list[int]] | None = None,
    most: int | None = None,
) -> dict[int, list[int]]:
    """Walk the posting matcher ``m`` of one bigram to each of ``docs`` (ascending
    docnums) it holds, skipping between them, and return each one's phrase starts
    consistent with the bigram standing at ``offsets`` (narrowed to ``within[doc]``
    when given; only its first ``most`` positions when given). Documents left with no
    start are left out. Used where the documents are few next to the postings. A matcher
    that is not active (every document of the bigram in this segment is deleted) finds
    nothing."""
    found: dict[int, list[int]] = {}
    if not m.is_active():
        return found
    for d in docs:
        if m.id() < d:
            m.skip_to(d)
            if not m.is_active():
                break
        if m.id() == d:
            positions = m.value_as("positions")
            starts = _starts(
                positions if most is None else positions[:most],
                offsets,
                None if within is None else within[d],
            )
            if starts:
                found[d] = starts
    return found


__all__ = ["read_occurrences", "read_weights", "skip_starts"]
