"""Queries above any engine: the syntax readers type (:mod:`.syntax`) and the plan of
what it means (:mod:`.plan`), which an engine compiles and runs.

>>> from searcher.analysis import make_segmenter
>>> p = plan_query(parse("量子芯片"), make_segmenter())
>>> p.proximity, p.match_all
([[('量', '子'), ('芯', '片')]], False)
"""

from .plan import QueryPlan, plan_query
from .syntax import Clause, ParsedQuery, parse

__all__ = ["Clause", "ParsedQuery", "QueryPlan", "parse", "plan_query"]
