"""Term-at-a-time evaluation of compiled queries: every match with its BM25F score.

Whoosh evaluates a query document at a time: a tree of matcher objects advanced one
posting per Python call, and each score is a further chain of calls. To total, facet
and rank *every* match (as :mod:`searcher.search` must), that walk dominates a search:
about 18 µs per matching post. Here each leaf's postings are read block by block
(the decoded id and weight arrays of Whoosh's own posting blocks), scored with the same
BM25F formula in one comprehension, and the tree is combined with dict and set
operations that run at C speed. Scores are Whoosh's, term for term:

* ``Term`` (boost b): ``b · bm25(idf, tf, len, avglen)`` from the index's
  :class:`~searcher.schema.BM25F` scorer (same idf, average length and field lengths);
* :class:`~searcher.query.BigramPhrase`: the phrase's documents and counts (its own
  :meth:`~searcher.query.BigramPhrase.matches`, shared with its matcher and cache),
  scored like a term on its rarest bigram;
* ``Or``: the union, scores summed; ``And``: the intersection, summed; ``AndMaybe``: the
  first's documents, plus the second's score where it matches; ``AndNot``: the first's
  documents less the second's; :class:`~searcher.query.Verbatim`: its child's plus
  :data:`~searcher.query.VERBATIM_TIER`; a compound's boost multiplies its sum (as in
  Whoosh, a compound of one query passes its child through unboosted);
* ``Every``: every live document, scoring its boost (1) as in Whoosh.

Any other node raises :class:`Unsupported`, and the caller falls back to Whoosh's own
collector. Deleted documents are left out like Whoosh's postings leave them out.
"""

from __future__ import annotations

import time
from typing import Any

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher

from .query import VERBATIM_TIER, BigramPhrase, Verbatim
from .schema import field_lengths

Scores = dict[int, float]


class Unsupported(Exception):
    """The query holds a node this module does not evaluate."""


class OutOfBudget(Exception):
    """The CPU budget ran out between two leaves."""


def evaluate(q: Any, searcher: Any, deadline: float | None = None) -> Scores:
    """Every document matching ``q`` with its score, as Whoosh would score it.

    :param q: a compiled Whoosh query (:func:`searcher.query.compile_query`).
    :param searcher: a Whoosh searcher; its leaf (segment) searchers are evaluated in
        turn and their document numbers offset like Whoosh's.
    :param deadline: a ``time.thread_time()`` value; past it, between two leaves,
        :class:`OutOfBudget` is raised (None: no limit).
    :returns: ``{docnum: score}``.
    :raises Unsupported: for a node type outside the module's list.
    """
    out: Scores = {}
    for sub, offset in searcher.leaf_searchers():
        scores = _node(q, sub, deadline)
        if offset:
            out.update({d + offset: v for d, v in scores.items()})
        else:
            out.update(scores)
    return out


def _node(q: Any, s: Any, deadline: float | None) -> Scores:
    kind = type(q)
    if kind is wq.Term:
        if deadline is not None and time.thread_time() > deadline:
            raise OutOfBudget
        return _term(q, s)
    if kind is BigramPhrase:
        if deadline is not None and time.thread_time() > deadline:
            raise OutOfBudget
        found = q.matches(s)
        if found is None:
            return {}
        docs, weights, rarest = found
        return _bm25(s, q.fieldname, rarest, docs, weights, q.boost)
    if kind is wq.Or or kind is wq.And:
        subs = q.subqueries
        if not subs:
            return {}
        if len(subs) == 1:
            return _node(subs[0], s, deadline)
        parts = [_node(sub, s, deadline) for sub in subs]
        if kind is wq.Or:
            combined = _union(parts)
        else:
            combined = _intersection(parts)
        if q.boost != 1.0:
            combined = {d: v * q.boost for d, v in combined.items()}
        return combined
    if kind is wq.AndMaybe:
        a = _node(q.a, s, deadline)
        if not a:
            return a
        b = _node(q.b, s, deadline)
        for d in a.keys() & b.keys():
            a[d] += b[d]
        return a
    if kind is wq.AndNot:
        a = _node(q.a, s, deadline)
        if not a:
            return a
        for d in _node(q.b, s, deadline).keys() & a.keys():
            del a[d]
        return a
    if kind is Verbatim:
        child = _node(q.child, s, deadline)
        return {d: v + VERBATIM_TIER for d, v in child.items()}
    if kind is wq.Every:
        reader = s.reader()
        if not reader.has_deletions():
            return dict.fromkeys(range(reader.doc_count_all()), float(q.boost))
        return dict.fromkeys(reader.all_doc_ids(), float(q.boost))
    if q is wq.NullQuery or kind is type(wq.NullQuery):
        return {}
    raise Unsupported(kind.__name__)


def _union(parts: list[Scores]) -> Scores:
    parts = sorted(parts, key=len, reverse=True)
    out = dict(parts[0])
    for part in parts[1:]:
        for d, v in part.items():
            out[d] = out.get(d, 0.0) + v
    return out


def _intersection(parts: list[Scores]) -> Scores:
    keys = set(min(parts, key=len))  # type: ignore[arg-type]
    for part in parts:
        keys.intersection_update(part.keys())
        if not keys:
            return {}
    return {d: sum(part[d] for part in parts) for d in keys}


def _term(q: Any, s: Any) -> Scores:
    field = s.schema[q.fieldname] if q.fieldname in s.schema else None
    if field is None:
        return {}
    try:
        text = field.to_bytes(q.text)
    except ValueError:
        return {}
    reader = s.reader()
    if (q.fieldname, text) not in reader:
        return {}
    ids, weights = postings(reader, q.fieldname, text)
    return _bm25(s, q.fieldname, text, ids, weights, q.boost)


def postings(reader: Any, fieldname: str, text: bytes) -> tuple[list[int], list[float]]:
    """The live document numbers and weights (term frequencies) of one term in a
    segment reader, read a block at a time from Whoosh 3 posting blocks."""
    m = reader.postings(fieldname, text)
    deleted = None
    if type(m) is not W3LeafMatcher and type(getattr(m, "child", None)) is W3LeafMatcher:
        deleted = reader.deleted_docs_set  # a FilterMatcher leaving deleted ones out
        m = m.child
    ids: list[int] = []
    weights: list[float] = []
    if type(m) is W3LeafMatcher:
        while m.is_active():
            m._read_ids()
            m._read_weights()
            ids.extend(m._ids)  # Whoosh's decoded block arrays
            weights.extend(m._weights)
            m._next_block()
    else:  # another codec: the matcher protocol
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
    if deleted:
        kept = [(d, w) for d, w in zip(ids, weights, strict=True) if d not in deleted]
        ids = [d for d, _ in kept]
        weights = [w for _, w in kept]
    return ids, weights


def _bm25(
    s: Any, fieldname: str, text: bytes, ids: list[int], weights: list[float], boost: float
) -> Scores:
    scorer = s.weighting.scorer(s, fieldname, text)
    if not hasattr(scorer, "idf") or not hasattr(scorer, "dfl"):
        return {d: scorer.score(_One(d, w)) * boost for d, w in zip(ids, weights, strict=True)}
    idf, k1 = scorer.idf, scorer.K1
    top = k1 + 1
    norm = _norms(s.reader(), fieldname, scorer)
    # bm25(idf, tf, fl, avgfl, B, K1) = idf · tf·(K1+1) / (tf + K1·((1−B) + B·fl/avgfl));
    # the same operations in the same order as whoosh.scoring.bm25, for equal floats.
    if boost == 1.0:
        return {d: idf * ((w * top) / (w + norm[d])) for d, w in zip(ids, weights, strict=True)}
    return {d: idf * ((w * top) / (w + norm[d])) * boost for d, w in zip(ids, weights, strict=True)}


def _norms(reader: Any, fieldname: str, scorer: Any) -> Any:
    """Each document's ``K1·((1−B) + B·len/avglen)`` in ``fieldname``, computed once per
    segment reader, field and average length (kept on the reader, which one pooled
    searcher, and so one thread at a time, owns)."""
    avgfl, b, k1 = scorer.avgfl, scorer.B, scorer.K1
    cache: dict[Any, Any] = reader.__dict__.setdefault("_searcher_norms", {})
    key = (fieldname, avgfl, b, k1)
    norm = cache.get(key)
    if norm is None:
        lengths = field_lengths(reader, fieldname)
        if lengths is None:
            dfl = scorer.dfl
            lengths = [dfl(d) for d in range(reader.doc_count_all())]
        norm = cache[key] = [k1 * ((1 - b) + b * fl / avgfl) for fl in lengths]
    return norm


class _One:
    """A stand-in matcher at one posting, for scorers without the BM25F attributes."""

    def __init__(self, docnum: int, weight: float) -> None:
        self._id, self._weight = docnum, weight

    def id(self) -> int:
        return self._id

    def weight(self) -> float:
        return self._weight


__all__ = ["OutOfBudget", "Scores", "Unsupported", "evaluate", "postings"]
