"""Pinyin: how Chinese words are read in Latin letters, and typed letters read as pinyin.

Readers type the way their input methods work (issue #21): full syllables
(``shanghai``), initials (``sh``, ``zgc``) or a mix (``nanjingdx``), without tones and
with ``v`` for ``ü`` (``lvse`` for 绿色). Every reading comes from pypinyin (its
character and phrase dictionaries), never from a table of our own: a word is read as
pypinyin reads it in context, so polyphonic characters follow the word (重庆
``chong qing``, 银行 ``yin hang``, 行长 ``hang zhang``).

A typed string *spells* a word when it is the word's syllables in order, each written
whole or by its initial: its first letter, or ``zh``/``ch``/``sh``
(:func:`spells`). While a reader is still typing, the last syllable typed may be any
beginning of the word's syllable and the word may go on (``prefix``: ``wangj`` →
王建国).

>>> read("重庆银行")
('chong', 'qing', 'yin', 'hang')
>>> spells("nanjingdx", read("南京大学"))
True
>>> spells("zgc", read("中关村")), spells("zhongguanc", read("中关村"))
(True, True)
>>> spells("wangj", read("王建国")), spells("wangj", read("王建国"), prefix=True)
(False, True)
>>> spells("keji", read("可见"))
False
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

#: A typed word that may be pinyin: Latin letters only, 2 to 40 of them, the syllables
#: perhaps separated by apostrophes as input methods let a reader type them (``xi'an``
#: for 西安, not 先), and ``ü`` typed as itself or as ``v`` (:func:`_typed`).
_LATIN = re.compile(r"^(?=(?:'?[a-z]){2,40}'?$)[a-z][a-z']*$")
#: What a reader may type for an apostrophe between syllables (the right single quotation
#: mark phones and word processors put in its place) and for ``ü`` (``v``, as pypinyin writes it).
_TYPED = str.maketrans({"\u2019": "'", "\u00fc": "v"})
#: Initials of two letters (``zh``, ``ch``, ``sh``); every other initial is one letter.
_DOUBLE = ("zh", "ch", "sh")
#: The longest word looked up, in syllables (longer typed strings are not pinyin words).
MAX_SYLLABLES = 8


def _pypinyin() -> tuple[object, object, object]:
    from pypinyin import Style, lazy_pinyin
    from pypinyin.constants import PINYIN_DICT

    return lazy_pinyin, Style.NORMAL, PINYIN_DICT


@functools.lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Every toneless syllable pypinyin gives any character (``v`` for ``ü``): 400 or so,
    from its character dictionary. Read once per process (0.05 s)."""
    from pypinyin.contrib.tone_convert import to_normal

    _, _, table = _pypinyin()
    raw = {r for value in table.values() for r in value.split(",")}  # type: ignore[attr-defined]
    out = {to_normal(r, v_to_u=False) for r in raw}
    return frozenset(s for s in out if re.fullmatch("[a-z]+", s))


@functools.lru_cache(maxsize=1)
def _first_letters() -> dict[str, str]:
    """Character → the first letters of all its readings (``重`` → ``"ctz"``): the
    first letter of a reading with its tone mark taken off (NFD's base letter)."""
    _, _, table = _pypinyin()
    first: dict[str, str] = {}
    out: dict[str, str] = {}
    for code, value in table.items():  # type: ignore[attr-defined]
        letters = set()
        for r in value.split(","):
            c = first.get(r[:1])
            if c is None:
                c = first[r[:1]] = unicodedata.normalize("NFD", r[:1])[:1]
            if c.isascii() and c.isalpha():
                letters.add(c)
        if letters:
            out[chr(code)] = "".join(sorted(letters))
    return out


def read(word: str) -> tuple[str, ...] | None:
    """The syllables of ``word`` as pypinyin reads it in context (toneless, ``v`` for
    ``ü``), or None when a character has no reading (a letter, a digit, a symbol).

    >>> read("绿色"), read("ABC")
    (('lv', 'se'), None)
    """
    lazy_pinyin, normal, _ = _pypinyin()
    out = tuple(lazy_pinyin(word, style=normal, v_to_u=False, errors=lambda _: ["?"]))  # type: ignore[operator]
    if len(out) != len(word) or not all(s.isascii() and s.isalpha() for s in out):
        return None
    return out


def initial_keys(word: str, limit: int = 8) -> list[str]:
    """The strings of first letters ``word`` may be typed with, one letter a character,
    over every reading of each character (``重庆`` → ``["cq", "tq", "zq"]``): where a
    word is filed for lookup by :func:`typed_keys`. At most ``limit`` keys (the first in
    order); [] for a character with no reading.

    >>> initial_keys("中关村")
    ['zgc']
    """
    table = _first_letters()
    try:
        letters = [table[c] for c in word]
    except KeyError:
        return []
    if all(len(x) == 1 for x in letters):
        return ["".join(letters)]
    keys = [""]
    for choices in letters:
        keys = [k + c for k in keys for c in choices][:limit]
    return keys


def _typed(text: str) -> str:
    """``text`` as the letters are matched: ``’`` is an apostrophe, ``ü`` is ``v``.

    >>> _typed("xi’an"), _typed("lüse")
    ("xi'an", 'lvse')
    """
    return text.translate(_TYPED)


def latin(text: str) -> bool:
    """True when ``text`` (folded: lowercase) is a run of 2–40 Latin letters, which may
    be pinyin, its syllables perhaps separated by apostrophes (``xi'an``; not two in a
    row, not first) and ``ü`` typed as such. A Chinese query never is: pinyin applies
    only to Latin input (issue #21: 景点 must not find 经典).

    >>> latin("xi'an"), latin("lüse"), latin("'an"), latin("xi''an"), latin("5g")
    (True, True, False, False, False)
    """
    return bool(_LATIN.match(_typed(text)))


def one_syllable(text: str) -> bool:
    """True when ``text`` is one whole syllable (``jing``, ``an``, ``lü``): an input
    method reads it so, never as a shorter syllable and an initial (jin·g for 进攻).

    >>> one_syllable("jing"), one_syllable("lü"), one_syllable("jingji"), one_syllable("jin'g")
    (True, True, False, False)
    """
    return _typed(text) in syllables()


def whole_syllables(text: str) -> bool:
    """True when ``text`` is whole syllables and nothing else: no initial, no
    apostrophe (how two words typed as one are read, :mod:`searcher.lexicon`).

    >>> whole_syllables("shanghaigaotie"), whole_syllables("apple"), whole_syllables("sh")
    (True, False, False)
    """
    whole = syllables()
    ends = {0}
    for end in range(1, len(text) + 1):
        if any(start in ends and text[start:end] in whole for start in range(max(0, end - 6), end)):
            ends.add(end)
    return len(text) in ends


def typed_keys(text: str, prefix: bool = False, limit: int = 64) -> set[str]:
    """The first-letter keys (:func:`initial_keys`) of the words ``text`` may spell:
    each way of cutting ``text`` into whole syllables and initials gives the first
    letter of each piece. With ``prefix``, the last piece may also be the beginning of a
    syllable. Empty when ``text`` cannot be read as pinyin (``iphone``: no syllable or
    initial begins with ``i``). At most ``limit`` keys of at most
    :data:`MAX_SYLLABLES` letters, the shortest first (the fewest pieces: ``chongqing``
    is ``cq`` long before it is c·h·o·n·g·qing).

    >>> sorted(typed_keys("xian"))
    ['x', 'xa', 'xan', 'xn']
    >>> sorted(typed_keys("iphone"))
    []
    """
    if not latin(text):
        return set()
    text = _typed(text)
    whole = syllables()
    starts = {s[0] for s in whole}
    n = len(text)

    @functools.cache
    def rest(i: int) -> frozenset[str]:
        if i == n:
            return frozenset({""})
        if text[i] == "'":  # a syllable ends here (only a piece ends at ``i``)
            return rest(i + 1)
        out: set[str] = set()
        pieces = {text[i]} if text[i] in starts else set()
        pieces |= {d for d in _DOUBLE if text.startswith(d, i)}
        pieces |= {text[i:j] for j in range(i + 1, min(n, i + 6) + 1) if text[i:j] in whole}
        if prefix and any(s.startswith(text[i:]) for s in whole):
            out.add(text[i])
        for piece in pieces:
            out.update(text[i] + tail for tail in rest(i + len(piece)) if len(tail) < MAX_SYLLABLES)
        return frozenset(sorted(out, key=lambda k: (len(k), k))[:limit])

    return set(rest(0))


def spells(text: str, reading: Iterable[str] | None, prefix: bool = False) -> bool:
    """True when ``text`` spells the syllables ``reading`` in order, each whole or by
    its initial (the first letter, or ``zh``/``ch``/``sh``); with ``prefix``, the last
    syllable typed may be only begun and syllables may follow it unspelled."""
    if reading is None:
        return False
    text = _typed(text)
    syls = tuple(reading)
    n = len(text)

    @functools.cache
    def ok(i: int, j: int) -> bool:
        if i == n:
            return j == len(syls) or (prefix and j > 0)
        if text[i] == "'" and j > 0:  # a syllable ends here, as it does (a piece ended)
            return ok(i + 1, j)
        if j == len(syls):
            return False
        s = syls[j]
        cuts = {len(s)} if text.startswith(s, i) else set()
        if text[i] == s[0]:
            cuts.add(1)
        if s[:2] in _DOUBLE and text.startswith(s[:2], i):
            cuts.add(2)
        if prefix and s.startswith(text[i:]):
            return True
        return any(ok(i + k, j + 1) for k in cuts)

    return ok(0, 0)


__all__ = [
    "MAX_SYLLABLES",
    "initial_keys",
    "latin",
    "one_syllable",
    "read",
    "spells",
    "syllables",
    "typed_keys",
    "whole_syllables",
]
