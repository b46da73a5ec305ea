"""A query plan (:mod:`searcher.query.plan`) compiled to Whoosh queries, and the
Whoosh queries and matchers searcher adds: bigram phrases matched by intersecting
positions (with a per-index cache of common phrases' documents) and the verbatim tier.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh import matching
from whoosh import query as wq

from ...analysis import join_units
from ...query import plan as qp
from ...ranking import VERBATIM_TIER
from .near import NearQuery
from .postings import read_occurrences, skip_starts
from .schema import live_doc_frequency


class _PhraseMatcher(matching.ListMatcher):  # type: ignore[misc]
    """The documents of a :class:`BigramPhrase`, with the phrase count as the weight."""

    def supports_block_quality(self) -> bool:
        return False

    def block_max_weight(self) -> float:
        # ListMatcher recomputes max() over the whole list on every call.
        if not hasattr(self, "_max_weight"):
            self._max_weight = max(self._weights) if self._weights else 0.0
        return float(self._max_weight)


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


#: Positions of the bigrams one search has read: ``(reader id, field, term)`` →
#: ``{docnum: positions}``. Shared by the phrases of one
#: compiled query (a word's parts and its whole run read the same bigrams), dropped
#: with it.
PostingMemo = dict[tuple[int, str, bytes], Any]


def _occurrences(reader: Any, fieldname: str, term: bytes, memo: PostingMemo | None) -> Any:
    """:func:`~.postings.read_occurrences`, kept in ``memo`` for the search."""
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
    query has one (:func:`compile_plan` gives its phrases a shared one).
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


class VerbatimQuery(wq.WrappingQuery):  # type: ignore[misc]
    """The posts of ``child`` (a clause's exact wording), with :data:`VERBATIM_TIER`
    added to their score."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        m = self.child.matcher(searcher, context)
        return _TierMatcher(m) if m.is_active() else m


def _units_query(node: qp.Units) -> Any:
    """Posts holding ``node.units`` as a literal run: one unit, the unigram fields; two,
    one bigram term; more, a phrase of bigrams. In the title, and unless ``title_only``
    the body and the tags and categories (``labels_*``)."""
    units = node.units
    fields = [("title", qp.TITLE_BOOST * node.boost)] + (
        [] if node.title_only else [("body", node.boost), ("labels", qp.LABEL_BOOST * node.boost)]
    )
    if len(units) == 1:
        return wq.Or([wq.Term(f"{f}_1", units[0], boost=b) for f, b in fields])
    bigrams = [join_units(a, b) for a, b in zip(units, units[1:], strict=False)]
    if len(bigrams) == 1:
        return wq.Or([wq.Term(f"{f}_2", bigrams[0], boost=b) for f, b in fields])
    return wq.Or([BigramPhrase(f"{f}_2", bigrams, boost=b) for f, b in fields])


def _word_query(node: qp.Word) -> Any:
    fields = [("title", qp.TITLE_BOOST * qp.WORD_BOOST)] + (
        []
        if node.title_only
        else [("body", qp.WORD_BOOST), ("labels", qp.LABEL_BOOST * qp.WORD_BOOST)]
    )
    return wq.Or([wq.Term(f, node.word, boost=b) for f, b in fields])


def _book_title_query(node: qp.BookTitle) -> Any:
    """Posts citing a book title: its term in the ``*_books`` fields."""
    fields = [("title", qp.TITLE_BOOST)] + ([] if node.title_only else [("body", 1.0)])
    return wq.Or([wq.Term(f"{f}_books", node.title, boost=b) for f, b in fields])


def to_whoosh(node: qp.Node) -> Any:
    """The Whoosh query of a plan node (one Whoosh node per plan node)."""
    if isinstance(node, qp.Units):
        return _units_query(node)
    if isinstance(node, qp.Word):
        return _word_query(node)
    if isinstance(node, qp.BookTitle):
        return _book_title_query(node)
    if isinstance(node, qp.AllOf):
        return wq.And([to_whoosh(c) for c in node.children])
    if isinstance(node, qp.AnyOf):
        return wq.Or([to_whoosh(c) for c in node.children])
    if isinstance(node, qp.Maybe):
        return wq.AndMaybe(to_whoosh(node.required), to_whoosh(node.optional))
    if isinstance(node, qp.Without):
        return wq.AndNot(to_whoosh(node.positive), to_whoosh(node.negative))
    if isinstance(node, qp.Boost):
        return to_whoosh(node.child).with_boost(node.factor)
    if isinstance(node, qp.Verbatim):
        return VerbatimQuery(to_whoosh(node.child))
    if isinstance(node, qp.Near):
        units = [
            wq.Or([_units_query(qp.Units(alt, node.title_only)) for alt in alts])
            for alts in node.parts
        ]
        fields = ("title",) if node.title_only else ("title", "body", "labels")
        return NearQuery(wq.And(units), node.parts, node.window, fields)
    if isinstance(node, qp.Every):
        return wq.Every()
    if isinstance(node, qp.Nothing):
        return wq.NullQuery
    raise TypeError(f"not a plan node: {node!r}")


def compile_plan(plan: qp.QueryPlan, cache: PhraseCache | None = None) -> Any:
    """The Whoosh query of ``plan``; its phrases share one posting memo (for this
    search) and ``cache`` (an index's :class:`PhraseCache`, if given)."""
    q = to_whoosh(plan.root)
    share_memo(q, {}, cache)
    return q


__all__ = [
    "BigramPhrase",
    "PhraseCache",
    "VerbatimQuery",
    "compile_plan",
    "share_memo",
    "to_whoosh",
]
