"""Related stories: the posts sharing the most informative words of one post, a
more-like-this query (issue #22).

A post's *key words* are the jieba words of its body that best tell it apart
(:meth:`searcher.engine.Engine.key_terms`: Whoosh's Bo1 model, a tf-idf weighting
from divergence from randomness), :data:`KEY_WORDS` of them. The related posts are those
holding any of them, ranked by BM25F with each word weighted by its key-word weight
(relative to the best, so the first word weighs 1), then by date (newest first) among
equal scores, one post per story group (:mod:`searcher.stories`), never the post's own
group.
"""

from __future__ import annotations

from .engine import Engine, EngineHit, Page, Sort
from .query import QueryPlan
from .query.plan import AnyOf, Boost, Node, match_word
from .request import Filters
from .stories import StoryGroups

#: Key words of a post asked of the engine for its more-like-this query.
KEY_WORDS = 12
#: CPU time (seconds) one related-stories query may take; past it, the matches found.
CPU_SECONDS = 1.0
#: Most related posts asked for at once.
MAX_RELATED = 50


def key_words(engine: Engine, post_id: str) -> list[tuple[str, float]]:
    """The post's :data:`KEY_WORDS` key words with weights relative to the best
    (``[(word, weight)]``, best first, weights in (0, 1]); [] for an unknown post or a
    body with no words."""
    found = [(w, x) for w, x in engine.key_terms(post_id, KEY_WORDS) if w.strip() and x > 0]
    if not found:
        return []
    best = found[0][1]
    return [(word, weight / best) for word, weight in found]


def related_plan(words: list[tuple[str, float]]) -> QueryPlan:
    """The more-like-this plan of ``words`` (``[(word, weight)]``): any of them, each
    scored times its weight."""
    children: tuple[Node, ...] = tuple(
        Boost(match_word(word, False), weight) for word, weight in words
    )
    return QueryPlan(AnyOf(children), highlight=[], notices=[], match_all=False)


def related(
    engine: Engine, post_id: str, limit: int, groups: StoryGroups
) -> tuple[list[EngineHit], list[str]]:
    """The ``limit`` posts most related to ``post_id`` (best first) and the key words
    used; ([], []) when it has none."""
    words = key_words(engine, post_id)
    if not words:
        return [], []
    own = set(groups.members(post_id))
    page = Page(0, limit + 1)  # collapsed, its own group is one hit at most
    found = engine.search(
        related_plan(words), Filters(), Sort("relevance"), page, CPU_SECONDS, groups
    )
    hits = [h for h in found.hits if h.post.id not in own][:limit]
    return hits, [w for w, _ in words]


__all__ = ["CPU_SECONDS", "KEY_WORDS", "MAX_RELATED", "key_words", "related", "related_plan"]
