"""Reading Jekyll posts into clean :class:`Article` records.

(Interface fixed here; the implementation is being written.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass
class Article:
    """One post, cleaned for indexing.

    id: stable identifier, the post's path relative to the corpus root, POSIX separators,
        without its extension (``_posts/2022-03-01-flood``).
    path: the path relative to the corpus root with its extension (``_posts/2022-03-01-flood.md``).
    title: plain text title (entities decoded once, never empty if the body has text).
    body: plain text body; paragraphs separated by one ``"\\n"``; no markup left.
    date: timezone-aware datetime, or None when the post cannot be dated.
    categories, tags: lists of plain strings (Jekyll semantics).
    url: the source link found in the body as ``<http…>``, or None.
    key: the Jekyll identity used to detect duplicates (see ``read_corpus``).
    digest: hex SHA-1 of everything indexed (title, body, date, categories, tags, url),
        used to detect changed posts.
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


@dataclass
class Skipped:
    """A file under the corpus root that was not read as a post, and why."""

    path: str
    reason: str


@dataclass
class Duplicate:
    """A post left out because another file is the same article (``kept`` is its path)."""

    path: str
    kept: str


def read_post(path: Path, root: Path, tz: ZoneInfo | None = None) -> Article:
    """Read one post. Raises PostError (naming the file) when it cannot be read."""
    raise NotImplementedError


def read_corpus(
    root: Path, tz: ZoneInfo | None = None
) -> Iterator[Article | Skipped | Duplicate]:
    """Walk ``root`` and yield every post, skipped file and duplicate."""
    raise NotImplementedError
