"""Body text: Markdown (read as kramdown reads it), HTML (lxml), encodings, first sentence.

* :func:`body_to_text` turns a document body into plain text and its source URL:
  Markdown goes through markdown-it-py with kramdown's rules (:mod:`.markdown`), raw
  HTML allowed, as kramdown does; the HTML goes through
  :func:`html_to_text`, which decodes entities exactly once (C9).
* :func:`decode_bytes` decodes a file (UTF-8, GB18030 or UTF-16, with warnings).
* :func:`first_sentence` gives the title of an untitled post (C8).
"""

from __future__ import annotations

import html
import html.parser
import re
from dataclasses import dataclass
from typing import cast

import lxml.html
from lxml import etree

from .markdown import drop_kramdown_syntax, markdown_parser, render_markdown
from .options import CONTROL_CHARS
from .records import SkippedPostError

#: More "[" than this in a Markdown body and it is read as text and HTML, not Markdown.
MAX_LINK_BRACKETS = 10_000

#: Longest title derived from the body when a post has none (characters).
FALLBACK_TITLE_CHARS = 60

ONE_LINE = str.maketrans("\x0b\x0c\r\n\u2028\u2029", "      ")


def one_line(text: str) -> str:
    """``text`` as one line of plain text, for a title or a facet value: control
    characters dropped, line and paragraph breaks made spaces, ends stripped."""
    return CONTROL_CHARS.sub("", text).translate(ONE_LINE).strip()


_SEP = r"[ \t｜|/·•,，、—–-]*"
_BACK_LINK = r"\[返回[^\]\n]*\]\([^)\n]*\)"
_FOOTER_LINE = re.compile(rf"^[ \t]*{_BACK_LINK}(?:{_SEP}{_BACK_LINK})*{_SEP}$", re.M)
_EMPTY_AUTOLINK = re.compile(r"^[ \t]*<>[ \t]*$", re.M)


_SPACES = re.compile(r"[^\S\n]+")


_MARKDOWN = markdown_parser()


def markdown_to_html(body: str) -> tuple[str, str | None]:
    """Render a Markdown body to HTML as kramdown would; returns (HTML, source link).

    Before rendering (issue 2 and the finews README): navigation footer lines made only
    of ``[返回…](…)`` links and separators are dropped (Jekyll prints them; they are the
    site's navigation, not the article), and so is a line that is only the empty
    autolink ``<>`` (finews' generator writes it when a feed item has no URL); kramdown's
    own syntax is dropped (:func:`.markdown.drop_kramdown_syntax`).
    The rest is rendered by :func:`.markdown.render_markdown`, raw HTML passed through,
    so entities are still encoded in the result: :func:`html_to_text` decodes them
    exactly once. The source link is :func:`.markdown.source_link`'s; links and
    autolinks keep their text in the body.

    >>> markdown_to_html("| a | b |\\n|---|---|\\n| 1 | 2 |\\n{: .table}")[0].count("<td>")
    2
    >>> markdown_to_html("正文 <https://a.example/1>。\\n\\n<http://b.example/2>\\n")
    ('<p>正文 <a href="https://a.example/1">https://a.example/1</a>。</p>\\n<p><a href="http://b.example/2">http://b.example/2</a></p>\\n', 'http://b.example/2')
    """  # noqa: E501
    body = _FOOTER_LINE.sub("", body)
    body = _EMPTY_AUTOLINK.sub("", body)
    body = drop_kramdown_syntax(body)
    return render_markdown(_MARKDOWN, body)


_BLOCK_TAGS = (
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
)  # fmt: skip
_CELL_TAGS = ("td", "th")
_INVISIBLE = etree.XPath(
    "//script | //style | //noscript | //template | //iframe | //object | //rt | //rp"
    " | //*[@hidden] | //*[@style][contains(translate(@style, 'DISPLAYNOE ', 'displaynoe'),"
    " 'display:none')]"
)

# Marks put into the text while it is read, then turned into line ends: a block boundary,
# and the start and end of a <pre>. They are Unicode noncharacters (never text: removed
# from the source first), which lxml accepts in text.
_BREAK, _PRE_OPEN, _PRE_CLOSE = "\ufdd0", "\ufdd1", "\ufdd2"
_MARKS = re.compile("([\ufdd0-\ufdd2])")
_NONCHARACTERS = re.compile("[\ufdd0-\ufdef\ufffe\uffff]")


@dataclass(frozen=True)
class Body:
    """A document's visible text, one block per line, and where its code is.

    ``text``: one line per block (paragraph, heading, list item, table cell, line of a
    code block…), joined by ``"\\n"``, no empty line, no markup. ``code``: the
    ``(start, end)`` character offsets in ``text`` of each run of code lines (the lines
    of ``<pre>`` elements: code blocks, ``{% highlight %}``), in order, end exclusive.

    >>> html_to_body("<p>见下：</p><pre><code>x = 1\\ny = 2\\n</code></pre><p>完。</p>")
    Body(text='见下：\\nx = 1\\ny = 2\\n完。', code=((4, 15),))
    """

    text: str
    code: tuple[tuple[int, int], ...] = ()


def html_to_text(source: str, problems: list[str] | None = None) -> str:
    """Visible text of an HTML fragment, one block per line: :attr:`Body.text` of
    :func:`html_to_body`.

    >>> html_to_text("<h2>标题</h2><table><tr><td>甲</td><td>乙</td></tr></table>")
    '标题\\n甲\\n乙'
    """
    return html_to_body(source, problems).text


_XML_DECLARATION = re.compile(r"\A\s*<\?xml\s[^>]*>")


def without_xml_declaration(source: str) -> str:
    """``source`` without a leading XML declaration (an XHTML layout's or page's first
    line): lxml refuses a ``str`` that starts with one naming an encoding (ValueError),
    which read as an empty document and lost the whole text. It prints nothing on the
    site (kramdown keeps it as a processing instruction, ``strip_html`` removes it).

    >>> without_xml_declaration('<?xml version="1.0" encoding="UTF-8"?>\\n<p>文</p>')
    '\\n<p>文</p>'
    """
    return _XML_DECLARATION.sub("", source, count=1)


def html_to_body(source: str, problems: list[str] | None = None) -> Body:
    """Visible text of an HTML fragment as blocks, and where its code blocks are.

    Parsed once with lxml.html, so entities are decoded exactly once (``&amp;lt;`` is the
    text ``&lt;``, ``&lt;b&gt;`` the text ``<b>``; C9). Dropped: tags, comments,
    ``<script>``, ``<style>``, ``<noscript>``, ``<template>``, ``<iframe>``, ``<object>``,
    ruby annotations (``<rt>``, ``<rp>``: 汉<rt>hàn</rt>字 reads 汉字), elements with a
    ``hidden`` attribute or ``style="display:none"`` (finews hides an empty ``<p>`` this
    way), and everything in ``<head>``.

    Blocks (issue 19: phrases never cross them, snippets never join them): every block
    element (``<p>``, headings, ``<li>``, ``<div>``…), each table cell, each ``<br>`` and
    each line of a ``<pre>`` ends a line; so does a blank line in the source text, which
    an author of an HTML post without tags means as a paragraph. A single line break
    inside a block is white space, as a browser shows it: removed between two wide (CJK)
    characters, as CSS Text 3's segment break transformation has it, else one space. Every
    run of other white space (``&nbsp;`` and U+3000 included) becomes one space, each line
    is stripped, and empty lines are removed. The lines of ``<pre>`` elements are code
    (:attr:`Body.code`).

    :param source: the HTML, any size (lxml's ``huge_tree``: no limit on text nodes).
    :param problems: when given, gets one sentence per problem that changed how the text
        was read. libxml2 stops at 2,048 nested elements and drops all text after that
        point; such a document is read again with the standard library's streaming
        parser (no depth limit; ``hidden``/``display:none`` then only apply to the
        element names that :data:`_INVISIBLE` lists), and the problem is recorded.
    """
    # Vertical tab and form feed are white space, but lxml refuses them in text.
    source = _NONCHARACTERS.sub("", CONTROL_CHARS.sub("", source)).translate(_XML_SPACES)
    if not source.strip():
        return Body("")
    if "<" not in source and "&" not in source:
        return _blocks(source)  # plain text (most titles): what lxml would give, faster
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
    source = without_xml_declaration(source)
    try:
        root = lxml.html.document_fromstring(source, parser=parser)
    except (etree.ParserError, ValueError):  # "Document is empty": nothing visible
        return Body("")
    if any(error.level_name == "FATAL" for error in parser.error_log):
        error = next(e for e in parser.error_log if e.level_name == "FATAL")
        if problems is not None:
            problems.append(
                f"HTML that lxml cannot read whole ({error.message.split(',')[0]}); "
                "its text was read with a streaming parser instead"
            )
        return _streamed_body(source)
    body = cast("lxml.html.HtmlElement | None", root.find("body"))
    if body is None:
        return Body("")
    try:
        for element in cast("list[lxml.html.HtmlElement]", _INVISIBLE(root)):
            if element.getparent() is not None:
                element.drop_tree()
        for element in body.iter(*_BLOCK_TAGS, *_CELL_TAGS):
            element.text = _BREAK + (element.text or "")
            element.tail = _BREAK + (element.tail or "")
        for element in body.iter("br"):
            element.tail = _BREAK + (element.tail or "")
        for element in body.iter("pre"):
            element.text = _PRE_OPEN + (element.text or "")
            element.tail = _PRE_CLOSE + (element.tail or "")
    except ValueError:  # text lxml will not set again (&#1; decoded to a control code)
        return _streamed_body(source)
    return _blocks(body.text_content())


_XML_SPACES = str.maketrans("\x0b\x0c", "  ")
_INVISIBLE_TAGS = frozenset("script style noscript template iframe object rt rp head".split())


class _TextCollector(html.parser.HTMLParser):
    """The standard library's event parser collecting visible text (any depth), with the
    same block and code marks as :func:`html_to_body`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: list[str] = []  # the stack of hidden elements we are inside

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        style = "".join((v or "") for k, v in attrs if k == "style").replace(" ", "").lower()
        if (
            self.hidden
            or tag in _INVISIBLE_TAGS
            or any(k == "hidden" for k, _ in attrs)
            or ("display:none" in style)
        ):
            if tag not in _VOID_TAGS:
                self.hidden.append(tag)
            return
        if tag in _BLOCK_TAGS or tag in _CELL_TAGS or tag == "br":
            self.parts.append(_BREAK)
        if tag == "pre":
            self.parts.append(_PRE_OPEN)

    def handle_endtag(self, tag: str) -> None:
        if self.hidden:
            if tag in self.hidden:
                while self.hidden.pop() != tag:
                    pass
            return
        if tag == "pre":
            self.parts.append(_PRE_CLOSE)
        if tag in _BLOCK_TAGS or tag in _CELL_TAGS:
            self.parts.append(_BREAK)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


_VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)


def _streamed_body(source: str) -> Body:
    collector = _TextCollector()
    collector.feed(source)
    collector.close()
    return _blocks("".join(collector.parts))


# Wide characters (East Asian Wide and Fullwidth, Hangul excepted): a line break between
# two of them is removed, not made a space (CSS Text 3, segment break transformation).
_WIDE = re.compile(
    "[\u2e80-\u303f\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f"
    "\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003ffff]"
)
_SOFT_BREAK = re.compile(r"\s*\n\s*")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")


def _soft(text: str) -> str:
    """``text`` with its single line breaks made white space (see :func:`html_to_body`)."""

    def join(match: re.Match[str]) -> str:
        start, end = match.span()
        if start and end < len(text) and _WIDE.match(text[start - 1]) and _WIDE.match(text[end]):
            return ""
        return " "

    return _SOFT_BREAK.sub(join, text) if "\n" in text else text


def _blocks(marked: str) -> Body:
    """The :class:`Body` of text carrying the marks of :func:`html_to_body`."""
    marked = CONTROL_CHARS.sub("", marked)  # &#1; decodes to a control code
    lines: list[str] = []
    code: list[tuple[int, int]] = []
    offset = 0  # of the next line in the joined text
    in_pre = 0
    for piece in _MARKS.split(marked):
        if piece == _PRE_OPEN:
            in_pre += 1
        elif piece == _PRE_CLOSE:
            in_pre = max(0, in_pre - 1)
        elif piece and piece != _BREAK:
            raw = piece.split("\n") if in_pre else map(_soft, _BLANK_LINE.split(piece))
            for line in raw:
                line = _SPACES.sub(" ", line).strip()
                if not line:
                    continue
                if in_pre:
                    if code and code[-1][1] == offset - 1:
                        code[-1] = (code[-1][0], offset + len(line))
                    else:
                        code.append((offset, offset + len(line)))
                lines.append(line)
                offset += len(line) + 1
    return Body("\n".join(lines), tuple(code))


def body_to_text(
    body: str,
    markdown: bool = True,
    problems: list[str] | None = None,
    source_url: object = None,
) -> tuple[str, str | None]:
    """Plain text of a post body and its source URL: :func:`read_body` with the
    :attr:`Body.text` only."""
    read, url = read_body(body, markdown, problems, source_url)
    return read.text, url


def read_body(
    body: str,
    markdown: bool = True,
    problems: list[str] | None = None,
    source_url: object = None,
) -> tuple[Body, str | None]:
    """The :class:`Body` of a post body and its source URL; see :func:`markdown_to_html`.

    ``markdown`` is True for ``.md``/``.markdown`` posts (Markdown reduced first, then
    HTML) and False for ``.html`` posts (HTML only, no source URL found in the body).
    ``source_url`` is the front matter's ``source_url`` field: a non-empty string wins
    over the link found in the body (other values are ignored). ``problems`` gets what
    :func:`html_to_body` reports.

    >>> read_body("正文。\\n\\n<http://a.example/1>\\n")[0].text
    '正文。\\nhttp://a.example/1'
    >>> body_to_text("正文。\\n\\n<http://a.example/1>\\n", source_url=" https://b.example/ ")
    ('正文。\\nhttp://a.example/1', 'https://b.example/')
    """
    url = None
    if markdown:
        if body.count("[") > MAX_LINK_BRACKETS:
            # markdown-it-py looks for a link at every "[": 300,000 of them took 11 s
            # (2 s even escaped), so such a body is read as HTML, not Markdown.
            if problems is not None:
                problems.append(
                    f"more than {MAX_LINK_BRACKETS:,} '[' in the Markdown; read as plain "
                    "text and HTML, not as Markdown"
                )
        else:
            try:
                body, url = markdown_to_html(body)
            except RecursionError:
                if problems is not None:
                    problems.append(
                        "Markdown nested too deeply to parse; read as plain text and HTML"
                    )
    if isinstance(source_url, str) and source_url.strip():
        url = source_url.strip()
    return html_to_body(body, problems), url


_SENTENCE_SPLIT = re.compile(r"[。！？!?\n]")


def first_sentence(text: str, limit: int = FALLBACK_TITLE_CHARS) -> str:
    """First non-empty sentence of ``text``: up to the first 。！？!? or line end, at most
    ``limit`` characters, terminator excluded (the title of an untitled post, C8)."""
    for part in _SENTENCE_SPLIT.split(text):
        part = part.strip()
        if part:
            return part[:limit].rstrip()
    return ""


def decode_bytes(data: bytes, rel: str, warnings: list[str]) -> str:
    """Decode a post file: UTF-8 (BOM stripped), else GB18030 with a warning.

    A UTF-16 file with a byte order mark is decoded with a warning too. Raises
    :class:`SkippedPostError` when the bytes are none of these, or hold NUL bytes (a
    binary file). CRLF and lone CR line ends become LF; a leading U+FEFF is removed.
    """
    text: str
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise SkippedPostError(rel, f"not valid UTF-16 text ({error.reason})") from None
        warnings.append(f"{rel}: file is UTF-16, not UTF-8; decoded as UTF-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise SkippedPostError(
                    rel,
                    f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
                    " and not GB18030 either: cannot decode",
                ) from None
            warnings.append(
                f"{rel}: not valid UTF-8 (byte 0x{data[error.start]:02x} at offset "
                f"{error.start}); decoded as GB18030"
            )
    if "\x00" in text:
        raise SkippedPostError(rel, "contains NUL bytes: a binary file, not text")
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
