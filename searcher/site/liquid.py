"""Liquid in a document's source, rendered as far as searcher can without a Ruby runtime.

Jekyll renders the Liquid of every document with front matter before kramdown sees it
(``Jekyll::Renderer``: Liquid, then the converter), unless its front matter says
``render_with_liquid: false``. :func:`render_liquid` does the part of that which needs
no Ruby: it reads the source with the tokenizer and block rules of Liquid 5.4.0 (the
version Debian's Jekyll 4.3.1 runs) and produces the text the converter would see:

* ``{% include f param="x" n=3 %}`` and ``{% include_relative f %}`` are replaced by the
  file (from the config's ``includes_dir``, or the document's folder), itself rendered,
  with ``{{ include.param }}`` replaced by the literal values passed; up to
  :data:`MAX_INCLUDE_DEPTH` deep, as Jekyll's Liquid. ``include_cached`` (a plugin's
  cached include) is read as ``include``.
* ``{% raw %}…{% endraw %}`` is kept verbatim; ``{% comment %}`` is not output, nor is
  ``{% capture x %}``, whose text is ``{{ x }}``'s; ``{% highlight lang %}`` becomes
  ``<pre><code>`` with the code
  escaped (Jekyll writes ``<figure class="highlight"><pre><code>``; the figure is left
  out so that CommonMark reads code with blank lines as one HTML block).
* Every other tag (``if``, ``for``, ``assign``, ``link``, ``post_url``, a plugin's…) is
  removed and the text between tags kept (both branches of an ``if``, a loop's body
  once). ``{{ x }}`` of a variable captured, or assigned a literal, outside any ``if`` or
  loop is its value, through the filters that need nothing else (``default``,
  ``append``, ``prepend``, ``escape``, ``strip``, ``upcase``, ``downcase``,
  ``capitalize``, ``markdownify``; another is a warning); every other ``{{ … }}`` is
  removed (its value is the site's, not the article's).

Measured with ``jekyll build`` 4.3.1 (``tests/test_site_liquid.py``) and read in
Liquid's and Jekyll's source:

* Tokens: a tag runs from ``{%`` to the first ``%}``, an output from ``{{`` to the first
  ``}}`` (``{{ x }`` is an error); tag names are ASCII words (``{% 中文 %}`` is an error).
* Whitespace control: ``{%-``/``{{-`` strip the white space of the text just before,
  ``-%}``/``-}}`` that of the text just after (not inside an included file's text).
  ``{%- endraw %}`` does not close a raw block; the ``-%}`` of ``{% raw -%}`` strips the
  text after the block, not inside it.
* A block that holds only white space and silent tags (``assign``, ``comment``…) outputs
  none of its white space (``if``, ``unless``, ``case``, ``for``): a blank line there
  does not end a paragraph.
* 100 nested blocks render, the 101st fails ("Nesting too deep"); a ``highlight`` in a
  ``highlight`` is code of the outer one (escaped once here, so that size stays linear).
* Tags inside a comment are parsed: a block opened there must be closed, an end tag of a
  block that is not open is ignored.
* Includes: parameters ``key="…"`` (``\\"`` unescaped), ``key='…'``, or a bare Liquid
  literal (``3``, ``1.50``, ``true``) or ``include.key`` of the includer; a nested
  include without parameters sees its includer's. An included file's front matter is
  text. 99 nested includes render, the 100th fails ("Nesting too deep"), as a cycle
  does. ``include_relative`` is relative to the document's folder, even in an include.
  In safe mode an include whose real path leaves its folder is refused.
* ``highlight`` drops the code's leading and trailing line ends.

What Jekyll fails on (a ``{%`` or ``{{`` never closed, a block never closed, an end
tag of another block, a bad ``include`` or ``highlight``) and what searcher cannot
resolve (an include named by a variable, a missing file, a parameter that is not a
literal, a filter it does not apply) is a warning naming the file and line; after a
syntax error the rest of the source, from that point (or from the ``comment`` or
``capture`` it is in), is kept as text, so nothing is lost. Time is linear in the source
and the included text: every ``{%`` looks for its ``%}`` once, a ``{%`` without one
ends the reading, and a document includes at most :data:`MAX_INCLUDES` files and
``max_bytes`` characters.

:attr:`Rendered.lists` tells whether the Liquid lists other documents (a ``for`` over
``paginator``, ``site.posts``, ``site.tags``…): :mod:`.reader` leaves such pages out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .includes import parse_params, read_include, valid_file_name
from .options import MAX_POST_BYTES
from .text import markdown_to_html

#: Deepest chain of includes rendered: Jekyll 4.3.1 renders 99 nested includes and fails
#: on the 100th ("Nesting too deep", Liquid's ``Block::MAX_DEPTH`` of 100 scopes).
MAX_INCLUDE_DEPTH = 99
#: Most blocks open at once: Jekyll 4.3.1 renders 100 nested ``if``, and fails on 101
#: ("Nesting too deep", Liquid's ``Block::MAX_DEPTH``).
MAX_BLOCK_DEPTH = 100
#: Most includes expanded in one document (each file counts every time it is included).
MAX_INCLUDES = 10_000
#: Most Liquid warnings listed for one document; the rest are counted.
MAX_WARNINGS = 50

#: Liquid's and Jekyll's block tags: their end tags are checked as Liquid checks them.
BLOCKS = frozenset("if unless case for tablerow ifchanged capture comment raw highlight".split())
#: Blocks whose white space Liquid drops when they hold nothing else (``blank?``).
_DROPS_BLANK = frozenset({"if", "unless", "case", "for"})
#: Tags that output nothing (``blank?`` true in Liquid 5.4); any other tag is not blank.
_BLANK_TAGS = frozenset({"assign", "#", "else", "elsif", "when"})
#: ``site.X`` that lists documents, besides the site's collections.
LISTING_VARIABLES = frozenset(
    "posts pages html_pages documents collections categories tags".split()
)

_LISTING_TAGS = frozenset({"for", "tablerow", "assign", "liquid"})
_RUBY_SPACE = " \t\n\v\f\r"  # Ruby's \s and strip: ASCII white space only
_OPENER = re.compile(r"\{[{%]")
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_BLANK_TEXT = re.compile(r"[ \t\n\v\f\r]*\Z")
_TRIM_LINES = re.compile(r"\A[\n\r]+|[\n\r]+\Z")
_INCLUDE_VAR = re.compile(
    r"[ \t\n\v\f\r]*include[ \t\n\v\f\r]*(?:\.[ \t\n\v\f\r]*([\w-]+)|\[[ \t\n\v\f\r]*"
    r"(?:\"([^\"]*)\"|'([^']*)')[ \t\n\v\f\r]*\])[ \t\n\v\f\r]*",
    re.A,
)
_HIGHLIGHT = re.compile(r"([a-zA-Z0-9.+#_-]+)((\s+\w+(=(\w+|\"([0-9]+\s)*[0-9]+\"))?)*)\Z", re.A)
_LISTED = re.compile(
    r"\bpaginator\b(?:\s*\.\s*[\w-]+)?|\bsite\s*(?:\.\s*([\w-]+)|\[\s*[\"']([^\"'\]]*)[\"']\s*\])",
    re.A,
)
_LOOP = re.compile(r"\s*[\w-]+\s+in\s+(.*)", re.A | re.S)
_ASSIGN = re.compile(r"\s*([\w-]+)\s*=\s*(.*)", re.A | re.S)
_ROOT = re.compile(r"\s*\(?\s*([\w-]+)", re.A)
_VARIABLE = re.compile(r"[ \t\n\v\f\r]*([\w-]+)[ \t\n\v\f\r]*", re.A)
_LOOP_VARIABLE = re.compile(r"\s*([\w-]+)", re.A)
_CAPTURE = re.compile(r"\s*[\"']?([\w-]+)", re.A)
#: Blocks whose text may be output once, never or many times.
_BRANCHES = frozenset({"if", "unless", "case", "for", "tablerow", "ifchanged"})


@dataclass(frozen=True)
class LiquidSite:
    """What rendering needs of the site: ``root`` folder, ``includes_dir`` (relative to
    it, the config's ``includes_dir``), ``max_bytes``: the largest included file read,
    in bytes, and the most characters of included text in one document (the reader
    passes ``--max-post-bytes``), whether symbolic links may lead out of their folder
    (plain ``jekyll build``; else ``--safe``'s rule), and the labels of the site's
    collections (``site.<label>`` lists documents)."""

    root: Path
    includes_dir: str = "_includes"
    max_bytes: int = MAX_POST_BYTES
    follow_outside_links: bool = False
    collections: frozenset[str] = frozenset()


@dataclass
class Rendered:
    """The source with its Liquid rendered: ``text`` (what the converter would see),
    ``warnings`` (each ``"<rel>:<line>: …"``), and ``lists``: what its Liquid lists, as
    written (``"paginator.posts"``, ``"site.tags"``, with ``" (in _includes/x.html)"``
    when an include does it), or None."""

    text: str
    warnings: list[str] = field(default_factory=list)
    lists: str | None = None


def render_liquid(source: str, rel: str, site: LiquidSite, first_line: int = 1) -> Rendered:
    """Render the Liquid of a document's ``source`` (the text after its front matter,
    whose first line is line ``first_line`` of the file ``rel``) as Jekyll would, as far
    as that needs no Ruby; see the module's docstring for the rules. Never raises.

    >>> site = LiquidSite(Path("/nonexistent"))
    >>> render_liquid("甲{% if x %}乙{% endif %}{{ page.title }}丙", "a.md", site).text
    '甲乙丙'
    >>> source = "{% raw %}{{ x }}{% endraw %}{% comment %}注{% endcomment %}"
    >>> render_liquid(source, "a.md", site).text
    '{{ x }}'
    >>> render_liquid("一\\n{% if x %}", "a.md", site).warnings
    ['a.md:2: {% if %} is never closed (Jekyll fails the build); the text after it is kept']
    """
    if "{%" not in source and "{{" not in source:
        return Rendered(source)
    run = _Run(site, rel)
    text = _Template(run, source, rel, "", first_line, None, ()).render()
    warnings = run.warnings
    if run.unlisted:
        warnings.append(f"{rel}: {run.unlisted:,} more Liquid problems not listed")
    return Rendered(text, warnings, run.lists or run.paginated)


class _SyntaxError(Exception):
    """What Liquid fails to parse: ``pos`` in the source, ``message`` for people."""

    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


class _Run:
    """State of one document's rendering: warnings, includes read, budgets, listing."""

    def __init__(self, site: LiquidSite, rel: str) -> None:
        self.site = site
        self.folder = rel.rsplit("/", 1)[0] if "/" in rel else ""  # for include_relative
        self.warnings: list[str] = []
        self.unlisted = 0
        self.files: dict[Path, str | None] = {}  # each included file, read once
        self.includes = 0  # includes expanded
        self.included = 0  # characters of included text expanded
        self.lists: str | None = None  # the first loop over a listing
        self.paginated: str | None = None  # "paginator", when used outside such a loop
        self.listing_names: dict[str, str] = {}  # variable assigned a listing: what
        self.variables: dict[str, Any] = {}  # captured or assigned, with a known value


@dataclass
class _Open:
    """A block being read: its tag, where it starts, the output before it, and whether
    it has held only white space and silent tags so far (Liquid's ``blank?``)."""

    name: str
    pos: int
    line: int
    mark: int
    markup: str = ""
    blank: bool = True


def _tokens(source: str) -> Iterator[tuple[str, int, int]]:
    """Liquid 5.4's tokenizer (``TemplateParser``): ``("text" | "tag" | "var" | "lone",
    start, end)``. A tag runs from ``{%`` to the first ``%}``, an output from ``{{`` to
    the first ``}`` (and one more ``}`` if it follows); an opening with no end after it
    is a ``lone`` token of two characters. Linear: once no ``%}`` (or ``}``) follows a
    position, none follows any later one."""
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


def _raw_end(token: str) -> int | None:
    """Where ``token`` holds the ``{% endraw %}`` that closes a raw block, by Liquid
    5.4's ``Raw::FullTokenPossiblyInvalid`` (``\\A(.*){%\\s*(\\w+)\\s*(.*)?%}\\z``, the
    last ``{%`` whose name is ``endraw``; ``{%- endraw %}`` does not close it), or None."""
    if not token.endswith("%}"):
        return None
    limit = len(token) - 2
    end = limit
    while (at := token.rfind("{%", 0, end)) >= 0:
        name = at + 2
        while name < limit and token[name] in _RUBY_SPACE:
            name += 1
        stop = name
        while stop < limit and token[stop] in _WORD:
            stop += 1
        if stop > name:
            return at if token[name:stop] == "endraw" else None
        end = at
    return None


_TAG_START = re.compile(r"\{%-?[ \t\n\v\f\r]*(#|\w+)[ \t\n\v\f\r]*", re.A)


def _parse_tag(source: str, start: int, end: int) -> tuple[str, str]:
    """``(name, markup)`` of the ``{% … %}`` token ``source[start:end]`` by Liquid's
    ``FullToken``; raises :class:`_SyntaxError` when it has no tag name (``{% %}``,
    ``{% 中文 %}``: Liquid's names are ASCII words)."""
    match = _TAG_START.match(source, start, end - 2)
    if match is None:
        token = source[start:end]
        raise _SyntaxError(start, f"tag {_short(token)} has no name (Jekyll fails the build)")
    markup = source[match.end() : end - 2]
    return match.group(1), markup[:-1] if markup.endswith("-") else markup


def _short(token: str, limit: int = 40) -> str:
    one_line = " ".join(token.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


class _Template:
    """One source (the document, or an included file) being rendered."""

    def __init__(
        self,
        run: _Run,
        source: str,
        name: str,
        prefix: str,
        first_line: int,
        scope: dict[str, Any] | None,
        active: tuple[Path, ...],
        conditional: bool = False,
    ) -> None:
        self.run = run
        self.source = source
        self.name = name  # the file's path relative to the site, as warnings name it
        self.prefix = prefix  # "doc:line: in " for an included file
        self.scope = scope  # the ``include`` variable, or None outside includes
        self.active = active  # the included files being rendered, outermost first
        self.out: list[str] = []
        self.stack: list[_Open] = []
        self.quiet = 0  # how many comment blocks we are in
        self.branches = int(conditional)  # open if/for…: an assign there may not happen
        self.trim = False  # "-%}": strip the white space that starts the next text
        self.last_text: int | None = None  # index in out of the text just before
        self._line = first_line
        self._line_pos = 0

    # -- helpers -------------------------------------------------------------------------

    def line(self, pos: int) -> int:
        """The line of ``pos``, counted from the last position asked for (positions
        mostly come in increasing order, so the source is counted once)."""
        if pos >= self._line_pos:
            self._line += self.source.count("\n", self._line_pos, pos)
        else:
            self._line -= self.source.count("\n", pos, self._line_pos)
        self._line_pos = pos
        return self._line

    def warn(self, line: int, message: str) -> None:
        """A warning naming the document, and the included file, and the line."""
        if len(self.run.warnings) >= MAX_WARNINGS:
            self.run.unlisted += 1
        else:
            self.run.warnings.append(f"{self.prefix}{self.name}:{line}: {message}")

    def emit(self, text: str) -> None:
        if text and not self.quiet:
            self.out.append(text)

    def not_blank(self) -> None:
        if self.stack:
            self.stack[-1].blank = False

    # -- the reading -----------------------------------------------------------------------

    def render(self) -> str:
        """The rendered text; on a syntax error, what came before it and then the source
        from there (or from the comment or capture it is in), with a warning."""
        try:
            self._read(_tokens(self.source))
            quiet = [b for b in self.stack if b.name in ("comment", "capture")]
            if quiet:
                raise _SyntaxError(
                    quiet[0].pos,
                    f"{{% {quiet[0].name} %}} is never closed (Jekyll fails the build)",
                )
        except _SyntaxError as error:
            line, start = self.line(error.pos), error.pos
            quiet = [b for b in self.stack if b.name in ("comment", "capture")]
            where = ""
            if quiet:  # what the comment holds is kept too: from the comment on
                line, start = quiet[0].line, quiet[0].pos
                del self.out[quiet[0].mark :]
                if start != error.pos:
                    where = f" (in the {{% {quiet[0].name} %}} of line {line})"
            self.warn(
                self.line(error.pos),
                f"{error.message}{where}; the text from line {line} on is kept as it is",
            )
            self.out.append(self.source[start:])
            return "".join(self.out)
        for block in self.stack:
            self.warn(
                block.line,
                f"{{% {block.name} %}} is never closed (Jekyll fails the build); "
                "the text after it is kept",
            )
        return "".join(self.out)

    def _read(self, tokens: Iterator[tuple[str, int, int]]) -> None:
        source = self.source
        for kind, start, end in tokens:
            if kind == "text":
                text = source[start:end]
                if self.trim:
                    text = text.lstrip(_RUBY_SPACE)
                self.trim = False
                if not _BLANK_TEXT.match(text):
                    self.not_blank()
                self.emit(text)
                self.last_text = len(self.out) - 1 if text and not self.quiet else None
                continue
            token = source[start:end]
            if kind == "lone" or (kind == "var" and not token.endswith("}}")):
                closer = "%}" if token.startswith("{%") else "}}"
                raise _SyntaxError(
                    start,
                    f"{_short(token)} is never closed with {closer} (Jekyll fails the build)",
                )
            if token[2] == "-" and self.last_text is not None:
                if self.last_text == len(self.out) - 1:
                    self.out[-1] = self.out[-1].rstrip(_RUBY_SPACE)
            self.last_text = None
            self.trim = token[-3] == "-"
            if kind == "var":
                self.not_blank()
                if not self.quiet:
                    if "paginator" in token:
                        self._note_listing("{{", token[2:-2])
                    self._output(token[2:-2], start)
                continue
            name, markup = _parse_tag(source, start, end)
            if name == "raw":
                self._raw(tokens, start, markup)
            else:
                self._tag(name, markup, start, end)

    def _raw(self, tokens: Iterator[tuple[str, int, int]], pos: int, markup: str) -> None:
        """``{% raw %}``: every token verbatim up to the one holding ``{% endraw %}``."""
        if markup.strip(_RUBY_SPACE):
            raise _SyntaxError(pos, "{% raw %} takes no arguments (Jekyll fails the build)")
        body: list[str] = []
        for _, start, end in tokens:
            token = self.source[start:end]
            at = _raw_end(token)
            if at is not None:
                body.append(token[:at])
                text = "".join(body)
                if text:
                    self.not_blank()
                self.emit(text)
                return
            body.append(token)
        raise _SyntaxError(pos, "{% raw %} is never closed (Jekyll fails the build)")

    def _tag(self, name: str, markup: str, start: int, end: int) -> None:
        if not self.quiet and (name in _LISTING_TAGS or "paginator" in markup):
            self._note_listing(name, markup)
        if name in BLOCKS:
            if name == "highlight" and not _HIGHLIGHT.match(markup.strip(_RUBY_SPACE)):
                raise _SyntaxError(
                    start,
                    "{% highlight %} needs a language: {% highlight lang [linenos] %} "
                    "(Jekyll fails the build)",
                )
            if len(self.stack) >= MAX_BLOCK_DEPTH:
                raise _SyntaxError(
                    start,
                    f"more than {MAX_BLOCK_DEPTH} nested blocks (Jekyll fails: Nesting too deep)",
                )
            block = _Open(name, start, self.line(start), len(self.out), markup)
            self.stack.append(block)
            if name == "comment":
                self.quiet += 1
            elif name in _BRANCHES:
                self.branches += 1
                if name in ("for", "tablerow") and not self.quiet:
                    loop = _LOOP_VARIABLE.match(markup)
                    if loop:  # the loop's variable is each item: not known
                        self.run.variables.pop(loop.group(1), None)
            return
        if name.startswith("end") and name[3:] in BLOCKS:
            self._close(name[3:], start, end)
            return
        if name in ("include", "include_relative", "include_cached"):
            self.not_blank()
            if not self.quiet:
                self.emit(self._include(markup, name == "include_relative", start))
            return
        if name == "assign" and not self.quiet:
            self._assign(markup, start)
        elif name in ("increment", "decrement") and not self.quiet:
            self.run.variables.pop(markup.strip(_RUBY_SPACE), None)
        if name == "liquid":
            words = [line.split(None, 1)[0] for line in markup.splitlines() if line.strip()]
            if any(w not in _BLANK_TAGS and w not in BLOCKS and w[3:] not in BLOCKS for w in words):
                self.not_blank()
            return
        if name not in _BLANK_TAGS:
            self.not_blank()  # a tag that outputs something (link, cycle, a plugin's)

    def _close(self, name: str, start: int, end: int) -> None:
        """An ``end<name>`` tag: close the innermost block, or the syntax error Liquid
        raises (another block's end, or no block open). Inside a comment, Liquid ignores
        the end of a block that is not open."""
        top = self.stack[-1] if self.stack else None
        if top is None or top.name != name:
            if top is not None and top.name == "comment":
                return
            opened = f"{{% {top.name} %}} is open" if top else "no block is open"
            raise _SyntaxError(start, f"{{% end{name} %}} where {opened} (Jekyll fails the build)")
        self.stack.pop()
        blank = top.blank
        if name in _BRANCHES:
            self.branches -= 1
        if name in ("comment", "capture"):
            self.quiet -= 1 if name == "comment" else 0
            blank = True  # Liquid: comment and capture are blank, whatever they hold
        if self.quiet:
            pass
        elif name == "capture":  # Liquid: the text goes to a variable, not the output
            captured = "".join(self.out[top.mark :])
            del self.out[top.mark :]
            variable = _CAPTURE.match(top.markup)
            if variable:
                self._set(variable.group(1), captured)
        elif name == "highlight" and not any(b.name == "highlight" for b in self.stack):
            # (a highlight in a highlight is code of the outer one: escaped once)
            code = _TRIM_LINES.sub("", "".join(self.out[top.mark :]))
            lang = top.markup.strip(_RUBY_SPACE).split()[0].lower()
            self.out[top.mark :] = [
                f'<pre><code class="language-{html.escape(lang.replace("+", "-"))}" '
                f'data-lang="{html.escape(lang)}">{html.escape(code, quote=False)}</code></pre>'
            ]
        elif name in _DROPS_BLANK and blank:
            del self.out[top.mark :]  # Liquid: a blank block's white space is not output
        if not blank:
            self.not_blank()

    # -- listing ---------------------------------------------------------------------------

    def _note_listing(self, name: str, markup: str) -> None:
        """Record the first listing the Liquid makes: a ``for``/``tablerow`` over
        ``site.posts`` and the like (or over a variable assigned one), or any use of
        ``paginator``."""
        if name == "liquid":
            for line in markup.splitlines():
                parts = line.split(None, 1)
                if parts:
                    self._note_listing(parts[0], parts[1] if len(parts) > 1 else "")
            return
        listed = self._listed(markup)
        if listed and listed.startswith("paginator") and name not in ("for", "tablerow"):
            if self.run.paginated is None:
                where = f" (in {self.name})" if self.prefix else ""
                self.run.paginated = "paginator" + where
        elif name in ("for", "tablerow"):
            loop = _LOOP.match(markup)
            if loop:
                root = _ROOT.match(loop.group(1))
                if listed:
                    self._lists(listed)
                elif root and root.group(1) in self.run.listing_names:
                    self._lists(self.run.listing_names[root.group(1)])
        elif name == "assign":
            assign = _ASSIGN.match(markup)
            if assign:
                root = _ROOT.match(assign.group(2))
                if root and root.group(1) in self.run.listing_names:
                    listed = self.run.listing_names[root.group(1)]
                if listed:
                    self.run.listing_names[assign.group(1)] = listed

    def _listed(self, markup: str) -> str | None:
        for match in _LISTED.finditer(markup):
            variable = match.group(1) or match.group(2)
            if variable is None:
                return "".join(match.group(0).split())
            if variable in LISTING_VARIABLES or variable in self.run.site.collections:
                return f"site.{variable}"
        return None

    def _lists(self, what: str) -> None:
        if self.run.lists is None:
            where = f" (in {self.name})" if self.prefix else ""
            self.run.lists = what + where

    # -- output and includes -------------------------------------------------------------

    def _output(self, markup: str, pos: int) -> None:
        """``{{ … }}``: a variable captured or assigned a literal before (outside any
        ``if`` or loop) is its value, ``{{ include.x }}`` in an included file is the value
        passed; everything else is removed (its value is not known without Jekyll)."""
        markup = markup[1:] if markup.startswith("-") else markup
        markup = markup[:-1] if markup.endswith("-") else markup
        match = _INCLUDE_VAR.match(markup)
        if match is not None:
            key = match.group(1) or match.group(2) or match.group(3) or ""
            value = (self.scope or {}).get(key)
        else:
            match = _VARIABLE.match(markup)
            if match is None or match.group(1) not in self.run.variables:
                return
            value = self.run.variables[match.group(1)]
        rest = markup[match.end() :]
        if rest.startswith("|"):
            value, unknown = _filters(value, rest)
            if unknown:
                self.warn(
                    self.line(pos),
                    f"filter {unknown!r} is not applied (searcher runs only a few of "
                    "Liquid's filters); the value is used as it is",
                )
        elif rest:
            return
        self.emit(_to_s(value))

    def _assign(self, markup: str, pos: int) -> None:
        """``{% assign x = "literal" %}`` (or a known variable, through the filters of
        :func:`_filters`) makes ``x`` known; any other value makes it unknown."""
        assign = _ASSIGN.match(markup)
        if assign is None:
            return
        name, expression = assign.group(1), assign.group(2)
        head, bar, chain = expression.partition("|")
        head = head.strip(_RUBY_SPACE)
        value, known = _literal(head)
        if not known and head in self.run.variables:
            value, known = self.run.variables[head], True
        if known and bar:
            value, unknown = _filters(value, bar + chain)
            known = unknown is None
        if known:
            self._set(name, value)
        else:
            self.run.variables.pop(name, None)

    def _set(self, name: str, value: Any) -> None:
        """Liquid's variables are the document's, whichever file sets them; one set in
        an ``if`` or a loop may not be, so it is not known after."""
        if self.branches:
            self.run.variables.pop(name, None)
        else:
            self.run.variables[name] = value

    def _include(self, markup: str, relative: bool, pos: int) -> str:
        """The text of ``{% include %}`` / ``{% include_relative %}``, or "" with a
        warning (Jekyll's ``IncludeTag``: file name rules, parameters, safe mode)."""
        line = self.line(pos)
        run = self.run
        tag = "include_relative" if relative else "include"
        markup = markup.strip(_RUBY_SPACE)
        if "{{" in markup:
            self.warn(
                line,
                f"{{% {tag} {_short(markup)} %}}: the file is named by a Liquid variable, "
                "which searcher cannot evaluate; not included",
            )
            return ""
        parts = markup.split(None, 1)
        file = parts[0] if parts else ""
        if not valid_file_name(file):
            self.warn(
                line,
                f"{{% {tag} {_short(markup)} %}}: not a valid include file name "
                "(Jekyll fails the build); not included",
            )
            return ""
        scope = self.scope  # Jekyll: without parameters, the includer's are seen
        if len(parts) > 1:
            params, problems = parse_params(parts[1])
            for problem in problems:
                self.warn(line, f"{{% {tag} %}}: {problem}")
            scope = {
                p.key: p.value if p.quoted else self._value(p.value, p.key, line, tag)
                for p in params
            }
        if len(self.active) >= MAX_INCLUDE_DEPTH:
            self.warn(
                line,
                f"{{% {tag} {file} %}}: more than {MAX_INCLUDE_DEPTH} nested includes "
                "(Jekyll fails: Nesting too deep); not included",
            )
            return ""
        if run.includes >= MAX_INCLUDES:
            self.warn(line, f"more than {MAX_INCLUDES:,} includes; {file} not included")
            return ""
        if relative:  # Jekyll: relative to the document's folder, even in an include
            base = run.site.root / run.folder
            shown = f"{run.folder}/{file}" if run.folder else file
        else:
            base = run.site.root / run.site.includes_dir
            shown = f"{run.site.includes_dir}/{file}".lstrip("/")
        path = base / file.lstrip("/")
        if path in self.active:
            chain = " → ".join(_rel(p, run.site.root) for p in (*self.active, path))
            self.warn(
                line,
                f"{{% {tag} {file} %}} includes itself ({chain}; Jekyll fails: Nesting too "
                "deep); not included again",
            )
            return ""
        text = self._read_include(path, base, shown, line, tag)
        if text is None:
            return ""
        if run.included + len(text) > run.site.max_bytes:
            self.warn(
                line,
                f"{{% {tag} %}} {shown}: the text included in this document would pass "
                f"{run.site.max_bytes:,} characters (the maximum post size); not included",
            )
            return ""
        run.includes += 1
        run.included += len(text)
        child = _Template(
            run, text, shown, f"{self.prefix}{self.name}:{line}: in ", 1, scope or {},
            (*self.active, path), bool(self.branches),
        )  # fmt: skip
        return child.render()

    def _value(self, bare: str, key: str, line: int, tag: str) -> Any:
        value, known = _literal(bare)
        if known:
            return value
        if bare in self.run.variables:
            return self.run.variables[bare]
        if bare.startswith("include.") and self.scope is not None:
            return self.scope.get(bare[len("include.") :])
        if bare.startswith("include."):
            return None
        self.warn(
            line,
            f"{{% {tag} %}}: parameter {key}={bare} is not a literal (searcher does not know "
            f"the value of {bare}); {{{{ include.{key} }}}} is left empty",
        )
        return None

    def _read_include(self, path: Path, base: Path, shown: str, line: int, tag: str) -> str | None:
        """The text of an included file, read once per document (:func:`read_include`),
        or None; its problems are warnings."""
        run = self.run
        if path not in run.files:
            site = run.site
            text, problems = read_include(
                path, base, shown, site.max_bytes, site.follow_outside_links
            )
            run.files[path] = text
            for problem in problems:
                self.warn(line, f"{{% {tag} %}} {problem}")
        return run.files[path]


def _rel(path: Path, root: Path) -> str:
    """``path`` relative to the site root (``""`` for the root itself)."""
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
    return "" if rel == "." else rel


def _literal(bare: str) -> tuple[Any, bool]:
    """A Liquid literal (``Liquid::Expression``): ``(value, True)``, or ``(None, False)``
    for a variable. Quoted strings, integers, floats, ``true``/``false``, ``nil``,
    ``null``, ``empty``, ``blank``."""
    if len(bare) >= 2 and bare[0] == bare[-1] and bare[0] in "\"'":
        return bare[1:-1], True
    if re.fullmatch(r"-?\d+", bare, re.A):
        return int(bare), True
    if re.fullmatch(r"-?\d[\d.]+", bare, re.A):  # Ruby's to_f: the number it starts with
        number = re.match(r"-?\d+(?:\.\d+)?", bare, re.A)
        return float(number.group(0) if number else bare), True
    literals: dict[str, Any] = {
        "": None, "nil": None, "null": None, "true": True, "false": False,
        "empty": "", "blank": "",
    }  # fmt: skip
    if bare in literals:
        return literals[bare], True
    return None, False


def _to_s(value: Any) -> str:
    """A value as Liquid outputs it: nil is empty, booleans ``true``/``false``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        return text.replace("e", ".0e", 1) if "e" in text and "." not in text else text
    return str(value)


def _filters(value: Any, chain: str) -> tuple[Any, str | None]:
    """``value`` through a chain of filters (``| default: "x" | upcase``): the filters
    that need nothing but the value and literals; ``(value, name)`` of the first other
    filter met, the value as it was then."""
    for part in chain.split("|")[1:]:
        name, _, arg = part.partition(":")
        name = name.strip(_RUBY_SPACE)
        argument = _literal(arg.strip(_RUBY_SPACE))[0]
        if name == "default":
            if value in (None, "", False):
                value = argument
        elif name in ("append", "prepend") and isinstance(argument, str):
            value = _to_s(value) + argument if name == "append" else argument + _to_s(value)
        elif name in _STRING_FILTERS:
            value = _STRING_FILTERS[name](_to_s(value))
        elif name not in _KEPT_FILTERS:
            return value, name
    return value, None


_STRING_FILTERS: dict[str, Callable[[str], str]] = {
    "escape": html.escape,
    "xml_escape": html.escape,
    "escape_once": lambda text: html.escape(html.unescape(text)),
    "strip": lambda text: text.strip(_RUBY_SPACE),
    "lstrip": lambda text: text.lstrip(_RUBY_SPACE),
    "rstrip": lambda text: text.rstrip(_RUBY_SPACE),
    "upcase": str.upper,
    "downcase": str.lower,
    "capitalize": lambda text: text[:1].upper() + text[1:].lower(),
    "markdownify": lambda text: markdown_to_html(text)[0],  # Jekyll: kramdown's HTML
}
#: Filters whose result reads the same as the value (converted Markdown, URLs).
_KEPT_FILTERS = frozenset({"relative_url", "absolute_url", "smartify"})
