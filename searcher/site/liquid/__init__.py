"""Liquid in a document's source, rendered as far as searcher can without a Ruby runtime.

Jekyll renders the Liquid of every document with front matter before kramdown sees it
(``Jekyll::Renderer``: Liquid, then the converter), unless its front matter says
``render_with_liquid: false``. :func:`render_liquid` does the part of that which needs
no Ruby: it reads the source with the tokenizer and block rules of Liquid 5.4.0 (the
version Debian's Jekyll 4.3.1 runs) and produces the text the converter would see:

* ``{% include f param="x" n=3 %}`` and ``{% include_relative f %}`` are replaced by the
  file (from the config's ``includes_dir``, or the document's folder), itself rendered,
  with ``{{ include.param }}`` replaced by the literal values passed; up to
  :data:`MAX_INCLUDE_DEPTH` deep, as Jekyll's Liquid. ``include_cached`` (a plugin's
  cached include) is read as ``include``.
* ``{% raw %}…{% endraw %}`` is kept verbatim; ``{% comment %}`` is not output, nor is
  ``{% capture x %}``, whose text is ``{{ x }}``'s; ``{% highlight lang %}`` becomes
  ``<pre><code>`` with the code
  escaped (Jekyll writes ``<figure class="highlight"><pre><code>``; the figure is left
  out so that CommonMark reads code with blank lines as one HTML block).
* ``{% if %}``/``{% unless %}`` (with ``elsif``, ``else``) whose condition is made of
  values searcher knows keeps only the branch Jekyll renders (:mod:`.conditions`); a
  branch that surely never renders is dropped, with its ``assign`` and ``include``.
* Every other tag (``for``, ``assign``, ``link``, ``post_url``, a plugin's…) is
  removed and the text between tags kept (every branch of an ``if`` searcher cannot
  decide, a loop's body once). ``{{ x }}`` of a literal, of ``page.<key>`` (a string of
  the front matter, ``defaults:`` applied, for a key Jekyll does not compute), or of a
  variable captured (when all it holds is known) or assigned a known value where the
  tag surely runs (``{% liquid %}`` sets unknown values), is its value,
  through the filters that need nothing else (``default``,
  ``append``, ``prepend``, ``escape``, ``strip``, ``upcase``, ``downcase``,
  ``capitalize``, ``markdownify``; another is a warning); every other ``{{ … }}`` is
  removed (its value is the site's, not the article's).

Measured with ``jekyll build`` 4.3.1 (``tests/test_site_liquid.py``) and read in
Liquid's and Jekyll's source:

* Tokens: a tag runs from ``{%`` to the first ``%}``, an output from ``{{`` to the first
  ``}}`` (``{{ x }`` is an error); tag names are ASCII words (``{% 中文 %}`` is an error).
* Whitespace control: ``{%-``/``{{-`` strip the white space of the text just before,
  ``-%}``/``-}}`` that of the text just after (not inside an included file's text).
  ``{%- endraw %}`` does not close a raw block; the ``-%}`` of ``{% raw -%}`` strips the
  text after the block, not inside it.
* A block that holds only white space and silent tags (``assign``, ``comment``…) outputs
  none of its white space (``if``, ``unless``, ``case``, ``for``): a blank line there
  does not end a paragraph.
* 100 nested blocks render, the 101st fails ("Nesting too deep"); a ``highlight`` in a
  ``highlight`` is code of the outer one (escaped once here, so that size stays linear).
* Tags inside a comment are parsed: a block opened there must be closed, an end tag of a
  block that is not open is ignored.
* Includes: parameters ``key="…"`` (``\\"`` unescaped), ``key='…'``, or a bare Liquid
  literal (``3``, ``1.50``, ``true``) or ``include.key`` of the includer; a nested
  include without parameters sees its includer's. An included file's front matter is
  text. 99 nested includes render, the 100th fails ("Nesting too deep"), as a cycle
  does. ``include_relative`` is relative to the document's folder, even in an include.
  In safe mode an include whose real path leaves its folder is refused.
* ``highlight`` drops the code's leading and trailing line ends.

What Jekyll fails on (a ``{%`` or ``{{`` never closed, a block never closed, an end
tag of another block, a bad ``include`` or ``highlight``) and what searcher cannot
resolve (an include named by a variable, a missing file, a parameter that is not a
literal, a filter it does not apply) is a warning naming the file and line; after a
syntax error the rest of the source, from that point (or from the ``comment`` or
``capture`` it is in), is kept as text, so nothing is lost. Time is linear in the source
and the included text: every ``{%`` looks for its ``%}`` once, a ``{%`` without one
ends the reading, and a document includes at most :data:`MAX_INCLUDES` files and
``max_bytes`` characters.

:attr:`Rendered.lists` tells whether the Liquid lists other documents (a ``for`` over
``paginator``, ``site.posts``, ``site.tags``…): :mod:`searcher.site.reader` leaves such
pages out.

The package, one concept a module: :mod:`.lexer` (tokens, raw ends, tag names),
:mod:`.values` (literals, filters, the document's variables), :mod:`.conditions`
(``if`` conditions), :mod:`.blocks` (blocks open, branches, ``highlight``),
:mod:`.include` (which file an include renders), :mod:`.listing` (listing pages),
:mod:`.state` (the site, one document's run) and :mod:`.template` (the walk over one
source's tokens).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .blocks import BLOCKS, MAX_BLOCK_DEPTH
from .listing import LISTING_VARIABLES
from .state import MAX_INCLUDE_DEPTH, MAX_INCLUDES, MAX_WARNINGS, LiquidSite, Run
from .template import Template

__all__ = [
    "BLOCKS",
    "LISTING_VARIABLES",
    "MAX_BLOCK_DEPTH",
    "MAX_INCLUDES",
    "MAX_INCLUDE_DEPTH",
    "MAX_WARNINGS",
    "LiquidSite",
    "Rendered",
    "render_liquid",
]


@dataclass
class Rendered:
    """The source with its Liquid rendered: ``text`` (what the converter would see),
    ``warnings`` (each ``"<rel>:<line>: …"``), and ``lists``: what its Liquid lists, as
    written (``"paginator.posts"``, ``"site.tags"``, with ``" (in _includes/x.html)"``
    when an include does it), or None."""

    text: str
    warnings: list[str] = field(default_factory=list)
    lists: str | None = None


def render_liquid(
    source: str,
    rel: str,
    site: LiquidSite,
    first_line: int = 1,
    page: Mapping[str, Any] | None = None,
) -> Rendered:
    """Render the Liquid of a document's ``source`` (the text after its front matter,
    whose first line is line ``first_line`` of the file ``rel``; ``page``: its front
    matter with ``defaults:`` applied, for ``page.<key>``) as Jekyll would, as far as
    that needs no Ruby; see the module's docstring for the rules. Never raises.

    >>> from pathlib import Path
    >>> site = LiquidSite(Path("/nonexistent"))
    >>> render_liquid("甲{% if x %}乙{% endif %}{{ page.title }}丙", "a.md", site).text
    '甲乙丙'
    >>> source = "{% if page.title == '题' %}是{% else %}否{% endif %}{{ page.title }}"
    >>> render_liquid(source, "a.md", site, page={"title": "题"}).text
    '是题'
    >>> source = "{% raw %}{{ x }}{% endraw %}{% comment %}注{% endcomment %}"
    >>> render_liquid(source, "a.md", site).text
    '{{ x }}'
    >>> render_liquid("一\\n{% if x %}", "a.md", site).warnings
    ['a.md:2: {% if %} is never closed (Jekyll fails the build); the text after it is kept']
    """
    if "{%" not in source and "{{" not in source:
        return Rendered(source)
    run = Run(site, rel, page)
    text = Template(run, source, rel, "", first_line, None, ()).render()
    warnings = run.warnings
    if run.unlisted:
        warnings.append(f"{rel}: {run.unlisted:,} more Liquid problems not listed")
    return Rendered(text, warnings, run.listing.found)
