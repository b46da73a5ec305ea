"""MinHash signatures of posts' bodies: what :mod:`searcher.stories` groups reprints by
(issue #22).

A post's body is folded (:func:`~searcher.analysis.folding.fold`: 繁/简, full width,
case), stripped of its web addresses (a reprint links its own source) and of everything
but letters, digits and ideographs (so punctuation, spacing and line breaks do not
count), and cut into overlapping runs of :data:`SHINGLE_CHARS` characters: its
*shingles*, hashed to 32 bits. Its signature is :data:`NUM_PERM` MinHash values of
them (datasketch's ``MinHash``, 32-bit affine permutations, seed :data:`SEED`), from
which the Jaccard similarity of two posts' shingle sets is estimated (:func:`jaccard`)
and, with the sets' sizes, their overlap (:func:`overlap`). A body of fewer than
:data:`MIN_CHARS` such characters has none: two short notices may share all their words
without being one story.

>>> signed = signatures([("a", "d1", "一二三四五六七八九十" * 9, 0)])
>>> signed.ids, signed.matrix.shape, signed.eligible.tolist()
(['a'], (1, 128), [False])
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .analysis.folding import fold

#: Characters per shingle: runs of this many folded letters, digits and ideographs.
SHINGLE_CHARS = 5
#: MinHash values per post (the Jaccard estimate's standard error is about
#: ``sqrt(J(1-J)/NUM_PERM)``: 0.04 near a similarity of 0.7).
NUM_PERM = 128
#: The date of an undated post in :attr:`Signatures.stamps`.
UNDATED = -(2**62)
#: Fewest folded letters, digits and ideographs a body needs to join a group, and half
#: as many distinct shingles (``哈`` 300 times has one: it is no story).
MIN_CHARS = 50
#: The seed of the MinHash permutations (stored signatures depend on it).
SEED = 22

_DROP = re.compile(r"[\W_]+")
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MULT = np.uint64(0x100000001B3)  # the FNV-1a 64-bit prime, as a polynomial base


def shingles(body: str) -> np.ndarray | None:
    """The distinct 32-bit hashes of ``body``'s shingles (a sorted ``uint64`` array),
    or None when it has fewer than :data:`MIN_CHARS` letters, digits and ideographs, or
    fewer than half as many distinct shingles.

    >>> len(shingles("".join(chr(0x4E00 + i) for i in range(60))))
    56
    >>> shingles("太短"), shingles("哈" * 300), shingles("一二三四五六" * 20)
    (None, None, None)
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
    found = np.unique(hashes & np.uint64(0xFFFFFFFF))
    return found if len(found) >= MIN_CHARS // 2 else None


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


def signatures(posts: Iterable[tuple[str, str, str, int | None]]) -> Signatures:
    """The signatures of ``posts``, each ``(id, digest, body, date)``, the date in Unix
    seconds or None. Each by datasketch with identity hashing (the shingles are hashes
    already), one post at a time (a post's shingles and permuted hashes, ``shingles ×
    NUM_PERM`` values, are freed before the next)."""
    from datasketch import MinHash

    template = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32", hashfunc=int)
    ids: list[str] = []
    digests: list[str] = []
    rows: list[np.ndarray] = []
    eligible: list[bool] = []
    stamps: list[int] = []
    sizes: list[int] = []
    blank = np.zeros(NUM_PERM, dtype=np.uint32)
    for post_id, digest, body, stamp in posts:
        found = shingles(body)
        ids.append(post_id)
        digests.append(digest)
        stamps.append(UNDATED if stamp is None else stamp)
        eligible.append(found is not None)
        sizes.append(0 if found is None else len(found))
        if found is None:
            rows.append(blank)
            continue
        m = MinHash(
            num_perm=NUM_PERM,
            seed=SEED,
            scheme="affine32",
            hashfunc=int,
            permutations=template.permutations,
        )
        m.update_batch(found.tolist())
        rows.append(np.asarray(m.hashvalues, dtype=np.uint32))
    matrix = np.array(rows, dtype=np.uint32).reshape(len(ids), NUM_PERM)
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


__all__ = [
    "MIN_CHARS",
    "NUM_PERM",
    "SEED",
    "SHINGLE_CHARS",
    "Signatures",
    "UNDATED",
    "jaccard",
    "merge",
    "missing",
    "overlap",
    "shingles",
    "signatures",
]
