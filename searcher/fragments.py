"""Which fragments a snippet shows when the query has several words: one for each word
the text holds, within a budget of characters (issue #20: "snippets cover the query").

Pure arithmetic on character offsets, with no text and no analysis: :mod:`searcher.snippets`
finds the matches of each query word (a :class:`~searcher.snippets.TermGroup`, numbered
in query order) and the sentences they stand in, and asks :func:`cover` for the
fragments that show every word, then :func:`shares` for how many characters each gets.

The rules, in order:

1. Fragments are chosen one at a time: each is the window (inside one sentence) that
   holds the most query words not yet shown, the narrowest of those on a tie (words
   close together), then the one whose first word comes first in the query. A fragment
   for one word shows the first word not yet shown in query order (the first typed word
   first), in its best sentence by the rule of :func:`searcher.snippets.make_snippet`
   (most distinct matches, most matches, earliest) among those short enough to be shown
   whole in an even share of the characters left (else among all): a whole sentence
   reads better than a cut one and leaves more room.
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
from itertools import islice
from typing import NamedTuple

#: The least cost, in characters, of a word's fragment (rule 2): a shorter sentence
#: costs its length, a longer one at least this (cut to the query word and about one
#: clause around it). On the 19,541 xwlb stories, 90% of the 789,581 clauses (text
#: between ，、,：: inside a sentence) have at most 24 characters (median 11, 75% 17);
#: 90% of the 235,626 sentences have at most 77 (median 44), and 0.35% more than 160.
MIN_FRAGMENT_CHARS = 24


#: Windows of several words are looked for among this many matches of a sentence (its
#: first): a sentence of a hostile body can hold thousands (``大桥隧道`` × 5,000 on one
#: line), each a step of the window's scan. On xwlb, for 14 queries of one to three
#: words, the 84,811 sentences holding a match hold at most 25 (99.9% at most 7).
WINDOW_MATCHES = 64


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
    floor = min(min_chars, size)
    if len({m.group for ms in matches.values() for m in ms}) == 1:  # the common case
        idx = min(matches, key=rank.__getitem__)  # one word: its best sentence
        cluster = tightest(matches[idx], size)
        if cluster is not None:
            need = min(lengths[idx], max(floor, cluster.end - cluster.start))
            return [Planned(idx, cluster, need)]
    plan = _Plan(matches, lengths, rank, floor)
    wanted = set(plan.by_word)
    left = size
    out: list[Planned] = []
    while wanted:
        pick = plan.several_words(wanted, left) or plan.one_word(wanted, left)
        if pick is None:
            break
        out.append(pick)
        wanted -= pick.cluster.groups
        left -= pick.need
    return out


class _Plan:
    """What :func:`cover` looks up in each round: the sentences holding each word, best
    first, and those holding several words."""

    def __init__(
        self,
        matches: Mapping[int, Sequence[Match]],
        lengths: Mapping[int, int],
        rank: Mapping[int, tuple[int, ...]],
        floor: int,
    ) -> None:
        self.matches, self.lengths, self.rank, self.floor = matches, lengths, rank, floor
        self.words = {idx: frozenset(m.group for m in ms) for idx, ms in matches.items()}
        self.by_word: dict[int, list[int]] = {}
        for idx in sorted(matches, key=rank.__getitem__):
            for group in self.words[idx]:
                self.by_word.setdefault(group, []).append(idx)
        self.several = [idx for idx, words in self.words.items() if len(words) > 1]

    def need(self, idx: int, cluster: Cluster) -> int:
        """The cost of showing ``cluster`` of sentence ``idx`` (rule 2)."""
        return min(self.lengths[idx], max(self.floor, cluster.end - cluster.start))

    def several_words(self, wanted: set[int], left: int) -> Planned | None:
        """The best window of several ``wanted`` words that fits in ``left`` characters
        (rules 1 and 2), or None."""
        best: tuple[tuple[int, ...], Planned] | None = None
        for idx in self.several:
            if len(self.words[idx] & wanted) < 2:
                continue
            mine = list(islice((m for m in self.matches[idx] if m.group in wanted), WINDOW_MATCHES))
            cluster = tightest(mine, left)
            while cluster is not None and len(cluster.groups) > 1:
                # rule 2: leave the least cost of each word not yet shown it lacks
                room = max(self.floor, left - self.floor * len(wanted - cluster.groups))
                if cluster.end - cluster.start <= room:
                    break
                cluster = tightest(mine, room)
            if cluster is None or len(cluster.groups) < 2:
                continue
            need = self.need(idx, cluster)
            if need > left:
                continue
            extent = cluster.end - cluster.start
            key = (-len(cluster.groups), extent, min(cluster.groups), *self.rank[idx])
            if best is None or key < best[0]:
                best = (key, Planned(idx, cluster, need))
        return None if best is None else best[1]

    def one_word(self, wanted: set[int], left: int) -> Planned | None:
        """The first ``wanted`` word in query order that fits in ``left`` characters, in
        its best sentence that fits whole in an even share of ``left`` among the wanted
        words, else in its best sentence that fits (rules 1 and 2), or None."""
        share = left // len(wanted)
        for group in sorted(wanted):
            fits: Planned | None = None
            for idx in self.by_word[group]:
                cluster = tightest([m for m in self.matches[idx] if m.group == group], left)
                if cluster is None or self.need(idx, cluster) > left:
                    continue
                if self.lengths[idx] <= share:
                    return Planned(idx, cluster, self.need(idx, cluster))
                fits = fits or Planned(idx, cluster, self.need(idx, cluster))
            if fits is not None:
                return fits
        return None


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
