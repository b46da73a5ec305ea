"""Which files a Jekyll site publishes: the walk of Jekyll 4.3's ``Reader``.

:class:`SiteFolder` is a site folder with its ``_config.yml`` (:mod:`.config`) and its
publishing switches settled; :meth:`SiteFolder.walk` yields each Markdown or HTML file
as a :class:`_Candidate` (what Jekyll would make of it: a post, a draft, a page or a
document of a collection) or a :class:`Skipped` saying why Jekyll leaves it out. No file
is read here (:mod:`.reader` does that).

The walk follows Jekyll 4.3's ``Reader``: folders are entered unless the config's
``exclude`` (plus Jekyll's defaults) or a special name (``. _ # ~``) leaves them out;
``_posts/`` and ``_drafts/`` in any entered folder hold posts, whose categories start
with the folders above them; collections live in ``<collections_dir>/_<label>/``.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .config import GONE_ERRORS, load_config, outside_site
from .dates import filename_day, named_zone
from .files import (
    _KEEPING,
    _check_root,
    _is_text,
    _unreadable_folder,
    bad_name_reason,
    escape_name,
    valid_name,
)
from .options import DEFAULT_TIMEZONE, SiteOptions
from .records import Skipped

#: Version-control folders: not walked at all (they hold no documents).
VCS_DIRS = frozenset({".git", ".hg", ".svn"})
#: The notice of a site with no ``url`` (issue #23): its URLs are root-relative, right on
#: the site's own host only, so the search page links hits to its article view instead.
NO_URL_NOTICE = (
    "_config.yml: no url (the site's address), so result URLs are root-relative "
    "(/2024/03/01/…) and the search page links each hit to its article view (/posts/…), "
    "not to the site; set url in _config.yml or give --site-url https://your.site"
)
#: Post file names Jekyll accepts (``Document::DATE_FILENAME_MATCHER``).
POST_NAME = re.compile(r"^(\d{2,4})-(\d{1,2})-(\d{1,2})-(.*)(\.[^.]+)$")


@dataclass
class _Candidate:
    """A file the walk found: what Jekyll would make of it."""

    path: Path
    rel: str
    kind: str  # "post", "draft", "page", or a collection label
    categories: list[str] = field(default_factory=list)
    collection_dir: str = ""
    jekyll_skip: str = ""  # --all-files: why Jekyll would leave this file out


class SiteFolder:
    """A Jekyll site folder with its config and publishing switches settled, and
    Jekyll's walk over its files. :class:`~searcher.site.corpus.Site` adds reading;
    its docstring tells the parameters and attributes.
    """

    def __init__(
        self, root: Path, options: SiteOptions | None = None, tz: ZoneInfo | None = None
    ) -> None:
        _check_root(root)
        self.root = root
        self.options = options or SiteOptions()
        self.config = load_config(root, self.options.follow_outside_links)
        self._linked: set[str] = set()  # real folders entered through a link (one walk)
        # Jekyll never reads its own output folder (Reader#retrieve_dirs skips site.dest):
        # with "destination: public", the files in public/ are not documents.
        dest = os.path.normpath(os.path.join(root, self.config.destination))
        self._destination = Path(os.path.relpath(dest, root)).as_posix()
        self.warnings = list(self.config.warnings)
        self.timezone = tz or named_zone(DEFAULT_TIMEZONE)
        for source, name in (
            ("_config.yml timezone", self.config.timezone),
            ("--timezone", self.options.timezone),
        ):
            if name:
                try:
                    self.timezone = ZoneInfo(name)
                except (ZoneInfoNotFoundError, ValueError):
                    self.warnings.append(f"{source}: unknown time zone {name!r}; ignored")
        now = self.options.now or dt.datetime.now(dt.timezone.utc)
        self.now = now.astimezone(self.timezone)
        self.drafts = self.options.drafts or self.config.show_drafts
        self.unpublished = self.options.unpublished or self.config.unpublished
        self.future = self.options.future or self.config.future

    # -- the walk ---------------------------------------------------------------------

    def walk(self) -> Iterator[_Candidate | Skipped]:
        """Every Markdown/HTML file under the root: a candidate document, or a
        :class:`Skipped` saying why Jekyll leaves it out. Sorted, deterministic.

        Symbolic links follow Jekyll 4.3 in safe mode (``jekyll build --safe``, checked
        against it): a link to a file is read where it stands; a link to a folder is
        entered in the site's own folders (``Reader#read_directories``) but not inside
        ``_posts``, ``_drafts`` or a collection (Ruby's ``Dir["**/*"]`` does not
        enter linked folders); a link whose target leaves the site is left out as
        ``outside the site`` unless ``SiteOptions.follow_outside_links`` (plain
        ``jekyll build``). Unlike Jekyll, which fails with ``ELOOP`` on a loop of
        links, a folder link that leads back to a folder being read, or to one
        already entered through another link, is left out, so a walk always ends."""
        self._linked = set()
        yield from self._walk_dir("")
        for label in sorted(self.config.collections):
            if label == "posts":
                continue
            folder = self.config.collection_dir(label)
            if not (self.root / folder).is_dir():
                self.warnings.append(
                    f"_config.yml: collection {label!r} has no folder {folder}/; "
                    "it has no documents"
                )
                continue
            for item in self._entries(folder):
                if isinstance(item, Skipped):
                    yield item
                elif not self.config.is_output(label):
                    yield Skipped(
                        item,
                        f"document of collection {label!r}, which has no output: true",
                        "not output",
                    )
                else:
                    yield _Candidate(self.root / item, item, label, collection_dir=folder)

    def _listdir(self, rel: str) -> tuple[list[str], list[str], list[Skipped]]:
        """Folders and files in ``rel`` (sorted), and what cannot be read there: the
        folder itself, or names that are not valid UTF-8 (``jekyll build`` aborts on
        them), reported with the bad bytes escaped as ``\\xff``.

        A folder that cannot be listed now, or an entry that cannot be stat'ed (any OS
        error but "no such file": ``EACCES``, ``EIO``, ``ESTALE``…) is an
        ``unreadable`` :class:`Skipped` whose ``keeps`` is its path: the index keeps
        what it holds under it. A folder gone meanwhile is simply empty."""
        folder = self.root / rel if rel else self.root
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as error:
            if error.errno in GONE_ERRORS:
                return [], [], []
            return [], [], [_unreadable_folder(escape_name(rel or "."), error, escape_name(rel))]
        dirs: list[str] = []
        files: list[str] = []
        problems: list[Skipped] = []
        for entry in entries:
            is_dir = _is_dir(entry)  # a link to a folder is listed, then maybe followed
            if is_dir is None:
                continue  # gone meanwhile
            if isinstance(is_dir, OSError):
                child = escape_name(f"{rel}/{entry.name}" if rel else entry.name)
                why = f"cannot read: {is_dir.strerror or is_dir}; {_KEEPING}"
                problems.append(Skipped(child, why, "unreadable", keeps=child))
                continue
            if not valid_name(entry.name):
                if is_dir or _is_text(escape_name(entry.name), self.config):
                    child = escape_name(f"{rel}/{entry.name}" if rel else entry.name)
                    problems.append(Skipped(child, bad_name_reason(is_dir), "bad file name"))
                continue
            (dirs if is_dir else files).append(entry.name)
        return dirs, files, problems

    def _walk_dir(self, rel: str) -> Iterator[_Candidate | Skipped]:
        dirs, files, problems = self._listdir(rel)
        yield from problems
        for name in files:
            child = f"{rel}/{name}" if rel else name
            if not _is_text(name, self.config):
                continue
            why = self.config.exclusion(child)
            if why is not None:
                yield Skipped(child, _why(why, child), why)
            else:
                yield _Candidate(self.root / child, child, "page")
        in_collections = not self.config.collections_dir or (
            rel == self.config.collections_dir or rel.startswith(self.config.collections_dir + "/")
        )
        for name in dirs:
            child = f"{rel}/{name}" if rel else name
            if name in ("_posts", "_drafts") and in_collections:
                yield from self._posts(rel, child, draft=name == "_drafts")
                continue
            if name in VCS_DIRS:
                continue
            if child == self._destination:  # never read: one record for the folder
                built = sum(1 for _ in self._all_text_files(child))
                if built:
                    yield Skipped(child, _destination_reason(built), "special name")
                continue
            if os.path.islink(self.root / child):
                refused = self._folder_link(rel, child)
                if refused is not None:
                    yield refused
                    continue
            why = self.config.exclusion(child)
            if why is None:
                yield from self._walk_dir(child)
            elif not self._is_collection_dir(child):
                for item in self._all_text_files(child):
                    yield Skipped(item, _why(why, child + "/"), why)

    def _folder_link(self, rel: str, child: str) -> Skipped | None:
        """Why the link ``child`` (a folder of the walk, in folder ``rel``) is not
        entered, or None to enter it (see :meth:`walk`)."""
        outside = outside_site(self.root / child, self.root)
        if outside is not None and not self.options.follow_outside_links:
            return Skipped(
                child,
                f"symbolic link to {escape_name(outside)}, outside the site: not followed "
                "(as jekyll build --safe; --follow-outside-links follows it)",
                "outside the site",
            )
        real = os.path.realpath(self.root / child)
        here = os.path.realpath(self.root / rel)
        if real == here or here.startswith(real.rstrip(os.sep) + os.sep) or real in self._linked:
            return Skipped(
                child,
                "symbolic link to a folder read already (a loop of links, or a second "
                "link to it): not followed",
                "special name",
            )
        self._linked.add(real)
        return None

    def _is_collection_dir(self, rel: str) -> bool:
        return any(
            rel == self.config.collection_dir(label)
            for label in self.config.collections
            if label != "posts"
        )

    def _all_text_files(self, rel: str) -> Iterator[str]:
        """Markdown/HTML files anywhere under folder ``rel`` (left out with it)."""
        dirs, files, problems = self._listdir(rel)
        yield from (p.path for p in problems)
        for name in files:
            if _is_text(name, self.config):
                yield f"{rel}/{name}"
        for name in dirs:
            if name not in VCS_DIRS and not os.path.islink(self.root / rel / name):
                yield from self._all_text_files(f"{rel}/{name}")

    def _entries(self, folder: str) -> Iterator[str | Skipped]:
        """Jekyll's ``Reader#get_entries``: every file under ``folder`` (recursively),
        special names and excluded paths left out (and reported)."""
        stack = [folder]
        while stack:
            rel = stack.pop()
            dirs, files, problems = self._listdir(rel)
            yield from problems
            for name in files:
                child = f"{rel}/{name}"
                if not _is_text(name, self.config):
                    continue
                inner = child[len(folder) + 1 :]
                why = self.config.exclusion(child)
                if why is None and _special(inner):
                    why = "special name"
                if why is not None:
                    yield Skipped(child, _why(why, child), why)
                else:
                    yield child
            for name in reversed(dirs):
                if os.path.islink(self.root / rel / name):
                    yield Skipped(
                        f"{rel}/{name}", "symbolic link to a folder: not followed", "special name"
                    )
                elif name not in VCS_DIRS:
                    stack.append(f"{rel}/{name}")

    def _posts(self, parent: str, folder: str, draft: bool) -> Iterator[_Candidate | Skipped]:
        categories = [c for c in parent.split("/") if c]
        for item in sorted(
            self._entries(folder), key=lambda i: i if isinstance(i, str) else i.path
        ):
            if isinstance(item, Skipped):
                yield item
                continue
            name = item.rsplit("/", 1)[-1]
            if draft:
                if not self.drafts:
                    yield Skipped(item, "a draft (in _drafts/; use --drafts to index it)", "draft")
                else:
                    yield _Candidate(self.root / item, item, "draft", categories, folder)
                continue
            match = POST_NAME.match(name)
            problem = None
            if match is None:
                problem = "not a valid post name (Jekyll needs YYYY-MM-DD-title.ext)"
            else:
                year, month, day = (int(match.group(i)) for i in (1, 2, 3))
                if filename_day(year, month, day) is None:  # 02-30 runs on to 03-02
                    day_text = "-".join(match.group(i) for i in (1, 2, 3))
                    problem = f"not a valid post name ({day_text} is not a date)"
            if problem:
                yield Skipped(item, problem, "not a valid post name")
            else:
                yield _Candidate(self.root / item, item, "post", categories, folder)

    def site_url(self) -> tuple[str, str]:
        """The (url, baseurl) every URL starts with (``--site-url`` replaces both)."""
        if self.options.site_url is not None:
            return self.options.site_url.rstrip("/"), ""
        return self.config.url, self.config.baseurl

    def notices(self) -> list[str]:
        """What a run tells about the site as a whole that is no problem of a file:
        :data:`NO_URL_NOTICE` when neither ``_config.yml`` nor ``--site-url`` gives the
        site's address (issue #23), else nothing. Not a warning: a site may be meant to
        be served from its own host; the search page then links to its article view."""
        return [] if self.site_url()[0] else [NO_URL_NOTICE]


def _is_dir(entry: os.DirEntry[str]) -> bool | OSError | None:
    """Whether ``entry`` is a folder (following a link); None when it is gone, the
    error when it cannot be stat'ed now. A loop of links is a broken link: no folder."""
    try:
        return entry.is_dir()
    except OSError as error:
        if error.errno in GONE_ERRORS:
            return None
        return False if error.errno == errno.ELOOP else error


def _special(inner: str) -> bool:
    """EntryFilter#special? for a path inside a ``_posts``-like folder."""
    return any(part.startswith((".", "_", "#", "~")) for part in inner.split("/")) or (
        inner.endswith("~")
    )


def _destination_reason(built: int) -> str:
    """Why Jekyll's output folder (``_site``, or the config's ``destination``; the
    record's path names it) is left out, with ``built``, the number of Markdown/HTML
    files in it.

    One record for the folder, not one for each file in it (issue #23): after a ``jekyll
    build`` of the bundled corpus every run listed its 48 built pages, and the Jekyll
    hook relays each line into the build's log, so a site of 19,541 posts would get
    that many lines on every build. The pages are Jekyll's output, never sources.

    >>> _destination_reason(48)
    "Jekyll's output folder (48 built pages in it), not read"
    >>> _destination_reason(1)
    "Jekyll's output folder (1 built page in it), not read"
    """
    pages = "page" if built == 1 else "pages"
    return f"Jekyll's output folder ({built} built {pages} in it), not read"


def _why(kind: str, rel: str) -> str:
    if kind == "excluded by _config.yml":
        return f"excluded by _config.yml (exclude: matches {rel})"
    if kind == "default exclude":
        return f"left out by Jekyll's default excludes ({rel})"
    if rel.split("/", 1)[0] == "_site":
        return "in _site/, Jekyll's output folder"
    return f"special name ({rel}: names starting with . _ # ~ are not published)"
