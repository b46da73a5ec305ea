"""What reading a site came to: :class:`CorpusReport` counts the items of
:func:`~searcher.site.read_corpus` (documents, warnings, skipped files, duplicates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .records import Article, Duplicate, SiteWarning, Skipped


@dataclass
class CorpusReport:
    """What :func:`check_corpus` found in a corpus folder.

    posts: number of distinct documents read (duplicates not counted).
    with_warnings: how many of them carry warnings (recovered, still indexed).
    warnings: every warning line, each starting with the file's relative path.
    skipped, duplicates: the files not indexed, in reading order.
    lines: warnings, skipped files and duplicates as printable lines, in reading order.
    types: ``{type: count}`` of the documents read (``post``, ``page``, a collection).
    notices: what the run tells about the site as a whole that is no problem of a file
        (:meth:`~searcher.site.walk.SiteFolder.notices`: no ``url``), once each, when it
        read a document; apart from ``warnings`` and ``lines``.
    ``kept_paths()``: the files and folders that could not be read now, whose documents
    an index keeps (see :func:`kept_ids`).
    """

    root: Path
    posts: int = 0
    with_warnings: int = 0
    warnings: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    types: dict[str, int] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    def left_out(self) -> dict[str, int]:
        """``{kind: count}`` of the skipped files, by reason (see ``SKIP_KINDS``)."""
        counts: dict[str, int] = {}
        for item in self.skipped:
            counts[item.kind or "unreadable"] = counts.get(item.kind or "unreadable", 0) + 1
        return counts

    def kept_paths(self) -> list[str]:
        """The paths (files, folders; ``_config.yml`` for the whole site) that could not
        be read now, in reading order: an index keeps what it holds for them."""
        return [item.path for item in self.skipped if item.keeps is not None]

    def summary(self) -> str:
        """``posts read: N, recovered with warnings: W, skipped: S (…), duplicates: D``,
        then ``, could not read now: K`` when something could not be read."""
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.left_out().items()))
        unread = len(self.kept_paths())
        return (
            f"posts read: {self.posts}, recovered with warnings: {self.with_warnings}, "
            f"skipped: {len(self.skipped)}{f' ({kinds})' if kinds else ''}, "
            f"duplicates: {len(self.duplicates)}"
            + (f", could not read now: {unread}" if unread else "")
        )

    def add(self, item: Article | Skipped | Duplicate | SiteWarning) -> Article | None:
        """Count one item of :func:`read_corpus`; return it if it is an article to index."""
        if isinstance(item, Article):
            self.posts += 1
            self.types[item.type] = self.types.get(item.type, 0) + 1
            if item.warnings:
                self.with_warnings += 1
                self.warnings.extend(item.warnings)
                self.lines.extend(item.warnings)
            return item
        if isinstance(item, SiteWarning):
            self.warnings.append(item.message)
            self.lines.append(item.message)
        elif isinstance(item, Skipped):
            self.skipped.append(item)
            self.lines.append(f"{item.path}: skipped: {item.reason}")
        else:
            self.duplicates.append(item)
            why = f" ({item.reason})" if item.reason else ""
            self.lines.append(f"{item.path}: duplicate of {item.kept}{why}, not indexed")
        return None

    def skipped_list(self) -> list[dict[str, str]]:
        """The skipped files as ``{"path", "kind", "reason"}`` dicts (for ``--json``)."""
        return [{"path": s.path, "kind": s.kind, "reason": s.reason} for s in self.skipped]
