"""Looser rules, tried only when nothing matches a query exactly (issue #20).

The exact rule (:func:`~.plan.plan_query`) wants every run as typed. When a run, or a
query word, occurs in no post at all, or no post holds every word, an index answers
nothing; these rules then loosen
the query step by step, each step a new :class:`~.plan.QueryPlan` with a notice naming
what was loosened (the reader sees which rule applied, and the total counts that rule's
posts only):

1. ``near``: a run that occurs nowhere matches where its parts of two or more units
   stand within :data:`NEAR_WINDOW` units of each other, in any order (``朝阳区政府``
   finds 朝阳区人民政府). Its function words (:data:`FUNCTION_WORDS`) and one-character
   parts are not required, only scored. A run with fewer than two such parts has no
   near form.
2. ``words``: the query's words (a run that occurs, whole; else its parts) are
   required all but the least informative, dropped one at a time: first the words
   that occur in no post and the function words typed apart (``关于 习近平``), all at
   once, then one-character words, then the most
   frequent; function words are never required (with some in a missing run, the
   first step drops only them: ``对于粮食安全`` finds 粮食安全). The
   words dropped still score, each in a tier of its own, so posts holding more of the
   query rank first. It stops before leaving only one-character or function words to
   require (``开站`` gives nothing rather than every post with a 站).

Quoted phrases, ``《…》`` titles, ``OR`` groups and ``title:`` words are never loosened:
they say exactly what the reader wants, and stay required while the words beside them
are dropped. How often a run or word occurs is read from the index through ``count``
(:meth:`searcher.engine.Engine.count`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..analysis import UnitAnalyzer
from ..analysis.numerals import numeral_forms
from ..analysis.segmenters import Segmenter
from ..analysis.variants import regional_forms
from ..errors import Notice
from ..snippets import TermGroup
from .plan import (
    FUNCTION_WORDS,
    REGIONAL_BOOST,
    Aids,
    AllOf,
    AnyOf,
    Boost,
    ClauseRewrite,
    Maybe,
    Near,
    Node,
    QueryPlan,
    SubTerm,
    Verbatim,
    match_units,
    match_word,
    plan_query,
    sub_terms,
    units_of,
)
from .syntax import Clause, ParsedQuery

#: The most units between the parts of a run under the ``near`` rule. Measured on
#: xwlb with ``bench/near_window.py`` (300 pairs of words side by side in titles,
#: 46,445 posts holding both words apart): the share of posts admitted whose two
#: words stand in one clause (no punctuation between) is 51% at 1 character, 67% at 2,
#: 69% at 4 (4,579 posts), then falls: 61% at 8, 47% at 16, 32% at 32. 4 is the peak.
#: (A break counts one unit in the index, as positions skip one at each.)
NEAR_WINDOW = 4

#: Count of posts matching a plan node (:meth:`searcher.engine.Engine.count`).
Count = Callable[[Node], int]

#: The most ``words`` steps tried (each is one more search); the first drops every word
#: in no post at once.
MAX_STEPS = 4


@dataclass
class _Word:
    """One word a looser rule may require: a clause's exact run, or one of its parts."""

    clause: tuple[int, int]
    units: tuple[str, ...]
    node: Node
    text: str
    posts: int = 0
    content: bool = True  # False: function words only (关于, 请问), never required


def _typed(c: Clause, segmenter: Segmenter) -> dict[tuple[str, ...], str]:
    """Each sub-term of ``c`` (folded units) → its text as typed (``b站`` → B站), for the
    notices."""
    tokens = list(UnitAnalyzer()(c.text))
    out: dict[tuple[str, ...], str] = {}
    i = 0
    while i < len(tokens):
        j = i + 1
        while j < len(tokens) and not tokens[j].brk:
            j += 1
        at = i
        for p in sub_terms([t.text for t in tokens[i:j]], segmenter):
            first, last = tokens[at], tokens[at + len(p.units) - 1]
            if first.startchar is not None and last.endchar is not None:
                out.setdefault(p.units, c.text[first.startchar : last.endchar])
            at += len(p.units)
        i = j
    return out


def _text(units: tuple[str, ...]) -> str:
    return "".join(u if len(u) == 1 else f" {u} " for u in units).strip().replace("  ", " ")


def _relaxable(parsed: ParsedQuery) -> list[tuple[tuple[int, int], Clause]]:
    return [
        ((g, 0), group[0])
        for g, group in enumerate(parsed.groups)
        if len(group) == 1 and not group[0].quoted and not group[0].title_only
    ]


def _parts(c: Clause, segmenter: Segmenter) -> list[SubTerm]:
    """The clause's sub-terms, each once (新闻联播新闻联播… is one word, not twenty)."""
    out: dict[tuple[str, ...], SubTerm] = {}
    for seg in units_of(c.text):
        for p in sub_terms(seg, segmenter):
            out.setdefault(p.units, p)
    return list(out.values())


def _cores(c: Clause, segmenter: Segmenter) -> list[Node]:
    """The tier of each segment of ``c`` without its leading and trailing function
    words, where that is a shorter run of two units or more (``关于乡村振兴`` →
    乡村振兴): a post holding it verbatim ranks above posts holding its parts apart."""
    out: list[Node] = []
    for seg in units_of(c.text):
        subs = sub_terms(seg, segmenter)
        while subs and not _content(subs[0]):
            subs = subs[1:]
        while subs and not _content(subs[-1]):
            subs = subs[:-1]
        core = tuple(u for p in subs for u in p.units)
        if 1 < len(core) < len(seg):
            out.append(Verbatim(match_units(core, False)))
    return out


def _long(w: _Word) -> bool:
    """Whether ``w`` says more than one character does: a whole clause, a part of two
    units or more, or a run of letters or digits."""
    return not w.units or len(w.units) > 1 or len(w.units[0]) > 1


def _content(p: SubTerm) -> bool:
    return not p.stop and p.word not in FUNCTION_WORDS and "".join(p.units) not in FUNCTION_WORDS


def _numerals(units: tuple[str, ...], segmenter: Segmenter) -> tuple[tuple[str, ...], ...]:
    """A part's runs with its quantity in the other system (``4季度`` → 四季度), as the
    exact rule matches them (:func:`~searcher.analysis.numerals.numeral_forms`)."""
    out: list[tuple[str, ...]] = []
    for form in numeral_forms("".join(units), segmenter):
        segments = units_of(form)
        if len(segments) == 1 and tuple(segments[0]) not in (units, *out):
            out.append(tuple(segments[0]))
    return tuple(out)


def _forms(units: tuple[str, ...], segmenter: Segmenter) -> tuple[tuple[str, ...], ...]:
    """A part's runs: as typed, then with its quantity in the other system (``4季度`` →
    四季度), then its regional spellings (``软件`` → 软体)."""
    out = [units, *_numerals(units, segmenter)]
    if all(len(u) == 1 for u in units):
        for form in regional_forms("".join(units)):
            segments = units_of(form)
            if len(segments) == 1 and tuple(segments[0]) not in out:
                out.append(tuple(segments[0]))
    return tuple(out)


def _part_node(p: SubTerm, segmenter: Segmenter) -> Node:
    """A part required or scored by a looser rule: its run (and jieba word), or the run
    with its quantity in the other system at the same weight, or one of its regional
    spellings at :data:`~.plan.REGIONAL_BOOST`."""
    node: Node = Maybe(match_units(p.units, False), match_word(p.word, False))
    numerals = _numerals(p.units, segmenter)
    others = _forms(p.units, segmenter)[1 + len(numerals) :]
    if not numerals and not others:
        return node
    return AnyOf(
        (
            node,
            *(match_units(f, False) for f in numerals),
            *(Boost(match_units(f, False), REGIONAL_BOOST) for f in others),
        )
    )


def can_loosen(parsed: ParsedQuery, segmenter: Segmenter) -> bool:
    """Whether a looser rule could match more than the exact one: the query has a
    loosenable clause of two or more words (a page offers its looser results as a link).
    """
    return any(len(_parts(c, segmenter)) > 1 for _, c in _relaxable(parsed))


def _counted_once(count: Count) -> Count:
    """``count``, each node's answer kept for one call of :func:`relaxed_plans` (a
    clause's exact node is weighed to find the missing runs and again as a word)."""
    known: dict[Node, int] = {}

    def once(node: Node) -> int:
        if node not in known:
            known[node] = count(node)
        return known[node]

    return once


def relaxed_plans(
    parsed: ParsedQuery,
    segmenter: Segmenter,
    count: Count,
    *,
    every_run: bool = False,
    exact_found: bool = False,
    aids: Aids | None = None,
) -> Iterator[QueryPlan]:
    """The looser plans of the module's rules, in order; the caller searches each until
    one matches something.

    :param count: posts matching a node, from the index.
    :param every_run: loosen every run, not only those that occur nowhere (the
        reader asked for the looser results of a query that has exact ones).
    :param exact_found: the exact rule found posts: the notices then say the looser
        results come beside them (``looser_near``, ``looser_words``), not instead.
    :param aids: the readers' aids (:class:`~.plan.Aids`) of the clauses a rule leaves
        as they are (a rewritten clause is matched by its rewrite alone).
    """
    clauses = _relaxable(parsed)
    if not clauses:
        return
    count = _counted_once(count)
    parts = {key: _parts(c, segmenter) for key, c in clauses}
    exact: dict[tuple[int, int], Node] = {}
    missing: list[tuple[int, int]] = []
    for key, c in clauses:
        node = plan_query(ParsedQuery([[c]]), segmenter).root
        exact[key] = node
        if len(parts[key]) > 1 and (every_run or count(node) == 0):
            missing.append(key)
        elif len(parts[key]) == 1 and count(node) == 0:
            missing.append(key)
    # With no run missing (every word is somewhere, 苏丹 大模型) there is no near form,
    # and the words rule drops the most frequent: none holds them all, or (every_run)
    # the reader asked for more.
    text = {key: c.text for key, c in clauses}
    by_key = dict(clauses)
    typed: dict[tuple[str, ...], str] = {}
    for _, c in clauses:
        typed.update(_typed(c, segmenter))

    def shown_as(units: tuple[str, ...]) -> str:
        return typed.get(units) or _text(units)

    # 1. near: the parts of each missing run close together.
    near: dict[tuple[int, int], ClauseRewrite] = {}
    for key in missing:
        content = [p for p in parts[key] if _content(p)]
        long = tuple(dict.fromkeys(p.units for p in content if len(p.units) > 1))
        if len(long) < 2:
            continue
        rest = [p for p in parts[key] if p.units not in long]
        forms = tuple(_forms(u, segmenter) for u in long)
        near[key] = ClauseRewrite(
            Near(forms, NEAR_WINDOW),
            AnyOf(
                (
                    Verbatim(exact[key]),
                    *_cores(by_key[key], segmenter),
                    *(_part_node(p, segmenter) for p in rest),
                )
            ),
            tuple(TermGroup(f) for f in forms),
            long,
        )
    if near:
        runs = "、".join(text[k] for k in near)
        shown = "、".join(shown_as(u) for r in near.values() for u in r.proximity)
        yield _plan(
            parsed,
            segmenter,
            near,
            "near",
            aids,
            Notice(
                "looser_near" if exact_found else "relaxed_near",
                (
                    f"besides the posts holding {runs} as typed, these hold {shown}"
                    if exact_found
                    else f"no post holds {runs} as typed: these hold {shown}"
                )
                + f" within {NEAR_WINDOW} characters of each other",
                query=runs,
                parts=shown,
                window=NEAR_WINDOW,
            ),
        )
    # 2. words: require all but the least informative words.
    words: list[_Word] = []
    for key, _ in clauses:
        node = exact[key]
        content = [p for p in parts[key] if _content(p)]
        if key not in missing:
            words.append(_Word(key, (), node, text[key], content=bool(content)))
            continue
        for p in content:
            words.append(_Word(key, p.units, _part_node(p, segmenter), shown_as(p.units)))
        if not content and count(node) == 0:  # function words only (请问), in no post
            words.append(_Word(key, (), node, text[key], content=False))
    for w in words:
        w.posts = count(w.node)
    # Least informative first: words in no post, function words typed apart (关于),
    # one-character words, then the most frequent (a stable sort: among equals, the
    # order typed). Words in no post are dropped together, since a plan requiring any
    # of them finds nothing.
    order = sorted(words, key=lambda w: (w.posts > 0, w.content, _long(w), -w.posts))
    # With function words in a missing run (对于粮食安全), the first step drops only
    # them: every other word of the query is required.
    functions = [shown_as(p.units) for key in missing for p in parts[key] if not _content(p)]
    # Words in no post and function words typed apart are all dropped at the first step.
    first = max(0 if functions else 1, sum(1 for w in order if not w.posts or not w.content))
    # Groups never loosened (《求是》, "…", title:, OR) stay required: beside them every
    # word may be dropped (《求是》 qqqx finds 《求是》's posts).
    loosenable = {key for key, _ in clauses}
    fixed = [
        " OR ".join(c.text for c in group)
        for g, group in enumerate(parsed.groups)
        if (g, 0) not in loosenable
    ]
    for step in range(first, min(len(order) + bool(fixed), first + MAX_STEPS)):
        dropped, kept = order[:step], order[step:]
        if not fixed and not any(_long(w) and w.content for w in kept):
            return  # only one-character or function words left: too loose
        rewrites = _words_rewrites(clauses, parts, exact, kept, dropped, segmenter)
        dropped_text = "、".join(dict.fromkeys([w.text for w in words if w in dropped] + functions))
        # in the order typed
        kept_text = "、".join([*fixed, *(w.text for w in words if w in kept)])
        yield _plan(
            parsed,
            segmenter,
            rewrites,
            "words",
            aids,
            Notice(
                "looser_words" if exact_found else "relaxed_words",
                (
                    "besides the posts holding every word, these hold "
                    if exact_found
                    else "no post holds every word of the query: these hold "
                )
                + f"{kept_text}, not always {dropped_text}",
                query=" ".join(text[k] for k, _ in clauses),
                kept=kept_text,
                dropped=dropped_text,
            ),
        )


def _words_rewrites(
    clauses: list[tuple[tuple[int, int], Clause]],
    parts: dict[tuple[int, int], list[SubTerm]],
    exact: dict[tuple[int, int], Node],
    kept: list[_Word],
    dropped: list[_Word],
    segmenter: Segmenter,
) -> dict[tuple[int, int], ClauseRewrite]:
    """Each clause's rewrite for one ``words`` step. A word dropped still scores, in a
    tier of its own; a clause's exact run scores one tier above all its parts (a post
    holding it holds them all), so that, under ``match="loose"``, the exact posts stay
    first. Highlights: the run, the words required and the dropped words of two or
    more characters; a dropped one-character word only where none of the clause's
    others occurs (:class:`~searcher.snippets.TermGroup` fallback)."""
    rewrites: dict[tuple[int, int], ClauseRewrite] = {}
    for key, c in clauses:
        mine = [w for w in kept if w.clause == key]
        gone = [w for w in dropped if w.clause == key]
        if not gone and all(not w.units for w in mine):
            continue  # the clause is kept whole: its exact match
        optional: list[Node] = [Verbatim(w.node) for w in gone]
        optional += [_part_node(p, segmenter) for p in parts[key] if not _content(p)]
        split = any(w.units for w in mine + gone)
        if split:
            optional.append(Verbatim(exact[key]))
            optional.extend(_cores(c, segmenter))
        required = [w.node for w in mine]
        runs = tuple(tuple(seg) for seg in units_of(c.text)) if split else ()
        primary = runs + tuple(f for w in mine if w.units for f in _forms(w.units, segmenter))
        # A dropped word is still a query word: marked where the post holds it, but a
        # one-character one only where nothing else is (every stray 大 is noise).
        fallback = tuple(
            f for w in gone if w.units and not _long(w) for f in _forms(w.units, segmenter)
        )
        groups: tuple[TermGroup, ...] = (
            (TermGroup(primary, fallback),) if primary or fallback else ()
        )
        groups += tuple(TermGroup(_forms(w.units, segmenter)) for w in gone if w.units and _long(w))
        rewrites[key] = ClauseRewrite(
            None if not required else required[0] if len(required) == 1 else AllOf(tuple(required)),
            AnyOf(tuple(optional)) if optional else None,
            groups,
            tuple(w.units for w in mine if len(w.units) > 1),
        )
    return rewrites


def _plan(
    parsed: ParsedQuery,
    segmenter: Segmenter,
    rewrites: dict[tuple[int, int], ClauseRewrite],
    rule: str,
    aids: Aids | None,
    notice: Notice,
) -> QueryPlan:
    plan = plan_query(parsed, segmenter, rewrites, rule, aids)
    plan.notices.append(notice)
    return plan


__all__ = ["FUNCTION_WORDS", "MAX_STEPS", "NEAR_WINDOW", "can_loosen", "relaxed_plans"]
