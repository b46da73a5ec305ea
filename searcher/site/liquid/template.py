"""One Liquid source (the document, or an included file) rendered: the walk over its
tokens, with :mod:`.blocks` for the blocks open, :mod:`.values` for variables and
outputs, :mod:`.include` for includes and :mod:`.listing` for listings.

Measured with ``jekyll build`` 4.3.1 (``tests/test_site_liquid.py``) and read in
Liquid 5.4's source:

* Whitespace control: ``{%-``/``{{-`` strip the white space of the text just before,
  ``-%}``/``-}}`` that of the text just after (not inside an included file's text);
  the ``-%}`` of ``{% raw -%}`` strips the text after the block, not inside it.
* ``{% raw %}…{% endraw %}`` is kept verbatim; a comment's text is not output, nor is a
  capture's, whose text is the variable's; tags inside a comment are parsed.
* A syntax error: what came before it is rendered, the source from there (or from the
  comment or capture it is in) kept as text, with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .blocks import BLANK_TAGS, BLOCKS, BRANCHES, DROPS_BLANK, QUIET, BlockStack, highlight
from .conditions import evaluate
from .include import resolve_include
from .lexer import RUBY_SPACE, LiquidSyntaxError, Token, parse_tag, raw_end, short, tokens
from .listing import LISTING_TAGS
from .state import Run

_BLANK_TEXT = re.compile(r"[ \t\n\v\f\r]*\Z")
_LOOP_VARIABLE = re.compile(r"\s*([\w-]+)", re.A)
_LIQUID_SETS = re.compile(
    r"^[ \t]*(?:assign|capture|increment|decrement|for|tablerow)[ \t]+([\w-]+)", re.A | re.M
)
_CAPTURE = re.compile(r"\s*[\"']?([\w-]+)", re.A)


class Template:
    """One source being rendered: ``source`` (``name``: the file's path relative to the
    site, as warnings name it; ``prefix``: ``"doc:line: in "`` for an included file;
    ``first_line``: the line of the file where ``source`` starts), in the document's
    ``run``, with ``scope``: the ``include`` variable (None outside includes),
    ``active``: the included files being rendered, outermost first, and whether it is
    included from inside an ``if`` or loop (``conditional``)."""

    def __init__(
        self,
        run: Run,
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
        self.name = name
        self.prefix = prefix
        self.scope = scope
        self.active = active
        self.out: list[str] = []
        self.blocks = BlockStack(conditional)
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
        self.run.warn(f"{self.prefix}{self.name}:{line}: {message}")

    def emit(self, text: str) -> None:
        """Output ``text``, unless in a comment."""
        if text and not self.blocks.silent:
            self.out.append(text)

    # -- the reading -----------------------------------------------------------------------

    def render(self) -> str:
        """The rendered text; on a syntax error, what came before it and then the source
        from there (or from the comment or capture it is in), with a warning."""
        try:
            self._read(tokens(self.source))
            quiet = self.blocks.first_quiet()
            if quiet:
                raise LiquidSyntaxError(
                    quiet.pos, f"{{% {quiet.name} %}} is never closed (Jekyll fails the build)"
                )
        except LiquidSyntaxError as error:
            line, start = self.line(error.pos), error.pos
            quiet = self.blocks.first_quiet()
            where = ""
            if quiet:  # what the comment holds is kept too: from the comment on
                line, start = quiet.line, quiet.pos
                del self.out[quiet.mark :]
                if start != error.pos:
                    where = f" (in the {{% {quiet.name} %}} of line {line})"
            self.warn(
                self.line(error.pos),
                f"{error.message}{where}; the text from line {line} on is kept as it is",
            )
            self.out.append(self.source[start:])
            return "".join(self.out)
        for block in self.blocks.stack:
            self.warn(
                block.line,
                f"{{% {block.name} %}} is never closed (Jekyll fails the build); "
                "the text after it is kept",
            )
        return "".join(self.out)

    def _read(self, tokens: Iterator[Token]) -> None:
        source = self.source
        for kind, start, end in tokens:
            if kind == "text":
                text = source[start:end]
                if self.trim:
                    text = text.lstrip(RUBY_SPACE)
                self.trim = False
                if not _BLANK_TEXT.match(text):
                    self.blocks.not_blank()
                self.emit(text)
                self.last_text = len(self.out) - 1 if text and not self.blocks.silent else None
                continue
            token = source[start:end]
            if kind == "lone" or (kind == "var" and not token.endswith("}}")):
                closer = "%}" if token.startswith("{%") else "}}"
                raise LiquidSyntaxError(
                    start,
                    f"{short(token)} is never closed with {closer} (Jekyll fails the build)",
                )
            if token[2] == "-" and self.last_text is not None:
                if self.last_text == len(self.out) - 1:
                    self.out[-1] = self.out[-1].rstrip(RUBY_SPACE)
            self.last_text = None
            self.trim = token[-3] == "-"
            if kind == "var":
                self.blocks.not_blank()
                if not self.blocks.silent:
                    self.run.listing.mention(token[2:-2])
                    if "paginator" in token:
                        self._note_listing("{{", token[2:-2])
                    self._output(token[2:-2], start)
                continue
            name, markup = parse_tag(source, start, end)
            if name == "raw":
                self._raw(tokens, start, markup)
            else:
                self._tag(name, markup, start)

    def _raw(self, tokens: Iterator[Token], pos: int, markup: str) -> None:
        """``{% raw %}``: every token verbatim up to the one holding ``{% endraw %}``."""
        if markup.strip(RUBY_SPACE):
            raise LiquidSyntaxError(pos, "{% raw %} takes no arguments (Jekyll fails the build)")
        body: list[str] = []
        for _, start, end in tokens:
            token = self.source[start:end]
            at = raw_end(token)
            if at is not None:
                body.append(token[:at])
                text = "".join(body)
                if text:
                    self.blocks.not_blank()
                self.emit(text)
                return
            body.append(token)
        raise LiquidSyntaxError(pos, "{% raw %} is never closed (Jekyll fails the build)")

    def _tag(self, name: str, markup: str, start: int) -> None:
        blocks = self.blocks
        if not blocks.silent:
            self.run.listing.mention(markup)
            if name in LISTING_TAGS or "paginator" in markup:
                self._note_listing(name, markup)
            if name == "capture":  # a loop in it lists only where the variable is used
                self.run.listing.hold()
        if name in BLOCKS:
            blocks.open(name, markup, start, self.line(start), len(self.out))
            blocks.stack[-1].unknowns = self.run.unknowns
            if name in ("if", "unless"):
                truth = evaluate(markup, self._lookup)
                self._branch(truth if name == "if" or truth is None else not truth)
            elif name in BRANCHES:
                self._unknown()  # a loop, a case: what it outputs is not known
            if name in ("for", "tablerow") and not blocks.silent:
                loop = _LOOP_VARIABLE.match(markup)
                if loop:  # the loop's variable is each item: not known in the loop
                    blocks.stack[-1].loop = self.run.variables.shadow(loop.group(1))
            return
        if name.startswith("end") and name[3:] in BLOCKS:
            self._close(name[3:], start)
            return
        if name in ("include", "include_relative", "include_cached"):
            blocks.not_blank()
            if not blocks.silent:
                self.emit(self._include(markup, name == "include_relative", start))
            return
        if name in ("else", "elsif") and blocks.stack and blocks.stack[-1].name in ("if", "unless"):
            self._branch(True if name == "else" else evaluate(markup, self._lookup))
        if name == "assign" and not blocks.silent:
            self.run.variables.assign(markup, not blocks.branches, self.scope)
        elif name in ("increment", "decrement") and not blocks.silent:
            self.run.variables.forget(markup.strip(RUBY_SPACE))
        if name == "liquid":
            words = [line.split(None, 1)[0] for line in markup.splitlines() if line.strip()]
            if any(w not in BLANK_TAGS and w not in BLOCKS and w[3:] not in BLOCKS for w in words):
                blocks.not_blank()
                self._unknown()
            if not blocks.silent:  # the variables it sets are not known
                for variable in _LIQUID_SETS.finditer(markup):
                    self.run.variables.forget(variable.group(1))
            return
        if name not in BLANK_TAGS:
            blocks.not_blank()  # a tag that outputs something (link, cycle, a plugin's)
            self._unknown()

    def _close(self, name: str, start: int) -> None:
        """An ``end<name>`` tag: close the innermost block and output what it makes."""
        top = self.blocks.close(name, start)
        if top is None:
            return
        if top.loop is not None:  # Liquid: the loop's variable was in the loop's scope
            self.run.variables.unshadow(top.loop)
        blank = top.blank or name in QUIET  # Liquid: comment and capture are blank
        if self.blocks.silent:
            pass
        elif name == "capture":  # Liquid: the text goes to a variable, not the output
            captured = "".join(self.out[top.mark :])
            del self.out[top.mark :]
            variable = _CAPTURE.match(top.markup)
            self.run.listing.release(variable.group(1) if variable else None)
            known = self.run.unknowns == top.unknowns  # all it holds is known
            if variable:
                certain = known and not self.blocks.branches
                self.run.variables.set(variable.group(1), captured, certain)
        elif name == "highlight" and not self.blocks.inside("highlight"):
            # (a highlight in a highlight is code of the outer one: escaped once)
            self._unknown()  # Jekyll's HTML has a <figure> and Rouge's spans
            self.out[top.mark :] = [highlight("".join(self.out[top.mark :]), top.markup)]
        elif name in DROPS_BLANK and blank:
            del self.out[top.mark :]  # Liquid: a blank block's white space is not output
        if not blank:
            self.blocks.not_blank()

    # -- listing, output and includes ----------------------------------------------------------

    def _lookup(self, name: str) -> tuple[Any, bool]:
        return self.run.variables.lookup(name, self.scope)

    def _unknown(self) -> None:
        """What is output here is not known as Jekyll writes it (a capture holding it is
        not known either)."""
        if not self.blocks.silent:
            self.run.unknowns += 1

    def _branch(self, truth: bool | None) -> None:
        """The innermost ``if``/``unless`` starts a branch whose condition is ``truth``."""
        self.blocks.branch(truth)
        if self.blocks.stack[-1].state == "maybe":
            self._unknown()

    def _note_listing(self, name: str, markup: str) -> None:
        where = f" (in {self.name})" if self.prefix else ""
        self.run.listing.note(name, markup, where)

    def _output(self, markup: str, pos: int) -> None:
        """``{{ … }}``: its value when searcher knows it (:meth:`.Variables.output`);
        else nothing."""
        text, unknown = self.run.variables.output(markup, self.scope)
        if unknown:
            self.warn(
                self.line(pos),
                f"filter {unknown!r} is not applied (searcher runs only a few of "
                "Liquid's filters); the value is used as it is",
            )
        if text is not None:
            self.emit(text)
        if text is None or unknown:
            self._unknown()

    def _include(self, markup: str, relative: bool, pos: int) -> str:
        """The text of ``{% include %}`` / ``{% include_relative %}`` rendered, or "" with
        a warning."""
        line = self.line(pos)
        found = resolve_include(
            self.run, markup, relative, line, self.scope, self.active, self.warn
        )
        if found is None:
            self._unknown()
            return ""
        child = Template(
            self.run, found.text, found.shown, f"{self.prefix}{self.name}:{line}: in ", 1,
            found.scope or {}, (*self.active, found.path), bool(self.blocks.branches),
        )  # fmt: skip
        return child.render()
