"""Model-based test of incremental updates (issue 17): after any sequence of ordinary
changes to a Jekyll site, the incrementally updated index answers exactly like a fresh
build of the same site.

A Hypothesis state machine (:class:`hypothesis.stateful.RuleBasedStateMachine`) keeps a
small site (a handful of posts, pages and drafts whose texts are made of a fixed
vocabulary of Chinese words) and changes it a step at a time: adds, edits (body, title,
date, tags, categories, other front matter), renames and deletes of posts and pages;
drafts (and the ``--drafts`` option on and off); ``_config.yml`` changes (``permalink``,
``exclude``, ``timezone``); a folder that cannot be listed for one run (then the run
warns, naming it, and the index answers exactly as before). After every step the
long-lived index is updated incrementally (``Index.update(corpus, isolate=False)``, or
one time in five ``Index.build`` with the paths ``searcher index`` uses), a fresh index
of the same site is built into another folder, and both answer :data:`QUERIES` (words,
word parts, ``OR``, ``title:``, empty queries with tag, category and type filters, date
ranges, newest and oldest first): the same totals, the same hits (id, URL, title, date,
categories, tags, snippet) in the same order, the same facet counts, and the same
``stats()``.

Hits that tie on every ranking key are ordered by document number, which an update
changes (a rewritten post moves to the end) while a fresh build follows file order, so
within such a tie the ids are compared as a set.

The budget is :data:`EXAMPLES` sequences of up to :data:`STEPS` steps (about 20 s);
``SEARCHER_MODEL_EXAMPLES`` and ``SEARCHER_MODEL_STEPS`` raise it for a longer run
(``SEARCHER_MODEL_EXAMPLES=300 pytest tests/test_model_updates.py -s``). The number of
steps run is printed (with ``-s``) and recorded as the test's ``model_steps`` property
(``--junitxml``).
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from searcher.index import Index
from searcher.site import SiteOptions

#: Sequences of steps tried in CI (derandomized, so a run is reproducible).
EXAMPLES = int(os.environ.get("SEARCHER_MODEL_EXAMPLES", "25"))
#: The most steps in one sequence.
STEPS = int(os.environ.get("SEARCHER_MODEL_STEPS", "20"))

#: The words every title and body is made of (each is also a query).
WORDS = ("经济", "城市", "科技", "人工智能", "发展", "会议", "北京", "创新", "合作", "足球")
TAGS = ("经济", "科技", "体育", "民生")
CATEGORIES = ("国内", "国际", "财经")
#: Folders holding posts: the folders above ``_posts`` are categories (``old`` can be
#: excluded by the config).
POST_FOLDERS = ("_posts", "news/_posts", "old/_posts")
PAGE_FOLDERS = ("", "about/", "old/")
PERMALINKS = ("date", "pretty", "none", "/:categories/:year/:month/:title/")
TIMEZONES = ("Asia/Shanghai", "UTC", "America/New_York", "Pacific/Kiritimati")
EXCLUDES = ((), ("old",), ("about", "news/_posts/2023-01-01-a0.md"))
#: Days of the posts' dates (2023, all in the past), each with its own time of day.
DAYS = tuple(
    f"2023-{m:02d}-{d:02d}" for m in (1, 3, 6, 12) for d in (1, 15, 31) if d < 31 or m == 12
)
TIMES = ("00:30:00", "10:00:00", "23:30:00")

#: ``(query, search options)`` both indexes answer after every step.
QUERIES: tuple[tuple[str, dict[str, Any]], ...] = (
    *((w, {}) for w in WORDS),
    ("智能", {}),  # a part of 人工智能
    ("经", {}),  # one character
    ("经济 城市", {}),
    ("足球 OR 北京", {}),
    ("科技 -会议", {}),
    ('"北京创新"', {}),
    ("title:发展", {}),
    ("发展", {"sort": "newest"}),
    ("城市", {"since": "2023-03-01", "until": "2023-06-30"}),
    ("", {}),
    ("", {"sort": "oldest"}),
    *(("", {"tags": [t]}) for t in TAGS),
    *(("", {"categories": [c]}) for c in (*CATEGORIES, "news", "old")),
    ("", {"types": ["page"]}),
    ("", {"tags": ["经济", "体育"], "categories": ["国内"]}),
    ("", {"since": "2023-01-01", "until": "2023-01-01"}),
    ("", {"since": "2023-06-15", "until": "2023-12-15", "sort": "newest"}),
    ("", {"until": "2023-03-14"}),
)


@dataclass(frozen=True)
class Doc:
    """One file of the model site. ``kind`` is ``post``, ``page`` or ``draft``; ``folder``
    is a post folder of :data:`POST_FOLDERS`, a page folder of :data:`PAGE_FOLDERS`, or
    ``_drafts`` for a draft; ``date`` is ``(day, time)`` written without an offset (local
    time in the site's time zone), None for none (pages)."""

    kind: str
    folder: str
    slug: str
    title: tuple[str, ...]
    body: tuple[str, ...]
    date: tuple[str, str] | None
    file_day: str = "2023-01-01"
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()

    def path(self) -> str:
        """The file's path in the site."""
        if self.kind == "post":
            return f"{self.folder}/{self.file_day}-{self.slug}.md"
        if self.kind == "draft":
            return f"_drafts/{self.slug}.md"
        return f"{self.folder}{self.slug}.md"

    def text(self) -> str:
        """The file's text: YAML front matter, then the body."""
        lines = ["---", f"title: {''.join(self.title)}"]
        if self.date is not None:
            lines.append(f'date: "{self.date[0]} {self.date[1]}"')
        if self.tags:
            lines.append(f"tags: [{', '.join(self.tags)}]")
        if self.categories:
            lines.append(f"categories: [{', '.join(self.categories)}]")
        lines += [*self.extra, "---", "，".join(self.body) + "。", ""]
        return "\n".join(lines)


@dataclass
class Config:
    """The model site's ``_config.yml``."""

    permalink: str = "date"
    timezone: str = "Asia/Shanghai"
    exclude: tuple[str, ...] = ()

    def text(self) -> str:
        """The file's YAML."""
        lines = [
            "title: 模型站点",
            "url: https://news.example.com",
            f"permalink: {self.permalink}",
            f"timezone: {self.timezone}",
        ]
        if self.exclude:
            lines.append("exclude: [" + ", ".join(self.exclude) + "]")
        return "\n".join(lines) + "\n"


words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(tuple)
titles = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(tuple)
dates = st.tuples(st.sampled_from(DAYS), st.sampled_from(TIMES))
tag_lists = st.lists(st.sampled_from(TAGS), max_size=2, unique=True).map(tuple)
category_lists = st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True).map(tuple)
#: Other front matter a document can carry.
extras = st.sampled_from(
    ((), ("published: false",), ("permalink: /special/:title/",), ("layout: post",))
)
slugs = st.sampled_from(tuple(f"a{i}" for i in range(6)))


def _tie_free(hits: list[dict[str, Any]]) -> list[Any]:
    """``hits`` (dicts of :meth:`Hit.to_dict`, in rank order) with each run of hits that
    tie on every ranking key (score, date) sorted by id: the order within a tie is the
    document number's, which differs between an updated index and a fresh build. Scores
    are compared to 9 decimals: BM25F's statistics are over live documents
    (:func:`searcher.engine.whoosh.schema.live_statistics`), the same in both, but summed segment by
    segment, so the last bits can differ."""
    out: list[Any] = []
    run: list[dict[str, Any]] = []
    for hit in [*hits, None]:
        if hit is not None:
            score = hit["score"]
            hit = {**hit, "score": None if score is None else round(score, 9)}
        if run and (
            hit is None or (hit["score"], hit["date"]) != (run[0]["score"], run[0]["date"])
        ):
            out.extend(sorted(run, key=lambda h: h["id"]))
            run = []
        if hit is not None:
            run.append(hit)
    return out


def answers(index: Index) -> list[Any]:
    """What ``index`` answers to every query of :data:`QUERIES` (all hits, facets, totals,
    notices) and its ``stats()`` but size: comparable between two indexes."""
    out: list[Any] = []
    for query, options in QUERIES:
        results = index.search(query, limit=100, **options)
        out.append(
            {
                "query": query,
                "options": options,
                "total": results.total,
                "unfiltered_total": results.unfiltered_total,
                "hits": _tie_free([h.to_dict() for h in results.hits]),
                "facets": {name: list(counts.items()) for name, counts in results.facets.items()},
                "notices": [str(n) for n in results.notices],
            }
        )
    stats = index.stats().to_dict()
    del stats["size_bytes"]
    out.append(stats)
    return out


def _first_difference(got: list[Any], want: list[Any]) -> str:
    """The first answer that differs, for the failure message."""
    for a, b in zip(got, want, strict=True):
        if a != b:
            return f"incremental: {a!r}\nfresh build: {b!r}"
    return "(none)"


@contextmanager
def unreadable(folder: Path) -> Iterator[None]:
    """Listing ``folder`` fails with ``EACCES`` in the ``with`` block, as a folder without
    read permission, or a network mount that fails for a moment, would make it. Done by
    replacing :func:`os.scandir` (which :func:`os.walk` uses too), since the tests run as
    root, who can list any folder whatever its permission bits."""
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(path) == folder:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path)

    with mock.patch("os.scandir", scandir):
        yield


def make_machine(steps: list[int]) -> type[RuleBasedStateMachine]:
    """The state machine class; each step it runs is counted in ``steps[0]``."""

    class IncrementalUpdates(RuleBasedStateMachine):
        """A site changed a step at a time, its index updated after each step."""

        def __init__(self) -> None:
            super().__init__()
            self.root = Path(tempfile.mkdtemp(prefix="searcher-model-"))
            self.corpus = self.root / "site"
            self.corpus.mkdir()
            self.config = Config()
            self.docs: dict[str, Doc] = {}  # path → document
            self.options = SiteOptions()
            self.index: Index | None = None
            self.rnd = random.Random(0)
            self.fresh = 0
            self.log: list[str] = []
            self.answers: list[Any] | None = None  # the index's answers after the last step

        # -- writing the site ---------------------------------------------------------

        def write_config(self) -> None:
            (self.corpus / "_config.yml").write_text(self.config.text(), "utf-8")

        def put(self, doc: Doc) -> None:
            path = self.corpus / doc.path()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(doc.text(), "utf-8")
            self.docs[doc.path()] = doc

        def remove(self, rel: str) -> None:
            (self.corpus / rel).unlink()
            del self.docs[rel]

        def pick(self, kinds: tuple[str, ...], n: int) -> Doc:
            chosen = sorted(p for p, d in self.docs.items() if d.kind in kinds)
            return self.docs[chosen[n % len(chosen)]]

        def has(self, *kinds: str) -> bool:
            return any(d.kind in kinds for d in self.docs.values())

        # -- rules ---------------------------------------------------------------------

        @initialize(
            seed=st.integers(0, 2**32 - 1),
            permalink=st.sampled_from(PERMALINKS),
            timezone=st.sampled_from(TIMEZONES),
        )
        def start(self, seed: int, permalink: str, timezone: str) -> None:
            self.rnd = random.Random(seed)
            self.config = Config(permalink=permalink, timezone=timezone)
            self.write_config()
            self.index = Index.create(self.root / "index")

        @rule(
            folder=st.sampled_from(POST_FOLDERS),
            slug=slugs,
            day=st.sampled_from(DAYS),
            title=titles,
            body=words,
            date=dates,
            tags=tag_lists,
            categories=category_lists,
        )
        def add_post(self, folder: str, slug: str, day: str, **fields: Any) -> None:
            doc = Doc("post", folder, slug, file_day=day, **fields)
            self.log.append(f"add {doc.path()}")
            self.put(doc)

        @rule(folder=st.sampled_from(PAGE_FOLDERS), slug=slugs, title=titles, body=words)
        def add_page(
            self, folder: str, slug: str, title: tuple[str, ...], body: tuple[str, ...]
        ) -> None:
            doc = Doc("page", folder, f"p{slug}", title, body, None)
            self.log.append(f"add {doc.path()}")
            self.put(doc)

        @rule(slug=slugs, title=titles, body=words, date=dates, tags=tag_lists)
        def add_draft(self, slug: str, **fields: Any) -> None:
            doc = Doc("draft", "_drafts", f"d{slug}", **fields)
            self.log.append(f"add {doc.path()}")
            self.put(doc)

        @precondition(lambda self: self.docs)
        @rule(
            n=st.integers(0, 50),
            change=st.one_of(
                titles.map(lambda v: {"title": v}),
                words.map(lambda v: {"body": v}),
                dates.map(lambda v: {"date": v}),
                tag_lists.map(lambda v: {"tags": v}),
                category_lists.map(lambda v: {"categories": v}),
                extras.map(lambda v: {"extra": v}),
            ),
        )
        def edit(self, n: int, change: dict[str, Any]) -> None:
            doc = self.pick(("post", "page", "draft"), n)
            if doc.kind == "page" and "date" in change:
                change = {"body": (*doc.body, "合作")}
            self.log.append(f"edit {doc.path()} {change}")
            self.put(replace(doc, **change))

        @precondition(lambda self: self.has("post"))
        @rule(
            n=st.integers(0, 50),
            folder=st.sampled_from(POST_FOLDERS),
            slug=slugs,
            day=st.sampled_from(DAYS),
        )
        def rename_post(self, n: int, folder: str, slug: str, day: str) -> None:
            doc = self.pick(("post",), n)
            new = replace(doc, folder=folder, slug=slug, file_day=day)
            self.log.append(f"rename {doc.path()} -> {new.path()}")
            self.remove(doc.path())
            self.put(new)

        @precondition(lambda self: self.has("page"))
        @rule(n=st.integers(0, 50), folder=st.sampled_from(PAGE_FOLDERS), slug=slugs)
        def rename_page(self, n: int, folder: str, slug: str) -> None:
            doc = self.pick(("page",), n)
            new = replace(doc, folder=folder, slug=f"p{slug}")
            self.log.append(f"rename {doc.path()} -> {new.path()}")
            self.remove(doc.path())
            self.put(new)

        @precondition(lambda self: self.has("draft"))
        @rule(n=st.integers(0, 50), day=st.sampled_from(DAYS))
        def publish_draft(self, n: int, day: str) -> None:
            doc = self.pick(("draft",), n)
            new = replace(doc, kind="post", folder="_posts", file_day=day)
            self.log.append(f"publish {doc.path()} -> {new.path()}")
            self.remove(doc.path())
            self.put(new)

        @precondition(lambda self: self.docs)
        @rule(n=st.integers(0, 50))
        def delete(self, n: int) -> None:
            doc = self.pick(("post", "page", "draft"), n)
            self.log.append(f"delete {doc.path()}")
            self.remove(doc.path())

        @rule(permalink=st.sampled_from(PERMALINKS))
        def set_permalink(self, permalink: str) -> None:
            self.log.append(f"config permalink {permalink}")
            self.config.permalink = permalink
            self.write_config()

        @rule(timezone=st.sampled_from(TIMEZONES))
        def set_timezone(self, timezone: str) -> None:
            self.log.append(f"config timezone {timezone}")
            self.config.timezone = timezone
            self.write_config()

        @rule(exclude=st.sampled_from(EXCLUDES))
        def set_exclude(self, exclude: tuple[str, ...]) -> None:
            self.log.append(f"config exclude {exclude}")
            self.config.exclude = exclude
            self.write_config()

        @rule(drafts=st.booleans())
        def drafts_option(self, drafts: bool) -> None:
            self.log.append(f"option drafts={drafts}")
            self.options = replace(self.options, drafts=drafts)

        @precondition(lambda self: self.answers is not None)
        @rule(folder=st.sampled_from(("_posts", "news/_posts", "news", "old", "about")))
        def unreadable_folder(self, folder: str) -> None:
            """A folder that cannot be listed for one run: the run warns, naming it, and
            the index keeps every post it had there (the next step reads it again)."""
            assert self.index is not None and self.answers is not None
            self.log.append(f"unreadable {folder}/ for one run")
            path = self.corpus / folder
            with unreadable(path):
                report = self.index.update(self.corpus, isolate=False, options=self.options)
            if path.is_dir():
                assert any(folder in m for m in report.messages), report.messages
            assert answers(self.index) == self.answers

        # -- the check after every step ---------------------------------------------

        @invariant()
        def same_as_fresh_build(self) -> None:
            if self.index is None:  # before start()
                return
            steps[0] += 1
            if self.rnd.random() < 0.2:  # what `searcher index` does
                Index.build(self.index.path, self.corpus, options=self.options)
                self.log.append("  Index.build")
            else:
                self.index.update(self.corpus, isolate=False, options=self.options)
                self.log.append("  Index.update")
            self.fresh += 1
            fresh_path = self.root / f"fresh{self.fresh}"
            Index.build(fresh_path, self.corpus, options=self.options)
            with Index.open(fresh_path) as fresh:
                want = answers(fresh)
            got = self.answers = answers(self.index)
            shutil.rmtree(fresh_path)
            assert got == want, (
                "the updated index differs from a fresh build after:\n  "
                + "\n  ".join(self.log)
                + "\n"
                + _first_difference(got, want)
            )

        def teardown(self) -> None:
            if self.index is not None:
                self.index.close()
            shutil.rmtree(self.root, ignore_errors=True)

    return IncrementalUpdates


def test_incremental_updates_answer_like_a_fresh_build(
    record_property: pytest.RecordProperty,
) -> None:
    """After every step of random site changes, the incrementally updated index gives
    exactly the answers of a fresh build of the same site."""
    steps = [0]
    machine = make_machine(steps)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize="SEARCHER_MODEL_EXAMPLES" not in os.environ,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
    record_property("model_steps", steps[0])
    print(f"\nmodel-based test: {steps[0]} steps in {EXAMPLES} sequences of up to {STEPS}")
    assert steps[0] >= EXAMPLES


def test_a_site_without_documents_records_its_time_zone(tmp_path: Path) -> None:
    """Found by the model: a fresh build of a site with no document kept the default
    time zone (Asia/Shanghai) instead of the config's, since the time zone was recorded
    only with a commit that wrote something (fixed on main by 9c5e750)."""
    corpus = tmp_path / "site"
    corpus.mkdir()
    (corpus / "_config.yml").write_text("timezone: America/New_York\n", "utf-8")
    Index.build(tmp_path / "index", corpus)
    with Index.open(tmp_path / "index") as index:
        assert (index.stats().documents, index.stats().timezone) == (0, "America/New_York")
    (corpus / "_posts").mkdir()
    (corpus / "_posts/2023-01-01-a.md").write_text(
        '---\ntitle: 经济\ndate: "2023-01-01 00:30:00"\n---\n经济。\n', "utf-8"
    )
    Index.build(tmp_path / "index", corpus)
    with Index.open(tmp_path / "index") as index:
        hits = index.search("经济").hits
        assert [(h.id, h.date.isoformat() if h.date else None) for h in hits] == [
            ("_posts/2023-01-01-a", "2023-01-01T00:30:00-05:00")
        ]


def test_a_long_lived_index_sees_a_time_zone_change_alone(tmp_path: Path) -> None:
    """Found by the model: an empty index opened (Asia/Shanghai, the default), then built
    from a site whose config says America/New_York: the folder records the new zone, but
    the open Index keeps answering with the old one."""
    corpus = tmp_path / "site"
    corpus.mkdir()
    (corpus / "_config.yml").write_text("timezone: America/New_York\n", "utf-8")
    with Index.create(tmp_path / "index") as index:
        Index.build(tmp_path / "index", corpus)
        with Index.open(tmp_path / "index") as fresh:
            assert fresh.stats().timezone == "America/New_York"
        assert (index.stats().timezone, str(index.timezone)) == (
            "America/New_York",
            "America/New_York",
        )
