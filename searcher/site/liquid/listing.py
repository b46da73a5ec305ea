"""Whether a document's Liquid lists other documents: a ``for`` (or ``tablerow``) over
``site.posts``, ``site.tags``, a collection, ``paginator``… (or over a variable assigned
one), or any use of ``paginator``. Jekyll renders such a page as a list of other pages
(an index, an archive): :mod:`searcher.site.reader` leaves it out as a listing page.

A loop inside ``{% capture x %}`` outputs nothing until ``x`` is used: it counts only
then (measured with ``jekyll build`` 4.3.1: a page that captures a loop over
``site.posts`` to count them and never outputs it is a page of its own text).
"""

from __future__ import annotations

import re

#: ``site.X`` that lists documents, besides the site's collections.
LISTING_VARIABLES = frozenset(
    "posts pages html_pages documents collections categories tags".split()
)
#: Tags whose markup may make a listing (``liquid`` holds tags, one a line).
LISTING_TAGS = frozenset({"for", "tablerow", "assign", "liquid"})

_LISTED = re.compile(
    r"\bpaginator\b(?:\s*\.\s*[\w-]+)?|\bsite\s*(?:\.\s*([\w-]+)|\[\s*[\"']([^\"'\]]*)[\"']\s*\])",
    re.A,
)
_LOOP = re.compile(r"\s*[\w-]+\s+in\s+(.*)", re.A | re.S)
_ASSIGN = re.compile(r"\s*([\w-]+)\s*=\s*(.*)", re.A | re.S)
_ROOT = re.compile(r"\s*\(?\s*([\w-]+)", re.A)


class Listing:
    """What one document's Liquid lists, noted tag by tag: the first loop over a
    listing (:attr:`lists`), else the first use of ``paginator`` (:attr:`paginated`),
    each as written (``"site.posts"``) with where, for an included file
    (``" (in _includes/x.html)"``). ``collections``: the labels of the site's
    collections (``site.<label>`` lists documents).

    >>> listing = Listing(frozenset({"news"}))
    >>> listing.note("assign", "all = site.news | sort", "")
    >>> listing.note("for", "item in all", " (in _includes/list.html)")
    >>> listing.found
    'site.news (in _includes/list.html)'
    """

    def __init__(self, collections: frozenset[str]) -> None:
        self.collections = collections
        self.lists: str | None = None  # the first loop over a listing
        self.paginated: str | None = None  # "paginator", when used outside such a loop
        self.names: dict[str, str] = {}  # variable assigned a listing: what
        self.held: list[list[tuple[str, str, str]]] = []  # notes in each open capture
        self.captured: dict[str, list[tuple[str, str, str]]] = {}  # variable: its notes

    @property
    def found(self) -> str | None:
        """What the document lists, or None (a capture never closed counts as used)."""
        held, self.held = self.held, []  # a capture never closed: as if output
        for note in (note for notes in held for note in notes):
            self.note(*note)
        return self.lists or self.paginated

    def hold(self) -> None:
        """A ``capture`` opens: loops and outputs noted until :meth:`release` wait for
        the variable to be used (an ``assign`` is noted at once)."""
        self.held.append([])

    def release(self, variable: str | None) -> None:
        """The innermost ``capture`` (of ``variable``, None if not read) closes."""
        notes = self.held.pop() if self.held else []
        if variable is None:
            for note in notes:
                self.note(*note)
        elif notes:
            self.captured[variable] = notes
        else:
            self.captured.pop(variable, None)

    def mention(self, markup: str) -> None:
        """An output or tag whose ``markup`` may use captured variables: what they hold
        is noted now.

        >>> listing = Listing(frozenset())
        >>> listing.hold()
        >>> listing.note("for", "p in site.posts", "")
        >>> listing.release("n")
        >>> listing.found is None
        True
        >>> listing.mention(" n | strip ")
        >>> listing.found
        'site.posts'
        """
        used = [v for v in self.captured if re.search(rf"(?<![\w-]){v}(?![\w-])", markup)]
        for variable in used:
            for note in self.captured.pop(variable):
                self.note(*note)

    def note(self, name: str, markup: str, where: str) -> None:
        """Note the tag ``name`` (``"{{"`` for an output) with its ``markup``, in the
        file ``where`` says (``""`` for the document itself)."""
        if name == "liquid":
            for line in markup.splitlines():
                parts = line.split(None, 1)
                if parts:
                    self.note(parts[0], parts[1] if len(parts) > 1 else "", where)
            return
        if self.held and name != "assign":  # in a capture: noted if it is used
            self.held[-1].append((name, markup, where))
            return
        listed = self._listed(markup)
        if listed and listed.startswith("paginator") and name not in ("for", "tablerow"):
            if self.paginated is None:
                self.paginated = "paginator" + where
        elif name in ("for", "tablerow"):
            loop = _LOOP.match(markup)
            if loop:
                root = _ROOT.match(loop.group(1))
                if listed:
                    self._lists(listed, where)
                elif root and root.group(1) in self.names:
                    self._lists(self.names[root.group(1)], where)
        elif name == "assign":
            assign = _ASSIGN.match(markup)
            if assign:
                root = _ROOT.match(assign.group(2))
                if root and root.group(1) in self.names:
                    listed = self.names[root.group(1)]
                if listed:
                    self.names[assign.group(1)] = listed

    def _listed(self, markup: str) -> str | None:
        for match in _LISTED.finditer(markup):
            variable = match.group(1) or match.group(2)
            if variable is None:
                return "".join(match.group(0).split())
            if variable in LISTING_VARIABLES or variable in self.collections:
                return f"site.{variable}"
        return None

    def _lists(self, what: str, where: str) -> None:
        if self.lists is None:
            self.lists = what + where
