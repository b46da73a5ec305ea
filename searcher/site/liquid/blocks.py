"""The blocks open in one Liquid source (``if``, ``for``, ``comment``, ``capture``,
``raw``, ``highlight``…), checked as Liquid 5.4 checks them, and what ``highlight``
outputs as Jekyll 4.3.1 writes it.

Measured with ``jekyll build`` 4.3.1 (``tests/test_site_liquid.py``) and read in
Liquid's and Jekyll's source:

* 100 nested blocks render, the 101st fails ("Nesting too deep", ``Block::MAX_DEPTH``).
* An end tag closes the innermost block; another block's end, or one with no block
  open, is a syntax error, except inside a comment, where it is ignored.
* A block that holds only white space and silent tags (``assign``, ``comment``…) outputs
  none of its white space (``if``, ``unless``, ``case``, ``for``: Liquid's ``blank?``).
* ``{% highlight lang [linenos] %}`` needs a language (Jekyll's ``SYNTAX``); the code
  loses its leading and trailing line ends and is ``<pre><code>`` with it escaped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from .lexer import RUBY_SPACE, LiquidSyntaxError

#: Most blocks open at once: Jekyll 4.3.1 renders 100 nested ``if``, and fails on 101
#: ("Nesting too deep", Liquid's ``Block::MAX_DEPTH``).
MAX_BLOCK_DEPTH = 100
#: Liquid's and Jekyll's block tags: their end tags are checked as Liquid checks them.
BLOCKS = frozenset("if unless case for tablerow ifchanged capture comment raw highlight".split())
#: Blocks whose white space Liquid drops when they hold nothing else (``blank?``).
DROPS_BLANK = frozenset({"if", "unless", "case", "for"})
#: Tags that output nothing (``blank?`` true in Liquid 5.4); any other tag is not blank.
BLANK_TAGS = frozenset({"assign", "#", "else", "elsif", "when"})
#: Blocks whose text may be output once, never or many times.
BRANCHES = frozenset({"if", "unless", "case", "for", "tablerow", "ifchanged"})
#: Blocks whose text is not output (Liquid: both are blank, whatever they hold).
QUIET = frozenset({"comment", "capture"})

_HIGHLIGHT = re.compile(r"([a-zA-Z0-9.+#_-]+)((\s+\w+(=(\w+|\"([0-9]+\s)*[0-9]+\"))?)*)\Z", re.A)
_TRIM_LINES = re.compile(r"\A[\n\r]+|[\n\r]+\Z")


@dataclass
class Open:
    """A block being read: its tag, where it starts (``pos`` in the source, ``line``),
    the length of the output before it (``mark``), its markup, and whether it has held
    only white space and silent tags so far (Liquid's ``blank?``)."""

    name: str
    pos: int
    line: int
    mark: int
    markup: str = ""
    blank: bool = True
    #: The branch being read: rendered surely (``live``), maybe, or never (``dead``).
    state: str = "maybe"
    taken: bool = False  # an earlier branch (or this one) is surely rendered
    maybe: bool = False  # an earlier branch's condition is not known
    unknowns: int = 0  # the run's count of unknown outputs when the block opened
    loop: tuple[str, Any, bool, int] | None = None  # a loop's variable, as it was


class BlockStack:
    """The blocks open in one source, innermost last, with how many are comments
    (:attr:`quiet`: nothing is output) and how many may run never or many times
    (:attr:`branches`, from 1 for a file included in such a block: ``conditional``).

    >>> blocks = BlockStack(conditional=False)
    >>> blocks.open("if", "x", 0, 1, 0)
    >>> blocks.branches, blocks.close("if", 9).name, blocks.branches
    (1, 'if', 0)
    >>> try:
    ...     blocks.close("for", 20)
    ... except LiquidSyntaxError as error:
    ...     print(error.message)
    {% endfor %} where no block is open (Jekyll fails the build)
    """

    def __init__(self, conditional: bool) -> None:
        self.stack: list[Open] = []
        self.quiet = 0  # how many comment blocks we are in
        self.branches = int(conditional)  # open if/for…: an assign there may not happen
        self.dead = 0  # open blocks whose branch Liquid never renders

    @property
    def silent(self) -> bool:
        """Whether what is read now is not output (in a comment, or a branch never
        rendered)."""
        return bool(self.quiet or self.dead)

    def branch(self, truth: bool | None) -> None:
        """The innermost block (``if``/``unless``) starts a branch whose condition is
        ``truth`` (True for ``else``, None when not known): it is never rendered when an
        earlier branch surely is, or its condition is false; surely rendered when its
        condition is true and every earlier one false."""
        top = self.stack[-1]
        if top.taken or truth is False:
            state = "dead"
        else:
            state = "live" if truth and not top.maybe else "maybe"
        top.maybe = top.maybe or truth is None
        top.taken = top.taken or truth is True
        self._leave(top)
        top.state = state
        self.branches -= state == "live"
        self.dead += state == "dead"

    def _leave(self, block: Open) -> None:
        self.branches += block.state == "live"
        self.dead -= block.state == "dead"

    def open(self, name: str, markup: str, pos: int, line: int, mark: int) -> None:
        """Open the block ``{% name markup %}`` (at ``pos``, on ``line``, after ``mark``
        pieces of output); raises :class:`LiquidSyntaxError` where Liquid fails."""
        if name == "highlight" and not _HIGHLIGHT.match(markup.strip(RUBY_SPACE)):
            raise LiquidSyntaxError(
                pos,
                "{% highlight %} needs a language: {% highlight lang [linenos] %} "
                "(Jekyll fails the build)",
            )
        if len(self.stack) >= MAX_BLOCK_DEPTH:
            raise LiquidSyntaxError(
                pos,
                f"more than {MAX_BLOCK_DEPTH} nested blocks (Jekyll fails: Nesting too deep)",
            )
        self.stack.append(Open(name, pos, line, mark, markup))
        if name == "comment":
            self.quiet += 1
        elif name in BRANCHES:
            self.branches += 1

    def close(self, name: str, pos: int) -> Open | None:
        """The block an ``end<name>`` tag at ``pos`` closes, or None when Liquid ignores
        the tag (inside a comment, the end of a block that is not open); raises
        :class:`LiquidSyntaxError` for another block's end, or no block open."""
        top = self.stack[-1] if self.stack else None
        if top is None or top.name != name:
            if top is not None and top.name == "comment":
                return None
            opened = f"{{% {top.name} %}} is open" if top else "no block is open"
            raise LiquidSyntaxError(
                pos, f"{{% end{name} %}} where {opened} (Jekyll fails the build)"
            )
        self.stack.pop()
        self._leave(top)
        if name in BRANCHES:
            self.branches -= 1
        if name == "comment":
            self.quiet -= 1
        return top

    def not_blank(self) -> None:
        """The innermost block outputs something: its white space is output too."""
        if self.stack:
            self.stack[-1].blank = False

    def inside(self, name: str) -> bool:
        """Whether a ``name`` block is open."""
        return any(block.name == name for block in self.stack)

    def first_quiet(self) -> Open | None:
        """The outermost comment or capture open, or None."""
        return next((block for block in self.stack if block.name in QUIET), None)


def highlight(code: str, markup: str) -> str:
    """The HTML of ``{% highlight markup %}code{% endhighlight %}``: Jekyll 4.3.1 writes
    ``<figure class="highlight"><pre><code>``; the figure is left out so that CommonMark
    reads code with blank lines as one HTML block.

    >>> highlight("\\n<a>\\n", "C++ linenos")
    '<pre><code class="language-c--" data-lang="c++">&lt;a&gt;</code></pre>'
    """
    code = _TRIM_LINES.sub("", code)
    lang = markup.strip(RUBY_SPACE).split()[0].lower()
    return (
        f'<pre><code class="language-{html.escape(lang.replace("+", "-"))}" '
        f'data-lang="{html.escape(lang)}">{html.escape(code, quote=False)}</code></pre>'
    )
