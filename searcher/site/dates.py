"""Dates with Jekyll's rules: front matter dates, dates from file names, the site zone.

Every date becomes an aware datetime converted to the site time zone, as Jekyll does
(``Time#localtime`` under the config's ``timezone``), so that ``.date()`` is the site's
local day and permalinks use local date parts (C8, C12).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from .frontmatter import UTCTimestamp, key_line, scalar_text
from .options import DEFAULT_TIMEZONE
from .rubytime import (
    RubyTimeError,
    YearOutOfRange,
    apply_offset,
    civil,
    rolled_fields,
    zone_offset,
)

#: What searcher reads as one date (a subset of what Ruby's ``Date._parse`` reads, plus
#: Chinese ``年月日`` and full-width colons): the day; a time, which may follow a stray
#: sign (``2020-03-19 +08:00`` is 08:00 to Ruby) and whose hour may be any number
#: (``29:39``); a zone after a time; after a bare day, a zone-like word Ruby ignores.
_DATE_VALUE = re.compile(
    r"(\d{4})(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})日?"
    r"(?:(?:[Tt]|[ \t]*)[+-]?(\d+)[:：](\d{1,2})(?:[:：](\d{1,2})(?:[.,](\d+))?)?"
    r"(?:[ \t]*([A-Za-z]+(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?))?"
    r"|(?:[Tt]|[ \t]*)(?:[A-Za-z]+|[+-]\d{1,4}))?"
)
_QUOTED_VALUE = re.compile(r"^date[ \t]*:[ \t]*['\"]")
_OFFSET_ONLY = re.compile(r"(?:[+-]\d{1,2}(?::?\d{2})?|[Zz]|UTC|GMT)")
#: Psych's ``ScalarScanner::TIME``: the plain YAML scalars Ruby reads as a ``Time``.
_YAML_TIME = re.compile(
    r"-?(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt]|\s+)(\d{1,2}):(\d\d):(\d\d)(?:\.\d*)?"
    r"(?:\s*(Z|[-+]\d{1,2}:?(?:\d\d)?))?"
)
#: How Psych's ``parse_time`` splits the offset of a timestamp (``+800`` is 80 hours).
_PSYCH_OFFSET = re.compile(r"([+-]?\d{1,2}):?(\d{1,2})?")
#: A date-prefixed file stem (``2022-03-01-slug``), Jekyll's ``DATE_FILENAME_MATCHER``.
FILENAME_DATE = re.compile(r"^(\d{2,4})-(\d{1,2})-(\d{1,2})-(.*)$")
_ID_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})\d{6,}(?!\d)")


@lru_cache(maxsize=32)
def named_zone(name: str) -> ZoneInfo:
    """The :class:`ZoneInfo` called ``name`` (cached). Raises ``ZoneInfoNotFoundError``."""
    return ZoneInfo(name)


#: The dates a post may carry (UTC): one day inside years 1-9999 at each end, so that
#: the date stays in range in every time zone, including the local mean time offsets
#: that tz data gives to very old dates (Asia/Shanghai: +08:05:43 before 1901).
DATE_MIN = dt.datetime(1, 1, 2, tzinfo=dt.timezone.utc)
DATE_MAX = dt.datetime(9999, 12, 30, 23, 59, 59, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class DateReading:
    """How Jekyll reads one date: ``when`` (aware, in the site zone) or None.

    ``rolled``: the out-of-range fields Ruby carried over into the next minute, day or
    month (``"hour 29"``), else ``""``. ``rejected``: why Ruby's ``Time`` refuses the
    fields (``"hour 29 without an offset"``), after which ``jekyll build`` stops with
    "Invalid date"; else ``""``. ``out_of_range``: a real date outside
    :data:`DATE_MIN` … :data:`DATE_MAX`.
    """

    when: dt.datetime | None
    rolled: str = ""
    rejected: str = ""
    out_of_range: bool = False


def parse_date(text: str, tz: ZoneInfo | None = None) -> dt.datetime | None:
    """Parse a Jekyll front matter date into an aware datetime in the site time zone.

    ``text`` is the value as written (C8), read as Jekyll reads a quoted value
    (``Utils.parse_date``: Ruby's ``Time.parse``, then ``localtime`` in the site zone;
    see :func:`read_date` for the rules): ``2022-06-09 10:05:12 +0800``,
    ``2022-03-01T08:30:00+08:00``, ``2022-03-01``, ``2022/3/1 8:30``, fractions of a
    second, ``Z``/``UTC``, and, beyond Jekyll, Chinese ``2022年3月1日 08:30`` and RFC
    2822 (``Tue, 01 Mar 2022 08:30:00 +0800``, as RSS feeds write it). Returns None when
    the text holds no calendar day (empty, ``+0800`` alone, garbage), when Ruby refuses
    it (``2020-03-32``, ``10:60``) or for a day outside :data:`DATE_MIN` …
    :data:`DATE_MAX`; never raises.

    >>> parse_date("2020-3-19 29:39:08 +0800").isoformat()  # rolled over, as Jekyll does
    '2020-03-20T05:39:08+08:00'
    >>> parse_date("2020-03-19 +0800").isoformat()  # a bare day ignores the offset
    '2020-03-19T00:00:00+08:00'
    """
    return read_date(text, tz).when


def date_out_of_range(text: str, tz: ZoneInfo | None = None) -> bool:
    """True when ``text`` is a calendar date that :func:`parse_date` refuses because it
    lies outside :data:`DATE_MIN` … :data:`DATE_MAX` (``0001-01-01 00:00 +0800``)."""
    return read_date(text, tz).out_of_range


def read_date(text: str, tz: ZoneInfo | None = None, yaml_time: bool = False) -> DateReading:
    """Read ``text`` as Jekyll 4.3 reads a front matter ``date`` (never raises).

    Measured with ``jekyll build`` and Ruby 3.1 (``tests/test_site_jekyll.py``):

    * ``yaml_time``: the value is a plain YAML scalar matching Psych's timestamp
      pattern (``2020-03-19 10:00:00``, optional ``Z`` or offset). Psych builds the
      ``Time`` from the fields (zoneless: UTC; ``+8``, ``+8:00`` and ``+0800`` all
      count as offsets); Jekyll reads back its text, so fractions of a second are lost.
      Fields Ruby refuses send the text on to ``Time.parse``, as Psych does.
    * Otherwise ``Time.parse``: a zone counts only after a time, and only the forms
      Ruby's ``zone_offset`` knows (``+08``, ``+0800``, ``+08:00``, ``+08:00:30``,
      ``UTC``/``Z``/``GMT``, US names such as ``CST`` = -06:00, military letters, the
      site zone's own abbreviation); ``+8``, ``+8:00``, ``GMT+8`` are ignored and the
      time is local. After a bare day, a zone is ignored (``2020-03-19 +0800`` is
      midnight in the site zone), but ``+08:00`` is read as the time 08:00.
    * Out-of-range fields: a day 29–31 past the month's end rolls into the next month
      (``2021-02-30`` → March 2), ``24:00:00`` is the next midnight and second 60 the
      next minute; other hours ≥ 24 and minutes ≥ 60 are refused, except that an offset
      of whole hours carries the hour over (``29:39:08 +0800`` → 05:39:08 the next day)
      and one with minutes carries minutes (Ruby's ``Time#apply_offset``). Day 0 or 32,
      month 0 or 13 are refused; so is an offset of a day or more.
    """
    zone = tz or named_zone(DEFAULT_TIMEZONE)
    try:
        reading = _read(text.strip(), zone, yaml_time)
        when = reading.when
        if when is None:
            return reading
        try:
            if not DATE_MIN <= when <= DATE_MAX:
                return DateReading(None, reading.rolled, out_of_range=True)
            return DateReading(when.astimezone(zone), reading.rolled)
        except (OverflowError, ValueError):
            return DateReading(None, reading.rolled, out_of_range=True)
    except YearOutOfRange:
        return DateReading(None, out_of_range=True)
    except RubyTimeError as error:
        return DateReading(None, rejected=str(error))
    except (ValueError, OverflowError, TypeError, IndexError):
        return DateReading(None)


def _read(text: str, zone: ZoneInfo, yaml_time: bool) -> DateReading:
    psych = _YAML_TIME.fullmatch(text) if yaml_time else None
    if psych:
        try:
            return _from_psych(psych)
        except RubyTimeError:
            pass  # Psych leaves the text a string; Jekyll's Time.parse has it next
    match = _DATE_VALUE.fullmatch(text)
    if match:
        y, mo, d, h, mi, s, frac, tzname = match.groups()
        fields = [int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0)]
        micro = int((frac or "0")[:6].ljust(6, "0"))
        return _time_parse(fields, micro, tzname, zone)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(text)  # RFC 2822, as in RSS feeds
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return DateReading(parsed)


def _from_psych(match: re.Match[str]) -> DateReading:
    """Psych's ``parse_time`` followed by Jekyll's ``Time.parse(time.to_s)``."""
    fields = [int(v) for v in match.groups()[:6]]
    naive = civil(fields)  # Time.utc: raises before the offset is looked at
    offset = 0
    zone_text = match.group(7)
    parts = _PSYCH_OFFSET.fullmatch(zone_text or "")
    if parts:  # Psych: hours, then minutes with the hours' sign ("-00:30" is +00:30)
        offset = int(parts.group(1)) * 3600
        minutes = int(parts.group(2) or 0) * 60
        offset += -minutes if offset < 0 else minutes
        if abs(offset) >= 86400:
            raise RubyTimeError(f"offset {zone_text} out of range")
    try:
        when = (naive - dt.timedelta(seconds=offset)).replace(tzinfo=dt.timezone.utc)
    except OverflowError:
        raise YearOutOfRange from None
    return DateReading(when, rolled_fields(fields))


def _time_parse(fields: list[int], micro: int, tzname: str | None, zone: ZoneInfo) -> DateReading:
    """Ruby's ``Time.make_time`` for the fields ``Date._parse`` found."""
    offset = zone_offset(tzname, fields[0], zone) if tzname else None
    rolled = rolled_fields(fields)
    if offset is None:
        naive = civil(fields, micro)
        return DateReading(naive.replace(tzinfo=zone), rolled)
    adjusted = apply_offset(fields, offset)
    try:
        naive = civil(adjusted, micro)
    except RubyTimeError as error:
        raise RubyTimeError(f"{error} after the offset {tzname} is applied") from None
    if abs(offset) >= 86400:  # Time#localtime refuses it
        raise RubyTimeError(f"offset {tzname} out of range")
    return DateReading(naive.replace(tzinfo=dt.timezone.utc), rolled)


def date_from_filename(name: str, tz: ZoneInfo | None = None) -> tuple[dt.datetime | None, str]:
    """Date a post from its file name, as Jekyll does; returns (datetime, source).

    ``YYYY-MM-DD-slug.md`` → midnight of that day in ``tz`` (Jekyll), source
    ``"file name"``; a day 29–31 past the month's end rolls over as Jekyll's
    ``Time.parse`` does (``2022-02-30-x.md`` is dated March 2: :func:`filename_day`).
    Otherwise the first run of 14 or more digits that starts with a valid
    ``YYYYMMDD`` (the news id in finews' ``-202205262391921712.md``) → that day,
    source ``"id in the file name"``. ``(None, "")`` when neither is there.
    """
    zone = tz or named_zone(DEFAULT_TIMEZONE)
    stem = name.rsplit(".", 1)[0]
    candidates: list[tuple[re.Match[str] | None, str]] = [
        (FILENAME_DATE.match(stem), "file name"),
        *((m, "id in the file name") for m in _ID_DATE.finditer(stem)),
    ]
    for match, source in candidates:
        if match is None:
            continue
        y, m, d = (int(match.group(i)) for i in (1, 2, 3))
        day = filename_day(y, m, d) if source == "file name" else None
        if source != "file name":
            try:
                day = dt.datetime(y, m, d)
            except ValueError:
                continue
        if day is None:
            continue
        try:
            dated = day.replace(tzinfo=zone)
            if DATE_MIN <= dated <= DATE_MAX:
                return dated, source
        except (OverflowError, ValueError):  # 0001-01-01 in a zone east of UTC
            pass
    return None, ""


def filename_day(year: int, month: int, day: int) -> dt.datetime | None:
    """The naive midnight Jekyll gives the date in a post's file name, or None when it
    refuses it (its build stops with "Invalid date"): ``Time.parse`` of ``YYYY-MM-DD``,
    so month 1–12 and day 1–31, a day past the month's end running on into the next
    month (measured with ``jekyll build`` 4.3.1: ``2022-02-30-x.md`` → ``/2022/03/02/x``).

    >>> filename_day(2022, 2, 30), filename_day(2022, 2, 32)
    (datetime.datetime(2022, 3, 2, 0, 0), None)
    """
    try:
        return civil([year, month, day, 0, 0, 0])
    except (RubyTimeError, YearOutOfRange):
        return None


def front_matter_date(raw: Any, tz: ZoneInfo, quoted: bool = False) -> dt.datetime | None:
    """The ``date`` front matter value as Jekyll reads it, in ``tz``, or None
    (:func:`front_matter_reading` without the notes)."""
    return front_matter_reading(raw, tz, quoted).when


def front_matter_reading(raw: Any, tz: ZoneInfo, quoted: bool = False) -> DateReading:
    """The ``date`` front matter value as Jekyll reads it (:func:`read_date`).

    A plain YAML timestamp without zone is UTC (:class:`UTCTimestamp`, as Ruby's YAML
    reads it); other text matching Psych's timestamp pattern is read as Psych does unless
    ``quoted`` (the value was written in quotes); any other text as Jekyll's
    ``Time.parse`` under the site's ``timezone`` reads it.
    """
    if isinstance(raw, UTCTimestamp):
        return read_date(raw, tz, yaml_time=True)
    if isinstance(raw, str):
        zoned = _YAML_TIME.fullmatch(raw.strip())
        return read_date(raw, tz, yaml_time=not quoted and bool(zoned and zoned.group(7)))
    if isinstance(raw, dt.datetime | dt.date):  # explicit !!timestamp tag
        return read_date(raw.isoformat(), tz)
    return DateReading(None)


def post_date(
    data: dict[str, Any],
    fm_lines: list[str],
    name: str,
    rel: str,
    zone: ZoneInfo,
    warnings: list[str],
) -> dt.datetime | None:
    """The post's date: front matter ``date`` first, then the file name or its id (C8).

    Warnings name the file and line: a date Jekyll rolls over (``29:39:08 +0800``) says
    so and what it became; a date Jekyll refuses (its build stops with "Invalid date")
    or that is not a date says why and which date is used instead.
    """
    raw = data.get("date")
    text = scalar_text(raw).strip() if not isinstance(raw, list | dict) else repr(raw)
    line = key_line(fm_lines, "date")
    where = f"{rel}:{line}" if line else rel
    reading = DateReading(None)
    if text:
        quoted = bool(line and _QUOTED_VALUE.match(fm_lines[line - 1]))
        reading = front_matter_reading(raw, zone, quoted)
        if reading.when is not None:
            if reading.rolled:
                warnings.append(
                    f"{where}: date {text!r} has {reading.rolled}, which Jekyll rolls over: "
                    f"dated {reading.when.isoformat()}"
                )
            return reading.when
    fallback, source = date_from_filename(name, zone)
    if not text and source == "file name":
        return fallback  # Jekyll's normal case: no date key, the file name dates the post
    if not text:
        problem = "no date in the front matter"
    elif _OFFSET_ONLY.fullmatch(text):
        problem = f"date {text!r} has an offset but no day"
    elif reading.out_of_range:
        problem = f"date {text!r} is outside the dates kept (years 1 to 9999 in every time zone)"
    elif reading.rejected:
        problem = (
            f"date {text!r} has {reading.rejected}, which Jekyll refuses "
            '(jekyll build stops: "Invalid date")'
        )
    else:
        problem = f"date {text!r} is not a date"
    if fallback is None:
        warnings.append(f"{where}: {problem} and none in the file name; the post has no date")
    else:
        warnings.append(
            f"{where}: {problem}; dated {fallback.date().isoformat()} from the {source}"
        )
    return fallback
