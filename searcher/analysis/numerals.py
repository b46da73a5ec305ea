"""Quantities in two systems: a query's Chinese numerals as Arabic digits and back.

Chinese news writes one quantity both ways (issue #20): ``四季度`` and ``4季度``,
``第五届`` and ``第5届``, ``二〇二五年`` and ``2025年``, ``十二万`` and ``12万``.
:func:`numeral_forms` gives the other spellings of a query word, and the query layer
adds them as alternatives of the clause (:mod:`searcher.query.plan`), so each post
is found and highlighted as it writes the quantity. Only the query side changes: the
index already holds ``4季度`` as the units ``4``, ``季``, ``度``.

The conversion itself is cn2an's (``cn2an.cn2an`` in its ``normal`` mode,
``cn2an.an2cn`` in ``low`` and ``direct`` modes). Where a quantity is, is this
module's rule, measured on the xwlb corpus (19,541 news stories, 9.9 M characters):

* **A quantity** is a run of numeral characters holding at least one digit character
  (〇零一二三四五六七八九两十; so 百万, 千万 and 万万 alone are not numbers), or a run
  of Arabic digits (``1,200``, ``3.5``), optionally followed by 万/亿 (kept as written:
  ``十二万`` ↔ ``12万``), and it must be *either* preceded by 第 (an ordinal) *or*
  followed by a unit of :data:`UNITS` (optionally after 多/余, ``三千多人``), *or* end
  in 万/亿.
* **On word boundaries** (Chinese numerals only): the quantity, from its 第 to the end
  of its unit, must start and end where the segmenter's words do. A numeral inside a
  longer dictionary word is part of an idiom or a name and is left alone: ``一年四季度过``
  (一年四季 | 度过), ``三个代表``, ``一次性``, ``五年级``, ``第一书记``, ``一把手``,
  ``三番五次``. Idioms and names without a unit after their numeral never qualify:
  ``三心二意``, ``四川``, ``一带一路``, ``一国两制``, ``十全十美``, ``万一``, ``一些``,
  ``统一``, ``五四运动``, ``十四五``. Two neighbouring digits are an estimate, not one
  number (``三四倍``, ``四五年``), unless four of them make a year; and a few words
  after a quantity make it something else (:data:`NOT_BEFORE`: ``二次会议``, ``第一时间``).
* **Which Chinese spelling** a number gets (measured as the corpus writes it):
  a four-digit number from 1000 to 2999 before 年 is a year, digit by digit with 〇
  (``二〇二五年``: 18 times, ``二零二五年`` and ``两千零二十五年`` never); one that ends
  in 00 may also be a count of years (``2000年`` → also ``两千年``), and larger ones are
  counts (``5000年`` → ``五千年``, 10 times, ``五〇〇〇年`` never). A count of two is 两,
  not cn2an's 二 (``两个`` 2,263 against ``二个`` 1, ``两万`` 51 against ``二万`` 1,
  ``两千`` 33 against 0), except as an ordinal (``第二``) and before the units that
  number rather than count (:data:`ORDINAL_UNITS`: ``二季度`` 61 against ``两季度`` 1,
  ``二期`` 164 against 3, ``二月``, ``二日``).

Measured on xwlb by ``bench/numerals.py`` (2026-12-06; titles and bodies cut into
953,333 clauses at punctuation): the rule converts 42,607 Chinese numeral quantities
(1,316 distinct spellings) and refuses 7,386 candidates that stand inside a longer
word (零部件, 第三方, 二十四节气, 新一轮, …). Of a random sample of 250 conversions
(``--seed 21``), judged by hand, 247 are the same quantity read the same way in digits
(**precision 98.8%**); the three that are not: a line of poetry (大鹏一日同风起 → 1日),
两级 "two tiers" (→ 2级, a grade), 第三地 "a third place" (→ 第3地). A further 27
of the 250 are counts in set phrases (两个维护, 四个意识, 一个中国原则, 八项规定) whose
digit spellings xwlb never uses, so their alternative finds nothing more. Arabic
digits are always numbers, but a Chinese spelling, matched as a run of units, also
occurs inside a longer numeral or word: of the literal occurrences in xwlb of the 300
most frequent spellings made from its digit quantities, 74.5% (11,905 of 15,990) are
that quantity where they stand; the rest are mostly inside longer numerals and
ordinals (``五个`` in 十五个, ``十年`` in 二十年, ``四次`` in 第四次). Digits have the
like within ordinals only (``2个`` in 第2个): a number is one unit, so ``12个`` is not
``2个``.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from .folding import fold
from .segmenters import Segmenter

#: Units and measure words a quantity may end with, longest first where one begins
#: another. Chosen from what follows Arabic digits in xwlb: these cover 94.3% of the
#: 149,490 digit runs followed by a CJK character (the rest are words such as 至, 中,
#: 大, 的, not units). Left out on purpose, because with 一 or 十 they are common words
#: that are not quantities (counts in xwlb): 时 (``一时`` 165, mostly "for a while"),
#: 点 (``一点``, and the decimal point), 分 (``十分`` 396, "very"), 度 (``一度`` 316,
#: "once"), 起 (``一起`` 1,122, "together"), 周 (``四周``, "all around"), 道
#: (``一道`` 1,739, "together"), 下, 些, 把, 线; and 国 (``一国两制``).
UNITS: tuple[str, ...] = tuple(
    sorted(
        """
        年代 年度 年 个月 月份 月 日 号 季度 小时 分钟 秒 天 周年 世纪 岁
        个 名 人次 人 家 项 届 次 例 架 列 枚 处 种 倍 位 座 部 件 场 台 支 所 艘 类
        辆 户 批 期 只 颗 套 组 集 篇 栋 章 款 轮 张 份 具 头 首 节 块 层 株 册 片 幅
        条 级 票 代 版 强
        米 公里 千米 厘米 毫米 平方米 平方公里 立方米 公顷 亩 吨 公斤 千克 克 斤
        元 美元 欧元 千瓦时 千瓦 兆瓦 千伏 摄氏度
        """.split(),
        key=len,
        reverse=True,
    )
)

#: Units after which a 2 is read 二 (a number in a series), not 两 (a count): measured
#: in xwlb, ``二季度`` 61 / ``两季度`` 1, ``二期`` 164 / 3, ``二级`` 115 / 42,
#: ``二号`` 207 / 0, ``二月`` 12 / 8; dates (日) follow 月.
ORDINAL_UNITS = frozenset({"季度", "期", "级", "号", "月", "月份", "日", "代", "版"})

#: Units after which a four-digit number from 1000 to 2999 is a year, written digit by
#: digit (``二〇二五年``); one that ends in 00 may also be a count (``两千年``).
YEAR_UNITS = frozenset({"年", "年代", "年度"})

#: Words after which a Chinese numeral says something else than its digits would, by
#: the kind of quantity (a count's unit, or 第 for an ordinal without a unit), measured
#: in xwlb: ``二次会议`` without 第 (a congress's session, 十四届全国人大二次会议: 1,319
#: times, against 6 for ``2次会议``) and ``第一时间`` ("at once": 130, ``第1时间`` 0).
NOT_BEFORE: dict[str, tuple[str, ...]] = {"次": ("会议", "全会"), "第": ("时间",)}

_CN_DIGITS = "〇零一二三四五六七八九两十"
_CN_NUMERAL = "〇零一二三四五六七八九两十百千万亿"
_UNIT_RE = "|".join(UNITS)
_CHINESE = re.compile(
    rf"(?P<ord>第)?(?P<num>[{_CN_NUMERAL}]+(?:点[〇零一二三四五六七八九]+[万亿]*)?)"
    rf"(?:(?P<about>[多余])?(?P<unit>{_UNIT_RE}))?"
)
_ARABIC = re.compile(
    rf"(?<![0-9A-Za-z.,/-])(?P<ord>第)?(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?(?![\d.])[万亿]*)"
    rf"(?:(?P<about>[多余])?(?P<unit>{_UNIT_RE}))?"
)
_HAS_CHINESE_DIGIT = re.compile(f"[{_CN_DIGITS}]")
_ANY_NUMERAL = re.compile(rf"[\d{_CN_DIGITS}]")
_MAGNITUDE = re.compile("[万亿]+$")
_ESTIMATE = re.compile("[一二三四五六七八九]{2,}")


@functools.lru_cache(maxsize=4096)
def to_arabic(numeral: str) -> str | None:
    """The digits of a Chinese numeral (no 第, no unit), a trailing 万/亿 kept as
    written; None if cn2an cannot read it.

    >>> to_arabic("十二万"), to_arabic("二〇二五"), to_arabic("三点五亿"), to_arabic("十四五")
    ('12万', '2025', '3.5亿', None)
    """
    import cn2an

    tail = _MAGNITUDE.search(numeral)
    head = numeral[: tail.start()] if tail else numeral
    if not head or not _HAS_CHINESE_DIGIT.search(head):
        return None
    try:
        value = cn2an.cn2an(head, "normal")
    except ValueError:
        return None
    return f"{value}{tail.group() if tail else ''}"


@functools.lru_cache(maxsize=4096)
def to_chinese(number: str, unit: str = "", ordinal: bool = False) -> tuple[str, ...]:
    """The Chinese spellings of a number in digits (no 第, no unit; a trailing 万/亿
    kept as written), the most used first, for a quantity with ``unit`` (one of
    :data:`UNITS` or "") and ``ordinal`` (after 第); () if cn2an cannot read it.

    >>> to_chinese("2025", "年"), to_chinese("2000", "年"), to_chinese("5000", "年")
    (('二〇二五',), ('二〇〇〇', '两千'), ('五千',))
    >>> to_chinese("3.5亿", "元"), to_chinese("1,200"), to_chinese("12万")
    (('三点五亿',), ('一千二百',), ('十二万',))
    >>> to_chinese("2", "个"), to_chinese("2", "季度"), to_chinese("2", "届", True)
    (('两',), ('二',), ('二',))
    """
    import cn2an

    tail = _MAGNITUDE.search(number)
    head = (number[: tail.start()] if tail else number).replace(",", "")
    suffix = tail.group() if tail else ""
    try:
        count = cn2an.an2cn(head, "low")
        forms = [count]
        if unit in YEAR_UNITS and not suffix and head.isdigit() and 1000 <= int(head) < 3000:
            forms = [cn2an.an2cn(head, "direct").replace("零", "〇")]
            if head.endswith("00"):
                forms.append(count)
    except ValueError:
        return ()
    if not ordinal and unit not in ORDINAL_UNITS:
        # a count of two is 两: 两个, 两万, 两千 (but 二十, 二点五)
        forms = [re.sub("^二(?=$|[千万亿])", "两", f) for f in forms]
    return tuple(f + suffix for f in forms)


class Quantity(NamedTuple):
    """A quantity found in a text: ``text[start:end]`` (from its 第 to the end of its
    unit, offsets in characters) and its spellings in the other system, the most used
    first (each from 第 to unit, as it would replace the written one)."""

    start: int
    end: int
    spellings: tuple[str, ...]


def _boundaries(text: str, segmenter: Segmenter) -> set[int]:
    """The offsets in ``text`` where the segmenter's words start or end."""
    out = {0}
    at = 0
    for word in segmenter.cut(text):
        at += len(word)
        out.add(at)
    return out


def _quantity(m: re.Match[str]) -> bool:
    """Whether a match of ``_CHINESE`` or ``_ARABIC`` is a quantity: after 第, before a
    unit, or ending in 万/亿."""
    return bool(m.group("ord") or m.group("unit") or _MAGNITUDE.search(m.group("num")))


def _approximate(m: re.Match[str]) -> bool:
    """Whether a match of ``_CHINESE`` is two neighbouring numbers, an estimate
    (``三四倍``, ``四五年``: three or four), not digits of one number as a year's are
    (``一九四九年``: four digits before 年)."""
    num = m.group("num")
    return bool(_ESTIMATE.fullmatch(num) and not (len(num) == 4 and m.group("unit") in YEAR_UNITS))


def _kind(m: re.Match[str]) -> str:
    """The key of a match in :data:`NOT_BEFORE`: 第 for an ordinal without a unit, the
    unit of a count, "" for an ordinal with a unit."""
    unit = m.group("unit") or ""
    return ("第" if not unit else "") if m.group("ord") else unit


def _spelled(m: re.Match[str], numbers: tuple[str, ...]) -> tuple[str, ...]:
    """Each of ``numbers`` with the match's 第, 多/余 and unit around it."""
    rest = (m.group("about") or "") + (m.group("unit") or "")
    return tuple((m.group("ord") or "") + n + rest for n in numbers)


def chinese_quantities(text: str, segmenter: Segmenter) -> list[Quantity]:
    """The quantities in Chinese numerals in ``text`` (folded), in order, by the rules
    of the module: a numeral after 第, before a unit or ending in 万/亿, on the
    boundaries of ``segmenter``'s words; each with its spelling in digits.

    >>> from searcher.analysis import make_segmenter
    >>> chinese_quantities("今年四季度和一年四季度过", make_segmenter())
    [Quantity(start=2, end=5, spellings=('4季度',))]
    """
    bounds: set[int] | None = None
    out: list[Quantity] = []
    for m in _CHINESE.finditer(text):
        if not _quantity(m) or _approximate(m):
            continue
        if text.startswith(NOT_BEFORE.get(_kind(m), ()), m.end()):
            continue
        digits = to_arabic(m.group("num"))
        if digits is None:
            continue
        if bounds is None:
            bounds = _boundaries(text, segmenter)
        if m.start() in bounds and m.end() in bounds:  # else inside an idiom or a name
            out.append(Quantity(m.start(), m.end(), _spelled(m, (digits,))))
    return out


def arabic_quantities(text: str) -> list[Quantity]:
    """The quantities in Arabic digits in ``text`` (folded), in order: a number after
    第, before a unit or ending in 万/亿; each with its Chinese spellings.

    >>> arabic_quantities("第5届iPhone14")
    [Quantity(start=0, end=3, spellings=('第五届',))]
    >>> arabic_quantities("2000年")
    [Quantity(start=0, end=5, spellings=('二〇〇〇年', '两千年'))]
    """
    out: list[Quantity] = []
    for m in _ARABIC.finditer(text):
        if not _quantity(m):
            continue
        numbers = to_chinese(m.group("num"), m.group("unit") or "", bool(m.group("ord")))
        if numbers:
            out.append(Quantity(m.start(), m.end(), _spelled(m, numbers)))
    return out


def _respell(text: str, quantities: list[Quantity]) -> list[str]:
    """``text`` with each quantity in its first spelling, then one text for each other
    spelling of one quantity (the rest in their first); [] without quantities."""
    if not quantities:
        return []

    def form(swap: int = -1, spelling: str = "") -> str:
        out: list[str] = []
        at = 0
        for i, q in enumerate(quantities):
            out += [text[at : q.start], spelling if i == swap else q.spellings[0]]
            at = q.end
        return "".join(out) + text[at:]

    return [form()] + [
        form(i, spelling) for i, q in enumerate(quantities) for spelling in q.spellings[1:]
    ]


def numeral_forms(text: str, segmenter: Segmenter) -> list[str]:
    """The other spellings of a query word in which its quantities are written in the
    other system, without ``text`` itself; ``[]`` when it holds no quantity.

    ``text`` is one clause's text; the forms are of its :func:`~.folding.fold` without
    case folding (full-width digits are ASCII, traditional characters simplified).
    First the form with every Chinese numeral quantity in digits, then those with the
    Arabic quantities in Chinese numerals (the module gives the rules and their
    measurements). ``segmenter`` is the index's: a Chinese numeral inside a longer
    word of its dictionary is not converted.

    >>> from searcher.analysis import make_segmenter
    >>> seg = make_segmenter()
    >>> numeral_forms("四季度", seg), numeral_forms("第5届", seg)
    (['4季度'], ['第五届'])
    >>> numeral_forms("二〇二五年十二月", seg), numeral_forms("12万", seg)
    (['2025年12月'], ['十二万'])
    >>> numeral_forms("三心二意", seg), numeral_forms("四川", seg)
    ([], [])
    """
    folded = fold(text, case=False)
    if not _ANY_NUMERAL.search(folded):
        return []
    digits = _respell(folded, chinese_quantities(folded, segmenter))
    out = digits + _respell(folded, arabic_quantities(folded))
    for form in digits[:1]:  # other Chinese spellings: 二零二五年 → 二〇二五年, 二个 → 两个
        out += _respell(form, arabic_quantities(form))
    unique: list[str] = []
    for f in out:
        if f not in (text, folded) and f not in unique:
            unique.append(f)
    return unique


__all__ = [
    "NOT_BEFORE",
    "ORDINAL_UNITS",
    "UNITS",
    "YEAR_UNITS",
    "Quantity",
    "arabic_quantities",
    "chinese_quantities",
    "numeral_forms",
    "to_arabic",
    "to_chinese",
]
