"""The ``{% include %}`` and ``{% include_relative %}`` tags of one document: which file,
with which parameters, and whether Jekyll would render it (depth, cycles, budgets);
:mod:`searcher.site.includes` reads the file and the parameters' syntax, the template
renders the text found.

Jekyll 4.3.1's ``IncludeTag`` and ``IncludeRelativeTag`` (read in its source, measured
with ``jekyll build`` in ``tests/test_site_liquid.py``): parameters ``key="…"``,
``key='…'``, or a bare Liquid literal (``3``, ``1.50``, ``true``) or ``include.key`` of
the includer; a nested include without parameters sees its includer's. 99 nested
includes render, the 100th fails ("Nesting too deep"), as a cycle does.
``include_relative`` is relative to the document's folder, even in an include.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..includes import parse_params, read_include, valid_file_name
from .lexer import RUBY_SPACE, short
from .state import MAX_INCLUDE_DEPTH, MAX_INCLUDES, Run
from .values import UNKNOWN

#: A warning at a line of the file being rendered: ``warn(line, message)``.
Warn = Callable[[int, str], None]


@dataclass(frozen=True)
class Inclusion:
    """An included file to render: its ``text``, its path as the site ``shown`` it
    (``_includes/note.html``), its ``path``, and the ``include`` variable it sees."""

    text: str
    shown: str
    path: Path
    scope: dict[str, Any] | None


def resolve_include(
    run: Run,
    markup: str,
    relative: bool,
    line: int,
    scope: dict[str, Any] | None,
    active: tuple[Path, ...],
    warn: Warn,
) -> Inclusion | None:
    """The file ``{% include markup %}`` (``include_relative`` if ``relative``) at
    ``line`` includes, counted in the run's budgets; or None, with a warning, when it
    cannot be included. ``scope`` is the includer's ``include`` variable, ``active``
    the included files being rendered, outermost first."""
    tag = "include_relative" if relative else "include"
    markup = markup.strip(RUBY_SPACE)
    if "{{" in markup:
        warn(
            line,
            f"{{% {tag} {short(markup)} %}}: the file is named by a Liquid variable, "
            "which searcher cannot evaluate; not included",
        )
        return None
    parts = markup.split(None, 1)
    file = parts[0] if parts else ""
    if not valid_file_name(file):
        warn(
            line,
            f"{{% {tag} {short(markup)} %}}: not a valid include file name "
            "(Jekyll fails the build); not included",
        )
        return None
    if len(parts) > 1:  # Jekyll: without parameters, the includer's are seen
        params, problems = parse_params(parts[1])
        for problem in problems:
            warn(line, f"{{% {tag} %}}: {problem}")
        outer = scope
        scope = {
            p.key: p.value if p.quoted else _value(run, outer, p.value, p.key, line, tag, warn)
            for p in params
        }
    if len(active) >= MAX_INCLUDE_DEPTH:
        warn(
            line,
            f"{{% {tag} {file} %}}: more than {MAX_INCLUDE_DEPTH} nested includes "
            "(Jekyll fails: Nesting too deep); not included",
        )
        return None
    if run.includes >= MAX_INCLUDES:
        warn(line, f"more than {MAX_INCLUDES:,} includes; {file} not included")
        return None
    if relative:  # Jekyll: relative to the document's folder, even in an include
        base = run.site.root / run.folder
        shown = f"{run.folder}/{file}" if run.folder else file
    else:
        base = run.site.root / run.site.includes_dir
        shown = f"{run.site.includes_dir}/{file}".lstrip("/")
    path = base / file.lstrip("/")
    if path in active:
        chain = " → ".join(_rel(p, run.site.root) for p in (*active, path))
        warn(
            line,
            f"{{% {tag} {file} %}} includes itself ({chain}; Jekyll fails: Nesting too "
            "deep); not included again",
        )
        return None
    text = _read(run, path, base, shown, line, tag, warn)
    if text is None:
        return None
    if run.included + len(text) > run.site.max_bytes:
        warn(
            line,
            f"{{% {tag} %}} {shown}: the text included in this document would pass "
            f"{run.site.max_bytes:,} characters (the maximum post size); not included",
        )
        return None
    run.includes += 1
    run.included += len(text)
    return Inclusion(text, shown, path, scope)


def _value(
    run: Run, scope: dict[str, Any] | None, bare: str, key: str, line: int, tag: str, warn: Warn
) -> Any:
    """A bare parameter's value: a literal, a known variable (``page.x``, the includer's
    ``include.x``); else :data:`.values.UNKNOWN`, with a warning unless the includer's
    own parameter was not known either."""
    value, known = run.variables.value(bare, scope)
    if known:
        return value
    if not bare.startswith(("include.", "include[")):
        warn(
            line,
            f"{{% {tag} %}}: parameter {key}={bare} is not a literal (searcher does not "
            f"know the value of {bare}); {{{{ include.{key} }}}} is left empty",
        )
    return UNKNOWN


def _read(
    run: Run, path: Path, base: Path, shown: str, line: int, tag: str, warn: Warn
) -> str | None:
    """The text of an included file, read once per document (:func:`read_include`),
    or None; its problems are warnings."""
    if path not in run.files:
        site = run.site
        text, problems = read_include(path, base, shown, site.max_bytes, site.follow_outside_links)
        run.files[path] = text
        for problem in problems:
            warn(line, f"{{% {tag} %}} {problem}")
    return run.files[path]


def _rel(path: Path, root: Path) -> str:
    """``path`` relative to the site root (``""`` for the root itself)."""
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
    return "" if rel == "." else rel
