"""Jekyll's ``{% include %}`` tag without Liquid: its file names, its parameters, and the
included files, found and read as ``jekyll build --safe`` reads them.

Jekyll 4.3.1's ``Jekyll::Tags::IncludeTag`` (read in its source, measured with ``jekyll
build`` in ``tests/test_site_liquid.py``): a file name is made of ``[\\w/.\\-()+~#@]``
without ``..``, ``./`` or ``//`` (:func:`valid_file_name`); parameters are
``key="…"`` (``\\"`` unescaped), ``key='…'`` (``\\'`` unescaped) or ``key=bare``, a bare
value being a Liquid expression (:func:`parse_params`); an included file is read as it
is, front matter and all, in the site's encoding, and in safe mode only when its real
path stays in its folder (:func:`read_include`). :mod:`.liquid` renders what is read.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .records import SkippedPostError
from .text import decode_bytes

_SPACE = " \t\n\v\f\r"  # Ruby's \s: ASCII white space only
_FILE_NAME = re.compile(r"[\w/.\-()+~#@]+\Z", re.A)
_BAD_SEQUENCE = re.compile(r"[./]{2,}")
_KEY = re.compile(r"[\w-]+", re.A)
_BARE = re.compile(r"[\w.-]+", re.A)
_DQ = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"', re.S)
_SQ = re.compile(r"'([^'\\]*(?:\\.[^'\\]*)*)'", re.S)


def valid_file_name(file: str) -> bool:
    """Whether Jekyll accepts ``file`` as an include's name (``validate_file_name``).

    >>> [valid_file_name(f) for f in ("note.html", "sub/a-b.md", "../x.html", "中.html")]
    [True, True, False, False]
    """
    return _FILE_NAME.match(file) is not None and _BAD_SEQUENCE.search(file) is None


@dataclass(frozen=True)
class Param:
    """One parameter: ``key``, its ``value`` (a quoted string's text, unescaped, or a
    bare Liquid expression as written) and whether it was ``quoted``."""

    key: str
    value: str
    quoted: bool


def parse_params(markup: str) -> tuple[list[Param], list[str]]:
    """Jekyll's ``parse_params`` syntax in one pass over ``markup`` (the tag's text after
    the file name): the parameters, and a sentence for each part Jekyll would refuse
    ("Invalid syntax for include tag": the build fails), which is skipped.

    >>> parse_params('a="x \\\\"y\\\\"" b=\\'z\\' n=3 c=include.t')[0][0]
    Param(key='a', value='x "y"', quoted=True)
    >>> parse_params("坏参数")[1]
    ["'坏参数' is not key=value (Jekyll fails the build); ignored"]
    """
    params: list[Param] = []
    problems: list[str] = []
    pos, size = 0, len(markup)
    while True:
        while pos < size and markup[pos] in _SPACE:
            pos += 1
        if pos >= size:
            return params, problems
        key = _KEY.match(markup, pos)
        after = key.end() if key else pos
        while after < size and markup[after] in _SPACE:
            after += 1
        if key is None or not markup.startswith("=", after):
            rest = " ".join(markup[pos:].split())
            rest = rest if len(rest) <= 40 else rest[:39] + "…"
            problems.append(f"{rest!r} is not key=value (Jekyll fails the build); ignored")
            return params, problems
        pos = after + 1
        while pos < size and markup[pos] in _SPACE:
            pos += 1
        value = _DQ.match(markup, pos) or _SQ.match(markup, pos) or _BARE.match(markup, pos)
        if value is None or (value.end() < size and markup[value.end()] not in _SPACE):
            problems.append(
                f"parameter {key.group(0)} has no value Jekyll accepts (Jekyll fails the "
                "build); ignored"
            )
            while pos < size and markup[pos] not in _SPACE:
                pos += 1
            continue
        if value.re is _BARE:
            params.append(Param(key.group(0), value.group(0), False))
        else:
            quote = value.group(0)[0]
            params.append(Param(key.group(0), value.group(1).replace("\\" + quote, quote), True))
        pos = value.end()


def read_include(
    path: Path, base: Path, shown: str, max_bytes: int, follow_outside_links: bool
) -> tuple[str | None, list[str]]:
    """The text of the included file ``path`` and the problems met, each a sentence
    naming ``shown`` (the file as the site names it, ``_includes/note.html``). The text
    is None when the file is missing, not a regular file, a symbolic link whose real
    path leaves ``base`` (the includes folder, or the document's for
    ``include_relative``: refused as ``jekyll build --safe`` does, unless
    ``follow_outside_links``), larger than ``max_bytes``, or not decodable. Decoded as
    posts are (:func:`decode_bytes`: UTF-8, else GB18030 or UTF-16, with a problem)."""
    try:
        if not path.is_file():
            what = "a folder or not a regular file" if path.exists() else "no such file"
            return None, [f"{shown}: {what} (Jekyll fails the build); not included"]
        if not follow_outside_links:
            real, top = os.path.realpath(path), os.path.realpath(base)
            if os.path.commonpath([real, top]) != top:
                folder = shown[: len(shown) - len(path.relative_to(base).as_posix())]
                return None, [
                    f"{shown}: a symbolic link to {real}, outside {folder or 'the site'}: "
                    "not read (as jekyll build --safe; --follow-outside-links reads it)"
                ]
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except (OSError, ValueError) as error:
        why = error.strerror if isinstance(error, OSError) and error.strerror else error
        return None, [f"{shown}: cannot read it ({why}); not included"]
    if len(data) > max_bytes:
        return None, [
            f"{shown}: larger than the maximum post size ({max_bytes:,} bytes); not included"
        ]
    problems: list[str] = []
    try:
        return decode_bytes(data, shown, problems), problems
    except SkippedPostError as error:
        return None, [f"{shown}: {error.reason}; not included"]
