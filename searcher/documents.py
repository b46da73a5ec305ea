"""One indexed post, whole, with a query's matches highlighted (the article view).

The body is the text the index stored (paragraphs separated by newlines). Highlighting
uses the same exact, character-level matching as snippets (:mod:`searcher.snippets`);
its cost is bounded by :data:`ARTICLE_CHARS`: a longer body is shown up to that many
characters, with ``truncated`` set, so a 10 MB post cannot hold a server thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .query import compile_query, parse
from .search import MAX_QUERY_CHARS, Post, clean_query, post_fields
from .snippets import find_spans, highlight

if TYPE_CHECKING:
    from .index import Index

#: The most characters of a body shown (and highlighted) by the article view.
ARTICLE_CHARS = 100_000


@dataclass
class Document(Post):
    """A post as the article view shows it: the :class:`~searcher.search.Post` fields,
    then ``paragraphs`` (HTML like ``title_html``: the query's matches in ``<mark>``,
    everything else escaped), ``chars`` (the body's full length in characters) and
    ``truncated`` (only the first :data:`ARTICLE_CHARS` are in ``paragraphs``)."""

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
    body = stored.get("body", "")
    shown = body[:ARTICLE_CHARS]
    paragraphs = [
        highlight(line, find_spans(line, terms) if terms else [])
        for line in (part.strip() for part in shown.split("\n"))
        if line
    ]
    return Document(
        **post_fields(stored, terms),
        paragraphs=paragraphs,
        chars=len(body),
        truncated=len(body) > ARTICLE_CHARS,
    )


__all__ = ["ARTICLE_CHARS", "Document", "document"]
