"""The pipelines of :mod:`searcher.analysis` as Whoosh analyzers, pickled with the schema.

Each stage of :mod:`searcher.analysis` has a Whoosh stage here, of the same name, that
does no analysis of its own: a tokenizer turns the neutral tokens into Whoosh's
:class:`~whoosh.analysis.Token` (honouring ``positions``, ``chars``, ``start_pos``…), a
filter runs the neutral filter on Whoosh's tokens (they have the same attributes). The
analyzers are *derived* from :mod:`searcher.analysis.analyzers` by
:func:`whoosh_analyzer`, which refuses a pipeline with a stage that has no Whoosh stage
here or no list form in :mod:`searcher.analysis.terms`; so a stage added to a pipeline
changes the schema's analyzers and indexing alike, or fails at once.

The schema pickles these classes by their paths (``searcher.engine.whoosh.analyzers.
UnitTokenizer``…), so an index always analyzes with what built it; their pickled state
is the same as the one of the classes before issue #18 (:mod:`.legacy` reads those).

>>> [t.text for t in BigramAnalyzer()("開通ＡＩ")]
['开通', '通 ai']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import CompositeAnalyzer, Filter, Token, Tokenizer

from ... import analysis
from ...analysis import DEFAULT_SEGMENTER, Segmenter, UserWord
from ...analysis.terms import Terms, term_positions


def _whoosh_tokens(
    tokens: Iterable[analysis.Token],
    positions: bool,
    chars: bool,
    keeporiginal: bool,
    removestops: bool,
    start_pos: int,
    start_char: int,
    mode: str,
    **kwargs: Any,
) -> Iterator[Token]:
    """``tokens`` as Whoosh tokens (one :class:`~whoosh.analysis.Token`, reused, as
    Whoosh's own tokenizers do: consume each before asking for the next). ``pos`` and
    known offsets are always set, as filters read them; ``positions`` and ``chars``
    tell Whoosh's formats which they may use."""
    t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
    for n in tokens:
        t.text = n.text
        t.brk = n.brk
        t.boost = 1.0
        t.stopped = n.stopped
        if keeporiginal:
            t.original = n.text
        t.pos = start_pos + n.pos
        if n.startchar is not None and n.endchar is not None:
            t.startchar = start_char + n.startchar
            t.endchar = start_char + n.endchar
        yield t


class _StageTokenizer(Tokenizer):  # type: ignore[misc]
    """A Whoosh tokenizer that runs its engine-neutral :attr:`stage` on the text;
    ``offsets``: whether its tokens have character offsets (words have none)."""

    offsets = True

    @property
    def stage(self) -> Any:
        raise NotImplementedError

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Tokenize ``value`` (a str); offsets are in characters (code points), not bytes.

        :param value: the text.
        :param positions: record ``pos`` on each token.
        :param chars: record ``startchar``/``endchar`` on each token (when it has them).
        :param start_pos: the position of the first unit.
        :param start_char: added to every character offset.
        :param mode: ``"index"`` or ``"query"``, passed on to filters.
        """
        return _whoosh_tokens(
            self.stage(value),
            positions,
            chars and self.offsets,
            keeporiginal,
            removestops,
            start_pos,
            start_char,
            mode,
            **kwargs,
        )


class UnitTokenizer(_StageTokenizer):
    """:class:`searcher.analysis.UnitTokenizer`: one token per unit, each with ``brk``.

    >>> [(t.text, t.pos, t.startchar) for t in UnitTokenizer()("新款iPhone", positions=True)]
    [('新', 0, 0), ('款', 1, 1), ('iPhone', 2, 2)]
    """

    @classmethod
    def of(cls, stage: analysis.UnitTokenizer) -> UnitTokenizer:
        """The Whoosh stage running ``stage``."""
        return cls()

    @property
    def stage(self) -> analysis.UnitTokenizer:
        """The engine-neutral stage."""
        return analysis.UnitTokenizer()


class WordTokenizer(_StageTokenizer):
    """:class:`searcher.analysis.WordTokenizer`: jieba's words of the folded text.

    :param segmenter: a :class:`~searcher.analysis.Segmenter`, or the name of one
        (``"rjieba"``, ``"jieba"``).
    :param user_words: a user dictionary's words (:func:`~searcher.analysis.
        read_user_dict`), added to a segmenter made from a name. They are pickled with
        the tokenizer, so an index's schema carries its user dictionary to every process
        that opens it; the segmenter is not pickled, and is made on first use.

    >>> [t.text for t in WordTokenizer("jieba")("上海证券交易所发布公告")]
    ['上海证券交易所', '发布公告']
    """

    offsets = False  # jieba words are matched for ranking, never highlighted

    def __init__(
        self, segmenter: Segmenter | str = DEFAULT_SEGMENTER, user_words: tuple[UserWord, ...] = ()
    ) -> None:
        self._set(analysis.WordTokenizer(segmenter, user_words))

    @classmethod
    def of(cls, stage: analysis.WordTokenizer) -> WordTokenizer:
        """The Whoosh stage running ``stage`` (and its segmenter)."""
        tokenizer = cls.__new__(cls)
        tokenizer._set(stage)
        return tokenizer

    def _set(self, stage: analysis.WordTokenizer) -> None:
        self._stage = stage
        self.segmenter_name = stage.segmenter_name
        self.user_words = stage.user_words

    @property
    def stage(self) -> analysis.WordTokenizer:
        """The engine-neutral stage (it owns the segmenter)."""
        return self._stage

    @property
    def segmenter(self) -> Segmenter:
        """The segmenter, created on first use."""
        return self._stage.segmenter

    def __getstate__(self) -> dict[str, Any]:
        return {
            "segmenter_name": self.segmenter_name,
            "user_words": tuple(tuple(w) for w in self.user_words),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        words = tuple(UserWord(*w) for w in state.get("user_words", ()))
        self._set(analysis.WordTokenizer(state["segmenter_name"], words))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, WordTokenizer)
            and other.segmenter_name == self.segmenter_name
            and other.user_words == self.user_words
        )

    def __hash__(self) -> int:
        return hash((WordTokenizer, self.segmenter_name, self.user_words))

    def __repr__(self) -> str:
        return repr(self._stage)


class BookTitleTokenizer(_StageTokenizer):
    """:class:`searcher.analysis.BookTitleTokenizer`: one token per book title.

    >>> [t.text for t in BookTitleTokenizer()("《求是》杂志", positions=True)]
    ['求是']
    """

    offsets = False  # titles are matched for ranking, never highlighted

    @classmethod
    def of(cls, stage: analysis.BookTitleTokenizer) -> BookTitleTokenizer:
        """The Whoosh stage running ``stage``."""
        return cls()

    @property
    def stage(self) -> analysis.BookTitleTokenizer:
        """The engine-neutral stage."""
        return analysis.BookTitleTokenizer()


class _StageFilter(Filter):  # type: ignore[misc]
    """A Whoosh filter that runs its engine-neutral :attr:`stage` on the tokens."""

    @property
    def stage(self) -> Any:
        raise NotImplementedError

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        return self.stage(tokens)  # type: ignore[no-any-return]


class FoldFilter(_StageFilter):
    """:class:`searcher.analysis.FoldFilter`: each token's text folded."""

    @classmethod
    def of(cls, stage: analysis.FoldFilter) -> FoldFilter:
        """The Whoosh stage running ``stage``."""
        return cls()

    @property
    def stage(self) -> analysis.FoldFilter:
        """The engine-neutral stage."""
        return analysis.FoldFilter()


class StopFilter(_StageFilter):
    """:class:`searcher.analysis.StopFilter`: stop words marked, not removed.

    :param stoplist: the words to mark (already folded).
    """

    def __init__(self, stoplist: frozenset[str]) -> None:
        self.stops = stoplist

    @classmethod
    def of(cls, stage: analysis.StopFilter) -> StopFilter:
        """The Whoosh stage running ``stage``."""
        return cls(stage.stops)

    @property
    def stage(self) -> analysis.StopFilter:
        """The engine-neutral stage."""
        return analysis.StopFilter(self.stops)


class BigramFilter(_StageFilter):
    """:class:`searcher.analysis.BigramFilter`: bigrams of neighbouring units."""

    @classmethod
    def of(cls, stage: analysis.BigramFilter) -> BigramFilter:
        """The Whoosh stage running ``stage``."""
        return cls()

    @property
    def stage(self) -> analysis.BigramFilter:
        """The engine-neutral stage."""
        return analysis.BigramFilter()


#: The Whoosh stage of each engine-neutral stage (exact types).
STAGES: dict[type[Any], type[Any]] = {
    analysis.UnitTokenizer: UnitTokenizer,
    analysis.WordTokenizer: WordTokenizer,
    analysis.BookTitleTokenizer: BookTitleTokenizer,
    analysis.FoldFilter: FoldFilter,
    analysis.StopFilter: StopFilter,
    analysis.BigramFilter: BigramFilter,
}


def _whoosh_stage(stage: Any) -> Any:
    kind = STAGES.get(type(stage))
    if kind is None:
        raise TypeError(f"{stage!r}: no Whoosh stage (add one to {__name__})")
    return kind.of(stage)


def whoosh_analyzer(pipeline: analysis.Pipeline) -> Any:
    """The Whoosh analyzer (a :class:`~whoosh.analysis.CompositeAnalyzer`) running
    ``pipeline``'s stages.

    :raises TypeError: a stage has no Whoosh stage here, or the pipeline has no list
        form (:func:`searcher.analysis.terms.term_positions`).
    """
    term_positions(pipeline)
    first, *rest = map(_whoosh_stage, pipeline.stages)
    return CompositeAnalyzer(first, *rest)


def UnitAnalyzer() -> Any:
    """:func:`searcher.analysis.UnitAnalyzer` as a Whoosh analyzer."""
    return whoosh_analyzer(analysis.UnitAnalyzer())


def BigramAnalyzer() -> Any:
    """:func:`searcher.analysis.BigramAnalyzer` as a Whoosh analyzer."""
    return whoosh_analyzer(analysis.BigramAnalyzer())


def WordAnalyzer(
    segmenter: Segmenter | str = DEFAULT_SEGMENTER, user_words: tuple[UserWord, ...] = ()
) -> Any:
    """:func:`searcher.analysis.WordAnalyzer` as a Whoosh analyzer.

    >>> [(t.text, t.stopped) for t in WordAnalyzer("jieba")("人民的名义")]
    [('人民', False), ('的', True), ('名义', False)]
    """
    return whoosh_analyzer(analysis.WordAnalyzer(segmenter, user_words))


def BookTitleAnalyzer() -> Any:
    """:func:`searcher.analysis.BookTitleAnalyzer` as a Whoosh analyzer."""
    return whoosh_analyzer(analysis.BookTitleAnalyzer())


def pipeline_of(analyzer: Any) -> analysis.Pipeline | None:
    """The engine-neutral pipeline a Whoosh analyzer runs; None for an analyzer with no
    stage of this module (Whoosh's own: facets, ids).

    :raises TypeError: an analyzer that mixes stages of this module with others, or
        holds a subclass of one (its stream would differ from its list form).
    """
    items = list(analyzer.items) if isinstance(analyzer, CompositeAnalyzer) else [analyzer]
    ours = [isinstance(item, _WHOOSH_STAGES) for item in items]
    if not any(ours):
        return None
    if not all(type(item) in STAGES.values() for item in items):
        raise TypeError(f"{analyzer!r}: stages of {__name__} mixed with others")
    first, *rest = (item.stage for item in items)
    return analysis.Pipeline(first, *rest)


_WHOOSH_STAGES = tuple(STAGES.values())


def index_terms(analyzer: Any) -> Terms | None:
    """The list form of a Whoosh analyzer at index time (:func:`searcher.analysis.
    terms.term_positions` of :func:`pipeline_of` it): ``terms(text, memo)`` gives
    ``{term: positions}``, what Whoosh's formats index from its token stream. None for
    Whoosh's own analyzers, whose stream the writer runs.

    :raises TypeError: one of this module's analyzers without a list form (never a
        silent fall back to the token stream).

    >>> index_terms(UnitAnalyzer())("新闻，新", None)
    {'新': [0, 3], '闻': [1]}
    """
    pipeline = pipeline_of(analyzer)
    return None if pipeline is None else term_positions(pipeline)


__all__ = [
    "STAGES",
    "BigramAnalyzer",
    "BigramFilter",
    "BookTitleAnalyzer",
    "BookTitleTokenizer",
    "FoldFilter",
    "StopFilter",
    "UnitAnalyzer",
    "UnitTokenizer",
    "WordAnalyzer",
    "WordTokenizer",
    "index_terms",
    "pipeline_of",
    "whoosh_analyzer",
]
