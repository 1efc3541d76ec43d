from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    ClassVar,
    Self,
    TypeVar,
)
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.application_event import ApplicationEvent
from ..models.application_exam import ApplicationExam
from ..models.application_status import ApplicationStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="Application")


@_attrs_define
class Application:
    """A driving-test application (prøveforløb)."""

    id: UUID
    """ A .NET `Guid`, serialised in lowercase with hyphens. """
    license_category_code: None | str
    """ Licence category code, for example `B` or `AM (lille knallert)`. """
    license_category_name: None | str
    """ Licence category name, for example `Stor motorcykel`. """
    exam_type_code: None | str
    """ Exam type. Despite its name it holds the exam type's text, for example `1. gangserhvervelse`, `§ 94 stk. 1`,
    `§ 103 stk. 1` (PDF §3.2.2.3, Bilag A). """
    exam_type_name: None | str
    """ Exam type name; empty (`""`) in the PDF's example. """
    application_status: ApplicationStatus | None
    """ The application's status; `null` when KPB has none to give (D22). """
    application_exams: list[ApplicationExam] | None
    """ Booked and completed exams, theory and practical alike (D22). """
    application_events: list[ApplicationEvent] | None
    """ The application's history, oldest first in the PDF's examples (D22). """
    comment_further_proccessing: None | str | Unset = UNSET
    """ Comment given when the application was sent for further processing. Shown only in the PDF's example, with
    this spelling, so it is optional here. """
    comment_rejected: None | str | Unset = UNSET
    """ Comment given when the application was rejected. Shown only in the PDF's example, so it is optional here.
    """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    WIRE_NAMES: ClassVar[Mapping[str, str]] = {
        "id": "Id",
        "license_category_code": "LicenseCategoryCode",
        "license_category_name": "LicenseCategoryName",
        "exam_type_code": "ExamTypeCode",
        "exam_type_name": "ExamTypeName",
        "application_status": "ApplicationStatus",
        "application_exams": "ApplicationExams",
        "application_events": "ApplicationEvents",
        "comment_further_proccessing": "CommentFurtherProccessing",
        "comment_rejected": "CommentRejected",
    }
    """ The JSON member name of each field, in the spec's order. """
    TIMESTAMP_FIELDS: ClassVar[frozenset[str]] = frozenset()
    """ The fields that hold a KPB timestamp (a string of the spec's time-zone-marked schema). """

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        license_category_code: None | str
        license_category_code = self.license_category_code

        license_category_name: None | str
        license_category_name = self.license_category_name

        exam_type_code: None | str
        exam_type_code = self.exam_type_code

        exam_type_name: None | str
        exam_type_name = self.exam_type_name

        application_status: dict[str, Any] | None
        if isinstance(self.application_status, ApplicationStatus):
            application_status = self.application_status.to_dict()
        else:
            application_status = self.application_status

        application_exams: list[dict[str, Any]] | None
        if isinstance(self.application_exams, list):
            application_exams = []
            for application_exams_type_0_item_data in self.application_exams:
                application_exams_type_0_item = (
                    application_exams_type_0_item_data.to_dict()
                )
                application_exams.append(application_exams_type_0_item)

        else:
            application_exams = self.application_exams

        application_events: list[dict[str, Any]] | None
        if isinstance(self.application_events, list):
            application_events = []
            for application_events_type_0_item_data in self.application_events:
                application_events_type_0_item = (
                    application_events_type_0_item_data.to_dict()
                )
                application_events.append(application_events_type_0_item)

        else:
            application_events = self.application_events

        comment_further_proccessing: None | str | Unset
        if isinstance(self.comment_further_proccessing, Unset):
            comment_further_proccessing = UNSET
        else:
            comment_further_proccessing = self.comment_further_proccessing

        comment_rejected: None | str | Unset
        if isinstance(self.comment_rejected, Unset):
            comment_rejected = UNSET
        else:
            comment_rejected = self.comment_rejected

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Id": id,
                "LicenseCategoryCode": license_category_code,
                "LicenseCategoryName": license_category_name,
                "ExamTypeCode": exam_type_code,
                "ExamTypeName": exam_type_name,
                "ApplicationStatus": application_status,
                "ApplicationExams": application_exams,
                "ApplicationEvents": application_events,
            }
        )
        if comment_further_proccessing is not UNSET:
            field_dict["CommentFurtherProccessing"] = comment_further_proccessing
        if comment_rejected is not UNSET:
            field_dict["CommentRejected"] = comment_rejected

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("Id"))

        license_category_code: None | str = d.pop("LicenseCategoryCode")

        license_category_name: None | str = d.pop("LicenseCategoryName")

        exam_type_code: None | str = d.pop("ExamTypeCode")

        exam_type_name: None | str = d.pop("ExamTypeName")

        _application_status = d.pop("ApplicationStatus")
        application_status: ApplicationStatus | None
        if isinstance(_application_status, dict):
            application_status = ApplicationStatus.from_dict(_application_status)
        elif _application_status is None:
            application_status = None
        else:
            raise TypeError(
                f"ApplicationStatus is {type(_application_status).__name__}, not dict[str, Any] | None"
            )

        _application_exams = d.pop("ApplicationExams")
        application_exams: list[ApplicationExam] | None
        if isinstance(_application_exams, list):
            application_exams_type_0 = [
                ApplicationExam.from_dict(item) for item in _application_exams
            ]

            application_exams = application_exams_type_0
        elif _application_exams is None:
            application_exams = None
        else:
            raise TypeError(
                f"ApplicationExams is {type(_application_exams).__name__}, not list[dict[str, Any]] | None"
            )

        _application_events = d.pop("ApplicationEvents")
        application_events: list[ApplicationEvent] | None
        if isinstance(_application_events, list):
            application_events_type_0 = [
                ApplicationEvent.from_dict(item) for item in _application_events
            ]

            application_events = application_events_type_0
        elif _application_events is None:
            application_events = None
        else:
            raise TypeError(
                f"ApplicationEvents is {type(_application_events).__name__}, not list[dict[str, Any]] | None"
            )

        comment_further_proccessing: None | str | Unset = d.pop(
            "CommentFurtherProccessing", UNSET
        )

        comment_rejected: None | str | Unset = d.pop("CommentRejected", UNSET)

        application = cls(
            id=id,
            license_category_code=license_category_code,
            license_category_name=license_category_name,
            exam_type_code=exam_type_code,
            exam_type_name=exam_type_name,
            application_status=application_status,
            application_exams=application_exams,
            application_events=application_events,
            comment_further_proccessing=comment_further_proccessing,
            comment_rejected=comment_rejected,
        )

        application.additional_properties = d
        return application

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
