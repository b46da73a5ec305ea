"""Story groups: posts whose bodies are near-identical (reprints of one story), found by
MinHash over character shingles with locality-sensitive hashing (issue #22).

A post's body is folded (:func:`~searcher.analysis.folding.fold`: 繁/简, full width,
case), stripped of its web addresses (a reprint links its own source) and of everything
but letters, digits and ideographs (so punctuation, spacing and line breaks do not
count), and cut into overlapping runs of
:data:`SHINGLE_CHARS` characters: its *shingles*. Two posts are *similar* when the
overlap of their shingle sets (the shingles they share over those of the smaller one,
so that a post with a paragraph added still holds the whole of the other), computed
from the Jaccard similarity estimated from :data:`NUM_PERM` MinHash values (datasketch's
``MinHash``, 32-bit affine permutations) and the sets' sizes, is at least
:data:`THRESHOLD`, and that Jaccard similarity at least :data:`MIN_JACCARD` (the
smaller is not a short part of the larger); the candidates are found with
datasketch's ``MinHashLSH`` and each pair is then checked on its signatures and on its
dates: both posts dated, they must
be published within :data:`WINDOW_DAYS` of each other (a reprint follows its story
within days; the same template a year later is another story). A *story group* is a
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
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .analysis.folding import fold

#: Characters per shingle: runs of this many folded letters, digits and ideographs.
SHINGLE_CHARS = 5
#: MinHash values per post (the Jaccard estimate's standard error is about
#: ``sqrt(J(1-J)/NUM_PERM)``: 0.04 near the threshold).
NUM_PERM = 128
#: Least :func:`similarity` (estimated overlap of two posts' shingles) of one story.
THRESHOLD = 0.9
#: Least Jaccard similarity of one story's posts too: a short post quoted whole in a
#: longer one (an obituary in the report of the funeral days later) is not its copy.
MIN_JACCARD = 0.5
#: The Jaccard similarity the candidate search (LSH) is tuned for, below
#: :data:`MIN_JACCARD` so that few pairs above it are missed.
CANDIDATE_JACCARD = 0.4
#: Most days between two dated posts of one group (either undated: no limit).
WINDOW_DAYS = 7
#: The date of an undated post in :attr:`Signatures.stamps`.
UNDATED = -(2**62)
#: Fewest folded letters, digits and ideographs a body needs to join a group.
MIN_CHARS = 50
#: Most posts a collapsed hit lists of its group's other matches (``Hit.similar``;
#: ``Hit.similar_count`` counts them all). On xwlb (19,541 posts) and finews the largest
#: group has 2 posts, so no real group is cut; a site of 3,000 copies of one story put
#: all 2,999 others in one hit: 845 KB of JSON for one page and 2,999 stored posts
#: read. Twenty titles are about a screen of the expanded list; 逐篇显示 shows them all.
MAX_SIMILAR = 20
#: The seed of the MinHash permutations (stored signatures depend on it).
SEED = 22
#: Version of the signatures' recipe: stored signatures of another are computed anew.
RECIPE = (
    f"minhash-affine32 k{SHINGLE_CHARS} p{NUM_PERM} s{SEED} min{MIN_CHARS} nolinks "
    f"t{THRESHOLD} j{MIN_JACCARD} w{WINDOW_DAYS} v1"
)

_DROP = re.compile(r"[\W_]+")
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MULT = np.uint64(0x100000001B3)  # the FNV-1a 64-bit prime, as a polynomial base


def shingles(body: str) -> np.ndarray | None:
    """The distinct 32-bit hashes of ``body``'s shingles (a sorted ``uint64`` array),
    or None when it has fewer than :data:`MIN_CHARS` letters, digits and ideographs.

    >>> len(shingles("一二三四五六" * 20)), shingles("太短")
    (6, None)
    """
    text = _DROP.sub("", _LINK.sub(" ", fold(body)))
    if len(text) < MIN_CHARS:
        return None
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - SHINGLE_CHARS + 1
    hashes = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(SHINGLE_CHARS):
            hashes = hashes * _MULT + codes[j : j + count]
        hashes ^= hashes >> np.uint64(32)
    return np.unique(hashes & np.uint64(0xFFFFFFFF))


@dataclass
class Signatures:
    """The MinHash signatures of an index's posts: ``ids`` and ``digests`` (the
    :attr:`~searcher.site.Article.digest` a signature was computed from) by row,
    ``matrix``, ``len(ids) × NUM_PERM`` ``uint32`` values, whose rows of posts too
    short to group (``eligible`` False) are meaningless, ``stamps``, each post's date
    in Unix seconds (:data:`UNDATED` for none), and ``sizes``, its number of distinct
    shingles."""

    ids: list[str] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, NUM_PERM), np.uint32))
    eligible: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    stamps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sizes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def by_id(self) -> dict[str, int]:
        """``{post id: row}``."""
        return {post_id: row for row, post_id in enumerate(self.ids)}


def _minhash_rows(sets: Sequence[np.ndarray]) -> np.ndarray:
    """One MinHash signature per shingle set, by datasketch with identity hashing (the
    shingles are hashes already), as a ``len(sets) × NUM_PERM`` ``uint32`` array."""
    from datasketch import MinHash

    template = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32", hashfunc=int)
    out = np.empty((len(sets), NUM_PERM), dtype=np.uint32)
    for row, values in enumerate(sets):
        m = MinHash(
            num_perm=NUM_PERM,
            seed=SEED,
            scheme="affine32",
            hashfunc=int,
            permutations=template.permutations,
        )
        m.update_batch(values.tolist())
        out[row] = m.hashvalues
    return out


def signatures(posts: Iterable[tuple[str, str, str, int | None]]) -> Signatures:
    """The signatures of ``posts``, each ``(id, digest, body, date)``, the date in Unix
    seconds or None."""
    ids: list[str] = []
    digests: list[str] = []
    sets: list[np.ndarray] = []
    eligible: list[bool] = []
    stamps: list[int] = []
    sizes: list[int] = []
    for post_id, digest, body, stamp in posts:
        found = shingles(body)
        sizes.append(0 if found is None else len(found))
        ids.append(post_id)
        digests.append(digest)
        stamps.append(UNDATED if stamp is None else stamp)
        eligible.append(found is not None)
        sets.append(found if found is not None else np.zeros(0, dtype=np.uint64))
    matrix = np.zeros((len(ids), NUM_PERM), dtype=np.uint32)
    rows = [i for i, ok in enumerate(eligible) if ok]
    if rows:
        matrix[rows] = _minhash_rows([sets[i] for i in rows])
    return Signatures(
        ids,
        digests,
        matrix,
        np.array(eligible, dtype=bool),
        np.array(stamps, dtype=np.int64),
        np.array(sizes, dtype=np.int64),
    )


def merge(parts: Iterable[Signatures], live: dict[str, str]) -> Signatures:
    """The signatures of the posts ``live`` (``{id: digest}``), in id order, taken from
    ``parts`` (the first part holding a post's id with its current digest wins); posts
    found in none are left out (:func:`missing`)."""
    found: dict[str, tuple[Signatures, int]] = {}
    for part in parts:
        for row, (post_id, digest) in enumerate(zip(part.ids, part.digests, strict=True)):
            if post_id not in found and live.get(post_id) == digest:
                found[post_id] = (part, row)
    ids = sorted(found)
    matrix = np.zeros((len(ids), NUM_PERM), dtype=np.uint32)
    eligible = np.zeros(len(ids), dtype=bool)
    stamps = np.zeros(len(ids), dtype=np.int64)
    sizes = np.zeros(len(ids), dtype=np.int64)
    for i, post_id in enumerate(ids):
        part, row = found[post_id]
        matrix[i] = part.matrix[row]
        eligible[i] = part.eligible[row]
        stamps[i] = part.stamps[row]
        sizes[i] = part.sizes[row]
    return Signatures(ids, [live[i] for i in ids], matrix, eligible, stamps, sizes)


def missing(signed: Signatures, live: dict[str, str]) -> list[str]:
    """The ids of ``live`` (``{id: digest}``) without a current signature in ``signed``."""
    have = dict(zip(signed.ids, signed.digests, strict=True))
    return sorted(i for i, digest in live.items() if have.get(i) != digest)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard similarity estimated from two signatures (the share of equal values)."""
    return float(np.count_nonzero(a == b)) / len(a)


def overlap(similar: float, size_a: int, size_b: int) -> float:
    """The overlap coefficient ``|A ∩ B| / min(|A|, |B|)`` of two shingle sets of
    ``size_a`` and ``size_b`` shingles whose Jaccard similarity is ``similar`` (as
    ``|A ∩ B| = J (|A| + |B|) / (1 + J)``), at most 1: 1 when one post holds the other
    whole (a paragraph added), and ``2J / (1 + J)`` for posts of one size.

    >>> round(overlap(0.5, 400, 400), 3), overlap(2 / 3, 400, 600)
    (0.667, 1.0)
    """
    if min(size_a, size_b) <= 0:
        return 0.0
    shared = similar * (size_a + size_b) / (1 + similar)
    return min(1.0, shared / min(size_a, size_b))


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
    datasketch's ``MinHashLSH`` makes candidates (tuned for a Jaccard similarity of
    :data:`CANDIDATE_JACCARD`), whose :func:`similarity` is at least ``threshold`` and,
    both dated, published within ``window_days`` (None: any time)."""
    window = None if window_days is None else window_days * 86400
    stamps = signed.stamps
    from datasketch import LeanMinHash, MinHashLSH

    lsh = MinHashLSH(threshold=CANDIDATE_JACCARD, num_perm=NUM_PERM)
    rows = np.flatnonzero(signed.eligible).tolist()
    hashes = {}
    for i in rows:
        hashes[i] = LeanMinHash(seed=SEED, hashvalues=signed.matrix[i], scheme="affine32")
        lsh.insert(i, hashes[i], check_duplication=False)
    pairs = []
    for i in rows:
        for j in lsh.query(hashes[i]):
            if j > i:
                if (
                    window is not None
                    and stamps[i] != UNDATED
                    and stamps[j] != UNDATED
                    and abs(int(stamps[i]) - int(stamps[j])) > window
                ):
                    continue
                score = similarity(signed, i, j)
                if score >= threshold:
                    pairs.append((i, j, score))
    return sorted(pairs)


def groups_of(signed: Signatures, threshold: float = THRESHOLD) -> StoryGroups:
    """The story groups of ``signed``: the connected sets of :func:`similar_pairs`.

    Found without checking every pair of a large group: rows of one signature and size
    (copies of one text) are one *class*, every two of them similar; the candidate
    search (LSH) holds one row per class, and the pairs of each of its buckets are
    checked once, a pair of one-row classes already joined not at all; the date window
    then links each dated row to the nearest one before it (of its class, or of the
    other class of a similar pair) and each undated row to every row of the pair,
    which joins the same rows as every pair within the window would. Measured: a text
    copied 3,000 times took 20 s (4.5 million pairs checked on every update of the
    index), 0.02 s now; 2,000 copies each a little different, 11.4 s, 1.1 s now (5,000:
    11 s); xwlb (19,541 posts, one group of 2): the same groups, 3.0 s then 2.6 s."""
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
    from datasketch import LeanMinHash, MinHashLSH

    lsh = MinHashLSH(threshold=CANDIDATE_JACCARD, num_perm=NUM_PERM)
    hashes = {}
    for head in members:
        hashes[head] = LeanMinHash(seed=SEED, hashvalues=signed.matrix[head], scheme="affine32")
        lsh.insert(head, hashes[head], check_duplication=False)
    lone = {head for head, rows in members.items() if len(rows) == 1}
    checked: set[tuple[int, int]] = set()
    for table in lsh.hashtables:  # each band's buckets: the candidates are their pairs
        for key in table.keys():
            bucket = sorted(table.get(key))
            if len(bucket) < 2:
                continue
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
    their pairs within :data:`WINDOW_DAYS` would: an undated row with every row of the
    other (as many unions as rows); in date order, each dated row with the last dated
    row before it of the other class (or of its own, for one class) when within the
    window. Two rows within the window are then linked through the rows between them,
    each within the window of the one before it (rows of one class next to each other:
    by that class's own call).
    """
    window = WINDOW_DAYS * 86400
    same = a is b
    for rows, others in ((a, b),) if same else ((a, b), (b, a)):
        undated = [i for i in rows if stamps[i] == UNDATED]
        if undated:  # each with every row of others: through the first and others[0]
            for j in others:
                union(undated[0], j)
            for i in undated[1:]:
                union(i, others[0])
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
            if str(z["recipe"]) != RECIPE:
                return None
            signed = Signatures(
                z["ids"].tolist(),
                z["digests"].tolist(),
                z["matrix"],
                z["eligible"],
                z["stamps"],
                z["sizes"],
            )
            members, lengths = z["members"].tolist(), z["group_sizes"].tolist()
            token = str(z["token"])
    except (OSError, ValueError, KeyError, EOFError):
        return None
    groups, at = [], 0
    for length in lengths:
        groups.append(tuple(members[at : at + length]))
        at += length
    return signed, StoryGroups(tuple(groups), token)


__all__ = [
    "MIN_CHARS",
    "MAX_SIMILAR",
    "MIN_JACCARD",
    "NUM_PERM",
    "SHINGLE_CHARS",
    "CANDIDATE_JACCARD",
    "THRESHOLD",
    "UNDATED",
    "WINDOW_DAYS",
    "Signatures",
    "StoryGroups",
    "from_bytes",
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
