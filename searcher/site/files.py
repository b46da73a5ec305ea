"""The site's files as the file system has them, before any of Jekyll's rules.

Which names are Markdown or HTML, which are not valid UTF-8 and how they are shown
(``\\xNN``), paths relative to the site, the check that the site folder can be read, the
:class:`Skipped` of a folder that cannot be listed now (its documents are kept), and
:func:`iter_post_files`, every Markdown/HTML file under a folder (the ``--all-files``
walk). Used by the Jekyll walk (:mod:`.walk`), the reader and the corpus.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from searcher.errors import CorpusError

from .config import GONE_ERRORS, SiteConfig
from .records import Skipped

#: HTML extensions Jekyll copies through its identity converter (``HTML_EXTENSIONS``).
HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})
#: Folders never walked in ``--all-files`` mode (besides hidden ``.name`` folders).
IGNORED_DIRS = frozenset({"_site", "node_modules"})

#: What a reason says when the index keeps what it has for a path it cannot read now.
_KEEPING = "the index keeps what it has"


def valid_name(name: str) -> bool:
    """True when a file name (as ``os`` gives it) is valid UTF-8 text.

    Python hands undecodable bytes over as lone surrogates (PEP 383); Whoosh, JSON and
    the terminal cannot encode those, and ``jekyll build`` aborts on such a name.
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def escape_name(name: str) -> str:
    """``name`` with every byte that is not UTF-8 shown as ``\\xNN`` (printable, and
    safe to store): ``"bad\\udcff.md"`` becomes ``"bad\\\\xff.md"``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def bad_name_reason(folder: bool) -> str:
    """The reason given for a file or folder whose name is not valid UTF-8."""
    what = "folder name" if folder else "file name"
    tail = "; nothing in it is read" if folder else ""
    return f"{what} is not valid UTF-8 (jekyll build aborts on it){tail}"


def _relative(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    return escape_name(rel)


def _is_text(name: str, config: SiteConfig) -> bool:
    ext = os.path.splitext(name)[1].lower()
    return ext in HTML_EXTENSIONS or ext.lstrip(".") in config.markdown_ext


def _check_root(root: Path) -> None:
    if not root.exists():
        raise CorpusError(f"corpus folder not found: {root}")
    if not root.is_dir():
        raise CorpusError(f"corpus path is not a folder: {root}")
    try:
        with os.scandir(root):
            pass
    except OSError as error:
        raise CorpusError(f"cannot read corpus folder {root}: {error.strerror or error}") from None


def iter_post_files(root: Path) -> Iterator[Path | Skipped]:
    """Every Markdown/HTML file under ``root`` (the ``--all-files`` walk), sorted.

    Hidden files and folders (``.name``), ``_site`` and ``node_modules`` are not walked;
    symbolic links to folders are not followed. A sub-folder that cannot be listed is
    yielded as :class:`Skipped` with the OS error. Raises :class:`CorpusError` when
    ``root`` is missing, not a folder, or unreadable.
    """
    _check_root(root)
    errors: list[OSError] = []
    config = SiteConfig()
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        while errors:
            yield from _walk_error(errors.pop(0), root)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in IGNORED_DIRS)
        for d in [d for d in dirnames if not valid_name(d)]:
            dirnames.remove(d)
            yield Skipped(_relative(Path(dirpath, d), root), bad_name_reason(True), "bad file name")
        for d in [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            dirnames.remove(d)  # never followed (loops), but never silently passed over
            where = _relative(Path(dirpath, d), root)
            yield Skipped(where, "symbolic link to a folder: not followed", "special name")
        for name in sorted(filenames):
            if name.startswith(".") or not _is_text(escape_name(name), config):
                continue
            if valid_name(name):
                yield Path(dirpath, name)
            else:
                where = _relative(Path(dirpath, name), root)
                yield Skipped(where, bad_name_reason(False), "bad file name")
    for error in errors:
        yield from _walk_error(error, root)


def _walk_error(error: OSError, root: Path) -> Iterator[Skipped]:
    """An ``os.walk`` error: a folder that cannot be listed now, kept (nothing when it
    is gone)."""
    if error.errno in GONE_ERRORS:
        return
    where = _relative(Path(error.filename), root) if error.filename else "?"
    yield _unreadable_folder(where, error, where if error.filename else "")


def _unreadable_folder(where: str, error: OSError, keeps: str) -> Skipped:
    """The skip of a folder that cannot be listed now: the index keeps what it holds
    under ``keeps``."""
    why = f"cannot read folder: {error.strerror or error}; {_KEEPING} under it"
    return Skipped(where, why, "unreadable", keeps=keeps)
