"""``searcher install-jekyll-hook``: a Jekyll plugin that updates the index after each
build (issue #23).

:func:`install_hook` writes ``SITE/_plugins/searcher.rb`` (:func:`hook_source`): a
``Jekyll::Hooks.register :site, :post_write`` block that runs ``searcher index`` on the
site's source once Jekyll has written the site, with the index folder and the site
options given at install time, plus ``--drafts``, ``--future`` and ``--unpublished``
when the build publishes them (``jekyll build --drafts``, or the config). The command
is Ruby's array form of ``system`` (Open3), never a shell string, and names this
interpreter (``sys.executable -m searcher``), so the hook needs no ``PATH`` and runs the
searcher that installed it. A failure of searcher is a Jekyll warning with its exit
status, and the build succeeds, unless :data:`STRICT_ENV` says to fail it.

Jekyll runs no plugin from ``_plugins/`` under ``--safe`` (checked with Jekyll 4.3.1
in ``tests/test_jekyll_hook.py``), and GitHub Pages builds in safe mode: there the hook
never runs (README "Keeping the index fresh" gives a workflow instead).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import CorpusError, SearcherError
from .site.options import MAX_POST_BYTES, SiteOptions
from .version import __version__

#: Where the hook is written, relative to the site folder.
HOOK_FILE = "_plugins/searcher.rb"

#: The first line of every hook searcher writes: a file that starts otherwise is not
#: searcher's, and is replaced only with ``force``.
MARKER = "# searcher-jekyll-hook: written by `searcher install-jekyll-hook`"

#: The environment variable that makes a failure of searcher fail the Jekyll build
#: (``1``, ``true`` or ``yes``); else it is a warning.
STRICT_ENV = "SEARCHER_HOOK_STRICT"


class HookExistsError(SearcherError):
    """``_plugins/searcher.rb`` exists and searcher did not write it (no :data:`MARKER`)."""


def ruby_string(text: str) -> str:
    """``text`` as a single-quoted Ruby string literal (only ``\\`` and ``'`` escaped).

    >>> print(ruby_string("it's C:\\\\site"))
    'it\\'s C:\\\\site'
    """
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def index_flags(options: SiteOptions) -> list[str]:
    """The ``searcher index`` flags that give ``options`` (those unlike the defaults).

    A relative ``options.rendered`` (``--rendered`` with no folder: the site's
    destination) is left to the hook, which passes the folder the build wrote.

    >>> index_flags(SiteOptions(future=True, site_url="https://news.example.com"))
    ['--future', '--site-url', 'https://news.example.com']
    """
    flags = [
        f"--{name.replace('_', '-')}"
        for name in ("drafts", "unpublished", "future", "all_files", "follow_outside_links")
        if getattr(options, name)
    ]
    if options.site_url is not None:
        flags += ["--site-url", options.site_url]
    if options.timezone is not None:
        flags += ["--timezone", options.timezone]
    if options.max_post_bytes != MAX_POST_BYTES:
        flags += ["--max-post-bytes", str(options.max_post_bytes)]
    if options.rendered is not None and options.rendered.is_absolute():
        flags.append(f"--rendered={options.rendered}")
    if options.content_selector is not None:
        flags += ["--content-selector", options.content_selector]
    return flags


def hook_source(index_dir: Path, options: SiteOptions, command: Sequence[str] | None = None) -> str:
    """The Ruby text of the hook: runs ``command`` (default ``[sys.executable, "-m",
    "searcher"]``) ``index SOURCE --index INDEX_DIR`` with :func:`index_flags`.

    ``index_dir`` is made absolute (from the current folder), since Jekyll may be run
    from anywhere. Every path and flag is a Ruby string literal (:func:`ruby_string`).
    """
    program = list(command or [sys.executable, "-m", "searcher"])
    base = [*program, "index"]
    rendered = options.rendered is not None and not options.rendered.is_absolute()
    words = ", ".join(ruby_string(w) for w in base)
    flags = ", ".join(ruby_string(f) for f in index_flags(options))
    return _TEMPLATE.format(
        marker=MARKER,
        version=__version__,
        strict=STRICT_ENV,
        command=words,
        index=ruby_string(str(Path(os.path.abspath(index_dir)))),
        flags=flags,
        rendered="true" if rendered else "false",
    )


def install_hook(
    site: str | os.PathLike[str],
    index_dir: str | os.PathLike[str],
    options: SiteOptions | None = None,
    *,
    force: bool = False,
    command: Sequence[str] | None = None,
) -> Path:
    """Write the hook (:func:`hook_source`) to ``site/_plugins/searcher.rb``; return its
    path. A hook searcher wrote before (its first line is :data:`MARKER`) is replaced.
    The file is written beside and renamed into place, so a ``searcher.rb`` that is a
    symbolic link is replaced, never the file it leads to (a cloned site's link to
    ``~/.bashrc`` with ``--force`` overwrote that file).

    :raises CorpusError: ``site`` is not a folder; its ``_plugins`` is no folder (a
        file, a broken link), or a link out of the site (searcher writes nothing
        outside it).
    :raises HookExistsError: the file exists and searcher did not write it (unless
        ``force``).
    """
    folder = Path(site)
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    path = folder / HOOK_FILE
    plugins = path.parent
    if plugins.is_symlink() or plugins.exists():
        if not plugins.is_dir():
            raise CorpusError(f"{plugins} is not a folder: Jekyll's plugins go in one")
        if not plugins.resolve().is_relative_to(folder.resolve()):
            raise CorpusError(
                f"{plugins} leads out of the site, to {plugins.resolve()}: searcher writes "
                "nothing outside the site"
            )
    if (path.exists() or path.is_symlink()) and not force and not _ours(path):
        raise HookExistsError(
            f"{path} exists and searcher did not write it: use --force to replace it"
        )
    plugins.mkdir(exist_ok=True)
    text = hook_source(Path(index_dir), options or SiteOptions(), command)
    temporary = plugins / f".searcher.rb.{os.getpid()}.tmp"
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def _ours(path: Path) -> bool:
    """True when ``path``'s first line is :data:`MARKER` (False if it cannot be read)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            return file.readline().rstrip("\n") == MARKER
    except OSError:
        return False


_TEMPLATE = """\
{marker}
# (searcher {version}); running that command again replaces this file.
#
# After Jekyll writes the site (each `jekyll build`, each rebuild of `jekyll serve`)
# this runs `searcher index` on the site's source into the index below, with the
# options given when it was installed, and --drafts, --future, --unpublished when the
# build publishes them. If searcher fails the build still succeeds, with a warning;
# set {strict}=1 to make it fail instead. Plugins do not run under
# `jekyll build --safe`, as on GitHub Pages: there run `searcher index` yourself.
require "open3"

module SearcherIndexHook
  COMMAND = [{command}].freeze
  INDEX = {index}
  FLAGS = [{flags}].freeze
  RENDERED = {rendered} # --rendered: read the pages this build wrote

  def self.command(site)
    flags = FLAGS.dup
    flags << "--drafts" if site.config["show_drafts"]
    flags << "--future" if site.config["future"]
    flags << "--unpublished" if site.config["unpublished"]
    flags << "--rendered=#{{site.dest}}" if RENDERED
    COMMAND + [site.source, "--index", INDEX] + flags.uniq
  end

  def self.run(site)
    Jekyll.logger.info "Searcher:", "indexing #{{site.source}} into #{{INDEX}}"
    begin
      out, err, status = Open3.capture3(*command(site)) # an array: no shell
    rescue SystemCallError => e
      return failed("could not run #{{COMMAND.first}}: #{{e.message}}", "")
    end
    out, err = [out, err].map {{ |text| text.dup.force_encoding("UTF-8").scrub }}
    if status.success?
      (err + out).each_line {{ |line| Jekyll.logger.info "Searcher:", line.chomp }}
    else
      how = status.exitstatus ? "exit status #{{status.exitstatus}}" : "signal #{{status.termsig}}"
      failed("searcher index failed (#{{how}})", err + out)
    end
  end

  def self.failed(why, output)
    output.each_line {{ |line| Jekyll.logger.warn "Searcher:", line.chomp }}
    if %w[1 true yes].include?(ENV.fetch("{strict}", "").downcase)
      raise Jekyll::Errors::FatalException, "Searcher: #{{why}}"
    end
    Jekyll.logger.warn "Searcher:", "#{{why}}; the site is built, its search index is not updated"
  end
end

Jekyll::Hooks.register :site, :post_write do |site|
  SearcherIndexHook.run(site)
end
"""

__all__ = ["HOOK_FILE", "MARKER", "STRICT_ENV", "HookExistsError", "hook_source", "install_hook"]
