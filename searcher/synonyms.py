"""Synonyms and abbreviations, in Solr's synonyms format (issue #21).

A site owner's file (``searcher index --synonyms FILE``), UTF-8, one rule a line, as
Solr's ``SynonymGraphFilter`` reads it (its ``solr`` format):

* ``a, b, c`` — an equivalence: a query for any of the terms also finds the others
  (``发改委, 国家发展和改革委员会``);
* ``a, b => c, d`` — a one-way mapping: a query for ``a`` or ``b`` also finds ``c`` and
  ``d``, not the other way round (``人行 => 中国人民银行``: 中国人民银行 must not find
  every 人行道);
* blank lines and lines beginning with ``#`` are ignored, as is the rest of a line after
  `` #``;
* the marks may be typed full width, as a Chinese input method types them (``，``,
  ``＝＞``); lines end at LF, CR or CRLF, as Solr and editors count them.

Unlike Solr's ``=>``, which replaces the left side, the term typed is always searched
too, and ranks first: a synonym only adds posts, below the literal form's
(:mod:`searcher.query.plan`). Rules are read once, stored in the index's description and
applied at query time, so a changed file needs no re-segmenting. Terms are matched
folded (:func:`~searcher.analysis.folding.fold`: case, width, traditional and simplified
alike) against a query word as typed, whole.

A synonym is reported as a *regional form* when it and the term it is given for are
written in the file in different scripts (one holds traditional characters, the other
none: 奔驰 and Taiwan's 賓士, also when a reader types 宾士), else as a *synonym*.

Bad input is reported, never fatal: a malformed line (two ``=>``, an empty side or
term) is skipped with a warning naming ``FILE:LINE``; a term that is a stop word is
dropped with a warning (it would match nearly every post); one-way rules that lead
back to where they began (``a => b`` and ``b => a``) are reported as a cycle, once for
each circle of terms (rules are never chained, so a cycle does no harm but is most
likely a mistake); a rule mapping terms only to themselves, and a term holding a space
(no query word does, so it is never looked up), are reported; a line of more than
:data:`MAX_RULE_TERMS` terms is skipped and a file stops at :data:`MAX_RULES` rules or
:data:`MAX_FORMS` forms.

>>> lines = ["发改委, 国家发改委", "人行 => 中国人民银行", "的, 地"]
>>> rules, warnings = parse_synonyms(lines, "s.txt")
>>> rules.forms("发改委"), rules.forms("中国人民银行"), rules.forms("人行")
(('国家发改委',), (), ('中国人民银行',))
>>> warnings
['s.txt:3: 的 is a stop word: dropped', 's.txt:3: fewer than two terms: line skipped']
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .analysis import STOP_WORDS
from .analysis.folding import fold
from .analysis.variants import script_table
from .errors import SearchIndexError

#: ``=>`` typed in any width (``＝＞``, ``＝>``, ``=＞``).
_ARROW = re.compile("[=\uff1d][>\uff1e]")
#: The ends of a line, as Solr's reader (Java's ``readLine``) and editors count them,
#: so that ``FILE:LINE`` names the line an editor shows (not ``str.splitlines``, which
#: also ends a line at U+2028, a form feed or NEL).
_LINE_END = re.compile("\r\n|\r|\n")

#: The most rules a file may hold (a larger one is cut there, with a warning).
MAX_RULES = 100_000
#: The longest term, in characters.
MAX_TERM_CHARS = 64
#: The most terms of one line (both sides of ``=>``); a longer line is skipped. An
#: equivalence of n terms gives each of them the n − 1 others, so a line of 1,000 terms
#: took 11 s to read and 21 MB of description, one of 4,000 three minutes, 1.6 GB and
#: 348 MB (measured before this limit); the sample file's longest line has 3 terms.
MAX_RULE_TERMS = 32
#: The most forms (a term's synonyms, summed over the terms) a file may give; the lines
#: after the one that passes it are ignored. :data:`MAX_RULES` equivalences of three
#: terms give 600,000, read in 2.8 s into 20 MB of description; 605 lines of 32 terms
#: reach it (measured on generated rules).
MAX_FORMS = 600_000


@dataclass(frozen=True)
class Synonyms:
    """Rules read from a synonyms file: ``mapping`` is ``{folded term: ((form, kind),
    …)}``, the forms (as written in the file) a query for the term also searches, each
    ``"synonym"`` or ``"regional"`` (:func:`kind_of`); ``source`` where they came from;
    ``digest`` a SHA-1 of the mapping."""

    mapping: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    source: str = ""

    def pairs(self, text: str) -> tuple[tuple[str, str], ...]:
        """The ``(form, kind)`` synonyms of the query word ``text`` (whole, folded)."""
        return self.mapping.get(fold(text.strip()), ())

    def forms(self, text: str) -> tuple[str, ...]:
        """The synonyms of the query word ``text`` (whole, folded), () when none."""
        return tuple(form for form, _ in self.pairs(text))

    def __bool__(self) -> bool:
        return bool(self.mapping)

    @property
    def digest(self) -> str:
        """SHA-1 of the mapping (what changed between two files)."""
        blob = json.dumps(dict(sorted(self.mapping.items())), ensure_ascii=False)
        return hashlib.sha1(blob.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """The description entry (``searcher.json``'s ``synonyms``)."""
        return {
            "source": self.source,
            "rules": len(self.mapping),
            "sha1": self.digest,
            "mapping": {k: [list(p) for p in v] for k, v in sorted(self.mapping.items())},
        }

    @classmethod
    def from_json(cls, value: Any) -> Synonyms:
        """The rules a description holds (:meth:`to_json`); none for anything else."""
        if not isinstance(value, dict) or not isinstance(value.get("mapping"), dict):
            return cls()
        mapping = {
            str(k): tuple((str(p[0]), str(p[1])) for p in v if isinstance(p, list) and len(p) == 2)
            for k, v in value["mapping"].items()
            if isinstance(v, list)
        }
        return cls(mapping, str(value.get("source", "")))


def kind_of(typed: str, form: str) -> str:
    """``"regional"`` when ``typed`` and ``form`` are in different scripts (one holds a
    traditional character, the other none), else ``"synonym"``.

    >>> kind_of("奔驰", "賓士"), kind_of("发改委", "国家发展和改革委员会")
    ('regional', 'synonym')
    """
    traditional = script_table().traditional
    one = any(c in traditional for c in typed)
    other = any(c in traditional for c in form)
    return "regional" if one != other else "synonym"


def _terms(side: str, where: str, warnings: list[str]) -> list[str] | None:
    terms = [t.strip() for t in side.split(",")]
    if any(not t for t in terms):
        warnings.append(f"{where}: an empty term: line skipped")
        return None
    kept = []
    for t in terms:
        if len(t) > MAX_TERM_CHARS:
            warnings.append(f"{where}: a term longer than {MAX_TERM_CHARS} characters: dropped")
        elif fold(t) in STOP_WORDS:
            warnings.append(f"{where}: {t} is a stop word: dropped")
        elif not any(c.isalnum() for c in t):
            warnings.append(f"{where}: {t!r} has no letter, digit or Chinese character: dropped")
        else:
            if any(c.isspace() for c in t):
                warnings.append(
                    f"{where}: {t!r} holds a space: a query word never does, so it is "
                    "searched for but never looked up"
                )
            kept.append(t)
    return list(dict.fromkeys(kept))


def _syntax(line: str) -> str:
    """``line`` with the full-width forms of the format's marks an input method types
    (``，`` for ``,``, ``＝＞`` for ``=>``: NFKC's half-width forms, as every text is
    folded) read as the marks.

    >>> _syntax("菠萝，凤梨"), _syntax("人行 ＝＞ 中国人民银行")
    ('菠萝,凤梨', '人行 => 中国人民银行')
    """
    return _ARROW.sub("=>", line.replace("\uff0c", ","))


def parse_synonyms(lines: Iterable[str], name: str) -> tuple[Synonyms, list[str]]:
    """Read rules from ``lines`` (a file named ``name`` in messages): the
    :class:`Synonyms` and the warnings (each ``"NAME:LINE: …"``).

    A line of more than :data:`MAX_RULE_TERMS` terms is skipped, and the lines after
    the one that brings the forms past :data:`MAX_FORMS` are ignored (an equivalence of
    n terms gives each n − 1 forms), each with a warning."""
    mapping: dict[str, dict[tuple[str, str], None]] = {}
    warnings: list[str] = []
    one_way: dict[str, dict[str, int]] = {}  # folded term → folded targets → line
    rules = forms = 0
    for number, raw in enumerate(lines, 1):
        where = f"{name}:{number}"
        line = _syntax(raw.split(" #", 1)[0].strip().lstrip("\ufeff"))
        if not line or line.startswith("#"):
            continue
        if rules >= MAX_RULES:
            warnings.append(f"{where}: more than {MAX_RULES} rules: the rest is ignored")
            break
        if forms > MAX_FORMS:
            warnings.append(f"{where}: more than {MAX_FORMS} forms: the rest is ignored")
            break
        rules += 1
        if line.count("=>") > 1:
            warnings.append(f"{where}: more than one '=>': line skipped")
            continue
        sides = line.split("=>") if "=>" in line else [line]
        if sum(side.count(",") + 1 for side in sides) > MAX_RULE_TERMS:
            warnings.append(f"{where}: more than {MAX_RULE_TERMS} terms: line skipped")
            continue
        if len(sides) == 2:
            left = _terms(sides[0], where, warnings)
            right = _terms(sides[1], where, warnings)
            if left is None or right is None:
                continue
            if not left or not right:
                warnings.append(f"{where}: an empty side of '=>': line skipped")
                continue
            pairs = [(t, fold(t), f, fold(f)) for t in left for f in right]
            if all(ft == ff for _, ft, _, ff in pairs):
                warnings.append(f"{where}: maps terms only to themselves: line skipped")
                continue
            for term, ft, form, ff in pairs:
                if ff != ft:
                    mapping.setdefault(ft, {})[(form, kind_of(term, form))] = None
                    one_way.setdefault(ft, {}).setdefault(ff, number)
                    forms += 1
            continue
        terms = _terms(line, where, warnings)
        if terms is None:
            continue
        folded = [fold(t) for t in terms]
        if len(set(folded)) < 2:
            warnings.append(f"{where}: fewer than two terms: line skipped")
            continue
        for term, ft in zip(terms, folded, strict=True):
            targets = mapping.setdefault(ft, {})
            for form, ff in zip(terms, folded, strict=True):
                if ff != ft:
                    targets[(form, kind_of(term, form))] = None
                    forms += 1
    warnings.extend(f"{name}:{line}: {cycle}" for line, cycle in _cycles(one_way))
    return (
        Synonyms({k: tuple(v) for k, v in mapping.items() if v}, name),
        warnings,
    )


def _cycles(edges: Mapping[str, Mapping[str, int]]) -> list[tuple[int, str]]:
    """One cycle of one-way rules for each group of terms they lead around in a circle
    (a strongly connected component of two terms or more), as ``(line, "a cycle of
    one-way rules: a => b => a")``: the cycle found first by a depth-first search from
    the group's first term (in code-point order) over the rules in that order, ``line``
    the last of its rules in the file (the one that closed it). Linear in the rules:
    ``a, b, … => a, b, …`` of 15 terms is one warning, not thousands found in minutes.

    >>> _cycles({"a": {"b": 1}, "b": {"a": 2, "c": 3}, "c": {"b": 4}})
    [(2, 'a cycle of one-way rules: a => b => a')]
    """
    found: list[tuple[int, str]] = []
    for group in _components(edges):
        start = min(group)
        path, seen = [start], {start}
        todo = [iter(sorted(n for n in edges.get(start, {}) if n in group))]
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                todo.pop()
                path.pop()
            elif nxt == start:
                ring = [*path, start]
                line = max(edges[a][b] for a, b in zip(ring, ring[1:], strict=False))
                found.append((line, "a cycle of one-way rules: " + " => ".join(ring)))
                break
            elif nxt not in seen:
                seen.add(nxt)
                path.append(nxt)
                todo.append(iter(sorted(n for n in edges.get(nxt, {}) if n in group)))
    return sorted(found)


def _components(edges: Mapping[str, Mapping[str, int]]) -> list[frozenset[str]]:
    """The strongly connected components of two nodes or more of the graph ``edges``
    (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[frozenset[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, {}))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.add(member)
                    if member == node:
                        break
                if len(members) > 1:
                    out.append(frozenset(members))
    return out


def read_synonyms(path: str | os.PathLike[str]) -> tuple[Synonyms, list[str]]:
    """Read the synonyms file at ``path`` (UTF-8): :func:`parse_synonyms`.

    :raises SearchIndexError: the file cannot be read or is not UTF-8 (naming it).
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SearchIndexError(f"cannot read synonyms file {file}: {exc}") from exc
    lines = _LINE_END.split(text)
    return parse_synonyms(lines[:-1] if lines[-1] == "" else lines, str(file))


__all__ = [
    "MAX_FORMS",
    "MAX_RULES",
    "MAX_RULE_TERMS",
    "Synonyms",
    "kind_of",
    "parse_synonyms",
    "read_synonyms",
]
