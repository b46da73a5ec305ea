"""The version of searcher (one place; the package and the unchanged-run fingerprint read it)."""

__version__ = "0.1.0"
