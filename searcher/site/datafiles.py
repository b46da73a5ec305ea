"""Display names of categories and tags from the site's ``_data`` folder (issue #23).

A Jekyll site names its categories and tags in data files when their values are slugs
(``categories: xinwenlianbo``): ``_data/categories.yml`` holding ``xinwenlianbo: 新闻联播``,
read by its layouts as ``site.data.categories``. :func:`read_display_names` reads
``categories`` and ``tags`` as Jekyll 4.3's ``DataReader`` does: from the config's
``data_dir`` (``_data``), a file of each name with the extension ``.yaml``, ``.yml``,
``.json``, ``.csv`` or ``.tsv`` (when several exist, the last in that order wins, as
Jekyll's glob reads them in that order and each overwrites the one before). It accepts

* a mapping ``slug → name`` (``xinwenlianbo: 新闻联播``);
* a mapping ``slug → {name: …}`` or ``slug → {title: …}`` (``name`` first);
* a list of records (every CSV or TSV file, read with its header row, is one) each
  with a ``slug``, ``id`` or ``key`` and a ``name`` or ``title``.

A file that is none of these, or cannot be read or parsed, is a warning naming it, and
gives no names; entries without a usable name are left out, with one warning for the
file. Names are plain text (control characters removed, white space trimmed), at most
:data:`MAX_NAME_CHARS` characters.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .config import MAX_CONFIG_BYTES
from .frontmatter import yaml_problem
from .options import CONTROL_CHARS

#: The data files read, by their name in ``_data``, and the facet each names.
FACETS = {"categories": "categories", "tags": "tags"}
#: Extensions in Jekyll's reading order (``DataReader``: the last one read wins).
EXTENSIONS = (".yaml", ".yml", ".json", ".csv", ".tsv")
#: The largest display name kept, in characters; a longer one is cut.
MAX_NAME_CHARS = 100
#: Fields of a record holding its value as indexed, and its display name, in order.
KEY_FIELDS = ("slug", "id", "key")
NAME_FIELDS = ("name", "title")


@dataclass
class DisplayNames:
    """The display names a site gives its facet values.

    categories, tags: ``{value as indexed: display name}``.
    warnings: ``(file, message)`` for each file that could not be used, or only in
        part; the message starts with the file's path relative to the site.
    """

    categories: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, dict[str, str]] | None:
        """``{"categories": {…}, "tags": {…}}`` as the index stores it, None when the
        site names nothing."""
        if not self.categories and not self.tags:
            return None
        return {"categories": dict(self.categories), "tags": dict(self.tags)}


def read_display_names(root: Path, data_dir: str = "_data") -> DisplayNames:
    """The display names in ``root/data_dir`` (see the module's docstring). Never raises:
    every problem is a warning in :attr:`DisplayNames.warnings`."""
    found = DisplayNames()
    for name, facet in FACETS.items():
        path = _data_file(root / data_dir, name)
        if path is None:
            continue
        rel = f"{data_dir}/{path.name}"
        names, problem = _read(path, rel)
        if problem is not None:
            found.warnings.append((rel, problem))
        setattr(found, facet, names)
    return found


def _data_file(folder: Path, name: str) -> Path | None:
    """The file Jekyll reads as ``site.data.<name>``: the last of :data:`EXTENSIONS`."""
    chosen = None
    for ext in EXTENSIONS:
        path = folder / f"{name}{ext}"
        try:
            if path.is_file():
                chosen = path
        except OSError:
            continue
    return chosen


def _read(path: Path, rel: str) -> tuple[dict[str, str], str | None]:
    """``({value: name}, a warning or None)`` of one data file."""
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            return {}, f"{rel}: {size} bytes, more than {MAX_CONFIG_BYTES}; not read"
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        return {}, f"{rel}: cannot read file: {error.strerror or error}; no display names"
    except UnicodeDecodeError:
        return {}, f"{rel}: not UTF-8 text; no display names"
    ext = path.suffix.lower()
    try:
        if ext in (".csv", ".tsv"):
            data: Any = list(
                csv.DictReader(io.StringIO(text), delimiter="," if ext == ".csv" else "\t")
            )
        elif ext == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except json.JSONDecodeError as error:
        return {}, f"{rel}:{error.lineno}: not valid JSON ({error.msg}); no display names"
    except yaml.YAMLError as error:
        problem, line = yaml_problem(error)
        at = f"{rel}:{line + 1}" if line is not None else rel
        return {}, f"{at}: not valid YAML ({problem}); no display names"
    except (csv.Error, RecursionError) as error:
        return {}, f"{rel}: cannot be read ({error}); no display names"
    return _names(data, rel)


def _names(data: Any, rel: str) -> tuple[dict[str, str], str | None]:
    """The names of parsed ``data``: a mapping, or a list of records."""
    entries: Iterable[tuple[Any, Any]]
    if data is None:
        return {}, None
    if isinstance(data, dict):
        entries = data.items()
    elif isinstance(data, list) and all(isinstance(row, dict) for row in data):
        entries = [(_field(row, KEY_FIELDS), row) for row in data]
    else:
        kind = type(data).__name__
        return {}, (f"{rel}: not a mapping of value → display name (a {kind}); no display names")
    names: dict[str, str] = {}
    bad: list[str] = []
    for key, value in entries:
        shown = _field(value, NAME_FIELDS) if isinstance(value, dict) else value
        slug = _text(key)
        text = _text(shown)
        if slug and text:
            names[slug] = text[:MAX_NAME_CHARS]
        else:
            bad.append(slug or repr(key))
    if not bad:
        return names, None
    listed = ", ".join(bad[:3]) + (f", … ({len(bad)} in all)" if len(bad) > 3 else "")
    return names, (
        f"{rel}: no display name (a text, or a name or title field) for {listed}; shown as indexed"
    )


def _field(record: dict[Any, Any], keys: tuple[str, ...]) -> Any:
    """The first of ``keys`` that ``record`` has a value for, else None."""
    for key in keys:
        if record.get(key) not in (None, ""):
            return record[key]
    return None


def _text(value: Any) -> str:
    """A scalar as plain text (control characters removed, trimmed); '' for anything
    else (a list, a mapping, nothing). YAML's booleans and numbers are text as written
    by Ruby (``true``, ``2024``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return CONTROL_CHARS.sub("", str(value)).strip()
    return ""


__all__ = ["MAX_NAME_CHARS", "DisplayNames", "read_display_names"]
