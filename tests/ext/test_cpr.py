"""CPR numbers: accepted forms, clear rejections, and no full number in any text."""

from __future__ import annotations

import datetime as dt
import pickle
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpb_ext import Cpr, InvalidCprError, KpbError

from . import examples

BILAG_A = examples.bilag_a_cprs()


@pytest.mark.parametrize(
    "text",
    [
        "0702614074",
        "070261-4074",
        "070261 4074",
        " 07 02 61 40 74 ",
        "070261\t4074",
        "0702-61-4074",
        "070261\u20134074",  # en dash, as word processors write a hyphen
        "070261\u20114074",  # non-breaking hyphen
        "070261\u22124074",  # minus sign
        "\uff10\uff17\uff10\uff12\uff16\uff11\uff0d\uff14\uff10\uff17\uff14",  # full-width
    ],
)
def test_accepted_forms(text: str) -> None:
    assert Cpr.parse(text).digits == "0702614074"


@pytest.mark.parametrize("text", BILAG_A)
def test_the_seven_test_numbers_are_valid(text: str) -> None:
    assert Cpr.parse(text).digits == text


def test_no_modulus_11_check() -> None:
    # 0702614075 fails the old checksum; numbers issued since 2007 may too.
    from stdnum.dk import cpr as stdnum_cpr

    assert stdnum_cpr.checksum("0702614075") != 0
    assert Cpr.parse("070261-4075").digits == "0702614075"


@given(st.text("0123456789", min_size=10, max_size=10))
def test_agrees_with_stdnum_validate(digits: str) -> None:
    from stdnum.dk import cpr as stdnum_cpr

    assert stdnum_cpr.is_valid(digits) == (rejection(digits) is None)


def test_century_rule_gives_the_birth_date() -> None:
    assert Cpr.parse("0107529039").birth_date == dt.date(1952, 7, 1)
    assert Cpr.parse("0101054000").birth_date == dt.date(2005, 1, 1)  # 7th digit 4, year < 37
    assert Cpr.parse("0101589000").birth_date == dt.date(1958, 1, 1)  # 7th digit 9, year >= 37


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("070261407", "has 9 digits, expected 10"),
        ("07026140741", "has 11 digits, expected 10"),
        ("", "is empty"),
        ("0702614o74", "1 character(s) that are not digits"),
        ("3202614074", "day 32, which is not a valid date in February 1961"),
        ("2902614074", "day 29, which is not a valid date in February 1961"),
        ("0713614074", "month 13, which is not a month"),
        (
            # 7th digit 5 with a year below 58 is 20xx (valid until 2057)
            f"0101{(dt.date.today().year + 1) % 100:02d}5000",
            f"birth date {dt.date.today().year + 1}-01-01 (by the century rule), in the future",
        ),
    ],
)
def test_rejections_say_what_is_wrong(text: str, expected: str) -> None:
    with pytest.raises(InvalidCprError) as caught:
        Cpr.parse(text)
    assert expected in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, KpbError)
    assert caught.value.hint


def test_leap_day_accepted() -> None:
    assert Cpr.parse("2902604000").birth_date == dt.date(1960, 2, 29)


def test_masked_everywhere() -> None:
    cpr = Cpr.parse("070261-4074")
    for text in (str(cpr), repr(cpr), f"{cpr}", f"{cpr!r}", f"{cpr}", cpr.masked, str([cpr])):
        assert "4074" not in text
        assert "070261-****" in text
    assert cpr.digits == "0702614074"


def test_value_semantics() -> None:
    a, b, c = Cpr.parse("0702614074"), Cpr.parse("070261-4074"), Cpr.parse("0107529039")
    assert a == b
    assert a != c
    assert len({a, b, c}) == 2
    assert sorted([a, c]) == [c, a]
    assert Cpr.parse(a) is a
    assert pickle.loads(pickle.dumps(a)) == a  # noqa: S301 - our own bytes
    with pytest.raises(AttributeError):
        a._digits = "0107529039"  # type: ignore[misc]
    assert a != "0702614074"


def test_not_text() -> None:
    with pytest.raises(InvalidCprError, match="must be text"):
        Cpr.parse(702614074)  # type: ignore[arg-type]


# -- properties --------------------------------------------------------------------------

dates = st.dates(min_value=dt.date(1858, 1, 1), max_value=dt.date.today())


def _seventh_digit(year: int) -> st.SearchStrategy[str]:
    """Seventh digits that put a two-digit year in *year*'s century (stdnum's rule)."""
    yy = year % 100
    options = []
    for digit in "0123456789":
        if digit in "5678" and yy >= 58:
            century = 1800
        elif digit in "0123" or (digit in "49" and yy >= 37):
            century = 1900
        else:
            century = 2000
        if century + yy == year:
            options.append(digit)
    return st.sampled_from(options) if options else st.nothing()


@st.composite
def valid_numbers(draw: st.DrawFn) -> tuple[dt.date, str]:
    born = draw(dates)
    seventh = draw(_seventh_digit(born.year))
    rest = draw(st.text("0123456789", min_size=3, max_size=3))
    return born, born.strftime("%d%m%y") + seventh + rest


separators = st.sampled_from(["", "-", " ", "  ", " - "])


@given(valid_numbers(), separators)
def test_valid_dates_round_trip(number: tuple[dt.date, str], separator: str) -> None:
    born, digits = number
    cpr = Cpr.parse(digits[:6] + separator + digits[6:])
    assert cpr.digits == digits
    assert cpr.birth_date == born
    assert str(cpr) == f"{digits[:6]}-****"


def rejection(text: str) -> InvalidCprError | None:
    try:
        Cpr.parse(text)
    except InvalidCprError as error:
        return error
    return None


@given(st.text("0123456789 -x\t", max_size=16) | st.text(max_size=16))
def test_any_text_is_accepted_or_rejected_with_a_masked_message(text: str) -> None:
    error = rejection(text)
    if error is None:
        assert len(Cpr.parse(text).digits) == 10
    else:
        # Six digits are never followed by more: no number beyond its birth date shows.
        assert re.search(r"[0-9]{6}[- ]?[0-9]", str(error)) is None


@given(
    st.text("0123456789", min_size=10, max_size=10).filter(
        lambda d: not 1 <= int(d[2:4]) <= 12 or not 1 <= int(d[0:2]) <= 28
    )
)
def test_impossible_dates_rejected_without_echo(digits: str) -> None:
    error = rejection(digits)
    if error is None:  # day 29-31 can exist in its month
        assert 29 <= int(digits[0:2]) <= 31
    else:
        assert digits not in str(error)
        assert digits[6:] not in str(error).split("****")[-1]
        assert re.search(r"(month|day|birth date)", str(error))
