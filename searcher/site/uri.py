"""URI normalisation as Addressable 2.8 does it: what Jekyll's ``absolute_url`` writes.

Jekyll 4.3's ``absolute_url`` and ``relative_url`` filters pass every URL through
``Addressable::URI.parse(…).normalize`` (``filters/url_filters.rb``). :func:`normalize_uri`
is that method, ported from Addressable 2.8.1 (the version Jekyll 4.3.1 runs with on
Debian) and checked against it in ``tests/test_site_jekyll.py``:

* the scheme and host are lowercased (``https://Terminus2049.github.io`` →
  ``https://terminus2049.github.io``), the host's percent-escapes decoded, a non-ASCII
  host label written in punycode (``例子.中国`` → ``xn--fsqu00a.xn--fiqs8s``), one
  trailing dot of the host dropped, the scheme's default port dropped (``:443`` for
  ``https``, ``:80`` for ``http``; ``:0443`` is 443);
* the path keeps its case; each segment has every escape decoded, is put in Unicode
  NFKC form (full-width ``（Ｃ＋＋）`` → ``(C++)``, as Addressable's own tables do it:
  Unicode 3.2 less the 43 ranges of later mappings they lack) and is re-encoded,
  upper-case, where a path segment does not allow the character; ``.`` and ``..``
  segments are removed; an empty ``http(s)`` path is ``/``;
* the query and fragment are normalised likewise (an empty one dropped).

Addressable refuses some URLs (a scheme not matching ``[a-z][a-z0-9+.-]*``, a port that
is not a number, a host with spaces or ``<>{}\\/?#@"``): :class:`UriError`, with
Addressable's message.

>>> normalize_uri("HTTPS://Terminus2049.GitHub.io:443/Blog/%e4%b8%ad/./（一）.html")
'https://terminus2049.github.io/Blog/%E4%B8%AD/(%E4%B8%80).html'
"""

from __future__ import annotations

import bisect
import re
import unicodedata

from searcher.errors import SearcherError

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_UNRESERVED = frozenset(_ALNUM + "-._~")
_SUB_DELIMS = frozenset("!$&'()*+,;=")
_PCHAR = _UNRESERVED | _SUB_DELIMS | frozenset(":@")
_HOST = _UNRESERVED | _SUB_DELIMS | frozenset("[:]")
_SCHEME = frozenset(_ALNUM + "+-.")
_FRAGMENT = _PCHAR | frozenset("/?")
_QUERY = frozenset(_ALNUM + "-._~!$'()*+,=:@/?")  # "%" is handled apart
_DEFAULT = _UNRESERVED | _SUB_DELIMS | frozenset(":/?#[]@")
#: Addressable's ``PORT_MAPPING``: the default port of each scheme, dropped.
PORTS = {
    "http": 80, "https": 443, "ftp": 21, "tftp": 69, "sftp": 22, "ssh": 22, "svn+ssh": 22,
    "telnet": 23, "nntp": 119, "gopher": 70, "wais": 210, "ldap": 389, "prospero": 1525,
}  # fmt: skip
_URI = re.compile(r"^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?$", re.DOTALL)
_ESCAPE = re.compile(rb"%[0-9a-fA-F]{2}")
_RUBY_SPACE = " \t\n\v\f\r\0"
#: Characters Unicode 3.2 maps under NFKC but Addressable's tables leave as they are.
_NOT_MAPPED = (
    (0x03F4, 0x03F5), (0x2047, 0x2047), (0x2057, 0x2057), (0x205F, 0x205F),
    (0x2071, 0x2071), (0x213D, 0x2140), (0x2145, 0x2149), (0x2A0C, 0x2A0C),
    (0x2A74, 0x2A76), (0x2ADC, 0x2ADC), (0x309F, 0x309F), (0x30FF, 0x30FF),
    (0x3251, 0x325F), (0x32B1, 0x32BF), (0xFA30, 0xFA6A), (0xFB1D, 0xFB1D),
    (0xFDFC, 0xFDFC), (0xFF5F, 0xFF60), (0x1D15E, 0x1D164), (0x1D1BB, 0x1D1C0),
    (0x1D400, 0x1D454), (0x1D456, 0x1D49C), (0x1D49E, 0x1D49F), (0x1D4A2, 0x1D4A2),
    (0x1D4A5, 0x1D4A6), (0x1D4A9, 0x1D4AC), (0x1D4AE, 0x1D4B9), (0x1D4BB, 0x1D4BB),
    (0x1D4BD, 0x1D4C0), (0x1D4C2, 0x1D4C3), (0x1D4C5, 0x1D505), (0x1D507, 0x1D50A),
    (0x1D50D, 0x1D514), (0x1D516, 0x1D51C), (0x1D51E, 0x1D539), (0x1D53B, 0x1D53E),
    (0x1D540, 0x1D544), (0x1D546, 0x1D546), (0x1D54A, 0x1D550), (0x1D552, 0x1D6A3),
    (0x1D6A8, 0x1D7C9), (0x1D7CE, 0x1D7FF), (0x2F800, 0x2FA1D),
)  # fmt: skip
#: Where Addressable's table differs from Unicode 3.2 (its pre-4.0 mapping of U+F951).
_OWN_MAPPING = {"\uf951": "\u96fb"}


class UriError(SearcherError):
    """Addressable refuses the URI (``Addressable::URI::InvalidURIError``)."""


_NOT_MAPPED_STARTS = [low for low, _ in _NOT_MAPPED]


def _kept(ch: str) -> bool:
    code = ord(ch)
    i = bisect.bisect_right(_NOT_MAPPED_STARTS, code) - 1
    return ch in _OWN_MAPPING or (i >= 0 and code <= _NOT_MAPPED[i][1])


def nfkc(text: str) -> str:
    """Addressable's ``IDNA.unicode_normalize_kc``: NFKC with Unicode 3.2's tables, less
    the characters its own tables do not map (:data:`_NOT_MAPPED`, U+F951).

    >>> nfkc("Ｃ＋＋（上）　①")
    'C++(上) 1'
    """
    if text.isascii():
        return text
    out: list[str] = []
    run: list[str] = []
    for ch in text:
        if ord(ch) < 0x3F4 or not _kept(ch):
            run.append(ch)
            continue
        out.append(unicodedata.ucd_3_2_0.normalize("NFKC", "".join(run)))
        out.append(_OWN_MAPPING.get(ch, ch))
        run = []
    out.append(unicodedata.ucd_3_2_0.normalize("NFKC", "".join(run)))
    return "".join(out)


def _unencode(data: bytes, leave: bytes = b"") -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        byte = bytes([int(match.group()[1:], 16)])
        return match.group() if byte in leave else byte

    return _ESCAPE.sub(one, data)


def _encode(data: bytes, allowed: frozenset[str], percent_before_2b: bool = False) -> str:
    out: list[str] = []
    for i, byte in enumerate(data):
        ch = chr(byte)
        if ch in allowed and byte < 0x80:
            out.append(ch)
        elif percent_before_2b and ch == "%" and data[i + 1 : i + 3].lower() == b"2b":
            out.append(ch)
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def normalize_component(component: str, allowed: frozenset[str], leave: str = "") -> str:
    """Addressable's ``normalize_component``: every escape decoded (except of the
    characters in ``leave``), NFKC (:func:`nfkc`), and the bytes of each character not
    in ``allowed`` percent-encoded in upper case. Text that is not UTF-8 once decoded is
    only re-encoded, keeping reserved characters (Addressable's ``ArgumentError`` path).
    """
    raw = _unencode(component.encode("utf-8", "surrogateescape"), leave.encode())
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _encode(raw, _DEFAULT)
    encoded = _encode(nfkc(text).encode("utf-8"), allowed, percent_before_2b=bool(leave))
    if leave:  # Addressable upper-cases the escapes it left alone
        encoded = re.sub(r"%2b", "%2B", encoded)
    return encoded


def _host(host: str) -> str:
    stripped = host.strip(_RUBY_SPACE)
    if not stripped:
        return ""
    raw = _unencode(stripped.lower().encode("utf-8", "surrogateescape"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", "surrogateescape")
    else:
        text = _to_ascii(text)
    if re.search(r"[^.]\.$", text):
        text = text[:-1]
    return normalize_component(text, _HOST)


def _to_ascii(host: str) -> str:
    """Addressable's pure-Ruby ``IDNA.to_ascii``: each non-ASCII label → ``xn--`` and
    the punycode of its NFKC form (Ruby's ``split(".")`` drops empty trailing labels)."""
    if host.isascii() or any(ord(c) < 0x20 and c not in "\t\n\r" or c == "\x7f" for c in host):
        return host
    labels = host.lower().split(".")
    while labels and not labels[-1]:
        labels.pop()
    return ".".join(
        label if label.isascii() else "xn--" + nfkc(label).encode("punycode").decode("ascii")
        for label in labels
    )


def _remove_dot_segments(path: str) -> str:
    """Addressable's ``URI.normalize_path`` (RFC 3986 5.2.4, its own way), rule by rule."""
    while True:
        new = re.sub(r"/\./|/\.$", "/", path)
        if new == path:
            pair = re.search(r"/([^/]*)/\.\./|/([^/]*)/\.\.$", path)
            if pair:
                parent, current = pair.group(1), pair.group(2)
                if (parent not in (".", "..")) or (current not in (".", "..")):
                    rule = rf"/{re.escape(parent or '')}/\.\./|(/{re.escape(current or '')}/\.\.$)"
                    new = re.sub(rule, "/", path)
        if new == path:
            new = re.sub(r"^\.\.?/?", "", path, count=1)
        if new == path:
            new = re.sub(r"^/\.\.?/|^(/\.\.?)+/?$", "/", path)
        if new == path:
            return path
        path = new


#: A URL that normalises to itself: a lowercase http(s) scheme and ASCII host without
#: port (or no authority at all, so no leading ``//``), then path segments of characters
#: Addressable leaves as they are (unreserved, sub-delims, ``:`` and ``@``; no ``%``),
#: none of them ``.`` or ``..``.
_NORMAL = re.compile(
    r"(?:https?://[a-z0-9-]+(?:\.[a-z0-9-]+)*|(?!//))(?:/[A-Za-z0-9\-._~!$&'()*+,;=:@]*)+"
)
_DOT_SEGMENT = re.compile(r"/\.\.?(?:/|$)")


def normalize_uri(text: str) -> str:
    """``Addressable::URI.parse(text).normalize.to_s`` (see the module's rules).

    Raises :class:`UriError` where Addressable raises ``InvalidURIError``.

    >>> normalize_uri("https://例子.中国:8080//zh/a b")
    'https://xn--fsqu00a.xn--fiqs8s:8080//zh/a%20b'
    """
    if _NORMAL.fullmatch(text) and not _DOT_SEGMENT.search(text):
        return text  # already normal: most URLs of a site, at a fraction of the cost
    return _normalize(text)


def _normalize(text: str) -> str:
    """:func:`normalize_uri` without its fast path."""
    match = _URI.match(text)
    assert match is not None  # every part of the pattern is optional
    scheme, authority, path = match.group(2), match.group(4), match.group(5)
    query, fragment = match.group(7), match.group(9)
    if scheme is not None and not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9.+-]*", scheme):
        raise UriError(f"Invalid scheme format: '{scheme}'")
    norm_scheme = None
    if scheme is not None:
        lowered = scheme.strip(_RUBY_SPACE).lower()
        norm_scheme = "svn+ssh" if lowered == "ssh+svn" else normalize_component(lowered, _SCHEME)
    parts = [f"{norm_scheme}:" if norm_scheme is not None else ""]
    if authority is not None:
        parts.append("//" + _authority(authority, norm_scheme))
    parts.append(_path(path, scheme, authority is not None, norm_scheme))
    if query is not None:
        pairs = [normalize_component(pair, _QUERY, "+") for pair in query.split("&")]
        if "&".join(pairs):
            parts.append("?" + "&".join(pairs))
    if fragment is not None:
        normalized = normalize_component(fragment, _FRAGMENT)
        if normalized:
            parts.append("#" + normalized)
    return "".join(parts)


def _authority(authority: str, scheme: str | None) -> str:
    userinfo_match = re.match(r"^([^\[\]]*)@", authority)
    host = re.sub(r"^([^\[\]]*)@", "", authority, count=1)
    port_match = re.search(r":([^:@\[\]]*?)$", host)
    host = re.sub(r":([^:@\[\]]*?)$", "", host, count=1)
    if re.search(r"[<>{}/\\?#@\"\s]", host):
        raise UriError(f"Invalid character in host: '{host}'")
    port: int | None = None
    if port_match and port_match.group(1):
        digits = _unencode(port_match.group(1).encode("utf-8", "surrogateescape"))
        if not re.fullmatch(rb"\d+", digits):
            raise UriError(f"Invalid port number: {port_match.group(1)!r}")
        port = int(digits) or None
    out = ""
    if userinfo_match:
        out = _userinfo(userinfo_match.group(1).strip(_RUBY_SPACE), scheme or "")
    out += _host(host)
    if port is not None and PORTS.get(scheme or "") != port:
        out += f":{port}"
    return out


def _userinfo(userinfo: str, scheme: str) -> str:
    """``normalized_userinfo`` and ``@``: a blank user or password of an ``http(s)`` URL
    is dropped; a password without a user drops both."""
    user = re.match(r"^([^:]*):?", userinfo).group(1)  # type: ignore[union-attr]
    password_match = re.search(r":(.*)$", userinfo)
    password = password_match.group(1) if password_match else None
    web = re.search("https?", scheme) is not None
    blank_user = not user.strip(_RUBY_SPACE)
    blank_password = password is None or not password.strip(_RUBY_SPACE)
    if web and blank_user and blank_password:
        return ""
    out = normalize_component(user.strip(_RUBY_SPACE), _UNRESERVED)
    if password is not None:
        out += ":" + normalize_component(password.strip(_RUBY_SPACE), _UNRESERVED)
    return out + "@"


def _path(path: str, scheme: str | None, has_authority: bool, norm_scheme: str | None) -> str:
    if scheme is None and re.match(r"^(?!/)[^/:]*:", path):
        path = path.replace(":", "%2F", 1)  # Addressable's guard against a scheme-like path
    segments = path.strip(_RUBY_SPACE).split("/")
    result = _remove_dot_segments("/".join(normalize_component(s, _PCHAR) for s in segments))
    if not result and norm_scheme in ("http", "https", "ftp", "tftp"):
        result = "/"
    if result and not result.startswith("/") and has_authority:
        result = "/" + result
    return result
