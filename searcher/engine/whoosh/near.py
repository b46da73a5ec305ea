"""Where runs stand in a document, read from the bigram fields: the positions the
proximity factor uses (:func:`part_positions`) and the looser rule that matches a
run's parts close together (:class:`NearQuery`, :class:`searcher.query.plan.Near`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import matching
from whoosh import query as wq

from ...analysis import join_units
from ...ranking import MAX_POSITIONS, Positions, near
from .postings import skip_starts


def part_positions(reader: Any) -> Positions:
    """:data:`searcher.ranking.Positions` read from ``reader``'s bigram fields: the
    intersection of a part's bigrams' positions, shifted to the part's start. One
    posting reader per bigram walks all the documents (a reader costs more than a
    skip)."""

    def positions(field: str, part: tuple[str, ...], docs: list[int]) -> dict[int, list[int]]:
        terms = [(f"{field}_2", join_units(a, b)) for a, b in zip(part, part[1:], strict=False)]
        starts: dict[int, list[int]] | None = None
        for j, (fieldname, text) in enumerate(terms):
            if (fieldname, text) not in reader:
                return {}
            m = reader.postings(fieldname, text)
            walk = docs if starts is None else sorted(starts)
            starts = skip_starts(m, walk, [j], starts, most=MAX_POSITIONS)
            if not starts:
                return {}
        return {d: sorted(p) for d, p in (starts or {}).items()}

    return positions


def near_docs(
    reader: Any,
    candidates: list[int],
    parts: tuple[tuple[tuple[str, ...], ...], ...],
    window: int,
    fields: tuple[str, ...],
) -> list[int]:
    """:func:`searcher.ranking.near` on ``reader`` (one segment's, ``candidates`` its
    ascending docnums holding every part)."""
    return near(part_positions(reader), candidates, parts, window, fields)


class NearQuery(wq.WrappingQuery):  # type: ignore[misc]
    """The documents of ``child`` (every part, scored) where the parts also stand within
    ``window`` units of each other in one of ``fields``."""

    def __init__(
        self,
        child: Any,
        parts: tuple[tuple[tuple[str, ...], ...], ...],
        window: int,
        fields: tuple[str, ...],
    ) -> None:
        super().__init__(child)
        self.parts = parts
        self.window = window
        self.fields = fields

    def _rewrap(self, child: Any) -> Any:
        return NearQuery(child, self.parts, self.window, self.fields)

    def allowed(self, searcher: Any, candidates: list[int]) -> list[int]:
        """:func:`near_docs` for this query on ``searcher``'s (segment) reader."""
        return near_docs(searcher.reader(), candidates, self.parts, self.window, self.fields)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        m = self.child.matcher(searcher, context)
        if not m.is_active():
            return m
        # A second matcher lists the candidates: phrase matchers cannot be copied.
        candidates = sorted(self.child.matcher(searcher, context).all_ids())
        kept = self.allowed(searcher, candidates)
        if not kept:
            return matching.NullMatcher()
        return matching.FilterMatcher(m, frozenset(kept))


def near_mask(q: NearQuery, searcher: Any, hit: np.ndarray) -> np.ndarray:
    """``hit`` (a segment's match mask of ``q.child``) narrowed to :meth:`NearQuery.allowed`."""
    out = np.zeros_like(hit)
    kept = q.allowed(searcher, np.flatnonzero(hit).tolist())
    out[kept] = True
    return out


__all__ = ["NearQuery", "near_docs", "near_mask", "part_positions"]
