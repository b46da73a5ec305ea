"""Reading a Jekyll site the way ``jekyll build`` publishes it.

One module per concern, data flowing one way (``corpus`` asks ``config`` what to read,
reads each file through ``frontmatter``, ``dates``, ``text`` and ``urls``, and yields
``records``):

* :mod:`.records` — :class:`Article`, :class:`Skipped`, :class:`Duplicate`.
* :mod:`.config` — ``_config.yml``, excludes, front-matter defaults, collections.
* :mod:`.frontmatter` — YAML with Jekyll's rules and a lenient fallback (C7).
* :mod:`.dates` — front matter and file-name dates in the site time zone (C8).
* :mod:`.text` — body text: Markdown (CommonMark), HTML, encodings (C9).
* :mod:`.urls` — permalinks (C12).
* :mod:`.corpus` — the walk: :func:`read_corpus`, :func:`check_corpus`, :class:`Site`.
"""

from .config import SiteConfig, load_config
from .corpus import (
    MAX_POST_BYTES,
    CorpusReport,
    Site,
    SiteOptions,
    SiteWarning,
    article_digest,
    check_corpus,
    iter_post_files,
    jekyll_key,
    read_corpus,
    read_post,
)
from .dates import DEFAULT_TIMEZONE, date_from_filename, parse_date
from .frontmatter import jekyll_list
from .records import SKIP_KINDS, Article, Duplicate, Skipped, SkippedPostError
from .text import body_to_text, decode_bytes, first_sentence, html_to_text, markdown_to_html
from .urls import PermalinkError, slugify

__all__ = [
    "DEFAULT_TIMEZONE",
    "MAX_POST_BYTES",
    "SKIP_KINDS",
    "Article",
    "CorpusReport",
    "Duplicate",
    "PermalinkError",
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
    "first_sentence",
    "html_to_text",
    "iter_post_files",
    "jekyll_key",
    "jekyll_list",
    "load_config",
    "markdown_to_html",
    "parse_date",
    "read_corpus",
    "read_post",
    "slugify",
]
