"""An invented Jekyll news site with searcher's search box in its layout (issue #23),
written by us, built with real ``jekyll build`` and served as a site is: the built
``_site`` by a static file server on one loopback port, ``searcher``'s app on another.

:func:`write_site` writes the source: a default layout whose header holds the HTML
``searcher widget`` prints (pasted as ``_includes/searcher.html``), a post layout that
marks its body ``data-searcher-body``, a theme stylesheet with its own font and colours
(setting ``--searcher-accent``), and :data:`POSTS`. :func:`jekyll_build` runs Jekyll
(skipped without it, failed under ``CI=true`` as ``tests/jekyll_oracle.py`` does);
:func:`static_server` serves a folder over HTTP from a thread.
"""

from __future__ import annotations

import functools
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from jekyll_oracle import JEKYLL

from searcher.widget import asset_version, widget_html
from searchutil import post, write_files

#: Markup in a title, a tag and a body. The title and the body hold it as entities (a
#: raw tag in a title is markup, which searcher strips, as a page shows no tag), the
#: tag raw (the layout escapes tags), so the site shows it as text; the search box must
#: show it as text too.
XSS = "<img src=x onerror=alert(1)>"

#: The posts, by source path (our own text). 开通 is in two of them (one in traditional
#: script: 開通), ＡＩ in full-width letters, 手机 beside 5G.
POSTS = {
    "_posts/2024-03-05-metro-line.md": post(
        "地铁三号线今日开通 沿线居民出行更方便",
        "记者从市轨道交通集团获悉，地铁三号线今天上午正式开通试运营，全长二十四公里。\n\n"
        "香港媒体以「港鐵新線今日開通」为题作了报道，称赞新线换乘便利。\n\n"
        "<textarea>开通</textarea>\n\n"
        "市民说：“<mark>开通</mark>以后，上班路上能省半个小时。”",
        date="2024-03-05 09:00:00 +0800",
        extra="tags: [交通, 城建]\n",
    ),
    "_posts/2024-04-12-broadband.md": post(
        "千兆宽带进村入户",
        "今年全县新开通千兆宽带用户三千余户，偏远山村也能流畅观看高清视频。",
        date="2024-04-12 10:00:00 +0800",
        extra="tags: [通信]\n",
    ),
    "_posts/2024-05-20-ai-hospital.md": post(
        "ＡＩ读片进医院 诊断更快更准",
        "市第一医院引入AI辅助读片系统，ＡＩ可在数秒内标出可疑病灶。医生表示，"
        "said 和 maid 这类英文单词不会被误标。",
        date="2024-05-20 11:00:00 +0800",
        extra="tags: [医疗, 人工智能]\n",
    ),
    "_posts/2024-06-18-phone-5g.md": post(
        "新款手机发布 全面支持5G网络",
        "本地企业今天发布新款手机，全面支持5G网络，续航时间比上一代提升两成。",
        date="2024-06-18 14:00:00 +0800",
        extra="tags: [通信, 手机]\n",
    ),
    "_posts/2024-07-01-xss.md": post(
        XSS.replace("<", "&lt;").replace(">", "&gt;") + "快讯",
        "一条快讯：" + XSS.replace("<", "&lt;").replace(">", "&gt;") + " 这段文字应当原样显示。",
        date="2024-07-01 08:00:00 +0800",
        extra=f"tags: ['{XSS}']\n",
    ),
}

CONFIG = """\
title: 示例新闻网
lang: zh-CN
timezone: Asia/Shanghai
permalink: /:year/:month/:day/:title.html
"""

DEFAULT_LAYOUT = """\
<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ page.title | strip_html }} · {{ site.title }}</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<header class="site-header">
  <a class="site-title" href="/">{{ site.title }}</a>
  <div class="site-search">{% include searcher.html %}</div>
</header>
<main>
{{ content }}
</main>
<footer>示例新闻网 · 本站内容均为测试用的虚构新闻</footer>
</body>
</html>
"""

POST_LAYOUT = """\
---
layout: default
---
<article>
  <h1>{{ page.title }}</h1>
  <p class="meta"><time>{{ page.date | date: "%Y-%m-%d" }}</time>
  {% for tag in page.tags %}<span class="tag">{{ tag | escape }}</span> {% endfor %}</p>
  <div data-searcher-body>
{{ content }}
  </div>
</article>
"""

INDEX_PAGE = """\
---
layout: default
title: 首页
---
<h1>最新文章</h1>
<ul class="posts">
{% for p in site.posts %}<li><a href="{{ p.url }}">{{ p.title }}</a>
  <time>{{ p.date | date: "%Y-%m-%d" }}</time></li>
{% endfor %}</ul>
"""

#: The theme: its own font, colours and accent, a narrow column.
SITE_CSS = """\
:root { --searcher-accent: #9b2c2c; }
body { margin: 0 auto; max-width: 46rem; padding: 0 1rem; font: 17px/1.7 "Noto Serif CJK SC", serif;
       color: #2d2a26; background: #fbf7ef; }
.site-header { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center;
               padding: 1rem 0; border-bottom: 2px solid #9b2c2c; }
.site-title { font-weight: 700; color: #9b2c2c; text-decoration: none; }
.site-search { flex: 1 1 16rem; min-width: 0; }
a { color: #9b2c2c; }
.tag { font-size: 0.85em; color: #6b645a; }
footer { margin: 3rem 0 1rem; font-size: 0.85em; color: #6b645a; }
"""


def write_site(root: Path, searcher_url: str) -> Path:
    """Write the site's source under ``root`` with the box of the server at
    ``searcher_url`` in its layout; returns ``root``."""
    return write_files(
        root,
        {
            "_config.yml": CONFIG,
            "_layouts/default.html": DEFAULT_LAYOUT,
            "_layouts/post.html": POST_LAYOUT,
            "_includes/searcher.html": widget_html(searcher_url, asset_version()),
            "index.html": INDEX_PAGE,
            "assets/site.css": SITE_CSS,
            **POSTS,
        },
    )


def jekyll_build(source: Path, dest: Path) -> None:
    """``jekyll build`` of ``source`` into ``dest``; skipped without Jekyll (failed under
    ``CI=true``), an AssertionError with Jekyll's stderr when the build fails."""
    if JEKYLL is None:
        if os.environ.get("CI") == "true":
            pytest.fail("jekyll is not installed (.ci/run installs it with apt-get)")
        pytest.skip("jekyll is not installed (apt-get install jekyll)")
    run = subprocess.run(
        [JEKYLL, "build", "--quiet", "-s", str(source), "-d", str(dest)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """``folder`` served by Python's static file server on a free loopback port, in a
    thread; yields its origin (``http://127.0.0.1:PORT``)."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
