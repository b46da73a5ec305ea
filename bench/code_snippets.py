"""How often a snippet shows code when the post also matches in prose (issue 19).

Reads a Jekyll site with searcher (its bodies and code spans, ``Article.code``), takes
the posts that hold code, and for each asks for the snippet of a query: one word of the
post's own title that occurs both in its code and in its prose, else any title word
(so the post matches the way a reader's query would). It counts the snippets whose
first fragment lies in code, with the code spans ignored (the rule before issue 19)
and with them (after), and the same among the posts whose match is only in code.

    python bench/code_snippets.py SITE [--sample 300] [--seed 19]
"""

from __future__ import annotations

import argparse
import html
import random
import re
from pathlib import Path

import jieba

from searcher.analysis.terms import folded_units
from searcher.site import Article, SiteOptions, read_corpus
from searcher.snippets import Term, find_spans, in_spans, make_snippet

_MARK = re.compile(r"</?mark>")


def first_fragment_in_code(body: str, code: tuple[tuple[int, int], ...], snippet: str) -> bool:
    """Whether the snippet's first fragment is text of ``body``'s code spans only."""
    first = html.unescape(_MARK.sub("", snippet)).lstrip("…").split("…")[0]
    first = first.split(" · ")[0].strip()
    if not first:
        return False
    places = [m.start() for m in re.finditer(re.escape(first), body)]
    # The fragment's text may stand both in code and in prose: code only if every
    # place it stands is code.
    return bool(places) and all(in_spans(code, at) for at in places)


def in_span(code: tuple[tuple[int, int], ...], body: str, term: Term) -> tuple[bool, bool]:
    """(the term matches in code, it matches outside code), by the highlighter's own
    matching (units, not substrings: ``log`` is not in ``blog``)."""
    inside = outside = False
    for start, _ in find_spans(body, [term]):
        if in_spans(code, start):
            inside = True
        else:
            outside = True
    return inside, outside


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    posts = [
        item
        for item in read_corpus(args.site, None, SiteOptions())
        if isinstance(item, Article) and item.code and item.type == "post"
    ]
    random.Random(args.seed).shuffle(posts)
    counts = {"both": [0, 0, 0], "code only": [0, 0, 0]}  # posts, before, after
    for post in posts[: args.sample]:
        words = [w for w in jieba.cut_for_search(post.title) if len(w.strip()) > 1]
        terms_of = {w: tuple(folded_units(w, offsets=False)[0]) for w in words}
        places = {w: in_span(post.code, post.body, terms_of[w]) for w in words if terms_of[w]}
        both = [w for w, (c, o) in places.items() if c and o]
        only = [w for w, (c, o) in places.items() if c and not o]
        word = (both or only or [None])[0]
        if word is None:
            continue
        terms = [terms_of[word]]
        row = counts["both" if both else "code only"]
        row[0] += 1
        before = make_snippet(post.body, terms)
        after = make_snippet(post.body, terms, code=post.code)
        row[1] += first_fragment_in_code(post.body, post.code, before)
        row[2] += first_fragment_in_code(post.body, post.code, after)
    print("| query word occurs in | posts | snippet from code, before | after |")
    print("|---|---|---|---|")
    for name, (n, before_n, after_n) in counts.items():
        print(f"| {name} | {n} | {before_n} | {after_n} |")


if __name__ == "__main__":
    main()
