"""Traditional and simplified Chinese: one script for matching, from OpenCC's tables.

Chinese news mixes both scripts (Hong Kong, Taiwan and overseas editions, quotes from
them), so documents and queries are folded to simplified characters before matching
(issue #8, CASES.md C13): ``開通`` and ``开通`` are the same units, and so are ``臺北``
and ``台北``.

The fold is **one character to one character**, so offsets into the original text stay
exact and highlights mark the characters as written. It is built from OpenCC's own
conversion data (pip ``opencc``, the official bindings), not from a hand-written table:
each CJK character is converted on its own by OpenCC's ``t2s`` configuration (its
``TSCharacters`` dictionaries); where ``t2s`` keeps a character, by ``hk2s`` (Hong
Kong variants such as 衞, 敍); and where both keep it, by ``tw2s`` (Taiwan's 著 for 着,
as in 意味著), unless OpenCC's ``s2t`` changes that character, which makes it a
simplified character of its own (``tw2s`` maps 么, as in 什么, to 幺). OpenCC's phrase
dictionaries are not used for the fold: a fold that depends on neighbouring characters
could fold a substring of a post differently from the post itself, and substring recall
would no longer be 100%.

Phrase-level, regional vocabulary (軟體 ↔ 软件, 網路 ↔ 网络) differs in its characters,
not only in their script; :func:`regional_forms` gives those forms of a query word via
OpenCC's phrase configurations, and the query layer adds them as lower-ranked
alternatives.

The table ships with the package (``script_table.tsv``, made by :func:`write_table`
and checked against the installed OpenCC by the tests) and is read once per process by
:func:`script_table`; nothing else is shared.

>>> to_simplified("臺北捷運新線今日開通")
'台北捷运新线今日开通'
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

#: The code points whose characters are looked up (CJK ideographs and extensions,
#: compatibility ideographs).
_RANGES = ((0x3400, 0xA000), (0xF900, 0xFB00), (0x20000, 0x32000))


@dataclass(frozen=True)
class ScriptTable:
    """The traditional → simplified fold.

    chars: character → simplified character, only for the characters that change (about
    5,100); every value is one character, and is not itself a key (the fold is
    idempotent). translate: the same as a :meth:`str.translate` table. forms: simplified
    character → every character that folds to it, itself included (``"台"`` →
    ``"台枱臺檯颱"``), for regular expressions over unfolded text. description: what
    built it (OpenCC version, configurations, size and a digest), recorded in the index.
    traditional: the characters that change, as a set (a text without one is returned
    as it is, which is much faster than translating it).
    """

    chars: Mapping[str, str]
    translate: Mapping[int, str]
    forms: Mapping[str, str]
    description: str
    traditional: frozenset[str]

    def fold(self, text: str) -> str:
        """``text`` with every traditional character replaced by its simplified form."""
        if self.traditional.isdisjoint(text):
            return text
        return text.translate(self.translate)


#: The table as shipped: generated from OpenCC by :func:`write_table` (its first line
#: names the OpenCC version), checked against the installed OpenCC by the tests.
#: Loading it takes milliseconds; building it from OpenCC takes about 0.25 s and about
#: 20 MiB that the process keeps.
TABLE_FILE = "script_table.tsv"


@functools.cache
def script_table() -> ScriptTable:
    """The :class:`ScriptTable` shipped with the package (read once per process), which
    :func:`compute_pairs` makes from OpenCC.

    :raises OSError: the packaged table file is missing.
    """
    text = resources.files(__package__).joinpath(TABLE_FILE).read_text("utf-8")
    header, *lines = text.splitlines()
    version = header.removeprefix("# opencc ").strip()
    table = dict(line.split("\t") for line in lines if line)
    return _make_table(table, version)


def compute_pairs() -> dict[str, str]:
    """The traditional → simplified pairs, computed from the installed OpenCC as the
    module describes (about 0.25 s).

    :raises ImportError: the ``opencc`` package is not installed.
    """
    import opencc

    chars = [chr(c) for lo, hi in _RANGES for c in range(lo, hi)]
    joined = "\n".join(chars)  # one per line: no phrase spans two characters
    table: dict[str, str] = {}
    to_traditional = opencc.OpenCC("s2t")
    for config in ("t2s", "hk2s", "tw2s"):
        converted = opencc.OpenCC(config).convert(joined).split("\n")
        if len(converted) != len(chars):  # pragma: no cover - OpenCC keeps lines
            raise RuntimeError(f"OpenCC {config} changed the number of lines")
        for a, b in zip(chars, converted, strict=True):
            if a == b or len(b) != 1 or a in table:
                continue
            if config == "tw2s" and to_traditional.convert(a) != a:
                continue  # a simplified character itself (么 of 什么, not Taiwan's 麼)
            table[a] = b
    for a, b in list(table.items()):  # close under repetition (薴 → 苧 → 苎)
        seen = {a}
        while b in table and b not in seen:
            seen.add(b)
            b = table[b]
        table[a] = b
    return {a: b for a, b in sorted(table.items()) if a != b}


def _make_table(table: dict[str, str], version: str) -> ScriptTable:
    forms: dict[str, str] = {}
    for a, b in sorted(table.items()):
        forms[b] = forms.get(b, b) + a
    digest = hashlib.sha1("".join(f"{a}{b}" for a, b in sorted(table.items())).encode())
    description = (
        f"opencc {version} t2s+hk2s+tw2s characters, {len(table)} pairs, "
        f"sha1:{digest.hexdigest()[:12]}"
    )
    # Plain dicts, read only by convention: str.translate and .get are several times
    # slower through a MappingProxyType, and they run once per character indexed.
    return ScriptTable(
        chars=table,
        translate={ord(a): b for a, b in table.items()},
        forms=MappingProxyType(forms),
        description=description,
        traditional=frozenset(table),
    )


def write_table(path: Path) -> int:
    """Write :func:`compute_pairs` of the installed OpenCC to ``path`` in the packaged
    format; returns the number of pairs."""
    pairs = compute_pairs()
    lines = [f"# opencc {_version()}", *(f"{a}\t{b}" for a, b in pairs.items())]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return len(pairs)


def _version() -> str:
    try:
        return metadata.version("opencc")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def to_simplified(text: str) -> str:
    """``text`` with every traditional character replaced by its simplified form; the
    length and every other character are unchanged.

    >>> to_simplified("這套軟體"), to_simplified("iPhone 衞星")
    ('这套软体', 'iPhone 卫星')
    """
    return script_table().fold(text)


#: OpenCC's phrase-level configurations for regional vocabulary: from simplified text
#: to Taiwan's and Hong Kong's, and from traditional text to the mainland's.
REGIONAL_CONFIGS = {"simplified": ("s2twp", "s2hk"), "traditional": ("tw2sp", "hk2s")}

_converters_lock = threading.Lock()


@functools.cache
def _converter(config: str) -> Any:
    import opencc

    with _converters_lock:
        return opencc.OpenCC(config)


def regional_forms(text: str) -> list[str]:
    """Other regional spellings of ``text``, folded to simplified characters, that differ
    from ``text``'s own fold: ``软件`` → ``["软体"]`` (Taiwan's 軟體), ``網路`` →
    ``["网络"]``. Uses OpenCC's ``s2twp``, ``tw2sp``, ``s2hk`` and ``hk2s``
    configurations (phrases and regional idioms): the first two for text in simplified
    characters, the last two for text with traditional ones (``tw2sp`` on simplified
    text would turn the mainland's own 智慧 into 智能). An empty list when there is none.

    >>> regional_forms("软件"), regional_forms("網路"), regional_forms("智慧城市")
    (['软体'], ['网络'], [])
    """
    own = to_simplified(text)
    out: list[str] = []
    for config in REGIONAL_CONFIGS["traditional" if own != text else "simplified"]:
        form = to_simplified(_converter(config).convert(text))
        if form != own and form not in out:
            out.append(form)
    return out


__all__ = [
    "REGIONAL_CONFIGS",
    "ScriptTable",
    "compute_pairs",
    "regional_forms",
    "script_table",
    "to_simplified",
    "write_table",
]
