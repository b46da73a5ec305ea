"""Jekyll's own text of each document, the oracle of issue 19, and how to compare with it.

:func:`build` runs ``jekyll build`` (4.3.1, Debian's package) on a site with a small
plugin (:data:`PLUGIN`) added to its ``_plugins/``: after each post, page and collection
document is converted (Liquid, then kramdown), the plugin records its source path, URL,
date, converted HTML and ``content | strip_html`` (Liquid's own filter), and writes them
all to ``searcher-oracle.json`` in the destination. That is the text the reader sees,
before the layout adds the site's navigation.

Comparing texts (:func:`visible`, :func:`markup_left`, :func:`cjk_missing`):

* ``strip_html`` leaves entities encoded and keeps the source's whitespace, so
  :func:`visible` decodes entities once and drops all white space; it also maps
  kramdown's typographic characters (smart quotes, ``--``, ``...``) back to ASCII,
  which searcher does not produce and folding makes equal in search.
* :func:`markup_left` counts markup in searcher's text that Jekyll's text lacks:
  ``**``, ``__``, ``~~`` (so ``~~~`` fences too), Liquid delimiters, kramdown's
  ``{:``, tags, ``](`` of a link, backtick fences.
* :func:`cjk_missing` is the share of Jekyll's CJK characters (as a multiset) that
  searcher's text lacks.

The plugin needs a site that is not built with ``--safe`` (which disables plugins).
Used by the oracle tests and by ``bench/jekyll_text.py`` on real sites.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from searcher.site import Article, read_corpus

JEKYLL = shutil.which("jekyll")

#: Skip marker for tests that need Jekyll; under ``CI=true`` a missing Jekyll fails.
needs_jekyll = pytest.mark.skipif(
    JEKYLL is None and os.environ.get("CI") != "true", reason="jekyll is not installed"
)

ORACLE_FILE = "searcher-oracle.json"

PLUGIN = """\
require "json"

# Written by searcher's tests: records each document's converted content and its
# `content | strip_html`, and writes them to searcher-oracle.json in the destination.
module SearcherOracle
  DOCS = {}
  def self.strip(html)
    Liquid::Template.parse("{{ c | strip_html }}").render("c" => html)
  end
end

Jekyll::Hooks.register [:documents, :pages], :post_convert do |doc|
  date = doc.respond_to?(:date) ? doc.date : doc.data["date"]
  SearcherOracle::DOCS[doc.relative_path] = {
    "url" => doc.url,
    "date" => date.respond_to?(:xmlschema) ? date.xmlschema : nil,
    "title" => doc.data["title"].to_s,
    "html" => doc.content,
    "text" => SearcherOracle.strip(doc.content),
  }
end

Jekyll::Hooks.register :site, :post_write do |site|
  File.write(File.join(site.dest, "searcher-oracle.json"),
             JSON.pretty_generate(SearcherOracle::DOCS))
end
"""


@dataclass(frozen=True)
class OracleDoc:
    """One document as Jekyll published it: ``url`` root-relative (no ``baseurl``),
    ``date`` as ``date_to_xmlschema`` or None, ``html`` the converted content,
    ``text`` its ``strip_html`` (entities still encoded)."""

    path: str
    url: str
    date: str | None
    title: str
    html: str
    text: str


def articles(site: Path) -> dict[str, Article]:
    """Searcher's documents of ``site`` (default options), by source path."""
    return {a.path: a for a in read_corpus(site) if isinstance(a, Article)}


def build(site: Path, *flags: str, dest: Path | None = None) -> dict[str, OracleDoc]:
    """Build ``site`` with Jekyll and the oracle plugin; ``{source path: OracleDoc}``.

    The plugin is written to ``site/_plugins/searcher_oracle.rb`` (searcher never reads
    ``_plugins/``). Raises AssertionError with Jekyll's stderr when the build fails.
    """
    if JEKYLL is None:
        raise RuntimeError("jekyll is not installed: .ci/run installs it (apt-get install jekyll)")
    plugins = site / "_plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "searcher_oracle.rb").write_text(PLUGIN, encoding="utf-8")
    dest = dest or site.parent / (site.name + "-built")
    run = subprocess.run(
        [JEKYLL, "build", "--quiet", "-s", str(site), "-d", str(dest), *flags],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    raw = json.loads((dest / ORACLE_FILE).read_text(encoding="utf-8"))
    return {path: OracleDoc(path=path, **fields) for path, fields in raw.items()}


_TYPOGRAPHY = str.maketrans(
    {"“": '"', "”": '"', "‘": "'", "’": "'", "«": "<<", "»": ">>", "…": "...", "–": "--",
     "—": "---"}
)  # fmt: skip
_WHITE = re.compile(r"\s+")


def visible(text: str, jekyll: bool = False) -> str:
    """``text`` with white space removed and typography made ASCII; with ``jekyll``,
    entities are decoded first (``strip_html`` leaves them encoded)."""
    if jekyll:
        text = html.unescape(text)
    return _WHITE.sub("", text.translate(_TYPOGRAPHY))


MARKUP = re.compile(
    r"\*\*|__|~~|\{%|%\}|\{\{|\}\}|\{:|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|\]\(|```"
)


def markup_left(searcher_text: str, jekyll_text: str) -> list[str]:
    """Markup in searcher's text beyond what Jekyll's own text has (by count)."""
    mine = Counter(MARKUP.findall(searcher_text))
    theirs = Counter(MARKUP.findall(html.unescape(jekyll_text)))
    return sorted((mine - theirs).elements())


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")


def cjk_missing(searcher_text: str, jekyll_text: str) -> float:
    """Share (0–1) of Jekyll's CJK characters, as a multiset, missing from searcher's."""
    theirs = Counter(_CJK.findall(jekyll_text))
    total = sum(theirs.values())
    if not total:
        return 0.0
    missing = theirs - Counter(_CJK.findall(searcher_text))
    return sum(missing.values()) / total
