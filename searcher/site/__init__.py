"""Reading a Jekyll site the way ``jekyll build`` publishes it.

One module per concern, data flowing one way (``corpus`` asks ``walk`` which files the
site publishes, by ``config`` and ``files``; reads each through ``reader``, which uses
``frontmatter``, ``dates``, ``text``, ``urls`` and ``rendered``; tells duplicates by
``identity``; and yields ``records``, which ``report`` counts):

* :mod:`.records` — :class:`Article`, :class:`Skipped`, :class:`Duplicate`, :class:`SiteWarning`.
* :mod:`.config` — ``_config.yml``, excludes, front-matter defaults, collections.
* :mod:`.frontmatter` — YAML with Jekyll's rules and a lenient fallback (C7).
* :mod:`.dates` — front matter and file-name dates in the site time zone (C8).
* :mod:`.text` — body text: Markdown (CommonMark), HTML, encodings (C9).
* :mod:`.urls` — permalinks (C12).
* :mod:`.rendered` — bodies from the pages ``jekyll build`` wrote (``--rendered``).
* :mod:`.files` — file names and paths, the site folder, :func:`iter_post_files`.
* :mod:`.walk` — which files Jekyll publishes: Jekyll's walk (candidates or skips).
* :mod:`.reader` — one file into an :class:`Article` (or why it is left out).
* :mod:`.identity` — :func:`jekyll_key`, :func:`article_digest` (C10), :func:`kept_ids`.
* :mod:`.report` — :class:`CorpusReport`.
* :mod:`.corpus` — the whole site: :func:`read_corpus`, :func:`check_corpus`, :class:`Site`.
"""

from ..lazy import lazy_attributes
from .options import CONTROL_CHARS, DEFAULT_TIMEZONE, MAX_POST_BYTES, SiteOptions

#: Where each name lives; the readers load on first use (PEP 562), so that searching,
#: which needs only :mod:`.options`, does not load YAML, Markdown and lxml.
_HOMES = {
    "SiteConfig": "config",
    "load_config": "config",
    "Site": "corpus",
    "check_corpus": "corpus",
    "read_corpus": "corpus",
    "read_post": "corpus",
    "date_from_filename": "dates",
    "parse_date": "dates",
    "escape_name": "files",
    "iter_post_files": "files",
    "jekyll_list": "frontmatter",
    "article_digest": "identity",
    "jekyll_key": "identity",
    "kept_ids": "identity",
    "SKIP_KINDS": "records",
    "Article": "records",
    "Duplicate": "records",
    "SiteWarning": "records",
    "Skipped": "records",
    "SkippedPostError": "records",
    "CorpusReport": "report",
    "Body": "text",
    "body_to_text": "text",
    "html_to_body": "text",
    "read_body": "text",
    "decode_bytes": "text",
    "first_sentence": "text",
    "html_to_text": "text",
    "markdown_to_html": "text",
    "PermalinkError": "urls",
    "ContentSelectorError": "rendered",
    "RenderedSite": "rendered",
    "slugify": "urls",
}


__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())


__all__ = [
    "CONTROL_CHARS",
    "DEFAULT_TIMEZONE",
    "MAX_POST_BYTES",
    "SKIP_KINDS",
    "Article",
    "Body",
    "ContentSelectorError",
    "CorpusReport",
    "Duplicate",
    "PermalinkError",
    "RenderedSite",
    "Site",
    "SiteConfig",
    "SiteOptions",
    "SiteWarning",
    "Skipped",
    "SkippedPostError",
    "article_digest",
    "body_to_text",
    "check_corpus",
    "date_from_filename",
    "decode_bytes",
    "escape_name",
    "first_sentence",
    "html_to_body",
    "html_to_text",
    "iter_post_files",
    "jekyll_key",
    "jekyll_list",
    "kept_ids",
    "load_config",
    "markdown_to_html",
    "read_body",
    "parse_date",
    "read_corpus",
    "read_post",
    "slugify",
]
