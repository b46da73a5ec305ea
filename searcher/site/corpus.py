"""Walking a Jekyll site: which files it publishes, reading each into an :class:`Article`.

:class:`Site` is a site folder read with its ``_config.yml`` (:mod:`.config`) and the
publishing switches (:class:`SiteOptions`: Jekyll's ``--drafts``, ``--unpublished``,
``--future``, and searcher's ``--all-files`` and ``--site-url``). :func:`read_corpus`
walks it and yields one record per Markdown or HTML file: an :class:`Article` for each
document ``jekyll build`` publishes (posts, pages, documents of collections with
``output: true``), a :class:`Skipped` with the reason for each one it leaves out, and a
:class:`Duplicate` for a second file with the same URL or content. Nothing is dropped
silently, and one broken file never stops the walk.

This module puts the pieces together: :mod:`.walk` finds the files Jekyll publishes
(:mod:`.files` every file, for ``--all-files``), :mod:`.reader` reads each one,
:mod:`.identity` tells duplicates apart, and :mod:`.report` counts what happened.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from searcher.errors import PostError

from .config import CONFIG_FILE
from .datafiles import read_display_names
from .files import _KEEPING, _relative, iter_post_files
from .identity import _content_digest
from .options import SiteOptions
from .reader import _read_document
from .records import Article, Duplicate, SiteWarning, Skipped, SkippedPostError
from .rendered import RenderedSite
from .report import CorpusReport
from .walk import SiteFolder, _Candidate


class Site(SiteFolder):
    """A Jekyll site folder, its config, and how to read it.

    :param root: the site folder (the corpus). :param options: :class:`SiteOptions`.
    :param tz: the time zone to use when neither ``options.timezone`` nor the config's
        ``timezone`` names one (the index's); Asia/Shanghai when None.
    Raises :class:`CorpusError` when ``root`` is missing, not a folder, or unreadable.
    Attributes: ``config`` (:class:`SiteConfig`), ``options``, ``timezone`` (a
    :class:`ZoneInfo`), ``now`` (aware), ``warnings`` (config problems, each naming
    ``_config.yml``), ``rendered`` (the built site of ``options.rendered`` as a
    :class:`RenderedSite`, or None) and ``rendered_warning`` (why that folder cannot be
    read, or None), ``display_names`` (the names ``_data/categories.yml`` and
    ``_data/tags.yml`` give facet values, :mod:`.datafiles`). Raises
    :class:`ContentSelectorError` for an invalid
    ``options.content_selector``.
    """

    def __init__(
        self, root: Path, options: SiteOptions | None = None, tz: ZoneInfo | None = None
    ) -> None:
        super().__init__(root, options, tz)
        self.rendered, self.rendered_warning = RenderedSite.open(self.root, self.options)
        self.display_names = read_display_names(self.root, self.config.data_dir)

    def read(self, candidate: _Candidate) -> Article:
        """Read one candidate document into an :class:`Article`.

        Raises :class:`SkippedPostError` (with its ``kind``) when Jekyll would not
        publish it (unpublished, future, no front matter outside ``_posts``), when its
        front matter says ``search: false``/``sitemap: false``, or when it cannot be read.
        """
        return _read_document(self, candidate, self.rendered)

    def documents(
        self, candidates: list[_Candidate | Skipped] | None = None
    ) -> Iterator[Article | Skipped | Duplicate | SiteWarning]:
        """Every document, left-out file and duplicate of the site: see :func:`read_corpus`.

        :param candidates: the files to read, as :meth:`candidates` gave them (walked
            anew when None)."""
        return _read_all(self, self.candidates() if candidates is None else candidates)

    def candidates(self) -> list[_Candidate | Skipped]:
        """The files Jekyll's walk finds (each a candidate to read, or why it is left
        out), without reading any."""
        return _candidates(self)

    def fingerprint(self, candidates: list[_Candidate | Skipped]) -> str:
        """A digest of everything reading the site depends on, except the time: the
        folder, the options, the config and the display names (``_data``) as read, and
        each file of ``candidates`` with
        its size, modification time, inode and status-change time (``st_ctime_ns``,
        which every write, ``chmod`` or ``touch -r`` moves and no program can set
        back), and with ``options.rendered`` each file of the built site the same way.
        Equal fingerprints mean :meth:`documents` gives the same items, unless a
        post is left out as future (then the time matters too).
        """
        h = hashlib.sha256()
        options = dataclasses.replace(self.options, now=None)
        head = (str(self.root.resolve()), options, str(self.timezone.key), self.config)
        h.update(repr((head, self.warnings)).encode("utf-8", "surrogatepass"))
        h.update(repr(self.display_names).encode("utf-8", "surrogatepass"))  # as read
        if self.rendered is not None:  # a page rebuilt from an unchanged source
            for built in self.rendered.fingerprint():
                h.update(repr(built).encode("utf-8", "surrogatepass"))
        h.update(repr(self.rendered_warning).encode("utf-8", "surrogatepass"))
        for item in candidates:
            if isinstance(item, Skipped):
                row: tuple[Any, ...] = ("skipped", item.path, item.reason, item.kind)
            else:
                try:
                    st = item.path.stat()
                    found: tuple[Any, ...] = (st.st_size, st.st_mtime_ns, st.st_ino)
                    found += (st.st_ctime_ns,)
                except OSError as exc:
                    found = ("stat failed", str(exc))
                row = (item.rel, item.kind, item.categories, item.collection_dir)
                row += (item.jekyll_skip, *found)
            h.update(repr(row).encode("utf-8", "surrogatepass"))
        return h.hexdigest()


def _depth_order(rel: str) -> tuple[int, str]:
    return (rel.count("/"), rel)


def _candidates(site: Site) -> list[_Candidate | Skipped]:
    """What to read: Jekyll's walk, or with ``--all-files`` every file of the old walk,
    each marked with what Jekyll would have done with it. Nothing when ``_config.yml``
    cannot be read now (only that, kept: the site's rules are unknown)."""
    if site.config.unreadable is not None:
        why = (
            f"cannot read file: {site.config.unreadable}; the site's rules are unknown, so "
            "nothing of the site is read and the index keeps every document it has"
        )
        return [Skipped(CONFIG_FILE, why, "unreadable", keeps="")]
    jekyll = list(site.walk())
    if not site.options.all_files:
        return jekyll
    verdict = {item.path if isinstance(item, Skipped) else item.rel: item for item in jekyll}
    out: list[_Candidate | Skipped] = []
    for found in iter_post_files(site.root):
        if isinstance(found, Skipped):
            out.append(found)
            continue
        rel = _relative(found, site.root)
        seen = verdict.get(rel)
        if isinstance(seen, _Candidate):
            out.append(seen)
        else:
            why = seen.reason if seen is not None else "not a file Jekyll reads"
            out.append(_Candidate(found, rel, "post", jekyll_skip=why))
    return out


def read_corpus(
    root: str | os.PathLike[str], tz: ZoneInfo | None = None, options: SiteOptions | None = None
) -> Iterator[Article | Skipped | Duplicate | SiteWarning]:
    """Walk the site at ``root`` and yield every document, left-out file and duplicate.

    :param root: the site (corpus) folder, a path or a string; its ``_config.yml`` is
        read when present.
    :param tz: the site time zone when neither ``options.timezone`` nor the config names
        one (default Asia/Shanghai).
    :param options: :class:`SiteOptions` (default: exactly what ``jekyll build`` does).

    Yields first a :class:`SiteWarning` for each problem with the config, then one item
    per Markdown/HTML file: an :class:`Article` (a document Jekyll publishes), a
    :class:`Skipped` (with the reason and its ``kind``; one broken file never stops the
    run, not even one that trips an unexpected error) or a :class:`Duplicate`. Files are
    read in order of (number of path components, path), which is the yield order.
    With ``options.rendered`` (bodies from the built site, :mod:`.rendered`) the items
    come once the whole site is read, after a :class:`SiteWarning` when the built site
    cannot be read or most documents have no page in it (then they carry no note each),
    and one when most pages have no element matching the content selector (then they
    carry no warning each).

    A file whose URL (``key``) or else ``digest`` equals that of an article already
    yielded is a :class:`Duplicate` of it: among copies the one nearest the root, then
    the smallest path, is kept (C10). Raises :class:`CorpusError` at once (not at the
    first ``next``) when ``root`` is missing, not a folder, or unreadable.
    """
    return Site(Path(root), options, tz).documents()


def _read_all(
    site: Site, found: list[_Candidate | Skipped]
) -> Iterator[Article | Skipped | Duplicate | SiteWarning]:
    for message in site.warnings:
        yield SiteWarning("_config.yml", message)
    for path, message in site.display_names.warnings:
        yield SiteWarning(path, message)
    if site.rendered_warning is not None:
        yield site.rendered_warning
    if site.rendered is None:
        yield from _read_each(site, found)
        return
    # Whether the built site is this site's is known once every document was looked up:
    # when most have no page, one warning says so instead of a note on each.
    site.rendered.start()
    items = list(_read_each(site, found))
    # The same for pages without the content element: {document: its warning dropped}.
    dropped: dict[str, str] = {}
    mismatch = site.rendered.mismatch()
    if mismatch is not None:
        yield mismatch
        dropped.update((rel, site.rendered.note(rel)) for rel in site.rendered.missing)
    misfit = site.rendered.misfit()
    if misfit is not None:
        yield misfit
        dropped.update(site.rendered.unmatched)
    for item in items:
        if isinstance(item, Article) and item.path in dropped:
            item.warnings.remove(dropped[item.path])
    yield from items


def _read_each(
    site: Site, found: list[_Candidate | Skipped]
) -> Iterator[Article | Skipped | Duplicate]:
    items = [((item.path if isinstance(item, Skipped) else item.rel), item) for item in found]
    items.sort(key=lambda pair: _depth_order(pair[0]))
    by_key: dict[str, str] = {}
    by_digest: dict[str, str] = {}
    by_id: set[str] = set()
    for rel, item in items:
        if isinstance(item, Skipped):
            yield item
            continue
        try:
            article = site.read(item)
        except SkippedPostError as error:
            yield Skipped(error.path, error.reason, error.kind, error.keeps)
            continue
        except PostError as error:
            yield Skipped(rel, str(error), "unreadable")
            continue
        except Exception as error:  # one broken post never stops a run; it is reported
            # Neither gone nor left out by a rule (an OS error past the open, a bug, no
            # memory): the index keeps what it has, as for a file it cannot open.
            reason = f"unexpected error while reading: {type(error).__name__}: {error}"
            yield Skipped(rel, f"{reason}; {_KEEPING}", "unreadable", keeps=rel)
            continue
        kept = by_key.get(article.key)
        if kept is not None:
            same = "same URL" if article.url else "same date and slug"
            yield Duplicate(article.path, kept, same)
            continue
        # Same text at two URLs: Jekyll publishes both, so only --all-files (where the
        # URL is not the identity) drops the second copy.
        content = _content_digest(article) if site.options.all_files else ""
        kept = by_digest.get(content)
        if kept is not None:
            yield Duplicate(article.path, kept, "same content")
            continue
        if article.id in by_id:
            # x.md beside x.html (different posts, one stem): the later path keeps its
            # extension in its id, so neither overwrites the other in the index.
            article.id = article.path
        by_id.add(article.id)
        if content:
            by_digest[content] = article.path
        by_key[article.key] = article.path
        yield article


def read_post(
    path: Path, root: Path, tz: ZoneInfo | None = None, options: SiteOptions | None = None
) -> Article:
    """Read one file as a post of the site at ``root`` (wherever it lies, as
    ``--all-files`` does), with the site's config and ``options``.

    ``tz`` is the site time zone for dates without offset (default Asia/Shanghai).
    Returns an :class:`Article` with ``warnings`` for everything recovered: front matter
    that is not YAML (C7), a date taken from the file name or missing (C8), an empty
    title replaced by the first sentence of the body (or the slug when the body is
    empty), a GB18030 file. Raises :class:`SkippedPostError` (a ``PostError``) when the
    file cannot be opened or decoded, has no front matter or front matter never closed,
    or lies in ``_layouts``/``_includes``.
    """
    site = Site(root, options or SiteOptions(all_files=True), tz)
    rel = _relative(path, root)
    parent = rel.rsplit("/_posts/", 1)[0] if "/_posts/" in rel else ""
    cand = _Candidate(path, rel, "post", [c for c in parent.split("/") if c])
    return site.read(cand)


def check_corpus(
    root: str | os.PathLike[str], tz: ZoneInfo | None = None, options: SiteOptions | None = None
) -> CorpusReport:
    """Read a whole site (as :func:`read_corpus`) and count what happened.

    Returns a :class:`CorpusReport` (with the site's ``notices`` when it read a
    document); raises :class:`CorpusError` when ``root`` is
    missing, not a folder, or unreadable.
    """
    site = Site(Path(root), options, tz)
    report = CorpusReport(root=Path(root))
    for item in site.documents():
        report.add(item)
    report.notices = site.notices() if report.posts else []
    return report
