"""Dates with Jekyll's rules: front matter dates, dates from file names, the site zone.

Every date becomes an aware datetime converted to the site time zone, as Jekyll does
(``Time#localtime`` under the config's ``timezone``), so that ``.date()`` is the site's
local day and permalinks use local date parts (C8, C12).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from .frontmatter import UTCTimestamp, key_line, scalar_text
from .options import DEFAULT_TIMEZONE

_DATE_VALUE = re.compile(
    r"(\d{4})(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})日?"
    r"(?:(?:[Tt]|[ \t]*)(\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:[.,](\d+))?)?)?"
    r"[ \t]*(?:([Zz]|UTC|GMT)|([+-])(\d{1,2})(?::?(\d{2}))?)?"
)
_OFFSET_ONLY = re.compile(r"(?:[+-]\d{1,2}(?::?\d{2})?|[Zz]|UTC|GMT)")
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


class _OutOfRange(Exception):
    pass


def parse_date(text: str, tz: ZoneInfo | None = None) -> dt.datetime | None:
    """Parse a Jekyll front matter date into an aware datetime in the site time zone.

    ``text`` is the value as written (C8): ``2022-06-09 10:05:12 +0800`` (which PyYAML
    leaves a string), ``2022-03-01T08:30:00+08:00``, ``2022-03-01``, ``2022/3/1 8:30``,
    fractions of a second, ``Z``/``UTC``, Chinese ``2022年3月1日 08:30``, and RFC 2822
    (``Tue, 01 Mar 2022 08:30:00 +0800``, as RSS feeds write it). A time without offset
    is local to ``tz`` (default Asia/Shanghai); a date without time is midnight in
    ``tz``. The result is converted to ``tz`` so that ``.date()`` is the site's local day.
    Returns None when the text holds no calendar day (empty, ``+0800`` alone, garbage,
    2022-02-30) or a day outside :data:`DATE_MIN` … :data:`DATE_MAX` (see
    :func:`date_out_of_range`); never raises.
    """
    try:
        return _parse(text, tz or named_zone(DEFAULT_TIMEZONE))
    except (_OutOfRange, ValueError, OverflowError, TypeError, IndexError):
        return None


def date_out_of_range(text: str, tz: ZoneInfo | None = None) -> bool:
    """True when ``text`` is a calendar date that :func:`parse_date` refuses because it
    lies outside :data:`DATE_MIN` … :data:`DATE_MAX` (``0001-01-01 00:00 +0800``)."""
    try:
        _parse(text, tz or named_zone(DEFAULT_TIMEZONE))
    except _OutOfRange:
        return True
    except (ValueError, OverflowError, TypeError, IndexError):
        return False
    return False


def _parse(text: str, zone: ZoneInfo) -> dt.datetime:
    text = text.strip()
    match = _DATE_VALUE.fullmatch(text)
    offset: dt.tzinfo
    if match:
        y, mo, d, h, mi, s, frac, utc, sign, oh, om = match.groups()
        micro = int((frac or "0")[:6].ljust(6, "0"))
        naive = dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), micro)
        if utc:
            offset = dt.timezone.utc
        elif sign:
            delta = dt.timedelta(hours=int(oh), minutes=int(om or 0))
            offset = dt.timezone(delta if sign == "+" else -delta)
        else:
            offset = zone
        parsed = naive.replace(tzinfo=offset)
    else:
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(text)  # RFC 2822, as in RSS feeds
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone)
    # A real calendar day from here on: any failure is a range problem.
    try:
        if not DATE_MIN <= parsed <= DATE_MAX:
            raise _OutOfRange
        return parsed.astimezone(zone)
    except (OverflowError, ValueError):
        raise _OutOfRange from None


def date_from_filename(name: str, tz: ZoneInfo | None = None) -> tuple[dt.datetime | None, str]:
    """Date a post from its file name, as Jekyll does; returns (datetime, source).

    ``YYYY-MM-DD-slug.md`` → midnight of that day in ``tz`` (Jekyll), source
    ``"file name"``. Otherwise the first run of 14 or more digits that starts with a valid
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
        try:
            day = dt.datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
        try:
            dated = day.replace(tzinfo=zone)
            if DATE_MIN <= dated <= DATE_MAX:
                return dated, source
        except (OverflowError, ValueError):  # 0001-01-01 in a zone east of UTC
            pass
    return None, ""


def front_matter_date(raw: Any, tz: ZoneInfo) -> dt.datetime | None:
    """The ``date`` front matter value as Jekyll reads it, in ``tz``, or None.

    A plain YAML timestamp without zone is UTC (:class:`UTCTimestamp`, as Ruby's YAML
    reads it); any other text is parsed by :func:`parse_date` (local to ``tz`` when it
    has no offset, as Jekyll's ``Time.parse`` under the site's ``timezone``).
    """
    if isinstance(raw, UTCTimestamp):
        return parse_date(f"{raw} +00:00", tz)
    if isinstance(raw, str):
        return parse_date(raw, tz)
    if isinstance(raw, dt.datetime | dt.date):  # explicit !!timestamp tag
        return parse_date(raw.isoformat(), tz)
    return None


def post_date(
    data: dict[str, Any],
    fm_lines: list[str],
    name: str,
    rel: str,
    zone: ZoneInfo,
    warnings: list[str],
) -> dt.datetime | None:
    """The post's date: front matter ``date`` first, then the file name or its id (C8)."""
    raw = data.get("date")
    text = scalar_text(raw).strip() if not isinstance(raw, list | dict) else repr(raw)
    if text:
        parsed = front_matter_date(raw, zone)
        if parsed is not None:
            return parsed
    fallback, source = date_from_filename(name, zone)
    if not text and source == "file name":
        return fallback  # Jekyll's normal case: no date key, the file name dates the post
    line = key_line(fm_lines, "date")
    where = f"{rel}:{line}" if line else rel
    if not text:
        problem = "no date in the front matter"
    elif _OFFSET_ONLY.fullmatch(text):
        problem = f"date {text!r} has an offset but no day"
    elif isinstance(raw, str) and date_out_of_range(
        f"{raw} +00:00" if isinstance(raw, UTCTimestamp) else raw, zone
    ):
        problem = f"date {text!r} is outside the dates kept (years 1 to 9999 in every time zone)"
    else:
        problem = f"date {text!r} is not a date"
    if fallback is None:
        warnings.append(f"{where}: {problem} and none in the file name; the post has no date")
    else:
        warnings.append(
            f"{where}: {problem}; dated {fallback.date().isoformat()} from the {source}"
        )
    return fallback
