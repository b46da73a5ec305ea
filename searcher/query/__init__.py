"""Queries above any engine: the syntax readers type (:mod:`.syntax`), the plan of what
it means (:mod:`.plan`), which an engine compiles and runs, and the looser plans tried
when nothing matches it (:mod:`.relax`).

>>> from searcher.analysis import make_segmenter
>>> p = plan_query(parse("量子芯片 光刻机"), make_segmenter())
>>> p.rule, p.proximity, p.match_all
('exact', [[('量', '子', '芯', '片'), ('光', '刻', '机')]], False)
"""

from .plan import QueryPlan, plan_query
from .syntax import Clause, ParsedQuery, parse

__all__ = ["Clause", "ParsedQuery", "QueryPlan", "parse", "plan_query"]
