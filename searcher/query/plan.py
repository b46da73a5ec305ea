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
  ``*_2`` fields, or the unigram on ``*_1`` for one unit), in the title, the body or a
  tag or category (issue #20; one label never runs into the next). So
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..analysis import STOP_WORDS, UnitAnalyzer
from ..analysis.booktitles import title_term
from ..analysis.folding import fold, unit_folder
from ..analysis.numerals import numeral_forms
from ..analysis.pinyin import latin
from ..analysis.segmenters import Segmenter
from ..analysis.tokenizers import CJK_CHARS, WordTokenizer
from ..analysis.variants import regional_forms
from ..errors import Notice
from ..snippets import TermGroup
from .syntax import Clause, ParsedQuery

#: Words a reader types that say nothing about the posts wanted: the index's stop words
#: (:data:`searcher.analysis.STOP_WORDS`) and the question words, prepositions and
#: particles of a query typed as a sentence (``南京大学在哪个区``, ``关于乡村振兴``).
#: They are never required by a looser rule (:mod:`.relax`), and a run of letters
#: does not join one (``VR和AR眼镜``: VR, 和, AR眼镜).
FUNCTION_WORDS = STOP_WORDS | frozenset(
    "关于 对于 有关 至于 哪 哪个 哪些 哪里 哪儿 在哪 什么 怎么 怎样 怎么样 如何 为什么 "
    "为何 多少 几 是否 是不是 有没有 能否 可以 请问 一下 相关 最新 情况 问题 和".split()
)

#: Query-time weights (multiplied into BM25F scores); see README "Ranking".
TITLE_BOOST = 3.0
#: The weight of a match in a post's tags and categories (issue #20: below the title,
#: above the body). Labels are scored without length normalisation, so a label match
#: scores ``LABEL_BOOST · idf``, a body match ``tf·2.2 / (tf + 1.2·norm) · idf`` (at most
#: ``2.2 · idf``), a title match three times that. Measured on xwlb-small with the 21
#: words of ``bench/ranking.py`` (same idf assumed): at 2.0 none of their 296 body
#: matches outscores a label match (at 1.5, 73 would), and a title match outscores it
#: up to 2.2× the average title length, which 9 of 300 titles exceed (at 2.5: 1.5×, 36).
LABEL_BOOST = 2.0
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
    body (weight ``boost``) or a tag or category (``LABEL_BOOST · boost``). One unit
    is a unigram term, two a bigram, more a phrase of bigrams (scored with its count
    and its rarest bigram's statistics)."""

    units: tuple[str, ...]
    title_only: bool = False
    boost: float = 1.0


@dataclass(frozen=True)
class Word(Node):
    """Posts holding the jieba word ``word`` (a word-field term), title weight
    ``TITLE_BOOST · WORD_BOOST``, tags and categories ``LABEL_BOOST · WORD_BOOST``,
    body ``WORD_BOOST`` (the last two unless ``title_only``). Used for ranking only (always
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
class Near(Node):
    """Posts holding every one of ``parts`` as a literal run, all within ``window``
    units of each other (the fewest units between them, :func:`searcher.ranking.gap`)
    in the title or, unless ``title_only``, in the body or the tags and categories;
    scored as the sum of the parts' :class:`Units`. Each part is a tuple of alternative
    runs of two units or more (its spelling as typed, then its other spellings): any
    of them counts. The
    looser rule ``near`` of :mod:`.relax`."""

    parts: tuple[tuple[tuple[str, ...], ...], ...]
    window: int
    title_only: bool = False


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
    that ``12万`` never matches 12 and 万 apart (issue #8, CASES.md C14); so is a run of
    letters (``B站``, ``K线``, ``X光``, ``C位``, ``iPhone手机``: jieba cuts ``B站`` into B + 站,
    and a looser rule must not match B and 站 apart, issue #20). Quantities next
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
                glue = number is not None and (
                    _NUMBER.match(number.units[-1]) is not None or word not in FUNCTION_WORDS
                )
                if number is not None and glue:  # the unit of a quantity, B站, K线
                    out[-1] = SubTerm(number.units + word_units, word, False)
                    number = None
                    continue
                number = None
                out.append(SubTerm(word_units, word, word in STOP_WORDS))
        else:
            sub = SubTerm(tuple(run), "".join(run), len(run) == 1 and run[0] in STOP_WORDS)
            out.append(sub)
            number = sub  # letters or digits: kept with the Chinese word after them
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
    whether it matches every post, the runs whose closeness the proximity factor
    rewards (:mod:`searcher.ranking`), and the matching rule it follows: ``exact`` (every
    run as typed), or a looser one of :mod:`.relax` (``near``, ``words``)."""

    root: Node
    highlight: list[TermGroup]
    notices: list[Notice]
    match_all: bool
    proximity: list[list[tuple[str, ...]]] = field(default_factory=list)
    rule: str = "exact"
    aids: list[tuple[str, TermGroup, bool]] = field(default_factory=list)


#: Weight of a regional spelling of a word (``软件`` → 軟體): below the literal form.
REGIONAL_BOOST = 0.5
#: Weight of a synonym's match (issue #21): below the literal form's, as a regional one.
SYNONYM_BOOST = 0.5
#: Weight of a Chinese word a Latin query word spells as pinyin (issue #21), times the
#: word's own weight (its posts over those of the likeliest word spelled the same).
PINYIN_BOOST = 0.5
#: How a post came to match a query word, in the order results report them
#: (:attr:`QueryPlan.aids`): as typed, a regional form, a synonym, a pinyin reading.
AIDS = ("literal", "regional", "synonym", "pinyin")
_AID_BOOST = {"regional": REGIONAL_BOOST, "synonym": SYNONYM_BOOST, "pinyin": PINYIN_BOOST}


@dataclass(frozen=True)
class Aids:
    """Readers' aids a plan may add to a query word (issue #21), supplied by the index:
    ``pinyin(word)``, the Chinese words a word of Latin letters spells, each with a
    weight from 0 to 1 (:meth:`searcher.lexicon.Lexicon.pinyin_words`); ``synonyms(word)``, the
    ``(form, kind)`` pairs the site's synonyms file gives the whole word, ``kind``
    ``"synonym"`` or ``"regional"`` (:mod:`searcher.synonyms`). Either may be None.
    A plan may call each more than once for a word; :meth:`searcher.index.Index.aids`
    gives memoized ones."""

    pinyin: Callable[[str], Sequence[tuple[str, float]]] | None = None
    synonyms: Callable[[str], Sequence[tuple[str, str]]] | None = None


def aid_forms(c: Clause, aids: Aids | None) -> list[tuple[str, str, float]]:
    """The other forms a query word ``c`` also matches, each with its aid (:data:`AIDS`)
    and weight, in that order: its regional spellings
    (:func:`~searcher.analysis.regional_forms`, also for a quoted word), then, unless
    quoted, its synonyms and, for a word of Latin letters only, the Chinese words it
    spells as pinyin. A Chinese word never gains a pinyin form (景点 must not find
    经典). Each form once; never the word itself.

    >>> aid_forms(Clause("shanghai"), Aids(pinyin=lambda w: [("上海", 1.0)]))
    [('pinyin', '上海', 1.0)]
    >>> aid_forms(Clause("景点"), Aids(pinyin=lambda w: [("经典", 1.0)]))
    []
    """
    out = [("regional", f, 1.0) for f in regional_forms(c.text)]
    if aids is not None and not c.quoted:
        if aids.synonyms is not None:
            out.extend((kind, form, 1.0) for form, kind in aids.synonyms(c.text))
        if aids.pinyin is not None and latin(fold(c.text)):
            out.extend(("pinyin", word, weight) for word, weight in aids.pinyin(c.text))
    seen = {fold(c.text)}
    kept = []
    for kind, form, weight in out:
        if fold(form) not in seen:
            seen.add(fold(form))
            kept.append((kind, form, weight))
    return kept


def _clause_query(
    c: Clause, segmenter: Segmenter, tiers: bool = True, aids: Aids | None = None
) -> tuple[Node | None, bool, TermGroup, list[tuple[str, ...]]]:
    """The plan of one clause (None if it has no units), whether the clause
    held only stop words, the terms to highlight for it, and its parts for the
    proximity factor (:mod:`searcher.ranking`; empty unless jieba splits it).

    With ``tiers``, the clause's exact wording (as typed, as one run) is wrapped in
    :class:`Verbatim`, so every clause counts once in the tier of a post that holds it
    verbatim. Other regional spellings of the clause
    (:func:`~searcher.analysis.regional_forms`, ``软件`` → 软体 for Taiwan's 軟體) are
    alternatives at :data:`REGIONAL_BOOST` without a tier, so that posts holding the
    form as typed rank first (CASES.md C13). The clause with its quantities in the
    other system (:func:`~searcher.analysis.numerals.numeral_forms`, ``四季度`` ↔
    4季度, issue #20) is an alternative at the same weight and in the same tier.
    Synonyms and pinyin readings (:func:`aid_forms`, issue #21) are alternatives like
    the regional spellings, at :data:`SYNONYM_BOOST` and :data:`PINYIN_BOOST`.
    """
    q, only_stops, group, parts = _literal_query(c, segmenter, tiers)
    if q is None:
        return None, False, group, []
    # The same quantity in the other system (四季度 ↔ 4季度, issue #20): the same weight
    # and tier as the form typed; one tier for a post holding several of the forms, when
    # each is one sub-term (a form jieba splits, 二〇二五年, has its run's own tier).
    same = [q]
    for form in numeral_forms(c.text, segmenter):
        alt, _, alt_group, _ = _literal_query(
            Clause(form, c.quoted, c.title_only), segmenter, tiers
        )
        if alt is not None:
            same.append(alt)
            group = TermGroup(
                group.primary + alt_group.primary, group.fallback + alt_group.fallback
            )
    if len(same) > 1:
        inner = [n.child for n in same if isinstance(n, Verbatim)]
        q = Verbatim(AnyOf(tuple(inner))) if len(inner) == len(same) else AnyOf(tuple(same))
    alternatives: list[Node] = []
    for kind, form, weight in aid_forms(c, aids):
        alt, _, alt_group, _ = _literal_query(
            Clause(form, c.quoted, c.title_only), segmenter, tiers=False
        )
        if alt is not None:
            alternatives.append(Boost(alt, _AID_BOOST[kind] * weight))
            group = TermGroup(
                group.primary + alt_group.primary, group.fallback + alt_group.fallback
            )
    if alternatives:
        q = AnyOf((q, *alternatives))
    return q, only_stops, group, parts


def _literal_query(
    c: Clause, segmenter: Segmenter, tiers: bool = True
) -> tuple[Node | None, bool, TermGroup, list[tuple[str, ...]]]:
    """:func:`_clause_query` for the clause's literal form; ``tiers``: wrap it in
    :class:`Verbatim`.

    A run as typed is the query (issue #20): each segment of the clause (its units
    between punctuation marks) must occur as one literal run, however jieba splits it,
    so that ``大模型`` never matches 大 … 模型 scattered across a post. The jieba words
    of the run add their word-field score (a post holding 模型 as a word ranks above
    one where it stands inside a longer word). Looser matches are :mod:`.relax`'s.

    Highlighting marks each segment where it occurs, and its non-stop sub-terms of two
    or more characters only in posts where the segment does not occur (the article view
    of a post a looser rule found).
    """
    segments = units_of(c.text)
    if not segments:
        return None, False, TermGroup(()), []
    if c.quoted:
        required = [match_units(tuple(seg), c.title_only) for seg in segments]
        group = TermGroup(tuple(tuple(seg) for seg in segments))
        quoted: Node = required[0] if len(required) == 1 else AllOf(tuple(required))
        if tiers and c.book_title:
            quoted = book_title_tiers(quoted, c, segments, segmenter)
        return (Verbatim(quoted) if tiers else quoted), False, group, []
    required_runs: list[Node] = []
    primary: list[tuple[str, ...]] = []
    fallback: list[tuple[str, ...]] = []
    subs: list[SubTerm] = []
    for seg in segments:
        parts = sub_terms(seg, segmenter)
        subs.extend(parts)
        words = tuple(dict.fromkeys(match_word(p.word, c.title_only) for p in parts if not p.stop))
        run = match_units(tuple(seg), c.title_only)
        required_runs.append(
            Maybe(run, words[0] if len(words) == 1 else AnyOf(words)) if words else run
        )
        primary.append(tuple(seg))
        if len(parts) > 1:  # marked only where the run is not (a looser rule's posts),
            # and never one character alone (every stray 大 of 大模型 is noise)
            fallback.extend(p.units for p in parts if not p.stop and len("".join(p.units)) > 1)
    # A segment met again (新闻联播 新闻联播 in one clause) is required once.
    required_runs = list(dict.fromkeys(required_runs))
    only_stops = all(p.stop for p in subs)
    q: Node = required_runs[0] if len(required_runs) == 1 else AllOf(tuple(required_runs))
    if tiers and not only_stops:
        q = Verbatim(q)
    return q, only_stops, TermGroup(tuple(dict.fromkeys(primary)), tuple(fallback)), []


@dataclass(frozen=True)
class ClauseRewrite:
    """How a looser rule (:mod:`.relax`) matches one clause instead of its exact run.

    node: what a post must hold instead (None: nothing; the clause is then only scored);
    optional: scored where it matches too (the words no longer required, each in a tier
    of its own so that posts holding more of the query rank first); highlight: the term
    groups to mark (one per word, so that snippets show each); proximity: the clause's
    parts for the proximity factor (:mod:`searcher.ranking`).
    """

    node: Node | None
    optional: Node | None
    highlight: tuple[TermGroup, ...]
    proximity: tuple[tuple[str, ...], ...] = ()


def plan_query(
    parsed: ParsedQuery,
    segmenter: Segmenter,
    rewrites: dict[tuple[int, int], ClauseRewrite] | None = None,
    rule: str = "exact",
    aids: Aids | None = None,
) -> QueryPlan:
    """Turn a :class:`~searcher.query.syntax.ParsedQuery` into a :class:`QueryPlan`,
    splitting words with ``segmenter`` (the index's, with its user dictionary).

    A query with no positive clause matches every post (``match_all``), less the
    exclusions. ``rewrites`` (``{(group, clause): rewrite}``, from :mod:`.relax`)
    replaces the exact match of some clauses under the looser ``rule``.

    The proximity factor covers the query's words together: with two or more required
    words of two or more units, posts holding them close together rank above posts
    holding them far apart (issue #20).

    ``aids`` (issue #21) adds each word's synonyms and pinyin readings
    (:func:`aid_forms`); the plan's :attr:`QueryPlan.aids` then lists, for each aid,
    the terms whose presence in a post says the aid found it, and whether only its
    title counts (``title:``), and a notice names the forms added (``synonyms_used``,
    ``pinyin_used``). An excluded word's synonyms are excluded with it.
    """
    rewrites = rewrites or {}
    highlight: list[TermGroup] = []
    notices: list[Notice] = []
    compiled = [[_clause_query(c, segmenter, aids=aids) for c in group] for group in parsed.groups]
    all_stops = all(stop for group in compiled for _, stop, _, _ in group)
    groups: list[Node] = []
    boosts: list[Node] = []
    proximity: list[list[tuple[str, ...]]] = []
    together: list[tuple[str, ...]] = []  # one run per required word, for proximity
    for g, group in enumerate(compiled):
        rewrite = rewrites.get((g, 0)) if len(group) == 1 else None
        if rewrite is not None:
            if rewrite.node is not None:
                node = rewrite.node
                if rewrite.optional is not None:
                    node = Maybe(node, rewrite.optional)
                groups.append(node)
            elif rewrite.optional is not None:
                boosts.append(rewrite.optional)
            highlight.extend(rewrite.highlight)
            if len(rewrite.proximity) > 1:
                proximity.append(list(rewrite.proximity))
            together.extend(p for p in rewrite.proximity[:1] if len(p) > 1)
            continue
        alts = [(q, stop, terms, parts) for q, stop, terms, parts in group if q is not None]
        if not alts:
            continue
        if len(alts) == 1 and alts[0][1] and not all_stops:
            # a lone common word beside real words: not required (and it has no tier)
            boosts.append(alts[0][0])
            continue
        groups.append(alts[0][0] if len(alts) == 1 else AnyOf(tuple(a[0] for a in alts)))
        if len(alts) == 1:
            highlight.append(alts[0][2])
        else:  # OR: a post holds one side as typed; no other side's parts are marked
            highlight.extend(TermGroup(a[2].primary) for a in alts)
        if len(alts) == 1:
            together.extend(t for t in alts[0][2].primary[:1] if len(t) > 1)
    if len(together) > 1:
        proximity.append(list(dict.fromkeys(together)))
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
    found_by = _aid_groups(parsed, aids, notices) if groups else []
    q: Node = EVERY if match_all else (groups[0] if len(groups) == 1 else AllOf(tuple(groups)))
    if boosts and not match_all:
        q = Maybe(q, AnyOf(tuple(boosts)))
    excluded: list[Node] = []
    for c in parsed.excluded:
        # An excluded word's synonyms are the same thing, excluded too (Solr applies
        # them there as well); its pinyin reading is no word the reader typed.
        same = Aids(synonyms=aids.synonyms) if aids is not None else None
        ex = _clause_query(Clause(c.text, c.quoted, c.title_only), segmenter, False, same)[0]
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
        return QueryPlan(NOTHING, [], notices, False, rule=rule)
    return QueryPlan(q, highlight, notices, match_all, proximity, rule=rule, aids=found_by)


def _aid_groups(
    parsed: ParsedQuery, aids: Aids | None, notices: list[Notice]
) -> list[tuple[str, TermGroup, bool]]:
    """For :attr:`QueryPlan.aids`: each positive word's literal runs, then each of its
    other forms (:func:`aid_forms`) under its aid; and the notices naming the synonyms
    and pinyin readings added."""
    out: list[tuple[str, TermGroup, bool]] = []
    added: dict[str, list[str]] = {"synonym": [], "pinyin": []}
    for group in parsed.groups:
        for c in group:
            segments = units_of(c.text)
            if segments:
                out.append(
                    ("literal", TermGroup(tuple(tuple(seg) for seg in segments)), c.title_only)
                )
            forms = aid_forms(c, aids)
            for kind, form, _ in forms:
                terms = TermGroup(tuple(tuple(seg) for seg in units_of(form)))
                out.append((kind, terms, c.title_only))
            if aids is not None and not c.quoted:
                listed = {fold(f) for _, f, _ in forms}  # what aid_forms kept
                for kind, found in (
                    ("synonym", [f for f, _ in aids.synonyms(c.text)] if aids.synonyms else []),
                    ("pinyin", [f for k, f, _ in forms if k == "pinyin"]),
                ):
                    shown = "、".join(dict.fromkeys(f for f in found if fold(f) in listed))
                    if shown:
                        added[kind].append(f"{c.text} → {shown}")
    if added["synonym"]:
        words = "；".join(added["synonym"])
        notices.append(Notice("synonyms_used", f"also searched for synonyms: {words}", words=words))
    if added["pinyin"]:
        words = "；".join(added["pinyin"])
        notices.append(Notice("pinyin_used", f"also searched as pinyin: {words}", words=words))
    return out


__all__ = [
    "EVERY",
    "FUNCTION_WORDS",
    "NOTHING",
    "AllOf",
    "AnyOf",
    "BookTitle",
    "Boost",
    "ClauseRewrite",
    "Every",
    "Maybe",
    "Near",
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
