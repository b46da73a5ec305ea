"""Helpers shared by the search tests: write tiny corpora and index them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from searcher.index import Index

#: The shared data folder: ``$SEARCHER_SHARED``, else ``../shared`` beside the checkout.
SHARED = Path(os.environ.get("SEARCHER_SHARED") or Path(__file__).resolve().parents[2] / "shared")
SHARED_CORPUS = SHARED / "corpus"
NO_SHARED = f"the shared corpus is not present at {SHARED_CORPUS}"


#: The requests of the load test and the benchmarks (one a line, URL parameters as
#: written, not percent-encoded; ``#`` comments).
QUERIES = Path(__file__).resolve().parents[1] / "bench" / "queries.txt"


def queries_txt() -> list[tuple[str, Any]]:
    """``(line, SearchRequest)`` of each request of bench/queries.txt."""
    from werkzeug.datastructures import MultiDict

    from searcher.request import SearchRequest

    out = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            pairs = [part.partition("=")[::2] for part in line.split("&")]
            out.append((line, SearchRequest.from_params(MultiDict(pairs))))
    return out


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


def run_on_small_disk(mnt: Path, script: str, *args: Path, timeout: int = 600) -> Any:
    """Run the Python ``script`` with ``args`` in a private mount namespace where ``mnt``
    is a 2 MB tmpfs (a disk that fills), and return the JSON it prints. Skipped where
    mounting is not permitted (failed under ``CI=true``)."""
    import json
    import shutil
    import subprocess
    import sys

    import pytest

    run_script = f'exec {sys.executable} -c "$0" {mnt} ' + " ".join(str(a) for a in args)
    command = ["sh", "-c", f"mount -t tmpfs -o size=2m tmpfs {mnt} && {run_script}", script]
    unshare = shutil.which("unshare")
    if os.geteuid() != 0:
        if unshare is None:
            pytest.skip("no unshare(1) to mount a tmpfs without root")
        command = [unshare, "-rm", *command]
    elif unshare is not None:
        command = [unshare, "-m", *command]
    run = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if run.returncode != 0 and "mount" in run.stderr and os.environ.get("CI") != "true":
        pytest.skip(f"mounting a tmpfs is not permitted here: {run.stderr.strip()}")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)
