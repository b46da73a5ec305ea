"""One candidate file into an :class:`Article`, or a :class:`SkippedPostError` saying why not.

Reads the file within the size limit, decodes it (:mod:`.text`), parses its front
matter (:mod:`.frontmatter`) under the config's defaults, applies Jekyll's publishing
rules (``published``, future dates, ``search: false``), renders its Liquid
(:mod:`.liquid`) and leaves out template pages (``listing page``), and settles the
title, the date (:mod:`.dates`), categories, tags and the URL (:mod:`.urls`).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import Any

from .config import GONE_ERRORS, outside_site
from .dates import date_from_filename, front_matter_date, post_date
from .files import _KEEPING, escape_name
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
from .identity import _slug, article_digest, jekyll_key
from .liquid import LiquidSite, render_liquid
from .records import Article, SkippedPostError
from .rendered import RenderedSite
from .rendered import output_ext as built_ext
from .text import decode_bytes, first_sentence, html_to_text, one_line, read_body
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
_TRUE = frozenset({"true", "yes", "on"})

#: Longest title kept, in characters (a title is highlighted whole on every hit).
MAX_TITLE_CHARS = 1000


def _falsy(value: Any) -> bool:
    if isinstance(value, bool):
        return not value
    return isinstance(value, str) and value.strip().lower() in _FALSE


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in _TRUE


def _read_document(
    site: SiteFolder, cand: _Candidate, rendered: RenderedSite | None = None
) -> Article:
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
    recovered: list[str] = []  # keys read line by line from YAML Jekyll rejects
    first_line = 1  # the line of the file where the body starts
    if FRONT_MATTER.detect(text):
        try:
            fm, content = FRONT_MATTER.split(text)
            first_line = text.count("\n", 0, len(text) - len(content)) + 1
            fields, fm_lines = parse_front_matter(fm, rel, warnings, recovered)
        except ValueError:
            if not is_post or site.options.all_files:
                raise SkippedPostError(
                    rel, "front matter opened with --- on line 1 is never closed", "not a document"
                ) from None
            # Jekyll publishes such a post with the whole file as its body.
            fields, fm_lines, content, first_line = {}, [], text, 1
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
    source = content
    lists = None
    if not _falsy(fields.get("render_with_liquid", True)):  # Jekyll 4: Liquid, then kramdown
        # Jekyll's page has none of the keys recovered from YAML it rejects
        page = {**(defaults or {}), **{k: v for k, v in fields.items() if k not in recovered}}
        liquid = render_liquid(content, rel, _liquid_site(site), first_line, page)
        source, lists = liquid.text, liquid.lists
        warnings.extend(liquid.warnings)
    # A template page (issue 19): a page whose Liquid lists other documents, or with no
    # text of its own; its text would be the site's lists or its layout's. Posts and
    # collection documents never are; search: true in its front matter keeps it.
    template = cand.kind == "page" and not site.options.all_files
    template = template and not _truthy(fields.get("search"))
    if template and lists:
        raise SkippedPostError(
            rel,
            f"a listing page: its Liquid lists {lists} (search: true in its front "
            "matter indexes it)",
            "listing page",
        )
    problems: list[str] = []
    read, source_url = read_body(source, markdown, problems, fields.get("source_url"))
    body, code = read.text, read.code
    if template and not body:
        layout = scalar_text(fields.get("layout"))
        made = f"; its layout {layout!r} makes the page" if layout else ""
        raise SkippedPostError(
            rel,
            f"a template page: no text of its own once Liquid is rendered{made} "
            "(search: true in its front matter indexes it)",
            "listing page",
        )
    mark = len(warnings)  # where the body's and title's warnings go, once the body is known

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
    categories = dedupe([one_line(c) for c in categories])
    tags = dedupe([one_line(t) for t in tags])

    if cand.jekyll_skip:
        warnings.append(
            f"{rel}: Jekyll would not publish it ({cand.jekyll_skip}); indexed (--all-files)"
        )
    url, page_url = _url(site, cand, fields, categories, date, warnings)
    built = None  # the text of the page jekyll build wrote (--rendered)
    if rendered is not None and page_url is not None:
        ext = built_ext(fields.get("permalink"), ".html" if markdown else path.suffix)
        built = rendered.text(rel, page_url, ext, cand.kind == "page", bool(body), warnings)
    head: list[str] = []
    if built is not None:
        body, code = built.text, built.code  # the source's problems concern unused text
    else:
        head.extend(f"{rel}: {problem}" for problem in problems)
        if not body and content.strip():
            head.append(
                f"{rel}: the body has no visible text, although the file has "
                f"{len(content.strip()):,} characters after the front matter (markup only?)"
            )
    title = _title(fields, fm_lines, body, path, rel, head)
    if len(title) > MAX_TITLE_CHARS:
        head.append(
            f"{rel}: title of {len(title):,} characters; kept the first {MAX_TITLE_CHARS:,}"
        )
        title = title[:MAX_TITLE_CHARS].rstrip()
    warnings[mark:mark] = head
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
        digest=article_digest(title, body, date, categories, tags, url, source_url, kind, code),
        warnings=warnings,
        source_url=source_url,
        type=kind,
        code=code,
    )


def _liquid_site(site: SiteFolder) -> LiquidSite:
    """What :func:`render_liquid` needs of ``site``."""
    return LiquidSite(
        root=site.root,
        includes_dir=site.config.includes_dir,
        max_bytes=site.options.max_post_bytes,
        follow_outside_links=site.options.follow_outside_links,
        collections=frozenset(site.config.collections),
    )


def _leave_out(site: SiteFolder, cand: _Candidate, reason: str, kind: str) -> None:
    """Jekyll would not publish ``cand``: raise, or with ``--all-files`` only say so."""
    if not site.options.all_files:
        raise SkippedPostError(cand.rel, reason, kind)
    cand.jekyll_skip = cand.jekyll_skip or reason


#: Markup a browser hides without hiding text: well-formed tags and comments.
_PLAIN_MARKUP = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.S)


def _title(
    fields: dict[str, Any],
    fm_lines: list[str],
    body: str,
    path: Path,
    rel: str,
    warnings: list[str],
) -> str:
    """The document's title as plain text: what a reader sees in a browser.

    Jekyll writes ``title`` into the page as it is (``{{ page.title }}`` in the layout
    does not escape, measured with ``jekyll build`` 4.3.1), so the browser reads it as
    HTML: tags and comments are not shown (``一个<b>标题</b>`` → ``一个标题``), entities
    are decoded once (``&amp;lt;`` → ``&lt;``), ``<br>`` and runs of white space are one
    space, a ``<`` that cannot open a tag stays (``1 < 2``). The same reading as the body
    (:func:`~searcher.site.text.html_to_text`). When markup hides text (a ``<script>``, a
    stray ``<b`` that swallows the rest), a warning gives the title as stored. An empty
    title falls back to the body's first sentence, then the file name (C8).
    """
    title_value = fields.get("title")
    line = key_line(fm_lines, "title")
    where = f"{rel}:{line}" if line else rel
    if isinstance(title_value, list | dict):
        warnings.append(f"{where}: title is a YAML {type(title_value).__name__}; used as text")
        title_value = " ".join(flatten(title_value))
    written = scalar_text(title_value)
    title = one_line(" ".join(html_to_text(written).split("\n")))
    marked = "<" in written or "&" in written  # else the browser shows it as written
    loose = "".join(html.unescape(_PLAIN_MARKUP.sub("", written)).split()) if marked else ""
    if marked and title and "".join(title.split()) != loose:
        warnings.append(f"{where}: title {written!r} has markup that hides text; kept {title!r}")
    if not title:
        title = first_sentence(body)
        source = "the first sentence of the body"
        if not title:
            title = one_line(_slug(path.stem).strip("-_ ") or path.stem)
            source = "the file name"
        missing = "empty title" if line else "no title"
        warnings.append(f"{where}: {missing}; used {source}: {title!r}")
    return title


def _url(
    site: SiteFolder,
    cand: _Candidate,
    fields: dict[str, Any],
    categories: list[str],
    date: dt.datetime | None,
    warnings: list[str],
) -> tuple[str | None, str | None]:
    """The document's URL by Jekyll's permalink rules, and its root-relative
    ``page.url`` (no site url, no ``baseurl``: where ``jekyll build`` writes it); both
    None when Jekyll would not publish it (``--all-files``)."""
    if cand.jekyll_skip:
        return None, None
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
        return absolute_url(url, url_base, baseurl), url
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
        return absolute_url(url, url_base, baseurl), url
    return None, None
