"""The boundary between searcher and the engine that stores, finds and scores posts.

Everything a reader sees is decided above this boundary: which terms a text makes
(:mod:`searcher.analysis`), what a query means (:mod:`searcher.query`), the ordering
rules (:mod:`searcher.ranking`), facet semantics (:mod:`searcher.facets`), snippets
(:mod:`searcher.snippets`) and results (:mod:`searcher.results`). An engine implements
:class:`Engine` and :class:`EngineWriter` and hands back only the plain records below:
ids, scores, stored posts, counts and statistics, never its own objects (no document
numbers, readers, token streams or scorers).

Lifecycle: an engine is made for a folder by its module (``WhooshEngine.open(folder)``,
``WhooshEngine.new_generation(folder, description, segmenter, user_words)`` for a new generation
with new analysis settings), followed with :meth:`Engine.sync`, and closed with
:meth:`Engine.close`. The folder's *description* (``searcher.json``: format, segmenter,
time zone, last run…) is a JSON object the engine stores atomically with each commit.

Writing: :meth:`Engine.writing` holds the write lock; :meth:`Engine.digests` says what is
indexed; :meth:`Engine.writer` adds and deletes posts and commits them with new
description values as one generation, or cancels.

Reading: :meth:`Engine.search` runs a query plan with filters, a sort, a page and a CPU
budget; :meth:`Engine.stored`, :meth:`Engine.stats`, :meth:`Engine.key_terms` and
:meth:`Engine.word_frequencies`, :meth:`Engine.headlines`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..analysis import Segmenter, UserWord
from ..errors import IndexFormatError, SearchIndexError
from ..query.plan import Node, QueryPlan
from ..request import Filters
from ..site.records import Article
from ..stories import StoryGroups


@dataclass(frozen=True)
class StoredPost:
    """What the engine stores of a post and gives back: the site reader's
    :class:`~searcher.site.Article` fields a result shows. ``date`` is ISO 8601 with
    its offset (site time zone), or None; ``body`` is the indexed text, ``code`` the
    character spans of its code blocks (:attr:`~searcher.site.Article.code`)."""

    id: str
    path: str
    url: str | None
    source_url: str | None
    type: str
    title: str
    body: str
    date: str | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    code: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class EngineHit:
    """One hit of a page: the stored post and its score (None under a date sort); under
    collapse, ``folded``: the other matches of its story group, newest first, at most
    :data:`~searcher.stories.MAX_SIMILAR` of them, and ``folded_count``: how many there
    are in all."""

    post: StoredPost
    score: float | None
    folded: tuple[StoredPost, ...] = ()
    folded_count: int = 0


@dataclass
class EngineResult:
    """The answer to :meth:`Engine.search`.

    ``total``: posts matching the plan and every filter (under collapse, their story
    groups); ``unfiltered_total``: posts matching the plan alone; ``hits``: the page
    asked for, in order; ``facets``: the counts of
    :class:`searcher.results.SearchResults` (drill sideways, :mod:`searcher.facets`);
    ``stopped``: the CPU budget ran out (the rest covers the matches found by then);
    ``folded``: collapsed, and two matches or more of one story group were folded;
    ``partial``: the shards left out because no copy of them answered (their names;
    empty: every post was searched); ``behind``: the shards read at an older commit
    than the others (a replica not yet up to date), each with its generation.
    """

    total: int
    unfiltered_total: int
    hits: list[EngineHit]
    facets: dict[str, dict[str, int]]
    stopped: bool = False
    folded: bool = False
    partial: tuple[str, ...] = ()
    behind: tuple[str, ...] = ()


@dataclass
class EngineStats:
    """Counts of an engine's live posts: ``documents``, facet value counts, the first
    and last dates (Unix seconds, None when no post is dated) and the folder's size in
    bytes."""

    documents: int
    categories: dict[str, int]
    tags: dict[str, int]
    years: dict[str, int]
    first: int | None
    last: int | None
    size_bytes: int


@dataclass(frozen=True)
class Sort:
    """How :meth:`Engine.search` orders hits: ``by`` ``"relevance"``, ``"newest"`` or
    ``"oldest"``; under relevance, ``recency`` (a half-life in days, or None) and ``now``
    (Unix seconds) for :func:`searcher.ranking.recency_factor`."""

    by: str = "relevance"
    recency: float | None = None
    now: float = 0.0


@dataclass(frozen=True)
class Page:
    """Which hits :meth:`Engine.search` returns: ``limit`` of them from ``offset``."""

    offset: int = 0
    limit: int = 10


class EngineWriter(Protocol):
    """Adds and deletes posts of one generation; nothing is visible before :meth:`commit`.
    Use with the engine's write lock held (:meth:`Engine.writing`)."""

    def delete(self, post_id: str) -> None:
        """Delete the live post ``post_id`` (nothing when there is none)."""

    def add(
        self,
        articles: Sequence[Article],
        jobs: int = 1,
        progress: Callable[[int], None] | None = None,
        min_part: int = 1,
    ) -> None:
        """Analyse and add ``articles``, in up to ``jobs`` processes of at least
        ``min_part`` posts each; ``progress(n)`` after each ``n`` written."""

    def commit(self, values: dict[str, Any], clear: bool = False) -> None:
        """Make the changes one new generation, described by the current description
        plus ``values``; ``clear``: drop every post not added by this writer."""

    def cancel(self) -> None:
        """Drop the changes (also after a commit that failed halfway)."""


class Engine(Protocol):
    """A search engine holding one index folder; thread-safe for searches."""

    folder: Path
    description: dict[str, Any]
    timezone: ZoneInfo
    segmenter: Segmenter
    segmenter_name: str
    user_words: tuple[UserWord, ...]

    @property
    def planned(self) -> bool:
        """True for a new generation not committed yet: nothing to search."""

    def sync(self) -> tuple[int, ...]:
        """Follow the folder to its latest commit; returns its identity (a new value
        after every commit, rebuild or replacement)."""

    def generation(self) -> int:
        """The number of the latest generation (-1 before the first commit)."""

    def close(self) -> None:
        """Release every open file."""

    def writing(self) -> AbstractContextManager[None]:
        """Hold the write lock (other writers, here or in other processes, are refused)."""

    def digests(self) -> dict[str, str]:
        """``{post id: digest}`` of every live post."""

    def writer(self, timezone: dt.tzinfo | None = None) -> EngineWriter:
        """A writer for the next generation (write lock held), the years facet of its
        posts in ``timezone`` (default: the description's)."""

    def write_description(self, values: dict[str, Any]) -> None:
        """Record ``values`` in the current generation's description (write lock held)."""

    def remove_leftovers(self) -> list[str]:
        """Delete files no commit refers to (a killed or failed writer's); their names."""

    def write_extra(self, name: str, data: bytes) -> None:
        """Store ``data`` under ``name`` (lowercase letters) with the latest generation
        (write lock held), replacing older generations' copies: what is made once from a
        generation's posts, such as the lexicon of :mod:`searcher.lexicon`. Raises
        OSError."""

    def read_extra(self, name: str) -> bytes | None:
        """The data stored under ``name`` with the generation searched, or None."""

    def search(
        self,
        plan: QueryPlan,
        filters: Filters,
        sort: Sort,
        page: Page,
        cpu_seconds: float,
        groups: StoryGroups | None = None,
        counted: bool = True,
    ) -> EngineResult:
        """Run ``plan``: every match scored, the filters and facet counts, one page.
        With ``groups``, collapsed: the total, facet counts and page are of story groups
        (:mod:`searcher.stories`, :mod:`searcher.facets`), each shown by its best-ranked
        match. Without ``counted``, no facet is counted (``facets`` is empty: a query
        that shows none, such as related stories).

        A plan's ``Units`` and ``Word`` nodes (:mod:`searcher.query.plan`) are matched
        in a post's title, body, and tags and categories (each label a text of its own:
        no run spans two; issue #20), weighted ``TITLE_BOOST``, 1 and ``LABEL_BOOST``.
        """

    def count(self, node: Node) -> int:
        """How many live posts match the plan node ``node``, with no filter (the looser
        rules of :mod:`searcher.query.relax` weigh a query's words by it)."""

    def stored(self, post_id: str) -> StoredPost | None:
        """The live post ``post_id``, or None."""

    def stats(self) -> EngineStats:
        """Counts over the live posts."""

    def key_terms(self, post_id: str, limit: int = 10) -> list[tuple[str, float]]:
        """The post's most distinctive words (``[(word, weight)]``, best first)."""

    def word_frequencies(self) -> Mapping[str, int]:
        """The jieba words of the live posts' titles and bodies (folded, as indexed),
        each with the number of live posts holding it (in the field where it is in
        most): the vocabulary of "did you mean" (:mod:`searcher.suggest`). One object
        per generation, the same one until the next commit (callers may key caches on
        it; they must not change it)."""

    def headlines(self) -> Sequence[StoredPost]:
        """Every live post as stored, without its body (``body`` is ""; no order): the
        titles, dates, tags and categories that suggestions complete from
        (:mod:`searcher.lexicon`). One object per generation, as
        :meth:`word_frequencies`."""


def zone(name: str) -> ZoneInfo:
    """The time zone ``name`` (IANA) of a description's ``timezone``.

    :raises SearchIndexError: naming ``timezone``, for an unknown zone.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SearchIndexError(f"timezone: unknown time zone {name!r}") from exc


def check_format(folder: Path, found: Any, wanted: int) -> None:
    """Refuse an index of another format than ``wanted`` (its description says
    ``found``), as every engine does.

    :raises IndexFormatError: naming ``folder`` and both formats, and the rebuild.
    """
    if found != wanted:
        raise IndexFormatError(
            f"{folder}: index format {found} is not {wanted}; "
            "rebuild it with `searcher index --rebuild`"
        )


class EngineKind(Protocol):
    """An engine class: how engines of one kind are made for a folder."""

    def exists(self, folder: Path) -> bool:
        """True when ``folder`` holds an index of this kind with a committed generation."""

    def read_description(self, folder: Path, format_version: int | None = None) -> dict[str, Any]:
        """``folder``'s description; with ``format_version``, checked
        (:class:`~searcher.errors.IndexFormatError` for another), else as it is ({})."""

    def open(self, folder: Path, format_version: int) -> Engine:
        """The engine of the index in ``folder``, at its latest commit."""

    def new_generation(
        self,
        folder: Path,
        description: dict[str, Any],
        segmenter: str,
        user_words: Sequence[UserWord],
    ) -> Engine:
        """An engine for a new generation of ``folder`` with new analysis settings,
        nothing written before its writer commits."""

    def discard_unborn(self, folder: Path, made: bool) -> None:
        """Remove what a failed first build left (the folder too when ``made``)."""

    def old_user_words(self, folder: Path) -> tuple[UserWord, ...]:
        """The user dictionary of an index that cannot be opened as it is."""


__all__ = [
    "Engine",
    "EngineKind",
    "EngineHit",
    "EngineResult",
    "EngineStats",
    "EngineWriter",
    "Page",
    "Sort",
    "StoredPost",
    "check_format",
    "zone",
]
