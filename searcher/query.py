"""The query language, and how a query becomes a Whoosh query.

Syntax (the words a user types):

* words are ANDed: ``证券 公告`` finds posts holding both;
* ``OR`` between two words (or phrases) accepts either; ``AND`` is the default anyway;
* ``-word`` (or ``NOT word``) excludes posts holding ``word``;
* ``"a phrase"`` must occur exactly, units in order; any quote marks pair, mismatched
  ones too (``“”`` ``‘’`` ``「」`` ``『』`` ``＂＂`` ``“…"``), and a title in book-title marks
  (``《江河之上》``, ``〈…〉``) is a phrase as well;
* ``title:word`` or ``title:"a phrase"`` matches in the title only.

Operators may be typed full width (``＂`` is a quote, ``－`` a minus). Nothing in a query
is an error: a lone quote is ignored, a lone ``OR`` or ``-`` is dropped.

How each word matches (the rules of issues #3 and #8, CASES.md C1–C6, C13–C15):

* Traditional and simplified characters match each other (both are folded to
  simplified, :mod:`searcher.analysis.variants`); a word with other regional spellings
  (``软件``, Taiwan's ``軟體``) also finds those, ranked below its own form.

* A word is split into *sub-terms*: its runs of letters/digits stay whole (``iphone14``,
  ``6.3512``); its runs of Chinese are segmented by the index's jieba segmenter. A
  number stays with the Chinese word after it (``12万``, ``3.5亿元``: a quantity).
* A hit must contain every sub-term *literally* as a run of units (bigram phrase on the
  ``*_2`` fields, or the unigram on ``*_1`` for one unit), in the title or the body. So
  any run of Chinese characters in a post finds it, single characters included, and
  ``6.35`` does not find ``6.3512`` while ``iphone`` finds ``iPhone14``.
* Ranking adds, for each sub-term, the score of the jieba *word* in the ``title``/``body``
  word fields, so a post holding ``本田`` as a word outranks one where 本田 only stands
  inside another word; and the whole word as one literal run, in a tier of its own
  (:class:`Verbatim`): ``人民的名义`` ranks every post that holds it verbatim above the
  posts with only 人民 … 的 … 名义, wherever those stand.
* Stop words (:data:`searcher.analysis.STOP_WORDS`) are not required unless the query
  holds nothing else; they still count in phrases and in the whole-word run.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import matching
from whoosh import query as wq

from .analysis import STOP_WORDS, UnitAnalyzer, join_units
from .analysis.segmenters import Segmenter
from .analysis.tokenizers import APOSTROPHE, CJK_CHARS
from .analysis.variants import regional_forms
from .errors import Notice
from .postings import read_occurrences
from .schema import live_doc_frequency
from .snippets import TermGroup

#: Query-time weights (multiplied into BM25F scores); see README "Ranking".
TITLE_BOOST = 3.0
WORD_BOOST = 1.0
RUN_BOOST = 1.0

_UNITS = UnitAnalyzer()
_CJK_UNIT = re.compile(rf"^[{CJK_CHARS}]$")
_LATIN = re.compile(rf"(?![{CJK_CHARS}])[^\W\d_]")
_NUMBER = re.compile(r"\d")


@dataclass
class Clause:
    """One word or phrase of a query, as typed.

    text: the text as typed (it is folded by analysis); quoted: typed between quote
    marks or book-title marks; title_only: ``title:`` prefix; negated: ``-`` or ``NOT``
    prefix.
    """

    text: str
    quoted: bool = False
    title_only: bool = False
    negated: bool = False


@dataclass
class ParsedQuery:
    """A parsed query: groups of clauses (OR inside a group, AND between groups) and
    the excluded clauses."""

    groups: list[list[Clause]] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)
    typed: bool = False  # the query text was not blank


#: Marks that open or close a quoted phrase. Any of them opens one and the next one
#: closes it, so mismatched pairs (“…" or 「…”) still make a phrase (CASES.md C14). Book
#: titles (《…》, 〈…〉) are matched as phrases too.
QUOTE_MARKS = frozenset('"“”‘’「」『』《》〈〉＂｢｣﹁﹂﹃﹄〝〞〟')

#: Full-width ASCII (U+FF01–FF5E) to ASCII, for reading operators (``－``, ``ＯＲ``,
#: ``ｔｉｔｌｅ：``) without changing the text a clause matches.
_HALF_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


def _opens_quote(text: str, i: int) -> bool:
    """Whether ``text[i]`` is a quote mark: ``’`` between two letters is an apostrophe
    (``O’Neil``), as in the tokenizer."""
    if text[i] not in QUOTE_MARKS:
        return False
    if text[i] == APOSTROPHE and 0 < i < len(text) - 1:
        return not (_LATIN.match(text[i - 1]) and _LATIN.match(text[i + 1]))
    return True


def parse(text: str) -> ParsedQuery:
    """Parse the query syntax of this module's docstring; never raises.

    A clause keeps the characters as typed: they are folded by the same analysis as the
    posts (:func:`units_of`), so that a full-width mark that breaks a phrase in a post
    breaks it in the query too. Operators may be typed full width (``－基金``, ``ＯＲ``).

    >>> p = parse('证券 OR 股票 -基金 title:"人民 的" 《江河之上》')
    >>> [[c.text for c in g] for g in p.groups], [c.text for c in p.excluded]
    ([['证券', '股票'], ['人民 的'], ['江河之上']], ['基金'])
    """
    op = text.translate(_HALF_WIDTH)  # same length as text: indexes agree
    clauses: list[Clause | str] = []
    i, n = 0, len(text)
    negate_next = False
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = negate_next
        negate_next = False
        title_only = False
        if op[i] == "-" and i + 1 < n and not text[i + 1].isspace():
            negated = True
            i += 1
        if op[i : i + 6].lower() == "title:" and i + 6 < n and not text[i + 6].isspace():
            title_only = True
            i += 6
        if _opens_quote(text, i):
            # A run of marks opens (《“…”》 nests a quote in a title), the next run closes.
            while i < n and _opens_quote(text, i):
                i += 1
            close = next((k for k in range(i, n) if _opens_quote(text, k)), -1)
            if close != -1:
                body = text[i:close]
                i = close
                while i < n and _opens_quote(text, i):
                    i += 1
                if body.strip():
                    clauses.append(Clause(body.strip(), True, title_only, negated))
                continue
            # A lone mark: ignore it and read on, keeping -, NOT and title: for the word.
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                continue
        j = i
        while j < n and not text[j].isspace() and not _opens_quote(text, j):
            j += 1
        word, word_op = text[i:j], op[i:j]
        i = j
        if word_op in ("OR", "|"):
            clauses.append("OR")
        elif word_op == "AND" or word_op == "-":
            continue
        elif word_op == "NOT":
            negate_next = True
        else:
            word = word.strip("'＇")
            if word:
                clauses.append(Clause(word, False, title_only, negated))
    parsed = ParsedQuery(typed=bool(text.strip()))
    join = False
    for c in clauses:
        if isinstance(c, str):
            join = bool(parsed.groups)
            continue
        if c.negated:
            parsed.excluded.append(c)
            continue
        if join:
            parsed.groups[-1].append(c)
        else:
            parsed.groups.append([c])
        join = False
    return parsed


def units_of(text: str) -> list[list[str]]:
    """The folded units of ``text`` in segments split at punctuation.

    >>> units_of("中美&欧盟，iPhone14")
    [['中', '美', '欧', '盟'], ['iphone', '14']]
    """
    segments: list[list[str]] = []
    for t in _UNITS(text):
        if t.brk or not segments:
            segments.append([])
        segments[-1].append(t.text)
    return segments


@dataclass
class SubTerm:
    """A piece of a word every hit must contain: its units, its jieba word, stop flag."""

    units: tuple[str, ...]
    word: str
    stop: bool


def sub_terms(segment: list[str], segmenter: Segmenter) -> list[SubTerm]:
    """Split one unit segment into sub-terms: letter/digit runs whole, Chinese by jieba.

    A number followed by Chinese characters is kept with the first word jieba finds in
    them, as one run (a quantity: ``12万``, ``36座``, ``3.5亿元``, ``24小时``, ``2024年``), so
    that ``12万`` never matches 12 and 万 apart (issue #8, CASES.md C14). Quantities next
    to each other are one run (``2024年3月15日``), and so is a one-character prefix of a
    quantity (``第3季度``, ``约3万``).

    >>> from searcher.analysis import make_segmenter
    >>> [p.units for p in sub_terms(["3.5", "亿", "元", "投", "资"], make_segmenter())]
    [('3.5', '亿', '元'), ('投', '资')]
    """
    out: list[SubTerm] = []
    number: SubTerm | None = None  # a number waiting for the Chinese word after it
    i = 0
    while i < len(segment):
        j = i
        cjk = bool(_CJK_UNIT.match(segment[i]))
        while j < len(segment) and bool(_CJK_UNIT.match(segment[j])) == cjk:
            j += 1
        run = segment[i:j]
        if cjk:
            pos = 0
            text = "".join(run)
            for word in segmenter.cut(text):
                word_units = tuple(run[pos : pos + len(word)])
                pos += len(word)
                if number is not None:  # the unit of a quantity
                    out[-1] = SubTerm(number.units + word_units, word, False)
                    number = None
                    continue
                out.append(SubTerm(word_units, word, word in STOP_WORDS))
        else:
            sub = SubTerm(tuple(run), "".join(run), len(run) == 1 and run[0] in STOP_WORDS)
            out.append(sub)
            number = sub if _NUMBER.match(run[-1]) else None
        i = j
    # A date or a count in several parts stays one run (2024年3月15日), and so does a
    # one-character prefix of a quantity (第3季度, 约3万).
    merged: list[SubTerm] = []
    for sub in out:
        numeric = any(_NUMBER.match(u) for u in sub.units)
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and numeric
            and (any(_NUMBER.match(u) for u in prev.units) or len(prev.units) == 1)
        ):
            merged[-1] = SubTerm(prev.units + sub.units, sub.word, False)
        else:
            merged.append(sub)
    return merged


class _PhraseMatcher(matching.ListMatcher):  # type: ignore[misc]
    """The documents of a :class:`BigramPhrase`, with the phrase count as the weight."""

    def supports_block_quality(self) -> bool:
        return False

    def block_max_weight(self) -> float:
        # ListMatcher recomputes max() over the whole list on every call.
        if not hasattr(self, "_max_weight"):
            self._max_weight = max(self._weights) if self._weights else 0.0
        return float(self._max_weight)


def _starts(positions: list[int], offsets: list[int], within: list[int] | None) -> list[int]:
    """Phrase starts consistent with a bigram found at ``positions`` and standing at
    each of ``offsets`` in the phrase (narrowed to ``within`` when given). The few
    candidate starts are tested against the position list (a C-speed ``in``) rather
    than turning every position into a set."""
    if within is None:
        j = offsets[0]
        starts = [p - j for p in positions] if j else positions
        rest = offsets[1:]
    else:
        starts, rest = within, offsets
    for j in rest:
        starts = [s for s in starts if s + j in positions]
        if not starts:
            return []
    return starts


def phrase_cover(count: int) -> set[int]:
    """Offsets of the bigrams that prove a phrase of ``count`` bigrams: every other one
    and the last. Bigrams at offsets j and j + 2 put units at consecutive positions
    j … j + 3, and positions skip a number at every break, so the bigram at j + 1 is
    there too: checking ``{0, 2, 4, …, count − 1}`` matches exactly the same places
    as checking all ``count``.

    >>> sorted(phrase_cover(4)), sorted(phrase_cover(5))
    ([0, 2, 3], [0, 2, 4])
    """
    return set(range(0, count, 2)) | {count - 1}


def skip_starts(
    m: Any,
    docs: Any,
    offsets: list[int],
    within: dict[int, list[int]] | None = None,
    most: int | None = None,
) -> dict[int, list[int]]:
    """Walk the posting matcher ``m`` of one bigram to each of ``docs`` (ascending
    docnums) it holds, skipping between them, and return each one's phrase starts
    consistent with the bigram standing at ``offsets`` (narrowed to ``within[doc]``
    when given; only its first ``most`` positions when given). Documents left with no
    start are left out. Used where the documents are few next to the postings. A matcher
    that is not active (every document of the bigram in this segment is deleted) finds
    nothing."""
    found: dict[int, list[int]] = {}
    if not m.is_active():
        return found
    for d in docs:
        if m.id() < d:
            m.skip_to(d)
            if not m.is_active():
                break
        if m.id() == d:
            positions = m.value_as("positions")
            starts = _starts(
                positions if most is None else positions[:most],
                offsets,
                None if within is None else within[d],
            )
            if starts:
                found[d] = starts
    return found


#: Positions of the bigrams one search has read: ``(reader id, field, term)`` →
#: ``{docnum: positions}``. Shared by the phrases of one
#: compiled query (a word's parts and its whole run read the same bigrams), dropped
#: with it.
PostingMemo = dict[tuple[int, str, bytes], Any]


def _occurrences(reader: Any, fieldname: str, term: bytes, memo: PostingMemo | None) -> Any:
    """:func:`~searcher.postings.read_occurrences`, kept in ``memo`` for the search."""
    key = (id(reader), fieldname, term)
    if memo is not None and key in memo:
        return memo[key]
    found = read_occurrences(reader, fieldname, term)
    if memo is not None:
        memo[key] = found
    return found


class PhraseCache:
    """The documents each bigram phrase matched, per index segment, kept across searches.

    A very common run (央视网消息 opens nearly every xwlb story) costs about half a second
    to match on 20,000 posts, and readers ask it in many variants (with filters, other
    words, quoted): its matches are computed once per segment. Segments never change
    once written, so an entry stays valid until its segment is merged away or loses a
    document (the key holds the segment's id and live count); entries are evicted least
    recently used first once they hold more than ``max_docs`` document numbers in all.
    Thread-safe.

    :param max_docs: the most document numbers held (each about 16 bytes with its
        weight): 2,000,000 ≈ 32 MB.
    """

    def __init__(self, max_docs: int = 2_000_000) -> None:
        self.max_docs = max_docs
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Any, ...], tuple[list[int], list[float], bytes]] = (
            OrderedDict()
        )
        self._size = 0
        self._running: dict[tuple[Any, ...], threading.Event] = {}

    def compute(
        self, key: tuple[Any, ...], make: Callable[[], tuple[list[int], list[float], bytes]]
    ) -> tuple[list[int], list[float], bytes]:
        """The entry for ``key``, made by ``make()`` and kept when it is not cached yet.
        Threads asking for a key that another thread is making wait for it instead of
        making it again (the first searches of a busy server ask the same common runs
        at once)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
            running = self._running.get(key)
            owner = running is None
            if running is None:
                running = self._running[key] = threading.Event()
        if not owner:
            running.wait()
            return self.get(key) or make()  # the maker failed, or the entry was too big
        try:
            entry = make()
            self.put(key, *entry)
            return entry
        finally:
            with self._lock:
                del self._running[key]
            running.set()

    def get(self, key: tuple[Any, ...]) -> tuple[list[int], list[float], bytes] | None:
        """The cached ``(docnums, weights, rarest bigram)`` for ``key``, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(
        self, key: tuple[Any, ...], docs: list[int], weights: list[float], rarest: bytes
    ) -> None:
        """Keep ``(docs, weights, rarest)`` for ``key`` (``rarest``: the bigram whose
        document frequency scores the phrase), evicting the oldest entries past the
        bound."""
        if len(docs) > self.max_docs:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old[0])
            self._entries[key] = (docs, weights, rarest)
            self._size += len(docs)
            while self._size > self.max_docs:
                _, (gone, _, _) = self._entries.popitem(last=False)
                self._size -= len(gone)


def _segment_key(reader: Any) -> Any:
    """What identifies a segment reader's postings across searchers: the segment's id
    and its number of live documents (None for other readers, which are then not
    cached). Postings leave out deleted documents, and a segment only ever gains
    deletions, so the live count tells each state of the segment apart."""
    try:
        return (reader.segment().segment_id(), reader.doc_count())
    except AttributeError:
        return None


class BigramPhrase(wq.Phrase):  # type: ignore[misc]
    """A phrase of bigrams, matched by intersecting position sets.

    Same matches as :class:`whoosh.query.Phrase` (every bigram at consecutive positions),
    several times faster than Whoosh's span machinery on phrases of common bigrams. The
    score is BM25F with the phrase's count in the document as its frequency and the
    rarest bigram's document frequency for the idf.

    The rarest bigram's postings are read in full; each other bigram's are read in full
    too when the candidates are many (one pass beats a skip per candidate), else by
    skipping to each candidate. Postings read in full are kept in :attr:`memo` when the
    query has one (:func:`compile_query` gives its phrases a shared one).
    """

    memo: PostingMemo | None = None
    cache: PhraseCache | None = None

    def normalize(self) -> Any:
        return self  # Whoosh's rebuilds the query and would drop the memo

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        found = self.matches(searcher)
        if found is None:
            return matching.NullMatcher()
        return self._matcher(searcher, searcher.reader(), *found)

    def matches(self, searcher: Any) -> tuple[list[int], list[float], bytes] | None:
        """The phrase's documents in the searcher's segment (ascending docnums), its
        count in each, and its bigram rarest in the whole index (whose statistics score
        it); None when a bigram is missing. The documents and counts come from the cache
        when it holds them, else are stored there."""
        reader = searcher.reader()
        field = searcher.schema[self.fieldname]
        terms = [field.to_bytes(w) for w in self.words]
        if any((self.fieldname, t) not in reader for t in terms):
            return None
        segment = _segment_key(reader) if self.cache is not None else None
        if self.cache is None or segment is None:
            docs, weights, _ = self._compute(reader, terms)
        else:
            key = (segment, self.fieldname, tuple(terms))
            docs, weights, _ = self.cache.compute(key, lambda: self._compute(reader, terms))
        # The bigram that scores the phrase is the rarest in the whole index, so that a
        # post scores the same however the index is cut into segments (--jobs, updates).
        # Live documents only, as the scorer counts them (live_doc_frequency).
        rarest = min(
            dict.fromkeys(terms), key=lambda t: live_doc_frequency(searcher, self.fieldname, t)
        )
        return docs, weights, rarest

    def _compute(self, reader: Any, terms: list[bytes]) -> tuple[list[int], list[float], bytes]:
        # Each distinct bigram's postings are read once, however often it recurs in the
        # phrase (新闻联播新闻联播… repeats four bigrams): rarest first.
        # Only the bigrams of phrase_cover() need checking (plus the rarest, the best
        # first filter, whose statistics also score the phrase).
        every: dict[bytes, list[int]] = {}
        for j, term in enumerate(terms):
            every.setdefault(term, []).append(j)
        frequency = {t: reader.doc_frequency(self.fieldname, t) for t in every}
        rarest = min(every, key=lambda t: frequency[t])
        cover = phrase_cover(len(terms)) | set(every[rarest])
        offsets = {t: [j for j in js if j in cover] for t, js in every.items()}
        order = sorted((t for t in offsets if offsets[t]), key=lambda t: frequency[t])
        # A phrase start s in document d is the key d << 32 | s: each bigram at offset j
        # keeps the keys d << 32 | (p - j) of its occurrences (d, p), as sorted arrays.
        keys: Any = None
        for term in order:
            if keys is not None and keys.size * 16 < frequency[term]:
                keys = self._skip(reader, term, offsets[term], keys)
            else:
                docs, positions = _occurrences(reader, self.fieldname, term, self.memo)
                for j in offsets[term]:
                    ok = positions >= j
                    found = (docs[ok] << 32) | (positions[ok] - j)
                    keys = found if keys is None else keys[np.isin(keys, found, assume_unique=True)]
            if not keys.size:
                break
        found_docs, counts = np.unique(keys >> 32, return_counts=True)
        return found_docs.tolist(), counts.astype(float).tolist(), rarest

    def _skip(self, reader: Any, term: bytes, offsets: list[int], keys: Any) -> Any:
        """``keys`` kept by one bigram found by skipping to each candidate document
        (the candidates are few next to its postings)."""
        candidates: dict[int, list[int]] = {}
        for d, start in zip((keys >> 32).tolist(), (keys & 0xFFFFFFFF).tolist(), strict=True):
            candidates.setdefault(d, []).append(start)
        m = reader.postings(self.fieldname, term)
        kept = skip_starts(m, sorted(candidates), offsets, candidates)
        return np.array(sorted(d << 32 | s for d, ss in kept.items() for s in ss), dtype=np.int64)

    def _matcher(
        self, searcher: Any, reader: Any, docs: list[int], weights: list[float], rarest: bytes
    ) -> Any:
        if not docs:
            return matching.NullMatcher()
        scorer = searcher.weighting.scorer(searcher, self.fieldname, rarest)
        m = _PhraseMatcher(
            docs,
            weights=weights,
            scorer=scorer,
            terminfo=reader.term_info(self.fieldname, rarest),
        )
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


def share_memo(q: Any, memo: PostingMemo, cache: PhraseCache | None = None) -> None:
    """Give every :class:`BigramPhrase` in the query tree ``q`` the same ``memo`` (for
    one search) and ``cache`` (an index's, across searches)."""
    if isinstance(q, BigramPhrase):
        q.memo = memo
        q.cache = cache
    for child in q.children():
        share_memo(child, memo, cache)


#: Score added for each clause whose exact wording a post holds (as typed, as one run: a
#: word that jieba splits only where it stands whole; not a regional spelling). It is
#: far above any BM25F score here (each part scores at most idf · (K1 + 1) · boost, about
#: 100 on 20,000 posts), so it acts as a tier: :mod:`searcher.ranking` reads it back as
#: ``score // VERBATIM_TIER``, and a post with the exact wording ranks above every post
#: with only its parts, wherever they stand (issue #8, CASES.md C15).
VERBATIM_TIER = 1e6


class _TierMatcher(matching.WrappingMatcher):  # type: ignore[misc]
    """Its child's matches, each scoring :data:`VERBATIM_TIER` more."""

    def _replacement(self, newchild: Any) -> Any:
        return _TierMatcher(newchild, self.boost)

    def copy(self) -> Any:
        return _TierMatcher(self.child.copy(), self.boost)

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return float(self.child.max_quality() * self.boost + VERBATIM_TIER)

    def score(self) -> float:
        return float(self.child.score() * self.boost + VERBATIM_TIER)


class Verbatim(wq.WrappingQuery):  # type: ignore[misc]
    """The posts of ``child`` (a clause's exact wording), with :data:`VERBATIM_TIER`
    added to their score."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        m = self.child.matcher(searcher, context)
        return _TierMatcher(m) if m.is_active() else m


def match_units(units: tuple[str, ...], title_only: bool, boost: float = 1.0) -> Any:
    """The Whoosh query matching posts that hold ``units`` as a literal run.

    One unit: the unigram fields. Two: one bigram term. More: a phrase of bigrams.
    """
    fields = [("title", TITLE_BOOST * boost)] + ([] if title_only else [("body", boost)])
    if len(units) == 1:
        return wq.Or([wq.Term(f"{f}_1", units[0], boost=b) for f, b in fields])
    bigrams = [join_units(a, b) for a, b in zip(units, units[1:], strict=False)]
    if len(bigrams) == 1:
        return wq.Or([wq.Term(f"{f}_2", bigrams[0], boost=b) for f, b in fields])
    return wq.Or([BigramPhrase(f"{f}_2", bigrams, boost=b) for f, b in fields])


def match_word(word: str, title_only: bool) -> Any:
    """The ranking-only query for a jieba word in the word fields."""
    fields = [("title", TITLE_BOOST * WORD_BOOST)] + ([] if title_only else [("body", WORD_BOOST)])
    return wq.Or([wq.Term(f, word, boost=b) for f, b in fields])


@dataclass
class Compiled:
    """A query ready to run: the Whoosh query, the terms to highlight, notices, whether
    it matches every post, and the parts of each word jieba splits (for proximity)."""

    query: Any
    highlight: list[TermGroup]
    notices: list[Notice]
    match_all: bool
    proximity: list[list[tuple[str, ...]]] = field(default_factory=list)


#: Weight of a regional spelling of a word (``软件`` → 軟體): below the literal form.
REGIONAL_BOOST = 0.5


def _clause_query(
    c: Clause, segmenter: Segmenter, tiers: bool = True
) -> tuple[Any, bool, TermGroup, list[tuple[str, ...]]]:
    """The Whoosh query of one clause (None if it has no units), whether the clause
    held only stop words, the terms to highlight for it, and its parts for the
    proximity factor (:mod:`searcher.ranking`; empty unless jieba splits it).

    With ``tiers``, the clause's exact wording (as typed, as one run) is wrapped in
    :class:`Verbatim`, so every clause counts once in the tier of a post that holds it
    verbatim. Other regional spellings of the clause
    (:func:`~searcher.analysis.regional_forms`, ``软件`` → 软体 for Taiwan's 軟體) are
    alternatives at :data:`REGIONAL_BOOST` without a tier, so that posts holding the
    form as typed rank first (CASES.md C13).
    """
    q, only_stops, group, parts = _literal_query(c, segmenter, tiers)
    if q is None:
        return None, False, group, []
    alternatives = []
    for form in regional_forms(c.text):
        alt, _, alt_group, _ = _literal_query(
            Clause(form, c.quoted, c.title_only), segmenter, tiers=False
        )
        if alt is not None:
            alternatives.append(alt.with_boost(REGIONAL_BOOST))
            group = TermGroup(
                group.primary + alt_group.primary, group.fallback + alt_group.fallback
            )
    if alternatives:
        q = wq.Or([q, *alternatives])
    return q, only_stops, group, parts


def _literal_query(
    c: Clause, segmenter: Segmenter, tiers: bool = True
) -> tuple[Any, bool, TermGroup, list[tuple[str, ...]]]:
    """:func:`_clause_query` for the clause's literal form; ``tiers``: wrap its exact
    wording in :class:`Verbatim` (the whole run of a word with several parts, else the
    whole query: then every match is verbatim).

    Highlighting marks the whole word where it occurs, and its non-stop sub-terms only
    in posts where the whole word does not occur.
    """
    segments = units_of(c.text)
    if not segments:
        return None, False, TermGroup(()), []
    required: list[Any] = []
    optional: list[Any] = []
    if c.quoted:
        for seg in segments:
            required.append(match_units(tuple(seg), c.title_only))
        group = TermGroup(tuple(tuple(seg) for seg in segments))
        quoted: Any = required[0] if len(required) == 1 else wq.And(required)
        return (Verbatim(quoted) if tiers else quoted), False, group, []
    subs: list[SubTerm] = []
    primary: list[tuple[str, ...]] = []
    run_tier = False
    for seg in segments:
        parts = sub_terms(seg, segmenter)
        subs.extend(parts)
        if len(parts) > 1:
            run_tier = tiers
            run = match_units(tuple(seg), c.title_only, RUN_BOOST)
            optional.append(Verbatim(run) if tiers else run)
            primary.append(tuple(seg))
    # A sub-word met again (新闻联播新闻联播…) is required once: the same clause twice
    # matches the same posts, at twice the work.
    unique: dict[tuple[str, ...], SubTerm] = {}
    for p in subs:
        unique.setdefault(p.units, p)
    subs = list(unique.values())
    only_stops = all(p.stop for p in subs)
    fallback: list[tuple[str, ...]] = []
    for p in subs:
        if only_stops or not p.stop:
            required.append(
                wq.AndMaybe(match_units(p.units, c.title_only), match_word(p.word, c.title_only))
            )
            (primary if len(subs) == 1 else fallback).append(p.units)
        else:
            optional.append(match_units(p.units, c.title_only))
    q: Any = required[0] if len(required) == 1 else wq.And(required)
    if optional:
        q = wq.AndMaybe(q, wq.Or(optional))
    if tiers and not run_tier and not only_stops:
        q = Verbatim(q)
    words = [p.units for p in subs if not p.stop and len(p.units) > 1] if len(subs) > 1 else []
    return q, only_stops, TermGroup(tuple(primary), tuple(fallback)), words


def compile_query(
    parsed: ParsedQuery, segmenter: Segmenter, cache: PhraseCache | None = None
) -> Compiled:
    """Turn a :class:`ParsedQuery` into a :class:`Compiled` Whoosh query; its phrases
    share one posting memo and ``cache`` (an index's :class:`PhraseCache`, if given).

    A query with no positive clause matches every post (``match_all``), less the
    exclusions.
    """
    highlight: list[TermGroup] = []
    notices: list[Notice] = []
    compiled = [[_clause_query(c, segmenter) for c in group] for group in parsed.groups]
    all_stops = all(stop for group in compiled for _, stop, _, _ in group)
    groups: list[Any] = []
    boosts: list[Any] = []
    proximity: list[list[tuple[str, ...]]] = []
    for group in compiled:
        alts = [(q, stop, terms, parts) for q, stop, terms, parts in group if q is not None]
        if not alts:
            continue
        if len(alts) == 1 and alts[0][1] and not all_stops:
            # a lone common word beside real words: not required (and it has no tier)
            boosts.append(alts[0][0])
            continue
        groups.append(alts[0][0] if len(alts) == 1 else wq.Or([a[0] for a in alts]))
        highlight.extend(a[2] for a in alts)
        proximity.extend(a[3] for a in alts if len(a[3]) > 1)
    if all_stops and groups:
        words = " ".join(c.text for g in parsed.groups for c in g)
        notices.append(
            Notice(
                "common_words_only",
                f"the query holds only common words ({words}): "
                "posts are matched on them literally, so most posts match",
                words=words,
            )
        )
    match_all = not groups
    q: Any = wq.Every() if match_all else (groups[0] if len(groups) == 1 else wq.And(groups))
    if boosts and not match_all:
        q = wq.AndMaybe(q, wq.Or(boosts))
    excluded = []
    for c in parsed.excluded:
        ex = _clause_query(Clause(c.text, c.quoted, c.title_only), segmenter, False)[0]
        if ex is not None:
            excluded.append(ex)
    if excluded:
        q = wq.AndNot(q, excluded[0] if len(excluded) == 1 else wq.Or(excluded))
    elif match_all and (parsed.groups or parsed.excluded or parsed.typed):
        # Something was typed but nothing in it can be searched (only punctuation,
        # symbols or operators): answer that, rather than list every post.
        notices.append(
            Notice(
                "nothing_to_search",
                "the query has nothing to search for (no letters, digits or Chinese characters)",
            )
        )
        return Compiled(wq.NullQuery, [], notices, False)
    share_memo(q, {}, cache)
    return Compiled(q, highlight, notices, match_all, proximity)
