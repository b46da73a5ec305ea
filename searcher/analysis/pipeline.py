"""Tokens and pipelines: what every stage takes and gives, and how stages compose.

An analysis is a *pipeline*: one tokenizer (text → tokens, :mod:`.tokenizers`) followed
by filters (tokens → tokens, :mod:`.filters`, :mod:`.ngrams`), composed with ``|`` as in
Whoosh and Lucene. Nothing here knows an engine: an engine adapts the stages to its own
analyzers (:mod:`searcher.engine.whoosh.analyzers`), and indexing takes each pipeline's
terms as lists (:mod:`.terms`).

>>> from searcher.analysis.tokenizers import UnitTokenizer
>>> from searcher.analysis.filters import FoldFilter
>>> pipeline = UnitTokenizer() | FoldFilter()
>>> [type(s).__name__ for s in pipeline.stages]
['UnitTokenizer', 'FoldFilter']
>>> next(pipeline("開通"))
Token(text='开', pos=0, startchar=0, endchar=1, brk=False, stopped=False)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(slots=True)
class Token:
    """One term of a text: its ``text``, its position ``pos`` (positions of
    neighbouring terms differ by one), its character offsets in the text
    (``startchar``/``endchar``; None where a tokenizer cannot tell them), ``brk`` (a
    phrase ends before it: punctuation or a line break) and ``stopped`` (a stop word:
    indexed as a position, not as a term).

    The attribute names are Whoosh's, so that a filter runs on an engine's own tokens
    as well (they have at least these attributes).
    """

    text: str
    pos: int
    startchar: int | None = None
    endchar: int | None = None
    brk: bool = False
    stopped: bool = False


class Tokenizer:
    """The first stage of a pipeline: ``tokenizer(text)`` yields the text's tokens."""

    def __call__(self, text: str) -> Iterator[Token]:
        raise NotImplementedError

    def __or__(self, other: Filter) -> Pipeline:
        return Pipeline(self, other)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Filter:
    """A later stage: ``filter(tokens)`` yields tokens, changed, dropped or combined."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Pipeline:
    """A tokenizer and filters; ``pipeline(text)`` yields the last stage's tokens.

    :param tokenizer: the first stage. :param filters: the stages after it, in order.
    """

    def __init__(self, tokenizer: Tokenizer, *filters: Filter) -> None:
        self.stages: tuple[Tokenizer | Filter, ...] = (tokenizer, *filters)
        self.tokenizer = tokenizer
        self.filters = filters

    def __call__(self, text: str) -> Iterator[Token]:
        tokens = self.tokenizer(text)
        for f in self.filters:
            tokens = f(tokens)
        return tokens

    def __or__(self, other: Filter) -> Pipeline:
        return Pipeline(self.tokenizer, *self.filters, other)

    def __repr__(self) -> str:
        return " | ".join(map(repr, self.stages))


__all__ = ["Filter", "Pipeline", "Token", "Tokenizer"]
