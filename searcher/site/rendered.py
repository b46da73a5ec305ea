"""A built site as the source of bodies (``--rendered``): each document's text taken from
the page ``jekyll build`` wrote for it, so every include, plugin and filter is as published.

:func:`output_path` finds the page the way Jekyll 4.3 names it (``Document#destination``,
``Page#destination``, ``Renderer#output_ext``, ``URL.unescape_path``, checked against
``jekyll build`` in ``tests/test_site_rendered.py``):

>>> output_path("/2022/03/01/flood.html", ".html", page=False)
'2022/03/01/flood.html'
>>> output_path("/news/flood/", ".html", page=False)
'news/flood/index.html'
>>> output_path("/news/%E6%B0%B4%E7%81%BE", ".html", page=False)
'news/水灾.html'
>>> output_path("/about/", ".htm", page=True), output_path("/docs/faq/", ".htm", page=False)
('about/index.htm', 'docs/faq/index.html')

:class:`RenderedSite` reads a document's page, picks its content element (the
``content_selector``, else ``[data-searcher-body]``, else ``<article>``, else
``<main>``: the first element matched) and gives its text through
:func:`~searcher.site.text.html_to_body`. Whatever goes wrong (no page, no element, a page
too large or unreadable) is a warning naming the document and the page, and the caller
keeps the source's text: nothing is lost.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector, SelectorError

from searcher.errors import SearcherError

from .config import GONE_ERRORS, outside_site
from .files import escape_name
from .options import SiteOptions
from .records import SiteWarning, SkippedPostError
from .text import Body, decode_bytes, html_to_body, without_xml_declaration

#: The content element when no ``content_selector`` is given, in order of preference:
#: an element the site marks for searcher, else the page's article, else its main part.
DEFAULT_SELECTORS = ("[data-searcher-body]", "article", "main")


class ContentSelectorError(SearcherError, ValueError):
    """``content_selector`` (``--content-selector``) is not a CSS selector lxml can use;
    the message names the parameter, then ``reason``: the selector and what is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"--content-selector: {reason}")
        self.reason = reason

    def __reduce__(self) -> tuple[type[ContentSelectorError], tuple[str]]:
        """Pickled as its reason (an isolated update sends it from its child process)."""
        return type(self), (self.reason,)


def compile_selector(css: str) -> CSSSelector:
    """The CSS selector ``css`` (HTML rules: names case-insensitive), compiled.

    Raises :class:`ContentSelectorError` naming ``--content-selector`` when cssselect
    cannot parse it (``(((``, an empty string) or cannot translate it (pseudo-elements
    such as ``::text``).

    >>> compile_selector("(((")
    Traceback (most recent call last):
    ...
    searcher.site.rendered.ContentSelectorError: --content-selector: '(((' is not a CSS \
selector searcher can use (Expected selector, got <DELIM '(' at 0>)
    """
    try:
        return CSSSelector(css, translator="html")
    except SelectorError as error:
        raise ContentSelectorError(
            f"{css!r} is not a CSS selector searcher can use ({error})"
        ) from None


def output_ext(permalink: Any, converter_ext: str) -> str:
    """The extension of a document's built page (``Renderer#output_ext``): that of its
    own front-matter ``permalink`` when it has one and does not end with ``/``, else
    the converter's (``.html`` for Markdown, the file's own for HTML).

    >>> output_ext("/feeds/news.xml", ".html"), output_ext("/news/", ".html")
    ('.xml', '.html')
    """
    if isinstance(permalink, str) and permalink and not permalink.endswith("/"):
        ext = posixpath.splitext(permalink)[1]
        if ext:
            return ext
    return converter_ext


def output_path(url: str, ext: str, page: bool) -> str | None:
    """Where ``jekyll build`` writes the document with root-relative URL ``url`` (its
    ``page.url``: no site ``url``, no ``baseurl``), relative to the destination, POSIX.

    The URL is percent-decoded (``URL.unescape_path``); one ending with ``/`` is written
    to ``index.html`` in that folder, even for an ``.htm`` document (a page: ``index`` +
    ``ext``); else ``ext`` is added unless the path already ends with it (``/a/b`` →
    ``a/b.html``). ``.`` and
    ``..`` are resolved within the destination (``PathManager.sanitized_path``). None
    when the decoded path cannot name a file (a NUL byte, nothing left).
    """
    path = unquote(url, errors="surrogateescape")
    if url.endswith("/") and not page:
        path = posixpath.join(path, "index.html")  # whatever the extension
    else:
        if url.endswith("/"):
            path = posixpath.join(path, "index")
        if not path.endswith(ext):
            path += ext
    path = posixpath.normpath("/" + path).lstrip("/")
    if not path or path == "." or "\x00" in path:
        return None
    return path


#: Fewest pages without the content element that make one warning for the site instead
#: of one a page (when they are also most of the pages read).
MISFIT_PAGES = 10


@dataclass
class RenderedSite:
    """The built site of a read (``SiteOptions.rendered``), and what reading it found.

    folder: the built site's folder (absolute). shown: how messages name it (relative
    to the site folder when under it, ``_site``). selectors: the content selectors in
    order of preference (``(css, compiled)``). max_bytes: the largest page read
    (``SiteOptions.max_post_bytes``). follow_outside_links: read pages that are
    symbolic links out of the folder. missing: the documents of the current read that
    have no built page, ``{document path: the page looked for}``; found: how many had
    one; unmatched: those whose page has no element matching the selectors,
    ``{document path: its warning}`` (all three reset by :meth:`start`).
    """

    folder: Path
    shown: str
    selectors: list[tuple[str, CSSSelector]]
    max_bytes: int
    follow_outside_links: bool = False
    missing: dict[str, str] = field(default_factory=dict)
    found: int = 0
    unmatched: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(
        cls, root: Path, options: SiteOptions
    ) -> tuple[RenderedSite | None, SiteWarning | None]:
        """The built site ``options.rendered`` of the site at ``root``, or None with a
        :class:`SiteWarning` naming the folder when it is not a readable folder.

        ``(None, None)`` without ``options.rendered``. Raises
        :class:`ContentSelectorError` for an invalid ``options.content_selector``
        (checked even without ``rendered``).
        """
        css = options.content_selector
        chosen = [css] if css is not None else list(DEFAULT_SELECTORS)
        selectors = [(one, compile_selector(one)) for one in chosen]
        if options.rendered is None:
            return None, None
        folder = Path(os.path.abspath(root / options.rendered))
        try:
            shown = escape_name(folder.relative_to(os.path.abspath(root)).as_posix())
        except ValueError:
            shown = escape_name(str(folder))
        try:
            with os.scandir(folder):
                pass
        except OSError as error:
            why = "not found" if error.errno in GONE_ERRORS else error.strerror or str(error)
            message = (
                f"{shown}: the built site (--rendered) cannot be read ({why}); every "
                "document's text is read from its source"
            )
            return None, SiteWarning(shown, message)
        follow = options.follow_outside_links
        return cls(folder, shown, selectors, options.max_post_bytes, follow), None

    def start(self) -> None:
        """Forget what an earlier read found (a new read of the site begins)."""
        self.missing = {}
        self.unmatched = {}
        self.found = 0

    def mismatch(self) -> SiteWarning | None:
        """After a read: the site-level warning when most documents (more than half of
        those looked up) had no built page, so the folder is not this site's build;
        else None. Its text names the folder, the counts and one example."""
        total = self.found + len(self.missing)
        if not self.missing or len(self.missing) * 2 <= total:
            return None
        rel, page = next(iter(self.missing.items()))
        message = (
            f"{self.shown}: {len(self.missing):,} of {total:,} documents have no built page "
            f"in this folder ({rel}: no {page}, for one): it does not look like this site's "
            "jekyll build; their text is read from their sources (build the site, or give "
            "--rendered the folder jekyll build writes)"
        )
        return SiteWarning(self.shown, message)

    def misfit(self) -> SiteWarning | None:
        """After a read: the site-level warning when most built pages read (more than
        half, and at least :data:`MISFIT_PAGES`) have no element matching the
        selectors, so they do not fit this theme; each such document's own warning (in
        :attr:`unmatched`) is then left to this one. Else None."""
        if len(self.unmatched) < MISFIT_PAGES or len(self.unmatched) * 2 <= self.found:
            return None
        rel, warning = next(iter(self.unmatched.items()))
        message = (
            f"{self.shown}: {len(self.unmatched):,} of {self.found:,} built pages have no "
            f"element matching {self._described()} ({rel}, for one): the content element "
            "of this theme is another; their text is read from their sources (mark it "
            "with data-searcher-body in the layout, or name it with --content-selector)"
        )
        return SiteWarning(self.shown, message)

    def note(self, rel: str) -> str:
        """The note of a document without a built page (``rel`` in :attr:`missing`)."""
        return f"{rel}: no built page {self.missing[rel]} (--rendered); the source text is used"

    def text(
        self, rel: str, url: str, ext: str, page: bool, source_has_text: bool, warnings: list[str]
    ) -> Body | None:
        """The text of document ``rel``'s content element in its built page, or None
        when the source's text is to be used (with a warning in ``warnings``, or for a
        missing page a note recorded in :attr:`missing` and added to ``warnings``).

        :param url: the document's root-relative URL; :param ext: its page's extension
            (:func:`output_ext`); :param page: a page (not a post or collection
            document), whose index file takes ``ext``.
        :param source_has_text: the source gives text: an element without any is then
            not used (with a warning).
        """
        out = output_path(url, ext, page)
        if out is None:
            warnings.append(f"{rel}: URL {url!r} names no file of the built site; source text used")
            return None
        shown = f"{self.shown}/{escape_name(out)}"
        data = self._read(rel, self.folder / out, shown, warnings)
        if data is None:
            return None
        self.found += 1
        try:
            source = decode_bytes(data, shown, warnings)
        except SkippedPostError as error:
            warnings.append(f"{rel}: its built page {error}; the source text is used")
            return None
        element, problem = self._content(source)
        if element is None:
            warning = f"{rel}: its built page {shown} {problem}; the source text is used"
            warnings.append(warning)
            if problem.startswith("has no element matching"):
                self.unmatched[rel] = warning
            return None
        if problem:  # more than one content element: the first is read, say so
            warnings.append(f"{rel}: its built page {shown} {problem}")
        problems: list[str] = []
        fragment = lxml.html.tostring(element, encoding="unicode", with_tail=False)
        body = html_to_body(fragment, problems)
        warnings.extend(f"{rel}: its built page {shown}: {problem}" for problem in problems)
        if not body.text and source_has_text:
            warnings.append(
                f"{rel}: its built page {shown} has no text in its content element "
                f"({self._described()}); the source text is used"
            )
            return None
        return body

    def _read(self, rel: str, path: Path, shown: str, warnings: list[str]) -> bytes | None:
        """The page's bytes, or None: a note for a missing page, a warning otherwise."""
        target = None if self.follow_outside_links else outside_site(path, self.folder)
        if target is not None:
            warnings.append(
                f"{rel}: its built page {shown} is a symbolic link to {escape_name(target)}, "
                "outside the built site: not read (--follow-outside-links reads it); the "
                "source text is used"
            )
            return None
        try:
            # Never blocks: a pipe where the page should be is opened, seen and left.
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            with os.fdopen(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    warnings.append(
                        f"{rel}: its built page {shown} is not a regular file (a folder, a "
                        "device or a pipe); the source text is used"
                    )
                    return None
                data = handle.read(self.max_bytes + 1)
        except OSError as error:
            if error.errno in GONE_ERRORS:
                self.missing[rel] = shown
                warnings.append(self.note(rel))
            else:
                warnings.append(
                    f"{rel}: cannot read its built page {shown}: {error.strerror or error}; "
                    "the source text is used"
                )
            return None
        if len(data) > self.max_bytes:
            warnings.append(
                f"{rel}: its built page {shown} is larger than the maximum post size "
                f"({self.max_bytes:,} bytes; raise it with --max-post-bytes); the source "
                "text is used"
            )
            return None
        return data

    def _content(self, source: str) -> tuple[lxml.html.HtmlElement | None, str]:
        """The content element of a page (the first match of the first selector that
        matches) and a phrase after the page: why there is none (with None), or that
        other elements outside the first match too (else empty)."""
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
        try:
            root = lxml.html.document_fromstring(without_xml_declaration(source), parser=parser)
        except (etree.ParserError, ValueError):
            return None, "is empty"
        fatal = [error for error in parser.error_log if error.level_name == "FATAL"]
        if fatal:
            return None, f"cannot be read whole by lxml ({fatal[0].message.split(',')[0]})"
        for css, selector in self.selectors:
            found = cast("list[lxml.html.HtmlElement]", selector(root))
            if found:
                # Another match outside the first (a sidebar's <article> before the
                # post's, say) may be the content: only the first is read, with a word.
                first = found[0]
                apart = [e for e in found[1:] if first not in e.iterancestors()]
                if apart:
                    return first, (
                        f"has {len(found)} elements matching {css!r}, not all inside the "
                        "first: only the first is read (mark the content element with "
                        "data-searcher-body, or name it with --content-selector)"
                    )
                return first, ""
        return None, f"has no element matching {self._described()}"

    def _described(self) -> str:
        """The selectors as a phrase: ``'article'``, or ``'[data-…]', 'article' or 'main'``."""
        names = [repr(css) for css, _ in self.selectors]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]

    def fingerprint(self) -> Iterator[tuple[Any, ...]]:
        """One row per file of the built site (path, size, modification and change
        time, inode), sorted: what :meth:`Site.fingerprint` adds so that a page rebuilt
        while its source stayed the same is read again."""
        rows: list[tuple[Any, ...]] = []
        for dirpath, dirnames, filenames in os.walk(self.folder):
            dirnames.sort()
            for name in filenames:
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                    found: tuple[Any, ...] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                    found += (st.st_ino,)
                except OSError as error:
                    found = ("stat failed", str(error))
                rows.append((escape_name(os.path.relpath(path, self.folder)), *found))
        rows.sort()
        yield ("rendered", str(self.folder))
        yield from rows


__all__ = [
    "DEFAULT_SELECTORS",
    "ContentSelectorError",
    "RenderedSite",
    "compile_selector",
    "output_ext",
    "output_path",
]
