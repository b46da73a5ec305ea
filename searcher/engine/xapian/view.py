"""What the Xapian engine keeps of one generation of a (possibly sharded) database: each
row's headline, id, date and facet values, read for every post at once.

Rows are the document ids of the database searched: with several shards, Xapian's
interleaved ids (``(shard_docid − 1) · shards + shard + 1``), so a database opened over
other shards (a replica, a shard missing) has a view of its own.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xapian

from ...engine import StoredPost
from ...engine.pages import id_order
from ...facets import FACETS, FacetData, FacetPostings, month_numbers
from ...ranking import UNDATED
from .terms import HEAD, stored_post


@dataclass
class View:
    """One generation's columns, by row (``size`` = the last document id + 1; rows
    without a live post have id "" and no date).

    ``heads``: each live row's headline (:func:`.terms.headline`); ``rows``: id → row;
    ``data``: facet postings and dates; ``order``/``order_list``: places in id order;
    ``stamps``: dates as an int64 array; ``headlines``: the stored posts without bodies.
    """

    heads: dict[int, dict[str, Any]]
    rows: dict[str, int]
    data: FacetData
    order: np.ndarray
    order_list: list[int]
    stamps: np.ndarray
    headlines: tuple[StoredPost, ...]
    cache: dict[Any, Any] = field(default_factory=dict)

    @property
    def live(self) -> set[int]:
        """The rows of live posts."""
        return set(self.heads)


def all_heads(db: xapian.Database) -> dict[int, dict[str, Any]]:
    """``{document id: headline}`` of every document of ``db``, in one match: every
    document sorted by its :data:`~.terms.HEAD` value, each hit's sort key being that
    value (so remote shards send them with the match, not a request per document)."""
    count = db.get_doccount()
    if not count:
        return {}
    enquire = xapian.Enquire(db)
    enquire.set_query(xapian.Query.MatchAll)
    enquire.set_sort_by_value(HEAD, False)
    enquire.set_weighting_scheme(xapian.BoolWeight())
    mset = enquire.get_mset(0, count, count)
    out: dict[int, dict[str, Any]] = {}
    it, end = mset._begin(), mset._end()
    while it != end:
        out[it.get_docid()] = json.loads(it.get_sort_key())
        it.__next__()
    return out


def make_view(db: xapian.Database, tz: dt.tzinfo) -> View:
    """The :class:`View` of ``db`` as it is now, the months of its dates in ``tz``."""
    heads = all_heads(db)
    size = (max(heads) if heads else 0) + 1
    stamps = [UNDATED] * size
    ids = [""] * size
    values: dict[str, dict[str, list[int]]] = {name: {} for name in FACETS}
    for row, head in heads.items():
        ids[row] = head["id"]
        stamps[row] = int(head["ts"])
        for name in ("categories", "tags"):
            for value in head.get(name) or ():
                values[name].setdefault(value, []).append(row)
        if head.get("year"):
            values["year"].setdefault(str(head["year"]), []).append(row)
        values["type"].setdefault(str(head.get("type", "post")), []).append(row)
    postings = {name: FacetPostings.of(v, size) for name, v in values.items()}
    order = id_order(ids)
    return View(
        heads=heads,
        rows={head["id"]: row for row, head in heads.items()},
        data=FacetData(postings, stamps, month_numbers(tz, stamps)),
        order=order,
        order_list=order.tolist(),
        stamps=np.array(stamps, dtype=np.int64),
        headlines=tuple(stored_post(h, None) for h in heads.values()),
    )


__all__ = ["View", "all_heads", "make_view"]
