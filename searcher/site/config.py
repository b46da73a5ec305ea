"""The site's ``_config.yml`` and Jekyll's rules for which files it publishes.

:func:`load_config` reads the config at the corpus root (Jekyll's defaults when there is
none, or when it does not parse: then with a warning naming the file and line).
:class:`SiteConfig` answers the questions the corpus walk asks: is a path excluded (and
why), which front-matter ``defaults`` apply to a document, which collections are
output, what the site's permalink style and time zone are.

Every rule here is Jekyll 4.3's (``Jekyll::Configuration``, ``Jekyll::EntryFilter``,
``Jekyll::FrontmatterDefaults``), checked against ``jekyll build`` in
``tests/test_site_jekyll.py``.
"""

from __future__ import annotations

import errno
import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .frontmatter import expanded_size, yaml_problem
from .urls import sanitized_baseurl, site_url_problem

CONFIG_FILE = "_config.yml"

#: Jekyll's own excludes, added to every config's ``exclude`` (Jekyll 4.3
#: ``Configuration::DEFAULT_EXCLUDES``).
DEFAULT_EXCLUDES = (
    ".sass-cache",
    ".jekyll-cache",
    "gemfiles",
    "Gemfile",
    "Gemfile.lock",
    "node_modules",
    "vendor/bundle/",
    "vendor/cache/",
    "vendor/gems/",
    "vendor/ruby/",
)
#: Jekyll's default ``include`` (``Configuration::DEFAULTS``).
DEFAULT_INCLUDE = (".htaccess",)
#: Markdown extensions Jekyll converts by default (``markdown_ext``).
DEFAULT_MARKDOWN_EXT = "markdown,mkdown,mkdn,mkd,md"
#: Names Jekyll treats as special: leading ``.``, ``_``, ``#`` or ``~`` (EntryFilter).
SPECIAL_LEADING = (".", "_", "#", "~")
#: The largest ``_config.yml`` read, in bytes (a bigger one gets Jekyll's defaults).
MAX_CONFIG_BYTES = 1 << 20


@dataclass
class SiteConfig:
    """What searcher uses of a Jekyll site's ``_config.yml``.

    url, baseurl: the site's address (``https://news.example.org``, ``/zh``); empty when
        unset; ``url`` as written (Jekyll normalises it in ``absolute_url``), ``baseurl``
        as Jekyll puts it in front of a path (``urls.sanitized_baseurl``).
    permalink: the site's permalink style or template (``"date"`` by default).
    timezone: the IANA time zone name, or None (then the index's). exclude, include:
        the lists as Jekyll uses them (``exclude`` with Jekyll's defaults added).
    future, show_drafts, unpublished: Jekyll's publishing switches.
    collections: ``{label: metadata}`` with ``posts`` always present (``output: true``).
    collections_dir: the folder holding ``_posts`` and the collections ('' for the root).
    defaults: the ``defaults`` list, each ``{"scope": {...}, "values": {...}}``.
    markdown_ext: the file extensions converted as Markdown, without dots.
    includes_dir: the folder ``{% include %}`` reads, relative to the site
        (``_includes`` by default; Jekyll's ``includes_dir``).
    data_dir: the folder of the site's data files, relative to the site (``_data`` by
        default; Jekyll's ``data_dir``): display names of categories and tags
        (:mod:`.datafiles`).
    own_exclude: the config's own ``exclude`` entries (the rest are Jekyll's defaults).
    destination: where ``jekyll build`` writes the site (``_site`` by default; relative
        to the site folder, where Jekyll is run), for ``--rendered`` without a folder.
    path: the config file read, or None; warnings: problems found, each naming the file.
    unreadable: why the config file could not be read now (an OS error other than "no
        such file", such as ``Permission denied`` or ``Input/output error``), else None;
        then nothing of the site is read and the index keeps what it has.
    """

    url: str = ""
    baseurl: str = ""
    permalink: str = "date"
    timezone: str | None = None
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDES))
    include: list[str] = field(default_factory=lambda: list(DEFAULT_INCLUDE))
    future: bool = False
    show_drafts: bool = False
    unpublished: bool = False
    collections: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {"posts": {"output": True}}
    )
    collections_dir: str = ""
    defaults: list[dict[str, Any]] = field(default_factory=list)
    markdown_ext: tuple[str, ...] = tuple(DEFAULT_MARKDOWN_EXT.split(","))
    includes_dir: str = "_includes"
    data_dir: str = "_data"
    own_exclude: list[str] = field(default_factory=list)
    destination: str = "_site"
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)
    unreadable: str | None = None

    # -- which files are left out -------------------------------------------------------

    def exclusion(self, rel: str) -> str | None:
        """Why Jekyll leaves out the file or folder ``rel`` (relative to the site root,
        POSIX separators), or None when it reads it.

        Returns ``"excluded by _config.yml"``, ``"default exclude"`` or
        ``"special name"``. Jekyll's ``EntryFilter``: an ``include``d name is always
        read; else one matching ``exclude`` (``fnmatch`` on the path, or the path starting
        with the pattern) is left out; else a name starting with ``. _ # ~`` or ending
        with ``~`` is. The walk applies this to every folder on the way down, as Jekyll
        does, and the caller treats ``_posts``, ``_drafts`` and collection folders apart.
        """
        name = rel.rsplit("/", 1)[-1]
        if self._included(rel, name):
            return None
        excludes = [p for p in self.exclude if p not in self.include]
        for pattern in excludes:
            if _glob_match(pattern, rel):
                own = pattern in self.own_exclude or pattern not in DEFAULT_EXCLUDES
                return "excluded by _config.yml" if own else "default exclude"
        if name.startswith(SPECIAL_LEADING) or name.endswith("~"):
            return "special name"
        return None

    def _included(self, rel: str, name: str) -> bool:
        return any(_glob_match(p, rel) or _glob_match(p, name) for p in self.include)

    # -- front matter defaults --------------------------------------------------------

    def defaults_for(self, rel: str, doc_type: str) -> dict[str, Any]:
        """The front-matter ``defaults`` values that apply to a document.

        :param rel: the document's path relative to the site root.
        :param doc_type: ``"posts"``, ``"pages"``, ``"drafts"`` or a collection label.
        :returns: the merged values; later and more specific scopes win, as in Jekyll's
            ``FrontmatterDefaults#all`` (a longer ``path`` beats a shorter one, a scope with
            a ``type`` beats one without).
        """
        matches: list[tuple[tuple[int, int], int, dict[str, Any]]] = []
        for n, entry in enumerate(self.defaults):
            scope = entry.get("scope") if isinstance(entry, dict) else None
            values = entry.get("values") if isinstance(entry, dict) else None
            if not isinstance(values, dict):
                continue
            if scope is None:
                scope = {}
            if not isinstance(scope, dict):
                continue
            scope_path = str(scope.get("path") or "").strip("/")
            scope_type = scope.get("type")
            if scope_type is not None and str(scope_type) not in _type_names(doc_type):
                continue
            if not _path_in_scope(rel, scope_path):
                continue
            rank = (scope_path.count("/") + (1 if scope_path else 0), 1 if scope_type else 0)
            matches.append((rank, n, values))
        merged: dict[str, Any] = {}
        for _, _, values in sorted(matches, key=lambda m: (m[0], m[1])):
            merged.update({str(k): v for k, v in values.items()})
        return merged

    # -- collections --------------------------------------------------------------------

    def collection_dir(self, label: str) -> str:
        """The folder of collection ``label`` relative to the site root (``_reports``)."""
        return f"{self.collections_dir}/_{label}" if self.collections_dir else f"_{label}"

    def is_output(self, label: str) -> bool:
        """True when collection ``label``'s documents are written (``output: true``)."""
        meta = self.collections.get(label) or {}
        return label == "posts" or _truthy(meta.get("output", False))

    def collection_permalink(self, label: str) -> str | None:
        """The collection's own ``permalink`` template, or None."""
        value = (self.collections.get(label) or {}).get("permalink")
        return str(value) if isinstance(value, str) and value else None


def _type_names(doc_type: str) -> tuple[str, ...]:
    # Drafts are documents of the posts collection: a "posts" scope applies to them.
    return ("drafts", "posts") if doc_type == "drafts" else (doc_type,)


def _path_in_scope(rel: str, scope_path: str) -> bool:
    """Jekyll's ``applies_path?``: the scope path is a folder or file prefix of ``rel``,
    or a glob (``*``) matched segment by segment."""
    if not scope_path:
        return True
    if "*" in scope_path:
        parts, scope_parts = rel.split("/"), scope_path.split("/")
        return len(parts) >= len(scope_parts) and all(
            fnmatch.fnmatchcase(p, s) for p, s in zip(parts, scope_parts, strict=False)
        )
    return rel == scope_path or rel.startswith(scope_path + "/")


def _glob_match(pattern: str, rel: str) -> bool:
    """Jekyll's ``EntryFilter#glob_include?`` for one string pattern: ``File.fnmatch?``
    without ``FNM_PATHNAME`` (``*`` crosses ``/``), or the path starting with the pattern
    (so ``exclude: [old]`` also leaves out ``old-archive``, as Jekyll does)."""
    pattern = pattern.strip().lstrip("/")
    if not pattern:
        return False
    if fnmatch.fnmatchcase(rel, pattern) or rel.startswith(pattern):
        return True
    return pattern == rel + "/"


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "on", "1")
    return bool(value)


def _string_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v is not None]
    return [str(value)]


#: OS errors that mean a file or folder is gone (then the index drops what it held for
#: it); every other OS error means it cannot be read now, and the index keeps it.
GONE_ERRORS = frozenset({errno.ENOENT, errno.ENOTDIR})


def outside_site(path: Path, root: Path) -> str | None:
    """The real path that ``path`` (a file or folder under ``root``, possibly through
    symbolic links) leads to, when that lies outside ``root``'s real path; else None.

    The rule is Jekyll 4.3's safe mode (``EntryFilter#symlink_outside_site_source?``:
    ``File.realpath(entry)`` must start with the site source), which ``jekyll build
    --safe`` (GitHub Pages) applies; a path not under ``root`` at all (``read_post`` of
    a file elsewhere) is not checked. A loop of links resolves to a path of its own and
    never hangs (``os.path.realpath`` stops at the loop).
    """
    top = os.path.realpath(root)
    here = os.path.abspath(path)
    if os.path.commonpath([os.path.abspath(root), here]) != os.path.abspath(root):
        return None
    real = os.path.realpath(here)
    if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
        return None
    return real


def load_config(root: Path, follow_outside_links: bool = False) -> SiteConfig:
    """Read ``root/_config.yml``; Jekyll's defaults when it is missing.

    Never raises: a config that cannot be parsed, or a key of the wrong type, gives a
    warning naming the file (and line) in ``SiteConfig.warnings``, and Jekyll's
    default for what could not be used. One that cannot be read now (an OS error, see
    :data:`GONE_ERRORS`) sets ``SiteConfig.unreadable`` instead. A config that is a
    symbolic link out of the site (see :func:`outside_site`) is not read, with a
    warning, unless ``follow_outside_links``.
    """
    path = root / CONFIG_FILE
    config = SiteConfig()
    try:
        if not path.is_file():
            return config
    except OSError as error:
        config.unreadable = error.strerror or str(error)
        return config
    target = None if follow_outside_links else outside_site(path, root)
    if target is not None:
        config.warnings.append(
            f"{CONFIG_FILE}: a symbolic link to {target}, outside the site: not read "
            "(--follow-outside-links reads it); Jekyll's defaults used"
        )
        return config
    config.path = path
    where = CONFIG_FILE
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            config.warnings.append(
                f"{where}: {size} bytes, more than {MAX_CONFIG_BYTES}; Jekyll's defaults used"
            )
            return config
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        if error.errno in GONE_ERRORS:
            return SiteConfig()  # removed meanwhile: as if there were none
        config.unreadable = error.strerror or str(error)
        return config
    except UnicodeDecodeError as error:
        config.warnings.append(f"{where}: cannot read ({error}); Jekyll's defaults used")
        return config
    try:
        data = yaml.load(text, Loader=_ConfigLoader)
    except yaml.YAMLError as error:
        problem, line = yaml_problem(error)
        at = f"{where}:{line + 1}" if line is not None else where
        config.warnings.append(f"{at}: not valid YAML ({problem}); Jekyll's defaults used")
        return config
    except RecursionError:
        config.warnings.append(f"{where}: nested too deeply; Jekyll's defaults used")
        return config
    if data is None:
        return config
    if expanded_size(data, _ConfigLoader.budget) > _ConfigLoader.budget:
        config.warnings.append(
            f"{where}: YAML aliases expand to more than {_ConfigLoader.budget:,} values; "
            "Jekyll's defaults used"
        )
        return config
    if not isinstance(data, dict):
        config.warnings.append(
            f"{where}: not a mapping (a YAML {type(data).__name__}); Jekyll's defaults used"
        )
        return config
    _apply(config, {str(k): v for k, v in data.items()}, where)
    return config


class _ConfigLoader(yaml.SafeLoader):
    """YAML's safe loader that refuses alias expansion beyond a node budget."""

    budget = 100_000

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise yaml.YAMLError("too many YAML nodes (alias expansion)")
        return super().compose_node(parent, index)


def _apply(config: SiteConfig, data: dict[str, Any], where: str) -> None:
    """Copy the keys searcher uses from ``data`` into ``config``, warning on bad types."""

    def text(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, str | int | float):
            return str(value)
        config.warnings.append(
            f"{where}: {key} must be a string, not a YAML {type(value).__name__}; ignored"
        )
        return None

    config.url = text("url") or ""
    problem = site_url_problem(config.url) if config.url else None
    if problem:
        config.warnings.append(
            f"{where}: url {config.url!r} is not a URL Jekyll's absolute_url takes ({problem}; "
            "jekyll build stops there); URLs start with it as written"
        )
    config.baseurl = sanitized_baseurl(text("baseurl") or "")
    permalink = data.get("permalink")
    if permalink is not None and not isinstance(permalink, str):
        config.warnings.append(
            f"{where}: permalink must be a style name or a template, not {permalink!r}; "
            "the date style is used"
        )
    config.permalink = permalink if isinstance(permalink, str) and permalink else "date"
    config.timezone = text("timezone")
    config.destination = (text("destination") or "").strip() or "_site"
    if "exclude" in data and data["exclude"] is not None:
        own = _string_list(data["exclude"])
        config.exclude = list(dict.fromkeys([*own, *DEFAULT_EXCLUDES]))
        config.own_exclude = own
    if "include" in data and data["include"] is not None:
        config.include = _string_list(data["include"])
    config.future = _truthy(data.get("future", False))
    config.show_drafts = _truthy(data.get("show_drafts", False))
    config.unpublished = _truthy(data.get("unpublished", False))
    config.collections_dir = (text("collections_dir") or "").strip("/")
    collections = data.get("collections")
    if isinstance(collections, list):
        collections = {str(label): {} for label in collections}
    if isinstance(collections, dict):
        merged: dict[str, dict[str, Any]] = {}
        for label, meta in collections.items():
            merged[str(label)] = dict(meta) if isinstance(meta, dict) else {}
        merged.setdefault("posts", {})["output"] = True
        config.collections = merged
    elif collections is not None:
        config.warnings.append(f"{where}: collections must be a list or a mapping; ignored")
    defaults = data.get("defaults")
    if isinstance(defaults, list):
        config.defaults = [d for d in defaults if isinstance(d, dict)]
    elif defaults is not None:
        config.warnings.append(f"{where}: defaults must be a list; ignored")
    includes = (text("includes_dir") or "").strip("/")
    if includes and ".." not in includes.split("/"):  # Jekyll keeps it inside the site
        config.includes_dir = includes
    data_dir = (text("data_dir") or "").strip("/")
    if data_dir and ".." not in data_dir.split("/"):  # as includes_dir: inside the site
        config.data_dir = data_dir
    ext = text("markdown_ext")
    if ext:
        config.markdown_ext = tuple(e.strip().lstrip(".").lower() for e in ext.split(",") if e)
