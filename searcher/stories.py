"""Story groups: posts whose bodies are near-identical (reprints of one story), found by
MinHash over character shingles with locality-sensitive hashing (issue #22).

Each post has a MinHash signature of its body's shingles (:mod:`searcher.minhash`: runs
of :data:`SHINGLE_CHARS` folded letters, digits and ideographs). Two posts are *similar* when the
overlap of their shingle sets (the shingles they share over those of the smaller one,
so that a post with a paragraph added still holds the whole of the other), computed
from the Jaccard similarity estimated from :data:`NUM_PERM` MinHash values (datasketch's
``MinHash``, 32-bit affine permutations) and the sets' sizes, is at least
:data:`THRESHOLD`, and that Jaccard similarity at least :data:`MIN_JACCARD` (the
smaller is not a short part of the larger); the candidates are found with
locality-sensitive hashing (:func:`buckets`) and each pair is then checked on its
signatures and on its dates: both posts dated, they must
be published within :data:`WINDOW_DAYS` of each other (a reprint follows its story
within days; the same template a year later is another story), and an undated post (a
page) is only ever the copy of another undated one, so that it cannot join copies
published years apart. A *story group* is a
connected set of similar posts (two reprints of one wire story join even when a third
copy differs from each a little more). Posts of fewer than :data:`MIN_CHARS` such
characters never join a group: two short notices may share all their words without
being one story.

The threshold and window were chosen on a labelled set of pairs
(``bench/near_duplicates.py``, README "Story groups"): a changed headline, a source line,
an added or removed paragraph, a traditional-script copy stay in the group; on xwlb, the
same boilerplate for another leader's welcome, another year's session or another day's
bulletin reaches a similarity of 0.9, which is why the threshold is high and the window
short.

Everything here is computed from bodies and their digests, never from the order in
which posts were added, so an index kept up to date post by post has the same groups
as a fresh build of the same posts.

>>> a = ("国务院新闻办公室今天举行发布会，介绍今年前三季度国民经济运行情况。国家统计局"
...      "新闻发言人表示，前三季度国内生产总值同比增长百分之五点二，就业形势总体稳定，居民"
...      "消费价格温和上涨，工业生产和服务业持续恢复，高技术制造业投资保持较快增长。")
>>> b = "（来源：新华社）" + a.replace("今天", "当天")
>>> sigs = signatures([("a", "1", a, 0), ("b", "2", b, 86400), ("c", "3", "短消息", 0)])
>>> groups_of(sigs).groups
(('a', 'b'),)
>>> year_later = signatures([("a", "1", a, 0), ("b", "2", a, 365 * 86400)])
>>> groups_of(year_later).groups
()
"""

from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .minhash import (
    MIN_CHARS,
    NUM_PERM,
    SEED,
    SHINGLE_CHARS,
    UNDATED,
    Signatures,
    jaccard,
    merge,
    missing,
    overlap,
    shingles,
    signatures,
)

#: Least :func:`similarity` (estimated overlap of two posts' shingles) of one story.
THRESHOLD = 0.9
#: Least Jaccard similarity of one story's posts too: a short post quoted whole in a
#: longer one (an obituary in the report of the funeral days later) is not its copy.
MIN_JACCARD = 0.5
#: The Jaccard similarity the candidate search (LSH) is tuned for, below
#: :data:`MIN_JACCARD` so that few pairs above it are missed: :data:`BANDS` bands of
#: :data:`BAND_ROWS` values, the parameters datasketch's ``MinHashLSH`` picks for it
#: (a pair of Jaccard similarity J is a candidate with probability
#: ``1 − (1 − J**4)**32``: 0.87 at 0.5, 0.99 at 0.6).
CANDIDATE_JACCARD = 0.4
BANDS = 32
BAND_ROWS = 4
#: Most days between two dated posts of one group (either undated: no limit).
WINDOW_DAYS = 7
#: Most posts a collapsed hit lists of its group's other matches (``Hit.similar``;
#: ``Hit.similar_count`` counts them all). On xwlb (19,541 posts) and finews the largest
#: group has 2 posts, so no real group is cut; a site of 3,000 copies of one story put
#: all 2,999 others in one hit: 845 KB of JSON for one page and 2,999 stored posts
#: read. Twenty titles are about a screen of the expanded list; 逐篇显示 shows them all.
MAX_SIMILAR = 20
#: Version of the signatures' recipe: stored signatures of another are computed anew.
RECIPE = (
    f"minhash-affine32 k{SHINGLE_CHARS} p{NUM_PERM} s{SEED} min{MIN_CHARS} nolinks "
    f"t{THRESHOLD} j{MIN_JACCARD} w{WINDOW_DAYS} v2"
)


def similarity(signed: Signatures, i: int, j: int) -> float:
    """The similarity of rows ``i`` and ``j`` that :data:`THRESHOLD` applies to: the
    :func:`overlap` of their shingles, from the Jaccard estimate of their signatures;
    0 when that estimate is below :data:`MIN_JACCARD`."""
    similar = jaccard(signed.matrix[i], signed.matrix[j])
    if similar < MIN_JACCARD:
        return 0.0
    return overlap(similar, int(signed.sizes[i]), int(signed.sizes[j]))


@dataclass(frozen=True)
class StoryGroups:
    """The story groups of an index generation: ``groups``, each the ids of its posts
    (two or more) in id order, the first being the group's key; posts in none are a
    story of their own. ``token`` names this grouping (a digest of it), for caches."""

    groups: tuple[tuple[str, ...], ...] = ()
    token: str = "none"
    _key: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for members in self.groups:
            for post_id in members:
                self._key[post_id] = members[0]

    def key(self, post_id: str) -> str:
        """The key of ``post_id``'s group: its first post's id (the post's own when alone)."""
        return self._key.get(post_id, post_id)

    def numbers(self) -> dict[str, int]:
        """``{post id: group number}`` of the grouped posts."""
        return {p: n for n, members in enumerate(self.groups) for p in members}

    def members(self, post_id: str) -> tuple[str, ...]:
        """Every post of ``post_id``'s group (itself alone when it is in none)."""
        key = self._key.get(post_id)
        if key is None:
            return (post_id,)
        return next(m for m in self.groups if m[0] == key)


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def similar_pairs(
    signed: Signatures, threshold: float = THRESHOLD, window_days: float | None = WINDOW_DAYS
) -> list[tuple[int, int, float]]:
    """Every pair of rows ``(i, j, similarity)``, ``i < j``, both eligible, that
    share an LSH bucket (:func:`buckets`, tuned for a Jaccard similarity of
    :data:`CANDIDATE_JACCARD`), whose :func:`similarity` is at least ``threshold`` and,
    both dated, published within ``window_days`` (None: any time), or both undated."""
    window = None if window_days is None else window_days * 86400
    stamps = signed.stamps
    rows = np.flatnonzero(signed.eligible)
    candidates = {(i, j) for bucket in buckets(signed, rows) for i, j in _pairs(bucket)}
    pairs = []
    for i, j in sorted(candidates):
        if (stamps[i] == UNDATED) != (stamps[j] == UNDATED):
            continue  # a dated and an undated post: never one story
        if (
            window is not None
            and stamps[i] != UNDATED
            and abs(int(stamps[i]) - int(stamps[j])) > window
        ):
            continue
        score = similarity(signed, i, j)
        if score >= threshold:
            pairs.append((i, j, score))
    return pairs


def _pairs(bucket: list[int]) -> list[tuple[int, int]]:
    return [(i, j) for n, i in enumerate(bucket) for j in bucket[n + 1 :]]


def buckets(signed: Signatures, rows: np.ndarray) -> list[list[int]]:
    """The LSH buckets of ``rows`` (row numbers of ``signed``) with two rows or more,
    each in row order: the rows whose signatures agree on all :data:`BAND_ROWS` values
    of one of :data:`BANDS` bands. Done with NumPy: datasketch's ``MinHashLSH`` with the
    same bands held 243 MB and took 2.5 s for xwlb's 19,112 signatures, on every commit;
    this holds ``rows × BANDS`` keys (5 MB) and takes a fraction of a second."""
    out: list[list[int]] = []
    if len(rows) < 2:
        return out
    matrix = np.ascontiguousarray(signed.matrix[rows])
    for band in range(BANDS):
        part = np.ascontiguousarray(matrix[:, band * BAND_ROWS : (band + 1) * BAND_ROWS])
        keys = part.view(np.dtype((np.void, part.dtype.itemsize * BAND_ROWS))).ravel()
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        shared = counts[inverse] > 1
        if not shared.any():
            continue
        chosen = np.flatnonzero(shared)
        order = chosen[np.argsort(inverse[chosen], kind="stable")]
        cuts = np.flatnonzero(np.diff(inverse[order])) + 1
        out.extend(rows[group].tolist() for group in np.split(order, cuts))
    return out


def groups_of(signed: Signatures, threshold: float = THRESHOLD) -> StoryGroups:
    """The story groups of ``signed``: the connected sets of :func:`similar_pairs`.

    Found without checking every pair of a large group: rows of one signature and size
    (copies of one text) are one *class*, every two of them similar; the candidate
    search (LSH, :func:`buckets`) holds one row per class, and the pairs of each of its buckets are
    checked once, a pair of one-row classes already joined not at all; the date window
    then links each dated row to the nearest one before it (of its class, or of the
    other class of a similar pair) and the undated rows of the pair to each other,
    which joins the same rows as every pair within the window would. Measured: a text
    copied 3,000 times took 20 s (4.5 million pairs checked on every update of the
    index), 0.02 s now; 2,000 copies each a little different, 11.4 s, 1.1 s now (5,000:
    11 s); xwlb (19,541 posts, one group of 2): the same groups, 3.0 s then 2.6 s with
    datasketch's LSH, 0.3 s with :func:`buckets`."""
    parent = list(range(len(signed.ids)))

    def union(i: int, j: int) -> None:
        a, b = _find(parent, i), _find(parent, j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    classes: dict[tuple[bytes, int], list[int]] = {}
    for i in np.flatnonzero(signed.eligible).tolist():
        classes.setdefault((signed.matrix[i].tobytes(), int(signed.sizes[i])), []).append(i)
    members = {rows[0]: rows for rows in classes.values()}
    if threshold <= 1.0:  # one text's copies: Jaccard similarity and overlap 1
        for rows in members.values():
            _link(rows, rows, signed.stamps, union)
    lone = {head for head, rows in members.items() if len(rows) == 1}
    checked: set[tuple[int, int]] = set()
    # each band's buckets: the candidates are their pairs
    for bucket in buckets(signed, np.array(sorted(members), dtype=np.int64)):
        parts: dict[int, list[int]] = {}  # a part's root → its heads of the bucket
        for head in bucket:
            parts = _regroup(parts, parent)
            for heads in parts.values():
                for other in heads:
                    if (
                        head in lone
                        and other in lone
                        and _find(parent, head) == _find(parent, other)
                    ):
                        break  # joined: nothing more to link (each class one row)
                    if (other, head) in checked:
                        continue
                    checked.add((other, head))
                    if similarity(signed, other, head) >= threshold:
                        _link(members[other], members[head], signed.stamps, union)
            parts.setdefault(_find(parent, head), []).append(head)
    grouped: dict[int, list[str]] = {}
    for i, post_id in enumerate(signed.ids):
        grouped.setdefault(_find(parent, i), []).append(post_id)
    groups = tuple(sorted(tuple(sorted(m)) for m in grouped.values() if len(m) > 1))
    digest = hashlib.sha256(repr(groups).encode("utf-8")).hexdigest()[:16]
    return StoryGroups(groups, digest)


def _regroup(parts: dict[int, list[int]], parent: list[int]) -> dict[int, list[int]]:
    """``parts`` (a root → its heads) with the parts joined since under one root."""
    out: dict[int, list[int]] = {}
    for root, heads in parts.items():
        out.setdefault(_find(parent, root), []).extend(heads)
    return out


def _link(
    a: list[int], b: list[int], stamps: np.ndarray, union: Callable[[int, int], None]
) -> None:
    """Join the rows of ``a`` and ``b`` (two similar classes, or one class twice) as
    their pairs within :data:`WINDOW_DAYS` would: the undated rows of both with each
    other (never with a dated row); in date order, each dated row with the last dated
    row before it of the other class (or of its own, for one class) when within the
    window. Two rows within the window are then linked through the rows between them,
    each within the window of the one before it (rows of one class next to each other:
    by that class's own call).
    """
    window = WINDOW_DAYS * 86400
    same = a is b
    # the undated rows of both, every two similar (no window): a chain joins them all
    undated = [i for rows in ((a,) if same else (a, b)) for i in rows if stamps[i] == UNDATED]
    for i, j in itertools.pairwise(undated):
        union(i, j)
    dated = sorted(
        (int(stamps[i]), side, i)
        for side, rows in enumerate((a,) if same else (a, b))
        for i in rows
        if stamps[i] != UNDATED
    )
    last: dict[int, int] = {}  # side → the last row of that side seen
    for stamp, side, i in dated:
        before = last.get(0 if same else 1 - side)
        if before is not None and stamp - int(stamps[before]) <= window:
            union(i, before)
        last[side] = i


def to_bytes(signed: Signatures, groups: StoryGroups) -> bytes:
    """``signed`` and ``groups`` as stored beside a generation (NumPy's ``.npz``, no
    pickles)."""
    out = io.BytesIO()
    members = [p for g in groups.groups for p in g]
    np.savez_compressed(
        out,
        recipe=np.array(RECIPE),
        ids=np.array(signed.ids, dtype=str),
        digests=np.array(signed.digests, dtype=str),
        matrix=signed.matrix,
        eligible=signed.eligible,
        stamps=signed.stamps,
        sizes=signed.sizes,
        members=np.array(members, dtype=str),
        group_sizes=np.array([len(g) for g in groups.groups], dtype=np.int64),
        token=np.array(groups.token),
    )
    return out.getvalue()


def from_bytes(data: bytes) -> tuple[Signatures, StoryGroups] | None:
    """What :func:`to_bytes` stored, or None when it cannot be read or was made by
    another :data:`RECIPE`."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            groups = _groups(z)
            if groups is None:
                return None
            signed = Signatures(
                z["ids"].tolist(),
                z["digests"].tolist(),
                z["matrix"],
                z["eligible"],
                z["stamps"],
                z["sizes"],
            )
    except (OSError, ValueError, KeyError, EOFError):
        return None
    return signed, groups


def groups_from_bytes(data: bytes) -> StoryGroups | None:
    """The groups :func:`to_bytes` stored, the signatures left unread (a search needs
    only these: on xwlb 9 MB stored, the groups a few bytes), or None as
    :func:`from_bytes`."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return _groups(z)
    except (OSError, ValueError, KeyError, EOFError):
        return None


def _groups(z: Any) -> StoryGroups | None:
    """The groups of an open ``.npz`` of :func:`to_bytes` (None: another recipe)."""
    if str(z["recipe"]) != RECIPE:
        return None
    members, lengths = z["members"].tolist(), z["group_sizes"].tolist()
    groups, at = [], 0
    for length in lengths:
        groups.append(tuple(members[at : at + length]))
        at += length
    return StoryGroups(tuple(groups), str(z["token"]))


__all__ = [
    "MAX_SIMILAR",
    "MIN_CHARS",
    "MIN_JACCARD",
    "NUM_PERM",
    "SEED",
    "SHINGLE_CHARS",
    "BANDS",
    "BAND_ROWS",
    "CANDIDATE_JACCARD",
    "THRESHOLD",
    "UNDATED",
    "WINDOW_DAYS",
    "Signatures",
    "StoryGroups",
    "buckets",
    "from_bytes",
    "groups_from_bytes",
    "groups_of",
    "jaccard",
    "merge",
    "missing",
    "overlap",
    "shingles",
    "signatures",
    "similar_pairs",
    "similarity",
    "to_bytes",
]
