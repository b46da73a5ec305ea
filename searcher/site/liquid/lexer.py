"""Liquid 5.4's lexer: the tokens of a source, the end of a raw block, a tag's name and
markup, and the syntax error Liquid raises on them.

Measured with ``jekyll build`` 4.3.1 (``tests/test_site_liquid.py``) and read in Liquid
5.4.0's source (``TemplateParser``, ``Raw``, ``Tag``): a tag runs from ``{%`` to the
first ``%}``, an output from ``{{`` to the first ``}}`` (``{{ x }`` is an error); tag
names are ASCII words (``{% 中文 %}`` is an error); ``{%- endraw %}`` does not close a
raw block.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

#: Ruby's ``\\s`` and ``strip``: ASCII white space only.
RUBY_SPACE = " \t\n\v\f\r"
_OPENER = re.compile(r"\{[{%]")
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_TAG_START = re.compile(r"\{%-?[ \t\n\v\f\r]*(#|\w+)[ \t\n\v\f\r]*", re.A)

#: A token: ``("text" | "tag" | "var" | "lone", start, end)``, positions in the source.
Token = tuple[str, int, int]


class LiquidSyntaxError(Exception):
    """What Liquid fails to parse: ``pos`` in the source (characters), ``message`` for
    people."""

    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


def tokens(source: str) -> Iterator[Token]:
    """Liquid 5.4's tokenizer (``TemplateParser``): ``("text" | "tag" | "var" | "lone",
    start, end)``. A tag runs from ``{%`` to the first ``%}``, an output from ``{{`` to
    the first ``}`` (and one more ``}`` if it follows); an opening with no end after it
    is a ``lone`` token of two characters. Linear: once no ``%}`` (or ``}``) follows a
    position, none follows any later one.

    >>> list(tokens("a{{ x }}{% if %}{%"))
    [('text', 0, 1), ('var', 1, 8), ('tag', 8, 16), ('lone', 16, 18)]
    """
    pos, size = 0, len(source)
    no_tag_end = no_brace = size + 1  # from here on there is no "%}" / "}"
    while pos < size:
        match = _OPENER.search(source, pos)
        if match is None:
            yield "text", pos, size
            return
        start = match.start()
        if start > pos:
            yield "text", pos, start
        if source[start + 1] == "%":
            end = -1 if start >= no_tag_end else source.find("%}", start + 2)
            if end < 0:
                no_tag_end = min(no_tag_end, start)
                yield "lone", start, start + 2
                pos = start + 2
                continue
            pos = end + 2
            yield "tag", start, pos
        else:
            end = -1 if start >= no_brace else source.find("}", start + 2)
            if end < 0:
                no_brace = min(no_brace, start)
                yield "lone", start, start + 2
                pos = start + 2
                continue
            pos = end + 2 if source.startswith("}", end + 1) else end + 1
            yield "var", start, pos


def raw_end(token: str) -> int | None:
    """Where ``token`` holds the ``{% endraw %}`` that closes a raw block, by Liquid
    5.4's ``Raw::FullTokenPossiblyInvalid`` (``\\A(.*){%\\s*(\\w+)\\s*(.*)?%}\\z``, the
    last ``{%`` whose name is ``endraw``; ``{%- endraw %}`` does not close it), or None.

    >>> raw_end("{{ x }}{% endraw %}"), raw_end("{%- endraw %}")
    (7, None)
    """
    if not token.endswith("%}"):
        return None
    limit = len(token) - 2
    end = limit
    while (at := token.rfind("{%", 0, end)) >= 0:
        name = at + 2
        while name < limit and token[name] in RUBY_SPACE:
            name += 1
        stop = name
        while stop < limit and token[stop] in _WORD:
            stop += 1
        if stop > name:
            return at if token[name:stop] == "endraw" else None
        end = at
    return None


def parse_tag(source: str, start: int, end: int) -> tuple[str, str]:
    """``(name, markup)`` of the ``{% … %}`` token ``source[start:end]`` by Liquid's
    ``FullToken``; raises :class:`LiquidSyntaxError` when it has no tag name (``{% %}``,
    ``{% 中文 %}``: Liquid's names are ASCII words).

    >>> parse_tag("{%- include a.html -%}", 0, 22)
    ('include', 'a.html ')
    """
    match = _TAG_START.match(source, start, end - 2)
    if match is None:
        token = source[start:end]
        raise LiquidSyntaxError(start, f"tag {short(token)} has no name (Jekyll fails the build)")
    markup = source[match.end() : end - 2]
    return match.group(1), markup[:-1] if markup.endswith("-") else markup


def short(token: str, limit: int = 40) -> str:
    """``token`` on one line (white space runs as one space), cut to ``limit``
    characters with "…", for warnings."""
    one_line = " ".join(token.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"
