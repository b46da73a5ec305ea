"""The records the site reader yields: :class:`Article`, :class:`Skipped`, :class:`Duplicate`,
:class:`SiteWarning`.

Plain dataclasses, with :class:`SkippedPostError`, the error a reader raises for a file
that cannot be used; :func:`searcher.site.read_corpus` turns it into a :class:`Skipped`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from searcher.errors import PostError

#: Why a file is left out, as a short, stable code (``Skipped.kind``). The rule each
#: stands for is Jekyll's (``jekyll build`` 4.3), except ``search: false``,
#: ``listing page`` and ``unreadable``/``not a document``, which are the project's.
SKIP_KINDS = (
    "draft",  # in _drafts/ (Jekyll: only with --drafts or show_drafts: true)
    "unpublished",  # published: false (Jekyll: only with --unpublished)
    "future",  # dated after now (Jekyll: only with --future or future: true)
    "excluded by _config.yml",  # matches the config's exclude:
    "default exclude",  # Jekyll's own excludes: vendor/bundle/, node_modules, Gemfile…
    "special name",  # a name starting with . _ # ~ or ending with ~, not include:d
    "not a valid post name",  # in _posts/ but not YYYY-MM-DD-slug.ext (or a bad date)
    "search: false",  # front matter search: false or sitemap: false
    "not output",  # a document of a collection without output: true
    "not a document",  # no front matter outside _posts/ (Jekyll copies it as it is)
    "unreadable",  # cannot be read now (kept in the index) or cannot be decoded
    "bad file name",  # a file or folder name that is not valid UTF-8 (Jekyll aborts)
    "too large",  # bigger than SiteOptions.max_post_bytes
    "outside the site",  # a symbolic link whose target leaves the site (Jekyll --safe)
    # A page whose Liquid lists other documents (paginator, site.posts…) or that has no
    # text once its Liquid is rendered: Jekyll publishes it, but its text is the
    # site's lists or its layout's (search: true brings it back). The project's rule.
    "listing page",
)


@dataclass
class Article:
    """One published document, cleaned for indexing.

    id: stable identifier, the document's path relative to the corpus root, POSIX
        separators, without its extension (``_posts/2022-03-01-flood``).
    path: the path relative to the corpus root with its extension.
    title: plain text title (entities decoded once, never empty if the body has text).
    body: plain text body, one block (paragraph, heading, list item, table cell, code
        line) per line, joined by ``"\\n"``; no markup left
        (:func:`searcher.site.text.html_to_body`).
    date: timezone-aware datetime in the site time zone, or None (a page, or a post that
        cannot be dated).
    categories, tags: lists of plain strings (Jekyll semantics: a post's categories start
        with the folders above its ``_posts/``).
    url: the document's URL on the site by Jekyll's permalink rules, absolute when the
        site's ``url`` (or ``--site-url``) is known, else root-relative; None only with
        ``--all-files`` for a file Jekyll would not publish.
    source_url: the front matter's ``source_url``, else a link alone in one of the last
        paragraphs of a Markdown body (:func:`.markdown.source_link`), or None.
    type: ``"post"``, ``"page"``, or the name of the document's collection.
    code: ``(start, end)`` character offsets in ``body`` of its code blocks (end
        exclusive, in order): searchable, but a snippet is taken from them only when
        the match is only in code.
    key: the Jekyll identity used to detect duplicates: the site URL when there is one.
    digest: hex SHA-1 of everything indexed (title, body, date, lists, URLs, type), used
        to detect changed documents.
    warnings: human-readable warnings, each naming the file (and line where known).
    """

    id: str
    path: str
    title: str
    body: str
    date: dt.datetime | None
    categories: list[str]
    tags: list[str]
    url: str | None
    key: str
    digest: str
    warnings: list[str] = field(default_factory=list)
    source_url: str | None = None
    type: str = "post"
    code: tuple[tuple[int, int], ...] = ()


@dataclass
class Skipped:
    """A file under the corpus root that is not indexed, and why.

    ``reason`` is a sentence for people; ``kind`` one of :data:`SKIP_KINDS` (empty for
    older callers that built a ``Skipped`` by hand).

    ``keeps`` is None when the file was read, or found, and left out by a rule (or is
    gone): the index drops what it holds for it. It is a path when the file or folder
    could not be read now (an OS error other than "no such file": ``EACCES``, ``EIO``,
    ``ESTALE``, a failing mount…): the index keeps every document it holds for that
    path, the file itself or everything under the folder (``""``: the whole site, when
    ``_config.yml`` cannot be read), until a run can read it again. See
    :func:`searcher.site.kept_ids`.
    """

    path: str
    reason: str
    kind: str = ""
    keeps: str | None = None


@dataclass
class Duplicate:
    """A document left out because another file is the same article (``kept`` is its path).

    ``reason`` says which identity matched: ``"same URL"`` (Jekyll would write both to
    one page) or ``"same content"`` (equal ``digest``).
    """

    path: str
    kept: str
    reason: str = ""


@dataclass
class SiteWarning:
    """A problem with the site as a whole (its ``_config.yml``), naming the file."""

    path: str
    message: str


class SkippedPostError(PostError):
    """A file cannot be used as a document; ``read_corpus`` turns it into :class:`Skipped`.

    ``path`` is the file's path relative to the corpus root, ``reason`` the explanation
    without the path, ``kind`` one of :data:`SKIP_KINDS`, ``keeps`` as in
    :class:`Skipped` (set when the file could not be read now); ``str(error)`` is
    ``"<path>: <reason>"``.
    """

    def __init__(
        self, path: str, reason: str, kind: str = "unreadable", keeps: str | None = None
    ) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.kind = kind
        self.keeps = keeps
