"""Related stories: the posts sharing the most informative words of one post, a
more-like-this query (issue #22), as Lucene's ``MoreLikeThis`` builds one.

A post's *key words* are the jieba words of its title and body (folded, as the word
fields index them), weighted tf·idf: ``tf`` the times the word occurs (a title's words
:data:`TITLE_TF` times), ``idf = ln(N / df)`` over the index's ``N`` posts and the word's
document frequency ``df`` (:meth:`~searcher.engine.Engine.word_frequencies`), the post's
own story group counted as one post in both (its copies hold the same words). Left out,
as ``MoreLikeThis`` leaves them out: stop words and words of one character, words no
post outside the post's own story group holds (they can find nothing), and words in more
than :data:`MAX_DF_SHARE` of all posts (they tell nothing). The :data:`KEY_WORDS` best
are kept.

The related posts are those holding any key word, ranked by BM25F with each word's
clause weighted by its tf·idf relative to the best (the first word weighs 1), then by
date (newest first) among equal scores, one post per story group
(:mod:`searcher.stories`), never the post's own group.

>>> import re
>>> cut = lambda text: re.findall("大桥|通车|物流|园区|开工|.", text)
>>> df = {"大桥": 9, "通车": 2, "物流": 1, "园区": 3, "开工": 4}
>>> words = key_words_of("大桥通车", "大桥通车了。物流园区开工。", df, 10, cut, {})
>>> [(w, round(x, 2)) for w, x in words]  # 大桥: too common; 物流: in no other post
[('通车', 1.0), ('园区', 0.25), ('开工', 0.19)]
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping

from .analysis import STOP_WORDS
from .analysis.folding import fold
from .engine import Engine, EngineHit, Page, Sort
from .query import QueryPlan
from .query.plan import AnyOf, Boost, Node, match_word
from .request import Filters
from .stories import StoryGroups

#: Key words of a post in its more-like-this query (Lucene's ``maxQueryTerms`` is 25).
#: Measured on xwlb (``bench/stories.py``, 300 posts, their top 5): with 25 words, 79.6%
#: of the related posts share a tag or a named entity with their source, p99 63 ms; 16
#: words, 79.7%, 47 ms; 12 words, 78.7%, 30 ms; 8 words, 74.3%, 21 ms.
KEY_WORDS = 12
#: How many times a word of the title counts (a headline names what the story is about).
TITLE_TF = 2
#: Words held by more than this share of all posts are left out (Lucene's
#: ``maxDocFreqPct``): on xwlb, 新闻联播's own words (央视网, 消息) and the like.
MAX_DF_SHARE = 0.5
#: CPU time (seconds) one related-stories query may take; past it, the matches found.
CPU_SECONDS = 1.0
#: Most related posts asked for at once.
MAX_RELATED = 50
#: The size of a related post's snippet, in characters (a line under its title).
RELATED_SNIPPET_CHARS = 120
#: Characters of a body weighed for its key words (xwlb's longest body: 20,694; a body
#: of 1.35 million characters took 2 s to segment on every view of its article).
WEIGHED_CHARS = 30_000
#: Posts of a post's story group read to count the holders of its words (a group of
#: 3,000 copies took 0.6–0.8 s to read on every view); the rest count as these do.
READ_MEMBERS = 20


def _wordy(word: str) -> bool:
    """A word worth weighing: two characters or more, not a stop word, with a letter
    or an ideograph (not a number or a punctuation run)."""
    return len(word) > 1 and word not in STOP_WORDS and any(c.isalpha() for c in word)


def key_words_of(
    title: str,
    body: str,
    frequencies: Mapping[str, int],
    posts: int,
    cut: Callable[[str], list[str]],
    own_group: Mapping[str, int],
) -> list[tuple[str, float]]:
    """The key words of a post of ``title`` and ``body`` (``[(word, weight)]``, best
    first, weights relative to the best, in (0, 1]; at most :data:`KEY_WORDS`).

    :param frequencies: each word's document frequency in the index.
    :param posts: the number of posts of the index.
    :param cut: the index's word segmenter (text → words).
    :param own_group: how many posts of the post's own story group hold each word (one,
        the post, when it is not given): a word's frequency outside the group is ``df``
        less that.
    """
    counts: Counter[str] = Counter()
    for text, times in ((title, TITLE_TF), (body, 1)):
        for word in cut(fold(text, case=False)):
            counts[fold(word)] += times
    # the post's story group counts as one post, in df and in N
    n = posts - max(own_group.values(), default=1) + 1
    scored: list[tuple[float, str]] = []
    for word, tf in counts.items():
        df = frequencies.get(word, 0) - own_group.get(word, 1) + 1
        if not _wordy(word) or df < 2 or df > MAX_DF_SHARE * n:
            continue
        scored.append((tf * math.log(n / df), word))
    scored.sort(key=lambda item: (-item[0], item[1]))
    best = scored[0][0] if scored else 0.0
    return [(word, weight / best) for weight, word in scored[:KEY_WORDS] if weight > 0]


def key_words(
    engine: Engine, post_id: str, groups: StoryGroups | None = None
) -> list[tuple[str, float]]:
    """:func:`key_words_of` the live post ``post_id`` ([] for none), its story group
    (in ``groups``) counted as one post."""
    post = engine.stored(post_id)
    if post is None:
        return []
    cut = engine.segmenter.cut
    holders: Counter[str] = Counter()
    members = (groups or StoryGroups()).members(post_id)
    read = [post_id] + [m for m in members if m != post_id][: READ_MEMBERS - 1]
    for member in read:
        copy = engine.stored(member) if member != post_id else post
        if copy is not None:
            text = fold(copy.title + "\n" + copy.body[:WEIGHED_CHARS], case=False)
            holders.update({fold(w) for w in cut(text)})
    if len(members) > len(read):  # near-identical copies: the rest hold what these hold
        holders = Counter({w: round(c * len(members) / len(read)) for w, c in holders.items()})
    frequencies = engine.word_frequencies()
    posts = len(engine.headlines())
    body = post.body[:WEIGHED_CHARS]
    return key_words_of(post.title, body, frequencies, posts, cut, holders)


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
    words = key_words(engine, post_id, groups)
    if not words:
        return [], []
    own = set(groups.members(post_id))
    page = Page(0, limit + 1)  # collapsed, its own group is one hit at most
    plan = related_plan(words)
    found = engine.search(plan, Filters(), Sort("relevance"), page, CPU_SECONDS, groups, False)
    hits = [h for h in found.hits if h.post.id not in own][:limit]
    return hits, [w for w, _ in words]


__all__ = [
    "CPU_SECONDS",
    "KEY_WORDS",
    "MAX_DF_SHARE",
    "MAX_RELATED",
    "READ_MEMBERS",
    "RELATED_SNIPPET_CHARS",
    "TITLE_TF",
    "WEIGHED_CHARS",
    "key_words",
    "key_words_of",
    "related",
    "related_plan",
]
