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

from whoosh.codec.whoosh3 import W3LeafMatcher


def read_postings(
    reader: Any, fieldname: str, text: bytes, part: str = "weights"
) -> tuple[list[int], list[Any]]:
    """The live document numbers of one term in a segment reader, ascending, with each
    one's weight (term frequency, ``part="weights"``) or raw value (``"values"``: the
    encoded positions of a positional field).

    :raises whoosh.reading.TermNotFound: the term is not in the reader.
    """
    m = reader.postings(fieldname, text)
    deleted: frozenset[int] | None = None
    if type(m) is not W3LeafMatcher and type(getattr(m, "child", None)) is W3LeafMatcher:
        deleted = reader.deleted_docs_set  # Whoosh wrapped it to leave deleted ones out
        m = m.child
    ids: list[int] = []
    data: list[Any] = []
    if type(m) is W3LeafMatcher:
        while m.is_active():
            if m._data is None:
                m._read_data()
            raw = m._data[0]
            ids.extend(raw if m._byteids else accumulate(raw))
            if part == "weights":
                m._read_weights()
                data.extend(m._weights)
            else:
                m._read_values()
                data.extend(m._values)
            m._next_block()
    else:  # another codec: the matcher protocol
        while m.is_active():
            ids.append(m.id())
            data.append(m.weight() if part == "weights" else m.value())
            m.next()
    if deleted:
        kept = [(d, v) for d, v in zip(ids, data, strict=True) if d not in deleted]
        ids = [d for d, _ in kept]
        data = [v for _, v in kept]
    return ids, data


__all__ = ["read_postings"]
