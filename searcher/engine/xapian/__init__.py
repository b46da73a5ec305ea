"""The Xapian engine: posts in Xapian databases, one per shard, searched as one
(locally, or served by ``xapian-tcpsrv`` on other machines); the only package that
imports the ``xapian`` bindings (the optional extra ``searcher[xapian]``)."""

from .engine import XapianEngine

__all__ = ["XapianEngine"]
