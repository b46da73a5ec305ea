"""The fast path of ``normalize_uri``: a URL it returns unchanged is one Addressable's
rules (the full normalisation, checked against Jekyll in tests/test_site_jekyll.py)
also leave unchanged."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from searcher.site.uri import _NORMAL, UriError, _normalize, normalize_uri

SEGMENT = st.text(alphabet="aZ09-._~!$&'()*+,;=:@%/é ", max_size=12)
HOST = st.sampled_from(["", "https://example.com", "http://a-b.example.org", "https://A.com"])


@given(HOST, st.lists(SEGMENT, min_size=1, max_size=4))
def test_fast_path_agrees_with_the_full_normalisation(host: str, segments: list[str]) -> None:
    text = host + "".join("/" + segment for segment in segments)
    assert outcome(normalize_uri, text) == outcome(_normalize, text)


def outcome(normalize: Callable[[str], str], text: str) -> str:
    """The normalised URL, or the error Addressable's rules raise (``//`` + a bad host)."""
    try:
        return normalize(text)
    except UriError as error:
        return f"UriError: {error}"


def test_fast_path_is_taken_for_ordinary_urls_only() -> None:
    assert _NORMAL.fullmatch("https://news.example.org/zh/2022/03/01/tree.html")
    assert not _NORMAL.fullmatch("//Example.COM/a.html")  # an authority, not a path
    assert not _NORMAL.fullmatch("https://Example.com/a")  # the host is lowercased
    assert not _NORMAL.fullmatch("https://example.com:443/a")  # the port is dropped
    assert normalize_uri("https://example.com/a/./b/../c") == "https://example.com/a/c"
