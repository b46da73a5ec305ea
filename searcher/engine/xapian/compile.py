"""A query plan (:mod:`searcher.query.plan`) → a Xapian query, node for node.

===============  ==============================================================
plan node        Xapian
===============  ==============================================================
``Units``        one unit: its unigram term; two: its bigram term; more: an
                 ``OP_PHRASE`` of its bigram terms, window = their number (each in
                 turn, as the Whoosh engine's bigram phrase); in the title
                 (``TITLE_BOOST``), body and labels (``LABEL_BOOST``), ``OP_OR``
``Word``         the word's term in the word fields, ``WORD_BOOST``
``BookTitle``    the title's term in the book fields
``AllOf`` …      ``OP_AND``, ``OP_OR``, ``OP_AND_MAYBE``, ``OP_AND_NOT``
``Boost``        ``OP_SCALE_WEIGHT``
``Verbatim``     the child ``OP_AND`` a :class:`xapian.FixedWeightPostingSource` of
                 :data:`~searcher.ranking.VERBATIM_TIER`: the tier added to its score
``Near``         the parts' ``OP_AND``, filtered by the posts where the parts stand
                 within the window (:func:`searcher.ranking.near`, from positions read
                 by the engine), as an ``OP_FILTER`` of their id terms
``Every``        ``MatchAll``; ``Nothing``: ``MatchNothing``
===============  ==============================================================

Weights: in the body, Xapian's BM25 (normalised by the document's length, which the
body's terms make nearly all of). A match in the title or the labels weighs a fixed
``boost · idf`` (:func:`fixed`: the sum of its terms' idf over the whole index,
:func:`idf_of`, for one occurrence), as the Whoosh engine's BM25F weighs one occurrence in
a label (``B = 0``) and nearly in a title: Xapian has one length per document, and a
title or a tag normalised by the length of the body would rank a short post's body
match above a long post's title.

Everything here is a built-in Xapian query or posting source, so a plan runs on remote
shards (``xapian-tcpsrv`` knows no Python) as on local ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import xapian

from ...query import plan as qp
from ...ranking import VERBATIM_TIER
from .terms import ID_PREFIX, PREFIXES, bigram_terms, term

#: ``idf(term)``: a term's inverse document frequency over the whole index (all shards).
Idf = Callable[[str], float]
#: ``near(node, candidates_query)`` → the ids of the posts of ``candidates_query`` where
#: ``node``'s parts stand within its window (the engine reads the positions).
NearFilter = Callable[[qp.Near, xapian.Query], list[str]]

_OR = xapian.Query.OP_OR


def idf_of(db: xapian.Database) -> Idf:
    """A term's idf over ``db`` (every shard: the global statistics) as the Whoosh
    engine's BM25F computes it, ``log(N / (n + 1)) + 1`` (Xapian's own,
    ``log((N − n + ½)/(n + ½))``, gives a term in half the posts nearly nothing, so that a
    tag shared by a few posts of a small site would weigh less than one occurrence in a
    body); 0 for a term in no post."""
    size = db.get_doccount()
    memo: dict[str, float] = {}

    def idf(name: str) -> float:
        found = memo.get(name)
        if found is None:
            n = db.get_termfreq(name)
            found = memo[name] = math.log(size / (n + 1)) + 1 if n else 0.0
        return found

    return idf


def _fields(title_only: bool, boost: float, label: bool = True) -> list[tuple[str, float]]:
    out = [("title", qp.TITLE_BOOST * boost)]
    if not title_only:
        out.append(("body", boost))
        if label:
            out.append(("labels", qp.LABEL_BOOST * boost))
    return out


def _scaled(q: xapian.Query, factor: float) -> xapian.Query:
    return q if factor == 1.0 else xapian.Query(xapian.Query.OP_SCALE_WEIGHT, q, factor)


def fixed(q: xapian.Query, weight: float) -> xapian.Query:
    """The posts of ``q``, each weighing ``weight`` (``q``'s own weight dropped)."""
    zero = xapian.Query(xapian.Query.OP_SCALE_WEIGHT, q, 0.0)
    return xapian.Query(
        xapian.Query.OP_AND, [zero, xapian.Query(xapian.FixedWeightPostingSource(weight))]
    )


def _weighed(field: str, q: xapian.Query, terms: list[str], boost: float, idf: Idf) -> xapian.Query:
    if field == "body":
        return _scaled(q, boost)
    return fixed(q, boost * sum(idf(t) for t in terms))


def units_query(
    units: tuple[str, ...], title_only: bool, idf: Idf, boost: float = 1.0
) -> xapian.Query:
    """Posts holding ``units`` as a literal run (see the module's table)."""
    parts = []
    for field, weight in _fields(title_only, boost):
        if len(units) == 1:
            terms = [term(PREFIXES[field, "1"], units[0])]
            q = xapian.Query(terms[0])
        else:
            terms = bigram_terms(PREFIXES[field, "2"], units)
            if len(terms) == 1:
                q = xapian.Query(terms[0])
            else:
                q = xapian.Query(
                    xapian.Query.OP_PHRASE, [xapian.Query(b) for b in terms], len(terms)
                )
        parts.append(_weighed(field, q, terms, weight, idf))
    return xapian.Query(_OR, parts)


def _leaves(kind: str, text: str, fields: list[tuple[str, float]], idf: Idf) -> xapian.Query:
    out = []
    for field, weight in fields:
        name = term(PREFIXES[field, kind], text)
        out.append(_weighed(field, xapian.Query(name), [name], weight, idf))
    return xapian.Query(_OR, out)


def to_xapian(node: qp.Node, near: NearFilter, idf: Idf) -> xapian.Query:
    """The Xapian query of a plan node; ``near`` resolves :class:`~searcher.query.plan.Near`,
    ``idf`` weighs title and label matches.

    :raises TypeError: not a plan node.
    """

    def sub(n: qp.Node) -> xapian.Query:
        return to_xapian(n, near, idf)

    if isinstance(node, qp.Units):
        return units_query(node.units, node.title_only, idf, node.boost)
    if isinstance(node, qp.Word):
        return _leaves("words", node.word, _fields(node.title_only, qp.WORD_BOOST), idf)
    if isinstance(node, qp.BookTitle):
        return _leaves("books", node.title, _fields(node.title_only, 1.0, label=False), idf)
    if isinstance(node, qp.AllOf):
        return xapian.Query(xapian.Query.OP_AND, [sub(c) for c in node.children])
    if isinstance(node, qp.AnyOf):
        return xapian.Query(_OR, [sub(c) for c in node.children])
    if isinstance(node, qp.Maybe):
        return xapian.Query(xapian.Query.OP_AND_MAYBE, sub(node.required), sub(node.optional))
    if isinstance(node, qp.Without):
        return xapian.Query(xapian.Query.OP_AND_NOT, sub(node.positive), sub(node.negative))
    if isinstance(node, qp.Boost):
        return _scaled(sub(node.child), node.factor)
    if isinstance(node, qp.Verbatim):
        tier = xapian.Query(xapian.FixedWeightPostingSource(VERBATIM_TIER))
        return xapian.Query(xapian.Query.OP_AND, [sub(node.child), tier])
    if isinstance(node, qp.Near):
        every = xapian.Query(
            xapian.Query.OP_AND,
            [
                xapian.Query(_OR, [units_query(alt, node.title_only, idf) for alt in alts])
                for alts in node.parts
            ],
        )
        ids = near(node, every)
        if not ids:
            return xapian.Query.MatchNothing
        allowed = xapian.Query(_OR, [xapian.Query(term(ID_PREFIX, i)) for i in ids])
        return xapian.Query(xapian.Query.OP_FILTER, every, allowed)
    if isinstance(node, qp.Every):
        return xapian.Query.MatchAll
    if isinstance(node, qp.Nothing):
        return xapian.Query.MatchNothing
    raise TypeError(f"not a plan node: {node!r}")


__all__ = ["Idf", "NearFilter", "fixed", "idf_of", "to_xapian", "units_query"]
