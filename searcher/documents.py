"""One indexed post, whole, with a query's matches highlighted (the article view).

The body is the text the index stored (paragraphs separated by newlines). Highlighting
uses the same exact, character-level matching as snippets (:mod:`searcher.snippets`);
its cost is bounded by :data:`ARTICLE_CHARS`: a longer body is shown up to that many
characters, with ``truncated`` set, so a 10 MB post cannot hold a server thread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .query import compile_query, parse
from .search import MAX_QUERY_CHARS, clean_query
from .snippets import find_spans, highlight

if TYPE_CHECKING:
    from .index import Index

#: The most characters of a body shown (and highlighted) by the article view.
ARTICLE_CHARS = 100_000


@dataclass
class Document:
    """A post as the article view shows it.

    ``title_html`` and each of ``paragraphs`` are HTML: the query's matches in
    ``<mark>``, everything else escaped. ``date`` is aware (site time zone) or None;
    ``url`` is the post's page on the site and ``source_url`` its source link, both as
    stored (check their scheme before making them links). ``chars`` is the body's full
    length in characters; ``truncated`` tells that only the first
    :data:`ARTICLE_CHARS` are in ``paragraphs``.
    """

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
    paragraphs: list[str]
    chars: int
    truncated: bool


def document(index: Index, doc_id: str, query: str = "") -> Document | None:
    """The post whose id is ``doc_id``, with the matches of ``query`` highlighted.

    :param index: an open index.
    :param doc_id: a hit's ``id`` (:class:`searcher.search.Hit`).
    :param query: the query whose matches to mark (same syntax as a search; excluded
        words are not marked); empty: nothing is marked.
    :returns: a :class:`Document`, or None when no live post has that id.
    """
    query = clean_query(query)[:MAX_QUERY_CHARS]
    terms: list[Any] = (
        compile_query(parse(query), index.word_segmenter).highlight if query.strip() else []
    )
    with index.searcher() as s:
        docnum = s.document_number(id=doc_id)
        if docnum is None:
            return None
        stored = s.stored_fields(docnum)
    meta = stored["meta"]
    title = stored.get("title", "")
    body = stored.get("body", "")
    shown = body[:ARTICLE_CHARS]
    paragraphs = [
        highlight(line, find_spans(line, terms) if terms else [])
        for line in (part.strip() for part in shown.split("\n"))
        if line
    ]
    return Document(
        id=stored["id"],
        path=meta["path"],
        url=meta.get("url"),
        source_url=meta.get("source_url"),
        type=str(meta.get("type", "post")),
        title=title,
        title_html=highlight(title, find_spans(title, terms) if terms else []),
        date=dt.datetime.fromisoformat(meta["date"]) if meta.get("date") else None,
        categories=list(meta.get("categories", [])),
        tags=list(meta.get("tags", [])),
        paragraphs=paragraphs,
        chars=len(body),
        truncated=len(body) > ARTICLE_CHARS,
    )


__all__ = ["ARTICLE_CHARS", "Document", "document"]
