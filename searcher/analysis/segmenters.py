"""Word segmenters: jieba's dictionary and algorithm, in pure Python or in Rust.

A segmenter turns a run of Chinese text into words. Two implementations of jieba are
supported and both use jieba's own dictionary and its DAG + HMM algorithm:

* ``"rjieba"`` (the default): the binding of jieba-rs. On this project's benchmark it
  segments about 7 MB/s and loads in 0.14 s (``bench/segmenters.py``).
* ``"jieba"``: the reference pure-Python jieba, about 0.4 MB/s, 1.1 s to load.

The two give the same words on almost every sentence; they differ on tokens such as
``F-35`` (kept whole by jieba-rs). Whatever segmented the documents must also segment the
queries, so the index records the segmenter it was built with (see :mod:`searcher.schema`).

Each segmenter object owns its own dictionary: nothing here touches jieba's module-level
default tokenizer, so two indexes in one process never share mutable state.
"""

from __future__ import annotations

import hashlib
import threading
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

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


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


class RjiebaSegmenter:
    """jieba-rs through ``rjieba``: jieba's dictionary built into the extension, HMM on.

    >>> RjiebaSegmenter().cut("上海证券交易所发布公告")
    ['上海证券交易所', '发布公告']
    """

    name = "rjieba"

    def __init__(self) -> None:
        import rjieba

        self._jieba: Any = rjieba.Jieba()

    def cut(self, text: str) -> list[str]:
        return list(self._jieba.cut(text, True))

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
    """

    name = "jieba"

    def __init__(self) -> None:
        import jieba

        self._tokenizer: Any = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._ready = False

    def _load(self) -> None:
        with self._lock:
            if not self._ready:
                import logging

                logging.getLogger("jieba").setLevel(logging.WARNING)
                self._tokenizer.initialize()
                self._ready = True

    def cut(self, text: str) -> list[str]:
        if not self._ready:
            self._load()
        return list(self._tokenizer.cut(text, HMM=True))

    def describe(self) -> dict[str, str]:
        import jieba

        dict_path = Path(jieba.__file__).with_name("dict.txt")
        digest = hashlib.sha1(dict_path.read_bytes()).hexdigest()[:12]
        return {
            "segmenter": f"jieba {_version('jieba')}",
            "dictionary": f"jieba dict.txt sha1:{digest}",
        }


def make_segmenter(name: str = DEFAULT_SEGMENTER) -> Segmenter:
    """Return a new segmenter by name: ``"rjieba"`` or ``"jieba"``.

    Raises ValueError naming the parameter for any other name, and ImportError when the
    chosen package is not installed.
    """
    if name == "rjieba":
        return RjiebaSegmenter()
    if name == "jieba":
        return JiebaSegmenter()
    raise ValueError(f"segmenter must be one of {', '.join(SEGMENTERS)}, not {name!r}")
