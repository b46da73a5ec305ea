"""What searching needs of the site package without reading a site: the options of a
read, the default time zone, and the control characters no text keeps. Importing it
loads none of the readers (YAML, Markdown, lxml), so a search starts faster.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

#: The site time zone when neither ``_config.yml`` nor ``--timezone`` names one.
DEFAULT_TIMEZONE = "Asia/Shanghai"

#: Control characters (C0 and C1, but white space): never in a body, title or facet.
#: Vertical tab and form feed count as white space (a space in a body).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")

#: Default largest file read as a document, in bytes (``--max-post-bytes``).
MAX_POST_BYTES = 8 * 2**20


@dataclass(frozen=True)
class SiteOptions:
    """How to read a site; every field defaults to what ``jekyll build`` does.

    drafts, unpublished, future: Jekyll's ``--drafts``, ``--unpublished`` and
        ``--future`` (the config's ``show_drafts``, ``unpublished``, ``future`` also turn
        them on).
    all_files: index every Markdown/HTML file with front matter, as a post, whether
        Jekyll publishes it or not (for folders of posts that are not a site); what
        Jekyll would leave out is still reported, as a warning.
    site_url: replaces the config's ``url`` + ``baseurl`` in every URL
        (``https://example.org/news``); None to use the config's.
    timezone: an IANA name overriding the config's ``timezone``; None to use it.
    now: the build time, aware (posts dated after it are future); None for now.
    max_post_bytes: files larger than this many bytes are left out as ``too large``
        (default :data:`MAX_POST_BYTES`, 8 MiB: a thousand times a long news story).
    follow_outside_links: read symbolic links (to files, and to folders where Jekyll
        follows them) whose target lies outside the site folder, as plain ``jekyll
        build`` does; off by default, as in ``jekyll build --safe``, so that a link such
        as ``_posts/x.md -> /etc/passwd`` is left out as ``outside the site`` and never
        indexed or served. Only for sites whose every file is trusted.
    rendered: the site as ``jekyll build`` wrote it (``_site``; a relative path is
        relative to the site folder): each document's body is the text of the content
        element of its built page, its front matter, URL and date still the source's;
        a document without a built page is read from its source (README "Built pages
        as the source"). None: every body is read from the source.
    content_selector: the CSS selector of the content element in a built page (the
        first element it matches); None for ``[data-searcher-body]``, else
        ``<article>``, else ``<main>``. An invalid one raises
        :class:`~searcher.site.rendered.ContentSelectorError` when the site is opened.
    """

    drafts: bool = False
    unpublished: bool = False
    future: bool = False
    all_files: bool = False
    site_url: str | None = None
    timezone: str | None = None
    now: dt.datetime | None = None
    max_post_bytes: int = MAX_POST_BYTES
    follow_outside_links: bool = False
    rendered: Path | None = None
    content_selector: str | None = None


__all__ = ["CONTROL_CHARS", "DEFAULT_TIMEZONE", "MAX_POST_BYTES", "SiteOptions"]
