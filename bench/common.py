"""Shared helpers of the benchmarks: where the shared corpus is, random substrings."""

from __future__ import annotations

import os
import random
import re
import sys
from pathlib import Path

#: ``$SEARCHER_SHARED/corpus``, else ``../shared/corpus`` beside the checkout.
SHARED_CORPUS = (
    Path(os.environ.get("SEARCHER_SHARED") or Path(__file__).resolve().parents[2] / "shared")
    / "corpus"
)
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def need(path: Path) -> Path:
    """Exit with a clear message when a benchmark input is missing."""
    if not path.exists():
        sys.exit(f"benchmark input not found: {path} (the shared corpus lives in ../shared)")
    return path


def random_substrings(
    texts: dict[str, str], count: int, rng: random.Random, lo: int = 2, hi: int = 6
) -> list[tuple[str, str]]:
    """``count`` pairs (doc id, substring): runs of ``lo``–``hi`` Chinese characters taken
    at random from random documents' texts."""
    out: list[tuple[str, str]] = []
    keys = sorted(texts)
    while len(out) < count:
        doc = rng.choice(keys)
        runs = [m.group() for m in CJK_RUN.finditer(texts[doc]) if len(m.group()) >= lo]
        if not runs:
            continue
        run = rng.choice(runs)
        size = rng.randint(lo, min(hi, len(run)))
        start = rng.randint(0, len(run) - size)
        out.append((doc, run[start : start + size]))
    return out
