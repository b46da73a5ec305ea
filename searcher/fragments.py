"""Which fragments a snippet shows when the query has several words: one for each word
the text holds, within a budget of characters (issue #20: "snippets cover the query").

Pure arithmetic on character offsets, with no text and no analysis: :mod:`searcher.snippets`
finds the matches of each query word (a :class:`~searcher.snippets.TermGroup`, numbered
in query order) and the sentences they stand in, and asks :func:`cover` for the
fragments that show every word, then :func:`shares` for how many characters each gets.

The rules, in order:

1. Fragments are chosen one at a time: each is the window (inside one sentence) that
   holds the most query words not yet shown; on a tie, of windows of several words the
   narrowest (words close together), then the one whose first word comes first in the
   query (the first typed word first), then the best sentence by the rule of
   :func:`searcher.snippets.make_snippet` (most distinct matches, most matches, earliest).
2. A fragment costs its sentence's length, or at least :data:`MIN_FRAGMENT_CHARS` cut
   from a longer sentence (more when its words stand further apart). A window of several
   words must leave that least cost for each word not yet shown that it lacks (else a
   narrower window is taken), so it never crowds out a word that would fit on its own.
3. A fragment that no longer fits the budget is left out, with the words only it would
   show: when the budget cannot hold every word, the words chosen first by rule 1 win.
   With :data:`MIN_FRAGMENT_CHARS` of 24 and 160 characters, 6 words (of up to 24
   characters each) always fit.
4. The characters left after every fragment's cost are shared evenly among the fragments
   cut from sentences longer than their cost, so that short sentences are shown whole.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

#: The fewest characters of a fragment cut from a sentence longer than this (a sentence
#: as short is shown whole): the query word and about one clause around it. On the
#: 19,541 xwlb stories, 90% of the 789,581 clauses (text between ，、,：: inside a
#: sentence) have at most 24 characters (median 11, 75% 17); 90% of the 235,626
#: sentences have at most 77 (median 44), so a cut is rare (0.35% are longer than 160).
MIN_FRAGMENT_CHARS = 24


class Match(NamedTuple):
    """A match of query word ``group`` (its index in query order), characters
    ``start`` to ``end`` (end exclusive) of the text; a tuple, so that matches sort by
    start."""

    start: int
    end: int
    group: int


class Cluster(NamedTuple):
    """The matches a fragment is meant to show: the words (``groups``) and the
    characters from the first match's start to the last match's end."""

    groups: frozenset[int]
    start: int
    end: int


def tightest(matches: Sequence[Match], width: int) -> Cluster | None:
    """The window of at most ``width`` characters holding matches of the most distinct
    words; on a tie the narrowest, then the earliest. None if no match is that short.

    :param matches: sorted by start (as a sentence's matches are).
    :param width: the most characters from the window's first match's start to its
        last match's end.

    One pass with a sliding window (linear in the matches: a long body with thousands
    of matches in one line costs no more than its matches).

    >>> ms = [Match(0, 2, 0), Match(5, 7, 1), Match(40, 42, 0), Match(44, 46, 1)]
    >>> tightest(ms, 160)
    Cluster(groups=frozenset({0, 1}), start=40, end=46)
    >>> tightest(ms, 5)
    Cluster(groups=frozenset({0}), start=0, end=2)
    """
    if len({m.group for m in matches}) == 1:  # one word: its narrowest match, earliest
        only = min(matches, key=lambda m: (m.end - m.start, m.start))
        if only.end - only.start > width:
            return None
        return Cluster(frozenset((only.group,)), only.start, only.end)
    best: tuple[int, int, int] | None = None  # (-words, extent, left index)
    best_right = best_end = 0
    counts: dict[int, int] = {}
    ends: deque[int] = deque()  # indices of the window, their ends decreasing
    left = 0
    for right, m in enumerate(matches):
        counts[m.group] = counts.get(m.group, 0) + 1
        while ends and matches[ends[-1]].end <= m.end:
            ends.pop()
        ends.append(right)
        # Drop from the left what is too far or shown again further right.
        while left <= right and (
            matches[ends[0]].end - matches[left].start > width or counts[matches[left].group] > 1
        ):
            counts[matches[left].group] -= 1
            if counts[matches[left].group] == 0:
                del counts[matches[left].group]
            if ends[0] == left:
                ends.popleft()
            left += 1
        if left > right:
            continue
        key = (-len(counts), matches[ends[0]].end - matches[left].start, left)
        if best is None or key < best:
            best, best_right, best_end = key, right, matches[ends[0]].end
    if best is None:
        return None
    first = best[2]
    groups = frozenset(m.group for m in matches[first : best_right + 1])
    return Cluster(groups, matches[first].start, best_end)


@dataclass(frozen=True)
class Planned:
    """A fragment :func:`cover` chose: in sentence number ``sentence``, to show
    ``cluster``, at a cost of ``need`` characters."""

    sentence: int
    cluster: Cluster
    need: int


def cover(
    matches: Mapping[int, Sequence[Match]],
    lengths: Mapping[int, int],
    rank: Mapping[int, tuple[int, ...]],
    size: int,
    min_chars: int = MIN_FRAGMENT_CHARS,
) -> list[Planned]:
    """Fragments that together show every word of ``matches``, by the rules of this
    module, within ``size`` characters, in the order chosen (the first is the best).

    :param matches: each sentence's matches (sentence number → matches sorted by start).
    :param lengths: each sentence's length, in characters.
    :param rank: each sentence's key in the best-sentence order (smaller is better; the
        sentence number last, so that keys differ).
    :param size: the budget, in characters.
    :param min_chars: the least cost of a fragment cut from a longer sentence (capped at
        ``size``, so that one fragment always fits).
    :returns: one :class:`Planned` per fragment; the same sentence may come twice, for
        words standing too far apart in it for one fragment.

    >>> ms = {0: [Match(0, 2, 0)], 1: [Match(10, 12, 1)], 2: [Match(20, 22, 0), Match(45, 47, 1)]}
    >>> lengths, rank = {0: 8, 1: 8, 2: 60}, {0: (0,), 1: (1,), 2: (2,)}
    >>> [p.sentence for p in cover(ms, lengths, rank, 160)]  # both words in one fragment
    [2]
    >>> [p.sentence for p in cover(ms, lengths, rank, 20)]  # too far apart for 20
    [0, 1]
    """
    wanted = {m.group for ms in matches.values() for m in ms}
    left = size
    floor = min(min_chars, size)
    out: list[Planned] = []
    if len(wanted) == 1 and matches:  # one word: the best sentence (what rule 1 gives)
        idx = min(matches, key=rank.__getitem__)
        cluster = tightest(matches[idx], left)
        if cluster is not None:
            need = min(lengths[idx], max(floor, cluster.end - cluster.start))
            return [Planned(idx, cluster, need)]
    while wanted:
        best: tuple[tuple[object, ...], Planned] | None = None
        for idx, ms in matches.items():
            mine = [m for m in ms if m.group in wanted]
            if not mine:
                continue
            cluster = tightest(mine, left)
            while cluster is not None and len(cluster.groups) > 1:
                # rule 2: leave the least cost of each word not yet shown it lacks
                room = max(floor, left - floor * len(wanted - cluster.groups))
                if cluster.end - cluster.start <= room:
                    break
                cluster = tightest(mine, room)
            if cluster is None:
                continue
            extent = cluster.end - cluster.start
            need = min(lengths[idx], max(floor, extent))
            if need > left:
                continue
            words = len(cluster.groups)
            key = (-words, min(cluster.groups), extent if words > 1 else 0, rank[idx])
            if best is None or key < best[0]:
                best = (key, Planned(idx, cluster, need))
        if best is None:
            break
        out.append(best[1])
        wanted -= best[1].cluster.groups
        left -= best[1].need
    return out


def shares(needs: Sequence[int], caps: Sequence[int], size: int) -> list[int]:
    """Each fragment's width: at least its need, at most its cap (its sentence's
    length), what the needs leave of ``size`` split evenly among the fragments that can
    grow, a fragment that reaches its cap leaving the rest of its share to the others.

    >>> shares([24, 24], [30, 400], 160)
    [30, 130]
    >>> shares([24, 24, 24], [400, 400, 50], 160)
    [55, 55, 50]
    """
    out = list(needs)
    extra = size - sum(needs)
    order = sorted(range(len(needs)), key=lambda i: caps[i] - needs[i])
    for k, i in enumerate(order):
        give = max(0, min(caps[i] - needs[i], extra // (len(order) - k)))
        out[i] += give
        extra -= give
    return out
