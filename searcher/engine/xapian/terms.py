"""What a post becomes in a Xapian document, and back: terms under field prefixes,
values, and the stored post.

=============  ======  ===========================================================
prefix         kind    from
=============  ======  ===========================================================
``XTW`` ``XBW`` ``XLW``  words   jieba words of the title, body, labels (ranking)
``XT1`` ``XB1`` ``XL1``  units   the units (unigrams), no positions
``XT2`` ``XB2`` ``XL2``  bigrams unit bigrams with positions (runs, phrases)
``XTK`` ``XBK``        books   book titles (《》, 〈〉)
``Q``                  id      the post's id (boolean, unique)
``XFC`` ``XFG``        facets  categories and tags (boolean, multi-valued)
``XFY`` ``XFP``        facets  year (site time zone) and type (boolean)
=============  ======  ===========================================================

The fields and their analysis are the Whoosh engine's (:mod:`searcher.analysis`,
the same list forms of :mod:`searcher.analysis.terms`); the labels are the tags and
categories a line each (issue #20). Positions are the analysis's plus 1 (Xapian's
positions start at 1). A term longer than :data:`MAX_TERM_BYTES` (a long run of Latin
letters: Xapian refuses terms over 245 bytes) is cut and given a digest of the whole, the
same at index and query time (:func:`term`).

Values: :data:`HEAD` holds the post's headline (:func:`headline`), read for every post
at once by sorting on it (a Xapian match hands each hit's sort key back, also from
remote shards), :data:`DATE` the date for sorting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from ...analysis import join_units
from ...analysis.analyzers import (
    STOP_WORDS,
    BigramAnalyzer,
    BookTitleAnalyzer,
    UnitAnalyzer,
)
from ...analysis.terms import (
    Memo,
    TermPositions,
    folded_units,
    term_positions,
    word_positions,
)
from ...analysis.tokenizers import WordTokenizer
from ...engine import StoredPost
from ...ranking import UNDATED
from ...site.records import Article

#: Prefixes of the text fields, by (field, kind): kind ``words``, ``1`` (units), ``2``
#: (bigrams), ``books``.
PREFIXES = {
    ("title", "words"): "XTW",
    ("body", "words"): "XBW",
    ("labels", "words"): "XLW",
    ("title", "1"): "XT1",
    ("body", "1"): "XB1",
    ("labels", "1"): "XL1",
    ("title", "2"): "XT2",
    ("body", "2"): "XB2",
    ("labels", "2"): "XL2",
    ("title", "books"): "XTK",
    ("body", "books"): "XBK",
}
ID_PREFIX = "Q"
#: Facet prefixes, by the facet names of :data:`searcher.facets.FACETS`.
FACET_PREFIXES = {"categories": "XFC", "tags": "XFG", "year": "XFY", "type": "XFP"}
#: Value slots: the headline, the date, the title's length factor (:func:`title_norm`).
HEAD, DATE, TITLE_NORM = 0, 1, 2
#: BM25F's constants as the Whoosh engine's (``K1``, ``B``), and the titles' mean length
#: in units that :func:`title_norm` takes as the average: 19.9 on xwlb's 19,541 posts.
K1, B, MEAN_TITLE_UNITS = 1.2, 0.75, 20.0
#: Longest term text kept whole (bytes, UTF-8, prefix excluded).
MAX_TERM_BYTES = 200
#: Characters a text may have and surely fit in MAX_TERM_BYTES (4 bytes a character).
SHORT_TERM = MAX_TERM_BYTES // 4
LABEL_SEPARATOR = "\n"


def term(prefix: str, text: str) -> str:
    """The Xapian term of ``text`` under ``prefix``: whole when its UTF-8 bytes fit in
    :data:`MAX_TERM_BYTES`, else its first 150 bytes' characters and a digest.

    >>> term("XT1", "新")
    'XT1新'
    >>> len(term("XB1", "a" * 300).encode())
    178
    """
    raw = text.encode("utf-8")
    if len(raw) <= MAX_TERM_BYTES:
        return prefix + text
    head = raw[:150].decode("utf-8", "ignore")
    return f"{prefix}{head}#{hashlib.sha1(raw).hexdigest()[:24]}"


def bigram_terms(prefix: str, units: Sequence[str]) -> list[str]:
    """The bigram terms of a run of ``units`` (two or more).

    >>> bigram_terms("XB2", ["新", "闻", "网"])
    ['XB2新闻', 'XB2闻网']
    """
    return [term(prefix, join_units(a, b)) for a, b in zip(units, units[1:], strict=False)]


def labels_text(tags: Sequence[str], categories: Sequence[str]) -> str:
    """The labels' text: tags then categories, a line each (no run spans two)."""
    return LABEL_SEPARATOR.join([*tags, *categories])


class Analysis:
    """The list forms of the four pipelines for one segmenter (with its user words)."""

    def __init__(self, words: WordTokenizer) -> None:
        self.words = word_positions(words, STOP_WORDS)
        self.units = term_positions(UnitAnalyzer())
        self.bigrams = term_positions(BigramAnalyzer())
        self.books = term_positions(BookTitleAnalyzer())

    def title_units(self, article: Article) -> int:
        """How many units ``article``'s title has (at least 1)."""
        return max(1, len(folded_units(article.title, offsets=False)[0]))

    def fields(self, article: Article) -> list[tuple[str, TermPositions, bool]]:
        """``[(prefix, {term: positions}, positional)]`` of ``article``'s text fields."""
        labels = labels_text(article.tags, article.categories)
        out: list[tuple[str, TermPositions, bool]] = []
        for field, text in (("title", article.title), ("body", article.body), ("labels", labels)):
            memo: Memo = {}
            kinds: list[tuple[str, Callable[[str, Memo | None], TermPositions], bool]] = [
                ("words", self.words, False),
                ("1", self.units, False),
                ("2", self.bigrams, True),
            ]
            if field != "labels":
                kinds.append(("books", self.books, False))
            for kind, terms, positional in kinds:
                out.append((PREFIXES[field, kind], terms(text, memo), positional))
        return out


def title_norm(units: int) -> float:
    """How one occurrence in a title of ``units`` units weighs under BM25F, as the Whoosh
    engine's title field does (``(K1 + 1) / (1 + K1 · (1 − B + B · units / mean))``),
    with a fixed mean (:data:`MEAN_TITLE_UNITS`: an index updated in place weighs as a
    fresh build, and a value never changes after its post is written).

    >>> round(title_norm(20), 3), round(title_norm(10), 3), round(title_norm(40), 3)
    (1.0, 1.257, 0.71)
    """
    return (K1 + 1) / (1 + K1 * (1 - B + B * units / MEAN_TITLE_UNITS))


def headline(article: Article, tz: dt.tzinfo) -> dict[str, Any]:
    """What every post shows without its body, and the columns of a generation: id,
    digest, path, URLs, type, ISO date, Unix seconds (``ts``, UNDATED for none), year in
    ``tz``, categories, tags."""
    date = article.date
    return {
        "id": article.id,
        "digest": article.digest,
        "path": article.path,
        "url": article.url,
        "source_url": article.source_url,
        "type": article.type,
        "title": article.title,
        "date": date.isoformat() if date else None,
        "ts": int(date.timestamp()) if date else UNDATED,
        "year": str(date.astimezone(tz).year) if date else None,
        "categories": list(article.categories),
        "tags": list(article.tags),
    }


def data_of(article: Article) -> bytes:
    """The document data: what a hit shows beyond its headline (body, code spans)."""
    return json.dumps(
        {"body": article.body, "code": [list(span) for span in article.code]},
        ensure_ascii=False,
    ).encode("utf-8")


def stored_post(head: dict[str, Any], data: bytes | None) -> StoredPost:
    """The :class:`~searcher.engine.StoredPost` of a headline and document data (None:
    without the body)."""
    extra = json.loads(data) if data else {}
    return StoredPost(
        id=str(head["id"]),
        path=str(head["path"]),
        url=head.get("url"),
        source_url=head.get("source_url"),
        type=str(head.get("type", "post")),
        title=str(head.get("title", "")),
        body=str(extra.get("body", "")),
        date=head.get("date"),
        categories=tuple(head.get("categories", ())),
        tags=tuple(head.get("tags", ())),
        code=tuple((int(a), int(b)) for a, b in extra.get("code", ())),
    )


__all__ = [
    "DATE",
    "FACET_PREFIXES",
    "HEAD",
    "ID_PREFIX",
    "PREFIXES",
    "TITLE_NORM",
    "SHORT_TERM",
    "Analysis",
    "bigram_terms",
    "data_of",
    "headline",
    "labels_text",
    "stored_post",
    "term",
    "title_norm",
]
