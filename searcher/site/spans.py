"""kramdown's span rules as markdown-it-py inline rules: emphasis, strikethrough, links.

Jekyll converts Markdown with kramdown 2.4 (``input: GFM``, kramdown-parser-gfm 1.1).
Each rule here ports kramdown's own algorithm where CommonMark's differs on real Chinese
text; each is measured against ``jekyll build`` 4.3.1 (``tests/test_site_kramdown.py``).
``mdit-py-cjk-friendly`` (0.3, the CommonMark CJK-friendly amendment) was measured
against the oracle and not used: it gives kramdown's text on 15 of 20 emphasis cases
but not on ``中文_斜体_中文`` (kramdown: ``_`` after a letter is text; the plugin:
italic), ``__下划__和_斜_`` (kramdown: one ``<em>`` holding ``_下划__和_斜``),
``a *b *c* d``, ``**空格结尾 ** 和 **好**`` and ``*a**``.

Known differences left: a code span closed by a longer backtick run, and ``[`` inside
a link's text, are read by CommonMark's rules.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from markdown_it.rules_inline import StateInline

# Ruby's \s, which kramdown's rules use, is ASCII white space only (U+3000 is not).
_RUBY_SPACE = frozenset(" \t\n\r\f\v")


def _open_spans(state: StateInline) -> list[str]:
    """The emphasis elements ("em", "strong") open around ``state.pos`` in this render."""
    spans: list[str] = state.env.setdefault("kramdown_spans", [])
    return spans


def _literal(state: StateInline, text: str, silent: bool) -> bool:
    if not silent:
        state.pending += text
    state.pos += len(text)
    return True


def _closes(src: str, pos: int, start: int, delim: str, em: bool) -> bool:
    """kramdown's test that ``delim`` at ``pos`` closes a span whose text began at
    ``start``: the span is not empty, no white space before, an ``*``/``_`` span not
    closed by a ``**``/``__`` (unless a third follows), ``_`` not before a letter."""
    after = pos + len(delim)
    return (
        pos > start
        and src[pos - 1] not in _RUBY_SPACE
        and not (em and src.startswith(delim * 2, pos) and not src.startswith(delim, pos + 2))
        and not (delim[0] == "_" and after < len(src) and src[after].isalnum())
    )


def _find_close(state: StateInline, start: int, delim: str, element: str) -> int | None:
    """Where the span ``element`` opened by ``delim`` (text from ``start``) closes, or
    None: kramdown's ``parse_spans`` with a stop pattern, each other span (a link, code,
    a nested emphasis) skipped whole.

    A scan that reaches a position in the same context (the same open spans) goes on the
    same way from there, whatever its start, so every position passed is memoised per
    render with the result: each position is scanned at most once per context, and a
    paragraph of openers that never close takes linear time, not cubic.
    """
    spans = _open_spans(state)
    spans.append(element)
    memo: dict[tuple[Any, ...], int | None] = state.env.setdefault("kramdown_memo", {})
    context = (state.src, state.posMax, delim, tuple(spans))
    src, end = state.src, state.posMax
    saved = state.pos
    found = None
    passed: list[int] = []
    pos = start
    while pos < end:
        if pos > start:
            if (context, pos) in memo:
                found = memo[context, pos]
                break
            passed.append(pos)
        if src.startswith(delim, pos) and _closes(src, pos, start, delim, element == "em"):
            found = pos
            break
        state.pos = pos
        if src[pos] in "*_":
            kramdown_emphasis(state, True)
        else:
            state.md.inline.skipToken(state)
        pos = state.pos
    for pos in passed:
        memo[context, pos] = found
    spans.pop()
    state.pos = saved
    return found


def kramdown_emphasis(state: StateInline, silent: bool) -> bool:
    """Inline rule: ``*``, ``**``, ``_``, ``__`` as kramdown reads them.

    kramdown 2.4 (``parser/kramdown/emphasis.rb``): an opener (``**`` before ``*``) is
    text when white space follows it, when ``_`` follows a letter (``snake_case``,
    ``中文_斜体_`` stay as written), or when the same element is already open; it closes
    at the first ``delim`` that :func:`_closes` accepts, other spans in between read whole.
    A ``**`` that finds no close opens an ``*`` instead (not directly inside an ``*``),
    whose text then starts with the second ``*`` (``**a*`` is ``<em>*a</em>``); an opener
    that finds no close is text. Punctuation does not matter, so
    ``**「引号」**后`` and ``7*24小时，*号`` are emphasis, unlike CommonMark.
    """
    src, pos = state.src, state.pos
    marker = src[pos]
    if marker not in "*_":
        return False
    delim = marker * 2 if src.startswith(marker * 2, pos) and pos + 1 < state.posMax else marker
    element = "strong" if len(delim) == 2 else "em"
    spans = _open_spans(state)
    after = pos + len(delim)
    if (
        (marker == "_" and _after_letter(src, pos))
        or (after < len(src) and src[after] in _RUBY_SPACE)
        or element in spans
    ):
        return _literal(state, delim, silent)
    start, written = after, delim
    close = _find_close(state, start, delim, element)
    if close is None and element == "strong" and (not spans or spans[-1] != "em"):
        delim, element, start = marker, "em", pos + 1
        close = _find_close(state, start, delim, element)
    if close is None:
        return _literal(state, written, silent)
    if not silent:
        tag = "strong" if element == "strong" else "em"
        token = state.push(f"{tag}_open", tag, 1)
        token.markup = delim
        _tokenize_between(state, start, close, element)
        token = state.push(f"{tag}_close", tag, -1)
        token.markup = delim
    state.pos = close + len(delim)
    return True


def _after_letter(src: str, pos: int) -> bool:
    """kramdown's ``pre_match =~ /[[:alpha:]]-?[[:alpha:]]*\\z/`` for an ``_``."""
    before = src[pos - 1] if pos else ""
    if before == "-" and pos >= 2:
        before = src[pos - 2]
    return before.isalpha()


def _tokenize_between(state: StateInline, start: int, close: int, element: str | None) -> None:
    """Tokens of ``state.src[start:close]``, inside ``element`` when given."""
    spans = _open_spans(state)
    old_max = state.posMax
    state.pos, state.posMax = start, close
    if element:
        spans.append(element)
    state.md.inline.tokenize(state)
    if element:
        spans.pop()
    state.posMax = old_max


def _strike_closers(state: StateInline) -> list[int]:
    """Positions of every ``~~`` that can end a strikethrough (after a character that
    is neither white space nor ``~``), computed once per inline text."""
    cache: dict[str, list[int]] = state.env.setdefault("kramdown_strike", {})
    closers = cache.get(state.src)
    if closers is None:
        src = state.src
        closers = [
            m.start()
            for m in re.finditer(r"(?=~~)", src)
            if m.start() and src[m.start() - 1] not in _RUBY_SPACE and src[m.start() - 1] != "~"
        ]
        cache[src] = closers
    return closers


def kramdown_strikethrough(state: StateInline, silent: bool) -> bool:
    """Inline rule: kramdown-parser-gfm's strikethrough, ``/~~(?!\\s|~).*?[^\\s~]~~/m``:
    ``~~`` not followed by white space or ``~``, up to the first ``~~`` after a
    character that is neither (``~~~三~~~`` is ``~<del>三</del>~``); any characters
    between, line breaks too; the text inside is read as spans."""
    src, pos = state.src, state.pos
    if not src.startswith("~~", pos) or pos + 2 >= state.posMax:
        return False
    if src[pos + 2] in _RUBY_SPACE or src[pos + 2] == "~":
        return False
    closers = _strike_closers(state)
    index = bisect.bisect_left(closers, pos + 3)
    if index == len(closers) or closers[index] + 2 > state.posMax:
        return False
    close = closers[index]
    if not silent:
        # kramdown reads the text inside with a new scanner: no emphasis is open there.
        outer = _open_spans(state)
        state.env["kramdown_spans"] = []
        state.push("s_open", "del", 1).markup = "~~"
        _tokenize_between(state, pos + 2, close, None)
        state.push("s_close", "del", -1).markup = "~~"
        state.env["kramdown_spans"] = outer
    state.pos = close + 2
    return True


#: Longest link target read by :func:`kramdown_link` (characters); a longer one is text.
MAX_LINK_TARGET = 2_000

_LINK_TITLE = re.compile(r"\s*?([\"'])(.+?)\1\s*?\)", re.S)


_TARGET_STOP = re.compile(r"[()]|[ \t\n\r\f\v](?=[\"'])")


def _target_end(state: StateInline, opening: int) -> int | None:
    """Where the link target whose ``(`` is at ``opening`` stops: the ``)`` that
    balances it, or the white space before a quote (a title); None when neither comes
    within :data:`MAX_LINK_TARGET` characters. kramdown's ``LINK_PAREN_STOP_RE`` loop,
    without recursion; every inner ``(`` passed gets its own answer memoised per
    render, so a run of ``[a](`` that never close is read in linear time."""
    memo: dict[tuple[str, int, int], int | None] = state.env.setdefault("kramdown_target", {})
    src, end = state.src, state.posMax
    if (src, end, opening) in memo:
        return memo[src, end, opening]
    limit = min(end, opening + 1 + MAX_LINK_TARGET)
    stack = [opening]
    pos = opening + 1
    stop: int | None = None
    while stack:
        found = _TARGET_STOP.search(src, pos, limit)
        if found is None or found.group() not in "()":
            stop = found.start() if found else None
            break
        if found.group() == "(":
            known = memo.get((src, end, found.start()), -1)
            if known == -1:
                stack.append(found.start())
            elif known is None or src[known] != ")":
                stop = known
                break
            else:
                pos = known + 1
                continue
        else:
            memo[src, end, stack.pop()] = found.start()
            stop = found.start()
        pos = found.start() + 1
    for unclosed in stack:
        memo[src, end, unclosed] = stop
    return memo[src, end, opening]


def kramdown_link(state: StateInline, silent: bool) -> bool:
    """Inline rule, after CommonMark's ``link`` and ``image``: ``[text](target)`` and
    ``![alt](target)`` with a target CommonMark refuses but kramdown reads
    (``parser/kramdown/link.rb``): any characters, spaces too, up to the ``)`` that
    balances the ``(`` or a quoted title (``![图](my image.png)``, ``[文](a b.html "t")``).
    Targets longer than :data:`MAX_LINK_TARGET` characters are not read (the text stays).
    """
    src, pos, end = state.src, state.pos, state.posMax
    image = src.startswith("![", pos)
    opening = pos + 1 if image else pos
    if src[opening] != "[" or src.startswith("^", opening + 1):
        return False
    label_end = state.md.helpers.parseLinkLabel(state, opening, not image)
    if label_end < 0 or not src.startswith("(", label_end + 1):
        return False
    stop = _target_end(state, label_end + 1)
    close, target = -1, ""
    if stop is not None and src[stop] == ")":
        close, target = stop + 1, src[label_end + 2 : stop]
    elif stop is not None:
        title = _LINK_TITLE.match(src, stop, end)
        if title:
            close, target = title.end(), src[label_end + 2 : stop]
    if close < 0:
        return False
    if not silent:
        target = target.strip()
        if image:
            token = state.push("image", "img", 0)
            token.attrs = {"src": target, "alt": ""}
            token.content = src[opening + 1 : label_end]
            token.children = []
        else:
            state.push("link_open", "a", 1).attrs = {"href": target}
            old_max = state.posMax
            state.pos, state.posMax = opening + 1, label_end
            state.linkLevel += 1
            state.md.inline.tokenize(state)
            state.linkLevel -= 1
            state.posMax = old_max
            state.push("link_close", "a", -1)
    state.pos = close
    return True
