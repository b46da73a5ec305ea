"""Synonyms and abbreviations, in Solr's synonyms format (issue #21).

A site owner's file (``searcher index --synonyms FILE``), UTF-8, one rule a line, as
Solr's ``SynonymGraphFilter`` reads it (its ``solr`` format):

* ``a, b, c`` — an equivalence: a query for any of the terms also finds the others
  (``发改委, 国家发展和改革委员会``);
* ``a, b => c, d`` — a one-way mapping: a query for ``a`` or ``b`` also finds ``c`` and
  ``d``, not the other way round (``人行 => 中国人民银行``: 中国人民银行 must not find
  every 人行道);
* blank lines and lines beginning with ``#`` are ignored, as is the rest of a line after
  `` #``.

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
back to where they began (``a => b`` and ``b => a``) are reported as a cycle (rules
are never chained, so a cycle does no harm but is most likely a mistake).

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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .analysis import STOP_WORDS
from .analysis.folding import fold
from .analysis.variants import script_table
from .errors import SearchIndexError

#: The most rules a file may hold (a larger one is cut there, with a warning).
MAX_RULES = 100_000
#: The longest term, in characters.
MAX_TERM_CHARS = 64


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
            kept.append(t)
    return list(dict.fromkeys(kept))


def parse_synonyms(lines: Iterable[str], name: str) -> tuple[Synonyms, list[str]]:
    """Read rules from ``lines`` (a file named ``name`` in messages): the
    :class:`Synonyms` and the warnings (each ``"NAME:LINE: …"``)."""
    mapping: dict[str, dict[tuple[str, str], None]] = {}
    warnings: list[str] = []
    one_way: dict[str, dict[str, int]] = {}  # folded term → folded targets → line
    rules = 0
    for number, raw in enumerate(lines, 1):
        where = f"{name}:{number}"
        line = raw.split(" #", 1)[0].strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        if rules >= MAX_RULES:
            warnings.append(f"{where}: more than {MAX_RULES} rules: the rest is ignored")
            break
        rules += 1
        if line.count("=>") > 1:
            warnings.append(f"{where}: more than one '=>': line skipped")
            continue
        if "=>" in line:
            left_text, right_text = line.split("=>")
            left = _terms(left_text, where, warnings)
            right = _terms(right_text, where, warnings)
            if left is None or right is None:
                continue
            if not left or not right:
                warnings.append(f"{where}: an empty side of '=>': line skipped")
                continue
            for term in left:
                targets = mapping.setdefault(fold(term), {})
                for form in right:
                    if fold(form) != fold(term):
                        targets[(form, kind_of(term, form))] = None
                        one_way.setdefault(fold(term), {}).setdefault(fold(form), number)
            continue
        terms = _terms(line, where, warnings)
        if terms is None:
            continue
        if len({fold(t) for t in terms}) < 2:
            warnings.append(f"{where}: fewer than two terms: line skipped")
            continue
        for term in terms:
            targets = mapping.setdefault(fold(term), {})
            for form in terms:
                if fold(form) != fold(term):
                    targets[(form, kind_of(term, form))] = None
    warnings.extend(f"{name}:{line}: {cycle}" for line, cycle in _cycles(one_way))
    return (
        Synonyms({k: tuple(v) for k, v in mapping.items() if v}, name),
        warnings,
    )


def _cycles(edges: Mapping[str, Mapping[str, int]]) -> list[tuple[int, str]]:
    """Each cycle of one-way rules once, as ``(line, "a cycle of one-way rules: a => b
    => a")``, ``line`` the last of its rules in the file (the one that closed it), found
    by a depth-first search from each term in turn (paths of at most 8 terms)."""
    found: list[tuple[int, str]] = []
    seen: set[frozenset[str]] = set()
    for start in sorted(edges):
        stack: list[list[str]] = [[start]]
        while stack:
            path = stack.pop()
            for nxt in sorted(edges.get(path[-1], {})):
                if nxt == start:
                    members = frozenset(path)
                    if members not in seen:
                        seen.add(members)
                        ring = [*path, start]
                        line = max(edges[a][b] for a, b in zip(ring, ring[1:], strict=False))
                        found.append((line, "a cycle of one-way rules: " + " => ".join(ring)))
                elif nxt not in path and len(path) < 8:
                    stack.append([*path, nxt])
    return sorted(found)


def read_synonyms(path: str | os.PathLike[str]) -> tuple[Synonyms, list[str]]:
    """Read the synonyms file at ``path`` (UTF-8): :func:`parse_synonyms`.

    :raises SearchIndexError: the file cannot be read or is not UTF-8 (naming it).
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SearchIndexError(f"cannot read synonyms file {file}: {exc}") from exc
    return parse_synonyms(text.splitlines(), str(file))


__all__ = ["MAX_RULES", "Synonyms", "kind_of", "parse_synonyms", "read_synonyms"]
