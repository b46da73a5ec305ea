"""The index's lexicon for readers' typing aids: completions and pinyin (issue #21).

One :class:`Lexicon` is made per index generation from what the engine already holds:
the jieba words of the live posts with their document frequencies
(:meth:`~searcher.engine.Engine.word_frequencies`) and every post's title, date, tags
and categories (:meth:`~searcher.engine.Engine.headlines`). No field is added to the
index: the pinyin of a word is looked up in these tables when a reader types letters.
The run that commits a generation builds its lexicon and stores it beside it
(:func:`searcher.indexing.store_lexicon`, :meth:`Lexicon.to_bytes`), so that searches
and suggestions load it rather than build it.

*Entries* are what a completion can be: a word of the vocabulary (two characters or
more), a *phrase* (two or three words next to each other in at least
:data:`PHRASE_MIN_TITLES` titles, the first and last of two characters or more), a
tag, a category, or a title. Each is scored by frequency and recency:
``posts × 0.5 ** (age / HALF_LIFE_DAYS)``, ``posts`` the posts holding it (a word: its
document frequency; a phrase: the titles holding it; a title: 1) and ``age`` the days
from the newest post holding it *in a title*, tag or category to the newest post of the
index (a word found in no title counts as old as the oldest post).

A prefix completes (:meth:`Lexicon.complete`) literally (folded: ``開`` for 开, any case
for letters; 王建 → 王建国, ``Xiaom`` → Xiaomi; titles also where the prefix stands
inside them), or, for Latin letters, as pinyin (:mod:`searcher.analysis.pinyin`:
``wangj``, ``wjg`` → 王建国). A whole Latin query word is read as pinyin by
:meth:`Lexicon.pinyin_words`, the Chinese words a search adds for it.

Built in about 2.5 s on xwlb (19,541 posts: the vocabulary 0.5 s and the titles 0.5 s
from the engine, 1.5 s here), once per generation, stored in 4.1 MB and loaded in
0.35 s; a completion then takes a few milliseconds (``bench/suggest_latency.py``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import pickle
import re
import threading
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

from .analysis import STOP_WORDS
from .analysis.folding import fold
from .analysis.pinyin import (
    initial_keys,
    latin,
    one_syllable,
    read,
    spells,
    typed_keys,
    whole_syllables,
)
from .analysis.segmenters import Segmenter
from .engine import StoredPost

#: The version of :meth:`Lexicon.to_bytes`'s layout; bytes of another are built anew.
LEXICON_FORMAT = 1
#: Recency half-life of a completion's score, in days.
HALF_LIFE_DAYS = 365.0
#: A run of two or three title words is a phrase when this many titles hold it.
PHRASE_MIN_TITLES = 3
#: The most Chinese words a Latin query word also matches as pinyin (the most frequent).
PINYIN_WORDS = 5
#: A word a Latin query word spells is searched when it is in at least 1/PINYIN_RATIO as
#: many posts as the most frequent word it spells (``shanghai``: 上海 in 1,280 posts of
#: xwlb, 伤害 in 51 is left out). See ``bench/aids.py``.
PINYIN_RATIO = 10
#: The most characters of a prefix; a longer one (or one holding a control character)
#: completes to nothing.
MAX_PREFIX_CHARS = 64
#: The most candidates a pinyin prefix checks, the best scored: on xwlb's first
#: requests (no reading remembered) the slowest prefix took 45 ms (``hang``: 1,100
#: candidates) without this bound, and the 300 prefixes of ``bench/suggest_latency.py``
#: reached 18 ms at p99.
MAX_VERIFIED = 256
#: The most completions :meth:`Lexicon.complete` returns.
MAX_LIMIT = 50
#: Entries kept for each one- and two-letter pinyin key prefix (the best scored); a
#: longer prefix is looked up in full.
_SHORT_KEY_ENTRIES = 200

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_WORDY = re.compile(r"[\w\u4e00-\u9fff]")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
#: A word worth completing to: letters, digits and CJK characters, joined at most by
#: hyphens or middle dots (``wi-fi``, ``s-300``), Latin runs of at most 24 characters; not
#: a file name or an address the body happened to hold (``ai-weather-nowcast.html``).
_COMPLETABLE = re.compile(r"^(?:[^\W_]{1,24}|[\u4e00-\u9fff]+)(?:[-·](?:[^\W_]{1,24}))?$")
KINDS = ("word", "phrase", "tag", "category", "title")


@dataclass(frozen=True)
class Completion:
    """One completion of a typed prefix.

    text: what to search, as written (a title as published); kind: ``word``, ``phrase``,
    ``tag``, ``category`` or ``title``; aid: how the prefix matched it, ``literal`` or
    ``pinyin``; posts: the posts holding it (a title: 1); date: the newest post holding
    it in a title, tag or category (ISO 8601, site time zone) or None; url: a title's
    post, else None.
    """

    text: str
    kind: str
    aid: str
    posts: int
    date: str | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the fields."""
        return asdict(self)


class _Entry(NamedTuple):  # a tuple: 125,000 of them are made per generation on xwlb
    text: str
    key: str  # folded
    kind: str
    posts: int
    score: float
    date: str | None = None
    url: str | None = None


def usable_prefix(prefix: str) -> str | None:
    """``prefix`` stripped, or None when it cannot be completed: empty, longer than
    :data:`MAX_PREFIX_CHARS`, holding a control character, or with no letter, digit
    or Chinese character (issue #21: such a request gets an empty list, not an error)."""
    if not isinstance(prefix, str) or _CONTROL.search(prefix):
        return None
    text = prefix.strip()
    if not text or len(text) > MAX_PREFIX_CHARS or not _WORDY.search(text):
        return None
    return text


class Lexicon:
    """Completions and pinyin lookups over one generation's words and headlines.

    :param words: ``{folded word: posts}`` (:meth:`~searcher.engine.Engine.word_frequencies`).
    :param headlines: the live posts without bodies (:meth:`~searcher.engine.Engine.headlines`).
    :param segmenter: the index's word segmenter (cuts titles into phrases).

    Immutable once built but for a memo of readings; safe to share between threads.
    """

    def __init__(
        self, words: Mapping[str, int], headlines: Sequence[StoredPost], segmenter: Segmenter
    ) -> None:
        # Latin words of the index and their posts: a word of letters more common than
        # its pinyin reading is meant as written (pinyin_words).
        self._latin = {w: n for w, n in words.items() if w.isascii() and w.isalpha()}
        stamps = {p.date: _stamp(p.date) for p in headlines if p.date}
        newest = max(stamps.values(), default=0.0)
        oldest = min(stamps.values(), default=0.0)
        self._newest, self._oldest = newest, oldest
        seen: dict[str, str | None] = {}  # folded word → newest date (ISO) of a title
        shown: dict[str, str] = {}  # folded Latin word → as written in a title
        titles: list[tuple[list[str], list[str], str | None]] = []  # cut, folded, date
        labels: dict[tuple[str, str], list[Any]] = {}  # (kind, folded) → [text, posts, date]
        entries: list[_Entry] = []
        memo: dict[str, str] = {}
        wordy: dict[str, bool] = {}
        for post in headlines:
            date = post.date
            cut = segmenter.cut(post.title)
            folded = []
            for w in cut:
                f = memo.get(w)
                if f is None:
                    f = memo[w] = fold(w)
                    wordy[f] = len(f) > 1 and bool(_WORDY.match(w)) and f not in STOP_WORDS
                    if f.isascii() and f.isalpha() and f != w:
                        shown.setdefault(f, w)
                folded.append(f)
                seen[f] = _newer(seen.get(f), date, stamps)
            titles.append((cut, folded, date))
            for kind, values in (("tag", post.tags), ("category", post.categories)):
                for value in values:
                    slot = labels.setdefault((kind, fold(value)), [value, 0, date])
                    slot[1] += 1
                    slot[2] = _newer(slot[2], date, stamps)
            if post.title.strip():
                entries.append(
                    _Entry(
                        post.title,
                        "".join(folded),
                        "title",
                        1,
                        self._score(1, date),
                        date,
                        post.url,
                    )
                )
        for word, posts in words.items():
            if len(word) < 2 or word in STOP_WORDS or not _COMPLETABLE.match(word):
                continue
            date = seen.get(word)
            entries.append(
                _Entry(shown.get(word, word), word, "word", posts, self._score(posts, date), date)
            )
        for key, (text, count, date) in _phrases(titles, wordy, stamps).items():
            if key not in words:
                entries.append(_Entry(text, key, "phrase", count, self._score(count, date), date))
        for (kind, key), (text, posts, date) in labels.items():
            entries.append(_Entry(text, key, kind, posts, self._score(posts, date), date))
        # Best scored first; at equal scores a word, phrase or label before a title.
        entries.sort(key=lambda e: (-e.score, e.kind == "title"))
        self._entries = entries
        # Literal prefixes: every entry but titles by its folded text, in order.
        self._keys = sorted((e.key, i) for i, e in enumerate(entries) if e.kind != "title")
        # Titles: one text, each title's folded text on a line of its own (a prefix is
        # found in all of them by one str.find loop), and the entry of each line.
        self._title_entries = [i for i, e in enumerate(entries) if e.kind == "title"]
        lines = [entries[i].key.replace("\n", " ") for i in self._title_entries]
        self._title_text = "\n".join(lines)
        starts, at = [], 0
        for line in lines:
            starts.append(at)
            at += len(line) + 1
        self._title_starts = starts
        # Pinyin: every Chinese entry of 2–8 characters (a short title too) under each
        # string of first letters it may be typed with, best scored first.
        by_key: dict[str, list[int]] = {}
        for i, e in enumerate(entries):
            if 2 <= len(e.key) <= 8 and _CJK.match(e.key):
                for k in initial_keys(e.key):
                    by_key.setdefault(k, []).append(i)
        self._by_key = by_key
        self._sorted_keys = sorted(by_key)
        short: dict[str, list[int]] = {}
        for k, found in by_key.items():
            for n in (1, 2):
                if len(k) >= n:
                    short.setdefault(k[:n], []).extend(found)
        self._short = {k: sorted(set(v))[:_SHORT_KEY_ENTRIES] for k, v in short.items()}
        self._ready()

    def _ready(self) -> None:
        self._readings: dict[str, tuple[str, ...] | None] = {}
        self._lock = threading.Lock()
        read("中文")  # loads pypinyin now (0.8 s), not on a reader's first keystroke

    def to_bytes(self) -> bytes:
        """The lexicon as bytes to store with its index generation
        (:meth:`from_bytes`): a pickle of its tables, entries by column (they load 3×
        faster than tuples), compressed. On xwlb: 4.1 MB, loaded in 0.35 s where a
        build takes 2.5 s with the engine's reading of words and titles."""
        state = {
            "format": LEXICON_FORMAT,
            "columns": [list(c) for c in zip(*self._entries, strict=True)] if self._entries else [],
            "newest": self._newest,
            "oldest": self._oldest,
            "latin": self._latin,
            "keys": self._keys,
            "title_entries": self._title_entries,
            "title_text": self._title_text,
            "title_starts": self._title_starts,
            "by_key": self._by_key,
            "short": self._short,
        }
        return zlib.compress(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), 1)

    @classmethod
    def from_bytes(cls, data: bytes) -> Lexicon | None:
        """The lexicon :meth:`to_bytes` made, or None for bytes of another
        :data:`LEXICON_FORMAT` or that cannot be read: truncated, damaged, or of this
        format number but another layout (a table missing, entries of another width:
        ``KeyError``, ``TypeError``); then build it anew. The bytes are an index's own
        file, trusted as its pickled schema is."""
        try:
            state = pickle.loads(zlib.decompress(data))
            if not isinstance(state, dict) or state.get("format") != LEXICON_FORMAT:
                return None
            lexicon = cls.__new__(cls)
            columns = state["columns"]
            lexicon._entries = (
                list(map(_Entry._make, zip(*columns, strict=True))) if columns else []
            )
            lexicon._newest, lexicon._oldest = state["newest"], state["oldest"]
            lexicon._latin = state["latin"]
            lexicon._keys = state["keys"]
            lexicon._title_entries = state["title_entries"]
            lexicon._title_text = state["title_text"]
            lexicon._title_starts = state["title_starts"]
            lexicon._by_key = state["by_key"]
            lexicon._sorted_keys = sorted(state["by_key"])
            lexicon._short = state["short"]
        except Exception:  # truncated, damaged or of another version: build it anew
            return None
        lexicon._ready()
        return lexicon

    def __len__(self) -> int:
        return len(self._entries)

    def _score(self, posts: int, date: str | None) -> float:
        stamp = _stamp(date) if date else self._oldest
        age_days = max(0.0, self._newest - stamp) / 86400
        return posts * math.pow(0.5, age_days / HALF_LIFE_DAYS)

    def _reading(self, word: str) -> tuple[str, ...] | None:
        reading = self._readings.get(word, ())
        if reading == ():
            reading = read(word)
            with self._lock:
                self._readings[word] = reading
        return reading

    def _pinyin_entries(self, typed: str, prefix: bool, enough: int | None = None) -> list[int]:
        """Entry numbers (best scored first) of the Chinese entries ``typed`` spells; the
        first ``enough`` of them when given. A prefix verifies at most
        :data:`MAX_VERIFIED` candidates, the best scored (each reading pypinyin has not
        given yet costs 20–40 µs)."""
        found: set[int] = set()
        for key in typed_keys(typed, prefix=prefix):
            if not prefix:
                found.update(self._by_key.get(key, ()))
            elif len(key) <= 2:
                found.update(self._short.get(key, ()))
            else:
                at = bisect.bisect_left(self._sorted_keys, key)
                while at < len(self._sorted_keys) and self._sorted_keys[at].startswith(key):
                    found.update(self._by_key[self._sorted_keys[at]])
                    at += 1
        out: list[int] = []
        candidates = sorted(found)
        if prefix:
            candidates = candidates[:MAX_VERIFIED]
        for i in candidates:
            if spells(typed, self._reading(self._entries[i].key), prefix=prefix):
                out.append(i)
                if enough is not None and len(out) >= enough:
                    break
        return out

    def pinyin_words(self, typed: str, limit: int = PINYIN_WORDS) -> list[tuple[str, float]]:
        """The Chinese words, title phrases and titles of the index (two to eight
        characters) that the Latin word ``typed`` spells in full
        (:func:`~searcher.analysis.pinyin.spells`: every syllable whole or by its
        initial), each with its weight: its posts over the most frequent one's. Only
        those in at least 1/:data:`PINYIN_RATIO` as many posts as the most frequent,
        the ``limit`` most frequent first (``shanghai`` → 上海 but not 伤害, ``zgc`` →
        中关村, ``shanghaikeji`` → a title 上海科技); [] when ``typed`` is not Latin
        letters, is one whole syllable (``jing``: an input method's reading, never
        jin·g for 进攻; a one-character word is too ambiguous to search), spells none
        (then two words typed as one, :meth:`_two_words`: ``shanghaigaotie`` → 上海，高铁),
        or is itself a word of the index in more posts than the most frequent word it
        spells (``gdp`` is GDP, not 各党派) (issue #21)."""
        folded = fold(typed)
        if not latin(folded) or one_syllable(folded):
            return []
        ranked = self._spelled(folded)
        if not ranked:
            return self._two_words(folded)
        # A word of letters the index holds in more posts than its likeliest reading is
        # meant as written (gdp: 137 posts of xwlb, 各党派 19)
        if self._latin.get(folded, 0) > ranked[0].posts:
            return []
        top = ranked[0].posts
        return [(e.key, e.posts / top) for e in ranked[:limit] if e.posts * PINYIN_RATIO >= top]

    def _spelled(self, folded: str) -> list[_Entry]:
        """The entries ``folded`` spells in full, the most frequent first, each text
        once (a tag and a word of the same text: the one in more posts)."""
        ranked = sorted(
            (self._entries[i] for i in self._pinyin_entries(folded, False)),
            key=lambda e: (-e.posts, e.key),
        )
        first: dict[str, _Entry] = {}
        for e in ranked:
            first.setdefault(e.key, e)
        return list(first.values())

    def _two_words(self, folded: str) -> list[tuple[str, float]]:
        """Two words typed as one in full syllables (``shanghaigaotie``, as an input
        method takes a phrase): the cut of ``folded`` into two runs of whole syllables,
        neither one syllable alone, each the full pinyin of an entry, whose rarer part's
        likeliest entry is in the most posts; its two entries as one form
        ``"上海，高铁"`` (both words, anywhere: a run never spans the comma), weight 1;
        else []. Initials are not
        taken here: read in two, any few letters spell something (``apple`` would be
        安排 漂了)."""
        if self._latin.get(folded, 0) or "'" in folded or len(folded) > 48:
            return []
        best: tuple[int, str] | None = None
        for cut in range(2, len(folded) - 1):
            left, right = folded[:cut], folded[cut:]
            if not (whole_syllables(left) and whole_syllables(right)):
                continue
            if one_syllable(left) or one_syllable(right):
                continue
            first = self._in_full(left)
            second = self._in_full(right) if first else None
            if first is not None and second is not None:
                posts = min(first.posts, second.posts)
                if best is None or posts > best[0]:
                    best = (posts, f"{first.key}，{second.key}")
        return [(best[1], 1.0)] if best is not None else []

    def _in_full(self, part: str) -> _Entry | None:
        """The most frequent entry whose full pinyin is ``part``, or None."""
        for e in self._spelled(part):
            if "".join(self._reading(e.key) or ()) == part:
                return e
        return None

    def complete(self, prefix: str, limit: int = 8) -> list[Completion]:
        """Up to ``limit`` (at most :data:`MAX_LIMIT`) completions of ``prefix``, best
        scored first: entries whose folded text begins with the folded prefix; for
        Latin letters, also the Chinese entries it spells as pinyin (the last syllable
        may be unfinished), after every literal completion; and titles holding the
        prefix anywhere (letters and digits
        only from the start of a word: ``sh`` does not complete "push"). An entry is
        given once (its literal match first); [] for a prefix :func:`usable_prefix`
        refuses. At equal scores, a word, phrase, tag or category comes before a title.
        A word or phrase that is the prefix itself is no completion (a tag or category
        is: it says what the prefix is).
        """
        text = usable_prefix(prefix)
        if text is None or limit <= 0:
            return []
        limit = min(limit, MAX_LIMIT)
        key = fold(text)
        picked: dict[int, str] = {}
        at = bisect.bisect_left(self._keys, (key, -1))
        while at < len(self._keys) and self._keys[at][0].startswith(key):
            picked.setdefault(self._keys[at][1], "literal")
            at += 1
        if "\n" not in key:
            at = self._title_text.find(key)
            while at >= 0 and len(picked) < 4 * MAX_LIMIT:
                line = bisect.bisect_right(self._title_starts, at) - 1
                # letters complete a word from its start (``sh`` is no completion of
                # "Shanghai Daily" at "…ai Dai"… nor of "push")
                before = self._title_text[at - 1] if at > self._title_starts[line] else " "
                if not (
                    key[0].isascii() and key[0].isalnum() and before.isascii() and before.isalnum()
                ):
                    picked.setdefault(self._title_entries[line], "literal")
                next_line = (
                    self._title_starts[line + 1]
                    if line + 1 < len(self._title_starts)
                    else len(self._title_text)
                )
                at = self._title_text.find(key, next_line)
        if latin(key):
            for i in self._pinyin_entries(key, True, enough=2 * limit):
                picked.setdefault(i, "pinyin")
        # Literal completions first, as a search ranks the letters as typed above their
        # pinyin readings (``ai`` → AI before 爱心); then by score.
        best = sorted(picked, key=lambda i: (picked[i] != "literal", -self._entries[i].score, i))
        out: list[Completion] = []
        shown: set[str] = set()
        for i in best:
            e = self._entries[i]
            if e.key in shown:  # a tag and a word of the same text: the better one
                continue
            if e.key == key and e.kind in ("word", "phrase"):  # nothing to complete
                continue
            shown.add(e.key)
            out.append(Completion(e.text, e.kind, picked[i], e.posts, e.date, e.url))
            if len(out) == limit:
                break
        return out


def _phrases(
    titles: Sequence[tuple[list[str], list[str], str | None]],
    wordy: Mapping[str, bool],
    stamps: Mapping[str, float],
) -> dict[str, tuple[str, int, str | None]]:
    """The phrases of ``titles`` (each cut into words, the words folded, its date):
    ``{folded: (as written, titles, newest date)}`` for every run of two or three words
    in at least :data:`PHRASE_MIN_TITLES` titles that begins and ends with a word of
    two characters or more, no stop word (习近平同, 习近平新 are no phrases), and holds
    no punctuation. Two passes, as Apriori counts: the pairs first, then the triples
    whose first pair is frequent (xwlb: 5 MB instead of 90 MB for every run)."""
    pairs: dict[str, int] = {}
    for _, folded, _ in titles:
        for i in range(len(folded) - 1):
            if wordy[folded[i]] and _WORDY.match(folded[i + 1]):
                key = folded[i] + folded[i + 1]
                pairs[key] = pairs.get(key, 0) + 1
    out: dict[str, tuple[str, int, str | None]] = {}
    for cut, folded, date in titles:
        for n in (2, 3):
            for i in range(len(folded) - n + 1):
                if not (wordy[folded[i]] and wordy[folded[i + n - 1]]):
                    continue
                if pairs.get(folded[i] + folded[i + 1], 0) < PHRASE_MIN_TITLES:
                    continue
                key = "".join(folded[i : i + n])
                if n == 3 and not _WORDY.match(folded[i + 1]):
                    continue
                text, count, newest = out.get(key) or ("".join(cut[i : i + n]), 0, date)
                newest = _newer(newest, date, stamps)
                out[key] = (text, count + 1, newest)
    return {k: v for k, v in out.items() if v[1] >= PHRASE_MIN_TITLES}


def _stamp(date: str | None) -> float:
    if not date:
        return 0.0
    try:
        return dt.datetime.fromisoformat(date).timestamp()
    except ValueError:
        return 0.0


def _newer(kept: str | None, date: str | None, stamps: Mapping[str, float]) -> str | None:
    """The later of two ISO dates (``stamps``: their Unix seconds), either may be None."""
    if date and (kept is None or stamps.get(date, 0.0) > stamps.get(kept, 0.0)):
        return date
    return kept


__all__ = ["KINDS", "MAX_LIMIT", "MAX_PREFIX_CHARS", "PINYIN_WORDS", "Completion", "Lexicon"]
