"""What every KPB code set can do: Danish labels, and codes Bilag B does not list.

The code sets themselves (``ApplicationStatus``, ``ExamStatus``...) are generated from
the spec into ``_codes.py``. Each is an :class:`~enum.IntEnum` whose members equal the
generated enums of ``kpb_client`` by value and name
(``ApplicationStatus.GODKENDT_ANSOEGNING == ApplicationStatusCode.GODKENDT_ANSOEGNING``)
and add ``label`` (the Danish name), ``description`` (Bilag B's text, verbatim; empty
where Bilag B gives none) and ``is_documented``.

KPB sends codes Bilag B does not list (application status 11, "Prøve bestilt", in the
PDF's own example). :meth:`KpbCode.from_code` never raises for them: it returns an
*undocumented member* of the same class, which keeps the code and shows the ``Name``
KPB sent beside it as its label. Such members are not part of iteration or
``__members__``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Self, cast

__all__ = ["KpbCode"]


class KpbCode(IntEnum):
    """Base of the code sets of Bilag B; members are ``CODE = value, label[, description]``."""

    label: str
    description: str
    is_documented: bool

    def __new__(cls, value: int, label: str, description: str = "") -> Self:
        member = int.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.description = description
        member.is_documented = True
        return member

    @classmethod
    def from_code(cls, code: int, name: str | None = None) -> Self:
        """The member for *code*, or an undocumented member labelled with *name*."""
        if not isinstance(code, int):
            raise TypeError(f"a {cls.__name__} code is an integer, not {type(code).__name__}")
        documented = cls._value2member_map_.get(code)
        if documented is not None:
            return cast(Self, documented)
        member = int.__new__(cls, code)
        member._value_ = code
        member._name_ = f"UNDOCUMENTED_{code}".replace("-", "MINUS_")
        member.label = name if name else f"Kode {code}"
        member.description = ""
        member.is_documented = False
        return member

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return (type(self).from_code, (self._value_, self.label))
