"""Term-at-a-time evaluation of compiled queries: every match with its BM25F score.

Whoosh evaluates a query document at a time: a tree of matcher objects advanced one
posting per Python call, and each score is a further chain of calls. To total, facet
and rank *every* match (as :mod:`.collect` must), that walk dominates a search:
about 18 µs per matching post. Here each leaf's postings are read block by block (the
decoded id and weight arrays of the codec's posting blocks, :mod:`.postings`),
scored with the same BM25F formula as one NumPy array operation, and the tree is
combined as dense arrays over each segment's documents (a match mask and a score per
document), so that nothing runs a Python step per matching document. Scores are
Whoosh's, term for term:

* ``Term`` (boost b): ``b · bm25(idf, tf, len, avglen)`` from the index's
  :class:`~.schema.BM25F` scorer (same idf, average length and field lengths);
* :class:`~.compile.BigramPhrase`: the phrase's documents and counts (its own
  :meth:`~.compile.BigramPhrase.matches`, shared with its matcher and cache),
  scored like a term on its rarest bigram;
* ``Or``: the union, scores summed; ``And``: the intersection, summed; ``AndMaybe``: the
  first's documents, plus the second's score where it matches; ``AndNot``: the first's
  documents less the second's; :class:`~.compile.VerbatimQuery`: its child's plus
  :data:`~searcher.ranking.VERBATIM_TIER`; a compound's boost multiplies its sum (as in
  Whoosh, a compound of one query passes its child through unboosted);
* :class:`~.near.NearQuery`: its child's matches, narrowed to those whose parts
  stand close together (:func:`~.near.near_docs`);
* ``Every``: every live document, scoring its boost (1) as in Whoosh.

Any other node raises :class:`Unsupported`, and the caller falls back to Whoosh's own
collector. Deleted documents are left out like Whoosh's postings leave them out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq

from ...ranking import VERBATIM_TIER
from .compile import BigramPhrase, VerbatimQuery
from .near import NearQuery, near_mask
from .postings import read_weights
from .schema import field_lengths

Scores = dict[int, float]


class Unsupported(Exception):
    """The query holds a node this module does not evaluate."""


class OutOfBudget(Exception):
    """The CPU budget ran out between two leaves."""


@dataclass
class _Hits:
    """One node's result in one segment, as dense arrays over its document numbers:
    ``hit[d]`` whether d matches, ``score[d]`` its score (0 where it does not match,
    so that sums over children never count a non-match)."""

    hit: np.ndarray
    score: np.ndarray


def evaluate(q: Any, searcher: Any, deadline: float | None = None) -> Scores:
    """Every document matching ``q`` with its score, as Whoosh would score it.

    :param q: a compiled Whoosh query (:func:`searcher.engine.whoosh.compile.compile_plan`).
    :param searcher: a Whoosh searcher; its leaf (segment) searchers are evaluated in
        turn and their document numbers offset like Whoosh's.
    :param deadline: a ``time.thread_time()`` value; past it, between two leaves,
        :class:`OutOfBudget` is raised (None: no limit).
    :returns: ``{docnum: score}``.
    :raises Unsupported: for a node type outside the module's list.
    """
    docs, scores = evaluate_arrays(q, searcher, deadline)
    return dict(zip(docs.tolist(), scores.tolist(), strict=True))


def evaluate_arrays(
    q: Any, searcher: Any, deadline: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`evaluate` as two arrays: the matching docnums (ascending, int64) and
    their scores (float64), for callers that go on with NumPy."""
    docs: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    for sub, offset in searcher.leaf_searchers():
        result = _node(q, sub, sub.reader().doc_count_all(), deadline)
        found = np.flatnonzero(result.hit)
        docs.append(found.astype(np.int64) + offset)
        scores.append(result.score[found])
    if not docs:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(docs), np.concatenate(scores)


def _empty(n: int) -> _Hits:
    return _Hits(np.zeros(n, dtype=bool), np.zeros(n))


def _sparse(n: int, ids: Any, scores: Any) -> _Hits:
    out = _empty(n)
    out.hit[ids] = True
    out.score[ids] = scores
    return out


def _node(q: Any, s: Any, n: int, deadline: float | None) -> _Hits:
    kind = type(q)
    if kind is wq.Term or kind is BigramPhrase:
        if deadline is not None and time.thread_time() > deadline:
            raise OutOfBudget
        if kind is wq.Term:
            return _term(q, s, n)
        found = q.matches(s)
        if found is None:
            return _empty(n)
        docs, weights, rarest = found
        return _bm25(s, n, q.fieldname, rarest, docs, weights, q.boost)
    if kind is wq.Or or kind is wq.And:
        subs = q.subqueries
        if not subs:
            return _empty(n)
        if len(subs) == 1:  # Whoosh passes a single child through, unboosted
            return _node(subs[0], s, n, deadline)
        parts = [_node(sub, s, n, deadline) for sub in subs]
        hit = parts[0].hit.copy()
        score = parts[0].score.copy()
        for part in parts[1:]:
            if kind is wq.Or:
                hit |= part.hit
            else:
                hit &= part.hit
            score += part.score
        if kind is wq.And:
            score[~hit] = 0.0
        if q.boost != 1.0:
            score *= q.boost
        return _Hits(hit, score)
    if kind is wq.AndMaybe:
        a = _node(q.a, s, n, deadline)
        if not a.hit.any():
            return a
        b = _node(q.b, s, n, deadline)
        both = a.hit & b.hit
        a.score[both] += b.score[both]
        return a
    if kind is wq.AndNot:
        a = _node(q.a, s, n, deadline)
        if not a.hit.any():
            return a
        b = _node(q.b, s, n, deadline)
        a.hit &= ~b.hit
        a.score[b.hit] = 0.0
        return a
    if kind is VerbatimQuery:
        child = _node(q.child, s, n, deadline)
        child.score[child.hit] += VERBATIM_TIER
        return child
    if kind is NearQuery:
        child = _node(q.child, s, n, deadline)
        if child.hit.any():
            child.hit = near_mask(q, s, child.hit)
            child.score[~child.hit] = 0.0
        return child
    if kind is wq.Every:
        reader = s.reader()
        live = np.ones(n, dtype=bool)
        if reader.has_deletions():
            live[list(reader.deleted_docs_set)] = False
        return _Hits(live, np.where(live, float(q.boost), 0.0))
    if q is wq.NullQuery or kind is type(wq.NullQuery):
        return _empty(n)
    raise Unsupported(kind.__name__)


def _term(q: Any, s: Any, n: int) -> _Hits:
    field = s.schema[q.fieldname] if q.fieldname in s.schema else None
    if field is None:
        return _empty(n)
    try:
        text = field.to_bytes(q.text)
    except ValueError:
        return _empty(n)
    reader = s.reader()
    if (q.fieldname, text) not in reader:
        return _empty(n)
    ids, weights = read_weights(reader, q.fieldname, text)
    return _bm25(s, n, q.fieldname, text, ids, weights, q.boost)


def _bm25(
    s: Any,
    n: int,
    fieldname: str,
    text: bytes,
    ids: Any,
    weights: Any,
    boost: float,
) -> _Hits:
    scorer = s.weighting.scorer(s, fieldname, text)
    if not hasattr(scorer, "idf") or not hasattr(scorer, "dfl"):
        scores = [scorer.score(_One(d, w)) * boost for d, w in zip(ids, weights, strict=True)]
        return _sparse(n, ids, scores)
    docs = np.asarray(ids, dtype=np.intp)
    w = np.asarray(weights, dtype=np.float64)
    # bm25(idf, tf, fl, avgfl, B, K1) = idf · tf·(K1+1) / (tf + K1·((1−B) + B·fl/avgfl));
    # the same operations in the same order as whoosh.scoring.bm25, for equal floats.
    scores = scorer.idf * (
        (w * (scorer.K1 + 1)) / (w + _norms(s.reader(), fieldname, scorer)[docs])
    )
    if boost != 1.0:
        scores *= boost
    return _sparse(n, docs, scores)


def _norms(reader: Any, fieldname: str, scorer: Any) -> np.ndarray:
    """Each document's ``K1·((1−B) + B·len/avglen)`` in ``fieldname``, computed once per
    segment reader, field and average length (kept on the reader, which one pooled
    searcher, and so one thread at a time, owns)."""
    avgfl, b, k1 = scorer.avgfl, scorer.B, scorer.K1
    cache: dict[Any, np.ndarray] = reader.__dict__.setdefault("_searcher_norms", {})
    key = (fieldname, avgfl, b, k1)
    norm = cache.get(key)
    if norm is None:
        lengths = field_lengths(reader, fieldname)
        if lengths is None:
            dfl = scorer.dfl
            lengths = [dfl(d) for d in range(reader.doc_count_all())]
        fl = np.asarray(lengths, dtype=np.float64)
        norm = cache[key] = k1 * ((1 - b) + b * fl / avgfl)
    return norm


class _One:
    """A stand-in matcher at one posting, for scorers without the BM25F attributes."""

    def __init__(self, docnum: int, weight: float) -> None:
        self._id, self._weight = docnum, weight

    def id(self) -> int:
        return self._id

    def weight(self) -> float:
        return self._weight


__all__ = ["OutOfBudget", "Scores", "Unsupported", "evaluate", "evaluate_arrays"]
