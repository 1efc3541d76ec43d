from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    ClassVar,
    Self,
    TypeVar,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.exam_status import ExamStatus

T = TypeVar("T", bound="ApplicationExam")


@_attrs_define
class ApplicationExam:
    """An exam on the application. The PDF gives no field telling theory from practical exams; the event history tells them
    apart.

    """

    exam_date: str
    """ A .NET `DateTime` as KPB sends it: local Danish time (`Europe/Copenhagen`, with daylight saving), **no
    offset**, and 0 to 7 fractional digits of a second (100-nanosecond ticks; trailing zeros dropped). Examples:
    `2018-04-16T00:00:00`, `2018-05-25T10:36:07.409073`, `2018-02-09T11:54:36.9625113`. Not RFC 3339 `date-time`,
    which requires an offset; keep the string to round-trip all seven digits, and attach the time zone when
    converting. """
    exam_location: None | str
    """ Where the exam takes place, for example `Rønne`; `null` when no place is set (Bilag A gives none for most
    exams; D22). """
    exam_status: ExamStatus | None
    """ The exam's status; `null` when KPB has none to give (D22). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    WIRE_NAMES: ClassVar[Mapping[str, str]] = {
        "exam_date": "ExamDate",
        "exam_location": "ExamLocation",
        "exam_status": "ExamStatus",
    }
    """ The JSON member name of each field, in the spec's order. """
    TIMESTAMP_FIELDS: ClassVar[frozenset[str]] = frozenset({"exam_date"})
    """ The fields that hold a KPB timestamp (a string of the spec's time-zone-marked schema). """

    def to_dict(self) -> dict[str, Any]:
        exam_date = self.exam_date

        exam_location: None | str
        exam_location = self.exam_location

        exam_status: dict[str, Any] | None
        if isinstance(self.exam_status, ExamStatus):
            exam_status = self.exam_status.to_dict()
        else:
            exam_status = self.exam_status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ExamDate": exam_date,
                "ExamLocation": exam_location,
                "ExamStatus": exam_status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        exam_date = d.pop("ExamDate")

        exam_location: None | str = d.pop("ExamLocation")

        _exam_status = d.pop("ExamStatus")
        exam_status: ExamStatus | None
        if isinstance(_exam_status, dict):
            exam_status = ExamStatus.from_dict(_exam_status)
        elif _exam_status is None:
            exam_status = None
        else:
            raise TypeError(
                f"ExamStatus is {type(_exam_status).__name__}, not dict[str, Any] | None"
            )

        application_exam = cls(
            exam_date=exam_date,
            exam_location=exam_location,
            exam_status=exam_status,
        )

        application_exam.additional_properties = d
        return application_exam

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
