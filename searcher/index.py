"""The :class:`Index`: one search index on disk, the library's entry point.

An ``Index`` is a facade over one engine (:mod:`searcher.engine`:
:class:`~searcher.engine.whoosh.WhooshEngine`, the default, or
:class:`~searcher.engine.xapian.XapianEngine`, also sharded and remote): it reads the site into it
(:mod:`searcher.indexing`), turns a :class:`~searcher.request.SearchRequest` into a query
plan (:mod:`searcher.query`), asks the engine, and makes the results (snippets and
highlights, :mod:`searcher.results`). It is safe to share between threads: searches run
in parallel, and updates are serialised by the index folder's write lock, which also
keeps other processes out. Every search first follows the folder to its latest commit
(:meth:`Index.sync`).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .analysis import DEFAULT_SEGMENTER, SEGMENTERS, UserWord, make_segmenter, read_user_dict
from .analysis.folding import fold
from .analysis.pinyin import latin
from .analysis.segmenters import Segmenter, user_dict_digest
from .analysis.variants import script_table
from .engine import Engine, EngineKind, EngineResult, Page, Sort, zone
from .engine.whoosh import WhooshEngine
from .errors import (
    CorpusError,
    IndexFormatError,
    Notice,
    QueryError,
    SearcherError,
    SearchIndexError,
)
from .lexicon import MAX_LIMIT, Completion, Lexicon, usable_prefix
from .query import ParsedQuery, QueryPlan, parse, plan_query
from .query.plan import Aids, match_units, units_of
from .query.relax import can_loosen, relaxed_plans
from .related import MAX_RELATED, RELATED_SNIPPET_CHARS
from .related import related as related_hits
from .request import Filters, SearchRequest
from .results import (
    Document,
    Hit,
    IndexStats,
    SearchResults,
    document_view,
    make_hit,
    matched_by,
    names_shown,
)
from .results_cache import RESULTS_CACHE_BYTES, RESULTS_CACHE_ENTRIES, ResultsCache
from .site.options import DEFAULT_TIMEZONE, SiteOptions
from .snippets import TermGroup
from .stories import StoryGroups, groups_from_bytes
from .suggest import FEW_RESULTS, Suggester, Suggestion
from .synonyms import Synonyms, read_synonyms

if TYPE_CHECKING:  # indexing reads sites (YAML, Markdown, lxml): a search never loads it
    from .indexing import IndexReport

#: Bumped whenever the schema or the analysis changes in a way old indexes cannot follow
#: (3: traditional → simplified folding, CJK punctuation breaks phrases, user dictionaries;
#: 5: ``searcher.json`` names the generation it describes, see
#: :mod:`searcher.engine.whoosh.files`; 6: the engine boundary, issue #18: the schema
#: pickles the analyzers of :mod:`searcher.engine.whoosh.analyzers`; 7: tags and
#: categories are searchable text, the ``labels*`` fields, and book titles, the
#: ``*_books`` fields of :mod:`searcher.analysis.booktitles`, issue #20).
FORMAT_VERSION = 7


def _read_user_dict(
    path: str | os.PathLike[str] | None,
) -> tuple[tuple[UserWord, ...] | None, list[str], str]:
    """The words of the user dictionary at ``path`` (None: not given; ``""``: none), the
    warnings about its lines, and its name."""
    if path is None:
        return None, [], ""
    if str(path) == "":
        return (), [], ""
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SearchIndexError(f"--dict: cannot read {path}: {exc}") from exc
    words, warnings = read_user_dict(text, str(path))
    return words, warnings, str(path)


def _check_folding(folder: Path, meta: dict[str, Any]) -> None:
    folding = script_table().description
    if meta.get("folding") != folding:
        raise IndexFormatError(
            f"{folder}: built with traditional → simplified folding "
            f"{meta.get('folding')!r}, but this installation folds with {folding!r}; "
            "rebuild it with `searcher index --rebuild`"
        )


#: The engines an index can be kept in, by name (recorded as ``engine`` in its
#: description; README "Architecture").
ENGINES: tuple[str, ...] = ("whoosh", "xapian")
#: The engine of new indexes when none is named: ``$SEARCHER_ENGINE`` (read at each
#: build; the test suite runs once per engine with it), else this one.
DEFAULT_ENGINE = "whoosh"


def default_engine() -> str:
    """The engine new indexes are kept in: ``$SEARCHER_ENGINE``, else
    :data:`DEFAULT_ENGINE`."""
    return os.environ.get("SEARCHER_ENGINE") or DEFAULT_ENGINE


def _engine_class(name: str) -> EngineKind:
    """The engine class named ``name``; Xapian's is imported on first use (its bindings
    are the optional extra ``searcher[xapian]``).

    :raises SearchIndexError: an unknown name, or the Xapian bindings are missing.
    """
    if name == "whoosh":
        return WhooshEngine
    if name == "xapian":
        try:
            from .engine.xapian import XapianEngine
        except ImportError as exc:
            if exc.name != "xapian":
                raise
            raise SearchIndexError(
                f"engine xapian: the Xapian bindings are not installed ({exc}); "
                "install them with `pip install 'searcher[xapian]'`"
            ) from exc
        return XapianEngine
    raise SearchIndexError(f"engine must be one of {', '.join(ENGINES)}, not {name!r}")


def is_stub(path: Path) -> bool:
    """True when ``path`` is a file named ``*.stub``, or whose first line (blank lines and
    ``#`` comments left out) names a database as a Xapian stub does (``remote``, ``auto``,
    ``glass``, ``chert``, ``inmemory``)."""
    try:
        if not path.is_file():
            return False
        if path.suffix == ".stub":
            return True
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            head = f.read(4096)
    except OSError:
        return False
    for line in head.splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            return words[0] in ("remote", "auto", "glass", "chert", "inmemory")
    return False


def _engine_of(folder: Path) -> EngineKind:
    """The engine class of the index in ``folder``: its description's ``engine`` (every
    engine keeps its description in ``searcher.json``, read here as Whoosh's does);
    indexes made before engines had names are Whoosh's.

    :raises SearchIndexError: the description names an engine this version lacks.
    """
    if is_stub(folder):  # a stub file naming shards: only Xapian has them
        return _engine_class("xapian")
    return _engine_class(str(WhooshEngine.read_description(folder).get("engine", "whoosh")))


#: Answers kept per Index (least recently used dropped first), until the next commit:
#: at most this many, within RESULTS_CACHE_BYTES (searcher.results_cache).
RESULTS_CACHE = RESULTS_CACHE_ENTRIES

#: An update is isolated in a child process when another thread searched this recently.
BUSY_SECONDS = 10.0


def _child_main() -> None:
    """The child process of an isolated update (``python -c``, so no ``__main__`` of
    the parent is imported): reads its arguments as a pickle on stdin and writes
    pickled ``("progress", done, total)``, then ``("done", report)`` or
    ``("error", exception)`` messages on stdout (which nothing else may use)."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints go to stderr, never into the message stream
    path, corpus, jobs, rebuild, options, report_progress = pickle.load(sys.stdin.buffer)

    def send(*message: Any) -> None:
        pickle.dump(message, out)
        out.flush()

    try:
        with Index.open(path) as index:
            from .indexing import update_index

            report = update_index(
                index.engine,
                corpus,
                jobs=jobs,
                progress=(lambda done, total: send("progress", done, total))
                if report_progress
                else None,
                rebuild=rebuild,
                options=options,
            )
        send("done", report)
    except BaseException as exc:  # sent to the parent, which raises it
        if not isinstance(exc, SearcherError):
            exc = SearchIndexError(f"{path}: update failed: {type(exc).__name__}: {exc}")
        send("error", exc)


def _update_in_child(
    path: Path,
    corpus: Path,
    jobs: int,
    rebuild: bool,
    options: SiteOptions | None,
    progress: Callable[[int, int], None] | None,
) -> IndexReport:
    """Run :func:`update_index` in a new interpreter and relay its progress and report."""
    command = [sys.executable, "-c", "from searcher.index import _child_main; _child_main()"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as child:
        assert child.stdin is not None and child.stdout is not None
        args = (path.resolve(), corpus.resolve(), jobs, rebuild, options, progress is not None)
        pickle.dump(args, child.stdin)
        child.stdin.close()
        while True:
            try:
                message = pickle.load(child.stdout)
            except (EOFError, pickle.UnpicklingError):
                child.wait()
                raise SearchIndexError(
                    f"{path}: the update process died (exit status {child.returncode}); "
                    "the index is as its last commit left it"
                ) from None
            if message[0] == "progress" and progress is not None:
                progress(message[1], message[2])
            elif message[0] == "done":
                return cast("IndexReport", message[1])
            elif message[0] == "error":
                raise message[1]


def _check_limit(limit: object, highest: int) -> None:
    """:class:`QueryError` ``bad_limit`` (``param="limit"``) unless ``limit`` is an int
    (not a bool) from 1 to ``highest``."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= highest:
        raise QueryError(
            f"limit must be an integer from 1 to {highest}", code="bad_limit", param="limit"
        )


class Index:
    """A search index stored in a folder.

    Use :meth:`open` for an existing index, :meth:`create` for a new one, or
    :meth:`open_or_create`; :meth:`build` does what ``searcher index`` does. Then
    :meth:`update` it from a Jekyll site and :meth:`search` it. Close it with
    :meth:`close` (or use it as a context manager).

    Attributes:
        path: the index folder.
        engine: the :class:`searcher.engine.Engine` holding the posts.
    """

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self._write_lock = threading.Lock()
        self._lock = threading.Lock()
        self._last_search: dict[int, float] = {}  # thread id → when it last searched
        self._results = ResultsCache(RESULTS_CACHE_BYTES, RESULTS_CACHE)
        self._results_identity: tuple[int, ...] = (-1,)
        self._running: dict[tuple[Any, ...], threading.Event] = {}  # searches under way
        self._suggester: Suggester | None = None  # one vocabulary's (see _suggestion)
        self._suggest_lock = threading.Lock()
        self._lexicon: Lexicon | None = None  # one generation's (see lexicon())
        self._lexicon_generation: tuple[int, ...] = (-1,)
        self._stories: tuple[tuple[int, ...], StoryGroups] = ((-1,), StoryGroups())
        self._synonyms: tuple[Any, Synonyms] = (None, Synonyms())  # (description, rules)
        self._display_names: tuple[Any, dict[str, dict[str, str]]] = (None, {})
        #: The generation whose folding was checked (open() checks the first one).
        self._checked = engine.description.get("created")

    # -- what the index was built with ---------------------------------------------------

    @property
    def meta(self) -> dict[str, Any]:
        """The description of the generation this object follows (``searcher.json``)."""
        return self.engine.description

    @property
    def timezone(self) -> dt.tzinfo:
        """The site time zone: posts without an offset are read in it; ``since``/``until``
        days and the years facet use it."""
        return self.engine.timezone

    @property
    def segmenter(self) -> str:
        """The name of the segmenter that built the index (``"rjieba"``…)."""
        return self.engine.segmenter_name

    @property
    def user_words(self) -> tuple[UserWord, ...]:
        """The user dictionary's words the index was built with (also cut query words)."""
        return self.engine.user_words

    @property
    def word_segmenter(self) -> Segmenter:
        """The segmenter that cuts query words: the index's, with its user dictionary."""
        return self.engine.segmenter

    @property
    def synonyms(self) -> Synonyms:
        """The synonyms the index applies to queries (:mod:`searcher.synonyms`), as
        stored in its description by ``searcher index --synonyms FILE``; none when not."""
        meta = self.meta
        if self._synonyms[0] is not meta:
            self._synonyms = (meta, Synonyms.from_json(meta.get("synonyms")))
        return self._synonyms[1]

    def display_names(self) -> dict[str, dict[str, str]]:
        """The names the site gives its facet values (issue #23: ``_data/categories.yml``
        and ``_data/tags.yml``, :mod:`searcher.site.datafiles`), as the last ``searcher
        index`` run stored them in the description of the generation this object follows
        (a search follows the folder first): ``{"categories": {value: name}, "tags":
        {value: name}}``, each ``{}`` when the site names none."""
        meta = self.meta
        if self._display_names[0] is not meta:
            stored = meta.get("display_names")
            names: dict[str, dict[str, str]] = {"categories": {}, "tags": {}}
            for facet in names:
                found = stored.get(facet) if isinstance(stored, dict) else None
                if isinstance(found, dict):
                    names[facet] = {str(k): v for k, v in found.items() if isinstance(v, str)}
            self._display_names = (meta, names)
        return self._display_names[1]

    def aids(self) -> Aids:
        """The readers' aids a query plan adds (issue #21): the pinyin readings of a
        Latin word (from :meth:`lexicon`, loaded only for a word of Latin letters)
        and the synonyms of :attr:`synonyms`. Each word is looked up once for the
        object returned (one per search): a plan asks for a word's forms more than once
        (its query, its highlights and notices, each looser rule's plan), and reading
        two words typed as one takes up to 40 ms on xwlb."""
        synonyms = self.synonyms

        @functools.cache
        def pinyin(word: str) -> tuple[tuple[str, float], ...]:
            if not latin(fold(word)):  # no Latin word: no need for the lexicon
                return ()
            return tuple(self.lexicon().pinyin_words(word))

        @functools.cache
        def synonym_forms(word: str) -> tuple[tuple[str, str], ...]:
            return synonyms.pairs(word)

        return Aids(pinyin, synonym_forms if synonyms else None)

    @property
    def planned(self) -> bool:
        """True for an index whose new generation (a new schema) is being written and is
        not committed yet (:meth:`build`): it has nothing to search."""
        return self.engine.planned

    # -- opening ---------------------------------------------------------------------

    @staticmethod
    def exists(path: str | os.PathLike[str]) -> bool:
        """True when ``path`` holds a searcher index (possibly a damaged one or one of
        an older format, which :meth:`open` then reports)."""
        folder = Path(path)
        return _engine_of(folder).exists(folder)

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Index:
        """Open the index in folder ``path``, or the shards a Xapian stub file ``path``
        names (:func:`is_stub`; :mod:`searcher.engine.xapian.folder`), read-only.

        Raises :class:`SearchIndexError` when there is no index there, and its subclass
        :class:`IndexFormatError` when it was built by an incompatible version of searcher
        or with another traditional → simplified table than the installed OpenCC gives
        (``searcher index`` rebuilds it).
        """
        folder = Path(path)
        if folder.exists() and not folder.is_dir() and not is_stub(folder):
            raise SearchIndexError(f"index path is not a folder: {folder}")
        kind = _engine_of(folder)
        if not kind.exists(folder):
            raise SearchIndexError(f"no index in {folder} (build one with `searcher index`)")
        engine = kind.open(folder, FORMAT_VERSION)
        try:
            _check_folding(folder, engine.description)
        except IndexFormatError:
            engine.close()
            raise
        return cls(folder, engine)

    @classmethod
    def _planned(
        cls,
        folder: Path,
        segmenter: str,
        timezone: str,
        user_words: Sequence[UserWord],
        user_dict_source: str,
        engine: str | None = None,
        shards: int | None = None,
    ) -> Index:
        """An index for a new generation of ``folder`` with a new schema, not yet
        committed: what :meth:`create` commits empty and :meth:`build` fills.

        :raises SearchIndexError: ``shards`` > 1 for an engine without shards, or < 1.
        """
        engine = engine or default_engine()
        kind = _engine_class(engine)
        if shards is not None and (shards < 1 or (shards > 1 and engine != "xapian")):
            raise SearchIndexError(
                f"shards: {shards} shards need the xapian engine (--engine xapian), and 1 or more"
            )
        if segmenter not in SEGMENTERS:
            raise SearchIndexError(
                f"segmenter must be one of {', '.join(SEGMENTERS)}, not {segmenter!r}"
            )
        zone(timezone)
        description = {
            "format": FORMAT_VERSION,
            "engine": engine,
            **({"shards": shards} if engine == "xapian" else {}),
            "timezone": timezone,
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds"),
            **make_segmenter(segmenter).describe(),
            "folding": script_table().description,
            "user_dictionary": {
                "source": user_dict_source,
                "words": len(user_words),
                "sha1": user_dict_digest(user_words),
            }
            if user_words
            else None,
        }
        return cls(folder, kind.new_generation(folder, description, segmenter, user_words))

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        segmenter: str = DEFAULT_SEGMENTER,
        timezone: str = DEFAULT_TIMEZONE,
        user_words: Sequence[UserWord] = (),
        user_dict_source: str = "",
        engine: str | None = None,
    ) -> Index:
        """Create a new, empty index in folder ``path`` (made if missing). An index
        already there is replaced by the new one's first generation, in one commit under
        the write lock; files in the folder that are not the index's stay.

        :param segmenter: ``"rjieba"`` (default) or ``"jieba"``.
        :param timezone: the site time zone, an IANA name such as ``"Asia/Shanghai"``.
        :param user_words: a user dictionary's words
            (:func:`~searcher.analysis.read_user_dict`), stored in the index's schema and
            used for its documents and queries alike. :param user_dict_source: where
            they came from (a file name), recorded in ``searcher.json``.
        :param engine: a name in :data:`ENGINES`; None: :func:`default_engine`.
        Raises :class:`SearchIndexError` for an unknown segmenter or time zone, a folder
        that cannot be written, or an index another run is writing (locked).
        """
        folder = Path(path)
        if folder.exists() and not folder.is_dir():
            raise SearchIndexError(f"index path is not a folder: {folder}")
        planned = cls._planned(folder, segmenter, timezone, user_words, user_dict_source, engine)
        with planned.writing():
            try:
                writer = planned.engine.writer()
            except SearchIndexError as exc:  # the OSError of a folder it cannot write
                raise SearchIndexError(f"{folder}: cannot create index: {exc.__cause__}") from exc
            try:
                writer.commit({}, clear=True)
            except BaseException:
                writer.cancel()
                raise
        return cls.open(folder)

    @classmethod
    def open_or_create(
        cls,
        path: str | os.PathLike[str],
        segmenter: str = DEFAULT_SEGMENTER,
        timezone: str = DEFAULT_TIMEZONE,
    ) -> Index:
        """Open the index in ``path``, or create it there if there is none."""
        if cls.exists(path):
            return cls.open(path)
        return cls.create(path, segmenter=segmenter, timezone=timezone)

    @classmethod
    def build(
        cls,
        path: str | os.PathLike[str],
        corpus: str | os.PathLike[str],
        *,
        rebuild: bool = False,
        segmenter: str | None = None,
        options: SiteOptions | None = None,
        jobs: int = 1,
        progress: Callable[[int, int], None] | None = None,
        user_dict: str | os.PathLike[str] | None = None,
        engine: str | None = None,
        synonyms: str | os.PathLike[str] | None = None,
        shards: int | None = None,
    ) -> IndexReport:
        """Create or update the index in ``path`` from the Jekyll site ``corpus``: what
        ``searcher index`` does. Every way it can go leaves a searchable index behind.

        * No index yet, one of an old format or another traditional → simplified table,
          a user dictionary with other words than the index's, or a ``rebuild`` that
          cannot reuse the old one (another ``segmenter``, a damaged index): every post
          is written into a new generation with the new schema, committed in one step
          (:mod:`searcher.engine.whoosh.files`). Until then the old index, if any, is searched; a
          failed or killed build leaves only files that no generation names (removed by
          the next run), and never touches files in the folder that are not the index's.
        * Otherwise an incremental update, or with ``rebuild`` a rewrite in one commit
          (Whoosh's ``CLEAR`` merge), also of a new time zone: see :meth:`update`.

        Either way the whole run holds the index's write lock.

        :param path: the index folder. :param corpus: the site folder.
        :param rebuild: rewrite everything. :param segmenter: ``"rjieba"`` or ``"jieba"``,
            for a new index or a rebuild; None: the index's own, else ``"rjieba"``.
        :param options: how the site is read.
        :param jobs: analysis processes. :param progress: ``progress(done, total)``.
        :param user_dict: a user dictionary file in jieba's format (``word [freq] [tag]``
            a line, UTF-8): its words are stored in the index and cut documents and
            queries alike; malformed lines are reported in the report's messages, each
            naming its line. ``None`` keeps the index's own dictionary (if any); ``""``
            removes it. A dictionary that changes the words re-segments every post.
        :param engine: a name in :data:`ENGINES` to keep the index in; None: the index's
            own, else :func:`default_engine`. Another engine than the index's rebuilds.
        :param shards: for the xapian engine, how many shard databases the posts are
            spread over (:mod:`searcher.engine.xapian.folder`); None: the index's own,
            else 1. Another number than the index's rebuilds.
        :param synonyms: a synonyms file in Solr's format (:mod:`searcher.synonyms`):
            its rules are stored in the index's description and applied to queries, so
            a new file re-segments nothing; its warnings (``FILE:LINE: …``) are in the
            report's messages. ``None`` keeps the index's own rules; ``""`` removes them.
        :returns: the :class:`IndexReport`.
        :raises CorpusError: ``corpus`` is missing (nothing is touched).
        :raises SearchIndexError: the index cannot be written, is locked, or (without
            ``rebuild``) is damaged; ``user_dict`` or ``synonyms`` cannot be read.
        """
        rules: Synonyms | None = None
        notes: list[str] = []
        if synonyms is not None and str(synonyms) != "":
            rules, notes = read_synonyms(synonyms)  # before anything is touched
        elif synonyms is not None:
            rules = Synonyms()
        kept = _engine_of(Path(path)).read_description(Path(path)).get("synonyms")
        report = cls._build(
            path, corpus, rebuild, segmenter, options, jobs, progress, user_dict, engine, shards
        )
        wanted = (rules.to_json() if rules else None) if rules is not None else kept
        if rules:
            notes.append(f"synonyms: {len(rules.mapping)} terms from {rules.source}")
        with cls.open(path) as index, index.writing():
            if index.meta.get("synonyms") != wanted:
                index.engine.write_description({"synonyms": wanted})
        report.messages[:0] = notes
        return report

    @classmethod
    def _build(
        cls,
        path: str | os.PathLike[str],
        corpus: str | os.PathLike[str],
        rebuild: bool,
        segmenter: str | None,
        options: SiteOptions | None,
        jobs: int,
        progress: Callable[[int, int], None] | None,
        user_dict: str | os.PathLike[str] | None,
        engine: str | None,
        shards: int | None = None,
    ) -> IndexReport:
        """:meth:`build` but for the synonyms."""
        folder, site = Path(path), Path(corpus)
        if folder.exists() and not folder.is_dir():
            raise SearchIndexError(f"index path is not a folder: {folder}")
        if not site.is_dir():  # before creating anything
            raise CorpusError(f"corpus folder not found: {site}")
        options = options or SiteOptions()
        words, notes, source = _read_user_dict(user_dict)
        old: Index | None = None
        if cls.exists(folder):
            try:
                old = cls.open(folder)
            except IndexFormatError as exc:
                notes.append(f"{exc}: rebuilding it")
                if words is None:  # keep the old index's user dictionary
                    kind = _engine_of(folder)
                    words = kind.old_user_words(folder)
                    described = kind.read_description(folder).get("user_dictionary") or {}
                    source = str(described.get("source", "")) if words else ""
            except SearchIndexError:
                if not rebuild:
                    raise
        if old is not None:
            if words is None:  # keep the index's own dictionary
                words = old.user_words
                source = str((old.meta.get("user_dictionary") or {}).get("source", ""))
            if not rebuild or segmenter is None:
                segmenter = old.segmenter
            engine = engine or str(old.meta.get("engine", DEFAULT_ENGINE))
            same = old.segmenter == segmenter and old.user_words == words
            if shards is not None and int(old.meta.get("shards", 1)) != shards:
                same = False  # another number of shards: every post moves
            if same and old.meta.get("engine", DEFAULT_ENGINE) == engine:
                with old:
                    report = old.update(
                        site,
                        jobs=jobs,
                        progress=progress,
                        rebuild=rebuild,
                        options=options,
                        isolate=False,
                    )
                report.messages[:0] = notes
                return report
            old.close()
        # The site's zone, else the index's, as for an update (README "Jekyll sites").
        raw = old.meta if old is not None else _engine_of(folder).read_description(folder)
        recorded = raw.get("timezone")
        timezone = options.timezone or str(recorded or DEFAULT_TIMEZONE)
        segmenter = segmenter or DEFAULT_SEGMENTER
        if shards is None and old is not None and engine == old.meta.get("engine"):
            shards = old.meta.get("shards")
        planned = cls._planned(folder, segmenter, timezone, words or (), source, engine, shards)
        from .indexing import store_lexicon, store_stories, update_index

        made, unborn = not folder.exists(), not cls.exists(folder)  # (a first build)
        try:
            report = update_index(
                planned.engine, site, jobs=jobs, progress=progress, options=options, rebuild=True
            )
        except BaseException:
            if unborn:  # a first build that failed leaves nothing behind
                _engine_class(str(planned.meta["engine"])).discard_unborn(folder, made)
            raise
        # update_index stores no lexicon or story groups for a generation it made with a
        # new schema
        with cls.open(folder) as index, index.writing():
            report.messages.extend(store_lexicon(index.engine))
            messages, groups = store_stories(index.engine, fresh=report.signatures)
            report.messages.extend(messages)
            report.count_groups(groups)
            report.signatures = None
        report.messages[:0] = notes
        return report

    def close(self) -> None:
        """Release the engine's open files. The object must not be used afterwards."""
        self.engine.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"

    # -- following the folder, writing ----------------------------------------------

    def sync(self) -> tuple[int, ...]:
        """Follow the index folder: when a commit or a rebuild (also one that began the
        index anew at the same path) has changed it since this object last looked, take
        the new generation (its description, analysis and time zone). Returns the
        folder's identity (one ``listdir`` and one ``stat``).

        :raises IndexFormatError: the folder now holds an index this version cannot
            read, or one folded with another traditional → simplified table.
        """
        now = self.engine.sync()
        if self.meta.get("created") != self._checked:  # refused until it is rebuilt
            _check_folding(self.path, self.meta)
            self._checked = self.meta.get("created")
        return now

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the index's write lock (which keeps out every other writer, in this
        process or another) and follow the folder to its latest generation for the
        ``with`` block.

        :raises SearchIndexError: another run is writing the index, or the folder cannot
            be written.
        """
        with self._write_lock, self.engine.writing():
            yield

    # -- the public operations --------------------------------------------------------

    def update(
        self,
        corpus: str | os.PathLike[str],
        *,
        jobs: int = 1,
        progress: Callable[[int, int], None] | None = None,
        rebuild: bool = False,
        options: SiteOptions | None = None,
        isolate: bool | None = None,
    ) -> IndexReport:
        """Bring the index in line with the documents the Jekyll site ``corpus`` publishes.

        :param corpus: the corpus folder. :param jobs: analysis processes.
        :param progress: called as ``progress(done, total)`` while documents are written.
        :param rebuild: rewrite every post, dropping the old segments in the same commit.
        :param options: :class:`searcher.site.SiteOptions` (``drafts``, ``unpublished``,
            ``future``, ``all_files``, ``site_url``, ``timezone``); Jekyll's defaults.
        :param isolate: do the work in a child process (a new interpreter), so that
            the update and searches running in other threads of this process do not
            share one interpreter lock: measured in ``bench/update_vs_search.py``, four
            searching threads slowed an in-process update about 6×. None (default):
            isolate when another thread has searched this index in the last
            :data:`BUSY_SECONDS` seconds; costs about half a second to start the child.
        Returns an :class:`IndexReport`; raises :class:`CorpusError` for a missing folder,
        :class:`SearchIndexError` when the child process dies. See
        :func:`searcher.indexing.update_index`.
        """
        if isolate is None:
            isolate = self._busy()
        if not isolate:
            from .indexing import update_index

            with self._write_lock:
                return update_index(
                    self.engine,
                    Path(corpus),
                    jobs=jobs,
                    progress=progress,
                    rebuild=rebuild,
                    options=options,
                )
        with self._write_lock:  # the child takes the folder's write lock itself
            report = _update_in_child(self.path, Path(corpus), jobs, rebuild, options, progress)
        self.sync()
        return report

    def _busy(self) -> bool:
        """True when a thread other than this one searched within BUSY_SECONDS."""
        me, now = threading.get_ident(), time.monotonic()
        with self._lock:
            return any(
                ident != me and now - when < BUSY_SECONDS
                for ident, when in self._last_search.items()
            )

    def search(self, query: str | SearchRequest = "", **params: Any) -> SearchResults:
        """Search the index: ``query`` is a :class:`~searcher.request.SearchRequest`, or
        the query text with the request's other fields as keywords (``tags=["科技"]``,
        ``sort="newest"``, ``limit=20``…; see :class:`~searcher.request.SearchRequest`
        for each, its default and its checks).

        Recent answers are kept until the next commit (at most :data:`RESULTS_CACHE` of
        them, within ``RESULTS_CACHE_BYTES`` bytes, keyed on :meth:`SearchRequest.key`):
        the same search again is answered from them (a copy, so callers may change it),
        and a search asked again while it runs waits for that run instead of repeating
        it. Returns :class:`~searcher.results.SearchResults`.

        :raises QueryError: a parameter is invalid; the message and ``param`` name it.
        :raises SearchIndexError: the index is damaged.
        """
        request = query if isinstance(query, SearchRequest) else SearchRequest(query, **params)
        if isinstance(query, SearchRequest) and params:
            request = request.but(**params)
        key = request.key()
        generation = self.sync()
        if request.collapse:  # groups stored after their commit fold it anew (issue #22)
            key = (*key, self.stories().token)
        while True:
            with self._lock:
                self._last_search[threading.get_ident()] = time.monotonic()
                if self._results_identity != generation:
                    self._results.clear()
                    self._results_identity = generation
                cached = self._results.get(key)
                if cached is not None:
                    return cached
                running = self._running.get(key)
                if running is None:  # this thread computes it; others asking wait for it
                    running = self._running[key] = threading.Event()
                    break
            running.wait()  # then read the answer from the cache (or compute it, if
            # the thread that ran it failed or a commit came in between)
        try:
            results = self._run(request)
            with self._lock:
                partial = any(n.code == "shards_missing" for n in results.notices)
                if self._results_identity == generation and not partial:
                    self._results.put(key, results)  # (a partial answer is not kept)
        finally:
            with self._lock:
                del self._running[key]
            running.set()
        return results

    def _run(self, request: SearchRequest) -> SearchResults:
        """Plan ``request``, run it on the engine, and make the hits (snippets, titles)."""
        began = time.perf_counter()
        text, notices = request.text()
        parsed = parse(text)
        parsed.typed = parsed.typed or bool(request.query.strip())  # control codes only
        segmenter = self.word_segmenter
        aids = self.aids()
        query_plan = plan_query(parsed, segmenter, aids=aids)
        query_plan.notices[:0] = notices
        sort = request.effective_sort
        if query_plan.match_all and sort == "relevance":
            sort = "newest"
        if request.recency is not None and sort != "relevance":
            query_plan.notices.append(
                Notice(
                    "recency_ignored",
                    f"recency only reorders relevance sorting, not {sort}",
                    sort=sort,
                )
            )
        now = (request.now or dt.datetime.now(dt.timezone.utc)).timestamp()
        filters = request.filters(self.timezone)  # QueryError: since after until there
        sort_by = Sort(sort, request.recency, now)
        page = Page((request.page - 1) * request.limit, request.limit)
        deadline = time.thread_time() + request.cpu_seconds
        stories = self.stories()
        groups = stories if request.collapse else None
        found = self._search(query_plan, filters, sort_by, page, request.cpu_seconds, groups)
        exact_total = found.total  # did you mean looks at the query as typed
        tried = False  # the looser rules were tried (and, if still exact, found nothing)
        if request.match != "exact" and not query_plan.match_all and not found.stopped:
            if request.match == "loose" or found.unfiltered_total == 0:
                tried = True
                # Looser rules, tried in turn until one matches (issue #20), within what
                # is left of the request's CPU time.
                for looser in relaxed_plans(
                    parsed,
                    segmenter,
                    self.engine.count,
                    # loose loosens runs that occur too, but only beside exact posts:
                    # with none, it is auto (so it always finds what auto finds)
                    every_run=request.match == "loose" and found.unfiltered_total > 0,
                    exact_found=found.unfiltered_total > 0,
                    aids=aids,
                ):
                    left = deadline - time.thread_time()
                    if left <= 0:
                        break
                    if not self.engine.count(looser.root):  # cheaper than a search
                        continue
                    attempt = self._search(looser, filters, sort_by, page, left, groups)
                    if attempt.unfiltered_total > found.unfiltered_total:  # it adds posts
                        kept = [n for n in query_plan.notices if n not in looser.notices]
                        looser.notices[:0] = kept
                        query_plan, found = looser, attempt
                        break
        if found.stopped:
            query_plan.notices.append(
                Notice(
                    "search_stopped",
                    f"the search was stopped after {request.cpu_seconds:g} s of work: the "
                    f"total, the facets and the ranking only cover the {found.total} "
                    "matching posts found by then",
                    seconds=request.cpu_seconds,
                    total=found.total,
                )
            )
        if found.partial:
            query_plan.notices.append(
                Notice(
                    "shards_missing",
                    f"the results are partial: no copy of {', '.join(found.partial)} "
                    "answered, and its posts were not searched",
                    shards=len(found.partial),
                )
            )
        if found.behind:
            query_plan.notices.append(
                Notice(
                    "shards_behind",
                    f"the results may be out of date: {'; '.join(found.behind)}",
                    shards=len(found.behind),
                )
            )
        terms = list(query_plan.highlight)
        hits = [
            make_hit(
                hit,
                stories.key(hit.post.id),
                terms,
                request.snippet_chars,
                matched_by(hit.post, query_plan.aids),
            )
            for hit in found.hits
        ]
        return SearchResults(
            text,
            found.total,
            request.page,
            request.limit,
            hits,
            found.facets,
            query_plan.notices,
            unfiltered_total=found.unfiltered_total,
            # Did you mean, for a query nothing matches as typed, unless the near rule
            # found its words close together (then they are the words meant).
            suggestion=None
            if query_plan.rule == "near"
            else self._suggestion(text, parsed, exact_total),
            seconds=time.perf_counter() - began,
            match=query_plan.rule,
            looser=query_plan.rule == "exact" and not tried and can_loosen(parsed, segmenter),
            collapsed=request.collapse,
            folded=found.folded,
            display_names=names_shown(self.display_names(), found.facets, hits),
        )

    def _search(
        self,
        plan: QueryPlan,
        filters: Filters,
        sort: Sort,
        page: Page,
        cpu_seconds: float,
        groups: StoryGroups | None = None,
    ) -> EngineResult:
        """``plan`` run on the engine; a damaged index is a :class:`SearchIndexError`."""
        try:
            return self.engine.search(plan, filters, sort, page, cpu_seconds, groups)
        except (OSError, EOFError, struct.error) as exc:
            raise SearchIndexError(
                f"{self.path}: index is damaged ({type(exc).__name__}: {exc}); "
                "rebuild it with `searcher index --rebuild`"
            ) from exc

    def _suggestion(self, text: str, parsed: ParsedQuery, total: int) -> Suggestion | None:
        """Did you mean (:mod:`searcher.suggest`): for a search of ``text`` that found
        ``total`` posts, at most :data:`~searcher.suggest.FEW_RESULTS`, a correction
        from the index's words, its excluded clauses left as typed; else None. The
        :class:`~searcher.suggest.Suggester` is made on first need for each generation
        of the vocabulary (xwlb, 19,541 posts: 0.4 s to read it, 0.4 s to build) and
        kept on this object."""
        if total > FEW_RESULTS or not parsed.groups:
            return None
        words = self.engine.word_frequencies()
        with self._suggest_lock:
            suggester = self._suggester
            if suggester is None or suggester.frequencies is not words:
                documents = self.engine.stats().documents
                suggester = Suggester(words, self.word_segmenter, documents)
                self._suggester = suggester
        suggestion = suggester.suggest(text, total, [c.text for c in parsed.excluded])
        # A run the index holds verbatim is no typo (苏丹 大模型: 大模型 is in posts, only
        # not beside 苏丹), whatever the vocabulary of whole words says.
        if suggestion is not None and any(
            self.engine.count(match_units(tuple(seg), False)) > 0
            for typed, _ in suggestion.changes
            for seg in units_of(typed)
        ):
            return None
        return suggestion

    def suggest(self, prefix: str, limit: int = 8) -> list[Completion]:
        """Completions of ``prefix`` as a reader types it (issue #21): words and phrases
        of the posts, tags, categories and titles, ranked by frequency and recency
        (:meth:`searcher.lexicon.Lexicon.complete`): ``王建`` → 王建国, ``wangj`` or
        ``wjg`` (pinyin, initials) → 王建国, ``Xiaom`` → Xiaomi and 小米. An empty,
        over-long (more than :data:`~searcher.lexicon.MAX_PREFIX_CHARS` characters) or
        control-character prefix gets [].

        :param limit: the most completions, 1 to :data:`~searcher.lexicon.MAX_LIMIT`.
        :raises QueryError: ``limit`` is out of range (``param="limit"``).
        """
        _check_limit(limit, MAX_LIMIT)
        if usable_prefix(prefix) is None:
            return []
        return self.lexicon().complete(prefix, limit)  # (lexicon() follows the folder)

    def lexicon(self) -> Lexicon:
        """The :class:`~searcher.lexicon.Lexicon` of the generation searched: the one
        stored with it by the run that committed it (:func:`searcher.indexing.
        store_lexicon`; loaded in 0.35 s on xwlb), else built (2.5 s on xwlb: an index
        of an older version); kept on this object until the next generation. Threads
        asking meanwhile wait."""
        # the generation as this object follows it: a number and its table of contents
        # (an index built anew at the same path starts at the same number again)
        number = self.sync()[:3]
        with self._suggest_lock:
            if self._lexicon is not None and self._lexicon_generation == number:
                return self._lexicon
            data = self.engine.read_extra("lexicon")
            lexicon = Lexicon.from_bytes(data) if data is not None else None
            if lexicon is None:
                lexicon = Lexicon(
                    self.engine.word_frequencies(), self.engine.headlines(), self.word_segmenter
                )
            self._lexicon, self._lexicon_generation = lexicon, number
        return lexicon

    def stories(self) -> StoryGroups:
        """The story groups of the generation searched (:mod:`searcher.stories`): the
        ones stored with it by the run that committed it (:func:`searcher.indexing.
        store_stories`), kept on this object until the next generation. Until that run
        has stored them (it groups after its commit), the last groups this object found,
        of an earlier generation (posts added since are alone in them); none for an index
        of an older version, until its next ``searcher index`` run."""
        number = self.sync()[:3]
        with self._suggest_lock:
            if self._stories[0] == number:
                return self._stories[1]
            data = self.engine.read_extra("stories")
            found = groups_from_bytes(data) if data is not None else None
            if found is None:  # looked for again next time: a run may be storing them
                return self._stories[1]
            self._stories = (number, found)
        return found

    def related(self, doc_id: str, limit: int = 5) -> list[Hit]:
        """The posts most related to the post ``doc_id`` (:mod:`searcher.related`: its
        key words as a more-like-this query, newest first among equal scores), one per
        story group, never its own group's; each hit's ``snippet`` marks the key words
        it holds. [] for a post with no words.

        :param limit: how many, 1 to :data:`~searcher.related.MAX_RELATED`.
        :raises QueryError: ``limit`` out of range (``param="limit"``); ``not_found``
            (``param="id"``) when no live post has that id.
        """
        _check_limit(limit, MAX_RELATED)
        groups = self.stories()
        if not isinstance(doc_id, str) or self.engine.stored(doc_id) is None:
            raise QueryError(f"no post has the id {doc_id!r}"[:200], code="not_found", param="id")
        found, words = related_hits(self.engine, doc_id, limit, groups)
        terms = list(plan_query(parse(" ".join(words)), self.word_segmenter).highlight)
        return [
            make_hit(hit, groups.key(hit.post.id), terms, RELATED_SNIPPET_CHARS, marked=False)
            for hit in found
        ]

    def document(self, doc_id: str, query: str = "") -> Document | None:
        """The post ``doc_id`` whole (the article view), with the matches of ``query``
        highlighted (same syntax as a search; excluded words are not marked; empty:
        nothing is marked), or None when no live post has that id. A body longer than
        :data:`~searcher.results.ARTICLE_CHARS` is shown up to that, with ``truncated``."""
        self.sync()
        stored = self.engine.stored(doc_id)
        return None if stored is None else document_view(stored, self.highlight_terms(query))

    def highlight_terms(self, query: str) -> list[TermGroup]:
        """The terms :meth:`document` marks for ``query`` (and a site's article page,
        issue #23: ``/api/highlight``): the query plan's highlight groups, each a tuple
        of folded units, with the index's segmenter, synonyms and pinyin readings, so
        they are what a search matched. Excluded words and operators are not terms; a
        query over :data:`~searcher.request.MAX_QUERY_CHARS` characters is cut as a
        search cuts it; an empty one has none."""
        text, _ = SearchRequest(query).text()
        if not text.strip():
            return []
        return list(plan_query(parse(text), self.word_segmenter, aids=self.aids()).highlight)

    def stats(self) -> IndexStats:
        """Counts and facts about the index: live posts, facet values, first and last
        dates (site time zone), size in bytes, segmenter and dictionary."""
        self.sync()
        counts = self.engine.stats()
        tz = self.timezone
        return IndexStats(
            documents=counts.documents,
            categories=counts.categories,
            tags=counts.tags,
            years=counts.years,
            first_date=dt.datetime.fromtimestamp(counts.first, tz) if counts.first else None,
            last_date=dt.datetime.fromtimestamp(counts.last, tz) if counts.last else None,
            size_bytes=counts.size_bytes,
            segmenter=str(self.meta.get("segmenter", self.segmenter)),
            dictionary=str(self.meta.get("dictionary", "")),
            timezone=str(self.meta.get("timezone", "")),
        )
