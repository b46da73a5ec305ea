"""What a parsed query means, as an engine-neutral plan: which literal runs of units
and which jieba words a post must (or may) hold, where, with what weight and tier.

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

An engine compiles the plan's tree of :class:`Node` (for Whoosh:
:mod:`searcher.engine.whoosh.compile`); nothing here knows an engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..analysis import STOP_WORDS, UnitAnalyzer
from ..analysis.booktitles import title_term
from ..analysis.folding import unit_folder
from ..analysis.segmenters import Segmenter
from ..analysis.tokenizers import CJK_CHARS, WordTokenizer
from ..analysis.variants import regional_forms
from ..errors import Notice
from ..snippets import TermGroup
from .syntax import Clause, ParsedQuery

#: Query-time weights (multiplied into BM25F scores); see README "Ranking".
TITLE_BOOST = 3.0
WORD_BOOST = 1.0
RUN_BOOST = 1.0

_UNITS = UnitAnalyzer()
_CJK_UNIT = re.compile(rf"^[{CJK_CHARS}]$")
_NUMBER = re.compile(r"\d")


class Node:
    """A node of a plan's tree; each kind below says what a post must hold to match it.
    Nodes are immutable values (equal plans compare equal)."""


@dataclass(frozen=True)
class Units(Node):
    """Posts holding ``units`` (folded units, :mod:`searcher.analysis`) as one literal
    run: in the title (weight ``TITLE_BOOST · boost``) or, unless ``title_only``, in the
    body (weight ``boost``). One unit is a unigram term, two a bigram, more a phrase of
    bigrams (scored with its count and its rarest bigram's statistics)."""

    units: tuple[str, ...]
    title_only: bool = False
    boost: float = 1.0


@dataclass(frozen=True)
class Word(Node):
    """Posts holding the jieba word ``word`` (a word-field term), title weight
    ``TITLE_BOOST · WORD_BOOST``, body ``WORD_BOOST``. Used for ranking only (always
    the optional side of a :class:`Maybe`)."""

    word: str
    title_only: bool = False


@dataclass(frozen=True)
class BookTitle(Node):
    """Posts citing the book title whose term is ``title``
    (:func:`searcher.analysis.booktitles.title_term`: the text in 《》 or 〈〉), title
    weight ``TITLE_BOOST``, body 1. Used for ranking only (always the optional side of
    a :class:`Maybe`)."""

    title: str
    title_only: bool = False


@dataclass(frozen=True)
class AllOf(Node):
    """Posts matching every child; the score is the sum of theirs."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf(Node):
    """Posts matching any child; the score is the sum of the children matched."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Maybe(Node):
    """Posts matching ``required``; ``optional`` adds its score where it matches too."""

    required: Node
    optional: Node


@dataclass(frozen=True)
class Without(Node):
    """Posts matching ``positive`` and not ``negative``; scored by ``positive``."""

    positive: Node
    negative: Node


@dataclass(frozen=True)
class Boost(Node):
    """``child``, its score times ``factor``."""

    child: Node
    factor: float


@dataclass(frozen=True)
class Verbatim(Node):
    """The posts of ``child`` (a clause's exact wording), each placed one tier higher:
    its score plus :data:`searcher.ranking.VERBATIM_TIER` (CASES.md C15)."""

    child: Node


@dataclass(frozen=True)
class Every(Node):
    """Every live post (score 1 each, as Whoosh's ``Every``)."""


@dataclass(frozen=True)
class Nothing(Node):
    """No post."""


EVERY = Every()
NOTHING = Nothing()


def match_units(units: tuple[str, ...], title_only: bool, boost: float = 1.0) -> Node:
    """The node matching posts that hold ``units`` as a literal run."""
    return Units(tuple(units), title_only, boost)


def match_word(word: str, title_only: bool) -> Node:
    """The ranking-only node for a jieba word in the word fields."""
    return Word(word, title_only)


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


def book_title_tiers(
    quoted: Node, c: Clause, segments: list[list[str]], segmenter: Segmenter
) -> Node:
    """``quoted`` (the plan of a clause typed in book-title marks, ``《求是》``) with its
    posts in tiers: those citing it as a title in 《》 or 〈〉 (:class:`BookTitle`) two
    tiers up, those holding it on word boundaries one tier up, the rest (the run inside
    longer words: 实事求是 for 《求是》) where they were (issue #20). The match set is
    ``quoted``'s: a tier only adds to the score (:class:`Maybe`).

    *On word boundaries* is: every word the index's word analyzer cuts from the title
    alone (jieba, folded, stop words left out) is a word of the post (:class:`Word`);
    the word fields keep no positions, so for a title of several words (政府 工作 报告)
    that they stand together is the run's business, not checked here. A post citing
    the title ranks in the top tier only (:class:`Without`), however its words stand.

    :param quoted: the clause's literal runs (:class:`Units`, or :class:`AllOf` them).
    :param segments: the clause's folded units split at punctuation (:func:`units_of`).
    """
    term = title_term(segments)
    if term is None:
        return quoted
    marked = BookTitle(term, c.title_only)
    one = unit_folder()
    words = dict.fromkeys(one(w) for w in WordTokenizer(segmenter).words(c.text))
    bounded = [match_word(w, c.title_only) for w in words if w not in STOP_WORDS]
    tiers: Node = Verbatim(Verbatim(marked))
    if bounded:
        word = bounded[0] if len(bounded) == 1 else AllOf(tuple(bounded))
        tiers = AnyOf((tiers, Verbatim(Without(word, marked))))
    return Maybe(quoted, tiers)


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


@dataclass
class QueryPlan:
    """A query ready for an engine: the tree of :class:`Node` every hit must satisfy
    (scored by BM25F over its parts), the terms to highlight, notices for the reader,
    whether it matches every post, and the parts of each word jieba splits (for the
    proximity factor, :mod:`searcher.ranking`)."""

    root: Node
    highlight: list[TermGroup]
    notices: list[Notice]
    match_all: bool
    proximity: list[list[tuple[str, ...]]] = field(default_factory=list)


#: Weight of a regional spelling of a word (``软件`` → 軟體): below the literal form.
REGIONAL_BOOST = 0.5


def _clause_query(
    c: Clause, segmenter: Segmenter, tiers: bool = True
) -> tuple[Node | None, bool, TermGroup, list[tuple[str, ...]]]:
    """The plan of one clause (None if it has no units), whether the clause
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
    alternatives: list[Node] = []
    for form in regional_forms(c.text):
        alt, _, alt_group, _ = _literal_query(
            Clause(form, c.quoted, c.title_only), segmenter, tiers=False
        )
        if alt is not None:
            alternatives.append(Boost(alt, REGIONAL_BOOST))
            group = TermGroup(
                group.primary + alt_group.primary, group.fallback + alt_group.fallback
            )
    if alternatives:
        q = AnyOf((q, *alternatives))
    return q, only_stops, group, parts


def _literal_query(
    c: Clause, segmenter: Segmenter, tiers: bool = True
) -> tuple[Node | None, bool, TermGroup, list[tuple[str, ...]]]:
    """:func:`_clause_query` for the clause's literal form; ``tiers``: wrap its exact
    wording in :class:`Verbatim` (the whole run of a word with several parts, else the
    whole query: then every match is verbatim).

    Highlighting marks the whole word where it occurs, and its non-stop sub-terms only
    in posts where the whole word does not occur.
    """
    segments = units_of(c.text)
    if not segments:
        return None, False, TermGroup(()), []
    required: list[Node] = []
    optional: list[Node] = []
    if c.quoted:
        for seg in segments:
            required.append(match_units(tuple(seg), c.title_only))
        group = TermGroup(tuple(tuple(seg) for seg in segments))
        quoted: Node = required[0] if len(required) == 1 else AllOf(tuple(required))
        if tiers and c.book_title:
            quoted = book_title_tiers(quoted, c, segments, segmenter)
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
                Maybe(match_units(p.units, c.title_only), match_word(p.word, c.title_only))
            )
            (primary if len(subs) == 1 else fallback).append(p.units)
        else:
            optional.append(match_units(p.units, c.title_only))
    q: Node = required[0] if len(required) == 1 else AllOf(tuple(required))
    if optional:
        q = Maybe(q, AnyOf(tuple(optional)))
    if tiers and not run_tier and not only_stops:
        q = Verbatim(q)
    words = [p.units for p in subs if not p.stop and len(p.units) > 1] if len(subs) > 1 else []
    return q, only_stops, TermGroup(tuple(primary), tuple(fallback)), words


def plan_query(parsed: ParsedQuery, segmenter: Segmenter) -> QueryPlan:
    """Turn a :class:`~searcher.query.syntax.ParsedQuery` into a :class:`QueryPlan`,
    splitting words with ``segmenter`` (the index's, with its user dictionary).

    A query with no positive clause matches every post (``match_all``), less the
    exclusions.
    """
    highlight: list[TermGroup] = []
    notices: list[Notice] = []
    compiled = [[_clause_query(c, segmenter) for c in group] for group in parsed.groups]
    all_stops = all(stop for group in compiled for _, stop, _, _ in group)
    groups: list[Node] = []
    boosts: list[Node] = []
    proximity: list[list[tuple[str, ...]]] = []
    for group in compiled:
        alts = [(q, stop, terms, parts) for q, stop, terms, parts in group if q is not None]
        if not alts:
            continue
        if len(alts) == 1 and alts[0][1] and not all_stops:
            # a lone common word beside real words: not required (and it has no tier)
            boosts.append(alts[0][0])
            continue
        groups.append(alts[0][0] if len(alts) == 1 else AnyOf(tuple(a[0] for a in alts)))
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
    q: Node = EVERY if match_all else (groups[0] if len(groups) == 1 else AllOf(tuple(groups)))
    if boosts and not match_all:
        q = Maybe(q, AnyOf(tuple(boosts)))
    excluded: list[Node] = []
    for c in parsed.excluded:
        ex = _clause_query(Clause(c.text, c.quoted, c.title_only), segmenter, False)[0]
        if ex is not None:
            excluded.append(ex)
    if excluded:
        q = Without(q, excluded[0] if len(excluded) == 1 else AnyOf(tuple(excluded)))
    elif match_all and (parsed.groups or parsed.excluded or parsed.typed):
        # Something was typed but nothing in it can be searched (only punctuation,
        # symbols or operators): answer that, rather than list every post.
        notices.append(
            Notice(
                "nothing_to_search",
                "the query has nothing to search for (no letters, digits or Chinese characters)",
            )
        )
        return QueryPlan(NOTHING, [], notices, False)
    return QueryPlan(q, highlight, notices, match_all, proximity)


__all__ = [
    "EVERY",
    "NOTHING",
    "AllOf",
    "AnyOf",
    "BookTitle",
    "Boost",
    "Every",
    "Maybe",
    "Node",
    "Nothing",
    "QueryPlan",
    "SubTerm",
    "Units",
    "Verbatim",
    "Without",
    "Word",
    "book_title_tiers",
    "plan_query",
    "sub_terms",
    "units_of",
]
