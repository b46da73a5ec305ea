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

Everything here is a built-in Xapian query or posting source, so a plan runs on remote
shards (``xapian-tcpsrv`` knows no Python) as on local ones.
"""

from __future__ import annotations

from collections.abc import Callable

import xapian

from ...query import plan as qp
from ...ranking import VERBATIM_TIER
from .terms import ID_PREFIX, PREFIXES, bigram_terms, term

#: ``near(node, candidates_query)`` → the ids of the posts of ``candidates_query`` where
#: ``node``'s parts stand within its window (the engine reads the positions).
NearFilter = Callable[[qp.Near, xapian.Query], list[str]]

_OR = xapian.Query.OP_OR


def _fields(title_only: bool, boost: float, label: bool = True) -> list[tuple[str, float]]:
    out = [("title", qp.TITLE_BOOST * boost)]
    if not title_only:
        out.append(("body", boost))
        if label:
            out.append(("labels", qp.LABEL_BOOST * boost))
    return out


def _scaled(q: xapian.Query, factor: float) -> xapian.Query:
    return q if factor == 1.0 else xapian.Query(xapian.Query.OP_SCALE_WEIGHT, q, factor)


def units_query(units: tuple[str, ...], title_only: bool, boost: float = 1.0) -> xapian.Query:
    """Posts holding ``units`` as a literal run (see the module's table)."""
    parts = []
    for field, weight in _fields(title_only, boost):
        if len(units) == 1:
            q = xapian.Query(term(PREFIXES[field, "1"], units[0]))
        else:
            bigrams = bigram_terms(PREFIXES[field, "2"], units)
            if len(bigrams) == 1:
                q = xapian.Query(bigrams[0])
            else:
                q = xapian.Query(
                    xapian.Query.OP_PHRASE, [xapian.Query(b) for b in bigrams], len(bigrams)
                )
        parts.append(_scaled(q, weight))
    return xapian.Query(_OR, parts)


def to_xapian(node: qp.Node, near: NearFilter) -> xapian.Query:
    """The Xapian query of a plan node; ``near`` resolves :class:`~searcher.query.plan.Near`.

    :raises TypeError: not a plan node.
    """
    if isinstance(node, qp.Units):
        return units_query(node.units, node.title_only, node.boost)
    if isinstance(node, qp.Word):
        return xapian.Query(
            _OR,
            [
                _scaled(xapian.Query(term(PREFIXES[f, "words"], node.word)), w)
                for f, w in _fields(node.title_only, qp.WORD_BOOST)
            ],
        )
    if isinstance(node, qp.BookTitle):
        return xapian.Query(
            _OR,
            [
                _scaled(xapian.Query(term(PREFIXES[f, "books"], node.title)), w)
                for f, w in _fields(node.title_only, 1.0, label=False)
            ],
        )
    if isinstance(node, qp.AllOf):
        return xapian.Query(xapian.Query.OP_AND, [to_xapian(c, near) for c in node.children])
    if isinstance(node, qp.AnyOf):
        return xapian.Query(_OR, [to_xapian(c, near) for c in node.children])
    if isinstance(node, qp.Maybe):
        return xapian.Query(
            xapian.Query.OP_AND_MAYBE,
            to_xapian(node.required, near),
            to_xapian(node.optional, near),
        )
    if isinstance(node, qp.Without):
        return xapian.Query(
            xapian.Query.OP_AND_NOT, to_xapian(node.positive, near), to_xapian(node.negative, near)
        )
    if isinstance(node, qp.Boost):
        return _scaled(to_xapian(node.child, near), node.factor)
    if isinstance(node, qp.Verbatim):
        tier = xapian.Query(xapian.FixedWeightPostingSource(VERBATIM_TIER))
        return xapian.Query(xapian.Query.OP_AND, [to_xapian(node.child, near), tier])
    if isinstance(node, qp.Near):
        every = xapian.Query(
            xapian.Query.OP_AND,
            [
                xapian.Query(_OR, [units_query(alt, node.title_only) for alt in alts])
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


__all__ = ["NearFilter", "to_xapian", "units_query"]
