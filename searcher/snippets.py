"""Highlights and snippets, exact to the character, for articles of any length.

Matching works on *units* (:class:`~searcher.analysis.UnitTokenizer`): a query term is a
sequence of folded units, and it matches wherever those units stand next to each other in
the text with no punctuation between them. Spans are taken from the units' offsets in the
original text, so a highlight covers exactly the characters the reader sees (``ＡＩ`` for a
query ``AI``, ``𠮷`` kept whole; CASES.md C4, C5). A snippet of a body longer than
:data:`LONG_TEXT` is looked for in its opening and around each term's first matches
anywhere in it (:func:`excerpt`), so its cost does not grow with the body's length
(Whoosh's own highlighter simply stops at 32K characters).

All output is HTML: matched text wrapped in ``<mark>…</mark>``, every other character
escaped with :func:`html.escape`.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter

from .analysis.folding import fold
from .analysis.terms import folded_units
from .analysis.tokenizers import APOSTROPHE, JOINER
from .analysis.variants import script_table
from .fragments import Match, cover, shares

#: A query term as the highlighter sees it: a tuple of folded units, e.g. ``("证", "券")``.
Term = tuple[str, ...]

#: Default snippet size, in characters of visible text (marks and escapes not counted).
SNIPPET_CHARS = 160

# A sentence ends after 。！？； (or their ASCII forms), with any closing quotes or
# brackets that follow, or at a line break. An ASCII !?; followed by an ASCII letter,
# digit or URL character is inside a word or link (a?x=1&y=2, Yahoo!Japan): the body
# keeps links as text (issue 19), and a snippet cut there showed a shortened URL.
_SENTENCE = re.compile(  # written as an unrolled loop: a third of the time of (a|b)*
    r"[^\n。！？；!?;]*(?:[!?;]++(?=[A-Za-z0-9_=&%/#+~-])[^\n。！？；!?;]*)*"
    r"(?:[。！？；!?;]+[”’」』）)》\"']*|\n|$)"
)


@dataclass(frozen=True)
class _Units:
    texts: list[str]
    starts: list[int]
    ends: list[int]
    breaks: list[bool]


def _units(text: str) -> _Units:
    """The folded units of ``text`` with their offsets, as the unit analyzer
    (:func:`~searcher.analysis.UnitAnalyzer`) gives them, read as lists."""
    return _Units(*folded_units(text))


@dataclass(frozen=True)
class TermGroup:
    """Terms from one query word: ``primary`` are always highlighted; ``fallback`` only
    when no primary term occurs in the text.

    For ``碳中和`` (segmented 碳中 + 和) the primary term is the whole run and the
    single character 和 is a fallback, so a post holding 碳中和 does not get every 和 marked.
    """

    primary: tuple[Term, ...]
    fallback: tuple[Term, ...] = ()


def _occurrences(units: _Units, where: dict[str, list[int]], term: Term) -> list[tuple[int, int]]:
    out = []
    k, n = len(term), len(units.texts)
    for i in where.get(term[0], ()):
        if i + k > n:
            break
        if all(units.texts[i + j] == term[j] and not units.breaks[i + j] for j in range(1, k)):
            out.append((units.starts[i], units.ends[i + k - 1]))
    return out


def _groups(terms: Iterable[Term | TermGroup]) -> list[TermGroup]:
    """``terms`` as term groups: a bare term is a group of its own."""
    return [t if isinstance(t, TermGroup) else TermGroup((t,)) for t in terms if t]


def _group_spans(
    text: str, groups: Sequence[TermGroup], ranges: Sequence[tuple[int, int]] | None = None
) -> list[list[tuple[int, int]]]:
    """The spans of each group in ``text`` (its primary terms' matches, else its fallback
    terms'), sorted, as :func:`find_spans` finds them but not merged across groups."""
    firsts = {t[0] for g in groups for t in g.primary + g.fallback if t}
    primary: list[list[tuple[int, int]]] = [[] for _ in groups]
    fallback: list[list[tuple[int, int]]] = [[] for _ in groups]
    for start, end in [(0, len(text))] if ranges is None else ranges:
        units = _units(text[start:end])
        where: dict[str, list[int]] = {}
        for i, u in enumerate(units.texts):
            if u in firsts:
                where.setdefault(u, []).append(i)
        for n, group in enumerate(groups):
            for found, kind in ((primary[n], group.primary), (fallback[n], group.fallback)):
                for t in kind:
                    if t and t[0] in where:  # most pieces hold few of the terms
                        found.extend(
                            (start + a, start + b) for a, b in _occurrences(units, where, t)
                        )
    return [sorted(primary[n] or fallback[n]) for n in range(len(groups))]


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` sorted, overlapping and touching ones merged."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def find_spans(
    text: str,
    terms: Iterable[Term | TermGroup],
    ranges: Sequence[tuple[int, int]] | None = None,
) -> list[tuple[int, int]]:
    """Character spans of ``text`` where any of ``terms`` occurs, merged and sorted.

    :param text: the original text (offsets are in characters, i.e. code points).
    :param terms: query terms as tuples of folded units, or :class:`TermGroup` s.
    :param ranges: ``(start, end)`` pieces of ``text`` that each end at a break (a
        sentence end), to look in instead of the whole text; a group's fallback terms
        are still used only when none of its primary terms occurs in any piece.
    :returns: ``[(start, end), …]`` half-open, non-overlapping; touching spans merged.

    >>> find_spans("新款iPhone14支持5G", [("iphone",), ("5", "g")])
    [(2, 8), (12, 14)]
    """
    groups = _groups(terms)
    if not groups or not text:
        return []
    return _merged(sp for spans in _group_spans(text, groups, ranges) for sp in spans)


def highlight(
    text: str, spans: Sequence[tuple[int, int]], start: int = 0, end: int | None = None
) -> str:
    """HTML of ``text[start:end]`` with each span wrapped in ``<mark>``.

    Spans are clipped to the slice; everything outside marks is escaped.

    >>> highlight("中美&欧盟会谈", [(3, 5)])
    '中美&amp;<mark>欧盟</mark>会谈'
    """
    stop = len(text) if end is None else end
    out: list[str] = []
    pos = start
    for s, e in spans:
        s, e = max(s, start), min(e, stop)
        if s >= e:
            continue
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:stop]))
    return "".join(out)


def _sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text``, stripped of surrounding white space."""
    out = []
    for m in _SENTENCE.finditer(text):
        s, e = _stripped(text, *m.span())
        if e > s:
            out.append((s, e))
    return out


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` moved inwards past white space at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_IDEOGRAPH = re.compile("[\u4e00-\u9fff]")

#: Texts shorter than this are analysed whole for a snippet, without looking for the
#: sentences that can hold a match first.
_PREFILTER_CHARS = 400


def _candidates(
    text: str, sentences: list[tuple[int, int]], terms: list[Term | TermGroup]
) -> list[tuple[int, int]]:
    """The sentences of ``text`` that can hold a match: for some term, every one of its
    units that is a CJK unified ideograph occurs in the sentence once folded
    (:func:`~searcher.analysis.folding.fold`, as units are folded). Whatever stands next to it, a
    character that folds to an ideograph (itself, a traditional form, a compatibility
    ideograph, a Kangxi radical) folds the same way inside the sentence, since none
    composes with a following mark; so the test never misses a match. The rest are never
    analysed, which is most of a long body. A term without such a unit (letters, digits,
    kana), or a short text, makes every sentence a candidate (as one range).
    """
    if len(text) < _PREFILTER_CHARS:
        return [(0, len(text))]
    needs: list[set[str]] = []
    for t in terms:
        for term in t.primary + t.fallback if isinstance(t, TermGroup) else (t,):
            cjk = {u for u in term if len(u) == 1 and _IDEOGRAPH.match(u)}
            if not cjk:
                return [(0, len(text))]
            needs.append(cjk)
    if not needs:
        return [(0, len(text))]
    out = []
    for start, end in sentences:
        folded = fold(text[start:end], case=False)
        if any(all(u in folded for u in need) for need in needs):
            out.append((start, end))
    return out


#: Where a clause ends inside a sentence: a fragment cut from a long sentence starts
#: after one when it can (an ASCII comma or colon only before white space, not in 1,000).
_CLAUSE_END = re.compile(r"[，、：]|[,:](?=\s)")


def _window(
    text: str,
    sentence: tuple[int, int],
    spans: list[tuple[int, int]],
    size: int,
    marks: Sequence[tuple[int, int]] = (),
) -> tuple[int, int]:
    """A slice of at most ``size`` characters of a long sentence, centred on ``spans``
    (a third of the room before them), moved back from the sentence's end so that the
    room is used, and starting after the first clause end (，、：) before the first span
    if there is one, so that a cut fragment starts with a whole clause. An end that
    would cut one of ``marks`` (the sentence's matches, sorted) in two moves inwards
    past it, so that no half word is marked, unless the mark holds one of ``spans``.

    >>> _window("甲" * 100, (0, 100), [(50, 52)], 20, marks=[(30, 45), (50, 52), (60, 70)])
    (45, 60)
    >>> _window("甲" * 100, (0, 100), [(50, 52)], 20, marks=[(40, 52)])  # holds the span
    (44, 64)
    """
    s, e = sentence
    if e - s <= size:
        return s, e
    inside = [sp for sp in spans if sp[0] < e and sp[1] > s]
    if not inside:
        return s, s + size
    first, last = inside[0][0], inside[-1][1]
    shown = last  # the centred spans' end: a mark from here on may be left out
    if last - first >= size:
        last = first + size
    start = max(s, min(first - (size - (last - first)) // 3, e - size))
    if start > s:
        clause = _CLAUSE_END.search(text, start, first)
        if clause is not None:
            start = clause.end()
    end = min(e, start + size)
    for a, b in marks:
        if a < start < b <= first:
            start = b
        elif shown <= a < end < b:
            end = a
    return start, end


#: Bodies longer than this (characters) are not scanned whole for a snippet: only their
#: opening and the neighbourhood of each term's first matches are (:func:`excerpt`).
LONG_TEXT = 20_000
_HITS_PER_TERM = 8
_GAP = f"(?:{JOINER.pattern}|{APOSTROPHE})*"
_SENTENCE_END = re.compile(r"[\n。！？；!?;]")


def _fullwidth(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch


def _term_pattern(term: Term) -> re.Pattern[str]:
    """A regex that finds, in the original text, every place the folded ``term`` can
    match: each unit's letters in either case and half or full width, each Chinese
    character in either script (``[台枱檯臺颱]``), units separated by what the tokenizer
    joins (spaces, ``-``, zero-width characters…)."""
    variants = script_table().forms
    units = []
    for unit in term:
        chars = []
        for ch in unit:
            forms = {ch, ch.upper(), _fullwidth(ch), _fullwidth(ch.upper())}
            forms.update(variants.get(ch, ""))
            chars.append("[" + "".join(re.escape(f) for f in sorted(forms)) + "]")
        units.append("".join(chars))
    return re.compile(_GAP.join(units))


def excerpt(
    text: str, terms: Iterable[Term | TermGroup], limit: int = LONG_TEXT, radius: int = 300
) -> str:
    """The part of ``text`` a snippet is looked for in: ``text`` itself when it has at
    most ``limit`` characters, else its first ``limit // 4`` characters and, for each
    term, the neighbourhood (``radius`` characters on each side, cut at a sentence end
    where there is one) of its first 8 matches, each piece on a line of its own.

    This bounds a snippet's cost whatever the body's length (issue #7: a 7 MB post cost
    4 s per query). The pieces are found by a regex over the original text (C speed);
    matches then go through the exact analysis. A match written in a form the regex
    does not foresee (an NFKC compatibility character other than full-width ASCII) is
    only highlighted within the first ``limit // 4`` characters of such a long body.

    >>> excerpt("甲。" * 20 + "目标在此。" + "乙。" * 20, [("目", "标")], 40, radius=4).split()
    ['甲。甲。甲。甲。甲。', '甲。目标在此。']
    """
    return "\n".join(text[start:end] for start, end in _pieces(text, terms, limit, radius))


def _pieces(
    text: str, terms: Iterable[Term | TermGroup], limit: int, radius: int
) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of ``text`` that :func:`excerpt` joins, in order."""
    if len(text) <= limit:
        return [(0, len(text))]
    head = limit // 4
    # (start, end, first match start, last match end) of each piece
    pieces = [(0, head, head, 0)]
    groups = _groups(terms)
    for term in {t for g in groups for t in g.primary + g.fallback if t}:
        for n, match in enumerate(_term_pattern(term).finditer(text)):
            if n == _HITS_PER_TERM:
                break
            a, b = match.span()
            pieces.append((max(0, a - radius), b + radius, a, b))
    pieces.sort()
    merged: list[tuple[int, int, int, int]] = []
    for start, end, first, last in pieces:
        if merged and start <= merged[-1][1]:
            s0, e0, f0, l0 = merged[-1]
            # clamped as below: two matches near the end went past the text
            merged[-1] = (s0, min(max(end, e0), len(text)), min(first, f0), max(last, l0))
        else:
            merged.append((start, min(end, len(text)), first, last))
    out = []
    for start, end, first, last in merged:
        # Cut at sentence ends, but never into a match: the start moves to a sentence
        # end before the first match, the end to one after the last.
        if start > 0:
            cut = _SENTENCE_END.search(text, start, min(first, end))
            start = cut.end() if cut is not None else start
        if end < len(text):
            ends = [m.end() for m in _SENTENCE_END.finditer(text, max(last, start), end)]
            end = ends[-1] if ends else end
        start, end = _stripped(text, start, end)
        if end > start:
            out.append((start, end))
    return out


def in_spans(spans: Sequence[tuple[int, int]], offset: int) -> bool:
    """Whether character ``offset`` lies in one of ``spans`` (``(start, end)``, end
    exclusive, sorted and not overlapping, as :attr:`searcher.site.Article.code`).

    >>> in_spans([(2, 5), (8, 9)], 4), in_spans([(2, 5), (8, 9)], 5)
    (True, False)
    """
    at = bisect.bisect_right(spans, offset, key=itemgetter(0)) - 1
    return at >= 0 and offset < spans[at][1]


def _moved(code: Sequence[tuple[int, int]], pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``code`` spans of a text as spans of the excerpt joining its ``pieces``."""
    out = []
    offset = 0
    for start, end in pieces:
        for a, b in code:
            if a < end and b > start:
                out.append((max(a, start) - start + offset, min(b, end) - start + offset))
        offset += end - start + 1
    return out


#: What stands between two snippet fragments that are adjacent blocks (a heading and
#: its paragraph, two table cells, two list items), so that they never run together
#: (issue 19: ``字典mobi``); none after a CJK sentence end, a space after an ASCII one.
BLOCK_SEPARATOR = " · "
_CJK_END = frozenset("。！？；：」』”’）》…")
_ASCII_END = frozenset(".!?;:")


def _joiner(text: str, prev_end: int, start: int) -> str:
    """What joins the fragment ending at ``prev_end`` to the next starting at ``start``,
    when only white space stands between them."""
    if "\n" not in text[prev_end:start]:
        return text[prev_end:start] and " "
    last = text[prev_end - 1]
    if last in _CJK_END:
        return ""
    return " " if last in _ASCII_END else BLOCK_SEPARATOR


def make_snippet(
    text: str,
    terms: Iterable[Term | TermGroup],
    size: int = SNIPPET_CHARS,
    code: Sequence[tuple[int, int]] = (),
) -> str:
    """A snippet of ``text``: a fragment for each query word it holds, then the sentences
    that hold the most matches, as HTML.

    Sentences end at 。！？； or a line break (a block boundary). First, each query word
    (each group of ``terms``) that occurs in the text gets a fragment
    (:mod:`searcher.fragments`: several words close together in one fragment first, then
    one sentence for each word not yet shown, in query order; issue #20). Then the
    sentences with the most matches are taken (the earlier one on a tie) until ``size``
    characters are used. Fragments are shown in text order, joined with ``…`` where text
    was skipped and with :data:`BLOCK_SEPARATOR` where two blocks meet (never run
    together). A sentence longer than its share of ``size`` is cut to a window around
    its matches (starting after a clause end, ，、：, where one stands before them, and
    never inside a match), with ``…`` where it was cut; after the words' fragments, a
    sentence is taken only whole. Sentences in ``code`` are taken only when no other
    sentence holds a match (issue 19: code, XML and comments are not what a reader
    looks for). With no match, the snippet is the start of the text, code left out.

    :param text: the article body, plain text, one block per line.
    :param terms: query terms (see :func:`find_spans`), one group per query word, in
        query order: when ``size`` cannot hold a fragment for every word, the words
        that :func:`searcher.fragments.cover` takes first win.
    :param size: the most visible characters (not bytes), separators not counted.
    :param code: ``(start, end)`` character spans of ``text`` that are code
        (:attr:`searcher.site.Article.code`).
    :returns: HTML: ``<mark>`` around matches, everything else escaped.

    >>> make_snippet("新建跨江大桥今日通车。市民点赞。", [("桥",)])
    '新建跨江大<mark>桥</mark>今日通车。'
    >>> make_snippet("交通\\n大桥通车", [("通",)])
    '交<mark>通</mark> · 大桥<mark>通</mark>车'
    >>> make_snippet("大桥开工。大桥验收。" * 20 + "隧道贯通。", [("大", "桥"), ("隧", "道")], 10)
    '<mark>大桥</mark>开工。…<mark>隧道</mark>贯通。'
    """
    groups = _groups(terms)
    pieces = _pieces(text, groups, LONG_TEXT, 300)
    if pieces != [(0, len(text))]:
        code = _moved(code, pieces)
        text = "\n".join(text[start:end] for start, end in pieces)
    sentences = _sentences(text)
    if not sentences:
        return ""
    matches = _matches(text, sentences, groups)
    if code:
        prose = {i: found for i, found in matches.items() if not in_spans(code, sentences[i][0])}
        matches = prose or matches
    inside = {idx: _merged((m.start, m.end) for m in found) for idx, found in matches.items()}
    chosen = _chosen(text, sentences, matches, inside, size)
    if not chosen:
        # No match in the text (a title-only hit): the opening sentences, not code.
        used = 0
        opening = [i for i, sentence in enumerate(sentences) if not in_spans(code, sentence[0])]
        for idx in opening or range(len(sentences)):
            s, e = _window(text, sentences[idx], [], size - used)
            if e <= s or (chosen and used + (e - s) > size):
                break
            chosen.append((s, e, idx))
            used += e - s
            if used >= size:
                break
    out: list[str] = []
    prev_end = -1
    for s, e, idx in chosen:
        sentence = sentences[idx]
        if out and s == sentence[0] and text[prev_end:s].strip() == "":
            out.append(_joiner(text, prev_end, s))
        elif out or s > sentence[0]:
            out.append("…")
        out.append(highlight(text, inside.get(idx, []), s, e))
        if e < sentence[1]:
            out.append("…")
        prev_end = e
    return re.sub("…+", "…", "".join(out))


def _matches(
    text: str, sentences: list[tuple[int, int]], groups: list[TermGroup]
) -> dict[int, list[Match]]:
    """The matches of each group (numbered in order) in each sentence that holds one,
    sorted by start: sentence index → matches."""
    found = _group_spans(text, groups, _candidates(text, sentences, list(groups)))
    # Spans never cross a sentence end (punctuation and line breaks break matches), so
    # each belongs to the sentence that starts at or before it: one bisect per span.
    starts = [s for s, _ in sentences]
    out: dict[int, list[Match]] = {}
    for group, spans in enumerate(found):
        for a, b in spans:
            idx = bisect.bisect_right(starts, a) - 1
            if idx >= 0 and b <= sentences[idx][1]:
                out.setdefault(idx, []).append(Match(a, b, group))
    for found_here in out.values():
        found_here.sort()
    return out


def _chosen(
    text: str,
    sentences: list[tuple[int, int]],
    matches: dict[int, list[Match]],
    inside: dict[int, list[tuple[int, int]]],
    size: int,
) -> list[tuple[int, int, int]]:
    """The fragments of a snippet, ``(start, end, sentence index)`` in text order: those
    of :func:`searcher.fragments.cover`, cut to their :func:`~searcher.fragments.shares`,
    then whole sentences by the best-sentence rule (most distinct matches, most matches,
    earliest) while they fit in what is left of ``size``."""
    rank = {
        idx: (-len({text[a:b].casefold() for a, b in hits}), -len(hits), idx)
        for idx, hits in inside.items()
    }
    lengths = {idx: sentences[idx][1] - sentences[idx][0] for idx in matches}
    planned = cover(matches, lengths, rank, size)
    widths = shares([p.need for p in planned], [lengths[p.sentence] for p in planned], size)
    chosen: list[tuple[int, int, int]] = []
    for p, width in zip(planned, widths, strict=True):
        hits = inside[p.sentence]
        # all the sentence's matches when the width holds them, else the words it is for
        centre = hits if hits[-1][1] - hits[0][0] <= width else [(p.cluster.start, p.cluster.end)]
        window = _window(text, sentences[p.sentence], centre, width, hits)
        chosen.append((*window, p.sentence))
    used = sum(e - s for s, e, _ in chosen)
    taken = {idx for _, _, idx in chosen}
    for idx in sorted(rank, key=rank.__getitem__):
        if idx in taken:
            continue
        s, e = _window(text, sentences[idx], inside[idx], size - used, inside[idx])
        if e - s <= 0:
            break
        if chosen and (e - s) < lengths[idx]:
            continue  # only a cut piece would fit: leave it out rather than mangle it
        chosen.append((s, e, idx))
        used += e - s
        if used >= size:
            break
    chosen.sort()
    merged: list[tuple[int, int, int]] = []
    for s, e, idx in chosen:  # two windows of one sentence that meet become one
        if merged and merged[-1][2] == idx and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]), idx)
        else:
            merged.append((s, e, idx))
    return merged
