"""KPB timestamps to aware Europe/Copenhagen datetimes, across DST changes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests._spec import load_spec
from kpb_ext import KPB_TIME_ZONE, KpbDateTime, to_datetime
from kpb_ext._time import KPB_DATETIME_PATTERN

UTC = dt.UTC


def test_pattern_is_the_specs() -> None:
    schema = load_spec()["components"]["schemas"]["KpbDateTime"]
    assert schema["pattern"] == KPB_DATETIME_PATTERN
    assert str(KPB_TIME_ZONE) == schema["x-kpb-time-zone"]


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2018-04-16T00:00:00", dt.datetime(2018, 4, 15, 22, 0, tzinfo=UTC)),  # summer, +02:00
        ("2018-02-09T11:54:36.9625113", dt.datetime(2018, 2, 9, 10, 54, 36, 962511, tzinfo=UTC)),
        ("2018-05-25T10:36:07.409073", dt.datetime(2018, 5, 25, 8, 36, 7, 409073, tzinfo=UTC)),
        ("2018-05-25T10:36:07.4", dt.datetime(2018, 5, 25, 8, 36, 7, 400000, tzinfo=UTC)),
    ],
)
def test_conversion(text: str, utc: dt.datetime) -> None:
    value = to_datetime(text)
    assert value.tzinfo is KPB_TIME_ZONE
    assert value == utc
    assert str(KpbDateTime(text)) == text  # the string keeps all seven digits


def test_autumn_ambiguous_hour_is_read_as_standard_time() -> None:
    # 2018-10-28: clocks went from 03:00 CEST back to 02:00 CET; 02:30 happened twice.
    value = to_datetime("2018-10-28T02:30:00")
    assert value.utcoffset() == dt.timedelta(hours=1)
    assert value.astimezone(UTC) == dt.datetime(2018, 10, 28, 1, 30, tzinfo=UTC)
    # Either side of the ambiguous hour is unambiguous.
    assert to_datetime("2018-10-28T01:59:59").utcoffset() == dt.timedelta(hours=2)
    assert to_datetime("2018-10-28T03:00:00").utcoffset() == dt.timedelta(hours=1)


def test_spring_missing_hour_is_read_with_the_offset_before_the_change() -> None:
    # 2018-03-25: clocks went from 02:00 CET to 03:00 CEST; 02:30 never happened.
    value = to_datetime("2018-03-25T02:30:00")
    assert value.astimezone(UTC) == dt.datetime(2018, 3, 25, 1, 30, tzinfo=UTC)
    assert (value.hour, value.minute, value.utcoffset()) == (3, 30, dt.timedelta(hours=2))
    assert to_datetime("2018-03-25T01:59:59").utcoffset() == dt.timedelta(hours=1)
    assert to_datetime("2018-03-25T03:00:00").utcoffset() == dt.timedelta(hours=2)


def test_order_uses_the_seventh_digit() -> None:
    a = KpbDateTime("2018-05-25T10:06:46.5471921")
    b = KpbDateTime("2018-05-25T10:06:46.5471929")
    assert a.datetime == b.datetime  # microseconds cannot tell them apart
    assert a < b
    assert a != b
    assert KpbDateTime("2018-05-25T10:06:46.547192") == KpbDateTime("2018-05-25T10:06:46.5471920")
    assert sorted([b, a]) == [a, b]


@pytest.mark.parametrize(
    "text",
    [
        "2018-04-16 00:00:00",
        "2018-04-16T00:00:00Z",
        "2018-04-16T00:00:00+02:00",
        "2018-04-16T00:00:00.12345678",
        "2018-02-30T00:00:00",
        "16-04-2018",
        "",
    ],
)
def test_rejects_other_formats(text: str) -> None:
    with pytest.raises(ValueError, match="not a KPB timestamp"):
        KpbDateTime(text)


@given(
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.integers(0, 9),
    st.integers(0, 7),
)
def test_round_trip_property(moment: dt.datetime, tick: int, digits: int) -> None:
    fraction = f"{moment.microsecond:06d}{tick}"[:digits]
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if digits else "")
    assert re.fullmatch(KPB_DATETIME_PATTERN, text)
    value = KpbDateTime(text)
    assert value.text == text
    local = value.datetime.astimezone(KPB_TIME_ZONE).replace(tzinfo=None)
    expected = moment.replace(microsecond=int(fraction.ljust(6, "0")[:6]) if digits else 0)
    # Equal wall time, except inside a spring gap where the wall time moves by an hour.
    assert local in (expected, expected + dt.timedelta(hours=1))
