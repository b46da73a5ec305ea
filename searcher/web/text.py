"""The page's Chinese wording: names of sorts, types, parameters, aids and match rules,
the messages of errors and notices, and dates as the page writes them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import Notice
from ..request import (
    MAX_FILTER_VALUES,
    MAX_SNIPPET_CHARS,
    MIN_SNIPPET_CHARS,
)

SORT_NAMES = {"relevance": "相关度", "newest": "最新", "oldest": "最早"}
#: The page's names of document types; a collection is shown by its own name.
TYPE_NAMES = {"post": "文章", "page": "页面"}
PARAM_NAMES = {
    "since": "开始日期",
    "until": "结束日期",
    "page": "页码",
    "limit": "每页条数",
    "sort": "排序",
    "recency": "时效",
    "q": "查询",
    "category": "分类",
    "tag": "标签",
    "type": "类型",
    "snippet": "摘要长度",
    "match": "匹配方式",
    "collapse": "合并相似报道",
}
#: The page's Chinese name of each aid that can find a hit besides the literal words
#: (:attr:`searcher.results.Hit.matched_by`, issue #21).
AID_NAMES = {"regional": "地区用词", "synonym": "同义词", "pinyin": "拼音"}
#: The page's Chinese name of each matching rule (:mod:`searcher.query.relax`).
MATCH_NAMES = {
    "exact": "完整匹配",
    "near": "相近匹配（词的各部分相距很近）",
    "words": "部分匹配（不要求每个词）",
}
#: The page's Chinese text for each error and notice code (QueryError.code, Notice.code).
MESSAGES = {
    "bad_date": "{name}“{value}”不是有效日期（格式：年-月-日，如 2024-03-15），已忽略。",
    "date_order": "开始日期晚于结束日期，已忽略日期范围。",
    "bad_sort": "排序方式“{value}”无效，已按相关度排序。",
    "bad_match": "匹配方式“{value}”无效，已按默认方式匹配。",
    "bad_collapse": "合并相似报道“{value}”无效（应为 1 或 0），已合并显示。",
    "bad_page": "页码“{value}”无效，已显示第 1 页。",
    "bad_limit": "每页条数“{value}”无效，已忽略。",
    "internal_error": "服务器出错了，请稍后再试。",
    "index_unavailable": "搜索索引暂时无法使用，请稍后再试。",
    "busy": "同时进行的多条件搜索太多，请稍后再试。",
    "bad_recency": "时效“{value}”无效（应为大于 0 的天数），已忽略。",
    "bad_snippet_chars": (
        f"摘要长度“{{value}}”无效（应为 {MIN_SNIPPET_CHARS} 到 {MAX_SNIPPET_CHARS} 的整数），"
        "已按默认长度显示。"
    ),
    "bad_value": "{name}“{value}”无效，已忽略。",
    "too_many_values": (
        f"{{name}}筛选最多 {MAX_FILTER_VALUES} 个，收到 {{value}} 个，"
        f"只用了前 {MAX_FILTER_VALUES} 个。"
    ),
    "repeated_param": "参数“{name}”出现了 {value} 次，只用了第一个。",
    "query_cut": "查询过长，只搜索了前 {chars} 个字符。",
    "common_words_only": "查询只含常用词（{words}），按字面匹配，结果会很多。",
    "nothing_to_search": "查询中没有可搜索的内容（字母、数字或汉字）。",
    "recency_ignored": "时效只影响按相关度排序，当前按{sort}排序，未使用。",
    "relaxed_near": "没有找到完整的“{query}”，以下结果包含相距不超过 {window} 个字的“{parts}”。",
    "relaxed_words": "没有找到完整的“{query}”，以下结果包含“{kept}”，不一定包含“{dropped}”。",
    "looser_near": "除完整包含“{query}”的结果外，以下还包括相距不超过 {window} 个字的“{parts}”。",
    "looser_words": (
        "除完整包含“{query}”的结果外，以下还包括含“{kept}”、不一定含“{dropped}”的结果。"
    ),
    "synonyms_used": "同时搜索了同义词：{words}。",
    "pinyin_used": "同时按拼音搜索了：{words}。",
    "shards_missing": "有 {shards} 个分片暂时无法连接，结果不完整。",
    "search_stopped": (
        "搜索超过 {seconds} 秒，已提前结束：总数、筛选计数和排序只涵盖已找到的 {total} 篇。"
    ),
}


def message(code: str, english: str = "", **params: Any) -> str:
    """The page's Chinese text for an error or notice ``code``, its placeholders filled
    from ``params`` (``name`` from :data:`PARAM_NAMES` when ``param`` is given); the
    ``english`` text when the code has none."""
    template = MESSAGES.get(code)
    if template is None:
        return english
    values = {k: str(v) for k, v in params.items()}
    values.setdefault("name", PARAM_NAMES.get(str(params.get("param", "")), ""))
    if "sort" in values:
        values["sort"] = SORT_NAMES.get(values["sort"], values["sort"])
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return english


def cn_date(moment: dt.datetime | None, with_time: bool = False) -> str:
    """``2024年3月5日`` (``2024年3月5日 08:30`` with ``with_time``), ``无日期`` for None."""
    if moment is None:
        return "无日期"
    text = f"{moment.year}年{moment.month}月{moment.day}日"
    return f"{text} {moment:%H:%M}" if with_time else text


def notice_text(notice: str) -> str:
    """The page's Chinese text for a notice (its English text if it has no code)."""
    if isinstance(notice, Notice):
        return message(notice.code, str(notice), **notice.params)
    return str(notice)
