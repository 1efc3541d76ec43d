"""KPB's timestamps as timezone-aware datetimes.

KPB sends .NET ``DateTime`` values in Danish local time without an offset, with 0 to 7
fractional digits (``2018-02-09T11:54:36.9625113``; DISCREPANCIES.md D7). The generated
models keep that string, so all seven digits survive a round trip; :class:`KpbDateTime`
and :func:`to_datetime` attach ``Europe/Copenhagen`` (zoneinfo, with tzdata as the
fallback database).

Python's datetime holds microseconds, so the seventh digit (100 ns) is dropped from the
datetime, never from the string; :class:`KpbDateTime` still orders by it.

Daylight saving time makes some wall-clock times ambiguous or impossible, and KPB sends
no offset to tell. Both are read as standard time (CET, UTC+01:00):

* the repeated autumn hour (for example ``2018-10-28T02:30:00``, which happens twice) is
  taken as the second occurrence, 02:30+01:00 (01:30 UTC). This is what .NET's
  ``TimeZoneInfo.ConvertTimeToUtc`` assumes for an ambiguous time, so it agrees with a
  .NET service converting its own local time back.
* the missing spring hour (for example ``2018-03-25T02:30:00``, skipped by the clocks) is
  read with the offset in force before the change, +01:00, which is the instant 01:30
  UTC, and returned as the existing wall time 03:30+02:00. .NET refuses such a time;
  rejecting a whole KPB response for it would lose data, so it is converted instead.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from typing import Final
from zoneinfo import ZoneInfo

from ._redact import redact

__all__ = ["KPB_DATETIME_PATTERN", "KPB_TIME_ZONE", "KpbDateTime", "to_datetime"]

#: The time zone KPB's timestamps are in (spec: ``x-kpb-time-zone``).
KPB_TIME_ZONE: Final = ZoneInfo("Europe/Copenhagen")

#: The spec's ``KpbDateTime`` pattern, verbatim.
KPB_DATETIME_PATTERN: Final = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,7})?$"
)

_PARTS: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,7}))?"
)
_ZERO: Final = _dt.timedelta(0)


@functools.total_ordering
class KpbDateTime:
    """A KPB timestamp: the wire string and the aware datetime it stands for.

    ``str()`` gives the string exactly as received. Instances compare and sort by the
    instant, to the 100 ns tick.
    """

    __slots__ = ("_ticks", "datetime", "text")

    text: str
    datetime: _dt.datetime
    _ticks: int

    def __init__(self, text: str) -> None:
        match = _PARTS.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"not a KPB timestamp (YYYY-MM-DDThh:mm:ss[.fffffff]): {_show(text)}")
        year, month, day, hour, minute, second, fraction = match.groups()
        ticks = int(fraction.ljust(7, "0")) if fraction else 0
        fields = (int(year), int(month), int(day), int(hour), int(minute), int(second), ticks // 10)
        try:
            first = _dt.datetime(*fields, tzinfo=KPB_TIME_ZONE)
        except ValueError as exc:
            raise ValueError(f"not a KPB timestamp ({exc}): {_show(text)}") from None
        # The zone's offset for the wall time read both ways (fold 0 and 1): the same,
        # except in the hour that daylight saving time repeats or skips.
        if KPB_TIME_ZONE.utcoffset(first) != KPB_TIME_ZONE.utcoffset(_dt.datetime(*fields, fold=1)):
            first = _localize(first)
        self.text = text
        self.datetime = first
        self._ticks = ticks

    @property
    def date(self) -> _dt.date:
        """The calendar date in Denmark (the date part as KPB wrote it)."""
        return self.datetime.date()

    def _key(self) -> tuple[_dt.datetime, int]:
        return (self.datetime, self._ticks % 10)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, KpbDateTime):
            return NotImplemented
        return self._key() < other._key()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KpbDateTime):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"KpbDateTime({self.text!r})"


def to_datetime(text: str) -> _dt.datetime:
    """The aware ``Europe/Copenhagen`` datetime of a KPB timestamp string."""
    return KpbDateTime(text).datetime


def _localize(first: _dt.datetime) -> _dt.datetime:
    """An ambiguous or missing wall time (fold 0 given), read as standard time and then
    normalised, so that a missing 02:30 becomes the existing 03:30+02:00."""
    standard = first if first.dst() == _ZERO else first.replace(fold=1)
    return standard.astimezone(_dt.UTC).astimezone(KPB_TIME_ZONE)


def _show(value: object) -> str:
    return redact(repr(value)[:60])
