"""Ruby 3.1's ``Time`` arithmetic, as Jekyll's dates go through it.

Jekyll reads a front matter date with Psych (``Time.utc``/``Time.new`` on the fields of a
YAML timestamp) and ``Time.parse`` (``Time.make_time``); both accept some fields outside
the calendar and carry them over. Ported from Ruby 3.1's ``time.rb`` and ``time.c``,
measured against ``jekyll build`` 4.3.1 and Ruby in ``tests/test_site_jekyll.py``:

* :func:`civil`: ``Time.utc``/``Time.local``'s fields: month 1–12, day 1–31 (past the
  month's end it runs on into the next: February 30 is March 1 or 2), hour 0–24 (24
  only at ``24:00:00``), minute 0–59, second 0–60 (60 is the next minute).
* :func:`apply_offset`: ``Time.apply_offset``, which carries hours (and minutes, when the
  offset has minutes) into days, so ``29:39:08 +0800`` is 21:39:08 UTC.
* :func:`zone_offset`: the zones ``Time.parse`` knows.

>>> civil([2020, 3, 19, 29, 39, 8])
Traceback (most recent call last):
...
searcher.site.rubytime.RubyTimeError: hour 29 out of range
>>> civil(apply_offset([2020, 3, 19, 29, 39, 8], 8 * 3600))
datetime.datetime(2020, 3, 19, 21, 39, 8)
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

#: Ruby's ``Time::ZoneOffset`` (hours): the zone names ``Time.parse`` knows.
_ZONE_HOURS = {
    "UTC": 0, "Z": 0, "UT": 0, "GMT": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    **{letter: hours + 1 for hours, letter in enumerate("ABCDEFGHI")},
    **{letter: hours + 10 for hours, letter in enumerate("KLM")},
    **{letter: -hours - 1 for hours, letter in enumerate("NOPQRSTUVWXY")},
}  # fmt: skip
_NUMERIC_ZONE = re.compile(r"([+-])(\d\d)(:?)(\d\d)(?:\3(\d\d))?")
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class YearOutOfRange(Exception):
    """The fields are fine for Ruby, but the year is outside Python's 1–9999."""


class RubyTimeError(ValueError):
    """Ruby's ``Time`` refuses the fields (``ArgumentError``); the message says which
    (``hour 29 out of range``)."""


def zone_offset(name: str, year: int, zone: ZoneInfo) -> int | None:
    """Ruby's ``Time.zone_offset``: seconds east of UTC, or None for an unknown zone."""
    upper = name.upper()
    numeric = _NUMERIC_ZONE.fullmatch(upper)
    if numeric:
        sign = -1 if numeric.group(1) == "-" else 1
        h, m, s = int(numeric.group(2)), int(numeric.group(4)), int(numeric.group(5) or 0)
        return sign * ((h * 60 + m) * 60 + s)
    if re.fullmatch(r"[+-]\d\d", upper):
        return int(upper) * 3600
    if upper in _ZONE_HOURS:
        return _ZONE_HOURS[upper] * 3600
    for month in (1, 7):  # the site zone's own abbreviation (JST under Asia/Tokyo)
        try:
            local = dt.datetime(year, month, 1, tzinfo=zone)
            if (local.tzname() or "").upper() == upper:
                offset = local.utcoffset()
                return int(offset.total_seconds()) if offset is not None else None
        except (ValueError, OverflowError):
            return None
    return None


def month_days(year: int, month: int) -> int | None:
    """Ruby's ``Time.month_days`` (its table indexed by ``month - 1``; nil past it)."""
    if not -12 <= month - 1 < 12:
        return None
    leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
    return 29 if leap and (month - 1) % 12 == 1 else _MONTH_DAYS[month - 1]


def apply_offset(fields: list[int], off: int) -> list[int]:
    """Ruby 3.1's ``Time.apply_offset``, line for line: the fields (year, month, day,
    hour, minute, second) minus ``off`` seconds, carrying only at the levels where the
    offset has a non-zero part."""
    year, mon, day, hour, minute, sec = fields
    if off < 0:
        off = -off
        off, o = divmod(off, 60)
        if o:
            sec += o
            o, sec = divmod(sec, 60)
            off += o
        off, o = divmod(off, 60)
        if o:
            minute += o
            o, minute = divmod(minute, 60)
            off += o
        off, o = divmod(off, 24)
        if o:
            hour += o
            o, hour = divmod(hour, 24)
            off += o
        if off:
            day += off
            days = month_days(year, mon)
            if days is not None and days < day:
                mon, day = mon + 1, 1
                if mon > 12:
                    mon, year = 1, year + 1
    elif off > 0:
        off, o = divmod(off, 60)
        if o:
            sec -= o
            o, sec = divmod(sec, 60)
            off -= o
        off, o = divmod(off, 60)
        if o:
            minute -= o
            o, minute = divmod(minute, 60)
            off -= o
        off, o = divmod(off, 24)
        if o:
            hour -= o
            o, hour = divmod(hour, 24)
            off -= o
        if off:
            day -= off
            if day < 1:
                mon -= 1
                if mon < 1:
                    mon, year = 12, year - 1
                day = month_days(year, mon) or 31
    return [year, mon, day, hour, minute, sec]


def civil(fields: list[int], micro: int = 0) -> dt.datetime:
    """Ruby's ``Time.utc``/``Time.local`` fields as a naive datetime: month 1–12, day
    1–31 (past the month's end it runs on into the next), hour 0–24 (24 only at
    ``24:00:00``), minute 0–59, second 0–60; raises :class:`RubyTimeError` otherwise,
    :class:`YearOutOfRange` for a year outside 1–9999."""
    year, mon, day, hour, minute, sec = fields
    for name, value, low, high in (
        ("month", mon, 1, 12),
        ("day", day, 1, 31),
        ("hour", hour, 0, 24),
        ("minute", minute, 0, 59),
        ("second", sec, 0, 60),
    ):
        if not low <= value <= high:
            raise RubyTimeError(f"{name} {value} out of range")
    if hour == 24 and (minute or sec or micro):
        raise RubyTimeError(f"hour 24 with {minute:02d}:{sec:02d} after it")
    if not 1 <= year <= 9999:
        raise YearOutOfRange
    try:
        start = dt.datetime(year, mon, 1)
        return start + dt.timedelta(
            days=day - 1, hours=hour, minutes=minute, seconds=sec, microseconds=micro
        )
    except OverflowError:
        raise YearOutOfRange from None


def rolled_fields(fields: list[int]) -> str:
    """The fields outside the calendar that Ruby carries over, as words, or ``""``."""
    year, mon, day, hour, minute, sec = fields
    days = month_days(year, mon) if 1 <= mon <= 12 else None
    parts = []
    if days is not None and days < day <= 31:
        parts.append(f"day {day} of a {days}-day month")
    if hour >= 24:
        parts.append(f"hour {hour}")
    if minute >= 60:
        parts.append(f"minute {minute}")
    if sec >= 60:
        parts.append(f"second {sec}")
    return ", ".join(parts)
