"""Helpers shared by the search tests: write tiny corpora and index them."""

from __future__ import annotations

import os
from pathlib import Path

from searcher.index import Index

#: The shared data folder: ``$SEARCHER_SHARED``, else ``../shared`` beside the checkout.
SHARED = Path(os.environ.get("SEARCHER_SHARED") or Path(__file__).resolve().parents[2] / "shared")
SHARED_CORPUS = SHARED / "corpus"
NO_SHARED = f"the shared corpus is not present at {SHARED_CORPUS}"


def post(title: str, body: str, date: str = "2022-03-01 10:00:00 +0800", extra: str = "") -> str:
    """The text of a Jekyll post with the given title, body and date."""
    return f'---\nlayout: post\ntitle: "{title}"\ndate: {date}\n{extra}---\n{body}\n'


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` (UTF-8) under ``root`` and return ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def write_corpus(root: Path, posts: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root/corpus`` and return that folder."""
    return write_files(root / "corpus", posts)


def build(root: Path, posts: dict[str, str]) -> Index:
    """Write ``posts`` and index them into ``root/index``; return the open index."""
    corpus = write_corpus(root, posts)
    index = Index.create(root / "index")
    index.update(corpus)
    return index


def ids(index: Index, query: str, **options: object) -> list[str]:
    """The ids of the hits of ``query``, in rank order (first page of 50)."""
    return [h.id for h in index.search(query, limit=50, **options).hits]  # type: ignore[arg-type]


def snippet(index: Index, query: str, doc: str = "") -> str:
    """The snippet of the first hit of ``query`` (of the hit whose id ends with ``doc``)."""
    hits = [h for h in index.search(query, limit=50).hits if h.id.endswith(doc)]
    assert hits, f"no hit for {query!r} ending with {doc!r}"
    return hits[0].snippet
