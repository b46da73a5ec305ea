"""Reading a term's postings whole, a block at a time (for evaluation and phrases).

Whoosh's matcher protocol costs several Python calls per posting (``is_active``, ``id``,
``weight`` or ``value``, ``next``), and its block decoder turns the stored id deltas back
into ids with a Python generator. Where every posting of a term is needed, this module
reads Whoosh 3 posting blocks directly: the ids are the running sum of the stored deltas
(:func:`itertools.accumulate`, at C speed), the weights and values are the block's own
arrays. Other codecs go through the matcher protocol. Deleted documents are left out,
as Whoosh's own postings leave them out.
"""

from __future__ import annotations

from itertools import accumulate
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ListMatcher

from .codec import CompactLeafMatcher, CompactPositions, split_positions

_BLOCK_MATCHERS = (W3LeafMatcher, CompactLeafMatcher)


def read_postings(
    reader: Any, fieldname: str, text: bytes, part: str = "weights"
) -> tuple[list[int], list[Any]]:
    """The live document numbers of one term in a segment reader, ascending, with each
    one's weight (term frequency, ``part="weights"``), raw value (``"values"``) or
    positions (``"positions"``: a list of ints each, for a positional field; a
    :class:`~searcher.codec.CompactPositions` field decodes a block at a time).

    :raises whoosh.reading.TermNotFound: the term is not in the reader.
    """
    m = reader.postings(fieldname, text)
    inline = _inlined_block(m)
    if inline is not None and part != "values":  # a term kept in the term table
        block_ids, block_weights, _, block_values = inline
        found = list(block_weights) if part == "weights" else split_positions(*block_values)
        return _live(reader, list(block_ids), found)
    deleted: frozenset[int] | None = None
    if type(m) not in _BLOCK_MATCHERS and type(getattr(m, "child", None)) in _BLOCK_MATCHERS:
        deleted = reader.deleted_docs_set  # Whoosh wrapped it to leave deleted ones out
        m = m.child
    ids: list[int] = []
    data: list[Any] = []
    decode: Any = getattr(reader.schema[fieldname].format, "decode_positions", None)
    if type(m) in _BLOCK_MATCHERS:
        whole = part == "positions" and isinstance(m, CompactLeafMatcher)
        whole = whole and isinstance(m.format, CompactPositions)
        while m.is_active():
            if m._data is None:
                m._read_data()
            raw = m._data[0]
            ids.extend(raw if m._byteids else accumulate(raw))
            if part == "weights":
                m._read_weights()
                data.extend(m._weights)
            elif whole:
                data.extend(m.block_positions())
            else:
                m._read_values()
                data.extend(m._values if part == "values" else map(decode, m._values))
            m._next_block()
    else:  # another codec or inlined postings: the matcher protocol
        while m.is_active():
            ids.append(m.id())
            if part == "weights":
                data.append(m.weight())
            else:
                data.append(m.value() if part == "values" else decode(m.value()))
            m.next()
    if deleted:
        kept = [(d, v) for d, v in zip(ids, data, strict=True) if d not in deleted]
        ids = [d for d, _ in kept]
        data = [v for _, v in kept]
    return ids, data


def _inlined_block(m: Any) -> Any:
    """The decoded block of a term kept in the term table
    (:class:`~searcher.codec.CompactTermInfo`) behind the matcher ``m``, else None."""
    inner = getattr(m, "child", m)
    info = getattr(inner, "_terminfo", None)
    return getattr(info, "block", None) if isinstance(inner, ListMatcher) else None


def _live(reader: Any, ids: list[int], data: list[Any]) -> tuple[list[int], list[Any]]:
    """``ids`` and ``data`` without the reader's deleted documents."""
    if not reader.has_deletions():
        return ids, data
    deleted = reader.deleted_docs_set
    kept = [(d, v) for d, v in zip(ids, data, strict=True) if d not in deleted]
    return [d for d, _ in kept], [v for _, v in kept]


def _unwrapped(reader: Any, fieldname: str, text: bytes) -> tuple[Any, Any]:
    """A term's posting matcher and the documents it must leave out: Whoosh wraps a
    segment's matcher to skip deleted documents; reading blocks directly, the wrapper is
    taken off and the deleted set returned instead (None when there is nothing to
    leave out or no block matcher inside)."""
    m = reader.postings(fieldname, text)
    if type(m) is not CompactLeafMatcher and type(getattr(m, "child", None)) is CompactLeafMatcher:
        return m.child, reader.deleted_docs_set
    return m, None


def read_weights(reader: Any, fieldname: str, text: bytes) -> tuple[Any, Any]:
    """:func:`read_postings` of the weights as NumPy arrays (``int64`` document numbers,
    ``float64`` weights): a :class:`~searcher.codec.CompactLeafMatcher` block is turned
    into arrays by one ``cumsum`` and one conversion, without a Python list between.

    :raises whoosh.reading.TermNotFound: the term is not in the reader.
    """
    m, deleted = _unwrapped(reader, fieldname, text)
    if type(m) is not CompactLeafMatcher:
        ids, weights = read_postings(reader, fieldname, text, "weights")
        return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)
    id_blocks, weight_blocks = [], []
    while m.is_active():
        if m._data is None:
            m._read_data()
        deltas, weights, _ = m._data
        id_blocks.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
        weight_blocks.append(np.asarray(weights, dtype=np.float64))
        m._next_block()
    docs = np.concatenate(id_blocks)
    found = np.concatenate(weight_blocks)
    if deleted:
        keep = ~np.isin(docs, np.fromiter(deleted, dtype=np.int64))
        docs, found = docs[keep], found[keep]
    return docs, found


def read_occurrences(reader: Any, fieldname: str, text: bytes) -> tuple[Any, Any]:
    """Every occurrence of a positional term in a segment reader's live documents, as
    two ``int64`` NumPy arrays of equal length: document numbers and positions, in
    (document, position) order. A :class:`~searcher.codec.CompactPositions` field is
    decoded a block at a time (a ``cumsum`` of the ids, a ``repeat`` by the counts);
    anything else through the matcher protocol.

    :raises whoosh.reading.TermNotFound: the term is not in the reader.
    """
    m, deleted = _unwrapped(reader, fieldname, text)
    if type(m) is CompactLeafMatcher and isinstance(m.format, CompactPositions):
        ids, counts, positions = [], [], []
        while m.is_active():
            if m._data is None:
                m._read_data()
            deltas, _, (block_counts, block_positions) = m._data
            ids.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
            counts.append(np.asarray(block_counts, dtype=np.int64))
            positions.append(np.asarray(block_positions, dtype=np.int64))
            m._next_block()
        docs = np.repeat(np.concatenate(ids), np.concatenate(counts))
        found = np.concatenate(positions)
    else:
        flat_docs: list[int] = []
        flat_positions: list[int] = []
        while m.is_active():
            ps = m.value_as("positions")
            flat_docs.extend([m.id()] * len(ps))
            flat_positions.extend(ps)
            m.next()
        docs = np.array(flat_docs, dtype=np.int64)
        found = np.array(flat_positions, dtype=np.int64)
    if deleted:
        keep = ~np.isin(docs, np.fromiter(deleted, dtype=np.int64))
        docs, found = docs[keep], found[keep]
    return docs, found


__all__ = ["read_occurrences", "read_postings", "read_weights"]
