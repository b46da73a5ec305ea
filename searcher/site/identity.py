"""When two documents are one, and which document ids a path stands for.

:func:`jekyll_key` is Jekyll's identity of a post without a URL, :func:`article_digest`
tells equal content (C10); :func:`kept_ids` gives the ids an index keeps for the files
and folders that could not be read now.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from .dates import FILENAME_DATE
from .records import Article, Skipped


def _slug(stem: str) -> str:
    match = FILENAME_DATE.match(stem)
    return match.group(4) if match else stem


def jekyll_key(rel: str, categories: list[str], date: dt.datetime | None) -> str:
    """Jekyll's identity of a post that has no URL: ``"<categories>|<day>|<slug>"``.

    Categories are sorted and joined with ``/``; the day is the ``YYYY-MM-DD`` of the file
    name when it has one, else the local day of ``date`` (empty when undated); the slug
    is the file stem without its ``YYYY-MM-DD-`` prefix (C10).
    """
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    match = FILENAME_DATE.match(stem)
    if match:
        day = f"{match.group(1)}-{match.group(2)}-{match.group(3)}"
    else:
        day = date.date().isoformat() if date is not None else ""
    return f"{'/'.join(sorted(categories))}|{day}|{_slug(stem)}"


def article_digest(
    title: str,
    body: str,
    date: dt.datetime | None,
    categories: list[str],
    tags: list[str],
    url: str | None,
    source_url: str | None = None,
    kind: str = "post",
    code: tuple[tuple[int, int], ...] = (),
) -> str:
    """Hex SHA-1 over everything indexed; equal digests mean the same content.

    ``code`` (the body's code blocks, :attr:`Article.code`) counts only when there is
    some, so a document without code keeps the digest it had before code was kept.
    """
    parts = [
        title,
        body,
        date.isoformat() if date is not None else "",
        "\x1f".join(categories),
        "\x1f".join(tags),
        url or "",
        source_url or "",
        kind,
    ]
    if code:
        parts.append(",".join(f"{start}-{end}" for start, end in code))
    return hashlib.sha1("\x1e".join(parts).encode("utf-8")).hexdigest()


def _content_digest(article: Article) -> str:
    """:func:`article_digest` of what a reader sees, without the URL and type."""
    return article_digest(
        article.title, article.body, article.date, article.categories, article.tags,
        None, article.source_url, "",
    )  # fmt: skip


def kept_ids(ids: Iterable[str], skipped: Iterable[Skipped]) -> set[str]:
    """The document ids among ``ids`` that the index keeps because their file could not
    be read now: each :class:`Skipped` with ``keeps`` (a path, relative to the site,
    POSIX) keeps the ids of that file (its path without, or with, its extension, the
    two forms an :class:`Article` id takes) and every id under it as a folder (``""``:
    every id). Rule: a document is removed only when its file is known to be gone or
    left out by a rule; a read that fails (``EACCES``, ``EIO``, ``ESTALE``…) keeps it.

    Linear in the number of ids times their depth (a set lookup per ancestor folder).
    """
    files: set[str] = set()
    folders: set[str] = set()
    for item in skipped:
        if item.keeps is None:
            continue
        folders.add(item.keeps)
        files.add(item.keeps)
        name = item.keeps.rsplit("/", 1)[-1]
        if "." in name:
            files.add(item.keeps.rsplit(".", 1)[0])
    if not folders:
        return set()
    if "" in folders:
        return set(ids)
    out: set[str] = set()
    for doc_id in ids:
        if doc_id in files:
            out.add(doc_id)
            continue
        cut = doc_id.find("/")
        while cut != -1:
            if doc_id[:cut] in folders:
                out.add(doc_id)
                break
            cut = doc_id.find("/", cut + 1)
    return out
