"""Front matter with Jekyll's rules: delimiters, YAML scalars as text, list fields.

* :data:`FRONT_MATTER` detects and splits the ``---`` block as Jekyll does.
* :func:`parse_front_matter` loads it as YAML (every plain scalar a string, as Jekyll's
  templates see it) and falls back to a lenient line-by-line reading when YAML fails,
  with a warning naming the file and line (case C7).
* :func:`jekyll_list` reads ``tags``/``categories`` as Jekyll does (C8).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

# The C parser (libyaml) is much faster; resolution of plain scalars stays in Python.
_BaseSafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_KEPT_RESOLVERS = frozenset({"tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"})


class _StringLoader(_BaseSafeLoader):  # type: ignore[misc]
    """Safe YAML loader that leaves every plain scalar a string, except ``null``/``~``.

    Jekyll semantics as the project needs them: ``title: 2022`` is the string ``"2022"``,
    ``tags: [yes]`` is ``["yes"]`` (not ``True``), and dates keep the text written in the
    file so that :func:`parse_date` sees exactly that text.
    """


_StringLoader.yaml_implicit_resolvers = {
    first: kept
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    if (kept := [(tag, rx) for tag, rx in resolvers if tag in _KEPT_RESOLVERS])
}


class UTCTimestamp(str):
    """A plain (unquoted) YAML timestamp with a time but no zone, kept as its text.

    YAML 1.1 reads it as UTC, and so does Ruby's Psych, which Jekyll uses:
    ``date: 2021-12-01 13:33:50`` is published as 21:33:50 in Asia/Shanghai (checked
    with ``jekyll build`` 4.3.1 on the finews sample). Quoted, the same text is local.
    """


_UTC_TIMESTAMP = re.compile(r"^\d{4}-\d\d?-\d\d?(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?$")
_UTC_TAG = "tag:searcher,2026:utc-timestamp"
_StringLoader.add_implicit_resolver(_UTC_TAG, _UTC_TIMESTAMP, list("0123456789"))
_StringLoader.add_constructor(
    _UTC_TAG, lambda loader, node: UTCTimestamp(loader.construct_scalar(node))
)


class _JekyllYAMLHandler(YAMLHandler):
    """python-frontmatter handler with Jekyll's delimiters and the string loader.

    Jekyll only treats a file as having front matter when its first line is ``---``; the
    block ends at the next line that is exactly ``---`` or ``...`` (trailing spaces
    allowed). The stock handler's ``^-{3,}\\s*$`` also accepts ``-----`` and lets ``\\s``
    swallow line ends, which would shift the line numbers in warnings.
    """

    FM_BOUNDARY = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
    OPENING = re.compile(r"---[ \t]*(?:\n|$)")

    def detect(self, text: str) -> bool:
        return self.OPENING.match(text) is not None

    def load(self, fm: str, **kwargs: object) -> Any:
        kwargs.setdefault("Loader", _StringLoader)
        return super().load(fm, **kwargs)


FRONT_MATTER = _JekyllYAMLHandler()

# A ``key: value`` line of the lenient fallback. Only an ASCII ``:`` separates (a
# full-width ``：`` does not, as in YAML); the value may be empty.
_KEY_LINE = re.compile(r"^([A-Za-z0-9_][\w-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$")
_LIST_ITEM_LINE = re.compile(r"^[ \t]+-[ \t]+(.*?)[ \t]*$|^-[ \t]+(.*?)[ \t]*$")
_FULLWIDTH_KEY_LINE = re.compile(r"^[ \t]*[A-Za-z_][\w-]*[ \t]*：")
_PLAIN_COMMENT = re.compile(r"[ \t]+#.*$")
_DQ_ESCAPE = re.compile(r"\\(.)")


def _unquote(value: str) -> str:
    """Strip one pair of YAML quotes from a scalar written without valid escaping.

    ``"他说"好"的"`` → ``他说"好"的`` (C7); ``'it''s'`` → ``it's``; a plain scalar loses a
    trailing ``# comment``.
    """
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return _DQ_ESCAPE.sub(r"\1", value[1:-1])
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return _PLAIN_COMMENT.sub("", value).strip()


#: What loading YAML can raise: PyYAML's constructors raise more than YAMLError on a bad
#: explicit tag (``!!bool maybe``: KeyError, ``!!int x``: ValueError).
YAML_FAILURES = (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError, RecursionError)


def _lenient_value(raw: str) -> Any:
    """Value of one ``key: raw`` line: real YAML when that line parses alone, else a guess."""
    try:
        loaded = yaml.load(f"k: {raw}", Loader=_StringLoader)
    except YAML_FAILURES:
        loaded = None
    if isinstance(loaded, dict) and set(loaded) == {"k"}:
        return loaded["k"]
    if raw.startswith("[") and raw.endswith("]"):
        return [_unquote(item.strip()) for item in raw[1:-1].split(",") if item.strip()]
    return _unquote(raw)


def _lenient_front_matter(lines: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Recover ``key: value`` pairs line by line from front matter YAML rejected.

    ``lines`` are the front matter lines; returns the mapping and the recovered keys in
    file order. Block lists (``key:`` then ``  - item`` lines) and folded/literal block
    scalars (``key: >``) are followed; anything else that is not a key line is ignored.
    """
    data: dict[str, Any] = {}
    keys: list[str] = []
    i = 0
    while i < len(lines):
        match = _KEY_LINE.match(lines[i])
        i += 1
        if not match:
            continue
        key, raw = match.group(1), match.group(2) or ""
        value: Any
        if raw in ("", ">", "|", ">-", "|-", ">+", "|+"):
            block: list[str] = []
            while i < len(lines) and (lines[i][:1] in (" ", "\t", "-") or not lines[i]):
                block.append(lines[i])
                i += 1
            items = [m.group(1) or m.group(2) or "" for m in map(_LIST_ITEM_LINE.match, block) if m]
            if raw == "" and items:
                value = [_unquote(item) for item in items]
            elif raw:
                joiner = "\n" if raw.startswith("|") else " "
                value = joiner.join(line.strip() for line in block if line.strip())
            else:
                value = None
        else:
            value = _lenient_value(raw)
            if expanded_size(value) > MAX_NODES:  # a line of its own: key: &a [*a]
                value = None
        if key not in data:
            keys.append(key)
        data[key] = value
    return data, keys


def yaml_problem(error: yaml.YAMLError) -> tuple[str, int | None]:
    """Short description of a PyYAML error and its 0-based line in the parsed text."""
    problem = getattr(error, "problem", None) or getattr(error, "context", None) or str(error)
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return " ".join(str(problem).split()), (mark.line if mark is not None else None)


_USED_KEYS = frozenset(
    "title date categories category tags tag permalink slug published search sitemap".split()
)


def parse_front_matter(
    fm: str, rel: str, warnings: list[str], recovered: list[str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Parse the text between the ``---`` lines; returns (fields, front matter lines).

    Line ``i`` of the returned list is line ``i + 1`` of the file (line 1 is the opening
    ``---``). Falls back to :func:`_lenient_front_matter` when YAML raises or gives no
    mapping, and appends a warning naming the file and line (C7), and the keys so
    recovered to ``recovered``: Jekyll 4.3.1 logs the YAML error and its page has none
    of them (``{{ page.x }}`` is empty; measured with ``jekyll build``).
    """
    recovered = [] if recovered is None else recovered
    lines = fm.split("\n")
    try:
        loaded = FRONT_MATTER.load(fm)
    except YAML_FAILURES as error:
        if isinstance(error, yaml.YAMLError):
            problem, line = yaml_problem(error)
        else:
            problem, line = f"{type(error).__name__}: {error}", None
        data, keys = _lenient_front_matter(lines)
        recovered.extend(keys)
        where = f"{rel}:{line + 1}" if line is not None else rel
        if keys:
            warnings.append(
                f"{where}: front matter is not valid YAML ({problem}); "
                f"recovered {', '.join(keys)} by line"
            )
        else:
            warnings.append(
                f"{where}: front matter is not valid YAML ({problem}) and has no key/value pairs"
            )
        return data, lines
    if loaded is None:  # empty front matter (``---`` / ``---``) is valid in Jekyll
        return {}, lines
    if isinstance(loaded, dict):
        fields: dict[str, Any] = {}
        dropped: list[str] = []
        for k, v in loaded.items():
            if k is None:
                continue
            if expanded_size(k) > MAX_NODES or expanded_size(v) > MAX_NODES:
                dropped.append(str(k) if isinstance(k, str) else "(a mapping key)")
                continue
            fields[str(k)] = v
        if dropped:
            dropped.sort(key=lambda key: key not in _USED_KEYS)  # stable: file order kept
            line = key_line(lines, dropped[0])
            named = ", ".join(dropped[:5])
            if dropped[5:]:
                named += f" and {len(dropped) - 5} more"
            warnings.append(
                f"{rel}:{line or 1}: {named}: YAML aliases expand to more than "
                f"{MAX_NODES:,} values; ignored"
            )
        return fields, lines
    # YAML gave a scalar or a list: no key/value pairs at all.
    data, keys = _lenient_front_matter(lines)
    recovered.extend(keys)
    first = next((n for n, text in enumerate(lines) if text.strip()), 0)
    why = f"it is a YAML {type(loaded).__name__}"
    for n, text in enumerate(lines):
        if _FULLWIDTH_KEY_LINE.match(text):
            first, why = n, "a full-width colon '：' is not a key separator"
            break
    message = f"{rel}:{first + 1}: front matter has no key/value pairs ({why})"
    if keys:
        message += f"; recovered {', '.join(keys)} by line"
    warnings.append(message)
    return data, lines


def key_line(lines: list[str], key: str) -> int | None:
    """1-based file line of ``key:`` in the front matter lines, if present."""
    prefix = re.compile(rf"^{re.escape(key)}[ \t]*:")
    for n, text in enumerate(lines):
        if prefix.match(text):
            return n + 1
    return None


def scalar_text(value: Any) -> str:
    """A front matter scalar as the text written in the file (``None`` → ``""``)."""
    if value is None:
        return ""
    if isinstance(value, bool):  # only reachable through explicit ``!!bool`` tags
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


#: The most values taken from one front-matter list (tags, categories, a list title).
#: YAML aliases can nest a few hundred bytes into billions of items ("billion laughs").
MAX_VALUES = 1000


#: The most YAML values (scalars, lists, mappings, counted as expanded) one front-matter
#: field may hold. Aliases share nodes, so a few hundred bytes can stand for billions of
#: values; a field over the cap is dropped with a warning before anything expands it.
MAX_NODES = 10_000


def expanded_size(value: Any, limit: int = MAX_NODES) -> int:
    """How many values ``value`` holds once every alias is expanded (itself included).

    Counted without expanding: each distinct list or mapping is sized once. Stops
    counting (returns a number above ``limit``) as soon as the count passes ``limit``.

    >>> a = ["x"] * 10
    >>> expanded_size([a, a, a])
    34
    >>> loop = []; loop.append(loop)  # YAML's ``&a [*a]``
    >>> expanded_size(loop) > MAX_NODES
    True
    """
    sizes: dict[int, int] = {}
    open_ids: set[int] = set()  # the path being walked: meeting one again is a cycle
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        item, children_done = stack.pop()
        if not isinstance(item, list | tuple | dict):
            continue
        if not children_done and id(item) in open_ids:
            return limit + 1  # a recursive alias (``&a [*a]``) expands without end
        if not children_done and id(item) in sizes:
            continue
        children = list(item.keys()) + list(item.values()) if isinstance(item, dict) else item
        if not children_done:
            sizes[id(item)] = 0
            open_ids.add(id(item))
            stack.append((item, True))
            stack.extend((c, False) for c in children if id(c) not in sizes or id(c) in open_ids)
            continue
        open_ids.discard(id(item))
        total = 1
        for c in children:
            total += sizes.get(id(c), 1) if isinstance(c, list | tuple | dict) else 1
            if total > limit:
                return limit + 1
        sizes[id(item)] = total
    if isinstance(value, list | tuple | dict):
        return sizes[id(value)]
    return 1


def flatten(value: Any, limit: int = MAX_VALUES) -> list[str]:
    """The scalars of a nested list or mapping (its values), depth first, at most
    ``limit`` of them."""
    out: list[str] = []
    stack = [value]
    steps = 0
    while stack and len(out) < limit and steps < MAX_NODES:
        steps += 1  # a list holding itself (&a [*a]) gives no scalar, ever
        item = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list | tuple):
            stack.extend(reversed(item))
        elif item is not None:
            out.append(scalar_text(item))
    return out


def dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in (i.strip() for i in items) if item))


def jekyll_list(data: dict[str, Any], singular: str, plural: str) -> list[str]:
    """Jekyll's ``pluralized_array_from_hash`` for ``category``/``categories`` and ``tag``/``tags``.

    The singular key wins when present and is taken whole (``category: 科技 财经`` is one
    category); a plural string is split on whitespace (``categories: 科技 财经`` → two,
    C8); a YAML list stays a list. Items are strings as written, blanks and repeats
    dropped (first occurrence kept).
    """
    if data.get(singular) is not None:
        return dedupe(flatten(data[singular]))[:MAX_VALUES]
    value = data.get(plural)
    if isinstance(value, str):
        return dedupe(value.split())[:MAX_VALUES]
    return dedupe(flatten(value))[:MAX_VALUES]
