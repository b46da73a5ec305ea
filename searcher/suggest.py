"""Did you mean: a query with no or few results, corrected from the index's own words.

Issue #20: "a query with no or very few results gets a suggestion from the index's own
vocabulary (a word one character away with the same or similar pinyin, or one edit
away, and much more frequent), shown as a link and returned in the API; never applied
silently". The rules, each threshold measured on xwlb (19,541 posts) with
``bench/suggest.py`` (the figures are in each constant's comment):

1. Only a search with at most :data:`FEW_RESULTS` results gets a suggestion.
2. The query's runs of CJK ideographs are read as typed (folded), not as jieba cuts
   them: a typo breaks a word into pieces (习进平 is cut 习/进/平), so every *window* of
   a run (2 to :data:`MAX_CHARS` + 1 characters) is a typed word that may be wrong.
3. A character of a run is *explained* when a substring of the run holding it is a word
   of at least *min_df* posts (经济 in 经济法展), or a word of the segmenter's dictionary
   (jieba's, with the user words: 张居 in 张居正). A window is corrected only at an
   unexplained character, so that a correct query is left alone; except a window of
   :data:`REAL_WORD_MIN_CHARS` characters or more that is itself no such word, by a
   replacement of the same syllable (人工只能 → 人工智能: 人工 and 只能 are words).
4. A candidate is a word of the vocabulary in at least *min_df* posts (:data:`MIN_DF`, or
   one post in :data:`POSTS_PER_DF` on a larger index) and at least
   :data:`RATIO` times as many as the window as a whole word, one edit away from the
   window: one character replaced, inserted, deleted, or two neighbours swapped.
5. A replaced character with a reading in common with the typed one is a *pinyin*
   change (the same syllable and tone first, then the same syllable, then a fuzzy match
   of :func:`fuzzy`); any other edit is an *edit* change, and is only taken for words of
   :data:`EDIT_MIN_CHARS` characters or more (two-character words are too close
   together: 平在 is one character from 存在, 现在, 所在…), counting the longer word for
   a character missing or extra (疫鑫苗 → 疫苗).
6. Best first: pinyin before edit, then the longer window, then the closer sound, then
   the more frequent candidate. One change per run; the suggestion is the query with
   each change made, operators and other words as typed. Measured on xwlb's homophone
   typos with no result: sound first, 208 right and 15 wrong of 230; the longer window
   first, 213 and 10, but an edit of a longer window then beat the homophone of a
   shorter one (新冠役苗 → 新冠后苗); pinyin, then the longer window: 213 and 10, and
   新冠役苗 → 新冠疫苗.

Candidates are found through a deletion neighbourhood (each candidate under each
string made by deleting one of its characters: the symmetric-delete idea of SymSpell),
built once per index generation and kept by the :class:`~searcher.index.Index`: on
xwlb, 18,191 candidates (words in 10 posts or more) in 0.3–0.6 s and 4.6 MB (the
vocabulary it reads: 96,735 words, 11.6 MB, 0.4–1 s); a suggestion then takes 0.17 ms
(median; 9 ms at the 99th percentile, 30 ms for a query of 100 characters).

Measured on xwlb (``bench/suggest.py``: 300 words in 20 posts or more, each made wrong
once in five ways and searched whole; the figures count the typos with no result, 749
of 1,251): 558 got a suggestion, 420 of them the word meant. Homophones 218 right of 230
(10 wrong, 2 nothing); a random character 47 right, 54 wrong of 221; an extra character
122 right, 38 wrong of 164; two swapped 30 right, 34 wrong of 128; a missing one nearly
always still finds posts (6 of 75 found none; 3 right). Correct words with no result
got a suggestion: 0 of 300 of jieba's dictionary (rule 3), 20 of 145 words of another
index (finews: names and market terms, 李立峰 → 何立峰, 逆市 → 逆势); correct words in
1–2 posts none, as they have results. On xwlb-small (300 posts): homophones 190 right,
4 wrong of 212; 2 of 300 finews words got a suggestion.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .analysis import STOP_WORDS
from .analysis.folding import fold_ideographs
from .analysis.segmenters import Segmenter

#: Searches with at most this many results get a suggestion (issue #20: "no or very
#: few results"). Measured on xwlb (``bench/suggest.py``, 1,251 typos of 300 words, 300
#: correct words in 1–2 posts, each found): at 0, 558 typos get a suggestion, 420 of them
#: the word meant, and no correct word does; at 1, 30 more typos are put right and 28 of
#: the 300 correct words get a suggestion; at 2, 50 more and 36.
FEW_RESULTS = 0
#: A candidate word (and a word that explains characters, rule 3) is in at least this
#: many posts, and in one post of :data:`POSTS_PER_DF` on a larger index. Measured
#: (``bench/suggest.py``, 300 typos of each kind, correct words with no result): on xwlb
#: (19,541 posts) a floor of 10 posts against 3 kept the right homophone corrections
#: (214 against 213 of 230 typos with no result) with fewer wrong ones (edits of
#: random characters: 53 wrong against 72 of 221; swaps 29 against 49), and cut false
#: suggestions for correct words absent from the index from 28 to 18 of 145; on
#: xwlb-small (300 posts) a floor of 10 left too few words (732): 新冠役苗, 粤港奥,
#: 碳达锋 and 中欧班例 got nothing, where 3 corrects them (190 of 212 homophones right,
#: 4 wrong, 2 of 300 absent words given a suggestion).
MIN_DF = 3
#: See :data:`MIN_DF`: 19,541 posts / 2,000 → 10 posts on xwlb.
POSTS_PER_DF = 2000
#: A candidate is in at least this many times as many posts as the typed window (as a
#: word; a typo is nearly never one, so 3, 10 and 30 correct the same typos on xwlb:
#: 213 homophones of 230). It matters for a correct rare word: with the result gate off,
#: 58 (3), 45 (10) and 36 (30) of 300 words in 1–2 posts would get a suggestion.
RATIO = 10
#: Longest candidate, in characters (145 of xwlb's 84,712 CJK words are longer).
MAX_CHARS = 8
#: Shortest word of an edit that is not a pinyin change, in characters: the shorter of
#: the typed and the suggested words for a replacement or a swap, the longer for a
#: character missing or extra (疫鑫苗 → 疫苗). Measured on xwlb (with a floor of 3
#: posts): at 2, correct words absent from the index got 75 false suggestions of 145
#: (against 28 at 3) and random-character typos 158 wrong ones of 221 (against 72); at 4,
#: the right edits fell (random characters 42 → 22, swaps 24 → 10, extra characters
#: 43 → 26) for 2 fewer false suggestions. The longer word for a missing or extra
#: character (with a floor of 10 posts): extra characters 122 right of 164 against 45
#: (38 wrong either way), swaps 30 right and 34 wrong against 34 and 29, absent correct
#: words 20 false suggestions of 145 against 18.
EDIT_MIN_CHARS = 3
#: A window of at least this many characters that is neither a frequent word of the
#: index nor a word of the dictionary may be corrected at an explained character, by a
#: replacement of the same syllable: a typo that makes real words (人工只能 → 人工智能).
#: Measured on xwlb: 4 homophone typos more put right (218 of 230), the same 9 wrong,
#: and no more false suggestions (18 of 145 absent correct words, 87 of 300 title runs
#: with the gate off, as without).
REAL_WORD_MIN_CHARS = 4

_RUN = re.compile("[\u4e00-\u9fff]+")

#: How close the typed and the suggested words sound, best first.
SAME_TONE, SAME_SYLLABLE, FUZZY, EDIT = range(4)


@dataclass(frozen=True)
class Suggestion:
    """A corrected query: ``text`` the whole query with the changes made (what the
    suggestion's link searches); ``changes`` each ``(typed, suggested)`` word, in query
    order (typed as in the query, suggested as indexed); ``reason`` ``"pinyin"`` when
    every change replaces a character by one that sounds the same or alike, else
    ``"edit"``."""

    text: str
    changes: tuple[tuple[str, str], ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """``{"text", "changes": [[typed, suggested]…], "reason"}`` for JSON.

        >>> Suggestion("习近平 普京", (("习进平", "习近平"),), "pinyin").to_dict()
        {'text': '习近平 普京', 'changes': [['习进平', '习近平']], 'reason': 'pinyin'}
        """
        return {
            "text": self.text,
            "changes": [list(change) for change in self.changes],
            "reason": self.reason,
        }


def fuzzy(syllable: str) -> str:
    """``syllable`` (toneless pinyin) with the pairs that input methods' fuzzy pinyin
    (模糊音) lets a typist confuse made one: z/zh, c/ch, s/sh, n/l, r/l, f/h, an/ang,
    en/eng, in/ing (so ian/iang and uan/uang too).

    >>> fuzzy("zhang"), fuzzy("nin"), fuzzy("feng"), fuzzy("xiang"), fuzzy("long")
    ('zan', 'lin', 'hen', 'xian', 'long')
    """
    syllable = re.sub("^([zcs])h", r"\1", syllable)
    syllable = re.sub("^[nr]", "l", syllable)
    syllable = re.sub("^f", "h", syllable)
    return re.sub("(?<=[aei])ng$", "n", syllable)


class Readings:
    """The pinyin readings of characters (pypinyin, every reading of a heteronym),
    remembered per character by this object."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {}

    def of(self, char: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """``char``'s readings with tone (``xi2``), without (``xi``) and fuzzy
        (:func:`fuzzy`)."""
        known = self._known.get(char)
        if known is None:
            from pypinyin import Style, pinyin  # loaded by the first suggestion only

            toned = frozenset(pinyin(char, style=Style.TONE3, heteronym=True)[0])
            plain = frozenset(r.rstrip("12345") for r in toned)
            known = self._known[char] = (toned, plain, frozenset(map(fuzzy, plain)))
        return known

    def closeness(self, typed: str, meant: str) -> int:
        """How alike two characters sound: :data:`SAME_TONE`, :data:`SAME_SYLLABLE`,
        :data:`FUZZY` or :data:`EDIT` (no reading in common).

        >>> r = Readings()
        >>> r.closeness("进", "近"), r.closeness("苗", "秒"), r.closeness("奥", "澳")
        (0, 1, 0)
        >>> r.closeness("新", "星"), r.closeness("平", "在")
        (2, 3)
        """
        a, b = self.of(typed), self.of(meant)
        for level, (x, y) in enumerate(zip(a, b, strict=True)):
            if x & y:
                return level
        return EDIT


@dataclass(frozen=True)
class _Edit:
    """One edit from a typed window to a candidate: its kind (``replace``, ``insert``
    a character the typed word lacks, ``delete`` one it has too many, ``swap``) and the
    positions in the window it touches."""

    kind: str
    at: tuple[int, ...]


def one_edit(typed: str, word: str) -> _Edit | None:
    """The edit that makes ``typed`` into ``word``, or None when it takes none or more
    than one (optimal string alignment distance 1).

    >>> one_edit("习进平", "习近平"), one_edit("习平", "习近平")
    (_Edit(kind='replace', at=(1,)), _Edit(kind='insert', at=(0, 1)))
    >>> one_edit("粤港澳澳", "粤港澳"), one_edit("港粤澳", "粤港澳"), one_edit("ab", "ba")
    (_Edit(kind='delete', at=(3,)), _Edit(kind='swap', at=(0, 1)), _Edit(kind='swap', at=(0, 1)))
    """
    n, m = len(typed), len(word)
    if n == m:
        diff = [i for i in range(n) if typed[i] != word[i]]
        if len(diff) == 1:
            return _Edit("replace", (diff[0],))
        if len(diff) == 2 and diff[1] == diff[0] + 1:
            i = diff[0]
            if typed[i] == word[i + 1] and typed[i + 1] == word[i]:
                return _Edit("swap", (i, i + 1))
        return None
    if abs(n - m) != 1:
        return None
    short, long_ = (typed, word) if n < m else (word, typed)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    if short[i:] != long_[i + 1 :]:
        return None
    if n < m:  # the typed word lacks word[i]: its neighbours in the typed word
        return _Edit("insert", tuple(j for j in (i - 1, i) if 0 <= j < n))
    return _Edit("delete", (i,))


@dataclass(frozen=True)
class _Choice:
    """A candidate change of one run: ``[start, end)`` of the window in the run."""

    closeness: int
    start: int
    end: int
    word: str
    df: int

    def key(self) -> tuple[bool, int, int, int, str]:
        return (self.closeness == EDIT, self.start - self.end, self.closeness, -self.df, self.word)


class Suggester:
    """The candidate words of one vocabulary (:meth:`~searcher.engine.Engine.
    word_frequencies`: ``{word: documents}``) and their deletion neighbourhood: make one
    per index generation and keep it (built in 0.7 s for xwlb's 96,735 words; see
    ``bench/suggest.py`` for its memory). Thread-safe for :meth:`suggest`.

    >>> s = Suggester({"习近平": 50, "会见": 40, "普京": 20, "习": 1})
    >>> s.suggest("习进平 会见 普京", 0)
    Suggestion(text='习近平 会见 普京', changes=(('习进平', '习近平'),), reason='pinyin')
    >>> s.suggest("习进平", 1) is None, s.suggest("习近平 会见", 0) is None
    (True, True)
    """

    def __init__(
        self,
        frequencies: Mapping[str, int],
        segmenter: Segmenter | None = None,
        documents: int = 0,
    ) -> None:
        #: The vocabulary this was built from (the engine's object: a cache key).
        self.frequencies = frequencies
        #: The index's segmenter (rule 3: its dictionary's words are right), or None.
        self.segmenter = segmenter
        #: The fewest posts of a candidate: :data:`MIN_DF`, or one in
        #: :data:`POSTS_PER_DF` of the index's ``documents``.
        self.min_df = max(MIN_DF, -(-documents // POSTS_PER_DF))
        self.readings = Readings()
        # Load pypinyin (0.25 s) now, with the rest of the one-time work, rather than
        # in whichever later search first compares two readings.
        self.readings.of("中")
        self._candidates: dict[str, int] = {
            word: df
            for word, df in frequencies.items()
            if df >= self.min_df and 2 <= len(word) <= MAX_CHARS and _RUN.fullmatch(word)
        }
        neighbours: dict[str, list[str]] = {}
        for word in self._candidates:
            for i in range(len(word)):
                neighbours.setdefault(word[:i] + word[i + 1 :], []).append(word)
        self._neighbours: dict[str, tuple[str, ...]] = {
            key: tuple(words) for key, words in neighbours.items()
        }

    def __len__(self) -> int:
        """The number of candidate words."""
        return len(self._candidates)

    def candidates(self, typed: str) -> list[tuple[str, _Edit]]:
        """The candidate words one edit from ``typed`` (folded), each with the edit,
        whatever their frequency relative to ``typed``."""
        found: dict[str, None] = {}
        for word in self._neighbours.get(typed, ()):  # typed lacks a character
            found[word] = None
        for i in range(len(typed)):
            key = typed[:i] + typed[i + 1 :]
            if key in self._candidates:  # typed has a character too many
                found[key] = None
            for word in self._neighbours.get(key, ()):  # replaced or swapped
                if len(word) == len(typed):
                    found[word] = None
        out = []
        for word in found:
            edit = one_edit(typed, word)
            if edit is not None:
                out.append((word, edit))
        return out

    def _explained(self, run: str) -> list[bool]:
        """Rule 3: which characters of ``run`` a word of the run covers: a frequent word
        of the index, or a word of the segmenter's dictionary; and the one-character
        stop words (:data:`~searcher.analysis.STOP_WORDS`), which a reader types on
        purpose (``中国与巴西`` is not 中国王巴西)."""
        covered = [c in STOP_WORDS for c in run]  # 与, 在, 的: never the typo (与 → 王)
        known = self.segmenter.known if self.segmenter is not None else None
        for i in range(len(run)):
            for j in range(i + 2, min(len(run), i + MAX_CHARS) + 1):
                if run[i:j] in self._candidates or (known is not None and known(run[i:j])):
                    covered[i:j] = [True] * (j - i)
        return covered

    def _best(self, run: str) -> _Choice | None:
        """The best change of one run (folded ideographs), or None (rules 3 to 6)."""
        explained = self._explained(run)
        if all(explained) and len(run) < REAL_WORD_MIN_CHARS:
            return None
        known = self.segmenter.known if self.segmenter is not None else None
        best: _Choice | None = None
        for start in range(len(run)):
            for end in range(start + 2, min(len(run), start + MAX_CHARS + 1) + 1):
                typed = run[start:end]
                whole = (
                    len(typed) >= REAL_WORD_MIN_CHARS
                    and typed not in self._candidates
                    and not (known is not None and known(typed))
                )
                if all(explained[start:end]) and not whole:
                    continue
                floor = max(self.min_df, RATIO * self.frequencies.get(typed, 0))
                for word, edit in self.candidates(typed):
                    df = self._candidates[word]
                    if df < floor:
                        continue
                    closeness = EDIT
                    if edit.kind == "replace":
                        i = edit.at[0]
                        closeness = self.readings.closeness(typed[i], word[i])
                    if all(explained[start + i] for i in edit.at):
                        if not (whole and closeness <= SAME_SYLLABLE):
                            continue
                    if closeness == EDIT and _length(edit, typed, word) < EDIT_MIN_CHARS:
                        continue
                    choice = _Choice(closeness, start, end, word, df)
                    if best is None or choice.key() < best.key():
                        best = choice
        return best

    def suggest(self, query: str, total: int, excluded: Iterable[str] = ()) -> Suggestion | None:
        """The suggestion for the query text ``query`` whose search found ``total``
        posts, or None (rules 1 to 6 of this module).

        :param excluded: the texts of the query's excluded clauses (``-word``): their
            characters are left as typed.
        """
        if total > FEW_RESULTS:
            return None
        folded = fold_ideographs(query)
        kept = [True] * len(query)
        for text in excluded:
            at = folded.find(fold_ideographs(text)) if text else -1
            while at >= 0:
                kept[at : at + len(text)] = [False] * len(text)
                at = folded.find(fold_ideographs(text), at + len(text))
        changes: list[tuple[int, int, str]] = []
        closeness: list[int] = []
        for match in _RUN.finditer(folded):
            start = match.start()
            for part in _kept_parts(match.group(), kept[start : match.end()]):
                choice = self._best(part[1])
                if choice is not None:
                    at = start + part[0]
                    changes.append((at + choice.start, at + choice.end, choice.word))
                    closeness.append(choice.closeness)
        if not changes:
            return None
        pieces: list[str] = []
        at = 0
        for begin, end, word in changes:
            pieces += [query[at:begin], word]
            at = end
        pieces.append(query[at:])
        return Suggestion(
            "".join(pieces),
            tuple((query[begin:end], word) for begin, end, word in changes),
            "pinyin" if max(closeness) < EDIT else "edit",
        )


def _length(edit: _Edit, typed: str, word: str) -> int:
    """The length :data:`EDIT_MIN_CHARS` asks of an edit: the longer word's for a
    character missing or extra, the shorter's for a replacement or a swap."""
    if edit.kind in ("insert", "delete"):
        return max(len(typed), len(word))
    return min(len(typed), len(word))


def _kept_parts(run: str, kept: Sequence[bool]) -> list[tuple[int, str]]:
    """The pieces of ``run`` not in an excluded clause, each ``(offset, text)``."""
    parts: list[tuple[int, str]] = []
    begin = None
    for i, keep in enumerate([*kept, False]):
        if keep and begin is None:
            begin = i
        elif not keep and begin is not None:
            parts.append((begin, run[begin:i]))
            begin = None
    return parts


__all__ = [
    "EDIT_MIN_CHARS",
    "FEW_RESULTS",
    "MAX_CHARS",
    "MIN_DF",
    "POSTS_PER_DF",
    "RATIO",
    "REAL_WORD_MIN_CHARS",
    "Readings",
    "Suggester",
    "Suggestion",
    "fuzzy",
    "one_edit",
]
