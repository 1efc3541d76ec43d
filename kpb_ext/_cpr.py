"""The CPR number as a value that does not leak.

:class:`Cpr` accepts ``0702614074``, ``070261-4074``, ``070261 4074`` and other forms
with spaces or hyphens, and checks it with python-stdnum (:mod:`stdnum.dk.cpr`): ten
digits and a birth date that exists by the century rule of the seventh digit, not in
the future. There is no modulus-11 check: numbers issued since 2007 and KPB's own test
numbers need not satisfy it. stdnum 2.x's ``validate`` does not apply it either; the
date rule is applied through ``get_birth_date`` so that it stays exactly that rule.

``str()``, ``repr()`` and formatting show ``070261-****``; the ten digits are only
available as :attr:`Cpr.digits`.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any, Final

from stdnum import exceptions as stdnum_exceptions
from stdnum.dk import cpr as stdnum_cpr

from ._exceptions import InvalidCprError

__all__ = ["Cpr"]

# English month names; calendar.month_name would follow the process locale.
_MONTHS: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@functools.total_ordering
class Cpr:
    """A valid CPR number. Build it with :meth:`Cpr.parse`."""

    __slots__ = ("_digits",)
    _digits: str

    def __init__(self, text: str) -> None:
        object.__setattr__(self, "_digits", _validate(text))

    @classmethod
    def parse(cls, text: str | Cpr) -> Cpr:
        """Parse and validate; raise :class:`InvalidCprError` saying what is wrong."""
        if isinstance(text, Cpr):
            return text
        return cls(text)

    @property
    def digits(self) -> str:
        """The full ten digits, as KPB's ``cpr`` parameter wants them. Do not log this."""
        return self._digits

    @property
    def masked(self) -> str:
        """``DDMMYY-****``: the birth date part only."""
        return f"{self._digits[:6]}-****"

    @property
    def birth_date(self) -> datetime.date:
        """The birth date by the century rule of the seventh digit."""
        return stdnum_cpr.get_birth_date(self._digits)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"Cpr('{self.masked}')"

    def __format__(self, format_spec: str) -> str:
        return format(self.masked, format_spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Cpr):
            return self._digits == other._digits
        return NotImplemented

    def __lt__(self, other: object) -> bool:
        if isinstance(other, Cpr):
            return self._digits < other._digits
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Cpr", self._digits))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Cpr is immutable")

    def __reduce__(self) -> tuple[type[Cpr], tuple[str]]:
        return (Cpr, (self._digits,))


def _validate(text: str) -> str:
    """Return the ten digits of *text*, or raise with a message that does not echo it."""
    if not isinstance(text, str):
        raise InvalidCprError(f"a CPR number must be text, not {type(text).__name__}")
    if len(text) == 10 and text.isascii() and text.isdigit():
        digits = text  # the form KPB takes, and the common one: nothing to clean
    else:
        # stdnum strips spaces and hyphens; other whitespace (tabs, no-break spaces) too.
        digits = stdnum_cpr.compact(" ".join(text.split()))
        if not digits:
            raise InvalidCprError("the CPR number is empty")
        if not (digits.isascii() and digits.isdigit()):
            bad = sum(1 for c in digits if not ("0" <= c <= "9"))
            raise InvalidCprError(
                f"the CPR number contains {bad} character(s) that are not digits; "
                "expected 10 digits, optionally written DDMMYY-SSSS"
            )
        if len(digits) != 10:
            raise InvalidCprError(f"the CPR number has {len(digits)} digits, expected 10")
    # What stdnum's validate() checks beyond the format, without whatever else a later
    # version might add to it: the birth date exists by the century rule and has passed.
    try:
        born = stdnum_cpr.get_birth_date(digits)
    except stdnum_exceptions.ValidationError:
        raise InvalidCprError(_date_problem(digits)) from None
    if born > datetime.date.today():
        raise InvalidCprError(
            f"the CPR number {digits[:6]}-**** has birth date {born.isoformat()} "
            "(by the century rule), in the future"
        )
    return digits


def _date_problem(digits: str) -> str:
    """Say what is wrong with the birth date of ten digits stdnum rejected."""
    day, month = int(digits[0:2]), int(digits[2:4])
    prefix = f"the CPR number {digits[:6]}-****"
    if not 1 <= month <= 12:
        return f"{prefix} has month {month:02d}, which is not a month"
    try:
        born = stdnum_cpr.get_birth_date(digits)
    except stdnum_exceptions.ValidationError:
        # The month is fine, so the day does not exist in it, in that year.
        year = stdnum_cpr.get_birth_date("01" + digits[2:]).year
        return (
            f"{prefix} has day {day:02d}, which is not a valid date in {_MONTHS[month - 1]} {year}"
        )
    return f"{prefix} has birth date {born.isoformat()} (by the century rule), in the future"
