"""The Markdown parser: markdown-it-py made to read spans the way kramdown reads them.

Jekyll converts Markdown with kramdown (``input: GFM``, kramdown-parser-gfm 1.1,
kramdown 2.4). markdown-it-py (CommonMark) parses the blocks; the rules here replace
CommonMark's where the two disagree on real Chinese text, each measured against
``jekyll build`` 4.3.1 (``tests/test_site_kramdown.py``):

* Emphasis (:func:`kramdown_emphasis`): kramdown's own algorithm
  (``lib/kramdown/parser/kramdown/emphasis.rb``), not CommonMark's flanking rules, so
  ``Google**「让 Web 成为」**而`` and ``**文｜**龚菁琦`` are bold.
  ``mdit-py-cjk-friendly`` was not used: it implements the CommonMark CJK-friendly
  proposal, which still differs from kramdown (``7*24小时，*号`` is emphasis in kramdown,
  ``__a__和_b_`` is one ``<em>`` holding ``_a__和_b``).
* Strikethrough (:func:`kramdown_strikethrough`): kramdown-parser-gfm's ``~~…~~``.
* Links and images accept any target, as kramdown does (``javascript:``, spaces).
* Footnotes (mdit-py-plugins' footnote plugin) print as kramdown prints them: the
  reference as its number, the notes at the end, without the ``↩`` back link.
* An image's alt text is its text, unless it is a file name (:func:`image_alt`).
"""

from __future__ import annotations

import bisect
import html
import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.footnote import footnote_plugin

#: Markdown nesting levels parsed (a list level counts two: list and item).
MAX_MARKDOWN_NESTING = 10_000

# Ruby's \s, which kramdown's rules use, is ASCII white space only (U+3000 is not).
_RUBY_SPACE = frozenset(" \t\n\r\f\v")


def _open_spans(state: StateInline) -> list[str]:
    """The emphasis elements ("em", "strong") open around ``state.pos`` in this render."""
    spans: list[str] = state.env.setdefault("kramdown_spans", [])
    return spans


def _literal(state: StateInline, text: str, silent: bool) -> bool:
    if not silent:
        state.pending += text
    state.pos += len(text)
    return True


def _closes(src: str, pos: int, start: int, delim: str, em: bool) -> bool:
    """kramdown's test that ``delim`` at ``pos`` closes a span whose text began at
    ``start``: the span is not empty, no white space before, an ``*``/``_`` span not
    closed by a ``**``/``__`` (unless a third follows), ``_`` not before a letter."""
    after = pos + len(delim)
    return (
        pos > start
        and src[pos - 1] not in _RUBY_SPACE
        and not (em and src.startswith(delim * 2, pos) and not src.startswith(delim, pos + 2))
        and not (delim[0] == "_" and after < len(src) and src[after].isalnum())
    )


def _find_close(state: StateInline, start: int, delim: str, element: str) -> int | None:
    """Where the span ``element`` opened by ``delim`` (text from ``start``) closes, or
    None: kramdown's ``parse_spans`` with a stop pattern, each other span (a link, code,
    a nested emphasis) skipped whole.

    A scan that reaches a position in the same context (the same open spans) goes on the
    same way from there, whatever its start, so every position passed is memoised per
    render with the result: each position is scanned at most once per context, and a
    paragraph of openers that never close takes linear time, not cubic.
    """
    spans = _open_spans(state)
    spans.append(element)
    memo: dict[tuple[Any, ...], int | None] = state.env.setdefault("kramdown_memo", {})
    context = (state.src, state.posMax, delim, tuple(spans))
    src, end = state.src, state.posMax
    saved = state.pos
    found = None
    passed: list[int] = []
    pos = start
    while pos < end:
        if pos > start:
            if (context, pos) in memo:
                found = memo[context, pos]
                break
            passed.append(pos)
        if src.startswith(delim, pos) and _closes(src, pos, start, delim, element == "em"):
            found = pos
            break
        state.pos = pos
        if src[pos] in "*_":
            kramdown_emphasis(state, True)
        else:
            state.md.inline.skipToken(state)
        pos = state.pos
    for pos in passed:
        memo[context, pos] = found
    spans.pop()
    state.pos = saved
    return found


def kramdown_emphasis(state: StateInline, silent: bool) -> bool:
    """Inline rule: ``*``, ``**``, ``_``, ``__`` as kramdown reads them.

    kramdown 2.4 (``parser/kramdown/emphasis.rb``): an opener (``**`` before ``*``) is
    text when white space follows it, when ``_`` follows a letter (``snake_case``,
    ``中文_斜体_`` stay as written), or when the same element is already open; it closes
    at the first ``delim`` that :func:`_closes` accepts, other spans in between read whole.
    A ``**`` that finds no close opens an ``*`` instead (not directly inside an ``*``),
    whose text then starts with the second ``*`` (``**a*`` is ``<em>*a</em>``); an opener
    that finds no close is text. Punctuation does not matter, so
    ``**「引号」**后`` and ``7*24小时，*号`` are emphasis, unlike CommonMark.
    """
    src, pos = state.src, state.pos
    marker = src[pos]
    if marker not in "*_":
        return False
    delim = marker * 2 if src.startswith(marker * 2, pos) and pos + 1 < state.posMax else marker
    element = "strong" if len(delim) == 2 else "em"
    spans = _open_spans(state)
    after = pos + len(delim)
    if (
        (marker == "_" and _after_letter(src, pos))
        or (after < len(src) and src[after] in _RUBY_SPACE)
        or element in spans
    ):
        return _literal(state, delim, silent)
    start, written = after, delim
    close = _find_close(state, start, delim, element)
    if close is None and element == "strong" and (not spans or spans[-1] != "em"):
        delim, element, start = marker, "em", pos + 1
        close = _find_close(state, start, delim, element)
    if close is None:
        return _literal(state, written, silent)
    if not silent:
        tag = "strong" if element == "strong" else "em"
        token = state.push(f"{tag}_open", tag, 1)
        token.markup = delim
        _tokenize_between(state, start, close, element)
        token = state.push(f"{tag}_close", tag, -1)
        token.markup = delim
    state.pos = close + len(delim)
    return True


def _after_letter(src: str, pos: int) -> bool:
    """kramdown's ``pre_match =~ /[[:alpha:]]-?[[:alpha:]]*\\z/`` for an ``_``."""
    before = src[pos - 1] if pos else ""
    if before == "-" and pos >= 2:
        before = src[pos - 2]
    return before.isalpha()


def _tokenize_between(state: StateInline, start: int, close: int, element: str | None) -> None:
    """Tokens of ``state.src[start:close]``, inside ``element`` when given."""
    spans = _open_spans(state)
    old_max = state.posMax
    state.pos, state.posMax = start, close
    if element:
        spans.append(element)
    state.md.inline.tokenize(state)
    if element:
        spans.pop()
    state.posMax = old_max


def _strike_closers(state: StateInline) -> list[int]:
    """Positions of every ``~~`` that can end a strikethrough (after a character that
    is neither white space nor ``~``), computed once per inline text."""
    cache: dict[str, list[int]] = state.env.setdefault("kramdown_strike", {})
    closers = cache.get(state.src)
    if closers is None:
        src = state.src
        closers = [
            m.start()
            for m in re.finditer(r"(?=~~)", src)
            if m.start() and src[m.start() - 1] not in _RUBY_SPACE and src[m.start() - 1] != "~"
        ]
        cache[src] = closers
    return closers


def kramdown_strikethrough(state: StateInline, silent: bool) -> bool:
    """Inline rule: kramdown-parser-gfm's strikethrough, ``/~~(?!\\s|~).*?[^\\s~]~~/m``:
    ``~~`` not followed by white space or ``~``, up to the first ``~~`` after a
    character that is neither (``~~~三~~~`` is ``~<del>三</del>~``); any characters
    between, line breaks too; the text inside is read as spans."""
    src, pos = state.src, state.pos
    if not src.startswith("~~", pos) or pos + 2 >= state.posMax:
        return False
    if src[pos + 2] in _RUBY_SPACE or src[pos + 2] == "~":
        return False
    closers = _strike_closers(state)
    index = bisect.bisect_left(closers, pos + 3)
    if index == len(closers) or closers[index] + 2 > state.posMax:
        return False
    close = closers[index]
    if not silent:
        # kramdown reads the text inside with a new scanner: no emphasis is open there.
        outer = _open_spans(state)
        state.env["kramdown_spans"] = []
        state.push("s_open", "del", 1).markup = "~~"
        _tokenize_between(state, pos + 2, close, None)
        state.push("s_close", "del", -1).markup = "~~"
        state.env["kramdown_spans"] = outer
    state.pos = close + 2
    return True


_FILE_NAME = re.compile(r"[^\s/\\]+\.[A-Za-z][A-Za-z0-9]{1,4}")


def image_alt(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """Render rule: an image is searchable by its alt text (``![图片说明](a.png)`` →
    图片说明), except alt text that is a file name (``寿光水灾-1.jpg``, ``IMG_2024.PNG``:
    no spaces, a dot and a 2–5 character extension) or equal to the target's last path
    segment. A documented deviation: Jekyll's ``strip_html`` drops all alt text.

    >>> md = markdown_parser()
    >>> md.render("![寿光水灾-1.jpg](a/寿光水灾-1.jpg)![图 一](b.png)![x](x)")
    '<p>图 一</p>\\n'
    """
    token = tokens[idx]
    alt = token.content.strip()
    target = str(token.attrs.get("src", "")).rstrip("/").rsplit("/", 1)[-1]
    if _FILE_NAME.fullmatch(alt) or alt == target:
        return ""
    return html.escape(token.content, quote=False)


def _footnote_ref(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """kramdown prints a footnote reference as its number (``正文[^a]`` → 正文1)."""
    return f"<sup>{tokens[idx].meta['id'] + 1}</sup>"


def _nothing(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    return ""


def _footnotes_open(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    return '<div class="footnotes"><ol>'


def _footnotes_close(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    return "</ol></div>"


class _KramdownIt(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
        """kramdown links any target: ``[点我](javascript:…)`` is a link, its text kept
        (markdown-it refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:``
        targets and leaves the brackets as text). Only the link's text is indexed."""
        return True


def markdown_parser() -> MarkdownIt:
    """CommonMark with raw HTML and tables, with kramdown's emphasis, strikethrough,
    footnotes and link targets (see the module's docstring).

    CommonMark's preset stops parsing, silently, 20 levels deep (10 nested lists), and
    everything after is lost; kramdown has no such limit, so the limit is
    :data:`MAX_MARKDOWN_NESTING` (deeper than Python's recursion allows, the caller
    reads the body as text instead).
    """
    parser = _KramdownIt("commonmark", {"html": True, "maxNesting": MAX_MARKDOWN_NESTING})
    parser.enable("table")
    parser.disable("emphasis")
    parser.inline.ruler.before("link", "kramdown_emphasis", kramdown_emphasis)
    parser.inline.ruler.before("link", "kramdown_strikethrough", kramdown_strikethrough)
    parser.use(footnote_plugin, inline=False)
    parser.add_render_rule("image", image_alt)
    parser.add_render_rule("footnote_ref", _footnote_ref)
    parser.add_render_rule("footnote_anchor", _nothing)
    parser.add_render_rule("footnote_block_open", _footnotes_open)
    parser.add_render_rule("footnote_block_close", _footnotes_close)
    return parser
