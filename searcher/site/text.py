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


# Liquid tags and output ({% … %}, {{ … }}): Jekyll renders them; their text is not the
# article's, so it is dropped.
def _drop_liquid(text: str) -> str:
    """``text`` without ``{% … %}`` and ``{{ … }}``, in one pass (a regex with ``.*?``
    is quadratic on many openings that never close)."""
    if "{%" not in text and "{{" not in text:
        return text
    out: list[str] = []
    pos = 0
    while True:
        starts = [
            (i, close)
            for i, close in ((text.find("{%", pos), "%}"), (text.find("{{", pos), "}}"))
            if i >= 0
        ]
        if not starts:
            break
        start, close = min(starts)
        end = text.find(close, start + 2)
        if end < 0:
            break  # no closing after it: what follows is text
        out.append(text[pos:start])
        pos = end + 2
    out.append(text[pos:])
    return "".join(out)


_SPACES = re.compile(r"[^\S\n]+")


_MARKDOWN = markdown_parser()


def markdown_to_html(body: str) -> tuple[str, str | None]:
    """Render a Markdown body to HTML as kramdown would; returns (HTML, source link).

    Before rendering (issue 2 and the finews README): navigation footer lines made only
    of ``[返回…](…)`` links and separators are dropped (Jekyll prints them; they are the
    site's navigation, not the article), and so is a line that is only the empty
    autolink ``<>`` (finews' generator writes it when a feed item has no URL); Liquid
    tags and kramdown's own syntax are dropped (:func:`.markdown.drop_kramdown_syntax`).
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
    body = _drop_liquid(body)
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


def html_to_text(source: str, problems: list[str] | None = None) -> str:
    """Visible text of an HTML fragment: one ``"\\n"`` between paragraphs, no markup.

    Parsed once with lxml.html, so entities are decoded exactly once (``&amp;lt;`` is the
    text ``&lt;``, ``&lt;b&gt;`` the text ``<b>``; C9). Dropped: tags, comments,
    ``<script>``, ``<style>``, ``<noscript>``, ``<template>``, ``<iframe>``, ``<object>``,
    ruby annotations (``<rt>``, ``<rp>``: 汉<rt>hàn</rt>字 reads 汉字), elements with a
    ``hidden`` attribute or ``style="display:none"`` (finews hides an empty ``<p>`` this
    way), and everything in ``<head>``. Block elements, ``<br>`` and
    newlines in the source end a line; table cells are separated by a space. Every run of
    other whitespace (``&nbsp;`` and U+3000 included) becomes one space, each line is
    stripped, and empty lines are removed.

    :param source: the HTML, any size (lxml's ``huge_tree``: no limit on text nodes).
    :param problems: when given, gets one sentence per problem that changed how the text
        was read. libxml2 stops at 2,048 nested elements and drops all text after that
        point; such a document is read again with the standard library's streaming
        parser (no depth limit; ``hidden``/``display:none`` then only apply to the
        element names that :data:`_INVISIBLE` lists), and the problem is recorded.
    """
    # Vertical tab and form feed are white space, but lxml refuses them in text.
    source = _NOT_XML.sub("", CONTROL_CHARS.sub("", source)).translate(_XML_SPACES)
    if not source.strip():
        return ""
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = lxml.html.document_fromstring(source, parser=parser)
    except (etree.ParserError, ValueError):  # "Document is empty": nothing visible
        return ""
    if any(error.level_name == "FATAL" for error in parser.error_log):
        error = next(e for e in parser.error_log if e.level_name == "FATAL")
        if problems is not None:
            problems.append(
                f"HTML that lxml cannot read whole ({error.message.split(',')[0]}); "
                "its text was read with a streaming parser instead"
            )
        return _streamed_text(source)
    body = cast("lxml.html.HtmlElement | None", root.find("body"))
    if body is None:
        return ""
    try:
        for element in cast("list[lxml.html.HtmlElement]", _INVISIBLE(root)):
            if element.getparent() is not None:
                element.drop_tree()
        for element in body.iter(*_BLOCK_TAGS):
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
        for element in body.iter("br"):
            element.tail = "\n" + (element.tail or "")
        for element in body.iter(*_CELL_TAGS):
            element.tail = " " + (element.tail or "")
    except ValueError:  # text lxml will not set again (&#1; decoded to a control code)
        return _streamed_text(source)
    return _normalise_lines(body.text_content())


_XML_SPACES = str.maketrans("\x0b\x0c", "  ")
_NOT_XML = re.compile("[\ufffe\uffff]")  # not characters in XML: lxml refuses them
_INVISIBLE_TAGS = frozenset("script style noscript template iframe object rt rp head".split())


class _TextCollector(html.parser.HTMLParser):
    """The standard library's event parser collecting visible text (any depth)."""

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
        if tag in _BLOCK_TAGS or tag == "br":
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self.hidden:
            if tag in self.hidden:
                while self.hidden.pop() != tag:
                    pass
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


_VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)


def _streamed_text(source: str) -> str:
    collector = _TextCollector()
    collector.feed(source)
    collector.close()
    return _normalise_lines("".join(collector.parts))


def _normalise_lines(text: str) -> str:
    text = CONTROL_CHARS.sub("", _SPACES.sub(" ", text))  # &#1; decodes to a control code
    return "\n".join(line for line in (part.strip() for part in text.split("\n")) if line)


def body_to_text(
    body: str,
    markdown: bool = True,
    problems: list[str] | None = None,
    source_url: object = None,
) -> tuple[str, str | None]:
    """Plain text of a post body and its source URL; see :func:`markdown_to_html`.

    ``markdown`` is True for ``.md``/``.markdown`` posts (Markdown reduced first, then
    HTML) and False for ``.html`` posts (HTML only, no source URL found in the body).
    ``source_url`` is the front matter's ``source_url`` field: a non-empty string wins
    over the link found in the body (other values are ignored). ``problems`` gets what
    :func:`html_to_text` reports.

    >>> body_to_text("正文。\\n\\n<http://a.example/1>\\n")
    ('正文。\\nhttp://a.example/1', 'http://a.example/1')
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
    return html_to_text(body, problems), url


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
