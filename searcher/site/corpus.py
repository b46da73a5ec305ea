"""Walking a Jekyll site: which files it publishes, reading each into an :class:`Article`.

:class:`Site` is a site folder read with its ``_config.yml`` (:mod:`.config`) and the
publishing switches (:class:`SiteOptions`: Jekyll's ``--drafts``, ``--unpublished``,
``--future``, and searcher's ``--all-files`` and ``--site-url``). :func:`read_corpus`
walks it and yields one record per Markdown or HTML file: an :class:`Article` for each
document ``jekyll build`` publishes (posts, pages, documents of collections with
``output: true``), a :class:`Skipped` with the reason for each one it leaves out, and a
:class:`Duplicate` for a second file with the same URL or content. Nothing is dropped
silently, and one broken file never stops the walk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from searcher.errors import PostError

from .config import CONFIG_FILE, GONE_ERRORS, outside_site
from .dates import (
    date_from_filename,
    front_matter_date,
    post_date,
)
from .files import (
    _KEEPING,
    _relative,
    iter_post_files,
)
from .files import escape_name as escape_name  # old home; use searcher.site.escape_name
from .frontmatter import (
    FRONT_MATTER,
    MAX_VALUES,
    dedupe,
    flatten,
    jekyll_list,
    key_line,
    parse_front_matter,
    scalar_text,
)
from .identity import _content_digest, _slug, article_digest, jekyll_key
from .options import SiteOptions
from .records import Article, Duplicate, SiteWarning, Skipped, SkippedPostError
from .report import CorpusReport
from .text import body_to_text, decode_bytes, first_sentence, one_line
from .urls import (
    PermalinkError,
    absolute_url,
    add_permalink_suffix,
    document_placeholders,
    render_document,
    render_page,
    style_template,
)
from .walk import POST_NAME, SiteFolder, _Candidate

#: Jekyll template folders: never documents, even with front matter.
TEMPLATE_DIRS = frozenset({"_layouts", "_includes"})
_FALSE = frozenset({"false", "no", "off"})


#: Longest title kept, in characters (a title is highlighted whole on every hit).
MAX_TITLE_CHARS = 1000


class Site(SiteFolder):
    """A Jekyll site folder, its config, and how to read it.

    :param root: the site folder (the corpus). :param options: :class:`SiteOptions`.
    :param tz: the time zone to use when neither ``options.timezone`` nor the config's
        ``timezone`` names one (the index's); Asia/Shanghai when None.
    Raises :class:`CorpusError` when ``root`` is missing, not a folder, or unreadable.
    Attributes: ``config`` (:class:`SiteConfig`), ``options``, ``timezone`` (a
    :class:`ZoneInfo`), ``now`` (aware), ``warnings`` (config problems, each naming
    ``_config.yml``).
    """

    def read(self, candidate: _Candidate) -> Article:
        """Read one candidate document into an :class:`Article`.

        Raises :class:`SkippedPostError` (with its ``kind``) when Jekyll would not
        publish it (unpublished, future, no front matter outside ``_posts``), when its
        front matter says ``search: false``/``sitemap: false``, or when it cannot be read.
        """
        return _read_document(self, candidate)

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
        folder, the options, the config as read, and each file of ``candidates`` with
        its size, modification time, inode and status-change time (``st_ctime_ns``,
        which every write, ``chmod`` or ``touch -r`` moves and no program can set
        back). Equal fingerprints mean :meth:`documents` gives the same items, unless a
        post is left out as future (then the time matters too).
        """
        h = hashlib.sha256()
        options = dataclasses.replace(self.options, now=None)
        head = (str(self.root.resolve()), options, str(self.timezone.key), self.config)
        h.update(repr((head, self.warnings)).encode("utf-8", "surrogatepass"))
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


def _falsy(value: Any) -> bool:
    if isinstance(value, bool):
        return not value
    return isinstance(value, str) and value.strip().lower() in _FALSE


def _read_document(site: Site, cand: _Candidate) -> Article:
    rel, path = cand.rel, cand.path
    if any(part in TEMPLATE_DIRS for part in rel.split("/")[:-1]):
        raise SkippedPostError(
            rel, "in a Jekyll template folder (layout or include), not a post", "special name"
        )
    target = None if site.options.follow_outside_links else outside_site(path, site.root)
    if target is not None:
        raise SkippedPostError(
            rel,
            f"symbolic link to {escape_name(target)}, outside the site: not read (as "
            "jekyll build --safe; --follow-outside-links reads it)",
            "outside the site",
        )
    try:
        if not path.is_file():
            raise SkippedPostError(
                rel, "not a regular file (a broken link, a folder, a device or a pipe)"
            )
        limit = site.options.max_post_bytes
        with path.open("rb") as handle:
            data = handle.read(limit + 1)  # never more, even if the file grows meanwhile
        if len(data) > limit:
            raise SkippedPostError(
                rel,
                f"larger than the maximum post size ({limit:,} bytes; "
                "raise it with --max-post-bytes)",
                "too large",
            )
    except OSError as error:
        if error.errno in GONE_ERRORS:  # removed since the walk: gone, not kept
            raise SkippedPostError(rel, f"cannot read file: {error.strerror}") from None
        why = f"cannot read file: {error.strerror or error}; {_KEEPING}"
        raise SkippedPostError(rel, why, keeps=rel) from None
    warnings: list[str] = []
    text = decode_bytes(data, rel, warnings)
    is_post = cand.kind in ("post", "draft")
    fields: dict[str, Any]
    if FRONT_MATTER.detect(text):
        try:
            fm, content = FRONT_MATTER.split(text)
            fields, fm_lines = parse_front_matter(fm, rel, warnings)
        except ValueError:
            if not is_post or site.options.all_files:
                raise SkippedPostError(
                    rel, "front matter opened with --- on line 1 is never closed", "not a document"
                ) from None
            # Jekyll publishes such a post with the whole file as its body.
            fields, fm_lines, content = {}, [], text
            warnings.append(
                f"{rel}:1: front matter opened with --- is never closed; "
                "the whole file is the body, as Jekyll publishes it"
            )
    elif is_post and not site.options.all_files and not warnings:
        fields, fm_lines, content = {}, [], text  # Jekyll publishes such posts too
    else:
        raise SkippedPostError(
            rel,
            "no front matter (first line is not ---): Jekyll copies it as a static file",
            "not a document",
        )
    doc_type = {"post": "posts", "draft": "drafts"}.get(cand.kind, cand.kind)
    if cand.kind == "page":
        doc_type = "pages"
    defaults = site.config.defaults_for(rel, doc_type)
    if defaults:
        fields = {**defaults, **fields}

    if _falsy(fields.get("published", True)) and not site.unpublished:
        _leave_out(site, cand, "published: false (use --unpublished to index it)", "unpublished")
    for key in ("search", "sitemap"):
        if _falsy(fields.get(key, True)):
            _leave_out(site, cand, f"{key}: false in its front matter", "search: false")

    markdown = path.suffix.lower().lstrip(".") in site.config.markdown_ext
    problems: list[str] = []
    body, source_url = body_to_text(content, markdown=markdown, problems=problems)
    warnings.extend(f"{rel}: {problem}" for problem in problems)
    if not body and content.strip():
        warnings.append(
            f"{rel}: the body has no visible text, although the file has "
            f"{len(content.strip()):,} characters after the front matter (markup only?)"
        )
    title = _title(fields, fm_lines, body, path, rel, warnings)

    tz = site.timezone
    date: dt.datetime | None
    if cand.kind == "post" or site.options.all_files:
        date = post_date(fields, fm_lines, path.name, rel, tz, warnings)
    else:
        date = front_matter_date(fields.get("date"), tz)
        if date is None and cand.kind != "page":
            date, _ = date_from_filename(path.name, tz)
        if date is None and cand.kind == "draft":
            date = dt.datetime.fromtimestamp(path.stat().st_mtime, tz)  # Jekyll: mtime
    if cand.kind != "page" and date is not None and date > site.now and not site.future:
        _leave_out(
            site,
            cand,
            f"dated {date.isoformat()}, in the future (use --future to index it; it is "
            "indexed by the first run after that date)",
            "future",
        )

    categories = jekyll_list(fields, "category", "categories")
    if is_post:  # Jekyll: folders, then categories:, then category: (populate_categories)
        plural = jekyll_list({"categories": fields.get("categories")}, "category", "categories")
        categories = dedupe([*cand.categories, *plural, *categories])
    tags = jekyll_list(fields, "tag", "tags")
    for name, values in (("categories", categories), ("tags", tags)):
        if len(values) >= MAX_VALUES:
            warnings.append(f"{rel}: more than {MAX_VALUES} {name}; kept the first {MAX_VALUES}")
    if len(title) > MAX_TITLE_CHARS:
        warnings.append(
            f"{rel}: title of {len(title):,} characters; kept the first {MAX_TITLE_CHARS:,}"
        )
        title = title[:MAX_TITLE_CHARS].rstrip()
    categories = dedupe([one_line(c) for c in categories])
    tags = dedupe([one_line(t) for t in tags])

    if cand.jekyll_skip:
        warnings.append(
            f"{rel}: Jekyll would not publish it ({cand.jekyll_skip}); indexed (--all-files)"
        )
    url = _url(site, cand, fields, categories, date, warnings)
    kind = "post" if is_post or cand.jekyll_skip else cand.kind
    return Article(
        id=rel.rsplit(".", 1)[0] if "." in rel.rsplit("/", 1)[-1] else rel,
        path=rel,
        title=title,
        body=body,
        date=date,
        categories=categories,
        tags=tags,
        url=url,
        key=url or jekyll_key(rel, categories, date),
        digest=article_digest(title, body, date, categories, tags, url, source_url, kind),
        warnings=warnings,
        source_url=source_url,
        type=kind,
    )


def _leave_out(site: Site, cand: _Candidate, reason: str, kind: str) -> None:
    """Jekyll would not publish ``cand``: raise, or with ``--all-files`` only say so."""
    if not site.options.all_files:
        raise SkippedPostError(cand.rel, reason, kind)
    cand.jekyll_skip = cand.jekyll_skip or reason


def _title(
    fields: dict[str, Any],
    fm_lines: list[str],
    body: str,
    path: Path,
    rel: str,
    warnings: list[str],
) -> str:
    title_value = fields.get("title")
    if isinstance(title_value, list | dict):
        line = key_line(fm_lines, "title")
        warnings.append(f"{rel}:{line}: title is a YAML {type(title_value).__name__}; used as text")
        title_value = " ".join(flatten(title_value))
    title = one_line(html.unescape(scalar_text(title_value)))
    if not title:
        title = first_sentence(body)
        source = "the first sentence of the body"
        if not title:
            title = one_line(_slug(path.stem).strip("-_ ") or path.stem)
            source = "the file name"
        line = key_line(fm_lines, "title")
        where = f"{rel}:{line}" if line else rel
        missing = "empty title" if line else "no title"
        warnings.append(f"{where}: {missing}; used {source}: {title!r}")
    return title


def _url(
    site: Site,
    cand: _Candidate,
    fields: dict[str, Any],
    categories: list[str],
    date: dt.datetime | None,
    warnings: list[str],
) -> str | None:
    """The document's URL by Jekyll's permalink rules, or None when Jekyll would not
    publish it (``--all-files``)."""
    if cand.jekyll_skip:
        return None
    rel, path = cand.rel, cand.path
    config = site.config
    own = fields.get("permalink")
    templates: list[tuple[str, str]] = []
    if own is not None:
        if isinstance(own, str) and own.strip():
            templates.append((own.strip(), "permalink"))
        else:
            warnings.append(f"{rel}: permalink must be a non-empty string, not {own!r}; ignored")
    output_ext = ".html" if path.suffix.lower().lstrip(".") in config.markdown_ext else path.suffix
    url_base, baseurl = site.site_url()
    if cand.kind == "page":
        folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
        basename = path.name[: -len(path.suffix)] if path.suffix else path.name
        basename = basename.rstrip(".")
        if basename == "index":
            default = "/:path/"
        else:
            default = add_permalink_suffix("/:path/:basename", config.permalink)
        template = templates[0][0] if templates else default
        url = render_page(template, folder, basename, output_ext)
        return absolute_url(url, url_base, baseurl)
    label = "posts" if cand.kind in ("post", "draft") else cand.kind
    if label == "posts":
        templates.append(
            (config.collection_permalink("posts") or style_template(config.permalink), "site")
        )
    else:
        templates.append(
            (
                config.collection_permalink(label)
                or add_permalink_suffix("/:collection/:path", config.permalink),
                "collection",
            )
        )
    templates.append((style_template("date"), "Jekyll's default"))
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    match = POST_NAME.match(path.name)
    slug = match.group(4) if match and cand.kind != "page" else stem  # Jekyll drops the date
    if isinstance(fields.get("slug"), str) and fields["slug"].strip():
        slug = fields["slug"].strip()
    slug = slug.rstrip(".")
    no_ext = rel[: -len(path.suffix)] if path.suffix else rel
    inner = no_ext.replace(config.collection_dir(label), "", 1).rstrip(".")
    placeholders = document_placeholders(
        label, inner, stem, slug, categories, date or site.now, output_ext
    )
    for template, source in templates:
        try:
            url = render_document(template, placeholders)
        except PermalinkError as error:
            warnings.append(f"{rel}: {source} {template!r}: {error}; the next rule is used")
            continue
        return absolute_url(url, url_base, baseurl)
    return None


# ---------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------


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
    root: Path, tz: ZoneInfo | None = None, options: SiteOptions | None = None
) -> Iterator[Article | Skipped | Duplicate | SiteWarning]:
    """Walk the site at ``root`` and yield every document, left-out file and duplicate.

    :param root: the site (corpus) folder; its ``_config.yml`` is read when present.
    :param tz: the site time zone when neither ``options.timezone`` nor the config names
        one (default Asia/Shanghai).
    :param options: :class:`SiteOptions` (default: exactly what ``jekyll build`` does).

    Yields first a :class:`SiteWarning` for each problem with the config, then one item
    per Markdown/HTML file: an :class:`Article` (a document Jekyll publishes), a
    :class:`Skipped` (with the reason and its ``kind``; one broken file never stops the
    run, not even one that trips an unexpected error) or a :class:`Duplicate`. Files are
    read in order of (number of path components, path), which is the yield order.

    A file whose URL (``key``) or else ``digest`` equals that of an article already
    yielded is a :class:`Duplicate` of it: among copies the one nearest the root, then
    the smallest path, is kept (C10). Raises :class:`CorpusError` at once (not at the
    first ``next``) when ``root`` is missing, not a folder, or unreadable.
    """
    return Site(root, options, tz).documents()


def _read_all(
    site: Site, found: list[_Candidate | Skipped]
) -> Iterator[Article | Skipped | Duplicate | SiteWarning]:
    for message in site.warnings:
        yield SiteWarning("_config.yml", message)
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
    root: Path, tz: ZoneInfo | None = None, options: SiteOptions | None = None
) -> CorpusReport:
    """Read a whole site (as :func:`read_corpus`) and count what happened.

    Returns a :class:`CorpusReport`; raises :class:`CorpusError` when ``root`` is
    missing, not a folder, or unreadable.
    """
    report = CorpusReport(root=root)
    for item in read_corpus(root, tz, options):
        report.add(item)
    return report
