"""Building and updating the index from a corpus folder.

Updates are incremental: each post's digest (a hash of everything that is indexed) is
compared with the one in the index, and only new, changed and deleted posts are written.
A run with nothing to change opens no writer at all, so running it twice changes nothing.
All changes of one run are committed at once at the end: a run killed halfway leaves the
index as the last commit left it, searchable.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import stories
from .engine import Engine
from .errors import CorpusError, SearchIndexError
from .lexicon import Lexicon
from .site import Article, CorpusReport, Site, SiteOptions, escape_name, kept_ids
from .version import __version__

#: Fewest posts per writing process when ``jobs`` > 1 (fewer changes use fewer).
MIN_PART = 250


@dataclass
class IndexReport:
    """What one :func:`update_index` run did. Counts are numbers of posts (files).

    ``warnings`` counts posts read with at least one warning; ``messages`` holds every
    warning and skip reason, each naming its file. ``left_out`` counts the skipped files
    by reason (``draft``, ``future``, ``excluded by _config.yml``…) and
    ``skipped_files`` lists each as ``{"path", "kind", "reason"}``. ``kept_paths`` lists
    the files and folders that could not be read now (``EACCES``, ``EIO``…; each also in
    ``skipped_files``), and ``kept`` counts the indexed posts under them, kept as they
    were instead of removed. ``story_groups`` counts the index's groups of near-identical
    posts after the run (:mod:`searcher.stories`), ``grouped`` the posts in them.
    ``notices`` tells what is no problem of a file but changes what readers see (a site
    with no ``url``: :data:`searcher.site.walk.NO_URL_NOTICE`), once per run that
    indexes a post; apart from ``messages``, which list problems.
    """

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: int = 0
    duplicates: int = 0
    warnings: int = 0
    seconds: float = 0.0
    messages: list[str] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)
    skipped_files: list[dict[str, str]] = field(default_factory=list)
    kept: int = 0
    kept_paths: list[str] = field(default_factory=list)
    story_groups: int = 0
    grouped: int = 0
    notices: list[str] = field(default_factory=list)
    #: The signatures of the posts written, when their generation could not be grouped
    #: yet (a new schema: :meth:`searcher.index.Index.build` groups it once committed).
    signatures: stories.Signatures | None = field(default=None, repr=False, compare=False)

    def count_groups(self, groups: stories.StoryGroups | None) -> None:
        """Set ``story_groups`` and ``grouped`` from ``groups`` (None: not made)."""
        if groups is not None:
            self.story_groups = len(groups.groups)
            self.grouped = sum(len(g) for g in groups.groups)

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict (``seconds`` rounded to milliseconds)."""
        signatures, self.signatures = self.signatures, None
        try:
            d = asdict(self)
        finally:
            self.signatures = signatures
        del d["signatures"]
        d["seconds"] = round(self.seconds, 3)
        return d


def store_lexicon(engine: Engine, only_missing: bool = False) -> list[str]:
    """Build the lexicon of the engine's latest generation (:class:`~searcher.lexicon.
    Lexicon`: completions and pinyin, issue #21) and store it beside the generation, so
    that a search or a suggestion loads it (0.35 s on xwlb) rather than building it
    (2.5 s); with ``only_missing``, only when none is stored (an index of an older
    version). Write lock held. A generation being made (not committed) is skipped.
    Returns the messages for the report: a lexicon that cannot be stored is a warning,
    never a failed run (searches then build it themselves)."""
    if engine.planned:
        return []
    engine.sync()
    if only_missing and engine.read_extra("lexicon") is not None:
        return []
    words = engine.word_frequencies()
    if not words:
        return []
    lexicon = Lexicon(words, engine.headlines(), engine.segmenter)
    try:
        engine.write_extra("lexicon", lexicon.to_bytes())
    except OSError as exc:
        return [f"{engine.folder}: the lexicon of completions and pinyin was not stored: {exc}"]
    return []


def _stamp(date: str | None) -> int | None:
    return None if date is None else int(dt.datetime.fromisoformat(date).timestamp())


def store_stories(
    engine: Engine,
    previous: bytes | None = None,
    fresh: stories.Signatures | None = None,
    only_missing: bool = False,
) -> tuple[list[str], stories.StoryGroups | None]:
    """Group the posts of the engine's latest generation into stories (near-identical
    bodies, :mod:`searcher.stories`) and store the signatures and groups beside it.

    Signatures are reused: from ``fresh`` (the posts this run wrote) and ``previous``
    (what was stored with the generation before, :meth:`Engine.read_extra` read before
    the commit), for posts whose digest is the same; the rest are computed from the
    stored bodies (an index of an older version). The groups are then made from every
    signature, so they are what a fresh build of the same posts makes. With
    ``only_missing``, nothing is done when the generation has them. Write lock held.
    Returns the messages for the report (a grouping that cannot be stored is a warning:
    searches are then not collapsed) and the groups (None when not made)."""
    if engine.planned:
        return [], None
    engine.sync()
    if only_missing:
        stored = engine.read_extra("stories")
        found = stories.from_bytes(stored) if stored is not None else None
        if found is not None:
            return [], found[1]
    live = engine.digests()
    old = stories.from_bytes(previous) if previous is not None else None
    parts = [p for p in (fresh, old[0] if old else None) if p is not None]
    signed = stories.merge(parts, live)
    lacking = stories.missing(signed, live)
    if lacking:
        posts = [engine.stored(post_id) for post_id in lacking]
        computed = stories.signatures(
            (p.id, live[p.id], p.body, _stamp(p.date)) for p in posts if p is not None
        )
        signed = stories.merge([signed, computed], live)
    groups = stories.groups_of(signed)
    try:
        engine.write_extra("stories", stories.to_bytes(signed, groups))
    except OSError as exc:
        return [f"{engine.folder}: the story groups were not stored: {exc}"], groups
    return [], groups


def update_index(
    engine: Engine,
    corpus: Path,
    *,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    rebuild: bool = False,
    options: SiteOptions | None = None,
) -> IndexReport:
    """Make ``index`` hold exactly the documents the Jekyll site ``corpus`` publishes.

    :param engine: the engine of the index to update (:class:`searcher.engine.Engine`).
    :param corpus: the site folder (read as :func:`searcher.site.read_corpus` does).
    :param jobs: processes that analyse and write (forked; :func:`searcher.engine.whoosh.segments.
        write_in_workers`, for Whoosh), each at least :data:`MIN_PART` changed posts; 1 = this one.
    :param progress: called as ``progress(done, total)`` while documents are written.
    :param rebuild: write every post anew and drop all old segments in the same commit
        (Whoosh's ``CLEAR`` merge), so a rebuild killed halfway still leaves the old
        index searchable.
    :param options: :class:`searcher.site.SiteOptions` (drafts, future, ``--all-files``,
        site URL, time zone). When the site's time zone (``_config.yml`` or
        ``options.timezone``) differs from the index's, the index takes it and every
        dated document is rewritten.
    :returns: an :class:`IndexReport`.
    :raises CorpusError: the corpus folder is missing or unreadable.

    A post whose file is gone, or left out by a rule (a draft, excluded, a duplicate,
    not decodable…), is removed from the index and counted in ``removed``; one that
    cannot be read now (a folder that cannot be listed, a file that cannot be opened:
    ``EACCES``, ``EIO``, ``ESTALE``) is kept as indexed and counted in ``kept`` (see
    :func:`searcher.site.kept_ids`), even by a ``rebuild``, and such a run is not
    recorded for the unchanged-run shortcut. Nothing is dropped without a message.
    """
    started = time.perf_counter()
    if not corpus.is_dir():
        raise CorpusError(f"corpus folder not found: {corpus}")
    engine.sync()  # another run may have committed since this object looked
    site = Site(corpus, options, engine.timezone)
    candidates = site.candidates()
    fingerprint = f"searcher {__version__}:{site.fingerprint(candidates)}"
    same = _unchanged_run(engine, site, fingerprint) if not rebuild else None
    if same is not None:
        with engine.writing():
            engine.remove_leftovers()  # of a run that was killed or ran out of disk
            same.messages.extend(store_lexicon(engine, only_missing=True))
            messages, groups = store_stories(engine, only_missing=True)
            same.messages.extend(messages)
            same.count_groups(groups)
        same.notices = site.notices() if same.unchanged else []
        same.seconds = time.perf_counter() - started
        return same
    corpus_report = CorpusReport(root=corpus)
    articles: dict[str, Article] = {}
    for item in site.documents(candidates):
        article = corpus_report.add(item)
        if article is not None:
            articles[article.id] = article
    report = IndexReport(
        skipped=len(corpus_report.skipped),
        duplicates=len(corpus_report.duplicates),
        warnings=corpus_report.with_warnings,
        messages=corpus_report.lines,
        left_out=corpus_report.left_out(),
        skipped_files=corpus_report.skipped_list(),
        kept_paths=corpus_report.kept_paths(),
        notices=site.notices() if articles else [],
    )

    with engine.writing():
        engine.remove_leftovers()  # of a run that was killed or ran out of disk
        # A new time zone changes the years facet of every dated post, also of those
        # whose digest stays the same (dates with an offset): every post is rewritten.
        retime = str(site.timezone) != str(engine.timezone)
        if engine.planned and report.kept_paths and engine.generation() >= 0:
            raise SearchIndexError(
                f"{engine.folder}: not rebuilt: a new dictionary, segmenter or format rewrites "
                "every post, and the posts under what cannot be read now would be lost ("
                + ", ".join(report.kept_paths[:3])
                + "); the index is unchanged, run again once they can be read"
            )
        reuse = not engine.planned and (not rebuild or report.kept_paths)
        existing = engine.digests() if reuse else {}
        kept = kept_ids(set(existing) - set(articles), corpus_report.skipped)
        clear = rebuild and not kept  # else the rebuild rewrites all but the kept posts
        existing = {} if clear else existing
        changes = [
            a for a in articles.values() if rebuild or retime or existing.get(a.id) != a.digest
        ]
        gone = sorted(set(existing) - set(articles) - kept)
        report.kept = len(kept)
        report.unchanged = len(articles) - len(changes)
        # Else the time decides what is read, or a part could not be read: read it anew.
        timeless = "future" not in report.left_out and not report.kept_paths
        # The site's display names of facet values (_data/categories.yml…, issue #23),
        # for the page and the API; a site that stops naming them drops the old ones.
        names = site.display_names.to_json()
        stored = None if engine.planned else engine.description.get("display_names")
        values: dict[str, Any] = {"display_names": names} if names or stored else {}
        values |= {
            "timezone": str(site.timezone.key),
            "last_run": {
                "fingerprint": fingerprint,
                "articles": len(articles),
                "report": {k: v for k, v in report.to_dict().items() if k in _KEPT},
            }
            if timeless
            else None,
        }
        previous = None if engine.planned else engine.read_extra("stories")
        if changes or gone or rebuild:
            writer = engine.writer(site.timezone)
            try:
                for doc_id in gone:
                    writer.delete(doc_id)
                    report.removed += 1
                for article in changes:
                    if article.id in existing:
                        writer.delete(article.id)
                        report.updated += 1
                    else:
                        report.added += 1
                done = 0

                def advance(n: int) -> None:
                    nonlocal done
                    done += n
                    if progress is not None:
                        progress(done, len(changes))

                writer.add(changes, jobs=jobs, progress=advance, min_part=MIN_PART)
                values.update(
                    corpus=escape_name(str(corpus.resolve())),
                    updated=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                )
                writer.commit(values, clear=clear)
            except BaseException as exc:
                writer.cancel()
                engine.remove_leftovers()
                if isinstance(exc, OSError):
                    raise SearchIndexError(f"{engine.folder}: cannot write index: {exc}") from exc
                raise
            report.messages.extend(store_lexicon(engine))
            fresh = stories.signatures(
                (a.id, a.digest, a.body, None if a.date is None else int(a.date.timestamp()))
                for a in changes
            )
            messages, groups = store_stories(engine, previous, fresh)
            if engine.planned:
                report.signatures = fresh
        else:
            engine.write_description(values)
            report.messages.extend(store_lexicon(engine, only_missing=True))
            messages, groups = store_stories(engine, previous, only_missing=True)
        report.messages.extend(messages)
        report.count_groups(groups)
    report.seconds = time.perf_counter() - started
    return report


#: What an unchanged run reports as the last full run did (counts of documents and
#: messages about files; its own counts of changes are zero).
_KEPT = ("skipped", "duplicates", "warnings", "messages", "left_out", "skipped_files")


def _unchanged_run(engine: Engine, site: Site, fingerprint: str) -> IndexReport | None:
    """The report of a run with nothing to change, without reading a post: when the
    site's :meth:`~searcher.site.Site.fingerprint` (every file's size, modification time
    and inode, the config, the options) is the one recorded by the last full run into
    this index, and the index is still as that run left it (same Whoosh generation).
    None when anything differs: then every post is read."""
    last = engine.description.get("last_run")
    if not isinstance(last, dict) or last.get("fingerprint") != fingerprint:
        return None
    if str(site.timezone) != str(engine.timezone):
        return None
    if last.get("generation") != engine.description.get("generation"):
        return None
    try:
        report = IndexReport(**last["report"])
        report.unchanged = int(last["articles"])
    except (KeyError, TypeError, ValueError):
        return None
    return report


__all__ = ["MIN_PART", "IndexReport", "store_stories", "update_index"]
