"""What a search answers: :class:`Hit` and :class:`SearchResults`, the article view's
:class:`Document`, and :class:`IndexStats`; all plain dataclasses with ``to_dict``.

A post is an ``Article`` in the site reader, a :class:`~searcher.engine.StoredPost` at the
engine's boundary, and a :class:`Post` (the fields every answer shows) here: a
:class:`Hit` in results, a :class:`Document` in the article view.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .engine import EngineHit, StoredPost
from .errors import Notice
from .query.plan import AIDS
from .snippets import (
    BLOCK_SEPARATOR,
    Term,
    TermGroup,
    excerpt,
    find_spans,
    highlight,
    in_spans,
    make_snippet,
)
from .suggest import Suggestion


@dataclass
class Post:
    """What a result and the article view say about a post. ``url`` is its page on the
    site (Jekyll's permalink, absolute when the site's ``url`` is known), ``source_url``
    the ``<http…>`` source link of its body, both as stored (check their scheme before
    making them links); ``type`` is ``post``, ``page`` or a collection's name. ``title``
    is plain text; ``title_html`` is HTML (matches in ``<mark>``, the rest escaped).
    ``date`` is aware (site time zone), or None."""

    id: str
    path: str
    url: str | None
    source_url: str | None
    type: str
    title: str
    title_html: str
    date: dt.datetime | None
    categories: list[str]
    tags: list[str]


def post_fields(stored: StoredPost, terms: Sequence[Term | TermGroup]) -> dict[str, Any]:
    """The :class:`Post` fields of a stored post, the title marked for ``terms`` (a
    plan's highlight terms, :func:`searcher.snippets.find_spans`)."""
    return {
        "id": stored.id,
        "path": stored.path,
        "url": stored.url,
        "source_url": stored.source_url,
        "type": stored.type,
        "title": stored.title,
        "title_html": highlight(stored.title, find_spans(stored.title, terms) if terms else []),
        "date": dt.datetime.fromisoformat(stored.date) if stored.date else None,
        "categories": list(stored.categories),
        "tags": list(stored.tags),
    }


@dataclass
class Hit(Post):
    """One matching document: the :class:`Post` fields, then ``score`` and ``snippet``
    (HTML, like ``title_html``). ``score`` is the relevance under relevance sorting
    (BM25F times the proximity and recency factors of :mod:`searcher.ranking`), None
    under date sorting. Hits are ordered by their exact-wording tier first, so a hit
    holding more query words verbatim comes first even with a lower score.

    ``matched_by``: which aids found it (:func:`matched_by`, issue #21), in the order
    of :data:`~searcher.query.plan.AIDS`: ``literal`` (a query word as typed),
    ``regional`` (another region's form), ``synonym`` (the site's synonyms file),
    ``pinyin`` (a Chinese word a Latin query word spells).

    ``group``: the id of the first post (in id order) of its story group, the posts with
    near-identical bodies (:mod:`searcher.stories`, issue #22); its own id when it is in
    none. ``similar``: under collapse, the group's other posts that match the search too,
    folded under this one (newest first, undated last), at most
    :data:`~searcher.stories.MAX_SIMILAR` of them; else empty. ``similar_count``: how
    many such posts there are in all (``len(similar)`` unless the group is larger)."""

    score: float | None
    snippet: str
    matched_by: list[str] = field(default_factory=list)
    group: str = ""
    similar: list[Post] = field(default_factory=list)
    similar_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; ``date`` as ISO 8601 with its offset, or None; ``similar``
        as a list of such dicts of :class:`Post` fields."""
        d = asdict(self)
        d["date"] = self.date.isoformat() if self.date else None
        if self.score is not None:
            d["score"] = round(self.score, 4)
        d["similar"] = [
            {**asdict(p), "date": p.date.isoformat() if p.date else None} for p in self.similar
        ]
        return d


@dataclass
class SearchResults:
    """The answer to one search.

    total: posts matching the query and every filter (all pages); hits: this page's
    posts; notices: :class:`~searcher.errors.Notice` messages for the reader (each a
    ``str`` with a ``code``); unfiltered_total: posts matching the query with no filter;
    seconds: wall time of the search in seconds; suggestion: "did you mean", a
    correction of the query from the index's own words for a search with no or few
    results (:mod:`searcher.suggest`), shown as a link and never applied, or None.

    facets: ``{facet: {value: count}}``. For ``"categories"``, ``"tags"`` and
    ``"types"`` the count is the total a reader gets by toggling that value: values of
    one facet are ORed and facets are ANDed, so each facet is counted over the posts that
    pass every *other* filter (drill sideways, :mod:`searcher.facets`; a chosen value's
    count is the total after removing it); largest count first. ``"years"`` (``"2024"``)
    and ``"months"`` (``"2024-03"``, in date order) count the posts passing every filter
    but the date range, so a year's or month's count is the total after setting the
    date range to it.

    match: the matching rule these hits follow (:mod:`searcher.query.relax`):
    ``exact`` (every run as typed), ``near`` (a run's parts close together) or
    ``words`` (some words not required); a looser rule comes with a ``relaxed_*``
    notice naming what was loosened. looser: the exact rule applied and a looser one
    could find more (``match="loose"`` asks for it; a page offers it as a link).

    collapsed: the search was collapsed (``collapse=True``): ``total``, the facet counts
    and the pages count story groups (each shown once, :attr:`Hit.similar` holding the
    rest), not posts; ``unfiltered_total`` still counts posts. folded: collapsed, and
    two matching posts or more of one group were folded (else every count is of posts
    as well).

    display_names: ``{"categories": {value: name}, "tags": {…}}``, the names the site
    gives (``_data/categories.yml``, issue #23) to the values of this answer's facets
    and hits (:func:`names_shown`); values stay as indexed everywhere else, and filters
    take them.
    """

    query: str
    total: int
    page: int
    limit: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    notices: list[Notice] = field(default_factory=list)
    unfiltered_total: int = 0
    seconds: float = 0.0
    match: str = "exact"
    looser: bool = False
    suggestion: Suggestion | None = None
    collapsed: bool = False
    folded: bool = False
    display_names: dict[str, dict[str, str]] = field(default_factory=dict)

    def copy(self) -> SearchResults:
        """A copy whose lists and dicts (hits, their categories and tags, facets,
        notices) can be changed without changing this one; as ``copy.deepcopy`` but a
        tenth of its cost (the results cache copies every answer it keeps or gives).
        The suggestion is shared: it is frozen, its changes a tuple."""
        return replace(
            self,
            hits=[
                replace(
                    h,
                    categories=list(h.categories),
                    tags=list(h.tags),
                    similar=[
                        replace(p, categories=list(p.categories), tags=list(p.tags))
                        for p in h.similar
                    ],
                )
                for h in self.hits
            ],
            facets={name: dict(counts) for name, counts in self.facets.items()},
            notices=list(self.notices),
            display_names={name: dict(v) for name, v in self.display_names.items()},
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``searcher search --json``; notices as
        ``{"code", "message", "params"}``; ``suggestion`` as ``{"text", "changes":
        [[typed, suggested]…], "reason"}`` or null. ``seconds`` is left out, so that the
        same search gives the same text (the API sends it as ``Server-Timing``)."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "hits": [h.to_dict() for h in self.hits],
            "facets": self.facets,
            "display_names": self.display_names,
            "notices": [
                n.to_dict() if isinstance(n, Notice) else {"code": "", "message": str(n)}
                for n in self.notices
            ],
            "unfiltered_total": self.unfiltered_total,
            "match": self.match,
            "looser": self.looser,
            "suggestion": None if self.suggestion is None else self.suggestion.to_dict(),
            "collapsed": self.collapsed,
            "folded": self.folded,
        }


def names_shown(
    names: dict[str, dict[str, str]], facets: dict[str, dict[str, int]], hits: list[Hit]
) -> dict[str, dict[str, str]]:
    """The display names of ``names`` (``{"categories": {value: name}, "tags": {…}}``,
    :meth:`searcher.index.Index.display_names`) that an answer shows: of its facets'
    values and its hits' (and their similar posts') categories and tags; ``{}`` when
    the site names none.

    >>> names = {"categories": {"xwlb": "新闻联播", "other": "其他"}, "tags": {}}
    >>> names_shown(names, {"categories": {"xwlb": 3}}, [])
    {'categories': {'xwlb': '新闻联播'}, 'tags': {}}
    """
    if not any(names.values()):
        return {}
    shown: dict[str, dict[str, str]] = {}
    for facet, named in names.items():
        values = set(facets.get(facet, ()))
        for hit in hits:
            values.update(getattr(hit, facet))
            for post in hit.similar:
                values.update(getattr(post, facet))
        shown[facet] = {v: named[v] for v in sorted(values) if v in named}
    return shown


#: What a hit's snippet calls each kind of label, in the order shown: the search page's
#: names for the tag and category facets.
LABEL_NAMES = (("标签", "tags"), ("分类", "categories"))


def _strength(text: str, group: TermGroup) -> int:
    """How ``text`` holds a query word: 2 a primary term (the word as typed), 1 only a
    fallback term (one of its parts), 0 neither."""
    if find_spans(text, [TermGroup(group.primary)]):
        return 2
    return 1 if group.fallback and find_spans(text, [TermGroup(group.fallback)]) else 0


def _groups(terms: Sequence[Term | TermGroup]) -> list[TermGroup]:
    return [t if isinstance(t, TermGroup) else TermGroup((t,)) for t in terms if t]


def _label_reasons(stored: StoredPost, groups: list[TermGroup]) -> dict[int, int]:
    """The query words (indices in ``groups``) that a label of ``stored`` holds better
    than its title and its body do, each with the label's :func:`_strength`."""
    labels = [*stored.tags, *stored.categories]
    why: dict[int, int] = {}
    for n, group in enumerate(groups):
        best = max((_strength(label, group) for label in labels), default=0)
        if (
            best
            and _strength(stored.title, group) < best
            and _strength(excerpt(stored.body, [group]), group) < best
        ):
            why[n] = best
    return why


def _label_line(stored: StoredPost, groups: list[TermGroup], why: dict[int, int], size: int) -> str:
    if not why:
        return ""
    reasons = [(groups[n], strength) for n, strength in why.items()]
    parts: list[str] = []
    used = 0
    for name, kind in LABEL_NAMES:
        shown: list[str] = []
        for label in getattr(stored, kind):
            # as strong a reason as the best label's: a label holding only a part of a
            # word (经济 of 数字经济) is not shown beside one holding it as typed
            if not any(_strength(label, group) == best for group, best in reasons):
                continue
            # the label, its "、" (or the name, its "：" and the " · " before it)
            cost = len(label) + (1 if shown else len(name) + 1 + (3 if parts else 0))
            if used and used + cost > size:
                break
            shown.append(highlight(label, find_spans(label, groups)))
            used += cost
        if shown:
            parts.append(f"{name}：{'、'.join(shown)}")
    return BLOCK_SEPARATOR.join(parts)


def label_line(stored: StoredPost, terms: Sequence[Term | TermGroup], size: int) -> str:
    """The tags and categories of ``stored`` that are why it matched, marked, as HTML
    (``标签：<mark>数字经济</mark> · 分类：…``, labels of a kind joined with ``、``), or ``""``.

    Issue #20: a post is found by its tags and categories as by its title and body
    (the ``labels*`` fields), but a snippet is cut from the body, so a post found only
    by a tag showed no mark anywhere. The rule: a label is shown when it holds a query
    word (one of ``terms``; a word as typed counts above one of its parts alone) that
    neither the title nor the body holds as well. A word the title or the body holds is
    marked there already, and every hit lists its labels beside the snippet anyway, so
    showing them again would only take room from the body. Marks are exact, as in
    titles (:func:`~searcher.snippets.find_spans` with every term). Labels are added
    while the line stays within ``size`` visible characters (at least one is shown).
    A body longer than :data:`~searcher.snippets.LONG_TEXT` is looked at as
    :func:`~searcher.snippets.excerpt` gives it, as for its snippet.
    """
    groups = _groups(terms)
    if not groups or not (stored.tags or stored.categories):
        return ""
    return _label_line(stored, groups, _label_reasons(stored, groups), size)


def matched_by(stored: StoredPost, aids: Sequence[tuple[str, TermGroup, bool]]) -> list[str]:
    """The aids (:data:`~searcher.query.plan.AIDS`) whose terms ``stored`` holds in its
    title, body, tags or categories (only its title for a ``title:`` word), given a
    plan's :attr:`~searcher.query.plan.QueryPlan.aids`; ``["literal"]`` when it holds
    none of them (a looser rule matched the query's words apart)."""
    everywhere = [stored.title, stored.body, *stored.tags, *stored.categories]
    found: set[str] = set()
    for kind, group, title_only in aids:
        texts = [stored.title] if title_only else everywhere
        if kind not in found and any(find_spans(t, [group]) for t in texts if t):
            found.add(kind)
    return [k for k in AIDS if k in found] or ["literal"]


def make_hit(
    hit: EngineHit,
    group: str,
    terms: Sequence[Term | TermGroup],
    snippet_chars: int,
    found_by: list[str] | None = None,
    marked: bool = True,
) -> Hit:
    """The :class:`Hit` of an engine's hit: its snippet (``snippet_chars`` characters)
    marking ``terms``, its title too unless ``marked`` is False (related stories mark
    only the snippet), its story ``group``, its folded copies (:class:`Post`, titles
    marked alike) and ``found_by`` as :attr:`Hit.matched_by` (default: none)."""
    title_terms = terms if marked else []
    return Hit(
        **post_fields(hit.post, title_terms),
        score=hit.score,
        snippet=hit_snippet(hit.post, terms, snippet_chars),
        matched_by=found_by or [],
        group=group,
        similar=[Post(**post_fields(p, title_terms)) for p in hit.folded],
        similar_count=hit.folded_count,
    )


def hit_snippet(stored: StoredPost, terms: Sequence[Term | TermGroup], size: int) -> str:
    """A hit's snippet (HTML, ``size`` visible characters at most, unless one label is
    longer): :func:`label_line` when the post's tags or categories are why it matched,
    then :data:`~searcher.snippets.BLOCK_SEPARATOR` and the body's
    :func:`~searcher.snippets.make_snippet` in the characters left. A query word the
    line shows as typed is not marked in the body by its parts alone (tag
    ``东财滚动新闻``: the body's 新闻 is not that word)."""
    groups = _groups(terms)
    why = _label_reasons(stored, groups) if groups and (stored.tags or stored.categories) else {}
    line = _label_line(stored, groups, why, size)
    if not line:
        return make_snippet(stored.body, terms, size, stored.code)
    body_terms = [TermGroup(g.primary) if why.get(n) == 2 else g for n, g in enumerate(groups)]
    left = size - len(_visible(line)) - len(BLOCK_SEPARATOR)
    body = make_snippet(stored.body, body_terms, left, stored.code) if left > 0 else ""
    return line + BLOCK_SEPARATOR + body if body else line


def _visible(fragment: str) -> str:
    """The text a reader sees of a snippet's HTML (marks dropped, escapes read)."""
    return html.unescape(fragment.replace("<mark>", "").replace("</mark>", ""))


#: The most characters of a body shown (and highlighted) by the article view, so that
#: a 10 MB post cannot hold a server thread.
ARTICLE_CHARS = 100_000


@dataclass
class Document(Post):
    """A post as the article view shows it: the :class:`Post` fields, then
    ``paragraphs`` (HTML like ``title_html``: the query's matches in ``<mark>``,
    everything else escaped; one per block of the stored text), ``chars`` (the body's
    full length in characters), ``truncated`` (only the first :data:`ARTICLE_CHARS` are
    in ``paragraphs``) and ``code`` (the indices in ``paragraphs`` of code lines, which
    the page shows as code, in order)."""

    paragraphs: list[str]
    chars: int
    truncated: bool
    code: list[int] = field(default_factory=list)


def document_view(stored: StoredPost, terms: Sequence[Term | TermGroup]) -> Document:
    """The article view of ``stored``: each line of its body a paragraph (the body is
    the text the index stored, paragraphs separated by newlines), ``terms`` marked as
    in snippets (exact, character-level: :mod:`searcher.snippets`)."""
    shown = stored.body[:ARTICLE_CHARS]
    paragraphs: list[str] = []
    code: list[int] = []
    offset = 0
    for part in shown.split("\n"):
        line = part.strip()
        if line:
            if in_spans(stored.code, offset):
                code.append(len(paragraphs))
            paragraphs.append(highlight(line, find_spans(line, terms) if terms else []))
        offset += len(part) + 1
    return Document(
        **post_fields(stored, terms),
        paragraphs=paragraphs,
        chars=len(stored.body),
        truncated=len(stored.body) > ARTICLE_CHARS,
        code=code,
    )


@dataclass
class IndexStats:
    """Facts about an index: ``documents`` (live posts), facet value counts, the first
    and last post dates (aware, site time zone; None when no post is dated), the size
    of the index folder in bytes, and the segmenter and dictionary that built it."""

    documents: int
    categories: dict[str, int]
    tags: dict[str, int]
    years: dict[str, int]
    first_date: dt.datetime | None
    last_date: dt.datetime | None
    size_bytes: int
    segmenter: str
    dictionary: str
    timezone: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, dates as ISO 8601."""
        d = asdict(self)
        d["first_date"] = self.first_date.isoformat() if self.first_date else None
        d["last_date"] = self.last_date.isoformat() if self.last_date else None
        return d


__all__ = [
    "ARTICLE_CHARS",
    "LABEL_NAMES",
    "Document",
    "Hit",
    "IndexStats",
    "Post",
    "SearchResults",
    "document_view",
    "hit_snippet",
    "make_hit",
    "label_line",
    "post_fields",
]
