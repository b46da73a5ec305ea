"""The Whoosh schema: which fields an article becomes, and how each is analyzed.

=============  ===============================  ==========================================
field          kind                             purpose
=============  ===============================  ==========================================
``id``         ID, unique, stored, sortable     the article's id (its path without suffix)
``digest``     ID, sortable                     detects changed posts on update
``title``      jieba words, stored              ranking: whole-word matches in the title
``body``       jieba words, stored              ranking; the stored text feeds snippets
``title_1``    units (unigrams)                 single-character / single-word matches
``body_1``     units (unigrams)
``title_2``    unit bigrams with positions      any literal run of 2+ units; phrases
               (:class:`~.codec.CompactPositions`)
``body_2``     unit bigrams with positions
``labels``     jieba words                      ranking: the tags and categories as words
``labels_1``   units (unigrams)                 matches in a tag or category
``labels_2``   unit bigrams with positions      (one line each: no phrase across two)
``title_books`` book-title terms                 ranking: titles cited in 《》 or 〈〉
``body_books`` book-title terms
``ts``         NUMERIC, sortable                the date as Unix seconds (UTC); filters
``year``       facet (one value)                years facet, in the site time zone
``categories`` facet (multi-valued)             ``--category`` filter and facet counts
``tags``       facet (multi-valued)             ``--tag`` filter and facet counts
``type``       facet (one value)                ``post``, ``page`` or a collection's name
``meta``       stored only                      path, URLs, type, ISO date, lists
=============  ===============================  ==========================================

The ``labels*`` fields hold a post's tags and categories as searchable text (issue
#20), analyzed as the title is, from :func:`labels_text`.
``title_books`` and ``body_books`` hold one term per book title of the title and the
body (the text in 《》 or 〈〉, :mod:`searcher.analysis.booktitles`), without positions:
ranking puts the posts citing a title typed in 《》 first.

The schema is pickled into the index by Whoosh, analyzers included (:mod:`.analyzers`),
so an index always analyzes queries with the segmenter that built it.
"""

from __future__ import annotations

import array
import datetime as dt
import math
import sys
from collections.abc import Sequence
from typing import Any

from whoosh import fields, scoring
from whoosh.analysis import RegexTokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from ...analysis import UserWord
from ...engine import StoredPost
from ...ranking import UNDATED
from ...site.records import Article
from .analyzers import (
    BigramAnalyzer,
    BookTitleAnalyzer,
    UnitAnalyzer,
    WordAnalyzer,
    WordTokenizer,
)
from .codec import CompactPositions
from .postings import read_weights

#: Facet fields: values are joined with this separator when indexed.
FACET_SEPARATOR = "\n"
#: The text fields of tags and categories: labels are joined with this separator, a
#: line break, which breaks phrases (:func:`searcher.analysis.tokenizers.is_break`).
LABEL_SEPARATOR = "\n"


class BM25F(scoring.BM25F):  # type: ignore[misc]
    """Whoosh's BM25F, with each document's field length read from a list.

    Whoosh's scorer reads a document's field length from the segment's length column at
    every score (a seek and a read per document and field: 30% of a query matching most
    posts). Here the whole column is read once per segment reader (about 10 ms per field
    for 10,000 posts) and kept on that reader, which belongs to one pooled searcher and
    so to one thread at a time. Scores are identical.
    """

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: float = 1) -> Any:
        s = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(s, scoring.BM25FScorer):
            lengths = field_lengths(searcher.reader(), fieldname)
            if lengths is not None:
                s.dfl = lengths.__getitem__
            live = live_statistics(searcher, fieldname, text)
            if live is not None:
                s.idf, s.avgfl = live
        return s


def _parent(searcher: Any) -> Any:
    return searcher.get_parent() if hasattr(searcher, "get_parent") else searcher


def live_doc_frequency(searcher: Any, fieldname: str, text: bytes) -> int:
    """How many live (not deleted) documents of the whole index hold ``text`` in
    ``fieldname``: Whoosh's ``doc_frequency`` counts deleted documents too, until a merge
    drops them. Kept on the top-level searcher (one generation, one thread at a time)."""
    parent = _parent(searcher)
    cache: dict[Any, int] = parent.__dict__.setdefault("_searcher_live_df", {})
    key = (fieldname, text)
    if key not in cache:
        total = 0
        for reader, _ in parent.reader().leaf_readers():
            if not reader.has_deletions():
                total += reader.doc_frequency(fieldname, text)
            elif (fieldname, text) in reader:
                total += len(read_weights(reader, fieldname, text)[0])
        cache[key] = total
    return cache[key]


def live_statistics(searcher: Any, fieldname: str, text: bytes) -> tuple[float, float] | None:
    """BM25's idf of ``text`` and the average length of ``fieldname`` over the live
    documents of the whole index (lengths as the segments' length columns keep them),
    so that an index updated in place scores exactly as a fresh build of the same posts:
    Whoosh counts deleted documents in both until a merge drops them. The idf is
    Whoosh's formula, ``log(N / (df + 1)) + 1``. None when a segment is not a Whoosh 3
    segment."""
    parent = _parent(searcher)
    cache: dict[str, float] = parent.__dict__.setdefault("_searcher_live_avgfl", {})
    if fieldname not in cache:
        total, docs = 0, 0
        for reader, _ in parent.reader().leaf_readers():
            lengths = field_lengths(reader, fieldname)
            if lengths is None:
                return None
            total += sum(lengths) - sum(lengths[d] for d in reader.deleted_docs_set)
            docs += reader.doc_count()
        cache[fieldname] = total / docs if docs else 1.0
    docs = parent.doc_count()
    idf = math.log(docs / (live_doc_frequency(parent, fieldname, text) + 1)) + 1
    return idf, cache[fieldname] or 1.0


_BYTE_LENGTHS = [byte_to_length(b) for b in range(256)]


def field_lengths(reader: Any, fieldname: str) -> list[int] | None:
    """Every document's length in ``fieldname`` for a segment reader (as
    ``doc_field_length(d, fieldname, 1)``), cached on the reader; None when the reader
    is not a Whoosh 3 segment reader. A segment where no document has the field (Whoosh
    then writes no length column: an update's posts without tags) gives 1 for each, as
    Whoosh does."""
    cache: dict[str, list[int]] = reader.__dict__.setdefault("_searcher_field_lengths", {})
    if fieldname not in cache:
        count = reader.doc_count_all()
        try:
            lengths = length_column(reader._perdoc, fieldname, count)
        except AttributeError:
            return None
        cache[fieldname] = [n or 1 for n in lengths] if lengths is not None else [1] * count
    return cache[fieldname]


def open_columns(searcher: Any) -> None:
    """Open now every column file of every segment of ``searcher`` (each field's column,
    its length column, the stored fields), which Whoosh opens on first use: a commit
    deletes the files of the segments it drops once its table of contents is written,
    and a column opened after that reads as all defaults (Whoosh takes a missing
    column file for a column that was never written). Opened files stay readable.

    :raises FileNotFoundError: a file went while being opened (open a newer searcher).
    """
    for reader, _ in searcher.reader().leaf_readers():
        perdoc = getattr(reader, "_perdoc", None)
        if perdoc is None or not hasattr(perdoc, "_colfiles"):
            continue
        names = ["_stored"]
        for name, field in reader.schema.items():
            if field.column_type:
                names.append(name)
            if field.scorable:
                names.append(_lenfield(name))
        for name in names:
            if name not in perdoc._colfiles and perdoc.has_column(name):
                perdoc._colfiles[name] = perdoc._get_column_file(name)


def length_column(perdoc: Any, fieldname: str, count: int) -> list[int] | None:
    """The first ``count`` documents' lengths in ``fieldname`` from a Whoosh 3
    per-document reader, read as one column: what ``doc_field_length`` gives (0 for
    none); None when the segment has no such column."""
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    return [_BYTE_LENGTHS[b] for b in column_numbers(column, count)]


def column_numbers(column: Any, count: int) -> list[int]:
    """The first ``count`` values of a Whoosh numeric column reader of one segment, its
    raw bytes read in one call (Whoosh's reader reads one value per call); documents
    past the column's end get its default, as Whoosh gives them. Any other reader is
    read value by value."""
    try:
        size, typecode = column._fixedlen, column._typecode
        stored = min(count, column._count)
        numbers = array.array(typecode, bytes(column._dbfile.get(column._basepos, stored * size)))
        if numbers.itemsize != size:
            raise AttributeError
    except (AttributeError, TypeError, ValueError):
        return [column[i] for i in range(count)]
    if sys.byteorder == "little" and size > 1:
        numbers.byteswap()  # Whoosh writes them big-endian
    return [*numbers.tolist(), *(column[i] for i in range(stored, count))]


#: Ranking: BM25F with Whoosh's usual constants (formula in :mod:`.collect`), but no
#: length normalisation (``B = 0``) in the ``labels*`` fields: a tag is a name, not
#: prose, so a post's other tags say nothing of how much it is about this one; and the
#: average length counts a post without labels as 1, so with ``B = 0.75`` a tagged post
#: on a site where few are tagged would lose much of its score (one post in ten tagged
#: with one 4-character tag: a tag match scores 0.54 of the same match with ``B = 0``).
WEIGHTING = BM25F(B=0.75, K1=1.2, labels_B=0.0, labels_1_B=0.0, labels_2_B=0.0)


def _facet_field() -> Any:
    field = fields.KEYWORD(stored=False, scorable=False)
    field.analyzer = RegexTokenizer(r"[^\n]+")
    return field


def _positional(analyzer: Any) -> Any:
    """A text field with positions in :class:`~.codec.CompactPositions` values."""
    field = fields.TEXT(analyzer=analyzer, phrase=True)
    field.format = CompactPositions(field_boost=field.format.field_boost)
    return field


def make_schema(segmenter: str, user_words: tuple[UserWord, ...] = ()) -> fields.Schema:
    """Build the schema for a new index whose words are cut by ``segmenter``.

    :param segmenter: ``"rjieba"`` or ``"jieba"`` (see :mod:`searcher.analysis.segmenters`).
    :param user_words: a user dictionary's words, carried in the pickled schema.
    :returns: a :class:`whoosh.fields.Schema` with the fields in this module's table.
    """
    words = WordAnalyzer(segmenter, user_words)
    units = UnitAnalyzer()
    bigrams = BigramAnalyzer()
    books = BookTitleAnalyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        digest=fields.ID(sortable=True),
        title=fields.TEXT(analyzer=words, phrase=False, stored=True),
        body=fields.TEXT(analyzer=words, phrase=False, stored=True),
        title_1=fields.TEXT(analyzer=units, phrase=False),
        body_1=fields.TEXT(analyzer=units, phrase=False),
        title_2=_positional(bigrams),
        body_2=_positional(bigrams),
        labels=fields.TEXT(analyzer=words, phrase=False),
        labels_1=fields.TEXT(analyzer=units, phrase=False),
        labels_2=_positional(bigrams),
        title_books=fields.TEXT(analyzer=books, phrase=False),
        body_books=fields.TEXT(analyzer=books, phrase=False),
        ts=fields.NUMERIC(int, bits=64, signed=True, sortable=True),
        year=_facet_field(),
        categories=_facet_field(),
        tags=_facet_field(),
        type=_facet_field(),
        meta=fields.STORED(),
    )


def segmenter_of(schema: fields.Schema) -> str:
    """The name of the segmenter an index's schema was built with (``"rjieba"``…)."""
    return str(word_tokenizer(schema).segmenter_name)


def word_tokenizer(schema: fields.Schema) -> WordTokenizer:
    """The :class:`~.analyzers.WordTokenizer` of an index's schema: it owns the
    segmenter (with the index's user dictionary) that must also cut query words."""
    tokenizer: WordTokenizer = schema["body"].analyzer.items[0]
    return tokenizer


def labels_text(tags: Sequence[str], categories: Sequence[str]) -> str:
    """The text of the ``labels*`` fields: a post's tags, then its categories, one a
    line, so that no bigram or phrase spans two of them (issue #20: tags ``数字`` and
    ``经济`` do not make ``数字经济``).

    >>> labels_text(["数字", "经济"], ["财经"])
    '数字\\n经济\\n财经'
    """
    return LABEL_SEPARATOR.join([*tags, *categories])


def fields_of(article: Article, tz: dt.tzinfo) -> dict[str, Any]:
    """The Whoosh document (field name → value) for ``article``.

    Dates are indexed as Unix seconds (``ts``, :data:`~searcher.ranking.UNDATED` when
    undated) and the years facet in the site time zone ``tz``; facet values are joined
    with :data:`FACET_SEPARATOR` (they may hold spaces); the ``labels*`` fields get
    :func:`labels_text`.
    """
    labels = labels_text(article.tags, article.categories)
    doc: dict[str, Any] = {
        "id": article.id,
        "digest": article.digest,
        "title": article.title,
        "body": article.body,
        "title_1": article.title,
        "body_1": article.body,
        "title_2": article.title,
        "body_2": article.body,
        "labels": labels,
        "labels_1": labels,
        "labels_2": labels,
        "title_books": article.title,
        "body_books": article.body,
        "categories": FACET_SEPARATOR.join(article.categories),
        "tags": FACET_SEPARATOR.join(article.tags),
        "type": article.type,
        "meta": {
            "path": article.path,
            "url": article.url,
            "source_url": article.source_url,
            "type": article.type,
            "date": article.date.isoformat() if article.date else None,
            "categories": list(article.categories),
            "tags": list(article.tags),
            "code": [list(span) for span in article.code],
        },
    }
    if article.date is not None:
        doc["ts"] = int(article.date.timestamp())
        doc["year"] = str(article.date.astimezone(tz).year)
    else:
        doc["ts"] = UNDATED
    return doc


def stored_post(stored: dict[str, Any]) -> StoredPost:
    """The :class:`~searcher.engine.StoredPost` of a document's stored fields."""
    meta = stored["meta"]
    return StoredPost(
        id=stored["id"],
        path=meta["path"],
        url=meta.get("url"),
        source_url=meta.get("source_url"),
        type=str(meta.get("type", "post")),
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        date=meta.get("date"),
        categories=tuple(meta.get("categories", [])),
        tags=tuple(meta.get("tags", [])),
        code=tuple((int(start), int(end)) for start, end in meta.get("code", ())),
    )
