"""Word segmenters: jieba's dictionary and algorithm, in pure Python or in Rust.

A segmenter turns a run of Chinese text into words. Two implementations of jieba are
supported and both use jieba's own dictionary and its DAG + HMM algorithm:

* ``"rjieba"`` (the default): the binding of jieba-rs. On this project's benchmark it
  segments about 7 MB/s and loads in 0.14 s (``bench/segmenters.py``).
* ``"jieba"``: the reference pure-Python jieba, about 0.4 MB/s, 1.1 s to load.

The two give the same words on almost every sentence; they differ on tokens such as
``F-35`` (kept whole by jieba-rs). Whatever segmented the documents must also segment the
queries, so the index records the segmenter it was built with (in its schema and
``searcher.json``).

Each segmenter object owns its own dictionary: nothing here touches jieba's module-level
default tokenizer, so two indexes in one process never share mutable state.

A *user dictionary* (jieba's format, ``word [freq] [tag]`` a line) adds names the
dictionary lacks: new places, people, products. :func:`read_user_dict` reads one, and
both segmenters take its words (jieba-rs and jieba both have ``add_word``).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from .folding import fold

SEGMENTERS = ("rjieba", "jieba")
DEFAULT_SEGMENTER = "rjieba"


class Segmenter(Protocol):
    """What the word tokenizer needs from a segmenter."""

    name: str

    def cut(self, text: str) -> list[str]:
        """Split ``text`` into words (every character of ``text`` lands in one word)."""
        ...

    def describe(self) -> dict[str, str]:
        """``{"segmenter": name and version, "dictionary": what dictionary it loaded}``."""
        ...

    def known(self, word: str) -> bool:
        """True when ``word`` is a word of the dictionary (jieba's, with the user
        words) that it keeps whole: the cut without HMM's new words gives it as one."""
        ...


class UserWord(NamedTuple):
    """One entry of a user dictionary: the word (``fold(word, case=False)``, as the text
    it must match is: :class:`~.tokenizers.WordTokenizer`), its frequency or None (jieba
    then picks one that keeps the word whole), and its part-of-speech tag or None."""

    word: str
    freq: int | None = None
    tag: str | None = None


_FREQ = re.compile(r"\d{1,18}")
_TAG = re.compile(r"[A-Za-z]{1,10}")


def read_user_dict(text: str, source: str = "<dict>") -> tuple[tuple[UserWord, ...], list[str]]:
    """Parse a user dictionary in jieba's format: one ``word [freq] [tag]`` a line,
    fields separated by white space (jieba's ``load_userdict``). Blank lines and lines
    starting with ``#`` are skipped; a byte-order mark is ignored.

    :param text: the file's text. :param source: its name, for warnings.
    :returns: the words (later lines win for a repeated word) and the warnings, each
        naming ``source:line`` and why the line was ignored (more fields than
        ``word freq tag``, a frequency that is not a whole number, a tag that is not
        letters).

    >>> words, warnings = read_user_dict("江河之上 5 nz\\n臺積電\\nbad x y z\\n", "d.txt")
    >>> words
    (UserWord(word='江河之上', freq=5, tag='nz'), UserWord(word='台积电', freq=None, tag=None))
    >>> warnings
    ["d.txt:3: ignored: not 'word [freq] [tag]': 'bad x y z'"]
    """
    words: dict[str, UserWord] = {}
    warnings: list[str] = []
    for n, raw in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        line = raw.replace("\ufeff", "").strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        freq: int | None = None
        tag: str | None = None
        rest = fields[1:]
        if rest and _FREQ.fullmatch(rest[0]):
            freq = int(rest.pop(0))
        if rest and _TAG.fullmatch(rest[0]):
            tag = rest.pop(0)
        if rest:
            warnings.append(f"{source}:{n}: ignored: not 'word [freq] [tag]': {line[:80]!r}")
            continue
        word = fold(fields[0], case=False)  # as the text the segmenter cuts
        words[word] = UserWord(word, freq, tag)
    return tuple(words.values()), warnings


def user_dict_digest(words: Sequence[UserWord]) -> str:
    """A short digest of a user dictionary's words (``""`` for none), recorded in the
    index so that a changed dictionary is noticed."""
    if not words:
        return ""
    text = "\n".join(f"{w.word} {w.freq or ''} {w.tag or ''}" for w in words)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


class RjiebaSegmenter:
    """jieba-rs through ``rjieba``: jieba's dictionary built into the extension, HMM on.

    >>> RjiebaSegmenter().cut("上海证券交易所发布公告")
    ['上海证券交易所', '发布公告']
    >>> RjiebaSegmenter().known("发展"), RjiebaSegmenter().known("发张")
    (True, False)
    """

    name = "rjieba"

    def __init__(self, user_words: Sequence[UserWord] = ()) -> None:
        import rjieba

        # Importing rjieba builds its own instance (0.1 s, 24 MiB); without user words
        # that one is used, as no word is ever added to it.
        shared = getattr(rjieba, "_DEFAULT_JIEBA", None)
        self._jieba: Any = shared if shared is not None and not user_words else rjieba.Jieba()
        for w in user_words:
            self._jieba.add_word(w.word, w.freq, w.tag)

    def cut(self, text: str) -> list[str]:
        return list(self._jieba.cut(text, True))

    def known(self, word: str) -> bool:
        return list(self._jieba.cut(word, False)) == [word]

    def describe(self) -> dict[str, str]:
        return {
            "segmenter": f"rjieba {_version('rjieba')} (jieba-rs)",
            "dictionary": "jieba-rs built-in copy of jieba's dict.txt",
        }


class JiebaSegmenter:
    """Pure-Python jieba with its default ``dict.txt``, HMM on.

    The dictionary loads on first use (about 1 s), once per object, under a lock.

    >>> JiebaSegmenter().cut("学员进了中等技术学校")
    ['学员', '进', '了', '中等', '技术学校']
    >>> JiebaSegmenter().known("技术学校"), JiebaSegmenter().known("技术学")
    (True, False)
    """

    name = "jieba"

    def __init__(self, user_words: Sequence[UserWord] = ()) -> None:
        import jieba

        self._tokenizer: Any = jieba.Tokenizer()
        self._user_words = tuple(user_words)
        self._lock = threading.Lock()
        self._ready = False

    def _load(self) -> None:
        with self._lock:
            if not self._ready:
                import logging

                logging.getLogger("jieba").setLevel(logging.WARNING)
                self._tokenizer.initialize()
                for w in self._user_words:
                    self._tokenizer.add_word(w.word, w.freq, w.tag)
                self._ready = True

    def cut(self, text: str) -> list[str]:
        if not self._ready:
            self._load()
        return list(self._tokenizer.cut(text, HMM=True))

    def known(self, word: str) -> bool:
        if not self._ready:
            self._load()
        return list(self._tokenizer.cut(word, HMM=False)) == [word]

    def describe(self) -> dict[str, str]:
        import jieba

        dict_path = Path(jieba.__file__).with_name("dict.txt")
        digest = hashlib.sha1(dict_path.read_bytes()).hexdigest()[:12]
        return {
            "segmenter": f"jieba {_version('jieba')}",
            "dictionary": f"jieba dict.txt sha1:{digest}",
        }


def make_segmenter(name: str = DEFAULT_SEGMENTER, user_words: Sequence[UserWord] = ()) -> Segmenter:
    """Return a new segmenter by name: ``"rjieba"`` or ``"jieba"``, with the words of a
    user dictionary added (see :func:`read_user_dict`).

    Raises ValueError naming the parameter for any other name, and ImportError when the
    chosen package is not installed.
    """
    if name == "rjieba":
        return RjiebaSegmenter(user_words)
    if name == "jieba":
        return JiebaSegmenter(user_words)
    raise ValueError(f"segmenter must be one of {', '.join(SEGMENTERS)}, not {name!r}")
