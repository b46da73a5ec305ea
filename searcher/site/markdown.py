"""The Markdown parser: markdown-it-py made to read a body the way kramdown reads it.

Jekyll converts Markdown with kramdown (``input: GFM``, kramdown-parser-gfm 1.1,
kramdown 2.4). markdown-it-py (CommonMark) parses the blocks; where the two
disagree on real Chinese text, kramdown's rule is used, each measured against
``jekyll build`` 4.3.1 (``tests/test_site_kramdown.py``):

* spans (:mod:`.spans`): emphasis next to CJK punctuation, ``~~strike~~``, link and
  image targets with spaces or any scheme, autolink text printed as written;
* HTML blocks (:func:`kramdown_html_block`) run to their end tag across blank lines;
  a comment, instruction or declaration never closed is text
  (:func:`commonmark_html_block`), not the rest of the document;
* tables (:func:`kramdown_table`): every run of lines with a ``|`` is a table, so the
  ``|`` in ``现场 | 标题`` is a cell boundary, not text;
* kramdown's own syntax (:func:`drop_kramdown_syntax`): attribute lists, ALDs,
  extensions, header ids and abbreviation definitions are not printed (code blocks
  print as written); ``* TOC`` + ``{:toc}`` becomes the list of headings, as kramdown
  prints it;
* footnotes (mdit-py-plugins' footnote plugin) print as kramdown prints them: the
  reference as its number, the notes at the end, without the ``↩`` back link;
* task list items (``- [ ] 任务``, ``- [x] 任务``) print their checkbox, not ``[ ]``;
* ``<mailto:…>`` prints without ``mailto:``.

Two documented deviations from Jekyll's ``strip_html`` text: an image's alt text is
kept, unless it is a file name (:func:`image_alt`), and the footnotes' ``↩`` is not.

Known differences left (measured on a real site, rare): kramdown prints a stray end tag
or a block tag inside a paragraph as text (``&lt;/div&gt;``), reads the inside of an
unknown inline element (``<font>…**b**…</font>``) raw, prints an empty ``# `` heading as
``#``, and continues a list after an under-indented paragraph where CommonMark does not.
"""

from __future__ import annotations

import bisect
import html
import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock, html_block, list_block
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from .spans import kramdown_emphasis, kramdown_link, kramdown_strikethrough

#: Markdown nesting levels parsed (a list level counts two: list and item).
MAX_MARKDOWN_NESTING = 10_000

#: How many top-level blocks at the end of a body are looked at for the source link.
SOURCE_LINK_BLOCKS = 2

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


# kramdown's own syntax. Measured: a block IAL or ALD on a line of its own, an extension
# anywhere, a span IAL right after a span ("*强调*{: .x}", "[链](u){:target=_blank}")
# are not printed; a span IAL after plain text ("文字{: .y}") is printed as written.
_KRAMDOWN_COMMENT = re.compile(r"\{::comment\}.*?\{:/(?:comment)?\}", re.S)
_KRAMDOWN_EXTENSION = re.compile(r"\{::(?:[^{}\n\\]|\\.)*\}|\{:/[a-z]*\}")
_KRAMDOWN_LINE = re.compile(r"^[ \t]{0,3}\{:(?:[^{}\n\\]|\\.)*\}[ \t]*$", re.M)
_SPAN_IAL = re.compile(r"(?<=[*_)\]`>~])\{:(?:[^{}\n\\]|\\.)*\}")
_HEADER_ID = re.compile(
    r"^(#{1,6}[ \t][^\n]*?|[^\n]*?(?=[ \t]+\{#[^}\n]*\}[ \t]*\n[ \t]{0,3}(?:=+|-+)[ \t]*$))"
    r"[ \t]+\{#[A-Za-z][\w:-]*\}[ \t]*$",
    re.M,
)
_TOC_LINE = re.compile(r"[ \t]{0,3}\{:[ \t]*(?:[^{}\n]*[ \t])?toc(?:[ \t][^{}\n]*)?\}[ \t]*")
_LIST_LINE = re.compile(r"[ \t]{0,3}(?:[*+-]|\d+\.)[ \t]+\S")


def _mark_tocs(body: str) -> str:
    """``body`` with each list that ends in ``{:toc}`` replaced by the TOC marker: the
    whole list, every item on the lines just above the marker (kramdown replaces the
    list, so items such as ``* 目录`` before ``* TOC`` are never shown; measured with
    ``jekyll build`` 4.3.1). Linear: each line is looked at at most twice."""
    lines = body.split("\n")
    out: list[str] = []
    for line in lines:
        if _TOC_LINE.fullmatch(line):
            start = len(out)
            while start > 0 and _LIST_LINE.match(out[start - 1]):
                start -= 1
            if start < len(out):
                del out[start:]
                out.extend(["", _TOC_MARK, ""])
                continue
        out.append(line)
    return "\n".join(out)


_TOC_MARK = "<!--searcher:kramdown-toc-->"


def drop_kramdown_syntax(body: str) -> str:
    """``body`` without kramdown's own syntax, as kramdown prints it (measured).

    Removed: ``{::comment}…{:/comment}`` with its text; the markers of every other
    extension (``{::options … /}``, ``{::nomarkdown}`` and ``{:/}``: the text between
    stays); block attribute lists and ALDs alone on a line (``{: .cls}``, ``{:#id}``,
    ``{:ref: .x}``); span attribute lists right after a span (``*a*{: .x}``,
    ``[a](u){:target="_blank"}``); a header's id (``## 标题 {#id}``). A span attribute
    list after plain text stays, as kramdown prints it. A list followed by ``{:toc}``
    becomes a marker that :func:`render_markdown` replaces by the headings.

    >>> drop_kramdown_syntax("段落\\n{: .cls}\\n\\n## 标题 {#id}\\n\\n*强*{: .x}文字{: .y}")
    '段落\\n\\n\\n## 标题\\n\\n*强*文字{: .y}'
    """
    if "{:" not in body and "{#" not in body:
        return body
    if "{::comment}" in body:
        body = _drop_comments(body)
    return "".join(part if code else _drop_outside_code(part) for part, code in _fenced_parts(body))


def _drop_comments(body: str) -> str:
    """``body`` without its ``{::comment}…{:/comment}`` that start outside a fenced
    code block: a comment hides the code blocks in it, a code block shows the comment
    markup in it (kramdown reads the block that starts first)."""
    starts, ends, pos = [], [], 0
    for part, code in _fenced_parts(body):
        if code:
            starts.append(pos)
            ends.append(pos + len(part))
        pos += len(part)

    def drop(match: re.Match[str]) -> str:
        at = bisect.bisect_right(starts, match.start()) - 1
        return match.group(0) if at >= 0 and match.start() < ends[at] else ""

    return _KRAMDOWN_COMMENT.sub(drop, body)


def _drop_outside_code(body: str) -> str:
    if "{:" in body:
        body = _mark_tocs(body)
        body = _KRAMDOWN_EXTENSION.sub("", body)
        body = _KRAMDOWN_LINE.sub("", body)
        body = _SPAN_IAL.sub("", body)
    if "{#" in body:
        body = _HEADER_ID.sub(r"\1", body)
    return body


_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")


def _fenced_parts(body: str) -> list[tuple[str, bool]]:
    """``body`` cut into ``(text, is a closed fenced code block)`` parts, in order, one
    pass over the lines. kramdown prints a code block's text as written, ``{: .x}``
    included (measured), and a fence never closed is no code block in kramdown.

    >>> _fenced_parts("a\\n```\\n{: .x}\\n```\\nb\\n")
    [('a\\n', False), ('```\\n{: .x}\\n```\\n', True), ('b\\n', False)]
    """
    parts: list[tuple[str, bool]] = []
    start = pos = 0
    fence = ""
    for line in body.splitlines(keepends=True):
        match = _FENCE.match(line)
        if match and not fence:
            if not (match.group(1)[0] == "`" and "`" in line[match.end() :]):
                parts.append((body[start:pos], False))
                start, fence = pos, match.group(1)
        elif match and fence and match.group(1).startswith(fence):
            if not line[match.end() :].strip():
                parts.append((body[start : pos + len(line)], True))
                start, fence = pos + len(line), ""
        pos += len(line)
    parts.append((body[start:], False))
    return [part for part in parts if part[0]]


# kramdown's abbreviation definitions (parser/kramdown/abbreviation.rb) print nothing.
_ABBREVIATION = re.compile(r"\*\[[^\n]+?\]:[^\n]*")


def kramdown_abbreviation(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Block rule: a line ``*[HTML]: 超文本标记语言`` that starts a block is kramdown's
    abbreviation definition and prints nothing (measured; inside a paragraph it is
    text, as in kramdown). The abbreviation's uses print as written (``<abbr>`` is
    markup that ``strip_html`` removes)."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    pos = state.bMarks[start] + state.tShift[start]
    if not _ABBREVIATION.fullmatch(state.src, pos, state.eMarks[start]):
        return False
    if not silent:
        state.line = start + 1
    return True


# HTML blocks. kramdown (parser/kramdown/html.rb): a start tag of any element but a span
# element (<a>, <b>, <span>, <img> …), at most three spaces in, starts an HTML block that
# runs to its end tag, blank lines and indented lines included; its text is not Markdown
# (Jekyll's parse_block_html is false).
_SPAN_ELEMENTS = frozenset(
    "a abbr acronym b big bdo br button cite code del dfn em i img input ins kbd label mark"
    " option q rb rbc rp rt rtc ruby samp select small span strong sub sup tt u var".split()
)
_VOID_ELEMENTS = frozenset(
    "area base br col command embed hr img input keygen link meta param source track wbr".split()
)
_START_TAG = re.compile(
    r"<([A-Za-z][A-Za-z0-9_:-]*)((?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)"
    r"\s*(/?)>"
)


def _tag_pairs(state: StateBlock, name: str) -> dict[int, int]:
    """``{start of a <name …> tag: end of its matching </name>}`` over the whole
    document, computed once per render and element name (a stack over the tags in
    order: linear, however many are never closed)."""
    cache: dict[str, dict[int, int]] = state.env.setdefault("kramdown_html", {})
    if name not in cache:
        pattern = re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])[^>]*>", re.I)
        stack: list[int] = []
        pairs: dict[int, int] = {}
        for match in pattern.finditer(state.src):
            if not match.group(1):
                stack.append(match.start())
            elif stack:
                pairs[stack.pop()] = match.end()
        cache[name] = pairs
    return cache[name]


_MARKDOWN_ATTRIBUTE = re.compile(r"""\smarkdown\s*=\s*["']?(?:1|block|span)\b""", re.I)


def _markdown_html_block(
    state: StateBlock, start: int, last: int, tag_end: int, silent: bool
) -> bool:
    """An element with ``markdown="1"`` whose start and end tags are alone on their
    lines: kramdown reads the lines between as Markdown."""
    if state.src[tag_end : state.eMarks[start]].strip() or last == start:
        return False
    end_tag = state.src[state.bMarks[last] + state.tShift[last] : state.eMarks[last]]
    if not end_tag.startswith("</") or not end_tag.rstrip().endswith(">"):
        return False
    if silent:
        return True
    token = state.push("html_block", "", 0)
    token.content = _MARKDOWN_ATTRIBUTE.sub("", state.getLines(start, start + 1, 0, True))
    state.md.block.tokenize(state, start + 1, last)
    token = state.push("html_block", "", 0)
    token.content = state.getLines(last, last + 1, 0, True)
    state.line = last + 1
    return True


def kramdown_html_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Block rule, before CommonMark's ``html_block``: an HTML element that starts a
    line (at most three spaces in) and is not a span element runs, raw, to the line of
    its matching end tag, as in kramdown; CommonMark ends it at a blank line and reads
    the indented lines after it as code. With ``markdown="1"`` the lines between are
    Markdown. Void or self-closed elements and elements never closed are left to
    CommonMark's rule."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    pos = state.bMarks[start] + state.tShift[start]
    match = _START_TAG.match(state.src, pos, state.eMarks[start])
    if not match:
        return False
    name = match.group(1).lower()
    if name in _SPAN_ELEMENTS or name in _VOID_ELEMENTS or match.group(3):
        return False
    close = _tag_pairs(state, name).get(pos)
    if close is None:
        return False
    last = start
    while last < end and state.eMarks[last] < close:
        last += 1
    if last >= end:
        return False
    markdown = _MARKDOWN_ATTRIBUTE.search(match.group(2))
    if markdown:
        return _markdown_html_block(state, start, last, match.end(), silent)
    if silent:
        return True
    rest = state.src[close : state.eMarks[last]]
    token = state.push("html_block", "", 0)
    token.map = [start, last + 1]
    token.content = state.getLines(start, last + 1, state.blkIndent, True)
    state.line = last + 1
    if rest.strip():
        # kramdown reads on after the end tag: the rest of the line, and the lines up
        # to a blank one, are a paragraph of Markdown.
        token.content = token.content[: len(token.content) - len(rest) - 1] + "\n"
        following = last + 1
        while following < end and not state.isEmpty(following):
            following += 1
        state.push("paragraph_open", "p", 1).map = [last, following]
        inline = state.push("inline", "", 0)
        inline.content = (rest + "\n" + state.getLines(last + 1, following, 0, False)).strip()
        inline.map = [last, following]
        inline.children = []
        state.push("paragraph_close", "p", -1)
        state.line = following
    return True


# Markup that CommonMark runs, raw, to the end of the document when it is never closed
# (HTML block types 2-5) and kramdown reads as text (its HTML_COMMENT_RE, instruction
# and CDATA patterns need the end): "<!-- 注释" without "-->" is a paragraph on the site.
_UNCLOSED_ENDS = (("<!--", "-->"), ("<?", "?>"), ("<![CDATA[", "]]>"), ("<!", ">"))


def commonmark_html_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """CommonMark's ``html_block`` rule, except for a comment, processing instruction,
    CDATA section or declaration whose end (``-->``, ``?>``, ``]]>``, ``>``) is nowhere
    after it: kramdown prints that as text, where CommonMark would swallow the rest of
    the document (measured: ``<!-- 注释`` then ``后文`` prints both). Linear: the last
    end of each kind is found once per render."""
    pos = state.bMarks[start] + state.tShift[start]
    if state.src.startswith("<!", pos) or state.src.startswith("<?", pos):
        last: dict[str, int] = state.env.setdefault("kramdown_last_end", {})
        for opening, closing in _UNCLOSED_ENDS:
            if state.src.startswith(opening, pos):
                if closing not in last:
                    last[closing] = state.src.rfind(closing)
                if last[closing] < pos + len(opening):
                    return False
                break
    return html_block(state, start, end, silent)


_PAREN_ITEM = re.compile(r"[ \t]*\d{1,9}\)")


def kramdown_list(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """CommonMark's list rule without ``1)`` items: kramdown's ordered list markers are
    ``1.`` only, so ``1) 第一点`` is a paragraph that prints its number (measured)."""
    if _PAREN_ITEM.match(state.src, state.bMarks[start], state.eMarks[start]):
        return False
    return list_block(state, start, end, silent)


# Tables. kramdown (parser/kramdown/table.rb) reads every run of lines that each hold a
# "|" (not escaped, not in a code span) as table rows, at a block boundary and up to a
# blank line (rows followed by a line without "|" are a paragraph): "现场 | 标题" alone
# in a paragraph is a one-row table, its "|" a cell boundary that Jekyll does not
# print, and "[a | b](u)" is split into two cells.
_SETEXT_UNDERLINE = re.compile(r"[ \t]{0,3}(?:=+|-+)[ \t]*")
_TABLE_SEPARATOR = re.compile(r"[+|: \t-]*?-[+|: \t-]*?[ \t]*|[+|: \t=]*?=[+|: \t=]*?[ \t]*")


def _cells(line: str) -> list[str] | None:
    """The cells of a table row: split at each "|" that is not escaped and not in a code
    span, ``\\|`` made ``|``; None when the line has no such "|"."""
    cells, cell, i = [], [], 0
    while i < len(line):
        char = line[i]
        if char == "`":
            run = len(line[i:]) - len(line[i:].lstrip("`"))
            ticks = line[i : i + run]
            close = line.find(ticks, i + run)
            while close >= 0 and line.startswith("`", close + run):
                close = line.find(ticks, close + run + 1)
            if close >= 0:
                cell.append(line[i : close + run])
                i = close + run
                continue
            cell.append(ticks)
            i += run
            continue
        if char == "\\" and line.startswith("|", i + 1):
            cell.append("|")
            i += 2
            continue
        if char == "|":
            cells.append("".join(cell))
            cell = []
        else:
            cell.append(char)
        i += 1
    if not cells:
        return None
    cells.append("".join(cell))
    if line.lstrip().startswith("|") and not cells[0].strip():
        cells.pop(0)
    if cells and not cells[-1].strip():
        cells.pop()
    return cells


def kramdown_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Block rule, after lists (``- a | b`` is a list item holding a one-row table, as
    in kramdown): kramdown's table rows (see above), GFM tables included, so that a
    ``|`` in a code span does not split a cell (markdown-it's GFM rule is off). Lines
    that start an ATX heading or HTML, and a first line underlined as a setext heading,
    are left to the other rules."""
    rows: list[list[str]] = []
    header = 0  # rows before the first separator line: kramdown's <thead>
    line = start
    while line < end and not state.isEmpty(line):
        if state.sCount[line] - state.blkIndent >= 4:
            break
        text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
        if line > start and state.sCount[line] < state.blkIndent:
            break
        if _TABLE_SEPARATOR.fullmatch(text) and "|" in text:
            header = header or len(rows)
            line += 1
            continue
        cells = None if text.startswith(("#", "<")) else _cells(text)
        if cells is None:
            break
        if line == start and line + 1 < end:
            below = state.src[state.bMarks[line + 1] : state.eMarks[line + 1]]
            if _SETEXT_UNDERLINE.fullmatch(below):
                return False
        rows.append(cells)
        line += 1
    if not rows or (
        line < end and not state.isEmpty(line) and state.sCount[line] >= state.blkIndent
    ):
        return False  # kramdown: rows that run on into a paragraph line are a paragraph
    if silent:
        return True
    state.push("table_open", "table", 1).map = [start, line]
    for part, cell_tag, part_rows in (
        ("thead", "th", rows[:header]),
        ("tbody", "td", rows[header:]),
    ):
        if not part_rows:
            continue
        state.push(f"{part}_open", part, 1)
        for cells in part_rows:
            state.push("tr_open", "tr", 1)
            for cell in cells:
                state.push(f"{cell_tag}_open", cell_tag, 1)
                token = state.push("inline", "", 0)
                token.content = cell.strip()
                token.children = []
                state.push(f"{cell_tag}_close", cell_tag, -1)
            state.push("tr_close", "tr", -1)
        state.push(f"{part}_close", part, -1)
    state.push("table_close", "table", -1)
    state.line = line
    return True


class _KramdownIt(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
        """kramdown links any target: ``[点我](javascript:…)`` is a link, its text kept
        (markdown-it refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:``
        targets and leaves the brackets as text). Only the link's text is indexed."""
        return True

    def normalizeLinkText(self, link: str) -> str:  # noqa: N802 (markdown-it's name)
        """An autolink prints as written, as in kramdown: markdown-it would decode
        ``%E9%92%9F`` to 钟 and punycode in the text."""
        return link


def markdown_parser() -> MarkdownIt:
    """CommonMark with raw HTML, with kramdown's spans, tables, HTML blocks and
    footnotes (see the module's docstring).

    CommonMark's preset stops parsing, silently, 20 levels deep (10 nested lists), and
    everything after is lost; kramdown has no such limit, so the limit is
    :data:`MAX_MARKDOWN_NESTING` (deeper than Python's recursion allows, the caller
    reads the body as text instead).
    """
    parser = _KramdownIt("commonmark", {"html": True, "maxNesting": MAX_MARKDOWN_NESTING})
    parser.disable("emphasis")
    parser.inline.ruler.before("link", "kramdown_emphasis", kramdown_emphasis)
    parser.inline.ruler.before("link", "kramdown_strikethrough", kramdown_strikethrough)
    parser.inline.ruler.after("image", "kramdown_link", kramdown_link)
    parser.block.ruler.before("html_block", "kramdown_table", kramdown_table)
    parser.block.ruler.before("reference", "kramdown_abbreviation", kramdown_abbreviation)
    parser.block.ruler.before(
        "html_block",
        "kramdown_html_block",
        kramdown_html_block,
        {"alt": ["paragraph", "reference", "blockquote"]},
    )
    parser.block.ruler.at("list", kramdown_list, {"alt": ["paragraph", "reference", "blockquote"]})
    parser.block.ruler.at(
        "html_block", commonmark_html_block, {"alt": ["paragraph", "reference", "blockquote"]}
    )
    parser.use(footnote_plugin, inline=False)
    # kramdown-parser-gfm makes "- [ ] 任务" / "- [x] 任务" a checkbox (parse_list), which
    # prints nothing: "[ ]" is not text on the site (measured).
    parser.use(tasklists_plugin)
    parser.add_render_rule("image", image_alt)
    parser.add_render_rule("footnote_ref", _footnote_ref)
    parser.add_render_rule("footnote_anchor", _nothing)
    parser.add_render_rule("footnote_block_open", _footnotes_open)
    parser.add_render_rule("footnote_block_close", _footnotes_close)
    return parser


def _top_level_blocks(tokens: list[Token]) -> list[list[Token]]:
    """The tokens of each top-level block, in order."""
    blocks: list[list[Token]] = []
    depth = 0
    for token in tokens:
        if depth == 0:
            blocks.append([])
        blocks[-1].append(token)
        depth += token.nesting
    return blocks


def _lone_link(block: list[Token]) -> str | None:
    """The target of a paragraph that is one http(s) link and nothing else, or None."""
    if len(block) != 3 or block[0].type != "paragraph_open" or not block[1].children:
        return None
    parts = [t for t in block[1].children if not (t.type == "text" and not t.content.strip())]
    if (
        len(parts) < 2
        or parts[0].type != "link_open"
        or parts[-1].type != "link_close"
        or sum(t.type == "link_open" for t in parts) != 1
    ):
        return None
    href = str(parts[0].attrs.get("href", ""))
    return href if re.match(r"https?://", href, re.I) else None


def source_link(tokens: list[Token]) -> str | None:
    """The post's source link: the target of the last paragraph, among the last
    :data:`SOURCE_LINK_BLOCKS` top-level blocks, that is one http(s) link alone
    (``<http://…>`` or ``[原文](http://…)``), as finews posts end (its README); None when
    there is none. The link's text stays in the body, as Jekyll prints it."""
    for block in reversed(_top_level_blocks(tokens)[-SOURCE_LINK_BLOCKS:]):
        url = _lone_link(block)
        if url:
            return url
    return None


def _table_of_contents(md: MarkdownIt, tokens: list[Token], env: dict[str, Any]) -> str:
    """kramdown's TOC as HTML: one list item per heading (levels 1–6, Jekyll's
    ``toc_levels``), its text as the heading prints it."""
    items = [
        "<li>" + md.renderer.render(tokens[i + 1].children or [], md.options, env) + "</li>"
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
    ]
    return f"<ul>{''.join(items)}</ul>\n" if items else ""


def render_markdown(md: MarkdownIt, body: str) -> tuple[str, str | None]:
    """``body`` (after :func:`drop_kramdown_syntax`) as HTML, and its source link
    (:func:`source_link`). A TOC marker becomes the headings' list; an autolink to
    ``mailto:a@b`` prints ``a@b``, as kramdown prints it."""
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
    for token in tokens:
        if token.type == "html_block" and token.content.strip() == _TOC_MARK:
            token.content = _table_of_contents(md, tokens, env)
        elif token.type == "inline" and token.children:
            for i, child in enumerate(token.children[:-1]):
                if child.type == "link_open" and child.markup == "autolink":
                    text = token.children[i + 1]
                    if text.content.lower().startswith("mailto:"):
                        text.content = text.content[len("mailto:") :]
    return md.renderer.render(tokens, md.options, env), source_link(tokens)
